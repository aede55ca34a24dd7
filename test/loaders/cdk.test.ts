import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { loadCdk, mayBeCdkIam, MAX_CDK_PARSE_BYTES } from '../../src/loaders/aws/cdk.js';
import type { Condition, Role, Statement } from '../../src/model/iam.js';
import type { Position } from '../../src/model/location.js';
import { brief, lintTree, loadTree } from '../helpers/project.js';

const FILE = 'lib/stack.ts';
const ISSUER = 'token.actions.githubusercontent.com';
const GITHUB_ARN = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';

async function load(src: string) {
  return loadCdk(src, FILE);
}

/** 1-based position of the n-th occurrence of `needle` in `src`, computed from string offsets (independently of the parser). */
function at(src: string, needle: string, nth = 0): Position {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = src.indexOf(needle, i + 1);
    if (i < 0) throw new Error(`'${needle}' not found`);
  }
  const before = src.slice(0, i);
  const line = before.split('\n').length;
  return { line, column: i - before.lastIndexOf('\n') };
}
function endOf(src: string, needle: string, nth = 0): Position {
  const p = at(src, needle, nth);
  return { line: p.line, column: p.column + needle.length };
}

function stmt(role: Role, i = 0): Statement {
  const st = role.trustPolicy?.statements[i];
  if (!st) throw new Error(`no statement ${i}`);
  return st;
}
function cond(st: Statement, claim: string): Condition {
  const c = st.conditions.find((x) => x.key.value.endsWith(`:${claim}`));
  if (!c) throw new Error(`no ${claim} condition`);
  return c;
}
/** Compact view of a statement: principal, actions and conditions as plain strings. */
function shape(st: Statement) {
  return {
    effect: st.effect.value,
    principals: st.principals.map((p) => `${p.kind}=${p.value.value}`),
    actions: st.actions.map((a) => a.value),
    conditions: st.conditions.map((c) => `${c.operator.value} ${c.key.value} ${JSON.stringify(c.values.map((v) => v.value))}`),
  };
}

const HEADER = `import * as cdk from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as iam from 'aws-cdk-lib/aws-iam';
`;

describe('CDK loader: text pre-check (nothing is parsed unless a file may hold CDK IAM code)', () => {
  it('accepts .ts files that mention aws-iam or the OIDC principals and constructs', () => {
    expect(mayBeCdkIam('lib/stack.ts', "import * as iam from 'aws-cdk-lib/aws-iam';")).toBe(true);
    expect(mayBeCdkIam('lib/stack.ts', "import { aws_iam } from 'aws-cdk-lib';")).toBe(true);
    expect(mayBeCdkIam('lib/stack.ts', 'new WebIdentityPrincipal(arn)')).toBe(true);
    expect(mayBeCdkIam('lib/stack.ts', "import { GithubActionsRole } from 'aws-cdk-github-oidc';")).toBe(true);
  });
  it('rejects declaration files, other extensions, node_modules and code without those words', () => {
    expect(mayBeCdkIam('lib/stack.d.ts', "import * as iam from 'aws-cdk-lib/aws-iam';")).toBe(false);
    expect(mayBeCdkIam('lib/stack.js', "require('aws-cdk-lib/aws-iam')")).toBe(false);
    expect(mayBeCdkIam('node_modules/x/index.ts', "import * as iam from 'aws-cdk-lib/aws-iam';")).toBe(false);
    expect(mayBeCdkIam('test/util.test.ts', "import { Bucket } from 'aws-cdk-lib/aws-s3'; it('x', () => {});")).toBe(false);
  });
});

describe('CDK loader: roles with OIDC principals', () => {
  it('reads OpenIdConnectProvider + OpenIdConnectPrincipal with template-literal keys and same-file constants', async () => {
    const src = `${HEADER}
const ORG = 'octo-org';
const host = 'token.actions.githubusercontent.com';

export class DeployStack extends cdk.Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const provider = new iam.OpenIdConnectProvider(this, 'GithubProvider', {
      url: \`https://\${host}\`,
      clientIds: ['sts.amazonaws.com'],
    });
    new iam.Role(this, 'DeployRole', {
      roleName: 'github-deploy',
      assumedBy: new iam.OpenIdConnectPrincipal(provider, {
        StringEquals: { [\`\${host}:aud\`]: 'sts.amazonaws.com' },
        StringLike: { [\`\${host}:sub\`]: \`repo:\${ORG}/*\` },
      }),
    });
  }
}
`;
    const { roles, providers, errors } = await load(src);
    expect(errors).toEqual([]);
    expect(roles).toHaveLength(1);
    const role = roles[0];
    expect(role.origin).toEqual({ format: 'cdk', file: FILE, logicalId: 'DeployRole' });
    expect(role.name).toMatchObject({ value: 'github-deploy', raw: "'github-deploy'", resolution: 'literal', loc: { start: at(src, "'github-deploy'"), end: endOf(src, "'github-deploy'") } });
    expect(role.arn).toMatchObject({
      value: 'arn:aws:iam::${AWS::AccountId}:role/github-deploy',
      resolution: 'unresolved',
      parts: [
        { text: 'arn:aws:iam::', known: true },
        { text: '${AWS::AccountId}', known: false },
        { text: ':role/github-deploy', known: true },
      ],
    });
    const st = stmt(role);
    expect(shape(st)).toEqual({
      effect: 'Allow',
      principals: [`Federated=arn:aws:iam::\${AWS::AccountId}:oidc-provider/${ISSUER}`],
      actions: ['sts:AssumeRoleWithWebIdentity'],
      conditions: [`StringEquals ${ISSUER}:aud ["sts.amazonaws.com"]`, `StringLike ${ISSUER}:sub ["repo:octo-org/*"]`],
    });
    // The principal is the provider argument; the sub value is the template literal; the key is the computed key.
    expect(st.principals[0].value.loc.start).toEqual(at(src, 'provider, {'));
    expect(st.principals[0].value.resolution).toBe('unresolved');
    const sub = cond(st, 'sub');
    expect(sub.values[0]).toMatchObject({ raw: '`repo:${ORG}/*`', resolution: 'expression', loc: { start: at(src, '`repo:${ORG}/*`'), end: endOf(src, '`repo:${ORG}/*`') } });
    expect(sub.values[0].loc.path).toBe(`DeployRole.Statement[0].Condition.StringLike.${ISSUER}:sub`);
    expect(sub.key.loc.start).toEqual(at(src, '`${host}:sub`'));
    expect(sub.operator.loc.start).toEqual(at(src, 'StringLike'));
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({
      origin: { format: 'cdk', logicalId: 'GithubProvider' },
      url: { value: `https://${ISSUER}`, resolution: 'expression', loc: { start: at(src, '`https://${host}`') } },
      clientIds: [{ value: 'sts.amazonaws.com', resolution: 'literal', loc: { start: at(src, "'sts.amazonaws.com'") } }],
      thumbprints: [],
      arn: { value: `arn:aws:iam::\${AWS::AccountId}:oidc-provider/${ISSUER}`, resolution: 'unresolved' },
    });
  });

  it('converts ESTree positions once: 1-based line and column, end after the last character', async () => {
    const src = `import { aws_iam as iam } from 'aws-cdk-lib';
new iam.Role(this, 'R', { assumedBy: new iam.WebIdentityPrincipal('${GITHUB_ARN}', {
  StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:octo-org/*' } }) });
`;
    const { roles } = await load(src);
    const v = cond(stmt(roles[0]), 'sub').values[0];
    expect(v.loc.start).toEqual({ line: 3, column: 60 });
    expect(v.loc.end).toEqual({ line: 3, column: 77 });
    expect(v).toMatchObject({ value: 'repo:octo-org/*', raw: "'repo:octo-org/*'", resolution: 'literal' });
    expect(stmt(roles[0]).principals[0].value).toMatchObject({ value: GITHUB_ARN, resolution: 'literal', loc: { start: { line: 2, column: 67 } } });
  });

  it('resolves named, renamed and nested-namespace imports', async () => {
    const src = `import { Role, WebIdentityPrincipal as WIP } from 'aws-cdk-lib/aws-iam';
import * as cdk from 'aws-cdk-lib';
new Role(this, 'A', { assumedBy: new WIP('${GITHUB_ARN}', { StringEquals: { '${ISSUER}:aud': 'sts.amazonaws.com' } }) });
new cdk.aws_iam.Role(this, 'B', { assumedBy: new cdk.aws_iam.WebIdentityPrincipal('${GITHUB_ARN}') });
`;
    const { roles } = await load(src);
    expect(roles.map((r) => r.origin.logicalId)).toEqual(['A', 'B']);
    expect(shape(stmt(roles[0])).conditions).toEqual([`StringEquals ${ISSUER}:aud ["sts.amazonaws.com"]`]);
    expect(shape(stmt(roles[1]))).toEqual({ effect: 'Allow', principals: [`Federated=${GITHUB_ARN}`], actions: ['sts:AssumeRoleWithWebIdentity'], conditions: [] });
  });

  it('resolves CDK v1, require() and import-equals forms, and ignores classes from other modules', async () => {
    const src = `import iam = require('@aws-cdk/aws-iam');
const { WebIdentityPrincipal } = require('aws-cdk-lib/aws-iam');
import { Role as MyRole } from './my-constructs';
new iam.Role(this, 'V1', { assumedBy: new WebIdentityPrincipal('${GITHUB_ARN}') });
new MyRole(this, 'Mine', { roleName: 'x' });
`;
    const { roles } = await load(src);
    expect(roles.map((r) => r.origin.logicalId)).toEqual(['V1']);
  });

  it('models FederatedPrincipal with its default action sts:AssumeRole, positioned at the class name', async () => {
    const src = `${HEADER}
new iam.Role(this, 'Default', { assumedBy: new iam.FederatedPrincipal('${GITHUB_ARN}', { StringEquals: { '${ISSUER}:aud': 'sts.amazonaws.com' } }) });
new iam.Role(this, 'Explicit', { assumedBy: new iam.FederatedPrincipal('${GITHUB_ARN}', {}, 'sts:AssumeRoleWithWebIdentity') });
`;
    const { roles } = await load(src);
    const [dflt, explicit] = roles;
    expect(dflt.trustPolicy?.statements[0].actions[0]).toMatchObject({ value: 'sts:AssumeRole', resolution: 'expression', raw: 'iam.FederatedPrincipal', loc: { start: at(src, 'iam.FederatedPrincipal') } });
    expect(explicit.trustPolicy?.statements[0].actions[0]).toMatchObject({ value: 'sts:AssumeRoleWithWebIdentity', resolution: 'literal', loc: { start: at(src, "'sts:AssumeRoleWithWebIdentity'") } });
    expect(explicit.trustPolicy?.statements[0].conditions).toEqual([]);
  });

  it('merges withConditions() into the principal conditions as CDK does (same operator merged, later key wins)', async () => {
    const src = `${HEADER}
const base = new iam.WebIdentityPrincipal('${GITHUB_ARN}', {
  StringEquals: { '${ISSUER}:aud': 'sts.amazonaws.com', '${ISSUER}:sub': 'repo:o/r:ref:refs/heads/dev' },
});
new iam.Role(this, 'R', {
  assumedBy: base.withConditions({
    StringEquals: { '${ISSUER}:sub': 'repo:o/r:environment:prod' },
    StringLike: { '${ISSUER}:job_workflow_ref': 'o/r/.github/workflows/deploy.yml@*' },
  }).withSessionTags(),
});
`;
    const { roles } = await load(src);
    expect(shape(stmt(roles[0]))).toEqual({
      effect: 'Allow',
      principals: [`Federated=${GITHUB_ARN}`],
      actions: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
      conditions: [
        `StringEquals ${ISSUER}:aud ["sts.amazonaws.com"]`,
        `StringEquals ${ISSUER}:sub ["repo:o/r:environment:prod"]`,
        `StringLike ${ISSUER}:job_workflow_ref ["o/r/.github/workflows/deploy.yml@*"]`,
      ],
    });
    expect(cond(stmt(roles[0]), 'sub').values[0].loc.start).toEqual(at(src, "'repo:o/r:environment:prod'"));
  });

  it('gives each CompositePrincipal component its own statement', async () => {
    const src = `${HEADER}
new iam.Role(this, 'R', {
  assumedBy: new iam.CompositePrincipal(
    new iam.ServicePrincipal('lambda.amazonaws.com'),
    new iam.WebIdentityPrincipal('${GITHUB_ARN}', { StringEquals: { '${ISSUER}:aud': 'sts.amazonaws.com' } }),
  ),
});
`;
    const { roles } = await load(src);
    expect(roles[0].trustPolicy?.statements.map(shape)).toEqual([
      { effect: 'Allow', principals: ['Service=lambda.amazonaws.com'], actions: ['sts:AssumeRole'], conditions: [] },
      { effect: 'Allow', principals: [`Federated=${GITHUB_ARN}`], actions: ['sts:AssumeRoleWithWebIdentity'], conditions: [`StringEquals ${ISSUER}:aud ["sts.amazonaws.com"]`] },
    ]);
    expect(roles[0].trustPolicy?.statements[1].loc.start).toEqual(at(src, 'new iam.WebIdentityPrincipal'));
  });

  it('appends assumeRolePolicy.addStatements(new PolicyStatement(…)) and ignores addToPolicy (the permissions policy)', async () => {
    const src = `${HEADER}
const role = new iam.Role(this, 'R', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
role.assumeRolePolicy?.addStatements(new iam.PolicyStatement({
  effect: iam.Effect.ALLOW,
  actions: ['sts:AssumeRoleWithWebIdentity'],
  principals: [new iam.WebIdentityPrincipal('${GITHUB_ARN}')],
  conditions: { StringLike: { '${ISSUER}:sub': 'repo:octo-org/*' } },
}));
role.assumeRolePolicy!.addStatements(iam.PolicyStatement.fromJson({
  Effect: 'Deny', Principal: { Federated: '${GITHUB_ARN}' }, Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: { StringLike: { '${ISSUER}:sub': 'repo:octo-org/sandbox:*' } },
}));
role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
`;
    const { roles } = await load(src);
    expect(roles[0].trustPolicy?.statements.map(shape)).toEqual([
      { effect: 'Allow', principals: ['Service=ec2.amazonaws.com'], actions: ['sts:AssumeRole'], conditions: [] },
      { effect: 'Allow', principals: [`Federated=${GITHUB_ARN}`], actions: ['sts:AssumeRoleWithWebIdentity'], conditions: [`StringLike ${ISSUER}:sub ["repo:octo-org/*"]`] },
      { effect: 'Deny', principals: [`Federated=${GITHUB_ARN}`], actions: ['sts:AssumeRoleWithWebIdentity'], conditions: [`StringLike ${ISSUER}:sub ["repo:octo-org/sandbox:*"]`] },
    ]);
    expect(roles[0].trustPolicy?.statements[1].effect).toMatchObject({ value: 'Allow', resolution: 'expression', loc: { start: at(src, 'iam.Effect.ALLOW') } });
  });

  it('reads OidcProviderNative, provider references by ARN, and `this` fields', async () => {
    const src = `${HEADER}
class S extends cdk.Stack {
  private readonly native = new iam.OidcProviderNative(this, 'Native', { url: 'https://${ISSUER}', clientIds: ['https://github.com/octo-org'], thumbprints: ['6938fd4d98bab03faadb97b34396831e3780aea1'] });
  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.imported = iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(this, 'Imp', '${GITHUB_ARN}');
    new iam.Role(this, 'A', { assumedBy: new iam.WebIdentityPrincipal(this.native.oidcProviderArn) });
    new iam.Role(this, 'B', { assumedBy: new iam.OpenIdConnectPrincipal(this.imported) });
  }
}
`;
    const { roles, providers } = await load(src);
    expect(providers.map((p) => [p.origin.logicalId, p.url.value, p.clientIds.map((c) => c.value), p.thumbprints.map((t) => t.value)])).toEqual([
      ['Native', `https://${ISSUER}`, ['https://github.com/octo-org'], ['6938fd4d98bab03faadb97b34396831e3780aea1']],
    ]);
    expect(stmt(roles[0]).principals[0].value).toMatchObject({ value: `arn:aws:iam::\${AWS::AccountId}:oidc-provider/${ISSUER}`, raw: 'this.native.oidcProviderArn', loc: { start: at(src, 'this.native.oidcProviderArn') } });
    expect(stmt(roles[1]).principals[0].value).toMatchObject({ value: GITHUB_ARN, resolution: 'expression', loc: { start: at(src, 'this.imported)') } });
  });

  it('resolves object constants, spreads, concatenation, destructuring and arr.map over constants', async () => {
    const src = `${HEADER}
const config = { github: { owner: 'octo-org', repos: ['api', 'web'] } };
const { owner } = config.github;
const aud = { ['${ISSUER}' + ':aud']: 'sts.amazonaws.com' };
new iam.Role(this, 'R', {
  assumedBy: new iam.WebIdentityPrincipal('${GITHUB_ARN}', {
    StringEquals: { ...aud },
    StringLike: { '${ISSUER}:sub': config.github.repos.map((r) => \`repo:\${owner}/\${r}:ref:refs/heads/main\`) },
  }),
});
`;
    const { roles } = await load(src);
    const st = stmt(roles[0]);
    expect(shape(st).conditions).toEqual([
      `StringEquals ${ISSUER}:aud ["sts.amazonaws.com"]`,
      `StringLike ${ISSUER}:sub ["repo:octo-org/api:ref:refs/heads/main","repo:octo-org/web:ref:refs/heads/main"]`,
    ]);
    const tpl = '`repo:${owner}/${r}:ref:refs/heads/main`';
    expect(cond(st, 'sub').values.map((v) => [v.resolution, v.loc.start])).toEqual([
      ['expression', at(src, tpl)],
      ['expression', at(src, tpl)],
    ]);
    expect(cond(st, 'aud').key.loc.start).toEqual(at(src, `'${ISSUER}' + ':aud'`));
  });

  it('keeps values the source does not fix as unresolved, with their source text and known parts', async () => {
    const src = `${HEADER}
export function githubRole(scope: Construct, props: { repo: string; providerArn: string }) {
  return new iam.Role(scope, 'GithubRole', {
    roleName: \`\${props.repo}-deploy\`,
    assumedBy: new iam.WebIdentityPrincipal(props.providerArn, {
      StringLike: { '${ISSUER}:sub': \`repo:octo-org/\${props.repo}:*\` },
    }),
  });
}
`;
    const { roles } = await load(src);
    const role = roles[0];
    expect(role.name).toMatchObject({ value: '${props.repo}-deploy', resolution: 'unresolved', parts: [{ text: '${props.repo}', known: false }, { text: '-deploy', known: true }] });
    const st = stmt(role);
    expect(st.principals[0].value).toMatchObject({ value: '${props.providerArn}', raw: 'props.providerArn', resolution: 'unresolved' });
    expect(cond(st, 'sub').values[0]).toMatchObject({
      value: 'repo:octo-org/${props.repo}:*',
      resolution: 'unresolved',
      parts: [
        { text: 'repo:octo-org/', known: true },
        { text: '${props.repo}', known: false },
        { text: ':*', known: true },
      ],
    });
  });

  it('maps an unknown list through a template callback into one value shaped like the template', async () => {
    const src = `${HEADER}
export function make(scope: Construct, props: { org: string; branches: string[] }) {
  const subs = props.branches.map((branch) => \`repo:\${props.org}/app:ref:refs/heads/\${branch}\`);
  new iam.Role(scope, 'R', { assumedBy: new iam.WebIdentityPrincipal('${GITHUB_ARN}', { StringLike: { '${ISSUER}:sub': [...subs, 'repo:octo-org/app:pull_request'] } }) });
}
`;
    const values = cond(stmt((await load(src)).roles[0]), 'sub').values;
    expect(values.map((v) => [v.value, v.resolution])).toEqual([
      ['repo:${props.org}/app:ref:refs/heads/${branch}', 'unresolved'],
      ['repo:octo-org/app:pull_request', 'literal'],
    ]);
    expect(values[0].parts).toEqual([
      { text: 'repo:', known: true },
      { text: '${props.org}', known: false },
      { text: '/app:ref:refs/heads/', known: true },
      { text: '${branch}', known: false },
    ]);
    expect(values[0].loc.start).toEqual(at(src, '`repo:${props.org}'));
  });

  it('leaves out a statement whose conditions are not statically known, and a trust policy from an unknown principal', async () => {
    const src = `${HEADER}
export function make(scope: Construct, conditions: iam.Conditions, principal: iam.IPrincipal, extra: object) {
  new iam.Role(scope, 'FromProps', { assumedBy: new iam.WebIdentityPrincipal('${GITHUB_ARN}', conditions) });
  new iam.Role(scope, 'Spread', { assumedBy: new iam.WebIdentityPrincipal('${GITHUB_ARN}', { ...extra, StringEquals: { '${ISSUER}:aud': 'sts.amazonaws.com' } }) });
  new iam.Role(scope, 'Unknown', { assumedBy: principal, roleName: 'known-name' });
}
`;
    const { roles } = await load(src);
    expect(roles.map((r) => [r.origin.logicalId, r.trustPolicy?.statements.length])).toEqual([
      ['FromProps', undefined],
      ['Spread', undefined],
      ['Unknown', undefined],
    ]);
    expect(roles[2].name?.value).toBe('known-name');
  });

  it('reads CfnRole policy documents written as object literals and as PolicyDocument', async () => {
    const src = `${HEADER}
new iam.CfnRole(this, 'L1', {
  roleName: 'l1',
  assumeRolePolicyDocument: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: '${GITHUB_ARN}' }, Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { '${ISSUER}:aud': 'sts.amazonaws.com' } } }],
  },
});
new iam.CfnRole(this, 'L1Doc', {
  assumeRolePolicyDocument: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['sts:AssumeRoleWithWebIdentity'], principals: [new iam.FederatedPrincipal('${GITHUB_ARN}')] })] }),
});
`;
    const { roles } = await load(src);
    expect(roles.map((r) => r.trustPolicy?.statements.map(shape))).toEqual([
      [{ effect: 'Allow', principals: [`Federated=${GITHUB_ARN}`], actions: ['sts:AssumeRoleWithWebIdentity'], conditions: [`StringEquals ${ISSUER}:aud ["sts.amazonaws.com"]`] }],
      [{ effect: 'Allow', principals: [`Federated=${GITHUB_ARN}`], actions: ['sts:AssumeRoleWithWebIdentity'], conditions: [] }],
    ]);
    expect(roles[0].trustPolicy?.version?.value).toBe('2012-10-17');
    expect(stmt(roles[0]).effect.loc.start).toEqual(at(src, "'Allow'"));
  });

  it('reads the super(…) call of a class that extends iam.Role, and the role path into the ARN', async () => {
    const src = `${HEADER}
export class DeployRole extends iam.Role {
  constructor(scope: Construct, id: string) {
    super(scope, id, { roleName: 'deployer', path: '/ci/', assumedBy: new iam.WebIdentityPrincipal('${GITHUB_ARN}') });
  }
}
`;
    const { roles } = await load(src);
    expect(roles).toHaveLength(1);
    expect(roles[0].loc.start).toEqual(at(src, 'super(scope'));
    expect(roles[0].arn?.value).toBe('arn:aws:iam::${AWS::AccountId}:role/ci/deployer');
    expect(shape(stmt(roles[0])).principals).toEqual([`Federated=${GITHUB_ARN}`]);
  });
});

describe('CDK loader: GitHub OIDC constructs (domain.md §D.3)', () => {
  it('models aws-cdk-github-oidc GithubActionsRole: ForAnyValue:StringLike sub per repository + StringEquals aud', async () => {
    const src = `import { GithubActionsIdentityProvider, GithubActionsRole } from 'aws-cdk-github-oidc';
const provider = new GithubActionsIdentityProvider(this, 'GithubProvider');
new GithubActionsRole(this, 'Default', { provider, owner: 'octo-org', repo: 'octo-repo', roleName: 'deploy' });
new GithubActionsRole(this, 'Filtered', { provider: GithubActionsIdentityProvider.fromAccount(this, 'P'), owner: 'octo-org', repo: 'octo-repo', filter: 'ref:refs/heads/main' });
new GithubActionsRole(this, 'Many', { provider, trustedRepositories: [{ owner: 'octo-org', repo: 'a' }, { owner: 'octo-org', repo: 'b', filter: 'environment:prod' }] });
`;
    const { roles, providers } = await load(src);
    const arn = `arn:aws:iam::\${AWS::AccountId}:oidc-provider/${ISSUER}`;
    expect(roles.map((r) => shape(stmt(r)))).toEqual([
      { effect: 'Allow', principals: [`Federated=${arn}`], actions: ['sts:AssumeRoleWithWebIdentity'], conditions: [`ForAnyValue:StringLike ${ISSUER}:sub ["repo:octo-org/octo-repo:*"]`, `StringEquals ${ISSUER}:aud ["sts.amazonaws.com"]`] },
      {
        effect: 'Allow',
        principals: [`Federated=arn:aws:iam::\${AWS::AccountId}:oidc-provider/${ISSUER}`],
        actions: ['sts:AssumeRoleWithWebIdentity'],
        conditions: [`ForAnyValue:StringLike ${ISSUER}:sub ["repo:octo-org/octo-repo:ref:refs/heads/main"]`, `StringEquals ${ISSUER}:aud ["sts.amazonaws.com"]`],
      },
      {
        effect: 'Allow',
        principals: [`Federated=${arn}`],
        actions: ['sts:AssumeRoleWithWebIdentity'],
        conditions: [`ForAnyValue:StringLike ${ISSUER}:sub ["repo:octo-org/a:*","repo:octo-org/b:environment:prod"]`, `StringEquals ${ISSUER}:aud ["sts.amazonaws.com"]`],
      },
    ]);
    // The default filter `*` is reported at the repository it applies to; an explicit filter at the filter.
    expect(cond(stmt(roles[0]), 'sub').values[0]).toMatchObject({ resolution: 'expression', loc: { start: at(src, "'octo-repo'") } });
    expect(cond(stmt(roles[1]), 'sub').values[0].loc.start).toEqual(at(src, "'ref:refs/heads/main'"));
    expect(cond(stmt(roles[2]), 'sub').values.map((v) => v.loc.start)).toEqual([at(src, "'a'"), at(src, "'environment:prod'")]);
    expect(cond(stmt(roles[0]), 'aud').operator.loc.start).toEqual(at(src, 'GithubActionsRole(this'));
    expect(roles[0].name?.value).toBe('deploy');
    expect(providers.map((p) => [p.url.value, p.url.resolution, p.clientIds.map((c) => c.value), p.thumbprints.map((t) => t.value)])).toEqual([
      [`https://${ISSUER}`, 'expression', ['sts.amazonaws.com'], ['a031c46782e6e6c662c2c87c76da9aa62ccabd8e']],
    ]);
  });

  it('models @blimmer/cdk-github-oidc subject filters (StringLike) and its audience-only early form', async () => {
    const src = `import { BranchFilter, EnvironmentFilter, GithubActionsIdentityProvider, GithubActionsRole, PullRequestFilter } from '@blimmer/cdk-github-oidc';
const provider = new GithubActionsIdentityProvider(this, 'P');
new GithubActionsRole(this, 'Filters', { provider, subjectFilters: [
  new BranchFilter({ owner: 'octo-org', repository: 'app', branch: 'main' }),
  new EnvironmentFilter({ owner: 'octo-org', repository: 'app', ownerId: '1', repositoryId: '2', environment: 'prod' }),
  new PullRequestFilter({ owner: 'octo-org', repository: 'app' }),
] });
new GithubActionsRole(this, 'Early', { provider: GithubActionsIdentityProvider.fromAccount(this, { account: '123456789012', partition: 'aws' }) });
`;
    const { roles, providers } = await load(src);
    expect(shape(stmt(roles[0])).conditions).toEqual([
      `StringLike ${ISSUER}:sub ["repo:octo-org/app:ref:refs/heads/main","repo:octo-org@1/app@2:environment:prod","repo:octo-org/app:pull_request"]`,
      `StringEquals ${ISSUER}:aud ["sts.amazonaws.com"]`,
    ]);
    expect(cond(stmt(roles[0]), 'sub').values.map((v) => v.loc.start)).toEqual([at(src, "'main'"), at(src, "'prod'"), at(src, 'new PullRequestFilter')]);
    expect(shape(stmt(roles[1]))).toEqual({ effect: 'Allow', principals: [`Federated=${GITHUB_ARN}`], actions: ['sts:AssumeRoleWithWebIdentity'], conditions: [`StringEquals ${ISSUER}:aud ["sts.amazonaws.com"]`] });
    expect(providers[0].thumbprints.map((t) => t.value)).toEqual(['d89e3bd43d5d909b47a18977aa9d5ce36cee184c']);
  });

  it('does not take a same-named construct from a local module for the third-party one', async () => {
    const src = `import { GithubActionsRole } from './constructs';
import * as iam from 'aws-cdk-lib/aws-iam';
new GithubActionsRole(this, 'Mine', { owner: 'octo-org', repo: 'r' });
`;
    expect((await load(src)).roles).toEqual([]);
  });
});

describe('CDK loader: errors and limits', () => {
  it('turns a syntax error into a LoadError at its 1-based position', async () => {
    const src = `import * as iam from 'aws-cdk-lib/aws-iam';\nconst x = { a: ;\n`;
    const { roles, errors } = await load(src);
    expect(roles).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'syntax', loc: { file: FILE, start: { line: 2, column: 16 } } });
    expect(errors[0].message).toMatch(/^TypeScript: Expression expected/);
  });
  it('does not parse a file over the size bound', async () => {
    const src = `import * as iam from 'aws-cdk-lib/aws-iam';\n` + '// padding\n'.repeat(MAX_CDK_PARSE_BYTES / 11 + 1);
    const { errors } = await load(src);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'limit', loc: { start: { line: 1, column: 1 } } });
    expect(errors[0].message).toMatch(/over the 512 KiB/);
  });
  it('turns nesting too deep for the parser into a limit error instead of a crash', async () => {
    const src = `import * as iam from 'aws-cdk-lib/aws-iam';\nconst deep = ${'['.repeat(5000)}${']'.repeat(5000)};\n`;
    const { errors } = await load(src);
    expect(errors.map((e) => [e.kind, e.message])).toEqual([['limit', 'TypeScript nested too deeply to parse; its IAM roles were not read']]);
  });
  it.each([
    ['a string doubled 24 times (a 268-million-character value)', (n: number) => `const a0 = 'repo:xxxxxxxxxxxxxxxx';\n${Array.from({ length: n }, (_, i) => `const a${i + 1} = a${i} + a${i};`).join('\n')}\nconst sub = a${n};`, 24, /builds a string of more than 1,048,576 characters/],
    ['a template doubling unknown parts 40 times', (n: number) => `declare const x: string;\nconst a0 = \`\${x}\`;\n${Array.from({ length: n }, (_, i) => `const a${i + 1} = \`\${a${i}}\${a${i}}\`;`).join('\n')}\nconst sub = a${n};`, 40, /builds a string of more than 1,048,576 characters/],
    ['an array mapped inside a map of itself', (n: number) => `const A = [${Array.from({ length: n }, (_, i) => `'r${i}'`).join(', ')}];\nconst sub = A.map((a) => A.map((b) => A.map((c) => a + b + c).join(',')).join(',')).join(',');`, 200, /takes more than 1,000,000 steps/],
  ])('stops %s at its evaluation budget with a limit error at the place, quickly', async (_name, make, n, message) => {
    const src = `import * as iam from 'aws-cdk-lib/aws-iam';\n${make(n)}\nnew iam.Role(this, 'R', { assumedBy: new iam.WebIdentityPrincipal('${GITHUB_ARN}', { StringLike: { '${ISSUER}:sub': sub } }) });\n`;
    const t0 = performance.now();
    const { roles, errors } = await load(src);
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(roles).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'limit', message: expect.stringMatching(message) });
    expect(errors[0].message).toMatch(/the IAM roles of this file were not read$/);
    expect(errors[0].loc.start.line).toBeGreaterThan(1);
  });
  it('leaves self-referencing constants unresolved', async () => {
    const src = `import * as iam from 'aws-cdk-lib/aws-iam';
const a: string = b + '/x';
const b: string = a + '/y';
new iam.Role(this, 'R', { assumedBy: new iam.WebIdentityPrincipal('${GITHUB_ARN}', { StringLike: { '${ISSUER}:sub': a } }) });
`;
    const { roles, errors } = await load(src);
    expect(errors).toEqual([]);
    expect(cond(stmt(roles[0]), 'sub').values[0]).toMatchObject({ value: "${b + '/x'}/y/x", resolution: 'unresolved', loc: { start: at(src, "b + '/x'") } });
  });
});

describe('CDK loader in a project', () => {
  it('loads CDK files found by the walk and lints them like any other format', async () => {
    const src = `${HEADER}
new iam.Role(this, 'R', { assumedBy: new iam.WebIdentityPrincipal('${GITHUB_ARN}', {
  StringEquals: { '${ISSUER}:aud': 'sts.amazonaws.com' },
}) });
`;
    const files = { 'infra/lib/stack.ts': src, 'infra/lib/types.d.ts': src, 'src/util.ts': 'export const x = 1;\n' };
    const project = await loadTree(files);
    expect(project.roles.map((r) => r.origin.file)).toEqual(['infra/lib/stack.ts']);
    expect(project.sources.map((s) => [s.path, s.kind])).toEqual([['infra/lib/stack.ts', 'cdk']]);
    expect(brief(await lintTree(files, 'require-subject-condition'))).toEqual([`missing@${at(src, `'${GITHUB_ARN}'`).line}:${at(src, `'${GITHUB_ARN}'`).column}`]);
  });
  it('links a workflow role ARN to a CDK role by name', async () => {
    const project = await loadTree({
      'lib/stack.ts': `${HEADER}new iam.Role(this, 'R', { roleName: 'gha-deploy', assumedBy: new iam.WebIdentityPrincipal('${GITHUB_ARN}') });\n`,
      '.github/workflows/ci.yml':
        'on: push\npermissions:\n  id-token: write\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/gha-deploy\n          aws-region: eu-west-1\n',
    });
    const links = [...project.links.byAssumption.values()].flat();
    expect(links.map((l) => [l.role.origin.logicalId, l.match])).toEqual([['R', 'name']]);
  });
});

describe('CDK loader never throws', () => {
  /** The CDK rule fixtures, cut, duplicated and spliced: mostly-valid TypeScript in odd shapes. */
  const dir = path.join(REPO_ROOT, 'fixtures', 'rules');
  const seeds = readdirSync(dir).flatMap((rule) =>
    readdirSync(path.join(dir, rule))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(path.join(dir, rule, f), 'utf8')),
  );
  it('has seeds', () => expect(seeds.length).toBeGreaterThan(5));
  it('on mutated CDK sources: every problem is a LoadError, every role and value has a 1-based position', async () => {
    const mutated = fc
      .tuple(fc.constantFrom(...seeds), fc.constantFrom(...seeds), fc.nat(), fc.nat(), fc.constantFrom('cut', 'splice', 'duplicate'), fc.constantFrom('', '{', '}', '(', ')', ',', '...', '`${', '[', 'new iam.Role(this, ', '.withConditions('))
      .map(([a, b, x, y, op, ins]) => {
        const i = x % (a.length + 1);
        const j = Math.min(a.length, i + (y % 60));
        if (op === 'cut') return a.slice(0, i) + ins + a.slice(j);
        if (op === 'duplicate') return a.slice(0, j) + a.slice(i, j) + a.slice(j);
        return a.slice(0, i) + ins + b.slice(y % (b.length + 1));
      });
    await fc.assert(
      fc.asyncProperty(mutated, async (text) => {
        const { roles, providers, errors } = await loadCdk(text, FILE);
        for (const e of errors) expect(e.type).toBe('LoadError');
        for (const r of roles) {
          expect(r.loc.start.line).toBeGreaterThanOrEqual(1);
          expect(r.loc.start.column).toBeGreaterThanOrEqual(1);
          for (const st of r.trustPolicy?.statements ?? []) for (const c of st.conditions) for (const v of c.values) expect(v.loc.start.column).toBeGreaterThanOrEqual(1);
        }
        for (const p of providers) expect(p.loc.start.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 400 },
    );
  });
});
