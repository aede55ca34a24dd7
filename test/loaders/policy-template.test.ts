/**
 * Trust policies kept as templates (issue 16 item 1): read on their own with placeholders as
 * unresolved values, and followed from Terraform's templatefile / file / template_file with the
 * known variables substituted, positions in the template file.
 */
import { describe, expect, it } from 'vitest';
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { loadTree, writeTree } from '../helpers/project.js';
import { loadProject } from '../../src/loaders/index.js';
import { findPlaceholders, readPolicyTemplate } from '../../src/loaders/aws/policy-template.js';
import type { Condition, Role } from '../../src/model/iam.js';
import type { Project } from '../../src/model/project.js';
import type { DocMap, DocNode } from '../../src/loaders/shared/doc.js';

const GH = 'token.actions.githubusercontent.com';

/** 1-based line/column of the first occurrence of `needle` in `text`. */
function at(text: string, needle: string): { line: number; column: number } {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`"${needle}" not found`);
  const before = text.slice(0, i);
  return { line: before.split('\n').length, column: i - before.lastIndexOf('\n') };
}

const TEMPLATE = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": { "Federated": \${jsonencode(provider_arn)} },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": { "${GH}:aud": "sts.amazonaws.com" },
        "StringLike": { "${GH}:sub": "repo:\${github_org}/\${repo}:*" }
      }
    }
  ]
}
`;

function sub(r: Role): Condition {
  const c = r.trustPolicy?.statements[0]?.conditions.find((x) => x.key.value === `${GH}:sub`);
  if (!c) throw new Error(`role ${r.origin.logicalId ?? r.origin.file} has no sub condition`);
  return c;
}
function roleOf(p: Project, id: string): Role {
  const r = p.roles.find((x) => (x.origin.logicalId ?? x.origin.file) === id);
  if (!r) throw new Error(`no role ${id}; have ${p.roles.map((x) => x.origin.logicalId ?? x.origin.file).join(', ')}`);
  return r;
}

describe('placeholders in a template text', () => {
  it.each([
    ['"repo:${org}/*"', ['${org}']],
    ['${jsonencode(x)}', ['${jsonencode(x)}']],
    ['"${lookup(m, "k}")}"', ['${lookup(m, "k}")}']],
    ['%{ for r in repos ~}"${r}"%{ endfor ~}', ['%{ for r in repos ~}', '${r}', '%{ endfor ~}']],
    ['"$${aws:username}" "%%{x}"', []],
    ['"${aws:username}" "${*}" "${token.actions.githubusercontent.com:sub}"', []],
    ['"${AWS::AccountId}"', ['${AWS::AccountId}']],
    ['"costs ${ 5"\n"x"', []],
    ['"repo:$GITHUB_ORG/$REPO:*" "$$HOME" "$x" "US$"', ['$GITHUB_ORG', '$REPO']],
  ])('%s', (text, expected) => {
    expect(findPlaceholders(text).map((p) => text.slice(p.start, p.end))).toEqual(expected);
  });
});

describe('a policy template read on its own', () => {
  it('makes placeholders unresolved pieces or values, with positions in the template', () => {
    const r = readPolicyTemplate(TEMPLATE, 't.json.tpl');
    if (!('root' in r)) throw new Error(r.error.message);
    const st = ((r.root as DocMap).entries[1].value as { items: DocNode[] }).items[0] as DocMap;
    const principal = (st.entries.find((e) => e.key.value === 'Principal')!.value as DocMap).entries[0].value;
    expect(principal).toMatchObject({ kind: 'scalar', value: '${jsonencode(provider_arn)}', resolution: 'unresolved', loc: { start: at(TEMPLATE, '${jsonencode') } });
    const cond = (st.entries.find((e) => e.key.value === 'Condition')!.value as DocMap).entries[1].value as DocMap;
    expect(cond.entries[0].value).toMatchObject({
      value: 'repo:${github_org}/${repo}:*',
      resolution: 'unresolved',
      parts: [
        { text: 'repo:', known: true },
        { text: '${github_org}', known: false },
        { text: '/', known: true },
        { text: '${repo}', known: false },
        { text: ':*', known: true },
      ],
      loc: { start: at(TEMPLATE, '"repo:') },
    });
  });
  it('reads a list built by a for directive once, ignoring the trailing comma', () => {
    const text = `{"Statement": [{"Principal": {"Federated": "\${arn}"}, "Condition": {"StringLike": {"${GH}:sub": [\n%{ for r in repos ~}\n"repo:\${r}:ref:refs/heads/main",\n%{ endfor ~}\n]}}}]}`;
    const r = readPolicyTemplate(text, 't.tftpl');
    expect('root' in r).toBe(true);
  });
  it('reads an %{if} between JSON values that is a string either way as both, each under its side of the test; a longer branch leaves the template unread', () => {
    const text = `{"Condition": {"StringLike": {"${GH}:sub": %{~ if allow_all ~} "repo:\${org}/*" %{~ else ~} "repo:\${org}/app:ref:refs/heads/main" %{~ endif ~}}}}`;
    const r = readPolicyTemplate(text, 't.tftpl');
    if (!('root' in r)) throw new Error('not read');
    const sub = (((r.root as DocMap).entries[0].value as DocMap).entries[0].value as DocMap).entries[0].value;
    expect(sub).toMatchObject({ resolution: 'unresolved', loc: { start: { line: 1, column: text.indexOf('%{~ if') + 1 } } });
    expect((sub as { alternatives?: unknown[] }).alternatives).toMatchObject([
      { value: 'repo:${org}/*', resolution: 'unresolved', parts: [{ text: 'repo:', known: true }, { text: '${org}', known: false }, { text: '/*', known: true }], when: { text: 'allow_all is true' } },
      { value: 'repo:${org}/app:ref:refs/heads/main', resolution: 'unresolved', when: { text: 'allow_all is false' } },
    ]);
    expect('error' in readPolicyTemplate(text.replace('"repo:${org}/*"', '"repo:${org}/*", "x"'), 't.tftpl')).toBe(true);
    // A directive of a million blanks is read in linear time.
    expect('error' in readPolicyTemplate(`{"a": %{ if${' '.repeat(1_000_000)}x }"b"%{ else }"c"%{ endif }}`, 't.tpl')).toBe(false);
  });
  it('reports a template that is not JSON once placeholders are set aside', () => {
    const r = readPolicyTemplate('Statement: ${x}\n', 't.tpl');
    expect(r).toMatchObject({ error: { line: 1, column: 1 } });
  });
});

describe('template files found by discovery', () => {
  it('reads .json.tpl, .tftpl and .json files with placeholders as trust policies', async () => {
    const p = await loadTree({ 'iam/a.json.tpl': TEMPLATE, 'iam/b.tftpl': TEMPLATE, 'iam/c.json': TEMPLATE.replace('${jsonencode(provider_arn)}', '"${provider_arn}"') });
    expect(p.roles.map((r) => `${r.origin.format}:${r.origin.file}`).sort()).toEqual(['json:iam/a.json.tpl', 'json:iam/b.tftpl', 'json:iam/c.json']);
    expect(sub(roleOf(p, 'iam/c.json')).values[0]).toMatchObject({ value: 'repo:${github_org}/${repo}:*', resolution: 'unresolved' });
    expect(p.loadErrors).toEqual([]);
  });
  it('reads envsubst-style $VARS in a .json policy as unresolved', async () => {
    const text = TEMPLATE.replace('${jsonencode(provider_arn)}', '"arn:aws:iam::$AWS_ACCOUNT_ID:oidc-provider/token.actions.githubusercontent.com"').replace('repo:${github_org}/${repo}:*', 'repo:$GITHUB_ORG/$GITHUB_REPO:*');
    const p = await loadTree({ 'iam/trust.json': text });
    expect(sub(p.roles[0]).values[0]).toMatchObject({ value: 'repo:$GITHUB_ORG/$GITHUB_REPO:*', resolution: 'unresolved' });
    expect(p.roles[0].trustPolicy!.statements[0].principals[0].value).toMatchObject({ resolution: 'unresolved', parts: [{ text: 'arn:aws:iam::', known: true }, { text: '$AWS_ACCOUNT_ID', known: false }, { text: ':oidc-provider/token.actions.githubusercontent.com', known: true }] });
  });
  it('passes over a .tpl that is not a JSON policy (a script template), with no finding', async () => {
    const p = await loadTree({ 'user-data.tpl': '#!/bin/sh\necho "Statement ${x}"\n' });
    expect([p.roles, p.loadErrors]).toEqual([[], []]);
  });
  it('keeps IAM policy variables of a plain JSON policy literal', async () => {
    const text = TEMPLATE.replace('${jsonencode(provider_arn)}', '"arn:aws:iam::1:oidc-provider/x"').replace('repo:${github_org}/${repo}:*', 'repo:o/${aws:username}');
    const p = await loadTree({ 'iam/trust.json': text });
    expect(sub(p.roles[0]).values[0]).toMatchObject({ value: 'repo:o/${aws:username}', resolution: 'literal' });
  });
});

describe('Terraform follows assume_role_policy into template and policy files', () => {
  const MAIN = `variable "github_org" {
  default = "octo-org"
}
variable "repo" {}

resource "aws_iam_role" "a" {
  name = "a"
  assume_role_policy = templatefile("\${path.module}/templates/trust.json.tpl", {
    provider_arn = "arn:aws:iam::123456789012:oidc-provider/${GH}"
    github_org   = var.github_org
    repo         = var.repo
  })
}

data "template_file" "b" {
  template = file("\${path.module}/templates/trust.json.tpl")
  vars = {
    provider_arn = "arn:aws:iam::123456789012:oidc-provider/${GH}"
    github_org   = "other-org"
    repo         = "app"
  }
}

resource "aws_iam_role" "b" {
  name               = "b"
  assume_role_policy = data.template_file.b.rendered
}

locals {
  c_policy = file("policies/c.json")
}

resource "aws_iam_role" "c" {
  name               = "c"
  assume_role_policy = local.c_policy
}
`;
  const C = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/${GH}"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringLike": {"${GH}:sub": "repo:octo-org/*"}}}]}`;

  it('substitutes the known variables, keeps the unknown ones unresolved, and locates values in the template', async () => {
    const p = await loadTree({ 'infra/main.tf': MAIN, 'infra/templates/trust.json.tpl': TEMPLATE, 'infra/policies/c.json': C });
    const a = sub(roleOf(p, 'aws_iam_role.a')).values[0];
    expect(a).toMatchObject({ value: 'repo:octo-org/${var.repo}:*', resolution: 'unresolved', loc: { file: 'infra/templates/trust.json.tpl', start: at(TEMPLATE, '"repo:') } });
    const principal = roleOf(p, 'aws_iam_role.a').trustPolicy!.statements[0].principals[0];
    expect(principal.value).toMatchObject({ value: `arn:aws:iam::123456789012:oidc-provider/${GH}`, loc: { file: 'infra/main.tf' } });
    expect(sub(roleOf(p, 'aws_iam_role.b')).values[0]).toMatchObject({ value: 'repo:other-org/app:*', resolution: 'expression', loc: { file: 'infra/templates/trust.json.tpl' } });
    expect(sub(roleOf(p, 'aws_iam_role.c')).values[0]).toMatchObject({ value: 'repo:octo-org/*', loc: { file: 'infra/policies/c.json', start: at(C, '"repo:octo-org/*"') } });
    // The files' own standalone readings are replaced by the rendered ones, not added to them.
    expect(p.roles.map((r) => r.origin.logicalId ?? r.origin.file).sort()).toEqual(['aws_iam_role.a', 'aws_iam_role.b', 'aws_iam_role.c']);
    expect(p.sources.map((s) => s.path).sort()).toEqual(['infra/main.tf', 'infra/policies/c.json', 'infra/templates/trust.json.tpl']);
    expect(p.loadErrors).toEqual([]);
  });
  it('adds a rendered file no loader reads on its own as a source (findings point into it)', async () => {
    const p = await loadTree({ 'main.tf': 'resource "aws_iam_role" "a" {\n  assume_role_policy = templatefile("trust.tmpl", { github_org = "o", repo = "r", provider_arn = "x" })\n}\n', 'trust.tmpl': TEMPLATE });
    expect(p.sources.map((s) => `${s.kind}:${s.path}`).sort()).toEqual(['policy-json:trust.tmpl', 'terraform:main.tf']);
    expect(sub(p.roles[0]).values[0].value).toBe('repo:o/r:*');
  });
  it('never reads a file outside the scan root, directly or through a symlink', async () => {
    const outside = writeTree({ 'trust.json': C });
    const dir = writeTree({ 'mod/main.tf': 'resource "aws_iam_role" "a" {\n  assume_role_policy = file("../../outside/trust.json")\n}\nresource "aws_iam_role" "b" {\n  assume_role_policy = file("linked.json")\n}\n' });
    symlinkSync(path.join(outside, 'trust.json'), path.join(dir, 'mod', 'linked.json'));
    const p = await loadProject([path.join(dir, 'mod')], { root: dir });
    expect(p.roles.map((r) => [r.origin.logicalId, r.trustPolicy])).toEqual([
      ['aws_iam_role.a', undefined],
      ['aws_iam_role.b', undefined],
    ]);
  });
});

describe('bounds', () => {
  it('reads a template with many placeholders, and many unterminated ones, in linear time', () => {
    const many = `{"Statement": [${Array.from({ length: 20000 }, (_, i) => `{"Sid": "s\${x${i}}"}`).join(',')}]}`;
    const r = readPolicyTemplate(many, 'big.tpl');
    expect('root' in r).toBe(true);
    expect(findPlaceholders('${ "'.repeat(50000)).length).toBe(0);
  });
});

describe('conditions a template or an unknown value supplies', () => {
  const P = `"Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/${GH}"}, "Action": "sts:AssumeRoleWithWebIdentity"`;
  const all = async (files: Record<string, string>) => {
    const { lintProject } = await import('../../src/engine/linter.js');
    const { rules } = await import('../../src/rules/index.js');
    const p = await loadTree(files);
    return lintProject(p, rules, { rules: {}, settings: {} }).findings.map((f) => `${f.ruleId}/${f.messageId}`);
  };
  it('a whole Condition block from a placeholder: no finding, no parse error', async () => {
    expect(await all({ 't.json.tpl': `{"Statement": [{"Effect": "Allow", ${P}, "Condition": \${conditions}}]}` })).toEqual([]);
  });
  it('one operator from a placeholder may hold the subject check', async () => {
    expect(await all({ 't.json.tpl': `{"Statement": [{"Effect": "Allow", ${P}, "Condition": {"StringEquals": {"${GH}:aud": "sts.amazonaws.com"}, "StringLike": \${sub_condition}}}]}` })).toEqual([]);
  });
  it('Terraform: Condition = var.conditions', async () => {
    const tf = `variable "conditions" {}\nresource "aws_iam_role" "r" {\n  assume_role_policy = jsonencode({\n    Statement = [{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/${GH}" }, Condition = var.conditions }]\n  })\n}\n`;
    expect(await all({ 'main.tf': tf })).toEqual([]);
  });
  it('a key from a variable that names another claim does not stand for the subject check', async () => {
    const tf = `variable "issuer" {}\nresource "aws_iam_role" "r" {\n  assume_role_policy = jsonencode({\n    Statement = [{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/${GH}" }, Condition = { StringEquals = { "\${var.issuer}:aud" = "sts.amazonaws.com" } } }]\n  })\n}\n`;
    expect(await all({ 'main.tf': tf })).toContain('require-subject-condition/missing');
    expect(await all({ 'main.tf': tf })).not.toContain('require-audience-condition/missing');
  });
});

describe('statements and principals a template supplies', () => {
  const cond = `"Condition": {"StringEquals": {"${GH}:aud": "sts.amazonaws.com"}, "StringLike": {"${GH}:sub": "repo:o/*"}}`;
  it('a placeholder principal is an unknown federated provider, not "*"', async () => {
    const p = await loadTree({ 't.json.tpl': `{"Statement": [{"Effect": "Allow", "Principal": \${principal}, "Action": "sts:AssumeRoleWithWebIdentity", ${cond}}]}` });
    expect(p.roles[0].trustPolicy!.statements[0].principals.map((x) => [x.kind, x.value.value, x.value.resolution])).toEqual([['Federated', '${principal}', 'unresolved']]);
  });
  it('a placeholder statement is left out without an error', async () => {
    const p = await loadTree({ 't.json.tpl': `{"Statement": [\${extra_statement}, {"Effect": "Allow", "Principal": {"Federated": "x"}, "Action": "sts:AssumeRoleWithWebIdentity", ${cond}}]}` });
    expect([p.roles[0].trustPolicy!.statements.length, p.loadErrors]).toEqual([1, []]);
  });
});

describe('files Terraform follows that are not regular files', () => {
  it('never reads a named pipe named by file()', async () => {
    const { execFileSync } = await import('node:child_process');
    const dir = writeTree({ 'main.tf': 'resource "aws_iam_role" "a" {\n  assume_role_policy = file("pipe.json")\n}\n' });
    execFileSync('mkfifo', [path.join(dir, 'pipe.json')]);
    const p = await loadProject([dir], { root: dir });
    expect(p.roles.map((r) => [r.origin.logicalId, r.trustPolicy])).toEqual([['aws_iam_role.a', undefined]]);
  });
});
