/**
 * A small, format-neutral document tree with exact positions. JSON, YAML (workflows,
 * CloudFormation), Terraform `jsonencode` objects and CDK object literals are all turned into it,
 * so that one policy reader (`policy-doc.ts`) serves every format.
 */
import type { SourceLocation, Value, Resolution, ValuePart, ValueCondition } from '../../model/location.js';
import { withLocationPath } from '../../model/location.js';

export interface DocScalar {
  kind: 'scalar';
  loc: SourceLocation;
  value: string | number | boolean | null;
  raw: string;
  resolution: Resolution;
  parts?: ValuePart[];
  /** YAML tag (e.g. `!Ref`), when present. */
  tag?: string;
  /** A possible value (a branch of a conditional): the input under which the source takes it. */
  when?: ValueCondition;
  /**
   * The value is one of these (each with its `when`): the branches of a conditional whose test
   * is not known. The scalar itself stays the unresolved whole, for readers that want one value.
   */
  alternatives?: DocScalar[];
}

export interface DocEntry {
  key: DocScalar;
  value: DocNode;
}

export interface DocMap {
  kind: 'map';
  loc: SourceLocation;
  entries: DocEntry[];
  tag?: string;
}

export interface DocSeq {
  kind: 'seq';
  loc: SourceLocation;
  items: DocNode[];
  tag?: string;
}

export type DocNode = DocScalar | DocMap | DocSeq;

export function isMap(n: DocNode | undefined): n is DocMap {
  return n?.kind === 'map';
}
export function isSeq(n: DocNode | undefined): n is DocSeq {
  return n?.kind === 'seq';
}
export function isScalar(n: DocNode | undefined): n is DocScalar {
  return n?.kind === 'scalar';
}

/** First entry with this key (exact match). */
export function getEntry(map: DocMap, key: string): DocEntry | undefined {
  return map.entries.find((e) => String(e.key.value) === key);
}
const entryIndexes = new WeakMap<DocMap, Map<string, DocEntry>>();

/**
 * `getEntry` for lookups repeated on one finished map: a map of 16 entries or more is indexed on
 * its first lookup (a lookup per element of a 30,000-key map, or per placeholder of a !Sub with
 * 60,000 variables, was quadratic). Only for maps that no longer change.
 */
export function getEntryIndexed(map: DocMap, key: string): DocEntry | undefined {
  if (map.entries.length < 16) return getEntry(map, key);
  let index = entryIndexes.get(map);
  if (!index) {
    index = new Map();
    for (const e of map.entries) {
      const k = String(e.key.value);
      if (!index.has(k)) index.set(k, e);
    }
    entryIndexes.set(map, index);
  }
  return index.get(key);
}
/** First entry with this key, ignoring case. */
export function getEntryCI(map: DocMap, key: string): DocEntry | undefined {
  const k = key.toLowerCase();
  return map.entries.find((e) => String(e.key.value).toLowerCase() === k);
}
export function get(map: DocNode | undefined, key: string): DocNode | undefined {
  return isMap(map) ? getEntry(map, key)?.value : undefined;
}

/** A scalar as a `Value<string>` (numbers and booleans stringified). */
export function scalarValue(n: DocScalar): Value<string> {
  const v: Value<string> = {
    value: n.value === null ? '' : String(n.value),
    raw: n.raw,
    loc: n.loc,
    resolution: n.resolution,
  };
  if (n.parts) v.parts = n.parts;
  if (n.when) v.when = n.when;
  return v;
}

/** A scalar as its possible values: its alternatives when it has some, else itself. */
export function possibleScalars(n: DocScalar): DocScalar[] {
  return n.alternatives?.length ? n.alternatives : [n];
}

/** A string or a list of strings (`"a"` or `["a","b"]`) as values, a scalar with alternatives as its possible values; non-scalars are skipped. */
export function stringList(n: DocNode | undefined): Value<string>[] {
  if (!n) return [];
  if (isScalar(n)) return possibleScalars(n).filter((s) => s.value !== null).map(scalarValue);
  if (isSeq(n)) return n.items.filter(isScalar).flatMap(possibleScalars).filter((s) => s.value !== null).map(scalarValue);
  return [];
}

export function withPath(loc: SourceLocation, path: string): SourceLocation {
  return withLocationPath(loc, path);
}

/** Converts a DocNode to a plain JS value (for debugging and for formats that need it). */
export function toPlain(n: DocNode): unknown {
  if (n.kind === 'scalar') return n.value;
  if (n.kind === 'seq') return n.items.map(toPlain);
  const o: Record<string, unknown> = {};
  for (const e of n.entries) Object.defineProperty(o, String(e.key.value), { value: toPlain(e.value), enumerable: true, writable: true, configurable: true });
  return o;
}
