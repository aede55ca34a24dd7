/** Tracked files read from git's index, checked against what git itself lists (`git ls-files`). */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { isTracked, parseIndex, readTrackedPaths, GitIndexError } from '../../src/loaders/shared/git-index.js';
import { discover } from '../../src/loaders/shared/discover.js';
import { writeTree, trustPolicy } from '../helpers/project.js';

let hasGit = true;
try {
  execFileSync('git', ['--version'], { stdio: 'ignore' });
} catch {
  hasGit = false;
}

/** git, with the user's own configuration left out. */
function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'core.hooksPath=/dev/null', '-c', 'init.defaultBranch=main', ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: dir, GIT_CONFIG_NOSYSTEM: '1' } });
}

const FILES = {
  '.github/workflows/deploy.yml': 'on: push\njobs: {}\n',
  'iam/trust.json': trustPolicy({}),
  'a/b/c/d.txt': 'x',
  'a/b/c/e.txt': 'x',
  'a/bb.txt': 'x',
  'ünïcode/näme.json': '{}',
  'z.txt': 'x',
};

describe.skipIf(!hasGit)('git index', () => {
  const variants: [string, string[], (dir: string) => void][] = [
    ['version 2', [], (d) => git(d, 'update-index', '--index-version', '2')],
    ['version 3 (an intent-to-add entry has extended flags)', [], (d) => {
      writeFileSync(path.join(d, 'later.txt'), 'x');
      git(d, 'add', '-N', 'later.txt');
    }],
    ['version 4 (prefix-compressed paths)', [], (d) => git(d, 'update-index', '--index-version', '4')],
    ['split index', [], (d) => {
      git(d, 'update-index', '--split-index');
      writeFileSync(path.join(d, 'after-split.txt'), 'x');
      git(d, 'add', 'after-split.txt');
    }],
    ['SHA-256 repository', ['--object-format=sha256'], () => {}],
  ];
  for (const [name, initArgs, change] of variants) {
    it(`reads the paths git lists: ${name}`, () => {
      const dir = writeTree(FILES);
      git(dir, 'init', '-q', ...initArgs);
      git(dir, 'add', '.');
      change(dir);
      const expected = git(dir, 'ls-files', '-z').split('\0').filter(Boolean).sort();
      const t = readTrackedPaths(path.join(dir, 'a', 'b'))!;
      expect(t.top).toBe(dir);
      expect([...new Set(t.paths)].sort()).toEqual(expected);
      for (const f of expected) expect(isTracked(t, f, false), f).toBe(true);
      for (const d of ['a/b/c', 'a/b', 'a', 'ünïcode', '.github/workflows']) expect(isTracked(t, d, true), d).toBe(true);
      for (const [p, isDir] of [['a/b/c/x.txt', false], ['a/b/c', false], ['a/b/c/d.txt', true], ['a/b/', true], ['ünïcode/näme', false], ['zz', true]] as const) expect(isTracked(t, p, isDir), p).toBe(false);
    });
  }
  it('a sparse index: a folder outside the cone is one entry, and every file below it counts as tracked', () => {
    const dir = writeTree(FILES);
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'x');
    git(dir, 'sparse-checkout', 'init', '--cone', '--sparse-index');
    git(dir, 'sparse-checkout', 'set', 'a');
    const t = readTrackedPaths(dir)!;
    expect(t.sparse).toBe(true);
    expect(t.paths).toContain('iam/');
    for (const f of ['iam/trust.json', 'a/b/c/d.txt', '.github/workflows/deploy.yml', 'z.txt']) expect(isTracked(t, f, false), f).toBe(true);
    expect(isTracked(t, 'iam', true)).toBe(true);
    expect(isTracked(t, 'other/x.json', false)).toBe(false);
  });
  it('outside a work tree there is nothing; a repository without an index tracks nothing', () => {
    const dir = writeTree({ 'x.txt': 'x' });
    expect(readTrackedPaths(dir)?.top === dir).toBe(false);
    git(dir, 'init', '-q');
    expect(readTrackedPaths(dir)).toMatchObject({ top: dir, paths: [] });
  });
  it('a damaged index is an error, never a crash', () => {
    for (const bytes of [Buffer.from('DIRC'), Buffer.from('XXXX\0\0\0\x02\0\0\0\x01' + '\0'.repeat(40)), Buffer.concat([Buffer.from('DIRC\0\0\0\x02\xff\xff\xff\xff'), Buffer.alloc(100)])])
      expect(() => parseIndex(bytes, 20, { paths: [], sparse: false })).toThrow(GitIndexError);
  });
  it('an ignore file does not hide a tracked file; untracked files it ignores stay out; a workflow is never ignored', async () => {
    const dir = writeTree({ ...FILES, 'iam/untracked.json': '{}', 'build/out.json': '{}', 'notes.txt': 'x' });
    git(dir, 'init', '-q');
    git(dir, 'add', '.github', 'iam/trust.json', 'a', 'z.txt');
    writeFileSync(path.join(dir, '.gitignore'), 'iam/\nbuild/\na/\n');
    writeFileSync(path.join(dir, '.github', 'workflows', '.gitignore'), 'deploy.yml\nnew.yml\n');
    writeFileSync(path.join(dir, '.github', 'workflows', 'new.yml'), 'on: push\njobs: {}\n');
    const { files, problems } = await discover([dir], { root: dir });
    expect(problems).toEqual([]);
    expect(files.map((f) => f.relPath).sort()).toEqual(['.github/workflows/.gitignore', '.github/workflows/deploy.yml', '.github/workflows/new.yml', '.gitignore', 'a/b/c/d.txt', 'a/b/c/e.txt', 'a/bb.txt', 'iam/trust.json', 'notes.txt', 'z.txt', 'ünïcode/näme.json']);
    // Scanning a folder below the work tree: the same rule.
    writeFileSync(path.join(dir, 'iam', '.gitignore'), 'trust.json\nuntracked.json\n');
    const sub = await discover([path.join(dir, 'iam')], { root: path.join(dir, 'iam') });
    expect(sub.files.map((f) => f.relPath)).toEqual(['.gitignore', 'trust.json']);
  });
  it('a damaged index is reported once, and no ignore file then hides anything', async () => {
    const dir = writeTree({ ...FILES, '.gitignore': 'iam/\n' });
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    writeFileSync(path.join(dir, '.git', 'index'), 'DIRC garbage');
    const { files, problems } = await discover([dir], { root: dir });
    expect(problems).toEqual([{ relPath: '.git/index', kind: 'io', message: expect.stringMatching(/^cannot read git's index \(not a git index git can read/) }]);
    expect(files.map((f) => f.relPath)).toContain('iam/trust.json');
  });
});
