/**
 * The loader pool (a worker thread loading YAML files): the project is the same whichever thread
 * loaded a file, and a worker that fails leaves its files to the calling thread, never loses them.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { discover } from '../../src/loaders/discover.js';
import { DEFAULT_MAX_FILE_BYTES, LOADERS, loadFile, type FileOutcome } from '../../src/loaders/index.js';
import { poolRole, startPool } from '../../src/loaders/pool.js';
import { layoutOf } from '../../src/loaders/workflow-layout.js';
import { loadProject } from '../../src/index.js';
import { analyzeEarly, lintProject } from '../../src/engine/linter.js';
import { reporters } from '../../src/reporters/index.js';
import { rules } from '../../src/rules/index.js';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { writeTree } from '../helpers/project.js';

const FIXTURES = path.join(REPO_ROOT, 'fixtures');

/** Every YAML and TypeScript file of the fixtures plus hostile YAML: syntax errors, an alias bomb, deep nesting, bad bytes. */
async function corpus() {
  const names = 'abcdefghij';
  const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) bomb.push(`${names[i]}: &${names[i]} [${Array(9).fill('*' + names[i - 1]).join(',')}]`);
  bomb.push('on: push', 'jobs:', '  j:', '    runs-on: x', '    env: *j');
  const hostile = writeTree({
    'cdk/.keep': '',
    '.github/workflows/bomb.yml': bomb.join('\n'),
    '.github/workflows/deep.yml': 'on: push\njobs:\n  a:\n    env: ' + '['.repeat(5_000) + ']'.repeat(5_000),
    '.github/workflows/broken.yml': 'on: push\njobs:\n  a: [\n',
    '.github/workflows/two.yml': 'on: push\njobs: {}\n---\nb: 1\n',
  });
  writeFileSync(path.join(hostile, '.github/workflows/latin1.yml'), Buffer.from([0x6f, 0x6e, 0x3a, 0x20, 0xe9, 0x0a]));
  // TypeScript gives up on this nesting when it runs out of stack: the worker's stack is the main
  // thread's size, so both threads give up alike (with a worker's default 4 MiB it would parse).
  writeFileSync(
    path.join(hostile, 'cdk/deep.ts'),
    `import * as iam from 'aws-cdk-lib/aws-iam';\nconst x = ${'('.repeat(1_500)}1${')'.repeat(1_500)};\nnew iam.Role(this, 'R', { assumedBy: new iam.WebIdentityPrincipal('arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com', { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:o/*' } }) });\n`,
  );
  const all = [...(await discover([FIXTURES], { root: FIXTURES })).files, ...(await discover([hostile], { root: hostile })).files];
  // As loadProject orders them: the worker's own files (CDK TypeScript) first, then the shared YAML.
  const workerOnly = all.filter((f) => poolRole(f.relPath) === 'worker');
  return Object.assign([...workerOnly, ...all.filter((f) => poolRole(f.relPath) === 'shared')], { workerOnly: workerOnly.length });
}

/** The files whose outcomes differ (model objects point back at their parents: compared with node's cycle-aware deep equality). */
function differing(files: { relPath: string }[], got: FileOutcome[], want: FileOutcome[]): string[] {
  expect(got.length).toBe(want.length);
  return files.filter((_f, i) => !isDeepStrictEqual(got[i], want[i])).map((f) => f.relPath);
}

const inline = (f: Parameters<typeof loadFile>[0]) => loadFile(f, LOADERS, DEFAULT_MAX_FILE_BYTES);

describe('loader pool', () => {
  it('a worker thread loads YAML and CDK files to the same outcomes as the calling thread, layouts included', async () => {
    const files = await corpus();
    expect(files.length).toBeGreaterThan(60);
    expect(files.workerOnly).toBeGreaterThan(10);
    const expected: FileOutcome[] = [];
    for (const f of files) expected.push(await inline(f));
    const { outcomes, byWorker } = await startPool(files, DEFAULT_MAX_FILE_BYTES, { workerOnly: files.workerOnly, callerLoads: false }).finish(inline);
    expect(byWorker).toBe(files.length);
    expect(differing(files, outcomes, expected)).toEqual([]);
    // The outline fixes need came across with each workflow.
    const workflows = outcomes.flatMap((o) => o.sink?.workflows ?? []);
    expect(workflows.length).toBeGreaterThan(25);
    for (const wf of workflows) expect(layoutOf(wf), wf.file).toEqual(layoutOf(expected.flatMap((o) => o.sink?.workflows ?? []).find((w) => w.file === wf.file)!));
    expect(outcomes.some((o) => o.sink?.errors.some((e) => /alias/.test(e.message)))).toBe(true);
    expect(outcomes.filter((o) => o.source?.kind === 'cdk' && o.sink?.roles.length).length).toBeGreaterThan(5);
    expect(outcomes.find((o) => o.source?.path === 'cdk/deep.ts')?.sink?.errors.map((e) => e.message)).toEqual([expect.stringMatching(/nested too deeply/)]);
  });

  it('both threads share the batches when the calling thread loads too', async () => {
    const files = await corpus();
    const expected: FileOutcome[] = [];
    for (const f of files) expected.push(await inline(f));
    const { outcomes, byWorker } = await startPool(files, DEFAULT_MAX_FILE_BYTES, { workerOnly: files.workerOnly }).finish(inline);
    // The worker's own files are never taken by the calling thread (unless the worker fails).
    expect(byWorker).toBeGreaterThanOrEqual(files.workerOnly);
    expect(differing(files, outcomes, expected)).toEqual([]);
  });

  for (const [what, script] of [
    ['exits at once', 'process.exit(0);'],
    ['throws', "throw new Error('boom');"],
    ['sends one batch as failed and stops', "import { parentPort } from 'node:worker_threads'; parentPort.postMessage({ batch: 0, failed: 'DataCloneError' }); process.exit(3);"],
  ]) {
    it(`a worker that ${what} leaves every file to the calling thread`, async () => {
      const files = await corpus();
      const entry = path.join(writeTree({ 'w.mjs': script }), 'w.mjs');
      const expected: FileOutcome[] = [];
      for (const f of files) expected.push(await inline(f));
      const { outcomes, byWorker } = await startPool(files, DEFAULT_MAX_FILE_BYTES, { entry, workerOnly: files.workerOnly }).finish(inline);
      expect(byWorker).toBe(0);
      expect(differing(files, outcomes, expected)).toEqual([]);
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
