/**
 * web-tree-sitter and the terraform grammar load only when a Terraform file is scanned: the real
 * CLI runs in a child process whose module resolutions are recorded by a loader hook.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { writeTree } from '../helpers/project.js';

const BIN = path.join(REPO_ROOT, 'bin', 'oidc-lint.js');

/** Runs the CLI with a resolve hook; returns the resolved module URLs mentioning tree-sitter. */
function treeSitterModules(args: string[], cwd: string): { code: number | null; loaded: string[] } {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  const dir = writeTree({});
  const hooks = path.join(dir, 'hooks.mjs');
  const preload = path.join(dir, 'preload.mjs');
  writeFileSync(
    hooks,
    `let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (/tree-sitter/.test(r.url)) port.postMessage(r.url);
  return r;
}
`,
  );
  writeFileSync(
    preload,
    `import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const seen = [];
port1.on('message', (m) => seen.push(m));
port1.unref();
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { port: port2 }, transferList: [port2] });
process.on('exit', () => process.stderr.write('\\nTREE-SITTER-MODULES ' + JSON.stringify(seen) + '\\n'));
`,
  );
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, BIN, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  const m = /TREE-SITTER-MODULES (.*)/.exec(r.stderr);
  if (!m) throw new Error(`no report from the hook: ${r.stderr}`);
  return { code: r.status, loaded: JSON.parse(m[1]) as string[] };
}

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity' }],
});

describe('lazy loading of the Terraform parser', () => {
  it('a repository without Terraform files never resolves web-tree-sitter', () => {
    const dir = writeTree({ 'iam/trust.json': TRUST, '.github/workflows/ci.yml': 'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n' });
    const r = treeSitterModules(['.'], dir);
    expect(r.code).toBe(1);
    expect(r.loaded).toEqual([]);
  });
  it('a .tf file loads it', () => {
    const dir = writeTree({ 'main.tf': 'resource "aws_iam_role" "r" {\n  name = "r"\n}\n' });
    const r = treeSitterModules(['.'], dir);
    expect(r.code).toBe(0);
    expect(r.loaded.some((u) => /web-tree-sitter/.test(u))).toBe(true);
  });
});
