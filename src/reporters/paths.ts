import path from 'node:path';
import { redactSecrets } from '../model/secrets.js';

/** Absolute path of a project-relative file. */
export function absoluteOf(root: string, file: string): string {
  return path.resolve(root, file);
}

/** A path for people: relative to `base` when below it, `/` separators. */
export function displayPath(root: string, file: string, base: string): string {
  const rel = path.relative(base, absoluteOf(root, file));
  return (rel.startsWith('..') || path.isAbsolute(rel) ? absoluteOf(root, file) : rel).split(path.sep).join('/');
}

/** A repo-relative, percent-encoded URI reference (SARIF `artifactLocation.uri`); a key in a file name is redacted first, as everywhere. */
export function sarifUri(root: string, file: string, repoRoot: string): string {
  const rel = path.relative(repoRoot, absoluteOf(root, file)).split(path.sep).join('/');
  return rel
    .split('/')
    .map((seg) => encodeURIComponent(redactSecrets(seg)))
    .join('/');
}

/**
 * The artifact URI for a live-AWS location, which has no file. GitHub code scanning rejects a
 * result whose location has only `logicalLocations` ("expected artifact location"), so such a
 * result gets a stable, repository-relative placeholder path derived from the ARN —
 * `aws-iam/<account>/role/<path>/<name>` — next to the logical location that names the ARN. The
 * path does not exist in the repository; GitHub lists the alert under it without a code view.
 * (Findings on an offline `--aws-snapshot` point at the snapshot file instead.)
 */
export function logicalArtifactUri(fullyQualifiedName: string): string {
  const m = /^arn:[^:]+:iam::([^:]*):(.+)$/.exec(fullyQualifiedName);
  const segments = m ? [m[1], ...m[2].split('/')] : [fullyQualifiedName];
  return ['aws-iam', ...segments.filter((s) => s !== '')].map((s) => encodeURIComponent(s)).join('/');
}
