/**
 * Effective configuration: rule levels and options (eslint style), shared settings. The config
 * file (issue 7) and `--rule id=level` flags both end up here; options are validated with ajv
 * against each rule's `meta.schema`.
 */
import type { Level, RuleModule, Settings } from './rule.js';
import type { ExternalSuppression } from './suppressions.js';
import { DEFAULT_AUDIENCES } from '../model/claims.js';

import { compileSchema, ruleOptionsSchema, type Validator } from './schema-validators.js';

export type RuleSetting = Level | [Level, ...unknown[]];

export interface LintConfig {
  rules: Record<string, RuleSetting>;
  settings: Partial<Settings>;
  /** Config-file suppressions (files without comments, live roles). Inline comments need no config. */
  suppressions?: ExternalSuppression[];
}

export interface ResolvedRule {
  rule: RuleModule;
  level: 'error' | 'warn';
  options: unknown[];
}

/** Which rule setting a ConfigError is about, so the config-file loader can point at it. */
export interface RuleSettingProblem {
  ruleId: string;
  /** `unknown` rule id, bad `level`, or bad `options` (then `instancePath` is a JSON pointer into the options array, `/0` = first option). */
  kind: 'unknown' | 'level' | 'options';
  instancePath?: string;
  /** The bare complaint, without the rule id (e.g. `must be array`). */
  reason: string;
}

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly problem?: RuleSettingProblem,
  ) {
    super(message);
  }
}

const LEVELS = new Set(['error', 'warn', 'off']);

/** Parses `id=level` from `--rule`. */
export function parseRuleFlag(flag: string): [string, Level] {
  const m = /^\s*([a-z0-9-]+)\s*[=:]\s*(error|warn|warning|off)\s*$/i.exec(flag);
  if (!m) throw new ConfigError(`--rule expects id=off|warn|error, got '${flag}'`);
  const level = m[2].toLowerCase() === 'warning' ? 'warn' : (m[2].toLowerCase() as Level);
  return [m[1], level];
}

export function defaultSettings(partial: Partial<Settings> = {}): Settings {
  return { ...partial, expectedAudiences: partial.expectedAudiences ?? [...DEFAULT_AUDIENCES], roles: partial.roles ?? {} };
}

const validators = new WeakMap<RuleModule, Validator>();

/** Only user-supplied options are validated, so a run without them never loads a validator. */
function validatorFor(rule: RuleModule): Validator {
  let v = validators.get(rule);
  if (!v) {
    v = compileSchema('ruleOptions', ruleOptionsSchema(rule));
    validators.set(rule, v);
  }
  return v;
}

/** Resolves every known rule's level and options. Unknown rule ids and bad options are ConfigErrors. */
export function resolveRules(rules: readonly RuleModule[], config: LintConfig): ResolvedRule[] {
  const byId = new Map(rules.map((r) => [r.id, r]));
  for (const id of Object.keys(config.rules)) {
    if (!byId.has(id)) {
      const reason = `unknown rule '${id}'${suggest(id, [...byId.keys()])}`;
      throw new ConfigError(reason, { ruleId: id, kind: 'unknown', reason });
    }
  }
  const out: ResolvedRule[] = [];
  for (const rule of rules) {
    const setting = config.rules[rule.id];
    let level: Level = rule.meta.docs.recommended ? rule.meta.defaultLevel : 'off';
    let userOptions: unknown[] = [];
    if (setting !== undefined) {
      const [lvl, ...opts] = Array.isArray(setting) ? setting : [setting];
      if (typeof lvl !== 'string' || !LEVELS.has(lvl)) {
        const reason = `level must be "off", "warn" or "error", got ${JSON.stringify(lvl)}`;
        throw new ConfigError(`rule '${rule.id}': ${reason}`, { ruleId: rule.id, kind: 'level', reason });
      }
      level = lvl as Level;
      userOptions = opts;
    }
    if (level === 'off') continue;
    const options = mergeOptions(rule.meta.defaultOptions ?? [], userOptions);
    // Defaults are the rule's own and covered by its tests; only user-supplied options are validated.
    const validate = userOptions.length ? validatorFor(rule) : undefined;
    if (validate && !validate(options)) {
      const err = validate.errors?.[0] ?? { instancePath: '', keyword: '', params: {} as Record<string, unknown>, message: 'invalid' };
      const type = err.keyword === 'type' ? String(err.params.type) : undefined;
      const reason = type ? `must be ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}` : (err.message ?? 'invalid');
      throw new ConfigError(`rule '${rule.id}': invalid options at ${err.instancePath || '/'}: ${reason}`, { ruleId: rule.id, kind: 'options', instancePath: err.instancePath, reason });
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

/** ` (did you mean 'x'?)` for a near miss, else ''. */
export function suggest(id: string, known: Iterable<string>): string {
  const best = closest(id, known);
  return best ? ` (did you mean '${best}'?)` : '';
}

/** The known id nearest to `id` (a substring, or at most 3 edits away), if any. */
export function closest(id: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const k of known) {
    const d = k.includes(id) || id.includes(k) ? 1 : editDistance(id, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** Every rule's effective setting (`"off"`, a level, or `[level, ...options]` with defaults merged), for `--print-config`. */
export function effectiveRuleSettings(rules: readonly RuleModule[], config: LintConfig): Record<string, RuleSetting> {
  const on = new Map(resolveRules(rules, config).map((r) => [r.rule.id, r]));
  const out: Record<string, RuleSetting> = {};
  for (const rule of rules) {
    const r = on.get(rule.id);
    out[rule.id] = !r ? 'off' : r.options.some((o) => o !== undefined) ? [r.level, ...r.options] : r.level;
  }
  return out;
}
