/**
 * Live AWS with the real @aws-sdk/client-iam over real HTTP: a loopback IAM endpoint
 * (test/helpers/iam-server.ts) reached through AWS_ENDPOINT_URL_IAM, fake static credentials.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT, FAKE_KEY_ID, GITHUB_PROVIDER_ARN, githubTrust, roleArn, serviceTrust, startIamServer, useEnv, type FakeRole, type IamServer, type IamServerOptions } from '../helpers/iam-server.js';
import { AwsFatalError, addAwsToProject, awsModel, readAwsAccount, type AwsAccountData } from '../../src/loaders/aws/aws-iam.js';
import { lintProject } from '../../src/engine/linter.js';
import { rules } from '../../src/rules/index.js';
import { loadTree } from '../helpers/project.js';
import type { Project } from '../../src/model/project.js';

const SUB = 'token.actions.githubusercontent.com:sub';
const AUD = 'token.actions.githubusercontent.com:aud';

let server: IamServer | undefined;
let restore: (() => void) | undefined;
afterEach(async () => {
  restore?.();
  restore = undefined;
  await server?.close();
  server = undefined;
});

async function serve(opts: IamServerOptions, env: Record<string, string> = {}): Promise<IamServer> {
  server = await startIamServer(opts);
  restore = useEnv(server.env(env));
  return server;
}

function emptyProject(): Project {
  return { type: 'Project', root: '/tmp', sources: [], workflows: [], roles: [], providers: [], loadErrors: [], links: { byAssumption: new Map(), byRole: new Map(), unresolved: [] } };
}

function lint(project: Project) {
  const { findings, crashes } = lintProject(project, rules, { rules: {}, settings: {} });
  expect(crashes).toEqual([]);
  return findings;
}

/** 3,500 roles: every 50th trusts GitHub (70 of them), the rest are Lambda service roles. */
function manyRoles(): FakeRole[] {
  const roles: FakeRole[] = [];
  for (let i = 0; i < 3500; i++)
    roles.push(
      i % 50 === 7
        ? { name: `gh-${String(i).padStart(4, '0')}`, path: '/github/', document: githubTrust({ StringEquals: { [AUD]: 'sts.amazonaws.com', [SUB]: `repo:org/r${i}:ref:refs/heads/main` } }) }
        : { name: `svc-${String(i).padStart(4, '0')}`, document: serviceTrust() },
    );
  return roles;
}

describe('reading an account over HTTP with the real SDK', () => {
  it('pages through thousands of roles on IsTruncated/Marker with MaxItems 1000 and keeps the GitHub-federated ones', async () => {
    // The endpoint returns at most 700 roles per page although 1000 are asked: the loop must follow IsTruncated, not the count.
    const s = await serve({ roles: manyRoles(), pageLimit: 700 });
    const data = await readAwsAccount();
    const pages = s.requests.filter((r) => r.action === 'ListRoles');
    expect(pages).toHaveLength(5);
    expect(pages.map((r) => r.params.MaxItems)).toEqual(['1000', '1000', '1000', '1000', '1000']);
    expect(pages[0].params.Marker).toBeUndefined();
    expect(new Set(pages.slice(1).map((r) => r.params.Marker)).size).toBe(4);
    expect(pages.every((r) => r.params.Version === '2010-05-08' && r.contentType.startsWith('application/x-www-form-urlencoded'))).toBe(true);
    // Signed with the credentials from the environment: the SDK's own chain was used.
    expect(s.requests.every((r) => r.authorization.startsWith(`AWS4-HMAC-SHA256 Credential=${FAKE_KEY_ID}/`))).toBe(true);
    expect(s.requests.map((r) => r.action).filter((a) => a !== 'ListRoles')).toEqual(['ListOpenIDConnectProviders']);
    expect(data.rolesListed).toBe(3500);
    expect(data.roles).toHaveLength(70);
    expect(data.roles.every((r) => r.name.startsWith('gh-') && r.path === '/github/')).toBe(true);
    expect(data.roles[0].arn).toBe(roleArn('gh-0007', '/github/'));
    expect(data.accountId).toBe(ACCOUNT);
    expect(data.partition).toBe('aws');
    expect(data.incomplete).toEqual([]);
  });

  it('passes --aws-role-prefix as PathPrefix', async () => {
    const s = await serve({ roles: manyRoles() });
    const data = await readAwsAccount({ rolePathPrefix: '/github/' });
    expect(s.requests.filter((r) => r.action === 'ListRoles').map((r) => r.params.PathPrefix)).toEqual(['/github/']);
    expect(data.rolesListed).toBe(70);
    expect(data.rolePathPrefix).toBe('/github/');
  });

  it('URL-decodes AssumeRolePolicyDocument exactly once (a %3A in an environment name survives)', async () => {
    const doc = githubTrust({ StringEquals: { [AUD]: 'sts.amazonaws.com', [SUB]: 'repo:org/app:environment:prod%3Aeu' } });
    await serve({ roles: [{ name: 'env-role', document: doc }] });
    const data = await readAwsAccount();
    expect(data.roles.map((r) => r.document)).toEqual([doc]);
  });

  it('keeps roles that federate any GitHub issuer (enterprise slug) and drops other federations', async () => {
    const enterprise = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com/acme` }, Action: 'sts:AssumeRoleWithWebIdentity' }],
    });
    const google = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: 'accounts.google.com' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'accounts.google.com:aud': 'x' } } }],
    });
    await serve({ roles: [{ name: 'ent', document: enterprise }, { name: 'google', document: google }, { name: 'svc', document: serviceTrust() }] });
    const data = await readAwsAccount();
    expect(data.roles.map((r) => r.name)).toEqual(['ent']);
    expect(data.rolesListed).toBe(3);
  });

  it('reads only GitHub OIDC providers, at most 4 at a time, and normalises Url with or without https://', async () => {
    const providers = ['', '/acme', '/beta', '/gamma', '/delta', '/epsilon'].map((slug, i) => ({
      arn: `${GITHUB_PROVIDER_ARN}${slug}`,
      url: `${i % 2 ? 'https://' : ''}token.actions.githubusercontent.com${slug}${i === 2 ? '/' : ''}`,
      clientIds: ['sts.amazonaws.com'],
      thumbprints: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
    }));
    providers.push({ arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/accounts.google.com`, url: 'accounts.google.com', clientIds: ['x'], thumbprints: [] });
    const s = await serve({ roles: [], providers, providerDelayMs: 40 });
    const data = await readAwsAccount();
    expect(s.count('ListOpenIDConnectProviders')).toBe(1);
    expect(s.requests.filter((r) => r.action === 'GetOpenIDConnectProvider').map((r) => r.params.OpenIDConnectProviderArn).sort()).toEqual(providers.slice(0, 6).map((p) => p.arn).sort());
    expect(s.maxProviderConcurrency).toBeLessThanOrEqual(4);
    expect(s.maxProviderConcurrency).toBeGreaterThan(1);
    expect(data.providers.map((p) => p.url)).toEqual([
      'https://token.actions.githubusercontent.com',
      'https://token.actions.githubusercontent.com/acme',
      'https://token.actions.githubusercontent.com/beta',
      'https://token.actions.githubusercontent.com/delta',
      'https://token.actions.githubusercontent.com/epsilon',
      'https://token.actions.githubusercontent.com/gamma',
    ]);
    expect(data.providers[0]).toEqual({ arn: GITHUB_PROVIDER_ARN, url: 'https://token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'], thumbprints: ['6938fd4d98bab03faadb97b34396831e3780aea1'] });
  });
});

describe('faults', () => {
  it('retries throttling with back-off and then completes', async () => {
    const s = await serve({
      roles: [{ name: 'deploy', document: githubTrust() }],
      providers: [{ arn: GITHUB_PROVIDER_ARN, url: 'token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'], thumbprints: [] }],
      faults: [
        { action: 'ListRoles', code: 'Throttling', message: 'Rate exceeded', times: 2 },
        { action: 'GetOpenIDConnectProvider', code: 'Throttling', message: 'Rate exceeded', times: 1 },
      ],
    });
    const data = await readAwsAccount();
    expect(s.count('ListRoles')).toBe(3);
    expect(s.count('GetOpenIDConnectProvider')).toBe(2);
    expect(data.roles.map((r) => r.name)).toEqual(['deploy']);
    expect(data.providers).toHaveLength(1);
    expect(data.incomplete).toEqual([]);
  });

  it('gives up after AWS_MAX_ATTEMPTS when throttling never stops (one-line fatal error)', async () => {
    const s = await serve({ roles: [], faults: [{ action: 'ListRoles', code: 'Throttling', message: 'Rate exceeded' }] }, { AWS_MAX_ATTEMPTS: '2' });
    const e = await readAwsAccount().catch((x) => x);
    expect(e).toBeInstanceOf(AwsFatalError);
    expect(e.message).toBe('iam:ListRoles failed (Throttling: Rate exceeded)');
    expect(s.count('ListRoles')).toBe(2);
  });

  it('records AccessDenied on ListOpenIDConnectProviders as incomplete and still reads the roles', async () => {
    const s = await serve({
      roles: [{ name: 'deploy', document: githubTrust() }],
      providers: [{ arn: GITHUB_PROVIDER_ARN, url: 'x', clientIds: [], thumbprints: [] }],
      faults: [{ action: 'ListOpenIDConnectProviders', code: 'AccessDenied', message: 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: iam:ListOpenIDConnectProviders' }],
    });
    const data = await readAwsAccount();
    expect(s.count('ListOpenIDConnectProviders')).toBe(1); // not retried
    expect(s.count('GetOpenIDConnectProvider')).toBe(0);
    expect(data.roles.map((r) => r.name)).toEqual(['deploy']);
    expect(data.incomplete).toEqual([
      { operation: 'ListOpenIDConnectProviders', permission: 'iam:ListOpenIDConnectProviders', code: 'AccessDenied', message: 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: iam:ListOpenIDConnectProviders' },
    ]);
    const project = emptyProject();
    addAwsToProject(project, awsModel(data));
    const pe = lint(project).filter((f) => f.ruleId === 'parse-error');
    expect(pe.map((f) => [f.messageId, f.location.logical?.fullyQualifiedName, f.message])).toEqual([
      ['io', `arn:aws:iam::${ACCOUNT}:root`, "Cannot read: iam:ListOpenIDConnectProviders was denied (AccessDenied), so the account's OIDC providers were not checked; grant iam:ListOpenIDConnectProviders."],
    ]);
  });

  it('records AccessDenied on one GetOpenIDConnectProvider with the provider ARN, and reads the others', async () => {
    const acme = `${GITHUB_PROVIDER_ARN}/acme`;
    await serve({
      roles: [],
      providers: [
        { arn: GITHUB_PROVIDER_ARN, url: 'token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'], thumbprints: [] },
        { arn: acme, url: 'token.actions.githubusercontent.com/acme', clientIds: ['sts.amazonaws.com'], thumbprints: [] },
      ],
      faults: [{ action: 'GetOpenIDConnectProvider', code: 'AccessDenied', message: 'denied', when: (p) => p.OpenIDConnectProviderArn === acme }],
    });
    const data = await readAwsAccount();
    expect(data.providers.map((p) => p.arn)).toEqual([GITHUB_PROVIDER_ARN]);
    expect(data.incomplete).toEqual([{ operation: 'GetOpenIDConnectProvider', permission: 'iam:GetOpenIDConnectProvider', code: 'AccessDenied', message: 'denied', resource: acme }]);
    const model = awsModel(data);
    expect(model.errors.map((e) => [e.loc.logical, e.loc.path])).toEqual([[{ kind: 'aws-oidc-provider', fullyQualifiedName: acme }, `incomplete:GetOpenIDConnectProvider:${acme}`]]);
  });

  it('records AccessDenied on ListRoles as incomplete and still reads the providers', async () => {
    await serve({ roles: [{ name: 'x', document: githubTrust() }], providers: [{ arn: GITHUB_PROVIDER_ARN, url: 'token.actions.githubusercontent.com', clientIds: [], thumbprints: [] }], faults: [{ action: 'ListRoles', code: 'AccessDenied', message: 'no' }] });
    const data = await readAwsAccount();
    expect(data.roles).toEqual([]);
    expect(data.providers.map((p) => p.arn)).toEqual([GITHUB_PROVIDER_ARN]);
    expect(data.incomplete.map((i) => [i.permission, i.code])).toEqual([['iam:ListRoles', 'AccessDenied']]);
    // The account id still comes from an ARN (the provider's), never from STS.
    expect(data.accountId).toBe(ACCOUNT);
  });

  it('keeps what was listed when a later ListRoles page is denied', async () => {
    const s = await serve({ roles: manyRoles().slice(0, 2500), faults: [{ action: 'ListRoles', code: 'AccessDenied', message: 'no', when: (p) => p.Marker !== undefined }] });
    const data = await readAwsAccount();
    expect(s.count('ListRoles')).toBe(2);
    expect(data.rolesListed).toBe(1000);
    expect(data.roles).toHaveLength(20);
    expect(data.incomplete.map((i) => i.operation)).toEqual(['ListRoles']);
  });

  it('fails with one line on expired credentials', async () => {
    const s = await serve({ roles: [], faults: [{ action: 'ListRoles', code: 'ExpiredToken', message: 'The security token included in the request is expired' }] });
    const e = await readAwsAccount().catch((x) => x);
    expect(e).toBeInstanceOf(AwsFatalError);
    expect(e.message).toBe('AWS rejected the credentials (ExpiredToken: The security token included in the request is expired); refresh them (e.g. "aws sso login") and retry');
    expect(s.count('ListRoles')).toBe(1);
  });

  it('fails with one line, before any request, when there are no credentials', async () => {
    const s = await serve({ roles: [] });
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const e = await readAwsAccount().catch((x) => x);
    expect(e).toBeInstanceOf(AwsFatalError);
    expect(e.message).toMatch(/^no usable AWS credentials \(.+\); set AWS_PROFILE or --aws-profile/);
    expect(e.message).not.toContain('\n');
    expect(s.requests).toEqual([]);
  });

  it('fails with one line when the endpoint cannot be reached', async () => {
    const s = await serve({ roles: [] }, { AWS_MAX_ATTEMPTS: '1' });
    await s.close();
    server = undefined;
    const e = await readAwsAccount().catch((x) => x);
    expect(e).toBeInstanceOf(AwsFatalError);
    expect(e.message).toMatch(new RegExp(`^cannot reach ${s.url.replace(/[.]/g, '\\.')} \\(ECONNREFUSED\\): `));
    expect(e.message).not.toContain('\n');
  });

  it('fails with one line when the named profile does not exist', async () => {
    const s = await serve({ roles: [] });
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const e = await readAwsAccount({ profile: 'no-such-profile' }).catch((x) => x);
    expect(e).toBeInstanceOf(AwsFatalError);
    expect(e.message).toMatch(/^no usable AWS credentials for profile "no-such-profile" \(.+\); check the profile in ~\/\.aws\/config/);
    expect(s.requests).toEqual([]);
  });
});

describe('live roles in the model', () => {
  const wildcard = githubTrust({ StringEquals: { [AUD]: 'sts.amazonaws.com' }, StringLike: { [SUB]: ['repo:org/app:ref:refs/heads/main', 'repo:*'] } });
  const open = githubTrust();

  async function liveProject(extraRoles: FakeRole[] = []): Promise<{ project: Project; data: AwsAccountData }> {
    await serve({ roles: [{ name: 'open', document: open }, { name: 'wild', path: '/ci/', document: wildcard }, ...extraRoles] });
    const data = await readAwsAccount();
    const project = emptyProject();
    addAwsToProject(project, awsModel(data));
    return { project, data };
  }

  it('runs the trust-policy rules on live roles, at the ARN with document-relative positions and symbolic paths', async () => {
    const { project } = await liveProject();
    const findings = lint(project).map((f) => ({ rule: f.ruleId, id: f.messageId, file: f.location.file, arn: f.location.logical?.fullyQualifiedName, path: f.location.path, col: f.location.start.column, line: f.location.start.line }));
    const fedCol = open.indexOf(`"${GITHUB_PROVIDER_ARN}"`) + 1;
    const starCol = wildcard.indexOf('"repo:*"') + 1;
    // Grouped by role (ARN order), never interleaved although every position is on line 1 of its own document.
    expect(findings).toEqual([
      { rule: 'no-wildcard-subject', id: 'anyOwner', file: '', arn: roleArn('wild', '/ci/'), path: `Statement[0].Condition.StringLike.${SUB}[1]`, col: starCol, line: 1 },
      { rule: 'require-audience-condition', id: 'missing', file: '', arn: roleArn('open'), path: 'Statement[0].Principal.Federated', col: fedCol, line: 1 },
      { rule: 'require-subject-condition', id: 'missing', file: '', arn: roleArn('open'), path: 'Statement[0].Principal.Federated', col: fedCol, line: 1 },
    ]);
  });

  it('gives the role name and ARN as values, with the role as logical location', async () => {
    const { project } = await liveProject();
    const wild = project.roles.find((r) => r.name?.value === 'wild')!;
    expect(wild.arn).toMatchObject({ value: roleArn('wild', '/ci/'), resolution: 'literal', loc: { file: '', path: 'Arn', logical: { kind: 'aws-iam-role', fullyQualifiedName: roleArn('wild', '/ci/'), name: 'wild' } } });
    expect(wild.origin).toEqual({ format: 'aws', file: '', logicalId: roleArn('wild', '/ci/') });
    expect(wild.trustPolicy!.statements[0].conditions.map((c) => c.loc.logical?.fullyQualifiedName)).toEqual([roleArn('wild', '/ci/'), roleArn('wild', '/ci/')]);
  });

  it('reports a malformed document as a parse error of that role, with its ARN', async () => {
    const truncated = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"';
    const { project } = await liveProject([
      { name: 'broken', document: truncated },
      { name: 'badenc', rawDocument: '%7B%22Version%22%3A%E0%A4%A' },
      { name: 'notobj', document: '[1]' },
    ]);
    expect(project.roles.map((r) => r.name?.value).sort()).toEqual(['badenc', 'broken', 'notobj', 'open', 'wild']);
    const pe = lint(project)
      .filter((f) => f.ruleId === 'parse-error')
      .map((f) => [f.messageId, f.location.logical?.fullyQualifiedName, f.location.file, f.location.start.line, f.location.start.column]);
    expect(pe).toEqual([
      ['syntax', roleArn('badenc'), '', 1, 1],
      ['syntax', roleArn('broken'), '', 1, truncated.length + 1],
      ['structure', roleArn('notobj'), '', 1, 1],
    ]);
  });

  it('joins a workflow role-to-assume to the live role by ARN', async () => {
    await serve({ roles: [{ name: 'deploy', path: '/github/', document: open }] });
    const data = await readAwsAccount();
    const project = await loadTree({
      '.github/workflows/deploy.yml': `on: push\npermissions:\n  id-token: write\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: ${roleArn('deploy', '/github/')}\n          aws-region: eu-west-1\n`,
    });
    expect(project.links.unresolved).toHaveLength(1);
    addAwsToProject(project, awsModel(data));
    expect(project.links.unresolved).toEqual([]);
    const [links] = [...project.links.byAssumption.values()];
    expect(links.map((l) => [l.match, l.role.arn?.value, l.role.origin.format])).toEqual([['arn', roleArn('deploy', '/github/'), 'aws']]);
  });
});
