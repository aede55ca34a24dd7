/**
 * The start-up path of the built CLI: bin/oidc-lint.js runs the bundle (dist/oidc-lint.cjs) from the
 * V8 code cache written at build time, and behaves exactly the same when that cache is missing or
 * does not fit (another Node.js version, a damaged file). Lazily imported dependencies through the
 * bundle: lazy-cdk.test.ts and lazy-terraform.test.ts. Speed itself is measured by `npm run bench`.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/fixtures.js';

function requireBundle() {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'oidc-lint.cjs'))) throw new Error('dist/oidc-lint.cjs is missing: run `npm run build` (npm test does it)');
}

function node(args: string[], cwd = REPO_ROOT) {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
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
  if (cache === 'unreadable') mkdirSync(path.join(root, 'dist', 'oidc-lint.cjs.cache'));
  else if (cache) writeFileSync(path.join(root, 'dist', 'oidc-lint.cjs.cache'), cache);
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return root;
}

const LINT = ['examples/broken', '--format', 'json'];

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
});

describe('what a plain run loads', () => {
  it('writing the report to a file, it loads neither the ES module loader nor the stream modules', () => {
    requireBundle();
    const dir = mkdtempSync(path.join(tmpdir(), 'oidc-lint-modules-'));
    // A preload records Node's own module list at exit (process.moduleLoadList: built-ins as they load).
    writeFileSync(path.join(dir, 'record.cjs'), `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'modules.json'))}, JSON.stringify(process.moduleLoadList)));\n`);
    // --no-config: the example's config file is validated with ajv, imported as an ES module.
    const r = spawnSync(process.execPath, ['--require', path.join(dir, 'record.cjs'), path.join('bin', 'oidc-lint.js'), 'examples/broken', '--no-config', '-f', 'sarif', '-o', path.join(dir, 'out.sarif')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(JSON.parse(readFileSync(path.join(dir, 'out.sarif'), 'utf8')).runs[0].results.length).toBeGreaterThan(0);
    const modules: string[] = JSON.parse(readFileSync(path.join(dir, 'modules.json'), 'utf8'));
    expect(modules).toContain('NativeModule vm');
    for (const heavy of ['NativeModule stream', 'NativeModule internal/fs/promises', 'NativeModule internal/modules/esm/translators', 'NativeModule worker_threads'])
      expect(modules).not.toContain(heavy);
  });
  it('OIDC_LINT_DEBUG=timing prints where the time went: one line per phase, then the total since the process started', () => {
    requireBundle();
    const r = node([path.join('bin', 'oidc-lint.js'), 'examples/broken', '-f', 'json']);
    const timed = spawnSync(process.execPath, [path.join('bin', 'oidc-lint.js'), 'examples/broken', '-f', 'json'], { cwd: REPO_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', OIDC_LINT_DEBUG: 'timing' } });
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
