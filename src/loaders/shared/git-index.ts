/**
 * The files git tracks in a work tree, read from its index file (`.git/index`) — git itself is not
 * run: a repository's own config can make git start programs (`core.fsmonitor`, hooks), and nothing
 * from the scanned repository is ever executed.
 *
 * Why: ignore files apply to untracked files only. A committed `.github/workflows/.gitignore`
 * listing `deploy.yml` does not stop GitHub from running that tracked workflow, so it must not stop
 * oidc-lint from reading it either. Discovery scans what git tracks plus untracked files that are
 * not ignored.
 *
 * Index format (git's Documentation/gitformat-index.txt): versions 2, 3 and 4 (4 compresses each
 * path against the one before), SHA-1 or SHA-256 object names, and a split index (`link`
 * extension: the entries of `sharedindex.<hash>` count too). A sparse index lists a folder outside
 * the sparse cone as one entry (`dir/`): every file below it counts as tracked. When the index
 * cannot be read, `problem` says why.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { FileAccessError, readFileBytes, readTextFile } from '../../files.js';

export interface TrackedPaths {
  /** The work tree (the folder holding `.git`). */
  top: string;
  /**
   * Tracked paths, relative to `top`, `/`-separated, sorted (JavaScript string order) for binary
   * search: no set of a million strings is built for the few lookups an ignore file asks for. A
   * folder a sparse index lists as one entry ends with `/`: everything below it is tracked.
   */
  paths: string[];
  /** The index lists folders (a sparse index). */
  sparse: boolean;
}

/** Index of the first path >= `key`. */
function lowerBound(paths: string[], key: string): number {
  let lo = 0;
  let hi = paths.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (paths[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether `rel` (relative to the work tree, `/`-separated) is a tracked file, or a folder holding one. */
export function isTracked(t: TrackedPaths, rel: string, isDir: boolean): boolean {
  if (isDir) {
    const prefix = rel + '/';
    if (t.paths[lowerBound(t.paths, prefix)]?.startsWith(prefix)) return true;
  } else if (t.paths[lowerBound(t.paths, rel)] === rel) return true;
  if (!t.sparse) return false;
  // Below a folder the sparse index lists as one entry.
  for (let i = rel.lastIndexOf('/'); i > 0; i = rel.lastIndexOf('/', i - 1)) {
    const dir = rel.slice(0, i + 1);
    if (t.paths[lowerBound(t.paths, dir)] === dir) return true;
  }
  return false;
}

/** An index larger than this is not read (one of 1,000,000 files is about 100 MiB); the paths of one this size take a few hundred MiB. */
export const MAX_INDEX_BYTES = 128 * 1024 * 1024;
const MAX_GIT_FILE_BYTES = 1024 * 1024;

export class GitIndexError extends Error {
  /** The file that could not be read (absolute; set by readTrackedPaths). */
  file = '';
}

function fail(message: string, file: string): GitIndexError {
  const e = new GitIndexError(message);
  e.file = file;
  return e;
}

/**
 * The work tree holding `start` and what its index tracks; undefined outside a git work tree.
 * Throws GitIndexError when there is an index that cannot be read.
 */
export function readTrackedPaths(start: string): TrackedPaths | undefined {
  let top = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(top, '.git'))) break;
    const up = path.dirname(top);
    if (up === top) return undefined;
    top = up;
  }
  const dotGit = path.join(top, '.git');
  let gitDir = dotGit;
  let commonDir = dotGit;
  try {
    if (!statSync(dotGit).isDirectory()) {
      const m = /^gitdir:\s*(.+?)\s*$/m.exec(readTextFile(dotGit, { maxBytes: MAX_GIT_FILE_BYTES }));
      if (!m) throw new GitIndexError('.git is a file without a gitdir: line');
      gitDir = path.resolve(top, m[1]);
    }
    commonDir = gitDir;
    const common = path.join(gitDir, 'commondir');
    if (existsSync(common)) commonDir = path.resolve(gitDir, readTextFile(common, { maxBytes: MAX_GIT_FILE_BYTES }).trim());
  } catch (e) {
    if (e instanceof GitIndexError) throw fail(e.message, dotGit);
    throw fail(`cannot read the git directory: ${e instanceof FileAccessError ? e.message : ((e as NodeJS.ErrnoException).code ?? String(e))}`, dotGit);
  }
  const tracked: TrackedPaths = { top, paths: [], sparse: false };
  const indexFile = path.join(gitDir, 'index');
  // A repository where nothing was ever added has no index: nothing is tracked.
  if (!existsSync(indexFile)) return tracked;
  let hashBytes = 20;
  try {
    const config = readTextFile(path.join(commonDir, 'config'), { maxBytes: MAX_GIT_FILE_BYTES });
    if (/^\s*objectformat\s*=\s*sha256\s*$/im.test(config)) hashBytes = 32;
  } catch {
    /* no config: SHA-1 */
  }
  const parse = (file: string) => {
    let buf: Buffer;
    try {
      buf = readFileBytes(file, { maxBytes: MAX_INDEX_BYTES });
    } catch (e) {
      throw fail((e as Error).message, file);
    }
    try {
      return parseIndex(buf, hashBytes, tracked);
    } catch (e) {
      if (e instanceof GitIndexError) throw fail(e.message, file);
      throw e;
    }
  };
  const shared = parse(indexFile);
  if (shared) parse(path.join(gitDir, `sharedindex.${shared}`));
  // Git's order is byte order; sorting an already sorted list is linear.
  tracked.paths.sort();
  return tracked;
}

/**
 * Adds the paths of one index file to `out`; returns the hash of the shared index when this is a
 * split index. Throws GitIndexError on anything that is not a well-formed index.
 */
export function parseIndex(buf: Buffer, hashBytes: number, out: Omit<TrackedPaths, 'top'>): string | undefined {
  const bad = (what: string): never => {
    throw new GitIndexError(`not a git index git can read (${what})`);
  };
  if (buf.toString('latin1', 0, 4) !== 'DIRC') bad('no DIRC signature');
  if (buf.length < 12 + hashBytes) bad('too short');
  const version = buf.readUInt32BE(4);
  if (version < 2 || version > 4) bad(`version ${version}`);
  const count = buf.readUInt32BE(8);
  const end = buf.length - hashBytes;
  let p = 12;
  let previous: Buffer = Buffer.alloc(0);
  for (let n = 0; n < count; n++) {
    const entryStart = p;
    // ctime, mtime (8 each), dev, ino, mode, uid, gid, size (4 each), object name, flags (2).
    const fixed = 40 + hashBytes + 2;
    if (p + fixed > end) bad('entries run past the end');
    const mode = buf.readUInt32BE(p + 24);
    const flags = buf.readUInt16BE(p + 40 + hashBytes);
    p += fixed;
    if (flags & 0x4000) {
      if (version < 3) bad('extended flags in a version 2 index');
      p += 2;
    }
    let rel: string;
    if (version === 4) {
      // A varint: how many bytes to drop from the end of the previous path, then the rest (NUL-ended).
      let strip = 0;
      for (let shift = 0; ; ) {
        if (p >= end) bad('path runs past the end');
        const b = buf[p++];
        strip = shift === 0 ? b & 0x7f : ((strip + 1) << 7) | (b & 0x7f);
        shift += 7;
        if (!(b & 0x80)) break;
        if (shift > 35) bad('path prefix too long');
      }
      if (strip > previous.length) bad('path prefix longer than the previous path');
      const nul = buf.indexOf(0, p);
      if (nul < 0 || nul >= end) bad('path runs past the end');
      previous = Buffer.concat([previous.subarray(0, previous.length - strip), buf.subarray(p, nul)]);
      rel = previous.toString('utf8');
      p = nul + 1;
    } else {
      const nul = buf.indexOf(0, p);
      if (nul < 0 || nul >= end) bad('path runs past the end');
      rel = buf.toString('utf8', p, nul);
      // Entries are padded with 1–8 NULs to a multiple of 8 bytes.
      p = entryStart + ((nul - entryStart + 8) & ~7);
    }
    // In a split index, an entry that replaces one of the shared index has no name of its own.
    if (!rel) continue;
    // A sparse-index folder entry (mode 040000, its path ending in `/`): all below it is tracked.
    if ((mode & 0o170000) === 0o040000 || rel.endsWith('/')) {
      out.paths.push(rel.endsWith('/') ? rel : rel + '/');
      out.sparse = true;
    } else out.paths.push(rel);
  }
  // Extensions: 4-byte signature, 4-byte size, data. `link` names the shared index of a split index.
  let sharedIndex: string | undefined;
  while (p + 8 <= end) {
    const sig = buf.toString('latin1', p, p + 4);
    const size = buf.readUInt32BE(p + 4);
    if (p + 8 + size > end) bad(`extension ${JSON.stringify(sig)} runs past the end`);
    if (sig === 'link') {
      const hash = buf.toString('hex', p + 8, p + 8 + hashBytes);
      if (!/^0+$/.test(hash)) sharedIndex = hash;
    }
    p += 8 + size;
  }
  return sharedIndex;
}
