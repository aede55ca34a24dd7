/** Text output: code frames (cut, redacted, marker under the token), related locations, docs links, --quiet, --max-warnings. */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { rules } from '../../src/rules/index.js';
import { codeFrame, splitLines } from '../../src/reporters/frame.js';
import { trustPolicy, writeTree } from '../helpers/project.js';
import { pristineExamples } from '../helpers/examples.js';
import type { SourceLocation } from '../../src/model/location.js';

const at = (line: number, column: number, endLine: number, endColumn: number): SourceLocation => ({ file: 'f', start: { line, column }, end: { line: endLine, column: endColumn } });

describe('codeFrame', () => {
  it('marks exactly the token columns (1-based start, end after the last character)', () => {
    const lines = splitLines('a: 1\r\nrole-to-assume: arn:aws:iam::1:role/x\n');
    expect(codeFrame(lines, at(2, 17, 2, 38))).toEqual({ line: 2, text: 'role-to-assume: arn:aws:iam::1:role/x', marker: `${' '.repeat(16)}${'^'.repeat(21)}` });
  });
  it('shows one caret for an empty span and marks a multi-line span to the end of its first line', () => {
    const lines = ['key:', '  - a', '  - b'];
    expect(codeFrame(lines, at(1, 5, 1, 5))?.marker).toBe('    ^');
    expect(codeFrame(lines, at(2, 3, 3, 6))).toEqual({ line: 2, text: '  - a', marker: '  ^^^' });
  });
  it('expands tabs so the marker stays under the token', () => {
    expect(codeFrame(['\t"Action": "sts:AssumeRole"'], at(1, 12, 1, 28))).toEqual({ line: 1, text: '  "Action": "sts:AssumeRole"', marker: '            ^^^^^^^^^^^^^^^^' });
  });
  it('cuts long lines around the token with an ellipsis on each side', () => {
    const left = 'x'.repeat(150);
    const right = 'y'.repeat(150);
    const f = codeFrame([`${left}TOKEN${right}`], at(1, 151, 1, 156), 40)!;
    expect(f.text).toBe(`…${'x'.repeat(17)}TOKEN${'y'.repeat(16)}…`);
    expect(f.text).toHaveLength(40);
    expect(f.marker).toBe(`${' '.repeat(18)}^^^^^`);
    const long = codeFrame([`ab${'z'.repeat(200)}`], at(1, 3, 1, 203), 40)!;
    expect(long.text).toBe(`ab${'z'.repeat(19)}…`);
    expect(long.marker).toBe(`  ${'^'.repeat(20)}`);
  });
  it('redacts keys in the line and keeps the marker under the redacted token', () => {
    const key = 'AKIA' + 'Z7QW3RTY5UIO2PLK';
    const secret = 'q8Hn' + 'Zx4Lr9TfW2mKp7Vb3Ns6Yc1Dg5Jh0Ae8Ru6M';
    const f = codeFrame([`  id: ${key}  secret: ${secret}`], at(1, 7, 1, 27))!;
    expect(f.text).toBe('  id: AKIA…LK  secret: q8Hn…6M');
    expect(f.marker).toBe('      ^^^^^^^');
    // A span that cuts a key in half still never shows it: the whole key moves into the marked token.
    const half = codeFrame([`id=${key}`], at(1, 1, 1, 10))!;
    expect(half.text).toBe('id=AKIA…LK');
    expect(half.text).not.toContain('Z7QW');
  });
  it('frames a token on a line of megabytes as on a short line, at a cost that does not grow with the line', () => {
    const key = 'AKIA' + 'Z7QW3RTY5UIO2PLK';
    // A minified policy of megabytes on one line: thousands of findings, each framed on that line.
    const line = `${'x'.repeat(2_000_000)} id=${key}:TOKEN ${'y'.repeat(2_000_000)}`;
    const short = `${'x'.repeat(150)} id=${key}:TOKEN ${'y'.repeat(150)}`;
    // The span starts inside the key and ends after TOKEN.
    const span = (l: string) => at(1, l.indexOf(key) + 7, 1, l.indexOf('TOKEN') + 6);
    const expected = codeFrame([short], span(short))!;
    for (let i = 0; i < 5000; i++) expect(codeFrame([line], span(line))).toEqual(expected);
    // The key moved wholly into the marked token and is redacted.
    expect(expected.text).toMatch(/^…x+ id=AKIA…LK:TOKEN y+…$/);
    expect(expected.text).not.toContain('Z7QW');
    expect(expected.marker.trim()).toBe('^'.repeat('AKIA…LK:TOKEN'.length));
  });
  it('shows control characters of the source line as visible characters, the marker still under the token', () => {
    const f = codeFrame(['a: "\u001b[2J\r::error::x" # \u202e'], at(1, 5, 1, 22))!;
    expect(f.text).toBe('a: "\u241b[2J\u240d::error::x" # \ufffd');
    expect(f.marker).toBe(`    ${'^'.repeat(17)}`);
  });
  it('returns nothing for a location outside the file or on a blank line', () => {
    expect(codeFrame(['one line'], at(5, 1, 5, 2))).toBeUndefined();
    expect(codeFrame(['', '  \t'], at(2, 1, 2, 1))).toBeUndefined();
  });
});

async function run(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { cwd, env: {}, isTTY: false, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

const levels = (l: Record<string, 'error' | 'warn'>) => rules.flatMap((r) => ['--rule', `${r.id}=${l[r.id] ?? 'off'}`]);
const SUB = 'token.actions.githubusercontent.com:sub';
const AUD = { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' };

describe('oidc-lint text output', () => {
  it('prints each finding with its frame, related locations and its rules.md link', async () => {
    const dir = writeTree({
      'deploy.yml': ['on: push', 'permissions: {}', 'jobs:', '  deploy:', '    runs-on: ubuntu-latest', '    steps:', '      - uses: aws-actions/configure-aws-credentials@v4', '        with:', '          role-to-assume: arn:aws:iam::123456789012:role/deploy', ''].join('\n'),
    });
    const r = await run(['deploy.yml', ...levels({ 'require-id-token-permission': 'error' })], dir);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^deploy\.yml:7:15 {2}error {2}Job "deploy" requests a GitHub OIDC token .* {2}require-id-token-permission$/);
    expect(lines.slice(1, 5)).toEqual([
      '     7 |       - uses: aws-actions/configure-aws-credentials@v4',
      `       |               ${'^'.repeat('aws-actions/configure-aws-credentials@v4'.length)}`,
      expect.stringMatching(/^ {4}↳ deploy\.yml:2:1 {2}\S/),
      '    docs: https://github.com/oidc-lint/oidc-lint/blob/main/rules.md#require-id-token-permission',
    ]);
    expect(lines.slice(5)).toEqual(['', '✖ 1 problem (1 error, 0 warnings) in 1 file checked', '  fixable with --fix (--fix-dry-run shows the diff)', '']);
  });

  it('never prints a hard-coded key, in the frame or anywhere else', async () => {
    const key = 'AKIA' + 'Z7QW3RTY5UIO2PLK';
    const dir = writeTree({ 'ci.yml': `on: push\njobs:\n  a:\n    runs-on: x\n    env:\n      AWS_ACCESS_KEY_ID: ${key}\n    steps: [{ run: 'true' }]\n` });
    const r = await run(['ci.yml', ...levels({ 'no-hardcoded-aws-credentials': 'error', 'no-static-aws-credentials': 'error' })], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('Z7QW');
    expect(r.stdout).toContain('     6 |       AWS_ACCESS_KEY_ID: AKIA…LK\n       |                          ^^^^^^^\n');
  });

  it('says how many of the findings --fix can repair', async () => {
    // The examples as committed (the README's --fix example repairs the working copy).
    const r = await run(['examples/broken'], pristineExamples());
    expect(r.stdout.endsWith('✖ 6 problems (5 errors, 1 warning) in 3 files checked\n  2 of them fixable with --fix (--fix-dry-run shows the diff)\n')).toBe(true);
    expect((await run(['examples/broken/iam'], pristineExamples())).stdout).not.toContain('--fix');
  });

  describe('--quiet and --max-warnings', () => {
    // One error (no sub condition in a.json) and two warnings (no audience condition in b.json and c.json).
    const tree = () =>
      writeTree({
        'a.json': trustPolicy({ Condition: { StringEquals: AUD } }),
        'b.json': trustPolicy({ Condition: { StringEquals: { [SUB]: 'repo:o/r:ref:refs/heads/main' } } }),
        'c.json': trustPolicy({ Condition: { StringEquals: { [SUB]: 'repo:o/r:environment:prod' } } }),
      });
    const rl = levels({ 'require-subject-condition': 'error', 'require-audience-condition': 'warn' });
    const warnOnly = levels({ 'require-audience-condition': 'warn' });

    it('--quiet drops warnings from the report but keeps errors and the exit code', async () => {
      const dir = tree();
      const all = await run([...rl], dir);
      expect(all.stdout).toMatch(/✖ 3 problems \(1 error, 2 warnings\)/);
      const q = await run([...rl, '--quiet'], dir);
      expect(q.code).toBe(1);
      expect(q.stdout).toMatch(/✖ 1 problem \(1 error, 0 warnings\)/);
      expect(q.stdout).not.toContain('require-audience-condition');
      const qw = await run([...warnOnly, '-q', '-f', 'json'], dir);
      expect(JSON.parse(qw.stdout).findings).toEqual([]);
      expect(qw.code).toBe(0);
    });

    it('--max-warnings N exits 1 only when warnings exceed N (hidden ones count too)', async () => {
      const dir = tree();
      expect((await run([...warnOnly, '--max-warnings', '2'], dir)).code).toBe(0);
      const over = await run([...warnOnly, '--max-warnings', '1'], dir);
      expect(over.code).toBe(1);
      expect(over.stderr).toBe('oidc-lint: too many warnings (2; --max-warnings is 1)\n');
      expect((await run([...warnOnly, '--max-warnings', '1', '--quiet'], dir)).code).toBe(1);
      expect((await run([...warnOnly, '--max-warnings', '0', '--rule', 'require-audience-condition=off'], dir)).code).toBe(0);
    });

    it('rejects a --max-warnings that is not a whole number', async () => {
      const dir = tree();
      for (const bad of ['-1', 'x', '1.5']) {
        const r = await run([`--max-warnings=${bad}`], dir);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/--max-warnings expects a whole number/);
      }
    });
  });
});
