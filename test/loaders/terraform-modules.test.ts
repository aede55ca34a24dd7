/**
 * Terraform module calls: a local child module (`source = "./…"`) is evaluated with the arguments
 * its caller passes, so a subject written in the caller is judged (and reported) there; the child's
 * standalone reading, with its inputs unknown, is then left out.
 */
import { describe, expect, it } from 'vitest';
import { loadTree } from '../helpers/project.js';
import type { Project } from '../../src/model/project.js';

const GH = 'token.actions.githubusercontent.com';

const CHILD = `variable "name" { type = string }
variable "subjects" { type = list(string) }
variable "audience" {
  type    = string
  default = "sts.amazonaws.com"
}
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:oidc-provider/${GH}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${GH}:aud"
      values   = [var.audience]
    }
    condition {
      test     = "StringLike"
      variable = "${GH}:sub"
      values   = [for s in var.subjects : "repo:\${s}"]
    }
  }
}
resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
`;

const summary = (p: Project) =>
  p.roles
    .map((r) => ({
      id: r.origin.logicalId,
      file: r.origin.file,
      name: r.name?.value,
      values: r.trustPolicy!.statements[0].conditions.map((c) => `${c.key.value.split(':')[1]}=${c.values.map((v) => `${v.value}@${v.loc.file}:${v.loc.start.line}`).join(',')}`),
    }))
    .sort((a, b) => (a.id! < b.id! ? -1 : 1));

describe('Terraform module calls', () => {
  it("a local child module is evaluated with the caller's arguments (for_each instances too); its standalone reading is left out", async () => {
    const main = `locals {
  teams = { api = "acme/api", web = "acme/*" }
}
module "deploy" {
  source   = "./modules/github-role"
  name     = "deploy"
  subjects = ["acme/infra:environment:prod"]
}
module "team" {
  source   = "./modules/github-role/"
  for_each = local.teams
  name     = "team-\${each.key}"
  subjects = ["\${each.value}:ref:refs/heads/main"]
}
`;
    const p = await loadTree({ 'main.tf': main, 'modules/github-role/main.tf': CHILD });
    expect(summary(p)).toEqual([
      { id: 'module.deploy.aws_iam_role.this', file: 'modules/github-role/main.tf', name: 'deploy', values: [`aud=sts.amazonaws.com@modules/github-role/main.tf:5`, 'sub=repo:acme/infra:environment:prod@modules/github-role/main.tf:22'] },
      { id: 'module.team["api"].aws_iam_role.this', file: 'modules/github-role/main.tf', name: 'team-api', values: [`aud=sts.amazonaws.com@modules/github-role/main.tf:5`, 'sub=repo:acme/api:ref:refs/heads/main@modules/github-role/main.tf:22'] },
      { id: 'module.team["web"].aws_iam_role.this', file: 'modules/github-role/main.tf', name: 'team-web', values: [`aud=sts.amazonaws.com@modules/github-role/main.tf:5`, 'sub=repo:acme/*:ref:refs/heads/main@modules/github-role/main.tf:22'] },
    ]);
  });

  it('a value the caller passes through unchanged is located where the caller writes it; nested calls are followed; other registry modules and calls out of the scan root are not', async () => {
    const main = `module "outer" {
  source = "./modules/outer"
  subjects = [
    "repo:acme/*",
  ]
}
module "registry" {
  source   = "cloudposse/iam-role/aws"
  subjects = ["repo:acme/*"]
}
module "outside" {
  source = "../elsewhere"
}
`;
    const outer = `variable "subjects" { type = list(string) }
module "inner" {
  source   = "../plain"
  subjects = var.subjects
}
`;
    const plain = CHILD.replace('values   = [for s in var.subjects : "repo:${s}"]', 'values   = var.subjects').replace('variable "name" { type = string }', 'variable "name" {\n  default = "plain"\n}');
    const p = await loadTree({ 'main.tf': main, 'modules/outer/main.tf': outer, 'modules/plain/main.tf': plain });
    expect(summary(p)).toEqual([{ id: 'module.outer.module.inner.aws_iam_role.this', file: 'modules/plain/main.tf', name: 'plain', values: ['aud=sts.amazonaws.com@modules/plain/main.tf:7', 'sub=repo:acme/*@main.tf:4'] }]);
  });

  it('a value the caller computes at a reference (a provider ARN) is located where the child uses it', async () => {
    const child = CHILD.replace(`identifiers = ["arn:aws:iam::111122223333:oidc-provider/${GH}"]`, 'identifiers = [var.provider_arn]').replace('variable "name" { type = string }', 'variable "name" { type = string }\nvariable "provider_arn" { type = string }');
    const main = `resource "aws_iam_openid_connect_provider" "gh" {
  url            = "https://${GH}"
  client_id_list = ["sts.amazonaws.com"]
}
module "role" {
  source       = "./modules/github-role"
  name         = "deploy"
  subjects     = ["acme/api:environment:prod"]
  provider_arn = aws_iam_openid_connect_provider.gh.arn
}
`;
    const p = await loadTree({ 'main.tf': main, 'modules/github-role/main.tf': child });
    const principal = p.roles[0].trustPolicy!.statements[0].principals[0].value;
    expect([principal.value, principal.loc.file, principal.loc.start.line]).toEqual([`arn:aws:iam::\${account_id}:oidc-provider/${GH}`, 'modules/github-role/main.tf', 13]);
  });

  it('a child module nobody calls keeps its standalone reading, its inputs unknown', async () => {
    const p = await loadTree({ 'modules/github-role/main.tf': CHILD });
    expect(summary(p).map((r) => [r.id, r.values[1]])).toEqual([['aws_iam_role.this', 'sub=repo:${s}@modules/github-role/main.tf:22']]);
  });
});

describe('findings of a module called twice', () => {
  it('the same finding from two calls with the same arguments is reported once; different arguments give their own', async () => {
    const call = (env: string, subject: string) => `module "role" {
  source   = "../../modules/github-role"
  name     = "${env}"
  subjects = ["${subject}"]
}
`;
    const { lintTree } = await import('../helpers/project.js');
    const same = await lintTree({ 'envs/dev/main.tf': call('dev', 'acme/app:*'), 'envs/prod/main.tf': call('prod', 'acme/app:*'), 'modules/github-role/main.tf': CHILD }, 'no-wildcard-subject');
    expect(same.map((f) => `${f.location.file}:${f.location.start.line} ${f.message}`)).toEqual(['modules/github-role/main.tf:22 Every branch, pull request or environment of acme/app can assume this role: sub pattern "repo:acme/app:*".']);
    const different = await lintTree({ 'envs/dev/main.tf': call('dev', 'acme/app:*'), 'envs/prod/main.tf': call('prod', 'acme/*'), 'modules/github-role/main.tf': CHILD }, 'no-wildcard-subject');
    expect(different.map((f) => f.messageId)).toEqual(['anyContext', 'anyRepo']);
  });
});

describe('registry modules that write a GitHub OIDC trust policy', () => {
  it('terraform-aws-modules iam-github-oidc-role, iam-role (enable_github_oidc) and unfunco/oidc-github: the policy they write, each value at the item the caller writes', async () => {
    const main = `module "oidc_role" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-github-oidc-role"
  version = "~> 5.0"
  name    = "deploy"
  subjects = [
    "acme/api:ref:refs/heads/main",
    "repo:acme/*",
  ]
}
module "iam_role" {
  source                 = "git::https://github.com/terraform-aws-modules/terraform-aws-iam.git//modules/iam-role?ref=v6.0.0"
  name                   = "web"
  enable_github_oidc     = true
  oidc_subjects          = ["acme/web:environment:prod"]
  oidc_wildcard_subjects = ["acme/web:*"]
}
module "lambda_role" {
  source = "terraform-aws-modules/iam/aws//modules/iam-role"
  name   = "lambda"
}
module "unfunco" {
  source              = "registry.terraform.io/unfunco/oidc-github/aws"
  github_repositories = ["acme/infra", "acme/site:ref:refs/heads/main"]
}
`;
    const p = await loadTree({ 'main.tf': main });
    expect(p.roles.map((r) => [r.origin.logicalId, r.origin.file, r.name?.value, r.trustPolicy!.statements.length])).toEqual([
      ['module.oidc_role.aws_iam_role.this', 'main.tf', 'deploy', 1],
      ['module.iam_role.aws_iam_role.this', 'main.tf', 'web-${unique_suffix}', 1],
      ['module.lambda_role.aws_iam_role.this', 'main.tf', 'lambda-${unique_suffix}', 0],
      ['module.unfunco.aws_iam_role.github', 'main.tf', 'github', 1],
    ]);
    const subs = p.roles.flatMap((r) => r.trustPolicy!.statements.flatMap((st) => st.conditions.filter((c) => c.key.value.endsWith(':sub')).flatMap((c) => c.values.map((v) => `${c.operator.value} ${v.value} @${v.loc.start.line}:${v.loc.start.column}`))));
    expect(subs).toEqual([
      'StringLike repo:acme/api:ref:refs/heads/main @6:5',
      'StringLike repo:acme/* @7:5',
      'StringEquals repo:acme/web:environment:prod @14:29',
      'StringLike repo:acme/web:* @15:29',
      'StringLike repo:acme/infra:* @23:26',
      'StringLike repo:acme/site:ref:refs/heads/main @23:40',
    ]);
    // Everything the caller does not write is placed at the module block.
    const st = p.roles[0].trustPolicy!.statements[0];
    expect([st.loc.start, st.principals[0].value.loc.start, p.roles[0].loc.start]).toEqual([{ line: 1, column: 8 }, { line: 1, column: 8 }, { line: 1, column: 8 }]);
    expect(st.principals[0].value.value).toBe('arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/token.actions.githubusercontent.com');
  });
});
