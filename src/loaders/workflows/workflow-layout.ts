/**
 * The outline of a workflow's YAML that the fix builders (engine/workflow-edits) need — the top-level
 * keys, the jobs, each job's keys and the permissions mappings, with their offsets, flow style,
 * anchors and tags — taken from the loader's parse and kept with the Workflow. Fixes then need no
 * second parse of the file, and a workflow keeps a few dozen small objects instead of its whole
 * YAML document (which, kept, made young-generation GC copy it on large repositories).
 */
import { isMap, isScalar, type Document } from 'yaml';
import type { Workflow } from '../../model/workflow.js';
import { contentEnd } from '../shared/yaml-doc.js';
import type { FastYaml } from '../shared/yaml-fast.js';
import type { DocNode } from '../shared/doc.js';
import type { Position } from '../../model/location.js';

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

/** What the outline needs of a reader's tree: a node's outline entry, and a mapping's pairs (key, key text, value). */
interface Reader<N> {
  leaf(n: N): LayoutNode | null;
  pairs(n: N): [key: N, keyText: string | undefined, value: N][] | undefined;
}

/** The outline: every top-level entry, into `jobs` (each job's entries) and into every `permissions` mapping. */
function outline<N>(root: N, r: Reader<N>): LayoutNode | undefined {
  const mapWith = (n: N, valueOf: (key: string | undefined, v: N) => LayoutNode | null): LayoutNode | null => {
    const out = r.leaf(n);
    const pairs = r.pairs(n);
    if (out && pairs) out.items = pairs.map(([k, keyText, v]) => ({ key: r.leaf(k), value: valueOf(keyText, v) }));
    return out;
  };
  const permissions = (v: N) => mapWith(v, (_k, x) => r.leaf(x));
  const job = (v: N) => mapWith(v, (k, x) => (k === 'permissions' ? permissions(x) : r.leaf(x)));
  const jobs = (v: N) => mapWith(v, (_k, x) => job(x));
  return mapWith(root, (k, x) => (k === 'permissions' ? permissions(x) : k === 'jobs' ? jobs(x) : r.leaf(x))) ?? undefined;
}

/** A scalar's value as the builders keep it: keys, `null` and short values. */
const keptValue = (v: unknown) => v === null || typeof v !== 'string' || v.length <= 256;

/** The outline of a cleanly parsed workflow document; undefined when it has errors or is not a mapping. */
export function workflowLayout(doc: Document): LayoutNode | undefined {
  if (doc.errors.length || !isMap(doc.contents)) return undefined;
  return outline<unknown>(doc.contents, {
    leaf(n) {
      if (n === null || typeof n !== 'object') return null;
      const y = n as { range?: [number, number, number]; anchor?: string; tag?: string; flow?: boolean };
      const out: LayoutNode = { kind: isMap(n) ? 'map' : isScalar(n) ? 'scalar' : 'other', start: y.range?.[0] ?? 0, end: contentEnd(n), flow: Boolean(y.flow), anchor: Boolean(y.anchor), tag: Boolean(y.tag) };
      if (isScalar(n) && keptValue(n.value)) out.value = n.value;
      return out;
    },
    pairs: (n) => (isMap(n) ? n.items.map((p) => [p.key, isScalar(p.key) ? String(p.key.value) : undefined, p.value]) : undefined),
  });
}

/** The same outline from the fast reader's tree (positions turned back into offsets; it reads no anchors). */
export function fastLayout(fast: FastYaml): LayoutNode | undefined {
  const { root, lineStarts, flow } = fast;
  if (root?.kind !== 'map') return undefined;
  const offset = (p: Position) => lineStarts[p.line - 1] + p.column - 1;
  return outline<DocNode>(root, {
    leaf(n) {
      const out: LayoutNode = { kind: n.kind === 'seq' ? 'other' : n.kind, start: offset(n.loc.start), end: offset(n.loc.end), flow: flow.has(n), anchor: false, tag: n.tag !== undefined };
      if (n.kind === 'scalar' && keptValue(n.value)) out.value = n.value;
      return out;
    },
    pairs: (n) => (n.kind === 'map' ? n.entries.map((e) => [e.key, String(e.key.value), e.value]) : undefined),
  });
}

const layouts = new WeakMap<Workflow, LayoutNode>();

export function rememberLayout(wf: Workflow, layout: LayoutNode | undefined): void {
  if (layout) layouts.set(wf, layout);
}

export function layoutOf(wf: Workflow): LayoutNode | undefined {
  return layouts.get(wf);
}
