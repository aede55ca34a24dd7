/** The worker thread of loaders/pool.ts: loads the files it claims, with the same loaders. */
import { parentPort, workerData } from 'node:worker_threads';
import { LOADERS, loadFile } from './index.js';
import { runPoolWorker, type WorkerData } from './pool.js';

export function poolWorkerMain(): Promise<void> {
  const data = workerData as WorkerData | undefined;
  if (!parentPort || !data?.oidcLintPool) throw new Error('oidc-lint: the loader pool worker was started outside a worker thread');
  const port = parentPort;
  return runPoolWorker((f, maxBytes) => loadFile(f, LOADERS, maxBytes), (m) => port.postMessage(m), data);
}
