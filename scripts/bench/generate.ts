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

/**
 * A workflow like the ones real repositories hold (3–10 KB): a header comment, triggers with paths
 * and a schedule, concurrency, several jobs with names, conditions, matrices, caches, multi-line
 * scripts, artifacts, and on some a deploy job that assumes an AWS role.
 */
function workflow(i: number, rand: () => number, pick: <T>(xs: T[]) => T): string {
  const lang = pick(['node', 'python', 'go']);
  const lines = [
    `# CI/CD for svc-${i}: lint, unit and integration tests, build, and deploy from main.`,
    '# Maintained by the platform team; see docs/ci.md before changing job names (branch protection uses them).',
    `name: Pipeline ${i}`,
    '',
    'on:',
    '  push:',
    '    branches: [main, "release/**"]',
    '    paths:',
    `      - "services/svc-${i}/**"`,
    '      - ".github/workflows/**"',
    '  pull_request:',
    '    types: [opened, synchronize, reopened]',
    '  workflow_dispatch:',
    '    inputs:',
    '      environment:',
    '        description: Target environment',
    '        required: false',
    '        default: staging',
    '        type: choice',
    '        options: [staging, production]',
  ];
  if (rand() < 0.4) lines.push('  schedule:', `    - cron: "${Math.floor(rand() * 60)} ${Math.floor(rand() * 6)} * * 1-5"`);
  lines.push('', 'concurrency:', '  group: ${{ github.workflow }}-${{ github.ref }}', '  cancel-in-progress: ${{ github.event_name == \'pull_request\' }}', '');
  const wfPerm = rand();
  if (wfPerm < 0.4) lines.push('permissions:', '  contents: read', '');
  else if (wfPerm < 0.55) lines.push('permissions:', '  id-token: write', '  contents: read', '');
  lines.push('env:', `  SERVICE: svc-${i}`, '  NODE_VERSION: "20"', '  PYTHON_VERSION: "3.12"', '  GO_VERSION: "1.22"', '  FORCE_COLOR: "1"', '', 'jobs:');
  const jobs = 2 + Math.floor(rand() * 4);
  const ids: string[] = [];
  for (let j = 0; j < jobs; j++) {
    const deploy = j === jobs - 1 && rand() < 0.7;
    const kind = deploy ? 'deploy' : j === 0 ? 'lint' : pick(['test', 'build', 'integration', 'docs', 'security']);
    const matrix = !deploy && rand() < 0.5;
    lines.push(`  ${kind}-${j}:`, `    name: ${kind[0].toUpperCase()}${kind.slice(1)} ${j}`, `    runs-on: ${matrix ? '${{ matrix.os }}' : pick(['ubuntu-latest', 'ubuntu-22.04'])}`, `    timeout-minutes: ${pick([10, 15, 30, 45])}`);
    if (j > 0) lines.push(`    needs: [${ids.slice(Math.max(0, j - 2)).join(', ')}]`);
    ids.push(`${kind}-${j}`);
    if (deploy) {
      lines.push("    if: github.ref == 'refs/heads/main' && github.event_name != 'pull_request'");
      if (rand() < 0.5) lines.push('    environment:', '      name: production', `      url: https://svc-${i}.example.com`);
      if (rand() < 0.85) lines.push('    permissions:', '      id-token: write', '      contents: read');
    } else if (matrix) {
      lines.push('    # The matrix covers the supported runtimes; keep it in sync with package.json engines.', '    strategy:', '      fail-fast: false', '      matrix:', '        os: [ubuntu-latest, macos-latest]');
      lines.push(lang === 'node' ? '        node: [18, 20, 22]' : lang === 'python' ? '        python: ["3.10", "3.11", "3.12"]' : '        go: ["1.21", "1.22"]');
      lines.push('        include:', '          - os: ubuntu-latest', '            coverage: true', '        exclude:', '          - os: macos-latest', lang === 'node' ? '            node: 18' : lang === 'python' ? '            python: "3.10"' : '            go: "1.21"');
    }
    lines.push('    env:', `      JOB_KIND: ${kind}`, '      CI: true', '    steps:', '      - name: Check out', '        uses: actions/checkout@v4', '        with:', '          fetch-depth: 0', '          persist-credentials: false');
    if (lang === 'node') lines.push('      - name: Set up Node.js', '        uses: actions/setup-node@v4', '        with:', '          node-version: ${{ matrix.node || env.NODE_VERSION }}', '          cache: npm', `          cache-dependency-path: services/svc-${i}/package-lock.json`);
    else if (lang === 'python') lines.push('      - name: Set up Python', '        uses: actions/setup-python@v5', '        with:', '          python-version: ${{ matrix.python || env.PYTHON_VERSION }}', '          cache: pip');
    else lines.push('      - name: Set up Go', '        uses: actions/setup-go@v5', '        with:', '          go-version: ${{ matrix.go || env.GO_VERSION }}', '          cache: true');
    lines.push('      - name: Cache build outputs', '        uses: actions/cache@v4', '        with:', '          path: |', '            ~/.cache', `            services/svc-${i}/.build`, "          key: ${{ runner.os }}-build-${{ hashFiles('**/lockfiles') }}", '          restore-keys: |', '            ${{ runner.os }}-build-');
    const steps = 1 + Math.floor(rand() * 3);
    for (let s = 0; s < steps; s++) {
      lines.push(`      - name: ${pick(['Install dependencies', 'Run unit tests', 'Build', 'Lint', 'Type check', 'Integration tests', 'Generate docs'])} (${s})`);
      if (rand() < 0.3) lines.push("        if: ${{ !cancelled() && matrix.coverage }}");
      lines.push(`        working-directory: services/svc-${i}`, '        run: |');
      const cmds = lang === 'node' ? ['npm ci --no-audit --no-fund', 'npm run lint -- --max-warnings 0', `npm test -- --shard=${s + 1}/${steps} --coverage`, 'npm run build', 'npx tsc --noEmit'] : lang === 'python' ? ['python -m pip install -r requirements-dev.txt', 'ruff check .', `pytest -q --maxfail=1 -k "not slow" --splits ${steps} --group ${s + 1}`, 'mypy src'] : ['go mod download', 'go vet ./...', `go test -race -count=1 ./... -run 'Test.*' -shuffle=on`, 'go build -o bin/app ./cmd/app'];
      const n = 1 + Math.floor(rand() * 3);
      for (let c = 0; c < n; c++) lines.push(`          ${pick(cmds)}`);
      if (rand() < 0.3) lines.push('          echo "::group::environment"', '          env | sort | grep -v -i token || true', '          echo "::endgroup::"');
    }
    if (rand() < 0.5) lines.push('      - name: Upload artifacts', '        if: always()', '        uses: actions/upload-artifact@v4', '        with:', `          name: ${kind}-${j}-\${{ matrix.os || 'linux' }}`, `          path: services/svc-${i}/reports/`, '          retention-days: 7');
    if (deploy) {
      lines.push('      # Keyless access: the role trusts this repository\'s main branch only.', '      - name: Configure AWS credentials', `        uses: aws-actions/configure-aws-credentials@${pick(['v4', 'v5', 'v6', 'v2'])}`, '        with:');
      if (rand() < 0.05) lines.push('          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}', '          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}');
      else lines.push(`          role-to-assume: arn:aws:iam::123456789012:role/deploy-${i % 2000}`, `          role-session-name: gha-svc-${i}`);
      lines.push('          aws-region: eu-west-1', '      - name: Deploy', `        working-directory: services/svc-${i}`, '        run: |', `          aws s3 sync ./dist s3://bucket-${i} --delete`, `          aws cloudfront create-invalidation --distribution-id E${1000 + i} --paths "/*"`, '          echo "deployed ${{ github.sha }}" >> "$GITHUB_STEP_SUMMARY"');
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

/** The benchmark's mix for `files` files: five workflows for every two trust policies (as `generateMonorepo`). */
export function generateMix(root: string, files: number, seed?: number): Generated {
  const workflows = Math.round((files * 5) / 7);
  return generateMonorepo(root, { workflows, policies: files - workflows, seed });
}

/**
 * A Terraform-heavy repository: `modules` module directories of four files each (main.tf,
 * variables.tf, outputs.tf, iam.tf — a third of them with a GitHub OIDC trust policy, the others a
 * service role), and a few workflows at the root.
 */
export function generateTerraformRepo(root: string, opts: { modules: number; workflows: number; seed?: number }): Generated {
  const rand = rng(opts.seed ?? 43);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const g = writer(root);
  for (let i = 0; i < opts.workflows; i++) g.workflowFiles.push(g.write(`.github/workflows/wf-${i}.yml`, workflow(i, rand, pick)));
  for (let m = 0; m < opts.modules; m++) {
    const dir = `terraform/modules/mod-${m}`;
    const github = m % 3 === 0;
    g.policyFiles.push(g.write(`${dir}/main.tf`, tfMain(m)), g.write(`${dir}/variables.tf`, tfVariables(m)), g.write(`${dir}/outputs.tf`, tfOutputs(m)));
    g.policyFiles.push(g.write(`${dir}/iam.tf`, github ? terraform(m, rand() < 0.15).replace('variable "org"', 'variable "github_org"').replace(/var\.org/g, 'var.github_org') : tfServiceRole(m)));
  }
  return g.result();
}

/**
 * A monorepo that is mostly irrelevant to oidc-lint: `packages` packages of ordinary TypeScript (20
 * `.ts` files each, none of them CDK), a package.json, tsconfig.json, README.md and jest.config.js
 * each, docs, and a small share of what oidc-lint reads (workflows at the root and an infra/ folder
 * in the bench's mix, CDK stacks included).
 */
export function generateIrrelevantMonorepo(root: string, opts: { packages: number; docs: number; workflows: number; policies: number; seed?: number }): Generated & { otherFiles: number } {
  const rand = rng(opts.seed ?? 44);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const g = writer(root);
  let other = 0;
  for (let p = 0; p < opts.packages; p++) {
    const dir = `packages/pkg-${p}`;
    g.write(`${dir}/package.json`, JSON.stringify({ name: `@acme/pkg-${p}`, version: `1.${p % 17}.0`, private: true, main: 'dist/index.js', scripts: { build: 'tsc -p .', test: 'jest' }, dependencies: { [`@acme/pkg-${(p + 1) % opts.packages}`]: 'workspace:*', '@aws-sdk/client-s3': '^3.600.0', zod: '^3.23.0' }, devDependencies: { typescript: '^5.5.0', jest: '^29.7.0' } }, null, 2) + '\n');
    g.write(`${dir}/tsconfig.json`, JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { outDir: 'dist', rootDir: 'src', composite: true }, include: ['src'] }, null, 2) + '\n');
    g.write(`${dir}/README.md`, `# @acme/pkg-${p}\n\nInternal package ${p}. Build with \`npm run build\`.\n`);
    g.write(`${dir}/jest.config.js`, "module.exports = { preset: 'ts-jest', testEnvironment: 'node' };\n");
    other += 4;
    for (let f = 0; f < 20; f++) {
      g.write(`${dir}/src/${f === 0 ? 'index' : `module-${f}`}.ts`, ordinaryTs(p, f, rand, pick));
      other++;
    }
  }
  for (let d = 0; d < opts.docs; d++) {
    g.write(`docs/page-${d}.md`, `# Page ${d}\n\n${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(20)}\n`);
    other++;
  }
  for (let i = 0; i < opts.workflows; i++) g.workflowFiles.push(g.write(`.github/workflows/wf-${i}.yml`, workflow(i, rand, pick)));
  const infra = generateMonorepo(path.join(root, 'infra'), { workflows: 0, policies: opts.policies, seed: opts.seed });
  g.policyFiles.push(...infra.policyFiles.map((f) => `infra/${f}`));
  const r = g.result();
  return { ...r, bytes: r.bytes + infra.bytes, otherFiles: other };
}

function writer(root: string) {
  const workflowFiles: string[] = [];
  const policyFiles: string[] = [];
  let bytes = 0;
  return {
    workflowFiles,
    policyFiles,
    write(rel: string, text: string) {
      const abs = path.join(root, rel);
      mkdirSync(path.dirname(abs), { recursive: true });
      writeFileSync(abs, text);
      bytes += Buffer.byteLength(text);
      return rel;
    },
    result: (): Generated => ({ root, workflowFiles, policyFiles, bytes }),
  };
}

/** Ordinary application TypeScript (1–6 KB): imports, types, functions; no CDK. */
function ordinaryTs(p: number, f: number, rand: () => number, pick: <T>(xs: T[]) => T): string {
  const lines = [
    `import { z } from 'zod';`,
    rand() < 0.2 ? `import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';` : `import { logger } from '@acme/pkg-${(p + 1) % 800}';`,
    `import type { Context } from './module-${(f + 1) % 20}';`,
    '',
    `export const Schema${f} = z.object({ id: z.string().uuid(), name: z.string().min(1), createdAt: z.coerce.date() });`,
    `export type Item${f} = z.infer<typeof Schema${f}>;`,
    '',
  ];
  const fns = 2 + Math.floor(rand() * 8);
  for (let k = 0; k < fns; k++) {
    lines.push(
      `/** ${pick(['Loads', 'Validates', 'Transforms', 'Stores'])} items for package ${p}. */`,
      `export async function ${pick(['load', 'validate', 'transform', 'store'])}${f}x${k}(ctx: Context, items: Item${f}[]): Promise<Item${f}[]> {`,
      `  const out: Item${f}[] = [];`,
      '  for (const item of items) {',
      `    if (!item.name.startsWith('${pick(['a', 'b', 'tmp', 'x'])}')) continue;`,
      `    out.push({ ...item, name: item.name.trim() });`,
      '  }',
      `  ctx.log?.(\`processed \${out.length} of \${items.length}\`);`,
      '  return out;',
      '}',
      '',
    );
  }
  return lines.join('\n');
}

function tfMain(m: number): string {
  return `locals {
  name = "service-${m}"
  tags = {
    Service   = "service-${m}"
    ManagedBy = "terraform"
    Team      = "platform"
  }
}

resource "aws_s3_bucket" "artifacts" {
  bucket = "\${local.name}-artifacts-\${var.environment}"
  tags   = local.tags
}

resource "aws_s3_bucket_versioning" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_lambda_function" "handler" {
  function_name = "\${local.name}-handler"
  role          = aws_iam_role.service.arn
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  memory_size   = var.memory_size
  timeout       = 30
  s3_bucket     = aws_s3_bucket.artifacts.id
  s3_key        = "releases/\${var.release}.zip"

  environment {
    variables = {
      STAGE     = var.environment
      LOG_LEVEL = "info"
    }
  }

  tags = local.tags
}

resource "aws_cloudwatch_log_group" "handler" {
  name              = "/aws/lambda/\${aws_lambda_function.handler.function_name}"
  retention_in_days = 14
}
`;
}

function tfVariables(m: number): string {
  return `variable "environment" {
  description = "Deployment stage (staging or production)."
  type        = string
  default     = "staging"
}

variable "memory_size" {
  description = "Lambda memory in MB."
  type        = number
  default     = ${128 * (1 + (m % 4))}
}

variable "release" {
  description = "Release to deploy."
  type        = string
}

variable "alarm_email" {
  description = "Where alarms go."
  type        = string
  default     = "oncall@example.com"
}
`;
}

function tfOutputs(m: number): string {
  return `output "bucket" {
  value = aws_s3_bucket.artifacts.id
}

output "function_arn" {
  value = aws_lambda_function.handler.arn
}

output "module" {
  value = "mod-${m}"
}
`;
}

function tfServiceRole(m: number): string {
  return `resource "aws_iam_role" "service" {
  name = "service-${m}-lambda"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "service" {
  name = "service-${m}-access"
  role = aws_iam_role.service.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"], Resource = "\${aws_s3_bucket.artifacts.arn}/*" },
      { Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "*" },
    ]
  })
}
`;
}
