/**
 * Effective configuration: rule levels and options (eslint style), shared settings. The config
 * file (issue 7) and `--rule id=level` flags both end up here; options are validated with ajv
 * against each rule's `meta.schema`.
 */
import { createRequire } from 'node:module';
import type { Level, RuleModule, Settings } from './rule.js';
import { DEFAULT_AUDIENCES } from '../model/claims.js';

/** ajv costs tens of milliseconds to load: it is required only when there are user options to validate. */
type Validator = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
type AjvLike = { compile(schema: object): Validator };
function loadAjv(): new (options: object) => AjvLike {
  const mod = createRequire(import.meta.url)('ajv') as { default?: new (options: object) => AjvLike };
  return mod.default ?? (mod as unknown as new (options: object) => AjvLike);
}

export type RuleSetting = Level | [Level, ...unknown[]];

export interface LintConfig {
  rules: Record<string, RuleSetting>;
  settings: Partial<Settings>;
}

export interface ResolvedRule {
  rule: RuleModule;
  level: 'error' | 'warn';
  options: unknown[];
}

export class ConfigError extends Error {}

const LEVELS = new Set(['error', 'warn', 'off']);

/** Parses `id=level` from `--rule`. */
export function parseRuleFlag(flag: string): [string, Level] {
  const m = /^\s*([a-z0-9-]+)\s*[=:]\s*(error|warn|warning|off)\s*$/i.exec(flag);
  if (!m) throw new ConfigError(`--rule expects id=off|warn|error, got '${flag}'`);
  const level = m[2].toLowerCase() === 'warning' ? 'warn' : (m[2].toLowerCase() as Level);
  return [m[1], level];
}

export function defaultSettings(partial: Partial<Settings> = {}): Settings {
  return { ...partial, expectedAudiences: partial.expectedAudiences ?? [...DEFAULT_AUDIENCES] };
}

let ajv: AjvLike | undefined;
const validators = new WeakMap<RuleModule, Validator>();

function validatorFor(rule: RuleModule): Validator {
  let v = validators.get(rule);
  if (!v) {
    ajv ??= new (loadAjv())({ allErrors: true, useDefaults: false, strict: false });
    const schema = rule.meta.schema.length
      ? { type: 'array', items: rule.meta.schema, minItems: 0, maxItems: rule.meta.schema.length }
      : { type: 'array', maxItems: 0 };
    v = ajv.compile(schema);
    validators.set(rule, v);
  }
  return v;
}

/** Resolves every known rule's level and options. Unknown rule ids and bad options are ConfigErrors. */
export function resolveRules(rules: readonly RuleModule[], config: LintConfig): ResolvedRule[] {
  const byId = new Map(rules.map((r) => [r.id, r]));
  for (const id of Object.keys(config.rules)) {
    if (!byId.has(id)) throw new ConfigError(`unknown rule '${id}'${suggest(id, [...byId.keys()])}`);
  }
  const out: ResolvedRule[] = [];
  for (const rule of rules) {
    const setting = config.rules[rule.id];
    let level: Level = rule.meta.docs.recommended ? rule.meta.defaultLevel : 'off';
    let userOptions: unknown[] = [];
    if (setting !== undefined) {
      const [lvl, ...opts] = Array.isArray(setting) ? setting : [setting];
      if (typeof lvl !== 'string' || !LEVELS.has(lvl)) throw new ConfigError(`rule '${rule.id}': level must be "off", "warn" or "error", got ${JSON.stringify(lvl)}`);
      level = lvl as Level;
      userOptions = opts;
    }
    if (level === 'off') continue;
    const options = mergeOptions(rule.meta.defaultOptions ?? [], userOptions);
    // Defaults are the rule's own and covered by its tests; only user-supplied options are validated.
    const validate = userOptions.length ? validatorFor(rule) : undefined;
    if (validate && !validate(options)) {
      const err = validate.errors?.[0] ?? { instancePath: '', message: 'invalid' };
      throw new ConfigError(`rule '${rule.id}': invalid options at ${err.instancePath || '/'}: ${err.message}`);
    }
    out.push({ rule, level, options });
  }
  return out;
}

function mergeOptions(defaults: unknown[], user: unknown[]): unknown[] {
  const n = Math.max(defaults.length, user.length);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const d = defaults[i];
    const u = user[i];
    if (u === undefined) out.push(d);
    else if (isPlainObject(d) && isPlainObject(u)) out.push({ ...d, ...u });
    else out.push(u);
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function suggest(id: string, known: string[]): string {
  const close = known.find((k) => k.includes(id) || id.includes(k));
  return close ? ` (did you mean '${close}'?)` : '';
}
