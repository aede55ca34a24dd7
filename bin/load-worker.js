// Script of the loader pool's worker thread (src/loaders/shared/pool.ts) for the bundled CLI: the same
// bundle and code cache as the main thread. A rejection is unhandled and ends the thread with its
// error, which the pool reports.
'use strict';
const { loadBundle } = require('./load-cli.js');

const loaded = loadBundle();
if (!loaded) throw new Error('oidc-lint: dist/oidc-lint.cjs is missing');
loaded.cli.poolWorkerMain();
