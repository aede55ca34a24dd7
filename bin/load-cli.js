// Loads the bundled CLI (dist/oidc-lint.cjs) with a V8 code cache. V8 accepts a cache only from the
// same V8 version and flags, so a cache is kept per Node.js version:
// - the build writes one for the Node.js that built it (scripts/code-cache.mjs), next to the bundle,
//   named after that Node.js version (a development checkout; the npm package ships none, since a
//   cache embeds the path the bundle was compiled from);
// - any other Node.js line (a user on Node.js 22 or 24 with a package built on 20, an installed
//   package) gets its own cache in the user's cache folder, written after its first run
//   (saveCodeCache), keyed by the bundle's size and time stamp and the Node.js version and
//   architecture. OIDC_LINT_CACHE_DIR names another folder; set to the empty string, no cache is
//   written or read there.
// A cache that is missing, unreadable or rejected is the same as none: the bundle is compiled as
// usual. Returns undefined when there is no bundle (a build without esbuild): the caller falls back
// to the unbundled modules.
'use strict';
const { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync, unlinkSync } = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');

const BUNDLE = path.join(__dirname, '..', 'dist', 'oidc-lint.cjs');
/** The cache the build writes: for the Node.js version that ran the build only. */
const CODE_CACHE = `${BUNDLE}-${process.version}-${process.arch}.cache`;
/** A user cache file bigger than this is not read (the bundle's own cache is about 0.6 MB). */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

function readOrUndefined(file, encoding) {
  try {
    return readFileSync(file, encoding);
  } catch (e) {
    if (e && e.code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The user's cache folder for oidc-lint, or undefined when there is none (or it is switched off). */
function userCacheDir(env) {
  const own = env.OIDC_LINT_CACHE_DIR;
  if (own !== undefined) return own === '' ? undefined : path.resolve(own);
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) return path.join(env.XDG_CACHE_HOME, 'oidc-lint');
  if (env.HOME && path.isAbsolute(env.HOME)) return path.join(env.HOME, '.cache', 'oidc-lint');
  return undefined;
}

/** A regular file of at most MAX_CACHE_BYTES, or undefined (a folder, a FIFO, a device, too big, unreadable). */
function readRegularFile(file) {
  let fd;
  try {
    fd = openSync(file, 'r');
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_CACHE_BYTES) return undefined;
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === buf.length ? buf : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** @param {{ useCache?: boolean, env?: NodeJS.ProcessEnv }} [options] */
function loadBundle(options = {}) {
  // The bundle is one function expression (scripts/bundle.mjs wraps it) taking the CommonJS arguments
  // plus two of its own; the file is compiled as it is, so its line numbers are those of stack traces.
  let fd;
  let source;
  let stamp;
  try {
    fd = openSync(BUNDLE, 'r');
  } catch (e) {
    if (e && e.code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    stamp = `${st.size}-${st.mtimeNs}`;
    source = readFileSync(fd, 'latin1');
  } finally {
    closeSync(fd);
  }
  const useCache = options.useCache !== false;
  const env = options.env ?? process.env;
  const dir = useCache ? userCacheDir(env) : undefined;
  const userCache = dir ? path.join(dir, `oidc-lint-${stamp}-${process.version}-${process.arch}.cache`) : undefined;
  let cachedData;
  let cacheFile;
  if (useCache) {
    // The cache only saves time: a cache that cannot be read is the same as none.
    cachedData = readRegularFile(CODE_CACHE);
    cacheFile = cachedData && CODE_CACHE;
    if (!cachedData && userCache) {
      cachedData = readRegularFile(userCache);
      cacheFile = cachedData && userCache;
    }
  }
  const script = new vm.Script(source, { filename: BUNDLE, cachedData });
  const module = { exports: {} };
  // import() inside a vm script has no module loader (and the one Node.js 20 offers for it is
  // experimental and lost with a code cache), so the bundle imports its lazy dependencies through
  // this module's.
  const importLazily = (specifier) => import(specifier);
  script.runInThisContext()(module.exports, require, module, BUNDLE, path.dirname(BUNDLE), pathToFileURL(BUNDLE).href, importLazily);
  const cacheUsed = cachedData !== undefined && !script.cachedDataRejected;
  return {
    cli: module.exports,
    script,
    cacheUsed,
    cacheFile: cacheUsed ? cacheFile : undefined,
    /** Where saveCodeCache would write, when no cache was used and a user cache folder exists. */
    pendingCache: !cacheUsed && userCache ? userCache : undefined,
  };
}

/**
 * After a run that used no cache: writes the bundle's code cache (with what the run compiled) to the
 * user's cache folder, through a temporary file renamed into place, so a concurrent run never reads
 * half a cache. A folder that cannot be made or written is the same as none: nothing is reported.
 */
function saveCodeCache(loaded) {
  const target = loaded && loaded.pendingCache;
  if (!target) return false;
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    writeFileSync(tmp, loaded.script.createCachedData(), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, target);
    return true;
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    return false;
  }
}

module.exports = { BUNDLE, CODE_CACHE, loadBundle, saveCodeCache, userCacheDir };
