/**
 * The config file: discovery, parsing (YAML or JSON, with positions), validation against the JSON
 * Schema shipped in `schemas/oidc-lint.config.schema.json` (ajv), rule options against each rule's
 * `meta.schema`, and normalisation into a LintConfig plus ignore globs.
 *
 * Discovery (as zizmor does it): from the directory holding the scanned paths, each directory up to
 * the git root (the first directory with a `.git` entry) — outside git, never above the scanned root
 * or the user's home folder, so that a config planted in a shared parent (`/tmp`) cannot silence a
 * scan — is tried
 * for `oidc-lint.config.yaml`, `oidc-lint.config.yml`, `oidc-lint.config.json`,
 * `.github/oidc-lint.yaml` and `.github/oidc-lint.yml`; the nearest directory wins, and two files in
 * the same directory are an error (nobody should have to guess which one applies).
 *
 * Relative patterns (`ignore`, `suppressions[].file`) are relative to the directory the config
 * applies to: the one holding it, or the repository root for `.github/oidc-lint.yaml`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv';
import { compileSchema, type Validator } from './schema-validators.js';
import type { RepositoryIdentity, RuleModule, Settings } from './rule.js';
import { ConfigError, resolveRules, suggest, type LintConfig, type RuleSetting } from './config.js';
import type { ExternalSuppression } from './suppressions.js';
import { parseYaml } from '../loaders/shared/yaml-doc.js';
import { JsonSyntaxError, parseJson } from '../loaders/shared/json-ast.js';
import { isMap, isSeq, toPlain, type DocNode } from '../loaders/shared/doc.js';
import type { Position } from '../model/location.js';
import { FileAccessError, MAX_CONFIG_BYTES, readTextFile } from '../files.js';
import type { TokenRequester } from '../model/token-requesters.js';


export const CONFIG_FILE_NAMES = ['oidc-lint.config.yaml', 'oidc-lint.config.yml', 'oidc-lint.config.json', '.github/oidc-lint.yaml', '.github/oidc-lint.yml'];

/** One thing wrong with a config file, with where it is. */
export interface ConfigProblem {
  /** Absolute path of the config file. */
  file: string;
  start?: Position;
  /** Where in the document, e.g. `rules.no-wildcard-subject[1].audiences` (empty for the file itself). */
  path: string;
  message: string;
}

export class ConfigFileError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map((p) => `${p.file}${p.start ? `:${p.start.line}:${p.start.column}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'));
  }
}

export interface LoadedConfig {
  /** Absolute path of the config file. */
  file: string;
  /** Directory its relative patterns are relative to. */
  base: string;
  config: LintConfig;
  /** Paths not to scan (gitignore syntax, relative to `base`). */
  ignore: string[];
}

/**
 * The config file that applies to `startDir`, or undefined. The search stops at the git root; outside
 * a git work tree, at any of `stopAt` (the scanned root, the home folder: they are searched, their
 * parents are not).
 */
export function findConfigFile(startDir: string, options: { stopAt?: string[] } = {}): string | undefined {
  let dir = path.resolve(startDir);
  // Inside a git work tree its root bounds the search; outside one, the scanned root and the home folder do.
  let inGit = false;
  for (let d = dir; !inGit; d = path.dirname(d)) {
    inGit = existsSync(path.join(d, '.git'));
    if (path.dirname(d) === d) break;
  }
  const stops = new Set(inGit ? [] : (options.stopAt ?? []).map((d) => path.resolve(d)));
  for (;;) {
    const found = CONFIG_FILE_NAMES.map((n) => path.join(dir, n)).filter((f) => existsSync(f));
    if (found.length > 1) {
      throw new ConfigFileError([{ file: found[0], path: '', message: `several config files in one directory (${found.map((f) => path.relative(dir, f)).join(', ')}); keep one` }]);
    }
    if (found.length === 1) return found[0];
    if (existsSync(path.join(dir, '.git')) || stops.has(dir)) return undefined;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The directory a config file's relative patterns are relative to. */
export function configBase(file: string): string {
  const dir = path.dirname(path.resolve(file));
  return path.basename(dir) === '.github' ? path.dirname(dir) : dir;
}

/** Reads, validates and normalises a config file. Throws ConfigFileError listing every problem. */
export function loadConfigFile(file: string, rules: readonly RuleModule[], options: { region?: string } = {}): LoadedConfig {
  const abs = path.resolve(file);
  let text: string;
  try {
    // A regular file of bounded size, not reached through a symlink out of the repository (files.ts).
    text = readTextFile(abs, { maxBytes: MAX_CONFIG_BYTES, region: options.region });
  } catch (e) {
    if (!(e instanceof FileAccessError)) throw e;
    throw new ConfigFileError([{ file: abs, path: '', message: `cannot read config file: ${e.message}` }]);
  }
  const root = parseConfigText(text, abs);
  const data = root ? toPlain(root) : {};
  const problems = [...validate(data, root, abs), ...validateRuleOptions(data, root, abs, rules), ...validatePatterns(data, root, abs)];
  if (problems.length) throw new ConfigFileError(problems.sort(byPosition));
  return normalise(data as ConfigDocument, root, abs);
}

// ---------------------------------------------------------------------------------------------

/** The file as the schema describes it. */
interface ConfigDocument {
  rules?: Record<string, RuleSetting>;
  ignore?: string[];
  audiences?: string[];
  repository?: Omit<RepositoryIdentity, 'ownerId' | 'repoId'> & { ownerId?: number | string; repoId?: number | string };
  roles?: Record<string, string>;
  tokenRequests?: (Omit<TokenRequester, 'label' | 'need'> & Partial<Pick<TokenRequester, 'label' | 'need'>>)[];
  suppressions?: { rule: string | string[]; file?: string | string[]; role?: string | string[]; path?: string; reason: string }[];
}

function parseConfigText(text: string, file: string): DocNode | undefined {
  // An empty file is an empty config (`oidc-lint --print-config > oidc-lint.config.json` creates
  // the file before oidc-lint looks for one).
  if (!text.trim()) return undefined;
  if (/\.json$/i.test(file)) {
    try {
      return parseJson(text, file).root;
    } catch (e) {
      if (e instanceof JsonSyntaxError) throw new ConfigFileError([{ file, start: { line: e.line, column: e.column }, path: '', message: `cannot parse: ${e.message}` }]);
      throw e;
    }
  }
  const r = parseYaml(text, file);
  if (r.errors.length) throw new ConfigFileError(r.errors.map((e) => ({ file, start: e.loc.start, path: '', message: `cannot parse: ${e.message}` })));
  if (r.documents > 1) throw new ConfigFileError([{ file, path: '', message: 'cannot parse: more than one YAML document' }]);
  return r.root;
}

let schemaValidator: Validator | undefined;

/** The shipped schema, from src/ (tests), dist/src/ (installed) or dist/ (the bundled CLI). */
export function configSchemaPath(): string {
  for (const rel of ['../../schemas/oidc-lint.config.schema.json', '../../../schemas/oidc-lint.config.schema.json', '../schemas/oidc-lint.config.schema.json']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error('oidc-lint: schemas/oidc-lint.config.schema.json is missing from the installation');
}

function validate(data: unknown, root: DocNode | undefined, file: string): ConfigProblem[] {
  if (!schemaValidator) {
    // Loaded on first use (only when a config file exists); precompiled at build time (schema-validators.ts).
    schemaValidator = compileSchema('config', JSON.parse(readFileSync(configSchemaPath(), 'utf8')));
  }
  if (schemaValidator(data)) return [];
  return explain(schemaValidator.errors ?? []).map((e) => problemAt(root, file, e.segments, e.atKey, e.message));
}

interface Explained {
  segments: (string | number)[];
  atKey: boolean;
  message: string;
}

/** Turns ajv errors into one message per place, naming the key and what it must be. */
function explain(errors: ErrorObject[]): Explained[] {
  // A failed anyOf says it best with its description; its branches' errors are noise.
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  const kept = errors.filter((e) => e.keyword === 'anyOf' || !anyOfs.some((a) => e.schemaPath.startsWith(a.schemaPath + '/') && (e.instancePath + '/').startsWith(a.instancePath + '/')));
  const out: Explained[] = [];
  const seen = new Set<string>();
  for (const e of kept) {
    let segments = pointerSegments(e.instancePath);
    let atKey = false;
    let message: string;
    const described = (e.parentSchema as { description?: string } | undefined)?.description;
    const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
    if (e.keyword === 'propertyNames') continue; // the inner error (with propertyName) says it
    if (propertyName !== undefined) {
      segments = [...segments, propertyName];
      atKey = true;
      message = `'${propertyName}' is not a valid key here: it must be ${described ?? 'a valid name'}`;
    } else if (e.keyword === 'additionalProperties') {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys(((e.parentSchema as { properties?: object }).properties ?? {}) as object).filter((k) => k !== '$schema');
      segments = [...segments, key];
      atKey = true;
      message = `unknown key '${key}' (expected ${allowed.map((k) => `'${k}'`).join(', ')})`;
    } else if (e.keyword === 'required') {
      message = `missing required key '${(e.params as { missingProperty: string }).missingProperty}'`;
    } else if (e.keyword === 'anyOf' || e.keyword === 'pattern') {
      message = described ? `must be ${described}` : (e.message ?? 'invalid');
    } else if (e.keyword === 'type') {
      const t = String((e.params as { type: string }).type);
      message = `must be ${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`;
    } else if (e.keyword === 'enum') {
      message = `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    } else message = e.message ?? 'invalid';
    const key = `${segments.join('\u0000')}\u0001${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ segments, atKey, message });
  }
  return out;
}

function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  return (a.start?.line ?? 0) - (b.start?.line ?? 0) || (a.start?.column ?? 0) - (b.start?.column ?? 0);
}

const LEVELS = new Set(['off', 'warn', 'error']);

/** Rule ids and options, for the settings whose shape the schema accepts (the schema reports the others). */
function validateRuleOptions(raw: unknown, root: DocNode | undefined, file: string, rules: readonly RuleModule[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!isObject(raw)) return problems;
  const data = raw as ConfigDocument;
  for (const [id, setting] of Object.entries(isObject(data.rules) ? data.rules : {})) {
    const level = Array.isArray(setting) ? setting[0] : setting;
    if (typeof level !== 'string' || !LEVELS.has(level)) continue;
    try {
      resolveRules(rules, { rules: { [id]: setting }, settings: {} });
    } catch (e) {
      if (!(e instanceof ConfigError) || !e.problem) throw e;
      const p = e.problem;
      if (p.kind === 'unknown') problems.push(problemAt(root, file, ['rules', id], true, p.reason));
      else if (p.kind === 'level') problems.push(problemAt(root, file, Array.isArray(setting) ? ['rules', id, 0] : ['rules', id], false, p.reason));
      else {
        // Options are positions 1… of the setting array; the rule's schema numbers them from 0.
        const [first, ...rest] = pointerSegments(p.instancePath ?? '');
        const segments: (string | number)[] = first === undefined ? ['rules', id] : ['rules', id, Number(first) + 1, ...rest];
        problems.push(problemAt(root, file, segments, false, p.reason));
      }
    }
  }
  const known = new Set(rules.map((r) => r.id));
  (Array.isArray(data.suppressions) ? data.suppressions : []).forEach((s, i) => {
    if (!isObject(s) || !(typeof s.rule === 'string' || Array.isArray(s.rule))) return;
    list(s.rule).forEach((id, j) => {
      if (typeof id === 'string' && id && !known.has(id)) problems.push(problemAt(root, file, Array.isArray(s.rule) ? ['suppressions', i, 'rule', j] : ['suppressions', i, 'rule'], false, `unknown rule '${id}'${suggest(id, [...known])}`));
    });
  });
  return problems;
}

/** The regular expressions of `tokenRequests` (`run`, `when.*.matches`) must compile. */
function validatePatterns(raw: unknown, root: DocNode | undefined, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const list = isObject(raw) && Array.isArray(raw.tokenRequests) ? (raw.tokenRequests as unknown[]) : [];
  const check = (pattern: unknown, segments: (string | number)[]) => {
    if (typeof pattern !== 'string') return;
    try {
      new RegExp(pattern);
    } catch (e) {
      problems.push(problemAt(root, file, segments, false, `not a valid regular expression: ${(e as Error).message}`));
    }
  };
  list.forEach((entry, i) => {
    if (!isObject(entry)) return;
    check(entry.run, ['tokenRequests', i, 'run']);
    for (const key of ['when', 'env'] as const) {
      const tests = entry[key];
      if (isObject(tests)) for (const [k, t] of Object.entries(tests)) if (isObject(t)) check(t.matches, ['tokenRequests', i, key, k, 'matches']);
    }
  });
  return problems;
}

function pointerSegments(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** `rules.no-x[1].audiences`, `roles["vars.DEPLOY_ROLE"]` — keys that are not plain names are quoted. */
export function formatPath(segments: (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

function problemAt(root: DocNode | undefined, file: string, segments: (string | number)[], atKey: boolean, message: string): ConfigProblem {
  return { file, start: locate(root, segments, atKey), path: formatPath(segments), message };
}

/** Position of the node at `segments` (of its key when `atKey`), or of the deepest ancestor found. */
function locate(root: DocNode | undefined, segments: (string | number)[], atKey: boolean): Position | undefined {
  let node = root;
  let pos = root?.loc.start;
  for (let i = 0; i < segments.length && node; i++) {
    const s = segments[i];
    if (isMap(node)) {
      const entry = node.entries.find((e) => String(e.key.value) === String(s));
      if (!entry) break;
      pos = atKey && i === segments.length - 1 ? entry.key.loc.start : entry.value.loc.start;
      node = entry.value;
    } else if (isSeq(node) && typeof s === 'number') {
      node = node.items[s];
      if (node) pos = node.loc.start;
    } else break;
  }
  return pos;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function normalise(data: ConfigDocument, root: DocNode | undefined, file: string): LoadedConfig {
  const base = configBase(file);
  const settings: Partial<Settings> = {};
  if (data.audiences) settings.expectedAudiences = [...data.audiences];
  if (data.repository) {
    const { ownerId, repoId, ...rest } = data.repository;
    const repository: RepositoryIdentity = { ...rest };
    if (ownerId !== undefined) repository.ownerId = String(ownerId);
    if (repoId !== undefined) repository.repoId = String(repoId);
    settings.repository = repository;
  }
  if (data.roles) {
    const roles: Record<string, string> = {};
    for (const [k, arn] of Object.entries(data.roles)) {
      const dot = k.indexOf('.');
      roles[`${k.slice(0, dot)}.${k.slice(dot + 1).toUpperCase()}`] = arn;
    }
    settings.roles = roles;
  }
  if (data.tokenRequests?.length)
    settings.tokenRequests = data.tokenRequests.map((t) => ({ ...t, label: t.label ?? t.uses ?? (t.run !== undefined ? `\`${t.run}\`` : Object.keys(t.env ?? {}).join(', ')), need: t.need ?? 'required' }));
  const suppressions: ExternalSuppression[] = (data.suppressions ?? []).map((s, i) => {
    const at = nodeAt(root, ['suppressions', i, 'rule']);
    const entry: ExternalSuppression = { rules: list(s.rule), files: list(s.file), roles: list(s.role), reason: s.reason.trim(), base };
    if (s.path !== undefined) entry.path = s.path;
    if (at) entry.origin = { file, start: at.loc.start, end: at.loc.end, path: `suppressions[${i}].rule` };
    return entry;
  });
  const config: LintConfig = { rules: { ...(data.rules ?? {}) }, settings };
  if (suppressions.length) config.suppressions = suppressions;
  return { file, base, config, ignore: [...(data.ignore ?? [])] };
}

function nodeAt(root: DocNode | undefined, segments: (string | number)[]): DocNode | undefined {
  let node = root;
  for (const s of segments) {
    if (isMap(node)) node = node.entries.find((e) => String(e.key.value) === String(s))?.value;
    else if (isSeq(node) && typeof s === 'number') node = node.items[s];
    else return undefined;
  }
  return node;
}
