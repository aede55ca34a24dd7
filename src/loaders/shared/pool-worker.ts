/** The worker thread of loaders/shared/pool.ts: loads the files it claims, with the same loaders. */
import { LOADERS, loadTask } from '../index.js';
import { runPoolWorker, workerThreads, type WorkerData } from './pool.js';

export function poolWorkerMain(): Promise<void> {
  const { parentPort, workerData } = workerThreads();
  const data = workerData as WorkerData | undefined;
  if (!parentPort || !data?.oidcLintPool) throw new Error('oidc-lint: the loader pool worker was started outside a worker thread');
  const port = parentPort;
  return runPoolWorker((t, maxBytes) => loadTask(t, LOADERS, maxBytes), (m) => port.postMessage(m), data);
}
