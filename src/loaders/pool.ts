/**
 * Loading YAML files on a second thread. Parsing YAML is most of a large scan, and a worker thread
 * lets a second core do it: the calling thread meanwhile loads the other formats, then takes its
 * share of the YAML files too. Both threads claim batches of files from one shared counter, so
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
import { Worker } from 'node:worker_threads';
import type { DiscoveredFile } from './discover.js';
import type { FileOutcome, LoadOptions } from './index.js';
import { layoutOf, rememberLayout, type LayoutNode } from './workflow-layout.js';

/** Files per batch: small enough to share the tail evenly, large enough that messages are few. */
const BATCH = 16;
const DEFAULT_MIN_FILES = 200;

/** What the pool takes: YAML (workflows and CloudFormation/SAM templates). */
export function isPoolable(relPath: string): boolean {
  return /\.ya?ml$/i.test(relPath);
}

export function usePool(files: number, options: Pick<LoadOptions, 'threads' | 'poolMinFiles'>): boolean {
  const threads = options.threads ?? (os.availableParallelism() >= 2 ? 2 : 1);
  return threads >= 2 && files >= (options.poolMinFiles ?? DEFAULT_MIN_FILES) && workerEntry() !== undefined;
}

declare const __oidcLintImport: unknown;

/**
 * The worker's script. The bundled CLI (bin/load-cli.js, which passes `__oidcLintImport`) starts
 * bin/load-worker.js, which loads the same bundle; the unbundled build starts pool-worker-entry.js
 * next to this module, or, when this module runs from the TypeScript sources (the tests), its
 * compiled copy under dist/.
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
  maxBytes: number;
  batch: number;
  counter: Int32Array;
}

/** A worker's message: one batch's outcomes (with each workflow's layout), a batch it could not send, or the end. */
export type WorkerMessage = { batch: number; outcomes: PooledOutcome[] } | { batch: number; failed: string } | { done: true };

export interface PooledOutcome extends FileOutcome {
  layouts?: (LayoutNode | undefined)[];
}

export interface Pool {
  /**
   * Loads the batches no thread has claimed yet with `inline`, waits for the worker's, and returns
   * every outcome in file order, with how many of them the worker loaded.
   */
  finish(inline: (f: DiscoveredFile) => Promise<FileOutcome>): Promise<{ outcomes: FileOutcome[]; byWorker: number }>;
}

export interface PoolOptions {
  /** The worker's script (tests start broken workers with it). */
  entry?: string;
  /** False: the calling thread claims no batch and only loads what the worker did not deliver (tests). */
  callerLoads?: boolean;
}

export function startPool(files: DiscoveredFile[], maxBytes: number, options: PoolOptions = {}): Pool {
  const batches = Math.ceil(files.length / BATCH);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const outcomes: (FileOutcome | undefined)[] = new Array(files.length);
  const data: WorkerData = { oidcLintPool: true, files, maxBytes, batch: BATCH, counter };
  let worker: Worker | undefined;
  let byWorker = 0;
  let settle!: () => void;
  const ended = new Promise<void>((resolve) => (settle = resolve));
  try {
    worker = new Worker(options.entry ?? workerEntry()!, { workerData: data });
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
        outcomes[m.batch * BATCH + k] = o;
      });
      byWorker += m.outcomes.length;
    });
    // Whatever it did not deliver, the calling thread loads.
    worker.on('error', () => settle());
    worker.on('exit', () => settle());
  }
  const loadBatch = async (b: number, load: (f: DiscoveredFile) => Promise<FileOutcome>) => {
    for (let i = b * BATCH; i < Math.min(files.length, (b + 1) * BATCH); i++) outcomes[i] = await load(files[i]);
  };
  return {
    async finish(inline) {
      for (let b = options.callerLoads === false ? batches : Atomics.add(counter, 0, 1); b < batches; b = Atomics.add(counter, 0, 1)) {
        await loadBatch(b, inline);
        // Let the worker's finished batches in while this thread works.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await ended;
      for (let i = 0; i < files.length; i++) outcomes[i] ??= await inline(files[i]);
      return { outcomes: outcomes as FileOutcome[], byWorker };
    },
  };
}

/** The worker's side: claims batches until none is left, sending each batch's outcomes. */
export async function runPoolWorker(load: (f: DiscoveredFile, maxBytes: number) => Promise<FileOutcome>, post: (m: WorkerMessage) => void, data: WorkerData): Promise<void> {
  const batches = Math.ceil(data.files.length / data.batch);
  for (let b = Atomics.add(data.counter, 0, 1); b < batches; b = Atomics.add(data.counter, 0, 1)) {
    const outcomes: PooledOutcome[] = [];
    for (const f of data.files.slice(b * data.batch, (b + 1) * data.batch)) {
      const o: PooledOutcome = await load(f, data.maxBytes);
      if (o.sink?.workflows.length) o.layouts = o.sink.workflows.map(layoutOf);
      outcomes.push(o);
    }
    try {
      post({ batch: b, outcomes });
    } catch (e) {
      post({ batch: b, failed: String(e) });
    }
  }
  post({ done: true });
}
