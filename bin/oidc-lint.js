#!/usr/bin/env node
// The bundled CLI starts faster (one module instead of ~100); the unbundled build is the fallback.
import { existsSync } from 'node:fs';

const bundled = new URL('../dist/oidc-lint.mjs', import.meta.url);
const { main } = await import(existsSync(bundled) ? bundled.href : '../dist/src/cli.js');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`oidc-lint: internal error: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exitCode = 2;
  },
);
