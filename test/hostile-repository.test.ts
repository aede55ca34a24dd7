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
