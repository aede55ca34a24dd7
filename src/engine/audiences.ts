/**
 * The `audiences` option shared by the rules that check what a role or provider accepts: one schema
 * and one fallback (the rule option, else the config's `audiences`, default sts.amazonaws.com).
 */
import type { JsonSchema, Settings } from './rule.js';

export const AUDIENCES_OPTION_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { audiences: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 } },
  additionalProperties: false,
};

export function expectedAudiences(options: { audiences?: string[] } | undefined, settings: Settings): string[] {
  return options?.audiences ?? settings.expectedAudiences;
}
