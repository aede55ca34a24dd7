/**
 * Google Cloud workload identity federation as trusts (./trust.ts): a pool provider's attribute
 * mapping and CEL attribute condition, joined with the IAM grants to the pool's identities
 * (`principalSet://…/workloadIdentityPools/POOL/*`, `…/attribute.NAME/VALUE`,
 * `principal://…/subject/SUBJECT`), compiled into the common claim-condition form:
 *
 * - `assertion.X == 'v'` is `StringEquals` on claim X; `!=` is `StringNotEquals`; `in [...]` is
 *   `StringEquals` with several values; `.startsWith('p')` / `.endsWith` / `.contains` are
 *   `StringLike` globs; `!` is pushed down; `||` gives one statement per alternative;
 * - `attribute.X` and `google.subject` are read through the mapping when it maps them to a plain
 *   `assertion.Y`; a computed mapping, an attribute that is not mapped, and every construct the
 *   CEL reader does not model (./cel.ts) are an unresolved condition: the answer is `'unknown'`;
 * - the audience: `allowed_audiences`, or when empty the provider's own resource name (with or
 *   without `https:`), which is what Google accepts.
 *
 * Google evaluates every claim of the token (unlike AWS's fixed list), so the trust is compiled
 * with `EVERY_CLAIM_EVALUATED`. Facts and their sources: docs/clouds.md.
 */
import type { Condition, Principal, Role, Statement, TrustPolicy } from '../iam.js';
import type { SourceLocation, Value, ValuePart } from '../location.js';
import { literal as lit, plainLocation, unresolvedText as unresolved } from '../location.js';
import type { GcpAttributeMapping, GcpPoolGrant, GcpPoolMember, GcpPoolProvider } from '../gcp.js';
import { parseCel, type CelExpr, type CelOperand, type Span } from './cel.js';
import { WEB_IDENTITY_ACTION } from './aws-iam.js';
import { GITHUB_ISSUER_HOST, normalizeIssuer, parseGitHubIssuer } from './github.js';
import { EVERY_CLAIM_EVALUATED, compiledTrust, type Trust } from './trust.js';
import { knownText } from './values.js';

/** What a reference in a condition or a member stands for. */
export interface GcpRef {
  /** `assertion.repository_owner`, `attribute.repo`, `google.subject`. */
  text: string;
  /** The GitHub claim it reads, when it reads one plainly. */
  claim?: string;
  /** Why it cannot be read as a claim: the attribute is not mapped, or its mapping is computed. */
  unmapped?: boolean;
  computed?: string;
  mappingUnknown?: boolean;
}

/** One test on one claim (or a piece that cannot be read). */
export type GcpAtom =
  | { kind: 'test'; ref: GcpRef; neg: boolean; like: boolean; values: { value: string; span: Span; given?: Value<string> }[]; span: Span; refSpan: Span }
  | { kind: 'opaque'; span: Span; why: string; ref?: GcpRef; refSpan?: Span };

/** Alternatives (OR) of conjunctions (AND) of atoms; `[]` admits nothing, `[[]]` everything. */
export type GcpDnf = GcpAtom[][];

const MAX_CLAUSES = 64;
const PLAIN_ASSERTION = /^\s*assertion\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*(['"])([^'"\\]+)\2\s*\])\s*$/;

/** `google.subject` / `attribute.X` → the claim its mapping reads, if the mapping is a plain `assertion.Y`. */
export function resolveGcpRef(root: 'assertion' | 'attribute' | 'google', name: string, mapping: readonly GcpAttributeMapping[] | undefined): GcpRef {
  const text = `${root}.${name}`;
  if (root === 'assertion') return { text, claim: name };
  if (!mapping) return { text, mappingUnknown: true };
  const m = mapping.find((x) => x.key.value.trim() === text);
  if (!m) return { text, unmapped: true };
  const v = knownText(m.value);
  const plain = v === undefined ? undefined : PLAIN_ASSERTION.exec(v);
  if (!plain) return { text, computed: v ?? m.value.raw };
  return { text, claim: plain[1] ?? plain[3] };
}

/** The claim a mapping entry reads plainly (`assertion.sub` → `sub`). */
export function plainAssertionClaim(expr: string): string | undefined {
  const m = PLAIN_ASSERTION.exec(expr);
  return m ? (m[1] ?? m[3]) : undefined;
}

/** Every reference a condition makes, with its span (for the rules about unknown claims and attributes). */
export function gcpConditionRefs(condition: string, mapping: readonly GcpAttributeMapping[] | undefined): { ref: GcpRef; span: Span }[] | { error: string; at: number } {
  const parsed = parseCel(condition);
  if ('error' in parsed) return parsed;
  const out: { ref: GcpRef; span: Span }[] = [];
  const visitOperand = (o: CelOperand) => {
    if (o.k === 'ref') out.push({ ref: resolveGcpRef(o.root, o.name, mapping), span: o });
    else if (o.k === 'list') o.items.forEach(visitOperand);
  };
  const visit = (e: CelExpr) => {
    if (e.k === 'and' || e.k === 'or') {
      visit(e.a);
      visit(e.b);
    } else if (e.k === 'not') visit(e.a);
    else if (e.k === 'cmp') {
      visitOperand(e.left);
      visitOperand(e.right);
    } else if (e.k === 'call') {
      visitOperand(e.target);
      e.args.forEach(visitOperand);
    } else if (e.k === 'in') {
      visitOperand(e.item);
      visitOperand(e.list);
    }
  };
  visit(parsed.expr);
  // References inside constructs the reader does not model are still references.
  for (const m of condition.matchAll(/\b(assertion|attribute|google)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const start = m.index;
    if (out.some((r) => r.span.start === start)) continue;
    out.push({ ref: resolveGcpRef(m[1] as 'assertion' | 'attribute' | 'google', m[2], mapping), span: { start, end: start + m[0].length } });
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}

/** The condition as alternatives of tests. A condition that does not parse is one opaque atom. */
export function gcpConditionDnf(condition: string, mapping: readonly GcpAttributeMapping[] | undefined): GcpDnf {
  const parsed = parseCel(condition);
  const whole: Span = { start: 0, end: condition.length };
  if ('error' in parsed) return [[{ kind: 'opaque', span: whole, why: `the condition is not in the CEL subset oidc-lint reads (${parsed.error})` }]];
  const dnf = toDnf(parsed.expr, false, mapping);
  return dnf ?? [[{ kind: 'opaque', span: whole, why: 'the condition has too many alternatives to read' }]];
}

function cross(a: GcpDnf, b: GcpDnf): GcpDnf | undefined {
  if (a.length * b.length > MAX_CLAUSES) return undefined;
  return a.flatMap((x) => b.map((y) => [...x, ...y]));
}

function toDnf(e: CelExpr, neg: boolean, mapping: readonly GcpAttributeMapping[] | undefined): GcpDnf | undefined {
  switch (e.k) {
    case 'and':
    case 'or': {
      const a = toDnf(e.a, neg, mapping);
      const b = toDnf(e.b, neg, mapping);
      if (!a || !b) return undefined;
      // De Morgan: under a negation, AND is OR and OR is AND.
      if ((e.k === 'and') !== neg) return cross(a, b);
      return a.length + b.length > MAX_CLAUSES ? undefined : [...a, ...b];
    }
    case 'not':
      return toDnf(e.a, !neg, mapping);
    case 'bool':
      return e.value !== neg ? [[]] : [];
    case 'opaque':
      return [[{ kind: 'opaque', span: e, why: `'${e.text}' is not read` }]];
    default:
      return [[atomOf(e, neg, mapping)]];
  }
}

function atomOf(e: Extract<CelExpr, { k: 'cmp' | 'call' | 'in' }>, neg: boolean, mapping: readonly GcpAttributeMapping[] | undefined): GcpAtom {
  const opaque = (why: string, ref?: CelOperand): GcpAtom =>
    ref?.k === 'ref' ? { kind: 'opaque', span: e, why, ref: resolveGcpRef(ref.root, ref.name, mapping), refSpan: ref } : { kind: 'opaque', span: e, why };
  const test = (refOp: Extract<CelOperand, { k: 'ref' }>, n: boolean, like: boolean, values: { value: string; span: Span }[]): GcpAtom => {
    const ref = resolveGcpRef(refOp.root, refOp.name, mapping);
    if (!ref.claim) {
      const why = ref.unmapped ? `${ref.text} is not mapped` : ref.computed !== undefined ? `${ref.text} is computed (${ref.computed})` : `the attribute mapping is not known`;
      return { kind: 'opaque', span: e, why, ref, refSpan: refOp };
    }
    return { kind: 'test', ref, neg: n, like, values, span: e, refSpan: refOp };
  };
  if (e.k === 'cmp') {
    const [ref, lit] = e.left.k === 'ref' ? [e.left, e.right] : [e.right, e.left];
    const n = (e.op === '!=') !== neg;
    if (ref.k === 'ref' && lit.k === 'str') return test(ref, n, false, [{ value: lit.value, span: lit }]);
    return opaque(`'${e.left.k === 'ref' ? 'comparison' : 'expression'}' is not a comparison of a claim with a string`, ref.k === 'ref' ? ref : undefined);
  }
  if (e.k === 'in') {
    if (e.item.k === 'ref' && e.list.k === 'list' && e.list.items.every((i) => i.k === 'str'))
      return test(
        e.item,
        neg,
        false,
        e.list.items.map((i) => ({ value: (i as { value: string }).value, span: i })),
      );
    return opaque('membership test not read', e.item.k === 'ref' ? e.item : undefined);
  }
  const arg = e.args[0];
  if (e.target.k === 'ref' && e.args.length === 1 && arg.k === 'str' && ['startsWith', 'endsWith', 'contains'].includes(e.method)) {
    // A glob cannot say a literal `*` or `?`: such a test is not modelled.
    if (/[*?]/.test(arg.value)) return opaque(`a ${e.method} argument with '*' or '?' is not modelled`, e.target);
    const pattern = e.method === 'startsWith' ? `${arg.value}*` : e.method === 'endsWith' ? `*${arg.value}` : `*${arg.value}*`;
    return test(e.target, neg, true, [{ value: pattern, span: arg }]);
  }
  return opaque(`.${e.method}() is not read`, e.target.k === 'ref' ? e.target : undefined);
}

// ---- members of IAM grants ----------------------------------------------------------------------

export type GcpMemberScope =
  | { kind: 'pool' }
  | { kind: 'attribute'; attribute: string; value: ClaimValue }
  | { kind: 'subject'; value: ClaimValue }
  | { kind: 'other'; why: string };

type ClaimValue = { value: string; parts?: ValuePart[]; resolution: Value['resolution'] };

/** `principalSet://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/POOL/REST`, or with the pool's `name` from Terraform (`…/${google_iam_workload_identity_pool.x.name}/REST`). */
const MEMBER_RE = /^(principalSet|principal):\/\/iam\.googleapis\.com\/(?:.*?workloadIdentityPools\/[^/]*|\$\{[^}]*\})\/(.*)$/;

/** The value of a member after `offset` characters, keeping which pieces are known. */
function tail(v: Value<string>, offset: number): ClaimValue {
  if (!v.parts || v.resolution !== 'unresolved') return { value: v.value.slice(offset), resolution: v.resolution };
  const parts: ValuePart[] = [];
  let at = 0;
  for (const p of v.parts) {
    const end = at + p.text.length;
    if (end > offset) parts.push({ text: p.text.slice(Math.max(0, offset - at)), known: p.known });
    at = end;
  }
  return { value: parts.map((p) => p.text).join(''), parts, resolution: parts.every((p) => p.known) ? 'expression' : 'unresolved' };
}

/** Which identities of a pool a member names: the whole pool, one attribute value, one subject. */
export function gcpMemberScope(v: Value<string>): GcpMemberScope {
  const m = MEMBER_RE.exec(v.value);
  if (!m) return { kind: 'other', why: 'not a workload identity pool member' };
  const rest = m[2];
  const restAt = v.value.length - rest.length;
  if (m[1] === 'principalSet' && rest === '*') return { kind: 'pool' };
  const attr = /^attribute\.([A-Za-z_][A-Za-z0-9_]*)\//.exec(rest);
  if (m[1] === 'principalSet' && attr) return { kind: 'attribute', attribute: attr[1], value: tail(v, restAt + attr[0].length) };
  if (m[1] === 'principal' && rest.startsWith('subject/')) return { kind: 'subject', value: tail(v, restAt + 'subject/'.length) };
  return { kind: 'other', why: `${m[1]} …/${rest.split('/')[0]} is not modelled` };
}

/** The pool a member names: the literal id in `…/workloadIdentityPools/ID/…`, else a Terraform pool reference. */
export function poolKeyOfMember(v: Value<string>): string | undefined {
  const known = v.parts ? v.parts.map((p) => (p.known ? p.text : '\u0000')).join('') : v.value;
  const id = /workloadIdentityPools\/([a-z0-9-]+)\//.exec(known)?.[1];
  if (id) return id;
  const ref = /\bgoogle_iam_workload_identity_pool\.([A-Za-z0-9_-]+)\b/.exec(v.raw)?.[1];
  return ref ? `tf:google_iam_workload_identity_pool.${ref}` : undefined;
}

// ---- locations inside a string ------------------------------------------------------------------

/** Maps offsets in `v.value` to source positions, when the source text shows the value verbatim; else the whole value. */
export function spanLocator(v: Value<string>): (s: Span) => SourceLocation {
  const idx = v.raw.indexOf(v.value);
  if (idx < 0 || v.resolution === 'unresolved') return () => v.loc;
  const pos = (offset: number) => {
    let line = v.loc.start.line;
    let column = v.loc.start.column;
    for (let i = 0; i < idx + offset; i++) {
      if (v.raw[i] === '\n') {
        line++;
        column = 1;
      } else column++;
    }
    return { line, column };
  };
  return (s) => ({ ...plainLocation(v.loc), start: pos(s.start), end: pos(s.end) });
}

// ---- the trust ------------------------------------------------------------------------------------

/** Offsets of the unknown pieces of a partly resolved value. */
function unresolvedRanges(v: Value<string>): Span[] {
  if (v.resolution !== 'unresolved' || !v.parts) return [];
  const out: Span[] = [];
  let at = 0;
  for (const p of v.parts) {
    if (!p.known) out.push({ start: at, end: at + p.text.length });
    at += p.text.length;
  }
  return out;
}

/** A provider, and optionally the grants to its pool's identities that the trust is about. */
export interface GcpTrustInput {
  provider: GcpPoolProvider;
  /** The members granting the role (one trust: any of them). Undefined: the provider alone (what can federate into the pool). */
  members?: GcpPoolMember[];
  /** The grant the members come from. */
  grant?: GcpPoolGrant;
  /** Name of what is granted (a service account, a project), for messages. */
  name?: string;
}

export interface GcpTrust extends Trust {
  readonly cloud: 'gcp';
  readonly provider: GcpPoolProvider;
  readonly members?: GcpPoolMember[];
  readonly grant?: GcpPoolGrant;
  /** The provider's condition as alternatives (empty condition: `[[]]`, everything). */
  readonly dnf: GcpDnf;
}

/** The GitHub issuer host a provider names, if any. */
export function gcpGithubIssuer(p: GcpPoolProvider): string | undefined {
  const t = p.issuerUri === undefined ? undefined : knownText(p.issuerUri);
  return t === undefined ? undefined : parseGitHubIssuer(t)?.host;
}

/** The audiences Google accepts when `allowed_audiences` is empty: the provider's resource name, with or without `https:`. */
function defaultAudiences(p: GcpPoolProvider, loc: SourceLocation): Value<string>[] {
  const pool = p.poolKey && !p.poolKey.startsWith('tf:') ? p.poolKey : undefined;
  const id = p.providerId ? knownText(p.providerId) : undefined;
  const parts: ValuePart[] = [
    { text: '//iam.googleapis.com/projects/', known: true },
    { text: '${project_number}', known: false },
    { text: '/locations/global/workloadIdentityPools/', known: true },
    pool ? { text: pool, known: true } : { text: '${pool}', known: false },
    { text: '/providers/', known: true },
    id !== undefined ? { text: id, known: true } : { text: '${provider}', known: false },
  ];
  const text = parts.map((x) => x.text).join('');
  return [
    { value: text, raw: text, loc, resolution: 'unresolved', parts },
    { value: 'https:' + text, raw: 'https:' + text, loc, resolution: 'unresolved', parts: [{ text: 'https:', known: true }, ...parts] },
  ];
}

export function gcpTrust(input: GcpTrustInput): GcpTrust {
  const { provider: p } = input;
  const issuerHost = gcpGithubIssuer(p) ?? (p.issuerUri ? normalizeIssuer(knownText(p.issuerUri) ?? p.issuerUri.value) : GITHUB_ISSUER_HOST);
  const mapping = p.attributeMapping;
  const conditionValue = p.attributeCondition;
  // A condition with unresolved pieces (`'${var.org}'`) is parsed as written; a test whose string
  // literal holds such a piece compares with an unknown value, and one outside literals spoils the parse.
  const unknownRanges = conditionValue ? unresolvedRanges(conditionValue) : [];
  const condText = conditionValue === undefined ? undefined : conditionValue.resolution === 'unresolved' && !conditionValue.parts ? undefined : conditionValue.value;
  const dnf: GcpDnf =
    conditionValue === undefined || (condText !== undefined && condText.trim() === '' && !unknownRanges.length)
      ? [[]]
      : condText === undefined
        ? [[{ kind: 'opaque', span: { start: 0, end: conditionValue.value.length }, why: 'the condition is not known (it depends on an input the files do not fix)' }]]
        : gcpConditionDnf(condText, mapping);
  /** A literal of the condition as a value: unresolved where an unknown piece falls inside it. */
  const literal = (v: { value: string; span: Span }, loc: SourceLocation): Value<string> => {
    const inner = { start: v.span.start + 1, end: v.span.end - 1 };
    const hit = unknownRanges.filter((r) => r.start < inner.end && r.end > inner.start);
    if (!hit.length) return lit(v.value, loc);
    const text = conditionValue!.value;
    const parts: ValuePart[] = [];
    let at = inner.start;
    for (const r of hit) {
      if (r.start > at) parts.push({ text: text.slice(at, r.start), known: true });
      parts.push({ text: text.slice(Math.max(r.start, inner.start), Math.min(r.end, inner.end)), known: false });
      at = Math.min(r.end, inner.end);
    }
    if (at < inner.end) parts.push({ text: text.slice(at, inner.end), known: true });
    const value = parts.map((x) => x.text).join('');
    return { value, raw: value, loc, resolution: 'unresolved', parts };
  };
  const at = conditionValue ? spanLocator(conditionValue) : () => p.loc;

  const role: Role = { type: 'Role', loc: p.loc, origin: { format: p.origin.format === 'gcloud' ? 'json' : 'terraform', file: p.origin.file, logicalId: p.origin.logicalId } };
  const policy: TrustPolicy = { type: 'TrustPolicy', loc: p.loc, parent: role, statements: [] };
  role.trustPolicy = policy;
  const key = (claim: string, loc: SourceLocation, raw: string): Value<string> => lit(`${issuerHost}:${claim}`, loc, raw);

  const conditionsOf = (atoms: GcpAtom[], st: Statement, locate: (s: Span) => SourceLocation): Condition[] =>
    atoms.map((a) => {
      const loc = locate(a.span);
      if (a.kind === 'opaque')
        return { type: 'Condition', loc, parent: st, operator: lit('StringEquals', loc), baseOperator: 'StringEquals', ifExists: false, key: unresolved('gcp-cel:opaque', loc), values: [unresolved(a.why, loc)] };
      const op = a.like ? (a.neg ? 'StringNotLike' : 'StringLike') : a.neg ? 'StringNotEquals' : 'StringEquals';
      return {
        type: 'Condition',
        loc,
        parent: st,
        operator: lit(op, loc),
        baseOperator: op,
        ifExists: false,
        key: key(a.ref.claim!, locate(a.refSpan), a.ref.text),
        values: a.values.map((v) => v.given ?? literal(v, locate(v.span))),
      };
    });

  // What each member adds: nothing (the whole pool), a test on a mapped attribute, or something unknown.
  type MemberPart = { atoms: GcpAtom[]; member?: GcpPoolMember };
  const memberParts: MemberPart[] = input.members
    ? input.members.map((m) => {
        const s = gcpMemberScope(m.value);
        const whole: Span = { start: 0, end: m.value.value.length };
        if (s.kind === 'pool') return { atoms: [], member: m };
        if (s.kind === 'other') return { atoms: [{ kind: 'opaque', span: whole, why: s.why }], member: m };
        const ref = s.kind === 'subject' ? resolveGcpRef('google', 'subject', mapping) : resolveGcpRef('attribute', s.attribute, mapping);
        if (!ref.claim) return { atoms: [{ kind: 'opaque', span: whole, why: `${ref.text} is ${ref.unmapped ? 'not mapped' : 'not a plain claim'}`, ref, refSpan: whole }], member: m };
        const given: Value<string> = { value: s.value.value, raw: m.value.raw, loc: m.value.loc, resolution: s.value.resolution === 'unresolved' ? 'unresolved' : m.value.resolution, ...(s.value.parts ? { parts: s.value.parts } : {}) };
        return { atoms: [{ kind: 'test', ref, neg: false, like: false, values: [{ value: s.value.value, span: whole, given }], span: whole, refSpan: whole }], member: m };
      })
    : [{ atoms: [] }];

  const audiences = p.allowedAudiences.length ? p.allowedAudiences : defaultAudiences(p, p.issuerUri?.loc ?? p.loc);
  const principal = (): Principal => ({ type: 'Principal', loc: p.issuerUri?.loc ?? p.loc, kind: 'Federated', value: p.issuerUri ?? unresolved('${issuer_uri}', p.loc) });
  if (!p.disabled)
    for (const clause of dnf)
      for (const mp of memberParts) {
        const st: Statement = {
          type: 'Statement',
          loc: p.loc,
          parent: policy,
          index: policy.statements.length,
          effect: lit('Allow', p.loc),
          principals: [],
          notPrincipals: [],
          actions: [lit(WEB_IDENTITY_ACTION, p.loc)],
          notActions: [],
          conditions: [],
        };
        st.principals.push(principal());
        const memberLocate = mp.member ? spanLocator(mp.member.value) : () => p.loc;
        st.conditions.push(...conditionsOf(clause, st, at), ...conditionsOf(mp.atoms, st, memberLocate));
        const audLoc = p.allowedAudiences[0]?.loc ?? p.issuerUri?.loc ?? p.loc;
        st.conditions.push({ type: 'Condition', loc: audLoc, parent: st, operator: lit('StringEquals', audLoc), baseOperator: 'StringEquals', ifExists: false, key: key('aud', audLoc, 'aud'), values: audiences });
        policy.statements.push(st);
      }
  const trust = compiledTrust('gcp', input.name ?? p.origin.logicalId, p.loc, policy, { ...EVERY_CLAIM_EVALUATED, defaultVersion: '2008-10-17' });
  return { ...trust, loc: input.grant?.loc ?? p.loc, cloud: 'gcp', provider: p, members: input.members, grant: input.grant, dnf };
}

// ---- names for messages ---------------------------------------------------------------------------

/** The pool as written: its id, or the Terraform reference to it. */
export function gcpPoolName(p: GcpPoolProvider): string {
  if (p.poolKey && !p.poolKey.startsWith('tf:')) return p.poolKey;
  return p.poolKey?.slice(3) ?? p.pool?.raw ?? '(unknown pool)';
}

/** What a grant gives access to, as written. */
export function gcpGrantTarget(g: GcpPoolGrant): string {
  const t = g.target ? (knownText(g.target) ?? g.target.raw) : undefined;
  return t ? `${t} (${g.origin.logicalId})` : g.origin.logicalId;
}

/** The member of a grant that opens it widest: a whole-pool member first. */
export function gcpWidestMember(t: GcpTrust): GcpPoolMember | undefined {
  return t.members?.find((m) => gcpMemberScope(m.value).kind === 'pool') ?? t.members?.[0];
}
