/**
 * AWS snapshots (`--aws-snapshot-out FILE` writes one, `--aws-snapshot FILE` lints one offline).
 *
 * A snapshot is what `--aws` fetched, as JSON, so that a team can review a production account in
 * CI without credentials and tests can replay an account. Each role's trust policy is embedded
 * as a JSON value (re-indented; tokens, key order and duplicate keys kept verbatim), not as an
 * escaped string: findings on an offline snapshot then point at the exact token inside the
 * snapshot file — a real file that GitHub code scanning can show — and still carry the role ARN
 * as their logical location. Symbolic paths are rebased onto the document (`Statement[0]…`), so
 * fingerprints are the same whether a role was linted live or from a snapshot.
 *
 *   {
 *     "oidcLintAwsSnapshot": 1,
 *     "generator": "oidc-lint 0.1.0",
 *     "fetchedAt": "2026-11-02T10:00:00.000Z",
 *     "partition": "aws", "accountId": "123456789012",
 *     "rolePathPrefix": "/github/",          // only with --aws-role-prefix
 *     "rolesListed": 2417,                   // before keeping the GitHub-federated ones
 *     "incomplete": [{ "operation", "permission", "code", "message", "resource"? }],
 *     "roles": [{ "arn", "name", "path", "trustPolicy": { … } }],   // or "trustPolicyText": "…" when it is not valid JSON
 *     "providers": [{ "arn", "url", "clientIds": [], "thumbprints": [] }]
 *   }
 */
import { parseJson, JsonSyntaxError, lastWins } from '../shared/json-ast.js';
import { parseJsonFile } from './policy-json.js';
import { getEntry, isMap, isScalar, isSeq, scalarValue, type DocMap, type DocNode, type DocScalar } from '../shared/doc.js';
import {
  attachLogical,
  buildRole,
  incompleteErrors,
  normaliseIssuerUrl,
  roleLogical,
  type AwsAccountData,
  type AwsIncomplete,
  type AwsModel,
  type AwsProviderRecord,
  type AwsRoleRecord,
  type RoleParts,
} from './aws-iam.js';
import type { LogicalLocation, SourceLocation, Value } from '../../model/location.js';
import { plainLocation } from '../../model/location.js';
import type { SourceFile } from '../../model/project.js';
import { VERSION } from '../../version.js';
import { redactSecrets } from '../../model/secrets.js';

export const SNAPSHOT_VERSION = 1;
const MARKER = 'oidcLintAwsSnapshot';

/** The snapshot cannot be used (not JSON, wrong shape, unknown version). The message starts with `file:line:column`. */
export class SnapshotError extends Error {}

// ---------------------------------------------------------------------------------------------
// Writing

export function serializeSnapshot(data: AwsAccountData): string {
  const I1 = '  ';
  const I2 = '    ';
  const I3 = '      ';
  const j = (v: unknown, indent: string) => JSON.stringify(v, null, 2).replace(/\n/g, `\n${indent}`);
  const head: [string, unknown][] = [
    [MARKER, SNAPSHOT_VERSION],
    ['generator', `oidc-lint ${VERSION}`],
    ['fetchedAt', data.fetchedAt],
    ['partition', data.partition],
    ['accountId', data.accountId],
  ];
  if (data.rolePathPrefix) head.push(['rolePathPrefix', data.rolePathPrefix]);
  // AWS's error messages are written redacted, as everything oidc-lint prints or writes.
  head.push(['rolesListed', data.rolesListed], ['incomplete', data.incomplete.map((inc) => ({ ...inc, message: redactSecrets(inc.message) }))]);
  const parts = head.map(([k, v]) => `${I1}${JSON.stringify(k)}: ${j(v, I1)}`);
  const roles = data.roles.map((r) => {
    const fields = [`${I3}"arn": ${JSON.stringify(r.arn)}`, `${I3}"name": ${JSON.stringify(r.name)}`, `${I3}"path": ${JSON.stringify(r.path)}`];
    fields.push(`${I3}${trustPolicyField(r, I3)}`);
    return `${I2}{\n${fields.join(',\n')}\n${I2}}`;
  });
  parts.push(`${I1}"roles": ${roles.length ? `[\n${roles.join(',\n')}\n${I1}]` : '[]'}`);
  parts.push(`${I1}"providers": ${j(data.providers, I1)}`);
  return `{\n${parts.join(',\n')}\n}\n`;
}

function trustPolicyField(r: AwsRoleRecord, indent: string): string {
  if (r.document === undefined) return `"trustPolicyUrlEncoded": ${JSON.stringify(r.encodedDocument ?? '')}`;
  try {
    return `"trustPolicy": ${printDoc(parseJson(r.document, '', { keepDuplicates: true }).root, indent)}`;
  } catch (e) {
    if (e instanceof JsonSyntaxError) return `"trustPolicyText": ${JSON.stringify(r.document)}`;
    throw e;
  }
}

/** Pretty-prints a parsed JSON tree with its tokens verbatim (escapes, number spelling, duplicate keys). */
function printDoc(n: DocNode, indent: string): string {
  const inner = indent + '  ';
  if (n.kind === 'scalar') return n.raw;
  if (n.kind === 'seq') return n.items.length ? `[\n${n.items.map((it) => inner + printDoc(it, inner)).join(',\n')}\n${indent}]` : '[]';
  return n.entries.length ? `{\n${n.entries.map((e) => `${inner}${e.key.raw}: ${printDoc(e.value, inner)}`).join(',\n')}\n${indent}}` : '{}';
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface LoadedSnapshot {
  data: AwsAccountData;
  model: AwsModel;
}

/**
 * Validates a snapshot and builds its model: roles and providers whose locations are inside the
 * snapshot file (`file`, relative to the scan root) and carry the ARN as logical location.
 */
export function loadSnapshot(text: string, file: string, absPath = ''): LoadedSnapshot {
  let root: DocNode;
  let duplicateKeys: { key: string; loc: SourceLocation }[];
  try {
    // Every key is kept, to print each trust policy back verbatim; the analysis reads it last-wins (lastWins below).
    ({ root, duplicateKeys } = parseJson(text, file, { keepDuplicates: true }));
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new SnapshotError(`${file}:${e.line}:${e.column}: not valid JSON: ${e.message}`);
    throw e;
  }
  const v = new Validator(file);
  const top = v.map(root, 'the snapshot');
  const marker = getEntry(top, MARKER);
  if (!marker || !isScalar(marker.value) || typeof marker.value.value !== 'number')
    throw new SnapshotError(`${file}:1:1: not an oidc-lint AWS snapshot (no "${MARKER}": ${SNAPSHOT_VERSION}); write one with --aws --aws-snapshot-out`);
  if (marker.value.value !== SNAPSHOT_VERSION) v.fail(marker.value, `snapshot version ${marker.value.raw} is not supported by this oidc-lint (expected ${SNAPSHOT_VERSION})`);
  for (const d of duplicateKeys) if (!/^roles\[\d+\]\.trustPolicy[.[]/.test(d.loc.path ?? '')) v.fail(d.loc, `duplicate key "${d.key}"`);

  const data: AwsAccountData = {
    fetchedAt: v.str(top, 'fetchedAt').value as string,
    partition: v.strOrNull(top, 'partition'),
    accountId: v.strOrNull(top, 'accountId'),
    rolesListed: v.count(top, 'rolesListed'),
    roles: [],
    providers: [],
    incomplete: [],
  };
  const prefix = v.optStr(top, 'rolePathPrefix');
  if (prefix !== undefined) data.rolePathPrefix = prefix;

  const model: AwsModel = { roles: [], providers: [], errors: [], sources: [] };
  const incompleteNodes = v.list(top, 'incomplete');
  incompleteNodes.forEach((n, i) => {
    const m = v.map(n, `incomplete[${i}]`);
    const inc: AwsIncomplete = { operation: v.text(m, 'operation'), permission: v.text(m, 'permission'), code: v.text(m, 'code'), message: v.text(m, 'message') };
    const resource = v.optStr(m, 'resource');
    if (resource !== undefined) inc.resource = resource;
    data.incomplete.push(inc);
  });

  v.list(top, 'roles').forEach((n, i) => {
    const m = v.map(n, `roles[${i}]`);
    const arnNode = v.str(m, 'arn');
    const arn = String(arnNode.value);
    if (!/^arn:[^:]+:iam::\d{12}:role\/./.test(arn)) v.fail(arnNode, `"${arn}" is not an IAM role ARN`);
    const nameNode = v.str(m, 'name');
    const record: AwsRoleRecord = { arn, name: String(nameNode.value), path: v.text(m, 'path') };
    const logical = roleLogical(arn, record.name);
    const parts: RoleParts = {
      arn: logicalValue(arnNode, logical, 'Arn'),
      name: logicalValue(nameNode, logical, 'RoleName'),
      loc: { ...plainLocation(m.loc), path: '', logical },
      origin: { format: 'aws', file, logicalId: arn },
    };
    const policyKeys = ['trustPolicy', 'trustPolicyText', 'trustPolicyUrlEncoded'].filter((k) => getEntry(m, k));
    if (policyKeys.length !== 1) v.fail(m, `roles[${i}] needs exactly one of "trustPolicy", "trustPolicyText", "trustPolicyUrlEncoded"`);
    const key = policyKeys[0];
    const node = getEntry(m, key)!.value;
    if (key === 'trustPolicy') {
      const inside = `roles[${i}].trustPolicy`;
      const dups = duplicateKeys.filter((d) => d.loc.path?.startsWith(`${inside}.`) || d.loc.path?.startsWith(`${inside}[`));
      attachLogical(node, logical, inside); // rebases the paths of these keys too
      for (const d of dups)
        model.errors.push({ type: 'LoadError', kind: 'structure', loc: d.loc, message: `trust policy of ${arn}: duplicate key "${d.key}": deploy tools and most JSON readers keep the last value, which is the one analysed; remove the duplicate` });
      parts.root = lastWins(node);
      record.document = printDoc(node, '');
    } else {
      const tok = v.str(m, key);
      const tokLoc: SourceLocation = { file, start: tok.loc.start, end: tok.loc.end, path: '', logical };
      let docText: string | undefined = String(tok.value);
      if (key === 'trustPolicyUrlEncoded') {
        record.encodedDocument = docText;
        try {
          docText = decodeURIComponent(docText);
        } catch {
          docText = undefined;
          model.errors.push({ type: 'LoadError', kind: 'syntax', loc: { ...plainLocation(tokLoc), path: 'AssumeRolePolicyDocument' }, message: `the trust policy of ${arn} is not valid URL-encoding (IAM returns it RFC 3986-encoded)` });
        }
      }
      if (docText !== undefined) {
        record.document = docText;
        delete record.encodedDocument;
        // Positions inside an escaped string do not map onto the file: everything points at the string token.
        const parsed = parseJsonFile(docText, file);
        for (const e of parsed.errors)
          model.errors.push({ ...e, loc: { ...plainLocation(tokLoc) }, message: `trust policy of ${arn}: ${e.message} (line ${e.loc.start.line}, column ${e.loc.start.column} of the document)` });
        if (parsed.root) {
          attachLogical(parsed.root, logical);
          pinTo(parsed.root, tokLoc);
          parts.root = parsed.root;
        }
      }
    }
    data.roles.push(record);
    model.roles.push(buildRole(parts, model.errors));
  });

  v.list(top, 'providers').forEach((n, i) => {
    const m = v.map(n, `providers[${i}]`);
    const arnNode = v.str(m, 'arn');
    const arn = String(arnNode.value);
    if (!/^arn:[^:]+:iam::\d{12}:oidc-provider\/./.test(arn)) v.fail(arnNode, `"${arn}" is not an IAM OIDC provider ARN`);
    const logical: LogicalLocation = { kind: 'aws-oidc-provider', fullyQualifiedName: arn };
    const urlNode = v.str(m, 'url');
    const clientIds = v.strings(m, 'clientIds');
    const thumbprints = v.strings(m, 'thumbprints');
    const record: AwsProviderRecord = { arn, url: normaliseIssuerUrl(String(urlNode.value)), clientIds: clientIds.map((c) => String(c.value)), thumbprints: thumbprints.map((t) => String(t.value)) };
    data.providers.push(record);
    const url = logicalValue(urlNode, logical, 'Url');
    url.value = record.url;
    model.providers.push({
      type: 'OidcProvider',
      loc: { ...plainLocation(m.loc), path: '', logical },
      origin: { format: 'aws', file, logicalId: arn },
      arn: logicalValue(arnNode, logical, 'Arn'),
      url,
      clientIds: clientIds.map((c, k) => logicalValue(c, logical, `ClientIDList[${k}]`)),
      thumbprints: thumbprints.map((t, k) => logicalValue(t, logical, `ThumbprintList[${k}]`)),
    });
  });

  model.errors.push(...incompleteErrors(data, (i) => ({ file, start: incompleteNodes[i].loc.start, end: incompleteNodes[i].loc.end })));
  const lines = text.split('\n');
  model.sources!.push({
    type: 'SourceFile',
    loc: { file, start: { line: 1, column: 1 }, end: { line: lines.length, column: lines[lines.length - 1].length + 1 } },
    path: file,
    absPath,
    text,
    kind: 'aws-snapshot',
  } satisfies SourceFile);
  return { data, model };
}

function logicalValue(n: DocScalar, logical: LogicalLocation, path: string): Value<string> {
  const v = scalarValue(n);
  v.loc = { ...plainLocation(v.loc), path, logical };
  return v;
}

/** Moves every location of a tree onto one span (keeping paths and logical locations). */
function pinTo(n: DocNode, span: SourceLocation): void {
  const pin = (loc: SourceLocation) => {
    loc.file = span.file;
    loc.start = span.start;
    loc.end = span.end;
  };
  pin(n.loc);
  if (n.kind === 'map')
    for (const e of n.entries) {
      pin(e.key.loc);
      pinTo(e.value, span);
    }
  else if (n.kind === 'seq') n.items.forEach((it) => pinTo(it, span));
}

/** Shape checks with positions: every failure is a SnapshotError naming file, line and column. */
class Validator {
  constructor(private readonly file: string) {}

  fail(at: { loc: SourceLocation } | SourceLocation, message: string): never {
    const loc = 'loc' in at ? at.loc : at;
    throw new SnapshotError(`${this.file}:${loc.start.line}:${loc.start.column}: ${message}`);
  }
  map(n: DocNode, what: string): DocMap {
    if (!isMap(n)) this.fail(n, `${what} must be an object`);
    return n as DocMap;
  }
  private entry(m: DocMap, key: string): DocNode {
    const e = getEntry(m, key);
    if (!e) this.fail(m, `missing "${key}"`);
    return e!.value;
  }
  str(m: DocMap, key: string): DocScalar {
    const n = this.entry(m, key);
    if (!isScalar(n) || typeof n.value !== 'string') this.fail(n, `"${key}" must be a string`);
    return n as DocScalar;
  }
  text(m: DocMap, key: string): string {
    return String(this.str(m, key).value);
  }
  optStr(m: DocMap, key: string): string | undefined {
    return getEntry(m, key) ? this.text(m, key) : undefined;
  }
  strOrNull(m: DocMap, key: string): string | null {
    const n = this.entry(m, key);
    if (isScalar(n) && n.value === null) return null;
    if (!isScalar(n) || typeof n.value !== 'string') this.fail(n, `"${key}" must be a string or null`);
    return String((n as DocScalar).value);
  }
  count(m: DocMap, key: string): number {
    const n = this.entry(m, key);
    if (!isScalar(n) || typeof n.value !== 'number' || !Number.isInteger(n.value) || n.value < 0) this.fail(n, `"${key}" must be a non-negative integer`);
    return (n as DocScalar).value as number;
  }
  list(m: DocMap, key: string): DocNode[] {
    const n = this.entry(m, key);
    if (!isSeq(n)) this.fail(n, `"${key}" must be an array`);
    return isSeq(n) ? n.items : [];
  }
  strings(m: DocMap, key: string): DocScalar[] {
    return this.list(m, key).map((n, i) => {
      if (!isScalar(n) || typeof n.value !== 'string') this.fail(n, `"${key}"[${i}] must be a string`);
      return n as DocScalar;
    });
  }
}
