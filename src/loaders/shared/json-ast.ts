/**
 * A strict JSON parser that keeps 1-based positions for every value and key (JSON.parse keeps
 * none). Produces the shared DocNode tree. A duplicate key keeps the LAST value, at the place of the
 * first key, as JSON.parse, CloudFormation, Terraform and the AWS CLI and SDKs do — the analysis sees
 * what deploy tooling sends — and is listed in `duplicateKeys` (reported). Nesting depth is bounded.
 */
import type { DocEntry, DocNode, DocScalar } from './doc.js';
import { LineTable, SpanLocation, type SourceLocation } from '../../model/location.js';

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

export interface JsonParseResult {
  root: DocNode;
  duplicateKeys: { key: string; loc: SourceLocation }[];
}

const MAX_DEPTH = 512;
/** Bounds memory on huge documents: a trust policy or template has thousands of values, not millions. */
const MAX_VALUES = 1_000_000;

/** `keepDuplicates`: every entry stays in the tree, in order (to print a document verbatim, as AWS snapshots do). */
export function parseJson(text: string, file: string, options: { keepDuplicates?: boolean } = {}): JsonParseResult {
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const duplicateKeys: JsonParseResult['duplicateKeys'] = [];
  // Skip a UTF-8 BOM.
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  // Line breaks are only ever whitespace between tokens (a string cannot hold one): the starts
  // collected there are every line start up to where the parse is, all a location needs.
  const starts: number[] = [0];
  const lines = new LineTable(file, starts);

  /** Offsets stand for positions: locations are compact (model/location.ts SpanLocation). */
  const here = () => i;
  const span = (start: number, path?: string) => new SpanLocation(lines, start, i, path);
  const fail = (msg: string): never => {
    throw new JsonSyntaxError(msg, line, i - lineStart + 1);
  };
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x0a) {
        i++;
        line++;
        lineStart = i;
        starts.push(i);
      } else if (c === 0x20 || c === 0x09 || c === 0x0d) i++;
      else break;
    }
  };
  const describe = () => (i >= text.length ? 'end of input' : `'${text[i]}'`);

  const parseString = (): DocScalar => {
    const start = here();
    const from = i;
    i++; // opening quote
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text[i];
      if (c === '"') {
        i++;
        break;
      }
      if (c === '\\') {
        const e = text[i + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in map) {
          out += map[e];
          i += 2;
        } else if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape in string');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else fail(`invalid escape '\\${e ?? ''}' in string`);
        continue;
      }
      if (c === '\n' || text.charCodeAt(i) < 0x20) fail('control character in string (JSON strings cannot span lines)');
      out += c;
      i++;
    }
    return { kind: 'scalar', value: out, raw: text.slice(from, i), resolution: 'literal', loc: span(start) };
  };

  let values = 0;
  const parseValue = (depth: number, path: string): DocNode => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
    if (++values > MAX_VALUES) fail(`more than ${MAX_VALUES.toLocaleString('en')} values; too large to be a policy or template`);
    ws();
    const c = text[i];
    const start = here();
    if (c === '{') {
      i++;
      const entries: DocEntry[] = [];
      const seen = new Map<string, number>();
      ws();
      if (text[i] === '}') {
        i++;
        return { kind: 'map', entries, loc: span(start, path) };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a property name in double quotes, found ${describe()}`);
        const key = parseString();
        const keyPath = path ? `${path}.${String(key.value)}` : String(key.value);
        key.loc.path = keyPath;
        ws();
        if (text[i] !== ':') fail(`expected ':' after property name, found ${describe()}`);
        i++;
        const value = parseValue(depth + 1, keyPath);
        const at = seen.get(String(key.value));
        if (at !== undefined) {
          duplicateKeys.push({ key: String(key.value), loc: key.loc });
          if (options.keepDuplicates) entries.push({ key, value });
          else entries[at] = { key, value };
        } else {
          seen.set(String(key.value), entries.length);
          entries.push({ key, value });
        }
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          break;
        }
        fail(`expected ',' or '}' in object, found ${describe()}`);
      }
      return { kind: 'map', entries, loc: span(start, path) };
    }
    if (c === '[') {
      i++;
      const items: DocNode[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { kind: 'seq', items, loc: span(start, path) };
      }
      for (;;) {
        items.push(parseValue(depth + 1, `${path}[${items.length}]`));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          break;
        }
        fail(`expected ',' or ']' in array, found ${describe()}`);
      }
      return { kind: 'seq', items, loc: span(start, path) };
    }
    if (c === '"') {
      const s = parseString();
      s.loc.path = path;
      return s;
    }
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m) fail(`unexpected ${describe()}`);
    const raw = m![0];
    i += raw.length;
    const value = raw === 'true' ? true : raw === 'false' ? false : raw === 'null' ? null : Number(raw);
    return { kind: 'scalar', value, raw, resolution: 'literal', loc: span(start, path) };
  };

  ws();
  if (i >= text.length) fail('empty document');
  const root = parseValue(0, '');
  ws();
  if (i < text.length) fail(`unexpected ${describe()} after the end of the document`);
  return { root, duplicateKeys };
}

/** A tree parsed with `keepDuplicates`, as parseJson gives it by default: of duplicate keys, the last value, at the first key's place. */
export function lastWins(n: DocNode): DocNode {
  if (n.kind === 'seq') return { ...n, items: n.items.map(lastWins) };
  if (n.kind !== 'map') return n;
  const at = new Map<string, number>();
  const entries: DocEntry[] = [];
  for (const e of n.entries) {
    const entry = { key: e.key, value: lastWins(e.value) };
    const i = at.get(String(e.key.value));
    if (i === undefined) {
      at.set(String(e.key.value), entries.length);
      entries.push(entry);
    } else entries[i] = entry;
  }
  return { ...n, entries };
}

/** A piece of a JSON string's source between template interpolations, unescaped (and `$${` → `${`, `%%{` → `%{`); the source text when it is not valid JSON string content. Shared by policy templates and Terraform. */
export function unescapeJsonPiece(raw: string): string {
  let s = raw;
  try {
    s = JSON.parse('"' + raw + '"') as string;
  } catch {
    /* keep the source text */
  }
  return s.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}
