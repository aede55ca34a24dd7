/**
 * Byte-exact edits to workflow YAML for `--fix`: rules describe WHAT to change (add `id-token:
 * write` to a job, move a workflow-level grant), this module finds WHERE in the original text,
 * through the offsets of the loader's outline of the file, and returns plain text edits.
 * Everything outside the edited spans — comments, blank lines, quoting, indentation, line
 * endings — is left as it was.
 *
 * Every builder returns `undefined` when it cannot edit safely (anchors and aliases, merge keys,
 * comments inside a flow mapping, a shape it does not recognise); the rule then reports without
 * a fix. See ecosystem.md §8 for why the yaml Document is never re-stringified.
 */
import type { Edit } from './rule.js';
import { layoutOf, type LayoutNode, type LayoutPair } from '../loaders/workflows/workflow-layout.js';
import type { Project } from '../model/project.js';
import type { Workflow } from '../model/workflow.js';
import type { Value } from '../model/location.js';

// The builders read the loader's outline of the file (loaders/workflows/workflow-layout.ts), not a yaml Document.
type LayoutMap = LayoutNode & { items: LayoutPair[] };
const isMap = (n: LayoutNode | null | undefined): n is LayoutMap => n?.kind === 'map' && n.items !== undefined;
const isScalar = (n: LayoutNode | null | undefined): n is LayoutNode => n?.kind === 'scalar';

/** `key: value` texts of a permissions mapping, in source order. */
export type Scopes = [key: string, value: string][];

/** Workflow sources and workflows by path, indexed once per project (a scan per lookup is quadratic in a monorepo). */
const fileIndex = new WeakMap<Project, { sources: number; workflows: number; source: Map<string, Project['sources'][number]>; workflow: Map<string, Workflow> }>();

function byPath(project: Project) {
  let index = fileIndex.get(project);
  if (!index || index.sources !== project.sources.length || index.workflows !== project.workflows.length) {
    index = { sources: project.sources.length, workflows: project.workflows.length, source: new Map(project.sources.map((s) => [s.path, s])), workflow: new Map(project.workflows.map((w) => [w.file, w])) };
    fileIndex.set(project, index);
  }
  return index;
}

export class WorkflowEditor {
  readonly eol: string;
  private readonly lineStarts: number[] = [0];

  private constructor(
    readonly file: string,
    readonly text: string,
    private readonly root: LayoutMap,
  ) {
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  /** The last file's editor: the traversal visits a workflow's nodes together, so one entry is enough and memory stays flat. */
  private static last: { project: WeakRef<Project>; file: string; editor: WorkflowEditor | undefined } | undefined;

  /** The editor of a workflow file of the project, or undefined when it is not one (or does not parse cleanly). */
  static for(project: Project, file: string): WorkflowEditor | undefined {
    const last = WorkflowEditor.last;
    if (last && last.file === file && last.project.deref() === project) return last.editor;
    const index = byPath(project);
    const source = index.source.get(file);
    if (!source || source.kind !== 'workflow') return undefined;
    // The loader's outline of the file: it has one only when the YAML parsed cleanly.
    const wf = index.workflow.get(file);
    const root = wf && layoutOf(wf);
    const editor = isMap(root) ? new WorkflowEditor(file, source.text, root) : undefined;
    WorkflowEditor.last = { project: new WeakRef(project), file, editor };
    return editor;
  }

  // ---------------------------------------------------------------- navigation

  private readonly keyIndex = new WeakMap<LayoutMap, Map<string, LayoutPair | null>>();

  /** The pair with this scalar key; undefined when absent or written twice (indexed once per mapping: jobs can be many). */
  private pair(map: LayoutMap, key: string): LayoutPair | undefined {
    let index = this.keyIndex.get(map);
    if (!index) {
      index = new Map();
      for (const p of map.items) {
        if (!isScalar(p.key)) continue;
        const k = String(p.key.value);
        index.set(k, index.has(k) ? null : p);
      }
      this.keyIndex.set(map, index);
    }
    return index.get(key) ?? undefined;
  }

  /** The mapping of a job, when it is a plain block mapping that nothing else shares (no anchor, no merge key). */
  private jobMap(jobId: string): { idKey: LayoutNode; map: LayoutMap } | undefined {
    const jobs = this.pair(this.root, 'jobs')?.value;
    if (!isMap(jobs) || jobs.flow) return undefined;
    const p = this.pair(jobs, jobId);
    if (!p || !isScalar(p.key) || !isMap(p.value) || p.value.flow || p.value.anchor) return undefined;
    if (p.value.items.some((q) => isScalar(q.key) && q.key.value === '<<')) return undefined;
    return { idKey: p.key, map: p.value };
  }

  /** The `permissions` pair of the workflow (no job id) or of a job. */
  private permissionsPair(jobId?: string): LayoutPair | undefined {
    if (jobId === undefined) return this.pair(this.root, 'permissions');
    const job = this.jobMap(jobId);
    return job && this.pair(job.map, 'permissions');
  }

  /** A permissions mapping whose entries are all `scalar: scalar`, not anchored. */
  private permissionsMap(p: LayoutPair | undefined): LayoutMap | undefined {
    const v = p?.value;
    if (!isMap(v) || v.anchor) return undefined;
    if (!v.items.every((q) => isScalar(q.key) && isScalar(q.value) && !q.value.anchor)) return undefined;
    return v;
  }

  // ---------------------------------------------------------------- reading

  /** The scopes of the workflow-level (no job id) or job-level permissions mapping, as written. */
  scopes(jobId?: string): Scopes | undefined {
    const p = this.permissionsPair(jobId);
    if (p && isScalar(p.value) && p.value.value === null && !p.value.anchor) return []; // `permissions:` with no value behaves like {}
    const map = this.permissionsMap(p);
    if (!map) return undefined;
    return map.items.map((q) => [this.slice(q.key as LayoutNode), this.slice(q.value as LayoutNode)]);
  }

  // ---------------------------------------------------------------- builders

  /**
   * Grants `id-token: write` in an existing job-level (or workflow-level) permissions mapping:
   * rewrites an `id-token: none|read` value, adds a line to a block mapping (with its
   * indentation), or extends a flow mapping. Shorthands (`read-all`) are not handled.
   */
  grantIdToken(jobId?: string): Edit[] | undefined {
    const p = this.permissionsPair(jobId);
    if (p && isScalar(p.value) && p.value.value === null && this.slice(p.value) === '' && !p.value.anchor && !p.value.tag) {
      // `permissions:` with no value (an empty block): give it its first line.
      const keyStart = this.start(p.key as LayoutNode);
      const job = jobId === undefined ? undefined : this.jobMap(jobId);
      const step = job ? this.column(this.start(job.map.items[0].key as LayoutNode)) - this.column(this.start(job.idKey)) : 0;
      const indent = this.column(keyStart) + (step > 0 ? step : 2);
      return [this.edit(this.lineContentEnd(keyStart), this.lineContentEnd(keyStart), `${this.eol}${' '.repeat(indent)}id-token: write`)];
    }
    const map = this.permissionsMap(p);
    if (!map) return undefined;
    const existing = this.pair(map, 'id-token');
    if (existing) return [this.replace(existing.value as LayoutNode, 'write')];
    if (map.flow) {
      if (this.slice(map).includes('#')) return undefined;
      const last = map.items[map.items.length - 1];
      if (!last) return [this.replace(map, '{ id-token: write }')];
      const end = (last.value as LayoutNode).end;
      return [this.edit(end, end, ', id-token: write')];
    }
    const first = map.items[0];
    if (!first) return undefined;
    const indent = this.column(this.start(first.key as LayoutNode));
    const at = this.afterLine(map.items[map.items.length - 1].value as LayoutNode);
    return [this.insertLines(at, [' '.repeat(indent) + 'id-token: write'])];
  }

  /**
   * Adds a `permissions:` block to a job that has none, with the given scopes, before its
   * `steps:` (and the comment lines directly above it) or after its last key.
   */
  addJobPermissions(jobId: string, scopes: Scopes): Edit[] | undefined {
    const job = this.jobMap(jobId);
    if (!job || this.pair(job.map, 'permissions') || !job.map.items.length) return undefined;
    const keyIndent = this.column(this.start(job.map.items[0].key as LayoutNode));
    const step = keyIndent - this.column(this.start(job.idKey));
    const unit = step > 0 ? step : 2;
    const pad = ' '.repeat(keyIndent);
    const lines = [`${pad}permissions:${scopes.length ? '' : ' {}'}`, ...scopes.map(([k, v]) => `${pad}${' '.repeat(unit)}${k}: ${v}`)];
    const steps = this.pair(job.map, 'steps');
    const last = job.map.items[job.map.items.length - 1];
    const at = steps ? this.aboveComments(this.lineStart(this.start(steps.key as LayoutNode)), keyIndent) : this.afterLine((last.value ?? last.key) as LayoutNode);
    return [this.insertLines(at, lines)];
  }

  /**
   * Removes `id-token` from the workflow-level (no job id) or a job-level permissions mapping: its
   * line in a block mapping, its entry in a flow mapping; a mapping left empty becomes `{}` (an
   * empty mapping grants the same nothing as the one-entry mapping minus id-token).
   */
  removeIdToken(jobId?: string): Edit[] | undefined {
    const p = this.permissionsPair(jobId);
    const map = this.permissionsMap(p);
    const entry = map && this.pair(map, 'id-token');
    if (!p || !map || !entry) return undefined;
    if (map.flow) {
      const text = this.slice(map);
      if (text.includes('#')) return undefined;
      const rest = map.items.filter((q) => q !== entry).map((q) => `${this.slice(q.key as LayoutNode)}: ${this.slice(q.value as LayoutNode)}`);
      const padded = /^\{\s/.test(text);
      return [this.replace(map, rest.length ? (padded ? `{ ${rest.join(', ')} }` : `{${rest.join(', ')}}`) : '{}')];
    }
    const keyStart = this.start(entry.key as LayoutNode);
    const valueEnd = (entry.value as LayoutNode).end;
    if (map.items.length > 1) {
      const from = this.lineStart(keyStart);
      const to = this.afterLine(entry.value as LayoutNode);
      // At the end of a file without a final newline, take the line break before the line instead.
      if (to === this.text.length && !this.text.endsWith('\n')) return [this.edit(from - (this.text[from - 2] === '\r' ? 2 : 1), to, '')];
      return [this.edit(from, to, '')];
    }
    // The only entry: `permissions:\n  id-token: write` becomes `permissions: {}`.
    const permKeyEnd = (p.key as LayoutNode).end;
    const between = this.text.slice(permKeyEnd, keyStart);
    if (/^[ \t]*:[ \t]*\r?\n[ \t]*$/.test(between)) return [this.edit(permKeyEnd, this.lineContentEnd(valueEnd), ': {}')];
    return [this.edit(keyStart, valueEnd, '{}')];
  }

  /** Replaces one scalar token the loader located (e.g. an action ref). */
  replaceValue(value: Value<string>, text: string): Edit {
    return { file: this.file, start: value.loc.start, end: value.loc.end, text };
  }

  // ---------------------------------------------------------------- text helpers

  private slice(n: LayoutNode): string {
    return this.text.slice(n.start, n.end);
  }

  private start(n: LayoutNode): number {
    return n.start;
  }

  private lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  private column(offset: number): number {
    return offset - this.lineStart(offset);
  }

  /** End of the line's content (before `\r\n` / `\n`), from an offset on it. */
  private lineContentEnd(offset: number): number {
    const nl = this.text.indexOf('\n', offset);
    const end = nl < 0 ? this.text.length : nl;
    return end > offset && this.text[end - 1] === '\r' ? end - 1 : end;
  }

  /** Start of the line after the one a node ends on (or the end of the text). */
  private afterLine(n: LayoutNode): number {
    const end = n.end;
    if (end > 0 && this.text[end - 1] === '\n') return end;
    const nl = this.text.indexOf('\n', end);
    return nl < 0 ? this.text.length : nl + 1;
  }

  /** Moves an insertion point above the comment lines (at this indentation) that introduce the next key. */
  private aboveComments(at: number, indent: number): number {
    let cur = at;
    while (cur > 0) {
      const prev = this.lineStart(cur - 1);
      const line = this.text.slice(prev, cur).replace(/\r?\n$/, '');
      if (!/^\s*#/.test(line) || line.length - line.trimStart().length !== indent) break;
      cur = prev;
    }
    return cur;
  }

  private insertLines(at: number, lines: string[]): Edit {
    const needsBreak = at === this.text.length && at > 0 && this.text[at - 1] !== '\n';
    const body = lines.join(this.eol);
    return this.edit(at, at, needsBreak ? this.eol + body : body + this.eol);
  }

  private replace(n: LayoutNode, text: string): Edit {
    return this.edit(n.start, n.end, text);
  }

  private edit(from: number, to: number, text: string): Edit {
    return { file: this.file, start: this.position(from), end: this.position(to), text };
  }

  /** 1-based line and column of an offset (columns in UTF-16 code units, as the loaders count). */
  private position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }
}

