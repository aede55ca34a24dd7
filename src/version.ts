import { readFileSync } from 'node:fs';

/** Set by scripts/bundle.mjs to package.json's version: the bundled CLI does not read the file at each start. */
declare const __OIDC_LINT_VERSION__: string | undefined;

/** The package version: built into the bundle, else read once from package.json (from src/ under vitest and from dist/src/). */
export const VERSION: string = typeof __OIDC_LINT_VERSION__ === 'string' ? __OIDC_LINT_VERSION__ : (() => {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'oidc-lint' && pkg.version) return pkg.version;
    } catch {
      /* try the next candidate */
    }
  }
  return '0.0.0';
})();

export const RULES_DOC_URL = 'https://github.com/oidc-lint/oidc-lint/blob/main/rules.md';
