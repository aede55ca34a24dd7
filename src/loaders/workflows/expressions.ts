/**
 * GitHub Actions `${{ … }}` expressions inside workflow strings. A value that contains one is not
 * known statically; we keep the literal pieces (`parts`) so that later steps can match what is known.
 */
import type { Value, ValuePart } from '../../model/location.js';

export function hasExpression(text: string): boolean {
  return text.includes('${{');
}

export { expressionParts } from '../../model/workflow.js';
import { expressionParts } from '../../model/workflow.js';

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
