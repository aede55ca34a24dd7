import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { main } from '../../src/cli.js';
import { writeTree } from '../helpers/project.js';

async function run(dir: string, args: string[]) {
  let out = '';
  const code = await main([...args, '--format', 'json'], { cwd: dir, stdout: (s) => (out += s), stderr: () => {}, env: {} });
  return { code, doc: JSON.parse(out) as { findings: { ruleId: string; messageId: string; location: { file: string } }[] } };
}

const POLICY = '{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}';

describe('parse-error for files that cannot be scanned', () => {
  it('reports a file over --max-file-size (limit) and still lints the rest', async () => {
    const dir = writeTree({ '.github/workflows/big.yml': 'on: push\n#' + 'x'.repeat(3 * 1024 * 1024), 'iam/p.json': '{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}' });
    const { code, doc } = await run(dir, ['.', '--max-file-size', '1']);
    expect(code).toBe(1);
    expect(doc.findings.filter((f) => f.ruleId === 'parse-error').map((f) => [f.messageId, f.location.file])).toEqual([['limit', '.github/workflows/big.yml']]);
    expect(doc.findings.some((f) => f.ruleId === 'require-subject-condition')).toBe(true);
  });
  it.skipIf(process.platform === 'win32')('reports an unreadable file (io) and still lints the rest', async () => {
    const dir = writeTree({ '.github/workflows/secret.yml': 'on: push\njobs: {}\n', 'iam/p.json': POLICY });
    chmodSync(path.join(dir, '.github/workflows/secret.yml'), 0o000);
    const { doc } = process.getuid?.() === 0 ? runAsNobody(dir) : await run(dir, ['.']);
    expect(doc.findings.filter((f) => f.ruleId === 'parse-error').map((f) => [f.messageId, f.location.file])).toEqual([['io', '.github/workflows/secret.yml']]);
    expect(doc.findings.some((f) => f.ruleId === 'require-subject-condition' && f.location.file === 'iam/p.json')).toBe(true);
  });
});

/**
 * Root reads any file whatever its mode, and CI runs as root: there the built CLI runs as the
 * unprivileged user `nobody`, from a copy in a world-readable directory (the checkout's own
 * directories need not be readable by other users), on the same repository.
 */
function runAsNobody(dir: string) {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  const bin = mkdtempSync(path.join(tmpdir(), 'oidc-lint-nobody-'));
  try {
    // The package's bin/ and dist/ (the bin script, the bundle and its fallback), as laid out in the package.
    for (const d of ['bin', 'dist']) cpSync(path.join(REPO_ROOT, d), path.join(bin, d), { recursive: true });
    worldReadable(bin);
    for (const d of [bin, dir, path.join(dir, '.github'), path.join(dir, '.github/workflows'), path.join(dir, 'iam')]) chmodSync(d, 0o755);
    chmodSync(path.join(dir, 'iam/p.json'), 0o644);
    const r = spawnSync(process.execPath, [path.join(bin, 'bin', 'oidc-lint.js'), '.', '--no-config', '--format', 'json'], { cwd: dir, uid: 65534, gid: 65534, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 60_000 });
    if (r.error) throw r.error;
    if (r.status !== 1) throw new Error(`oidc-lint as nobody exited ${r.status}\n${r.stderr}\n${r.stdout}`);
    return { code: r.status, doc: JSON.parse(r.stdout) as { findings: { ruleId: string; messageId: string; location: { file: string } }[] } };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

function worldReadable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) worldReadable(p);
    else chmodSync(p, 0o644);
  }
}
