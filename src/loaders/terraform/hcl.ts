/**
 * HCL (Terraform native syntax) → a small syntax tree with exact positions.
 *
 * Parsing is done by tree-sitter (web-tree-sitter + the terraform grammar WASM from
 * @tree-sitter-grammars/tree-sitter-hcl), loaded lazily the first time a `.tf` file is scanned and
 * initialised once per process. The tree-sitter tree is converted once into the plain objects
 * below and freed immediately, so evaluation never crosses into WASM and nothing leaks.
 *
 * Positions: web-tree-sitter parses JavaScript strings as UTF-16, so node indices are UTF-16
 * code-unit offsets (its columns too, unlike the byte columns of the C library). We only use the
 * offsets and turn them into 1-based line/column through `SourceText`, which keeps non-ASCII lines
 * exact. See test/loaders/terraform.test.ts for a line with é and an emoji.
 */
import { createRequire } from 'node:module';
import type { Parser as TsParser } from 'web-tree-sitter';
import type { SourceLocation } from '../../model/location.js';
import { SourceText } from '../shared/source-text.js';
import { importLazily } from '../../lazy-import.js';
import { clipRedacted } from '../../model/secrets.js';

// ---------------------------------------------------------------------------------------------
// Syntax tree

interface ExprBase {
  loc: SourceLocation;
  /** Source text of the expression. */
  raw: string;
  /** File offsets (UTF-16) of the expression. */
  start: number;
  end: number;
}

export interface LiteralExpr extends ExprBase {
  kind: 'literal';
  value: string | number | boolean | null;
}

export type TemplatePart =
  | { kind: 'text'; text: string; start: number; end: number }
  | { kind: 'interp'; expr?: Expr; start: number; end: number }
  /** `%{ if cond }…%{ else }…%{ endif }` */
  | { kind: 'if'; cond: Expr; then: TemplatePart[]; else: TemplatePart[]; start: number; end: number }
  /** `%{ for k, v in coll }…%{ endfor }`; `bodyStart`/`bodyEnd` delimit the body (between the two tags). */
  | { kind: 'for'; keyVar?: string; valueVar: string; collection: Expr; body: TemplatePart[]; start: number; end: number; bodyStart: number; bodyEnd: number }
  /** Anything else not evaluated (a directive the grammar could not read). */
  | { kind: 'directive'; start: number; end: number };

export interface TemplateExpr extends ExprBase {
  kind: 'template';
  parts: TemplatePart[];
  /** For `<<EOT` / `<<-EOT`: file offsets of the body (first content line up to the closing marker line). */
  heredoc?: { strip: boolean; bodyStart: number; bodyEnd: number };
  src: SourceText;
}

export interface TupleExpr extends ExprBase {
  kind: 'tuple';
  items: Expr[];
}

export interface ObjectExpr extends ExprBase {
  kind: 'object';
  items: { key: Expr; value: Expr }[];
}

export type TraversalStep = { kind: 'attr'; name: string } | { kind: 'index'; key: Expr } | { kind: 'splat' };

/** `var.org`, `data.aws_iam_policy_document.x[0].json`, `each.value`, or an expression followed by accessors. */
export interface TraversalExpr extends ExprBase {
  kind: 'traversal';
  /** A root variable name (`var`, `local`, `aws_iam_role`, an iterator), or an expression (`(x).y`, `f(x)[0]`). */
  root: string | Expr;
  steps: TraversalStep[];
}

export interface CallExpr extends ExprBase {
  kind: 'call';
  name: string;
  args: Expr[];
  /** `f(list...)` */
  expandFinal: boolean;
}

export interface ConditionalExpr extends ExprBase {
  kind: 'conditional';
  test: Expr;
  then: Expr;
  else: Expr;
}

export interface ForExpr extends ExprBase {
  kind: 'for';
  keyVar?: string;
  valueVar: string;
  collection: Expr;
  /** Tuple form: the element; object form: the value. */
  body: Expr;
  /** Object form only. */
  keyBody?: Expr;
  cond?: Expr;
  object: boolean;
  grouping: boolean;
}

export interface BinaryExpr extends ExprBase {
  kind: 'binary';
  op: string;
  left: Expr;
  right: Expr;
}

export interface UnaryExpr extends ExprBase {
  kind: 'unary';
  op: string;
  operand: Expr;
}

/** Splats and anything else the evaluator does not compute. */
export interface OpaqueExpr extends ExprBase {
  kind: 'opaque';
}

export type Expr = LiteralExpr | TemplateExpr | TupleExpr | ObjectExpr | TraversalExpr | CallExpr | ConditionalExpr | ForExpr | BinaryExpr | UnaryExpr | OpaqueExpr;

export interface Attribute {
  name: string;
  nameLoc: SourceLocation;
  expr: Expr;
  loc: SourceLocation;
}

export interface Block {
  type: string;
  typeLoc: SourceLocation;
  labels: { value: string; loc: SourceLocation }[];
  body: Body;
  loc: SourceLocation;
  /** The block contains a syntax error; its content is not trusted. */
  hasError: boolean;
}

export interface Body {
  attributes: Attribute[];
  blocks: Block[];
}

export interface SyntaxProblem {
  loc: SourceLocation;
  message: string;
}

export interface HclFile {
  src: SourceText;
  body: Body;
  /** The first syntax error, if any (tree-sitter recovers; blocks containing errors are flagged). */
  error?: SyntaxProblem;
}

export function getAttr(body: Body, name: string): Attribute | undefined {
  return body.attributes.find((a) => a.name === name);
}

// ---------------------------------------------------------------------------------------------
// Lazy parser

/** The terraform-dialect tree-sitter parser; the first call loads web-tree-sitter and the grammar WASM. */
export function terraformParser(): Promise<TsParser> {
  return treeSitterParser('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm');
}

const parsers = new Map<string, Promise<TsParser>>();

/**
 * A tree-sitter parser for the grammar WASM a package ships (`package/file.wasm`), made once: the
 * first call loads web-tree-sitter and the grammar. A failed load is forgotten, so a later call tries again.
 */
export function treeSitterParser(wasm: string): Promise<TsParser> {
  let p = parsers.get(wasm);
  if (!p) {
    p = (async () => {
      const { Parser, Language } = await importLazily<typeof import('web-tree-sitter')>('web-tree-sitter');
      await Parser.init();
      const language = await Language.load(createRequire(import.meta.url).resolve(wasm));
      const parser = new Parser();
      parser.setLanguage(language);
      return parser;
    })().catch((e: unknown) => {
      parsers.delete(wasm);
      throw e;
    });
    parsers.set(wasm, p);
  }
  return p;
}

/** Parses Terraform native syntax. Never throws on bad input: syntax errors come back in `error`. */
export function parseHcl(parser: TsParser, text: string, file: string): HclFile {
  const src = new SourceText(file, text);
  const root = syntaxTree(parser, text);
  if (!root) return { src, body: { attributes: [], blocks: [] }, error: { loc: src.loc(0, 0), message: 'Terraform: the parser gave up on this file' } };
  const conv = new Converter(text, (i) => i, src);
  const error = root.hasError ? firstError(root, conv) : undefined;
  const bodyNode = named(root).find((c) => c.type === 'body');
  const body = bodyNode ? conv.body(bodyNode) : { attributes: [], blocks: [] };
  if (named(root).some((c) => c.type === 'object'))
    return { src, body, error: error ?? { loc: src.loc(0, 0), message: 'Terraform: a .tf file must contain blocks and attributes, not a bare object' } };
  return { src, body, error };
}

/**
 * Parses a template that sits inside another file: a string of a `.tf.json` file, already
 * JSON-decoded. `offsetOf(i)` maps an index of `template` to a file offset (through the JSON
 * escapes), `whole` is the file range of the JSON string. Returns undefined on a syntax error.
 */
export function parseEmbeddedTemplate(parser: TsParser, template: string, offsetOf: (i: number) => number, whole: { start: number; end: number }, src: SourceText): Expr | undefined {
  // A heredoc wrapper needs no quote escaping, and its body is the template verbatim.
  const marker = 'OIDC_LINT_EOT';
  const prefix = `x = <<${marker}\n`;
  const text = `${prefix}${template}\n${marker}\n`;
  const map = (i: number) => (i < prefix.length ? whole.start : i - prefix.length <= template.length ? offsetOf(i - prefix.length) : whole.end);
  const root = syntaxTree(parser, text);
  if (!root || root.hasError) return undefined;
  const conv = new Converter(text, map, src);
  const body = named(root).find((c) => c.type === 'body');
  const attr = body && named(body).find((c) => c.type === 'attribute');
  const exprNode = attr && named(attr).find((c) => c.type === 'expression');
  if (!exprNode) return undefined;
  const expr = conv.expression(exprNode);
  if (expr.kind !== 'template') return undefined;
  // Back to an ordinary template: drop the wrapper's final newline, locate it at the JSON string.
  const parts = expr.parts.slice();
  const last = parts[parts.length - 1];
  if (last?.kind === 'text') {
    const t = last.text.replace(/\n$/, '');
    if (t) parts[parts.length - 1] = { ...last, text: t };
    else parts.pop();
  }
  return { ...expr, parts, heredoc: undefined, raw: src.text.slice(whole.start, whole.end), loc: src.loc(whole.start, whole.end), start: whole.start, end: whole.end };
}

// ---------------------------------------------------------------------------------------------
// tree-sitter tree → plain mirror

/**
 * A plain copy of a tree-sitter node. Every property of a web-tree-sitter node is a call into
 * WASM; copying the tree once with a cursor (one call per node and property) and freeing it is
 * several times faster than walking the nodes, and nothing can leak.
 */
interface SNode {
  type: string;
  named: boolean;
  start: number;
  end: number;
  field: string | null;
  missing: boolean;
  hasError: boolean;
  children: SNode[];
}

function syntaxTree(parser: TsParser, text: string): SNode | undefined {
  const tree = parser.parse(text);
  if (!tree) return undefined;
  try {
    const cursor = tree.walk();
    try {
      // Field names are read only where the conversion uses them (an object element's key and
      // val): tree-sitter finds a field by scanning the earlier siblings, so reading it for every
      // node is quadratic in a long list of siblings (`a.a.a…` 200,000 steps took minutes).
      const make = (parent?: SNode): SNode => {
        const type = cursor.nodeType;
        const missing = cursor.nodeIsMissing;
        const field = parent?.type === 'object_elem' ? cursor.currentFieldName : null;
        return { type, named: cursor.nodeIsNamed, start: cursor.startIndex, end: cursor.endIndex, field, missing, hasError: missing || type === 'ERROR', children: [] };
      };
      const root = make();
      const stack: SNode[] = [root];
      for (;;) {
        if (cursor.gotoFirstChild()) {
          const n = make(stack[stack.length - 1]);
          stack[stack.length - 1].children.push(n);
          stack.push(n);
          continue;
        }
        for (;;) {
          const done = stack.pop()!;
          const parent = stack[stack.length - 1];
          if (!parent) return root;
          if (done.hasError) parent.hasError = true;
          if (cursor.gotoNextSibling()) {
            const n = make(parent);
            parent.children.push(n);
            stack.push(n);
            break;
          }
          cursor.gotoParent();
        }
      }
    } finally {
      cursor.delete();
    }
  } finally {
    tree.delete();
  }
}

/** Named children, comments left out. */
function named(n: SNode): SNode[] {
  return n.children.filter((c) => c.named && c.type !== 'comment');
}

function firstError(root: SNode, conv: Converter): SyntaxProblem {
  const stack: SNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.missing) return { loc: conv.loc(n.start, n.start), message: `Terraform syntax error: missing ${describeToken(n.type)}` };
    if (n.type === 'ERROR') {
      const shown = clipRedacted(conv.slice(n.start, n.end).split(/\r?\n/)[0].trim(), 40);
      return { loc: conv.loc(n.start, n.end), message: shown ? `Terraform syntax error: unexpected "${shown}"` : 'Terraform syntax error' };
    }
    if (!n.hasError) continue;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return { loc: conv.loc(0, 0), message: 'Terraform syntax error' };
}

function describeToken(type: string): string {
  const names: Record<string, string> = { block_end: '"}"', object_end: '"}"', tuple_end: '"]"', quoted_template_end: 'closing quote', heredoc_identifier: 'heredoc end marker', template_interpolation_end: '"}"' };
  return names[type] ?? (/^\W+$/.test(type) ? `"${type}"` : type.replace(/_/g, ' '));
}

// ---------------------------------------------------------------------------------------------
// mirror → syntax tree

const STEP_TYPES = new Set(['get_attr', 'index', 'splat']);
const MAX_NESTING = 200;
const BINARY_OPS = new Set(['*', '/', '%', '+', '-', '>', '>=', '<', '<=', '==', '!=', '&&', '||']);

class Converter {
  constructor(
    /** The text tree-sitter parsed (the file, or a wrapper around an embedded template). */
    private readonly text: string,
    /** Index in `text` → file offset. */
    private readonly map: (i: number) => number,
    readonly src: SourceText,
  ) {}

  slice(start: number, end: number): string {
    return this.text.slice(start, end);
  }

  loc(start: number, end: number): SourceLocation {
    return this.src.loc(this.map(start), this.map(end));
  }

  private baseOf(n: SNode): ExprBase {
    return { loc: this.loc(n.start, n.end), raw: this.slice(n.start, n.end), start: this.map(n.start), end: this.map(n.end) };
  }

  private textOf(n: SNode): string {
    return this.text.slice(n.start, n.end);
  }

  body(n: SNode): Body {
    const out: Body = { attributes: [], blocks: [] };
    for (const c of named(n)) {
      if (c.type === 'attribute') {
        const kids = named(c);
        const id = kids.find((x) => x.type === 'identifier');
        const ex = kids.find((x) => x.type === 'expression');
        if (!id || !ex) continue;
        out.attributes.push({ name: this.textOf(id), nameLoc: this.loc(id.start, id.end), expr: this.expression(ex), loc: this.loc(c.start, c.end) });
      } else if (c.type === 'block' && this.depth < MAX_NESTING) {
        this.depth++;
        try {
          out.blocks.push(this.block(c));
        } finally {
          this.depth--;
        }
      }
    }
    return out;
  }

  private block(n: SNode): Block {
    const kids = named(n);
    const id = kids[0];
    const labels: Block['labels'] = [];
    let body: Body = { attributes: [], blocks: [] };
    for (const k of kids.slice(1)) {
      if (k.type === 'string_lit') labels.push({ value: this.stringLit(k), loc: this.loc(k.start, k.end) });
      else if (k.type === 'identifier') labels.push({ value: this.textOf(k), loc: this.loc(k.start, k.end) });
      else if (k.type === 'body') body = this.body(k);
    }
    return { type: id ? this.textOf(id) : '', typeLoc: this.loc(id?.start ?? n.start, id?.end ?? n.start), labels, body, loc: this.loc(n.start, n.end), hasError: n.hasError };
  }

  /** Decoded value of a `string_lit` (quoted, no interpolation). */
  private stringLit(n: SNode): string {
    return decodeQuoted(this.slice(n.start + 1, n.end - 1));
  }

  private depth = 0;

  /** An `expression` node: a term followed by accessors, a parenthesised expression, or a conditional. */
  expression(n: SNode): Expr {
    // Nesting deeper than any real configuration is kept as text rather than recursed into.
    if (this.depth >= MAX_NESTING) return { kind: 'opaque', ...this.baseOf(n) };
    this.depth++;
    try {
      return this.term(n, n.children.filter((x) => x.type !== 'comment'));
    } finally {
      this.depth--;
    }
  }

  private term(whole: SNode, kids: SNode[]): Expr {
    const b = this.baseOf(whole);
    if (!kids.length) return { kind: 'opaque', ...b };
    let head: Expr | string;
    let rest: SNode[];
    if (kids[0].type === '(') {
      const inner = kids.find((k) => k.type === 'expression');
      const close = kids.findIndex((k) => k.type === ')');
      head = inner ? this.expression(inner) : { kind: 'opaque', ...b };
      rest = close >= 0 ? kids.slice(close + 1) : [];
    } else {
      const first = kids[0];
      rest = kids.slice(1);
      head = first.type === 'variable_expr' ? this.textOf(first) : this.primary(first);
    }
    const steps: TraversalStep[] = [];
    for (const s of rest) {
      if (!STEP_TYPES.has(s.type)) return { kind: 'opaque', ...b };
      const step = this.step(s);
      if (!step) return { kind: 'opaque', ...b };
      steps.push(...step);
    }
    if (!steps.length && typeof head !== 'string') return head;
    return { kind: 'traversal', ...b, root: head, steps };
  }

  private step(s: SNode): TraversalStep[] | undefined {
    if (s.type === 'get_attr') {
      const id = named(s).find((x) => x.type === 'identifier');
      return id ? [{ kind: 'attr', name: this.textOf(id) }] : undefined;
    }
    if (s.type === 'index') {
      const inner = named(s)[0];
      if (!inner) return undefined;
      if (inner.type === 'legacy_index') {
        const digits = this.textOf(inner).replace(/^\./, '');
        return [{ kind: 'index', key: { kind: 'literal', value: Number(digits), ...this.baseOf(inner) } }];
      }
      const ex = named(inner).find((x) => x.type === 'expression');
      return ex ? [{ kind: 'index', key: this.expression(ex) }] : undefined;
    }
    if (s.type === 'splat') {
      const inner = named(s)[0];
      const out: TraversalStep[] = [{ kind: 'splat' }];
      for (const k of inner ? named(inner) : []) {
        const st = this.step(k);
        if (!st) return undefined;
        out.push(...st);
      }
      return out;
    }
    return undefined;
  }

  private primary(n: SNode): Expr {
    const b = this.baseOf(n);
    switch (n.type) {
      case 'expression':
        return this.expression(n);
      case 'literal_value': {
        const v = named(n)[0];
        if (!v) return { kind: 'opaque', ...b };
        if (v.type === 'string_lit') return { kind: 'literal', ...b, value: this.stringLit(v) };
        if (v.type === 'numeric_lit') return { kind: 'literal', ...b, value: Number(this.textOf(v)) };
        if (v.type === 'bool_lit') return { kind: 'literal', ...b, value: this.textOf(v) === 'true' };
        if (v.type === 'null_lit') return { kind: 'literal', ...b, value: null };
        return { kind: 'opaque', ...b };
      }
      case 'template_expr':
        return this.template(named(n)[0] ?? n);
      case 'collection_value': {
        const c = named(n)[0];
        if (c?.type === 'tuple') return { kind: 'tuple', ...b, items: named(c).filter((x) => x.type === 'expression').map((x) => this.expression(x)) };
        if (c?.type === 'object') {
          const items: ObjectExpr['items'] = [];
          for (const e of named(c)) {
            if (e.type !== 'object_elem') continue;
            const k = e.children.find((x) => x.field === 'key');
            const v = e.children.find((x) => x.field === 'val');
            if (k && v) items.push({ key: this.expression(k), value: this.expression(v) });
          }
          return { kind: 'object', ...b, items };
        }
        return { kind: 'opaque', ...b };
      }
      case 'function_call': {
        const kids = named(n);
        const id = kids.find((x) => x.type === 'identifier');
        const argsNode = kids.find((x) => x.type === 'function_arguments');
        const argKids = argsNode ? named(argsNode) : [];
        const args = argKids.filter((x) => x.type === 'expression').map((x) => this.expression(x));
        return { kind: 'call', ...b, name: id ? this.textOf(id) : '', args, expandFinal: argKids.some((x) => x.type === 'ellipsis') };
      }
      case 'conditional': {
        const parts = named(n).filter((x) => x.type === 'expression');
        if (parts.length !== 3) return { kind: 'opaque', ...b };
        return { kind: 'conditional', ...b, test: this.expression(parts[0]), then: this.expression(parts[1]), else: this.expression(parts[2]) };
      }
      case 'for_expr':
        return this.forExpr(named(n)[0] ?? n, b);
      case 'operation':
        return this.operation(named(n)[0] ?? n, b);
      default:
        return { kind: 'opaque', ...b };
    }
  }

  /** Operands of an operator are flattened terms (a term and its accessors): split at the operator token. */
  private operation(n: SNode, b: ExprBase): Expr {
    const kids = n.children.filter((x) => x.type !== 'comment');
    const span = (xs: SNode[]): SNode => ({ type: 'expression', named: true, start: xs[0].start, end: xs[xs.length - 1].end, field: null, missing: false, hasError: false, children: xs });
    if (n.type === 'unary_operation' && kids.length >= 2 && !kids[0].named) return { kind: 'unary', ...b, op: kids[0].type, operand: this.expression(span(kids.slice(1))) };
    if (n.type === 'binary_operation') {
      const i = kids.findIndex((k, idx) => idx > 0 && !k.named && BINARY_OPS.has(k.type));
      if (i > 0 && i < kids.length - 1) return { kind: 'binary', ...b, op: kids[i].type, left: this.expression(span(kids.slice(0, i))), right: this.expression(span(kids.slice(i + 1))) };
    }
    return { kind: 'opaque', ...b };
  }

  private forExpr(n: SNode, b: ExprBase): Expr {
    const kids = named(n);
    const intro = kids.find((x) => x.type === 'for_intro');
    if (!intro) return { kind: 'opaque', ...b };
    const introKids = named(intro);
    const ids = introKids.filter((x) => x.type === 'identifier').map((x) => this.textOf(x));
    const coll = introKids.find((x) => x.type === 'expression');
    const exprs = kids.filter((x) => x.type === 'expression');
    const condNode = kids.find((x) => x.type === 'for_cond');
    const cond = condNode && named(condNode).find((x) => x.type === 'expression');
    if (!coll || !ids.length) return { kind: 'opaque', ...b };
    const object = n.type === 'for_object_expr';
    if (object ? exprs.length < 2 : exprs.length < 1) return { kind: 'opaque', ...b };
    return {
      kind: 'for',
      ...b,
      keyVar: ids.length > 1 ? ids[0] : undefined,
      valueVar: ids.length > 1 ? ids[1] : ids[0],
      collection: this.expression(coll),
      body: this.expression(object ? exprs[1] : exprs[0]),
      keyBody: object ? this.expression(exprs[0]) : undefined,
      cond: cond ? this.expression(cond) : undefined,
      object,
      grouping: kids.some((x) => x.type === 'ellipsis'),
    };
  }

  private template(n: SNode): TemplateExpr {
    const b = this.baseOf(n);
    const kids = n.children.filter((x) => x.type !== 'comment');
    const heredoc = n.type === 'heredoc_template';
    let contentStart: number;
    let contentEnd: number;
    let heredocInfo: TemplateExpr['heredoc'];
    if (heredoc) {
      const markers = kids.filter((k) => k.type === 'heredoc_identifier');
      const open = markers[0];
      const close = markers[markers.length - 1];
      const nl = this.text.indexOf('\n', open ? open.end : n.start);
      contentStart = nl < 0 ? n.end : nl + 1;
      const closeLine = close && close !== open ? this.text.lastIndexOf('\n', close.start - 1) + 1 : n.end;
      contentEnd = Math.max(contentStart, closeLine);
      const strip = kids.some((k) => k.type === 'heredoc_start' && this.textOf(k) === '<<-');
      heredocInfo = { strip, bodyStart: this.map(contentStart), bodyEnd: this.map(contentEnd) };
    } else {
      contentStart = n.start + 1;
      contentEnd = n.end - 1;
    }
    const parts = this.templateParts(kids, contentStart, contentEnd, heredoc);
    if (heredocInfo?.strip) stripIndent(parts);
    return { kind: 'template', ...b, parts, heredoc: heredocInfo, src: this.src };
  }

  /** Literal text (source slices between the other pieces), interpolations and directives within [from, to). */
  private templateParts(kids: SNode[], from: number, to: number, heredoc: boolean): TemplatePart[] {
    const parts: TemplatePart[] = [];
    let cursor = from;
    const pushText = (until: number) => {
      if (until <= cursor) return;
      const raw = this.text.slice(cursor, until);
      parts.push({ kind: 'text', text: heredoc ? decodeHeredoc(raw) : decodeQuoted(raw), start: this.map(cursor), end: this.map(until) });
    };
    for (const k of kids) {
      if (k.type !== 'template_interpolation' && k.type !== 'template_directive') continue;
      if (k.start < from || k.end > to) continue;
      pushText(k.start);
      if (k.type === 'template_interpolation') {
        const ex = named(k).find((x) => x.type === 'expression');
        parts.push({ kind: 'interp', expr: ex ? this.expression(ex) : undefined, start: this.map(k.start), end: this.map(k.end) });
      } else parts.push(this.directive(k, heredoc));
      cursor = k.end;
    }
    pushText(to);
    return parts;
  }

  private directive(k: SNode, heredoc: boolean): TemplatePart {
    const d = named(k)[0];
    const whole = { start: this.map(k.start), end: this.map(k.end) };
    if (d?.type === 'template_for') return this.forDirective(d, whole, heredoc);
    if (d?.type !== 'template_if') return { kind: 'directive', ...whole };
    const kids = d.children.filter((x) => x.type !== 'comment');
    const intro = kids.find((x) => x.type === 'template_if_intro');
    const elseIntro = kids.find((x) => x.type === 'template_else_intro');
    const end = kids.find((x) => x.type === 'template_if_end');
    const cond = intro && named(intro).find((x) => x.type === 'expression');
    // Nested `%{if}`s count as nesting too: 4,000 of them overflowed the stack.
    if (!intro || !end || !cond || this.depth >= MAX_NESTING) return { kind: 'directive', ...whole };
    this.depth++;
    try {
      const thenParts = this.templateParts(kids, intro.end, elseIntro?.start ?? end.start, heredoc);
      const elseParts = elseIntro ? this.templateParts(kids, elseIntro.end, end.start, heredoc) : [];
      return { kind: 'if', cond: this.expression(cond), then: thenParts, else: elseParts, ...whole };
    } finally {
      this.depth--;
    }
  }

  private forDirective(d: SNode, whole: { start: number; end: number }, heredoc: boolean): TemplatePart {
    const kids = d.children.filter((x) => x.type !== 'comment');
    const intro = kids.find((x) => x.type === 'template_for_start');
    const end = kids.find((x) => x.type === 'template_for_end');
    const ids = intro ? named(intro).filter((x) => x.type === 'identifier').map((x) => this.textOf(x)) : [];
    const coll = intro && named(intro).find((x) => x.type === 'expression');
    if (!intro || !end || !coll || !ids.length || ids.length > 2 || this.depth >= MAX_NESTING) return { kind: 'directive', ...whole };
    this.depth++;
    try {
      return {
        kind: 'for',
        keyVar: ids.length > 1 ? ids[0] : undefined,
        valueVar: ids.length > 1 ? ids[1] : ids[0],
        collection: this.expression(coll),
        body: this.templateParts(kids, intro.end, end.start, heredoc),
        ...whole,
        bodyStart: this.map(intro.end),
        bodyEnd: this.map(end.start),
      };
    } finally {
      this.depth--;
    }
  }
}

/** HCL quoted-string escapes, plus the `$${` and `%%{` template escapes. */
export function decodeQuoted(raw: string): string {
  if (!raw.includes('\\') && !raw.includes('$${') && !raw.includes('%%{')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) {
      const e = raw[i + 1];
      const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
      if (e in simple) {
        out += simple[e];
        i++;
        continue;
      }
      const len = e === 'u' ? 4 : e === 'U' ? 8 : 0;
      const hex = raw.slice(i + 2, i + 2 + len);
      if (len && hex.length === len && /^[0-9a-fA-F]+$/.test(hex)) {
        const cp = parseInt(hex, 16);
        out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
        i += 1 + len;
        continue;
      }
      out += c;
      continue;
    }
    if ((c === '$' || c === '%') && raw[i + 1] === c && raw[i + 2] === '{') {
      out += c + '{';
      i += 2;
      continue;
    }
    out += c;
  }
  return out;
}

/** Heredocs have no backslash escapes; only `$${` and `%%{`. */
export function decodeHeredoc(raw: string): string {
  return raw.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

/** `<<-` removes the smallest indentation of the body's non-blank lines from every line (in text parts). */
function stripIndent(parts: TemplatePart[]): void {
  // The body as one string, with a non-blank stand-in for interpolations and directives.
  const flat = parts.map((p) => (p.kind === 'text' ? p.text : 'x')).join('');
  let min = Infinity;
  for (const line of flat.split('\n')) if (line.trim()) min = Math.min(min, /^[ \t]*/.exec(line)![0].length);
  if (!Number.isFinite(min) || min === 0) return;
  const indent = new RegExp(`^[ \\t]{0,${min}}`);
  let atLineStart = true;
  for (const p of parts) {
    if (p.kind !== 'text') {
      atLineStart = false;
      continue;
    }
    p.text = p.text
      .split('\n')
      .map((line, i) => (i > 0 || atLineStart ? line.replace(indent, '') : line))
      .join('\n');
    atLineStart = p.text.endsWith('\n');
  }
}
