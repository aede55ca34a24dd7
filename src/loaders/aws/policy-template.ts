/**
 * IAM policies kept as templates: `trust.json.tpl`, `trust.tftpl`, or a `.json` file with `${…}`
 * or `$UPPER_CASE` placeholders (Terraform `templatefile`, envsubst, CI substitution). The template is read on its
 * own, without the values a caller would give it: each placeholder is an unresolved piece of the
 * string it sits in (`"repo:${org}/${repo}:*"`), or an unresolved value when it stands for a whole
 * JSON value (`"Federated": ${oidc_arn}`). `%{…}` directives are left out of the text and the
 * values inside them are read once, as written. IAM policy variables (`${aws:username}`, `${*}`)
 * are not placeholders: they are part of the policy.
 *
 * Terraform's `templatefile(...)` / `data "template_file"` render the same files with their
 * variables (terraform-eval.ts); this reader is for the file alone.
 */
import { parseJson, JsonSyntaxError, unescapeJsonPiece } from '../shared/json-ast.js';
import type { DocNode, DocScalar } from '../shared/doc.js';
import { SourceText } from '../shared/source-text.js';
import { spansWithin } from '../../arrays.js';
import type { ValuePart } from '../../model/location.js';

/** Names of template files that may hold a policy. */
export function isPolicyTemplatePath(relPath: string): boolean {
  return /\.(tpl|tftpl)$/i.test(relPath);
}

interface Placeholder {
  start: number;
  end: number;
  /** `${…}` (a value) or `%{…}` (a directive). */
  directive: boolean;
}

/** An IAM policy variable (`${aws:username}`, `${token.actions.githubusercontent.com:sub}`, `${*}`): part of the policy, not of the template. */
function isPolicyVariable(inner: string): boolean {
  return /^\s*(?:[*?$]|[A-Za-z0-9_.-]+:[A-Za-z0-9_./-]+(?:\s*,\s*'[^']*')?)\s*$/.test(inner);
}

/**
 * Placeholders of a template text, in order. `$${` and `%%{` are escapes (literal `${`, `%{`).
 * A placeholder ends at its matching `}`, quotes inside it respected; an unterminated `${` is text.
 */
export function findPlaceholders(text: string): Placeholder[] {
  const out: Placeholder[] = [];
  for (let i = 0; i < text.length - 1; i++) {
    const c = text[i];
    if (c === '$' && text[i - 1] !== '$') {
      // `$GITHUB_ORG`: an environment variable for envsubst; no GitHub name or account id has a `$`.
      const env = /^\$[A-Z][A-Z0-9_]+/.exec(text.slice(i, i + 101));
      if (env) {
        out.push({ start: i, end: i + env[0].length, directive: false });
        i += env[0].length - 1;
        continue;
      }
    }
    if ((c !== '$' && c !== '%') || text[i + 1] !== '{') continue;
    if (i > 0 && text[i - 1] === c) continue; // escaped: `$${` / `%%{`
    let depth = 0;
    let quote = '';
    let j = i + 1;
    for (; j < text.length; j++) {
      const d = text[j];
      if (quote) {
        if (d === '\\') j++;
        else if (d === quote) quote = '';
      } else if (d === '"' || d === "'") quote = d;
      else if (d === '{') depth++;
      else if (d === '}' && --depth === 0) break;
    }
    // A `${` that never closes is text, not a placeholder; so is every later one (scanning each
    // to the end again would be quadratic in the number of `${`).
    if (j >= text.length) break;
    const end = j + 1;
    if (c === '$' && isPolicyVariable(text.slice(i + 2, end - 1))) {
      i = end - 1;
      continue;
    }
    out.push({ start: i, end, directive: c === '%' });
    i = end - 1;
  }
  return out;
}

/** Whether a text has template placeholders (not only IAM policy variables). */
export function hasPlaceholders(text: string): boolean {
  return (text.includes('${') || text.includes('%{') || /\$[A-Z][A-Z0-9_]/.test(text)) && findPlaceholders(text).length > 0;
}

export type TemplateReadResult = { root: DocNode } | { error: { message: string; line: number; column: number } };

/** Reads a JSON policy template; placeholders become unresolved values or pieces (positions are the template's). */
export function readPolicyTemplate(text: string, file: string): TemplateReadResult {
  const holders = findPlaceholders(text);
  const chars = text.split('');
  // Which placeholders sit inside a JSON string: scan lexically, skipping them.
  const whole = new Map<number, Placeholder>();
  const inStringHolders: Placeholder[] = [];
  /** `%{ if c }"a"%{ else }"b"%{ endif }` between JSON values, by offset: a string either way. */
  const eitherString = new Map<number, { cond: string; branches: [number, number][]; end: number }>();
  let inString = false;
  let next = 0;
  for (let i = 0; i < text.length; i++) {
    const h = holders[next];
    const either = h && i === h.start && !inString ? ifOfStrings(text, holders, next) : undefined;
    if (either) {
      for (let j = h.start; j < either.end; j++) if (chars[j] !== '\n') chars[j] = 'x';
      chars[h.start] = '"';
      chars[either.end - 1] = '"';
      eitherString.set(h.start, either);
      while (next < holders.length && holders[next].start < either.end) next++;
      i = either.end - 1;
      continue;
    }
    if (h && i === h.start) {
      for (let j = h.start; j < h.end; j++) if (chars[j] !== '\n') chars[j] = inString ? 'x' : ' ';
      if (inString) inStringHolders.push(h);
      else if (!h.directive) {
        chars[h.start] = '"';
        chars[h.start + 1] = '"';
        whole.set(h.start, h);
      }
      i = h.end - 1;
      next++;
      continue;
    }
    const c = text[i];
    if (inString && c === '\\') i++;
    else if (c === '"') inString = !inString;
    else if (c === '\n') inString = false;
  }
  let synthetic = chars.join('');
  let root: DocNode;
  try {
    root = parseJson(synthetic, file).root;
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    // A directive loop often leaves a trailing comma (`%{ for … }"a",%{ endfor }`): IAM never sees it.
    synthetic = synthetic.replace(/,(\s*[\]}])/g, ' $1');
    try {
      root = parseJson(synthetic, file).root;
    } catch (e2) {
      if (!(e2 instanceof JsonSyntaxError)) throw e2;
      return { error: { message: e.message, line: e.line, column: e.column } };
    }
  }
  const src = new SourceText(file, text);
  const offset = (p: { line: number; column: number }) => src.offset(p.line, p.column);
  const fix = (n: DocNode): DocNode => {
    if (n.kind === 'map') return { ...n, entries: n.entries.map((e) => ({ key: fix(e.key) as DocScalar, value: fix(e.value) })) };
    if (n.kind === 'seq') return { ...n, items: n.items.map(fix) };
    if (typeof n.value !== 'string') return n;
    const start = offset(n.loc.start);
    const end = offset(n.loc.end);
    const either = eitherString.get(start);
    if (either) {
      // Each branch a possible value, under its side of the test (the template's own words).
      const alternatives = either.branches.map(([from, to], k): DocScalar => {
        const parts = stringPieces(text, from, to, spansWithin(holders, from, to));
        const when = { text: `${either.cond} is ${k === 0}`, isDefault: false, test: either.cond, yes: k === 0, group: `${file}:${n.loc.start.line}:${n.loc.start.column}` };
        const value = parts.map((p) => p.text).join('');
        return parts.every((p) => p.known) ? { ...n, value, raw: text.slice(from, to), when } : { ...n, value, raw: text.slice(from, to), resolution: 'unresolved', parts, when };
      });
      const t = text.slice(start, either.end);
      return { ...n, value: t, raw: t, resolution: 'unresolved', parts: [{ text: t, known: false }], alternatives };
    }
    const h = whole.get(start);
    if (h) {
      const t = text.slice(h.start, h.end);
      return { ...n, value: t, raw: t, resolution: 'unresolved', parts: [{ text: t, known: false }] };
    }
    const inner = spansWithin(inStringHolders, start, end);
    if (!inner.length) return n.value.includes('$${') || n.value.includes('%%{') ? { ...n, value: n.value.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{') } : n;
    const parts: ValuePart[] = [];
    let cursor = start + 1;
    const lit = (to: number) => {
      if (to > cursor) parts.push({ text: unescapeJsonPiece(text.slice(cursor, to)), known: true });
    };
    for (const x of inner) {
      lit(x.start);
      // A directive inside a string (`%{ if … }`) contributes text we do not know.
      parts.push({ text: text.slice(x.start, x.end), known: false });
      cursor = x.end;
    }
    lit(end - 1);
    const merged = parts.filter((p) => p.text);
    return { ...n, value: merged.map((p) => p.text).join(''), raw: text.slice(start, end), resolution: 'unresolved', parts: merged };
  };
  return { root: fix(root) };
}

/**
 * `%{ if c }"a"%{ else }"b"%{ endif }` starting at placeholder `k` (outside any string): the test's
 * text and each branch's JSON string (offsets of the quotes), when both branches are one string.
 */
function ifOfStrings(text: string, holders: Placeholder[], k: number): { cond: string; branches: [number, number][]; end: number } | undefined {
  // `%{~ if cond ~}`, read without a regular expression over the directive's text.
  let body = text.slice(holders[k].start + 2, holders[k].end - 1).trim();
  if (body.startsWith('~')) body = body.slice(1).trim();
  if (body.endsWith('~')) body = body.slice(0, -1).trim();
  if (!/^if\s/.test(body)) return undefined;
  const cond = body.slice(2).trim();
  const directive = (h: Placeholder | undefined, word: string) => !!h && h.directive && new RegExp(`^%\\{~?\\s*${word}\\s*~?\\}$`).test(text.slice(h.start, h.end));
  let e = k + 1;
  while (e < holders.length && !holders[e].directive) e++;
  let f = e + 1;
  while (f < holders.length && !holders[f].directive) f++;
  if (!directive(holders[e], 'else') || !directive(holders[f], 'endif')) return undefined;
  const branch = (from: number, to: number): [number, number] | undefined => {
    const m = /^(\s*)"((?:[^"\\]|\\.)*)"\s*$/s.exec(text.slice(from, to));
    return m ? [from + m[1].length, from + m[1].length + m[2].length + 2] : undefined;
  };
  const a = branch(holders[k].end, holders[e].start);
  const b = branch(holders[e].end, holders[f].start);
  return a && b && cond ? { cond, branches: [a, b], end: holders[f].end } : undefined;
}

/** A JSON string literal's content (between `from` and `to`, quotes included) as known text and placeholders. */
function stringPieces(text: string, from: number, to: number, inner: Placeholder[]): ValuePart[] {
  const parts: ValuePart[] = [];
  let cursor = from + 1;
  for (const x of inner) {
    if (x.start > cursor) parts.push({ text: unescapeJsonPiece(text.slice(cursor, x.start)), known: true });
    parts.push({ text: text.slice(x.start, x.end), known: false });
    cursor = x.end;
  }
  if (to - 1 > cursor) parts.push({ text: unescapeJsonPiece(text.slice(cursor, to - 1)), known: true });
  return parts.filter((p) => p.text);
}
