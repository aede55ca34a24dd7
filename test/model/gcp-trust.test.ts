/** Google Cloud trusts (src/model/claims/gcp.ts, cel.ts): CEL subset, mapping, members, the join. */
import { describe, expect, it } from 'vitest';
import { parseCel } from '../../src/model/claims/cel.js';
import { gcpConditionDnf, gcpConditionRefs, gcpMemberScope, gcpTrust, poolKeyOfMember, spanLocator } from '../../src/model/claims/gcp.js';
import type { GcpAttributeMapping, GcpPoolProvider } from '../../src/model/gcp.js';
import type { Value } from '../../src/model/location.js';
import { push, pr } from '../helpers/policy.js';

const L = (line = 1, column = 1, len = 1) => ({ file: 'main.tf', start: { line, column }, end: { line, column: column + len } });
const V = (value: string, line = 1, column = 1): Value<string> => ({ value, raw: JSON.stringify(value), loc: L(line, column, value.length + 2), resolution: 'literal' });
const MAP = (m: Record<string, string>): GcpAttributeMapping[] => Object.entries(m).map(([k, v]) => ({ key: V(k), value: V(v) }));
const DEFAULT_MAP = MAP({ 'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository', 'attribute.repository_owner': 'assertion.repository_owner' });

function provider(condition: string | undefined, more: Partial<GcpPoolProvider> = {}): GcpPoolProvider {
  return {
    type: 'GcpPoolProvider',
    loc: L(),
    origin: { format: 'terraform', file: 'main.tf', logicalId: 'google_iam_workload_identity_pool_provider.github' },
    poolKey: 'github-pool',
    providerId: V('github'),
    issuerUri: V('https://token.actions.githubusercontent.com', 5, 20),
    allowedAudiences: [],
    attributeMapping: DEFAULT_MAP,
    ...(condition === undefined ? {} : { attributeCondition: V(condition, 3, 25) }),
    ...more,
  };
}
const tok = (facts: Parameters<typeof push>[2] & object = {}) => ({ ...facts });
const GCP_AUD = 'https://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github-pool/providers/github';

describe('parseCel', () => {
  it.each([
    ["assertion.repository_owner == 'octo-org'", 'cmp'],
    ["assertion.repository_owner=='a' && attribute.ref != \"refs/heads/main\"", 'and'],
    ["!(assertion.ref.startsWith('refs/tags/'))", 'not'],
    ["assertion.repository in ['a/b', 'a/c']", 'in'],
    ["assertion['repository_owner'] == 'x'", 'cmp'],
    ["// only our organisation\nassertion.repository_owner_id == '1' // the id", 'cmp'],
    ['true', 'bool'],
    ["assertion.sub.matches('^repo:a/.*$')", 'call'],
    ["assertion.x > 3", 'opaque'],
    ["a ? b : c", 'opaque'],
    ["['x','y'].all(v, v in assertion.groups)", 'opaque'],
  ])('%s → %s', (src, kind) => {
    const r = parseCel(src);
    expect('expr' in r && r.expr.k).toBe(kind);
  });

  it.each(["assertion.x == 'unterminated", "assertion.x ==", "r'raw' == assertion.x", "assertion.x == 'a' &&& y", ''])('%s does not parse', (src) => {
    expect('error' in parseCel(src)).toBe(true);
  });
});

describe('gcpConditionDnf', () => {
  it('pushes negations down and splits alternatives', () => {
    const d = gcpConditionDnf("!(assertion.repository_owner != 'a' || assertion.ref.startsWith('refs/pull/'))", DEFAULT_MAP);
    expect(d).toHaveLength(1);
    expect(d[0].map((a) => (a.kind === 'test' ? `${a.ref.claim}:${a.neg ? '!' : ''}${a.like ? '~' : '='}${a.values.map((v) => v.value)}` : 'opaque'))).toEqual(['repository_owner:=a', 'ref:!~refs/pull/*']);
    expect(gcpConditionDnf("attribute.repository == 'a/b' || attribute.repository == 'a/c'", DEFAULT_MAP)).toHaveLength(2);
  });

  it('an unmapped attribute, a computed mapping and an unread construct are opaque, never a test', () => {
    const m = MAP({ 'google.subject': 'assertion.sub', 'attribute.owner': "assertion.repository_owner + '!'" });
    const kinds = (c: string) => gcpConditionDnf(c, m)[0].map((a) => a.kind);
    expect(kinds("attribute.repo == 'a/b'")).toEqual(['opaque']);
    expect(kinds("attribute.owner == 'a'")).toEqual(['opaque']);
    expect(kinds("assertion.sub.matches('x')")).toEqual(['opaque']);
    expect(kinds("assertion.repository_owner == 'a' && (")).toEqual(['opaque']);
  });

  it('finds the references of a condition, mapped or not', () => {
    const refs = gcpConditionRefs("attribute.repo == 'a' && assertion.repositry_owner == 'b' && google.subject.matches('x')", DEFAULT_MAP);
    expect(Array.isArray(refs) && refs.map((r) => [r.ref.text, r.ref.claim ?? (r.ref.unmapped ? 'unmapped' : '?'), r.span.start])).toEqual([
      ['attribute.repo', 'unmapped', 0],
      ['assertion.repositry_owner', 'repositry_owner', 25],
      ['google.subject', 'sub', 61],
    ]);
  });
});

describe('members', () => {
  const base = 'principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github-pool/';
  it.each([
    [base + '*', 'pool'],
    [base + 'attribute.repository/octo-org/api', 'attribute'],
    ['principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github-pool/subject/repo:octo-org/api:ref:refs/heads/main', 'subject'],
    [base + 'group/admins', 'other'],
    ['serviceAccount:x@y.iam.gserviceaccount.com', 'other'],
  ])('%s is %s', (m, kind) => {
    expect(gcpMemberScope(V(m)).kind).toBe(kind);
    if (kind !== 'other' || m.includes('group')) expect(poolKeyOfMember(V(m))).toBe('github-pool');
  });

  it('a member built from a Terraform pool reference names the pool by its address', () => {
    const raw = '"principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.main.name}/*"';
    const v: Value<string> = { value: 'principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.main.name}/*', raw, loc: L(), resolution: 'unresolved', parts: [{ text: 'principalSet://iam.googleapis.com/', known: true }, { text: '${google_iam_workload_identity_pool.main.name}', known: false }, { text: '/*', known: true }] };
    expect(poolKeyOfMember(v)).toBe('tf:google_iam_workload_identity_pool.main');
  });
});

describe('gcpTrust', () => {
  const admitted = (p: GcpPoolProvider, facts: ReturnType<typeof push>, members?: string[]) =>
    gcpTrust({ provider: p, members: members?.map((m) => ({ value: V(m), poolKey: 'github-pool' })) }).admits().admits({ ...facts, audience: GCP_AUD });

  it('no condition: every repository of every owner', () => {
    const t = gcpTrust({ provider: provider(undefined) });
    expect(t.admits().issuers[0].anyOwner).toBe(true);
  });

  it('an owner condition pins the owner, read through the mapping or from the assertion', () => {
    for (const c of ["assertion.repository_owner == 'octo-org'", "attribute.repository_owner == 'octo-org'"]) {
      const t = gcpTrust({ provider: provider(c) });
      const s = t.admits().issuers[0];
      expect(s.anyOwner).toBe(false);
      expect(s.owners.values).toEqual(['octo-org']);
      expect(t.decide({ issuer: 'token.actions.githubusercontent.com', sub: 'repo:evil/api:ref:refs/heads/main', aud: GCP_AUD, claims: { repository_owner: 'evil' } }).admitted).toBe(false);
    }
  });

  it('a condition that does not pin the owner (only the branch) admits any owner', () => {
    expect(gcpTrust({ provider: provider("assertion.ref == 'refs/heads/main'") }).admits().issuers[0].anyOwner).toBe(true);
  });

  it('an unread condition makes the trust uncertain rather than open', () => {
    const s = gcpTrust({ provider: provider("assertion.repository_owner.matches('^octo-')") }).admits();
    expect(s.uncertain).toBe(true);
    expect(s.issuers[0].regions.every((r) => r.uncertain)).toBe(true);
  });

  it('the join: the pool provider and the grant decide together', () => {
    const p = provider("assertion.repository_owner == 'octo-org'");
    const base = 'principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github-pool/';
    const one = gcpTrust({ provider: p, members: [{ value: V(base + 'attribute.repository/octo-org/api') }] }).admits().issuers[0];
    expect([...new Set(one.repositories.map((r) => JSON.stringify([r.owner.values, r.repo.values])))]).toEqual([JSON.stringify([['octo-org'], ['api']])]);
    const all = gcpTrust({ provider: p, members: [{ value: V(base + '*') }] }).admits().issuers[0];
    expect(all.regions[0].breadth).toBe('any-repo');
    const open = gcpTrust({ provider: provider(undefined), members: [{ value: V(base + '*') }] }).admits().issuers[0];
    expect(open.anyOwner).toBe(true);
    const narrowed = gcpTrust({ provider: provider(undefined), members: [{ value: V(base + 'attribute.repository/octo-org/api') }] }).admits().issuers[0];
    expect(narrowed.anyOwner).toBe(false);
  });

  it('decides a token (evaluator and summary agree)', () => {
    const p = provider("assertion.repository_owner == 'octo-org' && assertion.ref == 'refs/heads/main'");
    const t = gcpTrust({ provider: p });
    expect(t.admits().admits({ ...push('octo-org/api'), audience: GCP_AUD })).not.toBe(false);
    expect(t.admits().admits({ ...push('octo-org/api', 'dev'), audience: GCP_AUD })).toBe(false);
    expect(t.admits().admits({ ...pr('octo-org/api'), audience: GCP_AUD })).toBe(false);
    void admitted;
    void tok;
  });

  it('a condition with an unresolved piece inside a literal pins an unknown but fixed owner', () => {
    const text = "assertion.repository_owner == '${var.org}'";
    const cond: Value<string> = { value: text, raw: text, loc: L(3, 25), resolution: 'unresolved', parts: [{ text: "assertion.repository_owner == '", known: true }, { text: '${var.org}', known: false }, { text: "'", known: true }] };
    const s = gcpTrust({ provider: provider(undefined, { attributeCondition: cond }) }).admits().issuers[0];
    expect(s.anyOwner).toBe(false);
    expect(s.regions[0].uncertain).toBe(true);
    // An unknown piece outside a literal: the condition cannot be read.
    const whole: Value<string> = { value: '${var.cond}', raw: 'var.cond', loc: L(3, 25), resolution: 'unresolved', parts: [{ text: '${var.cond}', known: false }] };
    expect(gcpTrust({ provider: provider(undefined, { attributeCondition: whole }) }).admits().issuers[0].regions.every((r) => r.opaque.length > 0)).toBe(true);
  });

  it('points into the condition string', () => {
    const v = V("assertion.repository_owner == 'octo-org'", 3, 25);
    const at = spanLocator(v);
    expect(at({ start: 0, end: 26 })).toMatchObject({ start: { line: 3, column: 26 }, end: { line: 3, column: 52 } });
  });
});
