/**
 * Who the scanned repository is on GitHub (owner, name, default branch) — needed to predict the
 * `sub` claims its jobs will present. Read from the config file when given, else from the git
 * remote of the scanned repository (`.git/config`, read as text: nothing is executed).
 */
import { existsSync, statSync } from 'node:fs';
import { readTextFile } from '../../files.js';

/** Git's small metadata files (`.git`, `commondir`, `config`, a ref) are read up to this size, and only when regular files. */
const MAX_GIT_FILE_BYTES = 1024 * 1024;
const readGitFile = (file: string) => readTextFile(file, { maxBytes: MAX_GIT_FILE_BYTES });
import path from 'node:path';
import type { RepoIdentity } from '../../model/project.js';

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
  let text: string;
  try {
    text = readGitFile(dotGit);
  } catch {
    return undefined;
  }
  const m = /^gitdir:\s*(.+)$/m.exec(text);
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
  if (existsSync(common)) {
    try {
      gitDir = path.resolve(gitDir, readGitFile(common).trim());
    } catch {
      return undefined;
    }
  }
  let config: string;
  try {
    config = readGitFile(path.join(gitDir, 'config'));
  } catch {
    return undefined;
  }
  const remotes = [...config.matchAll(/^\[remote "([^"]+)"\]([\s\S]*?)(?=^\[|(?![\s\S]))/gm)].map((m) => ({ name: m[1], url: /^\s*url\s*=\s*(.+)$/m.exec(m[2])?.[1] }));
  const remote = remotes.find((r) => r.name === 'origin') ?? remotes[0];
  const parsed = remote?.url ? parseRemoteUrl(remote.url) : undefined;
  if (!parsed) return undefined;
  let defaultBranch: string | undefined;
  try {
    const head = readGitFile(path.join(gitDir, 'refs', 'remotes', remote!.name, 'HEAD'));
    defaultBranch = /^ref:\s*refs\/remotes\/[^/]+\/(.+)$/m.exec(head)?.[1]?.trim();
  } catch {
    /* unknown default branch */
  }
  return { owner: parsed.owner, repo: parsed.repo, host: parsed.host, defaultBranch, source: 'git-remote' };
}
