// Loads the bundled CLI (dist/oidc-lint.cjs) with the V8 code cache written next to it at build time
// (scripts/code-cache.mjs). V8 checks the cache against the source, its own version and its flags and
// ignores a cache that does not match (another Node.js version, say): the bundle is then compiled as
// usual. Returns undefined when there is no bundle (a build without esbuild): the caller falls back
// to the unbundled modules.
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');

const BUNDLE = path.join(__dirname, '..', 'dist', 'oidc-lint.cjs');
const CODE_CACHE = `${BUNDLE}.cache`;

function readOrUndefined(file, encoding) {
  try {
    return readFileSync(file, encoding);
  } catch (e) {
    if (e && e.code === 'ENOENT') return undefined;
    throw e;
  }
}

/** @param {{ useCache?: boolean }} [options] */
function loadBundle(options = {}) {
  // The bundle is one function expression (scripts/bundle.mjs wraps it) taking the CommonJS arguments
  // plus two of its own; the file is compiled as it is, so its line numbers are those of stack traces.
  const source = readOrUndefined(BUNDLE, 'latin1');
  if (source === undefined) return undefined;
  let cachedData;
  try {
    // The cache only saves time: a cache that cannot be read is the same as none.
    cachedData = options.useCache === false ? undefined : readFileSync(CODE_CACHE);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(source, { filename: BUNDLE, cachedData });
  const module = { exports: {} };
  // import() inside a vm script has no module loader (and the one Node.js 20 offers for it is
  // experimental and lost with a code cache), so the bundle imports its lazy dependencies through
  // this module's.
  const importLazily = (specifier) => import(specifier);
  script.runInThisContext()(module.exports, require, module, BUNDLE, path.dirname(BUNDLE), pathToFileURL(BUNDLE).href, importLazily);
  return { cli: module.exports, script, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

module.exports = { BUNDLE, CODE_CACHE, loadBundle };
