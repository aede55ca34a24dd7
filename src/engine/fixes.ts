/**
 * `--fix`: applies the fixes rules attached to their findings, eslint style — per file, sorted by
 * position, only fixes that do not overlap one already taken; then re-lints and repeats (a fix can
 * make another one possible) until nothing applies or MAX_PASSES is reached.
 *
 * Only workflow files are ever edited. Fixes that touch anything else (IaC, trust policies) are
 * refused here, whatever a rule attaches: those changes are for people to make.
 */
import { promises as fs } from 'node:fs';
import type { Edit, Finding, Fix } from './rule.js';
import type { LintResult } from './linter.js';
import type { Project, SourceFile } from '../model/project.js';
import { LOADERS, type FileLoader, type LoadSink } from '../loaders/index.js';
import { linkProject } from '../model/links.js';
import { connectGraph } from '../loaders/workflows/graph.js';
import { FileAccessError, writeFileAtomic } from '../files.js';
import { plainLocation } from '../model/location.js';

export const MAX_PASSES = 10;

export interface FileChange {
  /** Relative to the scan root. */
  file: string;
  absPath: string;
  before: string;
  after: string;
  /** Fixes applied to this file, over all passes. */
  fixes: number;
}

export interface FixRun {
  /** The project as it is after the fixes (in memory; `writeChanges` puts it on disk). */
  project: Project;
  /** Lint result of the fixed project: what remains. */
  result: LintResult;
  /** Lint result of the project as it was given (the files on disk). */
  initial: LintResult;
  changes: FileChange[];
}

/** Whether a finding's fix may be applied automatically: not suppressed, edits in one workflow file. */
export function isAutoFixable(f: Finding, workflowFiles: ReadonlySet<string>): boolean {
  if (!f.fix || f.suppressed || !f.fix.edits.length) return false;
  const file = f.fix.edits[0].file;
  return f.fix.edits.every((e) => e.file === file) && workflowFiles.has(file);
}

export async function fixProject(project: Project, lint: (p: Project) => LintResult): Promise<FixRun> {
  const changes = new Map<string, FileChange>();
  let result = lint(project);
  const initial = result;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const byFile = new Map<string, Fix[]>();
    const workflowFiles = new Set(project.sources.filter((s) => s.kind === 'workflow').map((s) => s.path));
    const sources = new Map(project.sources.map((s) => [s.path, s]));
    for (const f of result.findings) {
      if (!isAutoFixable(f, workflowFiles)) continue;
      const file = f.fix!.edits[0].file;
      const list = byFile.get(file);
      if (list) list.push(f.fix!);
      else byFile.set(file, [f.fix!]);
    }
    const texts = new Map<string, string>();
    for (const [file, fixes] of byFile) {
      const source = sources.get(file)!;
      const { text, applied } = applyFixes(source.text, fixes);
      if (!applied.length || text === source.text) continue;
      texts.set(file, text);
      const c = changes.get(file);
      if (c) {
        c.after = text;
        c.fixes += applied.length;
      } else changes.set(file, { file, absPath: source.absPath, before: source.text, after: text, fixes: applied.length });
    }
    if (!texts.size) break;
    project = await reloadSources(project, texts);
    result = lint(project);
  }
  return { project, result, initial, changes: [...changes.values()].filter((c) => c.before !== c.after).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)) };
}

/**
 * Applies the fixes that do not overlap (touching counts as overlapping; the next pass takes it).
 * Each fix is all-or-nothing. Edits are by 1-based line and column, as rules give them.
 */
export function applyFixes(text: string, fixes: Fix[]): { text: string; applied: Fix[] } {
  const starts = lineStarts(text);
  const toOffset = (p: Edit['start']): number | undefined => {
    const base = starts[p.line - 1];
    if (base === undefined || p.column < 1) return undefined;
    const offset = base + p.column - 1;
    const next = starts[p.line] ?? text.length + 1;
    return offset < next && offset <= text.length ? offset : undefined;
  };
  type Span = { from: number; to: number; text: string };
  const planned: { fix: Fix; spans: Span[]; from: number }[] = [];
  for (const fix of fixes) {
    const spans: Span[] = [];
    let ok = true;
    for (const e of fix.edits) {
      const from = toOffset(e.start);
      const to = toOffset(e.end);
      if (from === undefined || to === undefined || to < from) ok = false;
      else spans.push({ from, to, text: e.text });
    }
    spans.sort((a, b) => a.from - b.from || a.to - b.to);
    for (let i = 1; i < spans.length; i++) if (spans[i].from < spans[i - 1].to || (spans[i].from === spans[i - 1].to && spans[i].from === spans[i].to)) ok = false;
    if (ok && spans.length) planned.push({ fix, spans, from: spans[0].from });
  }
  planned.sort((a, b) => a.from - b.from);
  const taken: Span[] = [];
  const applied: Fix[] = [];
  for (const p of planned) {
    if (p.spans.some((s) => taken.some((t) => s.from <= t.to && t.from <= s.to))) continue;
    taken.push(...p.spans);
    applied.push(p.fix);
  }
  taken.sort((a, b) => b.from - a.from);
  let out = text;
  for (const s of taken) out = out.slice(0, s.from) + s.text + out.slice(s.to);
  return { text: out, applied };
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * Re-loads changed files from memory with the loader that accepts them, keeping the order of
 * everything else, and re-links the project.
 */
export async function reloadSources(project: Project, texts: Map<string, string>): Promise<Project> {
  const fresh = new Map<string, LoadSink & { source: SourceFile }>();
  const byPath = new Map(project.sources.map((s) => [s.path, s]));
  for (const [file, text] of texts) {
    const old = byPath.get(file);
    if (!old) continue;
    const input = { relPath: file, absPath: old.absPath, text, explicit: true };
    const sink: LoadSink = { workflows: [], roles: [], providers: [], errors: [] };
    // Only workflow files are ever fixed, and they are read one file at a time.
    const loader = LOADERS.find((l): l is FileLoader => 'load' in l && l.accepts(input));
    try {
      await loader?.load(input, sink);
    } catch (e) {
      sink.errors.push({ type: 'LoadError', kind: 'structure', loc: { file, start: { line: 1, column: 1 }, end: { line: 1, column: 1 } }, message: `internal error in the ${loader?.name} loader: ${(e as Error).message}` });
    }
    const lines = text.split('\n');
    const source: SourceFile = { ...old, text, loc: { ...plainLocation(old.loc), end: { line: lines.length, column: lines[lines.length - 1].length + 1 } } };
    fresh.set(file, { ...sink, source });
  }
  const swap = <T>(list: T[], fileOf: (x: T) => string, pick: (s: LoadSink) => T[]): T[] => {
    const out: T[] = [];
    const done = new Set<string>();
    for (const x of list) {
      const file = fileOf(x);
      const f = fresh.get(file);
      if (!f) out.push(x);
      else if (!done.has(file)) {
        done.add(file);
        out.push(...pick(f));
      }
    }
    for (const [file, f] of fresh) if (!done.has(file)) out.push(...pick(f));
    return out;
  };
  const next: Project = {
    ...project,
    sources: project.sources.map((s) => fresh.get(s.path)?.source ?? s),
    workflows: swap(project.workflows, (w) => w.file, (s) => s.workflows),
    actions: swap(project.actions ?? [], (a) => a.file, (s) => s.actions ?? []),
    roles: swap(project.roles, (r) => r.loc.file, (s) => s.roles),
    providers: swap(project.providers, (p) => p.loc.file, (s) => s.providers),
    loadErrors: swap(project.loadErrors, (e) => e.loc.file, (s) => s.errors),
  };
  connectGraph(next);
  next.links = linkProject(next);
  return next;
}

/**
 * Writes the changed files, keeping a byte-order mark the file had, through a temporary file renamed
 * into place (files.ts: never through a symlink that leaves `region`, the repository). A file that
 * changed on disk since it was read is left alone and returned in `skipped`; one that cannot be
 * written, in `failed` with the reason.
 */
export async function writeChanges(changes: FileChange[], options: { region?: string } = {}): Promise<{ written: FileChange[]; skipped: FileChange[]; failed: { change: FileChange; reason: string }[] }> {
  const written: FileChange[] = [];
  const skipped: FileChange[] = [];
  const failed: { change: FileChange; reason: string }[] = [];
  for (const c of changes) {
    const buf = await fs.readFile(c.absPath);
    const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
    const current = buf.toString('utf8', bom ? 3 : 0);
    if (current !== c.before) {
      skipped.push(c);
      continue;
    }
    try {
      writeFileAtomic(c.absPath, (bom ? '\ufeff' : '') + c.after, { region: options.region, keepMode: true });
    } catch (e) {
      if (!(e instanceof FileAccessError)) throw e;
      failed.push({ change: c, reason: e.message });
      continue;
    }
    written.push(c);
  }
  return { written, skipped, failed };
}

// ------------------------------------------------------------------ unified diff

/** A unified diff of one file (3 lines of context), `git diff` style; empty when nothing changed. */
export function unifiedDiff(file: string, before: string, after: string): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = diffLines(a.lines, b.lines);
  const out = [`--- a/${file}`, `+++ b/${file}`];
  const CONTEXT = 3;
  // Group the edit script into hunks.
  let i = 0;
  while (i < ops.length) {
    while (i < ops.length && ops[i].op === ' ') i++;
    if (i >= ops.length) break;
    const start = Math.max(0, i - CONTEXT);
    let end = i;
    for (;;) {
      while (end < ops.length && ops[end].op !== ' ') end++;
      let j = end;
      while (j < ops.length && ops[j].op === ' ') j++;
      if (j < ops.length && j - end <= CONTEXT * 2) end = j;
      else {
        end = Math.min(ops.length, end + CONTEXT);
        break;
      }
    }
    const hunk = ops.slice(start, end);
    const aStart = hunk.find((o) => o.op !== '+')?.ai ?? hunk[0].ai;
    const bStart = hunk.find((o) => o.op !== '-')?.bi ?? hunk[0].bi;
    const aLen = hunk.filter((o) => o.op !== '+').length;
    const bLen = hunk.filter((o) => o.op !== '-').length;
    out.push(`@@ -${range(aStart, aLen)} +${range(bStart, bLen)} @@`);
    for (const o of hunk) {
      out.push(o.op + o.text);
      const lastA = o.op !== '+' && o.ai === a.lines.length - 1 && !a.finalNewline;
      const lastB = o.op !== '-' && o.bi === b.lines.length - 1 && !b.finalNewline;
      if ((o.op === '-' && lastA) || (o.op === '+' && lastB) || (o.op === ' ' && lastA && lastB)) out.push('\\ No newline at end of file');
    }
    i = end;
  }
  return out.join('\n') + '\n';
}

function range(start: number, len: number): string {
  // Unified diff line numbers are 1-based; an empty range names the line before it.
  return len === 1 ? `${start + 1}` : `${len === 0 ? start : start + 1},${len}`;
}

function splitLines(text: string): { lines: string[]; finalNewline: boolean } {
  if (text === '') return { lines: [], finalNewline: true };
  const finalNewline = text.endsWith('\n');
  const lines = (finalNewline ? text.slice(0, -1) : text).split('\n');
  return { lines, finalNewline };
}

interface DiffOp {
  op: ' ' | '-' | '+';
  text: string;
  /** Index in the old lines (for ' ' and '-'), else the old index the line is inserted before. */
  ai: number;
  bi: number;
}

/** Myers' O(ND) line diff, after trimming the common prefix and suffix. */
function diffLines(a: string[], b: string[]): DiffOp[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const A = a.slice(pre, a.length - suf);
  const B = b.slice(pre, b.length - suf);
  const n = A.length;
  const m = B.length;
  const max = n + m;
  const v = new Map<number, number>([[1, 0]]);
  const trace: Map<number, number>[] = [];
  outer: for (let d = 0; d <= max; d++) {
    trace.push(new Map(v));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v.get(k - 1) ?? -1) < (v.get(k + 1) ?? -1)) ? (v.get(k + 1) ?? 0) : (v.get(k - 1) ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && A[x] === B[y]) {
        x++;
        y++;
      }
      v.set(k, x);
      if (x >= n && y >= m) break outer;
    }
  }
  // Backtrack.
  const middle: DiffOp[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d];
    const k = x - y;
    const down = k === -d || (k !== d && (vd.get(k - 1) ?? -1) < (vd.get(k + 1) ?? -1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = vd.get(prevK) ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      middle.push({ op: ' ', text: A[x], ai: pre + x, bi: pre + y });
    }
    if (d > 0) {
      if (down) {
        y--;
        middle.push({ op: '+', text: B[y], ai: pre + x, bi: pre + y });
      } else {
        x--;
        middle.push({ op: '-', text: A[x], ai: pre + x, bi: pre + y });
      }
    }
  }
  middle.reverse();
  const ops: DiffOp[] = [];
  for (let i = 0; i < pre; i++) ops.push({ op: ' ', text: a[i], ai: i, bi: i });
  ops.push(...middle);
  for (let i = 0; i < suf; i++) ops.push({ op: ' ', text: a[a.length - suf + i], ai: a.length - suf + i, bi: b.length - suf + i });
  return ops;
}
