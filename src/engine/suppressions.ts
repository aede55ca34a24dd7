/**
 * Suppressions: accepting a known finding with a reason.
 *
 * - Inline: a comment `# oidc-lint: ignore[rule-id, …] reason` (YAML, HCL) or
 *   `// oidc-lint: ignore[…] reason` (TypeScript, and HCL) at the end of the finding's line, or on a
 *   line of its own above it (it then covers the next line that is not itself a comment). Only real
 *   comments count (see comments.ts). Suppressed findings get `{ kind: 'inSource', justification }`.
 * - External: `suppressions:` entries in the config file, for formats without comments (JSON) and
 *   for live roles, matched by rule, file pattern and/or role ARN, optionally narrowed to a symbolic
 *   path. Suppressed findings get `{ kind: 'external', justification: reason }`.
 *
 * Suppressed findings are kept (SARIF lists them with `suppressions`); text output and the exit code
 * ignore them. Every directive becomes a `Suppression` node, dispatched to rules after all other
 * rules have run, telling which of its rule ids suppressed something: `no-unused-suppression` reports
 * the ones that did not.
 */
import path from 'node:path';
import ignore from 'ignore';
import type { Finding } from './rule.js';
import type { Position, SourceLocation } from '../model/location.js';
import { withLocationPath } from '../model/location.js';
import type { Project, SourceFile } from '../model/project.js';
import { commentSyntaxOf, lineComments, type LineComment } from './comments.js';
import { closest } from './config.js';

/** A config-file suppression entry (normalised). */
export interface ExternalSuppression {
  rules: string[];
  /** Gitignore-style patterns, relative to `base`. */
  files: string[];
  /** Role ARN patterns (`*` and `?` wildcards), matched against live roles' ARNs. */
  roles: string[];
  /** Symbolic path inside the file (e.g. `Statement[0].Condition`): the entry covers it and everything below it. */
  path?: string;
  reason: string;
  /** Absolute directory that `files` patterns are relative to. */
  base: string;
  /** Where the entry is written, for reports: absolute file, the span of its `rule` value, its symbolic path. */
  origin?: { file: string; start: Position; end: Position; path: string };
}

/**
 * What happened to one rule id of a directive:
 * `used` (it suppressed at least one finding), `unused` (the rule ran and found nothing to suppress),
 * `unknown` (no such rule), `disabled` (the rule did not run, so nobody can tell),
 * `inapplicable` (a config entry whose files and roles were not part of this run).
 */
export type SuppressionStatus = 'used' | 'unused' | 'unknown' | 'disabled' | 'inapplicable';

/** One suppression directive (a comment or a config entry), as rules see it (`Suppression` visitor). */
export interface Suppression {
  type: 'Suppression';
  origin: 'comment' | 'config';
  /** The comment, or the config entry's `rule` value. */
  loc: SourceLocation;
  /** Set when a comment starts with `oidc-lint:` but is not `oidc-lint: ignore[rule-id, …] reason`. */
  malformed: boolean;
  rules: { id: string; loc: SourceLocation; status: SuppressionStatus; /** For an unknown id: the nearest rule id. */ suggestion?: string }[];
  reason: string;
  /** Line the comment covers (comments only). */
  line?: number;
}

export interface SuppressionInput {
  project: Project;
  findings: Finding[];
  /** Every rule id that exists. */
  known: ReadonlySet<string>;
  /** Rule ids that ran in this lint. */
  enabled: ReadonlySet<string>;
  external?: readonly ExternalSuppression[];
}

/** Marks suppressed findings in place; returns every directive with the status of each of its rule ids. */
export function applySuppressions({ project, findings, known, enabled, external = [] }: SuppressionInput): Suppression[] {
  const out: Suppression[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!f.location.file || f.suppressed) continue;
    const list = byFile.get(f.location.file);
    if (list) list.push(f);
    else byFile.set(f.location.file, [f]);
  }

  for (const source of project.sources) {
    const directives = directivesOf(source);
    if (!directives.length) continue;
    const byLine = new Map<number, Directive[]>();
    for (const d of directives) {
      if (d.line === undefined) continue;
      const list = byLine.get(d.line);
      if (list) list.push(d);
      else byLine.set(d.line, [d]);
    }
    for (const f of byFile.get(source.path) ?? []) {
      // A finding that stands on other files too (a reusable workflow's untrusted callers) is not
      // accepted by a comment here, which cannot tell which callers it was written for: suppress it
      // in the config file, naming those files (a new caller is then a new finding).
      if (f.via?.some((v) => viaFile(v) !== source.path)) continue;
      for (const d of byLine.get(f.location.start.line) ?? []) {
        const r = d.rules.find((x) => x.id === f.ruleId);
        if (!r) continue;
        r.used = true;
        f.suppressed ??= { kind: 'inSource', justification: d.reason };
      }
    }
    for (const d of directives) {
      out.push({
        type: 'Suppression',
        origin: 'comment',
        loc: d.loc,
        malformed: d.malformed,
        reason: d.reason,
        ...(d.line !== undefined ? { line: d.line } : {}),
        rules: d.rules.map((r) => {
          if (!known.has(r.id)) {
            const suggestion = closest(r.id, known);
            return { id: r.id, loc: r.loc, status: 'unknown' as const, ...(suggestion ? { suggestion } : {}) };
          }
          return { id: r.id, loc: r.loc, status: !enabled.has(r.id) ? ('disabled' as const) : r.used ? ('used' as const) : ('unused' as const) };
        }),
      });
    }
  }

  if (external.length) {
    const matchers = external.map((e) => compileExternal(e, project.root));
    for (const f of findings) {
      if (f.suppressed) continue;
      for (const m of matchers) {
        if (!m.entry.rules.includes(f.ruleId) || !m.covers(f.location)) continue;
        // A cross-file finding is covered only when the entry names every file it stands on.
        if (f.via && !f.via.every((v) => m.coversFile(viaFile(v)))) continue;
        m.used.add(f.ruleId);
        f.suppressed = { kind: 'external', justification: m.entry.reason };
        break;
      }
    }
    for (const m of matchers) {
      const o = m.entry.origin;
      if (!o) continue;
      const applicable = project.sources.some((s) => m.coversFile(s.path)) || project.roles.some((r) => !!r.arn && r.arn.resolution !== 'unresolved' && m.coversRole(r.arn.value));
      const loc: SourceLocation = { file: relativeTo(project.root, o.file), start: o.start, end: o.end, path: o.path };
      out.push({
        type: 'Suppression',
        origin: 'config',
        loc,
        malformed: false,
        reason: m.entry.reason,
        rules: m.entry.rules.map((id) => ({
          id,
          loc,
          status: !known.has(id) ? 'unknown' : !enabled.has(id) ? 'disabled' : m.used.has(id) ? 'used' : applicable ? 'unused' : 'inapplicable',
        })),
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Inline directives

interface Directive {
  loc: SourceLocation;
  /** The line whose findings it suppresses; undefined when it covers nothing (end of file). */
  line?: number;
  malformed: boolean;
  rules: { id: string; loc: SourceLocation; used: boolean }[];
  reason: string;
}

const PREFIX = /^\s*oidc-lint\s*:/;
const IGNORE = /^(\s*oidc-lint\s*:\s*ignore\s*\[)([^\]\n]*)\]/;
const RULE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Parses the oidc-lint directives among a file's comments. Cheap for files that mention none. */
export function directivesOf(source: Pick<SourceFile, 'path' | 'text'>): Directive[] {
  if (!source.text.includes('oidc-lint')) return [];
  const syntax = commentSyntaxOf(source.path);
  if (syntax === 'none') return [];
  const text = source.text;
  const comments = lineComments(text, syntax, source.path);
  if (!comments.length) return [];
  const lines = lineStarts(text);
  const at = (offset: number): Position => {
    const line = lineOf(lines, offset);
    return { line, column: offset - lines[line - 1] + 1 };
  };
  const ownLine = (c: LineComment) => text.slice(lines[lineOf(lines, c.start) - 1], c.start).trim() === '';
  const commentOnlyLines = new Set(comments.filter(ownLine).map((c) => lineOf(lines, c.start)));
  const lastLine = lines.length;

  const out: Directive[] = [];
  for (const c of comments) {
    const body = text.slice(c.bodyStart, c.end);
    if (!PREFIX.test(body)) continue;
    const loc: SourceLocation = { file: source.path, start: at(c.start), end: at(c.end) };
    let line: number | undefined = loc.start.line;
    if (ownLine(c)) {
      line++;
      while (commentOnlyLines.has(line)) line++;
      if (line > lastLine) line = undefined;
    }
    const m = IGNORE.exec(body);
    const ids = m ? splitIds(m[2], c.bodyStart + m[1].length) : [];
    if (!m || ids.some((x) => !RULE_ID.test(x.id))) {
      out.push({ loc: withLocationPath(loc, 'oidc-lint:'), line, malformed: true, rules: [], reason: '' });
      continue;
    }
    const reason = body
      .slice(m[0].length)
      .trim()
      .replace(/^(--|:|-)\s*/, '');
    out.push({
      loc: withLocationPath(loc, `oidc-lint:ignore`),
      line,
      malformed: false,
      reason,
      rules: ids.map((x) => ({ id: x.id, used: false, loc: { file: source.path, start: at(x.start), end: at(x.start + x.id.length), path: `oidc-lint:ignore[${x.id}]` } })),
    });
  }
  return out;
}

/** `a, b` → ids with their offsets; an empty item (`a,,b`, `[]`) comes back as `''` (malformed). A trailing comma is fine. */
function splitIds(list: string, offset: number): { id: string; start: number }[] {
  const pieces = list.split(',');
  if (pieces.length > 1 && pieces[pieces.length - 1].trim() === '') pieces.pop();
  const out: { id: string; start: number }[] = [];
  let pos = 0;
  for (const piece of pieces) {
    out.push({ id: piece.trim(), start: offset + pos + (piece.length - piece.trimStart().length) });
    pos += piece.length + 1;
  }
  return out;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

// ---------------------------------------------------------------------------------------------
// Config-file entries

function compileExternal(entry: ExternalSuppression, root: string) {
  const files = entry.files.length ? ignore().add(entry.files) : undefined;
  const roles = entry.roles.map(arnPattern);
  const coversFile = (file: string): boolean => {
    if (!files || !file) return false;
    const rel = path.relative(entry.base, path.resolve(root, file)).split(path.sep).join('/');
    return !!rel && !rel.startsWith('../') && rel !== '..' && !path.isAbsolute(rel) && files.ignores(rel);
  };
  const coversRole = (arn: string): boolean => roles.some((re) => re.test(arn));
  const coversPath = (p: string | undefined): boolean => {
    if (entry.path === undefined) return true;
    if (p === undefined) return false;
    return p === entry.path || p.startsWith(entry.path + '.') || p.startsWith(entry.path + '[');
  };
  return {
    entry,
    used: new Set<string>(),
    coversFile,
    coversRole,
    covers(loc: SourceLocation): boolean {
      const where = (loc.file && coversFile(loc.file)) || (!!loc.logical && coversRole(loc.logical.fullyQualifiedName));
      return where && coversPath(loc.path);
    },
  };
}

/** `arn:aws:iam::123456789012:role/legacy-*` → a whole-string regex (`*` any run, `?` one character). */
function arnPattern(p: string): RegExp {
  const body = p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

function relativeTo(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}

/** The file of a `Finding.via` item (`file#event`). */
function viaFile(v: string): string {
  const i = v.lastIndexOf('#');
  return i < 0 ? v : v.slice(0, i);
}
