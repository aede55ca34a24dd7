/** The real CLI, spawned as a process, on the examples a newcomer runs first. */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, existsSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { githubProblems, sarifValidator, schemaAvailable } from '../helpers/sarif-schema.js';
import { writeTree } from '../helpers/project.js';
import { generateMonorepo } from '../../scripts/bench/generate.js';
import { pristineExample, pristineExamples } from '../helpers/examples.js';

const BIN = path.join(REPO_ROOT, 'bin', 'oidc-lint.js');

function run(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? pristineExamples(), encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...opts.env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('oidc-lint CLI (spawned)', () => {
  it('flags the classic mistakes in examples/broken as valid SARIF and exits 1', () => {
    const r = run(['examples/broken', '--format', 'sarif']);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout);
    if (schemaAvailable) expect(sarifValidator()(log)).toBe(true);
    expect(githubProblems(log)).toEqual([]);
    const got = log.runs[0].results.map((x: any) => `${x.ruleId} ${x.locations[0].physicalLocation.artifactLocation.uri}:${x.locations[0].physicalLocation.region.startLine}`);
    expect(got).toEqual([
      'no-excessive-id-token-permission examples/broken/.github/workflows/deploy.yml:8',
      'require-id-token-permission examples/broken/.github/workflows/deploy.yml:27',
      'no-unassumable-role examples/broken/.github/workflows/deploy.yml:29',
      'no-static-aws-credentials examples/broken/.github/workflows/nightly-backup.yml:16',
      'require-subject-condition examples/broken/iam/github-actions-deploy-trust.json:7',
      'require-audience-condition examples/broken/iam/github-actions-deploy-trust.json:12',
    ]);
  });
  it('lints the corrected twin clean and exits 0', () => {
    const r = run(['examples/fixed']);
    expect(r.stdout).toMatch(/✓ no problems \(4 files checked\)/);
    expect(r.code).toBe(0);
  });
  it('prints file:line:col  level  message  rule-id without colour when not a TTY', () => {
    const r = run(['examples/broken/iam/github-actions-deploy-trust.json']);
    expect(r.stdout).toContain('examples/broken/iam/github-actions-deploy-trust.json:7:22  error  Any GitHub repository can assume this role');
    expect(r.stdout).not.toContain('\u001b[');
    expect(r.stdout).toMatch(/✖ 2 problems \(2 errors, 0 warnings\)/);
  });
  it('honours NO_COLOR even with --color absent and FORCE-like TTY detection off', () => {
    const r = run(['examples/broken'], { env: { NO_COLOR: '1' } });
    expect(r.stdout).not.toContain('\u001b[');
  });
  it('writes --output-file and --format json with a stable shape', () => {
    const dir = writeTree({});
    const out = path.join(dir, 'report.json');
    const r = run(['examples/broken', '-f', 'json', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc).toMatchObject({ version: 1, tool: { name: 'oidc-lint' }, summary: { errors: 5, warnings: 1 } });
    expect(doc.findings[0]).toHaveProperty('fingerprint');
  });
  it('turns rules off with --rule and exits 0 when nothing is left', () => {
    const args = ['examples/broken'];
    for (const id of ['require-id-token-permission', 'no-static-aws-credentials', 'require-subject-condition', 'require-audience-condition', 'no-unassumable-role']) args.push('--rule', `${id}=off`);
    expect(run(args).code).toBe(0);
    expect(run(['examples/broken', '--rule', 'require-subject-condition=warn', '--rule', 'require-audience-condition=off', '--rule', 'no-static-aws-credentials=off', '--rule', 'require-id-token-permission=off', '--rule', 'no-unassumable-role=warn']).code).toBe(0);
  });
  it('--fix repairs the workflows of examples/broken in place and leaves the trust policy to people', () => {
    const dir = writeTree({});
    cpSync(pristineExample('broken'), dir, { recursive: true });
    const policy = readFileSync(path.join(dir, 'iam/github-actions-deploy-trust.json'), 'utf8');
    const deploy = readFileSync(path.join(dir, '.github/workflows/deploy.yml'), 'utf8');
    const r = run(['--fix', '.'], { cwd: dir });
    expect(r.stderr).toBe('oidc-lint: fixed 2 problems in 1 file: .github/workflows/deploy.yml\n');
    expect(readFileSync(path.join(dir, '.github/workflows/deploy.yml'), 'utf8')).toBe(
      deploy.replace('permissions:\n  id-token: write\n  contents: read\n', 'permissions:\n  contents: read\n').replace('    permissions:\n      contents: read\n', '    permissions:\n      contents: read\n      id-token: write\n'),
    );
    expect(readFileSync(path.join(dir, 'iam/github-actions-deploy-trust.json'), 'utf8')).toBe(policy);
    expect(r.stdout).toMatch(/✖ 4 problems \(4 errors, 0 warnings\)/);
    expect(r.stdout).not.toMatch(/require-id-token-permission|no-excessive-id-token-permission/);
    expect(r.code).toBe(1);
    const again = run(['--fix', '.'], { cwd: dir });
    expect([again.stderr, again.stdout]).toEqual(['', r.stdout]);
  });
  it('exits 2 on usage errors with a clear message', () => {
    expect(run(['--format', 'xml']).code).toBe(2);
    expect(run(['--rule', 'nope']).stderr).toMatch(/--rule expects id=off\|warn\|error/);
    expect(run(['--rule', 'no-such=error', 'examples/fixed']).stderr).toMatch(/unknown rule 'no-such'/);
    expect(run(['does/not/exist']).code).toBe(2);
    expect(run(['--bogus']).code).toBe(2);
    const threads = run(['--threads', '0', 'examples/fixed']);
    expect(threads.code).toBe(2);
    expect(threads.stderr).toMatch(/--threads expects a whole number >= 1, got '0'/);
  });
  it('loads a large repository with a worker thread to the same report as with one thread', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oidc-lint-pool-'));
    try {
      // 800 policies: 200 of them Terraform and 120 CDK, which the worker thread loads.
      generateMonorepo(dir, { workflows: 40, policies: 800 });
      const env = { OIDC_LINT_DEBUG: 'pool' };
      const one = run([dir, '--format', 'json', '--threads', '1'], { env });
      const two = run([dir, '--format', 'json'], { env });
      expect(one.code).toBe(1);
      expect(JSON.parse(one.stdout).findings.length).toBeGreaterThan(50);
      expect(two.stdout).toBe(one.stdout);
      expect(one.stderr).not.toMatch(/worker thread/);
      expect(one.stderr).toMatch(/one thread loaded every file: 320 CDK and Terraform files for a second one \(Terraform, and \.ts files that mention CDK IAM\), 520 others/);
      // The bundled CLI's worker (bin/load-worker.js) loaded them.
      expect(two.stderr).toMatch(/the worker thread loaded 320 of 320 CDK and Terraform files/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('prints --help and --version', () => {
    expect(run(['--help']).stdout).toMatch(/Usage: oidc-lint/);
    expect(run(['--version']).stdout.trim()).toBe(JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version);
  });
  it('reports malformed files as parse-error and still lints the others', () => {
    const dir = writeTree({
      '.github/workflows/bad.yml': 'on: push\njobs:\n  a: [\n',
      '.github/workflows/empty.yml': '',
      '.github/workflows/list.yml': '- just\n- a list\n',
      'iam/broken.json': '{"Statement": [',
      'iam/ok.json': '{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}',
    });
    const r = run(['.', '-f', 'json'], { cwd: dir });
    const doc = JSON.parse(r.stdout);
    const pe = doc.findings.filter((f: any) => f.ruleId === 'parse-error').map((f: any) => f.location.file);
    expect(pe).toEqual(['.github/workflows/bad.yml', '.github/workflows/empty.yml', '.github/workflows/list.yml', 'iam/broken.json']);
    expect(doc.findings.some((f: any) => f.ruleId === 'require-subject-condition' && f.location.file === 'iam/ok.json')).toBe(true);
    expect(r.code).toBe(1);
  });
  it('stops quietly, with its own exit code, when the reader of its output goes away (`| head`)', async () => {
    const child = spawn(process.execPath, [BIN, 'examples/broken', '--format', 'sarif'], { cwd: pristineExamples(), env: { PATH: process.env.PATH ?? '' } });
    child.stdout.destroy(); // the reader is gone before the report is written
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });
});
