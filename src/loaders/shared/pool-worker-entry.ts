// Script of the loader pool's worker thread for the unbundled build (the bundled CLI uses bin/load-worker.js).
import { poolWorkerMain } from './pool-worker.js';

await poolWorkerMain();
