/**
 * Without --aws, oidc-lint never touches the network: the real CLI runs with every way out
 * (net/tls sockets, DNS, http/https, fetch, dgram) patched to record the attempt and throw.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../scripts/fixtures.js';
import { writeTree } from './helpers/project.js';

const PRELOAD = `
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const log = process.env.NET_LOG;
const deny = (what) => function () { appendFileSync(log, what + '\\n'); throw new Error('network disabled in this test: ' + what); };
const net = require('node:net'); net.Socket.prototype.connect = deny('net.connect'); net.connect = net.createConnection = deny('net.createConnection');
const tls = require('node:tls'); tls.connect = deny('tls.connect');
const dns = require('node:dns'); dns.lookup = deny('dns.lookup'); dns.resolve = deny('dns.resolve'); dns.promises.lookup = deny('dns.promises.lookup');
for (const m of ['node:http', 'node:https']) { const h = require(m); h.request = deny(m + '.request'); h.get = deny(m + '.get'); }
const dgram = require('node:dgram'); dgram.createSocket = deny('dgram.createSocket');
globalThis.fetch = deny('fetch');
appendFileSync(log, 'preload-active\\n');
`;

describe('no surprise network', () => {
  it('lints a repository in every format without a single network attempt', () => {
    const dir = writeTree({
      'preload.mjs': PRELOAD,
      '.github/workflows/deploy.yml': 'on: push\njobs:\n  d:\n    runs-on: x\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/deploy\n',
      'iam/trust.json': '{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}',
    });
    const log = path.join(dir, 'net.log');
    writeFileSync(log, '');
    for (const format of ['text', 'json', 'sarif', 'github']) {
      const r = spawnSync(process.execPath, ['--import', path.join(dir, 'preload.mjs'), path.join(REPO_ROOT, 'bin', 'oidc-lint.js'), '.', '-f', format], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', NET_LOG: log, HOME: dir },
      });
      expect(r.status, r.stderr).toBe(1);
    }
    expect(existsSync(log)).toBe(true);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.filter((l) => l === 'preload-active')).toHaveLength(4);
    expect(lines.filter((l) => l !== 'preload-active')).toEqual([]);
  });
  it('a large repository, loaded with the worker thread, makes no network attempt either (in either thread)', () => {
    const files: Record<string, string> = { 'preload.mjs': PRELOAD.replace("'preload-active\\n'", "(require('node:worker_threads').isMainThread ? 'preload-active' : 'preload-active-in-worker') + '\\n'") };
    // The worker thread loads Terraform and CDK: 210 Terraform files (in 21 modules), while this thread
    // loads 210 workflows (it starts only when the calling thread has as much to do itself).
    for (let i = 0; i < 210; i++)
      files[`tf/m${i % 21}/r${i}.tf`] = `resource "aws_iam_role" "r${i}" {\n  assume_role_policy = jsonencode({\n    Statement = [{\n      Effect = "Allow"\n      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }\n      Action = "sts:AssumeRoleWithWebIdentity"\n    }]\n  })\n}\n`;
    for (let i = 0; i < 210; i++) files[`.github/workflows/w${i}.yml`] = `on: push\njobs:\n  d:\n    runs-on: x\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/r${i}\n`;
    const dir = writeTree(files);
    const log = path.join(dir, 'net.log');
    writeFileSync(log, '');
    const r = spawnSync(process.execPath, ['--import', path.join(dir, 'preload.mjs'), path.join(REPO_ROOT, 'bin', 'oidc-lint.js'), '.', '-f', 'sarif'], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', NET_LOG: log, HOME: dir, OIDC_LINT_DEBUG: 'pool' },
      maxBuffer: 1 << 26,
    });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/the worker thread loaded 210 of 210/);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.sort()).toEqual(['preload-active', 'preload-active-in-worker']);
  });
});
