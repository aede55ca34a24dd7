/**
 * The outline of a workflow's YAML that the fix builders (engine/workflow-edits) need — the top-level
 * keys, the jobs, each job's keys and the permissions mappings, with their offsets, flow style,
 * anchors and tags — taken from the loader's parse and kept with the Workflow. Fixes then need no
 * second parse of the file, and a workflow keeps a few dozen small objects instead of its whole
 * YAML document (which, kept, made young-generation GC copy it on large repositories).
 */
import { isMap, isScalar, type Document } from 'yaml';
import type { Workflow } from '../model/workflow.js';
import { contentEnd } from './yaml-doc.js';
import type { FastYaml } from './yaml-fast.js';
import type { DocNode } from './doc.js';
import type { Position } from '../model/location.js';

export interface LayoutNode {
  kind: 'map' | 'scalar' | 'other';
  /** Offsets of the node's value in the source text: yaml's `range[0]`, and where its content ends (yaml-doc's contentEnd). */
  start: number;
  end: number;
  flow: boolean;
  anchor: boolean;
  tag: boolean;
  /** A scalar's value, kept for keys, `null` and short values (what the builders compare). */
  value?: unknown;
  /** A mapping's entries, for the mappings the builders look into. */
  items?: LayoutPair[];
}

export interface LayoutPair {
  key: LayoutNode | null;
  value: LayoutNode | null;
}

function leaf(n: unknown): LayoutNode | null {
  if (n === null || typeof n !== 'object') return null;
  const y = n as { range?: [number, number, number]; anchor?: string; tag?: string; flow?: boolean; value?: unknown };
  const out: LayoutNode = { kind: isMap(n) ? 'map' : isScalar(n) ? 'scalar' : 'other', start: y.range?.[0] ?? 0, end: contentEnd(n), flow: Boolean(y.flow), anchor: Boolean(y.anchor), tag: Boolean(y.tag) };
  if (isScalar(n) && (n.value === null || typeof n.value !== 'string' || n.value.length <= 256)) out.value = n.value;
  return out;
}

function mapWith(n: unknown, valueOf: (key: string | undefined, v: unknown) => LayoutNode | null): LayoutNode | null {
  const out = leaf(n);
  if (out && isMap(n)) out.items = n.items.map((p) => ({ key: leaf(p.key), value: valueOf(isScalar(p.key) ? String(p.key.value) : undefined, p.value) }));
  return out;
}

const permissions = (v: unknown) => mapWith(v, (_k, x) => leaf(x));
const job = (v: unknown) => mapWith(v, (k, x) => (k === 'permissions' ? permissions(x) : leaf(x)));
const jobs = (v: unknown) => mapWith(v, (_k, x) => job(x));

/** The outline of a cleanly parsed workflow document; undefined when it has errors or is not a mapping. */
export function workflowLayout(doc: Document): LayoutNode | undefined {
  if (doc.errors.length || !isMap(doc.contents)) return undefined;
  return mapWith(doc.contents, (k, x) => (k === 'permissions' ? permissions(x) : k === 'jobs' ? jobs(x) : leaf(x))) ?? undefined;
}

/** The same outline from the fast reader's tree (positions turned back into offsets). */
export function fastLayout(fast: FastYaml): LayoutNode | undefined {
  const { root, lineStarts, flow } = fast;
  if (root?.kind !== 'map') return undefined;
  const offset = (p: Position) => lineStarts[p.line - 1] + p.column - 1;
  const leaf = (n: DocNode): LayoutNode => {
    const out: LayoutNode = { kind: n.kind === 'seq' ? 'other' : n.kind, start: offset(n.loc.start), end: offset(n.loc.end), flow: flow.has(n), anchor: false, tag: n.tag !== undefined };
    if (n.kind === 'scalar' && (n.value === null || typeof n.value !== 'string' || n.value.length <= 256)) out.value = n.value;
    return out;
  };
  const mapWith = (n: DocNode, valueOf: (key: string, v: DocNode) => LayoutNode): LayoutNode => {
    const out = leaf(n);
    if (n.kind === 'map') out.items = n.entries.map((e) => ({ key: leaf(e.key), value: valueOf(String(e.key.value), e.value) }));
    return out;
  };
  const permissions = (v: DocNode) => mapWith(v, (_k, x) => leaf(x));
  const job = (v: DocNode) => mapWith(v, (k, x) => (k === 'permissions' ? permissions(x) : leaf(x)));
  const jobs = (v: DocNode) => mapWith(v, (_k, x) => job(x));
  return mapWith(root, (k, x) => (k === 'permissions' ? permissions(x) : k === 'jobs' ? jobs(x) : leaf(x)));
}

const layouts = new WeakMap<Workflow, LayoutNode>();

export function rememberLayout(wf: Workflow, layout: LayoutNode | undefined): void {
  if (layout) layouts.set(wf, layout);
}

export function layoutOf(wf: Workflow): LayoutNode | undefined {
  return layouts.get(wf);
}
