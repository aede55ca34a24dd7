import { describe, expect, it } from 'vitest';
import { symlinkSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { discover } from '../../src/loaders/shared/discover.js';
import { loadProject } from '../../src/loaders/index.js';
import { writeTree, trustPolicy } from '../helpers/project.js';

describe('discovery', () => {
  it('honours .gitignore (root and nested) and skips node_modules and .git', async () => {
    const dir = writeTree({
      '.gitignore': 'build/\n*.tmp.json\n',
      'build/policy.json': '{}',
      'a.tmp.json': '{}',
      'node_modules/x/policy.json': '{}',
      '.git/config': '',
      'sub/.gitignore': 'secret.json\n',
      'sub/secret.json': '{}',
      'sub/kept.json': '{}',
      '.github/workflows/ci.yml': 'on: push\njobs: {}\n',
    });
    const { files } = await discover([dir], { root: dir });
    expect(files.map((f) => f.relPath).sort()).toEqual(['.github/workflows/ci.yml', '.gitignore', 'sub/.gitignore', 'sub/kept.json']);
  });
  it('does not follow symlinks out of the scan root', async () => {
    const outside = writeTree({ 'policy.json': trustPolicy({}) });
    const dir = writeTree({ 'in.json': trustPolicy({}) });
    symlinkSync(path.join(outside, 'policy.json'), path.join(dir, 'linked.json'));
    mkdirSync(path.join(dir, 'loop'));
    symlinkSync(dir, path.join(dir, 'loop', 'again'));
    const { files } = await discover([dir], { root: dir });
    // The link out of the root is listed with why it is not read (reported if its name is one oidc-lint reads); the looping directory link is not entered.
    expect(files.map((f) => [f.relPath, f.notRead])).toEqual([
      ['in.json', undefined],
      ['linked.json', 'symlink to a path outside the scanned root, not followed (scan a directory that contains its target, or ignore this path)'],
    ]);
  });
  it('loads workflows and trust policies, ignores unrelated JSON, reports what it cannot read', async () => {
    const dir = writeTree({
      '.github/workflows/ci.yml': 'on: push\njobs:\n  a:\n    runs-on: x\n    steps: []\n',
      'iam/trust.json': trustPolicy({}),
      'package.json': '{"name":"x"}',
      'tsconfig.json': '{ // comments are fine here\n}',
      'data/other.json': '{"Statement": "not a policy"}',
      '.github/workflows/broken.yml': 'on: [',
    });
    const p = await loadProject([dir], { root: dir });
    expect(p.workflows.map((w) => w.file)).toEqual(['.github/workflows/ci.yml']);
    expect(p.roles.map((r) => r.origin.file)).toEqual(['iam/trust.json']);
    expect(p.loadErrors.map((e) => e.loc.file)).toEqual(['.github/workflows/broken.yml']);
  });
  it('skips files over the size limit with a finding, and binary workflows', async () => {
    const dir = writeTree({ '.github/workflows/big.yml': 'on: push\n' + '#'.repeat(5000), '.github/workflows/bin.yml': 'on: push\u0000' });
    const p = await loadProject([dir], { root: dir, maxFileBytes: 1000 });
    expect(p.loadErrors.map((e) => [e.loc.file, e.kind])).toEqual([
      ['.github/workflows/big.yml', 'limit'],
      ['.github/workflows/bin.yml', 'syntax'],
    ]);
  });
});
