/**
 * The ONE place that understands GitHub OIDC claims (`sub`, `aud`, issuers) and IAM string
 * conditions on them. Rules and loaders call these helpers; nobody else writes a regex on `sub`.
 *
 * It has four layers, each built on the previous one:
 *
 * 1. Vocabulary: issuers, condition keys, the catalogue of GitHub claims and which of them AWS
 *    evaluates (domain.md §A.1, §A.5, §C.2).
 * 2. IAM string matching: `StringLike` globs, `StringEquals`, policy variables, three-valued
 *    matching when a value is only partly known (domain.md §C.5).
 * 3. The concrete evaluator: a trust policy and one token → admitted or not, by which statement
 *    (`evaluateTrustPolicy`), with the token built from structured facts by `mintToken` /
 *    `buildSubject` (domain.md §A.3, §A.4).
 * 4. The symbolic summary: what a trust policy admits (`summarizeTrustPolicy`) — any owner, which
 *    owners, repositories and contexts — computed from the patterns with small automata, never by
 *    sampling tokens.
 *
 * Everything is three-valued where the input may be unresolved: `true`, `false`, or `'unknown'`.
 */
import { pushAll } from '../arrays.js';
import type { Condition, OidcProvider, Principal, Statement, TrustPolicy } from './iam.js';
import type { Resolution, Value, ValuePart } from './location.js';

export const GITHUB_ISSUER_HOST = 'token.actions.githubusercontent.com';
export const LEGACY_GITHUB_ISSUER_HOST = 'vstoken.actions.githubusercontent.com';
export const DEFAULT_AUDIENCES = ['sts.amazonaws.com'];
export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';

// =============================================================================================
// 1. Vocabulary: issuers, condition keys, claims
// =============================================================================================

/** What kind of GitHub token issuer a provider URL / ARN / condition-key prefix names. */
export interface GitHubIssuer {
  /** The issuer without scheme, as used in condition keys: `token.actions.githubusercontent.com[/slug]`. */
  host: string;
  kind: 'github' | 'enterprise' | 'ghe-com' | 'ghes' | 'legacy';
  /** Enterprise slug for `token.actions.githubusercontent.com/<slug>` issuers. */
  slug?: string;
}

function classifyIssuer(host: string): GitHubIssuer | undefined {
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

/** The `oidc-provider/…` part of a provider ARN, or undefined when the text is not such an ARN. */
function providerPathOfArn(text: string): string | undefined {
  // Partition and account may be unresolved placeholders, which can contain colons (`${AWS::AccountId}`).
  const m = /^arn:(?:\$\{[^}]*\}|[^:])*:iam::(?:\$\{[^}]*\}|[^:])*:oidc-provider\/(.+)$/i.exec(text.trim());
  return m ? m[1] : undefined;
}

/**
 * Recognises a federated principal naming a GitHub OIDC provider:
 * `arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com` (any partition,
 * any account, unresolved account placeholders allowed), or the bare issuer host.
 */
export function githubIssuerOfPrincipal(principal: string): GitHubIssuer | undefined {
  const path = providerPathOfArn(principal);
  return parseGitHubIssuer(path ?? principal.trim());
}

export interface ConditionKey {
  /** Text before the claim (`token.actions.githubusercontent.com`), or e.g. `aws` for global keys. */
  issuer: string;
  /** The claim name, lower-cased (condition key names are case-insensitive). */
  claim: string;
  /** Set when the prefix is exactly a GitHub issuer as AWS names keys (no scheme, no ARN). */
  github?: GitHubIssuer;
  /** The prefix carries a URL scheme (`https://token…:sub`): AWS never names keys that way. */
  hasScheme: boolean;
}

/** Splits `token.actions.githubusercontent.com:sub` into issuer and claim. */
export function parseConditionKey(key: string): ConditionKey | undefined {
  const i = key.lastIndexOf(':');
  if (i <= 0 || i === key.length - 1) return undefined;
  const issuer = key.slice(0, i);
  const claim = key.slice(i + 1).toLowerCase();
  const hasScheme = /^https?:\/\//i.test(issuer);
  return { issuer, claim, github: hasScheme ? undefined : classifyIssuer(issuer), hasScheme };
}

/** Whether a key prefix names an identity provider (has a dot or a slash) rather than a service (`aws`, `sts`). */
function isProviderPrefix(prefix: string): boolean {
  return /[./]/.test(prefix);
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

/**
 * What is wrong (if anything) with a condition key, for `no-unknown-condition-key`. `trusted` are
 * the GitHub issuers the statement's principal names (empty when it names none).
 */
export type KeyDiagnosis =
  | { kind: 'ok'; claim: string; issuer: string }
  | { kind: 'not-github' }
  | { kind: 'no-claim'; expected: string }
  | { kind: 'scheme'; expected: string }
  | { kind: 'arn-prefix'; expected: string }
  | { kind: 'legacy-issuer'; expected: string }
  | { kind: 'misspelled-issuer'; expected: string }
  | { kind: 'issuer-mismatch'; issuer: string; expected: string }
  | { kind: 'unknown-claim'; claim: string; suggestion?: string }
  | { kind: 'not-evaluated'; claim: string }
  | { kind: 'unconfirmed'; claim: string };

const GITHUB_HOST_RE = /githubusercontent|_services\/token|\.ghe\.com/i;

export function diagnoseConditionKey(key: string, trusted: readonly GitHubIssuer[], extraEvaluated: readonly string[] = []): KeyDiagnosis {
  const expectedFor = (claim: string) => `${trusted[0]?.host ?? GITHUB_ISSUER_HOST}:${claim}`;
  const k = parseConditionKey(key);
  if (!k) {
    // `token.actions.githubusercontent.com/sub`: a slash where the colon belongs.
    const m = /^(.*githubusercontent\.com.*)\/([a-z_]+)$/i.exec(key);
    if (m && claimInfo(m[2])) return { kind: 'no-claim', expected: `${m[1]}:${m[2].toLowerCase()}` };
    if (GITHUB_HOST_RE.test(key)) return { kind: 'no-claim', expected: expectedFor('sub') };
    return { kind: 'not-github' };
  }
  if (k.hasScheme) {
    const rest = k.issuer.replace(/^https?:\/\//i, '');
    if (classifyIssuer(rest)) return { kind: 'scheme', expected: `${rest}:${k.claim}` };
  }
  const arnPath = providerPathOfArn(k.issuer);
  if (arnPath !== undefined && parseGitHubIssuer(arnPath)) return { kind: 'arn-prefix', expected: `${arnPath}:${k.claim}` };
  if (!k.github) {
    if (!isProviderPrefix(k.issuer)) return { kind: 'not-github' };
    const host = normalizeIssuer(k.issuer).split('/')[0];
    const d = editDistance(host, GITHUB_ISSUER_HOST);
    if (d > 0 && d <= 4) return { kind: 'misspelled-issuer', expected: expectedFor(k.claim) };
    return { kind: 'not-github' };
  }
  if (k.github.kind === 'legacy') return { kind: 'legacy-issuer', expected: expectedFor(k.claim) };
  if (trusted.length && !trusted.some((t) => sameIssuer(t.host, k.github!.host))) {
    return { kind: 'issuer-mismatch', issuer: k.github.host, expected: expectedFor(k.claim) };
  }
  const ev = awsEvaluation(k.claim, extraEvaluated);
  if (ev === 'unknown-claim') return { kind: 'unknown-claim', claim: k.claim, suggestion: suggestClaim(k.claim) };
  if (ev === 'not-evaluated' || claimInfo(k.claim)?.presence === 'never') return { kind: 'not-evaluated', claim: k.claim };
  if (ev === 'unconfirmed') return { kind: 'unconfirmed', claim: k.claim };
  return { kind: 'ok', claim: k.claim, issuer: k.github.host };
}

/** Claims that narrow which workflow runs may use a role (a `sub` restriction or equivalent). */
export const SUBJECT_CLAIMS = new Set(['sub', 'job_workflow_ref']);

export const POSITIVE_STRING_OPERATORS = new Set(['StringEquals', 'StringLike', 'StringEqualsIgnoreCase']);
export const NEGATED_STRING_OPERATORS = new Set(['StringNotEquals', 'StringNotLike', 'StringNotEqualsIgnoreCase']);
const OTHER_OPERATORS = [
  'Null', 'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress',
  'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike',
  'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals',
  'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals',
];
const ALL_OPERATORS = [...POSITIVE_STRING_OPERATORS, ...NEGATED_STRING_OPERATORS, ...OTHER_OPERATORS];

/** Normalises an operator's spelling (case-insensitive lookup); unknown operators are returned as written. */
export function canonicalOperator(op: string): string {
  return ALL_OPERATORS.find((o) => o.toLowerCase() === op.toLowerCase()) ?? op;
}

/** Whether IAM knows this base operator (without ForAnyValue:/ForAllValues: and IfExists). */
export function isKnownOperator(baseOperator: string): boolean {
  return ALL_OPERATORS.some((o) => o.toLowerCase() === baseOperator.toLowerCase());
}

export function isStringOperator(baseOperator: string): boolean {
  const c = canonicalOperator(baseOperator);
  return POSITIVE_STRING_OPERATORS.has(c) || NEGATED_STRING_OPERATORS.has(c);
}

/** Whether an operator (base name, any case) applies wildcards. */
export function isLikeOperator(baseOperator: string): boolean {
  return /^String(Not)?Like$/i.test(baseOperator);
}

export function isNegatedOperator(baseOperator: string): boolean {
  return NEGATED_STRING_OPERATORS.has(canonicalOperator(baseOperator));
}

// =============================================================================================
// 2. IAM string matching
// =============================================================================================

/** `true`, `false`, or not decidable from what the sources tell. */
export type Tri = boolean | 'unknown';

export function and3(...xs: Tri[]): Tri {
  return allOf3(xs);
}
export function or3(...xs: Tri[]): Tri {
  return anyOf3(xs);
}
/** `or3` of a list of any length (a spread of 200,000 actions overflowed the stack). */
export function anyOf3(xs: readonly Tri[]): Tri {
  if (xs.some((x) => x === true)) return true;
  return xs.every((x) => x === false) ? false : 'unknown';
}
/** `and3` of a list of any length. */
export function allOf3(xs: readonly Tri[]): Tri {
  if (xs.some((x) => x === false)) return false;
  return xs.every((x) => x === true) ? true : 'unknown';
}
export function not3(x: Tri): Tri {
  return x === 'unknown' ? 'unknown' : !x;
}

/**
 * A string that may be only partly known: a plain string, or anything shaped like a model
 * `Value` (`resolution: 'unresolved'` with `parts` marking the known pieces).
 */
export type ClaimText = string | { value: string; resolution?: Resolution; parts?: ValuePart[] };

/** Pieces of a text: known strings, and `null` for an unknown piece (any string, maybe empty). */
type Piece = string | null;

function piecesOf(t: ClaimText): Piece[] {
  if (typeof t === 'string') return [t];
  if (t.parts && t.parts.length) {
    const out: Piece[] = [];
    for (const p of t.parts) {
      const piece = p.known ? p.text : null;
      const last = out[out.length - 1];
      if (piece !== null && typeof last === 'string') out[out.length - 1] = last + piece;
      else if (piece === null && last === null) continue;
      else out.push(piece);
    }
    return out;
  }
  return t.resolution === 'unresolved' ? [null] : [t.value];
}

/** The full text when every piece is known. */
export function knownText(t: ClaimText): string | undefined {
  const p = piecesOf(t);
  return p.every((x) => x !== null) ? p.join('') : undefined;
}

/** Concatenates partly known texts; the result is a plain string when everything is known. */
export function concatText(...items: ClaimText[]): ClaimText {
  const parts: ValuePart[] = [];
  for (const it of items)
    for (const p of piecesOf(it)) {
      const last = parts[parts.length - 1];
      if (p === null) {
        if (!last || last.known) parts.push({ text: '', known: false });
      } else if (last?.known) last.text += p;
      else parts.push({ text: p, known: true });
    }
  if (parts.every((p) => p.known)) return parts.map((p) => p.text).join('');
  return { value: parts.map((p) => (p.known ? p.text : '*')).join(''), resolution: 'unresolved', parts };
}

/** Glob tokens, one per character: literal, `*`, `?`, or `u` (an unresolved piece of the policy). */
export type GTok = { k: 'c'; c: string } | { k: '*' } | { k: '?' } | { k: 'u'; text?: string };
const STAR: GTok = { k: '*' };
const ONE: GTok = { k: '?' };
const UNKNOWN: GTok = { k: 'u' };

function litToks(s: string): GTok[] {
  return [...s].map((c) => ({ k: 'c', c }) as GTok);
}
const isStarLike = (t: GTok | undefined) => t !== undefined && (t.k === '*' || t.k === 'u');

function charEq(a: string, b: string, ci: boolean): boolean {
  return a === b || (ci && a.toLowerCase() === b.toLowerCase());
}

/** Resolves a policy variable name to its value, `undefined` when unknown. */
type VariableResolver = (name: string) => string | undefined;

interface ParsedPattern {
  toks: GTok[];
  /** Contains unresolved pieces or unresolvable policy variables. */
  uncertain: boolean;
}

/**
 * Turns a policy string into glob tokens. `wildcards`: `*`/`?` are wildcards (StringLike family).
 * `variables`: `${…}` is a policy variable (policy Version 2012-10-17); `${*}`, `${?}`, `${$}` stand
 * for the literal characters; a variable resolves through `resolve` (or its default value
 * `${key, 'default'}`), and is unknown otherwise.
 */
function parsePolicyString(text: ClaimText, wildcards: boolean, variables: boolean, resolve?: VariableResolver): ParsedPattern {
  const toks: GTok[] = [];
  let uncertain = false;
  // The source text of each unknown piece (`${Org}`) is kept on its token for messages.
  const unknownTexts = typeof text !== 'string' && text.parts ? text.parts.filter((p) => !p.known).map((p) => p.text) : [];
  for (const piece of piecesOf(text)) {
    if (piece === null) {
      const raw = unknownTexts.shift();
      toks.push(raw ? { k: 'u', text: raw } : UNKNOWN);
      uncertain = true;
      continue;
    }
    const chars = [...piece];
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i];
      if (variables && c === '$' && chars[i + 1] === '{') {
        const end = chars.indexOf('}', i + 2);
        if (end > 0) {
          const inner = chars.slice(i + 2, end).join('');
          i = end;
          if (inner === '*' || inner === '?' || inner === '$') {
            toks.push({ k: 'c', c: inner });
            continue;
          }
          const m = /^\s*([^,]+?)\s*(?:,\s*'([^']*)'\s*)?$/.exec(inner);
          const value = m ? (resolve?.(m[1]) ?? m[2]) : undefined;
          if (value === undefined) {
            toks.push(UNKNOWN);
            uncertain = true;
          } else pushAll(toks, litToks(value));
          continue;
        }
      }
      if (wildcards && c === '*') toks.push(STAR);
      else if (wildcards && c === '?') toks.push(ONE);
      else toks.push({ k: 'c', c });
    }
  }
  return { toks, uncertain };
}

function closure(toks: GTok[], set: Set<number>): Set<number> {
  const stack = [...set];
  while (stack.length) {
    const i = stack.pop()!;
    if (isStarLike(toks[i]) && !set.has(i + 1)) {
      set.add(i + 1);
      stack.push(i + 1);
    }
  }
  return set;
}

function stepChar(toks: GTok[], set: Set<number>, ch: string, ci: boolean): Set<number> {
  const next = new Set<number>();
  for (const i of set) {
    const t = toks[i];
    if (!t) continue;
    if (t.k === '*' || t.k === 'u') next.add(i);
    else if (t.k === '?') next.add(i + 1);
    else if (charEq(t.c, ch, ci)) next.add(i + 1);
  }
  return closure(toks, next);
}

/**
 * Whether `value` matches the glob (`*` and unresolved pieces match any run of characters, `?` one
 * character). Greedy with a return to the last star: linear for the usual globs, never worse than
 * tokens × characters, and no allocation but the value's characters.
 */
function globMatch(toks: GTok[], ci: boolean, value: string): boolean {
  const chars = [...value];
  let t = 0;
  let c = 0;
  let star = -1;
  let starChar = 0;
  while (c < chars.length) {
    const tok = toks[t];
    if (tok !== undefined && (tok.k === '*' || tok.k === 'u')) {
      star = t++;
      starChar = c;
    } else if (tok !== undefined && (tok.k === '?' || (tok.k === 'c' && charEq(tok.c, chars[c], ci)))) {
      t++;
      c++;
    } else if (star >= 0) {
      t = star + 1;
      c = ++starChar;
    } else return false;
  }
  while (t < toks.length && isStarLike(toks[t])) t++;
  return t === toks.length;
}

/** Whether two globs share at least one string (product automaton, no enumeration). */
function globsIntersect(a: GTok[], b: GTok[], ci: boolean): boolean {
  const seen = new Set<number>();
  const W = b.length + 1;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length) {
    const [i, j] = stack.pop()!;
    const key = i * W + j;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === a.length && j === b.length) return true;
    const ta = a[i];
    const tb = b[j];
    if (isStarLike(ta)) stack.push([i + 1, j]);
    if (isStarLike(tb)) stack.push([i, j + 1]);
    if (!ta || !tb) continue;
    const aAny = ta.k !== 'c';
    const bAny = tb.k !== 'c';
    const ni = isStarLike(ta) ? i : i + 1;
    const nj = isStarLike(tb) ? j : j + 1;
    if (ni === i && nj === j) continue;
    if (aAny || bAny || charEq((ta as { c: string }).c, (tb as { c: string }).c, ci)) stack.push([ni, nj]);
  }
  return false;
}

/** Matching where unknown pieces of the value can only be absorbed by a `*`: true for every filling. */
function matchWithHoles(toks: GTok[], ci: boolean, pieces: Piece[]): boolean {
  let set = closure(toks, new Set([0]));
  for (const p of pieces) {
    if (p === null) {
      const next = new Set<number>();
      for (const i of set) if (toks[i]?.k === '*') next.add(i);
      set = closure(toks, next);
    } else for (const ch of p) set = stepChar(toks, set, ch, ci);
    if (!set.size) return false;
  }
  return set.has(toks.length);
}

/** Three-valued match of a parsed policy pattern against a possibly partial request value. */
function match3(pattern: ParsedPattern, ci: boolean, value: ClaimText): Tri {
  const pieces = piecesOf(value);
  const valueKnown = pieces.every((p) => p !== null);
  if (!pattern.uncertain && valueKnown) return globMatch(pattern.toks, ci, pieces.join(''));
  // globsIntersect treats an unknown piece of the pattern (`u`) like `*`.
  const b = pieces.flatMap((p) => (p === null ? [STAR] : litToks(p)));
  if (!globsIntersect(pattern.toks, b, ci)) return false;
  if (pattern.uncertain) return 'unknown';
  return matchWithHoles(pattern.toks, ci, pieces) ? true : 'unknown';
}

/** IAM `StringLike` (case-sensitive; `*` any run incl. `:` and `/`, `?` one character, `${*}` literal). */
export function stringLike(pattern: string, value: string): boolean {
  return globMatch(parsePolicyString(pattern, true, true).toks, false, value);
}

/** Whether a StringLike pattern contains a wildcard (or an unknown policy variable). */
export function hasWildcard(pattern: string): boolean {
  return parsePolicyString(pattern, true, true).toks.some((t) => t.k !== 'c');
}

/**
 * Whether a condition value writes a wildcard of its own: a `*` or `?` in its known text under a
 * StringLike-family operator. An unresolved piece is one name the source does not show, not a
 * wildcard: a value that is nothing but unresolved pieces does not widen a role by itself.
 */
export function writesWildcard(c: Condition, v: Value<string>): boolean {
  if (!isLikeOperator(canonicalOperator(c.baseOperator))) return false;
  return piecesOf(v).some((p) => p !== null && /[*?]/.test(p));
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

/** IAM action matching (case-insensitive, `*` and `?` wildcards). */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(parsePolicyString(pattern, true, false).toks, true, action);
}

// =============================================================================================
// 3. Tokens: facts → subject → token, and the concrete evaluator
// =============================================================================================

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

const DEFAULT_TEMPLATE: SubjectTemplate = ['repo', 'context'];

function isDefaultTemplate(t: SubjectTemplate | undefined): boolean {
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

export type PolicyVersion = '2008-10-17' | '2012-10-17';

export interface EvaluationOptions {
  /** The action being requested; default `sts:AssumeRoleWithWebIdentity`. */
  action?: string;
  /** Claims to treat as evaluated by AWS beyond the built-in allow-list (e.g. from configuration). */
  evaluatedClaims?: readonly string[];
  /**
   * Version assumed when the policy has none. AWS's default is 2008-10-17 (policy variables are then
   * literal text); CDK and Terraform's policy-document data source always render 2012-10-17, so the
   * default here follows the policy's source format.
   */
  defaultVersion?: PolicyVersion;
  /** Customised subject templates in use (for the symbolic summary); templates written in the policy are inferred. */
  subjectTemplates?: readonly SubjectTemplate[];
  /**
   * Summary only: read a placeholder left in a value (`repo:<OWNER>/*`) as the name it stands for,
   * so that the pattern is judged as it will be once filled in (an unknown but fixed name). The
   * concrete evaluator always reads the text as written: no token carries `<OWNER>`.
   */
  placeholdersAsNames?: boolean;
}

export function policyVersion(policy: TrustPolicy, options: EvaluationOptions = {}): PolicyVersion | 'unknown' {
  const v = policy.version;
  if (v) {
    if (v.resolution === 'unresolved') return 'unknown';
    return v.value === '2012-10-17' ? '2012-10-17' : '2008-10-17';
  }
  if (options.defaultVersion) return options.defaultVersion;
  const fmt = policy.parent?.origin?.format;
  return fmt === 'cdk' || fmt === 'terraform' ? '2012-10-17' : '2008-10-17';
}

/** How one condition fared against one token. */
export interface ConditionVerdict {
  condition: Condition;
  result: Tri;
  /** Whether the key was in the request context. */
  present: Tri;
  /** The condition value that matched (positive operators) or that matched and so failed a negated operator. */
  matched?: Value<string>;
}

export interface StatementVerdict {
  statement: Statement;
  effect: 'Allow' | 'Deny' | 'unknown';
  principal: Tri;
  action: Tri;
  conditions: ConditionVerdict[];
  /** The statement applies to this request: principal, action and every condition hold. */
  applies: Tri;
}

export type DecisionCode = 'allowed' | 'explicit-deny' | 'no-statement-for-issuer' | 'action-not-allowed' | 'conditions-not-met' | 'unknown';

export interface TrustDecision {
  admitted: Tri;
  /** The first Allow statement that applies. */
  allowedBy?: Statement;
  /** The first Deny statement that applies. */
  deniedBy?: Statement;
  /** When not admitted: the Allow statement that came closest (its principal and action fit, fewest failing conditions). */
  closest?: Statement;
  /** Conditions of `closest` that are false (or, if none is false, unknown). */
  failing?: Condition[];
  code: DecisionCode;
  /** A short English explanation for logs and JSON output (rules word their own messages). */
  reason: string;
  statements: StatementVerdict[];
}

interface EvalEnv {
  token: TokenClaims;
  version: PolicyVersion | 'unknown';
  options: EvaluationOptions;
}

type Lookup = { state: 'present'; value: ClaimText } | { state: 'absent' } | { state: 'unknown' };

function tokenClaim(token: TokenClaims, claim: string): { value?: ClaimText; has: boolean } {
  if (claim === 'sub') return { value: token.sub, has: true };
  if (claim === 'aud') return { value: token.aud, has: true };
  const claims = token.claims ?? {};
  if (Object.prototype.hasOwnProperty.call(claims, claim) && claims[claim] !== undefined) return { value: claims[claim], has: true };
  return { has: false };
}

/** The request-context value for a condition key, as AWS would have it for this token. */
function lookupKey(keyText: string, env: EvalEnv): Lookup {
  const k = parseConditionKey(keyText);
  if (!k) return { state: 'absent' };
  if (k.github) {
    if (!sameIssuer(k.github.host, env.token.issuer)) return { state: 'absent' };
    const ev = awsEvaluation(k.claim, env.options.evaluatedClaims);
    if (ev === 'unknown-claim' || ev === 'not-evaluated') return { state: 'absent' };
    const info = claimInfo(k.claim);
    const { value, has } = tokenClaim(env.token, k.claim);
    if (!has) return info?.presence === 'always' ? { state: 'unknown' } : { state: 'absent' };
    if (ev === 'unconfirmed') return { state: 'unknown' };
    return { state: 'present', value: value! };
  }
  if (k.hasScheme || isProviderPrefix(k.issuer)) return { state: 'absent' };
  const ctx = env.token.context ?? {};
  const hit = Object.keys(ctx).find((x) => x.toLowerCase() === keyText.toLowerCase());
  return hit !== undefined ? { state: 'present', value: ctx[hit] } : { state: 'unknown' };
}

function resolverFor(env: EvalEnv): VariableResolver {
  return (name) => {
    const l = lookupKey(name, env);
    return l.state === 'present' ? knownText(l.value) : undefined;
  };
}

/** Parses a condition value for an operator (wildcards for StringLike, variables per policy version). */
function conditionPattern(value: Value<string>, baseOperator: string, version: PolicyVersion | 'unknown', resolve?: VariableResolver): ParsedPattern {
  const like = isLikeOperator(canonicalOperator(baseOperator));
  if (version === 'unknown' && piecesOf(value).some((p) => p !== null && p.includes('${'))) {
    const p = parsePolicyString(value, like, true, resolve);
    return { toks: p.toks, uncertain: true };
  }
  return parsePolicyString(value, like, version === '2012-10-17', resolve);
}

/** Result of a condition when its key is absent from the request (domain.md §C.5). */
function absentResult(c: Condition): boolean {
  if (c.ifExists) return true;
  if (c.qualifier === 'ForAllValues') return true;
  if (c.qualifier === 'ForAnyValue') return false;
  return isNegatedOperator(c.baseOperator);
}

function evaluateCondition(c: Condition, env: EvalEnv): ConditionVerdict {
  const unknown = (present: Tri): ConditionVerdict => ({ condition: c, result: 'unknown', present });
  if (c.operator.resolution === 'unresolved') return unknown('unknown');
  const keyText = knownText(c.key);
  if (keyText === undefined) return unknown('unknown');
  const op = canonicalOperator(c.baseOperator);
  const look = lookupKey(keyText, env);
  if (op === 'Null') {
    const present: Tri = look.state === 'unknown' ? 'unknown' : look.state === 'present';
    const wants = c.values.map((v) => knownText(v)?.toLowerCase());
    const results: Tri[] = wants.map((w) => (w === 'true' ? not3(present) : w === 'false' ? present : 'unknown'));
    return { condition: c, result: anyOf3(results), present };
  }
  if (look.state === 'unknown') return unknown('unknown');
  if (look.state === 'absent') return { condition: c, result: absentResult(c), present: false };
  if (!isStringOperator(op)) return unknown(true);
  const ci = /IgnoreCase$/.test(op);
  const negated = isNegatedOperator(op);
  const resolve = resolverFor(env);
  const results: Tri[] = [];
  let matched: Value<string> | undefined;
  for (const v of c.values) {
    const r = match3(conditionPattern(v, op, env.version, resolve), ci, look.value);
    if (r === true && !matched) matched = v;
    results.push(r);
  }
  const any = anyOf3(results);
  return { condition: c, result: negated ? not3(any) : any, present: true, matched };
}

function effectOf(st: Statement): 'Allow' | 'Deny' | 'unknown' {
  if (st.effect.resolution === 'unresolved') return 'unknown';
  const e = st.effect.value.toLowerCase();
  return e === 'allow' ? 'Allow' : e === 'deny' ? 'Deny' : 'unknown';
}

export function isAllow(st: Statement): boolean {
  return st.effect.value.toLowerCase() === 'allow';
}

/** Whether one principal entry names the provider of this issuer (three-valued when partly unresolved). */
export function principalMatchesIssuer(p: Principal, issuer: string, account?: string): Tri {
  const kind = p.kind.toLowerCase();
  if (kind === '*') return knownText(p.value) === '*' ? true : 'unknown';
  if (kind === 'aws') return knownText(p.value) === '*' ? 'unknown' : false;
  if (kind !== 'federated') return false;
  const text = knownText(p.value);
  if (text !== undefined) {
    const path = providerPathOfArn(text);
    if (!sameIssuer(path ?? text, issuer)) return false;
    if (account && path !== undefined) {
      const acct = /^arn:[^:]*:iam::([^:]*):/.exec(text)?.[1];
      if (acct && acct !== account) return false;
    }
    return true;
  }
  // Partly known, e.g. `arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com`.
  const pieces = piecesOf(p.value);
  const last = pieces[pieces.length - 1];
  if (typeof last === 'string') {
    const m = /oidc-provider\/(.+)$/.exec(last);
    if (m) return sameIssuer(m[1], issuer) ? (account ? 'unknown' : true) : false;
  }
  return 'unknown';
}

function principalApplies(st: Statement, env: EvalEnv): Tri {
  if (!st.principals.length) return st.notPrincipals.length ? 'unknown' : false;
  return anyOf3(st.principals.map((p) => principalMatchesIssuer(p, env.token.issuer, env.token.providerAccount)));
}

/** Whether a statement's Action / NotAction covers an action (three-valued for unresolved values). */
export function actionApplies(st: Statement, action: string = WEB_IDENTITY_ACTION): Tri {
  const m = (v: Value<string>): Tri => {
    const t = knownText(v);
    return t === undefined ? 'unknown' : actionMatches(t, action);
  };
  if (st.actions.length) return anyOf3(st.actions.map(m));
  if (st.notActions.length) return not3(anyOf3(st.notActions.map(m)));
  return false;
}

/** Whether the statement's actions cover sts:AssumeRoleWithWebIdentity (Action wildcards, NotAction). */
export function coversWebIdentity(st: Statement): boolean {
  return actionApplies(st) !== false;
}

function evaluateStatement(st: Statement, env: EvalEnv): StatementVerdict {
  const principal = principalApplies(st, env);
  const action = actionApplies(st, env.options.action ?? WEB_IDENTITY_ACTION);
  const conditions = st.conditions.map((c) => evaluateCondition(c, env));
  return { statement: st, effect: effectOf(st), principal, action, conditions, applies: and3(principal, action, ...conditions.map((c) => c.result)) };
}

/**
 * Evaluates a trust policy for one token, as IAM does (domain.md §C.5): a statement applies when
 * its principal, action and every condition hold; the request is admitted when some Allow applies
 * and no Deny does. Unresolved values on either side make the answer 'unknown', never a guess.
 */
export function evaluateTrustPolicy(policy: TrustPolicy, token: TokenClaims, options: EvaluationOptions = {}): TrustDecision {
  const env: EvalEnv = { token, version: policyVersion(policy, options), options };
  const statements = policy.statements.map((st) => evaluateStatement(st, env));
  const allowish = statements.filter((s) => s.effect !== 'Deny');
  const denyish = statements.filter((s) => s.effect !== 'Allow');
  const allowApplies = (s: StatementVerdict): Tri => (s.effect === 'Allow' ? s.applies : and3(s.applies, 'unknown'));
  const denyApplies = (s: StatementVerdict): Tri => (s.effect === 'Deny' ? s.applies : and3(s.applies, 'unknown'));
  const allowed = anyOf3(allowish.map(allowApplies));
  const denied = anyOf3(denyish.map(denyApplies));
  const admitted = and3(allowed, not3(denied));
  const allowedBy = statements.find((s) => s.effect === 'Allow' && s.applies === true)?.statement;
  const deniedBy = statements.find((s) => s.effect === 'Deny' && s.applies === true)?.statement;
  const decision: TrustDecision = { admitted, allowedBy, deniedBy, code: 'unknown', reason: '', statements };
  if (denied === true) {
    decision.code = 'explicit-deny';
    decision.reason = `denied by statement ${deniedBy!.index + 1}`;
    return decision;
  }
  if (admitted === true) {
    decision.code = 'allowed';
    decision.reason = `allowed by statement ${allowedBy!.index + 1}`;
    return decision;
  }
  // Closest Allow: principal and action not false, fewest false conditions, then fewest unknown.
  const candidates = allowish.filter((s) => s.principal !== false);
  const score = (s: StatementVerdict) => (s.action === false ? 1000 : 0) + s.conditions.filter((c) => c.result === false).length * 10 + s.conditions.filter((c) => c.result === 'unknown').length;
  const closest = [...candidates].sort((a, b) => score(a) - score(b) || a.statement.index - b.statement.index)[0];
  if (closest) {
    decision.closest = closest.statement;
    const f = closest.conditions.filter((c) => c.result === false);
    decision.failing = (f.length ? f : closest.conditions.filter((c) => c.result === 'unknown')).map((c) => c.condition);
  }
  if (admitted === 'unknown') {
    decision.code = 'unknown';
    decision.reason = 'depends on values the sources do not tell';
  } else if (!candidates.length) {
    decision.code = 'no-statement-for-issuer';
    decision.reason = `no Allow statement trusts the provider of ${normalizeIssuer(token.issuer)}`;
  } else if (closest && closest.action === false) {
    decision.code = 'action-not-allowed';
    decision.reason = `no statement for this provider allows ${env.options.action ?? WEB_IDENTITY_ACTION}`;
  } else {
    decision.code = 'conditions-not-met';
    decision.reason = `conditions of statement ${closest!.statement.index + 1} are not met: ${decision.failing!.map((c) => `${c.operator.value} ${c.key.value}`).join(', ')}`;
  }
  return decision;
}

// =============================================================================================
// 4. The symbolic summary: what a policy admits
// =============================================================================================
//
// A token is seen as a record of fields: owner, ownerId, repo, repoId, context (the escaped default
// context `environment:X` / `pull_request` / `ref:R`), aud, format (which subject template renders
// `sub`), job_workflow_ref split into path and ref, and one field per other claim. Every condition
// value is translated into constraints on fields: a `sub` glob is cut along the subject grammar
// (for each template the policy or the options mention) into one glob per field; a union of such
// products is exact. Negated operators and Deny statements are subtracted symbolically
// (P \ Q = ⋃_lit P ∧ ¬lit). Each field's language (class ∩ globs ∩ ¬globs) is then analysed with a
// small automaton: empty? finite (which values)? infinite (any owner / any repository)?

export type CharClass = 'name' | 'digits' | 'any' | 'noColon' | 'noAt';

interface FieldSpec {
  cls: CharClass;
  optional: boolean;
}

const FIELD_SPECS: Record<string, FieldSpec> = {
  owner: { cls: 'name', optional: false },
  repo: { cls: 'name', optional: false },
  ownerId: { cls: 'digits', optional: false },
  repoId: { cls: 'digits', optional: false },
  context: { cls: 'any', optional: false },
  format: { cls: 'any', optional: false },
  sub: { cls: 'any', optional: false },
  aud: { cls: 'any', optional: false },
  'jwr.path': { cls: 'noAt', optional: false },
  'jwr.ref': { cls: 'any', optional: false },
};

function fieldSpec(field: string): FieldSpec {
  return (Object.hasOwn(FIELD_SPECS, field) ? FIELD_SPECS[field] : undefined) ?? { cls: 'any', optional: claimInfo(field)?.presence !== 'always' };
}

/** Whether the class has the character `ch` (one code point). */
function classHas(cls: CharClass, ch: string): boolean {
  return ch !== '' && classHasAll(cls, ch);
}

/** Whether the class has every character of `s`. */
function classHasAll(cls: CharClass, s: string): boolean {
  switch (cls) {
    case 'name':
      return /^[A-Za-z0-9_.-]*$/.test(s);
    case 'digits':
      return /^[0-9]*$/.test(s);
    case 'noColon':
      return !s.includes(':');
    case 'noAt':
      return !s.includes('@');
    default:
      return true;
  }
}

/** The literal a glob without wildcards stands for (memoised on the literal), undefined when it has any. */
function exactText(l: FieldLit): string | undefined {
  if (l.exact === undefined) l.exact = l.toks.every((t) => t.k === 'c') ? l.toks.map((t) => (t as { c: string }).c).join('') : null;
  return l.exact ?? undefined;
}

const REPRESENTATIVES = 'qzjkxwvQZJKXW0123456789_-.yuhgfdsapomnlbtrice';

/** One constraint on a field: the value matches (or, `neg`, does not match) a glob; `whenAbsent` when the field is absent. */
export interface FieldLit {
  toks: GTok[];
  ci: boolean;
  neg: boolean;
  whenAbsent: boolean;
  /** Glob text for display. */
  text: string;
  /** Memoised canonical form (cache key). */
  key?: string;
  /** Memoised `exactText` (null: the glob has wildcards). */
  exact?: string | null;
}

export interface ValueSource {
  condition: Condition;
  value: Value<string>;
}

/** A product of field constraints, with the condition values it came from. */
interface Product {
  lits: Map<string, FieldLit[]>;
  sources: ValueSource[];
  /** Conditions the summary cannot model (unresolved keys, non-string operators, unconfirmed claims). */
  opaque: Condition[];
  uncertain: boolean;
  /** Membership is at best 'unknown' (the statement's principal, action or effect is unresolved). */
  maybe?: boolean;
  /** Matches the whole subject for formats the summary does not cut into fields. */
  fallback?: boolean;
}

function emptyProduct(): Product {
  return { lits: new Map(), sources: [], opaque: [], uncertain: false };
}

function andProducts(a: Product, b: Product): Product {
  const lits = new Map(a.lits);
  for (const [f, ls] of b.lits) lits.set(f, [...(lits.get(f) ?? []), ...ls]);
  return {
    lits,
    sources: [...a.sources, ...b.sources],
    opaque: [...a.opaque, ...b.opaque],
    uncertain: a.uncertain || b.uncertain,
    maybe: a.maybe || b.maybe,
    fallback: a.fallback || b.fallback,
  };
}

function negateLit(l: FieldLit): FieldLit {
  return { ...l, neg: !l.neg, whenAbsent: !l.whenAbsent, key: undefined };
}

function globText(toks: GTok[]): string {
  return toks.map((t) => (t.k === 'c' ? t.c : t.k === 'u' ? (t.text ?? UNRESOLVED_MARK) : t.k)).join('');
}

// ---- field languages --------------------------------------------------------------------------

export interface LanguageInfo {
  nonEmpty: boolean;
  /** Infinitely many values (a wildcard consumes characters of the field). */
  infinite: boolean;
  /** Every value when finite and enumerable (no wildcard character), at most 32. */
  values?: string[];
  /** One value of the language. */
  witness?: string;
  /** The automaton was too large: answers are over-approximations. */
  truncated?: boolean;
}

const OTHER = '\u0000';

/**
 * Analyses {x ∈ cls+ : prefix·x matches every positive glob and no negative glob}. The alphabet is
 * reduced to the characters the globs mention plus one stand-in for "any other character of the
 * class", which is exact for globs.
 */
const languageCache = new Map<string, LanguageInfo>();

function litKey(l: FieldLit): string {
  return (l.key ??= `${l.neg ? '!' : '='}${l.ci ? '~' : ''}${toksKey(l.toks)}`);
}

/** Language analysis (memoised). `quick`: only whether it is empty. */
const quickCache = new WeakMap<readonly FieldLit[], Map<string, LanguageInfo>>();

function analyzeLanguage(lits: readonly FieldLit[], cls: CharClass, prefix = '', quick = false, unknownAsMark = false): LanguageInfo {
  // With `unknownAsMark` an unresolved piece stands for one unknown string rather than a wildcard:
  // without any, the language is the same either way.
  if (!unknownAsMark || !lits.some((l) => l.toks.some((t) => t.k === 'u'))) {
    // A literal without wildcards pins the language to one string at most: decide by membership.
    // This is the common case (`StringEquals`) and costs one pass per literal: not worth a cache
    // entry (the WeakMap insertions below cost more than the check).
    const exact = lits.find((l) => !l.neg && !l.ci && exactText(l) !== undefined);
    if (exact) {
      const value = exactText(exact)!;
      const rest = value.startsWith(prefix) ? value.slice(prefix.length) : undefined;
      const ok = rest !== undefined && rest.length > 0 && classHasAll(cls, rest) && lits.every((l) => l === exact || globMatch(l.toks, l.ci, value) !== l.neg);
      return ok ? { nonEmpty: true, infinite: false, witness: rest, values: [rest!] } : { nonEmpty: false, infinite: false, values: [] };
    }
  }
  // Emptiness checks dominate: answer them from the same literal array object when possible, then
  // by trying a few witnesses built from the positive globs, before building an automaton.
  const small = `${quick ? 'q' : 'f'}${unknownAsMark ? 'm' : ''}${cls}\u0001${prefix}`;
  let perArray = quickCache.get(lits);
  const cachedHere = perArray?.get(small);
  if (cachedHere) return cachedHere;
  if (quick && !unknownAsMark && quickEmpty(lits, prefix)) {
    const info: LanguageInfo = { nonEmpty: false, infinite: false, values: [] };
    if (!perArray) quickCache.set(lits, (perArray = new Map()));
    perArray.set(small, info);
    return info;
  }
  if (quick && !unknownAsMark) {
    const w = quickWitness(lits, cls, prefix);
    if (w !== undefined) {
      const info: LanguageInfo = { nonEmpty: true, infinite: false, witness: w };
      if (!perArray) quickCache.set(lits, (perArray = new Map()));
      perArray.set(small, info);
      return info;
    }
  }
  const key = `${small}\u0001${lits.map(litKey).sort().join('\u0002')}`;
  let hit = languageCache.get(key);
  if (!hit && quick) hit = languageCache.get(`f${key.slice(1)}`);
  if (!hit) {
    hit = analyzeLanguageUncached(lits, cls, prefix, quick, unknownAsMark);
    if (languageCache.size > 20000) languageCache.clear();
    languageCache.set(key, hit);
  }
  if (!perArray) quickCache.set(lits, (perArray = new Map()));
  perArray.set(small, hit);
  return hit;
}

/** Cheap proofs of emptiness: a negated match-everything glob, a literal both required and excluded, two disjoint positive globs. */
function quickEmpty(lits: readonly FieldLit[], prefix: string): boolean {
  const pos = lits.filter((l) => !l.neg).map((l) => ({ toks: l.toks.map((t) => (t.k === 'u' ? STAR : t)), ci: l.ci, key: litKey(l) }));
  if (prefix) pos.push({ toks: [...litToks(prefix), STAR], ci: false, key: '' });
  for (const l of lits) {
    if (!l.neg) continue;
    if (l.toks.every((t) => t.k === '*')) return true;
    const k = litKey(l).slice(1);
    if (pos.some((p) => p.key.slice(1) === k)) return true;
  }
  for (let i = 0; i < pos.length; i++)
    for (let j = i + 1; j < pos.length; j++) if (!globsIntersect(pos[i].toks, pos[j].toks, pos[i].ci || pos[j].ci)) return true;
  return false;
}

/** A string of the language found by filling the positive globs' wildcards a few ways, if any. */
function quickWitness(lits: readonly FieldLit[], cls: CharClass, prefix: string): string | undefined {
  const pos = lits.filter((l) => !l.neg);
  const mentioned = new Set<string>();
  for (const l of lits) for (const t of l.toks) if (t.k === 'c') mentioned.add(t.c.toLowerCase());
  const rep: string[] = [];
  for (const c of REPRESENTATIVES) {
    if (rep.length === 4) break;
    if (classHas(cls, c) && !mentioned.has(c.toLowerCase())) rep.push(c);
  }
  if (!rep.length) return undefined;
  const fillers = ['', rep[0], rep.slice(0, 4).join('')];
  const sources = pos.length ? pos : [{ toks: [STAR] as GTok[], ci: false }];
  const candidates: string[] = [];
  for (const g of sources.slice(0, 3))
    for (const f of fillers) candidates.push(g.toks.map((t) => (t.k === 'c' ? t.c : t.k === '?' ? rep[0] : f)).join(''));
  for (const cand of candidates) {
    if (!cand.startsWith(prefix)) continue;
    const rest = cand.slice(prefix.length);
    if (!rest.length || !classHasAll(cls, rest)) continue;
    if (lits.every((l) => globMatch(l.toks, l.ci, cand) !== l.neg)) return rest;
  }
  return undefined;
}

/** Stands for an unresolved piece when describing scopes: one fixed (unknown) string, not a wildcard. */
export const UNRESOLVED_MARK = '\u2026';

function analyzeLanguageUncached(lits: readonly FieldLit[], cls: CharClass, prefix: string, quick: boolean, unknownAsMark: boolean): LanguageInfo {
  const globs = lits.map((l) => ({ toks: l.toks.map((t) => (t.k === 'u' ? (unknownAsMark ? ({ k: 'c', c: UNRESOLVED_MARK } as GTok) : STAR) : t)), ci: l.ci, neg: l.neg }));
  const mentioned = new Set<string>();
  for (const g of globs)
    for (const t of g.toks)
      if (t.k === 'c') {
        mentioned.add(t.c);
        if (g.ci) {
          mentioned.add(t.c.toLowerCase());
          mentioned.add(t.c.toUpperCase());
        }
      }
  const alphabet = [...mentioned].filter((c) => c.length === 1 && (classHas(cls, c) || c === UNRESOLVED_MARK)).sort();
  const rep = [...REPRESENTATIVES].find((c) => classHas(cls, c) && !mentioned.has(c));
  const symbols = rep ? [...alphabet, OTHER] : alphabet;
  // The tables below are positions × symbols: 3,000 distinct characters after a `*` took 33 s and
  // 1.7 GB. Past a bound the answer is the over-approximation a truncated search gives.
  let positions = 0;
  for (const g of globs) positions += g.toks.length + 1;
  if (positions * symbols.length > 200_000) return { nonEmpty: true, infinite: true, truncated: true };
  // Per glob and position: the positions reached by each symbol (after ε-closure), precomputed.
  const closures = globs.map((g) => g.toks.map((_, i) => [...closure(g.toks, new Set([i]))].sort((a, b) => a - b)).concat([[g.toks.length]]));
  const tables = globs.map((g, gi) =>
    closures[gi].map((_, i) =>
      symbols.map((sym) => {
        const t = g.toks[i];
        if (!t) return [] as number[];
        if (t.k === '*' || t.k === 'u') return closures[gi][i];
        if (t.k === '?' || (sym !== OTHER && t.k === 'c' && charEq(t.c, sym, g.ci))) return closures[gi][i + 1];
        return [] as number[];
      }),
    ),
  );
  const stepSet = (gi: number, set: number[], si: number): number[] => {
    if (set.length === 1) return tables[gi][set[0]][si];
    const out = new Set<number>();
    for (const i of set) for (const j of tables[gi][i][si]) out.add(j);
    return [...out].sort((a, b) => a - b);
  };
  type State = { sets: number[][]; len: boolean };
  const keyOf = (st: State) => (st.len ? '1' : '0') + st.sets.map((x) => x.join(',')).join('|');
  let start: State = { sets: globs.map((g, gi) => closures[gi][0]), len: false };
  for (const ch of prefix) start = { sets: start.sets.map((set, gi) => [...stepChar(globs[gi].toks, new Set(set), ch, globs[gi].ci)].sort((a, b) => a - b)), len: false };
  const accepting = (st: State) => st.len && globs.every((g, i) => st.sets[i].includes(g.toks.length) !== g.neg);
  const dead = (st: State) => globs.some((g, i) => !g.neg && st.sets[i].length === 0);
  const states = new Map<string, State>();
  const edges = new Map<string, [number, string][]>();
  const parent = new Map<string, [string, number] | undefined>();
  const startKey = keyOf(start);
  const queue: string[] = [];
  if (!dead(start)) {
    states.set(startKey, start);
    parent.set(startKey, undefined);
    queue.push(startKey);
  }
  const spell = (si: number) => (symbols[si] === OTHER ? rep! : symbols[si]);
  const pathTo = (k: string) => {
    let out = '';
    for (let p = parent.get(k); p; p = parent.get(p[0])) out = spell(p[1]) + out;
    return out;
  };
  const LIMIT = 4000;
  let truncated = false;
  for (let qi = 0; qi < queue.length; qi++) {
    const k = queue[qi];
    const st = states.get(k)!;
    if (quick && accepting(st)) return { nonEmpty: true, infinite: false, witness: pathTo(k) };
    const out: [number, string][] = [];
    for (let si = 0; si < symbols.length; si++) {
      const n: State = { len: true, sets: st.sets.map((set, gi) => stepSet(gi, set, si)) };
      if (dead(n)) continue;
      const nk = keyOf(n);
      out.push([si, nk]);
      if (!states.has(nk)) {
        if (states.size >= LIMIT) {
          truncated = true;
          continue;
        }
        states.set(nk, n);
        parent.set(nk, [k, si]);
        queue.push(nk);
      }
    }
    edges.set(k, out);
  }
  if (truncated) return { nonEmpty: true, infinite: true, truncated: true };
  const acc = [...states.entries()].filter(([, st]) => accepting(st)).map(([k]) => k);
  if (!acc.length) return { nonEmpty: false, infinite: false };
  if (quick) return { nonEmpty: true, infinite: false, witness: pathTo(acc[0]) };
  // Co-reachability.
  const rev = new Map<string, string[]>();
  for (const [k, out] of edges)
    for (const [, t] of out) {
      const list = rev.get(t);
      if (list) list.push(k);
      else rev.set(t, [k]);
    }
  const live = new Set(acc);
  const stack = [...acc];
  while (stack.length) for (const p of rev.get(stack.pop()!) ?? []) if (!live.has(p)) (live.add(p), stack.push(p));
  // A cycle among live states → infinitely many values.
  const color = new Map<string, number>();
  let infinite = false;
  const visit = (k: string) => {
    color.set(k, 1);
    for (const [, t] of edges.get(k) ?? []) {
      if (!live.has(t) || infinite) continue;
      const c = color.get(t) ?? 0;
      if (c === 1) infinite = true;
      else if (c === 0) visit(t);
    }
    color.set(k, 2);
  };
  for (const k of live) if (!color.get(k) && !infinite) visit(k);
  const info: LanguageInfo = { nonEmpty: true, infinite, witness: pathTo(acc[0]) };
  if (!infinite) {
    const values: string[] = [];
    let enumerable = true;
    const walk = (k: string, sofar: string) => {
      if (!enumerable || values.length > 32) return;
      if (accepting(states.get(k)!)) values.push(sofar);
      for (const [si, t] of edges.get(k) ?? []) {
        if (!live.has(t)) continue;
        if (symbols[si] === OTHER) {
          enumerable = false;
          return;
        }
        walk(t, sofar + symbols[si]);
      }
    };
    walk(startKey, '');
    if (enumerable && values.length <= 32) info.values = values.sort();
  }
  return info;
}

export interface FieldScope {
  /** Some condition constrains this field. */
  constrained: boolean;
  /** Infinitely many values are admitted (or the field is not constrained at all). */
  unbounded: boolean;
  /** The admitted values, when finitely many and written without wildcards. */
  values?: string[];
  /** The positive patterns as written (for messages). */
  patterns: string[];
  /** The field may be absent (optional claims such as `environment`). */
  absent?: boolean;
}

function fieldScope(lits: readonly FieldLit[] | undefined, cls: CharClass, prefix = ''): FieldScope {
  if (!lits || !lits.length) return { constrained: false, unbounded: true, patterns: [] };
  const info = analyzeLanguage(lits, cls, prefix, false, true);
  return {
    constrained: true,
    unbounded: info.infinite,
    values: info.nonEmpty ? info.values : [],
    patterns: [...new Set(lits.filter((l) => !l.neg).map((l) => l.text))],
  };
}

/** Whether a field's constraints can be met (present, or absent when the field is optional). */
function fieldSatisfiable(field: string, lits: readonly FieldLit[]): boolean {
  // Whole-subject constraints only serve formats the summary does not cut; they are matched
  // concretely by `admits` and never described, so pruning them is not worth an automaton.
  if (field === 'sub') return true;
  const spec = fieldSpec(field);
  if (spec.optional && lits.every((l) => l.whenAbsent)) return true;
  if (field === 'context') return contextNonEmpty(lits);
  return analyzeLanguage(lits, spec.cls, '', true).nonEmpty;
}

function productSatisfiable(p: Product, only?: Iterable<string>): boolean {
  for (const f of only ?? p.lits.keys()) if (!fieldSatisfiable(f, p.lits.get(f) ?? [])) return false;
  return true;
}

export interface ContextScope {
  pullRequest: boolean;
  branches: FieldScope;
  tags: FieldScope;
  environments: FieldScope;
  /** Every branch and (pull requests or every environment): the classic `repo:o/r:*`. */
  any: boolean;
}

function contextNonEmpty(lits: readonly FieldLit[]): boolean {
  const pr = lits.every((l) => globMatch(l.toks, l.ci, 'pull_request') !== l.neg);
  return pr || analyzeLanguage(lits, 'noColon', 'ref:', true).nonEmpty || analyzeLanguage(lits, 'noColon', 'environment:', true).nonEmpty;
}

function contextLanguages(lits: readonly FieldLit[]) {
  const pr = lits.every((l) => globMatch(l.toks, l.ci, 'pull_request') !== l.neg);
  const refs = analyzeLanguage(lits, 'noColon', 'ref:');
  const envs = analyzeLanguage(lits, 'noColon', 'environment:');
  return { pr, refs, envs, nonEmpty: pr || refs.nonEmpty || envs.nonEmpty };
}

function contextScope(lits: readonly FieldLit[] | undefined): ContextScope {
  const sub = (prefix: string): FieldScope => {
    if (!lits || !lits.length) return { constrained: false, unbounded: true, patterns: [] };
    return { ...fieldScope(lits, 'noColon', prefix), patterns: [...new Set(lits.filter((l) => !l.neg).map((l) => l.text))] };
  };
  const pullRequest = !lits || contextLanguages(lits).pr;
  const branches = sub('ref:refs/heads/');
  const tags = sub('ref:refs/tags/');
  const environments = sub('environment:');
  return { pullRequest, branches, tags, environments, any: branches.unbounded && (pullRequest || environments.unbounded) };
}

// ---- cutting a glob along a grammar -----------------------------------------------------------

type GElem = { lit: string } | { field: string };

interface Cursor {
  i: number;
  star: boolean;
}

function cursorClosure(toks: GTok[], cs: Cursor[]): Cursor[] {
  const out = new Map<string, Cursor>();
  const stack = [...cs];
  while (stack.length) {
    const c = stack.pop()!;
    const key = `${c.i}${c.star ? '*' : ''}`;
    if (out.has(key)) continue;
    out.set(key, c);
    if (c.star) stack.push({ i: c.i + 1, star: false });
    else if (isStarLike(toks[c.i])) {
      stack.push({ i: c.i, star: true });
      stack.push({ i: c.i + 1, star: false });
    }
  }
  return [...out.values()];
}

function consumeLit(toks: GTok[], ci: boolean, from: Cursor[], lit: string): Cursor[] {
  let cur = from;
  for (const ch of lit) {
    const next: Cursor[] = [];
    for (const c of cursorClosure(toks, cur)) {
      if (c.star) next.push(c);
      else {
        const t = toks[c.i];
        if (t && (t.k === '?' || (t.k === 'c' && charEq(t.c, ch, ci)))) next.push({ i: c.i + 1, star: false });
      }
    }
    cur = next;
    if (!cur.length) return [];
  }
  return cur;
}

function sliceGlob(toks: GTok[], a: Cursor, b: Cursor): GTok[] | undefined {
  // A slice that starts or ends inside a `*` (or an unknown piece) keeps that token.
  if (a.star && b.star && a.i === b.i) return [toks[a.i]];
  const start = a.star ? a.i + 1 : a.i;
  if (b.i < start) return undefined;
  return [...(a.star ? [toks[a.i]] : []), ...toks.slice(start, b.i), ...(b.star ? [toks[b.i]] : [])];
}

function toksKey(toks: GTok[]): string {
  return toks.map((t) => (t.k === 'c' ? (t.c === '\\' || t.c === '*' || t.c === '?' || t.c === '%' ? '\\' + t.c : t.c) : t.k === 'u' ? '%' : t.k)).join('');
}

/**
 * Cuts a glob along a grammar of literals and fields: every way the literals can be matched by
 * literal characters, `?`, or inside a `*`; the slices between them are the fields' globs. The
 * union of the results is exactly the glob's language restricted to the grammar. `allowed` tells
 * which literal characters a field can contain (a slice with another literal is dropped early).
 */
/** Candidate cuts cutGlob tries before giving up (a `sub` of 1,000 `*`s took minutes, `*?` × 2,000 20 s). */
const CUT_STEPS = 20_000;

function cutGlob(toks0: GTok[], ci: boolean, grammar: GElem[], allowed: (field: string, ch: string) => boolean, limit = 256): Map<string, GTok[]>[] | undefined {
  // `**` matches what `*` matches: one star per run, so a run of stars is not cut every way.
  const toks = toks0.some((t, i) => t.k === '*' && toks0[i - 1]?.k === '*') ? toks0.filter((t, i) => !(t.k === '*' && toks0[i - 1]?.k === '*')) : toks0;
  const out = new Map<string, Map<string, GTok[]>>();
  let overflow = false;
  let steps = 0;
  const n = toks.length;
  const rec = (gi: number, cursors: Cursor[], acc: Map<string, GTok[]>) => {
    if (overflow || ++steps > CUT_STEPS) {
      overflow = true;
      return;
    }
    if (gi === grammar.length) {
      if (cursorClosure(toks, cursors).some((c) => !c.star && c.i === n)) {
        const key = [...acc].map(([f, t]) => `${f}=${toksKey(t)}`).join('\u0001');
        if (!out.has(key)) out.set(key, new Map(acc));
        if (out.size > limit) overflow = true;
      }
      return;
    }
    const el = grammar[gi];
    if ('lit' in el) {
      const next = consumeLit(toks, ci, cursors, el.lit);
      if (next.length) rec(gi + 1, next, acc);
      return;
    }
    const last = gi === grammar.length - 1;
    const follow = grammar[gi + 1];
    const firstCh = follow && 'lit' in follow ? follow.lit[0] : undefined;
    const seen = new Set<string>();
    for (const a of cursorClosure(toks, cursors)) {
      const ends: Cursor[] = [];
      for (let j = a.star ? a.i + 1 : a.i; j <= n; j++) {
        const t = toks[j];
        if (last) {
          if (j === n) ends.push({ i: j, star: false });
        } else if (t && (t.k === '?' || (t.k === 'c' && firstCh !== undefined && charEq(t.c, firstCh, ci)))) ends.push({ i: j, star: false });
        if (!last && isStarLike(t)) ends.push({ i: j, star: true });
        // The field cannot extend past a literal character it may not contain.
        if (t && t.k === 'c' && !allowed(el.field, t.c) && !(ci && allowed(el.field, t.c.toLowerCase()))) break;
      }
      if (a.star && !last) ends.push({ i: a.i, star: true });
      for (const b of ends) {
        if (++steps > CUT_STEPS) {
          overflow = true;
          return;
        }
        const slice = sliceGlob(toks, a, b);
        if (!slice || !slice.length) continue;
        const sk = toksKey(slice);
        const key = `${sk}@${b.i}${b.star}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const prev = acc.get(el.field);
        if (prev && toksKey(prev) !== sk) continue;
        const nextAcc = new Map(acc);
        nextAcc.set(el.field, slice);
        rec(gi + 1, [b], nextAcc);
      }
    }
  };
  rec(0, [{ i: 0, star: false }], new Map());
  return overflow ? undefined : [...out.values()];
}

/** Which literal characters a field's slice of a `sub` (or a claim with structure) may contain. */
function sliceAllows(field: string, ch: string): boolean {
  if (field === 'context') return true;
  if (ch === ':') return false;
  const cls = fieldSpec(field).cls;
  return cls === 'any' ? true : classHas(cls, ch);
}

/** Identifier of a subject format: `legacy`, `immutable`, or the template keys (`+ids` when immutable). */
export function subjectFormatId(template: SubjectTemplate | undefined, immutable: boolean): string {
  if (isDefaultTemplate(template)) return immutable ? 'immutable' : 'legacy';
  const keys = template!.join(',');
  return immutable && template!.includes('repo') ? `${keys}+ids` : keys;
}

function formatOfFacts(facts: TokenFacts): string {
  return subjectFormatId(facts.template, !!facts.immutable);
}

const CLAIM_FIELD: Record<string, GElem[]> = {
  repository: [{ field: 'owner' }, { lit: '/' }, { field: 'repo' }],
  repository_owner: [{ field: 'owner' }],
  repository_owner_id: [{ field: 'ownerId' }],
  repository_id: [{ field: 'repoId' }],
  job_workflow_ref: [{ field: 'jwr.path' }, { lit: '@' }, { field: 'jwr.ref' }],
  aud: [{ field: 'aud' }],
};

function claimGrammar(claim: string): GElem[] {
  return (Object.hasOwn(CLAIM_FIELD, claim) ? CLAIM_FIELD[claim] : undefined) ?? [{ field: claim }];
}

/** The subject grammar for a template (domain.md §A.4): `key:value` pairs joined by `:`. */
function subjectGrammar(template: SubjectTemplate | undefined, immutable: boolean): GElem[] {
  const keys = isDefaultTemplate(template) ? DEFAULT_TEMPLATE : template!;
  const out: GElem[] = [];
  keys.forEach((key, i) => {
    if (i) out.push({ lit: ':' });
    if (key === 'repo') {
      out.push({ lit: 'repo:' }, { field: 'owner' });
      if (immutable) out.push({ lit: '@' }, { field: 'ownerId' });
      out.push({ lit: '/' }, { field: 'repo' });
      if (immutable) out.push({ lit: '@' }, { field: 'repoId' });
    } else if (key === 'context') out.push({ field: 'context' });
    else out.push({ lit: `${key}:` }, ...claimGrammar(key));
  });
  return out;
}

const CONTEXT_WORDS = new Set(['environment', 'ref', 'pull_request']);

/**
 * Infers a customised template from a `sub` value written in the policy
 * (`repository_owner_id:1:repository_id:2:environment:prod` → repository_owner_id, repository_id, context).
 * Undefined when the value is a default-template subject or a wildcard hides a key.
 */
export function inferSubjectTemplate(value: string): SubjectTemplate | undefined {
  const segs = value.split(':');
  const keys: string[] = [];
  let i = 0;
  while (i < segs.length) {
    const s = segs[i];
    if (/[*?$]/.test(s)) return undefined;
    if (s === 'repo') {
      keys.push('repo');
      i += 2;
    } else if (CONTEXT_WORDS.has(s)) {
      if (keys.includes('context') || (s !== 'pull_request' && keys.includes(s))) return undefined;
      keys.push('context');
      i += s === 'pull_request' ? 1 : 2;
    } else if (claimInfo(s)) {
      keys.push(s);
      i += 2;
    } else return undefined;
  }
  if (!keys.length || i !== segs.length && i !== segs.length + 1) return undefined;
  if (isDefaultTemplate(keys)) return undefined;
  return keys;
}

/** Which field lits the slice of a sub-domain glob becomes: `%3A` → `:` outside the context field. */
function subSliceToLit(field: string, toks: GTok[], ci: boolean, neg: boolean, whenAbsent: boolean): FieldLit | undefined {
  let out = toks;
  if (field !== 'context') {
    if (toks.some((t) => t.k === 'c' && t.c === ':')) return undefined;
    const conv: GTok[] = [];
    for (let i = 0; i < toks.length; i++) {
      const [a, b, c] = [toks[i], toks[i + 1], toks[i + 2]];
      if (a.k === 'c' && a.c === '%' && b?.k === 'c' && b.c === '3' && c?.k === 'c' && (c.c === 'A' || (ci && c.c === 'a'))) {
        conv.push({ k: 'c', c: ':' });
        i += 2;
      } else conv.push(a);
    }
    out = conv;
  }
  return { toks: out, ci, neg, whenAbsent, text: globText(toks) };
}

function formatLit(id: string, neg: boolean): FieldLit {
  return { toks: litToks(id), ci: false, neg, whenAbsent: neg, text: id };
}

interface SummaryEnv {
  issuer: string;
  version: PolicyVersion | 'unknown';
  options: EvaluationOptions;
  /** Subject formats the summary models field by field (legacy, immutable, templates). */
  grammars: { id: string; grammar: GElem[] }[];
}

/**
 * The products one condition value stands for, as constraints on fields. `whenAbsent` is the
 * condition's result when the claim is absent.
 */
function valueProducts(claim: string, pattern: ParsedPattern, ci: boolean, whenAbsent: boolean, source: ValueSource, env: SummaryEnv): Product[] {
  const toks = pattern.toks;
  const mk = (lits: Map<string, FieldLit[]>): Product => ({ lits, sources: [source], opaque: [], uncertain: pattern.uncertain });
  const fmtLit = formatLit;
  if (claim === 'sub') {
    const out: Product[] = [];
    for (const g of env.grammars) {
      const cuts = cutGlob(toks, ci, g.grammar, sliceAllows);
      if (!cuts) {
        // Too many ways to cut it (a run of `*?`): described with its fields unbounded, uncertain,
        // so that the region is still reported on (left undescribed, a missing audience went unsaid).
        out.push({ ...mk(new Map([['format', [fmtLit(g.id, false)]], ['sub', [{ toks, ci, neg: false, whenAbsent, text: globText(toks) }]]])), uncertain: true });
        continue;
      }
      for (const cut of cuts) {
        const lits = new Map<string, FieldLit[]>([['format', [fmtLit(g.id, false)]]]);
        let ok = true;
        for (const [field, slice] of cut) {
          const lit = subSliceToLit(field, slice, ci, false, whenAbsent);
          if (!lit) {
            ok = false;
            break;
          }
          lits.set(field, [...(lits.get(field) ?? []), lit]);
        }
        if (ok) out.push(mk(lits));
      }
    }
    // Tokens in any other format: matched on the whole subject.
    out.push({ ...mk(new Map([['format', env.grammars.map((g) => fmtLit(g.id, true))], ['sub', [{ toks, ci, neg: false, whenAbsent, text: globText(toks) }]]])), fallback: true });
    return out.filter((p) => productSatisfiable(p));
  }
  const grammar = claimGrammar(claim);
  if (grammar.length === 1 && 'field' in grammar[0]) {
    return [mk(new Map([[grammar[0].field, [{ toks, ci, neg: false, whenAbsent, text: globText(toks) }]]]))].filter((p) => productSatisfiable(p));
  }
  const cuts = cutGlob(toks, ci, grammar, (f, ch) => fieldSpec(f).cls === 'any' || classHas(fieldSpec(f).cls, ch));
  if (!cuts) return [{ ...mk(new Map()), uncertain: true }];
  return cuts
    .map((cut) => mk(new Map([...cut].map(([f, t]) => [f, [{ toks: t, ci, neg: false, whenAbsent, text: globText(t) }]]))))
    .filter((p) => productSatisfiable(p));
}

/** P \ Q as a union of products (exact: x ∈ P, x ∉ Q ⇔ some literal of Q fails). */
function subtract(ps: Product[], q: Product, cap: number): Product[] | undefined {
  const out: Product[] = [];
  for (const p of ps) {
    if (!q.lits.size) continue; // Q is everything: nothing of P survives.
    if (!productSatisfiable(andProducts(p, q), q.lits.keys())) {
      out.push(p); // disjoint: nothing to remove
      continue;
    }
    for (const [f, ls] of q.lits)
      for (const l of ls) {
        // A literal P already has cannot fail inside P: no split for it.
        if (p.lits.get(f)?.some((x) => litKey(x) === litKey(l))) continue;
        const np: Product = { ...p, lits: new Map(p.lits) };
        np.lits.set(f, [...(np.lits.get(f) ?? []), negateLit(l)]);
        if (productSatisfiable(np, [f])) out.push(np);
        if (out.length > cap) return undefined;
      }
  }
  return out;
}

function firstField(claim: string): string {
  return claimGrammar(claim).find((e): e is { field: string } => 'field' in e)!.field;
}

/** A product requiring a field to be present (or absent). */
function presenceProduct(field: string, present: boolean): Product {
  const lit: FieldLit = { toks: [STAR], ci: false, neg: !present, whenAbsent: !present, text: '*' };
  return { ...emptyProduct(), lits: new Map([[field, [lit]]]) };
}

interface StatementRegion {
  products: Product[];
  /** Exclusions that could not be subtracted symbolically (their membership is 'unknown' or they are too large). */
  pending: Product[];
  uncertain: boolean;
}

const PRODUCT_CAP = 2000;

/** The set of tokens (of one issuer) for which a statement applies, as a union of products. */
function statementRegion(st: Statement, env: SummaryEnv): StatementRegion {
  const region: StatementRegion = { products: [], pending: [], uncertain: false };
  const fake: EvalEnv = { token: { issuer: env.issuer, sub: '', aud: '' }, version: env.version, options: env.options };
  const principal = principalApplies(st, fake);
  const action = actionApplies(st, env.options.action ?? WEB_IDENTITY_ACTION);
  if (principal === false || action === false) return region;
  const maybe = principal === 'unknown' || action === 'unknown' || effectOf(st) === 'unknown';
  // One product per subject format (the known ones, and "any other"), so that subtractions stay small.
  let products: Product[] = [
    ...env.grammars.map((g) => ({ ...emptyProduct(), maybe, lits: new Map([['format', [formatLit(g.id, false)]]]) })),
    { ...emptyProduct(), maybe, lits: new Map([['format', env.grammars.map((g) => formatLit(g.id, true))]]) },
  ];
  if (maybe) region.uncertain = true;
  const exclusions: Product[] = [];
  for (const c of st.conditions) {
    const keyText = knownText(c.key);
    const op = canonicalOperator(c.baseOperator);
    const opaque = () => {
      products = products.map((p) => ({ ...p, opaque: [...p.opaque, c] }));
      region.uncertain = true;
    };
    if (keyText === undefined || c.operator.resolution === 'unresolved') {
      opaque();
      continue;
    }
    const k = parseConditionKey(keyText);
    let state: 'evaluated' | 'absent' | 'opaque' = 'absent';
    if (k?.github) {
      if (sameIssuer(k.github.host, env.issuer)) {
        const ev = awsEvaluation(k.claim, env.options.evaluatedClaims);
        state = ev === 'evaluated' && claimInfo(k.claim)?.presence !== 'never' ? 'evaluated' : ev === 'unconfirmed' ? 'opaque' : 'absent';
      }
    } else if (k && !k.hasScheme && !isProviderPrefix(k.issuer)) state = 'opaque';
    if (state === 'opaque') {
      opaque();
      continue;
    }
    if (op === 'Null') {
      if (state === 'absent') {
        const wants = c.values.map((v) => knownText(v)?.toLowerCase());
        if (wants.some((w) => w !== 'true' && w !== 'false')) opaque();
        else if (!wants.includes('true')) products = [];
        continue;
      }
      const wants = new Set(c.values.map((v) => knownText(v)?.toLowerCase()));
      if ([...wants].some((w) => w !== 'true' && w !== 'false')) {
        opaque();
        continue;
      }
      if (wants.has('true') && wants.has('false')) continue;
      if (!wants.size) products = [];
      else products = products.map((p) => andProducts(p, presenceProduct(firstField(k!.claim), wants.has('false')))).filter((p) => productSatisfiable(p));
      continue;
    }
    if (state === 'absent') {
      if (!absentResult(c)) products = [];
      continue;
    }
    if (!isStringOperator(op)) {
      opaque();
      continue;
    }
    const ci = /IgnoreCase$/.test(op);
    const whenAbsent = absentResult(c);
    const claim = k!.claim;
    const alternatives: Product[] = [];
    for (const v of c.values) {
      const pattern = conditionPattern(env.options.placeholdersAsNames ? placeholdersAsNames(v, claim) : v, op, env.version);
      pushAll(alternatives, valueProducts(claim, pattern, ci, isNegatedOperator(op) ? false : whenAbsent, { condition: c, value: v }, env));
      if (pattern.uncertain) region.uncertain = true;
    }
    const field = firstField(claim);
    if (!isNegatedOperator(op)) {
      // OR over values, AND with what we have. An optional claim that is absent satisfies `whenAbsent`.
      const alts = [...alternatives];
      if (!alts.length && whenAbsent && fieldSpec(field).optional) alts.push(presenceProduct(field, false));
      const next: Product[] = [];
      for (const p of products)
        for (const a of alts) {
          const np = andProducts(p, a);
          if (productSatisfiable(np, a.lits.keys())) next.push(np);
        }
      products = next;
    } else {
      if (!whenAbsent) products = products.map((p) => andProducts(p, presenceProduct(field, true))).filter((p) => productSatisfiable(p));
      for (const a of alternatives) exclusions.push({ ...a, sources: [] });
    }
    if (products.length > PRODUCT_CAP) {
      region.uncertain = true;
      products = products.slice(0, PRODUCT_CAP);
    }
  }
  for (const q of exclusions) {
    if (q.opaque.length || q.uncertain || q.maybe) {
      region.pending.push(q);
      region.uncertain = true;
      continue;
    }
    const next = subtract(products, q, PRODUCT_CAP);
    if (!next) {
      region.pending.push(q);
      region.uncertain = true;
    } else products = next;
  }
  region.products = products;
  return region;
}

/** A set of tokens a policy admits through one Allow statement and one choice of condition values. */
export interface AdmittedRegion {
  statement: Statement;
  /** The positive condition values this region comes from (one per positive condition). */
  sources: ValueSource[];
  /** Subject formats admitted (`legacy`, `immutable`, template ids); empty = any format. */
  formats: string[];
  owner: FieldScope;
  ownerId: FieldScope;
  repo: FieldScope;
  repoId: FieldScope;
  contexts: ContextScope;
  audience: FieldScope;
  /** `job_workflow_ref` without its `@ref` part. */
  jobWorkflow: FieldScope;
  /** Constraints on other claims (`ref`, `environment`, `workflow`, `actor`, …). */
  claims: Map<string, FieldScope>;
  /**
   * How far the region reaches: `any-owner` (an owner name is not pinned: anyone can create a
   * matching account), `any-repo` (one owner, any repository), `any-context` (one repository, every
   * branch and pull requests or environments), `narrow` otherwise.
   */
  breadth: 'any-owner' | 'any-repo' | 'any-context' | 'narrow';
  /** Pinned by `job_workflow_ref` (a reusable workflow at a fixed path), the docs-recommended anchor. */
  anchoredByWorkflow: boolean;
  /**
   * Restricted by `job_workflow_ref` but by nothing about the caller (owner, repository, their
   * ids): every repository that can call the workflow gets in, of any owner when the workflow's
   * repository is public. Such a region is `any-owner`.
   */
  workflowOnly: boolean;
  /** Depends on unresolved values, unmodelled conditions, or exclusions that could not be subtracted. */
  uncertain: boolean;
  /** Conditions the summary could not model (non-GitHub keys, unresolved keys, unconfirmed claims). */
  opaque: Condition[];
  admits(facts: TokenFacts): Tri;
}

export interface IssuerAdmission {
  issuer: GitHubIssuer | { host: string; kind: 'other' };
  /** Allow statements that trust this issuer for web identity. */
  statements: Statement[];
  regions: AdmittedRegion[];
  /** Union over regions. */
  owners: FieldScope;
  repositories: { owner: FieldScope; repo: FieldScope }[];
  anyOwner: boolean;
  admits(facts: TokenFacts): Tri;
}

export interface TrustSummary {
  policy: TrustPolicy;
  issuers: IssuerAdmission[];
  /** Some answer depends on unresolved values or unmodelled conditions. */
  uncertain: boolean;
  /** Whether the policy admits the token GitHub mints for these facts (symbolic; agrees with `evaluateTrustPolicy`). */
  admits(facts: TokenFacts): Tri;
}

// ---- admits(facts) on products ----------------------------------------------------------------

/** The value of a field for a token minted from facts; undefined = absent. */
function fieldValue(facts: TokenFacts, field: string): ClaimText | undefined | 'unknown' {
  switch (field) {
    case 'owner':
      return facts.owner;
    case 'repo':
      return facts.repo;
    case 'ownerId':
      return facts.ownerId ?? 'unknown';
    case 'repoId':
      return facts.repoId ?? 'unknown';
    case 'context':
      return subjectContextOf(facts) ?? 'unknown';
    case 'format':
      return formatOfFacts(facts);
    case 'sub':
      return buildSubject(facts) ?? 'unknown';
    case 'aud':
      return facts.audience ?? DEFAULT_AUDIENCES[0];
    case 'jwr.path':
    case 'jwr.ref': {
      const jwr = claimOfFacts(facts, 'job_workflow_ref');
      if (jwr === undefined) return 'unknown';
      const pieces = piecesOf(jwr);
      let path = '';
      for (let i = 0; i < pieces.length; i++) {
        const p = pieces[i];
        if (p === null) return 'unknown';
        const at = p.indexOf('@');
        if (at >= 0) {
          if (field === 'jwr.path') return path + p.slice(0, at);
          const rest = [p.slice(at + 1), ...pieces.slice(i + 1)];
          return concatText(...rest.map((x) => (x === null ? { value: '', resolution: 'unresolved' as const } : x)));
        }
        path += p;
      }
      return 'unknown';
    }
    default: {
      const v = claimOfFacts(facts, field);
      if (v === undefined) return claimInfo(field)?.presence === 'always' ? 'unknown' : undefined;
      return v;
    }
  }
}

function litHolds(l: FieldLit, v: ClaimText | undefined | 'unknown'): Tri {
  if (v === 'unknown') return 'unknown';
  if (v === undefined) return l.whenAbsent;
  const r = match3({ toks: l.toks, uncertain: l.toks.some((t) => t.k === 'u') }, l.ci, v);
  return l.neg ? not3(r) : r;
}

function productAdmits(p: Product, facts: TokenFacts): Tri {
  const rs: Tri[] = [];
  for (const [f, ls] of p.lits) {
    const v = fieldValue(facts, f);
    for (const l of ls) rs.push(litHolds(l, v));
  }
  const base = allOf3(rs);
  return p.opaque.length || p.maybe ? and3(base, 'unknown') : base;
}

function regionAdmits(products: Product[], pending: Product[], facts: TokenFacts): Tri {
  const inside = anyOf3(products.map((p) => productAdmits(p, facts)));
  if (inside === false) return false;
  return and3(inside, not3(anyOf3(pending.map((q) => productAdmits(q, facts)))));
}

// ---- the summary --------------------------------------------------------------------------------

function mergeScopes(scopes: FieldScope[]): FieldScope {
  if (!scopes.length) return { constrained: false, unbounded: false, patterns: [], values: [] };
  const unbounded = scopes.some((s) => s.unbounded);
  const values = unbounded || scopes.some((s) => !s.values) ? undefined : [...new Set(scopes.flatMap((s) => s.values!))].sort();
  return { constrained: scopes.every((s) => s.constrained), unbounded, values, patterns: [...new Set(scopes.flatMap((s) => s.patterns))] };
}

function scopeOfProducts(products: Product[], field: string, cls: CharClass): FieldScope {
  return mergeScopes(products.map((p) => fieldScope(p.lits.get(field), cls)));
}

function isDescribed(p: Product): boolean {
  return !p.fallback && (p.lits.get('format') ?? []).some((l) => !l.neg);
}

function describeRegion(st: Statement, all: Product[], pending: Product[], uncertain: boolean): AdmittedRegion {
  // Whole-subject products (formats the summary does not cut: no positive format literal) are kept
  // for `admits` but not described.
  const products = all.filter(isDescribed);
  const owner = scopeOfProducts(products, 'owner', 'name');
  const ownerId = scopeOfProducts(products, 'ownerId', 'digits');
  const repo = scopeOfProducts(products, 'repo', 'name');
  const repoId = scopeOfProducts(products, 'repoId', 'digits');
  const jobWorkflow = scopeOfProducts(products, 'jwr.path', 'noAt');
  const audience = scopeOfProducts(products, 'aud', 'any');
  // Context scopes cost three automata per product: computed when first asked for.
  let contextMemo: ContextScope | undefined;
  const contextsOf = (): ContextScope => {
    if (contextMemo) return contextMemo;
    const ctxs = products.map((p) => contextScope(p.lits.get('context')));
    return (contextMemo = {
      pullRequest: ctxs.some((c) => c.pullRequest),
      branches: mergeScopes(ctxs.map((c) => c.branches)),
      tags: mergeScopes(ctxs.map((c) => c.tags)),
      environments: mergeScopes(ctxs.map((c) => c.environments)),
      any: ctxs.some((c) => c.any),
    });
  };
  const claimNames = new Set<string>();
  for (const p of products) for (const f of p.lits.keys()) if (!Object.hasOwn(FIELD_SPECS, f)) claimNames.add(f);
  const claims = new Map<string, FieldScope>();
  for (const name of [...claimNames].sort()) claims.set(name, scopeOfProducts(products, name, 'any'));
  const formats = [...new Set(products.flatMap((p) => (p.lits.get('format') ?? []).filter((l) => !l.neg).map((l) => l.text)))].sort();
  const bounded = (s: FieldScope) => s.constrained && !s.unbounded;
  const anchoredByWorkflow = bounded(jobWorkflow);
  // A restricting condition on an owner-id claim AWS may or may not evaluate: it pins the owner, or
  // (if not evaluated) it never matches — either way no other owner gets in.
  const opaquePin = all.some((p) => p.opaque.some((c) => parseConditionKey(c.key.value)?.claim === 'repository_owner_id' && isRestrictingCondition(c)));
  // `job_workflow_ref` names the workflow that runs, not who runs it: a reusable workflow in a
  // public repository can be called from any repository of any owner, so only a condition on the
  // caller (owner, repository, their ids) pins the owner (issue 16 item 7).
  const callerPinned = bounded(owner) || bounded(ownerId) || bounded(repoId) || opaquePin;
  const ownerPinned = !products.length || callerPinned;
  const workflowOnly = !!products.length && !callerPinned && jobWorkflow.constrained;
  const repoPinned = ownerPinned && (bounded(repoId) || bounded(repo) || anchoredByWorkflow);
  const otherContextClaims = ['ref', 'environment', 'workflow'].some((c) => claims.get(c)?.constrained);
  const breadth = !ownerPinned ? 'any-owner' : !repoPinned ? 'any-repo' : !anchoredByWorkflow && !otherContextClaims && contextsOf().any ? 'any-context' : 'narrow';
  const sources = all[0]?.sources ?? [];
  const opaque = [...new Set(all.flatMap((p) => p.opaque))];
  return {
    statement: st,
    sources,
    formats,
    owner,
    ownerId,
    repo,
    repoId,
    get contexts() {
      return contextsOf();
    },
    audience,
    jobWorkflow,
    claims,
    breadth,
    anchoredByWorkflow,
    workflowOnly,
    uncertain: uncertain || all.some((p) => p.uncertain || p.maybe) || opaque.length > 0 || pending.length > 0,
    opaque,
    admits: (facts) => regionAdmits(all, pending, facts),
  };
}

function collectGrammars(policy: TrustPolicy, options: EvaluationOptions): SummaryEnv['grammars'] {
  const templates: SubjectTemplate[] = [...(options.subjectTemplates ?? [])];
  for (const st of policy.statements)
    for (const c of st.conditions) {
      if (parseConditionKey(c.key.value)?.claim !== 'sub') continue;
      for (const v of c.values) {
        const t = knownText(v) !== undefined ? inferSubjectTemplate(v.value) : undefined;
        if (t) templates.push(t);
      }
    }
  const out: SummaryEnv['grammars'] = [
    { id: 'legacy', grammar: subjectGrammar(undefined, false) },
    { id: 'immutable', grammar: subjectGrammar(undefined, true) },
  ];
  const seen = new Set(['legacy', 'immutable']);
  for (const t of templates)
    for (const imm of t.includes('repo') ? [false, true] : [false]) {
      const id = subjectFormatId(t, imm);
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ id, grammar: subjectGrammar(t, imm) });
    }
  return out;
}

/** The GitHub issuers (or other providers) a statement's principal trusts for web identity. */
export function issuersOfStatement(st: Statement): (GitHubIssuer | { host: string; kind: 'other' })[] {
  const out: (GitHubIssuer | { host: string; kind: 'other' })[] = [];
  const add = (i: GitHubIssuer | { host: string; kind: 'other' }) => {
    if (!out.some((o) => sameIssuer(o.host, i.host))) out.push(i);
  };
  const fromKeys = () => st.conditions.map((c) => parseConditionKey(c.key.value)?.github).filter((g): g is GitHubIssuer => !!g && g.kind !== 'legacy');
  for (const p of st.principals) {
    const kind = p.kind.toLowerCase();
    if (kind === 'federated') {
      const iss = githubIssuerOfPrincipal(p.value.value);
      if (iss) add(iss);
      // An unresolved provider reference (`!Ref GithubOidc`, `module.oidc.arn`): the condition keys
      // say which issuer it is — exactly, or through a near-miss of a GitHub key (`https://…:sub`,
      // a misspelled host), which still shows the statement is meant for GitHub (issue 16 item 2).
      else if (knownText(p.value) === undefined) {
        const exact = fromKeys();
        if (exact.length) exact.forEach(add);
        else for (const c of st.conditions) {
          const near = nearMissIssuer(c.key.value);
          if (near) add(near);
        }
      }
    } else if (kind === '*') {
      // "Principal": "*" trusts every provider: the ones its condition keys name, github.com otherwise.
      const fromKeys = st.conditions.map((c) => parseConditionKey(c.key.value)?.github).filter((g): g is GitHubIssuer => !!g);
      if (fromKeys.length) fromKeys.forEach(add);
      else add({ host: GITHUB_ISSUER_HOST, kind: 'github' });
    }
  }
  return out;
}

/** The 12-digit account id an ARN shows, when it is written out (not a placeholder). */
export function accountOfArn(arn: ClaimText | undefined): string | undefined {
  const text = arn === undefined ? undefined : knownText(arn);
  return text === undefined ? undefined : /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(text.trim())?.[1];
}

/**
 * The OIDC providers of the scan that a statement's Federated principal may name for one GitHub
 * issuer: the providers for that issuer, less those whose account differs from the principal's
 * where both ARNs show it. Empty when no Federated principal names the issuer (or `Principal: *`).
 */
export function providersOfStatement(st: Statement, issuerHost: string, providers: readonly OidcProvider[]): OidcProvider[] {
  const principals = st.principals.filter((p) => {
    if (p.kind.toLowerCase() !== 'federated') return false;
    const iss = githubIssuerOfPrincipal(p.value.value);
    return iss ? sameIssuer(iss.host, issuerHost) : knownText(p.value) === undefined;
  });
  if (!principals.length) return [];
  const accounts = principals.map((p) => accountOfArn(p.value));
  return providers.filter((pr) => {
    const url = knownText(pr.url);
    const host = url === undefined ? undefined : parseGitHubIssuer(url)?.host;
    if (!host || !sameIssuer(host, issuerHost)) return false;
    const account = accountOfArn(pr.arn);
    return account === undefined || accounts.some((a) => a === undefined || a === account);
  });
}

/** The GitHub issuer a condition key almost names (a scheme, an ARN prefix, a misspelled or retired host, `/` for `:`). */
function nearMissIssuer(key: string): GitHubIssuer | undefined {
  if (knownText(key) === undefined) return undefined;
  const d = diagnoseConditionKey(key, []);
  if (d.kind !== 'scheme' && d.kind !== 'arn-prefix' && d.kind !== 'misspelled-issuer' && d.kind !== 'no-claim' && d.kind !== 'legacy-issuer') return undefined;
  return parseConditionKey(d.expected)?.github;
}

/** The GitHub issuer a statement's Federated principal names (first one found). */
export function githubIssuerOfStatement(st: Statement): GitHubIssuer | undefined {
  for (const p of st.principals) {
    if (p.kind.toLowerCase() !== 'federated') continue;
    const iss = githubIssuerOfPrincipal(p.value.value);
    if (iss) return iss;
  }
  return undefined;
}

/**
 * What a trust policy admits, per GitHub issuer, computed symbolically from the condition patterns
 * (domain.md §C.5): every Allow statement contributes regions (one per choice of positive condition
 * values), from which negated conditions and every applicable Deny statement are subtracted.
 */
export function summarizeTrustPolicy(policy: TrustPolicy, options: EvaluationOptions = {}): TrustSummary {
  const version = policyVersion(policy, options);
  const grammars = collectGrammars(policy, options);
  const issuers: IssuerAdmission['issuer'][] = [];
  for (const st of policy.statements) {
    if (effectOf(st) === 'Deny') continue;
    for (const i of issuersOfStatement(st)) if (!issuers.some((x) => sameIssuer(x.host, i.host))) issuers.push(i);
  }
  let uncertain = false;
  const admissionOf = (issuer: IssuerAdmission['issuer']): IssuerAdmission => {
    const env: SummaryEnv = { issuer: issuer.host, version, options, grammars };
    const denies = policy.statements.filter((s) => effectOf(s) !== 'Allow').map((s) => ({ s, r: statementRegion(s, env) }));
    const allows = policy.statements.filter((s) => effectOf(s) !== 'Deny');
    const regions: AdmittedRegion[] = [];
    const statements: Statement[] = [];
    const regionParts: { products: Product[]; pending: Product[] }[] = [];
    for (const st of allows) {
      const r = statementRegion(st, env);
      if (!r.products.length && !r.pending.length) continue;
      statements.push(st);
      let products = r.products;
      const pending = [...r.pending];
      let unc = r.uncertain;
      for (const d of denies) {
        if (!d.r.products.length && !d.r.pending.length) continue;
        if (d.r.pending.length) {
          // A Deny whose own extent is not exact: anything it may cover becomes 'unknown'.
          pushAll(pending, d.r.products.map((q) => ({ ...q, maybe: true })));
          unc = true;
          continue;
        }
        for (const q of d.r.products) {
          const next = q.opaque.length || q.maybe || q.uncertain ? undefined : subtract(products, q, PRODUCT_CAP);
          if (!next) {
            pending.push(q);
            unc = true;
          } else products = next;
        }
      }
      // One region per choice of positive values.
      const groups = new Map<string, Product[]>();
      for (const p of products) {
        // Possible values of one expression share its location: the input each is taken under tells them
        // apart; so does the text of the values a template loop writes at one place (`%{ for }`).
        const key = p.sources.map((x) => `${x.condition.loc.start.line}:${x.condition.loc.start.column}:${x.value.loc.start.line}:${x.value.loc.start.column}${x.value.when ? `\u0001${x.value.when.text}` : ''}\u0002${x.value.value}`).join('|');
        groups.set(key, [...(groups.get(key) ?? []), p]);
      }
      // Regions whose tokens are all in formats the summary does not cut are not described.
      for (const ps of groups.values()) if (ps.some(isDescribed)) regions.push(describeRegion(st, ps, pending, unc));
      if (unc) uncertain = true;
      regionParts.push({ products, pending });
    }
    return {
      issuer,
      statements,
      regions,
      owners: mergeScopes(regions.map((r) => r.owner)),
      repositories: regions.map((r) => ({ owner: r.owner, repo: r.repo })),
      anyOwner: regions.some((r) => r.breadth === 'any-owner'),
      admits: (facts: TokenFacts): Tri => {
        if (!sameIssuer(facts.issuer ?? GITHUB_ISSUER_HOST, issuer.host)) return false;
        return anyOf3(regionParts.map((rp) => regionAdmits(rp.products, rp.pending, facts)));
      },
    };
  };
  const admissions = issuers.map(admissionOf);
  // `"Principal": "*"` trusts every issuer: other issuers are summarised when asked about.
  const extra = new Map<string, IssuerAdmission>();
  const forIssuer = (host: string): IssuerAdmission => {
    const known = admissions.find((a) => sameIssuer(a.issuer.host, host));
    if (known) return known;
    const key = normalizeIssuer(host);
    let a = extra.get(key);
    if (!a) {
      a = admissionOf(parseGitHubIssuer(host) ?? { host, kind: 'other' });
      extra.set(key, a);
    }
    return a;
  };
  return {
    policy,
    issuers: admissions,
    uncertain,
    admits: (facts) => forIssuer(normalizeIssuer(facts.issuer ?? GITHUB_ISSUER_HOST)).admits(facts),
  };
}

const summaryCache = new WeakMap<TrustPolicy, TrustSummary>();

/**
 * `summarizeTrustPolicy` as the rules and `explain` read a policy (placeholders judged as the names
 * they stand for), computed once per policy.
 */
export function summaryOf(policy: TrustPolicy): TrustSummary {
  let s = summaryCache.get(policy);
  if (!s) {
    s = summarizeTrustPolicy(policy, { placeholdersAsNames: true });
    summaryCache.set(policy, s);
  }
  return s;
}

// =============================================================================================
// 5. Older helpers kept for callers: per-value subject classification, audiences, conditions
// =============================================================================================

/**
 * How much a `sub` pattern admits, read symbolically from the pattern alone (no other conditions):
 * - `any-owner`: a wildcard before the owner name is complete (`*`, `repo:*`, `repo:org*`);
 * - `any-repo`: the owner is fixed, the repository name is not (`repo:org/*`);
 * - `any-context`: owner and repository fixed, every branch, pull request and environment (`repo:org/repo:*`);
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
  // An unresolved piece of an IaC value (`${Org}` from a parameter without default) is one fixed
  // but unknown name, not a wildcard: it is kept as a single opaque element (`o`).
  type Tok = GTok | { k: 'o'; text: string };
  const read = (text: string): Tok[] => (like ? parsePolicyString(text, true, true).toks.map((t) => (t.k === 'u' ? STAR : t)) : litToks(text));
  const toks: Tok[] = parts?.some((p) => !p.known) ? parts.flatMap((p): Tok[] => (p.known ? read(p.text) : [{ k: 'o', text: p.text }])) : read(pattern);
  const prefix = 'repo:';
  let i = 0;
  for (; i < prefix.length; i++) {
    const t = toks[i];
    if (t === undefined || t.k === 'o') return { scope: 'custom', immutable: false };
    if (t.k !== 'c') return { scope: 'any-owner', immutable: false };
    if (t.c !== prefix[i]) return { scope: 'custom', immutable: false };
  }
  const readSegment = (stops: string): { text: string; wild: boolean } => {
    let text = '';
    let wild = false;
    while (i < toks.length) {
      const t = toks[i];
      if (t.k === 'o') {
        text += t.text;
        i++;
        continue;
      }
      if (t.k !== 'c') {
        wild = true;
        text += '*';
        i++;
        continue;
      }
      if (stops.includes(t.c)) break;
      text += t.c;
      i++;
    }
    return { text, wild };
  };
  const at = (c: string) => toks[i]?.k === 'c' && (toks[i] as { c: string }).c === c;
  const owner = readSegment('/@');
  if (owner.wild || owner.text === '') return { scope: owner.wild ? 'any-owner' : 'never', immutable: false };
  let immutable = false;
  if (at('@')) {
    immutable = true;
    i++;
    readSegment('/');
  }
  if (!at('/')) return { scope: 'never', owner: owner.text, immutable };
  i++;
  const repo = readSegment(':@');
  if (repo.wild) return { scope: 'any-repo', owner: owner.text, immutable };
  if (at('@')) {
    immutable = true;
    i++;
    readSegment(':');
  }
  if (!at(':')) return { scope: 'never', owner: owner.text, repo: repo.text, immutable };
  i++;
  const rest = toks.slice(i);
  const context = rest.map((t) => (t.k === 'o' ? t.text : t.k === 'c' ? t.c : '*')).join('');
  const wildcard = (t: Tok) => t.k === '*' || t.k === '?' || t.k === 'u';
  if (rest.length === 0) return { scope: 'never', owner: owner.text, repo: repo.text, immutable, context };
  if (wildcard(rest[0])) return { scope: 'any-context', owner: owner.text, repo: repo.text, immutable, context };
  if (rest.some(wildcard)) return { scope: 'partial-context', owner: owner.text, repo: repo.text, immutable, context };
  return { scope: 'exact', owner: owner.text, repo: repo.text, immutable, context };
}

// ---- placeholders left from a guide ------------------------------------------------------------

/** A placeholder in a value: where it is and what it stands for. */
export interface PlaceholderSpan {
  start: number;
  end: number;
  text: string;
  /** What the placeholder stands for: `owner`, `repository`, `account` or `value` (anything in `<…>`). */
  role: 'owner' | 'repository' | 'account' | 'value';
}

/** `<OWNER>`, `<your-org>`, `<ACCOUNT_ID>`: angle brackets are in no GitHub name, ref, environment or account id. */
const ANGLE_PLACEHOLDER = /<[A-Za-z][^<>\s]{0,60}>/g;
/** Upper-case names of what goes there (`OWNER`, `GITHUB_ORG`, `REPO_NAME`, `AWS_ACCOUNT_ID`). */
const UPPER_PLACEHOLDER = /^(?:(?:YOUR|GITHUB|GH|AWS)[_-])?(?:OWNER|ORG|ORGANI[SZ]ATION|REPO|REPOSITORY|USER|USERNAME|ACCOUNT|ACCOUNTID)(?:[_-](?:NAME|ID))?$/;
/** `your-org`, `YOUR_REPO`, `your-github-username-here`. */
const YOUR_PLACEHOLDER = /^your[-_]?(?:github[-_]?|aws[-_]?)?(?:org|organi[sz]ation|owner|user(?:name)?|repo(?:sitory)?|account(?:[-_]?id)?|company|team|project|app)(?:[-_]?(?:name|id))?(?:[-_]here)?$/i;
/** `CHANGEME`, `replace-me`, `xxx`. */
const FILLER_PLACEHOLDER = /^(?:change[-_]?me|replace[-_]?me|x{3,})$/i;
/** Generic words that are placeholders only as a pair: `repo:owner/repo`, `org/repository`. */
const GENERIC_OWNER = /^(?:owner|org|organi[sz]ation|user|username)$/;
const GENERIC_REPO = /^(?:repo|repository|repo[-_]?name)$/;

function isPlaceholderName(seg: string): boolean {
  return UPPER_PLACEHOLDER.test(seg) || YOUR_PLACEHOLDER.test(seg) || FILLER_PLACEHOLDER.test(seg);
}

/**
 * Placeholders left in a value where a name belongs — never a name GitHub or AWS gives, so a role
 * with one cannot be used as written. `where` is the claim the value is compared with (`sub`,
 * `repository`, `repository_owner`, `job_workflow_ref`, any other claim: only `<…>`), or
 * `principal` for a provider ARN (the account). Wildcard segments are never placeholders.
 */
export function findNamePlaceholders(text: string, where: string): PlaceholderSpan[] {
  const out: PlaceholderSpan[] = [];
  const seg = (start: number, value: string, role: PlaceholderSpan['role'], generic?: RegExp) => {
    if (/[*?$]/.test(value) || !value) return false;
    if (isPlaceholderName(value) || /^<[A-Za-z][^<>\s]{0,60}>$/.test(value) || (generic && generic.test(value))) {
      out.push({ start, end: start + value.length, text: value, role });
      return true;
    }
    return false;
  };
  const pair = (ownerAt: number, owner: string, repoAt: number, repo: string) => {
    // `owner/repo` in lower case is a placeholder pair; `octo-org/repo` is a real repository.
    const both = GENERIC_OWNER.test(owner) && GENERIC_REPO.test(repo);
    seg(ownerAt, owner, 'owner', both ? GENERIC_OWNER : undefined);
    seg(repoAt, repo, 'repository', both ? GENERIC_REPO : undefined);
  };
  let m: RegExpExecArray | null;
  if (where === 'sub' && (m = /^repo:([^/:@]*)(@[^/:]*)?\/([^:@]*)/.exec(text))) pair(5, m[1], 5 + m[1].length + (m[2]?.length ?? 0) + 1, m[3]);
  else if ((where === 'repository' || where === 'job_workflow_ref') && (m = /^([^/:@]*)\/([^/:@]*)/.exec(text))) pair(0, m[1], m[1].length + 1, m[2]);
  else if (where === 'repository_owner') seg(0, text, 'owner');
  else if (where === 'principal' && (m = /^arn:[^:]*:iam::([^:]*):/.exec(text))) {
    const at = text.indexOf('::') + 2;
    if (!/^\d{12}$/.test(m[1])) seg(at, m[1], 'account');
  }
  for (const a of text.matchAll(ANGLE_PLACEHOLDER)) {
    const start = a.index ?? 0;
    if (!out.some((o) => start < o.end && o.start < start + a[0].length)) out.push({ start, end: start + a[0].length, text: a[0], role: 'value' });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The placeholders of a model value that lie in its known pieces (an unresolved `${…}` is not one). */
export function placeholdersOfValue(v: Value<string>, where: string): PlaceholderSpan[] {
  const spans = findNamePlaceholders(v.value, where);
  if (!spans.length || !v.parts?.some((p) => !p.known)) return spans;
  const known: [number, number][] = [];
  let at = 0;
  for (const p of v.parts) {
    if (p.known) known.push([at, at + p.text.length]);
    at += p.text.length;
  }
  if (at !== v.value.length) return [];
  return spans.filter((s) => known.some(([a, b]) => a <= s.start && s.end <= b));
}

/** A value with its placeholders turned into unknown pieces: judged as the fixed names they stand for. */
function placeholdersAsNames(v: Value<string>, claim: string): Value<string> {
  const spans = placeholdersOfValue(v, claim);
  if (!spans.length) return v;
  const base = v.parts ?? [{ text: v.value, known: true }];
  const parts: ValuePart[] = [];
  let at = 0;
  for (const p of base) {
    const end = at + p.text.length;
    let cursor = at;
    if (p.known)
      for (const s of spans) {
        if (s.start < at || s.end > end) continue;
        if (s.start > cursor) parts.push({ text: p.text.slice(cursor - at, s.start - at), known: true });
        parts.push({ text: s.text, known: false });
        cursor = s.end;
      }
    if (cursor < end) parts.push({ text: p.text.slice(cursor - at), known: p.known });
    at = end;
  }
  return { ...v, resolution: 'unresolved', parts };
}

/**
 * Whether a `sub` pattern pins owner and repository but admits every branch (`…:ref:refs/heads/*`),
 * every tag (`…:ref:refs/tags/*`) or both (`…:ref:refs/*`, `…:ref:*`): whoever can push a branch or
 * a tag gets a matching token. `undefined` for anything narrower or broader.
 */
export function subjectAnyRef(pattern: string, like: boolean, parts?: ValuePart[]): { ref: 'branch' | 'tag' | 'ref'; repository: string } | undefined {
  if (!like) return undefined;
  const info = analyzeSubjectPattern(pattern, like, parts);
  if (info.scope !== 'partial-context' || info.context === undefined) return undefined;
  const m = /^ref:(refs\/(?:(heads|tags)\/)?)?\*+$/.exec(info.context);
  if (!m) return undefined;
  return { ref: m[2] === 'heads' ? 'branch' : m[2] === 'tags' ? 'tag' : 'ref', repository: `${info.owner}/${info.repo}` };
}

/** The audience a GitHub owner URL would be (`https://github.com/<org>`): the classic wrong guide value. */
export function isGitHubOwnerAudience(aud: string): boolean {
  // github.com, GHE.com and GHES owner URLs: https://HOST/OWNER
  return /^https:\/\/[^/\s]+\/[^/\s]+\/?$/i.test(aud) && !/amazonaws\.com/i.test(aud);
}

/**
 * Whether a condition may be on one of `claims` without our being able to tell: its key is
 * unresolved (`${var.issuer}:sub`, or a whole condition block that is a template placeholder) and
 * what is known of it names no other claim; a negated operator never restricts.
 */
export function mayConstrainClaim(c: Condition, claims: ReadonlySet<string>): boolean {
  if (knownText(c.key) !== undefined) return false;
  if (c.operator.resolution !== 'unresolved' && isNegatedOperator(canonicalOperator(c.baseOperator))) return false;
  const last = c.key.parts?.[c.key.parts.length - 1];
  const m = last?.known ? /:([A-Za-z0-9_]+)$/.exec(last.text) : null;
  return !m || claims.has(m[1].toLowerCase());
}

/** Conditions of a statement on a given GitHub claim (any issuer prefix that is a GitHub issuer). */
export function claimConditions(st: Statement, claim: string): Condition[] {
  return st.conditions.filter((c) => {
    const k = parseConditionKey(c.key.value);
    return !!k && !!k.github && k.claim === claim;
  });
}

/**
 * Whether a condition restricts the claim for an Allow statement even when the key is absent: a
 * positive string operator, not IfExists, not ForAllValues (both true when the key is missing),
 * with at least one value.
 */
export function isRestrictingCondition(c: Condition): boolean {
  return POSITIVE_STRING_OPERATORS.has(canonicalOperator(c.baseOperator)) && !c.ifExists && c.qualifier !== 'ForAllValues' && c.values.length > 0;
}

/**
 * Whether a condition value under this operator can ever match a GitHub subject: a wildcard written
 * under StringEquals is literal (domain.md §C.5), so `"*"` there matches only the string `*`. Also
 * true when other pieces of the value are unresolved, as long as the wildcard is in a known piece.
 */
export function hasLiteralWildcard(c: Condition, v: Value<string>): boolean {
  const op = canonicalOperator(c.baseOperator);
  if (isLikeOperator(op) || !isStringOperator(op)) return false;
  // A `*` written in a known piece is literal whatever the unresolved pieces turn out to be
  // (`"repo:${var.org}/${var.repo}:*"`); an unresolved piece itself is never taken for one.
  return piecesOf(v).some((p) => p !== null && /[*?]/.test(p));
}

/** Language facts about one condition value on its own (for per-value rules): how many strings it admits. */
export function valueLanguage(c: Condition, v: Value<string>, version: PolicyVersion | 'unknown' = '2012-10-17'): LanguageInfo & { uncertain: boolean } {
  const op = canonicalOperator(c.baseOperator);
  const p = conditionPattern(v, op, version);
  const info = analyzeLanguage([{ toks: p.toks, ci: /IgnoreCase$/.test(op), neg: false, whenAbsent: false, text: v.value }], 'any');
  return { ...info, uncertain: p.uncertain };
}

/** Whether a condition value matches a concrete string under its operator (three-valued for unresolved values). */
export function conditionValueMatches(c: Condition, v: Value<string>, request: ClaimText, version: PolicyVersion | 'unknown' = '2012-10-17'): Tri {
  const op = canonicalOperator(c.baseOperator);
  if (!isStringOperator(op)) return 'unknown';
  return match3(conditionPattern(v, op, version), /IgnoreCase$/.test(op), request);
}

/** Test hook: the language analysis with and without its shortcuts and caches (test/model/claims.test.ts). */
export const languageAnalysisForTests = {
  analyze: (lits: readonly FieldLit[], cls: CharClass, prefix: string, quick: boolean, unknownAsMark: boolean) => analyzeLanguage(lits, cls, prefix, quick, unknownAsMark),
  uncached: (lits: readonly FieldLit[], cls: CharClass, prefix: string, quick: boolean, unknownAsMark: boolean) => analyzeLanguageUncached(lits, cls, prefix, quick, unknownAsMark),
};
