/**
 * The ONE place that understands GitHub OIDC claims (`sub`, `aud`, issuers) and IAM string
 * conditions on them. Rules and loaders call these helpers; nobody else writes a regex on `sub`.
 *
 * References: ../shared/docs/domain.md §A (claims), §C.2 (condition keys), §C.5 (IAM semantics).
 */
import type { Condition, Statement } from './iam.js';
import type { ValuePart } from './location.js';

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

/** Recognises a GitHub issuer written without scheme (condition-key prefix or provider path). */
export function parseGitHubIssuer(text: string): GitHubIssuer | undefined {
  const host = text.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
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

/**
 * Recognises a federated principal naming a GitHub OIDC provider:
 * `arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com` (any partition,
 * any account, unresolved account placeholders allowed), or the bare issuer host.
 */
export function githubIssuerOfPrincipal(principal: string): GitHubIssuer | undefined {
  // Partition and account may be unresolved placeholders, which can contain colons (`${AWS::AccountId}`).
  const m = /^arn:(?:\$\{[^}]*\}|[^:])*:iam::(?:\$\{[^}]*\}|[^:])*:oidc-provider\/(.+)$/i.exec(principal.trim());
  if (m) return parseGitHubIssuer(m[1]);
  return parseGitHubIssuer(principal.trim());
}

export interface ConditionKey {
  /** Text before the claim (`token.actions.githubusercontent.com`), or undefined for global keys (`aws:SourceIp`). */
  issuer: string;
  /** The claim name, lower-cased (condition key names are case-insensitive). */
  claim: string;
  github?: GitHubIssuer;
}

/** Splits `token.actions.githubusercontent.com:sub` into issuer and claim. */
export function parseConditionKey(key: string): ConditionKey | undefined {
  const i = key.lastIndexOf(':');
  if (i <= 0 || i === key.length - 1) return undefined;
  const issuer = key.slice(0, i);
  const claim = key.slice(i + 1).toLowerCase();
  return { issuer, claim, github: parseGitHubIssuer(issuer) };
}

/** Claims that narrow which workflow runs may use a role (a `sub` restriction or equivalent). */
export const SUBJECT_CLAIMS = new Set(['sub', 'job_workflow_ref']);

export const POSITIVE_STRING_OPERATORS = new Set(['StringEquals', 'StringLike', 'StringEqualsIgnoreCase']);
export const NEGATED_STRING_OPERATORS = new Set(['StringNotEquals', 'StringNotLike', 'StringNotEqualsIgnoreCase']);

/** Normalises an operator's spelling (IAM operator names are case-insensitive in practice). */
export function canonicalOperator(op: string): string {
  const all = [...POSITIVE_STRING_OPERATORS, ...NEGATED_STRING_OPERATORS, 'Null', 'Bool', 'ArnLike', 'ArnEquals', 'ArnNotLike', 'ArnNotEquals'];
  return all.find((o) => o.toLowerCase() === op.toLowerCase()) ?? op;
}

// ---------------------------------------------------------------------------------------------
// IAM string matching

type GlobToken = { kind: 'lit'; text: string } | { kind: 'star' } | { kind: 'one' } | { kind: 'var'; name: string };

/**
 * Tokenises a StringLike pattern: `*` any run (including empty, crossing `:` and `/`), `?` one
 * character, `${*}` `${?}` `${$}` literal characters, other `${…}` policy variables (unknown here).
 */
export function tokenizeLike(pattern: string): GlobToken[] {
  const out: GlobToken[] = [];
  let lit = '';
  const flush = () => {
    if (lit) out.push({ kind: 'lit', text: lit });
    lit = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '$' && pattern[i + 1] === '{') {
      const end = pattern.indexOf('}', i + 2);
      if (end > 0) {
        const name = pattern.slice(i + 2, end);
        if (name === '*' || name === '?' || name === '$') lit += name;
        else {
          flush();
          out.push({ kind: 'var', name });
        }
        i = end;
        continue;
      }
    }
    if (c === '*') {
      flush();
      out.push({ kind: 'star' });
    } else if (c === '?') {
      flush();
      out.push({ kind: 'one' });
    } else lit += c;
  }
  flush();
  return out;
}

/** IAM `StringLike` (case-sensitive). Policy variables match anything (they are unknown statically). */
export function stringLike(pattern: string, value: string): boolean {
  const toks = tokenizeLike(pattern);
  // Iterative glob matching with backtracking on the last star: linear-ish, no regex blow-up.
  let ti = 0;
  let vi = 0;
  let starTi = -1;
  let starVi = 0;
  let litOffset = 0;
  while (vi < value.length) {
    const t = toks[ti];
    if (t && t.kind === 'lit' && value[vi] === t.text[litOffset]) {
      vi++;
      litOffset++;
      if (litOffset === t.text.length) {
        ti++;
        litOffset = 0;
      }
      continue;
    }
    if (t && t.kind === 'one' && litOffset === 0) {
      vi++;
      ti++;
      continue;
    }
    if (t && (t.kind === 'star' || t.kind === 'var') && litOffset === 0) {
      starTi = ti;
      starVi = vi;
      ti++;
      continue;
    }
    if (starTi >= 0) {
      ti = starTi + 1;
      litOffset = 0;
      starVi++;
      vi = starVi;
      continue;
    }
    return false;
  }
  while (ti < toks.length && litOffset === 0 && (toks[ti].kind === 'star' || toks[ti].kind === 'var')) ti++;
  return ti === toks.length && litOffset === 0;
}

export function hasWildcard(pattern: string): boolean {
  return tokenizeLike(pattern).some((t) => t.kind !== 'lit');
}

/** Matches one condition value against one request value for a base string operator. */
export function matchStringOperator(baseOperator: string, conditionValue: string, requestValue: string): boolean | undefined {
  switch (canonicalOperator(baseOperator)) {
    case 'StringEquals':
    case 'StringNotEquals':
      return conditionValue === requestValue;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return conditionValue.toLowerCase() === requestValue.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return stringLike(conditionValue, requestValue);
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Subjects

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

/**
 * How much a `sub` pattern admits, read symbolically from the pattern:
 * - `any-owner`: a wildcard before the owner name is complete (`*`, `repo:*`, `repo:org*`): any
 *   GitHub account can create a matching repository;
 * - `any-repo`: the owner is fixed, the repository name is not (`repo:org/*`);
 * - `any-context`: owner and repository fixed, every branch, tag, environment and pull request (`repo:org/repo:*`);
 * - `partial-context`: owner and repository fixed, the context has a wildcard (`…:ref:refs/heads/release-*`);
 * - `exact`: no wildcard;
 * - `custom`: not a default-template subject (customised `include_claim_keys`), not judged here;
 * - `never`: cannot match any token (e.g. no context part).
 */
export type SubjectScope = 'any-owner' | 'any-repo' | 'any-context' | 'partial-context' | 'exact' | 'custom' | 'never';

export interface SubjectPatternInfo {
  scope: SubjectScope;
  owner?: string;
  repo?: string;
  immutable: boolean;
  /** The context part as written (pattern), when owner and repository are fixed. */
  context?: string;
}

/**
 * Classifies a `sub` condition value. `like` is true for StringLike-family operators (wildcards
 * active); for StringEquals the value is literal.
 */
export function analyzeSubjectPattern(pattern: string, like: boolean, parts?: ValuePart[]): SubjectPatternInfo {
  // Rebuild as a sequence of characters with wildcard markers.
  type Ch = string | null; // null = wildcard (star, one, or unknown variable)
  const chars: Ch[] = [];
  const pushPattern = (text: string) => {
    const toks: GlobToken[] = like ? tokenizeLike(text) : [{ kind: 'lit', text }];
    for (const t of toks) {
      if (t.kind === 'lit') for (const c of t.text) chars.push(c);
      else chars.push(null);
    }
  };
  // An unresolved piece of an IaC value (`${Org}` from a parameter without default) is one fixed
  // but unknown name, not a wildcard: it is kept as a single opaque element.
  if (parts?.some((p) => !p.known)) for (const p of parts) p.known ? pushPattern(p.text) : chars.push(p.text);
  else pushPattern(pattern);
  const prefix = 'repo:';
  let i = 0;
  for (; i < prefix.length; i++) {
    const c = chars[i];
    if (c === undefined) return { scope: 'custom', immutable: false };
    if (c === null) return { scope: 'any-owner', immutable: false };
    if (c !== prefix[i]) return { scope: 'custom', immutable: false };
  }
  const readSegment = (stops: string): { text: string; wild: boolean; stop: string | undefined } => {
    let text = '';
    let wild = false;
    while (i < chars.length) {
      const c = chars[i];
      if (c === null) {
        wild = true;
        text += '*';
        i++;
        continue;
      }
      if (c.length === 1 && stops.includes(c)) return { text, wild, stop: c };
      text += c;
      i++;
    }
    return { text, wild, stop: undefined };
  };
  const owner = readSegment('/@');
  if (owner.wild || owner.text === '') return { scope: owner.wild ? 'any-owner' : 'never', immutable: false };
  let immutable = false;
  if (owner.stop === '@') {
    immutable = true;
    i++;
    readSegment('/');
  }
  if (chars[i] !== '/') return { scope: 'never', owner: owner.text, immutable };
  i++;
  const repo = readSegment(':@');
  if (repo.wild) return { scope: 'any-repo', owner: owner.text, immutable };
  if (repo.stop === '@') {
    immutable = true;
    i++;
    readSegment(':');
  }
  if (chars[i] !== ':') return { scope: 'never', owner: owner.text, repo: repo.text, immutable };
  i++;
  const rest = chars.slice(i);
  const context = rest.map((c) => (c === null ? '*' : c)).join('');
  if (rest.length === 0) return { scope: 'never', owner: owner.text, repo: repo.text, immutable, context };
  if (rest[0] === null) return { scope: 'any-context', owner: owner.text, repo: repo.text, immutable, context };
  if (rest.includes(null)) return { scope: 'partial-context', owner: owner.text, repo: repo.text, immutable, context };
  return { scope: 'exact', owner: owner.text, repo: repo.text, immutable, context };
}

/** Whether an operator (base name, any case) applies wildcards. */
export function isLikeOperator(baseOperator: string): boolean {
  return /^String(Not)?Like$/i.test(baseOperator);
}

// ---------------------------------------------------------------------------------------------
// Audiences

/** The audience a GitHub owner URL would be (`https://github.com/<org>`): the classic wrong guide value. */
export function isGitHubOwnerAudience(aud: string): boolean {
  // github.com, GHE.com and GHES owner URLs: https://HOST/OWNER
  return /^https:\/\/[^/\s]+\/[^/\s]+\/?$/i.test(aud) && !/amazonaws\.com/i.test(aud);
}

// ---------------------------------------------------------------------------------------------
// Actions

/** IAM action matching (case-insensitive, `*` and `?` wildcards). */
export function actionMatches(pattern: string, action: string): boolean {
  return stringLike(pattern.toLowerCase(), action.toLowerCase());
}

export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';

// ---------------------------------------------------------------------------------------------
// Statements: which ones trust a GitHub provider for web identity, and what they require.


/** The GitHub issuer a statement's Federated principal names (first one found). */
export function githubIssuerOfStatement(st: Statement): GitHubIssuer | undefined {
  for (const p of st.principals) {
    if (p.kind.toLowerCase() !== 'federated') continue;
    const iss = githubIssuerOfPrincipal(p.value.value);
    if (iss) return iss;
  }
  return undefined;
}

/** Whether the statement's actions cover sts:AssumeRoleWithWebIdentity (Action wildcards, NotAction). */
export function coversWebIdentity(st: Statement): boolean {
  if (st.actions.length) return st.actions.some((a) => actionMatches(a.value, WEB_IDENTITY_ACTION));
  if (st.notActions.length) return !st.notActions.some((a) => actionMatches(a.value, WEB_IDENTITY_ACTION));
  return false;
}

export function isAllow(st: Statement): boolean {
  return st.effect.value.toLowerCase() === 'allow';
}

/** Conditions of a statement on a given GitHub claim (any issuer prefix that is a GitHub issuer). */
export function claimConditions(st: Statement, claim: string): Condition[] {
  return st.conditions.filter((c) => {
    const k = parseConditionKey(c.key.value);
    return !!k && !!k.github && k.claim === claim;
  });
}

/**
 * Whether a condition actually restricts the claim for an Allow statement: a positive string
 * operator, not IfExists (true when the key is missing), not ForAllValues (true when the key is
 * missing), with at least one value.
 */
export function isRestrictingCondition(c: Condition): boolean {
  return POSITIVE_STRING_OPERATORS.has(canonicalOperator(c.baseOperator)) && !c.ifExists && c.qualifier !== 'ForAllValues' && c.values.length > 0;
}

export function isNegatedOperator(baseOperator: string): boolean {
  return NEGATED_STRING_OPERATORS.has(canonicalOperator(baseOperator));
}
