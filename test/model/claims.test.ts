import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  analyzeSubjectPattern,
  languageAnalysisForTests,
  suggestClaim,
  formatSubject,
  githubIssuerOfPrincipal,
  parseConditionKey,
  parseSubject,
  stringLike,
  isGitHubOwnerAudience,
  actionMatches,
  and3,
  awsEvaluation,
  buildSubject,
  conditionValueMatches,
  hasLiteralWildcard,
  findNamePlaceholders,
  summarizeTrustPolicy,
  diagnoseConditionKey,
  inferSubjectTemplate,
  knownText,
  not3,
  or3,
  subjectFormatId,
  type TokenFacts,
} from '../../src/model/claims.js';
import { parseOperator, type Condition } from '../../src/model/iam.js';

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

describe('condition key diagnosis', () => {
  const gh = githubIssuerOfPrincipal('arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com')!;
  const ent = githubIssuerOfPrincipal('arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com/octo-ent')!;
  it.each([
    ['token.actions.githubusercontent.com:sub', [gh], { kind: 'ok', claim: 'sub' }],
    ['Token.Actions.GitHubUserContent.com:Job_Workflow_Ref', [gh], { kind: 'ok', claim: 'job_workflow_ref' }],
    ['https://token.actions.githubusercontent.com:sub', [gh], { kind: 'scheme', expected: 'token.actions.githubusercontent.com:sub' }],
    ['token.actions.githubusercontent.com/sub', [gh], { kind: 'no-claim', expected: 'token.actions.githubusercontent.com:sub' }],
    ['arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com:aud', [gh], { kind: 'arn-prefix', expected: 'token.actions.githubusercontent.com:aud' }],
    ['vstoken.actions.githubusercontent.com:sub', [gh], { kind: 'legacy-issuer' }],
    ['token.actions.githubuser.content.com:aud', [gh], { kind: 'misspelled-issuer', expected: 'token.actions.githubusercontent.com:aud' }],
    ['token.actions.githubusercontent.com:sub', [ent], { kind: 'issuer-mismatch', expected: 'token.actions.githubusercontent.com/octo-ent:sub' }],
    ['token.actions.githubusercontent.com/octo-ent:sub', [ent], { kind: 'ok' }],
    ['token.actions.githubusercontent.com:subb', [gh], { kind: 'unknown-claim', suggestion: 'sub' }],
    ['token.actions.githubusercontent.com:repository_owner', [gh], { kind: 'not-evaluated' }],
    ['token.actions.githubusercontent.com:repo_property_team', [gh], { kind: 'not-evaluated' }],
    ['token.actions.githubusercontent.com:repository_owner_id', [gh], { kind: 'unconfirmed' }],
    ['token.actions.githubusercontent.com:amr', [gh], { kind: 'not-evaluated' }],
    ['aws:SourceIp', [gh], { kind: 'not-github' }],
    ['accounts.google.com:aud', [], { kind: 'not-github' }],
  ])('%s', (key, trusted, expected) => {
    expect(diagnoseConditionKey(key, trusted)).toMatchObject(expected);
  });
  it('accepts claims the configuration adds', () => {
    expect(diagnoseConditionKey('token.actions.githubusercontent.com:repository_owner', [gh], ['repository_owner']).kind).toBe('ok');
  });
});

describe('subjects GitHub mints', () => {
  const base = { owner: 'octo-org', repo: 'octo-repo', ownerId: '1342004', repoId: '1296269' };
  it.each<[string, Partial<TokenFacts>, string | undefined]>([
    ['push to a branch', { eventName: 'push', ref: 'refs/heads/main' }, 'repo:octo-org/octo-repo:ref:refs/heads/main'],
    ['environment wins over pull_request and ref', { eventName: 'pull_request', ref: 'refs/pull/1/merge', environment: 'prod' }, 'repo:octo-org/octo-repo:environment:prod'],
    ['pull_request wins over ref', { eventName: 'pull_request', ref: 'refs/pull/1/merge' }, 'repo:octo-org/octo-repo:pull_request'],
    ['pull_request_target uses its ref', { eventName: 'pull_request_target', ref: 'refs/heads/main' }, 'repo:octo-org/octo-repo:ref:refs/heads/main'],
    ['immutable', { immutable: true, eventName: 'push', ref: 'refs/tags/v1' }, 'repo:octo-org@1342004/octo-repo@1296269:ref:refs/tags/v1'],
    ['escaped colon', { environment: 'prod:eu' }, 'repo:octo-org/octo-repo:environment:prod%3Aeu'],
    ['rename-stable template', { template: ['repository_owner_id', 'repository_id', 'context'], environment: 'prod' }, 'repository_owner_id:1342004:repository_id:1296269:environment:prod'],
    [
      'repo, context, job_workflow_ref',
      { template: ['repo', 'context', 'job_workflow_ref'], environment: 'prod', claims: { job_workflow_ref: 'octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main' } },
      'repo:octo-org/octo-repo:environment:prod:job_workflow_ref:octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main',
    ],
    ['template repo with immutable ids', { template: ['repo', 'context'], immutable: true, eventName: 'pull_request' }, 'repo:octo-org@1342004/octo-repo@1296269:pull_request'],
    ['environment and owner', { template: ['environment', 'repository_owner'], environment: 'production:eastus' }, 'environment:production%3Aeastus:repository_owner:octo-org'],
    ['environment required but missing', { template: ['environment', 'repository_owner'], eventName: 'push', ref: 'refs/heads/main' }, undefined],
  ])('%s', (_name, facts, expected) => {
    expect(buildSubject({ ...base, ...facts })).toEqual(expected);
  });
  it('keeps unknown pieces unknown', () => {
    const sub = buildSubject({ ...base, owner: { value: '${{ vars.ORG }}', resolution: 'unresolved' }, eventName: 'push', ref: 'refs/heads/main' });
    expect(knownText(sub!)).toBeUndefined();
    expect(sub).toMatchObject({ resolution: 'unresolved', parts: [{ text: 'repo:', known: true }, { known: false }, { text: '/octo-repo:ref:refs/heads/main', known: true }] });
  });
  it('infers customised templates from policy values', () => {
    expect(inferSubjectTemplate('repository_owner_id:1:repository_id:2:environment:prod')).toEqual(['repository_owner_id', 'repository_id', 'context']);
    expect(inferSubjectTemplate('repo:o/r:environment:prod:job_workflow_ref:o/a/.github/workflows/x.yml@refs/heads/main')).toEqual(['repo', 'context', 'job_workflow_ref']);
    expect(inferSubjectTemplate('job_workflow_ref:o/a/.github/workflows/x.yml@refs/heads/main')).toEqual(['job_workflow_ref']);
    expect(inferSubjectTemplate('repo:o/r:ref:refs/heads/main')).toBeUndefined();
    expect(inferSubjectTemplate('repo:o/r:*')).toBeUndefined();
    expect(inferSubjectTemplate('*:repository_id:2')).toBeUndefined();
  });
  it('names subject formats', () => {
    expect([subjectFormatId(undefined, false), subjectFormatId(undefined, true), subjectFormatId(['repo', 'context', 'job_workflow_ref'], true)]).toEqual([
      'legacy',
      'immutable',
      'repo,context,job_workflow_ref+ids',
    ]);
  });
});

describe('the claim allow-list', () => {
  it('lists the 2026 GitHub keys AWS evaluates and marks single-source ones unconfirmed', () => {
    for (const c of ['sub', 'aud', 'actor', 'actor_id', 'job_workflow_ref', 'repository', 'repository_id', 'workflow', 'ref', 'environment', 'enterprise_id']) expect(awsEvaluation(c)).toBe('evaluated');
    for (const c of ['repository_owner_id', 'runner_environment']) expect(awsEvaluation(c)).toBe('unconfirmed');
    for (const c of ['repository_owner', 'workflow_ref', 'event_name', 'repository_visibility']) expect(awsEvaluation(c)).toBe('not-evaluated');
    expect(awsEvaluation('subb')).toBe('unknown-claim');
  });
});

describe('three-valued helpers', () => {
  it('follow Kleene logic', () => {
    expect([and3(true, 'unknown'), and3(false, 'unknown'), or3(true, 'unknown'), or3(false, 'unknown'), not3('unknown')]).toEqual(['unknown', false, true, 'unknown', 'unknown']);
  });
  it('matches condition values against partly known request values', () => {
    const c = { baseOperator: 'StringLike' } as Condition;
    const v = { value: 'repo:o/r:*', raw: '', loc: { file: '', start: { line: 1, column: 1 }, end: { line: 1, column: 1 } }, resolution: 'literal' as const };
    const partial = (text: string) => ({ value: text, resolution: 'unresolved' as const, parts: [{ text, known: true }, { text: '', known: false }] });
    expect(conditionValueMatches(c, v, partial('repo:o/r:ref:'))).toBe(true);
    expect(conditionValueMatches(c, v, partial('repo:x/'))).toBe(false);
    expect(conditionValueMatches(c, v, partial('repo:'))).toBe('unknown');
  });
});

describe('hasLiteralWildcard', () => {
  const loc = { file: '', start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
  const unresolved = (...parts: [string, boolean][]) => ({ value: parts.map((p) => p[0]).join(''), raw: '', loc, resolution: 'unresolved' as const, parts: parts.map(([text, known]) => ({ text, known })) });
  it.each([
    ['StringEquals', unresolved(['repo:', true], ['${var.org}', false], ['/', true], ['${var.repo}', false], [':*', true]), true],
    ['StringEquals', unresolved(['repo:', true], ['${var.sub}', false]), false],
    ['StringEquals', unresolved(['${*}', false]), false],
    ['StringLike', unresolved(['repo:', true], ['${var.org}', false], ['/*', true]), false],
    ['StringEqualsIgnoreCase', unresolved(['repo:o/', true], ['${r}', false], [':ref:refs/heads/?', true]), true],
    ['StringEquals', { value: 'repo:o/r:*', raw: '', loc, resolution: 'literal' as const }, true],
  ])('%s %j', (baseOperator, v, expected) => {
    expect(hasLiteralWildcard({ baseOperator } as Condition, v)).toBe(expected);
  });
});

describe('placeholders left where a name belongs (issue 16 item 5)', () => {
  const spans = (text: string, where: string) => findNamePlaceholders(text, where).map((p) => `${p.role}:${p.text}`);
  it.each([
    ['repo:<OWNER>/*', 'sub', ['owner:<OWNER>']],
    ['repo:<your-org>/<your-repo>:ref:refs/heads/main', 'sub', ['owner:<your-org>', 'repository:<your-repo>']],
    ['repo:OWNER/REPO:*', 'sub', ['owner:OWNER', 'repository:REPO']],
    ['repo:YOUR_ORG/xxx:*', 'sub', ['owner:YOUR_ORG', 'repository:xxx']],
    ['repo:GITHUB_ORG/GITHUB_REPO:environment:prod', 'sub', ['owner:GITHUB_ORG', 'repository:GITHUB_REPO']],
    ['repo:CHANGEME/app:*', 'sub', ['owner:CHANGEME']],
    ['repo:your-github-username/infra:*', 'sub', ['owner:your-github-username']],
    ['repo:owner/repo:*', 'sub', ['owner:owner', 'repository:repo']],
    ['repo:octo-org/octo-repo:environment:<ENV>', 'sub', ['value:<ENV>']],
    ['OWNER/REPO', 'repository', ['owner:OWNER', 'repository:REPO']],
    ['YOUR_ORG', 'repository_owner', ['owner:YOUR_ORG']],
    ['<org>/deploy/.github/workflows/deploy.yml@refs/heads/main', 'job_workflow_ref', ['owner:<org>']],
    ['arn:aws:iam::<ACCOUNT_ID>:oidc-provider/token.actions.githubusercontent.com', 'principal', ['account:<ACCOUNT_ID>']],
    ['arn:aws:iam::ACCOUNT_ID:oidc-provider/token.actions.githubusercontent.com', 'principal', ['account:ACCOUNT_ID']],
    ['arn:aws:iam::xxxxxxxxxxxx:oidc-provider/token.actions.githubusercontent.com', 'principal', ['account:xxxxxxxxxxxx']],
  ])('%s (%s)', (text, where, expected) => {
    expect(spans(text, where)).toEqual(expected);
  });
  it.each([
    // Real names, including ones that look generic: no placeholder.
    ['repo:octo-org/octo-repo:*', 'sub'],
    ['repo:my-org/website:ref:refs/heads/main', 'sub'],
    ['repo:my-org/my-app:*', 'sub'],
    ['repo:alice/todo:*', 'sub'],
    ['repo:octo-org/repo:*', 'sub'],
    ['repo:owner-tools/repository-settings:*', 'sub'],
    ['repo:org/infra:*', 'sub'],
    ['repo:acme/user:*', 'sub'],
    ['repo:*', 'sub'],
    ['repo:OWNER*/REPO*:*', 'sub'],
    ['repo:Owner/Repo:*', 'sub'],
    ['repo:octo-org/octo-repo:ref:refs/heads/xxx-feature', 'sub'],
    ['repo:octo-org@123/app@456:*', 'sub'],
    ['octo-org/app', 'repository'],
    ['arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com', 'principal'],
    ['arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com', 'principal'],
    ['sts.amazonaws.com', 'aud'],
    ['repo:${var.org}/${var.repo}:*', 'sub'],
  ])('%s (%s): none', (text, where) => {
    expect(spans(text, where)).toEqual([]);
  });
  it('the summary reads repo:<OWNER>/* as every repository of one owner; the evaluator matches the text as written', () => {
    const loc = { file: '', start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
    const v = (value: string) => ({ value, raw: value, loc, resolution: 'literal' as const });
    const role = { type: 'Role', loc, origin: { format: 'json', file: '' } } as never;
    const policy = { type: 'TrustPolicy', loc, parent: role, version: v('2012-10-17'), statements: [] as unknown[] } as never as import('../../src/model/iam.js').TrustPolicy;
    const st = { type: 'Statement', loc, parent: policy, index: 0, effect: v('Allow'), principals: [{ type: 'Principal', loc, kind: 'Federated', value: v('arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com') }], notPrincipals: [], actions: [v('sts:AssumeRoleWithWebIdentity')], notActions: [], conditions: [] as Condition[] };
    st.conditions.push({ type: 'Condition', loc, parent: st as never, operator: v('StringLike'), ...parseOperator('StringLike'), key: v('token.actions.githubusercontent.com:sub'), values: [v('repo:<OWNER>/*')] });
    (policy.statements as unknown[]).push(st);
    expect(summarizeTrustPolicy(policy, { placeholdersAsNames: true }).issuers[0].regions.map((r) => r.breadth)).toEqual(['any-repo']);
    expect(summarizeTrustPolicy(policy).issuers[0].regions.map((r) => r.breadth)).toEqual([]);
  });
});

describe('language analysis shortcuts', () => {
  const { analyze, uncached } = languageAnalysisForTests;
  const tok = fc.oneof(
    fc.constantFrom('a', 'b', 'B', ':', '/', 'r', 'e', 'f').map((c) => ({ k: 'c' as const, c })),
    fc.constant({ k: '*' as const }),
    fc.constant({ k: '?' as const }),
    fc.constant({ k: 'u' as const }),
  );
  const lit = fc.record({ toks: fc.array(tok, { maxLength: 6 }), ci: fc.boolean(), neg: fc.boolean() }).map((l) => ({ ...l, whenAbsent: false, text: '' }));
  const exactLit = fc.array(fc.constantFrom('a', 'b', ':', 'r', 'e', 'f'), { minLength: 0, maxLength: 8 }).map((cs) => ({ toks: cs.map((c) => ({ k: 'c' as const, c })), ci: false, neg: false, whenAbsent: false, text: cs.join('') }));
  const shape = (i: { nonEmpty: boolean; infinite: boolean; values?: string[] }) => ({ nonEmpty: i.nonEmpty, infinite: i.nonEmpty && i.infinite, values: i.nonEmpty ? i.values : [] });

  it('the exact-value shortcut answers as the automaton does, with unresolved pieces as wildcards or as marks', () => {
    fc.assert(
      fc.property(exactLit, fc.array(lit, { maxLength: 3 }), fc.constantFrom('name', 'digits', 'any', 'noColon', 'noAt'), fc.constantFrom('', 'ref:', 'a'), fc.boolean(), (exact, others, cls, prefix, mark) => {
        const lits = [exact, ...others];
        expect(shape(analyze(lits, cls as never, prefix, false, mark))).toEqual(shape(uncached(lits, cls as never, prefix, false, mark)));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('suggestClaim', () => {
  it('suggests a claim within two edits, and skips by length what cannot be within two', () => {
    expect(suggestClaim('sbu')).toBe('sub');
    expect(suggestClaim('repositroy')).toBe('repository');
    expect(suggestClaim('environmnt')).toBe('environment');
    // 8 MB compared in full with each claim name took 48 s.
    expect(suggestClaim('x'.repeat(8_000_000))).toBeUndefined();
  });
});
