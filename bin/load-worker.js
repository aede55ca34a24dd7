// Script of the loader pool's worker thread (src/loaders/pool.ts) for the bundled CLI: the same
// bundle and code cache as the main thread.
import { loadBundle } from './load-cli.js';

const loaded = loadBundle();
if (!loaded) throw new Error('oidc-lint: dist/oidc-lint.cjs is missing');
await loaded.cli.poolWorkerMain();
