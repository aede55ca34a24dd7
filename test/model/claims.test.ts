import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  analyzeSubjectPattern,
  formatSubject,
  githubIssuerOfPrincipal,
  parseConditionKey,
  parseSubject,
  stringLike,
  isGitHubOwnerAudience,
  actionMatches,
} from '../../src/model/claims.js';
import { parseOperator } from '../../src/model/iam.js';

describe('stringLike (IAM StringLike)', () => {
  it.each([
    ['repo:o/r:*', 'repo:o/r:ref:refs/heads/main', true],
    ['repo:o/*', 'repo:o/r:pull_request', true],
    ['repo:o/*', 'repo:o@1/r@2:pull_request', false],
    ['repo:O/*', 'repo:o/r:pull_request', false],
    ['*', '', true],
    ['?', '', false],
    ['a?c', 'abc', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['${*}', '*', true],
    ['${*}', 'x', false],
    ['a${?}', 'a?', true],
    ['repo:o/r:ref:refs/heads/main', 'repo:o/r:ref:refs/heads/main', true],
    ['repo:o/r:ref:refs/heads/main', 'repo:o/r:ref:refs/heads/mainx', false],
  ])('%s vs %s → %s', (pattern, value, expected) => {
    expect(stringLike(pattern, value)).toBe(expected);
  });

  it('agrees with a regular-expression oracle on generated inputs', () => {
    const alphabet = fc.constantFrom('a', 'b', ':', '/', '*', '?');
    const toRegex = (p: string) => new RegExp('^' + p.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[/:]/g, '\\$&'))).join('') + '$', 's');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 8 }), fc.array(fc.constantFrom('a', 'b', ':', '/'), { maxLength: 10 }), (p, v) => {
        const pattern = p.join('');
        const value = v.join('');
        expect(stringLike(pattern, value)).toBe(toRegex(pattern).test(value));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('analyzeSubjectPattern', () => {
  it.each([
    ['*', true, 'any-owner'],
    ['repo:*', true, 'any-owner'],
    ['repo:*/*', true, 'any-owner'],
    ['repo:octo*/app:*', true, 'any-owner'],
    ['re*', true, 'any-owner'],
    ['repo:o/*', true, 'any-repo'],
    ['repo:o/app-*:ref:refs/heads/main', true, 'any-repo'],
    ['repo:o@1/*', true, 'any-repo'],
    ['repo:o/r:*', true, 'any-context'],
    ['repo:o@1/r@2:*', true, 'any-context'],
    ['repo:o/r:ref:refs/heads/*', true, 'partial-context'],
    ['repo:o/r:ref:refs/heads/main', true, 'exact'],
    ['repo:o@123/r@456:ref:refs/heads/main', true, 'exact'],
    ['repo:o/r:*', false, 'exact'],
    ['repository_owner_id:1:repository_id:2:context:ref:refs/heads/main', true, 'custom'],
    ['repo:o/r', true, 'never'],
  ])('%s (like=%s) → %s', (pattern, like, scope) => {
    expect(analyzeSubjectPattern(pattern, like).scope).toBe(scope);
  });

  it('marks immutable subjects and extracts owner and repo', () => {
    expect(analyzeSubjectPattern('repo:octo-org@123/octo-repo@456:ref:refs/heads/main', false)).toMatchObject({ owner: 'octo-org', repo: 'octo-repo', immutable: true });
  });
  it('treats an unknown piece of a partially resolved value as one fixed name, not a wildcard', () => {
    const parts = (...p: [string, boolean][]) => p.map(([text, known]) => ({ text, known }));
    // repo:${Org}/${Repo}:* — owner and repository are unknown names, the context is a real wildcard.
    expect(analyzeSubjectPattern('repo:${Org}/${Repo}:*', true, parts(['repo:', true], ['${Org}', false], ['/', true], ['${Repo}', false], [':*', true]))).toMatchObject({ scope: 'any-context', owner: '${Org}', repo: '${Repo}' });
    // Without parts the same text reads ${Org} as an IAM policy variable (unknown at evaluation: wildcard).
    expect(analyzeSubjectPattern('repo:${Org}/${Repo}:*', true).scope).toBe('any-owner');
    expect(analyzeSubjectPattern('repo:${AWS::AccountId}/x:ref:refs/heads/main', true, parts(['repo:', true], ['${AWS::AccountId}', false], ['/x:ref:refs/heads/main', true])).scope).toBe('exact');
    expect(analyzeSubjectPattern('repo:org/*', true, parts(['repo:org/', true], ['*', true])).scope).toBe('any-repo');
    expect(analyzeSubjectPattern('${Prefix}:org/repo:*', true, parts(['${Prefix}', false], [':org/repo:*', true])).scope).toBe('custom');
  });
});

describe('subjects', () => {
  it('parses legacy, immutable and escaped subjects', () => {
    expect(parseSubject('repo:o/r:environment:Prod%3AV1')).toMatchObject({ owner: 'o', repo: 'r', immutable: false, context: { kind: 'environment', value: 'Prod:V1' } });
    expect(parseSubject('repo:o@1/r@2:pull_request')).toMatchObject({ ownerId: '1', repoId: '2', immutable: true, context: { kind: 'pull_request' } });
    expect(parseSubject('repo:o/r:ref:refs/tags/v1')).toMatchObject({ context: { kind: 'ref', value: 'refs/tags/v1' } });
    expect(parseSubject('job_workflow_ref:o/r/.github/workflows/x.yml@refs/heads/main')).toBeUndefined();
  });
  it('round-trips through formatSubject', () => {
    for (const s of ['repo:o/r:environment:Prod%3AV1', 'repo:o@1/r@2:ref:refs/heads/main', 'repo:o/r:pull_request']) {
      expect(formatSubject(parseSubject(s)!)).toBe(s);
    }
  });
});

describe('issuers and keys', () => {
  it('recognises GitHub providers by ARN in every partition and flavour', () => {
    expect(githubIssuerOfPrincipal('arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com')?.kind).toBe('github');
    expect(githubIssuerOfPrincipal('arn:aws-cn:iam::123456789012:oidc-provider/token.actions.githubusercontent.com')?.kind).toBe('github');
    expect(githubIssuerOfPrincipal('arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com/octo-ent')).toMatchObject({ kind: 'enterprise', slug: 'octo-ent' });
    expect(githubIssuerOfPrincipal('arn:aws:iam::1:oidc-provider/github.example.com/_services/token')?.kind).toBe('ghes');
    expect(githubIssuerOfPrincipal('arn:aws:iam::1:oidc-provider/token.actions.octocorp.ghe.com')?.kind).toBe('ghe-com');
    expect(githubIssuerOfPrincipal('arn:aws:iam::1:oidc-provider/accounts.google.com')).toBeUndefined();
    expect(githubIssuerOfPrincipal('arn:aws:iam::1:oidc-provider/vstoken.actions.githubusercontent.com')?.kind).toBe('legacy');    // Unresolved IaC placeholders in partition and account (a CloudFormation !Sub), colons included.
    expect(githubIssuerOfPrincipal('arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com')?.kind).toBe('github');
    expect(githubIssuerOfPrincipal('arn:aws:iam::${AWS::AccountId}:role/token.actions.githubusercontent.com')).toBeUndefined();
  });
  it('splits condition keys case-insensitively on the claim', () => {
    expect(parseConditionKey('token.actions.githubusercontent.com:SUB')).toMatchObject({ issuer: 'token.actions.githubusercontent.com', claim: 'sub' });
    expect(parseConditionKey('github.example.com/_services/token:aud')?.github?.kind).toBe('ghes');
    expect(parseConditionKey('aws:SourceIp')?.github).toBeUndefined();
  });
  it('splits operators', () => {
    expect(parseOperator('ForAllValues:StringLikeIfExists')).toEqual({ baseOperator: 'StringLike', qualifier: 'ForAllValues', ifExists: true });
    expect(parseOperator('StringEquals')).toEqual({ baseOperator: 'StringEquals', qualifier: undefined, ifExists: false });
  });
  it('knows GitHub owner-URL audiences and action wildcards', () => {
    expect(isGitHubOwnerAudience('https://github.com/octo-org')).toBe(true);
    expect(isGitHubOwnerAudience('sts.amazonaws.com')).toBe(false);
    expect(actionMatches('sts:AssumeRole*', 'sts:AssumeRoleWithWebIdentity')).toBe(true);
    expect(actionMatches('STS:*', 'sts:AssumeRoleWithWebIdentity')).toBe(true);
    expect(actionMatches('sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity')).toBe(false);
  });
});
