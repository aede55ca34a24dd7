/** Running real programs (npm, git, bash, pre-commit) from tests. */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/fixtures.js';

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The test's environment without the `npm_*` variables `npm test` exports (npm_config_local_prefix
 * and friends would point a child npm at this checkout) and without GitHub's, so nothing leaks in.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^npm_/i.test(k) || /^(GITHUB|RUNNER)_/.test(k) || k === 'GITHUB_ACTIONS' || k === 'INIT_CWD') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

export function exec(cmd: string, args: string[], opts: { cwd: string; env?: Record<string, string>; input?: string; timeoutMs?: number }): Ran {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? cleanEnv(), input: opts.input, encoding: 'utf8', timeout: opts.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like exec, but throws with the output when the exit code is not 0. */
export function run(cmd: string, args: string[], opts: Parameters<typeof exec>[2]): Ran {
  const r = exec(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
}

export function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && existsSync(path.join(d, program)));
}

/**
 * Copies the checkout as a fresh clone would have it — tracked and untracked-but-not-ignored files
 * (so uncommitted work is what gets tested), never node_modules or dist — into `dest`.
 */
export function copyCheckout(dest: string): string[] {
  const listed = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT }).stdout.split('\0').filter(Boolean);
  const files = listed.filter((f) => existsSync(path.join(REPO_ROOT, f)));
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    cpSync(path.join(REPO_ROOT, f), path.join(dest, f));
  }
  return files;
}

/** Asserts the build exists (npm test builds before vitest runs). */
export function requireDist(): void {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
}
