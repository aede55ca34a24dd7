/**
 * Walks the scan paths: honours .gitignore files (root and nested), skips node_modules and .git,
 * never follows a symlink out of the scan root, and bounds file size. File-system calls are
 * synchronous: a linter reads thousands of small files, and a thread-pool round trip per call
 * costs several times the call itself.
 */
import { readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';

export interface DiscoveredFile {
  absPath: string;
  /** Relative to the scan root, `/`-separated. */
  relPath: string;
  /** True when the user named this file explicitly on the command line. */
  explicit: boolean;
}

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

  const walk = (dir: string, rules: { base: string; ig: Ignore }[]): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      problems.push({ relPath: rel(dir), message: `cannot read directory: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, kind: 'io' });
      return;
    }
    let local = rules;
    const gi = entries.find((e) => e.name === '.gitignore' && e.isFile());
    if (gi) {
      try {
        const text = readFileSync(path.join(dir, '.gitignore'), 'utf8');
        local = [...rules, { base: dir, ig: ignore().add(text) }];
      } catch {
        /* unreadable .gitignore: ignore nothing extra */
      }
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      if (ALWAYS_SKIP.has(ent.name)) continue;
      const abs = path.join(dir, ent.name);
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        // Follow a symlink only when it stays inside the scan root; never walk into a linked directory (loops).
        const real = attempt(() => realpathSync(abs));
        if (!real || !inside(real)) continue;
        const st = attempt(() => statSync(abs));
        if (!st || st.isDirectory()) continue;
        isFile = st.isFile();
        isDir = false;
      }
      if (isIgnored(local, abs, isDir) || extraIgnores(abs, isDir)) continue;
      if (isDir) walk(abs, local);
      else if (isFile) add(abs, false);
    }
  };
  const add = (abs: string, explicit: boolean) => {
    const known = seen.get(abs);
    if (known) {
      // Named on the command line as well as found by a walk: treat as named.
      if (explicit) known.explicit = true;
      return;
    }
    const f = { absPath: abs, relPath: rel(abs), explicit };
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
    try {
      out.push({ base: d, ig: ignore().add(readFileSync(path.join(d, '.gitignore'), 'utf8')) });
    } catch {
      /* none */
    }
  }
  return out;
}

function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
