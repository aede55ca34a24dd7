/**
 * Baselines: accept every finding that exists today, report only new ones.
 *
 * A finding is identified by its stable fingerprint parts — rule id, message id, file (or the role
 * ARN for live resources) and symbolic path inside the file (`jobs.deploy.steps[1].with.role-to-assume`)
 * — never by line or column, so edits that move code around do not bring baselined findings back.
 * Several findings with the same parts are counted. The file stores those parts in clear (so a
 * reviewer can read what was accepted) and nothing else: no messages, no values, and every part goes
 * through secret redaction, so a baseline never records a key.
 *
 * Files are stored relative to the baseline file's directory, so the baseline matches whatever the
 * working directory or scan root of a later run.
 */
import path from 'node:path';
import type { Finding } from './rule.js';
import { redactSecrets } from '../model/secrets.js';
import { JsonSyntaxError, parseJson } from '../loaders/shared/json-ast.js';

export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  rule: string;
  messageId: string;
  /** File, relative to the baseline file's directory, `/`-separated. */
  file?: string;
  /** Role ARN, for findings on live resources (no file). */
  resource?: string;
  /** Symbolic path inside the file or resource. */
  path: string;
  /** What a cross-file finding stands on (its untrusted callers' triggers: Finding.via); omitted when nothing. */
  via?: string[];
  /** How many findings share these parts (omitted when 1). */
  count?: number;
}

export interface Baseline {
  version: typeof BASELINE_VERSION;
  tool: 'oidc-lint';
  findings: BaselineEntry[];
}

export class BaselineError extends Error {}

interface Where {
  /** Scan root the findings' files are relative to. */
  projectRoot: string;
  /** Directory of the baseline file. */
  baselineDir: string;
}

function entryOf(f: Finding, where: Where): BaselineEntry {
  const e: Partial<BaselineEntry> & Pick<BaselineEntry, 'rule' | 'messageId'> = { rule: f.ruleId, messageId: f.messageId };
  if (f.location.file) e.file = redactSecrets(path.relative(where.baselineDir, path.resolve(where.projectRoot, f.location.file)).split(path.sep).join('/'));
  else if (f.location.logical) e.resource = redactSecrets(f.location.logical.fullyQualifiedName);
  e.path = redactSecrets(f.location.path ?? '');
  if (f.via?.length) e.via = f.via.map((v) => redactSecrets(v));
  return e as BaselineEntry;
}

/** The identity of a finding (and the sort order of the file: by file, path, rule). */
function keyOf(e: BaselineEntry): string {
  return JSON.stringify([e.file ?? '', e.resource ?? '', e.path, e.rule, e.messageId, ...(e.via?.length ? [e.via] : [])]);
}

/** A baseline of the findings that are not already suppressed (inline or by config). */
export function createBaseline(findings: readonly Finding[], where: Where): Baseline {
  const counts = new Map<string, BaselineEntry>();
  for (const f of findings) {
    if (f.suppressed) continue;
    const e = entryOf(f, where);
    const k = keyOf(e);
    const seen = counts.get(k);
    if (seen) seen.count = (seen.count ?? 1) + 1;
    else counts.set(k, e);
  }
  const entries = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
  return { version: BASELINE_VERSION, tool: 'oidc-lint', findings: entries };
}

export function serializeBaseline(b: Baseline): string {
  return JSON.stringify(b, null, 2) + '\n';
}

export function parseBaseline(text: string): Baseline {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text: a baseline linked to a file of secrets would print them.
    throw new BaselineError(`not JSON (${syntaxErrorPosition(text)})`);
  }
  const d = doc as Partial<Baseline>;
  if (!d || typeof d !== 'object' || d.tool !== 'oidc-lint' || !Array.isArray(d.findings)) throw new BaselineError('not an oidc-lint baseline (expected { "version": 1, "tool": "oidc-lint", "findings": [...] })');
  if (d.version !== BASELINE_VERSION) throw new BaselineError(`unsupported baseline version ${JSON.stringify(d.version)} (this oidc-lint reads version ${BASELINE_VERSION})`);
  d.findings.forEach((e, i) => {
    const ok =
      e && typeof e === 'object' && typeof e.rule === 'string' && typeof e.messageId === 'string' && typeof e.path === 'string' &&
      (e.file === undefined || typeof e.file === 'string') && (e.resource === undefined || typeof e.resource === 'string') &&
      (e.count === undefined || (Number.isInteger(e.count) && e.count > 0)) &&
      (e.via === undefined || (Array.isArray(e.via) && e.via.every((v: unknown) => typeof v === 'string')));
    if (!ok) throw new BaselineError(`findings[${i}] is not a baseline entry ({ rule, messageId, file or resource, path, via?, count? })`);
  });
  return d as Baseline;
}

/**
 * Suppresses (kind `external`, justification `baseline`) every finding the baseline accounts for.
 * Returns how many findings were baselined and how many baseline entries no longer match anything.
 */
export function applyBaseline(findings: Finding[], baseline: Baseline, where: Where): { baselined: number; stale: number } {
  const remaining = new Map<string, number>();
  for (const e of baseline.findings) {
    const k = keyOf(e);
    remaining.set(k, (remaining.get(k) ?? 0) + (e.count ?? 1));
  }
  let baselined = 0;
  for (const f of findings) {
    if (f.suppressed) continue;
    const k = keyOf(entryOf(f, where));
    const n = remaining.get(k) ?? 0;
    if (n <= 0) continue;
    remaining.set(k, n - 1);
    f.suppressed = { kind: 'external', justification: 'baseline' };
    baselined++;
  }
  let stale = 0;
  for (const n of remaining.values()) stale += n;
  return { baselined, stale };
}

/** Where a text that JSON.parse refused goes wrong, without quoting it. */
function syntaxErrorPosition(text: string): string {
  try {
    parseJson(text, 'baseline');
  } catch (e) {
    if (e instanceof JsonSyntaxError) return `at line ${e.line}, column ${e.column}`;
  }
  return 'position unknown';
}
