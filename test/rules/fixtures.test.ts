/**
 * Golden fixtures: every rule has invalid-* fixtures whose real CLI output matches the .out file
 * next to them, and valid-* fixtures that produce nothing. UPDATE_GOLDEN=1 rewrites the .out files.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { rules } from '../../src/rules/index.js';
import { goldenOf, listRuleFixtures, runRuleFixture } from '../../scripts/fixtures.js';

for (const rule of rules) {
  describe(`fixtures of ${rule.id}`, () => {
    const { invalid, valid } = listRuleFixtures(rule.id);
    it('has at least one invalid and one valid fixture', () => {
      expect(invalid.length).toBeGreaterThan(0);
      expect(valid.length).toBeGreaterThan(0);
    });
    for (const file of invalid) {
      it(`flags ${path.basename(file)} as in its .out file`, async () => {
        const { output, exitCode } = await runRuleFixture(rule.id, file);
        const golden = goldenOf(file);
        if (process.env.UPDATE_GOLDEN) writeFileSync(golden, output);
        expect(existsSync(golden), `missing ${golden}; run with UPDATE_GOLDEN=1`).toBe(true);
        expect(output).toBe(readFileSync(golden, 'utf8'));
        expect(output).toContain(rule.id);
        // A finding on a possible value taken only under some input, or capped by its rule (maxLevel), is at most a warning.
        expect(exitCode).toBe(/:\d+:\d+ +error +/.test(output) ? 1 : 0);
        if (!exitCode) expect(output).toMatch(/:\d+:\d+ +warn +/);
      });
    }
    for (const file of valid) {
      it(`accepts ${path.basename(file)}`, async () => {
        const { output, exitCode } = await runRuleFixture(rule.id, file);
        expect(output).toMatch(/^✓ no problems/);
        expect(exitCode).toBe(0);
      });
    }
  });
}
