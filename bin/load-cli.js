// Loads the bundled CLI (dist/oidc-lint.cjs) with the V8 code cache written next to it at build time
// (scripts/code-cache.mjs). V8 checks the cache against the source, its own version and its flags and
// ignores a cache that does not match (another Node.js version, say): the bundle is then compiled as
// usual. Returns undefined when there is no bundle (a build without esbuild): the caller falls back
// to the unbundled modules.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

export const BUNDLE = fileURLToPath(new URL('../dist/oidc-lint.cjs', import.meta.url));
export const CODE_CACHE = `${BUNDLE}.cache`;

function readOrUndefined(file, encoding) {
  try {
    return readFileSync(file, encoding);
  } catch (e) {
    if (e && e.code === 'ENOENT') return undefined;
    throw e;
  }
}

/** @param {{ useCache?: boolean }} [options] */
export function loadBundle(options = {}) {
  const source = readOrUndefined(BUNDLE, 'utf8');
  if (source === undefined) return undefined;
  let cachedData;
  try {
    // The cache only saves time: a cache that cannot be read is the same as none.
    cachedData = options.useCache === false ? undefined : readFileSync(CODE_CACHE);
  } catch {
    cachedData = undefined;
  }
  // The CommonJS wrapper on the first line keeps the bundle's line numbers in stack traces. import()
  // inside a vm script has no module loader (and the one Node.js 20 offers for it is experimental and
  // lost with a code cache), so the bundle imports its lazy dependencies through this module's.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __oidcLintBundleUrl, __oidcLintImport) {${source}\n})`, {
    filename: BUNDLE,
    cachedData,
  });
  const module = { exports: {} };
  const importLazily = (specifier) => import(specifier);
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, path.dirname(BUNDLE), pathToFileURL(BUNDLE).href, importLazily);
  return { cli: module.exports, script, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}
