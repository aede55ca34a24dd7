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
});
