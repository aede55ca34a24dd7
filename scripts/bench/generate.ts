/**
 * Generates a synthetic monorepo for the benchmark: workflows and trust policies in every format
 * (JSON, CloudFormation, Terraform, CDK), with realistic sizes and a realistic share of findings.
 * Deterministic (seeded), so two runs measure the same input.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface GenerateOptions {
  workflows: number;
  policies: number;
  seed?: number;
}

export interface Generated {
  root: string;
  workflowFiles: string[];
  policyFiles: string[];
  bytes: number;
}

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';

export function generateMonorepo(root: string, opts: GenerateOptions): Generated {
  const rand = rng(opts.seed ?? 42);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const workflowFiles: string[] = [];
  const policyFiles: string[] = [];
  let bytes = 0;
  const write = (rel: string, text: string) => {
    const abs = path.join(root, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    bytes += Buffer.byteLength(text);
    return rel;
  };
  // Workflows spread over service directories, each its own `.github/workflows` (monorepo of repos).
  for (let i = 0; i < opts.workflows; i++) {
    const svc = `services/svc-${Math.floor(i / 25)}`;
    workflowFiles.push(write(`${svc}/.github/workflows/wf-${i}.yml`, workflow(i, rand, pick)));
  }
  for (let i = 0; i < opts.policies; i++) {
    const svc = `infra/stack-${Math.floor(i / 20)}`;
    const kind = i % 20;
    const bad = rand() < 0.15;
    if (kind < 7) policyFiles.push(write(`${svc}/iam/role-${i}.json`, jsonPolicy(i, bad)));
    else if (kind < 12) policyFiles.push(write(`${svc}/cfn/role-${i}.yaml`, cfnTemplate(i, bad)));
    else if (kind < 17) policyFiles.push(write(`${svc}/tf/role-${i}.tf`, terraform(i, bad)));
    else policyFiles.push(write(`${svc}/cdk/role-${i}.ts`, cdk(i, bad)));
  }
  return { root, workflowFiles, policyFiles, bytes };
}

function workflow(i: number, rand: () => number, pick: <T>(xs: T[]) => T): string {
  const lines = [`name: Pipeline ${i}`, '', 'on:', '  push:', '    branches: [main, "release/**"]', '  pull_request:', '  workflow_dispatch:', ''];
  const wfPerm = rand();
  if (wfPerm < 0.4) lines.push('permissions:', '  contents: read', '');
  else if (wfPerm < 0.55) lines.push('permissions:', '  id-token: write', '  contents: read', '');
  lines.push('env:', `  SERVICE: svc-${i}`, '  NODE_VERSION: "20"', '', 'jobs:');
  const jobs = 2 + Math.floor(rand() * 4);
  for (let j = 0; j < jobs; j++) {
    const deploy = j === jobs - 1 && rand() < 0.7;
    lines.push(`  job-${j}:`, `    name: Job ${j}`, '    runs-on: ubuntu-latest', '    timeout-minutes: 30');
    if (j > 0) lines.push(`    needs: [job-${j - 1}]`);
    if (deploy) {
      if (rand() < 0.5) lines.push('    environment: production');
      if (rand() < 0.85) lines.push('    permissions:', '      id-token: write', '      contents: read');
    }
    if (rand() < 0.3) lines.push('    strategy:', '      matrix:', '        node: [18, 20, 22]');
    lines.push('    steps:', '      - uses: actions/checkout@v4', '      - uses: actions/setup-node@v4', '        with:', '          node-version: ${{ env.NODE_VERSION }}', '          cache: npm');
    const steps = 2 + Math.floor(rand() * 6);
    for (let s = 0; s < steps; s++) lines.push(`      - name: Step ${s}`, `        run: ${pick(['npm ci', 'npm test -- --shard=' + s, 'npm run build', 'make lint', './scripts/check.sh'])}`);
    if (deploy) {
      lines.push('      - name: Configure AWS credentials', `        uses: aws-actions/configure-aws-credentials@${pick(['v4', 'v5', 'v6', 'v2'])}`, '        with:');
      if (rand() < 0.05) lines.push('          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}', '          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}');
      else lines.push(`          role-to-assume: arn:aws:iam::123456789012:role/deploy-${i % 2000}`);
      lines.push('          aws-region: eu-west-1', '      - run: aws s3 sync ./dist s3://bucket-' + i);
    }
    lines.push('');
  }
  return lines.join('\n');
}

function sub(i: number, bad: boolean): string {
  return bad ? (i % 3 === 0 ? 'repo:*' : `repo:octo-org/*`) : `repo:octo-org/svc-${i}:environment:production`;
}

function jsonPolicy(i: number, bad: boolean): string {
  const cond: Record<string, unknown> = { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } };
  if (!bad || i % 2) (cond as any)[bad ? 'StringLike' : 'StringEquals'] = { ...(bad ? {} : (cond as any).StringEquals), 'token.actions.githubusercontent.com:sub': sub(i, bad) };
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'GitHubDeploy', Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: cond }] }, null, 2) + '\n';
}

function cfnTemplate(i: number, bad: boolean): string {
  return `AWSTemplateFormatVersion: "2010-09-09"
Description: Deploy role ${i}
Parameters:
  Org:
    Type: String
    Default: octo-org
Resources:
  GithubOidc:
    Type: AWS::IAM::OIDCProvider
    Properties:
      Url: https://token.actions.githubusercontent.com
      ClientIdList: [sts.amazonaws.com]
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: deploy-${i}
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Federated: !Ref GithubOidc
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                token.actions.githubusercontent.com:aud: sts.amazonaws.com
              StringLike:
                token.actions.githubusercontent.com:sub: !Sub "${bad ? 'repo:${Org}/*' : `repo:\${Org}/svc-${i}:ref:refs/heads/main`}"
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/ReadOnlyAccess
`;
}

function terraform(i: number, bad: boolean): string {
  return `variable "org" {
  type    = string
  default = "octo-org"
}

data "aws_iam_policy_document" "trust_${i}" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["${PROVIDER}"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["${bad ? 'repo:${var.org}/*' : `repo:\${var.org}/svc-${i}:ref:refs/heads/main`}"]
    }
  }
}

resource "aws_iam_role" "deploy_${i}" {
  name               = "deploy-${i}"
  assume_role_policy = data.aws_iam_policy_document.trust_${i}.json
}
`;
}

function cdk(i: number, bad: boolean): string {
  return `import { Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

const ORG = 'octo-org';

export class DeployStack${i} extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const provider = iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(this, 'Gh', '${PROVIDER}');
    new iam.Role(this, 'Deploy', {
      roleName: 'deploy-${i}',
      assumedBy: new iam.WebIdentityPrincipal(provider.openIdConnectProviderArn, {
        StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
        StringLike: { 'token.actions.githubusercontent.com:sub': \`${bad ? 'repo:${ORG}/*' : `repo:\${ORG}/svc-${i}:ref:refs/heads/main`}\` },
      }),
    });
  }
}
`;
}
