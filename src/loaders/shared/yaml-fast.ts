/**
 * A fast reader for the everyday subset of YAML that workflows and CloudFormation templates are
 * written in — block mappings and sequences, plain and quoted one-line scalars, literal block
 * scalars (`|`, `|-`), one-line flow collections and, for templates, the intrinsic-function tags —
 * straight from the text into the DocNode tree, with the same values and positions as the full
 * reader (yaml-doc.ts, through the `yaml` package) gives for it.
 *
 * It gives up (returns undefined) on everything else: anchors and aliases, folded and multi-line
 * scalars, escapes, tabs, carriage returns, directives and document markers other than a leading
 * `---`, complex keys, duplicate keys, nesting deeper than a limit, unknown tags, anything that is
 * not well-formed. The caller then reads the file with the full reader, which also reports what
 * is wrong with it. So this file decides only when the full reader is not needed; what YAML
 * means is always the `yaml` package's word (test/loaders/yaml-fast.test.ts compares the two on
 * the fixtures, the benchmark's files, generated documents and mutations of them).
 *
 * Why: the `yaml` package builds a token stream, a concrete syntax tree and a Document before the
 * loader sees a value; on a monorepo of thousands of workflows that was most of a scan.
 */
import type { DocEntry, DocNode, DocScalar } from './doc.js';
import { LineTable, SpanLocation, type SourceLocation } from '../../model/location.js';

export interface FastYaml {
  /** The document's root; undefined when the text has only blank lines and comments. */
  root: DocNode | undefined;
  /** 1, or 0 when there is no document. */
  documents: number;
  /** Offsets where lines start (0 first), to turn positions back into offsets. */
  lineStarts: Int32Array;
  /** The collections written in flow style (`[a, b]`, `{a: b}`). */
  flow: Set<DocNode>;
}

/** Deeper documents go to the full reader, which refuses those past its own limit with an error. */
const MAX_DEPTH = 100;
/** Longer keys go to the full reader (YAML limits an implicit key to 1024 characters). */
const MAX_KEY = 1000;
const MAX_NODES = 1_000_000;

/** Characters the fast reader leaves to the full one wherever they appear. */
const UNSUPPORTED_CHARS = /[\t\r\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const BAIL = Symbol('bail');

const SPACE = 0x20;
const NL = 0x0a;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const BACKSLASH = 0x5c;

/**
 * Reads `text` if it is within the subset, else returns undefined. `tags`: the local tags (`!Ref`)
 * the caller gives meaning to; any other tag makes the fast reader give up.
 */
export function fastYaml(text: string, file: string, tags?: ReadonlySet<string>): FastYaml | undefined {
  if (UNSUPPORTED_CHARS.test(text)) return undefined;
  try {
    return new Reader(text, file, tags).document();
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
}

function bail(): never {
  throw BAIL;
}

/** A plain scalar's value under the YAML 1.2 core schema, as the `yaml` package resolves it. */
export function plainValue(s: string): string | number | boolean | null {
  const c = s.charCodeAt(0);
  // Most plain scalars start with a letter that no null, boolean or number starts with.
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) {
    if (c !== 0x6e && c !== 0x4e && c !== 0x74 && c !== 0x54 && c !== 0x66 && c !== 0x46) return s;
    if (/^(?:[Nn]ull|NULL)$/.test(s)) return null;
    if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return c === 0x74 || c === 0x54;
    return s;
  }
  if (s === '~') return null;
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s) || /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s);
  return s;
}

/** Characters a plain scalar may not start with (YAML's indicators; `-` `?` `:` followed by a space are handled apart). */
function isIndicator(c: number): boolean {
  // , [ ] { } # & * ! | > ' " % @ `
  return c === 0x2c || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === HASH || c === 0x26 || c === 0x2a || c === 0x21 || c === 0x7c || c === 0x3e || c === SQUOTE || c === DQUOTE || c === 0x25 || c === 0x40 || c === 0x60;
}

class Reader {
  /** Per line: start and end offsets (the end is its `\n` or the end of the text), indentation, and 0 content / 1 blank / 2 comment. */
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly indents: Int32Array;
  private readonly kinds: Uint8Array;
  private readonly flow = new Set<DocNode>();
  private nodes = 0;
  /** The line starts every location of this file refers to (locations are offsets: model/location.ts SpanLocation). */
  private readonly lines: LineTable;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly tags: ReadonlySet<string> | undefined,
  ) {
    // Typed arrays: a file of millions of empty lines costs 13 bytes a line, not ~75.
    let lines = 1;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) lines++;
    const starts = (this.starts = new Int32Array(lines));
    const ends = (this.ends = new Int32Array(lines));
    const indents = (this.indents = new Int32Array(lines));
    const kinds = (this.kinds = new Uint8Array(lines));
    let at = 0;
    for (let l = 0; l < lines; l++) {
      const nl = text.indexOf('\n', at);
      const end = nl < 0 ? text.length : nl;
      let i = at;
      while (i < end && text.charCodeAt(i) === SPACE) i++;
      starts[l] = at;
      ends[l] = end;
      indents[l] = i - at;
      kinds[l] = i === end ? 1 : text.charCodeAt(i) === HASH ? 2 : 0;
      at = nl + 1;
    }
    this.lines = new LineTable(file, starts);
  }

  document(): FastYaml {
    const { text, starts, kinds } = this;
    let first = this.nextContent(0);
    // Blank lines and comments only: no document (as the full reader counts).
    if (first >= starts.length) return { root: undefined, documents: 0, lineStarts: starts, flow: this.flow };
    // A leading `---` (alone or with a comment) starts the one document.
    if (this.indents[first] === 0 && text.startsWith('---', starts[first]) && this.restIsEmpty(starts[first] + 3, false)) first = this.nextContent(first + 1);
    for (let l = first; l < starts.length; l++) {
      if (kinds[l] !== 0 || this.indents[l] !== 0) continue;
      const c = text.charCodeAt(starts[l]);
      // Directives, document markers: more than one document, or one the full reader should judge.
      if (c === 0x25 || ((c === DASH || c === 0x2e) && (text.startsWith('---', starts[l]) || text.startsWith('...', starts[l])))) bail();
    }
    if (first >= starts.length) bail();
    const { node, next } = this.blockNode(first, starts[first] + this.indents[first], -1, '', 0, undefined);
    if (this.nextContent(next) < starts.length) bail();
    return { root: node, documents: 1, lineStarts: starts, flow: this.flow };
  }

  // ------------------------------------------------------------------ lines and positions

  private nextContent(line: number): number {
    const { kinds } = this;
    while (line < kinds.length && kinds[line] !== 0) line++;
    return line;
  }

  /** Whether the line holds nothing more from `at` on but spaces and (when preceded by a space, or `spaceBefore`) a comment. */
  private restIsEmpty(at: number, spaceBefore: boolean): boolean {
    const { text } = this;
    const end = this.endOf(at);
    let i = at;
    while (i < end && text.charCodeAt(i) === SPACE) i++;
    return i === end || (text.charCodeAt(i) === HASH && (i > at || spaceBefore));
  }

  private endOf(offset: number): number {
    const nl = this.text.indexOf('\n', offset);
    return nl < 0 ? this.text.length : nl;
  }

  /** The location of what runs from `start` to `end` on `line`. */
  private loc(_line: number, start: number, end: number, path: string): SourceLocation {
    return new SpanLocation(this.lines, start, end, path);
  }

  /** A location from `start` to where `last` (a location of this file) ends. */
  private through(start: number, last: SourceLocation, path: string): SourceLocation {
    return new SpanLocation(this.lines, start, SpanLocation.offsets(last)!.end, path);
  }

  private count(): void {
    if (++this.nodes > MAX_NODES) bail();
  }

  /** A scalar from `start` to `end` on `line` (or with a location of its own: a block scalar's spans lines). */
  private scalar(value: string | number | boolean | null, line: number, start: number, end: number, path: string, tag: string | undefined, loc = this.loc(line, start, end, path)): DocScalar {
    this.count();
    const raw = this.text.slice(start, end);
    // A plain scalar is its own text: one string kept for both (most values of a large repository).
    return { kind: 'scalar', value, raw: raw === value ? value : raw, resolution: 'literal', loc, tag };
  }

  /** The empty value after an indicator (`key:`, `-`): where the spaces after it end. */
  private empty(line: number, after: number, path: string): DocScalar {
    const { text } = this;
    const end = this.endOf(after);
    let i = after;
    while (i < end && text.charCodeAt(i) === SPACE) i++;
    return this.scalar(null, line, i, i, path, undefined);
  }

  // ------------------------------------------------------------------ block structure

  /**
   * The node that starts at `at` on `line` (a line's first content, or after `- ` or a tag):
   * a sequence, a mapping, or a one-line value. `parent`: the indentation the node's lines must
   * be deeper than. Returns the node and the line after it.
   */
  private blockNode(line: number, at: number, parent: number, path: string, depth: number, tag: string | undefined): { node: DocNode; next: number } {
    if (depth > MAX_DEPTH) bail();
    const { text } = this;
    const c = text.charCodeAt(at);
    if (c === DASH && this.isSpaceOrEnd(at + 1)) return this.blockSeq(line, at, path, depth, tag);
    if (this.keyEnd(at) >= 0) return this.blockMap(line, at, path, depth, tag);
    if (tag !== undefined) bail(); // a tag on its own line before a scalar
    return this.inlineValue(line, at, parent, path, depth, undefined);
  }

  /**
   * Whether a plain scalar may start at `at`: not on an indicator, nor on `?` or `:` (explicit keys
   * and values, and plain scalars that look like them, are left to the full reader), nor on `-`
   * followed by a space (or, in a flow collection, by a flow indicator).
   */
  private startsPlain(at: number, inFlow: boolean): boolean {
    const c = this.text.charCodeAt(at);
    if (isIndicator(c) || c === 0x3f || c === COLON) return false;
    if (c !== DASH) return true;
    const n = this.text.charCodeAt(at + 1);
    return !(this.isSpaceOrEnd(at + 1) || (inFlow && (n === 0x2c || n === 0x5b || n === 0x5d || n === 0x7b || n === 0x7d)));
  }

  private isSpaceOrEnd(i: number): boolean {
    const c = this.text.charCodeAt(i);
    return c === SPACE || c === NL || Number.isNaN(c);
  }

  /** The offset of the `:` ending an implicit key that starts at `at`, or -1 when the line there is not `key: …`. */
  private keyEnd(at: number): number {
    const { text } = this;
    const c = text.charCodeAt(at);
    const end = this.endOf(at);
    if (c === DQUOTE || c === SQUOTE) {
      const close = this.quoteEnd(at, end);
      return close < end && text.charCodeAt(close) === COLON && this.isSpaceOrEnd(close + 1) ? close : -1;
    }
    if (!this.startsPlain(at, false)) return -1;
    for (let i = at + 1; i < end; i++) {
      const d = text.charCodeAt(i);
      if (d === COLON && this.isSpaceOrEnd(i + 1)) return i;
      if (d === HASH && text.charCodeAt(i - 1) === SPACE) return -1;
    }
    return -1;
  }

  private blockMap(line: number, at: number, path: string, depth: number, tag: string | undefined): { node: DocNode; next: number } {
    const { text, starts, indents } = this;
    const first = line;
    const indent = at - starts[line];
    const entries: DocEntry[] = [];
    const seen = new Set<string>();
    const start = at;
    let next: number;
    for (;;) {
      const colon = this.keyEnd(at);
      if (colon < 0 || colon - at > MAX_KEY) bail();
      const key = this.keyScalar(line, at, colon, path);
      const keyText = String(key.value);
      if (keyText === '<<') bail(); // merge keys: the full reader splices them
      const id = `${typeof key.value}:${keyText}`;
      if (seen.has(id)) bail(); // the full reader reports duplicate keys
      seen.add(id);
      const childPath = key.loc.path!;
      const r = this.valueAfter(line, colon + 1, indent, childPath, depth + 1, true);
      entries.push({ key, value: r.node });
      next = this.nextContent(r.next);
      if (next >= starts.length || indents[next] < indent) break;
      if (indents[next] > indent) bail();
      line = next;
      at = starts[next] + indent;
      if (text.charCodeAt(at) === DASH && this.isSpaceOrEnd(at + 1)) {
        // A sequence at the mapping's own indentation that is not a key's value.
        bail();
      }
    }
    this.count();
    const last = entries[entries.length - 1].value;
    return { node: { kind: 'map', entries, loc: this.through(start, last.loc, path), tag }, next };
  }

  private keyScalar(line: number, at: number, colon: number, parentPath: string): DocScalar {
    const { text } = this;
    const c = text.charCodeAt(at);
    let value: string | number | boolean | null;
    if (c === DQUOTE || c === SQUOTE) value = this.quoted(at, colon);
    else {
      if (text.charCodeAt(colon - 1) === SPACE) bail(); // `key :` — left to the full reader
      value = plainValue(text.slice(at, colon));
    }
    const keyText = String(value);
    return this.scalar(value, line, at, colon, parentPath ? `${parentPath}.${keyText}` : keyText, undefined);
  }

  private blockSeq(line: number, at: number, path: string, depth: number, tag: string | undefined): { node: DocNode; next: number } {
    const { text, starts, indents } = this;
    const first = line;
    const indent = at - starts[line];
    const items: DocNode[] = [];
    const start = at;
    let next: number;
    for (;;) {
      const r = this.valueAfter(line, at + 1, indent, `${path}[${items.length}]`, depth + 1, false);
      items.push(r.node);
      next = this.nextContent(r.next);
      if (next >= starts.length || indents[next] < indent) break;
      if (indents[next] > indent) bail();
      at = starts[next] + indent;
      // Not an item: the next key of a mapping this sequence is a value of, at the same indentation.
      if (!(text.charCodeAt(at) === DASH && this.isSpaceOrEnd(at + 1))) break;
      line = next;
    }
    this.count();
    return { node: { kind: 'seq', items, loc: this.through(start, items[items.length - 1].loc, path), tag }, next };
  }

  /**
   * The value after an indicator (`key:` or `-`) that ends at `after` on `line`: on the same line,
   * on the lines below (deeper than `indent`; a mapping's value may also be a sequence at the
   * mapping's own indentation), or empty.
   */
  private valueAfter(line: number, after: number, indent: number, path: string, depth: number, inMap: boolean): { node: DocNode; next: number } {
    if (depth > MAX_DEPTH) bail();
    const { text, starts, indents } = this;
    const end = this.ends[line];
    let i = after;
    while (i < end && text.charCodeAt(i) === SPACE) i++;
    let tag: string | undefined;
    if (i < end && text.charCodeAt(i) !== HASH) {
      if (text.charCodeAt(i) !== 0x21) {
        // `- - a`, `- key: v`: a sequence or a mapping that starts on the item's line.
        if (!inMap && ((text.charCodeAt(i) === DASH && this.isSpaceOrEnd(i + 1)) || this.keyEnd(i) >= 0)) return this.blockNode(line, i, indent, path, depth, undefined);
        return this.inlineValue(line, i, indent, path, depth, undefined);
      }
      const t = this.tagAt(i);
      tag = t.tag;
      i = t.end;
      if (i < end) {
        if (text.charCodeAt(i) !== SPACE) bail();
        while (i < end && text.charCodeAt(i) === SPACE) i++;
        if (i === end || text.charCodeAt(i) === HASH) bail(); // a tag followed by spaces or a comment
        return this.inlineValue(line, i, indent, path, depth, tag);
      }
      // A tag alone at the end of the line: on a collection below, or on an empty string.
    }
    const below = this.nextContent(line + 1);
    if (below < starts.length) {
      const at = starts[below] + indents[below];
      if (indents[below] > indent || (inMap && indents[below] === indent && text.charCodeAt(at) === DASH && this.isSpaceOrEnd(at + 1))) {
        const r = this.blockNode(below, at, indent, path, depth, tag);
        if (r.node.kind === 'scalar') {
          if (tag !== undefined) bail();
          // A comment line between a key and its scalar on a later line: the full reader may read
          // the scalar as part of something else, depending on the comment's indentation.
          for (let l = line + 1; l < below; l++) if (this.kinds[l] === 2) bail();
        }
        return r;
      }
    }
    if (tag !== undefined) return { node: this.scalar('', line, i, i, path, tag), next: line + 1 };
    return { node: this.empty(line, after, path), next: line + 1 };
  }

  /** A local tag (`!Ref`) the caller knows, starting at `at`. */
  private tagAt(at: number): { tag: string; end: number } {
    const { text } = this;
    let e = at + 1;
    for (;;) {
      const c = text.charCodeAt(e);
      if (Number.isNaN(c) || c === SPACE || c === NL || c === 0x2c || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d) break;
      e++;
    }
    const tag = text.slice(at, e);
    if (!this.tags?.has(tag)) bail();
    return { tag, end: e };
  }

  /**
   * A value that starts at `at` and ends on its line: a quoted or plain scalar, a flow collection,
   * or a literal block scalar (whose lines follow). The lines below must not be deeper than
   * `parent` (they would continue a multi-line scalar).
   */
  private inlineValue(line: number, at: number, parent: number, path: string, depth: number, tag: string | undefined): { node: DocNode; next: number } {
    const { text } = this;
    const end = this.ends[line];
    const c = text.charCodeAt(at);
    let node: DocNode;
    let after: number;
    if (c === 0x7c) return this.blockScalar(line, at, parent, path, tag);
    if (c === 0x5b || c === 0x7b) {
      const r = this.flowNode(line, at, end, path, depth, tag);
      node = r.node;
      after = r.end;
    } else if (c === DQUOTE || c === SQUOTE) {
      const close = this.quoteEnd(at, end);
      if (close > end) bail();
      const s = this.quoted(at, close);
      node = this.scalar(s, line, at, close, path, tag);
      after = close;
    } else {
      if (!this.startsPlain(at, false)) bail();
      let e = at;
      for (; e < end; e++) {
        const d = text.charCodeAt(e);
        if (d === HASH && text.charCodeAt(e - 1) === SPACE) break;
        if (d === COLON && this.isSpaceOrEnd(e + 1)) bail(); // a mapping inside a value
      }
      while (text.charCodeAt(e - 1) === SPACE) e--;
      const s = text.slice(at, e);
      node = this.scalar(tag === undefined ? plainValue(s) : s, line, at, e, path, tag);
      after = e;
    }
    if (!this.restIsEmpty(after, false)) bail();
    const below = this.nextContent(line + 1);
    if (below < this.starts.length && this.indents[below] > parent) bail(); // a multi-line scalar
    return { node, next: line + 1 };
  }

  /** The offset just after the closing quote of the scalar opening at `at`, or past `end` when it does not close on the line or has an escape. */
  private quoteEnd(at: number, end: number): number {
    const { text } = this;
    const q = text.charCodeAt(at);
    for (let i = at + 1; i < end; i++) {
      const c = text.charCodeAt(i);
      if (q === DQUOTE && c === BACKSLASH) return end + 1;
      if (c === q) {
        if (q === SQUOTE && text.charCodeAt(i + 1) === SQUOTE) {
          i++;
          continue;
        }
        return i + 1;
      }
    }
    return end + 1;
  }

  /** The value of the quoted scalar from `at` to `close` (just after its closing quote). */
  private quoted(at: number, close: number): string {
    const inner = this.text.slice(at + 1, close - 1);
    return this.text.charCodeAt(at) === SQUOTE && inner.includes("''") ? inner.replace(/''/g, "'") : inner;
  }

  /** `|` or `|-` and the more-indented lines below it. */
  private blockScalar(line: number, at: number, parent: number, path: string, tag: string | undefined): { node: DocNode; next: number } {
    const { text, starts, ends, indents, kinds } = this;
    let h = at + 1;
    const strip = text.charCodeAt(h) === DASH;
    if (strip) h++;
    // `|+` (keep), indentation indicators and anything else after the header: left to the full reader.
    if (h < ends[line] && text.charCodeAt(h) !== SPACE) bail();
    if (!this.restIsEmpty(h, false)) bail();
    let first = line + 1;
    while (first < starts.length && kinds[first] === 1) first++;
    if (first >= starts.length || indents[first] <= parent) bail(); // an empty block scalar
    const indent = indents[first];
    const lines: string[] = [];
    let last = -1;
    let l = line + 1;
    for (; l < starts.length; l++) {
      if (kinds[l] === 1) {
        // A blank line: empty content, unless it has more spaces than the content's indentation.
        if (ends[l] - starts[l] > indent) bail();
        lines.push('');
        continue;
      }
      if (indents[l] < indent) break;
      lines.push(text.slice(starts[l] + indent, ends[l]));
      last = l;
    }
    lines.length = last - line;
    const value = lines.join('\n') + (strip ? '' : '\n');
    // It ends after its last content line's line break (where the next line starts), or at the end of the text.
    const broken = ends[last] < text.length;
    const endOffset = broken ? ends[last] + 1 : text.length;
    // (Where the next line starts, when it is broken: line last + 2, column 1.)
    return { node: this.scalar(value, line, at, endOffset, path, tag, new SpanLocation(this.lines, at, endOffset, path)), next: last + 1 };
  }

  // ------------------------------------------------------------------ flow collections (one line)

  private flowNode(line: number, at: number, end: number, path: string, depth: number, tag: string | undefined): { node: DocNode; end: number } {
    if (depth > MAX_DEPTH) bail();
    const { text } = this;
    const isSeq = text.charCodeAt(at) === 0x5b;
    const close = isSeq ? 0x5d : 0x7d;
    let i = this.skipSpaces(at + 1, end);
    const items: DocNode[] = [];
    const entries: DocEntry[] = [];
    const seen = new Set<string>();
    if (text.charCodeAt(i) !== close)
      for (;;) {
        if (isSeq) {
          const r = this.flowItem(line, i, end, `${path}[${items.length}]`, depth + 1);
          items.push(r.node);
          i = r.end;
        } else {
          const k = this.flowScalar(line, i, end, '', undefined, true);
          const key = k.node;
          const keyText = String(key.value);
          const id = `${typeof key.value}:${keyText}`;
          if (seen.has(id) || keyText === '<<') bail();
          seen.add(id);
          key.loc.path = path ? `${path}.${keyText}` : keyText;
          if (text.charCodeAt(k.end) !== COLON || text.charCodeAt(k.end + 1) !== SPACE) bail();
          const v = this.flowItem(line, this.skipSpaces(k.end + 1, end), end, key.loc.path, depth + 1);
          entries.push({ key, value: v.node });
          i = v.end;
        }
        i = this.skipSpaces(i, end);
        const c = text.charCodeAt(i);
        if (c === close) break;
        if (c !== 0x2c) bail();
        i = this.skipSpaces(i + 1, end);
        if (text.charCodeAt(i) === close) bail(); // a trailing comma
      }
    const stop = i + 1;
    this.count();
    const loc = this.loc(line, at, stop, path);
    const node: DocNode = isSeq ? { kind: 'seq', items, loc, tag } : { kind: 'map', entries, loc, tag };
    this.flow.add(node);
    return { node, end: stop };
  }

  private skipSpaces(i: number, end: number): number {
    while (i < end && this.text.charCodeAt(i) === SPACE) i++;
    return i;
  }

  private flowItem(line: number, at: number, end: number, path: string, depth: number): { node: DocNode; end: number } {
    const { text } = this;
    let tag: string | undefined;
    if (text.charCodeAt(at) === 0x21) {
      const t = this.tagAt(at);
      tag = t.tag;
      if (text.charCodeAt(t.end) !== SPACE) bail();
      at = this.skipSpaces(t.end, end);
    }
    const c = text.charCodeAt(at);
    if (c === 0x5b || c === 0x7b) return this.flowNode(line, at, end, path, depth, tag);
    return this.flowScalar(line, at, end, path, tag, false);
  }

  /** A quoted or plain scalar inside a flow collection (a key when `isKey`: it ends before its `:`). */
  private flowScalar(line: number, at: number, end: number, path: string, tag: string | undefined, isKey: boolean): { node: DocScalar; end: number } {
    const { text } = this;
    const c = text.charCodeAt(at);
    if (c === DQUOTE || c === SQUOTE) {
      const close = this.quoteEnd(at, end);
      if (close > end) bail();
      return { node: this.scalar(this.quoted(at, close), line, at, close, path, tag), end: close };
    }
    if (at >= end || !this.startsPlain(at, true)) bail();
    let e = at;
    for (; e < end; e++) {
      const d = text.charCodeAt(e);
      if (d === 0x2c || d === 0x5b || d === 0x5d || d === 0x7b || d === 0x7d) break;
      if (d === COLON) {
        const n = text.charCodeAt(e + 1);
        if (n === SPACE || n === 0x2c || n === 0x5d || n === 0x7d || e + 1 >= end) {
          if (isKey) break;
          bail(); // a `key: value` pair inside a flow sequence
        }
      }
      if (d === HASH && text.charCodeAt(e - 1) === SPACE) bail();
    }
    while (text.charCodeAt(e - 1) === SPACE) e--;
    if (e === at) bail();
    const s = text.slice(at, e);
    return { node: this.scalar(tag === undefined ? plainValue(s) : s, line, at, e, path, tag), end: e };
  }
}
