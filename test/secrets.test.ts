/** A linter must not re-leak a key: no output format contains a full access key id or secret key. */
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { writeTree } from './helpers/project.js';

// Real-shaped but generated at run time (never a committed literal that scanners would flag).
const KEY_ID = 'AKIA' + 'Q7ZMW2OGYBAH6TRX';
const SECRET = 'q8Hn3V0bW2mZ5x' + 'YpK7tLr9sDf1GhJ4kLzXcVbN6M';
const TEMP_KEY_ID = 'ASIA' + 'ZZ2OGYBAH6QTRX7M';

async function runFormat(dir: string, format: string): Promise<string> {
  let out = '';
  await main(['.', '--format', format, '--color'], { cwd: dir, stdout: (s) => (out += s), stderr: (s) => (out += s), env: {} });
  return out;
}

describe('secrets in output', () => {
  const dir = writeTree({
    '.github/workflows/leak.yml': `on: push\njobs:\n  a:\n    runs-on: x\n    env:\n      AWS_ACCESS_KEY_ID: ${KEY_ID}\n      AWS_SECRET_ACCESS_KEY: ${SECRET}\n      OTHER: ${TEMP_KEY_ID}\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          aws-access-key-id: ${KEY_ID}\n          aws-secret-access-key: ${SECRET}\n          aws-region: us-east-1\n`,
    'iam/wild.json': `{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:x/*:${SECRET}"}}}]}`,
    // A syntax error quoting the key (the message cuts the bad token short), and a key id inside a longer word.
    'infra/bad.tf': `"${SECRET}" = {\n`,
    'infra/glued/main.tf': `x"${KEY_ID}Zx9" = {\n`,
    'iam/trust.json': `{"Statement":[{"Sid":"${KEY_ID}","Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:sub":"${SECRET}"}}}]}`,
  });
  for (const format of ['text', 'json', 'sarif', 'github']) {
    it(`${format} output shows keys redacted only`, async () => {
      const out = await runFormat(dir, format);
      expect(out).toContain('AKIA…RX');
      expect(out).toMatch(/repo:x\/\*:q8Hn…6M/); // a rule message that quotes a pattern is redacted too
      for (const secret of [KEY_ID, SECRET, TEMP_KEY_ID]) {
        expect(out).not.toContain(secret);
        expect(out).not.toContain(secret.slice(0, 12));
      }
    });
  }
});

describe('secrets in the --fix-dry-run diff', () => {
  it('context lines quoting a key are redacted', async () => {
    const dir = writeTree({
      '.github/workflows/deploy.yml': `on: push\nenv:\n  AWS_ACCESS_KEY_ID: ${KEY_ID}\n  AWS_SECRET_ACCESS_KEY: ${SECRET}\npermissions:\n  contents: read\njobs:\n  d:\n    runs-on: x\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/r\n          aws-region: us-east-1\n`,
    });
    let out = '';
    await main(['.', '--fix-dry-run'], { cwd: dir, stdout: (s) => (out += s), stderr: (s) => (out += s), env: {} });
    expect(out).toMatch(/^\+ +id-token: write$/m);
    expect(out).toContain('AKIA…RX');
    for (const secret of [KEY_ID, SECRET]) expect(out).not.toContain(secret.slice(0, 12));
  });
});
