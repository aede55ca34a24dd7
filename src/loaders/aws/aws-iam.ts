/**
 * Live IAM (`--aws`): reads the roles that trust a GitHub OIDC provider, and the GitHub OIDC
 * providers, from an AWS account with @aws-sdk/client-iam, then turns them into the same model
 * nodes as every other format so that all rules run unchanged.
 *
 * - The SDK is imported lazily, here and only here: without `--aws` it is never loaded and no
 *   network is touched.
 * - Read-only: ListRoles, ListOpenIDConnectProviders, GetOpenIDConnectProvider. Nothing else.
 * - Credentials, region, endpoint, retries: the SDK's own resolution (env, profile, SSO, web
 *   identity, container/instance metadata; `AWS_ENDPOINT_URL_IAM`; `AWS_MAX_ATTEMPTS`).
 * - A live role has no file: every node carries a LogicalLocation (the role ARN), `file: ''`,
 *   positions relative to the decoded policy document and a symbolic `path` for fingerprints.
 *
 * See domain.md §C.1 (providers) and §C.6 (reading roles: URL-encoded documents, IsTruncated).
 */
import type { IAMClient, IAMClientConfig } from '@aws-sdk/client-iam';
import { parseJsonFile } from './policy-json.js';
import { readTrustPolicy, type PolicyProblem } from './policy-doc.js';
import { getEntryCI, isMap, type DocNode } from '../shared/doc.js';
import type { OidcProvider, Role, TrustPolicy } from '../../model/iam.js';
import type { LoadError, Project, SourceFile } from '../../model/project.js';
import type { LogicalLocation, SourceLocation, Value } from '../../model/location.js';
import { plainLocation } from '../../model/location.js';
import { githubIssuerOfPrincipal, githubIssuerOfStatement, parseConditionKey } from '../../model/claims.js';
import { linkProject } from '../../model/links.js';
import { importLazily } from '../../lazy-import.js';

type IamSdk = typeof import('@aws-sdk/client-iam');

// ---------------------------------------------------------------------------------------------
// What was fetched (also the content of a snapshot, see aws-snapshot.ts)

export interface AwsRoleRecord {
  arn: string;
  name: string;
  path: string;
  /** The decoded trust policy (JSON text) — unset when the URL-decoding itself failed. */
  document?: string;
  /** The document as IAM returned it, kept only when it could not be URL-decoded. */
  encodedDocument?: string;
}

export interface AwsProviderRecord {
  arn: string;
  /** Issuer URL, normalised to `https://…` (IAM has been seen to return it with and without scheme). */
  url: string;
  clientIds: string[];
  thumbprints: string[];
}

/** A part of the account that could not be read: the scan is incomplete. */
export interface AwsIncomplete {
  /** The API call, e.g. `ListOpenIDConnectProviders`. */
  operation: string;
  /** The IAM permission it needs, e.g. `iam:ListOpenIDConnectProviders`. */
  permission: string;
  /** AWS error code (`AccessDenied`, `Throttling`, …). */
  code: string;
  message: string;
  /** The resource concerned (a provider ARN), when the failure is about one resource. */
  resource?: string;
}

export interface AwsAccountData {
  /** ISO time of the fetch (snapshot only; never printed in lint output). */
  fetchedAt: string;
  /** Partition and account, derived from the ARNs that were read (no STS call); null when none was read. */
  partition: string | null;
  accountId: string | null;
  /** `--aws-role-prefix`, when given. */
  rolePathPrefix?: string;
  /** Roles listed in total, before keeping those that trust a GitHub provider. */
  rolesListed: number;
  roles: AwsRoleRecord[];
  providers: AwsProviderRecord[];
  incomplete: AwsIncomplete[];
}

/** A failure that stops the AWS part of the run (no or rejected credentials, unreachable endpoint): one line, exit 2. */
export class AwsFatalError extends Error {}

export interface AwsReadOptions {
  profile?: string;
  region?: string;
  /** IAM path prefix (`/github/`) passed to ListRoles as PathPrefix. */
  rolePathPrefix?: string;
  /** Parallel GetOpenIDConnectProvider calls (default 4). */
  concurrency?: number;
  /** Called as the fetch advances (the CLI draws a progress line on a TTY). */
  onProgress?: (p: AwsProgress) => void;
  /** Injected client (tests with a mocked client); the real one is created from the SDK otherwise. */
  client?: Pick<IAMClient, 'send' | 'destroy'>;
}

export interface AwsProgress {
  phase: 'roles' | 'providers';
  /** Roles listed so far / providers read so far. */
  done: number;
  /** Providers to read (unknown while listing roles). */
  total?: number;
  /** Roles kept so far (they trust a GitHub provider). */
  kept: number;
}

/** Largest page ListRoles accepts. */
export const LIST_ROLES_MAX_ITEMS = 1000;
/** Attempts per call (first try + retries with the SDK's exponential back-off), unless AWS_MAX_ATTEMPTS says otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 8;
const DEFAULT_CONCURRENCY = 4;

/** Error codes meaning "this principal may not do that". */
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess']);
/** Error codes meaning the credentials themselves are bad: nothing else will work either. */
const BAD_CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'AuthFailure',
  'RequestExpired',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'TimeoutError']);

// ---------------------------------------------------------------------------------------------
// Reading the account

/** Reads the account. Throws AwsFatalError for credential and connectivity problems; AccessDenied on a call is recorded in `incomplete`. */
export async function readAwsAccount(opts: AwsReadOptions = {}): Promise<AwsAccountData> {
  const client = opts.client ?? (await createClient(opts));
  const data: AwsAccountData = {
    fetchedAt: new Date().toISOString(),
    partition: null,
    accountId: null,
    rolesListed: 0,
    roles: [],
    providers: [],
    incomplete: [],
  };
  if (opts.rolePathPrefix) data.rolePathPrefix = opts.rolePathPrefix;
  const progress = opts.onProgress ?? (() => {});
  try {
    await listRoles(client, data, opts, progress);
    await readProviders(client, data, opts.concurrency ?? DEFAULT_CONCURRENCY, progress, opts.profile);
  } finally {
    if (!opts.client) client.destroy();
  }
  data.roles.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  data.providers.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  return data;
}

async function createClient(opts: AwsReadOptions): Promise<IAMClient> {
  // The SDK warns on every run under Node 20 that *future* SDK versions will need Node 22; that is
  // not actionable for someone running a linter and would drown our one-line messages.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { IAMClient } = await importLazily<IamSdk>('@aws-sdk/client-iam');
  const config: IAMClientConfig = { retryMode: 'standard' };
  if (!process.env.AWS_MAX_ATTEMPTS) config.maxAttempts = DEFAULT_MAX_ATTEMPTS;
  if (opts.profile) config.profile = opts.profile;
  if (opts.region) return new IAMClient({ ...config, region: opts.region });
  // IAM is global: the region only selects the partition (aws, aws-cn, aws-us-gov). Use the
  // configured one (AWS_REGION, the profile's region) and fall back to us-east-1 when there is none.
  const client = new IAMClient(config);
  try {
    await client.config.region();
    return client;
  } catch {
    client.destroy();
    return new IAMClient({ ...config, region: 'us-east-1' });
  }
}

async function listRoles(client: Pick<IAMClient, 'send'>, data: AwsAccountData, opts: AwsReadOptions, progress: (p: AwsProgress) => void): Promise<void> {
  const { ListRolesCommand } = await importLazily<IamSdk>('@aws-sdk/client-iam');
  let marker: string | undefined;
  const seenMarkers = new Set<string>();
  for (;;) {
    let page;
    try {
      page = await client.send(new ListRolesCommand({ MaxItems: LIST_ROLES_MAX_ITEMS, Marker: marker, PathPrefix: opts.rolePathPrefix }));
    } catch (e) {
      const failure = classify(e);
      if (failure.kind === 'denied' || (failure.kind === 'other' && marker !== undefined)) {
        data.incomplete.push({ operation: 'ListRoles', permission: 'iam:ListRoles', code: failure.code, message: failure.message });
        return;
      }
      throw fatal(failure, 'ListRoles', opts.profile);
    }
    for (const r of page.Roles ?? []) {
      data.rolesListed++;
      noteAccount(data, r.Arn);
      const record = roleRecord(r);
      if (record && keepRole(record)) data.roles.push(record);
    }
    progress({ phase: 'roles', done: data.rolesListed, kept: data.roles.length });
    // Loop on IsTruncated, never on the page size: IAM may return fewer items than MaxItems.
    if (!page.IsTruncated) return;
    if (!page.Marker || seenMarkers.has(page.Marker)) {
      data.incomplete.push({ operation: 'ListRoles', permission: 'iam:ListRoles', code: 'InvalidMarker', message: 'IAM said more roles follow but gave no new Marker; listing stopped' });
      return;
    }
    seenMarkers.add(page.Marker);
    marker = page.Marker;
  }
}

function roleRecord(r: { Arn?: string; RoleName?: string; Path?: string; AssumeRolePolicyDocument?: string }): AwsRoleRecord | undefined {
  if (!r.Arn || r.AssumeRolePolicyDocument === undefined) return undefined;
  const record: AwsRoleRecord = { arn: r.Arn, name: r.RoleName ?? '', path: r.Path ?? '/' };
  const raw = r.AssumeRolePolicyDocument;
  // IAM returns the document URL-encoded (RFC 3986) and the JS SDK does not decode it. Some IAM
  // emulators return plain JSON; an encoded document never starts with `{` (it starts with %7B),
  // and decoding plain JSON would corrupt a literal `%3A` in a sub pattern.
  if (raw.trimStart().startsWith('{')) record.document = raw;
  else
    try {
      record.document = decodeURIComponent(raw);
    } catch {
      record.encodedDocument = raw;
    }
  return record;
}

/**
 * Whether a role is worth keeping: its trust policy names a GitHub OIDC provider (Federated
 * principal) or conditions on a GitHub claim. A document that cannot be read is kept too: it will
 * be reported as a parse error, with the role ARN, rather than silently dropped.
 */
function keepRole(record: AwsRoleRecord): boolean {
  if (record.document === undefined) return true;
  const { root, errors } = parseJsonFile(record.document, '');
  // Unreadable, or no statements to look at: report it rather than guess.
  if (!root || errors.length || !isMap(root) || !getEntryCI(root, 'Statement')) return true;
  const probe: Role = { type: 'Role', loc: root.loc, origin: { format: 'aws', file: '' } };
  return federatesGitHub(readTrustPolicy(root, probe, []));
}

function federatesGitHub(tp: TrustPolicy): boolean {
  return tp.statements.some((st) => githubIssuerOfStatement(st) !== undefined || st.conditions.some((c) => parseConditionKey(c.key.value)?.github !== undefined));
}

async function readProviders(client: Pick<IAMClient, 'send'>, data: AwsAccountData, concurrency: number, progress: (p: AwsProgress) => void, profile?: string): Promise<void> {
  const { ListOpenIDConnectProvidersCommand, GetOpenIDConnectProviderCommand } = await importLazily<IamSdk>('@aws-sdk/client-iam');
  let arns: string[];
  try {
    const out = await client.send(new ListOpenIDConnectProvidersCommand({}));
    arns = (out.OpenIDConnectProviderList ?? []).map((p) => p.Arn).filter((a): a is string => !!a);
  } catch (e) {
    const failure = classify(e);
    if (failure.kind === 'fatal') throw fatal(failure, 'ListOpenIDConnectProviders', profile);
    data.incomplete.push({ operation: 'ListOpenIDConnectProviders', permission: 'iam:ListOpenIDConnectProviders', code: failure.code, message: failure.message });
    return;
  }
  for (const arn of arns) noteAccount(data, arn);
  // Only GitHub issuers matter here; the ARN names the issuer (…:oidc-provider/<issuer>).
  const github = arns.filter((arn) => githubIssuerOfPrincipal(arn) !== undefined);
  let done = 0;
  progress({ phase: 'providers', done, total: github.length, kept: data.roles.length });
  await mapLimit(github, concurrency, async (arn) => {
    try {
      const out = await client.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
      data.providers.push({ arn, url: normaliseIssuerUrl(out.Url ?? arn.replace(/^arn:[^:]*:iam::[^:]*:oidc-provider\//, '')), clientIds: out.ClientIDList ?? [], thumbprints: out.ThumbprintList ?? [] });
    } catch (e) {
      const failure = classify(e);
      if (failure.kind === 'fatal') throw fatal(failure, 'GetOpenIDConnectProvider', profile);
      // Deleted between the list and the get: nothing to check.
      if (failure.code !== 'NoSuchEntity')
        data.incomplete.push({ operation: 'GetOpenIDConnectProvider', permission: 'iam:GetOpenIDConnectProvider', code: failure.code, message: failure.message, resource: arn });
    }
    progress({ phase: 'providers', done: ++done, total: github.length, kept: data.roles.length });
  });
}

/** `token.actions.githubusercontent.com` and `https://token.actions.githubusercontent.com/` → `https://token.actions.githubusercontent.com`. */
export function normaliseIssuerUrl(url: string): string {
  const bare = url.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  return `https://${bare}`;
}

/** `arn:aws:iam::123456789012:role/x` → partition and account. */
export function parseIamArn(arn: string): { partition: string; accountId: string; resource: string } | undefined {
  const m = /^arn:([^:]+):iam::(\d{12}):(.+)$/.exec(arn);
  return m ? { partition: m[1], accountId: m[2], resource: m[3] } : undefined;
}

function noteAccount(data: AwsAccountData, arn: string | undefined): void {
  if (data.accountId || !arn) return;
  const p = parseIamArn(arn);
  if (p) {
    data.partition = p.partition;
    data.accountId = p.accountId;
  }
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

// ---------------------------------------------------------------------------------------------
// Errors

interface Failure {
  kind: 'denied' | 'fatal' | 'other';
  code: string;
  message: string;
  /** For fatal failures: why (credentials, network). */
  reason?: 'credentials' | 'network' | 'service';
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function classify(e: unknown): Failure {
  const err = e as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const code = err?.name && err.name !== 'Error' ? err.name : (err?.code ?? 'Error');
  const message = oneLine(err?.message ?? String(e));
  if (code === 'CredentialsProviderError' || code === 'TokenProviderError' || BAD_CREDENTIALS.has(code)) return { kind: 'fatal', reason: 'credentials', code, message };
  if (NETWORK_CODES.has(code) || (err?.code && NETWORK_CODES.has(err.code))) return { kind: 'fatal', reason: 'network', code: err.code ?? code, message };
  if (ACCESS_DENIED.has(code)) return { kind: 'denied', code, message };
  // No HTTP status: the request never got an answer (configuration, region, an SDK error).
  if (!err?.$metadata?.httpStatusCode) return { kind: 'fatal', reason: 'service', code, message };
  return { kind: 'other', code, message };
}

function fatal(f: Failure, operation: string, profile?: string): AwsFatalError {
  switch (f.reason) {
    case 'credentials':
      if (f.code === 'CredentialsProviderError' || f.code === 'TokenProviderError')
        return new AwsFatalError(
          profile
            ? `no usable AWS credentials for profile "${profile}" (${f.message}); check the profile in ~/.aws/config, or run "aws sso login --profile ${profile}"`
            : `no usable AWS credentials (${f.message}); set AWS_PROFILE or --aws-profile, run "aws sso login", or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
        );
      return new AwsFatalError(`AWS rejected the credentials (${f.code}: ${f.message}); refresh them (e.g. "aws sso login") and retry`);
    case 'network': {
      const where = process.env.AWS_ENDPOINT_URL_IAM ?? process.env.AWS_ENDPOINT_URL ?? 'the IAM endpoint';
      return new AwsFatalError(`cannot reach ${where} (${f.code}): ${f.message}`);
    }
    default:
      return new AwsFatalError(`iam:${operation} failed (${f.code}: ${f.message})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Model

/** What AWS adds to a project. */
export interface AwsModel {
  roles: Role[];
  providers: OidcProvider[];
  errors: LoadError[];
  /** The snapshot file, when the model came from one. */
  sources?: SourceFile[];
}

export function roleLogical(arn: string, name?: string): LogicalLocation {
  const l: LogicalLocation = { kind: 'aws-iam-role', fullyQualifiedName: arn };
  if (name) l.name = name;
  return l;
}

export function accountLogical(data: Pick<AwsAccountData, 'partition' | 'accountId'>): LogicalLocation {
  return data.accountId
    ? { kind: 'aws-account', fullyQualifiedName: `arn:${data.partition ?? 'aws'}:iam::${data.accountId}:root`, name: data.accountId }
    : { kind: 'aws-account', fullyQualifiedName: 'aws-account' };
}

/** Gives every location in a document tree the logical location; optionally rebases symbolic paths (`roles[3].trustPolicy.Statement[0]` → `Statement[0]`). */
export function attachLogical(node: DocNode, logical: LogicalLocation, stripPrefix?: string): void {
  const fix = (loc: SourceLocation) => {
    loc.logical = logical;
    if (stripPrefix !== undefined && loc.path !== undefined) loc.path = loc.path === stripPrefix ? '' : loc.path.startsWith(stripPrefix + '.') ? loc.path.slice(stripPrefix.length + 1) : loc.path.startsWith(stripPrefix + '[') ? loc.path.slice(stripPrefix.length) : loc.path;
  };
  const walk = (n: DocNode) => {
    fix(n.loc);
    if (n.kind === 'map')
      for (const e of n.entries) {
        fix(e.key.loc);
        walk(e.value);
      }
    else if (n.kind === 'seq') n.items.forEach(walk);
  };
  walk(node);
}

export interface RoleParts {
  arn: Value<string>;
  name: Value<string>;
  loc: SourceLocation;
  origin: Role['origin'];
  /** The policy document tree (positions and logical locations already set), if it parsed. */
  root?: DocNode;
}

/** Builds a Role from its parts; policy problems become load errors at the role's logical location. */
export function buildRole(parts: RoleParts, errors: LoadError[]): Role {
  const role: Role = { type: 'Role', loc: parts.loc, origin: parts.origin, name: parts.name, arn: parts.arn };
  if (parts.root) {
    const problems: PolicyProblem[] = [];
    role.trustPolicy = readTrustPolicy(parts.root, role, problems);
    for (const p of problems) errors.push({ type: 'LoadError', kind: 'structure', loc: p.loc, message: `trust policy of ${parts.arn.value}: ${p.message}` });
  }
  return role;
}

/** Turns a live fetch into model nodes: `file: ''`, positions relative to each decoded document. */
export function awsModel(data: AwsAccountData): AwsModel {
  const model: AwsModel = { roles: [], providers: [], errors: [] };
  for (const r of data.roles) {
    const logical = roleLogical(r.arn, r.name);
    const at = (path: string, line = 1, column = 1): SourceLocation => ({ file: '', start: { line, column }, end: { line, column }, path, logical });
    const origin = { format: 'aws' as const, file: '', logicalId: r.arn };
    const parts: RoleParts = {
      arn: { value: r.arn, raw: r.arn, loc: at('Arn'), resolution: 'literal' },
      name: { value: r.name, raw: r.name, loc: at('RoleName'), resolution: 'literal' },
      loc: at(''),
      origin,
    };
    if (r.document === undefined) {
      model.errors.push({ type: 'LoadError', kind: 'syntax', loc: at('AssumeRolePolicyDocument'), message: `the trust policy of ${r.arn} is not valid URL-encoding (IAM returns it RFC 3986-encoded)` });
    } else {
      const { root, errors } = parseJsonFile(r.document, '');
      for (const e of errors) {
        // Duplicate keys keep their symbolic path; a syntax error has none (the document as a whole).
        e.loc = { ...plainLocation(e.loc), logical, path: e.loc.path ?? '' };
        e.message = `trust policy of ${r.arn}: ${e.message}`;
        model.errors.push(e);
      }
      if (root) {
        attachLogical(root, logical);
        parts.root = root;
        parts.loc = { ...plainLocation(root.loc), path: '' };
      }
    }
    model.roles.push(buildRole(parts, model.errors));
  }
  for (const p of data.providers) {
    const logical: LogicalLocation = { kind: 'aws-oidc-provider', fullyQualifiedName: p.arn };
    const at = (path: string): SourceLocation => ({ file: '', start: { line: 1, column: 1 }, end: { line: 1, column: 1 }, path, logical });
    const v = (value: string, path: string): Value<string> => ({ value, raw: value, loc: at(path), resolution: 'literal' });
    model.providers.push({
      type: 'OidcProvider',
      loc: at(''),
      origin: { format: 'aws', file: '', logicalId: p.arn },
      arn: v(p.arn, 'Arn'),
      url: v(p.url, 'Url'),
      clientIds: p.clientIds.map((c, i) => v(c, `ClientIDList[${i}]`)),
      thumbprints: p.thumbprints.map((t, i) => v(t, `ThumbprintList[${i}]`)),
    });
  }
  model.errors.push(...incompleteErrors(data, () => ({ file: '', start: { line: 1, column: 1 }, end: { line: 1, column: 1 } })));
  return model;
}

/** One load error per part of the account that could not be read (reported by parse-error). */
export function incompleteErrors(data: AwsAccountData, locOf: (index: number) => Omit<SourceLocation, 'logical'>): LoadError[] {
  return data.incomplete.map((inc, i) => ({
    type: 'LoadError',
    kind: 'io',
    loc: {
      ...locOf(i),
      path: `incomplete:${inc.operation}${inc.resource ? `:${inc.resource}` : ''}`,
      logical: inc.resource ? { kind: 'aws-oidc-provider', fullyQualifiedName: inc.resource } : accountLogical(data),
    },
    message: describeIncomplete(inc),
  }));
}

/** `iam:ListOpenIDConnectProviders was denied (AccessDenied), so the account's OIDC providers were not checked; grant iam:ListOpenIDConnectProviders`. */
export function describeIncomplete(inc: AwsIncomplete): string {
  const what: Record<string, string> = {
    ListRoles: 'the account\'s roles were not (all) checked',
    ListOpenIDConnectProviders: 'the account\'s OIDC providers were not checked',
    GetOpenIDConnectProvider: `OIDC provider ${inc.resource ?? ''} was not checked`,
  };
  const missing = (Object.hasOwn(what, inc.operation) ? what[inc.operation] : undefined) ?? `${inc.operation} was not completed`;
  const verb = ACCESS_DENIED.has(inc.code) ? 'was denied' : 'failed';
  const fix = ACCESS_DENIED.has(inc.code) ? `; grant ${inc.permission}` : '';
  return `${inc.permission} ${verb} (${inc.code}), so ${missing}${fix}`;
}

/** Adds AWS roles, providers and errors to a loaded project and recomputes the job ↔ role links. */
export function addAwsToProject(project: Project, model: AwsModel): void {
  project.roles.push(...model.roles);
  project.providers.push(...model.providers);
  project.loadErrors.push(...model.errors);
  project.sources.push(...(model.sources ?? []));
  project.links = linkProject(project);
}
