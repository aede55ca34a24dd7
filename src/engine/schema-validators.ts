/**
 * JSON Schema validators for the config file (schemas/oidc-lint.config.schema.json) and for each
 * rule's options (`meta.schema`). The build compiles them ahead of time with ajv's standalone code
 * (scripts/validators.mjs → dist/validators.cjs): requiring ajv and compiling at run time took
 * ~120 ms of every run that has a config file. A precompiled validator is used only for exactly the
 * schema it was compiled from (matched on the schema's JSON text), so a schema without one — a rule
 * a test adds, a schema edited since the last build, an install without the file — is compiled with
 * ajv here, with the same options, as before.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv';
import type { JsonSchema, RuleModule } from './rule.js';

export type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** Which validator set: the config file's schema or a rule's options. */
export type ValidatorKind = 'config' | 'ruleOptions';

/** ajv's options for each kind: the build compiles with these too. */
export const AJV_OPTIONS: Record<ValidatorKind, Record<string, unknown>> = {
  config: { allErrors: true, verbose: true, strict: true, strictTuples: false, strictRequired: false },
  ruleOptions: { allErrors: true, useDefaults: false, strict: false },
};

/** The schema a rule's options (the setting after its level) are checked against. */
export function ruleOptionsSchema(rule: RuleModule): JsonSchema {
  return rule.meta.schema.length ? { type: 'array', items: rule.meta.schema, minItems: 0, maxItems: rule.meta.schema.length } : { type: 'array', maxItems: 0 };
}

type Precompiled = Record<ValidatorKind, Record<string, Validator>>;
let precompiled: Precompiled | null | undefined;

/** dist/validators.cjs, from the bundled CLI (dist/), dist/src/engine/ or src/engine/ (tests); null without one. */
function loadPrecompiled(): Precompiled | null {
  for (const rel of ['./validators.cjs', '../../validators.cjs', '../../dist/validators.cjs']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return createRequire(import.meta.url)(fileURLToPath(url)) as Precompiled;
  }
  return null;
}

const ajvs: Partial<Record<ValidatorKind, { compile(schema: object): Validator }>> = {};

function precompiledFor(kind: ValidatorKind, schema: object): Validator | undefined {
  if (precompiled === undefined) precompiled = loadPrecompiled();
  return precompiled?.[kind]?.[JSON.stringify(schema)];
}

/** The validator for `schema`: precompiled when the build made one for this very schema, else compiled with ajv now. */
export function compileSchema(kind: ValidatorKind, schema: object): Validator {
  const ready = precompiledFor(kind, schema);
  if (ready) return ready;
  if (!ajvs[kind]) {
    const mod = createRequire(import.meta.url)('ajv') as { default?: unknown };
    const Ajv = (mod.default ?? mod) as new (options: object) => { compile(schema: object): Validator };
    ajvs[kind] = new Ajv(AJV_OPTIONS[kind]);
  }
  return ajvs[kind].compile(schema);
}

/** Test hook: whether `schema` has a precompiled validator of `kind` (loaded as compileSchema would). */
export function hasPrecompiled(kind: ValidatorKind, schema: object): boolean {
  return precompiledFor(kind, schema) !== undefined;
}
