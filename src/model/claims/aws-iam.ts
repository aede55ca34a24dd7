/**
 * AWS IAM trust policies in the claims model: condition keys (`token.actions…:sub`), operators,
 * the concrete evaluator (`evaluateTrustPolicy`: operators, `IfExists`, set qualifiers, `Null`,
 * missing keys, several statements, explicit Deny, policy variables) and the symbolic summary
 * (`summarizeTrustPolicy`) built on ./regions.ts. The first implementation of the trust interface
 * (./trust.ts).
 */
import { pushAll } from '../../arrays.js';
import type { Condition, OidcProvider, Principal, Statement, TrustPolicy } from '../iam.js';
import type { Value, ValuePart } from '../location.js';
import { GITHUB_ISSUER_HOST, type GitHubIssuer, type SubjectTemplate, type TokenClaims, type TokenFacts, awsEvaluation, claimInfo, classifyIssuer, editDistance, normalizeIssuer, parseGitHubIssuer, sameIssuer, suggestClaim } from './github.js';
import { type GTok, type ParsedPattern, STAR, type VariableResolver, globMatch, litToks, match3, parsePolicyString, stringLike } from './pattern.js';
import { placeholdersAsNames } from './placeholders.js';
import { type AdmittedRegion, type ContextScope, FIELD_SPECS, type FieldLit, type FieldScope, type GElem, type IssuerAdmission, type LanguageInfo, type Product, type TrustSummary, type ValueSource, analyzeLanguage, andProducts, claimGrammar, classHas, contextScope, cutGlob, emptyProduct, fieldSpec, firstField, formatLit, globText, inferSubjectTemplate, isDescribed, mergeScopes, presenceProduct, productSatisfiable, regionAdmits, scopeOfProducts, sliceAllows, subSliceToLit, subjectFormatId, subjectGrammar, subtract } from './regions.js';
import { type ClaimText, type Tri, and3, anyOf3, knownText, not3, piecesOf } from './values.js';

export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';

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

// ---- per-value helpers: subject classification, audiences, conditions -------------------------

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

/**
 * Whether a `sub` pattern pins owner and repository but admits every branch (`…:ref:refs/heads/*`),
 * every tag (`…:ref:refs/tags/*`) or both (`…:ref:refs/*`, `…:ref:*`): whoever can push a branch or
 * a tag gets a matching token. `undefined` for anything narrower or broader.
 */
export function subjectAnyRef(pattern: string, like: boolean, parts?: ValuePart[]): { ref: 'branch' | 'tag' | 'ref'; repository: string } | undefined {
  if (!like) return undefined;
  const anyRef = (context: string, repository: string) => {
    const m = /^ref:(refs\/(?:(heads|tags)\/)?)?\*+$/.exec(context);
    return m ? { ref: m[2] === 'heads' ? ('branch' as const) : m[2] === 'tags' ? ('tag' as const) : ('ref' as const), repository } : undefined;
  };
  // `repo:${var.repository}:ref:refs/heads/*`: one unresolved piece stands for `owner/repo`.
  if (parts?.length === 3 && parts[0].known && parts[0].text === 'repo:' && !parts[1].known && parts[2].known && parts[2].text.startsWith(':') && !/[*?]/.test(parts[1].text))
    return anyRef(parts[2].text.slice(1), parts[1].text);
  const info = analyzeSubjectPattern(pattern, like, parts);
  if (info.scope !== 'partial-context' || info.context === undefined) return undefined;
  return anyRef(info.context, `${info.owner}/${info.repo}`);
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
