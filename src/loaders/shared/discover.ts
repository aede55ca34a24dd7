/**
 * Walks the scan paths: honours .gitignore files (root and nested), skips node_modules and .git,
 * never follows a symlink out of the scan root, and bounds file size. File-system calls are
 * synchronous: a linter reads thousands of small files, and a thread-pool round trip per call
 * costs several times the call itself.
 */
import { closeSync, constants as fsConstants, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { GitIndexError, isTracked, readTrackedPaths, type TrackedPaths } from './git-index.js';

export interface DiscoveredFile {
  absPath: string;
  /** Relative to the scan root, `/`-separated. */
  relPath: string;
  /** True when the user named this file explicitly on the command line. */
  explicit: boolean;
  /**
   * Set when the entry is not read: a symlink that leaves the scan root, loops or dangles, or
   * something that is not a regular file (a named pipe, a socket, a device). Reported for the
   * names oidc-lint would read, so that nothing is skipped silently.
   */
  notRead?: string;
  /** The entry not read is a symlink that leaves the root, loops or dangles (not a special file). */
  unfollowedLink?: boolean;
}

/** Patterns applied from one .gitignore (hand-written ones have a few hundred). */
export const MAX_GITIGNORE_PATTERNS = 2000;

export interface DiscoverProblem {
  relPath: string;
  message: string;
  kind: 'io' | 'limit';
}

/** `.terraform` holds `terraform init`'s copies of third-party modules and providers, not the user's code. */
const ALWAYS_SKIP = new Set(['node_modules', '.git', '.hg', '.svn', 'cdk.out.tmp', '.terraform']);

export interface DiscoverOptions {
  /** Scan root: paths in the report are relative to it. */
  root: string;
  /** Extra ignore globs (gitignore syntax). */
  ignore?: string[];
  /** Directory the extra globs are relative to (the config file's); defaults to the root. */
  ignoreBase?: string;
}

export async function discover(paths: string[], options: DiscoverOptions): Promise<{ files: DiscoveredFile[]; problems: DiscoverProblem[] }> {
  const root = path.resolve(options.root);
  const realRoot = attempt(() => realpathSync(root)) ?? root;
  const files: DiscoveredFile[] = [];
  const problems: DiscoverProblem[] = [];
  const seen = new Map<string, DiscoveredFile>();
  const rel = (abs: string) => path.relative(root, abs).split(path.sep).join('/') || path.basename(abs);
  const extra = ignore().add(options.ignore ?? []);
  const ignoreBase = path.resolve(options.ignoreBase ?? root);
  const extraIgnores = (abs: string, isDir: boolean) => {
    if (!options.ignore?.length) return false;
    const r = path.relative(ignoreBase, abs).split(path.sep).join('/');
    if (!r || r === '..' || r.startsWith('../') || path.isAbsolute(r)) return false;
    return extra.ignores(isDir ? r + '/' : r);
  };

  const inside = (real: string) => real === realRoot || real.startsWith(realRoot + path.sep);

  // Ignore files hide untracked files only (as in git): in a git work tree, what its index tracks is
  // scanned even when an ignore file names it; and a workflow under .github/workflows/ is never
  // hidden by one (GitHub runs it whatever .gitignore says). The index is read once, when an ignore
  // file first applies; when it cannot be read, no ignore file applies (and that is reported).
  let tracked: TrackedPaths | null | undefined;
  let ignoreFilesApply = true;
  const trackedPaths = (): TrackedPaths | null => {
    if (tracked !== undefined) return tracked;
    tracked = null;
    try {
      tracked = readTrackedPaths(root) ?? null;
    } catch (e) {
      if (!(e instanceof GitIndexError)) throw e;
      ignoreFilesApply = false;
      problems.push({ relPath: rel(e.file), message: `cannot read git's index (${e.message}), so no .gitignore was applied`, kind: 'io' });
    }
    return tracked;
  };
  const WORKFLOWS = /(^|\/)\.github(\/workflows(\/|$)|$)/;
  const hiddenByIgnoreFile = (rules: { base: string; ig: Ignore }[], abs: string, isDir: boolean): boolean => {
    if (!rules.length || !isIgnored(rules, abs, isDir)) return false;
    const fromRoot = path.relative(root, abs).split(path.sep).join('/');
    if (WORKFLOWS.test(fromRoot) && (isDir || /(^|\/)\.github\/workflows\//.test(fromRoot))) return false;
    const t = trackedPaths();
    if (!ignoreFilesApply) return false;
    return !t || !isTracked(t, path.relative(t.top, abs).split(path.sep).join('/'), isDir);
  };

  const walk = (dir: string, rules: { base: string; ig: Ignore }[]): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      problems.push({ relPath: rel(dir), message: `cannot read directory: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, kind: 'io' });
      return;
    }
    let local = rules;
    // Git reads a .gitignore only when it is a regular file (not through a symlink, since git 2.32).
    const gi = entries.find((e) => e.name === '.gitignore' && e.isFile());
    if (gi) {
      const text = readGitignore(path.join(dir, '.gitignore'));
      if (text !== undefined) {
        // Every path is tested against every pattern: 20,000 patterns took 10–40 s over 1,000 files.
        const patterns = text.split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('#'));
        if (patterns.length > MAX_GITIGNORE_PATTERNS)
          problems.push({ relPath: rel(path.join(dir, '.gitignore')), message: `.gitignore has ${patterns.length.toLocaleString('en')} patterns; only the first ${MAX_GITIGNORE_PATTERNS.toLocaleString('en')} were applied, so files the others exclude may have been scanned`, kind: 'limit' });
        local = [...rules, { base: dir, ig: ignore().add(patterns.slice(0, MAX_GITIGNORE_PATTERNS)) }];
      }
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      if (ALWAYS_SKIP.has(ent.name)) continue;
      const abs = path.join(dir, ent.name);
      // Some file systems do not report entry types: ask for them.
      const typed = ent.isFile() || ent.isDirectory() || ent.isSymbolicLink() || ent.isFIFO() || ent.isSocket() || ent.isCharacterDevice() || ent.isBlockDevice();
      const kind = typed ? ent : attempt(() => lstatSync(abs)) ?? ent;
      let isDir = kind.isDirectory();
      let isFile = kind.isFile();
      let notRead: string | undefined;
      let unfollowed = false;
      if (kind.isSymbolicLink()) {
        // Follow a symlink only when it stays inside the scan root; never walk into a linked directory (loops).
        let real: string | undefined;
        try {
          real = realpathSync(abs);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          unfollowed = true;
          notRead = code === 'ELOOP' ? 'symlink loop' : code === 'ENOENT' ? 'broken symlink (its target does not exist)' : `cannot resolve symlink: ${code ?? String(e)}`;
        }
        if (real !== undefined && !inside(real)) {
          unfollowed = true;
          notRead = 'symlink to a path outside the scanned root, not followed (scan a directory that contains its target, or ignore this path)';
        }
        isDir = false;
        isFile = false;
        if (!notRead) {
          const st = attempt(() => statSync(abs));
          if (!st || st.isDirectory()) continue;
          isFile = st.isFile();
          if (!isFile) notRead = `symlink to ${specialKind(st)}, not a regular file`;
        }
      } else if (!isDir && !isFile) notRead = `${specialKind(kind)}, not a regular file`;
      if (extraIgnores(abs, isDir) || hiddenByIgnoreFile(local, abs, isDir)) continue;
      if (isDir) walk(abs, local);
      else if (isFile) add(abs, false);
      else if (notRead) add(abs, false, notRead, unfollowed);
    }
  };
  const add = (abs: string, explicit: boolean, notRead?: string, unfollowedLink = false) => {
    const known = seen.get(abs);
    if (known) {
      // Named on the command line as well as found by a walk: treat as named.
      if (explicit) known.explicit = true;
      return;
    }
    const f: DiscoveredFile = { absPath: abs, relPath: rel(abs), explicit };
    if (notRead) f.notRead = notRead;
    if (unfollowedLink) f.unfollowedLink = true;
    seen.set(abs, f);
    files.push(f);
  };

  for (const p of paths) {
    const abs = path.resolve(p);
    let st;
    try {
      st = statSync(abs);
    } catch (e) {
      problems.push({ relPath: p, message: `no such file or directory`, kind: 'io' });
      continue;
    }
    if (st.isDirectory()) walk(abs, ancestorsIgnore(root, abs));
    else add(abs, true);
  }
  return { files, problems };
}

/** What a non-regular, non-directory entry is, in words. */
export function specialKind(st: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'a special file';
}

function isIgnored(rules: { base: string; ig: Ignore }[], abs: string, isDir: boolean): boolean {
  for (const r of rules) {
    const relToBase = path.relative(r.base, abs).split(path.sep).join('/');
    if (!relToBase || relToBase.startsWith('..')) continue;
    if (r.ig.ignores(isDir ? relToBase + '/' : relToBase)) return true;
  }
  return false;
}

/** .gitignore files between the root and a starting directory below it. */
function ancestorsIgnore(root: string, start: string): { base: string; ig: Ignore }[] {
  const out: { base: string; ig: Ignore }[] = [];
  const relStart = path.relative(root, start);
  if (!relStart || relStart.startsWith('..') || path.isAbsolute(relStart)) return out;
  const dirs = [root];
  let cur = root;
  for (const seg of relStart.split(path.sep).filter(Boolean)) {
    cur = path.join(cur, seg);
    if (cur !== start) dirs.push(cur);
  }
  for (const d of dirs) {
    const text = readGitignore(path.join(d, '.gitignore'));
    if (text !== undefined) out.push({ base: d, ig: ignore().add(text.split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('#')).slice(0, MAX_GITIGNORE_PATTERNS)) });
  }
  return out;
}

/** Bytes of one .gitignore read (its first MAX_GITIGNORE_PATTERNS patterns are applied). */
const MAX_GITIGNORE_BYTES = 1024 * 1024;

/**
 * A .gitignore's text, or undefined when there is none to apply: missing, unreadable, a symlink
 * (git does not follow one) or not a regular file. A larger one is read up to MAX_GITIGNORE_BYTES.
 */
function readGitignore(file: string): string | undefined {
  const st = attempt(() => lstatSync(file));
  if (!st?.isFile()) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(file, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
    if (!fstatSync(fd).isFile()) return undefined;
    const buf = Buffer.allocUnsafe(MAX_GITIGNORE_BYTES);
    let n = 0;
    for (let r; n < buf.length && (r = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += r;
    return buf.toString('utf8', 0, n);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
