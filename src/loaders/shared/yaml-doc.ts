/**
 * YAML → DocNode with exact 1-based positions. A file in the everyday subset of YAML is read by the
 * fast reader (yaml-fast.ts); anything else by the `yaml` package here, which also reports what is
 * wrong with a file. Aliases are followed with a budget so that "billion laughs" documents cannot
 * blow up time or memory.
 */
import { Composer, Lexer, LineCounter, Parser, isAlias, isMap, isScalar, isSeq, visit, type CST, type Document, type Node as YNode, type Tags } from 'yaml';
import type { DocEntry, DocNode, DocScalar } from './doc.js';
import type { Position, SourceLocation } from '../../model/location.js';
import { plainLocation } from '../../model/location.js';
import { fastYaml, type FastYaml } from './yaml-fast.js';
import { SourceText } from './source-text.js';

type CstToken = CST.Token;

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
  /** The `yaml` package's Document, when the full reader read the file. */
  doc?: Document;
  /** What the fast reader kept, when it read the file (yaml-fast.ts). */
  fast?: FastYaml;
  /** Number of documents in the stream, counted up to 2 (workflows and templates must have one). */
  documents: number;
}

const MAX_ALIAS_EXPANSIONS = 10_000;
const MAX_DEPTH = 256;
/** Bounds memory: workflows and templates have thousands of nodes, not millions. */
const MAX_NODES = 1_000_000;
/**
 * Characters given to the `yaml` package when the fast reader cannot read a file. It reads about
 * 0.4 MB/s here and its trees are garbage-collected at length: a 9 MB workflow with one anchor took
 * 22 s and 1.1 GB. CloudFormation accepts templates of at most 1 MB, and workflows are far smaller.
 */
const MAX_FULL_YAML_CHARS = 4 * 2 ** 20;

export interface YamlOptions {
  customTags?: Tags;
  /** Read with the `yaml` package even when the fast reader could (tests compare the two). */
  full?: boolean;
}

/** The names of custom tags, for the fast reader. */
const tagNames = new WeakMap<Tags, ReadonlySet<string>>();

function namesOf(tags: Tags | undefined): ReadonlySet<string> | undefined {
  if (!tags) return undefined;
  let names = tagNames.get(tags);
  if (!names) tagNames.set(tags, (names = new Set(tags.flatMap((t) => (typeof t === 'object' && typeof t.tag === 'string' ? [t.tag] : [])))));
  return names;
}

export function parseYaml(text: string, file: string, options: YamlOptions = {}): YamlParseResult {
  if (!options.full) {
    const fast = fastYaml(text, file, namesOf(options.customTags));
    if (fast) return { root: fast.root, errors: [], warnings: [], documents: fast.documents, fast };
  }
  if (text.length > MAX_FULL_YAML_CHARS) {
    const at1 = { line: 1, column: 1 };
    const message = `${(text.length / 2 ** 20).toFixed(1)} MiB of YAML that only the full reader reads (anchors, folded or multi-line scalars, escapes, tabs…); it is given at most ${MAX_FULL_YAML_CHARS / 2 ** 20} MiB`;
    return { errors: [{ message, code: 'LIMIT', loc: { file, start: at1, end: { ...at1 } } }], warnings: [], documents: 1 };
  }
  const lineCounter = new LineCounter();
  const parser = new Parser(lineCounter.addNewLine);
  // yaml's own duplicate-key check scans every earlier key for each key (quadratic: a mapping of
  // 100,000 keys took minutes); duplicateKeys() below does the same check in linear time.
  const composer = new Composer({ customTags: options.customTags, uniqueKeys: false, prettyErrors: false });
  const docs: Document[] = [];
  // Only the first document is read; a second one is composed only to report it. Stopping there
  // bounds time and memory on a stream of a million tiny documents (`---` repeated).
  // A document nested deeper than the limit is refused before it is composed: composing recurses,
  // and where a deep document would overflow the stack depends on the thread and on how much of
  // the code is compiled, so the error (and its position) would not be the same from run to run.
  // Flow collections are checked before the parser builds anything: `[` × 2,000,000 with no `]`
  // made a syntax tree of 1.8 GB before its depth could be looked at. Only a text with more
  // brackets than the bound can nest that deep, so most texts skip the extra lexing.
  let tooDeepAt: number | undefined = flowDeeperThan(text, MAX_DEPTH);
  function* shallow(tokens: Iterable<CstToken>): Generator<CstToken> {
    for (const t of tokens) {
      tooDeepAt = deeperThan(t, MAX_DEPTH);
      if (tooDeepAt !== undefined) return;
      yield t;
    }
  }
  if (tooDeepAt === undefined)
    for (const d of composer.compose(shallow(parseTokens(parser, lineCounter, text)))) {
      docs.push(d as Document);
      if (docs.length === 2) break;
    }
  const position = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const at = (offset: number, endOffset = offset): SourceLocation => ({ file, start: position(offset), end: position(endOffset) });
  const errors: YamlIssue[] = [];
  const warnings: YamlIssue[] = [];
  if (tooDeepAt !== undefined) {
    // The parser may not have run (the flow check refuses first), so its line table may be empty.
    errors.push({ message: `nesting deeper than ${MAX_DEPTH} levels`, code: 'LIMIT', loc: new SourceText(file, text).loc(tooDeepAt, tooDeepAt) });
    return { errors, warnings, documents: docs.length + 1 };
  }
  for (const d of docs) {
    for (const e of d.errors) errors.push({ message: cleanMessage(e.message), code: e.code, loc: at(e.pos[0], e.pos[1]) });
    for (const w of d.warnings) warnings.push({ message: cleanMessage(w.message), code: w.code, loc: at(w.pos[0], w.pos[1]) });
  }
  const dups = docs.flatMap((d) => duplicateKeys(d));
  if (dups.length) {
    for (const offset of dups) errors.push({ message: 'Map keys must be unique', code: 'DUPLICATE_KEY', loc: at(offset) });
    errors.sort((a, b) => a.loc.start.line - b.loc.start.line || a.loc.start.column - b.loc.start.column);
  }
  const result: YamlParseResult = { errors, warnings, documents: docs.length, doc: docs[0] };
  if (errors.length || !docs[0] || docs[0].contents == null) return result;

  let expansions = 0;
  let nodes = 0;
  // What each alias refers to: the last node with its anchor before it, in document order. yaml's
  // Alias.resolve() walks the document from the start for each alias (5,000 aliases took 42 s);
  // one walk in the same order answers them all.
  let aliasTargets: Map<unknown, unknown> | undefined;
  const targetOf = (alias: unknown): unknown => (aliasTargets ??= resolveAliases(docs[0])).get(alias);
  const convert = (n: unknown, path: string, depth: number, inAlias: boolean): DocNode => {
    if (depth > MAX_DEPTH) throw new YamlLimitError(`nesting deeper than ${MAX_DEPTH} levels`);
    if (++nodes > MAX_NODES) throw new YamlLimitError(`more than ${MAX_NODES.toLocaleString('en')} nodes; too large to read`);
    if (isAlias(n)) {
      if (++expansions > MAX_ALIAS_EXPANSIONS) throw new YamlLimitError(`more than ${MAX_ALIAS_EXPANSIONS} alias expansions (alias bomb?)`);
      const target = targetOf(n) as YNode | undefined;
      if (!target) return { kind: 'scalar', value: null, raw: `*${n.source}`, resolution: 'unresolved', loc: locOf(n, path) };
      return convert(target, path, depth + 1, true);
    }
    if (inAlias) expansions++;
    if (expansions > MAX_ALIAS_EXPANSIONS) throw new YamlLimitError(`more than ${MAX_ALIAS_EXPANSIONS} alias expansions (alias bomb?)`);
    if (isMap(n)) {
      const entries: DocEntry[] = [];
      let explicit: Set<string> | undefined;
      for (const pair of n.items) {
        const k = pair.key as unknown;
        let key: DocScalar;
        if (isScalar(k)) {
          key = scalarOf(k, '');
        } else {
          // A collection as a key: its source text (String() of a nested collection key would
          // print each level again inside the next: exponential in the nesting).
          const r = (k as YNode | null)?.range;
          const source = r ? text.slice(r[0], r[1]) : '';
          key = { kind: 'scalar', value: source, raw: source, resolution: 'unresolved', loc: locOf(k as YNode, path) };
        }
        const keyText = String(key.value);
        if (keyText === '<<' && !isScalar(pair.value)) {
          // Merge key: splice the merged mapping's entries (they do not override explicit keys).
          const merged = convert(pair.value, path, depth + 1, inAlias);
          const sources = merged.kind === 'seq' ? merged.items : [merged];
          explicit ??= new Set(n.items.flatMap((p) => (isScalar(p.key) ? [String(p.key.value)] : [])));
          for (const s of sources) if (s.kind === 'map') for (const e of s.entries) if (!explicit.has(String(e.key.value))) entries.push(e);
          continue;
        }
        const childPath = path ? `${path}.${keyText}` : keyText;
        key.loc.path = childPath;
        const value: DocNode =
          pair.value == null
            ? { kind: 'scalar', value: null, raw: '', resolution: 'literal', loc: { ...plainLocation(key.loc), start: key.loc.end, path: childPath } }
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
    // Built whole: a path added afterwards would not fit in the object (V8 gives it an extra
    // property store), and a large repository keeps hundreds of thousands of these.
    const r = n?.range;
    return { file, start: position(r ? r[0] : 0), end: position(n ? contentEnd(n) : 0), path };
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

/**
 * Where a node's content ends: a scalar's or flow collection's own end; a block collection's is
 * the end of its last item (yaml's own end of a block collection takes in what follows the last
 * item up to the next one — its line break, blank lines, sometimes comment lines — depending on
 * their indentation). Iterative: block collections may be nested deeper than the call stack.
 */
export function contentEnd(n: unknown): number {
  let cur = n as YNode | null | undefined;
  while ((isMap(cur) || isSeq(cur)) && !cur.flow && cur.items.length) {
    const last = cur.items[cur.items.length - 1] as unknown;
    cur = isSeq(cur) ? (last as YNode | null) : (((last as { value?: YNode | null; key?: YNode | null }).value ?? (last as { key?: YNode | null }).key) as YNode | null);
  }
  return cur?.range?.[1] ?? 0;
}

/** Each alias of `doc` and the node it refers to (undefined: no such anchor before it), as yaml's Alias.resolve() finds it, in one walk. */
export function resolveAliases(doc: Document): Map<unknown, unknown> {
  const targets = new Map<unknown, unknown>();
  const latest = new Map<string, unknown>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) targets.set(node, latest.get(node.source));
      else if (node.anchor) latest.set(node.anchor, node);
    },
  });
  return targets;
}

/** The offset where flow collections (`[`, `{`) nest deeper than `max`, from the lexer's tokens; undefined if they do not. */
function flowDeeperThan(text: string, max: number): number | undefined {
  let brackets = 0;
  for (let i = 0; i < text.length && brackets <= max; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) brackets++;
  }
  if (brackets <= max) return undefined;
  let depth = 0;
  let offset = 0;
  for (const tok of new Lexer().lex(text)) {
    if (tok === '[' || tok === '{') {
      if (++depth > max) return offset;
    } else if (tok === ']' || tok === '}') depth = Math.max(0, depth - 1);
    // Tokens are the text itself, except the lexer's markers (document start, flow end, scalar), which take no room.
    if (tok !== '\x02' && tok !== '\x18' && tok !== '\x1f') offset += tok.length;
  }
  return undefined;
}

/**
 * The parser's tokens from a lexer that reads flow collections (`[…]`, `{…}`) as the consumers of
 * these files do. The `yaml` package ends a flow collection at a line indented less than its block
 * parent requires (it allows only the final bracket of a one-level collection there); PyYAML (the
 * AWS CLI, SAM and cfn-lint read templates with it) and libyaml/go-yaml ignore indentation inside
 * flow collections altogether. A popular SAM idiom depends on that:
 *
 *     VpcConfig: !If [HasVpc, {
 *       SubnetIds: …
 *     }, !Ref AWS::NoValue]
 *
 * So inside a flow collection the lexer is told that no indentation is required. Likewise a `-`
 * directly followed by `,`, `]` or `}` inside a flow collection is the plain scalar `-` for PyYAML and
 * libyaml (`!Split [-, !Ref AWS::StackName]`), where the `yaml` package sees a misplaced sequence
 * indicator (after another indicator, as in `{x: -}`, the package still sees one). The lexer keeps its state in private members of the `yaml` package; if a version of it
 * lacks them, the package's own lexer is used (test/loaders/yaml-doc.test.ts pins the behaviour).
 */
function* parseTokens(parser: Parser, lineCounter: LineCounter, text: string): Generator<CstToken> {
  // What Parser.parse() does besides lexing: the first line starts at offset 0.
  lineCounter.addNewLine(0);
  for (const lexeme of flowLenientLexer().lex(text)) yield* parser.next(lexeme);
  yield* parser.end();
}

interface LexerInternals {
  indentNext: number;
  flowLevel: number;
  charAt(n: number): string;
  parseFlowCollection(): Generator<string, string>;
  pushIndicators(): Generator<string, number>;
}

const lexerBase = Lexer.prototype as unknown as Partial<LexerInternals>;
const baseFlowCollection = lexerBase.parseFlowCollection;
const basePushIndicators = lexerBase.pushIndicators;

function flowLenientLexer(): Lexer {
  const lexer = new Lexer();
  if (typeof baseFlowCollection !== 'function' || typeof basePushIndicators !== 'function' || typeof lexerBase.charAt !== 'function') return lexer;
  (lexer as unknown as LexerInternals).pushIndicators = function* (this: LexerInternals): Generator<string, number> {
    // `-` then `,` `]` `}` in a flow collection: left to be read as a plain scalar.
    if (this.flowLevel > 0 && this.charAt(0) === '-' && ',]}'.includes(this.charAt(1) || ' ')) return 0;
    return yield* basePushIndicators.call(this);
  };
  (lexer as unknown as LexerInternals).parseFlowCollection = function* (this: LexerInternals): Generator<string, string> {
    const required = this.indentNext;
    this.indentNext = 0;
    const next = yield* baseFlowCollection.call(this);
    // Still inside the collection, or just after it: the block's indentation again. (A document
    // marker at column 0 ends the collection, and the lexer has set its own.)
    if (this.flowLevel > 0 || next === 'flow' || next === 'doc') this.indentNext = required;
    return next;
  };
  return lexer;
}

/** The offset of the first collection nested deeper than `max` levels in a parsed (CST) token, if any. Iterative. */
function deeperThan(token: CstToken, max: number): number | undefined {
  const nodes: CstToken[] = [token];
  const depths: number[] = [0];
  while (nodes.length) {
    const t = nodes.pop()!;
    const d = depths.pop()!;
    if (t.type === 'document') {
      if (t.value) {
        nodes.push(t.value);
        depths.push(d);
      }
    } else if (t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection') {
      if (d >= max) return t.offset;
      for (const it of t.items) {
        const key = 'key' in it ? it.key : undefined;
        if (key) {
          nodes.push(key);
          depths.push(d + 1);
        }
        if (it.value) {
          nodes.push(it.value);
          depths.push(d + 1);
        }
      }
    }
  }
  return undefined;
}

/**
 * Offsets of keys that repeat an earlier key of the same mapping (scalars with equal values, as
 * yaml's `uniqueKeys: true` compares them), in one pass with a set per mapping. Iterative: the
 * document may be nested deeper than the call stack allows; aliases are not entered.
 */
function duplicateKeys(doc: Document): number[] {
  const out: number[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const n = stack.pop();
    if (isMap(n)) {
      const seen = new Set<string>();
      for (const pair of n.items) {
        const k = pair.key as unknown;
        if (isScalar(k) && (typeof k.value !== 'object' || k.value === null)) {
          const id = `${typeof k.value}:${String(k.value)}`;
          if (seen.has(id) && !Number.isNaN(k.value)) out.push(k.range?.[0] ?? 0);
          seen.add(id);
        }
        stack.push(k, pair.value);
      }
    } else if (isSeq(n)) for (const it of n.items) stack.push(it);
  }
  return out.sort((a, b) => a - b);
}

function cleanMessage(m: string): string {
  if (/Maximum call stack size exceeded/.test(m)) return 'nesting too deep to read';
  // yaml appends " at line X, column Y" and a code frame in some messages; we carry positions separately.
  return m.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}
