/**
 * A hostile repository must not hurt the person who lints it, hide a finding, or leak a secret:
 * each case here is one a repository can set up by what it commits (symlinks, ignore files,
 * crafted names and values).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../src/cli.js';
import { writeTree, trustPolicy } from './helpers/project.js';
import { loadSnapshot, serializeSnapshot } from '../src/loaders/aws/aws-snapshot.js';
import { codeFrame } from '../src/reporters/frame.js';

const GOOD_POLICY = trustPolicy({});

async function run(dir: string, args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await main(args, { cwd: dir, stdout: (s) => (out += s), stderr: (s) => (err += s), env });
  return { code, out, err };
}

describe.skipIf(process.platform === 'win32')('writes', () => {
  it('-o and --write-baseline never write through a committed symlink that leaves the repository', async () => {
    const outside = writeTree({ 'victim.txt': 'precious\n' });
    const victim = path.join(outside, 'victim.txt');
    const dir = writeTree({ 'iam/ok.json': GOOD_POLICY });
    symlinkSync(victim, path.join(dir, '.oidc-lint-baseline.json'));
    symlinkSync(victim, path.join(dir, 'report.sarif'));
    symlinkSync(outside, path.join(dir, 'reports'));
    for (const args of [['--write-baseline', '.oidc-lint-baseline.json'], ['-o', 'report.sarif', '-f', 'sarif'], ['-o', 'reports/victim.txt'], ['-o', 'reports/new/x.txt']]) {
      const r = await run(dir, ['.', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/^oidc-lint: cannot write (\.oidc-lint-baseline\.json|report\.sarif|reports\/victim\.txt|reports\/new\/x\.txt): (it is|a folder in its path is) a symbolic link to a path outside the repository, which oidc-lint does not follow there\n/);
      expect(r.err).not.toMatch(/internal error|\n\s+at /);
    }
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readdirSync(outside)).toEqual(['victim.txt']);
  });
  it('a symlink that stays inside the repository is written through', async () => {
    const dir = writeTree({ 'iam/ok.json': GOOD_POLICY, 'out/real.json': 'old' });
    symlinkSync('out/real.json', path.join(dir, 'report.json'));
    const r = await run(dir, ['.', '-f', 'json', '-o', 'report.json']);
    expect(r.code).toBe(1);
    expect(lstatSync(path.join(dir, 'report.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, 'out/real.json'), 'utf8')).tool.name).toBe('oidc-lint');
  });
  it('a report replaces the old file by renaming a complete one into place, and leaves no temporary file', async () => {
    const dir = writeTree({ 'iam/ok.json': GOOD_POLICY, 'report.json': 'old report\n' });
    // A second name of the old file keeps the old content: the new report is a new file, not the old one rewritten in place.
    linkSync(path.join(dir, 'report.json'), path.join(dir, 'old.json'));
    const r = await run(dir, ['.', '-f', 'json', '-o', 'report.json']);
    expect(r.code).toBe(1);
    expect(readFileSync(path.join(dir, 'old.json'), 'utf8')).toBe('old report\n');
    expect(JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')).tool.name).toBe('oidc-lint');
    expect(readdirSync(dir).sort()).toEqual(['iam', 'old.json', 'report.json']);
  });
  it('a missing parent folder is created; a write that cannot happen is a one-line error', async () => {
    const dir = writeTree({ 'iam/ok.json': GOOD_POLICY, 'file.txt': 'x' });
    const made = await run(dir, ['.', '-f', 'sarif', '-o', 'reports/ci/oidc-lint.sarif']);
    expect(made.code).toBe(1);
    expect(JSON.parse(readFileSync(path.join(dir, 'reports/ci/oidc-lint.sarif'), 'utf8')).version).toBe('2.1.0');
    for (const [args, reason] of [
      [['-o', 'file.txt/x.sarif'], 'a part of its path is not a folder'],
      [['-o', 'iam'], 'is a directory'],
      [['--write-baseline', 'file.txt/b.json'], 'a part of its path is not a folder'],
    ] as const) {
      const r = await run(dir, ['.', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toBe(`oidc-lint: cannot write ${args[1]}: ${reason}\n`);
    }
  });
  it('an executable file is replaced by one that is not', async () => {
    const dir = writeTree({ 'iam/ok.json': GOOD_POLICY, 'baseline.json': '#!/bin/sh\n' });
    const { chmodSync } = await import('node:fs');
    chmodSync(path.join(dir, 'baseline.json'), 0o755);
    const r = await run(dir, ['.', '--write-baseline', 'baseline.json']);
    expect(r.code).toBe(0);
    expect(statSync(path.join(dir, 'baseline.json')).mode & 0o111).toBe(0);
  });
});

describe.skipIf(process.platform === 'win32')('reads', () => {
  it('a config file, baseline or snapshot linked to a device, /proc or out of the repository is refused with a one-line error', async () => {
    const outside = writeTree({ 'secret.json': '{"version":1,"tool":"oidc-lint","findings":[]}' });
    const LINK_OUT = 'it is a symbolic link to a path outside the repository, which oidc-lint does not follow there';
    const cases: [string, string[], string][] = [
      ['oidc-lint.config.yaml', [], `oidc-lint: oidc-lint.config.yaml: cannot read config file: ${LINK_OUT}\n`],
      ['base.json', ['--baseline', 'base.json'], `oidc-lint: cannot use baseline base.json: ${LINK_OUT}\n`],
      ['snap.json', ['--aws-snapshot', 'snap.json'], `oidc-lint: cannot read the AWS snapshot snap.json: ${LINK_OUT}\n`],
    ];
    for (const [name, args, expected] of cases) {
      const dir = writeTree({ 'iam/ok.json': GOOD_POLICY });
      symlinkSync('/dev/zero', path.join(dir, name));
      const r = await run(dir, ['.', ...args]);
      expect(r.code, name).toBe(2);
      expect(r.err).toBe(expected);
    }
    // Named on the command line, a device is still not read.
    const named: [string[], RegExp][] = [
      [['--config', '/dev/zero'], /^oidc-lint: (\.\.\/)*dev\/zero: cannot read config file: a device, not a regular file\n$/],
      [['--baseline', '/dev/zero'], /^oidc-lint: cannot use baseline \/dev\/zero: a device, not a regular file\n$/],
      [['--aws-snapshot', '/dev/zero'], /^oidc-lint: cannot read the AWS snapshot \/dev\/zero: a device, not a regular file\n$/],
    ];
    for (const [args, expected] of named) {
      const r = await run(writeTree({ 'iam/ok.json': GOOD_POLICY }), ['.', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(expected);
    }
    // The environment is not read (and so not printed) through a baseline in the repository.
    const env = writeTree({ 'iam/ok.json': GOOD_POLICY });
    symlinkSync('/proc/self/environ', path.join(env, 'base.json'));
    const e = await run(env, ['.', '--baseline', 'base.json']);
    expect(e.code).toBe(2);
    expect(e.err).toBe('oidc-lint: cannot use baseline base.json: it is a symbolic link to a path outside the repository, which oidc-lint does not follow there\n');
    const out = writeTree({ 'iam/ok.json': GOOD_POLICY });
    symlinkSync(path.join(outside, 'secret.json'), path.join(out, 'oidc-lint.config.json'));
    const c = await run(out, ['.']);
    expect(c.code).toBe(2);
    expect(c.err).toBe('oidc-lint: oidc-lint.config.json: cannot read config file: it is a symbolic link to a path outside the repository, which oidc-lint does not follow there\n');
  });
  it('a baseline named outside the repository is read; one that is not JSON is reported without quoting its content', async () => {
    const outside = writeTree({ 'b.json': '{"version":1,"tool":"oidc-lint","findings":[]}', 'env.json': 'PATH=/usr/bin\0SECRET_TOKEN=hunter2\0' });
    const dir = writeTree({ 'iam/ok.json': GOOD_POLICY });
    expect((await run(dir, ['.', '--baseline', path.join(outside, 'b.json')])).code).toBe(1);
    const bad = await run(dir, ['.', '--baseline', path.join(outside, 'env.json')]);
    expect(bad.code).toBe(2);
    expect(bad.err).not.toContain('hunter2');
    expect(bad.err).not.toContain('PATH');
    expect(bad.err).toMatch(/: not JSON \(at line 1, column 1\)\n$/);
  });
  it('a .gitignore or .git/config linked to /dev/zero is not read', async () => {
    const dir = writeTree({ 'iam/ok.json': GOOD_POLICY, 'sub/iam.json': GOOD_POLICY });
    symlinkSync('/dev/zero', path.join(dir, '.gitignore'));
    symlinkSync('/dev/zero', path.join(dir, 'sub', '.gitignore'));
    mkdirSync(path.join(dir, '.git'));
    symlinkSync('/dev/zero', path.join(dir, '.git', 'config'));
    for (const paths of [['.'], ['sub']]) {
      const r = await run(dir, [...paths, '-f', 'json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.out).findings.some((f: { ruleId: string }) => f.ruleId === 'require-subject-condition')).toBe(true);
    }
    expect(existsSync(path.join(dir, '.git', 'config'))).toBe(true);
  });
});

describe.skipIf(process.platform === 'win32')('ignore files', () => {
  it('a committed .gitignore does not hide a tracked workflow, nor one under .github/workflows that is not tracked yet', async () => {
    const { execFileSync } = await import('node:child_process');
    // No id-token permission: require-id-token-permission reports each workflow it reads.
    const wf = 'on: push\njobs:\n  deploy:\n    runs-on: x\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/r\n          aws-region: us-east-1\n';
    const dir = writeTree({ '.github/workflows/deploy.yml': wf, 'iam/trust.json': GOOD_POLICY });
    execFileSync('git', ['-c', 'core.hooksPath=/dev/null', 'init', '-q'], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, GIT_CONFIG_NOSYSTEM: '1' } });
    execFileSync('git', ['-c', 'core.hooksPath=/dev/null', 'add', '.'], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, GIT_CONFIG_NOSYSTEM: '1' } });
    writeFileSync(path.join(dir, '.github/workflows/.gitignore'), 'deploy.yml\nlater.yml\n');
    writeFileSync(path.join(dir, '.gitignore'), 'iam/\n');
    writeFileSync(path.join(dir, '.github/workflows/later.yml'), wf);
    const r = await run(dir, ['.', '-f', 'json']);
    const files = new Set(JSON.parse(r.out).findings.map((f: { location: { file: string } }) => f.location.file));
    expect(files).toEqual(new Set(['.github/workflows/deploy.yml', '.github/workflows/later.yml', 'iam/trust.json']));
    expect(r.code).toBe(1);
  });
});

// Real-shaped but generated at run time (never a committed literal that scanners would flag).
const KEY_ID = 'AKIA' + 'Q7ZMW2OGYBAH6TRX';
const SECRET = 'q8Hn3V0bW2mZ5x' + 'YpK7tLr9sDf1GhJ4kLzXcVbN6M';
const SESSION = 'IQoJb3JpZ2luX2Vj' + 'EHcaCXVzLWVhc3QtMSJHMEUCIQD'.repeat(12) + 'xZ9=';
/** Every format's output must not hold any of these (nor a long part of them). */
function expectNoSecret(text: string, what: string) {
  for (const s of [KEY_ID, SECRET, SESSION]) expect(text, what).not.toContain(s.slice(0, 12));
  expect(text, what).not.toContain(SESSION.slice(20, 60));
}

describe('secrets', () => {
  it('KEY=secret assignments and session tokens are reported and redacted in every format, code frames and --fix-dry-run diffs', async () => {
    const wf = `on: push\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: |\n          aws configure set aws_secret_access_key=${SECRET}\n          export AWS_SECRET_ACCESS_KEY=${SECRET}\n          export AWS_SESSION_TOKEN=${SESSION}\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          aws-session-token: ${SESSION}\n          role-to-assume: arn:aws:iam::123456789012:role/r\n          aws-region: us-east-1\n`;
    const dir = writeTree({ '.github/workflows/leak.yml': wf });
    const json = await run(dir, ['.', '-f', 'json']);
    const found = JSON.parse(json.out).findings.filter((f: { ruleId: string }) => f.ruleId === 'no-hardcoded-aws-credentials').map((f: { messageId: string; location: { start: { line: number } } }) => [f.messageId, f.location.start.line]);
    expect(found).toEqual([
      ['secretKey', 9],
      ['secretKey', 10],
      ['sessionToken', 11],
      ['sessionToken', 14],
    ]);
    expectNoSecret(json.out + json.err, 'json');
    for (const format of ['text', 'sarif', 'github']) {
      const r = await run(dir, ['.', '-f', format, '--color']);
      expectNoSecret(r.out + r.err, format);
    }
    const text = await run(dir, ['.']);
    expect(text.out).toContain('aws_secret_access_key=q8Hn…6M');
    expect(text.out).toContain('AWS_SESSION_TOKEN=IQoJ…9=');
    const diff = await run(dir, ['.', '--fix-dry-run']);
    expect(diff.out).toMatch(/^\+ +id-token: write$/m);
    expectNoSecret(diff.out + diff.err, 'diff');
  });
  it('a code frame never shows part of a session token, wherever the finding cuts the line', () => {
    const line = `${'y '.repeat(200)}token=${SESSION} ${'z '.repeat(200)}`;
    const at = line.indexOf(SESSION);
    for (const col of [at - 150, at - 3, at + 10, at + 200, at + SESSION.length - 5, at + SESSION.length + 40]) {
      const frame = codeFrame([line], { file: 'x', start: { line: 1, column: col + 1 }, end: { line: 1, column: col + 4 } })!;
      expectNoSecret(frame.text, `column ${col}`);
    }
  });
  it('keys are redacted wherever text leaves the process: suppression reasons, --print-config, config errors, file names, AWS snapshot messages', async () => {
    const policy = trustPolicy({});
    const dir = writeTree({
      [`iam/${KEY_ID}.json`]: policy,
      'oidc-lint.config.yaml': `suppressions:\n  - rule: [require-subject-condition, require-audience-condition]\n    file: "iam/*.json"\n    reason: "accepted, old key ${KEY_ID} ${SECRET}"\n`,
    });
    for (const format of ['text', 'json', 'sarif', 'github']) {
      const r = await run(dir, ['.', '-f', format], { GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md') });
      expectNoSecret(r.out + r.err, format);
    }
    expectNoSecret(readFileSync(path.join(dir, 'summary.md'), 'utf8'), 'summary');
    const sarif = await run(dir, ['.', '-f', 'sarif', '-o', 'out.sarif']);
    expect(sarif.code).toBe(0);
    const written = readFileSync(path.join(dir, 'out.sarif'), 'utf8');
    expectNoSecret(written, 'sarif file');
    expect(written).toContain('accepted, old key AKIA…RX q8Hn…6M');
    const printed = await run(dir, ['.', '--print-config']);
    expect(printed.code).toBe(0);
    expectNoSecret(printed.out, '--print-config');
    const bad = writeTree({ 'oidc-lint.config.yaml': `rules:\n  ${KEY_ID}: error\n${SECRET}: 1\n` });
    const err = await run(bad, ['.']);
    expect(err.code).toBe(2);
    expect(err.err).toContain('AKIA…RX');
    expectNoSecret(err.err, 'config errors');
    const snap = writeTree({
      'snap.json': JSON.stringify({ oidcLintAwsSnapshot: 1, generator: 'x', fetchedAt: '2026-01-01T00:00:00Z', partition: 'aws', accountId: '123456789012', rolesListed: 0, incomplete: [{ operation: 'ListRoles', permission: 'iam:ListRoles', code: 'AccessDenied', message: `User ${KEY_ID} with secret ${SECRET} is not authorized` }], roles: [], providers: [] }),
    });
    const s = await run(snap, ['--aws-snapshot', 'snap.json', '-f', 'json']);
    expectNoSecret(s.out + s.err, 'snapshot');
    // A snapshot written again (as --aws-snapshot-out writes what --aws read) holds AWS's messages redacted.
    const again = serializeSnapshot(loadSnapshot(readFileSync(path.join(snap, 'snap.json'), 'utf8'), 'snap.json').data);
    expect(again).toContain('User AKIA…RX with secret q8Hn…6M is not authorized');
    expectNoSecret(again, 'snapshot written');
  });
});

/** Lines GitHub's runner would read as a workflow command (ours are `::error`, `::warning`, `::notice` annotations). */
function runnerCommands(text: string, ours = false): string[] {
  return text.split('\n').filter((l) => (/^\s*::/.test(l) && !(ours && /^::(error|warning|notice) /.test(l))) || l.includes('##['));
}

describe.skipIf(process.platform === 'win32')('output', () => {
  const wild = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: '##[stop-commands]x', Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': ['repo:*', '##[add-mask]x'], 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } } }] }, null, 2);
  it('runner commands from file names and values are neutralised in text, github, explain and stderr output', async () => {
    const dir = writeTree({ 'iam/::stop-commands::t.json': wild, 'iam/##[group]g.json': wild, '::error::x/a.json': wild });
    for (const format of ['text', 'github']) {
      const r = await run(dir, ['.', '-f', format]);
      expect(r.code).toBe(1);
      expect(r.out).toContain('stop-commands');
      expect(runnerCommands(r.out, format === 'github'), format).toEqual([]);
      expect(runnerCommands(r.err), format).toEqual([]);
    }
    for (const format of ['json', 'sarif']) {
      const r = await run(dir, ['.', '-f', format]);
      expect(runnerCommands(r.out), format).toEqual([]);
      // The same data, escaped (SARIF percent-encodes the name).
      if (format === 'json') expect(JSON.parse(r.out).findings.map((f: { location: { file: string } }) => f.location.file)).toContain('iam/##[group]g.json');
    }
    const ex = await run(dir, ['explain', 'iam/::stop-commands::t.json:2']);
    expect(ex.code).toBe(0);
    expect(runnerCommands(ex.out)).toEqual([]);
    const missing = await run(dir, ['::stop-commands::nope']);
    expect(missing.code).toBe(2);
    expect(runnerCommands(missing.err)).toEqual([]);
  });
  it('--fix-dry-run escapes control and bidi characters in file names and context lines', async () => {
    const wf = `on: push\njobs:\n  d:\n    runs-on: x\n    env:\n      NOTE: "\u001b]0;pwned\u0007 \u202eevil\u202c"\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/r\n          aws-region: us-east-1\n`;
    const dir = writeTree({ '.github/workflows/de\u001b[31mploy.yml': wf });
    const r = await run(dir, ['.', '--fix-dry-run']);
    expect(r.out).toMatch(/^\+ +id-token: write$/m);
    expect(r.out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(r.out).toContain('de\\e[31mploy.yml');
    expect(r.out).toContain('\\e]0;pwned\\u{0007} \\u{202e}evil\\u{202c}');
  });
  it('JSON outputs write C1 controls and bidi characters as \\u escapes, and mean the same', async () => {
    const value = 'repo:*\u0085\u009b31m\u202e\u2066x';
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': value } } }] });
    const dir = writeTree({ 'iam/p\u202e.json': policy, 'oidc-lint.config.yaml': 'suppressions:\n  - rule: no-unused-suppression\n    file: "x\\u0085\\u202e"\n    reason: "r\\u009b"\n' });
    const outputs = [await run(dir, ['.', '-f', 'json']), await run(dir, ['.', '-f', 'sarif']), await run(dir, ['explain', 'iam/p\u202e.json:1', '-f', 'json']), await run(dir, ['.', '--print-config'])];
    for (const r of outputs) {
      expect(r.out).not.toMatch(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      JSON.parse(r.out);
    }
    // SARIF percent-encodes file names; the others carry them as JSON strings.
    for (const r of [outputs[0], outputs[2], outputs[3]]) expect(r.out).toMatch(/\\u202e/);
    expect(JSON.parse(outputs[0].out).findings.some((f: { location: { file: string } }) => f.location.file === 'iam/p\u202e.json')).toBe(true);
  });
  it('the job summary escapes markdown: no link, image or HTML from a value, no way out of a code span', async () => {
    // A job id quoted by require-id-token-permission's message.
    const job = 'x[click](https://evil.example)![img](https://t.example/p.png)<img src=x>|*b*';
    const wf = `on: push\njobs:\n  "${job}":\n    runs-on: x\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/r\n          aws-region: us-east-1\n`;
    const dir = writeTree({ '.github/workflows/a`](https:--evil.example) `b.yml': wf });
    const summary = path.join(dir, 'summary.md');
    const env = { GITHUB_STEP_SUMMARY: summary, GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r', GITHUB_SHA: 'abc' };
    const r = await run(dir, ['.', '-f', 'github'], env);
    expect(r.code).toBe(1);
    const md = readFileSync(summary, 'utf8');
    const rows = md.split('\n').filter((l) => l.includes('require-id-token-permission'));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      // Outside code spans, every ( [ ] ! < > * from a value is escaped.
      const outsideCode = row.replace(/(`+)[\s\S]*?\1/g, '');
      expect(outsideCode).not.toMatch(/(?<!\\)\]\((?!https:\/\/github\.com\/)/);
      expect(outsideCode).not.toMatch(/(?<!\\)[<!]\S/);
      // The file name sits in one code span: its fence is longer than any run of backticks in it.
      expect(row).toContain('``.github/workflows/a`](https:--evil.example) `b.yml:');
      expect(row).toContain('blob/abc/.github/workflows/a%60%5D%28https%3A--evil.example%29%20%60b.yml#L');
      // The table keeps its four cells: the pipe in the job id is escaped.
      expect(row.split(/(?<!\\)\|/).length).toBe(6);
    }
  });
});

describe('what is analysed, and what is accepted', () => {
  const FED = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
  it('duplicate JSON keys: the last value is analysed, as deploy tools send it, and the duplicate is still reported', async () => {
    const tight = '"Condition":{"StringEquals":{"token.actions.githubusercontent.com:sub":"repo:o/r:ref:refs/heads/main","token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}';
    const open = '"Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:*","token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}';
    const policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${FED}"},"Action":"sts:AssumeRoleWithWebIdentity",${tight},${open}}]}`;
    const dir = writeTree({ 'iam/dup.json': policy });
    const r = await run(dir, ['.', '-f', 'json']);
    const findings = JSON.parse(r.out).findings as { ruleId: string; message: string }[];
    expect(findings.map((f) => f.ruleId).sort()).toEqual(['no-wildcard-subject', 'parse-error']);
    expect(findings.find((f) => f.ruleId === 'parse-error')!.message).toMatch(/duplicate key "Condition"/);
    const ex = await run(dir, ['explain', 'iam/dup.json:1', '-f', 'json']);
    expect(JSON.parse(ex.out)[0].issuers[0].anyOwner).toBe(true);
  });
  it('outside git, the config search stops at the scanned folder; a config above it in a repository is named', async () => {
    const parent = writeTree({ 'oidc-lint.config.yaml': 'ignore: ["**"]\n', 'repo/iam/ok.json': GOOD_POLICY });
    const r = await run(path.join(parent, 'repo'), ['.', '-f', 'json']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out).summary.files).toBe(1);
    const repo = writeTree({ 'oidc-lint.config.yaml': 'rules:\n  require-subject-condition: warn\n', 'infra/iam/ok.json': GOOD_POLICY });
    mkdirSync(path.join(repo, '.git'));
    const sub = await run(path.join(repo, 'infra'), ['.', '-f', 'json']);
    expect(sub.err).toBe('oidc-lint: using the config file ../oidc-lint.config.yaml, found above the scanned folder\n');
    expect(JSON.parse(sub.out).findings.find((f: { ruleId: string }) => f.ruleId === 'require-subject-condition').level).toBe('warn');
  });
  it('a baselined key does not hide a new key with the same redacted form', async () => {
    const keyA = 'AKIA' + 'Q7ZMW2OGYBAH6TRX';
    const keyB = 'AKIA' + 'ZZZZZ2OGYBAH6TRX';
    const wf = (key: string) => `on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: aws s3 ls\n        env:\n          AWS_ACCESS_KEY_ID: ${key}\n`;
    const dir = writeTree({ '.github/workflows/ci.yml': wf(keyA) });
    expect((await run(dir, ['.', '--write-baseline', 'baseline.json'])).code).toBe(0);
    const baseline = readFileSync(path.join(dir, 'baseline.json'), 'utf8');
    expect(baseline).not.toContain(keyA.slice(0, 12));
    expect((await run(dir, ['.', '--baseline', 'baseline.json'])).code).toBe(0);
    writeFileSync(path.join(dir, '.github/workflows/ci.yml'), wf(keyB));
    const r = await run(dir, ['.', '--baseline', 'baseline.json', '-f', 'json']);
    expect(JSON.parse(r.out).findings.filter((f: { ruleId: string; suppressed?: unknown }) => f.ruleId === 'no-hardcoded-aws-credentials' && !f.suppressed)).toHaveLength(1);
  });
  it('a baselined finding on a reusable workflow does not hide a new untrusted caller', async () => {
    // Checks out and runs the pull request's head: what no-oidc-in-untrusted-trigger reports.
    const reusable = `on: workflow_call\njobs:\n  deploy:\n    runs-on: x\n    permissions:\n      id-token: write\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: \${{ github.event.pull_request.head.sha }}\n      - run: npm test\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/r\n          aws-region: us-east-1\n`;
    const caller = (event: string) => `on: ${event}\njobs:\n  call:\n    permissions:\n      id-token: write\n    uses: ./.github/workflows/reusable.yml\n`;
    const dir = writeTree({ '.github/workflows/reusable.yml': reusable, '.github/workflows/pr.yml': caller('pull_request_target') });
    const first = await run(dir, ['.', '-f', 'json', '--rule', 'require-subject-condition=off']);
    const finding = JSON.parse(first.out).findings.find((f: { ruleId: string }) => f.ruleId === 'no-oidc-in-untrusted-trigger');
    expect(finding.location.file).toBe('.github/workflows/reusable.yml');
    const callerFiles = (f: { related: { loc: { file: string } }[] }) => [...new Set(f.related.map((r) => r.loc.file))].filter((file) => file !== '.github/workflows/reusable.yml').sort();
    expect(callerFiles(finding)).toEqual(['.github/workflows/pr.yml']);
    expect((await run(dir, ['.', '--write-baseline', 'baseline.json'])).code).toBe(0);
    expect((await run(dir, ['.', '--baseline', 'baseline.json'])).code).toBe(0);
    writeFileSync(path.join(dir, '.github/workflows/comment.yml'), caller('issue_comment'));
    const r = await run(dir, ['.', '--baseline', 'baseline.json', '-f', 'json']);
    expect(r.code).toBe(1);
    const open = JSON.parse(r.out).findings.filter((f: { ruleId: string; suppressed?: unknown }) => f.ruleId === 'no-oidc-in-untrusted-trigger' && !f.suppressed);
    expect(open).toHaveLength(1);
    expect(callerFiles(open[0])).toEqual(['.github/workflows/comment.yml', '.github/workflows/pr.yml']);
  });
});

describe('accepting a cross-file finding', () => {
  // Checks out and runs the pull request's head: what no-oidc-in-untrusted-trigger reports.
  const reusable = (comment = '') => `on: workflow_call\njobs:\n  deploy:\n    runs-on: x\n    permissions:\n      id-token: write\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: \${{ github.event.pull_request.head.sha }}\n      - run: npm test\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n${comment}          role-to-assume: arn:aws:iam::123456789012:role/r\n          aws-region: us-east-1\n`;
  const caller = (event: string) => `on: ${event}\njobs:\n  call:\n    permissions:\n      id-token: write\n    uses: ./.github/workflows/reusable.yml\n`;
  const open = (out: string) => JSON.parse(out).findings.filter((f: { ruleId: string; suppressed?: unknown }) => f.ruleId === 'no-oidc-in-untrusted-trigger' && !f.suppressed);
  it('a config suppression covers the callers it names, not a new one', async () => {
    const config = 'suppressions:\n  - rule: no-oidc-in-untrusted-trigger\n    file: [.github/workflows/reusable.yml, .github/workflows/pr.yml]\n    reason: "reviewed, pr.yml only runs labelled pull requests"\n';
    const dir = writeTree({ '.github/workflows/reusable.yml': reusable(), '.github/workflows/pr.yml': caller('pull_request_target'), 'oidc-lint.config.yaml': config });
    expect(open((await run(dir, ['.', '-f', 'json'])).out)).toHaveLength(0);
    writeFileSync(path.join(dir, '.github/workflows/comment.yml'), caller('issue_comment'));
    expect(open((await run(dir, ['.', '-f', 'json'])).out)).toHaveLength(1);
  });
  it('a comment in the reusable workflow does not accept what its callers in other files do (the comment is reported unused)', async () => {
    const dir = writeTree({ '.github/workflows/reusable.yml': reusable('          # oidc-lint: ignore[no-oidc-in-untrusted-trigger] reviewed\n'), '.github/workflows/pr.yml': caller('pull_request_target') });
    const r = await run(dir, ['.', '-f', 'json']);
    expect(open(r.out)).toHaveLength(1);
    expect(JSON.parse(r.out).findings.some((f: { ruleId: string }) => f.ruleId === 'no-unused-suppression')).toBe(true);
  });
  it('a file name holding a key id is redacted in SARIF as a valid URI, and a GitHub annotation names it in its message', async () => {
    const key = 'AKIA' + 'Q7ZMW2OGYBAH6TRX';
    const dir = writeTree({ [`iam/${key}.json`]: GOOD_POLICY });
    const sarif = JSON.parse((await run(dir, ['.', '-f', 'sarif'])).out);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('iam/AKIA%E2%80%A6RX.json');
    const gh = (await run(dir, ['.', '-f', 'github'])).out;
    expect(gh).not.toContain('file=iam/AKIA');
    expect(gh).toContain('iam/AKIA…RX.json:');
  });
});

describe.skipIf(process.platform === 'win32')('--fix in a hostile repository', () => {
  it('does not write through a symlink out of the repository, even for a file named on the command line', async () => {
    const wf = 'on: push\njobs:\n  deploy:\n    runs-on: x\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/r\n          aws-region: us-east-1\n';
    const outside = writeTree({ 'other/.github/workflows/deploy.yml': wf });
    const target = path.join(outside, 'other/.github/workflows/deploy.yml');
    const dir = writeTree({ '.github/workflows/ok.yml': wf });
    symlinkSync(target, path.join(dir, '.github/workflows/linked.yml'));
    const r = await run(dir, ['.github/workflows/linked.yml', '.github/workflows/ok.yml', '--fix']);
    expect(readFileSync(target, 'utf8')).toBe(wf);
    expect(readFileSync(path.join(dir, '.github/workflows/ok.yml'), 'utf8')).toMatch(/id-token: write/);
    expect(r.err).toContain('oidc-lint: .github/workflows/linked.yml: not fixed: it is a symbolic link to a path outside the repository, which oidc-lint does not follow there\n');
  });
});
