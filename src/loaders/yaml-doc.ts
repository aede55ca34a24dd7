/**
 * YAML → DocNode with exact 1-based positions (yaml's LineCounter). Aliases are followed with a
 * budget so that "billion laughs" documents cannot blow up time or memory.
 */
import { Composer, LineCounter, Parser, isAlias, isMap, isScalar, isSeq, type Document, type Node as YNode, type Tags } from 'yaml';
import type { DocEntry, DocNode, DocScalar } from './doc.js';
import type { SourceLocation } from '../model/location.js';

export interface YamlIssue {
  message: string;
  loc: SourceLocation;
  code: string;
}

export interface YamlParseResult {
  /** The first document's root, or undefined for an empty document. */
  root?: DocNode;
  errors: YamlIssue[];
  warnings: YamlIssue[];
  doc?: Document;
  lineCounter: LineCounter;
  /** Number of documents in the stream (workflows and templates must have one). */
  documents: number;
}

const MAX_ALIAS_EXPANSIONS = 10_000;
const MAX_DEPTH = 256;
/** Bounds memory: workflows and templates have thousands of nodes, not millions. */
const MAX_NODES = 1_000_000;

export interface YamlOptions {
  customTags?: Tags;
}

export function parseYaml(text: string, file: string, options: YamlOptions = {}): YamlParseResult {
  const lineCounter = new LineCounter();
  const parser = new Parser(lineCounter.addNewLine);
  const composer = new Composer({ customTags: options.customTags, uniqueKeys: true, prettyErrors: false });
  const docs: Document[] = [];
  for (const d of composer.compose(parser.parse(text))) docs.push(d as Document);
  const at = (offset: number, endOffset = offset): SourceLocation => {
    const s = lineCounter.linePos(offset);
    const e = lineCounter.linePos(endOffset);
    return { file, start: { line: s.line, column: s.col }, end: { line: e.line, column: e.col } };
  };
  const errors: YamlIssue[] = [];
  const warnings: YamlIssue[] = [];
  for (const d of docs) {
    for (const e of d.errors) errors.push({ message: cleanMessage(e.message), code: e.code, loc: at(e.pos[0], e.pos[1]) });
    for (const w of d.warnings) warnings.push({ message: cleanMessage(w.message), code: w.code, loc: at(w.pos[0], w.pos[1]) });
  }
  const result: YamlParseResult = { errors, warnings, lineCounter, documents: docs.length, doc: docs[0] };
  if (errors.length || !docs[0] || docs[0].contents == null) return result;

  let expansions = 0;
  let nodes = 0;
  const convert = (n: unknown, path: string, depth: number, inAlias: boolean): DocNode => {
    if (depth > MAX_DEPTH) throw new YamlLimitError(`nesting deeper than ${MAX_DEPTH} levels`);
    if (++nodes > MAX_NODES) throw new YamlLimitError(`more than ${MAX_NODES.toLocaleString('en')} nodes; too large to read`);
    if (isAlias(n)) {
      if (++expansions > MAX_ALIAS_EXPANSIONS) throw new YamlLimitError(`more than ${MAX_ALIAS_EXPANSIONS} alias expansions (alias bomb?)`);
      const target = n.resolve(docs[0]);
      if (!target) return { kind: 'scalar', value: null, raw: `*${n.source}`, resolution: 'unresolved', loc: locOf(n, path) };
      return convert(target, path, depth + 1, true);
    }
    if (inAlias) expansions++;
    if (expansions > MAX_ALIAS_EXPANSIONS) throw new YamlLimitError(`more than ${MAX_ALIAS_EXPANSIONS} alias expansions (alias bomb?)`);
    if (isMap(n)) {
      const entries: DocEntry[] = [];
      for (const pair of n.items) {
        const k = pair.key as unknown;
        let key: DocScalar;
        if (isScalar(k)) {
          key = scalarOf(k, '');
        } else {
          key = { kind: 'scalar', value: k == null ? '' : String(k), raw: String(k), resolution: 'unresolved', loc: locOf(k as YNode, path) };
        }
        const keyText = String(key.value);
        if (keyText === '<<' && !isScalar(pair.value)) {
          // Merge key: splice the merged mapping's entries (they do not override explicit keys).
          const merged = convert(pair.value, path, depth + 1, inAlias);
          const sources = merged.kind === 'seq' ? merged.items : [merged];
          for (const s of sources) if (s.kind === 'map') for (const e of s.entries) if (!n.items.some((p) => isScalar(p.key) && String(p.key.value) === String(e.key.value))) entries.push(e);
          continue;
        }
        const childPath = path ? `${path}.${keyText}` : keyText;
        key.loc.path = childPath;
        const value: DocNode =
          pair.value == null
            ? { kind: 'scalar', value: null, raw: '', resolution: 'literal', loc: { ...key.loc, start: key.loc.end, path: childPath } }
            : convert(pair.value, childPath, depth + 1, inAlias);
        entries.push({ key, value });
      }
      return { kind: 'map', entries, loc: locOf(n, path), tag: tagOf(n) };
    }
    if (isSeq(n)) {
      const items = n.items.map((it, idx) =>
        it == null
          ? ({ kind: 'scalar', value: null, raw: '', resolution: 'literal', loc: locOf(n, `${path}[${idx}]`) } as DocScalar)
          : convert(it, `${path}[${idx}]`, depth + 1, inAlias),
      );
      return { kind: 'seq', items, loc: locOf(n, path), tag: tagOf(n) };
    }
    if (isScalar(n)) return scalarOf(n, path);
    return { kind: 'scalar', value: null, raw: '', resolution: 'unresolved', loc: locOf(n as YNode, path) };
  };
  const locOf = (n: YNode | undefined, path: string): SourceLocation => {
    const r = n?.range;
    const loc = r ? at(r[0], r[1]) : at(0);
    loc.path = path;
    return loc;
  };
  const tagOf = (n: YNode): string | undefined => (n.tag && n.tag.startsWith('!') && !n.tag.startsWith('!!') ? n.tag : undefined);
  const scalarOf = (s: import('yaml').Scalar, path: string): DocScalar => {
    const r = s.range;
    const raw = r ? text.slice(r[0], r[1]) : String(s.value);
    const v = s.value;
    const value = v === null || v === undefined ? null : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' ? v : String(v);
    return { kind: 'scalar', value, raw, resolution: 'literal', loc: locOf(s, path), tag: tagOf(s) };
  };
  try {
    result.root = convert(docs[0].contents, '', 0, false);
  } catch (e) {
    if (e instanceof YamlLimitError) errors.push({ message: e.message, code: 'LIMIT', loc: at(0) });
    else throw e;
  }
  return result;
}

export class YamlLimitError extends Error {}

function cleanMessage(m: string): string {
  if (/Maximum call stack size exceeded/.test(m)) return 'nesting too deep to read';
  // yaml appends " at line X, column Y" and a code frame in some messages; we carry positions separately.
  return m.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}
