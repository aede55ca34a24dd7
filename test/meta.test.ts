/** Conventions every rule follows (architecture.md §4, §7). */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { rules } from '../src/rules/index.js';
import { listRuleFixtures, REPO_ROOT, runRuleFixture } from '../scripts/fixtures.js';

/**
 * Message ids that no committed fixture can produce: an unreadable file, a file over the size limit
 * (test/rules/parse-error.test.ts covers them); a stale config-file suppression, which needs a config
 * file and another rule running (test/engine/suppressions.test.ts covers it); an unpinned action ref,
 * which needs the requireShaPin option (test/rules/no-deprecated-aws-credentials-action.test.ts); a
 * ForAnyValue note, which needs the forAnyValue option (test/rules/severity.test.ts).
 */
const EXERCISED_ELSEWHERE: Record<string, string[]> = {
  'parse-error': ['io', 'limit'],
  'no-unused-suppression': ['unusedEntry'],
  'no-deprecated-aws-credentials-action': ['unpinned'],
  'no-unsafe-condition-operator': ['forAnyValue'],
};

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const RULES_DIR = path.join(REPO_ROOT, 'src', 'rules');
const ruleFiles = readdirSync(RULES_DIR).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.replace(/\.ts$/, ''));

describe('rule registry', () => {
  it('lists exactly the rule files, alphabetically', () => {
    expect(rules.map((r) => r.id)).toEqual([...ruleFiles].sort());
  });
  it('has no duplicate ids', () => {
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  });
});

for (const rule of rules) {
  describe(rule.id, () => {
    const source = readFileSync(path.join(RULES_DIR, `${rule.id}.ts`), 'utf8');
    it('id is kebab-case and starts with no-, require- or prefer- (parse-error is the built-in exception)', () => {
      expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      if (rule.id !== 'parse-error') expect(rule.id).toMatch(/^(no|require|prefer)-/);
    });
    it('is documented', () => {
      const d = rule.meta.docs;
      expect(d.description.length).toBeGreaterThan(20);
      expect(d.description.length).toBeLessThanOrEqual(1024);
      expect(d.rationale.length).toBeGreaterThan(40);
      expect(d.remediation.length).toBeGreaterThan(20);
      expect(d.references.length).toBeGreaterThan(0);
      for (const r of d.references) expect(r).toMatch(/^https:\/\//);
    });
    it('has valid meta enums', () => {
      expect(['problem', 'hardening']).toContain(rule.meta.kind);
      expect(['critical', 'high', 'medium', 'low']).toContain(rule.meta.severity);
      expect(['error', 'warn']).toContain(rule.meta.defaultLevel);
      expect(rule.meta.appliesTo.length).toBeGreaterThan(0);
    });
    it('exercises every messageId it declares in its fixtures', async () => {
      const declared = Object.keys(rule.meta.messages);
      expect(declared.length).toBeGreaterThan(0);
      const used = new Set<string>(EXERCISED_ELSEWHERE[rule.id] ?? []);
      const related: string[] = [];
      const texts: string[] = [];
      for (const file of listRuleFixtures(rule.id).invalid) {
        const { output } = await runRuleFixture(rule.id, file, ['--format', 'json']);
        const doc = JSON.parse(output) as { findings: { messageId: string; message: string; related: { message: string }[]; fix?: { description: string }; suggestions?: { description: string }[] }[] };
        for (const f of doc.findings) {
          used.add(f.messageId);
          related.push(...f.related.map((r) => r.message));
          if (f.fix) related.push(f.fix.description);
          related.push(...(f.suggestions ?? []).map((s) => s.description));
          texts.push(f.message);
        }
      }
      for (const id of declared) {
        const pattern = new RegExp('^' + rule.meta.messages[id].split(/\{\{\s*\w+\s*\}\}/).map(escapeRe).join('.*') + '$');
        // A message is exercised as a finding's own message, as a related-location or suggestion text,
        // or as a fragment rendered into another message (e.g. a role note).
        const fragment = new RegExp(rule.meta.messages[id].split(/\{\{\s*\w+\s*\}\}/).map(escapeRe).join('.*'));
        const exercised = used.has(id) || related.some((m) => pattern.test(m)) || texts.some((m) => fragment.test(m));
        expect(exercised, `messageId '${id}' is never produced by a fixture`).toBe(true);
      }
    });
    it('is marked fixable exactly when it attaches fixes', async () => {
      let fixes = 0;
      for (const file of listRuleFixtures(rule.id).invalid) {
        const { output } = await runRuleFixture(rule.id, file, ['--format', 'json']);
        fixes += (JSON.parse(output) as { findings: { fix?: unknown }[] }).findings.filter((f) => f.fix).length;
      }
      expect(fixes > 0).toBe(rule.meta.fixable === 'code');
    });
    it('keeps user-facing text in meta.messages (no inline message strings in report calls)', () => {
      expect(source).not.toMatch(/report\(\{[^}]*\bmessage:\s*['"`]/);
    });
    it('has fixtures', () => {
      const fx = listRuleFixtures(rule.id);
      expect(fx.invalid.length).toBeGreaterThan(0);
      expect(fx.valid.length).toBeGreaterThan(0);
    });
    it('has an invalid fixture for each cloud other than AWS it covers (named -<cloud>-)', () => {
      const fx = listRuleFixtures(rule.id);
      for (const cloud of (rule.meta.clouds ?? []).filter((c) => c !== 'aws'))
        expect(
          fx.invalid.some((f) => path.basename(f).includes(`-${cloud}-`)),
          `${rule.id} covers ${cloud} but has no invalid-*-${cloud}-* fixture`,
        ).toBe(true);
    });
  });
}
