/**
 * Terraform: every branch of a template is a possible value. A conditional or `%{if}` whose test the
 * module does not fix gives each branch as a separate condition value, with the input it is taken
 * under in words (`when`); a test that defaults fix takes its one branch, as before.
 */
import { describe, expect, it } from 'vitest';
import { loadTree } from '../helpers/project.js';
import type { Condition, Role } from '../../src/model/iam.js';
import type { Project } from '../../src/model/project.js';
import { MAX_ALTERNATIVES } from '../../src/loaders/terraform/terraform-eval.js';

const GH = 'token.actions.githubusercontent.com';
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${GH}`;

function at(text: string, needle: string, nth = 0): { line: number; column: number } {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    if (i < 0) throw new Error(`"${needle}" not found`);
  }
  const before = text.slice(0, i);
  return { line: before.split('\n').length, column: i - before.lastIndexOf('\n') };
}

function role(p: Project, logicalId: string): Role {
  const r = p.roles.find((x) => x.origin.logicalId === logicalId);
  if (!r) throw new Error(`no role ${logicalId}`);
  return r;
}

function sub(p: Project, id = 'aws_iam_role.r', op?: string): Condition {
  const c = role(p, id).trustPolicy?.statements[0]?.conditions.find((x) => x.key.value === `${GH}:sub` && (!op || x.operator.value === op));
  if (!c) throw new Error('no sub condition');
  return c;
}

/** A role whose StringLike sub value is the HCL expression `expr`, with extra declarations before it. */
function roleWith(expr: string, decls = ''): string {
  return `${decls}
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "${PROVIDER_ARN}" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringLike = { "${GH}:sub" = ${expr} } }
    }]
  })
}
`;
}

const brief = (c: Condition) => c.values.map((v) => ({ value: v.value, when: v.when?.text, isDefault: v.when?.isDefault }));

describe('possible values of Terraform templates', () => {
  it('an %{if} inside a for over an unknown list: both shapes, the test in words of the list entry', async () => {
    const text = `variable "github_repositories" { type = list(string) }
data "aws_iam_policy_document" "t" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["${PROVIDER_ARN}"]
    }
    condition {
      test     = "StringLike"
      variable = "${GH}:sub"
      values   = [for repo in var.github_repositories : "repo:%{if length(regexall(":+", repo)) > 0}\${repo}%{else}\${repo}:*%{endif}"]
    }
  }
}
resource "aws_iam_role" "r" { assume_role_policy = data.aws_iam_policy_document.t.json }
`;
    const p = await loadTree({ 'main.tf': text });
    const c = sub(p);
    expect(brief(c)).toEqual([
      { value: 'repo:${repo}', when: "an entry of var.github_repositories has a ':'", isDefault: false },
      { value: 'repo:${repo}:*', when: "an entry of var.github_repositories has no ':'", isDefault: false },
    ]);
    expect(c.values[1]).toMatchObject({
      resolution: 'unresolved',
      parts: [
        { text: 'repo:', known: true },
        { text: '${repo}', known: false },
        { text: ':*', known: true },
      ],
      loc: { start: at(text, '"repo:%{if') },
    });
  });

  it('a conditional expression with an unknown test: each branch at its own position', async () => {
    const text = roleWith('var.all ? "repo:octo-org/*" : "repo:octo-org/app:ref:refs/heads/main"', 'variable "all" { type = bool }');
    const c = sub(await loadTree({ 'main.tf': text }));
    expect(brief(c)).toEqual([
      { value: 'repo:octo-org/*', when: 'var.all is true', isDefault: false },
      { value: 'repo:octo-org/app:ref:refs/heads/main', when: 'var.all is false', isDefault: false },
    ]);
    expect(c.values[0].loc.start).toEqual(at(text, '"repo:octo-org/*"'));
    expect(c.values[1].loc.start).toEqual(at(text, '"repo:octo-org/app'));
  });

  it('a test the defaults fix takes its one branch, with no condition attached', async () => {
    const text = roleWith('var.all ? "repo:octo-org/*" : "repo:octo-org/app:ref:refs/heads/main"', 'variable "all" {\n  type    = bool\n  default = false\n}');
    expect(brief(sub(await loadTree({ 'main.tf': text })))).toEqual([{ value: 'repo:octo-org/app:ref:refs/heads/main', when: undefined, isDefault: undefined }]);
  });

  it('a conditional between lists: every item, each under its branch', async () => {
    const text = roleWith('var.strict ? ["repo:octo-org/app:ref:refs/heads/main"] : ["repo:octo-org/app:*", "repo:octo-org/lib:*"]', 'variable "strict" { type = bool }');
    expect(brief(sub(await loadTree({ 'main.tf': text })))).toEqual([
      { value: 'repo:octo-org/app:ref:refs/heads/main', when: 'var.strict is true', isDefault: false },
      { value: 'repo:octo-org/app:*', when: 'var.strict is false', isDefault: false },
      { value: 'repo:octo-org/lib:*', when: 'var.strict is false', isDefault: false },
    ]);
  });

  it('a conditional interpolated into a template, through a local: the template comes out both ways', async () => {
    const decls = `variable "branch" { type = string }
locals {
  context = var.branch != null ? "ref:refs/heads/\${var.branch}" : "*"
}`;
    const text = roleWith('"repo:octo-org/app:${local.context}"', decls);
    expect(brief(sub(await loadTree({ 'main.tf': text })))).toEqual([
      { value: 'repo:octo-org/app:ref:refs/heads/${var.branch}', when: 'var.branch is set', isDefault: false },
      { value: 'repo:octo-org/app:*', when: 'var.branch is null', isDefault: false },
    ]);
  });

  it('nested branches join their conditions; negation, can(regex()) and strcontains() are put in words', async () => {
    const decls = `variable "a" { type = bool }
variable "s" { type = string }`;
    const text = roleWith('"repo:o/r:%{if !var.a}x%{else}%{if can(regex("^env", var.s))}y%{else}%{if strcontains(var.s, "/")}z%{endif}%{endif}%{endif}"', decls);
    expect(brief(sub(await loadTree({ 'main.tf': text })))).toEqual([
      { value: 'repo:o/r:x', when: 'var.a is false', isDefault: false },
      { value: 'repo:o/r:y', when: 'var.a is true and var.s matches /^env/', isDefault: false },
      { value: 'repo:o/r:z', when: "var.a is true and var.s does not match /^env/ and var.s contains '/'", isDefault: false },
      { value: 'repo:o/r:', when: "var.a is true and var.s does not match /^env/ and var.s does not contain '/'", isDefault: false },
    ]);
  });

  it(`past ${MAX_ALTERNATIVES} combinations the value is one unresolved value, as before`, async () => {
    const decls = Array.from({ length: 5 }, (_, i) => `variable "v${i}" { type = bool }`).join('\n');
    const tpl = Array.from({ length: 5 }, (_, i) => `%{if var.v${i}}a%{else}b%{endif}`).join('');
    const c = sub(await loadTree({ 'main.tf': roleWith(`"repo:o/r:${tpl}"`, decls) }));
    expect(c.values).toHaveLength(1);
    expect(c.values[0]).toMatchObject({ resolution: 'unresolved' });
    expect(c.values[0].when).toBeUndefined();
  });

  it('a for filter with an unknown test over a known list: the element is a possible value', async () => {
    const text = roleWith('[for s in ["repo:octo-org/app:ref:refs/heads/main", "repo:octo-org/*"] : s if var.wide || s != "repo:octo-org/*"]', 'variable "wide" { type = bool }');
    expect(brief(sub(await loadTree({ 'main.tf': text })))).toEqual([
      { value: 'repo:octo-org/app:ref:refs/heads/main', when: undefined, isDefault: undefined },
      { value: 'repo:octo-org/*', when: 'var.wide || s != "repo:octo-org/*" is true', isDefault: false },
    ]);
  });

  it('a list of branches is not joined or searched as if all were there; a dynamic block over it is there under its input', async () => {
    const text = `variable "on" { type = bool }
locals {
  subs   = var.on ? ["repo:o/a:*"] : ["repo:o/b:*"]
  joined = join(",", local.subs)
  has_a  = contains(local.subs, "repo:o/a:*")
}
data "aws_iam_policy_document" "t" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["${PROVIDER_ARN}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${GH}:aud"
      values   = [local.joined, local.has_a ? "x" : "y"]
    }
    dynamic "condition" {
      for_each = var.on ? [1] : []
      content {
        test     = "StringLike"
        variable = "${GH}:sub"
        values   = ["repo:o/*"]
      }
    }
  }
}
resource "aws_iam_role" "r" { assume_role_policy = data.aws_iam_policy_document.t.json }
`;
    const st = role(await loadTree({ 'main.tf': text }), 'aws_iam_role.r').trustPolicy!.statements[0];
    expect(st.conditions.map((c) => c.key.value)).toEqual([`${GH}:aud`, `${GH}:sub`]);
    expect(st.conditions[0].values.map((v) => [v.value, v.resolution, v.when?.text])).toEqual([
      ['${join(",", local.subs)}', 'unresolved', undefined],
      ['x', 'literal', 'local.has_a is true'],
      ['y', 'literal', 'local.has_a is false'],
    ]);
    // `for_each = var.on ? [1] : []`: the block is there when var.on is true, and only then.
    expect(st.conditions[1].values.map((v) => [v.value, v.resolution, v.when?.text])).toEqual([['repo:o/*', 'literal', 'var.on is true']]);
  });

  it('an %{if} inside a string of a JSON heredoc: each branch, at the string; one that is a string either way likewise; one that changes the structure is not read', async () => {
    const policy = (sub: string) => `variable "branch" { type = string }
resource "aws_iam_role" "r" {
  assume_role_policy = <<EOF
{
  "Statement": [{
    "Effect": "Allow",
    "Principal": { "Federated": "${PROVIDER_ARN}" },
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": { "StringLike": { "${GH}:sub": ${sub} } }
  }]
}
EOF
}
`;
    const text = policy('"repo:octo-org/app:%{ if var.branch != "" }ref:refs/heads/${var.branch}%{ else }*%{ endif }"');
    const p = await loadTree({ 'main.tf': text });
    const c = sub(p);
    expect(brief(c)).toEqual([
      { value: 'repo:octo-org/app:ref:refs/heads/${var.branch}', when: 'var.branch is not empty', isDefault: false },
      { value: 'repo:octo-org/app:*', when: 'var.branch is empty', isDefault: false },
    ]);
    expect(c.values[1].loc.start).toEqual(at(text, '"repo:octo-org/app:%{'));
    const either = policy('%{ if var.branch != "" }"repo:octo-org/app:ref:refs/heads/${var.branch}"%{ else }"repo:octo-org/*"%{ endif }');
    const e = sub(await loadTree({ 'main.tf': either }));
    expect(brief(e)).toEqual([
      { value: 'repo:octo-org/app:ref:refs/heads/${var.branch}', when: 'var.branch is not empty', isDefault: false },
      { value: 'repo:octo-org/*', when: 'var.branch is empty', isDefault: false },
    ]);
    expect(e.values[1].loc.start).toEqual(at(either, '%{ if var.branch'));
    const structural = await loadTree({ 'main.tf': policy('%{ if var.branch != "" }["repo:octo-org/app:*", "repo:octo-org/lib:*"]%{ else }"repo:octo-org/*"%{ endif }') });
    expect(structural.roles[0].trustPolicy).toBeUndefined();
    const twoStrings = await loadTree({ 'main.tf': policy('%{ if var.branch != "" }"repo:octo-org/app:*", "x"%{ else }"repo:octo-org/*"%{ endif }') });
    expect(twoStrings.roles[0].trustPolicy).toBeUndefined();
  });

  it('coalesce() and try() over unknown arguments: each argument under its input, then the fallback', async () => {
    const decls = 'variable "filter" { type = string }\nvariable "subject" { type = string }\nvariable "fixed" {\n  type    = string\n  default = null\n}';
    const text = roleWith('["repo:octo-org/app:${coalesce(var.filter, "*")}", try(var.subject, "repo:octo-org/*"), coalesce(var.fixed, "repo:octo-org/lib:*")]', decls);
    expect(brief(sub(await loadTree({ 'main.tf': text })))).toEqual([
      { value: 'repo:octo-org/app:${var.filter}', when: 'var.filter is set', isDefault: false },
      { value: 'repo:octo-org/app:*', when: 'var.filter is null', isDefault: false },
      { value: '${var.subject}', when: 'var.subject can be evaluated', isDefault: false },
      { value: 'repo:octo-org/*', when: 'var.subject fails', isDefault: false },
      // A variable whose default is null is known: the fallback is what the module uses.
      { value: 'repo:octo-org/lib:*', when: undefined, isDefault: undefined },
    ]);
  });

  it('a name or other single value keeps reading as one unresolved value', async () => {
    const text = `variable "prod" { type = bool }
resource "aws_iam_role" "r" {
  name = var.prod ? "deploy" : "deploy-staging"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { Federated = "${PROVIDER_ARN}" }, Action = "sts:AssumeRoleWithWebIdentity" }] })
}
`;
    const r = role(await loadTree({ 'main.tf': text }), 'aws_iam_role.r');
    expect(r.name).toMatchObject({ value: '${var.prod ? "deploy" : "deploy-staging"}', resolution: 'unresolved' });
  });

  describe('%{ for } directives', () => {
    const heredocRole = (body: string, decls = '') => `${decls}
resource "aws_iam_role" "r" {
  assume_role_policy = <<EOF
{
  "Statement": [{
    "Effect": "Allow",
    "Principal": { "Federated": "${PROVIDER_ARN}" },
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": { "StringLike": { "${GH}:sub": [
${body}
    ] } }
  }]
}
EOF
}
`;

    it('between JSON values over a known list: the body once per element, located at the body; a comma-only %{if} and a dangling comma made right', async () => {
      const decls = 'locals {\n  repos = ["o/a", "o/b:ref:refs/heads/main", "o/c"]\n}';
      const body = '      %{ for i, r in local.repos ~}\n      "repo:${r}%{ if !strcontains(r, ":") }:*%{ endif }"%{ if i < length(local.repos) - 1 },%{ endif }\n      %{ endfor ~}';
      const text = heredocRole(body, decls);
      const c = sub(await loadTree({ 'main.tf': text }));
      expect(brief(c)).toEqual([
        { value: 'repo:o/a:*', when: undefined, isDefault: undefined },
        { value: 'repo:o/b:ref:refs/heads/main', when: undefined, isDefault: undefined },
        { value: 'repo:o/c:*', when: undefined, isDefault: undefined },
      ]);
      for (const v of c.values) expect(v.loc.start).toEqual(at(text, '"repo:${r}'));
      // A loop that leaves a comma after its last item, and a literal item after the loop.
      const trailing = heredocRole('      %{ for r in local.repos }"repo:${r}:ref:refs/heads/main",%{ endfor }\n      "repo:o/d:environment:prod"', decls);
      expect(sub(await loadTree({ 'main.tf': trailing })).values.map((v) => v.value)).toEqual([
        'repo:o/a:ref:refs/heads/main',
        'repo:o/b:ref:refs/heads/main:ref:refs/heads/main',
        'repo:o/c:ref:refs/heads/main',
        'repo:o/d:environment:prod',
      ]);
      const empty = heredocRole('      %{ for r in [] }"repo:${r}",%{ endfor }\n      "repo:o/d:environment:prod"');
      expect(sub(await loadTree({ 'main.tf': empty })).values.map((v) => v.value)).toEqual(['repo:o/d:environment:prod']);
    });

    it("in a templatefile() over the caller's unknown list: one item with the iterator unknown, its %{if} in words of the caller's list", async () => {
      const main = `variable "github_repositories" { type = list(string) }
resource "aws_iam_role" "r" {
  assume_role_policy = templatefile("\${path.module}/trust.json.tpl", { repos = var.github_repositories })
}
`;
      const tpl = `{
  "Statement": [{
    "Effect": "Allow",
    "Principal": { "Federated": "${PROVIDER_ARN}" },
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": { "StringLike": { "${GH}:sub": [
      %{ for r in repos ~}
      "repo:\${r}%{ if length(regexall(":", r)) == 0 }:*%{ endif }",
      %{ endfor ~}
    ] } }
  }]
}
`;
      const p = await loadTree({ 'main.tf': main, 'trust.json.tpl': tpl });
      const c = sub(p);
      expect(brief(c)).toEqual([
        { value: 'repo:${r}:*', when: "an entry of var.github_repositories has no ':'", isDefault: false },
        { value: 'repo:${r}', when: "an entry of var.github_repositories has a ':'", isDefault: false },
      ]);
      expect(c.values[0]).toMatchObject({ resolution: 'unresolved', loc: { file: 'trust.json.tpl', start: at(tpl, '"repo:${r}') } });
    });

    it('a loop that writes whole statements, and a loop inside a string over a known list', async () => {
      const text = `locals {
  repos    = ["o/a", "o/*"]
  branches = ["main", "release"]
}
resource "aws_iam_role" "r" {
  assume_role_policy = <<EOF
{
  "Statement": [
    %{ for r in local.repos }
    {
      "Effect": "Allow",
      "Principal": { "Federated": "${PROVIDER_ARN}" },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": { "StringLike": { "${GH}:sub": "repo:\${r}:ref:refs/heads/%{ for b in local.branches }\${b}%{ endfor }" } }
    },
    %{ endfor }
  ]
}
EOF
}
`;
      const st = role(await loadTree({ 'main.tf': text }), 'aws_iam_role.r').trustPolicy!.statements;
      expect(st.map((s) => s.conditions[0].values.map((v) => v.value))).toEqual([['repo:o/a:ref:refs/heads/mainrelease'], ['repo:o/*:ref:refs/heads/mainrelease']]);
    });

    it('literal regexall(), strcontains(), startswith(), endswith() and can(regex()) decide a test over known values; a pattern with other regular-expression syntax stays unknown', async () => {
      const decls = 'locals {\n  r = "octo-org/app"\n}';
      const text = roleWith('["%{ if length(regexall(":+", local.r)) > 0 }a%{ else }b%{ endif }", "%{ if can(regex("/", local.r)) }c%{ endif }", "%{ if startswith(local.r, "octo") && endswith(local.r, "app") }d%{ endif }", "%{ if length(regexall("^o", local.r)) > 0 }e%{ endif }"]', decls);
      expect(brief(sub(await loadTree({ 'main.tf': text }))).map((b) => [b.value, b.when])).toEqual([
        ['b', undefined],
        ['c', undefined],
        ['d', undefined],
        ['e', 'local.r matches /^o/'],
        ['', 'local.r does not match /^o/'],
      ]);
    });
  });

  it('a dynamic condition over an unknown collection is there once, its iterator unknown; test and variable from the iterator make an opaque condition', async () => {
    const text = `variable "subjects" { type = list(string) }
variable "extra" { type = any }
data "aws_iam_policy_document" "t" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["${PROVIDER_ARN}"]
    }
    dynamic "condition" {
      for_each = var.subjects
      content {
        test     = "StringLike"
        variable = "${GH}:sub"
        values   = ["repo:\${condition.value}:*"]
      }
    }
    dynamic "condition" {
      for_each = var.extra
      iterator = c
      content {
        test     = c.value.test
        variable = c.value.variable
        values   = c.value.values
      }
    }
  }
}
resource "aws_iam_role" "r" { assume_role_policy = data.aws_iam_policy_document.t.json }
`;
    const st = role(await loadTree({ 'main.tf': text }), 'aws_iam_role.r').trustPolicy!.statements[0];
    expect(st.conditions.map((c) => [c.operator.value, c.operator.resolution, c.key.value, c.values.map((v) => [v.value, v.resolution, v.when?.text])])).toEqual([
      ['StringLike', 'literal', `${GH}:sub`, [['repo:${condition.value}:*', 'unresolved', undefined]]],
      ['${c.value.test}', 'unresolved', '${c.value.variable}', [['${c.value.values}', 'unresolved', undefined]]],
    ]);
  });

  it('lookup() with a default whose map or key is not known: the entry when the key is there, the default when not', async () => {
    const decls = 'variable "contexts" { type = map(string) }\nvariable "env" { type = string }\nlocals {\n  known = { prod = "environment:production", dev = "ref:refs/heads/dev" }\n}';
    const text = roleWith('["repo:o/a:${lookup(var.contexts, var.env, "*")}", "repo:o/b:${lookup(local.known, var.env, "*")}", lookup(local.known, "prod", "*"), lookup(local.known, "qa", "repo:o/c:*")]', decls);
    expect(brief(sub(await loadTree({ 'main.tf': text })))).toEqual([
      { value: 'repo:o/a:${lookup(var.contexts, var.env, "*")}', when: 'var.env is a key of var.contexts', isDefault: false },
      { value: 'repo:o/a:*', when: 'var.env is not a key of var.contexts', isDefault: false },
      { value: 'repo:o/b:environment:production', when: 'var.env is "prod"', isDefault: false },
      { value: 'repo:o/b:ref:refs/heads/dev', when: 'var.env is "dev"', isDefault: false },
      { value: 'repo:o/b:*', when: 'var.env is not a key of local.known', isDefault: false },
      // Map and key known: the entry, or the default, and nothing else.
      { value: 'environment:production', when: undefined, isDefault: undefined },
      { value: 'repo:o/c:*', when: undefined, isDefault: undefined },
    ]);
  });

  it('replace() with a regular expression that is literal text, anchored or not; any other pattern stays unknown', async () => {
    const decls = 'locals {\n  s = ["repo:acme/api", "acme/web"]\n}';
    const text = roleWith('concat([for x in local.s : "repo:${replace(x, "/^repo:/", "")}:*"], [replace("a.b.c", "/\\\\./", "-"), replace("api-prod", "/-prod$/", ""), replace("acme/web", "/^a.*$/", "x")])', decls);
    expect(sub(await loadTree({ 'main.tf': text })).values.map((v) => [v.value, v.resolution])).toEqual([
      ['repo:acme/api:*', 'expression'],
      ['repo:acme/web:*', 'expression'],
      ['a-b-c', 'expression'],
      ['api', 'expression'],
      ['${replace("acme/web", "/^a.*$/", "x")}', 'unresolved'],
    ]);
  });

  it("optional(type, default) attributes of a variable's type are filled in where its value (tfvars, default, a caller's argument) leaves them out, located at the default", async () => {
    const decls = `variable "deployers" {
  type = map(object({
    repository = string
    branch     = optional(string, "*")
    extra      = optional(list(object({ context = optional(string, "environment:prod") })), [{}])
  }))
}`;
    const text = roleWith('flatten([for k, d in var.deployers : concat(["repo:${d.repository}:ref:refs/heads/${d.branch}"], [for e in d.extra : "repo:${d.repository}:${e.context}"])])', decls);
    const tfvars = 'deployers = {\n  api = { repository = "acme/api", branch = "main", extra = [] }\n  web = { repository = "acme/web" }\n}\n';
    const c = sub(await loadTree({ 'main.tf': text, 'terraform.tfvars': tfvars }));
    expect(c.values.map((v) => v.value)).toEqual(['repo:acme/api:ref:refs/heads/main', 'repo:acme/web:ref:refs/heads/*', 'repo:acme/web:environment:prod']);
  });

  it('formatlist() over known lists (each item where the list writes it) and over an unknown one (one item, the length unknown); keys(), values(), element()', async () => {
    const decls = 'variable "repos" { type = list(string) }\nlocals {\n  envs = { prod = "environment:prod", dev = "environment:dev" }\n  list = ["acme/a", "acme/b"]\n}';
    const text = roleWith('concat(formatlist("repo:%s:*", local.list), formatlist("repo:%s:%s", var.repos, "ref:refs/heads/main"), formatlist("repo:acme/c:%s", values(local.envs)), keys(local.envs), [element(local.list, 3)])', decls);
    const c = sub(await loadTree({ 'main.tf': text }));
    expect(c.values.map((v) => [v.value, v.resolution, `${v.loc.start.line}:${v.loc.start.column}`])).toEqual([
      ['repo:acme/a:*', 'expression', `${at(text, '"acme/a"').line}:${at(text, '"acme/a"').column}`],
      ['repo:acme/b:*', 'expression', `${at(text, '"acme/b"').line}:${at(text, '"acme/b"').column}`],
      ['repo:${var.repos}:ref:refs/heads/main', 'unresolved', `${at(text, 'formatlist("repo:%s:%s"').line}:${at(text, 'formatlist("repo:%s:%s"').column}`],
      ['repo:acme/c:environment:dev', 'expression', `${at(text, '"environment:dev"').line}:${at(text, '"environment:dev"').column}`],
      ['repo:acme/c:environment:prod', 'expression', `${at(text, '"environment:prod"').line}:${at(text, '"environment:prod"').column}`],
      ['dev', 'expression', `${at(text, 'dev =').line}:${at(text, 'dev =').column}`],
      ['prod', 'expression', `${at(text, 'prod =').line}:${at(text, 'prod =').column}`],
      ['acme/b', 'expression', `${at(text, '"acme/b"').line}:${at(text, '"acme/b"').column}`],
    ]);
  });
});
