import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { renderRulesMd, RULES_MD } from '../scripts/generate-rules-md.js';
import { rules } from '../src/rules/index.js';

describe('rules.md', () => {
  it('is up to date with rule meta and fixtures (run `npm run docs`)', async () => {
    expect(existsSync(RULES_MD)).toBe(true);
    expect(readFileSync(RULES_MD, 'utf8')).toBe(await renderRulesMd());
  });
  it('has a section per rule with a flagged and an accepted example', async () => {
    const md = await renderRulesMd();
    for (const r of rules) {
      const section = md.split(`\n## ${r.id}\n`)[1]?.split('\n## ')[0] ?? '';
      expect(section, r.id).toContain('### Flagged');
      expect(section, r.id).toContain('### Accepted');
      expect(section, r.id).toContain(r.id);
    }
  });
});
