#!/usr/bin/env node
// The bundled CLI starts faster (one script, compiled from a code cache); the unbundled build is the
// fallback.
import { loadBundle } from './load-cli.js';

const { main } = loadBundle()?.cli ?? (await import('../dist/src/cli.js'));

// `oidc-lint … | head`: the reader went away. What it did not read is dropped without a stack trace;
// the run still ends with its own exit code (1 when there are findings).
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e) => {
    if (!e || e.code !== 'EPIPE') throw e;
  });

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`oidc-lint: internal error: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exitCode = 2;
  },
);
