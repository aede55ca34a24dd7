#!/usr/bin/env node
// CommonJS (bin/package.json): an ES module entry would start Node's ES module loader, and importing
// `node:fs` there builds its module facade, which loads fs/promises and the stream modules — a few ms
// of every cold start. The bundled CLI starts faster (one script, compiled from a code cache); the
// unbundled build is the fallback.
'use strict';
const { loadBundle, saveCodeCache } = require('./load-cli.js');

const bundled = loadBundle();
const run = (cli) =>
  cli.main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // First run on this Node.js version: keep what it compiled for the next start (load-cli.js).
      if (bundled) saveCodeCache(bundled);
    },
    (err) => {
      process.stderr.write(`oidc-lint: internal error: ${err && err.stack ? err.stack : String(err)}\n`);
      process.exitCode = 2;
    },
  );
if (bundled) run(bundled.cli);
else import('../dist/src/cli.js').then(run);
