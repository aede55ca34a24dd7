/**
 * Three-valued logic and partly known claim text, shared by every layer of the claims model:
 * `true`, `false`, or `'unknown'` where the input may be unresolved.
 */
import type { Resolution, ValuePart } from '../location.js';

/** `true`, `false`, or not decidable from what the sources tell. */
export type Tri = boolean | 'unknown';

export function and3(...xs: Tri[]): Tri {
  return allOf3(xs);
}

export function or3(...xs: Tri[]): Tri {
  return anyOf3(xs);
}

/** `or3` of a list of any length (a spread of 200,000 actions overflowed the stack). */
export function anyOf3(xs: readonly Tri[]): Tri {
  if (xs.some((x) => x === true)) return true;
  return xs.every((x) => x === false) ? false : 'unknown';
}

/** `and3` of a list of any length. */
export function allOf3(xs: readonly Tri[]): Tri {
  if (xs.some((x) => x === false)) return false;
  return xs.every((x) => x === true) ? true : 'unknown';
}

export function not3(x: Tri): Tri {
  return x === 'unknown' ? 'unknown' : !x;
}

/**
 * A string that may be only partly known: a plain string, or anything shaped like a model
 * `Value` (`resolution: 'unresolved'` with `parts` marking the known pieces).
 */
export type ClaimText = string | { value: string; resolution?: Resolution; parts?: ValuePart[] };

/** Pieces of a text: known strings, and `null` for an unknown piece (any string, maybe empty). */
export type Piece = string | null;

export function piecesOf(t: ClaimText): Piece[] {
  if (typeof t === 'string') return [t];
  if (t.parts && t.parts.length) {
    const out: Piece[] = [];
    for (const p of t.parts) {
      const piece = p.known ? p.text : null;
      const last = out[out.length - 1];
      if (piece !== null && typeof last === 'string') out[out.length - 1] = last + piece;
      else if (piece === null && last === null) continue;
      else out.push(piece);
    }
    return out;
  }
  return t.resolution === 'unresolved' ? [null] : [t.value];
}

/** The full text when every piece is known. */
export function knownText(t: ClaimText): string | undefined {
  const p = piecesOf(t);
  return p.every((x) => x !== null) ? p.join('') : undefined;
}

/** Concatenates partly known texts; the result is a plain string when everything is known. */
export function concatText(...items: ClaimText[]): ClaimText {
  const parts: ValuePart[] = [];
  for (const it of items)
    for (const p of piecesOf(it)) {
      const last = parts[parts.length - 1];
      if (p === null) {
        if (!last || last.known) parts.push({ text: '', known: false });
      } else if (last?.known) last.text += p;
      else parts.push({ text: p, known: true });
    }
  if (parts.every((p) => p.known)) return parts.map((p) => p.text).join('');
  return { value: parts.map((p) => (p.known ? p.text : '*')).join(''), resolution: 'unresolved', parts };
}
