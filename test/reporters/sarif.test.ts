import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSarif } from '../../src/reporters/sarif.js';
import { rules } from '../../src/rules/index.js';
import { lintProject } from '../../src/engine/linter.js';
import { loadProject } from '../../src/loaders/index.js';
import { writeTree, trustPolicy } from '../helpers/project.js';
import { githubProblems, sarifValidator, schemaAvailable, schemaRequired, SKIP_REASON } from '../helpers/sarif-schema.js';

async function sampleLog() {
  const dir = writeTree({
    '.github/workflows/de ploy.yml': 'on: push\njobs:\n  d:\n    runs-on: x\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::1:role/r\n',
    'iam/trust#1.json': trustPolicy({ Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:*' } } }),
  });
  const project = await loadProject([dir], { root: dir });
  const { findings } = lintProject(project, rules, { rules: {}, settings: {} });
  return { log: buildSarif(findings, project, rules, { color: false, cwd: dir, repoRoot: dir, sarifCategory: 'oidc-lint' }), findings };
}

describe('SARIF reporter', () => {
  if (!schemaAvailable && schemaRequired) {
    it('has the OASIS schema available (OIDC_LINT_REQUIRE_SARIF_SCHEMA=1)', () => {
      expect.fail(SKIP_REASON);
    });
  }
  it.skipIf(!schemaAvailable)(`is valid against the OASIS SARIF 2.1.0 schema${schemaAvailable ? '' : ` — skipped: ${SKIP_REASON}`}`, async () => {
    const { log } = await sampleLog();
    const validate = sarifValidator();
    const ok = validate(log);
    expect(ok, JSON.stringify((validate as any).errors?.slice(0, 3))).toBe(true);
  });
  it("meets GitHub code scanning's extra requirements", async () => {
    const { log } = await sampleLog();
    expect(githubProblems(log)).toEqual([]);
  });
  it('uses repo-relative percent-encoded URIs, 1-based regions and per-rule security severity', async () => {
    const { log, findings } = await sampleLog();
    const run = log.runs[0];
    expect(findings.length).toBeGreaterThan(2);
    const uris = run.results!.map((r) => r.locations![0].physicalLocation!.artifactLocation!.uri);
    expect(uris).toContain('.github/workflows/de%20ploy.yml');
    expect(uris).toContain('iam/trust%231.json');
    const wildcard = run.results!.find((r) => r.ruleId === 'no-wildcard-subject')!;
    expect(wildcard.locations![0].physicalLocation!.region).toMatchObject({ startLine: 12, startColumn: 54, endLine: 12, endColumn: 62 });
    const rule = run.tool.driver.rules!.find((r) => r.id === 'no-wildcard-subject')!;
    expect(rule.properties!['security-severity']).toBe('9.5');
    expect(rule.helpUri).toMatch(/rules\.md#no-wildcard-subject$/);
    expect(run.automationDetails?.id).toBe('oidc-lint/');
    expect(wildcard.partialFingerprints!['oidcLint/v1']).toMatch(/^[0-9a-f]{32}$/);
    expect(wildcard.partialFingerprints!.primaryLocationLineHash).toBeUndefined();
  });
  it('names %SRCROOT% as the base of every file URI and declares it, so the URIs resolve outside GitHub', async () => {
    const { log } = await sampleLog();
    const run = log.runs[0];
    const base = run.originalUriBaseIds!['%SRCROOT%'].uri!;
    expect(base.startsWith('file:///')).toBe(true);
    expect(base.endsWith('/')).toBe(true);
    for (const r of run.results!) {
      const loc = r.locations![0].physicalLocation!.artifactLocation!;
      expect(loc.uriBaseId).toBe('%SRCROOT%');
      // Resolved against the base, each URI is the file that was linted.
      expect(existsSync(fileURLToPath(new URL(loc.uri!, base)))).toBe(true);
    }
  });
});
