/** no-overbroad-trust on any branch or tag (issue 16 item 6): which sub patterns, and what narrows them. */
import { describe, expect, it } from 'vitest';
import { brief, lintTree, POLICY } from '../helpers/project.js';
import { subjectAnyRef } from '../../src/model/claims.js';

const T = 'token.actions.githubusercontent.com';
const policy = (condition: Record<string, unknown>) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${T}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${T}:aud`]: 'sts.amazonaws.com' }, ...condition } }] });

describe('subjectAnyRef', () => {
  it.each([
    ['repo:o/r:ref:refs/heads/*', { ref: 'branch', repository: 'o/r' }],
    ['repo:o/r:ref:refs/tags/*', { ref: 'tag', repository: 'o/r' }],
    ['repo:o/r:ref:refs/*', { ref: 'ref', repository: 'o/r' }],
    ['repo:o/r:ref:*', { ref: 'ref', repository: 'o/r' }],
    ['repo:o@1/r@2:ref:refs/heads/*', { ref: 'branch', repository: 'o/r' }],
    ['repo:o/r:ref:refs/heads/release/*', undefined],
    ['repo:o/r:ref:refs/heads/main', undefined],
    ['repo:o/r:*', undefined],
    ['repo:o/*', undefined],
    ['repo:o/r:environment:*', undefined],
  ])('%s', (pattern, expected) => {
    expect(subjectAnyRef(pattern, true)).toEqual(expected);
  });
  it('is nothing under StringEquals (the * is literal there)', () => {
    expect(subjectAnyRef('repo:o/r:ref:refs/heads/*', false)).toBeUndefined();
  });
});

describe('no-overbroad-trust: any branch or tag', () => {
  const ANY_BRANCH = 'repo:octo-org/octo-repo:ref:refs/heads/*';
  it('reports the value at low severity', async () => {
    const text = policy({ StringLike: { [`${T}:sub`]: ANY_BRANCH } });
    const fs = await lintTree({ [POLICY]: text }, 'no-overbroad-trust');
    expect(brief(fs)).toEqual([`anyRef@1:${text.indexOf(JSON.stringify(ANY_BRANCH)) + 1}`]);
    expect([fs[0].severity, fs[0].confidence]).toEqual(['low', 'high']);
    expect(fs[0].message).toContain('Any branch of octo-org/octo-repo');
  });
  it.each<[string, Record<string, unknown>]>([
    ['a ref condition names the branch', { StringLike: { [`${T}:sub`]: ANY_BRANCH }, StringEqualsIgnoreCase: { [`${T}:ref`]: 'refs/heads/main' } }],
    ['a reusable workflow is pinned', { StringLike: { [`${T}:sub`]: ANY_BRANCH, [`${T}:job_workflow_ref`]: 'octo-org/deploy/.github/workflows/deploy.yml@refs/heads/main' } }],
    ['release branches only', { StringLike: { [`${T}:sub`]: 'repo:octo-org/octo-repo:ref:refs/heads/release/*' } }],
  ])('nothing when %s', async (_name, condition) => {
    expect(brief(await lintTree({ [POLICY]: policy(condition) }, 'no-overbroad-trust'))).toEqual([]);
  });
  it('is left to no-wildcard-subject when the repository is open too', async () => {
    expect(brief(await lintTree({ [POLICY]: policy({ StringLike: { [`${T}:sub`]: 'repo:octo-org/*:ref:refs/heads/*' } }) }, 'no-overbroad-trust'))).toEqual([]);
  });
});
