/**
 * Popular registry modules that write a GitHub OIDC trust policy, as small Terraform modules of
 * our own that write the same trust policy from the same inputs (the shape of their current
 * releases; only what decides who may assume the role: principal, `aud` and `sub`). A `module`
 * block calling one of them is evaluated like a local child module (terraform.ts), so
 * `subjects = ["repo:acme/*"]` is judged where the caller writes it. Positions inside these texts
 * mean nothing to the user: terraform.ts moves them to the caller (`relocate`).
 */

export interface RegistryShim {
  /** Which module this stands for (for messages and addresses). */
  name: string;
  /** Our module's text. */
  text: string;
  /**
   * The caller's argument each condition's values come from, by `<base operator> <claim>`: value
   * i of the condition is placed at item i of the argument's list (or at the argument).
   */
  valuesFrom: Record<string, string>;
}

const GITHUB_OIDC_ROLE: RegistryShim = {
  name: 'terraform-aws-modules/iam/aws//modules/iam-github-oidc-role',
  valuesFrom: { 'StringLike sub': 'subjects', 'StringEquals aud': 'audience' },
  text: `
variable "subjects" { default = [] }
variable "audience" { default = "sts.amazonaws.com" }
variable "provider_url" { default = "token.actions.githubusercontent.com" }
variable "name" { default = null }
variable "name_prefix" { default = null }
variable "path" { default = "/" }
locals {
  provider_url = replace(var.provider_url, "https://", "")
}
data "aws_iam_policy_document" "this" {
  statement {
    actions = ["sts:TagSession", "sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::\${data.aws_caller_identity.current.account_id}:oidc-provider/\${local.provider_url}"]
    }
    condition {
      test     = "StringEquals"
      variable = "\${local.provider_url}:aud"
      values   = [var.audience]
    }
    condition {
      test     = "StringLike"
      variable = "\${local.provider_url}:sub"
      values   = [for subject in var.subjects : "repo:\${trimprefix(subject, "repo:")}"]
    }
  }
}
resource "aws_iam_role" "this" {
  name               = var.name
  name_prefix        = var.name_prefix
  path               = var.path
  assume_role_policy = data.aws_iam_policy_document.this.json
}
`,
};

const IAM_ROLE: RegistryShim = {
  name: 'terraform-aws-modules/iam/aws//modules/iam-role',
  valuesFrom: { 'StringEquals sub': 'oidc_subjects', 'StringLike sub': 'oidc_wildcard_subjects', 'StringEquals aud': 'oidc_audiences' },
  text: `
variable "enable_github_oidc" { default = false }
variable "github_provider" { default = "token.actions.githubusercontent.com" }
variable "oidc_subjects" { default = [] }
variable "oidc_wildcard_subjects" { default = [] }
variable "oidc_audiences" { default = [] }
variable "name" { default = null }
variable "use_name_prefix" { default = true }
variable "path" { default = "/" }
data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = var.enable_github_oidc ? [1] : []
    content {
      actions = ["sts:TagSession", "sts:AssumeRoleWithWebIdentity"]
      principals {
        type        = "Federated"
        identifiers = ["arn:aws:iam::\${data.aws_caller_identity.current.account_id}:oidc-provider/\${var.github_provider}"]
      }
      condition {
        test     = "StringEquals"
        variable = "\${var.github_provider}:aud"
        values   = length(var.oidc_audiences) > 0 ? var.oidc_audiences : ["sts.amazonaws.com"]
      }
      dynamic "condition" {
        for_each = length(var.oidc_subjects) > 0 ? [1] : []
        content {
          test     = "StringEquals"
          variable = "\${var.github_provider}:sub"
          values   = [for subject in var.oidc_subjects : "repo:\${trimprefix(subject, "repo:")}"]
        }
      }
      dynamic "condition" {
        for_each = length(var.oidc_wildcard_subjects) > 0 ? [1] : []
        content {
          test     = "StringLike"
          variable = "\${var.github_provider}:sub"
          values   = [for subject in var.oidc_wildcard_subjects : "repo:\${trimprefix(subject, "repo:")}"]
        }
      }
    }
  }
}
resource "aws_iam_role" "this" {
  name               = var.use_name_prefix ? null : var.name
  name_prefix        = var.use_name_prefix ? "\${var.name}-" : null
  path               = var.path
  assume_role_policy = data.aws_iam_policy_document.this.json
}
`,
};

const UNFUNCO_OIDC_GITHUB: RegistryShim = {
  name: 'unfunco/oidc-github/aws',
  valuesFrom: { 'StringLike sub': 'github_repositories' },
  text: `
variable "github_repositories" { default = [] }
variable "iam_role_name" { default = "github" }
variable "iam_role_path" { default = "/" }
variable "enterprise_slug" { default = "" }
data "aws_iam_policy_document" "assume_role" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    condition {
      test     = "StringLike"
      values   = [for repo in var.github_repositories : "repo:%{if length(regexall(":+", repo)) > 0}\${repo}%{else}\${repo}:*%{endif}"]
      variable = "token.actions.githubusercontent.com:sub"
    }
    condition {
      test     = "StringEquals"
      values   = ["sts.amazonaws.com"]
      variable = "token.actions.githubusercontent.com:aud"
    }
    principals {
      identifiers = ["arn:aws:iam::\${data.aws_caller_identity.current.account_id}:oidc-provider/token.actions.githubusercontent.com%{if var.enterprise_slug != ""}/\${var.enterprise_slug}%{endif}"]
      type        = "Federated"
    }
  }
}
resource "aws_iam_role" "github" {
  name               = var.iam_role_name
  path               = var.iam_role_path
  assume_role_policy = data.aws_iam_policy_document.assume_role.json
}
`,
};

/**
 * The shim for a `module` block's `source`: the registry address (`registry.terraform.io/` and a
 * `?ref=` optional) or the module's GitHub repository with the same subdirectory.
 */
export function registryShim(source: string): RegistryShim | undefined {
  const s = source
    .trim()
    .replace(/^(?:registry\.terraform\.io\/)/i, '')
    .replace(/^(?:git::)?(?:https:\/\/|ssh:\/\/git@|git@)?github\.com[/:]/i, 'github.com/')
    .replace(/\.git(?=\/\/|\?|$)/i, '')
    .replace(/\?.*$/, '')
    .replace(/\/+$/, '')
    .toLowerCase();
  if (s === 'terraform-aws-modules/iam/aws//modules/iam-github-oidc-role' || s === 'github.com/terraform-aws-modules/terraform-aws-iam//modules/iam-github-oidc-role') return GITHUB_OIDC_ROLE;
  if (s === 'terraform-aws-modules/iam/aws//modules/iam-role' || s === 'github.com/terraform-aws-modules/terraform-aws-iam//modules/iam-role') return IAM_ROLE;
  if (s === 'unfunco/oidc-github/aws' || s === 'github.com/unfunco/terraform-aws-oidc-github') return UNFUNCO_OIDC_GITHUB;
  return undefined;
}
