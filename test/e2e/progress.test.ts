/**
 * The progress line of the built CLI on a real pseudo-terminal (python3's pty module gives the CLI a
 * terminal as stderr; stdout stays a pipe) and on a pipe. OIDC_LINT_DEBUG=progress draws it from the
 * start instead of after two seconds, so a small repository shows it.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { generateMonorepo } from '../../scripts/bench/generate.js';

const BIN = path.join(REPO_ROOT, 'bin', 'oidc-lint.js');
const python = spawnSync('python3', ['-c', 'import pty, os, subprocess'], { encoding: 'utf8' }).status === 0;

/** Runs the CLI with stderr on a pseudo-terminal; returns what the terminal received and stdout. */
const PTY_RUNNER = `
import os, pty, subprocess, sys, json, threading
master, slave = pty.openpty()
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
os.close(slave)
out = []
reader = threading.Thread(target=lambda: out.append(p.stdout.read()))
reader.start()
chunks = []
while True:
    try:
        b = os.read(master, 65536)
    except OSError:
        break
    if not b:
        break
    chunks.append(b)
reader.join()
code = p.wait()
print(json.dumps({"code": code, "stdout": out[0].decode(), "tty": b"".join(chunks).decode()}))
`;

function onTerminal(args: string[], env: Record<string, string>) {
  const r = spawnSync('python3', ['-c', PTY_RUNNER, process.execPath, BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { code: number; stdout: string; tty: string };
}

function onPipe(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const repo = () => {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  const dir = mkdtempSync(path.join(tmpdir(), 'oidc-lint-progress-'));
  generateMonorepo(dir, { workflows: 40, policies: 20 });
  return dir;
};

describe.skipIf(!python)('progress line on a terminal (python3 pty)', () => {
  it('draws phase and files read / total in place on stderr, erases it before the end, and leaves stdout alone', () => {
    const dir = repo();
    const debug = { OIDC_LINT_DEBUG: 'progress', TERM: 'xterm' };
    const r = onTerminal([dir, '-f', 'json'], debug);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/[\r\u001b]/);
    expect(JSON.parse(r.stdout).summary.files).toBe(60);
    // Every draw starts with a carriage return and "erase line"; the last thing written erases it.
    const draws = r.tty.split('\r\u001b[2K');
    expect(draws[0]).toBe('');
    expect(draws.at(-1)).toBe('');
    const lines = draws.slice(1, -1);
    expect(lines[0]).toBe('oidc-lint: discovering…');
    expect(lines).toContain('oidc-lint: loading… 0/60 files read');
    expect(lines.slice(-2)).toEqual(['oidc-lint: analysing… 60 files', 'oidc-lint: reporting… 60 files']);
    // The report is the same as without the line.
    expect(JSON.parse(r.stdout).findings).toEqual(JSON.parse(onPipe([dir, '-f', 'json'], {}).stdout).findings);
  });

  it('--quiet and --no-progress draw nothing, nor does TERM=dumb', () => {
    const dir = repo();
    for (const [args, env] of [
      [['--quiet'], { TERM: 'xterm' }],
      [['--no-progress'], { TERM: 'xterm' }],
      [[], { TERM: 'dumb' }],
    ] as const) {
      const r = onTerminal([dir, '-f', 'sarif', ...args], { OIDC_LINT_DEBUG: 'progress', ...env });
      expect(r.code).toBe(1);
      expect(r.tty).toBe('');
    }
  });

  it('without OIDC_LINT_DEBUG=progress a run shorter than two seconds shows nothing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oidc-lint-progress-'));
    generateMonorepo(dir, { workflows: 3, policies: 2 });
    const r = onTerminal([dir, '-f', 'json', '-o', path.join(dir, 'out.json')], { TERM: 'xterm' });
    expect(r.code).toBe(onPipe([dir, '-f', 'json'], {}).code);
    expect(r.tty).toBe('');
    expect(JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')).summary.files).toBe(5);
  });
});

describe('progress line when stderr is not a terminal', () => {
  it('--help names --no-progress', () => {
    expect(onPipe(['--help'], {}).stdout).toMatch(/--no-progress +no progress line/);
  });

  it('writes no escape codes or carriage returns to stderr', () => {
    const dir = repo();
    const r = onPipe([dir, '-f', 'json'], { OIDC_LINT_DEBUG: 'progress', TERM: 'xterm' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).summary.files).toBe(60);
  });
});
