/**
 * Effective configuration: rule levels and options (eslint style), shared settings. The config
 * file (issue 7) and `--rule id=level` flags both end up here; options are validated with ajv
 * against each rule's `meta.schema`.
 */
import AjvImport from 'ajv';
import type { Level, RuleModule, Settings } from './rule.js';
import { DEFAULT_AUDIENCES } from '../model/claims.js';

// ajv is CommonJS with `exports.default`; under NodeNext the class is on `.default` for types only.
const Ajv = ((AjvImport as unknown as { default?: unknown }).default ?? AjvImport) as unknown as typeof AjvImport.default;

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

let ajv: InstanceType<typeof Ajv> | undefined;
const validators = new WeakMap<RuleModule, (data: unknown) => boolean>();

function validatorFor(rule: RuleModule) {
  let v = validators.get(rule);
  if (!v) {
    ajv ??= new Ajv({ allErrors: true, useDefaults: false, strict: false });
    const schema = rule.meta.schema.length
      ? { type: 'array', items: rule.meta.schema, minItems: 0, maxItems: rule.meta.schema.length }
      : { type: 'array', maxItems: 0 };
    v = ajv.compile(schema);
    validators.set(rule, v);
  }
  return v as ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
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
    const validate = validatorFor(rule);
    if (!validate(options)) {
      const err = (validate as unknown as { errors: { instancePath: string; message?: string }[] }).errors[0];
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
