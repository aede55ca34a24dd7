/**
 * The trust-policy rules together on adversarial and correct policies: exact rule, messageId, line
 * and column for every finding, and no finding at all on the policies a careful reviewer accepts
 * (exact legacy and immutable subjects, job_workflow_ref anchors, enterprise and GHES issuers).
 */
import { describe, expect, it } from 'vitest';
import { loadTree, POLICY } from '../helpers/project.js';
import { lintProject } from '../../src/engine/linter.js';
import { rules } from '../../src/rules/index.js';
import type { Finding } from '../../src/engine/rule.js';

const TRUST_RULES = [
  'no-unknown-condition-key',
  'no-unsafe-condition-operator',
  'no-wildcard-subject',
  'require-audience-condition',
  'require-subject-condition',
  'require-web-identity-action',
];
const T = 'token.actions.githubusercontent.com';
const PROVIDER = `arn:aws:iam::123456789012:oidc-provider/${T}`;
const ENT = `${T}/octo-ent`;
const GHES = 'ghes.example.com/_services/token';
const JWR = 'octo-org/deploy/.github/workflows/deploy.yml@refs/heads/main';

function doc(statements: Record<string, unknown>[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
}
function st(condition: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: 'sts:AssumeRoleWithWebIdentity', ...(condition ? { Condition: condition } : {}), ...extra };
}
const aud = (issuer = T) => ({ [`${issuer}:aud`]: 'sts.amazonaws.com' });

async function lintTrust(text: string): Promise<Finding[]> {
  const project = await loadTree({ [POLICY]: text });
  const cfg: Record<string, string> = {};
  for (const r of rules) cfg[r.id] = TRUST_RULES.includes(r.id) ? 'error' : 'off';
  const { findings, crashes } = lintProject(project, rules, { rules: cfg as never, settings: {} });
  if (crashes.length) throw new Error(crashes[0].message);
  return findings;
}

/** `rule/messageId@line:column` of the n-th occurrence (0-based) of a JSON string token in the text. */
function at(text: string, rule: string, messageId: string, token: string, nth = 0): string {
  const needle = JSON.stringify(token);
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    if (i < 0) throw new Error(`no ${needle} #${nth}`);
  }
  const line = text.slice(0, i).split('\n').length;
  const column = i - text.lastIndexOf('\n', i - 1);
  return `${rule}/${messageId}@${line}:${column}`;
}
const show = (fs: Finding[]) => fs.map((f) => `${f.ruleId}/${f.messageId}@${f.location.start.line}:${f.location.start.column}`).sort();

describe('no finding on policies a careful reviewer accepts', () => {
  const ACCEPTED: [string, Record<string, unknown>[]][] = [
    ['exact legacy subject', [st({ StringEquals: { ...aud(), [`${T}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/main' } })]],
    ['exact immutable subject', [st({ StringEquals: { ...aud(), [`${T}:sub`]: 'repo:octo-org@1342004/octo-repo@1296269:ref:refs/heads/main' } })]],
    ['several exact subjects', [st({ StringEquals: { ...aud(), [`${T}:sub`]: ['repo:octo-org/octo-repo:environment:production', 'repo:octo-org/octo-repo:ref:refs/tags/v1'] } })]],
    ['AWS guide: StringLike without wildcards', [st({ StringLike: { ...aud(), [`${T}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/main' } })]],
    ['release branches', [st({ StringEquals: aud(), StringLike: { [`${T}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/release/*' } })]],
    ['environments by prefix', [st({ StringEquals: aud(), StringLike: { [`${T}:sub`]: 'repo:octo-org/octo-repo:environment:prod-*' } })]],
    ['job_workflow_ref anchor with an org-wide subject', [st({ StringEquals: { ...aud(), [`${T}:job_workflow_ref`]: JWR }, StringLike: { [`${T}:sub`]: 'repo:octo-org/*' } })]],
    ['enterprise issuer', [st({ StringEquals: { ...aud(ENT), [`${ENT}:sub`]: 'repo:octo-org/octo-repo:environment:production' } }, { Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${ENT}` } })]],
    ['GHES issuer', [st({ StringEquals: { ...aud(GHES), [`${GHES}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/main' } }, { Principal: { Federated: `arn:aws-us-gov:iam::123456789012:oidc-provider/${GHES}` } })]],
    ['customised template', [st({ StringEquals: { ...aud(), [`${T}:sub`]: 'repository_owner_id:1342004:repository_id:1296269:environment:production' } })]],
    ['any context narrowed by the 2026 environment key', [st({ StringEquals: { ...aud(), [`${T}:environment`]: 'production' }, StringLike: { [`${T}:sub`]: 'repo:octo-org/octo-repo:*' } })]],
    [
      'org-wide Allow closed by a Deny',
      [
        st({ StringEquals: aud(), StringLike: { [`${T}:sub`]: 'repo:octo-org/*' } }),
        { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringNotEquals: { [`${T}:sub`]: 'repo:octo-org/octo-repo:environment:production' } } },
      ],
    ],
    ['principal array and TagSession', [st({ StringEquals: { ...aud(), [`${T}:sub`]: 'repo:octo-org/octo-repo:pull_request' } }, { Principal: { Federated: [PROVIDER, 'arn:aws:iam::123456789012:oidc-provider/accounts.google.com'] }, Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'] })]],
    ['a service role next to the GitHub statement', [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }, st({ StringEquals: { ...aud(), [`${T}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/main' } })]],
    ['a one-element Federated array (CDK WebIdentityPrincipal)', [st({ StringEquals: { ...aud(), [`${T}:sub`]: 'repo:Octo-Org/Octo-Repo:ref:refs/heads/main' } }, { Principal: { Federated: [PROVIDER] } })]],
  ];
  for (const [name, statements] of ACCEPTED) {
    it(name, async () => {
      expect(show(await lintTrust(doc(statements)))).toEqual([]);
    });
  }
});

describe('adversarial policies', () => {
  it('a wildcard hidden in the second value (passes AWS and Checkov)', async () => {
    const text = doc([st({ StringEquals: aud(), StringLike: { [`${T}:sub`]: ['repo:octo-org/octo-repo:ref:refs/heads/main', '*'] } })]);
    expect(show(await lintTrust(text))).toEqual([at(text, 'no-wildcard-subject', 'anyOwner', '*')]);
  });
  it('repo:* and repo:*/* are any owner', async () => {
    const text = doc([st({ StringEquals: aud(), StringLike: { [`${T}:sub`]: ['repo:*', 'repo:*/*'] } })]);
    expect(show(await lintTrust(text))).toEqual([at(text, 'no-wildcard-subject', 'anyOwner', 'repo:*'), at(text, 'no-wildcard-subject', 'anyOwner', 'repo:*/*')].sort());
  });
  it('a look-alike owner prefix', async () => {
    const text = doc([st({ StringEquals: aud(), StringLike: { [`${T}:sub`]: 'repo:octo-org*/deploy:*' } })]);
    expect(show(await lintTrust(text))).toEqual([at(text, 'no-wildcard-subject', 'anyOwner', 'repo:octo-org*/deploy:*')]);
  });
  it('ForAllValues on sub: an unsafe operator, and every context of the repository', async () => {
    const text = doc([st({ StringEquals: aud(), 'ForAllValues:StringLike': { [`${T}:sub`]: 'repo:octo-org/octo-repo:*' } })]);
    expect(show(await lintTrust(text))).toEqual(
      [at(text, 'no-unsafe-condition-operator', 'forAllValues', 'ForAllValues:StringLike'), at(text, 'no-wildcard-subject', 'anyContext', 'repo:octo-org/octo-repo:*')].sort(),
    );
  });
  it('StringNotLike as the only subject condition', async () => {
    const text = doc([st({ StringEquals: aud(), StringNotLike: { [`${T}:sub`]: 'repo:attacker/*' } })]);
    expect(show(await lintTrust(text))).toEqual(
      [at(text, 'no-unsafe-condition-operator', 'negatedOnly', 'StringNotLike'), at(text, 'require-subject-condition', 'negatedOnly', 'StringNotLike')].sort(),
    );
  });
  it('StringNotLike next to a positive subject condition is an exclusion, not a hole', async () => {
    const text = doc([st({ StringEquals: aud(), StringLike: { [`${T}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/*' }, StringNotLike: { [`${T}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/dependabot/*' } })]);
    expect(show(await lintTrust(text))).toEqual([]);
  });
  it('a misspelled key under ForAllValues opens the role', async () => {
    const text = doc([st({ StringEquals: aud(), 'ForAllValues:StringLike': { [`${T}:subb`]: 'repo:octo-org/octo-repo:*' } })]);
    expect(show(await lintTrust(text))).toEqual(
      [
        at(text, 'no-unknown-condition-key', 'misspelledClaim', `${T}:subb`),
        at(text, 'no-unsafe-condition-operator', 'forAllValues', 'ForAllValues:StringLike'),
        at(text, 'require-subject-condition', 'missing', PROVIDER),
      ].sort(),
    );
  });
  it('a misspelled key under StringLike makes the role unusable, not open', async () => {
    const text = doc([st({ StringEquals: aud(), StringLike: { [`${T}:subb`]: 'repo:octo-org/octo-repo:*' } })]);
    expect(show(await lintTrust(text))).toEqual([at(text, 'no-unknown-condition-key', 'misspelledClaim', `${T}:subb`)]);
  });
  it('a second loose Allow defeats a tight one', async () => {
    const text = doc([st({ StringEquals: { ...aud(), [`${T}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/main' } }), st({ StringEquals: aud() })]);
    expect(show(await lintTrust(text))).toEqual([at(text, 'require-subject-condition', 'missing', PROVIDER, 1)]);
  });
  it('an org-wide second statement', async () => {
    const text = doc([st({ StringEquals: { ...aud(), [`${T}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/main' } }), st({ StringEquals: aud(), StringLike: { [`${T}:sub`]: 'repo:octo-org/*' } })]);
    expect(show(await lintTrust(text))).toEqual([at(text, 'no-wildcard-subject', 'anyRepo', 'repo:octo-org/*')]);
  });
  it('a Deny that excludes only pull requests leaves every branch open', async () => {
    const text = doc([
      st({ StringEquals: aud(), StringLike: { [`${T}:sub`]: 'repo:octo-org/octo-repo:*' } }),
      { Effect: 'Deny', Principal: { Federated: PROVIDER }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { [`${T}:sub`]: 'repo:octo-org/octo-repo:pull_request' } } },
    ]);
    expect(show(await lintTrust(text))).toEqual([at(text, 'no-wildcard-subject', 'anyContext', 'repo:octo-org/octo-repo:*')]);
  });
  it('a Deny whose key is misspelled does not close anything', async () => {
    const text = doc([
      st({ StringEquals: aud(), StringLike: { [`${T}:sub`]: 'repo:*' } }),
      { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { [`${T}:sud`]: 'repo:attacker/*' } } },
    ]);
    expect(show(await lintTrust(text))).toEqual([at(text, 'no-unknown-condition-key', 'misspelledClaim', `${T}:sud`), at(text, 'no-wildcard-subject', 'anyOwner', 'repo:*')].sort());
  });
  it('no condition at all', async () => {
    const text = doc([st(undefined)]);
    expect(show(await lintTrust(text))).toEqual([at(text, 'require-audience-condition', 'missing', PROVIDER), at(text, 'require-subject-condition', 'missing', PROVIDER)].sort());
  });
  it('CDK FederatedPrincipal default action', async () => {
    const text = doc([st({ StringEquals: { ...aud(), [`${T}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/main' } }, { Action: 'sts:AssumeRole' })]);
    expect(show(await lintTrust(text))).toEqual([at(text, 'require-web-identity-action', 'missingAction', 'sts:AssumeRole')]);
  });
  it('sts:* is over-broad but works', async () => {
    const text = doc([st({ StringEquals: { ...aud(), [`${T}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/main' } }, { Action: 'sts:*' })]);
    const fs = await lintTrust(text);
    expect(show(fs)).toEqual([at(text, 'require-web-identity-action', 'broadAction', 'sts:*')]);
    expect(fs[0].severity).toBe('low');
  });
  it('github.com keys under an enterprise provider', async () => {
    const text = doc([st({ StringEquals: { ...aud(), [`${T}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/main' } }, { Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${ENT}` } })]);
    expect(show(await lintTrust(text))).toEqual([at(text, 'no-unknown-condition-key', 'issuerMismatch', `${T}:aud`), at(text, 'no-unknown-condition-key', 'issuerMismatch', `${T}:sub`)].sort());
  });
  it('GitHub default audience', async () => {
    const text = doc([st({ StringEquals: { [`${T}:aud`]: 'https://github.com/octo-org', [`${T}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/main' } })]);
    expect(show(await lintTrust(text))).toEqual([at(text, 'require-audience-condition', 'githubDefault', 'https://github.com/octo-org')]);
  });
  it('job_workflow_ref as the only restriction: any caller of the workflow (issue 16 item 7)', async () => {
    const text = doc([st({ StringEquals: { ...aud(), [`${T}:job_workflow_ref`]: JWR } })]);
    const fs = await lintTrust(text);
    expect(show(fs)).toEqual([at(text, 'require-subject-condition', 'workflowOnly', JWR)]);
    expect([fs[0].severity, fs[0].confidence]).toEqual(['high', 'medium']);
    expect(fs[0].message).toContain('sub "repo:octo-org/*"');
  });
  it('a customised subject made of job_workflow_ref alone: the same verdict, on the sub value', async () => {
    const value = `job_workflow_ref:${JWR}`;
    const text = doc([st({ StringEquals: { ...aud(), [`${T}:sub`]: value } })]);
    const fs = await lintTrust(text);
    expect(show(fs)).toEqual([at(text, 'require-subject-condition', 'workflowOnly', value)]);
    expect(fs[0].message).toContain('sub "repo:octo-org/*"');
  });
  it('job_workflow_ref with a wildcard sub is one finding, not two', async () => {
    const text = doc([st({ StringEquals: { ...aud(), [`${T}:job_workflow_ref`]: JWR }, StringLike: { [`${T}:sub`]: 'repo:*' } })]);
    expect(show(await lintTrust(text))).toEqual([at(text, 'require-subject-condition', 'workflowOnly', JWR)]);
  });
  it('job_workflow_ref pinned to an unknown owner', async () => {
    const text = doc([st({ StringEquals: aud(), StringLike: { [`${T}:job_workflow_ref`]: '*/.github/workflows/deploy.yml@*' } })]);
    const fs = await lintTrust(text);
    expect(show(fs)).toEqual([at(text, 'require-subject-condition', 'workflowOnly', '*/.github/workflows/deploy.yml@*')]);
    expect(fs[0].message).toContain('sub "repo:<your organisation>/*"');
  });
  it('job_workflow_ref with the caller pinned by repository_id is accepted', async () => {
    const text = doc([st({ StringEquals: { ...aud(), [`${T}:job_workflow_ref`]: JWR, [`${T}:repository_id`]: '1296269' } })]);
    expect(show(await lintTrust(text))).toEqual([]);
  });
  it('a literal wildcard under StringEquals', async () => {
    const text = doc([st({ StringEquals: { ...aud(), [`${T}:sub`]: 'repo:octo-org/octo-repo:*' } })]);
    expect(show(await lintTrust(text))).toEqual([at(text, 'no-unsafe-condition-operator', 'literalWildcard', 'repo:octo-org/octo-repo:*')]);
  });
  it('only repository_id pins the role (IAM guardrail)', async () => {
    const text = doc([st({ StringEquals: { ...aud(), [`${T}:repository_id`]: '1296269' } })]);
    const fs = await lintTrust(text);
    expect(show(fs)).toEqual([at(text, 'require-subject-condition', 'guardrail', `${T}:repository_id`)]);
    expect([fs[0].severity, fs[0].confidence]).toEqual(['low', 'medium']);
  });
  it('repo:* pinned by repository_id is every context of one repository', async () => {
    const text = doc([st({ StringEquals: { ...aud(), [`${T}:repository_id`]: '1296269' }, StringLike: { [`${T}:sub`]: 'repo:*' } })]);
    const fs = await lintTrust(text);
    expect(show(fs)).toEqual([at(text, 'no-wildcard-subject', 'anyContextById', 'repo:*')]);
    expect(fs[0].message).toContain('id 1296269');
  });
  it('Principal * with a wildcard subject', async () => {
    const text = doc([st({ StringEquals: aud(), StringLike: { [`${T}:sub`]: 'repo:octo-org/*' } }, { Principal: '*' })]);
    expect(show(await lintTrust(text))).toEqual([at(text, 'no-wildcard-subject', 'anyRepo', 'repo:octo-org/*')]);
  });
  it('severities follow the reach of the wildcard', async () => {
    const text = doc([st({ StringEquals: aud(), StringLike: { [`${T}:sub`]: ['*', 'repo:a/*', 'repo:a/b:*'] } })]);
    const fs = await lintTrust(text);
    expect(fs.map((f) => [f.messageId, f.severity])).toEqual([
      ['anyOwner', 'critical'],
      ['anyRepo', 'high'],
      ['anyContext', 'low'],
    ]);
  });
});

describe('an unresolved Federated principal is GitHub-federated when the keys name GitHub (issue 16 item 2)', () => {
  const SCHEME = `https://${T}`;
  const MISSPELLED = 'token.actions.githubuserc0ntent.com';
  const CASES: [string, Record<string, unknown>][] = [
    ['exact keys, no sub', { StringEquals: aud() }],
    ['exact keys, repo:*', { StringEquals: aud(), StringLike: { [`${T}:sub`]: 'repo:*' } }],
    ['keys with a scheme under IfExists', { StringEqualsIfExists: { [`${SCHEME}:aud`]: 'sts.amazonaws.com', [`${SCHEME}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/main' } }],
    ['a misspelled host under ForAllValues', { 'ForAllValues:StringLike': { [`${MISSPELLED}:sub`]: 'repo:octo-org/*' }, StringEquals: aud() }],
  ];
  it.each(CASES)('%s: the same findings as with the provider ARN written out, at medium confidence at most', async (_name, condition) => {
    const literal = doc([st(condition)]);
    // In a policy template the principal is a placeholder the template never resolves.
    const unresolved = literal.replace(JSON.stringify(PROVIDER), '"${oidc_provider_arn}"');
    const [a, b] = [await lintTrust(literal), await lintTrust(unresolved)];
    const ids = (fs: Finding[]) => fs.map((f) => `${f.ruleId}/${f.messageId}`).sort();
    expect(ids(b)).toEqual(ids(a));
    expect(ids(b).filter((x) => !x.startsWith('no-unknown-condition-key')).length).toBeGreaterThan(0);
    for (const f of b) if (f.ruleId !== 'no-unknown-condition-key') expect(f.confidence).not.toBe('high');
  });
  it('keys of another provider do not make it GitHub-federated', async () => {
    const text = doc([st({ StringEquals: { 'accounts.google.com:aud': 'x' } }, { Principal: { Federated: '${oidc_provider_arn}' } })]);
    expect(show(await lintTrust(text))).toEqual([]);
  });
});
