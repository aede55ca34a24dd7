/**
 * examples/ as committed, never the working copy: the README has a newcomer run
 * `npx oidc-lint --fix examples/broken`, which repairs it in place, and the suite must still pass
 * afterwards. Tests that run the examples use this copy.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { REPO_ROOT } from '../../scripts/fixtures.js';

let copy: string | undefined;
afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
  copy = undefined;
});

/**
 * A directory holding `examples/` as in the checkout's HEAD commit (git archive), with an empty
 * `.git` so that report paths, SARIF URIs and config discovery read as they do in the repository.
 * Outside a git checkout (an unpacked tarball), the working copy is copied instead.
 */
export function pristineExamples(): string {
  if (copy) return copy;
  const dir = mkdtempSync(path.join(tmpdir(), 'oidc-lint-examples-'));
  const archive = spawnSync('git', ['archive', '--format=tar', 'HEAD', 'examples'], { cwd: REPO_ROOT, maxBuffer: 64 * 2 ** 20 });
  const unpacked = archive.status === 0 && spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout }).status === 0;
  if (!unpacked) cpSync(path.join(REPO_ROOT, 'examples'), path.join(dir, 'examples'), { recursive: true });
  mkdirSync(path.join(dir, '.git'));
  return (copy = dir);
}

/** `examples/<name>` of the pristine copy, as an absolute path. */
export function pristineExample(name: 'broken' | 'fixed'): string {
  return path.join(pristineExamples(), 'examples', name);
}
