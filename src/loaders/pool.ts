/**
 * Loading files on a second thread. Parsing YAML is most of a large scan, and a worker thread lets
 * a second core do it: the calling thread meanwhile loads the other formats, then takes its share
 * of the YAML files too. The worker also loads the Terraform modules and the AWS CDK TypeScript
 * files (tree-sitter and typescript-estree are costly to load, once is enough). Both threads claim
 * batches of tasks (a file, or a Terraform module's directory) from one shared counter, so neither
 * waits for the other and the slower one simply takes fewer batches.
 *
 * Nothing is lost when the worker cannot help: a batch it could not send (a model that does not
 * clone), a worker that fails to start or dies, leaves those files to the calling thread, which
 * loads them itself. Results are put back in discovery order, so the project is the same whichever
 * thread loaded a file.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import type { DiscoveredFile } from './discover.js';
import type { FileOutcome, LoadOptions, LoadTask, TaskResult } from './index.js';
import { layoutOf, rememberLayout, type LayoutNode } from './workflow-layout.js';
import { isTerraformPath } from './terraform.js';

/** Files per batch: small enough to share the tail evenly, large enough that messages are few. */
const BATCH = 16;
const DEFAULT_MIN_FILES = 200;
/**
 * The worker's stack, as deep as the main thread's (V8's 984 KiB plus the 192 KiB Node.js keeps in
 * reserve; a worker's default is 4 MiB). A parser that gives up on deeply nested input when it runs
 * out of stack (TypeScript) then gives up at the same depth whichever thread loaded the file.
 */
const MAIN_THREAD_STACK_MB = (984 + 192) / 1024;
/**
 * The worker keeps nothing: what it builds is sent and dropped batch by batch. A young generation
 * larger than V8's default lets that garbage die with fewer collections (3-8% of a 7,000-file run
 * on two cores, for ~50 MiB more peak memory).
 */
const WORKER_YOUNG_GENERATION_MB = 96;

/**
 * Which files the pool takes: YAML (workflows, CloudFormation/SAM templates), loaded by either
 * thread, and TypeScript (AWS CDK) and Terraform (one task per module directory), loaded by the
 * worker alone so that only one thread pays for loading typescript-estree and tree-sitter.
 * Everything else stays on the calling thread.
 */
export function poolRole(relPath: string): 'shared' | 'worker' | undefined {
  if (/\.ya?ml$/i.test(relPath)) return 'shared';
  if (isTerraformPath(relPath)) return 'worker';
  if (/\.ts$/i.test(relPath) && !/\.d\.ts$/i.test(relPath)) return 'worker';
  return undefined;
}

export function usePool(files: number, options: Pick<LoadOptions, 'threads' | 'poolMinFiles'>): boolean {
  const threads = options.threads ?? (os.availableParallelism() >= 2 ? 2 : 1);
  return threads >= 2 && files >= (options.poolMinFiles ?? DEFAULT_MIN_FILES) && workerEntry() !== undefined;
}

declare const __oidcLintImport: unknown;

/** node:worker_threads, loaded when a pool starts: a small scan (a pre-commit run) does not pay for it. */
export function workerThreads(): typeof import('node:worker_threads') {
  return createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
}

/**
 * The worker's script. The bundled CLI (bin/load-cli.js, which passes `__oidcLintImport`) starts
 * bin/load-worker.js, which loads the same bundle; the unbundled build starts pool-worker-entry.js
 * next to this module, or, when this module runs from the TypeScript sources (the tests), its
 * compiled copy under dist/ — which is as current as the last build (`npm test` builds first).
 */
function workerEntry(): string | undefined {
  const candidates =
    typeof __oidcLintImport === 'function'
      ? [new URL('../bin/load-worker.js', import.meta.url)]
      : [new URL('./pool-worker-entry.js', import.meta.url), new URL('../../dist/src/loaders/pool-worker-entry.js', import.meta.url)];
  for (const u of candidates) {
    if (u.protocol !== 'file:') continue;
    const file = fileURLToPath(u);
    if (existsSync(file)) return file;
  }
  return undefined;
}

export interface WorkerData {
  oidcLintPool: true;
  tasks: LoadTask[];
  /** The first `workerOnly` tasks are claimed by the worker alone; the rest by both threads. */
  workerOnly: number;
  maxBytes: number;
  batch: number;
  /** Next batch to claim: [0] among the worker-only tasks, [1] among the shared ones. */
  counter: Int32Array;
}

/** A worker's message: the results of tasks[start…] (with each workflow's layout), a batch it could not send, or the end. */
export type WorkerMessage = { start: number; results: TaskResult[] } | { start: number; failed: string } | { done: true };

export interface PooledOutcome extends FileOutcome {
  layouts?: (LayoutNode | undefined)[];
}

export interface Pool {
  /**
   * Loads the shared batches no thread has claimed yet with `inline`, waits for the worker, loads
   * whatever it did not deliver, and returns every result in task order, with how many files the
   * worker loaded.
   */
  finish(inline: (t: LoadTask) => Promise<TaskResult>): Promise<{ results: TaskResult[]; byWorker: number }>;
}

export interface PoolOptions {
  /**
   * How many of the first tasks only the worker claims: those whose parser is costly to load
   * (typescript-estree for CDK, tree-sitter for Terraform), so that one thread pays for it.
   */
  workerOnly?: number;
  /** The worker's script (tests start broken workers with it). */
  entry?: string;
  /** False: the calling thread claims no batch and only loads what the worker did not deliver (tests). */
  callerLoads?: boolean;
  /** Called on the calling thread with each result as it arrives (the worker's) or is loaded (its own). */
  onResult?: (r: TaskResult) => void;
}

/** The next batch from `counter[which]` over files[from, to): its file range, or undefined when none is left. */
function claim(counter: Int32Array, which: 0 | 1, from: number, to: number, batch: number): [number, number] | undefined {
  const start = from + Atomics.add(counter, which, 1) * batch;
  return start < to ? [start, Math.min(to, start + batch)] : undefined;
}

export function startPool(tasks: LoadTask[], maxBytes: number, options: PoolOptions = {}): Pool {
  const workerOnly = options.workerOnly ?? 0;
  const counter = new Int32Array(new SharedArrayBuffer(8));
  const results: (TaskResult | undefined)[] = new Array(tasks.length);
  const data: WorkerData = { oidcLintPool: true, tasks, workerOnly, maxBytes, batch: BATCH, counter };
  let worker: Worker | undefined;
  let byWorker = 0;
  let settle!: () => void;
  const ended = new Promise<void>((resolve) => (settle = resolve));
  try {
    worker = new (workerThreads().Worker)(options.entry ?? workerEntry()!, { workerData: data, resourceLimits: { stackSizeMb: MAIN_THREAD_STACK_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
  } catch {
    settle();
  }
  if (worker) {
    worker.on('message', (m: WorkerMessage) => {
      if ('done' in m) return settle();
      // A batch the worker could not send is loaded again here (results stay undefined).
      if (!('results' in m)) return;
      m.results.forEach((r, k) => {
        for (const o of r.outcomes as PooledOutcome[]) {
          if (o.layouts) o.sink?.workflows.forEach((wf, j) => rememberLayout(wf, o.layouts![j]));
          delete o.layouts;
        }
        results[m.start + k] = r;
        byWorker += r.outcomes.length;
        options.onResult?.(r);
      });
    });
    // Whatever it did not deliver, the calling thread loads.
    worker.on('error', () => settle());
    worker.on('exit', () => settle());
  }
  const runInline = async (i: number, inline: (t: LoadTask) => Promise<TaskResult>) => {
    const r = (results[i] = await inline(tasks[i]));
    options.onResult?.(r);
  };
  return {
    async finish(inline) {
      if (options.callerLoads !== false)
        for (let r = claim(counter, 1, workerOnly, tasks.length, BATCH); r; r = claim(counter, 1, workerOnly, tasks.length, BATCH)) {
          for (let i = r[0]; i < r[1]; i++) await runInline(i, inline);
          // Let the worker's finished batches in while this thread works.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      await ended;
      for (let i = 0; i < tasks.length; i++) if (!results[i]) await runInline(i, inline);
      return { results: results as TaskResult[], byWorker };
    },
  };
}

/** The worker's side: claims batches (its own first, then shared ones) until none is left, sending each batch's results. */
export async function runPoolWorker(load: (t: LoadTask, maxBytes: number) => Promise<TaskResult>, post: (m: WorkerMessage) => void, data: WorkerData): Promise<void> {
  const { tasks, workerOnly, batch, counter } = data;
  const next = () => claim(counter, 0, 0, workerOnly, batch) ?? claim(counter, 1, workerOnly, tasks.length, batch);
  for (let r = next(); r; r = next()) {
    const results: TaskResult[] = [];
    for (let i = r[0]; i < r[1]; i++) {
      const result = await load(tasks[i], data.maxBytes);
      for (const o of result.outcomes as PooledOutcome[]) if (o.sink?.workflows.length) o.layouts = o.sink.workflows.map(layoutOf);
      results.push(result);
    }
    try {
      post({ start: r[0], results });
    } catch (e) {
      post({ start: r[0], failed: String(e) });
    }
  }
  post({ done: true });
}
