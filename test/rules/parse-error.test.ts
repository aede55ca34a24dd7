import { describe, expect, it } from 'vitest';
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli.js';
import { writeTree } from '../helpers/project.js';

async function run(dir: string, args: string[]) {
  let out = '';
  const code = await main([...args, '--format', 'json'], { cwd: dir, stdout: (s) => (out += s), stderr: () => {}, env: {} });
  return { code, doc: JSON.parse(out) as { findings: { ruleId: string; messageId: string; location: { file: string } }[] } };
}

describe('parse-error for files that cannot be scanned', () => {
  it('reports a file over --max-file-size (limit) and still lints the rest', async () => {
    const dir = writeTree({ '.github/workflows/big.yml': 'on: push\n#' + 'x'.repeat(3 * 1024 * 1024), 'iam/p.json': '{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}' });
    const { code, doc } = await run(dir, ['.', '--max-file-size', '1']);
    expect(code).toBe(1);
    expect(doc.findings.filter((f) => f.ruleId === 'parse-error').map((f) => [f.messageId, f.location.file])).toEqual([['limit', '.github/workflows/big.yml']]);
    expect(doc.findings.some((f) => f.ruleId === 'require-subject-condition')).toBe(true);
  });
  it.skipIf(process.getuid?.() === 0)('reports an unreadable file (io) — skipped when running as root, who can read anything', async () => {
    const dir = writeTree({ '.github/workflows/secret.yml': 'on: push\njobs: {}\n' });
    chmodSync(path.join(dir, '.github/workflows/secret.yml'), 0o000);
    const { doc } = await run(dir, ['.']);
    expect(doc.findings.map((f) => f.messageId)).toEqual(['io']);
  });
});
