/** Inline and config-file suppressions applied by the engine, and what no-unused-suppression makes of them. */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { lintProject } from '../../src/engine/linter.js';
import { applySuppressions, type ExternalSuppression } from '../../src/engine/suppressions.js';
import type { Finding } from '../../src/engine/rule.js';
import type { Project } from '../../src/model/project.js';
import { emptyLinks } from '../../src/model/project.js';
import { rules } from '../../src/rules/index.js';
import { loadTree, trustPolicy, POLICY } from '../helpers/project.js';

const DEPLOY = `on: push
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: us-east-1
`;
// require-id-token-permission fires on line 8 (the `uses:` of the step).

const BACKUP = `on: push
jobs:
  backup:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: \${{ secrets.KEY_ID }}
          aws-secret-access-key: \${{ secrets.SECRET }}
          aws-region: us-east-1
`;
// no-static-aws-credentials fires on line 8 (aws-access-key-id).

function lint(project: Project, suppressions?: ExternalSuppression[], levels: Record<string, 'off' | 'warn' | 'error'> = {}) {
  const { findings, crashes } = lintProject(project, rules, { rules: levels, settings: {}, ...(suppressions ? { suppressions } : {}) });
  expect(crashes).toEqual([]);
  return findings;
}

const view = (fs: Finding[]) => fs.map((f) => `${f.ruleId}:${f.messageId}@${f.location.file}:${f.location.start.line}:${f.location.start.column}${f.suppressed ? ` [${f.suppressed.kind}: ${f.suppressed.justification}]` : ''}`);

describe('inline suppressions (YAML)', () => {
  it('a trailing comment suppresses the finding on its line, with its reason as justification', async () => {
    const wf = BACKUP.replace('${{ secrets.KEY_ID }}', '${{ secrets.KEY_ID }} # oidc-lint: ignore[no-static-aws-credentials] break-glass job, SEC-7');
    const findings = lint(await loadTree({ '.github/workflows/backup.yml': wf }));
    expect(view(findings)).toEqual(['no-static-aws-credentials:staticInput@.github/workflows/backup.yml:8:11 [inSource: break-glass job, SEC-7]']);
  });
  it('a comment on its own line suppresses the next line; it does not reach further', async () => {
    const above = DEPLOY.replace('      - uses:', '      # oidc-lint: ignore[require-id-token-permission] the reusable caller grants it\n      - uses:');
    expect(view(lint(await loadTree({ '.github/workflows/deploy.yml': above })))).toEqual([
      'require-id-token-permission:missing@.github/workflows/deploy.yml:9:15 [inSource: the reusable caller grants it]',
    ]);
    // Two lines above (a code line in between): not covered, and the comment is reported as unused.
    const twoAbove = DEPLOY.replace('    steps:', '    # oidc-lint: ignore[require-id-token-permission] too far\n    steps:');
    expect(view(lint(await loadTree({ '.github/workflows/deploy.yml': twoAbove })))).toEqual([
      'no-unused-suppression:unused@.github/workflows/deploy.yml:7:25',
      'require-id-token-permission:missing@.github/workflows/deploy.yml:9:15',
    ]);
  });
  it('a directive naming another rule does not suppress, and a directive in a block scalar is not a directive', async () => {
    const other = BACKUP.replace('${{ secrets.KEY_ID }}', '${{ secrets.KEY_ID }} # oidc-lint: ignore[no-wildcard-subject] wrong rule');
    expect(view(lint(await loadTree({ '.github/workflows/backup.yml': other })))).toEqual([
      'no-static-aws-credentials:staticInput@.github/workflows/backup.yml:8:11',
      'no-unused-suppression:unused@.github/workflows/backup.yml:8:72',
    ]);
    const script = `on: push
jobs:
  upload:
    runs-on: ubuntu-latest
    steps:
      - run: |
          # oidc-lint: ignore[no-hardcoded-aws-credentials] a shell comment, not a YAML one
          AWS_ACCESS_KEY_ID=AKIA2OGYBAH6QTRX7ZMW aws s3 ls
`;
    expect(view(lint(await loadTree({ '.github/workflows/upload.yml': script })))).toEqual(['no-hardcoded-aws-credentials:accessKeyIdAlone@.github/workflows/upload.yml:8:29']);
  });
});

describe('inline suppressions (CloudFormation YAML)', () => {
  it('a comment above a list item in a template covers that item only', async () => {
    const template = readFileSync(path.join(REPO_ROOT, 'fixtures/rules/no-wildcard-subject/invalid-zz-cfn-any-repo.yaml'), 'utf8');
    const edited = template.replace('                  - !Sub repo:${GitHubOrg}/*', '                  # oidc-lint: ignore[no-wildcard-subject] sandbox account\n                  - !Sub repo:${GitHubOrg}/*');
    expect(edited).not.toBe(template);
    expect(view(lint(await loadTree({ 'infra/template.yaml': edited })))).toEqual(['no-wildcard-subject:anyRepo@infra/template.yaml:31:26 [inSource: sandbox account]']);
  });
});

describe('no-unused-suppression', () => {
  it('reports each unused rule id of a directive at its exact position, and unknown ids with a suggestion', async () => {
    const wf = BACKUP.replace('${{ secrets.KEY_ID }}', '${{ secrets.KEY_ID }} # oidc-lint: ignore[no-static-aws-credentials, require-id-token-permission, no-static-aws-credential] x');
    expect(view(lint(await loadTree({ '.github/workflows/backup.yml': wf })))).toEqual([
      'no-static-aws-credentials:staticInput@.github/workflows/backup.yml:8:11 [inSource: x]',
      'no-unused-suppression:unused@.github/workflows/backup.yml:8:99',
      'no-unused-suppression:unknownRuleDidYouMean@.github/workflows/backup.yml:8:128',
    ]);
  });
  it('does not judge directives for rules that are turned off, and its own findings are never suppressed inline', async () => {
    const wf = BACKUP.replace('${{ secrets.KEY_ID }}', '${{ secrets.KEY_ID }} # oidc-lint: ignore[no-static-aws-credentials, no-unused-suppression] x');
    expect(view(lint(await loadTree({ '.github/workflows/backup.yml': wf }), undefined, { 'no-static-aws-credentials': 'off' }))).toEqual([
      'no-unused-suppression:unused@.github/workflows/backup.yml:8:99',
    ]);
  });
  it('reports malformed directives at the comment', async () => {
    const wf = BACKUP.replace('${{ secrets.KEY_ID }}', '${{ secrets.KEY_ID }} # oidc-lint: ignore(no-static-aws-credentials)');
    expect(view(lint(await loadTree({ '.github/workflows/backup.yml': wf }))).filter((v) => v.startsWith('no-unused'))).toEqual(['no-unused-suppression:malformed@.github/workflows/backup.yml:8:52']);
  });
});

describe('config-file suppressions', () => {
  const entry = (root: string, e: Partial<ExternalSuppression>): ExternalSuppression => ({
    rules: [],
    files: [],
    roles: [],
    reason: 'accepted',
    base: root,
    origin: { file: path.join(root, 'oidc-lint.config.yaml'), start: { line: 3, column: 11 }, end: { line: 3, column: 36 }, path: 'suppressions[0].rule' },
    ...e,
  });

  it('suppress a JSON policy finding by file pattern, narrowed by symbolic path', async () => {
    const project = await loadTree({ [POLICY]: trustPolicy({}), 'iam/other.json': trustPolicy({}) });
    const findings = lint(project, [
      entry(project.root, { rules: ['require-subject-condition'], files: ['iam/trust.json'], path: 'Statement[0]', reason: 'Legacy role, SEC-12' }),
      entry(project.root, { rules: ['require-audience-condition'], files: ['iam/*.json'], path: 'Statement[1]', reason: 'only the second statement' }),
    ]);
    expect(view(findings)).toEqual([
      'require-audience-condition:missing@iam/other.json:7:22',
      'require-subject-condition:missing@iam/other.json:7:22',
      'require-audience-condition:missing@iam/trust.json:7:22',
      'require-subject-condition:missing@iam/trust.json:7:22 [external: Legacy role, SEC-12]',
      // The second entry matched scanned files but suppressed nothing: reported at its `rule` value in the config file.
      'no-unused-suppression:unusedEntry@oidc-lint.config.yaml:3:11',
    ]);
  });
  it('patterns are relative to the config directory, not the scan root', async () => {
    const project = await loadTree({ [POLICY]: trustPolicy({}) });
    const base = path.dirname(project.root); // a config one level above the scan root
    const relFromBase = `${path.basename(project.root)}/iam/trust.json`;
    const findings = lint(project, [entry(project.root, { base, rules: ['require-subject-condition', 'require-audience-condition'], files: [relFromBase], reason: 'r' })]);
    expect(findings.every((f) => f.suppressed?.kind === 'external')).toBe(true);
    expect(findings).toHaveLength(2);
  });
  it('entries whose files were not scanned, or whose rules are off, are not reported as unused', async () => {
    const project = await loadTree({ [POLICY]: trustPolicy({}) });
    const findings = lint(
      project,
      [entry(project.root, { rules: ['no-wildcard-subject'], files: ['elsewhere/*.json'] }), entry(project.root, { rules: ['require-id-token-permission'], files: ['iam/trust.json'] })],
      { 'require-id-token-permission': 'off' },
    );
    expect(findings.filter((f) => f.ruleId === 'no-unused-suppression')).toEqual([]);
  });
  it('suppress findings on live roles by ARN pattern', () => {
    const arn = 'arn:aws:iam::123456789012:role/legacy-deploy';
    const finding: Finding = {
      ruleId: 'no-wildcard-subject',
      messageId: 'anyRepo',
      message: 'm',
      level: 'error',
      severity: 'critical',
      confidence: 'high',
      location: { file: '', start: { line: 1, column: 1 }, end: { line: 1, column: 1 }, path: 'Statement[0].Condition', logical: { kind: 'aws-iam-role', fullyQualifiedName: arn } },
      related: [],
      fingerprint: '',
    };
    const other: Finding = { ...finding, location: { ...finding.location, logical: { kind: 'aws-iam-role', fullyQualifiedName: 'arn:aws:iam::123456789012:role/prod' } } };
    const project: Project = { type: 'Project', root: '/r', sources: [], workflows: [], roles: [], providers: [], loadErrors: [], links: emptyLinks() };
    const directives = applySuppressions({
      project,
      findings: [finding, other],
      known: new Set(rules.map((r) => r.id)),
      enabled: new Set(['no-wildcard-subject']),
      external: [{ rules: ['no-wildcard-subject'], files: [], roles: ['arn:aws:iam::123456789012:role/legacy-*'], reason: 'decommissioned in Q3', base: '/r' }],
    });
    expect(finding.suppressed).toEqual({ kind: 'external', justification: 'decommissioned in Q3' });
    expect(other.suppressed).toBeUndefined();
    expect(directives).toEqual([]); // an entry without an origin (not from a file) is not audited
  });
});
