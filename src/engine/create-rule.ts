import type { RuleModule } from './rule.js';

/** Identity helper that type-checks a rule definition (and its options tuple). */
export function createRule<Options extends unknown[] = unknown[]>(rule: RuleModule<Options>): RuleModule<Options> {
  return rule;
}

/** Fills `{{name}}` placeholders; unknown placeholders are left visible so tests catch them. */
export function interpolate(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (m, k: string) => (k in data ? String(data[k]) : m));
}
