/**
 * GitHub Actions `${{ … }}` expressions inside workflow strings. A value that contains one is not
 * known statically; we keep the literal pieces (`parts`) so that later steps can match what is known.
 */
import type { Value, ValuePart } from '../model/location.js';

export function hasExpression(text: string): boolean {
  return text.includes('${{');
}

/**
 * Splits `arn:aws:iam::${{ vars.ACCOUNT }}:role/x` into known and unknown parts: each `${{` up to
 * the first `}}` after it, as the regular expression /\$\{\{[\s\S]*?\}\}/g matches, but in linear
 * time (the expression retried the scan to the end from every `${{` of a value that never closes:
 * 200,000 of them took 28 s).
 */
export function expressionParts(text: string): ValuePart[] {
  const parts: ValuePart[] = [];
  let last = 0;
  for (;;) {
    const open = text.indexOf('${{', last);
    if (open < 0) break;
    const close = text.indexOf('}}', open + 3);
    // No `}}` after this `${{`: none after any later one either.
    if (close < 0) break;
    if (open > last) parts.push({ text: text.slice(last, open), known: true });
    parts.push({ text: text.slice(open, close + 2), known: false });
    last = close + 2;
  }
  if (last < text.length) parts.push({ text: text.slice(last), known: true });
  return parts;
}

/** Marks a workflow string value containing expressions as unresolved (with parts). */
export function markExpressions(v: Value<string>): Value<string> {
  if (!hasExpression(v.value)) return v;
  return { ...v, resolution: 'unresolved', parts: expressionParts(v.value) };
}

/** The expression body of a value that is exactly one expression (`${{ vars.ROLE }}` → `vars.ROLE`). */
export function soleExpression(text: string): string | undefined {
  const m = /^\s*\$\{\{\s*([\s\S]*?)\s*\}\}\s*$/.exec(text);
  return m && !m[1].includes('}}') ? m[1] : undefined;
}
