/**
 * Code frames for the text reporter: the offending source line, cut to a readable width around the
 * token, with secrets redacted, and a marker line (`^^^`) under the token.
 *
 * Redaction shortens text, so the line is cut into three pieces — before the token, the token,
 * after it — and each piece is redacted on its own; a key that straddles a cut is moved wholly into
 * the token first, so no piece ever holds half a key that `redactSecrets` would not recognise.
 */
import { findSecrets, redactSecrets } from '../model/secrets.js';
import type { SourceLocation } from '../model/location.js';
import { printableInPlace } from '../model/printable.js';

export interface FrameLine {
  /** 1-based line number shown in the gutter. */
  line: number;
  /** The (possibly cut and redacted) source text. */
  text: string;
  /** Spaces up to the token, then `^` under it (at least one). */
  marker: string;
}

/** Widest source text shown; longer lines (minified JSON) are cut around the token with `…`. */
export const FRAME_WIDTH = 100;

/** Splits a file into lines once (CRLF aware); reuse the result for every finding in the file. */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** The frame for a location, or undefined when it points outside the file or at a blank line (nothing to show). */
export function codeFrame(lines: readonly string[], loc: SourceLocation, width = FRAME_WIDTH): FrameLine | undefined {
  const idx = loc.start.line - 1;
  if (idx < 0 || idx >= lines.length || !lines[idx].trim()) return undefined;
  const src = lines[idx];
  const start = clamp(loc.start.column - 1, 0, src.length);
  // A token spanning several lines is marked to the end of its first line.
  const end = loc.end.line > loc.start.line ? src.length : clamp(loc.end.column - 1, start, src.length);
  const { before, token, after } = cut(src, start, end);
  return { line: loc.start.line, ...fit(before, token, after, width) };
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

/** Spans (UTF-16 offsets) of every key-shaped token on the line that redactSecrets would hide. */
function secretSpans(line: string): [number, number][] {
  return findSecrets(line).map((s) => [s.index, s.index + s.value.length]);
}

/**
 * Source characters kept before the token, after it, and of the token itself, before redacting and
 * cutting: several times what a frame shows, so the frame is the one the whole line would give,
 * at a cost that does not grow with the line (a minified policy of megabytes on one line with
 * thousands of findings took minutes).
 */
const WINDOW = 4 * FRAME_WIDTH;
/** Longer than any credential-shaped token (a session token has up to a few thousand characters): a key crossing a cut is always seen whole. */
const MAX_TOKEN = 4096;
/** Room before and after the run of token characters around a cut: a label (`aws_session_token=`) or a key id's neighbours. */
const KEY_MARGIN = 64;

/** Characters a credential is made of (base64 and its padding). */
function tokenChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 61;
}

/**
 * The key-shaped span of `src` that strictly contains offset `p`, if any. A credential lies within
 * one run of token characters, so only that run (and a margin) is searched: a few hundred
 * characters, not thousands, for each of the thousands of frames on a minified line.
 */
function spanAround(src: string, p: number): [number, number] | undefined {
  let a = p;
  let b = p;
  while (a > 0 && p - a < MAX_TOKEN && tokenChar(src.charCodeAt(a - 1))) a--;
  while (b < src.length && b - p < MAX_TOKEN && tokenChar(src.charCodeAt(b))) b++;
  const lo = Math.max(0, a - KEY_MARGIN);
  for (const [x, y] of secretSpans(src.slice(lo, Math.min(src.length, b + KEY_MARGIN)))) if (lo + x < p && p < lo + y) return [lo + x, lo + y];
  return undefined;
}

function cut(src: string, start: number, end: number) {
  // A key that straddles the token's edges moves wholly into the token.
  const s = spanAround(src, start)?.[0] ?? start;
  const e = Math.max(s, spanAround(src, end)?.[1] ?? end);
  // Windows around the token, widened so that no key is cut in two.
  const from = s - WINDOW <= 0 ? 0 : spanAround(src, s - WINDOW)?.[0] ?? s - WINDOW;
  const tokenEnd = e - s <= WINDOW ? e : spanAround(src, s + WINDOW)?.[1] ?? s + WINDOW;
  const to = e + WINDOW >= src.length ? src.length : spanAround(src, e + WINDOW)?.[1] ?? e + WINDOW;
  const show = (t: string) => [...printableInPlace(redactSecrets(t).replace(/\t/g, '  '))];
  return {
    before: [...(from > 0 ? ['…'] : []), ...show(src.slice(from, s))],
    token: [...show(src.slice(s, tokenEnd)), ...(tokenEnd < e ? ['…'] : [])],
    after: to < src.length ? [...show(src.slice(e, to)), '…'] : show(src.slice(e).trimEnd()),
  };
}

/**
 * Cuts the three pieces (arrays of code points) to `width`: the token whole when it fits in
 * `width - 20` (else cut with `…`), and the room left shared between the two sides.
 */
function fit(before: string[], token: string[], after: string[], width: number): { text: string; marker: string } {
  let b = before;
  let t = token;
  let a = after;
  if (b.length + t.length + a.length > width) {
    if (t.length > width - 20) t = [...t.slice(0, width - 21), '…'];
    const room = width - t.length;
    const left = Math.min(b.length, room - Math.min(a.length, Math.floor(room / 2)));
    const right = Math.min(a.length, room - left);
    if (left < b.length) b = ['…', ...b.slice(b.length - left + 1)];
    if (right < a.length) a = [...a.slice(0, right - 1), '…'];
  }
  return { text: [...b, ...t, ...a].join(''), marker: ' '.repeat(b.length) + '^'.repeat(Math.max(1, t.length)) };
}
