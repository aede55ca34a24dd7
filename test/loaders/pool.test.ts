/**
 * The loader pool (a worker thread loading CDK and Terraform): the project is the same whichever
 * thread loaded a file, and a worker that fails leaves its tasks to the calling thread, never
 * loses them.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { discover } from '../../src/loaders/shared/discover.js';
import { DEFAULT_MAX_FILE_BYTES, LOADERS, loadTask, type FileOutcome, type LoadTask, type TaskResult } from '../../src/loaders/index.js';
import { startPool, workerLoads } from '../../src/loaders/shared/pool.js';
import { isTerraformPath } from '../../src/loaders/aws/terraform.js';
import { loadProject } from '../../src/index.js';
import { analyzeEarly, lintProject } from '../../src/engine/linter.js';
import { reporters } from '../../src/reporters/index.js';
import { rules } from '../../src/rules/index.js';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { writeTree } from '../helpers/project.js';

const FIXTURES = path.join(REPO_ROOT, 'fixtures');

/** Every TypeScript and Terraform file of the fixtures plus hostile ones: syntax errors, deep nesting, bad bytes. */
async function corpus() {
  const hostile = writeTree({
    'cdk/broken.ts': "import * as iam from 'aws-cdk-lib/aws-iam';\nnew iam.Role(this, 'R', {\n",
    'tf/broken.tf': 'resource "aws_iam_role" "r" {\n  assume_role_policy = jsonencode({\n',
  });
  writeFileSync(path.join(hostile, 'tf/latin1.tf'), Buffer.from([0x23, 0x20, 0xe9, 0x0a]));
  // TypeScript gives up on this nesting when it runs out of stack: the worker's stack is the main
  // thread's size, so both threads give up alike (with a worker's default 4 MiB it would parse).
  writeFileSync(
    path.join(hostile, 'cdk/deep.ts'),
    `import * as iam from 'aws-cdk-lib/aws-iam';\nconst x = ${'('.repeat(1_500)}1${')'.repeat(1_500)};\nnew iam.Role(this, 'R', { assumedBy: new iam.WebIdentityPrincipal('arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com', { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:o/*' } }) });\n`,
  );
  const all = [...(await discover([FIXTURES], { root: FIXTURES })).files, ...(await discover([hostile], { root: hostile })).files].filter((f) => workerLoads(f.relPath));
  // As loadProject builds them: one task per Terraform module (directory), one per CDK file.
  const modules = new Map<string, LoadTask>();
  const tasks: LoadTask[] = [];
  for (const f of all) {
    if (!isTerraformPath(f.relPath)) {
      tasks.push({ files: [f] });
      continue;
    }
    const dir = path.dirname(f.absPath);
    if (!modules.has(dir)) {
      modules.set(dir, { files: [], directory: true });
      tasks.push(modules.get(dir)!);
    }
    modules.get(dir)!.files.push(f);
  }
  return Object.assign(tasks, { modules: modules.size });
}

/** The tasks whose results differ (model objects point back at their parents: compared with node's cycle-aware deep equality). */
function differing(tasks: LoadTask[], got: TaskResult[], want: TaskResult[]): string[] {
  expect(got.length).toBe(want.length);
  return tasks.filter((_t, i) => !isDeepStrictEqual(got[i], want[i])).map((t) => t.files[0].relPath);
}

const inline = (t: LoadTask) => loadTask(t, LOADERS, DEFAULT_MAX_FILE_BYTES);
const filesOf = (tasks: LoadTask[]) => tasks.reduce((n, t) => n + t.files.length, 0);
const outcomesOf = (results: TaskResult[]): FileOutcome[] => results.flatMap((r) => r.outcomes);

async function loadedInline(tasks: LoadTask[]): Promise<TaskResult[]> {
  const out: TaskResult[] = [];
  for (const t of tasks) out.push(await inline(t));
  return out;
}

describe('loader pool', () => {
  it('a worker thread loads CDK and Terraform to the same results as the calling thread', async () => {
    const tasks = await corpus();
    expect(tasks.length).toBeGreaterThan(20);
    expect(tasks.modules).toBeGreaterThan(5);
    const expected = await loadedInline(tasks);
    const { results, byWorker } = await startPool(tasks, DEFAULT_MAX_FILE_BYTES).finish(inline);
    expect(byWorker).toBe(filesOf(tasks));
    expect(differing(tasks, results, expected)).toEqual([]);
    const outcomes = outcomesOf(results);
    expect(outcomes.filter((o) => o.source?.kind === 'cdk' && o.sink?.roles.length).length).toBeGreaterThan(5);
    expect(outcomes.find((o) => o.source?.path === 'cdk/deep.ts')?.sink?.errors.map((e) => e.message)).toEqual([expect.stringMatching(/nested too deeply/)]);
    expect(outcomes.some((o) => o.source?.path === 'cdk/broken.ts' && o.sink?.errors.length)).toBe(true);
    // Terraform modules are loaded whole by the worker: roles come back with the module, sources with each file.
    expect(results.filter((r) => r.directorySink?.roles.length).length).toBeGreaterThan(3);
    expect(outcomes.filter((o) => o.source?.kind === 'terraform').length).toBeGreaterThan(5);
    expect(results.some((r) => r.directorySink?.errors.some((e) => e.loc.file === 'tf/broken.tf'))).toBe(true);
  });

  for (const [what, script] of [
    ['exits at once', 'process.exit(0);'],
    ['throws', "throw new Error('boom');"],
    ['sends one batch as failed and stops', "import { parentPort } from 'node:worker_threads'; parentPort.postMessage({ start: 0, failed: 'DataCloneError' }); process.exit(3);"],
  ]) {
    it(`a worker that ${what} leaves every task to the calling thread`, async () => {
      const tasks = await corpus();
      const entry = path.join(writeTree({ 'w.mjs': script }), 'w.mjs');
      const expected = await loadedInline(tasks);
      const { results, byWorker } = await startPool(tasks, DEFAULT_MAX_FILE_BYTES, { entry }).finish(inline);
      expect(byWorker).toBe(0);
      expect(differing(tasks, results, expected)).toEqual([]);
    });
  }

  it('reports the same with and without the worker thread, and with the trust-policy analysis started early or not', async () => {
    const report = async (threads: number, early: boolean) => {
      let loaded = 0;
      const project = await loadProject([FIXTURES], { root: FIXTURES, threads, poolMinFiles: 1, onLoaded: early ? (sink) => (loaded++, analyzeEarly(sink)) : undefined });
      if (early) expect(loaded).toBeGreaterThan(100);
      const r = lintProject(project, rules, { rules: {}, settings: {} });
      return reporters.json({ findings: r.findings, crashes: r.crashes, project, rules, options: { color: false, cwd: FIXTURES, repoRoot: FIXTURES } });
    };
    const one = await report(1, false);
    expect(JSON.parse(one).findings.length).toBeGreaterThan(100);
    expect(await report(2, false)).toBe(one);
    expect(await report(2, true)).toBe(one);
    expect(await report(1, true)).toBe(one);
  });
});
