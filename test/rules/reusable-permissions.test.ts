/** Permissions along reusable-workflow calls, as GitHub computes them (issue 15 item 2). */
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/loaders/index.js';
import { lintProject } from '../../src/engine/linter.js';
import { rules } from '../../src/rules/index.js';
import { graphOf } from '../../src/model/graph.js';
import type { Finding } from '../../src/engine/rule.js';
import { loadTree, writeTree } from '../helpers/project.js';

const CALLEE = '.github/workflows/deploy.yml';
const ASSUME = '      - uses: aws-actions/configure-aws-credentials@v6\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/deploy\n          aws-region: eu-west-1\n';
const callee = (perms: string, steps = ASSUME) => `on:\n  workflow_call:\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n${perms}    steps:\n${steps}`;
const JOB_WRITE = '    permissions:\n      id-token: write\n';
const caller = (on: string, perms: string, uses = `./${CALLEE}`, jobPerms = '') => `on: ${on}\n${perms}jobs:\n  call:\n${jobPerms}    uses: ${uses}\n`;

async function lint(files: Record<string, string>, ruleId: string, repository?: Record<string, string>): Promise<Finding[]> {
  const dir = writeTree(files);
  const project = await loadProject([dir], { root: dir });
  const cfg: Record<string, unknown> = {};
  for (const r of rules) cfg[r.id] = r.id === ruleId ? 'error' : 'off';
  const { findings, crashes } = lintProject(project, rules, { rules: cfg as never, settings: repository ? { repository: { owner: 'octo-org', repo: 'site', ...repository } } : {} });
  if (crashes.length) throw new Error(crashes[0].message);
  return findings;
}
const brief = (f: Finding[]) => f.map((x) => `${x.location.file}:${x.location.start.line} ${x.messageId} ${x.level}/${x.confidence}`);

describe('require-id-token-permission across calls', () => {
  const RULE = 'require-id-token-permission';
  it('a caller with no permissions anywhere: unknown org default → warn (medium); restricted → error; permissive → nothing', async () => {
    const files = { [CALLEE]: callee(JOB_WRITE), '.github/workflows/ci.yml': caller('push', '') };
    expect(brief(await lint(files, RULE))).toEqual(['.github/workflows/ci.yml:4 callerDefaultUnknown warn/medium']);
    expect(brief(await lint(files, RULE, { defaultPermissions: 'restricted' }))).toEqual(['.github/workflows/ci.yml:4 callerMissing error/high']);
    expect(await lint(files, RULE, { defaultPermissions: 'permissive' })).toEqual([]);
  });
  it('a called job that inherits (no block of its own) gets no id-token from a caller without one, whatever the default', async () => {
    const files = { [CALLEE]: callee(''), '.github/workflows/ci.yml': caller('push', '') };
    expect(brief(await lint(files, RULE, { defaultPermissions: 'permissive' }))).toEqual(['.github/workflows/ci.yml:4 callerMissing error/high']);
  });
  it('follows a chain of called workflows up to the job that decides', async () => {
    const middle = '.github/workflows/middle.yml';
    const files = (top: string) => ({
      [CALLEE]: callee(JOB_WRITE),
      [middle]: `on:\n  workflow_call:\njobs:\n  relay:\n    uses: ./${CALLEE}\n`,
      '.github/workflows/ci.yml': caller('push', top, `./${middle}`),
    });
    expect(await lint(files('permissions:\n  id-token: write\n'), RULE)).toEqual([]);
    expect(brief(await lint(files('permissions:\n  contents: read\n'), RULE))).toEqual(['.github/workflows/middle.yml:5 callerMissing error/high']);
    const p = await loadTree(files('permissions:\n  contents: read\n'));
    const relay = p.workflows.find((w) => w.file === middle)!.jobs[0];
    expect(graphOf(p).callerGrants(relay).map((g) => `${g.idToken} ${g.via.map((j) => j.id.value).join(' → ')}`)).toEqual(['none call → relay']);
  });
  it('a reusable workflow of another owner that requests a token needs the explicit grant; within the owner, the default decides', async () => {
    const SLSA = 'slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@v2.1.0';
    expect(brief(await lint({ '.github/workflows/ci.yml': caller('push', '', SLSA) }, RULE, { defaultPermissions: 'permissive' }))).toEqual(['.github/workflows/ci.yml:4 callerRemote error/high']);
    expect(await lint({ '.github/workflows/ci.yml': caller('push', 'permissions:\n  id-token: write\n', SLSA) }, RULE)).toEqual([]);
    // An unknown remote workflow: oidc-lint cannot tell what it needs.
    expect(await lint({ '.github/workflows/ci.yml': caller('push', '', 'example/other/.github/workflows/x.yml@v1') }, RULE, { defaultPermissions: 'restricted' })).toEqual([]);
  });
});

describe('no-oidc-in-untrusted-trigger across calls', () => {
  const RULE = 'no-oidc-in-untrusted-trigger';
  it('a called job without permissions of its own mints with the grant of a caller that outsiders can trigger', async () => {
    const HEAD = "      - uses: actions/checkout@v4\n        with:\n          ref: ${{ inputs.ref }}\n" + ASSUME + '      - run: make test\n';
    const pr = "on: pull_request_target\njobs:\n  call:\n    permissions:\n      id-token: write\n    uses: ./.github/workflows/deploy.yml\n    with:\n      ref: ${{ github.event.pull_request.head.sha }}\n";
    const f = await lint({ [CALLEE]: callee('', HEAD), '.github/workflows/pr.yml': pr }, RULE);
    expect(brief(f)).toEqual([`${CALLEE}:12 untrustedCheckout error/high`]);
    expect(f[0].related.map((r) => `${r.loc.file}:${r.loc.start.line}`)).toEqual(['.github/workflows/pr.yml:1', '.github/workflows/pr.yml:6', `${CALLEE}:7`, `${CALLEE}:14`]);
    // The same callee given the base ref runs only base code: nothing to report.
    expect(await lint({ [CALLEE]: callee('', HEAD), '.github/workflows/pr.yml': pr.replace('github.event.pull_request.head.sha', 'github.sha') }, RULE)).toEqual([]);
  });
  it('nothing when the caller grants no id-token (the called job cannot mint), or runs on trusted events only', async () => {
    expect(await lint({ [CALLEE]: callee(''), '.github/workflows/pr.yml': caller('pull_request_target', 'permissions:\n  contents: read\n') }, RULE)).toEqual([]);
    expect(await lint({ [CALLEE]: callee(JOB_WRITE), '.github/workflows/pr.yml': caller('pull_request_target', 'permissions:\n  contents: read\n') }, RULE)).toEqual([]);
    expect(await lint({ [CALLEE]: callee(''), '.github/workflows/ci.yml': caller('push', '', `./${CALLEE}`, JOB_WRITE) }, RULE)).toEqual([]);
  });
});

describe('this repository named as OWNER/REPO', () => {
  it('a call to OWNER/REPO/.github/workflows/x.yml@ref of the scanned repository is a local call', async () => {
    const dir = writeTree({ [CALLEE]: callee(JOB_WRITE), '.github/workflows/ci.yml': caller('push', 'permissions:\n  contents: read\n', `Octo-Org/Site/${CALLEE}@main`) });
    const project = await loadProject([dir], { root: dir, identity: { owner: 'octo-org', repo: 'site', source: 'config' } });
    const callerJob = project.workflows.find((w) => w.file.endsWith('ci.yml'))!.jobs[0];
    expect(graphOf(project).calleeOf(callerJob)?.file).toBe(CALLEE);
    const cfg: Record<string, unknown> = {};
    for (const r of rules) cfg[r.id] = r.id === 'require-id-token-permission' ? 'error' : 'off';
    expect(brief(lintProject(project, rules, { rules: cfg as never, settings: {} }).findings)).toEqual(['.github/workflows/ci.yml:6 callerMissing error/high']);
  });
});

describe('bounds', () => {
  it('a chain of 30 reusable workflows, each called twice by the next, is walked in linear time', async () => {
    const files: Record<string, string> = { '.github/workflows/w0.yml': callee(JOB_WRITE) };
    for (let i = 1; i <= 30; i++)
      files[`.github/workflows/w${i}.yml`] = `on:\n  ${i === 30 ? 'push' : 'workflow_call'}:\njobs:\n  a:\n    uses: ./.github/workflows/w${i - 1}.yml\n  b:\n    uses: ./.github/workflows/w${i - 1}.yml\n`;
    const p = await loadTree(files);
    const deep = p.workflows.find((w) => w.file.endsWith('/w1.yml'))!.jobs[0];
    expect(graphOf(p).callerGrants(deep).map((g) => `${g.idToken} ${g.via.length}`)).toEqual(['default 30', 'default 30']);
    expect(brief(await lint(files, 'require-id-token-permission')).length).toBe(2);
  });
});
