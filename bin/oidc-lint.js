#!/usr/bin/env node
// The bundled CLI starts faster (one script, compiled from a code cache); the unbundled build is the
// fallback.
import { loadBundle } from './load-cli.js';

const { main } = loadBundle()?.cli ?? (await import('../dist/src/cli.js'));

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`oidc-lint: internal error: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exitCode = 2;
  },
);
