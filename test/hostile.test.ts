/**
 * Hostile input: every case yields findings or a clear error — never a crash, a hang, or the loss
 * of other files' findings. (Time and memory are bounded by construction — budgets in the loaders —
 * and measured by `npm run bench`, not asserted with timers here.)
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../src/cli.js';
import { parseYaml } from '../src/loaders/shared/yaml-doc.js';
import { describeIncomplete } from '../src/loaders/aws/aws-iam.js';
import { writeTree, trustPolicy } from './helpers/project.js';

const GOOD_POLICY = trustPolicy({});

async function lintJson(dir: string, args: string[] = [], paths = ['.']) {
  let out = '';
  let err = '';
  const code = await main([...paths, '--format', 'json', ...args], { cwd: dir, stdout: (s) => (out += s), stderr: (s) => (err += s), env: {} });
  const doc = JSON.parse(out) as { findings: { ruleId: string; messageId: string; message: string; location: { file: string; start: { line: number } } }[] };
  return { code, doc, err };
}

/** The hostile file gets a parse-error; the well-formed policy next to it is still linted. */
function expectIsolated(doc: Awaited<ReturnType<typeof lintJson>>['doc'], hostile: string, messagePattern: RegExp) {
  const pe = doc.findings.filter((f) => f.ruleId === 'parse-error' && f.location.file === hostile);
  expect(pe.length, JSON.stringify(doc.findings)).toBe(1);
  expect(pe[0].message).toMatch(messagePattern);
  expect(doc.findings.some((f) => f.ruleId === 'require-subject-condition' && f.location.file === 'iam/ok.json')).toBe(true);
}

describe('hostile input', () => {
  it('YAML alias bomb ("billion laughs") stops at the alias budget', async () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    const names = 'abcdefghij';
    for (let i = 1; i < 10; i++) lines.push(`${names[i]}: &${names[i]} [${Array(9).fill('*' + names[i - 1]).join(',')}]`);
    lines.push('on: push', 'jobs:', '  j:', '    runs-on: x', '    env: *j');
    const dir = writeTree({ '.github/workflows/bomb.yml': lines.join('\n'), 'iam/ok.json': GOOD_POLICY });
    const { doc } = await lintJson(dir);
    expectIsolated(doc, '.github/workflows/bomb.yml', /alias/);
  });
  it('deeply nested YAML and JSON are reported, not a stack overflow', async () => {
    const dir = writeTree({
      '.github/workflows/deep.yml': 'on: push\njobs:\n  a:\n    env: ' + '['.repeat(50_000) + ']'.repeat(50_000),
      'iam/deep.json': '{"Statement":' + '['.repeat(50_000) + ']'.repeat(50_000) + '}',
      'iam/ok.json': GOOD_POLICY,
    });
    const { doc } = await lintJson(dir);
    expectIsolated(doc, '.github/workflows/deep.yml', /nesting|deep/i);
    expectIsolated(doc, 'iam/deep.json', /nesting/);
  });
  it('names of Object.prototype members in workflows, expressions and the format flag are plain names', async () => {
    const names = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'];
    const files: Record<string, string> = { 'iam/ok.json': GOOD_POLICY };
    names.forEach((n, i) => {
      files[`.github/workflows/w${i}.yml`] = `on:\n  ${n}: {}\npermissions:\n  ${n}: write\n  id-token: write\njobs:\n  ${n}:\n    runs-on: x\n    environment: ${n}\n    steps:\n      - id: ${n}\n        uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: \${{ ${n} }}\n          aws-region: \${{ vars.${n} }}\n`;
    });
    const dir = writeTree(files);
    const { code, doc, err } = await lintJson(dir);
    expect(err).not.toMatch(/internal error/);
    expect([0, 1]).toContain(code);
    expect(doc.findings.filter((f) => /internal error/.test(f.message))).toEqual([]);
    expect(doc.findings.some((f) => f.ruleId === 'require-subject-condition' && f.location.file === 'iam/ok.json')).toBe(true);
    // An operation name read from a snapshot file is described as itself.
    expect(describeIncomplete({ operation: 'constructor', permission: 'iam:X', code: 'AccessDenied', message: '' })).toBe('iam:X was denied (AccessDenied), so constructor was not completed; grant iam:X');
    for (const format of ['__proto__', 'toString', 'constructor']) {
      let e = '';
      const c = await main(['.', '--format', format], { cwd: dir, stdout: () => {}, stderr: (s) => (e += s), env: {} });
      expect(c, format).toBe(2);
      expect(e).toMatch(/unknown format/);
    }
  });
  it('a YAML mapping keyed by nested collections is read in linear time (its key is its source text)', () => {
    const text = '{'.repeat(60) + '}'.repeat(60) + '\n';
    const r = parseYaml(text, 'keys.yml');
    expect(r.errors).toEqual([]);
    expect(r.root?.kind).toBe('map');
    const key = r.root?.kind === 'map' ? r.root.entries[0].key : undefined;
    expect(key?.value).toBe('{'.repeat(59) + '}'.repeat(59));
  });
  it('a CloudFormation chain of 1,000 !Ref between roles is cut at a fixed depth, not by a stack overflow', async () => {
    const res = ['AWSTemplateFormatVersion: "2010-09-09"', 'Resources:'];
    res.push('  R0:', '    Type: AWS::IAM::Role', '    Properties:', '      RoleName: !Ref R1', '      AssumeRolePolicyDocument:', '        Statement:', '          - Effect: Allow', '            Action: sts:AssumeRoleWithWebIdentity');
    res.push('            Principal: { Federated: !Sub "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com" }');
    res.push('            Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:o/*" } }');
    for (let i = 1; i < 1000; i++) res.push(`  R${i}:`, '    Type: AWS::IAM::Role', `    Properties: { RoleName: !Ref R${i + 1} }`);
    const dir = writeTree({ 'infra/template.yaml': res.join('\n') + '\n', 'iam/ok.json': GOOD_POLICY });
    const { doc } = await lintJson(dir);
    expect(doc.findings.filter((f) => /internal error|call stack/i.test(f.message))).toEqual([]);
    expect(doc.findings.some((f) => f.ruleId === 'no-wildcard-subject' && f.location.file === 'infra/template.yaml')).toBe(true);
    expect(doc.findings.some((f) => f.ruleId === 'require-subject-condition' && f.location.file === 'iam/ok.json')).toBe(true);
  });
  it('too deep YAML is refused at the same place on every run, whatever the stack or the JIT', () => {
    const text = 'on: push\njobs:\n  a:\n    env: ' + '['.repeat(3_000) + ']'.repeat(3_000);
    const first = parseYaml(text, 'deep.yml').errors;
    // Flow brackets are counted before any syntax tree is built: refused at the 257th `[`.
    expect(first).toEqual([{ message: 'nesting deeper than 256 levels', code: 'LIMIT', loc: { file: 'deep.yml', start: { line: 4, column: 266 }, end: { line: 4, column: 266 } } }]);
    // Where a recursive composer overflows moves as its code gets optimised; this limit does not.
    for (let i = 0; i < 20; i++) expect(parseYaml(text, 'deep.yml').errors).toEqual(first);
    // Block style counts the same way: 256 levels read, 257 refused.
    const block = (levels: number) => Array.from({ length: levels }, (_v, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1\n';
    expect(parseYaml(block(256), 'ok.yml').errors).toEqual([]);
    expect(parseYaml(block(257), 'no.yml').errors.map((e) => e.message)).toEqual(['nesting deeper than 256 levels']);
  });
  it('2,000,000 unclosed `[` are refused from the brackets, before a syntax tree of gigabytes is built', () => {
    const r = parseYaml(`on: push\njobs: ${'['.repeat(2_000_000)}`, 'deep.yml');
    expect(r.errors).toEqual([{ message: 'nesting deeper than 256 levels', code: 'LIMIT', loc: { file: 'deep.yml', start: { line: 2, column: 263 }, end: { line: 2, column: 263 } } }]);
    // Nesting under the bound, with more brackets than it in all, is read.
    const many = `on: push\nx: [${Array.from({ length: 400 }, () => '[1]').join(', ')}]\n`;
    expect(parseYaml(many, 'many.yml', { full: true }).errors).toEqual([]);
  });
  it('a 50 MB file is skipped with a clear finding (limit configurable)', async () => {
    const dir = writeTree({ 'iam/ok.json': GOOD_POLICY });
    writeFileSync(path.join(dir, 'huge.json'), '{"Statement": [' + '"x",'.repeat(13_000_000) + '"x"]}');
    const { doc } = await lintJson(dir);
    expectIsolated(doc, 'huge.json', /over the 10\.0 MiB limit/);
    // With the limit raised the file is read, and the value budget (not the size limit) stops it — no out-of-memory.
    const raised = await lintJson(dir, ['--max-file-size', '60']);
    expectIsolated(raised.doc, 'huge.json', /more than 1,000,000 values/);
  });
  it('binary and invalid UTF-8 files are reported, not mis-read', async () => {
    const dir = writeTree({ 'iam/ok.json': GOOD_POLICY });
    writeFileSync(path.join(dir, 'iam', 'bin.json'), Buffer.from([0x7b, 0x00, 0x22, 0x53, 0x74, 0x61, 0x74, 0x65, 0x6d, 0x65, 0x6e, 0x74]));
    const { doc: d1 } = await lintJson(dir, ['iam/bin.json', 'iam/ok.json']);
    expectIsolated(d1, 'iam/bin.json', /binary/);
    const dir2 = writeTree({ 'iam/ok.json': GOOD_POLICY });
    writeFileSync(path.join(dir2, 'bad-utf8.yml'), Buffer.concat([Buffer.from('on: push\njobs:\n  a:\n    name: "'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"\n')]));
    const { doc: d2 } = await lintJson(dir2, ['bad-utf8.yml', 'iam/ok.json']);
    expectIsolated(d2, 'bad-utf8.yml', /UTF-8/);
  });
  it('JSON with duplicate keys is reported at the duplicate', async () => {
    const dir = writeTree({ 'iam/dup.json': '{"Statement": [{"Effect": "Allow", "Effect": "Deny", "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}]}', 'iam/ok.json': GOOD_POLICY });
    const { doc } = await lintJson(dir);
    expect(doc.findings.find((f) => f.ruleId === 'parse-error' && f.location.file === 'iam/dup.json')?.message).toMatch(/duplicate key "Effect"/);
  });
  it('a workflow of 10,000 jobs is linted completely', async () => {
    const jobs: string[] = [];
    for (let i = 0; i < 10_000; i++) jobs.push(`  job${i}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/r${i}\n          aws-region: us-east-1`);
    const dir = writeTree({ '.github/workflows/huge.yml': 'on: push\njobs:\n' + jobs.join('\n') + '\n' });
    const { doc } = await lintJson(dir);
    expect(doc.findings.filter((f) => f.ruleId === 'require-id-token-permission')).toHaveLength(10_000);
  });

  it('a YAML mapping of 100,000 keys, and a merge into it, are read in linear time', async () => {
    // yaml's own duplicate-key check and the merge-key splice compared every key with every other.
    const anchor = Array.from({ length: 5000 }, (_, i) => `m${i}: ${i}`).join(', ');
    const env = Array.from({ length: 100_000 }, (_, i) => `      K${i}: v${i}\n`).join('');
    const wf = `x: &m {${anchor}, K7: merged}\non: push\njobs:\n  a:\n    runs-on: x\n    env:\n      <<: *m\n${env}      K1: duplicate\n`;
    const dir = writeTree({ '.github/workflows/keys.yml': wf, 'iam/ok.json': GOOD_POLICY });
    const { doc } = await lintJson(dir);
    // The duplicate (K1, written again at the end) is still found, at its line.
    const pe = doc.findings.filter((f) => f.ruleId === 'parse-error');
    expect(pe.map((f) => [f.location.file, f.location.start.line, f.message])).toEqual([['.github/workflows/keys.yml', 100_008, 'Cannot parse this file: YAML: Map keys must be unique.']]);
    const parsed = parseYaml(wf.replace('      K1: duplicate\n', ''), 'keys.yml');
    expect(parsed.errors).toEqual([]);
    const envNode = parsed.root?.kind === 'map' ? parsed.root.entries.find((e) => e.key.value === 'jobs') : undefined;
    expect(envNode).toBeDefined();
  });
  it('a stream of 400,000 YAML documents is not composed past the second', () => {
    const r = parseYaml('on: push\njobs: {}\n' + '---\na: 1\n'.repeat(400_000), '.github/workflows/many.yml');
    expect(r.documents).toBe(2);
    expect(r.root?.kind).toBe('map');
  });
  it('YAML over 4 MiB that only the full reader reads is refused by its size; the fast reader still reads larger files', () => {
    const jobs = Array.from({ length: 60_000 }, (_, i) => `  job${i}:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${i}\n`).join('');
    // An anchor sends it to the yaml package (9 MB: 22 s and 1.1 GB before this bound).
    const r = parseYaml(`on: push\nx: &a 1\njobs:\n${jobs}`, 'big.yml');
    expect(r.errors.map((e) => [e.code, e.message])).toEqual([['LIMIT', expect.stringMatching(/^\d+\.\d MiB of YAML that only the full reader reads .*; it is given at most 4 MiB$/)]]);
    const fast = parseYaml(`on: push\njobs:\n${jobs}`, 'big.yml');
    expect(fast.errors).toEqual([]);
    expect(fast.fast).toBeDefined();
  });
  it('a Terraform syntax error is reported and every other file, in its directory and elsewhere, is still read', async () => {
    const role = (name: string) => `resource "aws_iam_role" "${name}" {\n  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }, Action = "sts:AssumeRoleWithWebIdentity" }] })\n}\n`;
    const dir = writeTree({ 'infra/broken.tf': 'resource "aws_iam_role" "b" {\n  assume_role_policy = jsonencode({\n', 'infra/ok.tf': role('same_dir'), 'other/main.tf': role('other_dir'), 'iam/ok.json': GOOD_POLICY });
    const { doc } = await lintJson(dir);
    expectIsolated(doc, 'infra/broken.tf', /Terraform syntax error/);
    for (const file of ['infra/ok.tf', 'other/main.tf']) expect(doc.findings.some((f) => f.ruleId === 'require-subject-condition' && f.location.file === file)).toBe(true);
  });
  it('4,000 nested Terraform %{if} directives do not overflow the stack nor lose the other file of their module', async () => {
    const role = `resource "aws_iam_role" "r" {\n  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }, Action = "sts:AssumeRoleWithWebIdentity" }] })\n}\n`;
    const dir = writeTree({ 'infra/deep.tf': `locals {\n  x = "${'%{if true}'.repeat(4000)}x${'%{endif}'.repeat(4000)}"\n}\n`, 'infra/role.tf': role, 'iam/ok.json': GOOD_POLICY });
    const { doc } = await lintJson(dir);
    expect(doc.findings.filter((f) => f.ruleId === 'parse-error'), JSON.stringify(doc.findings)).toEqual([]);
    expect(doc.findings.some((f) => f.ruleId === 'require-subject-condition' && f.location.file === 'infra/role.tf')).toBe(true);
  });
  it('a Terraform file over the parse bound is reported unread; the other file of its module is read', async () => {
    const role = `resource "aws_iam_role" "r" {\n  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }, Action = "sts:AssumeRoleWithWebIdentity" }] })\n}\n`;
    const big = Array.from({ length: 250_000 }, (_, i) => `a${i} = [${i}]`).join('\n');
    const dir = writeTree({ 'infra/big.tf': `locals {\n${big}\n}\n`, 'infra/role.tf': role, 'iam/ok.json': GOOD_POLICY });
    const { doc } = await lintJson(dir);
    expectIsolated(doc, 'infra/big.tf', /^Not scanned: Terraform file is \d+ KiB, over the 2048 KiB the Terraform loader parses; it was not read/);
    expect(doc.findings.some((f) => f.ruleId === 'require-subject-condition' && f.location.file === 'infra/role.tf')).toBe(true);
  });
  it('Terraform locals that grow exponentially stop at the evaluation budget; the rest of the module is read', async () => {
    const fed = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
    const doubling = Array.from({ length: 59 }, (_, i) => `  s${i + 1} = "\${local.s${i}}\${local.s${i}}"`).join('\n');
    const nested = Array.from({ length: 11 }, (_, i) => `  l${i + 1} = [for x in local.l${i} : [for y in local.l${i} : y]]`).join('\n');
    const tf = `locals {\n  s0 = "xxxxxxxxxx"\n${doubling}\n  l0 = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]\n${nested}\n}\nresource "aws_iam_role" "bomb" {\n  name = local.s59\n  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { Federated = "${fed}" }, Action = "sts:AssumeRoleWithWebIdentity", Sid = flatten(local.l11) }] })\n}\nresource "aws_iam_role" "fine" {\n  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { Federated = "${fed}" }, Action = "sts:AssumeRoleWithWebIdentity" }] })\n}\n`;
    const dir = writeTree({ 'main.tf': tf, 'iam/ok.json': GOOD_POLICY });
    const { doc } = await lintJson(dir);
    const pe = doc.findings.filter((f) => f.ruleId === 'parse-error');
    expect(pe.length, JSON.stringify(pe)).toBe(2);
    expect(pe[0].message).toMatch(/^Unexpected structure: local\.s\d+ was not evaluated: it builds a string of more than 16 MiB/);
    expect(pe[1].message).toMatch(/^Unexpected structure: local\.l\d+ was not evaluated: it takes more than 1,000,000 evaluation steps/);
    // Both roles are still read: the bomb's with those values unknown.
    expect(doc.findings.filter((f) => f.ruleId === 'require-subject-condition' && f.location.file === 'main.tf')).toHaveLength(2);
    expect(doc.findings.some((f) => f.ruleId === 'require-subject-condition' && f.location.file === 'iam/ok.json')).toBe(true);
  });
  it('a Terraform reference of 200,000 steps is read in linear time', async () => {
    // Reading every node's field name from tree-sitter scanned all earlier siblings: quadratic.
    const dir = writeTree({ 'main.tf': `locals {\n  x = ${'a.'.repeat(200_000)}b\n}\nresource "aws_iam_role" "r" {\n  name = local.x\n  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { Federated = "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com" }, Action = "sts:AssumeRoleWithWebIdentity" }] })\n}\n`, 'iam/ok.json': GOOD_POLICY });
    const { doc } = await lintJson(dir);
    expect(doc.findings.some((f) => f.ruleId === 'require-subject-condition' && f.location.file === 'main.tf')).toBe(true);
  });
  it('Terraform: 300 roles each reading one of 5,000 for_each instances, and lookups in a 20,000-key map, bind the right values', async () => {
    // Each reference rebuilt every instance, and each map lookup scanned the map: quadratic (10,000 instances × 1,000 roles took 30 s).
    const keys = Array.from({ length: 5000 }, (_, i) => `k${i}`).join(',');
    const doc = `data "aws_iam_policy_document" "d" {\n  for_each = toset(split(",", "${keys}"))\n  statement {\n    actions = ["sts:AssumeRoleWithWebIdentity"]\n    principals {\n      type = "Federated"\n      identifiers = ["arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"]\n    }\n    condition {\n      test = "StringLike"\n      variable = "token.actions.githubusercontent.com:sub"\n      values = ["repo:o/\${each.key}:*"]\n    }\n  }\n}\n`;
    const roles = Array.from({ length: 300 }, (_, i) => `resource "aws_iam_role" "r${i}" {\n  assume_role_policy = data.aws_iam_policy_document.d["k${i * 16}"].json\n}\n`).join('');
    const names = Array.from({ length: 20_000 }, (_, i) => `"v${i}"`).join(',');
    const lookups = `locals {\n  names = [${names}]\n  m = { for v in local.names : v => "repo:p/\${v}:*" }\n  subs = [for v in local.names : local.m[v]]\n}\nresource "aws_iam_role" "last" {\n  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { Federated = "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com" }, Action = "sts:AssumeRoleWithWebIdentity", Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = local.subs[19999] } } }] })\n}\n`;
    const dir = writeTree({ 'infra/main.tf': doc + roles, 'infra/lookups.tf': lookups, 'iam/ok.json': GOOD_POLICY });
    const { doc: out } = await lintJson(dir);
    const wild = out.findings.filter((f) => f.ruleId === 'no-wildcard-subject').map((f) => /sub pattern "([^"]+)"/.exec(f.message)?.[1]);
    expect(wild).toHaveLength(301);
    expect(new Set(wild)).toEqual(new Set([...Array.from({ length: 300 }, (_, i) => `repo:o/k${i * 16}:*`), 'repo:p/v19999:*']));
  });
  it('200,000 actions from a CloudFormation !Split, and 130,000 duplicate JSON keys, are read without overflowing the stack', async () => {
    // `push(...items)` and `or3(...values)` pass each item as an argument: past ~100,000 the stack overflows.
    const fed = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
    const cfn = `AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal: {Federated: "${fed}"}\n            Action: [!Split [",", "${','.repeat(200_000)}"]]\n`;
    const dup = `{"Statement":[{"Effect":"Allow","Principal":{"Federated":"${fed}"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{${'"a":1,'.repeat(130_000)}"b":2}}}]}`;
    const dir = writeTree({ 'cfn/template.yaml': cfn, 'iam/dup.json': dup, 'iam/ok.json': GOOD_POLICY });
    const { doc, code } = await lintJson(dir);
    expect(code).toBe(1);
    expect(doc.findings.filter((f) => /internal error|Maximum call stack/.test(f.message))).toEqual([]);
    expect(doc.findings.some((f) => f.ruleId === 'require-web-identity-action' && f.location.file === 'cfn/template.yaml')).toBe(true);
    // Reported one by one up to a bound, then as one finding.
    const dups = doc.findings.filter((f) => f.ruleId === 'parse-error' && f.location.file === 'iam/dup.json');
    expect(dups).toHaveLength(101);
    expect(dups[100].message).toMatch(/^Unexpected structure: 129,899 more duplicate keys from here on \(the first 100 are reported one by one\)/);
    expect(doc.findings.some((f) => f.ruleId === 'require-subject-condition' && f.location.file === 'iam/ok.json')).toBe(true);
  });
  it('1,000 alternating Allow and Deny statements, and 8,000 StringNotLike values, are read up to bounds, and say so', async () => {
    const fed = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
    const sub = 'token.actions.githubusercontent.com:sub';
    const alternating = Array.from({ length: 1000 }, (_, i) => ({ Effect: i % 2 ? 'Deny' : 'Allow', Principal: { Federated: fed }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { [sub]: `repo:o/r${i}:*` } } }));
    const negated = [{ Effect: 'Allow', Principal: { Federated: fed }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { [sub]: 'repo:o/*' }, StringNotLike: { [sub]: Array.from({ length: 8000 }, (_, i) => `repo:o/r${i}:*`) } } }];
    const dir = writeTree({ 'iam/alternating.json': JSON.stringify({ Version: '2012-10-17', Statement: alternating }), 'iam/negated.json': JSON.stringify({ Version: '2012-10-17', Statement: negated }), 'iam/ok.json': GOOD_POLICY });
    const { doc } = await lintJson(dir);
    expectIsolated(doc, 'iam/alternating.json', /trust policy has 1,000 statements; only the first 100 were checked/);
    expectIsolated(doc, 'iam/negated.json', /condition has 8,000 values; more than 256 do not fit in a trust policy IAM accepts \(4,096 characters at most\): they were not analysed and count as one unknown value/);
  });
  it('a .gitignore of 20,000 patterns applies the first 2,000 and says so', async () => {
    const patterns = ['early/', ...Array.from({ length: 19_998 }, (_, i) => `**/a*b*c*d*e*f*g*${i}*`), 'iam/late.json'];
    const files: Record<string, string> = { '.gitignore': patterns.join('\n') + '\n', 'early/trust.json': GOOD_POLICY, 'iam/late.json': GOOD_POLICY, 'iam/ok.json': GOOD_POLICY };
    for (let i = 0; i < 200; i++) files[`src/f${i}.txt`] = 'x';
    const { doc } = await lintJson(writeTree(files));
    const pe = doc.findings.filter((f) => f.ruleId === 'parse-error');
    expect(pe.map((f) => [f.location.file, f.message])).toEqual([['.gitignore', expect.stringMatching(/^Not scanned: \.gitignore has 20,000 patterns; only the first 2,000 were applied/)]]);
    const linted = new Set(doc.findings.filter((f) => f.ruleId === 'require-subject-condition').map((f) => f.location.file));
    expect(linted).toEqual(new Set(['iam/late.json', 'iam/ok.json']));
  });
  it.skipIf(process.platform !== 'linux')('a workflow whose file name is not valid UTF-8 is reported by what is wrong with it', async () => {
    const dir = writeTree({ 'iam/ok.json': GOOD_POLICY });
    mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
    // Linux file names are bytes: 0xff is not UTF-8.
    writeFileSync(Buffer.concat([Buffer.from(path.join(dir, '.github', 'workflows', 'bad')), Buffer.from([0xff]), Buffer.from('.yml')]), 'on: push\n');
    const { doc } = await lintJson(dir);
    const pe = doc.findings.filter((f) => f.ruleId === 'parse-error');
    expect(pe).toHaveLength(1);
    expect(pe[0].message).toMatch(/its name is not valid UTF-8, and Node\.js cannot open a file by such a name; rename it to read it/);
    expect(doc.findings.some((f) => f.ruleId === 'require-subject-condition' && f.location.file === 'iam/ok.json')).toBe(true);
  });
  it('a sub of many wildcards, too many ways to cut, is still reported on: any owner (medium) and the missing audience', async () => {
    // Left undescribed, the region vanished and so did every finding about the role.
    const fed = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: fed }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': '*?'.repeat(40) } } }] };
    const { doc } = await lintJson(writeTree({ 'iam/wild.json': JSON.stringify(policy) }));
    const byRule = Object.fromEntries(doc.findings.map((f) => [f.ruleId, f]));
    expect(Object.keys(byRule).sort()).toEqual(['no-wildcard-subject', 'require-audience-condition']);
    expect(byRule['no-wildcard-subject']).toMatchObject({ confidence: 'medium', message: expect.stringMatching(/^Any GitHub repository of any owner can assume this role/) });
  });
  it('a trust policy of 50,000 statements is read up to a bound, and says so', async () => {
    const fed = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
    const statements = Array.from({ length: 50_000 }, () => ({ Effect: 'Allow', Principal: { Federated: fed }, Action: 'sts:AssumeRoleWithWebIdentity' }));
    const dir = writeTree({ 'iam/big.json': JSON.stringify({ Statement: statements }), 'iam/ok.json': GOOD_POLICY });
    const { doc } = await lintJson(dir);
    expectIsolated(doc, 'iam/big.json', /trust policy has 50,000 statements; only the first 100 were checked/);
    expect(doc.findings.filter((f) => f.ruleId === 'require-subject-condition' && f.location.file === 'iam/big.json')).toHaveLength(100);
  });
  it('a condition value longer than a trust policy can be is reported and counts as unknown (JSON and Terraform)', async () => {
    const fed = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
    // 100,000 characters of policy variables (the glob analysis of this took seconds, of 9 MB minutes and gigabytes).
    const long = `repo:o/r:${'${aws:x}'.repeat(12_500)}`;
    const statement = { Effect: 'Allow', Principal: { Federated: fed }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': long } } };
    // Terraform: 19 doublings of a local make a 15 MB string from an 800-byte file.
    const locals = Array.from({ length: 19 }, (_, i) => `  a${i + 1} = "\${local.a${i}}\${local.a${i}}"`).join('\n');
    const tf = `locals {\n  a0 = "repo:o/r:xxxxxxxxxxxxxxxxxxxxx"\n${locals}\n}\nresource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [{ Effect = "Allow", Principal = { Federated = "${fed}" }, Action = "sts:AssumeRoleWithWebIdentity", Condition = { StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }, StringLike = { "token.actions.githubusercontent.com:sub" = local.a19 } } }]\n  })\n}\n`;
    const dir = writeTree({ 'iam/long.json': JSON.stringify({ Version: '2012-10-17', Statement: [statement] }), 'infra/main.tf': tf, 'iam/ok.json': GOOD_POLICY });
    const { doc } = await lintJson(dir);
    expectIsolated(doc, 'iam/long.json', /condition value of 100,009 characters: longer than IAM accepts for a whole trust policy \(4,096 at most\); it was not analysed and counts as unknown/);
    expectIsolated(doc, 'infra/main.tf', /condition value of 15,728,640 characters/);
    // Unknown, not permissive: neither role is reported as trusting any repository.
    expect(doc.findings.filter((f) => ['no-wildcard-subject', 'no-overbroad-trust'].includes(f.ruleId) && f.location.file !== 'iam/ok.json')).toEqual([]);
  });
  describe.skipIf(process.platform === 'win32')('files that are not regular files, and symlinks', () => {
    it('a named pipe, a device, a loop, a dangling link or a link out of the root is reported (where it stands for a workflow or Terraform), never read', async () => {
      const outside = writeTree({ 'policy.json': GOOD_POLICY });
      const dir = writeTree({ 'iam/ok.json': GOOD_POLICY });
      const wf = path.join(dir, '.github', 'workflows');
      mkdirSync(wf, { recursive: true });
      execFileSync('mkfifo', [path.join(wf, 'pipe.yml')]);
      symlinkSync('/dev/zero', path.join(wf, 'zero.yml'));
      symlinkSync('loop.yml', path.join(wf, 'loop.yml'));
      symlinkSync('missing.yml', path.join(wf, 'dangling.yml'));
      symlinkSync(path.join(outside, 'policy.json'), path.join(dir, 'iam', 'outside.json'));
      symlinkSync(path.join(outside, 'policy.json'), path.join(dir, 'iam', 'outside.tf'));
      mkdirSync(path.join(dir, 'sub'));
      symlinkSync('..', path.join(dir, 'sub', 'up'));
      symlinkSync(outside, path.join(dir, 'sub', 'outside-dir'));
      const { doc } = await lintJson(dir);
      const io = doc.findings.filter((f) => f.ruleId === 'parse-error').map((f) => [f.location.file, f.message]);
      expect(io).toEqual([
        ['.github/workflows/dangling.yml', 'Cannot read: broken symlink (its target does not exist).'],
        ['.github/workflows/loop.yml', 'Cannot read: symlink loop.'],
        ['.github/workflows/pipe.yml', 'Cannot read: a named pipe (FIFO), not a regular file.'],
        ['.github/workflows/zero.yml', 'Cannot read: symlink to a path outside the scanned root, not followed (scan a directory that contains its target, or ignore this path).'],
        ['iam/outside.tf', 'Cannot read: symlink to a path outside the scanned root, not followed (scan a directory that contains its target, or ignore this path).'],
      ]);
      // A linked JSON file out of the root (a shared tsconfig.json, say) is passed over without a finding — and not read.
      // Nothing outside the root was read, and the policy inside was linted once.
      expect(new Set(doc.findings.map((f) => f.location.file))).toEqual(new Set([...io.map(([file]) => file), 'iam/ok.json']));
      expect(doc.findings.filter((f) => f.ruleId === 'require-subject-condition')).toHaveLength(1);
    });
    it('a named pipe or a device named on the command line is reported, not read (no hang, no memory blow-up)', async () => {
      const dir = writeTree({ 'iam/ok.json': GOOD_POLICY });
      execFileSync('mkfifo', [path.join(dir, 'pipe.yml')]);
      const { doc } = await lintJson(dir, [], ['pipe.yml', '/dev/zero', 'iam/ok.json']);
      expect(doc.findings.filter((f) => f.ruleId === 'parse-error').map((f) => [f.location.file, f.message])).toEqual([
        [expect.stringMatching(/dev\/zero$/), 'Cannot read: a device, not a regular file.'],
        [expect.stringMatching(/(^|\/)pipe\.yml$/), 'Cannot read: a named pipe (FIFO), not a regular file.'],
      ]);
      expect(doc.findings.some((f) => f.ruleId === 'require-subject-condition' && f.location.file.endsWith('iam/ok.json'))).toBe(true);
    });
  });
  it('binary, non-UTF-8 and UTF-16 files that are trust policies or Terraform are reported, other binaries are not', async () => {
    const dir = writeTree({ 'iam/ok.json': GOOD_POLICY });
    const policy = Buffer.from(GOOD_POLICY);
    writeFileSync(path.join(dir, 'iam', 'nul.json'), Buffer.concat([policy, Buffer.from([0])]));
    writeFileSync(path.join(dir, 'iam', 'utf16.json'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GOOD_POLICY, 'utf16le')]));
    writeFileSync(path.join(dir, 'main.tf'), Buffer.concat([Buffer.from('resource "aws_iam_role" "r" {\n  name = "'), Buffer.from([0xff]), Buffer.from('"\n}\n')]));
    // An MPEG transport stream and a binary blob: not ours, not reported.
    writeFileSync(path.join(dir, 'video.ts'), Buffer.from([0x47, 0x40, 0x00, 0x10, 0x00, 0xff, 0xfe]));
    writeFileSync(path.join(dir, 'data.json'), Buffer.from([0x00, 0x01, 0xff]));
    const { doc } = await lintJson(dir);
    expect(doc.findings.filter((f) => f.ruleId === 'parse-error').map((f) => [f.location.file, f.message])).toEqual([
      ['iam/nul.json', 'Cannot parse this file: binary file (contains NUL bytes); not scanned.'],
      ['iam/utf16.json', 'Cannot parse this file: file is UTF-16LE (it starts with a UTF-16 byte order mark); GitHub, AWS and Terraform read these files as UTF-8: save it as UTF-8; not scanned.'],
      // No federated principal or OIDC issuer in it: a warning (the policies above are reported as errors).
      ['main.tf', 'Cannot parse this file: file is not valid UTF-8; not scanned. It shows no sign of a GitHub OIDC trust or workflow, so nothing oidc-lint checks is known to be missed (a warning).'],
    ]);
    expect(doc.findings.some((f) => f.ruleId === 'require-subject-condition' && f.location.file === 'iam/ok.json')).toBe(true);
  });
  it('a TypeScript file crafted to be slow to parse is bounded, and the good stack next to it is read', async () => {
    const hdr = "import * as iam from 'aws-cdk-lib/aws-iam';\n";
    const role = "new iam.Role(null as any, 'R', { assumedBy: new iam.WebIdentityPrincipal('arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com') });\n";
    const dir = writeTree({
      // Nesting past what the parser's recursion survives, and a file past the size the CDK loader parses.
      'cdk/deep.ts': hdr + `const x = ${'f<'.repeat(3000)}a${'>(1)'.repeat(3000)};\n` + role,
      'cdk/huge.ts': hdr + `const s = \`${'x'.repeat(600 * 1024)}\`;\n` + role,
      'cdk/syntax.ts': hdr + 'export class S {\n  constructor( {\n',
      'cdk/good.ts': hdr + role,
      'iam/ok.json': GOOD_POLICY,
    });
    const { doc } = await lintJson(dir);
    expect(doc.findings.filter((f) => f.ruleId === 'parse-error').map((f) => [f.location.file, f.message.replace(/\d+ KiB,/, 'N KiB,')])).toEqual([
      ['cdk/deep.ts', 'Not scanned: TypeScript nested too deeply to parse; its IAM roles were not read.'],
      ['cdk/huge.ts', 'Not scanned: TypeScript file is N KiB, over the 512 KiB the CDK loader parses; its IAM roles were not read.'],
      ['cdk/syntax.ts', "Cannot parse this file: TypeScript: '}' expected. It shows no sign of a GitHub OIDC trust or workflow, so nothing oidc-lint checks is known to be missed (a warning)."],
    ]);
    expect(doc.findings.some((f) => f.ruleId === 'require-subject-condition' && f.location.file === 'cdk/good.ts')).toBe(true);
  });
  it('a config file cannot put terminal escapes on stderr through a key it names', async () => {
    const dir = writeTree({ 'iam/ok.json': GOOD_POLICY, 'oidc-lint.config.yaml': '"\\e[2J\\e]0;pwned\\arulez": {}\n' });
    let err = '';
    const code = await main(['.'], { cwd: dir, stdout: () => {}, stderr: (s) => (err += s), env: {} });
    expect(code).toBe(2);
    expect(err).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(err).toContain("unknown key '\\e[2J\\e]0;pwned\\u{0007}rulez'");
  });
});
