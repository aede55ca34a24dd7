/**
 * The start-up path of the built CLI: bin/oidc-lint.js runs the bundle (dist/oidc-lint.cjs) from the
 * V8 code cache written at build time, and behaves exactly the same when that cache is missing or
 * does not fit (another Node.js version, a damaged file). Lazily imported dependencies through the
 * bundle: lazy-cdk.test.ts and lazy-terraform.test.ts. Speed itself is measured by `npm run bench`.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { pristineExample } from '../helpers/examples.js';

function requireBundle() {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'oidc-lint.cjs'))) throw new Error('dist/oidc-lint.cjs is missing: run `npm run build` (npm test does it)');
}

function node(args: string[], cwd = REPO_ROOT, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of the installed layout (bin/, package.json, dist/oidc-lint.cjs and whatever cache the test writes). */
function installCopy(cache: Buffer | 'unreadable' | undefined): string {
  const root = mkdtempSync(path.join(tmpdir(), 'oidc-lint-startup-'));
  cpSync(path.join(REPO_ROOT, 'bin'), path.join(root, 'bin'), { recursive: true });
  cpSync(path.join(REPO_ROOT, 'package.json'), path.join(root, 'package.json'));
  cpSync(path.join(REPO_ROOT, 'schemas'), path.join(root, 'schemas'), { recursive: true });
  mkdirSync(path.join(root, 'dist'));
  cpSync(path.join(REPO_ROOT, 'dist', 'oidc-lint.cjs'), path.join(root, 'dist', 'oidc-lint.cjs'));
  // A directory where the cache should be: reading it fails (EISDIR), even as root.
  const cacheFile = path.join(root, 'dist', `oidc-lint.cjs-${process.version}-${process.arch}.cache`);
  if (cache === 'unreadable') mkdirSync(cacheFile);
  else if (cache) writeFileSync(cacheFile, cache);
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return root;
}

const LINT = [pristineExample('broken'), '--format', 'json'];

describe('start-up of the built CLI', () => {
  it('the code cache written by the build is accepted by this Node.js', () => {
    requireBundle();
    const r = node(['--input-type=module', '-e', "const { loadBundle } = await import('./bin/load-cli.js'); const l = loadBundle(); console.log(JSON.stringify({ cacheUsed: l.cacheUsed, main: typeof l.cli.main }));"]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ cacheUsed: true, main: 'function' });
  });

  it.each([
    ['no cache file', undefined],
    ['a damaged cache file', Buffer.from('not a V8 code cache at all, just bytes '.repeat(64))],
    ['a cache that cannot be read', 'unreadable' as const],
  ])('with %s the bundle still runs and reports the same findings', (_name, cache) => {
    requireBundle();
    const expected = node([path.join('bin', 'oidc-lint.js'), ...LINT]);
    expect(expected.code).toBe(1);
    const root = installCopy(cache);
    const got = node([path.join(root, 'bin', 'oidc-lint.js'), ...LINT]);
    expect(got.stderr).toBe('');
    expect(got.code).toBe(1);
    expect(JSON.parse(got.stdout).findings).toEqual(JSON.parse(expected.stdout).findings);
    const probe = node(['--input-type=module', '-e', `const { loadBundle } = await import(${JSON.stringify(path.join(root, 'bin', 'load-cli.js'))}); console.log(loadBundle().cacheUsed);`]);
    expect(probe.stdout.trim()).toBe('false');
  });

  it('without a cache for this Node.js, the first run writes one to the user cache folder and the next start uses it', () => {
    requireBundle();
    const expected = node([path.join('bin', 'oidc-lint.js'), ...LINT]);
    const root = installCopy(undefined);
    const cacheDir = path.join(mkdtempSync(path.join(tmpdir(), 'oidc-lint-user-cache-')), 'nested', 'oidc-lint');
    const env = { OIDC_LINT_CACHE_DIR: cacheDir };
    const probe = () => JSON.parse(node(['--input-type=module', '-e', `const { loadBundle } = await import(${JSON.stringify(path.join(root, 'bin', 'load-cli.js'))}); const l = loadBundle(); console.log(JSON.stringify({ used: l.cacheUsed, file: l.cacheFile ?? null }));`], REPO_ROOT, env).stdout);
    expect(probe()).toEqual({ used: false, file: null });
    const first = node([path.join(root, 'bin', 'oidc-lint.js'), ...LINT], REPO_ROOT, env);
    expect(first.stderr).toBe('');
    expect(JSON.parse(first.stdout).findings).toEqual(JSON.parse(expected.stdout).findings);
    const written = readdirSync(cacheDir);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(new RegExp(`^oidc-lint-\\d+-\\d+-${process.version.replace(/\./g, '\\.')}-${process.arch}\\.cache$`));
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    expect(probe()).toEqual({ used: true, file: path.join(cacheDir, written[0]) });
    const second = node([path.join(root, 'bin', 'oidc-lint.js'), ...LINT], REPO_ROOT, env);
    expect(second.code).toBe(1);
    expect(JSON.parse(second.stdout).findings).toEqual(JSON.parse(expected.stdout).findings);
    expect(readdirSync(cacheDir)).toEqual(written);
    // A damaged user cache is the same as none: same findings, and it is not used.
    writeFileSync(path.join(cacheDir, written[0]), 'damaged');
    const third = node([path.join(root, 'bin', 'oidc-lint.js'), ...LINT], REPO_ROOT, env);
    expect(JSON.parse(third.stdout).findings).toEqual(JSON.parse(expected.stdout).findings);
  });

  it('OIDC_LINT_CACHE_DIR set to the empty string writes no cache; without it the cache goes under $HOME/.cache', () => {
    requireBundle();
    const root = installCopy(undefined);
    const home = mkdtempSync(path.join(tmpdir(), 'oidc-lint-home-'));
    const r = node([path.join(root, 'bin', 'oidc-lint.js'), ...LINT], REPO_ROOT, { HOME: home, OIDC_LINT_CACHE_DIR: '' });
    expect(r.code).toBe(1);
    expect(readdirSync(home)).toEqual([]);
    const withHome = node([path.join(root, 'bin', 'oidc-lint.js'), ...LINT], REPO_ROOT, { HOME: home });
    expect(withHome.code).toBe(1);
    expect(readdirSync(path.join(home, '.cache', 'oidc-lint'))).toHaveLength(1);
  });
});

describe('what a plain run loads', () => {
  it('writing the report to a file, it loads neither the ES module loader nor the stream modules', () => {
    requireBundle();
    const dir = mkdtempSync(path.join(tmpdir(), 'oidc-lint-modules-'));
    // A preload records Node's own module list at exit (process.moduleLoadList: built-ins as they load).
    writeFileSync(path.join(dir, 'record.cjs'), `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'modules.json'))}, JSON.stringify(process.moduleLoadList)));\n`);
    // --no-config: the example's config file is validated with ajv, imported as an ES module.
    const r = spawnSync(process.execPath, ['--require', path.join(dir, 'record.cjs'), path.join('bin', 'oidc-lint.js'), pristineExample('broken'), '--no-config', '-f', 'sarif', '-o', path.join(dir, 'out.sarif')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(JSON.parse(readFileSync(path.join(dir, 'out.sarif'), 'utf8')).runs[0].results.length).toBeGreaterThan(0);
    const modules: string[] = JSON.parse(readFileSync(path.join(dir, 'modules.json'), 'utf8'));
    expect(modules).toContain('NativeModule vm');
    // What Node.js itself loads to run a CommonJS file differs by version (Node.js 22 and later load
    // parts of the ES module loader for every program): only what oidc-lint adds to that counts.
    writeFileSync(path.join(dir, 'plain.cjs'), "'use strict';\n");
    spawnSync(process.execPath, ['--require', path.join(dir, 'record.cjs'), path.join(dir, 'plain.cjs')], { env: { PATH: process.env.PATH ?? '' } });
    const baseline = new Set<string>(JSON.parse(readFileSync(path.join(dir, 'modules.json'), 'utf8')));
    const added = modules.filter((m) => !baseline.has(m));
    for (const heavy of ['NativeModule stream', 'NativeModule internal/fs/promises', 'NativeModule internal/modules/esm/translators', 'NativeModule worker_threads'])
      expect(added).not.toContain(heavy);
  });
  it('OIDC_LINT_DEBUG=timing prints where the time went: one line per phase, then the total since the process started', () => {
    requireBundle();
    const r = node([path.join('bin', 'oidc-lint.js'), pristineExample('broken'), '-f', 'json']);
    const timed = spawnSync(process.execPath, [path.join('bin', 'oidc-lint.js'), pristineExample('broken'), '-f', 'json'], { cwd: REPO_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', OIDC_LINT_DEBUG: 'timing' } });
    expect(timed.status).toBe(r.code);
    expect(timed.stdout).toBe(r.stdout);
    const phases = [...timed.stderr.matchAll(/^oidc-lint: debug: timing: +([\d.]+) ms {2}(.+)$/gm)].map((m) => [m[2].replace(/ \(.*/, ''), Number(m[1])] as const);
    expect(phases.map(([name]) => name)).toEqual(['start-up', 'options and config', 'loading files', 'trust-policy analysis', 'rules', 'report', 'in all since the process started']);
    expect(timed.stderr).toMatch(/in all since the process started \(3 files\)/);
    const total = phases.at(-1)![1];
    const sum = phases.slice(0, -1).reduce((s, [, ms]) => s + ms, 0);
    expect(sum).toBeLessThanOrEqual(total + 0.5);
    expect(sum).toBeGreaterThan(total * 0.8);
  });
});
