/** `--format github`: workflow commands, escaping, repository-relative paths, the per-step cap, the job summary. */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli.js';
import { rules } from '../../src/rules/index.js';
import { escapeData, escapeProperty } from '../../src/reporters/github.js';
import { trustPolicy, writeTree } from '../helpers/project.js';

async function run(args: string[], cwd: string, env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { cwd, env, isTTY: false, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr, lines: stdout.trimEnd().split('\n') };
}

/** Only the named rules, at the given levels. */
function enable(levels: Record<string, 'error' | 'warn'>): string[] {
  return rules.flatMap((r) => ['--rule', `${r.id}=${levels[r.id] ?? 'off'}`]);
}

const AUD = { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' };
/** 1-based line and column of the first occurrence of `token` in `text`. */
function posOf(text: string, token: string): { line: number; col: number } {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(token));
  return { line: i + 1, col: lines[i].indexOf(token) + 1 };
}

const subLike = (sub: string, withAud = true) => trustPolicy({ Condition: { StringEquals: withAud ? AUD : undefined, StringLike: { 'token.actions.githubusercontent.com:sub': sub } } });

describe('workflow-command escaping (ecosystem.md §4)', () => {
  it('escapes %, CR and LF in messages', () => {
    expect(escapeData('100% sure\r\nnext: a,b')).toBe('100%25 sure%0D%0Anext: a,b');
  });
  it('also escapes : and , in properties', () => {
    expect(escapeProperty('iam/a,b:c%.json\n')).toBe('iam/a%2Cb%3Ac%25.json%0A');
  });
});

describe('oidc-lint --format github', () => {
  it('emits one ::error per finding with position, title and escaped file and message', async () => {
    const dir = writeTree({ '.git/HEAD': 'ref: refs/heads/main\n', 'iam/prod,eu:100%.json': subLike('repo:my-org/app:*') });
    const r = await run(['.', '-f', 'github', ...enable({ 'no-wildcard-subject': 'error' })], dir);
    expect(r.code).toBe(1);
    // The exact sub value token, quotes included.
    const { line, col } = posOf(readFileSync(path.join(dir, 'iam/prod,eu:100%.json'), 'utf8'), '"repo:my-org/app:*"');
    expect(line).toBe(15);
    // The rule's own wording, from the JSON report of the same project.
    const message: string = JSON.parse((await run(['.', '-f', 'json', ...enable({ 'no-wildcard-subject': 'error' })], dir)).stdout).findings[0].message;
    expect(message).toContain('"repo:my-org/app:*"');
    expect(r.lines[0]).toBe(
      `::error file=iam/prod%2Ceu%3A100%25.json,line=${line},endLine=${line},col=${col},endColumn=${col + '"repo:my-org/app:*"'.length},title=no-wildcard-subject (oidc-lint)::` +
        `${message}%0Ahttps://github.com/oidc-lint/oidc-lint/blob/main/rules.md#no-wildcard-subject`,
    );
    expect(r.lines[1]).toBe('oidc-lint: 1 problem (1 error, 0 warnings) in 1 file checked.');
    expect(r.lines).toHaveLength(2);
  });

  it('uses ::warning for warn level and puts related locations in the message', async () => {
    const dir = writeTree({
      '.git/HEAD': '',
      '.github/workflows/deploy.yml': [
        'on: push',
        'permissions:',
        '  contents: read',
        'jobs:',
        '  deploy:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: aws-actions/configure-aws-credentials@v4',
        '        with:',
        '          role-to-assume: arn:aws:iam::123456789012:role/deploy',
        '          aws-region: eu-west-1',
        '',
      ].join('\n'),
    });
    const r = await run(['-f', 'github', ...enable({ 'require-id-token-permission': 'warn' })], dir);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatch(/^::warning file=\.github\/workflows\/deploy\.yml,line=8,endLine=8,col=15,endColumn=55,title=require-id-token-permission \(oidc-lint\)::Job "deploy" /);
    expect(r.lines[0]).toContain('%0A↳ .github/workflows/deploy.yml:2:1  ');
    expect(r.lines.at(-1)).toBe('oidc-lint: 1 problem (0 errors, 1 warning) in 1 file checked.');
  });

  it('annotates at most 10 errors and 10 warnings, the most severe first, and says how many were left out', async () => {
    const files: Record<string, string> = { '.git/HEAD': '' };
    // 12 low-severity errors (any context) and 12 warnings (no audience), then one critical error (any owner) last.
    for (let i = 1; i <= 12; i++) files[`iam/a${String(i).padStart(2, '0')}.json`] = subLike('repo:my-org/app:*', false);
    files['iam/z.json'] = subLike('repo:*');
    const dir = writeTree(files);
    const r = await run(['-f', 'github', ...enable({ 'no-wildcard-subject': 'error', 'require-audience-condition': 'warn' })], dir);
    expect(r.code).toBe(1);
    const errors = r.lines.filter((l) => l.startsWith('::error '));
    const warnings = r.lines.filter((l) => l.startsWith('::warning '));
    expect(errors).toHaveLength(10);
    expect(warnings).toHaveLength(10);
    expect(errors.some((l) => l.startsWith('::error file=iam/z.json,'))).toBe(true);
    // The critical one took the slot of the 10th low one, so a10, a11 and a12 are plain log lines.
    const plain = r.lines.filter((l) => !l.startsWith('::') && !l.startsWith('oidc-lint:'));
    expect(plain.map((l) => l.replace(/:\d+:\d+ .*  (\S+)$/, ' $1'))).toEqual([
      'iam/a10.json no-wildcard-subject',
      'iam/a11.json require-audience-condition',
      'iam/a11.json no-wildcard-subject',
      'iam/a12.json require-audience-condition',
      'iam/a12.json no-wildcard-subject',
    ]);
    expect(r.lines.at(-2)).toBe('oidc-lint: 25 problems (13 errors, 12 warnings) in 13 files checked.');
    expect(r.lines.at(-1)).toBe(
      '::notice title=oidc-lint::3 errors and 2 warnings were not annotated: GitHub shows at most 10 error and 10 warning annotations per step. They are listed in this log.',
    );
  });

  it('names the AWS role of a finding in a saved AWS snapshot and counts the roles', async () => {
    const role = 'arn:aws:iam::123456789012:role/wild';
    const snapshot = {
      oidcLintAwsSnapshot: 1,
      generator: 'oidc-lint test',
      fetchedAt: '2026-11-02T10:00:00.000Z',
      partition: 'aws',
      accountId: '123456789012',
      rolePathPrefix: '/',
      rolesListed: 1,
      incomplete: [],
      roles: [{ arn: role, name: 'wild', path: '/', trustPolicy: JSON.parse(subLike('repo:*')) }],
      providers: [],
    };
    const dir = writeTree({ '.git/HEAD': '', 'aws-snapshot.json': JSON.stringify(snapshot, null, 2) });
    const r = await run(['--aws-snapshot', 'aws-snapshot.json', '-f', 'github', ...enable({ 'no-wildcard-subject': 'error' })], dir);
    expect(r.lines[0]).toMatch(/^::error file=aws-snapshot\.json,line=\d+,endLine=\d+,col=\d+,endColumn=\d+,title=no-wildcard-subject \(oidc-lint\)::/);
    expect(r.lines[0]).toContain(`::${role}: Any GitHub repository of any owner can assume this role`);
    expect(r.lines.at(-1)).toBe('oidc-lint: 1 problem (1 error, 0 warnings) in 1 file and 1 AWS role checked.');
  });

  it('makes paths relative to the git toplevel, else to GITHUB_WORKSPACE', async () => {
    const dir = writeTree({ 'infra/iam/trust.json': subLike('repo:*') });
    const args = ['.', '-f', 'github', ...enable({ 'no-wildcard-subject': 'error' })];
    const infra = path.join(dir, 'infra');
    expect((await run(args, infra, { GITHUB_WORKSPACE: dir })).lines[0]).toMatch(/^::error file=infra\/iam\/trust\.json,/);
    mkdirSync(path.join(infra, '.git'));
    expect((await run(args, infra, { GITHUB_WORKSPACE: dir })).lines[0]).toMatch(/^::error file=iam\/trust\.json,/);
  });

  it('appends a markdown job summary to GITHUB_STEP_SUMMARY, linking locations and rules', async () => {
    const dir = writeTree({ '.git/HEAD': '', 'iam/trust.json': subLike('repo:my-org/*|x') });
    const summary = path.join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const env = { GITHUB_STEP_SUMMARY: summary, GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'my-org/infra', GITHUB_SHA: 'abc123' };
    const r = await run(['-f', 'github', ...enable({ 'no-wildcard-subject': 'error' })], dir, env);
    expect(r.code).toBe(1);
    const md = readFileSync(summary, 'utf8');
    const { line, col } = posOf(readFileSync(path.join(dir, 'iam/trust.json'), 'utf8'), '"repo:my-org/*|x"');
    expect(md.startsWith('# earlier step\n## oidc-lint\n\n❌ **1 problem** (1 error, 0 warnings) in 1 file checked.\n')).toBe(true);
    const message: string = JSON.parse((await run(['-f', 'json', ...enable({ 'no-wildcard-subject': 'error' })], dir)).stdout).findings[0].message;
    expect(message).toContain('"repo:my-org/*|x"');
    expect(md).toContain(
      '| error | [no-wildcard-subject](https://github.com/oidc-lint/oidc-lint/blob/main/rules.md#no-wildcard-subject) | ' +
        `[\`iam/trust.json:${line}:${col}\`](https://github.com/my-org/infra/blob/abc123/iam/trust.json#L${line}) | ` +
        // Every ASCII punctuation character of a value is backslash-escaped: no link, image or HTML can form.
        `${markdownEscaped(message)} |`,
    );
    // Without the variable nothing is written; other formats never write it.
    const clean = writeTree({ 'iam/trust.json': subLike('repo:my-org/app:ref:refs/heads/main') });
    const s2 = path.join(clean, 'summary.md');
    expect((await run(['-f', 'github'], clean)).lines).toEqual(['oidc-lint: no problems (1 file checked).']);
    expect(existsSync(s2)).toBe(false);
    await run(['-f', 'text'], clean, { GITHUB_STEP_SUMMARY: s2 });
    expect(existsSync(s2)).toBe(false);
    await run(['-f', 'github'], clean, { GITHUB_STEP_SUMMARY: s2 });
    expect(readFileSync(s2, 'utf8')).toBe('## oidc-lint\n\n✅ No problems (1 file checked).\n\n');
  });
});

/** What the job summary makes of a value outside a code span. */
const markdownEscaped = (s: string) => s.replace(/[!-/:-@[-`{-~]/g, '\\$&');

describe('hostile file names and values in the log', () => {
  // Past the 10 annotations, findings are plain log lines: a file name or a value there must not
  // start a workflow command of its own (a newline or a lone CR then `::`), nor carry terminal escapes.
  const NAMES = ['a\n::error title=pwned::injected', 'b\r::warning::cr', 'c\u001b[2J\u001b]0;title\u0007', 'd\u202eevil', 'e%0A::notice::percent'];
  it('cannot inject workflow commands or terminal escapes through file names or job names', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) for (const n of NAMES) files[`iam/${i}-${n}.json`] = trustPolicy({});
    files['.github/workflows/ci.yml'] = 'on: push\njobs:\n  "x\\n::error title=job::pwned\\e[31m":\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/r\n          aws-region: us-east-1\n';
    const dir = writeTree(files);
    for (const format of ['github', 'text']) {
      const { stdout, lines } = await run(['-f', format, ...enable({ 'require-subject-condition': 'error', 'require-id-token-permission': 'error' })], dir);
      expect(stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
      const commands = lines.filter((l) => l.startsWith('::'));
      if (format === 'github') {
        // Only the annotations oidc-lint writes: 10 errors, and the notice that others were not annotated.
        expect(commands.map((l) => l.split(' ')[0])).toEqual([...Array(10).fill('::error'), '::notice']);
        expect(commands.every((l) => /^::(error|notice) (file=[^,]+,line=\d+,endLine=\d+,col=\d+,endColumn=\d+,)?title=/.test(l))).toBe(true);
      } else expect(commands).toEqual([]);
      // The other findings are all in the log, their names escaped.
      expect(stdout).toContain('iam/11-a\\n::error title=pwned::injected.json:');
      expect(stdout).toContain('iam/11-b\\r::warning::cr.json:');
      expect(stdout).toContain('iam/11-c\\e[2J\\e]0;title\\u{0007}.json:');
      expect(stdout).toContain('iam/11-d\\u{202e}evil.json:');
      expect(stdout).toContain('Job "x\\n::error title=job::pwned\\e[31m"');
    }
    // The job summary (markdown) gets the same escapes: one table row per finding, no raw controls.
    const summary = path.join(dir, 'summary.md');
    await run(['-f', 'github', ...enable({ 'require-subject-condition': 'error', 'require-id-token-permission': 'error' })], dir, { GITHUB_STEP_SUMMARY: summary });
    const md = readFileSync(summary, 'utf8');
    expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    const rows = md.split('\n').filter((l) => l.startsWith('| error |'));
    expect(rows).toHaveLength(12 * NAMES.length + 1);
    expect(rows.some((l) => l.includes(markdownEscaped('Job "x\\n::error title=job::pwned\\e[31m"')))).toBe(true);
    expect(rows.some((l) => l.includes('iam/11-a\\n::error title=pwned::injected.json:'))).toBe(true);
    expect(rows.some((l) => l.includes('iam/11-b\\r::warning::cr.json:'))).toBe(true);
  });
});
