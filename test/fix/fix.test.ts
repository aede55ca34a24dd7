/**
 * `--fix` on real-looking workflows, through the CLI entry point: each `fixtures/fix/<case>.yml`
 * must become exactly `<case>.fixed.yml` (also with CRLF line endings), a second `--fix` must
 * change nothing, nothing fixable may remain, and files other than workflows are never touched.
 * UPDATE_GOLDEN=1 rewrites the `.fixed.yml` files (read the diff).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { main } from '../../src/cli.js';
import { writeChanges } from '../../src/engine/fixes.js';
import { createRule } from '../../src/engine/create-rule.js';
import { rules } from '../../src/rules/index.js';
import type { RuleModule } from '../../src/engine/rule.js';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { trustPolicy, writeTree } from '../helpers/project.js';

const FIX_DIR = path.join(REPO_ROOT, 'fixtures', 'fix');
const WF = '.github/workflows/ci.yml';
const POLICY = 'iam/deploy-trust.json';
const POLICY_TEXT = trustPolicy({}); // no sub / aud conditions: findings, but never edits

async function cli(dir: string, args: string[], extraRules: RuleModule[] = []) {
  let stdout = '';
  let stderr = '';
  const code = await main(['--no-color', ...args], { cwd: dir, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env: {}, isTTY: false, rules: [...rules, ...extraRules] });
  return { code, stdout, stderr };
}

interface JsonFinding {
  ruleId: string;
  messageId: string;
  fix?: { description: string };
}

async function findings(dir: string): Promise<JsonFinding[]> {
  const r = await cli(dir, ['-f', 'json']);
  return (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
}

const brief = (fs: JsonFinding[]) => fs.map((f) => `${f.ruleId}/${f.messageId}`).sort();

/** What each case leaves behind: findings no fix can address (by design). */
const REMAINING: Record<string, string[]> = {
  'add-to-job-block': [],
  'bump-action': ['no-deprecated-aws-credentials-action/retiredPinned'],
  'copy-workflow-block': [],
  'default-permissions': [],
  'flow-mappings': [],
  'move-workflow-grant': [],
  'remove-job-grant': [],
  'unsafe-shapes': ['require-id-token-permission/missing', 'require-id-token-permission/missing', 'require-id-token-permission/missing', 'require-id-token-permission/missing'],
};

const cases = readdirSync(FIX_DIR)
  .filter((f) => f.endsWith('.yml') && !f.endsWith('.fixed.yml'))
  .map((f) => f.replace(/\.yml$/, ''))
  .sort();

const crlf = (s: string) => s.replace(/\n/g, '\r\n');

describe('--fix on workflows', () => {
  it('has an expectation for every case', () => {
    expect(cases).toEqual(Object.keys(REMAINING).sort());
  });
  for (const name of cases) {
    for (const eol of ['LF', 'CRLF'] as const) {
      it(`${name} (${eol}): byte-exact result, idempotent, nothing fixable left, policies untouched`, async () => {
        const conv = eol === 'CRLF' ? crlf : (s: string) => s;
        const before = readFileSync(path.join(FIX_DIR, `${name}.yml`), 'utf8');
        const goldenPath = path.join(FIX_DIR, `${name}.fixed.yml`);
        const dir = writeTree({ [WF]: conv(before), [POLICY]: POLICY_TEXT });
        const initial = await findings(dir);

        const first = await cli(dir, ['--fix']);
        const after = readFileSync(path.join(dir, WF), 'utf8');
        if (process.env.UPDATE_GOLDEN && eol === 'LF') writeFileSync(goldenPath, after);
        expect(existsSync(goldenPath), `missing ${goldenPath}; run with UPDATE_GOLDEN=1`).toBe(true);
        expect(after).toBe(conv(readFileSync(goldenPath, 'utf8')));
        if (after !== conv(before)) expect(first.stderr).toMatch(/^oidc-lint: fixed \d+ problems? in 1 file: \.github\/workflows\/ci\.yml$/m);
        else expect(first.stderr).toBe('');
        expect(readFileSync(path.join(dir, POLICY), 'utf8')).toBe(POLICY_TEXT);

        // Idempotent: a second run finds nothing to fix.
        const second = await cli(dir, ['--fix']);
        expect(readFileSync(path.join(dir, WF), 'utf8')).toBe(after);
        expect(second.stderr).toBe('');
        expect(second.stdout).toBe(first.stdout);

        const remaining = await findings(dir);
        expect(remaining.filter((f) => f.fix)).toEqual([]);
        expect(brief(remaining.filter((f) => !f.ruleId.startsWith('require-audience') && !f.ruleId.startsWith('require-subject')))).toEqual(REMAINING[name]);
        // The policy findings are still reported (not "fixed"), and every fixable finding was acted on.
        expect(brief(remaining.filter((f) => f.ruleId.startsWith('require-')))).toEqual(expect.arrayContaining(['require-audience-condition/missing', 'require-subject-condition/missing']));
        expect(initial.filter((f) => f.fix).length > 0).toBe(after !== conv(before));
      });
    }
  }
});

describe('--fix-dry-run', () => {
  it('prints a unified diff that git applies to the same result as --fix, and writes nothing', async () => {
    const before = readFileSync(path.join(FIX_DIR, 'move-workflow-grant.yml'), 'utf8');
    const dir = writeTree({ [WF]: before, [POLICY]: POLICY_TEXT });
    const dry = await cli(dir, ['--fix-dry-run']);
    expect(readFileSync(path.join(dir, WF), 'utf8')).toBe(before);
    const diff = dry.stdout.slice(0, dry.stdout.indexOf('\n\n') + 1);
    expect(diff.split('\n').slice(0, 2)).toEqual([`--- a/${WF}`, `+++ b/${WF}`]);
    expect(dry.stdout).toContain('require-subject-condition'); // then the report of what would remain
    writeFileSync(path.join(dir, 'fix.diff'), diff);
    const applied = spawnSync('git', ['apply', 'fix.diff'], { cwd: dir, encoding: 'utf8' });
    expect(applied.stderr).toBe('');
    expect(applied.status).toBe(0);
    const viaPatch = readFileSync(path.join(dir, WF), 'utf8');
    writeFileSync(path.join(dir, WF), before);
    await cli(dir, ['--fix']);
    expect(readFileSync(path.join(dir, WF), 'utf8')).toBe(viaPatch);
    expect(viaPatch).toBe(readFileSync(path.join(FIX_DIR, 'move-workflow-grant.fixed.yml'), 'utf8'));
  });
  it('keeps stdout parseable for machine formats: the diff goes to stderr', async () => {
    const dir = writeTree({ [WF]: readFileSync(path.join(FIX_DIR, 'bump-action.yml'), 'utf8') });
    const r = await cli(dir, ['--fix-dry-run', '-f', 'json']);
    // The report is of the file as it is on disk; what would remain is said apart, on stderr.
    expect(JSON.parse(r.stdout).findings.map((f: JsonFinding) => f.messageId)).toEqual(['retired', 'retired', 'retired', 'retiredPinned']);
    expect(r.stderr).toMatch(/^-      - uses: aws-actions\/configure-aws-credentials@v1$/m);
    expect(r.stderr).toMatch(/^\+      - uses: aws-actions\/configure-aws-credentials@v6$/m);
    expect(r.stderr).toMatch(/^oidc-lint: --fix would fix 3 problems in 1 file \(\.github\/workflows\/ci\.yml\); after it, 1 problem would remain \(0 errors, 1 warning\)$/m);
  });
  it('prints nothing but the report when there is nothing to fix', async () => {
    const dir = writeTree({ [POLICY]: POLICY_TEXT });
    const r = await cli(dir, ['--fix-dry-run']);
    expect(r.stdout).toMatch(/^iam\/deploy-trust\.json:\d+:\d+  /);
  });
});

describe('--fix safety', () => {
  const touchesPolicy = createRule({
    id: 'no-test-policy-edit',
    meta: {
      kind: 'problem',
      appliesTo: ['trust-policy'],
      severity: 'low',
      defaultLevel: 'error',
      docs: { description: 'test rule', rationale: 'test', remediation: 'test', references: [], recommended: true },
      messages: { x: 'policy statement', fix: 'rewrite the policy' },
      schema: [],
      fixable: 'code',
    },
    create(context) {
      return {
        Statement(st) {
          context.report({ node: st, messageId: 'x', fix: { description: context.message('fix'), edits: [{ file: st.loc.file, start: st.loc.start, end: st.loc.end, text: '{}' }] } });
        },
      };
    },
  });
  it('never edits a file that is not a workflow, whatever a rule attaches', async () => {
    const dir = writeTree({ [POLICY]: POLICY_TEXT });
    const r = await cli(dir, ['--fix'], [touchesPolicy]);
    expect(readFileSync(path.join(dir, POLICY), 'utf8')).toBe(POLICY_TEXT);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('policy statement');
  });
  it('keeps a byte-order mark and refuses to write a file changed since it was read', async () => {
    const text = readFileSync(path.join(FIX_DIR, 'bump-action.yml'), 'utf8');
    const dir = writeTree({ [WF]: '\ufeff' + text });
    await cli(dir, ['--fix']);
    const after = readFileSync(path.join(dir, WF), 'utf8');
    expect(after.charCodeAt(0)).toBe(0xfeff);
    expect(after.slice(1)).toBe(readFileSync(path.join(FIX_DIR, 'bump-action.fixed.yml'), 'utf8'));
    // Someone edits the file between reading and writing: it is left alone.
    const abs = path.join(dir, WF);
    writeFileSync(abs, 'on: push # edited meanwhile\n');
    const r = await writeChanges([{ file: WF, absPath: abs, before: after.slice(1), after: 'clobbered', fixes: 1 }]);
    expect([r.written.length, r.skipped.map((c) => c.file)]).toEqual([0, [WF]]);
    expect(readFileSync(abs, 'utf8')).toBe('on: push # edited meanwhile\n');
  });
  it('repeats passes when one fix makes another possible (a local reusable workflow and its caller)', async () => {
    const callee = ['on:', '  workflow_call:', 'jobs:', '  build:', '    runs-on: ubuntu-latest', '    permissions:', '      contents: read', '      id-token: write', '    steps:', '      - run: make', ''].join('\n');
    const caller = ['on: push', 'jobs:', '  call:', '    permissions:', '      contents: read', '      id-token: write', '    uses: ./.github/workflows/build.yml', ''].join('\n');
    const dir = writeTree({ '.github/workflows/build.yml': callee, '.github/workflows/main.yml': caller });
    // Before: the callee's grant makes the caller's necessary (GitHub rejects a nested job asking for more).
    expect(brief(await findings(dir))).toEqual(['no-excessive-id-token-permission/jobLevel']);
    const r = await cli(dir, ['--fix']);
    expect(r.stderr).toBe('oidc-lint: fixed 2 problems in 2 files: .github/workflows/build.yml, .github/workflows/main.yml\n');
    expect(readFileSync(path.join(dir, '.github/workflows/build.yml'), 'utf8')).toBe(callee.replace('      id-token: write\n', ''));
    expect(readFileSync(path.join(dir, '.github/workflows/main.yml'), 'utf8')).toBe(caller.replace('      id-token: write\n', ''));
    expect(await findings(dir)).toEqual([]);
  });
});

describe('fixes and suggestions in SARIF', () => {
  it('renders each fix as a valid SARIF fix and suggestions as result properties', async () => {
    const { githubProblems, sarifValidator, schemaAvailable } = await import('../helpers/sarif-schema.js');
    const dir = writeTree({
      [WF]: readFileSync(path.join(FIX_DIR, 'bump-action.yml'), 'utf8'),
      '.github/workflows/unsafe.yml': readFileSync(path.join(FIX_DIR, 'unsafe-shapes.yml'), 'utf8'),
      [POLICY]: POLICY_TEXT,
    });
    const r = await cli(dir, ['-f', 'sarif']);
    const log = JSON.parse(r.stdout);
    if (schemaAvailable) expect(sarifValidator()(log)).toBe(true);
    expect(githubProblems(log)).toEqual([]);
    const results = log.runs[0].results as any[];
    const bump = results.find((x) => x.ruleId === 'no-deprecated-aws-credentials-action' && x.fixes);
    expect(bump.fixes[0]).toEqual({
      description: { text: 'Change @v1 to @v6, the current major (read the release notes for input changes: v5 parses boolean inputs strictly).' },
      artifactChanges: [{ artifactLocation: { uri: WF, uriBaseId: '%SRCROOT%' }, replacements: [{ deletedRegion: { startLine: 9, startColumn: 15, endLine: 9, endColumn: 55 }, insertedContent: { text: 'aws-actions/configure-aws-credentials@v6' } }] }],
    });
    const readAll = results.find((x) => x.ruleId === 'require-id-token-permission' && x.properties.suggestions);
    expect(readAll.fixes).toBeUndefined();
    expect(readAll.properties.suggestions[0].description).toMatch(/^read-all cannot be extended with id-token: write/);
    expect(results.filter((x) => x.locations[0].physicalLocation.artifactLocation.uri === POLICY && x.fixes)).toEqual([]);
  });
});

describe('--fix and accepted findings', () => {
  const text = readFileSync(path.join(FIX_DIR, 'bump-action.yml'), 'utf8').replace(
    '      - uses: aws-actions/configure-aws-credentials@v1\n',
    '      # oidc-lint: ignore[no-deprecated-aws-credentials-action] v1 is pinned by our runner image (OPS-4)\n      - uses: aws-actions/configure-aws-credentials@v1\n',
  );
  it('does not fix a suppressed finding', async () => {
    const dir = writeTree({ [WF]: text });
    await cli(dir, ['--fix']);
    const after = readFileSync(path.join(dir, WF), 'utf8');
    expect(after).toContain('configure-aws-credentials@v1\n');
    expect(after).not.toContain('@v3.0.2');
    expect(after.match(/@v6/g)).toHaveLength(2);
  });
  it('does not fix a baselined finding, and fixes the new ones', async () => {
    const dir = writeTree({ [WF]: readFileSync(path.join(FIX_DIR, 'bump-action.yml'), 'utf8') });
    await cli(dir, ['--write-baseline', 'baseline.json']);
    const before = readFileSync(path.join(dir, WF), 'utf8');
    const added = '      - uses: aws-actions/configure-aws-credentials@v2\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/deploy\n          aws-region: eu-north-1\n';
    writeFileSync(path.join(dir, WF), before + added);
    const r = await cli(dir, ['--fix', '--baseline', 'baseline.json']);
    expect(r.stderr).toBe('oidc-lint: fixed 1 problem in 1 file: .github/workflows/ci.yml\n');
    expect(readFileSync(path.join(dir, WF), 'utf8')).toBe(before + added.replace('@v2', '@v6'));
  });
});
