/**
 * The string-pattern language trusts are written in: globs with `*` / `?` (IAM `StringLike`, and
 * the wildcard forms other clouds accept), exact strings, policy variables, and three-valued
 * matching when a pattern or a value is only partly known (domain.md §C.5).
 */
import { pushAll } from '../../arrays.js';
import { type ClaimText, type Piece, type Tri, piecesOf } from './values.js';

/** Glob tokens, one per character: literal, `*`, `?`, or `u` (an unresolved piece of the policy). */
export type GTok = { k: 'c'; c: string } | { k: '*' } | { k: '?' } | { k: 'u'; text?: string };

export const STAR: GTok = { k: '*' };

const ONE: GTok = { k: '?' };

const UNKNOWN: GTok = { k: 'u' };

export function litToks(s: string): GTok[] {
  return [...s].map((c) => ({ k: 'c', c }) as GTok);
}

export const isStarLike = (t: GTok | undefined) => t !== undefined && (t.k === '*' || t.k === 'u');

export function charEq(a: string, b: string, ci: boolean): boolean {
  return a === b || (ci && a.toLowerCase() === b.toLowerCase());
}

/** Resolves a policy variable name to its value, `undefined` when unknown. */
export type VariableResolver = (name: string) => string | undefined;

export interface ParsedPattern {
  toks: GTok[];
  /** Contains unresolved pieces or unresolvable policy variables. */
  uncertain: boolean;
}

/**
 * Turns a policy string into glob tokens. `wildcards`: `*`/`?` are wildcards (StringLike family).
 * `variables`: `${…}` is a policy variable (policy Version 2012-10-17); `${*}`, `${?}`, `${$}` stand
 * for the literal characters; a variable resolves through `resolve` (or its default value
 * `${key, 'default'}`), and is unknown otherwise.
 */
export function parsePolicyString(text: ClaimText, wildcards: boolean, variables: boolean, resolve?: VariableResolver): ParsedPattern {
  const toks: GTok[] = [];
  let uncertain = false;
  // The source text of each unknown piece (`${Org}`) is kept on its token for messages.
  const unknownTexts = typeof text !== 'string' && text.parts ? text.parts.filter((p) => !p.known).map((p) => p.text) : [];
  for (const piece of piecesOf(text)) {
    if (piece === null) {
      const raw = unknownTexts.shift();
      toks.push(raw ? { k: 'u', text: raw } : UNKNOWN);
      uncertain = true;
      continue;
    }
    const chars = [...piece];
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i];
      if (variables && c === '$' && chars[i + 1] === '{') {
        const end = chars.indexOf('}', i + 2);
        if (end > 0) {
          const inner = chars.slice(i + 2, end).join('');
          i = end;
          if (inner === '*' || inner === '?' || inner === '$') {
            toks.push({ k: 'c', c: inner });
            continue;
          }
          const m = /^\s*([^,]+?)\s*(?:,\s*'([^']*)'\s*)?$/.exec(inner);
          const value = m ? (resolve?.(m[1]) ?? m[2]) : undefined;
          if (value === undefined) {
            toks.push(UNKNOWN);
            uncertain = true;
          } else pushAll(toks, litToks(value));
          continue;
        }
      }
      if (wildcards && c === '*') toks.push(STAR);
      else if (wildcards && c === '?') toks.push(ONE);
      else toks.push({ k: 'c', c });
    }
  }
  return { toks, uncertain };
}

export function closure(toks: GTok[], set: Set<number>): Set<number> {
  const stack = [...set];
  while (stack.length) {
    const i = stack.pop()!;
    if (isStarLike(toks[i]) && !set.has(i + 1)) {
      set.add(i + 1);
      stack.push(i + 1);
    }
  }
  return set;
}

export function stepChar(toks: GTok[], set: Set<number>, ch: string, ci: boolean): Set<number> {
  const next = new Set<number>();
  for (const i of set) {
    const t = toks[i];
    if (!t) continue;
    if (t.k === '*' || t.k === 'u') next.add(i);
    else if (t.k === '?') next.add(i + 1);
    else if (charEq(t.c, ch, ci)) next.add(i + 1);
  }
  return closure(toks, next);
}

/**
 * Whether `value` matches the glob (`*` and unresolved pieces match any run of characters, `?` one
 * character). Greedy with a return to the last star: linear for the usual globs, never worse than
 * tokens × characters, and no allocation but the value's characters.
 */
export function globMatch(toks: GTok[], ci: boolean, value: string): boolean {
  const chars = [...value];
  let t = 0;
  let c = 0;
  let star = -1;
  let starChar = 0;
  while (c < chars.length) {
    const tok = toks[t];
    if (tok !== undefined && (tok.k === '*' || tok.k === 'u')) {
      star = t++;
      starChar = c;
    } else if (tok !== undefined && (tok.k === '?' || (tok.k === 'c' && charEq(tok.c, chars[c], ci)))) {
      t++;
      c++;
    } else if (star >= 0) {
      t = star + 1;
      c = ++starChar;
    } else return false;
  }
  while (t < toks.length && isStarLike(toks[t])) t++;
  return t === toks.length;
}

/** Whether two globs share at least one string (product automaton, no enumeration). */
export function globsIntersect(a: GTok[], b: GTok[], ci: boolean): boolean {
  const seen = new Set<number>();
  const W = b.length + 1;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length) {
    const [i, j] = stack.pop()!;
    const key = i * W + j;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === a.length && j === b.length) return true;
    const ta = a[i];
    const tb = b[j];
    if (isStarLike(ta)) stack.push([i + 1, j]);
    if (isStarLike(tb)) stack.push([i, j + 1]);
    if (!ta || !tb) continue;
    const aAny = ta.k !== 'c';
    const bAny = tb.k !== 'c';
    const ni = isStarLike(ta) ? i : i + 1;
    const nj = isStarLike(tb) ? j : j + 1;
    if (ni === i && nj === j) continue;
    if (aAny || bAny || charEq((ta as { c: string }).c, (tb as { c: string }).c, ci)) stack.push([ni, nj]);
  }
  return false;
}

/** Matching where unknown pieces of the value can only be absorbed by a `*`: true for every filling. */
function matchWithHoles(toks: GTok[], ci: boolean, pieces: Piece[]): boolean {
  let set = closure(toks, new Set([0]));
  for (const p of pieces) {
    if (p === null) {
      const next = new Set<number>();
      for (const i of set) if (toks[i]?.k === '*') next.add(i);
      set = closure(toks, next);
    } else for (const ch of p) set = stepChar(toks, set, ch, ci);
    if (!set.size) return false;
  }
  return set.has(toks.length);
}

/** Three-valued match of a parsed policy pattern against a possibly partial request value. */
export function match3(pattern: ParsedPattern, ci: boolean, value: ClaimText): Tri {
  const pieces = piecesOf(value);
  const valueKnown = pieces.every((p) => p !== null);
  if (!pattern.uncertain && valueKnown) return globMatch(pattern.toks, ci, pieces.join(''));
  // globsIntersect treats an unknown piece of the pattern (`u`) like `*`.
  const b = pieces.flatMap((p) => (p === null ? [STAR] : litToks(p)));
  if (!globsIntersect(pattern.toks, b, ci)) return false;
  if (pattern.uncertain) return 'unknown';
  return matchWithHoles(pattern.toks, ci, pieces) ? true : 'unknown';
}

/** IAM `StringLike` (case-sensitive; `*` any run incl. `:` and `/`, `?` one character, `${*}` literal). */
export function stringLike(pattern: string, value: string): boolean {
  return globMatch(parsePolicyString(pattern, true, true).toks, false, value);
}

/** Whether a StringLike pattern contains a wildcard (or an unknown policy variable). */
export function hasWildcard(pattern: string): boolean {
  return parsePolicyString(pattern, true, true).toks.some((t) => t.k !== 'c');
}
