// Writes the V8 code cache of the bundled CLI for the Node.js running the build
// (dist/oidc-lint.cjs-<version>-<arch>.cache; other versions get theirs in the user's cache folder,
// see bin/load-cli.js) after a warm-up: linting examples/broken in every output format, then a small generated repository of plain workflows and
// JSON trust policies (the shape of most repositories, with code paths the example does not take),
// compiles the functions a typical run executes, and the cache then holds their bytecode too, so a
// real run neither parses nor compiles them again. Nothing of Terraform or CDK is warmed: those runs
// load tree-sitter or TypeScript anyway, and their code would only make every start read a bigger
// cache. `npm run build` runs this after scripts/bundle.mjs; nothing is written when the bundle is
// missing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateMonorepo } from '../dist/scripts/bench/generate.js';

const { BUNDLE, CODE_CACHE, loadBundle } = createRequire(import.meta.url)('../bin/load-cli.js');
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Earlier builds wrote dist/oidc-lint.cjs.cache (one name for every Node.js); the name now says which.
rmSync(CODE_CACHE, { force: true });
rmSync(`${BUNDLE}.cache`, { force: true });
const loaded = loadBundle({ useCache: false });
if (loaded) {
  const quiet = () => {};
  const lint = async (args, cwd, expected) => {
    const code = await loaded.cli.main([...args, '--no-color'], { cwd, stdout: quiet, stderr: quiet, env: {} });
    if (code !== expected) throw new Error(`code cache warm-up: oidc-lint ${args.join(' ')} exited ${code}, expected ${expected}`);
  };
  for (const format of ['text', 'json', 'sarif', 'github']) await lint(['examples/broken', '--format', format], repo, 1);
  const small = mkdtempSync(path.join(os.tmpdir(), 'oidc-lint-warm-up-'));
  try {
    // Another seed than the bench's small repository: the same kinds of file, not the same files.
    const g = generateMonorepo(small, { workflows: 5, policies: 3, seed: 7 });
    if (g.policyFiles.some((f) => !f.endsWith('.json'))) throw new Error('code cache warm-up: expected JSON trust policies only');
    await lint([small, '--format', 'json'], small, 1);
  } finally {
    rmSync(small, { recursive: true, force: true });
  }
  writeFileSync(CODE_CACHE, loaded.script.createCachedData());
}
