/**
 * Terraform loader: domain.md §D.1 shapes (vulnerable and correct), module-wide resolution
 * (variables, tfvars, locals, data sources across files), positions of every value the rules
 * report on, and syntax errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import path from 'node:path';
import { readFileSync, readdirSync } from 'node:fs';
import { loadTree, writeTree, lintTree, brief } from '../helpers/project.js';
import { loadProject, type LoadSink } from '../../src/loaders/index.js';
import { loadTerraformModule } from '../../src/loaders/aws/terraform.js';
import { RULE_FIXTURES } from '../../scripts/fixtures.js';
import { lintProject } from '../../src/engine/linter.js';
import { rules } from '../../src/rules/index.js';
import type { Condition, Role, Statement } from '../../src/model/iam.js';
import type { Project } from '../../src/model/project.js';

const GH = 'token.actions.githubusercontent.com';
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${GH}`;

/** 1-based line/column of the `nth` occurrence of `needle` in `text` (independent of the loader). */
function at(text: string, needle: string, nth = 0): { line: number; column: number } {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    if (i < 0) throw new Error(`"${needle}" not found`);
  }
  const before = text.slice(0, i);
  const line = before.split('\n').length;
  return { line, column: i - before.lastIndexOf('\n') };
}

function role(p: Project, logicalId: string): Role {
  const r = p.roles.find((x) => x.origin.logicalId === logicalId);
  if (!r) throw new Error(`no role ${logicalId}; have ${p.roles.map((x) => x.origin.logicalId).join(', ')}`);
  return r;
}

function statement(r: Role, i = 0): Statement {
  const st = r.trustPolicy?.statements[i];
  if (!st) throw new Error(`role ${r.origin.logicalId} has no statement ${i}`);
  return st;
}

function cond(st: Statement, key: string): Condition {
  const c = st.conditions.find((x) => x.key.value === key);
  if (!c) throw new Error(`no condition on ${key}; have ${st.conditions.map((x) => x.key.value).join(', ')}`);
  return c;
}

function errorsOf(p: Project): string[] {
  return p.loadErrors.map((e) => `${e.loc.file}:${e.loc.start.line}:${e.loc.start.column} ${e.message}`);
}

describe('aws_iam_role with jsonencode', () => {
  const main = `resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://${GH}"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "vulnerable" {
  name = "gha-open"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "${GH}:aud" = "sts.amazonaws.com" }
      }
    }]
  })
}

resource "aws_iam_role" "correct" {
  name = "gha-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Federated = "${PROVIDER_ARN}" }
        Action    = ["sts:AssumeRoleWithWebIdentity"]
        Condition = {
          StringEquals = {
            "${GH}:aud" = "sts.amazonaws.com"
            "${GH}:sub" = ["repo:octo-org/octo-repo:ref:refs/heads/main", "repo:octo-org/octo-repo:environment:prod"]
          }
        }
      },
    ]
  })
}
`;

  it('reads the policy into the shared model with the exact token positions', async () => {
    const p = await loadTree({ 'main.tf': main });
    expect(errorsOf(p)).toEqual([]);
    const vuln = role(p, 'aws_iam_role.vulnerable');
    expect(vuln.origin).toEqual({ format: 'terraform', file: 'main.tf', logicalId: 'aws_iam_role.vulnerable' });
    expect(vuln.name).toMatchObject({ value: 'gha-open', resolution: 'literal', loc: { start: at(main, '"gha-open"') } });
    expect(vuln.arn).toMatchObject({
      value: 'arn:aws:iam::${account_id}:role/gha-open',
      raw: 'aws_iam_role.vulnerable.arn',
      resolution: 'unresolved',
      parts: [
        { text: 'arn:aws:iam::', known: true },
        { text: '${account_id}', known: false },
        { text: ':role/gha-open', known: true },
      ],
    });
    expect(vuln.loc.start).toEqual(at(main, 'resource "aws_iam_role" "vulnerable"'));
    const st = statement(vuln);
    expect(st.effect).toMatchObject({ value: 'Allow', loc: { start: at(main, '"Allow"') } });
    expect(st.actions.map((a) => a.value)).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(st.conditions.map((c) => `${c.operator.value} ${c.key.value}=${c.values.map((v) => v.value).join('|')}`)).toEqual([`StringEquals ${GH}:aud=sts.amazonaws.com`]);
    expect(st.conditionLoc?.start).toEqual(at(main, 'Condition', 0));

    const correct = statement(role(p, 'aws_iam_role.correct'));
    const sub = cond(correct, `${GH}:sub`);
    expect(sub.operator).toMatchObject({ value: 'StringEquals', loc: { start: at(main, 'StringEquals', 1) } });
    expect(sub.key.loc.start).toEqual(at(main, `"${GH}:sub"`));
    expect(sub.loc.start).toEqual(at(main, `"${GH}:sub"`));
    const main1 = '"repo:octo-org/octo-repo:ref:refs/heads/main"';
    const env1 = '"repo:octo-org/octo-repo:environment:prod"';
    expect(sub.values.map((v) => [v.value, v.resolution, v.loc.start, v.loc.end])).toEqual([
      ['repo:octo-org/octo-repo:ref:refs/heads/main', 'literal', at(main, main1), { ...at(main, main1), column: at(main, main1).column + main1.length }],
      ['repo:octo-org/octo-repo:environment:prod', 'literal', at(main, env1), { ...at(main, env1), column: at(main, env1).column + env1.length }],
    ]);
    expect(sub.values[0].loc.start).toEqual({ line: 33, column: 58 });
    expect(statement(role(p, 'aws_iam_role.correct')).principals[0].value).toMatchObject({ value: PROVIDER_ARN, resolution: 'literal' });
  });

  it('resolves a provider declared in the module to its ARN form, so the principal is recognised as GitHub', async () => {
    const p = await loadTree({ 'main.tf': main });
    const principal = statement(role(p, 'aws_iam_role.vulnerable')).principals[0];
    expect(principal.kind).toBe('Federated');
    expect(principal.value).toMatchObject({
      value: `arn:aws:iam::\${account_id}:oidc-provider/${GH}`,
      raw: 'aws_iam_openid_connect_provider.github.arn',
      // The deploying account is never in the configuration.
      resolution: 'unresolved',
      loc: { start: at(main, 'aws_iam_openid_connect_provider.github.arn') },
    });
    expect(principal.value.parts).toEqual([
      { text: 'arn:aws:iam::', known: true },
      { text: '${account_id}', known: false },
      { text: `:oidc-provider/${GH}`, known: true },
    ]);
  });

  it('lints the vulnerable role and accepts the correct one', async () => {
    expect(brief(await lintTree({ 'main.tf': main }, 'require-subject-condition'))).toEqual([`missing@${at(main, 'aws_iam_openid_connect_provider.github.arn').line}:${at(main, 'aws_iam_openid_connect_provider.github.arn').column}`]);
    expect(await lintTree({ 'main.tf': main }, 'require-audience-condition')).toEqual([]);
  });

  it('keeps a reference to a provider outside the module unresolved, with its text', async () => {
    const text = main.replace('aws_iam_openid_connect_provider.github.arn', 'module.oidc.provider_arn');
    const p = await loadTree({ 'main.tf': text });
    const v = statement(role(p, 'aws_iam_role.vulnerable')).principals[0].value;
    expect(v).toMatchObject({ value: '${module.oidc.provider_arn}', raw: 'module.oidc.provider_arn', resolution: 'unresolved' });
  });
});

describe('heredoc and JSON strings', () => {
  const main = `locals {
  subjects = ["repo:octo-org/app:ref:refs/heads/main", "repo:octo-org/app:pull_request"]
}

resource "aws_iam_role" "heredoc" {
  name               = "heredoc"
  assume_role_policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": { "Federated": "arn:aws:iam::\${var.account}:oidc-provider/${GH}" },
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Condition": {
            "StringLike": {
              "${GH}:sub": \${jsonencode(local.subjects)},
              "${GH}:aud": "sts.amazonaws.com",
              "aws:PrincipalTag/team": "$\${aws:username}"
            }
          }
        }
      ]
    }
  EOF
}

resource "aws_iam_role" "plain_heredoc" {
  assume_role_policy = <<EOT
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "${PROVIDER_ARN}"}, "Action": "sts:AssumeRoleWithWebIdentity"}]}
EOT
}

resource "aws_iam_role" "string" {
  assume_role_policy = "{\\"Version\\": \\"2012-10-17\\", \\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Principal\\": {\\"Federated\\": \\"${PROVIDER_ARN}\\"}, \\"Action\\": \\"sts:AssumeRoleWithWebIdentity\\"}]}"
}
`;

  it('parses JSON inside a heredoc with positions in the .tf file', async () => {
    const p = await loadTree({ 'main.tf': main });
    expect(errorsOf(p)).toEqual([]);
    const st = statement(role(p, 'aws_iam_role.heredoc'));
    expect(st.effect.loc.start).toEqual(at(main, '"Allow"'));
    const aud = cond(st, `${GH}:aud`);
    expect(aud.values[0]).toMatchObject({ value: 'sts.amazonaws.com', resolution: 'literal', loc: { start: at(main, '"sts.amazonaws.com"') } });
    expect(aud.operator.loc.start).toEqual(at(main, '"StringLike"'));
  });

  it('rebuilds a string with an interpolation from its pieces', async () => {
    const p = await loadTree({ 'main.tf': main });
    const principal = statement(role(p, 'aws_iam_role.heredoc')).principals[0].value;
    expect(principal).toMatchObject({
      value: `arn:aws:iam::\${var.account}:oidc-provider/${GH}`,
      resolution: 'unresolved',
      parts: [
        { text: 'arn:aws:iam::', known: true },
        { text: '${var.account}', known: false },
        { text: `:oidc-provider/${GH}`, known: true },
      ],
      loc: { start: at(main, '"arn:aws:iam::${var.account}') },
    });
  });

  it('replaces a whole-value interpolation with its value, located where the value is written', async () => {
    const p = await loadTree({ 'main.tf': main });
    const sub = cond(statement(role(p, 'aws_iam_role.heredoc')), `${GH}:sub`);
    expect(sub.values.map((v) => [v.value, v.resolution, v.loc.start])).toEqual([
      ['repo:octo-org/app:ref:refs/heads/main', 'expression', at(main, '"repo:octo-org/app:ref')],
      ['repo:octo-org/app:pull_request', 'expression', at(main, '"repo:octo-org/app:pull_request"')],
    ]);
  });

  it('unescapes $${ in a heredoc to the IAM policy variable', async () => {
    const p = await loadTree({ 'main.tf': main });
    const c = cond(statement(role(p, 'aws_iam_role.heredoc')), 'aws:PrincipalTag/team');
    expect(c.values[0].value).toBe('${aws:username}');
  });

  it('reads a flush heredoc and a quoted JSON string', async () => {
    const p = await loadTree({ 'main.tf': main });
    const flush = statement(role(p, 'aws_iam_role.plain_heredoc'));
    expect(flush.principals[0].value).toMatchObject({ value: PROVIDER_ARN, loc: { start: at(main, `"${PROVIDER_ARN}"`) } });
    const quoted = statement(role(p, 'aws_iam_role.string'));
    expect(quoted.principals[0].value.value).toBe(PROVIDER_ARN);
    // Escaped JSON inside a quoted string: located at the string.
    expect(quoted.principals[0].value.loc.start).toEqual(at(main, '"{\\"Version'));
  });

  it('reports invalid JSON in a heredoc at its position', async () => {
    const bad = `resource "aws_iam_role" "x" {
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [}
}
EOF
}
`;
    const p = await loadTree({ 'bad.tf': bad });
    expect(p.loadErrors).toHaveLength(1);
    expect(p.loadErrors[0]).toMatchObject({ kind: 'structure', loc: { file: 'bad.tf', start: at(bad, '}\n}') } });
    expect(p.loadErrors[0].message).toMatch(/^policy JSON in heredoc: /);
    expect(role(p, 'aws_iam_role.x').trustPolicy).toBeUndefined();
  });
});

describe('data "aws_iam_policy_document"', () => {
  const main = `data "aws_iam_policy_document" "github" {
  statement {
    sid     = "GitHubActions"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = ["${PROVIDER_ARN}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${GH}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringLike"
      variable = "${GH}:sub"
      values   = ["repo:octo-org/app:ref:refs/heads/main"]
    }

    condition {
      test     = "StringEquals"
      variable = "${GH}:repository_owner"
      values   = ["octo-org"]
    }

    condition {
      test     = "StringLike"
      variable = "${GH}:sub"
      values   = ["repo:octo-org/app:environment:prod"]
    }
  }

  statement {
    effect  = "Deny"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    not_principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:root"]
    }
    condition {
      test     = "StringNotEquals"
      variable = "aws:PrincipalTag/owner"
      values   = ["&{aws:username}"]
    }
  }
}
`;
  const roles = `resource "aws_iam_role" "github" {
  name               = "github"
  assume_role_policy = data.aws_iam_policy_document.github.json
}
`;

  it('renders statements from blocks; effect defaults to Allow', async () => {
    const p = await loadTree({ 'policy.tf': main, 'roles.tf': roles });
    expect(errorsOf(p)).toEqual([]);
    const r = role(p, 'aws_iam_role.github');
    expect(r.origin.file).toBe('roles.tf');
    expect(r.trustPolicy?.version?.value).toBe('2012-10-17');
    const st = statement(r);
    expect(st.effect).toMatchObject({ value: 'Allow', raw: '' });
    expect(st.effect.loc).toMatchObject({ file: 'policy.tf', start: at(main, 'statement {') });
    expect(st.sid?.value).toBe('GitHubActions');
    expect(st.actions.map((a) => [a.value, a.loc.start])).toEqual([['sts:AssumeRoleWithWebIdentity', at(main, '"sts:AssumeRoleWithWebIdentity"')]]);
    expect(st.principals.map((x) => [x.kind, x.value.value, x.value.loc.start])).toEqual([['Federated', PROVIDER_ARN, at(main, `"${PROVIDER_ARN}"`)]]);
    expect(statement(r, 1).effect.value).toBe('Deny');
  });

  it('ANDs condition blocks, merges blocks with the same test, and ORs values of the same test and variable', async () => {
    const p = await loadTree({ 'policy.tf': main, 'roles.tf': roles });
    const st = statement(role(p, 'aws_iam_role.github'));
    expect(st.conditions.map((c) => `${c.operator.value} ${c.key.value} = ${c.values.map((v) => v.value).join(' | ')}`)).toEqual([
      `StringEquals ${GH}:aud = sts.amazonaws.com`,
      `StringEquals ${GH}:repository_owner = octo-org`,
      `StringLike ${GH}:sub = repo:octo-org/app:ref:refs/heads/main | repo:octo-org/app:environment:prod`,
    ]);
    const sub = cond(st, `${GH}:sub`);
    expect(sub.operator.loc.start).toEqual(at(main, '"StringLike"'));
    expect(sub.key.loc.start).toEqual(at(main, `"${GH}:sub"`));
    expect(sub.values.map((v) => v.loc.start)).toEqual([at(main, '"repo:octo-org/app:ref'), at(main, '"repo:octo-org/app:environment')]);
    expect(st.conditionLoc?.start).toEqual(at(main, 'condition {'));
  });

  it('reads not_principals and turns &{} into an IAM policy variable', async () => {
    const p = await loadTree({ 'policy.tf': main, 'roles.tf': roles });
    const deny = statement(role(p, 'aws_iam_role.github'), 1);
    expect(deny.principals).toEqual([]);
    expect(deny.notPrincipals.map((x) => [x.kind, x.value.value])).toEqual([['AWS', 'arn:aws:iam::123456789012:root']]);
    const c = cond(deny, 'aws:PrincipalTag/owner');
    expect(c.values[0]).toMatchObject({ value: '${aws:username}', raw: '"&{aws:username}"' });
  });

  it('renders principals type "*" with identifiers ["*"] as Principal "*"', async () => {
    const text = `data "aws_iam_policy_document" "any" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}
resource "aws_iam_role" "any" {
  assume_role_policy = data.aws_iam_policy_document.any.json
}
`;
    const p = await loadTree({ 'main.tf': text });
    expect(statement(role(p, 'aws_iam_role.any')).principals.map((x) => [x.kind, x.value.value])).toEqual([['*', '*']]);
  });

  it('merges source_policy_documents and override_policy_documents by Sid', async () => {
    const text = `data "aws_iam_policy_document" "base" {
  statement {
    sid     = "GitHub"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["${PROVIDER_ARN}"]
    }
  }
  statement {
    sid     = "Kept"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}
data "aws_iam_policy_document" "trust" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [jsonencode({ Statement = [{ Sid = "Extra", Effect = "Allow", Action = "sts:TagSession", Principal = { Federated = "${PROVIDER_ARN}" } }] })]
  statement {
    sid     = "GitHub"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["${PROVIDER_ARN}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${GH}:sub"
      values   = ["repo:octo-org/app:ref:refs/heads/main"]
    }
  }
}
resource "aws_iam_role" "r" {
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
`;
    const p = await loadTree({ 'main.tf': text });
    expect(errorsOf(p)).toEqual([]);
    const sts = role(p, 'aws_iam_role.r').trustPolicy!.statements;
    expect(sts.map((x) => `${x.sid?.value}:${x.conditions.length}`)).toEqual(['GitHub:1', 'Kept:0', 'Extra:0']);
  });

  it('lints a trust policy document that no role of the module uses (e.g. passed to a module) on its own', async () => {
    const text = `data "aws_iam_policy_document" "base" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["${PROVIDER_ARN}"]
    }
  }
}
data "aws_iam_policy_document" "trust" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
}
data "aws_iam_policy_document" "permissions" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}
module "deploy_role" {
  source             = "./modules/role"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
`;
    const p = await loadTree({ 'main.tf': text });
    expect(errorsOf(p)).toEqual([]);
    expect(p.roles.map((r) => [r.origin.logicalId, r.name, r.trustPolicy?.statements.length])).toEqual([['data.aws_iam_policy_document.trust', undefined, 1]]);
    expect(statement(p.roles[0]).principals[0].value.loc.start).toEqual(at(text, `"${PROVIDER_ARN}"`));
  });

  it('follows count-indexed data sources and expands dynamic blocks over known collections', async () => {
    const text = `locals {
  subjects = ["repo:octo-org/app:ref:refs/heads/main"]
  extra = [
    { test = "StringEquals", variable = "${GH}:aud", values = ["sts.amazonaws.com"] },
    { test = "StringLike", variable = "${GH}:sub", values = local.subjects },
  ]
}
data "aws_iam_policy_document" "this" {
  count = 1
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["${PROVIDER_ARN}"]
    }
    dynamic "condition" {
      for_each = local.extra
      iterator = c
      content {
        test     = c.value.test
        variable = c.value.variable
        values   = c.value.values
      }
    }
  }
}
resource "aws_iam_role" "this" {
  count              = 1
  name               = "r"
  assume_role_policy = data.aws_iam_policy_document.this[0].json
}
`;
    const p = await loadTree({ 'main.tf': text });
    expect(errorsOf(p)).toEqual([]);
    const st = statement(role(p, 'aws_iam_role.this'));
    expect(st.conditions.map((c) => `${c.operator.value} ${c.key.value} = ${c.values.map((v) => v.value).join(' | ')}`)).toEqual([
      `StringEquals ${GH}:aud = sts.amazonaws.com`,
      `StringLike ${GH}:sub = repo:octo-org/app:ref:refs/heads/main`,
    ]);
    expect(cond(st, `${GH}:sub`).values[0].loc.start).toEqual(at(text, '"repo:octo-org/app:ref'));
  });
});

describe('module-style resolution: variables, tfvars, locals, templates', () => {
  const variables = `variable "org" {
  type    = string
  default = "default-org"
}

variable "repo" {
  type = string
}

variable "branch" {
  type    = string
  default = "main"
}

variable "subjects" {
  type    = list(string)
  default = ["repo:octo-org/lib:ref:refs/heads/main"]
}
`;
  const locals = `locals {
  github_host = "${GH}"
  subject     = "repo:\${var.org}/\${var.repo}:ref:refs/heads/\${var.branch}"
  all         = concat([local.subject], [for s in var.subjects : s], [format("repo:%s/%s:pull_request", var.org, var.repo)])
}
`;
  const main = `resource "aws_iam_role" "deploy" {
  name = "deploy-\${var.repo}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "${PROVIDER_ARN}" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "\${local.github_host}:aud" = "sts.amazonaws.com"
          "\${local.github_host}:sub" = local.all
        }
      }
    }]
  })
}
`;

  it('resolves templates partially when a variable has no value', async () => {
    const p = await loadTree({ 'variables.tf': variables, 'locals.tf': locals, 'main.tf': main });
    expect(errorsOf(p)).toEqual([]);
    const r = role(p, 'aws_iam_role.deploy');
    expect(r.name).toMatchObject({
      value: 'deploy-${var.repo}',
      resolution: 'unresolved',
      parts: [
        { text: 'deploy-', known: true },
        { text: '${var.repo}', known: false },
      ],
    });
    const sub = cond(statement(r), `${GH}:sub`);
    expect(sub.key).toMatchObject({ value: `${GH}:sub`, resolution: 'expression', loc: { file: 'main.tf', start: at(main, '"${local.github_host}:sub"') } });
    expect(sub.values[0]).toMatchObject({
      value: 'repo:default-org/${var.repo}:ref:refs/heads/main',
      resolution: 'unresolved',
      parts: [
        { text: 'repo:default-org/', known: true },
        { text: '${var.repo}', known: false },
        { text: ':ref:refs/heads/main', known: true },
      ],
      loc: { file: 'locals.tf', start: at(locals, '"repo:${var.org}') },
    });
  });

  it('resolves fully from terraform.tfvars, overridden by *.auto.tfvars', async () => {
    const p = await loadTree({
      'variables.tf': variables,
      'locals.tf': locals,
      'main.tf': main,
      'terraform.tfvars': 'repo = "app"\norg = "from-tfvars"\n',
      'b.auto.tfvars': 'org = "octo-org"\n',
      'prod.tfvars': 'org = "not-applied-without-var-file"\n',
    });
    expect(errorsOf(p)).toEqual([]);
    const r = role(p, 'aws_iam_role.deploy');
    expect(r.name).toMatchObject({ value: 'deploy-app', resolution: 'expression' });
    const sub = cond(statement(r), `${GH}:sub`);
    expect(sub.values.map((v) => [v.value, v.resolution, v.loc.file])).toEqual([
      ['repo:octo-org/app:ref:refs/heads/main', 'expression', 'locals.tf'],
      ['repo:octo-org/lib:ref:refs/heads/main', 'expression', 'variables.tf'],
      ['repo:octo-org/app:pull_request', 'expression', 'locals.tf'],
    ]);
    // A value written in a variable default is located at that default.
    expect(sub.values[1].loc.start).toEqual(at(variables, '"repo:octo-org/lib'));
    expect(p.sources.map((s) => [s.path, s.kind])).toContainEqual(['prod.tfvars', 'terraform']);
  });

  it('locates a value set in tfvars at the tfvars entry', async () => {
    const tfvars = 'repo = "app"\nsubjects = [\n  "repo:octo-org/*",\n]\n';
    const p = await loadTree({ 'variables.tf': variables, 'locals.tf': locals, 'main.tf': main, 'terraform.tfvars': tfvars });
    const sub = cond(statement(role(p, 'aws_iam_role.deploy')), `${GH}:sub`);
    expect(sub.values[1]).toMatchObject({ value: 'repo:octo-org/*', resolution: 'expression', loc: { file: 'terraform.tfvars', start: { line: 3, column: 3 } } });
    const like = main.replace('StringEquals', 'StringLike');
    const findings = await lintTree({ 'variables.tf': variables, 'locals.tf': locals, 'main.tf': like, 'terraform.tfvars': tfvars }, 'no-wildcard-subject');
    expect(findings.map((f) => `${f.messageId}@${f.location.file}:${f.location.start.line}:${f.location.start.column}`)).toEqual(['anyRepo@terraform.tfvars:3:3']);
  });

  it('for expressions over an unknown collection give one unresolved value with the known parts', async () => {
    const text = `variable "repos" { type = list(string) }
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "${PROVIDER_ARN}" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringLike = { "${GH}:sub" = [for r in var.repos : "repo:octo-org/\${r}:*"] } }
    }]
  })
}
`;
    const p = await loadTree({ 'main.tf': text });
    const v = cond(statement(role(p, 'aws_iam_role.r')), `${GH}:sub`).values;
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({
      value: 'repo:octo-org/${r}:*',
      resolution: 'unresolved',
      parts: [
        { text: 'repo:octo-org/', known: true },
        { text: '${r}', known: false },
        { text: ':*', known: true },
      ],
      loc: { start: at(text, '"repo:octo-org/${r}') },
    });
  });

  it('evaluates comparisons, logic and template if-directives from defaults', async () => {
    const text = `variable "enabled" { default = true }
variable "create_provider" { default = true }
variable "enterprise_slug" { default = "" }
variable "extra_audiences" { default = null }
locals {
  provider_arn = var.enabled && var.create_provider ? aws_iam_openid_connect_provider.github[0].arn : ""
}
resource "aws_iam_openid_connect_provider" "github" {
  count          = var.enabled && var.create_provider ? 1 : 0
  url            = "https://${GH}%{if var.enterprise_slug != ""}/\${var.enterprise_slug}%{endif}"
  client_id_list = ["sts.amazonaws.com"]
}
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${GH}:aud"
      values   = var.extra_audiences != null ? concat(["sts.amazonaws.com"], var.extra_audiences) : ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${GH}:sub"
      values   = length(var.enterprise_slug) > 0 ? [] : ["repo:octo-org/app:ref:refs/heads/main"]
    }
  }
}
resource "aws_iam_role" "github" {
  count              = var.enabled ? 1 : 0
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
`;
    const p = await loadTree({ 'main.tf': text });
    expect(errorsOf(p)).toEqual([]);
    expect(p.providers[0].url).toMatchObject({ value: `https://${GH}`, resolution: 'expression' });
    const st = statement(role(p, 'aws_iam_role.github'));
    expect(st.principals[0].value).toMatchObject({ value: `arn:aws:iam::\${account_id}:oidc-provider/${GH}`, resolution: 'unresolved' });
    expect(st.conditions.map((c) => `${c.key.value} = ${c.values.map((v) => `${v.value} (${v.resolution})`).join(' | ')}`)).toEqual([
      `${GH}:aud = sts.amazonaws.com (literal)`,
      `${GH}:sub = repo:octo-org/app:ref:refs/heads/main (literal)`,
    ]);
    // With a slug, the directive adds it and the provider is no longer the github.com issuer.
    const slugged = await loadTree({ 'main.tf': text.replace('variable "enterprise_slug" { default = "" }', 'variable "enterprise_slug" { default = "octo-ent" }') });
    expect(slugged.providers[0].url.value).toBe(`https://${GH}/octo-ent`);
    expect(cond(statement(role(slugged, 'aws_iam_role.github')), `${GH}:sub`).values).toEqual([]);
  });

  it('creates one role per known for_each element', async () => {
    const text = `locals {
  roles = { api = "repo:octo-org/api:ref:refs/heads/main", web = "repo:octo-org/web:ref:refs/heads/main" }
}
resource "aws_iam_role" "per_repo" {
  for_each = local.roles
  name     = "gha-\${each.key}"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "${PROVIDER_ARN}" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringEquals = { "${GH}:sub" = each.value } }
    }]
  })
}
`;
    const p = await loadTree({ 'main.tf': text });
    expect(p.roles.map((r) => [r.origin.logicalId, r.name?.value, cond(statement(r), `${GH}:sub`).values[0].value])).toEqual([
      ['aws_iam_role.per_repo["api"]', 'gha-api', 'repo:octo-org/api:ref:refs/heads/main'],
      ['aws_iam_role.per_repo["web"]', 'gha-web', 'repo:octo-org/web:ref:refs/heads/main'],
    ]);
  });

  it('records name_prefix as a partly known name', async () => {
    const p = await loadTree({ 'main.tf': 'resource "aws_iam_role" "p" {\n  name_prefix = "gha-"\n}\n' });
    expect(role(p, 'aws_iam_role.p').name).toMatchObject({ value: 'gha-${unique_suffix}', resolution: 'unresolved', parts: [{ text: 'gha-', known: true }, { text: '${unique_suffix}', known: false }] });
    expect(role(p, 'aws_iam_role.p').arn?.value).toBe('arn:aws:iam::${account_id}:role/gha-${unique_suffix}');
    const withPath = await loadTree({ 'main.tf': 'resource "aws_iam_role" "p" {\n  name = "deploy"\n  path = "/ci/"\n}\n' });
    expect(role(withPath, 'aws_iam_role.p').arn?.value).toBe('arn:aws:iam::${account_id}:role/ci/deploy');
  });

  it('prefers the definition in the same file when a name is declared twice in a directory', async () => {
    const one = `variable "org" { default = "one" }
resource "aws_iam_role" "a" { name = "\${var.org}" }
locals { n = "one" }
resource "aws_iam_role" "b" { name = local.n }
`;
    const two = `variable "org" { default = "two" }
locals { n = "two" }
resource "aws_iam_role" "c" { name = local.n }
resource "aws_iam_role" "d" { name = "\${var.org}-d" }
`;
    const p = await loadTree({ 'one.tf': one, 'two.tf': two });
    expect(p.roles.map((r) => [r.origin.logicalId, r.name?.value])).toEqual([
      ['aws_iam_role.a', 'one'],
      ['aws_iam_role.b', 'one'],
      ['aws_iam_role.c', 'two'],
      ['aws_iam_role.d', 'two-d'],
    ]);
  });
});

describe('aws_iam_openid_connect_provider', () => {
  it('reads url, client ids and literal thumbprints', async () => {
    const text = `resource "aws_iam_openid_connect_provider" "github" {
  url             = "https://${GH}"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}
`;
    const p = await loadTree({ 'oidc.tf': text });
    expect(p.providers).toHaveLength(1);
    const pr = p.providers[0];
    expect(pr.origin).toEqual({ format: 'terraform', file: 'oidc.tf', logicalId: 'aws_iam_openid_connect_provider.github' });
    expect(pr.url).toMatchObject({ value: `https://${GH}`, resolution: 'literal', loc: { start: at(text, `"https://`) } });
    expect(pr.clientIds.map((c) => [c.value, c.loc.start])).toEqual([['sts.amazonaws.com', at(text, '"sts.amazonaws.com"')]]);
    expect(pr.thumbprints.map((t) => t.value)).toEqual(['6938fd4d98bab03faadb97b34396831e3780aea1']);
    expect(pr.arn?.value).toBe(`arn:aws:iam::\${account_id}:oidc-provider/${GH}`);
  });

  it('keeps the legacy tls_certificate thumbprint unresolved with its source text', async () => {
    const text = `data "tls_certificate" "github" {
  url = "https://${GH}/.well-known/openid-configuration"
}
resource "aws_iam_openid_connect_provider" "github" {
  url             = "https://${GH}"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = [data.tls_certificate.github.certificates[0].sha1_fingerprint]
}
`;
    const p = await loadTree({ 'oidc.tf': text });
    expect(p.providers[0].thumbprints).toEqual([
      expect.objectContaining({ value: '${data.tls_certificate.github.certificates[0].sha1_fingerprint}', resolution: 'unresolved', loc: expect.objectContaining({ start: at(text, 'data.tls_certificate.github.certificates') }) }),
    ]);
  });

  it('resolves a data source lookup of the provider by URL', async () => {
    const text = `data "aws_iam_openid_connect_provider" "github" {
  url = "https://${GH}"
}
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", Principal = { Federated = data.aws_iam_openid_connect_provider.github.arn } }]
  })
}
`;
    const p = await loadTree({ 'main.tf': text });
    expect(statement(role(p, 'aws_iam_role.r')).principals[0].value.value).toBe(`arn:aws:iam::\${account_id}:oidc-provider/${GH}`);
  });
});

describe('positions on non-ASCII lines and CRLF files', () => {
  it('counts columns in UTF-16 code units', async () => {
    const text = [
      'resource "aws_iam_role" "ü" {',
      '  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Sid = "déploiement 🚀", Action = "sts:AssumeRoleWithWebIdentity",',
      `    Principal = { Federated = "${PROVIDER_ARN}" }, Condition = { StringLike = { "${GH}:sub" = "repo:é/🚀:*" } } }] })`,
      '}',
      '',
    ].join('\r\n');
    const p = await loadTree({ 'main.tf': text });
    expect(errorsOf(p)).toEqual([]);
    const st = statement(role(p, 'aws_iam_role.ü'));
    // Line 2 has é (1 UTF-16 unit, 2 UTF-8 bytes) and 🚀 (2 units, 1 code point, 4 bytes) before
    // Action: UTF-16 gives column 103; bytes would give 106, code points 102.
    expect(st.actions[0].loc.start).toEqual(at(text, '"sts:AssumeRoleWithWebIdentity"'));
    expect(st.actions[0].loc.start).toEqual({ line: 2, column: 103 });
    const v = cond(st, `${GH}:sub`).values[0];
    expect(v.value).toBe('repo:é/🚀:*');
    expect(v.loc.start).toEqual(at(text, '"repo:é'));
    expect(v.loc.end.column - v.loc.start.column).toBe('"repo:é/🚀:*"'.length);
  });
});

describe('syntax errors', () => {
  it('reports the first error with its position and still loads the other files and blocks', async () => {
    const broken = `resource "aws_iam_role" "ok" {
  name = "ok"
}

resource "aws_iam_role" "broken" {
  name = ["a",
  assume_role_policy = "x"
}
`;
    const p = await loadTree({ 'broken.tf': broken, 'fine.tf': 'resource "aws_iam_role" "fine" {\n  name = "fine"\n}\n' });
    // The unclosed list swallows the next line; the parser stops at its `=`.
    expect(p.loadErrors.map((e) => [e.kind, e.loc.file, e.loc.start, e.message])).toEqual([['syntax', 'broken.tf', at(broken, 'assume_role_policy'), 'Terraform syntax error: unexpected "assume_role_policy ="']]);
    expect(p.roles.map((r) => r.origin.logicalId).sort()).toEqual(['aws_iam_role.fine', 'aws_iam_role.ok']);
  });

  it('reports a missing closing brace', async () => {
    const text = 'resource "aws_iam_role" "x" {\n  name = "x"\n';
    const p = await loadTree({ 'main.tf': text });
    expect(p.loadErrors.map((e) => [e.kind, e.loc.file, e.loc.start, e.message])).toEqual([['syntax', 'main.tf', { line: 3, column: 1 }, 'Terraform syntax error: missing "}"']]);
    expect(p.roles).toEqual([]);
  });
});

describe('Terraform JSON syntax (.tf.json)', () => {
  const text = JSON.stringify(
    {
      variable: { org: { default: 'octo-org' } },
      data: {
        aws_iam_policy_document: {
          trust: {
            statement: [
              {
                actions: ['sts:AssumeRoleWithWebIdentity'],
                principals: [{ type: 'Federated', identifiers: [PROVIDER_ARN] }],
                condition: [
                  { test: 'StringEquals', variable: `${GH}:aud`, values: ['sts.amazonaws.com'] },
                  { test: 'StringLike', variable: `${GH}:sub`, values: ['repo:${var.org}/*'] },
                ],
              },
            ],
          },
        },
      },
      resource: {
        aws_iam_role: {
          from_doc: { name: 'from-doc', assume_role_policy: '${data.aws_iam_policy_document.trust.json}' },
          inline: {
            name: 'inline',
            assume_role_policy: '${jsonencode({Statement = [{Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", Principal = {Federated = "' + PROVIDER_ARN + '"}}]})}',
          },
        },
      },
    },
    null,
    2,
  );

  it('reads the same shapes as native syntax, with positions in the JSON file', async () => {
    const p = await loadTree({ 'main.tf.json': text });
    expect(errorsOf(p)).toEqual([]);
    const fromDoc = statement(role(p, 'aws_iam_role.from_doc'));
    const sub = cond(fromDoc, `${GH}:sub`);
    expect(sub.values[0]).toMatchObject({ value: 'repo:octo-org/*', resolution: 'expression', loc: { file: 'main.tf.json', start: at(text, '"repo:${var.org}/*"') } });
    expect(sub.operator.loc.start).toEqual(at(text, '"StringLike"'));
    const inline = statement(role(p, 'aws_iam_role.inline'));
    // Inside the JSON string the template's quotes are escaped: the value starts at its backslash.
    expect(inline.principals[0].value).toMatchObject({ value: PROVIDER_ARN, loc: { start: at(text, '\\"' + PROVIDER_ARN) } });
    expect(p.sources.find((s) => s.path === 'main.tf.json')?.kind).toBe('terraform');
  });
});

describe('inline suppressions in Terraform', () => {
  it('a comment above the value suppresses the finding the loader located there', async () => {
    const text = `resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "${PROVIDER_ARN}" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "${GH}:aud" = "sts.amazonaws.com" }
        StringLike = {
          # oidc-lint: ignore[no-wildcard-subject] every repository of the org deploys previews (SEC-42)
          "${GH}:sub" = "repo:octo-org/*"
        }
      }
    }]
  })
}
`;
    const findings = await lintTree({ 'main.tf': text }, 'no-wildcard-subject');
    expect(findings.map((f) => [f.messageId, f.location.start, f.suppressed?.kind])).toEqual([['anyRepo', at(text, '"repo:octo-org/*"'), 'inSource']]);
  });
});

describe('discovery', () => {
  it('skips .terraform (modules and providers downloaded by terraform init)', async () => {
    const p = await loadTree({
      'main.tf': 'resource "aws_iam_role" "mine" {\n  name = "mine"\n}\n',
      '.terraform/modules/vendor/main.tf': 'resource "aws_iam_role" "theirs" {\n  name = "theirs"\n}\n',
    });
    expect(p.roles.map((r) => r.origin.logicalId)).toEqual(['aws_iam_role.mine']);
    expect(p.sources.map((s) => s.path)).toEqual(['main.tf']);
  });
});

describe('files named on the command line', () => {
  it('a single .tf file is a module of its own, even next to other .tf files', async () => {
    const dir = writeTree({
      'a.tf': 'variable "org" { default = "from-a" }\nresource "aws_iam_role" "a" { name = "${var.org}" }\n',
      'b.tf': 'variable "org" { default = "from-b" }\nresource "aws_iam_role" "b" { name = "${var.org}" }\n',
    });
    const p = await loadProject([path.join(dir, 'a.tf')], { root: dir });
    expect(p.roles.map((r) => [r.origin.logicalId, r.name?.value])).toEqual([['aws_iam_role.a', 'from-a']]);
    expect(p.sources.map((s) => s.path)).toEqual(['a.tf']);
  });
});

describe('robustness', () => {
  const seeds = readdirSync(RULE_FIXTURES, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.tf'))
    .map((f) => readFileSync(path.join(RULE_FIXTURES, f), 'utf8'));

  const load = async (text: string, relPath: string) => {
    const sink: LoadSink = { workflows: [], roles: [], providers: [], errors: [] };
    await loadTerraformModule([{ relPath, absPath: relPath, text, explicit: true }], sink);
    return sink;
  };

  it('never throws on arbitrary text, and every error has a position inside the file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 200 }), async (text) => {
        const sink = await load(text, 'x.tf');
        for (const e of sink.errors) expect(e.loc.start.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps absurdly deep nesting as text instead of overflowing the stack', async () => {
    const n = 20000;
    const sink = await load(`locals {\n  a = ${'['.repeat(n)}${']'.repeat(n)}\n}\n${'b {\n'.repeat(n)}${'}\n'.repeat(n)}resource "aws_iam_role" "r" {\n  name = "r"\n}\n`, 'x.tf');
    expect(sink.errors).toEqual([]);
    expect(sink.roles.map((r) => r.name?.value)).toEqual(['r']);
  });

  it('every rule runs on damaged configurations without crashing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...seeds), fc.nat(), fc.nat(), fc.constantFrom('', '{', '}', '"', '${', '[', ']', '\n', '<<EOF\n', '#'), async (seed, a, b, insert) => {
        const i = a % (seed.length + 1);
        const project = await loadTree({ 'main.tf': seed.slice(0, i) + insert + seed.slice(i + (b % 30)), 'terraform.tfvars': 'github_org = "octo-org"\n' });
        const { crashes } = lintProject(project, rules, { rules: {}, settings: {} });
        expect(crashes).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('never throws on damaged real configurations (.tf and .tf.json)', async () => {
    expect(seeds.length).toBeGreaterThan(3);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...seeds), fc.nat(), fc.nat(), fc.string({ maxLength: 8 }), fc.boolean(), async (seed, a, b, insert, json) => {
        const i = a % (seed.length + 1);
        const j = i + (b % 20);
        const text = seed.slice(0, i) + insert + seed.slice(j);
        await load(text, 'x.tf');
        if (json) await load(JSON.stringify({ resource: { aws_iam_role: { r: { assume_role_policy: '${' + text.slice(0, 60) + '}' } } } }), 'x.tf.json');
      }),
      { numRuns: 200 },
    );
  });
});
