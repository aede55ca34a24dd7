/**
 * The CLI's own reads and writes — the report (`-o`), the baseline, the AWS snapshot, the config
 * file — done as carefully as the scanned files are read: the repository being linted may be
 * hostile, and a symlink committed to it must not make oidc-lint read or overwrite a file outside
 * it (`.oidc-lint-baseline.json → ~/.bashrc`, `oidc-lint.config.yaml → /dev/zero`).
 *
 * - The *protected region* is the repository (its git root, else the scanned root). A path inside
 *   it is repository content: it is followed only while it stays inside (a symlink out of it is
 *   refused), and only regular files are read or replaced. A path outside it is the user's own
 *   (`-o /tmp/report.sarif`, `-o /dev/stdout`) and is used as given.
 * - Reads open the file without blocking, check it on the open handle (a regular file, not a pipe
 *   or a device) and stop at a size bound.
 * - Writes go to a temporary file beside the target, renamed into place: an interrupted run never
 *   leaves a truncated report over a good one. Missing parent folders are created.
 *
 * Every failure is a FileAccessError with a one-line reason (the CLI prints it and exits 2).
 */
import { closeSync, constants as fsConstants, fstatSync, lstatSync, mkdirSync, openSync, readSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync, type Stats } from 'node:fs';
import path from 'node:path';

export class FileAccessError extends Error {}

/** Size bounds of the files oidc-lint reads besides the scanned ones. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
export const MAX_BASELINE_BYTES = 64 * 1024 * 1024;
export const MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;

function inside(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

function realOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function code(e: unknown): string {
  const c = (e as NodeJS.ErrnoException).code;
  if (c === 'ENOENT') return 'no such file';
  if (c === 'EISDIR') return 'is a directory';
  if (c === 'ENOTDIR') return 'a part of its path is not a folder';
  if (c === 'EACCES' || c === 'EPERM') return 'permission denied';
  return c ?? (e as Error).message;
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'a special file';
}

/** The region a path belongs to: the protected region (lexically and by its real path) when it lies inside it. */
interface Region {
  dir: string;
  real: string;
}

function regionOf(region: string | undefined): Region | undefined {
  if (region === undefined) return undefined;
  const dir = path.resolve(region);
  return { dir, real: realOr(dir) };
}

function isRepositoryContent(abs: string, r: Region | undefined): boolean {
  return !!r && (inside(abs, r.dir) || inside(abs, r.real));
}

const LINK_OUT = 'a symbolic link to a path outside the repository, which oidc-lint does not follow there';
const OUTSIDE = `it is ${LINK_OUT}`;

/**
 * Reads a text file the CLI needs (config, baseline, snapshot, .gitignore, git metadata): a
 * regular file, at most `maxBytes`, and — when it lies inside `region` — not through a symlink
 * that leaves it. Throws FileAccessError with the reason (not prefixed with the file name).
 */
export function readTextFile(abs: string, options: { maxBytes: number; region?: string }): string {
  return readFileBytes(abs, options).toString('utf8');
}

export function readFileBytes(abs: string, options: { maxBytes: number; region?: string }): Buffer {
  const r = regionOf(options.region);
  if (isRepositoryContent(abs, r)) {
    let real: string;
    try {
      real = realpathSync(abs);
    } catch (e) {
      throw new FileAccessError(code(e) === 'ELOOP' ? 'symlink loop' : code(e));
    }
    if (!inside(real, r!.real)) throw new FileAccessError(OUTSIDE);
  }
  let fd: number | undefined;
  try {
    fd = openSync(abs, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FileAccessError(`${kindOf(st)}, not a regular file`);
    const tooBig = (n: number) => new FileAccessError(`larger than the ${(options.maxBytes / 1048576).toFixed(0)} MiB oidc-lint reads (${(n / 1048576).toFixed(1)} MiB)`);
    if (st.size > options.maxBytes) throw tooBig(st.size);
    // Files under /proc report a size of 0 and still have content: read until the end or the bound.
    const chunks: Buffer[] = [];
    let total = 0;
    let want = st.size + 1;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(options.maxBytes + 1 - total, want));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > options.maxBytes) throw tooBig(total);
      want = 1 << 16;
    }
    return Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof FileAccessError) throw e;
    throw new FileAccessError(code(e));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `data` to `abs` (creating missing parent folders) through a temporary file renamed into
 * place. Inside `region`, neither a parent folder nor the file itself may be a symlink that leads
 * out of it, and only a regular file is replaced. Throws FileAccessError with the reason.
 * `data` may be given in pieces (a report written as it is made): they are written one after the
 * other, and the file appears, complete, only when the last one is written.
 */
export function writeFileAtomic(abs: string, data: string | Iterable<string>, options: { region?: string; keepMode?: boolean } = {}): void {
  abs = path.resolve(abs);
  const r = regionOf(options.region);
  const content = isRepositoryContent(abs, r);
  try {
    // The deepest folder that exists: its real path must stay in the repository; the rest is created.
    const missing: string[] = [];
    let dir = path.dirname(abs);
    for (;;) {
      let st: Stats | undefined;
      try {
        st = lstatSync(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      if (st) break;
      missing.unshift(path.basename(dir));
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    let realDir: string;
    try {
      realDir = realpathSync(dir);
    } catch (e) {
      // A dangling symlink as a parent folder.
      throw new FileAccessError(content ? `a folder in its path is ${LINK_OUT}` : code(e));
    }
    if (content && !inside(realDir, r!.real)) throw new FileAccessError(`a folder in its path is ${LINK_OUT}`);
    if (!statSync(realDir).isDirectory()) throw new FileAccessError('a part of its path is not a folder');
    if (missing.length) mkdirSync(path.join(realDir, ...missing), { recursive: true });
    let target = path.join(realDir, ...missing, path.basename(abs));
    let existing: Stats | undefined;
    try {
      existing = lstatSync(target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (existing?.isSymbolicLink()) {
      let real: string | undefined;
      try {
        real = realpathSync(target);
      } catch {
        /* dangling or a loop */
      }
      if (content && (real === undefined || !inside(real, r!.real))) throw new FileAccessError(real === undefined ? 'it is a symbolic link to a path that does not exist' : OUTSIDE);
      if (real !== undefined) {
        target = real;
        existing = statSync(real);
      } else existing = undefined; // outside the repository: the dangling link itself is replaced
    }
    if (existing?.isDirectory()) throw new FileAccessError('is a directory');
    if (existing && !existing.isFile()) {
      // A pipe or a terminal the user named (`-o /dev/stdout`): written as is; never one in the repository.
      if (content) throw new FileAccessError(`${kindOf(existing)}, not a regular file`);
      writeData(target, data, 'w', 0o666);
      return;
    }
    // Keep the permissions of the file replaced — not its execute bits, unless asked (a source file --fix edits).
    const mode = existing ? existing.mode & (options.keepMode ? 0o777 : 0o666) : 0o666;
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
    try {
      writeData(tmp, data, 'wx', mode);
      renameSync(tmp, target);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        /* not created */
      }
      throw e;
    }
  } catch (e) {
    if (e instanceof FileAccessError) throw e;
    throw new FileAccessError(code(e));
  }
}

/** Writes `data` (a string, or its pieces in order) to a file opened with `flag`. */
function writeData(file: string, data: string | Iterable<string>, flag: string, mode: number): void {
  if (typeof data === 'string') {
    writeFileSync(file, data, { flag, mode });
    return;
  }
  const fd = openSync(file, flag, mode);
  try {
    for (const chunk of data) {
      const buf = Buffer.from(chunk, 'utf8');
      for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    }
  } finally {
    closeSync(fd);
  }
}
