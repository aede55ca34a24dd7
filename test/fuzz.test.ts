/**
 * Property tests: arbitrary and mutated inputs to every loader and to the whole pipeline. No
 * exception escapes, and the SARIF produced is always valid.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readPolicyTemplate } from '../src/loaders/aws/policy-template.js';
import { loadWorkflow } from '../src/loaders/workflows/workflow.js';
import { parseJsonFile, trustPolicyRoleFromJson } from '../src/loaders/aws/policy-json.js';
import { lintProject } from '../src/engine/linter.js';
import { rules } from '../src/rules/index.js';
import { buildSarif } from '../src/reporters/sarif.js';
import { loadProject } from '../src/loaders/index.js';
import { writeTree } from './helpers/project.js';
import { githubProblems, sarifValidator, schemaAvailable } from './helpers/sarif-schema.js';
import { REPO_ROOT } from '../scripts/fixtures.js';

/** Every fixture text in the repository: the seeds that mutations start from. */
function seeds(ext: RegExp): string[] {
  const out: string[] = [];
  const dir = path.join(REPO_ROOT, 'fixtures', 'rules');
  for (const rule of readdirSync(dir)) for (const f of readdirSync(path.join(dir, rule))) if (ext.test(f)) out.push(readFileSync(path.join(dir, rule, f), 'utf8'));
  return out;
}

/** Mutations that keep a text mostly valid: delete, duplicate or replace a slice, insert a special. */
function mutated(base: string[]) {
  const specials = fc.constantFrom('{', '}', '[', ']', ':', ',', '"', "'", '\n', '  ', '- ', '*', '&a ', '*a', '!Ref ', '${{', '%', '\u0000', '\ufeff', '#', '|', '>', '? ', '\t');
  return fc
    .tuple(fc.constantFrom(...base), fc.nat(), fc.nat(), fc.oneof(specials, fc.string({ maxLength: 8 })), fc.constantFrom('delete', 'insert', 'replace', 'duplicate'))
    .map(([text, a, b, ins, op]) => {
      const i = text.length ? a % text.length : 0;
      const j = Math.min(text.length, i + (b % 40));
      if (op === 'delete') return text.slice(0, i) + text.slice(j);
      if (op === 'insert') return text.slice(0, i) + ins + text.slice(i);
      if (op === 'duplicate') return text.slice(0, j) + text.slice(i, j) + text.slice(j);
      return text.slice(0, i) + ins + text.slice(j);
    });
}

describe('fuzzing the loaders', () => {
  const yamlSeeds = seeds(/\.ya?ml$/);
  const jsonSeeds = seeds(/\.json$/);
  it('the workflow loader never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), mutated(yamlSeeds)), (text) => {
        const r = loadWorkflow(text, 'w.yml');
        expect(r.workflow !== undefined || r.errors.length > 0).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
  it('the JSON policy loader never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), mutated(jsonSeeds), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => {
        const { root, errors } = parseJsonFile(text, 'p.json');
        if (root) trustPolicyRoleFromJson(root, 'p.json', errors);
      }),
      { numRuns: 1500 },
    );
  });
  it('the policy template reader never throws', () => {
    const pieces = fc.constantFrom('${', '%{', '}', '"', '$${', '${x}', '%{ for r in l ~}', '%{ endfor }', ',', '[', ']', '{', ':', '\\', '\n', 'repo:', '"Statement"');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), mutated(jsonSeeds), fc.array(pieces, { maxLength: 60 }).map((a) => a.join(''))), (text) => {
        const r = readPolicyTemplate(text, 'p.json.tpl');
        if ('root' in r) trustPolicyRoleFromJson(r.root, 'p.json.tpl', []);
        else expect(r.error.line).toBeGreaterThan(0);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('fuzzing the whole pipeline', () => {
  it('lints mutated repositories without crashing and always emits valid SARIF', async () => {
    const validate = schemaAvailable ? sarifValidator() : undefined;
    await fc.assert(
      fc.asyncProperty(mutated(seeds(/\.ya?ml$/)), mutated(seeds(/\.json$/)), async (wf, policy) => {
        const dir = writeTree({ '.github/workflows/w.yml': wf, 'iam/p.json': policy.includes('Statement') ? policy : policy + '\n{"Statement": []}' });
        const project = await loadProject([dir], { root: dir });
        const { findings, crashes } = lintProject(project, rules, { rules: {}, settings: {} });
        expect(crashes).toEqual([]);
        const log = buildSarif(findings, project, rules, { color: false, cwd: dir, repoRoot: dir });
        if (validate) expect(validate(log)).toBe(true);
        expect(githubProblems(log)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
