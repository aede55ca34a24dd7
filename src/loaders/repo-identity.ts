/**
 * Who the scanned repository is on GitHub (owner, name, default branch) — needed to predict the
 * `sub` claims its jobs will present. Read from the config file when given, else from the git
 * remote of the scanned repository (`.git/config`, read as text: nothing is executed).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RepoIdentity } from '../model/project.js';

/** Parses `git@github.com:owner/repo.git`, `https://github.com/owner/repo(.git)`, `ssh://git@host/owner/repo`. */
export function parseRemoteUrl(url: string): { host: string; owner: string; repo: string } | undefined {
  const u = url.trim();
  let m = /^(?:[\w.-]+@)?([\w.-]+):([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(u);
  if (m && !u.includes('://')) return { host: m[1], owner: m[2], repo: m[3] };
  m = /^(?:https?|ssh|git):\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(u);
  if (m) return { host: m[1], owner: m[2], repo: m[3] };
  return undefined;
}

/** The git directory of a work tree (`.git` directory, or the `gitdir:` a `.git` file points to). */
function gitDirOf(top: string): string | undefined {
  const dotGit = path.join(top, '.git');
  if (!existsSync(dotGit)) return undefined;
  if (statSync(dotGit).isDirectory()) return dotGit;
  const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
  return m ? path.resolve(top, m[1].trim()) : undefined;
}

/** Finds the enclosing git work tree and reads its `origin` remote and default branch. */
export function identityFromGit(start: string): RepoIdentity | undefined {
  let cur = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(cur, '.git'))) break;
    const up = path.dirname(cur);
    if (up === cur) return undefined;
    cur = up;
  }
  let gitDir = gitDirOf(cur);
  if (!gitDir) return undefined;
  // Linked work trees keep config and remote refs in the common dir.
  const common = path.join(gitDir, 'commondir');
  if (existsSync(common)) gitDir = path.resolve(gitDir, readFileSync(common, 'utf8').trim());
  let config: string;
  try {
    config = readFileSync(path.join(gitDir, 'config'), 'utf8');
  } catch {
    return undefined;
  }
  const remotes = [...config.matchAll(/^\[remote "([^"]+)"\]([\s\S]*?)(?=^\[|(?![\s\S]))/gm)].map((m) => ({ name: m[1], url: /^\s*url\s*=\s*(.+)$/m.exec(m[2])?.[1] }));
  const remote = remotes.find((r) => r.name === 'origin') ?? remotes[0];
  const parsed = remote?.url ? parseRemoteUrl(remote.url) : undefined;
  if (!parsed) return undefined;
  let defaultBranch: string | undefined;
  try {
    const head = readFileSync(path.join(gitDir, 'refs', 'remotes', remote!.name, 'HEAD'), 'utf8');
    defaultBranch = /^ref:\s*refs\/remotes\/[^/]+\/(.+)$/m.exec(head)?.[1]?.trim();
  } catch {
    /* unknown default branch */
  }
  return { owner: parsed.owner, repo: parsed.repo, host: parsed.host, defaultBranch, source: 'git-remote' };
}
