/**
 * The pre-commit hook with the real `pre-commit` program (Debian package `pre-commit`), as a user
 * meets it: a fresh git repository whose .pre-commit-config.yaml points at this project. pre-commit
 * clones the hook repository, `npm install`s it (our `prepare` builds it), packs and installs it;
 * then a commit with a broken trust policy is refused and a clean one goes through.
 *
 * The hook repository is a snapshot of this checkout's working tree committed to a temporary git
 * repository (so what is tested is what is on disk, committed or not). Network: only the npm
 * registry is exempt from a dead HTTP(S) proxy, so a Node download by nodeenv (or any other client
 * that honours the proxy variables) fails the test; pre-commit uses the system Node and npm.
 *
 * Where pre-commit is not installed the test is skipped with the reason, except under .ci/run
 * (OIDC_LINT_REQUIRE_PRE_COMMIT=1), where that is a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanEnv, copyCheckout, exec, onPath, run } from '../helpers/exec.js';
import { trustPolicy } from '../helpers/project.js';

const available = onPath('pre-commit');
const required = process.env.OIDC_LINT_REQUIRE_PRE_COMMIT === '1';
const REASON = 'pre-commit is not installed (apt-get install pre-commit; OIDC_LINT_REQUIRE_PRE_COMMIT=1 makes this a failure)';

const DEPLOY = `on:
  push:
    branches: [main]
permissions:
  id-token: write
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: eu-west-1
`;
const SUB = 'token.actions.githubusercontent.com:sub';
const AUD = 'token.actions.githubusercontent.com:aud';
const CLEAN_POLICY = trustPolicy({ Condition: { StringEquals: { [AUD]: 'sts.amazonaws.com', [SUB]: 'repo:my-org/infra:ref:refs/heads/main' } } });
const BROKEN_POLICY = trustPolicy({ Condition: { StringEquals: { [AUD]: 'sts.amazonaws.com' }, StringLike: { [SUB]: 'repo:*' } } });

describe('pre-commit hook', () => {
  if (!available && required) {
    it('has pre-commit installed (OIDC_LINT_REQUIRE_PRE_COMMIT=1)', () => {
      expect.fail(REASON);
    });
  }

  const tmp = mkdtempSync(path.join(tmpdir(), 'oidc-lint-pre-commit-'));
  const hookRepo = path.join(tmp, 'oidc-lint');
  const userRepo = path.join(tmp, 'infra');
  const env = cleanEnv({
    PRE_COMMIT_HOME: path.join(tmp, 'pre-commit-home'),
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    // Only the npm registry may be reached (for clients that honour these variables).
    http_proxy: 'http://127.0.0.1:9',
    https_proxy: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    no_proxy: 'registry.npmjs.org',
    NO_PROXY: 'registry.npmjs.org',
  });
  const git = (args: string[], cwd = userRepo) => run('git', ['-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args], { cwd, env });
  /** `git commit`; git runs the hook with its stdout sent to stderr, so `out` is both. */
  const commit = (message: string) => {
    const r = exec('git', ['-c', 'commit.gpgsign=false', 'commit', '-m', message], { cwd: userRepo, env, timeoutMs: 900_000 });
    return { code: r.code, out: r.stdout + r.stderr };
  };
  const head = () => git(['rev-parse', 'HEAD']).stdout.trim();
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(userRepo, rel)), { recursive: true });
    writeFileSync(path.join(userRepo, rel), text);
  };

  beforeAll(() => {
    if (!available) return;
    copyCheckout(hookRepo);
    git(['init', '-q'], hookRepo);
    git(['add', '-A'], hookRepo);
    git(['commit', '-q', '-m', 'snapshot'], hookRepo);
    const rev = git(['rev-parse', 'HEAD'], hookRepo).stdout.trim();
    mkdirSync(userRepo);
    git(['init', '-q']);
    write('.pre-commit-config.yaml', `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: oidc-lint\n`);
    run('pre-commit', ['install'], { cwd: userRepo, env });
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it.skipIf(!available)(`lets a clean commit through and refuses one with a broken trust policy${available ? '' : ` — skipped: ${REASON}`}`, () => {
    write('.github/workflows/deploy.yml', DEPLOY);
    write('iam/deploy-trust.json', CLEAN_POLICY);
    git(['add', '-A']);
    // The first commit installs the hook environment (npm install + build of the hook repository).
    const clean = commit('deploy with OIDC');
    expect(clean.code, clean.out).toBe(0);
    expect(clean.out).toMatch(/^oidc-lint\.+Passed$/m);
    const good = head();

    write('iam/deploy-trust.json', BROKEN_POLICY);
    git(['add', '-A']);
    const broken = commit('trust every repository');
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/^oidc-lint\.+Failed$/m);
    expect(broken.out).toMatch(/^- exit code: 1$/m);
    expect(broken.out).toContain('iam/deploy-trust.json:');
    expect(broken.out).toContain('Any GitHub repository of any owner can assume this role: sub pattern "repo:*"');
    expect(broken.out).toContain('no-wildcard-subject');
    expect(head()).toBe(good);

    // A commit touching nothing oidc-lint reads does not run it.
    git(['reset', '-q', '--hard']);
    write('README.md', '# infra\n');
    git(['add', 'README.md']);
    const docs = commit('docs');
    expect(docs.code, docs.out).toBe(0);
    expect(docs.out).toMatch(/^oidc-lint\.+\(no files to check\)Skipped$/m);
    expect(head()).not.toBe(good);
  }, 900_000);
});
