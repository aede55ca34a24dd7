/**
 * The symbolic summary (`summarizeTrustPolicy`) against the concrete evaluator: on generated
 * policies and generated tokens they must agree, and the scopes the summary reports (any owner,
 * which repositories and contexts) must be borne out by concrete tokens.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildSubject,
  evaluateTrustPolicy,
  mintToken,
  summarizeTrustPolicy,
  type EvaluationOptions,
  type SubjectTemplate,
  type TokenFacts,
} from '../../src/model/claims.js';
import { AUD, K, allow, deny, env, immutable, policy, pr, push } from '../helpers/policy.js';

const ENT = 'token.actions.githubusercontent.com/octo-ent';
const TEMPLATES: SubjectTemplate[] = [
  ['repository_owner_id', 'repository_id', 'context'],
  ['repo', 'context', 'job_workflow_ref'],
];
const OPTIONS: EvaluationOptions = { subjectTemplates: TEMPLATES };
const JWRS = ['o/ci/.github/workflows/d.yml@refs/heads/main', 'x/r/.github/workflows/e.yml@refs/tags/v1'];

const factsArb: fc.Arbitrary<TokenFacts> = fc
  .record({
    owner: fc.constantFrom('o', 'octo', 'x', 'O'),
    repo: fc.constantFrom('r', 'app', 'r2'),
    ownerId: fc.constantFrom('11', '12'),
    repoId: fc.constantFrom('22', '23'),
    immutable: fc.boolean(),
    template: fc.constantFrom<SubjectTemplate | undefined>(undefined, undefined, ...TEMPLATES),
    context: fc.oneof(
      fc.record({ environment: fc.constantFrom('prod', 'Prod', 'a:b'), ref: fc.constant('refs/heads/main') }),
      fc.record({ eventName: fc.constant('pull_request'), ref: fc.constant('refs/pull/1/merge') }),
      fc.record({ eventName: fc.constant('push'), ref: fc.constantFrom('refs/heads/main', 'refs/heads/dev', 'refs/heads/release/1', 'refs/tags/v1') }),
    ),
    audience: fc.constantFrom('sts.amazonaws.com', 'https://github.com/o'),
    jwr: fc.constantFrom(...JWRS),
    issuer: fc.constantFrom(undefined, ENT),
  })
  .map((r) => ({
    owner: r.owner,
    repo: r.repo,
    ownerId: r.ownerId,
    repoId: r.repoId,
    immutable: r.immutable,
    template: r.template,
    ...r.context,
    audience: r.audience,
    issuer: r.issuer,
    claims: { job_workflow_ref: r.jwr },
  }));

/** Patterns: mutations of real subjects (so that matches happen) and free fragment soups. */
const FRAGMENTS = ['repo:', 'o', 'octo', 'x', '/', 'r', 'app', ':', '*', '*', '?', '@11', '@22', 'ref:refs/heads/', 'main', 'environment:', 'prod', 'pull_request', 'refs/tags/', 'repository_owner_id:11:repository_id:22:', 'job_workflow_ref:', '%3A'];
const subjectArb = fc.oneof(
  fc.tuple(factsArb, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 6 }), fc.constantFrom('*', '?', '')).map(([f, at, len, w]) => {
    const s = buildSubject(f);
    const text = typeof s === 'string' ? s : 'repo:o/r:pull_request';
    const i = Math.min(at, text.length);
    return text.slice(0, i) + w + text.slice(i + len);
  }),
  fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 7 }).map((xs) => xs.join('')),
);
const valuesFor = (claim: string): fc.Arbitrary<string[]> => {
  const one: fc.Arbitrary<string> =
    claim === 'sub'
      ? subjectArb
      : claim === 'aud'
        ? fc.constantFrom('sts.amazonaws.com', 'sts.*', '*', 'https://github.com/o')
        : claim === 'repository'
          ? fc.constantFrom('o/r', 'o/*', '*/r', 'octo/app', '*')
          : claim === 'repository_id'
            ? fc.constantFrom('22', '2?', '*')
            : claim === 'environment'
              ? fc.constantFrom('prod', 'Prod', 'a:b', '*', 'p*')
              : claim === 'ref'
                ? fc.constantFrom('refs/heads/main', 'refs/heads/*', 'refs/tags/*')
                : claim === 'job_workflow_ref'
                  ? fc.constantFrom(...JWRS, 'o/ci/*', '*@refs/heads/main')
                  : fc.constantFrom('x', '*');
  return fc.array(one, { minLength: 1, maxLength: 3 });
};
const OPERATORS = ['StringEquals', 'StringLike', 'StringLike', 'StringNotLike', 'StringNotEquals', 'StringEqualsIgnoreCase', 'ForAllValues:StringLike', 'ForAnyValue:StringLike', 'StringLikeIfExists', 'StringNotEqualsIfExists', 'ForAnyValue:StringNotLike', 'Null'];
const CLAIMS = ['sub', 'sub', 'sub', 'aud', 'repository', 'repository_id', 'environment', 'ref', 'job_workflow_ref', 'subb', 'repository_visibility'];

const conditionArb = fc.array(
  fc.tuple(fc.constantFrom(...OPERATORS), fc.constantFrom(...CLAIMS), fc.boolean()).chain(([op, claim, ent]) =>
    (op === 'Null' ? fc.constantFrom<string[]>(['true'], ['false']) : valuesFor(claim)).map((values) => ({ op, key: K(claim, ent ? ENT : undefined), values })),
  ),
  { minLength: 0, maxLength: 3 },
);

const statementArb = fc
  .record({
    effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
    principal: fc.constantFrom<unknown>(
      { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' },
      { Federated: `arn:aws:iam::123456789012:oidc-provider/${ENT}` },
      '*',
    ),
    action: fc.constantFrom('sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRole', 'sts:*'),
    conditions: conditionArb,
  })
  .map((s) => {
    const Condition: Record<string, Record<string, string[]>> = {};
    for (const c of s.conditions) (Condition[c.op] ??= {})[c.key] = c.values;
    return { Effect: s.effect, Principal: s.principal, Action: s.action, ...(s.conditions.length ? { Condition } : {}) };
  });

describe('summarizeTrustPolicy agrees with evaluateTrustPolicy', () => {
  it('on generated policies and tokens', () => {
    fc.assert(
      fc.property(fc.array(statementArb, { minLength: 1, maxLength: 3 }), fc.array(factsArb, { minLength: 1, maxLength: 6 }), (statements, tokens) => {
        const p = policy(statements);
        const summary = summarizeTrustPolicy(p, OPTIONS);
        for (const f of tokens) {
          const concrete = evaluateTrustPolicy(p, mintToken(f), OPTIONS).admitted;
          expect(summary.admits(f), `${JSON.stringify(statements)}\n${JSON.stringify(f)}`).toBe(concrete);
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 400) },
    );
  });
});

describe('scopes are borne out by concrete tokens', () => {
  const owners = ['o', 'octo', 'x', 'zz9', 'octo-attacker'];
  it('a region without an owner bound admits some token of a fresh owner; a bounded one only its owners', () => {
    fc.assert(
      fc.property(subjectArb, fc.constantFrom('StringLike', 'StringEquals'), (pattern, op) => {
        const p = policy([allow({ [op]: { [K('sub')]: pattern } })]);
        const s = summarizeTrustPolicy(p, OPTIONS);
        for (const r of s.issuers[0]?.regions ?? []) {
          if (r.uncertain) continue;
          const admittedOwners = owners.filter((o) =>
            [push(`${o}/r`), env(`${o}/r`, 'prod'), pr(`${o}/r`), immutable(push(`${o}/r`))].some((f) => r.admits(f) === true),
          );
          if (r.owner.constrained && !r.owner.unbounded && r.owner.values) for (const o of admittedOwners) expect(r.owner.values).toContain(o);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('summary examples', () => {
  const summary = (statements: Record<string, unknown>[]) => summarizeTrustPolicy(policy(statements), OPTIONS);
  it('repo:* admits any owner', () => {
    const s = summary([allow({ StringLike: { [K('sub')]: 'repo:*' } })]);
    expect(s.issuers[0].anyOwner).toBe(true);
    expect(s.issuers[0].regions.map((r) => r.breadth)).toEqual(['any-owner']);
  });
  it('repo:o/* admits any repository of o, legacy form only', () => {
    const [r] = summary([allow({ StringLike: { [K('sub')]: 'repo:o/*' } })]).issuers[0].regions;
    expect(r.breadth).toBe('any-repo');
    expect(r.formats).toContain('legacy');
    expect(r.formats).not.toContain('immutable');
    expect(r.owner.values).toEqual(['o']);
    expect(r.repo.unbounded).toBe(true);
  });
  it('repo:o/r:* admits every context of one repository', () => {
    const [r] = summary([allow({ StringLike: { [K('sub')]: 'repo:o/r:*' } })]).issuers[0].regions;
    expect(r.breadth).toBe('any-context');
    expect(r.contexts).toMatchObject({ pullRequest: true, any: true });
    expect(r.contexts.branches.unbounded).toBe(true);
  });
  it('exact subjects list their branches, tags and environments', () => {
    const s = summary([allow({ StringEquals: { [K('sub')]: ['repo:o/r:ref:refs/heads/main', 'repo:o/r:ref:refs/tags/v1', 'repo:o/r:environment:prod'] } })]);
    expect(s.issuers[0].regions.map((r) => r.breadth)).toEqual(['narrow', 'narrow', 'narrow']);
    expect(mergeContexts(s)).toEqual({ branches: ['main'], tags: ['v1'], environments: ['prod'], pullRequest: false });
  });
  it('immutable exact subjects pin owner and repository ids', () => {
    const [r] = summary([allow({ StringEquals: { [K('sub')]: 'repo:o@11/r@22:environment:prod' } })]).issuers[0].regions;
    expect(r).toMatchObject({ breadth: 'narrow', formats: ['immutable'] });
    expect([r.ownerId.values, r.repoId.values, r.contexts.environments.values]).toEqual([['11'], ['22'], ['prod']]);
  });
  it('a custom template written in the policy is recognised without options', () => {
    const [r] = summarizeTrustPolicy(policy([allow({ StringEquals: { [K('sub')]: 'repository_owner_id:11:repository_id:22:environment:prod' } })])).issuers[0].regions;
    expect(r.formats).toEqual(['repository_owner_id,repository_id,context']);
    expect(r.breadth).toBe('narrow');
  });
  it('a Deny that closes a wildcard narrows the region', () => {
    const s = summary([allow({ StringLike: { [K('sub')]: 'repo:*' } }), deny({ StringNotLike: { [K('sub')]: 'repo:o/r:ref:refs/heads/main' } })]);
    expect(s.issuers[0].regions.map((r) => r.breadth)).toEqual(['narrow']);
    expect(s.admits(push('o/r'))).toBe(true);
    expect(s.admits(push('evil/r'))).toBe(false);
  });
  it('repository_id pins a wildcard subject', () => {
    const [r] = summary([allow({ StringLike: { [K('sub')]: 'repo:*' }, StringEquals: { [K('repository_id')]: '22' } })]).issuers[0].regions;
    expect(r.breadth).toBe('any-context');
  });
  it('job_workflow_ref anchors an org-wide subject', () => {
    const [r] = summary([allow({ ...AUD, StringLike: { [K('sub')]: 'repo:o/*' }, StringEquals: { [K('aud')]: 'sts.amazonaws.com', [K('job_workflow_ref')]: JWRS[0] } })]).issuers[0].regions;
    expect(r).toMatchObject({ anchoredByWorkflow: true, breadth: 'narrow' });
  });
  it('enterprise issuer regions are reported under their issuer', () => {
    const s = summarizeTrustPolicy(
      policy([allow({ StringEquals: { [K('sub', ENT)]: 'repo:o/r:environment:prod' } }, { Principal: { Federated: `arn:aws:iam::1:oidc-provider/${ENT}` } })]),
    );
    expect(s.issuers.map((i) => [i.issuer.host, i.issuer.kind])).toEqual([[ENT, 'enterprise']]);
    expect(s.issuers[0].regions[0].breadth).toBe('narrow');
  });
});

function mergeContexts(s: ReturnType<typeof summarizeTrustPolicy>) {
  const rs = s.issuers[0].regions;
  return {
    branches: rs.flatMap((r) => (r.contexts.branches.constrained ? (r.contexts.branches.values ?? []) : [])),
    tags: rs.flatMap((r) => (r.contexts.tags.constrained ? (r.contexts.tags.values ?? []) : [])),
    environments: rs.flatMap((r) => (r.contexts.environments.constrained ? (r.contexts.environments.values ?? []) : [])),
    pullRequest: rs.some((r) => r.contexts.pullRequest),
  };
}
