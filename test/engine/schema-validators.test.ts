/**
 * The validators the build compiles ahead of time (scripts/validators.mjs → dist/validators.cjs)
 * against ajv compiling the same schema with the same options at run time: same verdict, same
 * errors, on configs from the repository, hand-made bad ones and generated values.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import AjvImport from 'ajv';
import { AJV_OPTIONS, compileSchema, hasPrecompiled, ruleOptionsSchema, type ValidatorKind } from '../../src/engine/schema-validators.js';
import { configSchemaPath } from '../../src/engine/config-file.js';
import { parseYaml } from '../../src/loaders/shared/yaml-doc.js';
import { toPlain } from '../../src/loaders/shared/doc.js';
import { rules } from '../../src/rules/index.js';
import { REPO_ROOT } from '../../scripts/fixtures.js';

const Ajv = ((AjvImport as unknown as { default?: unknown }).default ?? AjvImport) as unknown as typeof AjvImport.default;
const configSchema = JSON.parse(readFileSync(configSchemaPath(), 'utf8'));

const compiled = new Map<string, ReturnType<InstanceType<typeof Ajv>['compile']>>();
/** ajv compiling here, as the CLI does without a precompiled validator. */
function fresh(kind: ValidatorKind, schema: object) {
  const key = `${kind}:${JSON.stringify(schema)}`;
  let v = compiled.get(key);
  if (!v) compiled.set(key, (v = new Ajv(AJV_OPTIONS[kind]).compile(schema)));
  return v;
}

function agree(kind: ValidatorKind, schema: object, data: unknown) {
  const pre = compileSchema(kind, schema);
  const now = fresh(kind, schema);
  const verdict = now(data);
  expect(pre(data)).toBe(verdict);
  expect(pre.errors ?? null).toEqual(now.errors ?? null);
  return verdict;
}

function configFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === '.git' || name === 'dist') continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) configFiles(p, out);
    else if (/^oidc-lint\.config\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

describe('precompiled JSON Schema validators', () => {
  it('exist for the config schema and for every registered rule’s options schema (the build is current)', () => {
    expect(hasPrecompiled('config', configSchema)).toBe(true);
    for (const rule of rules) expect(hasPrecompiled('ruleOptions', ruleOptionsSchema(rule)), rule.id).toBe(true);
  });

  it('give ajv’s verdict and errors on every config file in the repository and on hand-made bad ones', () => {
    const files = configFiles(REPO_ROOT);
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(agree('config', configSchema, toPlain(parseYaml(readFileSync(f, 'utf8'), f).root!)), f).toBe(true);
    const bad: unknown[] = [
      [],
      'rules',
      { rules: { 'require-subject-condition': 'loud' } },
      { rules: { 'require-subject-condition': ['warn', { x: 1 }] }, unknown: true },
      { ignore: 'dist/**' },
      { ignore: [1, 2] },
      { audiences: [] },
      { repository: { owner: 'o' } },
      { repository: { owner: 'o', repo: 'r', ownerId: -1, defaultBranch: 7 } },
      { roles: { 'vars.ROLE': 12 } },
      { suppressions: [{ rule: 'x' }] },
      { suppressions: [{ rule: ['a', 3], file: 'x', reason: '' }] },
      { $schema: 3, rules: null },
    ];
    for (const b of bad) expect(agree('config', configSchema, b), JSON.stringify(b)).toBe(false);
  });

  it('give ajv’s verdict and errors on generated configs', () => {
    const keys = Object.keys(configSchema.properties);
    const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.constantFrom('owner', 'repo', 'rule', 'file', 'reason', 'x'), fc.jsonValue({ maxDepth: 2 })));
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string()), fc.oneof(value, fc.array(value, { maxLength: 3 }))), (doc) => {
        agree('config', configSchema, doc);
      }),
      { numRuns: 300 },
    );
  });

  it('give ajv’s verdict and errors on each rule’s default and generated options', () => {
    for (const rule of rules) {
      const schema = ruleOptionsSchema(rule);
      expect(agree('ruleOptions', schema, rule.meta.defaultOptions ?? []), rule.id).toBe(true);
      fc.assert(
        fc.property(fc.array(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }))), { maxLength: 3 }), (options) => {
          agree('ruleOptions', schema, options);
        }),
        { numRuns: 40 },
      );
    }
  });

  it('a schema the build did not see is compiled with ajv at run time', () => {
    const schema = { type: 'array', items: [{ type: 'string', minLength: 2 }], maxItems: 1 };
    expect(hasPrecompiled('ruleOptions', schema)).toBe(false);
    const v = compileSchema('ruleOptions', schema);
    expect(v(['ab'])).toBe(true);
    expect(v(['a'])).toBe(false);
    expect(v.errors?.[0]).toMatchObject({ instancePath: '/0', keyword: 'minLength' });
  });
});
