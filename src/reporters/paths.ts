import path from 'node:path';

/** Absolute path of a project-relative file. */
export function absoluteOf(root: string, file: string): string {
  return path.resolve(root, file);
}

/** A path for people: relative to `base` when below it, `/` separators. */
export function displayPath(root: string, file: string, base: string): string {
  const rel = path.relative(base, absoluteOf(root, file));
  return (rel.startsWith('..') || path.isAbsolute(rel) ? absoluteOf(root, file) : rel).split(path.sep).join('/');
}

/** A repo-relative, percent-encoded URI reference (SARIF `artifactLocation.uri`). */
export function sarifUri(root: string, file: string, repoRoot: string): string {
  const rel = path.relative(repoRoot, absoluteOf(root, file)).split(path.sep).join('/');
  return rel
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}
