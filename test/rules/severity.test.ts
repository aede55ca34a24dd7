/**
 * Severity that matches the risk (issue 15, item 7): findings whose attack the platform already
 * blocks are hardening warnings, even with the rule at `error`; the error stays where the risk is real.
 */
import { describe, expect, it } from 'vitest';
import { lintTree } from '../helpers/project.js';
import { accountOfArn, providersOfStatement } from '../../src/model/claims.js';
import { credentialOrigin, isAwsKeyShaped, isDummyCredential, isLocalEndpoint } from '../../src/model/secrets.js';
import type { OidcProvider, Statement } from '../../src/model/iam.js';

const T = 'token.actions.githubusercontent.com';
const view = (fs: { messageId: string; level: string; location: { start: { line: number; column: number } } }[]) =>
  fs.map((f) => `${f.level} ${f.messageId}@${f.location.start.line}:${f.location.start.column}`);

function tf(clientIds: string[], condition = `StringEquals = { "${T}:sub" = "repo:octo-org/octo-repo:ref:refs/heads/main" }`): string {
  return `resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://${T}"
  client_id_list = ${JSON.stringify(clientIds)}
}

resource "aws_iam_role" "deploy" {
  name = "github-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { ${condition} }
    }]
  })
}
`;
}

describe('require-audience-condition: the provider decides the severity', () => {
  it('is a warning when the provider in the scan lists only the expected audience', async () => {
    const fs = await lintTree({ 'main.tf': tf(['sts.amazonaws.com']) }, 'require-audience-condition');
    expect(view(fs)).toEqual(['warn missingHardening@12:33']);
    expect(fs[0].message).not.toMatch(/other services|any audience/);
    expect(fs[0].message).toContain('STS already refuses other audiences');
    expect(fs[0].related.map((r) => `${r.loc.start.line}:${r.loc.start.column}`)).toEqual(['3:21']);
    expect(fs[0].severity).toBe('low');
  });
  it('stays an error when the provider lists another client id', async () => {
    const fs = await lintTree({ 'main.tf': tf(['sts.amazonaws.com', 'sigstore']) }, 'require-audience-condition');
    expect(view(fs)).toEqual(['error missing@12:33']);
  });
  it('stays an error when the provider has an unreadable client id', async () => {
    const text = tf(['sts.amazonaws.com']).replace('["sts.amazonaws.com"]', '[var.audience]');
    const fs = await lintTree({ 'main.tf': `variable "audience" {}\n${text}` }, 'require-audience-condition');
    expect(view(fs)).toEqual(['error missing@13:33']);
  });
  it('stays an error when no provider is in the scan', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${T}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${T}:sub`]: 'repo:o/r:ref:refs/heads/main' } } }],
    });
    const fs = await lintTree({ 'iam/trust.json': policy }, 'require-audience-condition');
    expect(view(fs)).toEqual(['error missing@1:81']);
  });
  it('honours a configured audience list', async () => {
    const fs = await lintTree({ 'main.tf': tf(['sts.amazonaws.com', 'custom-aud']) }, 'require-audience-condition', [{ audiences: ['sts.amazonaws.com', 'custom-aud'] }]);
    expect(view(fs)).toEqual(['warn missingHardening@12:33']);
  });
});

describe('providersOfStatement', () => {
  const v = (value: string) => ({ value, raw: value, loc: { file: 'x', start: { line: 1, column: 1 }, end: { line: 1, column: 1 } }, resolution: 'literal' as const });
  const provider = (arn: string | undefined): OidcProvider =>
    ({ type: 'OidcProvider', loc: v('').loc, origin: { format: 'aws', file: '' }, arn: arn ? v(arn) : undefined, url: v(`https://${T}`), clientIds: [v('sts.amazonaws.com')], thumbprints: [] }) as OidcProvider;
  const statement = (federated: string) => ({ principals: [{ type: 'Principal', kind: 'Federated', value: v(federated) }], conditions: [] }) as unknown as Statement;
  it('keeps providers of the same account or of an unknown one, for the same issuer', () => {
    const a = provider(`arn:aws:iam::111111111111:oidc-provider/${T}`);
    const b = provider(`arn:aws:iam::222222222222:oidc-provider/${T}`);
    const c = provider(undefined);
    expect(providersOfStatement(statement(`arn:aws:iam::111111111111:oidc-provider/${T}`), T, [a, b, c])).toEqual([a, c]);
    expect(providersOfStatement(statement(`arn:aws:iam::111111111111:oidc-provider/${T}/octo-ent`), T, [a, b, c])).toEqual([]);
  });
  it('reads account ids only when written out', () => {
    expect(accountOfArn('arn:aws:iam::111111111111:role/x')).toBe('111111111111');
    expect(accountOfArn({ value: 'arn:aws:iam::${AWS::AccountId}:role/x', resolution: 'unresolved', parts: [{ text: 'arn:aws:iam::', known: true }, { text: '', known: false }, { text: ':role/x', known: true }] })).toBeUndefined();
  });
});

describe('no-unsafe-condition-operator: ForAnyValue on a single-valued claim is fail-closed', () => {
  const policy = JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${T}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${T}:aud`]: 'sts.amazonaws.com' }, 'ForAnyValue:StringLike': { [`${T}:sub`]: ['repo:o/r:ref:refs/heads/main'] } },
        },
      ],
    },
    null,
    2,
  );
  it('is not reported by default', async () => {
    expect(await lintTree({ 'iam/trust.json': policy }, 'no-unsafe-condition-operator')).toEqual([]);
  });
  it('is a low-severity warning with the forAnyValue option, even at error', async () => {
    const fs = await lintTree({ 'iam/trust.json': policy }, 'no-unsafe-condition-operator', [{ forAnyValue: true }]);
    expect(view(fs)).toEqual(['warn forAnyValue@14:9']);
    expect(fs[0].severity).toBe('low');
  });
  it('is not reported, even on request, where a construct wrote it (aws-cdk-github-oidc GithubActionsRole)', async () => {
    const stack = `import { Construct } from 'constructs';
import { GithubActionsIdentityProvider, GithubActionsRole } from 'aws-cdk-github-oidc';
export function make(scope: Construct) {
  new GithubActionsRole(scope, 'R', { provider: GithubActionsIdentityProvider.fromAccount(scope, 'P'), owner: 'o', repo: 'r', filter: 'ref:refs/heads/main' });
}
`;
    expect(await lintTree({ 'lib/stack.ts': stack }, 'no-unsafe-condition-operator', [{ forAnyValue: true }])).toEqual([]);
  });
  it('still reports ForAllValues as an error', async () => {
    const fs = await lintTree({ 'iam/trust.json': policy.replace('ForAnyValue', 'ForAllValues') }, 'no-unsafe-condition-operator');
    expect(view(fs)).toEqual(['error forAllValues@14:9']);
  });
});

describe('credential origins (no-static-aws-credentials)', () => {
  it('only secrets, variables and literals can be long-lived keys', () => {
    expect(credentialOrigin('${{ secrets.AWS_ACCESS_KEY_ID }}')).toBe('secret');
    expect(credentialOrigin("${{ secrets['AWS_KEY'] }}")).toBe('secret');
    expect(credentialOrigin('${{ vars.KEY || secrets.KEY }}')).toBe('secret');
    expect(credentialOrigin('${{ vars.KEY }}')).toBe('variable');
    expect(credentialOrigin('AKIA1234')).toBe('literal');
    expect(credentialOrigin('${{ env.AWS_ACCESS_KEY_ID }}')).toBe('runtime');
    expect(credentialOrigin('${{ steps.creds.outputs.aws-access-key-id }}')).toBe('runtime');
    expect(credentialOrigin('${{ needs.auth.outputs.secrets }}')).toBe('runtime');
    expect(credentialOrigin('${{ fromJSON(steps.x.outputs.vars).id }}')).toBe('runtime');
  });
  it('knows local endpoints and dummy values', () => {
    for (const e of ['http://localhost:4566', 'http://127.0.0.1:9000', 'localstack:4566', 'http://minio:9000', 'http://host.docker.internal:8000', 'http://[::1]:9000', 'http://s3.localhost.localstack.cloud:4566'])
      expect(isLocalEndpoint(e), e).toBe(true);
    for (const e of ['https://s3.amazonaws.com', 'https://dynamodb.us-east-1.amazonaws.com', 'https://storage.example.com', 'https://minio-prod.example.com'])
      expect(isLocalEndpoint(e), e).toBe(false);
    expect(isDummyCredential('minioadmin')).toBe(true);
    expect(isDummyCredential('test')).toBe(true);
    expect(isDummyCredential('storage-user-42')).toBe(false);
    expect(isDummyCredential('AKIAIOSFODNN7EXAMPLE')).toBe(true);
    expect(isAwsKeyShaped('AKIA' + 'Q7ZMW2OGYBAH6TRX')).toBe(true);
    expect(isAwsKeyShaped('AKIAIOSFODNN7EXAMPLE')).toBe(false);
    expect(isAwsKeyShaped('minioadmin')).toBe(false);
  });
});
