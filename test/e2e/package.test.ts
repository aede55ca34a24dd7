/**
 * The npm package as a user gets it: `npm pack` this checkout, `npm install` the tarball into a
 * fresh project (dependencies come from the registry, or npm's cache), run its bin on the broken
 * example, and type-check and run the README's programmatic-API example against it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { pristineExample } from '../helpers/examples.js';
import { exec, requireDist, run } from '../helpers/exec.js';

const PKG = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));

/** The first ```ts block of the README's "Programmatic API" section. */
function readmeApiExample(): string {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Programmatic API'));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README has no ```ts example under "## Programmatic API"');
  return m[1];
}

describe('the npm package', () => {
  let files: string[] = [];
  let project = '';
  let out = '';
  afterAll(() => {
    for (const d of [out, project]) if (d) rmSync(d, { recursive: true, force: true });
  });

  beforeAll(() => {
    requireDist();
    out = mkdtempSync(path.join(tmpdir(), 'oidc-lint-pack-'));
    // --ignore-scripts: `prepare` (the build) already ran for this test run; rebuilding dist/ here
    // would race with the other test files that spawn the CLI from it.
    const packed = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', out], { cwd: REPO_ROOT }).stdout)[0];
    files = packed.files.map((f: { path: string }) => f.path).sort();
    project = mkdtempSync(path.join(tmpdir(), 'oidc-lint-consumer-'));
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(out, packed.filename), '@types/node@20'], { cwd: project, timeoutMs: 600_000 });
    cpSync(pristineExample('broken'), path.join(project, 'repo'), { recursive: true });
  }, 600_000);

  it('ships the CLI, the compiled library with declarations, the config schema, the docs — and nothing else', () => {
    for (const f of ['bin/oidc-lint.js', 'bin/load-cli.js', 'bin/package.json', 'dist/oidc-lint.cjs', 'dist/validators.cjs', 'dist/src/cli.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'schemas/oidc-lint.config.schema.json', 'package.json', 'README.md', 'rules.md']) expect(files).toContain(f);
    const stray = files.filter((f) => !/^(bin\/|dist\/src\/|dist\/oidc-lint\.cjs$|dist\/validators\.cjs$|schemas\/)/.test(f) && !['package.json', 'README.md', 'rules.md', 'LICENSE'].includes(f));
    expect(stray).toEqual([]);
    expect(files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toBe(false);
    expect(PKG.exports['.']).toEqual({ types: './dist/src/index.d.ts', default: './dist/src/index.js' });
    expect(PKG.engines.node).toBe('>=20.12');
    // Nothing runs on install: the build is `prepack` (npm pack and git installs run it), not `prepare`.
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(PKG.scripts[hook], hook).toBeUndefined();
    expect(PKG.scripts.prepack).toBe('npm run build');
    // A V8 code cache is built for one Node.js and embeds the path it was compiled from: none is shipped.
    expect(files.filter((f) => f.endsWith('.cache'))).toEqual([]);
  });

  it('holds no path of the machine that built it', () => {
    const installed = path.join(project, 'node_modules', 'oidc-lint');
    const leaks = files.filter((f) => readFileSync(path.join(installed, f), 'latin1').includes(REPO_ROOT));
    expect(leaks).toEqual([]);
  });

  it('installs with only its dependencies and runs as `npx oidc-lint`', () => {
    const r = exec('npx', ['--no', '--', 'oidc-lint', 'repo'], { cwd: project });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('repo/iam/github-actions-deploy-trust.json:7:22  error  Any GitHub repository can assume this role');
    expect(r.stdout).toMatch(/✖ 6 problems \(5 errors, 1 warning\) in 3 files checked\n {2}2 of them fixable with --fix/);
    expect(exec('npx', ['--no', '--', 'oidc-lint', '--version'], { cwd: project }).stdout.trim()).toBe(PKG.version);
  });

  it('validates config files with the schema it ships', () => {
    writeFileSync(path.join(project, 'bad.yaml'), 'rulez: {}\n');
    const bad = exec('npx', ['--no', '--', 'oidc-lint', '--config', 'bad.yaml', 'repo'], { cwd: project });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("bad.yaml:1:1: rulez: unknown key 'rulez'");
    writeFileSync(path.join(project, 'good.yaml'), 'repository: { owner: my-org, repo: website, defaultBranch: main }\nrules:\n  require-subject-condition: warn\n');
    const good = exec('npx', ['--no', '--', 'oidc-lint', '--config', 'good.yaml', 'repo'], { cwd: project });
    expect(good.stdout).toMatch(/✖ 6 problems \(4 errors, 2 warnings\)/);
  });

  it("type-checks and runs the README's programmatic example", () => {
    const code = readmeApiExample();
    writeFileSync(path.join(project, 'example.mts'), code);
    writeFileSync(path.join(project, 'example.mjs'), code);
    const tsc = path.join(project, 'node_modules', 'typescript', 'bin', 'tsc');
    run(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', 'example.mts'], { cwd: project });
    const r = exec(process.execPath, [path.join(project, 'example.mjs')], { cwd: path.join(project, 'repo') });
    // lint() reads no config file, so the cross-check (which needs the repository named in
    // repo/oidc-lint.config.yaml) does not run: five findings, where the CLI reports six.
    expect(r.stderr).toBe('');
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      '.github/workflows/deploy.yml:8:13  warn  no-excessive-id-token-permission',
      '.github/workflows/deploy.yml:27:15  error  require-id-token-permission',
      '.github/workflows/nightly-backup.yml:16:11  warn  no-static-aws-credentials',
      'iam/github-actions-deploy-trust.json:7:22  error  require-subject-condition',
      'iam/github-actions-deploy-trust.json:12:54  error  require-audience-condition',
    ]);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(readFileSync(path.join(project, 'repo', 'oidc-lint.sarif'), 'utf8'));
    expect(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toEqual(['no-excessive-id-token-permission', 'require-id-token-permission', 'no-static-aws-credentials', 'require-subject-condition', 'require-audience-condition']);
  });
});
