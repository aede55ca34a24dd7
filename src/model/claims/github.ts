/**
 * The GitHub side of the claims model, independent of any cloud: the token issuers (domain.md
 * §A.1), the catalogue of claims and which of them AWS evaluates (§A.5, §C.2), subject formats
 * (default, immutable, customised templates) and the token GitHub mints for a job
 * (`mintToken`, `buildSubject`; §A.3, §A.4).
 */
import { type ClaimText, concatText, knownText, piecesOf } from './values.js';

export const GITHUB_ISSUER_HOST = 'token.actions.githubusercontent.com';

export const LEGACY_GITHUB_ISSUER_HOST = 'vstoken.actions.githubusercontent.com';

export const DEFAULT_AUDIENCES = ['sts.amazonaws.com'];

/** What kind of GitHub token issuer a provider URL / ARN / condition-key prefix names. */
export interface GitHubIssuer {
  /** The issuer without scheme, as used in condition keys: `token.actions.githubusercontent.com[/slug]`. */
  host: string;
  kind: 'github' | 'enterprise' | 'ghe-com' | 'ghes' | 'legacy';
  /** Enterprise slug for `token.actions.githubusercontent.com/<slug>` issuers. */
  slug?: string;
}

export function classifyIssuer(host: string): GitHubIssuer | undefined {
  const lower = host.toLowerCase();
  if (lower === GITHUB_ISSUER_HOST) return { host, kind: 'github' };
  if (lower === LEGACY_GITHUB_ISSUER_HOST) return { host, kind: 'legacy' };
  let m = /^token\.actions\.githubusercontent\.com\/([A-Za-z0-9_.-]+)$/i.exec(host);
  if (m) return { host, kind: 'enterprise', slug: m[1] };
  m = /^token\.actions\.[a-z0-9-]+\.ghe\.com(?:\/([A-Za-z0-9_.-]+))?$/i.exec(host);
  if (m) return { host, kind: 'ghe-com', slug: m[1] };
  if (/^[a-z0-9.-]+(?::\d+)?\/_services\/token$/i.test(host)) return { host, kind: 'ghes' };
  return undefined;
}

/** Recognises a GitHub issuer given as a URL (`https://…`) or without scheme (provider path). */
export function parseGitHubIssuer(text: string): GitHubIssuer | undefined {
  return classifyIssuer(text.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, ''));
}

/** Normalised issuer for comparisons: no scheme, no trailing slash, lower case. */
export function normalizeIssuer(text: string): string {
  return text.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '').toLowerCase();
}

export function sameIssuer(a: string, b: string): boolean {
  return normalizeIssuer(a) === normalizeIssuer(b);
}

export type ClaimPresence = 'always' | 'optional' | 'never';

/**
 * Whether AWS STS exposes a GitHub claim as a condition key:
 * - `evaluated`: `sub`, `aud` (always), and the GitHub keys AWS added in 2026 (domain.md §C.2,
 *   [AWS-STS-2026] via a copy of AWS's table);
 * - `unconfirmed`: named by one secondary source only — the evaluator answers 'unknown';
 * - `not-evaluated`: a real GitHub claim AWS does not expose: the key is absent from the request.
 */
export type AwsEvaluation = 'evaluated' | 'unconfirmed' | 'not-evaluated';

export interface ClaimInfo {
  presence: ClaimPresence;
  aws: AwsEvaluation;
}

/**
 * THE allow-list (domain.md §A.5 for the claims, §C.2 for what AWS evaluates). Extend it here when
 * AWS documents more keys; `EvaluationOptions.evaluatedClaims` extends it per run.
 */
export const GITHUB_CLAIMS: Readonly<Record<string, ClaimInfo>> = {
  sub: { presence: 'always', aws: 'evaluated' },
  aud: { presence: 'always', aws: 'evaluated' },
  // Standard OIDC keys AWS knows; GitHub tokens do not carry them.
  amr: { presence: 'never', aws: 'evaluated' },
  azp: { presence: 'never', aws: 'evaluated' },
  // GitHub-specific keys AWS STS evaluates since 2026 (trust-time only).
  actor: { presence: 'always', aws: 'evaluated' },
  actor_id: { presence: 'always', aws: 'evaluated' },
  job_workflow_ref: { presence: 'always', aws: 'evaluated' },
  repository: { presence: 'always', aws: 'evaluated' },
  repository_id: { presence: 'always', aws: 'evaluated' },
  workflow: { presence: 'always', aws: 'evaluated' },
  ref: { presence: 'always', aws: 'evaluated' },
  environment: { presence: 'optional', aws: 'evaluated' },
  enterprise_id: { presence: 'optional', aws: 'evaluated' },
  // Named by a single secondary source ([TRUSTFIX]).
  repository_owner_id: { presence: 'always', aws: 'unconfirmed' },
  runner_environment: { presence: 'always', aws: 'unconfirmed' },
  // In the token, not exposed by AWS.
  iss: { presence: 'always', aws: 'not-evaluated' },
  exp: { presence: 'always', aws: 'not-evaluated' },
  iat: { presence: 'always', aws: 'not-evaluated' },
  nbf: { presence: 'always', aws: 'not-evaluated' },
  jti: { presence: 'always', aws: 'not-evaluated' },
  base_ref: { presence: 'always', aws: 'not-evaluated' },
  head_ref: { presence: 'always', aws: 'not-evaluated' },
  check_run_id: { presence: 'optional', aws: 'not-evaluated' },
  enterprise: { presence: 'optional', aws: 'not-evaluated' },
  event_name: { presence: 'always', aws: 'not-evaluated' },
  job_workflow_sha: { presence: 'always', aws: 'not-evaluated' },
  ref_protected: { presence: 'always', aws: 'not-evaluated' },
  ref_type: { presence: 'always', aws: 'not-evaluated' },
  repository_owner: { presence: 'always', aws: 'not-evaluated' },
  repository_visibility: { presence: 'always', aws: 'not-evaluated' },
  run_attempt: { presence: 'always', aws: 'not-evaluated' },
  run_id: { presence: 'always', aws: 'not-evaluated' },
  run_number: { presence: 'always', aws: 'not-evaluated' },
  sha: { presence: 'always', aws: 'not-evaluated' },
  workflow_ref: { presence: 'always', aws: 'not-evaluated' },
  workflow_sha: { presence: 'always', aws: 'not-evaluated' },
};

/** Catalogue entry of a claim (any case), including `repo_property_<name>` custom properties. */
export function claimInfo(claim: string): ClaimInfo | undefined {
  const c = claim.toLowerCase();
  if (Object.prototype.hasOwnProperty.call(GITHUB_CLAIMS, c)) return GITHUB_CLAIMS[c];
  if (/^repo_property_[a-z0-9_]+$/.test(c)) return { presence: 'optional', aws: 'not-evaluated' };
  return undefined;
}

/** How AWS treats a condition key for this claim; `unknown-claim` when GitHub tokens have no such claim. */
export function awsEvaluation(claim: string, extraEvaluated: readonly string[] = []): AwsEvaluation | 'unknown-claim' {
  const c = claim.toLowerCase();
  if (extraEvaluated.some((e) => e.toLowerCase() === c)) return 'evaluated';
  return claimInfo(c)?.aws ?? 'unknown-claim';
}

/** Closest known claim name (edit distance ≤ 2), for "did you mean" messages. */
export function suggestClaim(claim: string): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  const lower = claim.toLowerCase();
  for (const k of Object.keys(GITHUB_CLAIMS)) {
    // The distance is at least the difference in length: an 8 MB key was compared in full, 48 s.
    if (Math.abs(lower.length - k.length) >= bestD) continue;
    const d = editDistance(lower, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** Claims that narrow which workflow runs may use a role (a `sub` restriction or equivalent). */
export const SUBJECT_CLAIMS = new Set(['sub', 'job_workflow_ref']);

// ---- tokens: facts → subject → token ---------------------------------------------------------

export interface SubjectContext {
  kind: 'ref' | 'environment' | 'pull_request' | 'other';
  /** `refs/heads/main`, the environment name (unescaped), or the raw text for `other`. */
  value: string;
}

export interface ParsedSubject {
  owner: string;
  ownerId?: string;
  repo: string;
  repoId?: string;
  immutable: boolean;
  context: SubjectContext;
}

/** `%3A` in metadata values stands for `:` (domain.md §A.3). */
export function unescapeClaimValue(v: string): string {
  return v.replace(/%3A/gi, ':');
}

export function escapeClaimValue(v: string): string {
  return v.replace(/:/g, '%3A');
}

function escapeText(t: ClaimText): ClaimText {
  const pieces = piecesOf(t);
  return concatText(...pieces.map((p) => (p === null ? { value: '', resolution: 'unresolved' as const } : escapeClaimValue(p))));
}

/** Parses a default-template subject (legacy or immutable). Returns undefined for custom templates. */
export function parseSubject(sub: string): ParsedSubject | undefined {
  const m = /^repo:([^/@:]+)(?:@(\d+))?\/([^/@:]+)(?:@(\d+))?:(.*)$/.exec(sub);
  if (!m) return undefined;
  const [, owner, ownerId, repo, repoId, ctx] = m;
  let context: SubjectContext;
  if (ctx === 'pull_request') context = { kind: 'pull_request', value: '' };
  else if (ctx.startsWith('environment:')) context = { kind: 'environment', value: unescapeClaimValue(ctx.slice(12)) };
  else if (ctx.startsWith('ref:')) context = { kind: 'ref', value: unescapeClaimValue(ctx.slice(4)) };
  else context = { kind: 'other', value: ctx };
  return { owner, ownerId, repo, repoId, immutable: ownerId !== undefined || repoId !== undefined, context };
}

/** Formats a default-template subject; immutable when both ids are given. */
export function formatSubject(s: Omit<ParsedSubject, 'immutable'> & { immutable?: boolean }): string {
  const immutable = s.immutable ?? (s.ownerId !== undefined && s.repoId !== undefined);
  const owner = immutable && s.ownerId ? `${s.owner}@${s.ownerId}` : s.owner;
  const repo = immutable && s.repoId ? `${s.repo}@${s.repoId}` : s.repo;
  return `repo:${owner}/${repo}:${formatContext(s.context)}`;
}

export function formatContext(c: SubjectContext): string {
  switch (c.kind) {
    case 'pull_request':
      return 'pull_request';
    case 'environment':
      return `environment:${escapeClaimValue(c.value)}`;
    case 'ref':
      return `ref:${escapeClaimValue(c.value)}`;
    default:
      return c.value;
  }
}

/** A customised subject template: the `include_claim_keys` list, in order. `undefined` = GitHub's default. */
export type SubjectTemplate = readonly string[];

export const DEFAULT_TEMPLATE: SubjectTemplate = ['repo', 'context'];

export function isDefaultTemplate(t: SubjectTemplate | undefined): boolean {
  return !t || (t.length === 2 && t[0] === 'repo' && t[1] === 'context');
}

/**
 * Everything the cross-check knows about one job run, from which GitHub's token follows. Texts may
 * be partly unknown (`ClaimText` with parts); unknown pieces make answers 'unknown', never guesses.
 */
export interface TokenFacts {
  /** Issuer (host form or URL); default `token.actions.githubusercontent.com`. */
  issuer?: string;
  owner: ClaimText;
  repo: ClaimText;
  ownerId?: ClaimText;
  repoId?: ClaimText;
  /** The repository uses immutable subjects (`OWNER@ID/REPO@ID`, domain.md §A.3). */
  immutable?: boolean;
  /** `jobs.<id>.environment` name (raw, unescaped). */
  environment?: ClaimText;
  /** The triggering event (`push`, `pull_request`, …). */
  eventName?: string;
  /** The git ref of the run (`refs/heads/main`), i.e. GITHUB_REF as the token's `ref` claim. */
  ref?: ClaimText;
  /** `include_claim_keys` in force for the repository; undefined = GitHub's default. */
  template?: SubjectTemplate;
  /** Requested audience; default `sts.amazonaws.com`. */
  audience?: ClaimText;
  /** Other claims (`job_workflow_ref`, `workflow`, `actor`, `actor_id`, `enterprise_id`, …); override derived ones. */
  claims?: Record<string, ClaimText | undefined>;
}

/**
 * The default-subject context (domain.md §A.3): environment > pull_request > ref. `pull_request`
 * only for the `pull_request` event (other PR-ish events are UNCONFIRMED and use their ref).
 */
export function subjectContextOf(facts: Pick<TokenFacts, 'environment' | 'eventName' | 'ref'>): ClaimText | undefined {
  if (facts.environment !== undefined) return concatText('environment:', escapeText(facts.environment));
  if (facts.eventName === 'pull_request') return 'pull_request';
  if (facts.ref !== undefined) return concatText('ref:', escapeText(facts.ref));
  return undefined;
}

function repoSegment(facts: TokenFacts): ClaimText {
  if (facts.immutable) {
    const unknown = { value: '', resolution: 'unresolved' as const };
    return concatText(facts.owner, '@', facts.ownerId ?? unknown, '/', facts.repo, '@', facts.repoId ?? unknown);
  }
  return concatText(facts.owner, '/', facts.repo);
}

/** The value of one claim of the token GitHub would mint from these facts; undefined = not in the token. */
export function claimOfFacts(facts: TokenFacts, claim: string): ClaimText | undefined {
  const c = claim.toLowerCase();
  if (facts.claims && Object.prototype.hasOwnProperty.call(facts.claims, c)) return facts.claims[c];
  switch (c) {
    case 'sub':
      return buildSubject(facts);
    case 'aud':
      return facts.audience ?? DEFAULT_AUDIENCES[0];
    case 'repository':
      return concatText(facts.owner, '/', facts.repo);
    case 'repository_owner':
      return facts.owner;
    case 'repository_id':
      return facts.repoId;
    case 'repository_owner_id':
      return facts.ownerId;
    case 'environment':
      return facts.environment;
    case 'ref':
      return facts.ref;
    case 'event_name':
      return facts.eventName;
    case 'ref_type': {
      const ref = facts.ref !== undefined ? knownText(facts.ref) : undefined;
      if (ref?.startsWith('refs/heads/')) return 'branch';
      if (ref?.startsWith('refs/tags/')) return 'tag';
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The `sub` GitHub mints from these facts (domain.md §A.3, §A.4): the default template
 * `repo:OWNER/REPO:<context>` (immutable `repo:OWNER@ID/REPO@ID:<context>`), or a customised
 * template rendered as `key:value` pairs joined with `:` in `include_claim_keys` order, where
 * `repo` renders `repo:OWNER/REPO` (with ids when immutable) and `context` the default context.
 * Values have `:` escaped as `%3A`. Undefined when a template claim is missing (a template with
 * `environment` for a job without one: GitHub refuses to mint the token) or the context is unknown.
 */
export function buildSubject(facts: TokenFacts, template: SubjectTemplate | undefined = facts.template): ClaimText | undefined {
  const keys = template && template.length ? template : DEFAULT_TEMPLATE;
  const segs: ClaimText[] = [];
  for (const key of keys) {
    if (key === 'repo') segs.push(concatText('repo:', repoSegment(facts)));
    else if (key === 'context') {
      const ctx = subjectContextOf(facts);
      if (ctx === undefined) return undefined;
      segs.push(ctx);
    } else {
      const v = claimOfFacts({ ...facts, template: undefined }, key);
      if (v === undefined) {
        // A claim GitHub always sends that the facts do not tell is unknown; a missing optional one
        // (environment) means GitHub refuses to mint the token.
        if (claimInfo(key)?.presence !== 'always') return undefined;
        segs.push(concatText(`${key}:`, { value: '', resolution: 'unresolved' }));
      } else segs.push(concatText(`${key}:`, escapeText(v)));
    }
  }
  const joined: ClaimText[] = [];
  segs.forEach((s, i) => {
    if (i) joined.push(':');
    joined.push(s);
  });
  return concatText(...joined);
}

/** A token as AWS sees it in AssumeRoleWithWebIdentity. */
export interface TokenClaims {
  /** Issuer without scheme (`token.actions.githubusercontent.com`, `…/<slug>`, `HOST/_services/token`); URLs accepted. */
  issuer: string;
  sub: ClaimText;
  aud: ClaimText;
  /**
   * Other claims by name. A claim GitHub always sends (`actor`, `ref`, …) that is missing here is
   * unknown; an optional one (`environment`, `enterprise_id`) that is missing is absent.
   */
  claims?: Record<string, ClaimText | undefined>;
  /** Request-context keys that are not token claims (`aws:SourceIp`, …), by key in any case; missing → unknown. */
  context?: Record<string, ClaimText>;
  /** Account id of the OIDC provider the token is presented to, when known (checked against principal ARNs). */
  providerAccount?: string;
}

const MINTED_CLAIMS = ['repository', 'repository_owner', 'repository_id', 'repository_owner_id', 'environment', 'ref', 'event_name', 'ref_type'];

/** The token GitHub would mint for these facts. `sub` is undefined-free: a missing template claim leaves it unknown. */
export function mintToken(facts: TokenFacts): TokenClaims {
  // Claim names come from callers: no prototype for a `__proto__` claim to land on.
  const claims: Record<string, ClaimText | undefined> = Object.create(null);
  for (const c of MINTED_CLAIMS) {
    const v = claimOfFacts(facts, c);
    if (v !== undefined) claims[c] = v;
  }
  for (const [k, v] of Object.entries(facts.claims ?? {})) if (v !== undefined) claims[k.toLowerCase()] = v;
  return {
    issuer: facts.issuer ?? GITHUB_ISSUER_HOST,
    sub: buildSubject(facts) ?? { value: '', resolution: 'unresolved' },
    aud: facts.audience ?? DEFAULT_AUDIENCES[0],
    claims,
  };
}

/** The audience a GitHub owner URL would be (`https://github.com/<org>`): the classic wrong guide value. */
export function isGitHubOwnerAudience(aud: string): boolean {
  // github.com, GHE.com and GHES owner URLs: https://HOST/OWNER
  return /^https:\/\/[^/\s]+\/[^/\s]+\/?$/i.test(aud) && !/amazonaws\.com/i.test(aud);
}
