/**
 * Terraform JSON syntax (`*.tf.json`) → the same syntax tree as native HCL (`hcl.ts`), so one
 * evaluator serves both. Strings are templates in this syntax: a string containing `${` or `%{`
 * is parsed as an HCL template by the same tree-sitter parser, with offsets mapped back into the
 * JSON file (a JSON string is one line, so positions stay exact).
 */
import type { Parser as TsParser } from 'web-tree-sitter';
import { isMap, isScalar, isSeq, type DocMap, type DocNode, type DocScalar } from '../shared/doc.js';
import { parseEmbeddedTemplate, type Block, type Body, type Expr } from './hcl.js';
import type { SourceText } from '../shared/source-text.js';
import { plainLocation } from '../../model/location.js';

/** Nested block types whose JSON form is an object or a list of objects. */
const NESTED_BLOCKS = new Set(['statement', 'principals', 'not_principals', 'condition', 'dynamic', 'content']);

export class HclJsonConverter {
  constructor(
    private readonly parser: TsParser,
    private readonly src: SourceText,
  ) {}

  private offsets(n: DocNode): [number, number] {
    return [this.src.offset(n.loc.start.line, n.loc.start.column), this.src.offset(n.loc.end.line, n.loc.end.column)];
  }

  expr(n: DocNode): Expr {
    const [start, end] = this.offsets(n);
    const base = { loc: { file: n.loc.file, start: n.loc.start, end: n.loc.end }, raw: this.src.text.slice(start, end), start, end };
    if (isScalar(n)) return this.scalar(n, base);
    if (isSeq(n)) return { kind: 'tuple', ...base, items: n.items.map((i) => this.expr(i)) };
    const items: { key: Expr; value: Expr }[] = [];
    for (const e of n.entries) {
      if (e.key.value === '//') continue;
      const [ks, ke] = this.offsets(e.key);
      items.push({ key: { kind: 'literal', value: String(e.key.value), loc: e.key.loc, raw: e.key.raw, start: ks, end: ke }, value: this.expr(e.value) });
    }
    return { kind: 'object', ...base, items };
  }

  private scalar(n: DocScalar, base: { loc: Expr['loc']; raw: string; start: number; end: number }): Expr {
    if (typeof n.value === 'string' && (n.value.includes('${') || n.value.includes('%{'))) {
      const rawIndex = decodedToRaw(base.raw);
      const parsed = parseEmbeddedTemplate(this.parser, n.value, (i) => base.start + (rawIndex[i] ?? base.raw.length - 1), base, this.src);
      if (parsed) return parsed;
    }
    return { kind: 'literal', ...base, value: n.value };
  }

  /** A block body: attributes, plus the nested block types the IAM model reads. */
  body(n: DocNode): Body {
    const out: Body = { attributes: [], blocks: [] };
    if (!isMap(n)) return out;
    for (const e of n.entries) {
      const name = String(e.key.value);
      if (name === '//') continue;
      if (NESTED_BLOCKS.has(name)) {
        if (name === 'dynamic') {
          // "dynamic": { "condition": { "for_each": …, "content": {…} } }
          for (const [label, inner] of this.labelled(e.value)) out.blocks.push(...this.blocks('dynamic', e.key, [label], inner));
        } else out.blocks.push(...this.blocks(name, e.key, [], e.value));
        continue;
      }
      out.attributes.push({ name, nameLoc: e.key.loc, expr: this.expr(e.value), loc: { ...plainLocation(e.key.loc), end: e.value.loc.end } });
    }
    return out;
  }

  private blocks(type: string, key: DocScalar, labels: DocScalar[], value: DocNode): Block[] {
    const items = isSeq(value) ? value.items : [value];
    return items.filter(isMap).map((m) => ({
      type,
      typeLoc: key.loc,
      labels: labels.map((l) => ({ value: String(l.value), loc: l.loc })),
      body: this.body(m),
      loc: m.loc,
      hasError: false,
    }));
  }

  /** `{ "name": {…} }` or `[{ "name": {…} }]` → [name, value] pairs. */
  private labelled(n: DocNode): [DocScalar, DocNode][] {
    const maps = isSeq(n) ? n.items.filter(isMap) : isMap(n) ? [n] : [];
    return maps.flatMap((m: DocMap) => m.entries.filter((e) => e.key.value !== '//').map((e) => [e.key, e.value] as [DocScalar, DocNode]));
  }

  /** The top-level object of a `.tf.json` file. */
  file(root: DocNode): Body {
    const out: Body = { attributes: [], blocks: [] };
    if (!isMap(root)) return out;
    for (const e of root.entries) {
      const kind = String(e.key.value);
      if (kind === 'resource' || kind === 'data') {
        for (const [type, byName] of this.labelled(e.value))
          for (const [name, body] of this.labelled(byName)) out.blocks.push(...this.blocks(kind, e.key, [type, name], body));
      } else if (kind === 'variable' || kind === 'module' || kind === 'output') {
        for (const [name, body] of this.labelled(e.value)) out.blocks.push(...this.blocks(kind, e.key, [name], body));
      } else if (kind === 'locals') {
        out.blocks.push(...this.blocks('locals', e.key, [], e.value));
      }
    }
    return out;
  }
}

/**
 * For a JSON string literal (with its quotes), the offset in `raw` each decoded UTF-16 unit comes
 * from; one extra entry for the end (the closing quote).
 */
function decodedToRaw(raw: string): number[] {
  const out: number[] = [];
  for (let i = 1; i < raw.length - 1; i++) {
    if (raw[i] !== '\\') {
      out.push(i);
      continue;
    }
    out.push(i);
    i += raw[i + 1] === 'u' ? 5 : 1;
  }
  out.push(raw.length - 1);
  return out;
}
