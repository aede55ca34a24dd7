import { describe, expect, it } from 'vitest';
import { predictProject, filterToPattern } from '../../src/model/predict.js';
import { loadProject } from '../../src/loaders/index.js';
import { writeTree } from '../helpers/project.js';
import type { RepoIdentity } from '../../src/model/project.js';

const ID: RepoIdentity = { owner: 'octo-org', repo: 'octo-repo', defaultBranch: 'trunk', source: 'config' };

async function predict(files: Record<string, string>, identity: RepoIdentity | undefined = ID) {
  const dir = writeTree(files);
  const project = await loadProject([dir], { root: dir, identity });
  const p = predictProject(project);
  const byJob: Record<string, string[]> = {};
  for (const [job, pred] of p) byJob[`${job.parent.file.replace(/^.*\//, '')}#${job.id.value}`] = pred.contexts.map((c) => `${c.kind}:${c.value}${c.unresolved ? '?' : ''}${c.untrusted ? '!' : ''}[${c.events.join(',')}]`);
  return byJob;
}

const job = (extra = '') => `jobs:\n  d:\n    runs-on: x\n${extra}    steps:\n      - run: echo\n`;

describe('predicting token contexts', () => {
  it('push with branch and tag filters, pull_request, dispatch', async () => {
    const r = await predict({ '.github/workflows/a.yml': `on:\n  push:\n    branches: [main, 'release/**']\n    tags: ['v*']\n  pull_request:\n  workflow_dispatch:\n${job()}` });
    expect(r['a.yml#d']).toEqual([
      'ref:refs/heads/main[push]',
      'ref:refs/heads/release/*[push]',
      'ref:refs/tags/v*[push]',
      'pull_request:[pull_request]',
      'ref:refs/heads/*[workflow_dispatch]',
      'ref:refs/tags/*[workflow_dispatch]',
    ]);
  });
  it('push without filters runs on every branch and tag; branches-only excludes tags', async () => {
    const r = await predict({ '.github/workflows/a.yml': `on: push\n${job()}`, '.github/workflows/b.yml': `on:\n  push:\n    branches-ignore: [wip]\n${job()}` });
    expect(r['a.yml#d']).toEqual(['ref:refs/heads/*[push]', 'ref:refs/tags/*[push]']);
    expect(r['b.yml#d']).toEqual(['ref:refs/heads/*[push]']);
  });
  it('default-branch events use the repository default branch and mark untrusted triggers', async () => {
    const r = await predict({ '.github/workflows/a.yml': `on: [schedule, pull_request_target, merge_group, release]\n${job()}` });
    expect(r['a.yml#d']).toEqual(['ref:refs/heads/trunk![schedule,pull_request_target]', 'ref:refs/heads/gh-readonly-queue/*[merge_group]', 'ref:refs/tags/*[release]']);
  });
  it('an unknown default branch is marked unresolved', async () => {
    const r = await predict({ '.github/workflows/a.yml': `on: schedule\n${job()}` }, { owner: 'o', repo: 'r', source: 'config' });
    expect(r['a.yml#d']).toEqual(['ref:refs/heads/main?[schedule]']);
  });
  it('an environment replaces the ref and pull_request contexts', async () => {
    const r = await predict({ '.github/workflows/a.yml': `on: [push, pull_request]\n${job('    environment: production\n')}`, '.github/workflows/b.yml': `on: push\n${job('    environment: ${{ inputs.env }}\n')}` });
    expect(r['a.yml#d']).toEqual(['environment:production[push,pull_request]']);
    expect(r['b.yml#d']).toEqual(['environment:*?[push]']);
  });
  it('a reusable workflow inherits its local callers\' contexts; without callers it is unknown', async () => {
    const dir = writeTree({
      '.github/workflows/caller.yml': 'on:\n  push:\n    branches: [main]\njobs:\n  call:\n    uses: ./.github/workflows/deploy.yml\n',
      '.github/workflows/deploy.yml': `on: workflow_call\n${job()}`,
      '.github/workflows/orphan.yml': `on: workflow_call\n${job()}`,
    });
    const project = await loadProject([dir], { root: dir, identity: ID });
    const p = predictProject(project);
    const get = (f: string) => [...p.values()].find((x) => x.job.parent.file.endsWith(f) && !x.job.uses)!;
    expect(get('deploy.yml').contexts.map((c) => c.value)).toEqual(['refs/heads/main']);
    expect(get('orphan.yml').unknown).toBe(true);
  });
  it('converts GitHub filter globs to superset patterns', () => {
    expect(filterToPattern('release/**')).toBe('release/*');
    expect(filterToPattern('v[0-9]+.*')).toBe('v?*.*');
  });
  it('a chain of 30 reusable workflows, each called twice by the one before, is predicted once per workflow', async () => {
    // Walked once per path, this took 2^30 steps (22 files took 20 s).
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++)
      files[`.github/workflows/r${i}.yml`] =
        i < 29
          ? `on: ${i === 0 ? 'push' : 'workflow_call'}\njobs:\n  a:\n    uses: ./.github/workflows/r${i + 1}.yml\n  b:\n    uses: ./.github/workflows/r${i + 1}.yml\n`
          : `on: workflow_call\n${job()}`;
    const r = await predict(files);
    expect(r['r29.yml#d']).toEqual(['ref:refs/heads/*[push]', 'ref:refs/tags/*[push]']);
  });
  it("a job's if: drops the events it excludes and narrows the refs it pins", async () => {
    const r = await predict({
      '.github/workflows/a.yml': `on: [push, workflow_dispatch, pull_request_target]\njobs:\n  main:\n    if: github.ref == 'refs/heads/main' && github.event_name != 'pull_request_target'\n    runs-on: x\n    steps:\n      - run: echo\n  tags:\n    if: \${{ startsWith(github.ref, 'refs/tags/') }}\n    runs-on: x\n    steps:\n      - run: echo\n  never:\n    if: false\n    runs-on: x\n    environment: prod\n    steps:\n      - run: echo\n  unread:\n    if: github.ref == (\n    runs-on: x\n    steps:\n      - run: echo\n`,
    });
    expect(r['a.yml#main']).toEqual(['ref:refs/heads/main[push,workflow_dispatch]']);
    expect(r['a.yml#tags']).toEqual(['ref:refs/tags/*[push,workflow_dispatch]']);
    expect(r['a.yml#never']).toEqual([]);
    expect(r['a.yml#unread']).toEqual(['ref:refs/heads/*[push,workflow_dispatch]', 'ref:refs/tags/*[push,workflow_dispatch]', 'ref:refs/heads/trunk![pull_request_target]']);
  });
  it("a caller's if: restricts the contexts of the reusable workflow it calls", async () => {
    const r = await predict({
      '.github/workflows/caller.yml': "on: [push, pull_request]\njobs:\n  call:\n    if: github.event_name == 'push'\n    uses: ./.github/workflows/deploy.yml\n",
      '.github/workflows/deploy.yml': `on: workflow_call\n${job()}`,
    });
    expect(r['deploy.yml#d']).toEqual(['ref:refs/heads/*[push]', 'ref:refs/tags/*[push]']);
  });
  it('workflow_run is untrusted unless every workflow it names exists here and runs only on events outsiders cannot cause', async () => {
    const r = await predict({
      '.github/workflows/build.yml': 'name: Build\non:\n  push:\n    branches: [main]\njobs:\n  b:\n    runs-on: x\n    steps:\n      - run: make\n',
      '.github/workflows/test.yml': 'name: Test\non: pull_request\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: make test\n',
      '.github/workflows/chain.yml': 'name: Chain\non:\n  workflow_run:\n    workflows: [Test]\njobs:\n  c:\n    runs-on: x\n    steps:\n      - run: echo\n',
      '.github/workflows/after-build.yml': `on:\n  workflow_run:\n    workflows: [Build]\n    types: [completed]\n${job()}`,
      '.github/workflows/after-test.yml': `on:\n  workflow_run:\n    workflows: [Build, Test]\n${job()}`,
      '.github/workflows/after-chain.yml': `on:\n  workflow_run:\n    workflows: [Chain]\n${job()}`,
      '.github/workflows/after-missing.yml': `on:\n  workflow_run:\n    workflows: [Elsewhere]\n${job()}`,
    });
    expect(r['after-build.yml#d']).toEqual(['ref:refs/heads/trunk[workflow_run]']);
    expect(r['after-test.yml#d']).toEqual(['ref:refs/heads/trunk![workflow_run]']);
    expect(r['after-chain.yml#d']).toEqual(['ref:refs/heads/trunk![workflow_run]']);
    expect(r['after-missing.yml#d']).toEqual(['ref:refs/heads/trunk![workflow_run]']);
  });
});
