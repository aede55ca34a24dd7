// Writes the V8 code cache of the bundled CLI (dist/oidc-lint.cjs.cache) after a warm-up: linting
// examples/broken in every output format compiles the functions a typical run executes, and the
// cache then holds their bytecode too, so a real run neither parses nor compiles them again.
// `npm run build` runs this after scripts/bundle.mjs; nothing is written when the bundle is missing.
import { writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_CACHE, loadBundle } from '../bin/load-cli.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
rmSync(CODE_CACHE, { force: true });
const loaded = loadBundle({ useCache: false });
if (loaded) {
  const quiet = () => {};
  for (const format of ['text', 'json', 'sarif', 'github']) {
    const code = await loaded.cli.main(['examples/broken', '--format', format, '--no-color'], { cwd: repo, stdout: quiet, stderr: quiet, env: {} });
    if (code !== 1) throw new Error(`code cache warm-up: linting examples/broken --format ${format} exited ${code}, expected 1`);
  }
  writeFileSync(CODE_CACHE, loaded.script.createCachedData());
}
