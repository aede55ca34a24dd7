/**
 * action.yml, run by hand the way the runner would: the action is a copy of this checkout (as the
 * runner downloads it), its install step really runs `npm ci` there, and the lint step runs with
 * GitHub's variables against a workspace holding the broken example. The upload step is not run
 * (it needs GitHub); its pinned reference and evaluated inputs are checked instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { cleanEnv, copyCheckout } from '../helpers/exec.js';
import { evaluate, interpolate, loadAction, runCompositeAction, type ActionRun } from '../helpers/composite-action.js';
import { githubProblems, sarifValidator, schemaAvailable } from '../helpers/sarif-schema.js';

const action = loadAction(path.join(REPO_ROOT, 'action.yml'));
const INSTALL = 'Install oidc-lint';
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
    cpSync(path.join(REPO_ROOT, 'examples', 'broken'), workspace, { recursive: true });
    mkdirSync(runnerTemp, { recursive: true });
    return { workspace, runnerTemp };
  }

  beforeAll(() => {
    copyCheckout(actionPath);
    first = runCompositeAction(action, { actionPath, ...job('default'), env });
  }, 600_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('installs from the action’s own checkout, lints, writes SARIF to RUNNER_TEMP and hands it to upload-sarif', () => {
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

  it('stops before the upload on a usage error (exit code 2)', () => {
    const r = runCompositeAction(action, { actionPath, ...job('bad-args'), env, skip: [INSTALL], inputs: { args: '--no-such-option' } });
    expect(r.steps.map((s) => `${s.name}: ${s.status}`)).toEqual([`${INSTALL}: success`, 'Run oidc-lint: failure', `${UPLOAD}: skipped`, 'Fail on error-level problems: skipped']);
    expect(r.steps[1].exitCode).toBe(2);
    expect(r.steps[1].stderr).toContain("Unknown option '--no-such-option'");
    expect(r.steps[1].stdout).toContain('::error title=oidc-lint::oidc-lint failed (exit code 2)');
  });
});
