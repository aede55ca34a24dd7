/**
 * JSON written piece by piece: the same bytes as `JSON.stringify(value, null, 2)`, without ever
 * holding the whole text. A large array (the findings of a 100,000-file repository) is given as a
 * `LazyArray`, whose items are built one at a time as they are written, so neither the text nor
 * the output objects of every item exist at once.
 */

/** An array whose items are produced on demand (`item(i)` for i < length), in order. */
export class LazyArray<T = unknown> {
  constructor(
    readonly length: number,
    readonly item: (i: number) => T,
  ) {}
}

export function lazyMap<S, T>(items: readonly S[], f: (x: S, i: number) => T): LazyArray<T> {
  return new LazyArray(items.length, (i) => f(items[i], i));
}

const INDENT = '  ';

function isPlain(v: unknown): v is Record<string, unknown> | unknown[] {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/** Whether `v` holds a LazyArray (looking through plain objects and arrays, as JSON.stringify would walk them). */
function holdsLazy(v: unknown): boolean {
  if (v instanceof LazyArray) return true;
  if (!isPlain(v)) return false;
  for (const x of Array.isArray(v) ? v : Object.values(v)) if (holdsLazy(x)) return true;
  return false;
}

/** `JSON.stringify(v, null, 2)` as written at nesting `depth`: every line after the first indented by it. */
function plain(v: unknown, depth: number): string | undefined {
  const s = JSON.stringify(v, null, 2) as string | undefined;
  if (s === undefined || depth === 0 || !s.includes('\n')) return s;
  // JSON text has no raw newline inside a string: every '\n' starts a new line of the layout.
  return s.replace(/\n/g, '\n' + INDENT.repeat(depth));
}

/**
 * Writes `value` as `JSON.stringify(value, null, 2)` would, in pieces: plain objects and arrays on
 * the way to a LazyArray are laid out here, everything else by JSON.stringify itself.
 */
export function* jsonChunks(value: unknown, depth = 0): Generator<string> {
  if (value instanceof LazyArray) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    const inner = INDENT.repeat(depth + 1);
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield `${i ? ',' : ''}\n${inner}`;
      yield* itemChunks(value.item(i), depth + 1);
    }
    yield `\n${INDENT.repeat(depth)}]`;
    return;
  }
  if (!holdsLazy(value)) {
    const s = plain(value, depth);
    if (s !== undefined) yield s;
    return;
  }
  const inner = INDENT.repeat(depth + 1);
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield `${i ? ',' : ''}\n${inner}`;
      yield* itemChunks(value[i], depth + 1);
    }
    yield `\n${INDENT.repeat(depth)}]`;
    return;
  }
  let first = true;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    // Left out as JSON.stringify leaves them out.
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(k)}: `;
    first = false;
    yield* jsonChunks(v, depth + 1);
  }
  yield first ? '{}' : `\n${INDENT.repeat(depth)}}`;
}

/** An array item: what JSON.stringify writes `null` for in an array (undefined, a function, a symbol) is `null` here too. */
function* itemChunks(v: unknown, depth: number): Generator<string> {
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') {
    yield 'null';
    return;
  }
  yield* jsonChunks(v, depth);
}

/** Joins small pieces into pieces of about `size` characters (fewer writes). */
export function* coalesce(chunks: Iterable<string>, size = 1 << 16): Generator<string> {
  let buf = '';
  for (const c of chunks) {
    buf += c;
    if (buf.length >= size) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}
