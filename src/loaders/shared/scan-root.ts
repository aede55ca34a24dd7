/**
 * Where a scan's paths are relative to. Loaders know a file by its path from the scan root (a
 * workflow is `.github/workflows/*.yml`), so a root inside a repository's `.github` directory —
 * `oidc-lint .github/workflows`, `oidc-lint .github`, or a run from inside `.github/workflows` — is
 * lifted to the directory that holds `.github`. Only the root moves: the paths scanned stay the
 * ones given, and reports show paths from the current directory as before.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export function rootOutsideDotGithub(root: string): string {
  const abs = path.resolve(root);
  const parts = abs.split(path.sep);
  const i = parts.lastIndexOf('.github');
  if (i <= 0) return abs;
  const dotGithub = parts.slice(0, i + 1).join(path.sep);
  // A repository named `.github` (an organisation's profile and template repository) is a root of its own.
  if (existsSync(path.join(dotGithub, '.git'))) return abs;
  return path.dirname(dotGithub);
}
