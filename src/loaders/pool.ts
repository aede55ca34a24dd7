/**
 * Loading files on a second thread. Parsing YAML is most of a large scan, and a worker thread lets
 * a second core do it: the calling thread meanwhile loads the other formats, then takes its share
 * of the YAML files too. The worker also loads the AWS CDK TypeScript files (typescript-estree is
 * costly to load, once is enough). Both threads claim batches of files from one shared counter, so
 * neither waits for the other and the slower one simply takes fewer batches.
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
import type { FileOutcome, LoadOptions } from './index.js';
import { layoutOf, rememberLayout, type LayoutNode } from './workflow-layout.js';

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
 * thread, and TypeScript (AWS CDK), loaded by the worker alone so that only one thread pays for
 * importing typescript-estree. Everything else stays on the calling thread.
 */
export function poolRole(relPath: string): 'shared' | 'worker' | undefined {
  if (/\.ya?ml$/i.test(relPath)) return 'shared';
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
  files: DiscoveredFile[];
  /** The first `workerOnly` files are claimed by the worker alone; the rest by both threads. */
  workerOnly: number;
  maxBytes: number;
  batch: number;
  /** Next batch to claim: [0] among the worker-only files, [1] among the shared ones. */
  counter: Int32Array;
}

/** A worker's message: the outcomes of files[start…] (with each workflow's layout), a batch it could not send, or the end. */
export type WorkerMessage = { start: number; outcomes: PooledOutcome[] } | { start: number; failed: string } | { done: true };

export interface PooledOutcome extends FileOutcome {
  layouts?: (LayoutNode | undefined)[];
}

export interface Pool {
  /**
   * Loads the shared batches no thread has claimed yet with `inline`, waits for the worker, loads
   * whatever it did not deliver, and returns every outcome in file order, with how many of them
   * the worker loaded.
   */
  finish(inline: (f: DiscoveredFile) => Promise<FileOutcome>): Promise<{ outcomes: FileOutcome[]; byWorker: number }>;
}

export interface PoolOptions {
  /**
   * How many of the first files only the worker claims: those whose parser is costly to load
   * (typescript-estree for CDK), so that one thread pays for it, not both.
   */
  workerOnly?: number;
  /** The worker's script (tests start broken workers with it). */
  entry?: string;
  /** False: the calling thread claims no batch and only loads what the worker did not deliver (tests). */
  callerLoads?: boolean;
  /** Called on the calling thread with each outcome as it arrives (the worker's) or is loaded (its own). */
  onOutcome?: (o: FileOutcome) => void;
}

/** The next batch from `counter[which]` over files[from, to): its file range, or undefined when none is left. */
function claim(counter: Int32Array, which: 0 | 1, from: number, to: number, batch: number): [number, number] | undefined {
  const start = from + Atomics.add(counter, which, 1) * batch;
  return start < to ? [start, Math.min(to, start + batch)] : undefined;
}

export function startPool(files: DiscoveredFile[], maxBytes: number, options: PoolOptions = {}): Pool {
  const workerOnly = options.workerOnly ?? 0;
  const counter = new Int32Array(new SharedArrayBuffer(8));
  const outcomes: (FileOutcome | undefined)[] = new Array(files.length);
  const data: WorkerData = { oidcLintPool: true, files, workerOnly, maxBytes, batch: BATCH, counter };
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
      // A batch the worker could not send is loaded again here (outcomes stay undefined).
      if (!('outcomes' in m)) return;
      m.outcomes.forEach((o, k) => {
        if (o.layouts) o.sink?.workflows.forEach((wf, j) => rememberLayout(wf, o.layouts![j]));
        delete o.layouts;
        outcomes[m.start + k] = o;
        options.onOutcome?.(o);
      });
      byWorker += m.outcomes.length;
    });
    // Whatever it did not deliver, the calling thread loads.
    worker.on('error', () => settle());
    worker.on('exit', () => settle());
  }
  return {
    async finish(inline) {
      if (options.callerLoads !== false)
        for (let r = claim(counter, 1, workerOnly, files.length, BATCH); r; r = claim(counter, 1, workerOnly, files.length, BATCH)) {
          for (let i = r[0]; i < r[1]; i++) {
            const o = (outcomes[i] = await inline(files[i]));
            options.onOutcome?.(o);
          }
          // Let the worker's finished batches in while this thread works.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      await ended;
      for (let i = 0; i < files.length; i++)
        if (!outcomes[i]) {
          const o = (outcomes[i] = await inline(files[i]));
          options.onOutcome?.(o);
        }
      return { outcomes: outcomes as FileOutcome[], byWorker };
    },
  };
}

/** The worker's side: claims batches (its own first, then shared ones) until none is left, sending each batch's outcomes. */
export async function runPoolWorker(load: (f: DiscoveredFile, maxBytes: number) => Promise<FileOutcome>, post: (m: WorkerMessage) => void, data: WorkerData): Promise<void> {
  const { files, workerOnly, batch, counter } = data;
  const next = () => claim(counter, 0, 0, workerOnly, batch) ?? claim(counter, 1, workerOnly, files.length, batch);
  for (let r = next(); r; r = next()) {
    const outcomes: PooledOutcome[] = [];
    for (let i = r[0]; i < r[1]; i++) {
      const o: PooledOutcome = await load(files[i], data.maxBytes);
      if (o.sink?.workflows.length) o.layouts = o.sink.workflows.map(layoutOf);
      outcomes.push(o);
    }
    try {
      post({ start: r[0], outcomes });
    } catch (e) {
      post({ start: r[0], failed: String(e) });
    }
  }
  post({ done: true });
}
