/**
 * CloudFormation / SAM / cdk.out templates → model, with exact positions. Every position is checked
 * twice: as line:column numbers, and by slicing the fixture text at the location, so that a
 * location that drifts off its token fails with a readable diff.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { stringify } from 'yaml';
import path from 'node:path';
import { loadProject } from '../../src/loaders/index.js';
import { isCloudFormationTemplate, loadYamlTemplate, readTemplate } from '../../src/loaders/aws/cloudformation.js';
import { parseJson } from '../../src/loaders/shared/json-ast.js';
import type { DocMap } from '../../src/loaders/shared/doc.js';
import type { SourceLocation, Value } from '../../src/model/location.js';
import type { Condition, Role, Statement } from '../../src/model/iam.js';
import type { Project } from '../../src/model/project.js';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { brief, lintTree, loadTree, writeTree } from '../helpers/project.js';

const DIR = path.join(REPO_ROOT, 'fixtures', 'loaders', 'cloudformation');

async function load(rel: string): Promise<Project> {
  return loadProject([path.join(DIR, rel)], { root: DIR });
}

/** The text a location covers in its file (single-line locations). */
function tokenAt(loc: SourceLocation): string {
  const lines = readFileSync(path.join(DIR, loc.file), 'utf8').split('\n');
  expect(loc.start.line).toBe(loc.end.line);
  return lines[loc.start.line - 1].slice(loc.start.column - 1, loc.end.column - 1);
}

/** `line:column` of a location's start. */
const at = (loc: SourceLocation) => `${loc.start.line}:${loc.start.column}`;

function only<T>(list: T[]): T {
  expect(list).toHaveLength(1);
  return list[0];
}

function condition(st: Statement, key: string): Condition {
  const c = st.conditions.find((x) => x.key.value === key);
  if (!c) throw new Error(`no condition on ${key}`);
  return c;
}

function plain(v: Value<string> | undefined) {
  if (!v) return undefined;
  const out: Record<string, unknown> = { value: v.value, resolution: v.resolution, raw: v.raw };
  if (v.parts) out.parts = v.parts;
  return out;
}

describe('CloudFormation loader: the configure-aws-credentials sample shape', () => {
  it('reads the role, its !If principal, the !Sub subject and the provider with thumbprint', async () => {
    const project = await load('aws-actions-sample.yaml');
    expect(project.loadErrors).toEqual([]);
    expect(project.sources.map((s) => s.kind)).toEqual(['cloudformation']);
    const role = only(project.roles);
    expect(role.origin).toEqual({ format: 'cloudformation', file: 'aws-actions-sample.yaml', logicalId: 'Role' });
    expect(at(role.loc)).toBe('22:3');
    expect(role.loc.path).toBe('Resources.Role');
    // No RoleName: CloudFormation generates the name, so neither name nor ARN is known.
    expect(role.name).toBeUndefined();
    expect(role.arn).toBeUndefined();

    const st = only(role.trustPolicy!.statements);
    const fed = only(st.principals);
    expect(fed.kind).toBe('Federated');
    // !If [CreateOIDCProvider, !Ref GithubOidc, !Ref OIDCProviderArn]: the condition is !Equals [!Ref
    // OIDCProviderArn, ""], decided by the parameter's default: the provider's ARN built from its Url.
    expect(plain(fed.value)).toEqual({
      value: 'arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com',
      resolution: 'unresolved',
      raw: '!Ref GithubOidc',
      parts: [
        { text: 'arn:aws:iam::', known: true },
        { text: '${AWS::AccountId}', known: false },
        { text: ':oidc-provider/token.actions.githubusercontent.com', known: true },
      ],
    });
    expect(at(fed.value.loc)).toBe('32:24');
    expect(tokenAt(fed.value.loc)).toBe('GithubOidc');

    expect(st.conditions.map((c) => `${c.operator.value} ${c.key.value}`)).toEqual(['StringLike token.actions.githubusercontent.com:sub']);
    const sub = only(condition(st, 'token.actions.githubusercontent.com:sub').values);
    expect(plain(sub)).toEqual({
      value: 'repo:${GitHubOrg}/${RepositoryName}:*',
      resolution: 'unresolved',
      raw: '!Sub repo:${GitHubOrg}/${RepositoryName}:*',
      parts: [
        { text: 'repo:', known: true },
        { text: '${GitHubOrg}', known: false },
        { text: '/', known: true },
        { text: '${RepositoryName}', known: false },
        { text: ':*', known: true },
      ],
    });
    // The string after the tag, not the tag.
    expect(at(sub.loc)).toBe('36:63');
    expect(tokenAt(sub.loc)).toBe('repo:${GitHubOrg}/${RepositoryName}:*');
    expect(sub.loc.path).toBe('Resources.Role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringLike.token.actions.githubusercontent.com:sub');

    const provider = only(project.providers);
    expect(provider.origin.logicalId).toBe('GithubOidc');
    expect(at(provider.loc)).toBe('38:3');
    expect(plain(provider.url)).toEqual({ value: 'https://token.actions.githubusercontent.com', resolution: 'literal', raw: 'https://token.actions.githubusercontent.com' });
    expect(at(provider.url.loc)).toBe('42:12');
    expect(provider.clientIds.map((v) => `${v.value}@${at(v.loc)}`)).toEqual(['sts.amazonaws.com@44:11']);
    expect(provider.thumbprints.map((v) => `${v.value}@${at(v.loc)}`)).toEqual(['6938fd4d98bab03faadb97b34396831e3780aea1@46:11']);
    expect(plain(provider.arn)).toEqual({
      value: 'arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com',
      resolution: 'unresolved',
      raw: 'arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com',
      parts: [
        { text: 'arn:aws:iam::', known: true },
        { text: '${AWS::AccountId}', known: false },
        { text: ':oidc-provider/token.actions.githubusercontent.com', known: true },
      ],
    });
  });

  it('is flagged for the missing audience and the any-context subject, not for "any owner"', async () => {
    const text = readFileSync(path.join(DIR, 'aws-actions-sample.yaml'), 'utf8');
    // A hardening warning: the template's own provider lists only sts.amazonaws.com.
    expect(brief(await lintTree({ 't.yaml': text }, 'require-audience-condition'))).toEqual(['missingHardening@32:24']);
    // The unknown ${GitHubOrg} is one name the deployer supplies, not a wildcard.
    expect(brief(await lintTree({ 't.yaml': text }, 'no-wildcard-subject'))).toEqual(['anyContext@36:63']);
    expect(brief(await lintTree({ 't.yaml': text }, 'require-subject-condition'))).toEqual([]);
  });
});

describe('CloudFormation loader: a correct template', () => {
  it('resolves !Ref and !Sub from parameter defaults, !GetAtt of the provider, and derives the role ARN with its Path', async () => {
    const project = await load('correct.yaml');
    expect(project.loadErrors).toEqual([]);
    const role = only(project.roles);
    expect(plain(role.name)).toEqual({ value: 'github-deploy', resolution: 'literal', raw: 'github-deploy' });
    expect(at(role.name!.loc)).toBe('25:17');
    expect(plain(role.arn)).toEqual({
      value: 'arn:aws:iam::${AWS::AccountId}:role/ci/github-deploy',
      resolution: 'unresolved',
      raw: 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/ci/github-deploy',
      parts: [
        { text: 'arn:aws:iam::', known: true },
        { text: '${AWS::AccountId}', known: false },
        { text: ':role/ci/github-deploy', known: true },
      ],
    });
    expect(role.arn!.loc).toEqual(role.name!.loc);
    const st = only(role.trustPolicy!.statements);
    expect(role.trustPolicy!.version?.value).toBe('2012-10-17');
    const fed = only(st.principals);
    expect(fed.value.value).toBe('arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com');
    expect(fed.value.raw).toBe('!GetAtt GithubOidc.Arn');
    expect(tokenAt(fed.value.loc)).toBe('GithubOidc.Arn');
    const aud = only(condition(st, 'token.actions.githubusercontent.com:aud').values);
    expect(plain(aud)).toEqual({ value: 'sts.amazonaws.com', resolution: 'expression', raw: '!Ref Audience' });
    expect(at(aud.loc)).toBe('36:63');
    expect(tokenAt(aud.loc)).toBe('Audience');
    const sub = only(condition(st, 'token.actions.githubusercontent.com:sub').values);
    expect(plain(sub)).toEqual({
      value: 'repo:octo-org/octo-repo:environment:production',
      resolution: 'expression',
      raw: '!Sub "repo:${GitHubOrg}/${RepositoryName}:environment:production"',
    });
    expect(tokenAt(sub.loc)).toBe('"repo:${GitHubOrg}/${RepositoryName}:environment:production"');
    expect(at(sub.loc)).toBe('37:63');
    const provider = only(project.providers);
    expect(provider.clientIds.map((v) => [v.value, v.resolution, tokenAt(v.loc)])).toEqual([['sts.amazonaws.com', 'expression', 'Audience']]);
    expect(provider.thumbprints).toEqual([]);
  });

  it('produces no finding from any rule', async () => {
    const text = readFileSync(path.join(DIR, 'correct.yaml'), 'utf8');
    for (const rule of ['require-subject-condition', 'require-audience-condition', 'no-wildcard-subject', 'parse-error'])
      expect(await lintTree({ 'infra/stack.yaml': text }, rule)).toEqual([]);
  });
});

describe('CloudFormation loader: JSON, SAM and cdk.out templates', () => {
  it('reads a JSON template with long-form intrinsics (Fn::Join, Ref, Fn::Sub) at the exact JSON tokens', async () => {
    const project = await load('template.json');
    expect(project.loadErrors).toEqual([]);
    expect(project.sources.map((s) => s.kind)).toEqual(['cloudformation']);
    const role = only(project.roles);
    expect(role.origin).toEqual({ format: 'cloudformation', file: 'template.json', logicalId: 'DeployRole' });
    expect(plain(role.name)).toEqual({
      value: 'deploy-${Repo}',
      resolution: 'unresolved',
      raw: '{ "Fn::Join": ["-", ["deploy", { "Ref": "Repo" }]] }',
      parts: [
        { text: 'deploy-', known: true },
        { text: '${Repo}', known: false },
      ],
    });
    expect(tokenAt(role.name!.loc)).toBe('["-", ["deploy", { "Ref": "Repo" }]]');
    const st = only(role.trustPolicy!.statements);
    const fed = only(st.principals);
    expect(fed.value.raw).toBe('{ "Ref": "Provider" }');
    expect(tokenAt(fed.value.loc)).toBe('"Provider"');
    expect(at(fed.value.loc)).toBe('24:52');
    const sub = only(condition(st, 'token.actions.githubusercontent.com:sub').values);
    expect(plain(sub)).toEqual({
      value: 'repo:octo-org/${Repo}:*',
      resolution: 'unresolved',
      raw: '{ "Fn::Sub": "repo:octo-org/${Repo}:*" }',
      parts: [
        { text: 'repo:octo-org/', known: true },
        { text: '${Repo}', known: false },
        { text: ':*', known: true },
      ],
    });
    expect(at(sub.loc)).toBe('28:89');
    expect(tokenAt(sub.loc)).toBe('"repo:octo-org/${Repo}:*"');
    const aud = only(condition(st, 'token.actions.githubusercontent.com:aud').values);
    expect(plain(aud)).toEqual({ value: 'sts.amazonaws.com', resolution: 'literal', raw: '"sts.amazonaws.com"' });
    const provider = only(project.providers);
    expect(provider.thumbprints.map((t) => t.value)).toEqual(['6938fd4d98bab03faadb97b34396831e3780aea1']);
  });

  it('reads a SAM template; !Sub with pseudo parameters keeps the account unknown and the partition aws', async () => {
    const project = await load('sam.yaml');
    expect(project.loadErrors).toEqual([]);
    const role = only(project.roles);
    expect(role.origin.logicalId).toBe('GithubActionsRole');
    const st = only(role.trustPolicy!.statements);
    const fed = only(st.principals);
    expect(plain(fed.value)).toEqual({
      value: 'arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com',
      resolution: 'unresolved',
      raw: '!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com',
      parts: [
        { text: 'arn:aws:iam::', known: true },
        { text: '${AWS::AccountId}', known: false },
        { text: ':oidc-provider/token.actions.githubusercontent.com', known: true },
      ],
    });
    expect(at(fed.value.loc)).toBe('19:31');
    const sub = only(condition(st, 'token.actions.githubusercontent.com:sub').values);
    expect(plain(sub)).toEqual({ value: 'repo:octo-org/*', resolution: 'literal', raw: 'repo:octo-org/*' });
    expect(at(sub.loc)).toBe('25:58');
    expect(brief(await lintTree({ 'template.yaml': readFileSync(path.join(DIR, 'sam.yaml'), 'utf8') }, 'no-wildcard-subject'))).toEqual(['anyRepo@25:58']);
  });

  it('reads a CDK synthesized template: the CDK OpenIdConnectProvider custom resource, Ref to it, no aud', async () => {
    const project = await loadProject([DIR], { root: DIR });
    const files = project.sources.map((s) => s.path);
    // manifest.json in cdk.out mentions "Statement" and AWS:: types but is bookkeeping: never read as a source.
    expect(files).toContain('cdk.out/GithubOidcStack.template.json');
    expect(files).not.toContain('cdk.out/manifest.json');
    const role = only(project.roles.filter((r) => r.origin.file === 'cdk.out/GithubOidcStack.template.json'));
    expect(role.origin).toEqual({ format: 'cloudformation', file: 'cdk.out/GithubOidcStack.template.json', logicalId: 'DeployRoleE3E7B4E4' });
    const st = only(role.trustPolicy!.statements);
    const fed = only(st.principals);
    expect(fed.value.value).toBe('arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com');
    expect(tokenAt(fed.value.loc)).toBe('"GithubProviderB0F2D3E4"');
    expect(at(fed.value.loc)).toBe('38:17');
    const sub = only(condition(st, 'token.actions.githubusercontent.com:sub').values);
    expect(at(sub.loc)).toBe('32:53');
    const provider = only(project.providers.filter((p) => p.origin.file === 'cdk.out/GithubOidcStack.template.json'));
    expect(provider.origin.logicalId).toBe('GithubProviderB0F2D3E4');
    expect(provider.clientIds.map((c) => c.value)).toEqual(['sts.amazonaws.com']);
    expect(provider.url.value).toBe('https://token.actions.githubusercontent.com');
    expect(project.loadErrors.filter((e) => e.loc.file.startsWith('cdk.out/'))).toEqual([]);
  });
});

describe('CloudFormation intrinsic functions', () => {
  let project: Project;
  let role: Role;
  let st: Statement;
  it('loads the showcase', async () => {
    project = await load('intrinsics.yaml');
    role = project.roles.find((r) => r.origin.logicalId === 'Role')!;
    st = role.trustPolicy!.statements[0];
    expect(role.trustPolicy!.statements).toHaveLength(2);
  });

  it('!Join over !Ref (defaulted) and !Select of !Split resolves fully', () => {
    expect(plain(role.name)).toEqual({ value: 'octo-org-deploy', resolution: 'expression', raw: '!Join ["-", [!Ref Org, !Select [0, !Split [",", "deploy,other"]]]]' });
    expect(role.arn?.value).toBe('arn:aws:iam::${AWS::AccountId}:role/octo-org-deploy');
  });

  it('!ImportValue is unresolved with its text; !Sub with a variable map resolves', () => {
    const [imported, sub] = st.principals;
    expect(plain(imported.value)).toEqual({
      value: '!ImportValue GithubOidcProviderArn',
      resolution: 'unresolved',
      raw: '!ImportValue GithubOidcProviderArn',
      parts: [{ text: '!ImportValue GithubOidcProviderArn', known: false }],
    });
    expect(tokenAt(imported.value.loc)).toBe('GithubOidcProviderArn');
    expect(sub.value.value).toBe('arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com');
    expect(sub.value.resolution).toBe('expression');
    expect(sub.value.raw).toBe('!Sub - arn:${AWS::Partition}:iam::${Account}:oidc-provider/${Host} - Account: "123456789012" Host: token.actions.githubusercontent.com');
    expect(tokenAt(sub.value.loc)).toBe('arn:${AWS::Partition}:iam::${Account}:oidc-provider/${Host}');
  });

  it('!Ref AWS::NoValue removes a list item; a conditional statement is kept', () => {
    expect(st.actions.map((a) => a.value)).toEqual(['sts:AssumeRoleWithWebIdentity']);
    const deny = role.trustPolicy!.statements[1];
    expect(deny.effect.value).toBe('Deny');
    expect(at(deny.effect.loc)).toBe('46:23');
  });

  it('!FindInMap resolves; !If on a scalar whose condition is not decided gives each variant under its side of the condition', () => {
    expect(plain(only(condition(st, 'token.actions.githubusercontent.com:aud').values))).toEqual({
      value: 'sts.amazonaws.com',
      resolution: 'expression',
      raw: '!FindInMap [Stages, prod, Audience]',
    });
    // IsProd is !Equals [!Ref AWS::StackName, prod]: not known.
    const subs = condition(st, 'token.actions.githubusercontent.com:sub').values;
    expect(subs.map((v) => [v.value, v.resolution, v.when?.text, tokenAt(v.loc)])).toEqual([
      ['repo:octo-org/${Repo}:environment:prod', 'unresolved', 'the condition IsProd is true', '"repo:${Org}/${Repo}:environment:prod"'],
      ['repo:octo-org/${Repo}:ref:refs/heads/main', 'unresolved', 'the condition IsProd is false', '"repo:${Org}/${Repo}:ref:refs/heads/main"'],
    ]);
  });

  it('!If whose condition the parameter defaults decide takes that branch (!Equals, !Not, !And, !Or, Condition); a decided statement-level !If keeps only its branch', async () => {
    const template = (env: string) => `Parameters:
  Env:
    Type: String
    Default: ${env}
  Repo:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition NotProd, !Equals [dev, !Ref Env]]
  Either: !Or [!Condition IsProd, !Equals [!Ref Repo, x]]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              Federated: arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringLike:
                token.actions.githubusercontent.com:sub:
                  - !If [IsProd, repo:o/a:environment:prod, repo:o/a:*]
                  - !If [Both, repo:o/b:*, repo:o/b:ref:refs/heads/main]
                  - !If [Either, repo:o/c:x, repo:o/c:y]
          - !If
            - NotProd
            - Effect: Deny
              Principal: "*"
              Action: sts:AssumeRoleWithWebIdentity
            - !Ref AWS::NoValue
`;
    const values = (p: Project) => condition(p.roles[0].trustPolicy!.statements[0], 'token.actions.githubusercontent.com:sub').values.map((v) => [v.value, v.when?.text]);
    const prod = await loadTree({ 'template.yaml': template('prod') });
    expect(values(prod)).toEqual([
      ['repo:o/a:environment:prod', undefined],
      ['repo:o/b:ref:refs/heads/main', undefined],
      ['repo:o/c:x', undefined],
    ]);
    expect(prod.roles[0].trustPolicy!.statements).toHaveLength(1);
    const dev = await loadTree({ 'template.yaml': template('dev') });
    // Either: IsProd is false and Repo has no default, so it is not decided.
    expect(values(dev)).toEqual([
      ['repo:o/a:*', undefined],
      ['repo:o/b:*', undefined],
      ['repo:o/c:x', 'the condition Either is true'],
      ['repo:o/c:y', 'the condition Either is false'],
    ]);
    expect(dev.roles[0].trustPolicy!.statements.map((s) => s.effect.value)).toEqual(['Allow', 'Deny']);
  });

  it('a CommaDelimitedList parameter is a list; an SSM parameter default is not its value', () => {
    expect(condition(st, 'token.actions.githubusercontent.com:ref').values.map((v) => [v.value, v.resolution])).toEqual([
      ['refs/heads/main', 'expression'],
      ['refs/heads/release', 'expression'],
    ]);
    expect(plain(only(condition(st, 'token.actions.githubusercontent.com:actor').values))).toEqual({
      value: '${FromSsm}',
      resolution: 'unresolved',
      raw: '!Ref FromSsm',
      parts: [{ text: '${FromSsm}', known: false }],
    });
  });

  it('!Sub keeps ${!Literal} literal, resolves AWS::URLSuffix and leaves AWS::Region unknown', () => {
    expect(plain(only(condition(st, 'token.actions.githubusercontent.com:job_workflow_ref').values))).toEqual({
      value: '${Literal}@${AWS::Region}.amazonaws.com',
      resolution: 'unresolved',
      raw: '!Sub "${!Literal}@${AWS::Region}.${AWS::URLSuffix}"',
      parts: [
        { text: '${Literal}@', known: true },
        { text: '${AWS::Region}', known: false },
        { text: '.amazonaws.com', known: true },
      ],
    });
  });

  it('a computed AssumeRolePolicyDocument is reported as not checked, at its position', () => {
    const computed = project.roles.find((r) => r.origin.logicalId === 'Computed')!;
    expect(computed.trustPolicy).toBeUndefined();
    const err = only(project.loadErrors);
    expect(err.kind).toBe('structure');
    expect(err.message).toBe('the AssumeRolePolicyDocument of Computed is computed (!ImportValue SharedTrustPolicy), not a policy object; its trust policy was not checked');
    expect(at(err.loc)).toBe('53:46');
  });
});

describe('CloudFormation recognition and cost', () => {
  const TEMPLATE = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement: []\n';

  it('recognises templates by content in .yaml, .yml, .template and .json, and only those', async () => {
    const project = await loadTree({
      'a/stack.yml': TEMPLATE,
      'b/stack.template': TEMPLATE,
      'c/stack.json': JSON.stringify({ Resources: { R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } } } }),
      'd/stack.template': JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: {} }),
      'docker-compose.yml': 'services:\n  web:\n    image: nginx\n',
      'k8s/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/x\n',
      'docs/notes.yaml': 'text: mentions AWS::IAM::Role in prose\n',
      'chart/templates/sa.yaml': 'kind: ServiceAccount\nmetadata:\n  annotations:\n    note: "creates AWS::IAM::Role via ACK"\n',
      'package.json': '{"name":"x","description":"AWS::IAM::Role"}',
      'config.json': '{"Resources": "AWS::IAM::Role mentioned"}',
    });
    expect(project.sources.map((s) => `${s.path}:${s.kind}`).sort()).toEqual(['a/stack.yml:cloudformation', 'b/stack.template:cloudformation', 'c/stack.json:cloudformation', 'd/stack.template:cloudformation']);
    expect(project.roles.map((r) => r.origin.file).sort()).toEqual(['a/stack.yml', 'b/stack.template', 'c/stack.json']);
    expect(project.loadErrors).toEqual([]);
  });

  it('does not read workflows as templates', async () => {
    const project = await loadTree({ '.github/workflows/ci.yml': 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo AWS::IAM::Role\n' });
    expect(project.sources.map((s) => s.kind)).toEqual(['workflow']);
    expect(project.roles).toEqual([]);
  });

  it('reports a malformed file that clearly is a template, with position; stays silent on other malformed YAML', async () => {
    const project = await loadTree({
      'infra/broken.yaml': 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties: [\n',
      'infra/broken.json': '{ "AWSTemplateFormatVersion": "2010-09-09", "Resources": { } ',
      'chart/templates/role.yaml': 'metadata:\n  {{- if .Values.aws }}\n  annotations: [\n    note: AWS::IAM::Role\n',
    });
    expect(project.loadErrors.map((e) => `${e.loc.file}:${at(e.loc)} ${e.kind} ${e.message}`)).toEqual([
      'infra/broken.json:1:62 syntax JSON: expected \',\' or \'}\' in object, found end of input',
      expect.stringMatching(/^infra\/broken\.yaml:6:1 syntax YAML: /),
    ]);
  });

  it('an explicitly named YAML or JSON file that is not understood is a structure error; unnamed, it is skipped silently', async () => {
    const dir = writeTree({ 'notes.yml': 'text: mentions AWS::IAM::Role\n', 'cdk.out/manifest.json': readFileSync(path.join(DIR, 'cdk.out', 'manifest.json'), 'utf8') });
    const named = await loadProject([path.join(dir, 'notes.yml'), path.join(dir, 'cdk.out', 'manifest.json')], { root: dir });
    expect(named.loadErrors.map((e) => `${e.loc.file}:${at(e.loc)} ${e.kind} ${e.message}`)).toEqual([
      'notes.yml:1:1 structure neither a GitHub Actions workflow (no top-level jobs) nor a CloudFormation template (no AWSTemplateFormatVersion, no Resources with AWS:: types)',
      'cdk.out/manifest.json:1:1 structure neither an IAM trust policy (no statement with a Federated principal or an sts:AssumeRole* action) nor a CloudFormation template (no AWSTemplateFormatVersion, no Resources with AWS:: types)',
    ]);
    const walked = await loadProject([dir], { root: dir });
    expect(walked.loadErrors).toEqual([]);
    expect(walked.sources).toEqual([]);
  });

  it('reports a template with several YAML documents, and a role without trust policy', async () => {
    const project = await loadTree({ 't.yaml': TEMPLATE.replace('        Statement: []\n', '') + '---\nother: doc\n' });
    expect(project.loadErrors.map((e) => `${at(e.loc)} ${e.message}`)).toEqual([
      '1:1 a CloudFormation template must be a single YAML document; only the first was read',
      '6:32 the AssumeRolePolicyDocument of R is empty',
    ]);
  });
});

describe('CloudFormation roles join workflows', () => {
  it('links role-to-assume to a template role by RoleName', async () => {
    const project = await loadTree({
      '.github/workflows/deploy.yml':
        'on: push\npermissions:\n  id-token: write\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/ci/github-deploy\n          aws-region: eu-west-1\n',
      'infra/oidc.yaml': readFileSync(path.join(DIR, 'correct.yaml'), 'utf8'),
    });
    const [ra] = project.workflows[0].jobs[0].roleAssumptions;
    expect(project.links.byAssumption.get(ra)?.map((l) => [l.role.origin.logicalId, l.match])).toEqual([['DeployRole', 'name']]);
  });
});

describe('CloudFormation loader never throws', () => {
  const FN = ['Ref', 'Condition', 'Fn::Sub', 'Fn::If', 'Fn::Join', 'Fn::GetAtt', 'Fn::Select', 'Fn::Split', 'Fn::FindInMap', 'Fn::ImportValue', 'Fn::Base64'];
  const leaf = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('AWS::NoValue', 'AWS::Partition', 'AWS::AccountId', 'P', 'L', 'R', 'O', 'R.Arn', 'O.Arn', '${P}', '${R.Arn}', '${O}', '${!x}', 'M', ',', ''), fc.integer(), fc.boolean(), fc.constant(null));
  const { node } = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('node'), { maxLength: 4 }),
      fc.record({ k: fc.constantFrom(...FN), v: tie('node') }).map(({ k, v }) => ({ [k]: v })),
      fc.dictionary(fc.constantFrom('Statement', 'Effect', 'Principal', 'Federated', 'Action', 'Condition', 'StringLike', 'k:sub', 'Ref'), tie('node'), { maxKeys: 3 }),
    ),
  }));
  const template = fc.record({ name: node, path: node, doc: node, url: node, ids: node, def: leaf, map: node }).map((t) => ({
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: { P: { Type: 'String', Default: t.def }, L: { Type: 'CommaDelimitedList', Default: t.def } },
    Mappings: { M: { a: { b: t.map } } },
    Resources: {
      R: { Type: 'AWS::IAM::Role', Properties: { RoleName: t.name, Path: t.path, AssumeRolePolicyDocument: t.doc } },
      O: { Type: 'AWS::IAM::OIDCProvider', Properties: { Url: t.url, ClientIdList: t.ids, ThumbprintList: t.ids } },
    },
  }));

  it('on references named like Object.prototype members (found by the property below)', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const t = { AWSTemplateFormatVersion: '2010-09-09', Resources: { R: { Type: 'AWS::IAM::Role', Properties: { RoleName: { Ref: name }, AssumeRolePolicyDocument: '' } }, O: { Type: 'AWS::IAM::OIDCProvider', Properties: { Url: { Ref: name } } } } };
      const text = JSON.stringify(t);
      const r = readTemplate(parseJson(text, 't.json').root as DocMap, 't.json', text);
      expect(r.roles, name).toHaveLength(1);
      expect(r.roles[0].name?.resolution, name).toBe('unresolved');
      expect(r.providers[0].arn?.value, name).toMatch(/^arn:aws:iam::\$\{AWS::AccountId\}:oidc-provider\//);
    }
  });

  it('on any JSON template built from intrinsics', () => {
    fc.assert(
      fc.property(template, (t) => {
        const text = JSON.stringify(t, null, 1);
        const root = parseJson(text, 't.json').root;
        expect(isCloudFormationTemplate(root)).toBe(true);
        const r = readTemplate(root as DocMap, 't.json', text);
        expect(r.roles).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });

  it('on the same templates as YAML, and on arbitrary text after a template marker', () => {
    fc.assert(
      fc.property(template, (t) => {
        const r = loadYamlTemplate(stringify(t), 't.yaml', true);
        expect(r.recognised).toBe(true);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        loadYamlTemplate(`AWSTemplateFormatVersion: x\nResources:\n  R:\n    Type: AWS::IAM::Role\n${s}`, 't.yaml', true);
      }),
      { numRuns: 300 },
    );
  });

  it('on mutated real templates, YAML and JSON', () => {
    const files = [
      ...['aws-actions-sample.yaml', 'correct.yaml', 'intrinsics.yaml', 'sam.yaml', 'template.json', 'cdk.out/GithubOidcStack.template.json'].map((f) => path.join(DIR, f)),
    ];
    const seeds = files.map((f) => readFileSync(f, 'utf8'));
    const specials = fc.constantFrom('{', '}', '[', ']', ':', ',', '"', '\n', '  ', '- ', '!Ref ', '!If ', '!Sub ', '${', '${!', 'Fn::Sub', '&a ', '*a', '|', '\t');
    const mutated = fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat({ max: 60 }), fc.oneof(specials, fc.string({ maxLength: 6 }))).map(([text, a, len, ins]) => {
      const i = a % text.length;
      return text.slice(0, i) + ins + text.slice(Math.min(text.length, i + len));
    });
    fc.assert(
      fc.property(mutated, fc.boolean(), (text, explicit) => {
        loadYamlTemplate(text, 't.yaml', explicit);
        try {
          const { root } = parseJson(text, 't.json');
          if (isCloudFormationTemplate(root)) readTemplate(root, 't.json', text);
        } catch (e) {
          expect((e as Error).constructor.name).toBe('JsonSyntaxError');
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('degrades instead of blowing up on self-references and exponential substitution chains', () => {
    const providers: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) providers[`O${i}`] = { Type: 'AWS::IAM::OIDCProvider', Properties: { Url: { 'Fn::Sub': `\${O${i + 1}}\${O${i + 1}}` } } };
    const text = JSON.stringify({
      Resources: { ...providers, R: { Type: 'AWS::IAM::Role', Properties: { RoleName: { 'Fn::GetAtt': ['R', 'Arn'] }, AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Federated: { Ref: 'O0' } }, Action: 'sts:AssumeRoleWithWebIdentity' }] } } } },
    });
    const r = readTemplate(parseJson(text, 't.json').root as DocMap, 't.json', text);
    const role = r.roles[0];
    expect(role.name?.resolution).toBe('unresolved');
    expect(role.trustPolicy?.statements[0].principals[0].value.resolution).toBe('unresolved');
    expect(r.providers).toHaveLength(40);
  });
});
