/**
 * Loading files on a second thread. Terraform and AWS CDK TypeScript are the costly formats to
 * read — web-tree-sitter and typescript-estree take a while to load, and each file to parse — so on
 * a large repository a worker thread loads them while the calling thread loads everything else
 * (YAML and JSON, which it reads about as fast as it could take them from another thread: a model
 * sent between threads is copied twice, out and in).
 *
 * Nothing is lost when the worker cannot help: a batch it could not send (a model that does not
 * clone), a worker that fails to start or dies, leaves those files to the calling thread, which
 * loads them itself. Results are put back in discovery order, so the project is the same whichever
 * thread loaded a file.
 */
import { closeSync, existsSync, constants as fsConstants, fstatSync, openSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import type { LoadOptions, LoadTask, TaskResult } from '../index.js';
import { isTerraformPath } from '../aws/terraform.js';
import { isCdkPath, mayBeCdkIam } from '../aws/cdk.js';
import { plainLocationsDeep } from '../../model/location.js';

/** Tasks per message: few messages, and results reach the calling thread as they come. */
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
 * larger than V8's default lets that garbage die with fewer collections.
 */
const WORKER_YOUNG_GENERATION_MB = 96;

/** Whether the worker thread loads a file: Terraform (one task per module directory) and TypeScript (AWS CDK). */
export function workerLoads(relPath: string): boolean {
  return isTerraformPath(relPath) || isCdkPath(relPath);
}

/** Bytes of a `.ts` file looked at to decide which thread loads it (CDK imports come first). */
export const CDK_PEEK_BYTES = 16 * 1024;

/**
 * Whether the worker thread should load this file: Terraform always; a `.ts` file only when its
 * first CDK_PEEK_BYTES mention CDK IAM (`mayBeCdkIam`). An ordinary source file (most `.ts` files of
 * a monorepo) stays on the calling thread, where the loader reads it once and finds nothing to
 * parse, instead of crossing to the worker and back. This only picks a thread: whichever thread
 * loads a file applies the same loaders to its whole text. Anything unusual (unreadable, not a
 * regular file) goes to the worker as before, whose loader reports it.
 */
export function workerShouldLoad(f: { relPath: string; absPath: string; notRead?: string }): boolean {
  if (isTerraformPath(f.relPath)) return true;
  if (!isCdkPath(f.relPath)) return false;
  if (f.notRead) return true;
  let fd: number | undefined;
  try {
    fd = openSync(f.absPath, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
    if (!fstatSync(fd).isFile()) return true;
    const buf = Buffer.allocUnsafe(CDK_PEEK_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return mayBeCdkIam(f.relPath, buf.toString('latin1', 0, n));
  } catch {
    return true;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Whether a worker thread loads the `files` Terraform and CDK files while the calling thread loads
 * its `inlineFiles` (everything else). The worker only pays off when the calling thread has work of
 * its own to do meanwhile: with fewer files of its own than the worker's, it would mostly wait, and
 * the thread's start-up (its own copy of the code) and the copying of every model from one heap to
 * the other are pure cost. On a Terraform-heavy repository (1,200 .tf files, 30 workflows; ten
 * alternating pairs on a shared two-core machine) the worker took 1.15× the wall time and 1.09× the
 * CPU time of one thread, at best saving the overlap of the trust-policy analysis with loading.
 */
export function usePool(files: number, inlineFiles: number, options: Pick<LoadOptions, 'threads' | 'poolMinFiles'>): boolean {
  const threads = options.threads ?? ((createRequire(import.meta.url)('node:os') as typeof import('node:os')).availableParallelism() >= 2 ? 2 : 1);
  return threads >= 2 && files >= (options.poolMinFiles ?? DEFAULT_MIN_FILES) && inlineFiles >= files && workerEntry() !== undefined;
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
      : [new URL('./pool-worker-entry.js', import.meta.url), new URL('../../../dist/src/loaders/shared/pool-worker-entry.js', import.meta.url)];
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
  maxBytes: number;
}

/** A worker's message: the results of tasks[start…], a batch it could not send, or the end. */
export type WorkerMessage = { start: number; results: TaskResult[] } | { start: number; failed: string } | { done: true };

export interface Pool {
  /** Waits for the worker, loads with `inline` whatever it did not deliver, and returns every result in task order, with how many files the worker loaded. */
  finish(inline: (t: LoadTask) => Promise<TaskResult>): Promise<{ results: TaskResult[]; byWorker: number }>;
}

export interface PoolOptions {
  /** The worker's script (tests start broken workers with it). */
  entry?: string;
  /** Called on the calling thread with each result as it arrives (the worker's) or is loaded (its own). */
  onResult?: (r: TaskResult) => void;
}

/** Starts a worker thread loading `tasks`, in order, batch by batch. */
export function startPool(tasks: LoadTask[], maxBytes: number, options: PoolOptions = {}): Pool {
  const results: (TaskResult | undefined)[] = new Array(tasks.length);
  const data: WorkerData = { oidcLintPool: true, tasks, maxBytes };
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
      // A batch the worker could not send is loaded here instead (its results stay undefined).
      if (!('results' in m)) return;
      m.results.forEach((r, k) => {
        results[m.start + k] = r;
        byWorker += r.outcomes.length;
        options.onResult?.(r);
      });
    });
    // Whatever it did not deliver, the calling thread loads.
    worker.on('error', () => settle());
    worker.on('exit', () => settle());
  }
  return {
    async finish(inline) {
      await ended;
      for (let i = 0; i < tasks.length; i++)
        if (!results[i]) {
          const r = (results[i] = await inline(tasks[i]));
          options.onResult?.(r);
        }
      return { results: results as TaskResult[], byWorker };
    },
  };
}

/** The worker's side: loads the tasks in order, sending each batch's results. */
export async function runPoolWorker(load: (t: LoadTask, maxBytes: number) => Promise<TaskResult>, post: (m: WorkerMessage) => void, data: WorkerData): Promise<void> {
  const { tasks, maxBytes } = data;
  for (let start = 0; start < tasks.length; start += BATCH) {
    const results: TaskResult[] = [];
    for (let i = start; i < Math.min(tasks.length, start + BATCH); i++) results.push(await load(tasks[i], maxBytes));
    try {
      // A compact location is a class instance: it would arrive as a bare object without its positions.
      plainLocationsDeep(results);
      post({ start, results });
    } catch (e) {
      post({ start, failed: String(e) });
    }
  }
  post({ done: true });
}
