/** Config file, suppressions and baselines through the real CLI, spawned as a process. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { githubProblems, sarifValidator, schemaAvailable } from '../helpers/sarif-schema.js';
import { trustPolicy, writeTree } from '../helpers/project.js';

const BIN = path.join(REPO_ROOT, 'bin', 'oidc-lint.js');

function run(args: string[], cwd: string) {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A workflow whose deploy job lost id-token: write (require-id-token-permission on line 10, column 15). */
const DEPLOY = `on: push
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: us-east-1
`;

/** A repository (with a .git directory, so config discovery stops at it). */
function repo(files: Record<string, string>): string {
  return writeTree({ '.git/HEAD': 'ref: refs/heads/main\n', ...files });
}

describe('config file', () => {
  it('is found from the scanned directory up to the git root, and --no-config / --config choose otherwise', () => {
    const dir = repo({
      '.github/oidc-lint.yaml': 'rules:\n  require-id-token-permission: warn\n',
      'strict.yaml': 'rules:\n  require-id-token-permission: error\n',
      'services/api/.github/workflows/deploy.yml': DEPLOY,
    });
    const sub = path.join(dir, 'services/api');
    const found = run(['.'], sub);
    expect(found.stdout).toContain('.github/workflows/deploy.yml:10:15  warn   Job "deploy" requests a GitHub OIDC token');
    expect(found.code).toBe(0);
    expect(run(['.', '--no-config'], sub).code).toBe(1);
    expect(run(['.', '--config', '../../strict.yaml'], sub).code).toBe(1);
    // --rule flags override the file.
    expect(run(['.', '--rule', 'require-id-token-permission=error'], sub).code).toBe(1);
  });

  it('reports every problem with file, line:column, JSON path and exits 2', () => {
    const dir = repo({
      'oidc-lint.config.yaml': `rules:
  no-wildcard-subjet: error
  require-audience-condition: [error, { audiences: sts.amazonaws.com }]
  parse-error: of
repository:
  owner: octo-org
  ownerId: -1
roles:
  vars.DEPLOY_ROLE: arn:aws:iam::123:role/deploy
suppressions:
  - rule: no-wildcard-subject
    reason: legacy
cache: true
`,
    });
    const r = run(['.'], dir);
    expect(r.stderr).toBe(
      [
        `oidc-lint: oidc-lint.config.yaml:2:3: rules.no-wildcard-subjet: unknown rule 'no-wildcard-subjet' (did you mean 'no-wildcard-subject'?)`,
        `oidc-lint: oidc-lint.config.yaml:3:52: rules.require-audience-condition[1].audiences: must be an array`,
        `oidc-lint: oidc-lint.config.yaml:4:16: rules.parse-error: must be "off", "warn", "error" or [level, ...options]`,
        `oidc-lint: oidc-lint.config.yaml:6:3: repository: missing required key 'repo'`,
        `oidc-lint: oidc-lint.config.yaml:7:12: repository.ownerId: must be a numeric GitHub id (an integer, or a string of digits)`,
        `oidc-lint: oidc-lint.config.yaml:9:21: roles["vars.DEPLOY_ROLE"]: must be an IAM role ARN (arn:aws:iam::123456789012:role/Name), or the Azure identity an azure/login client-id names (azurerm_user_assigned_identity.NAME, azuread_application.NAME, Microsoft.ManagedIdentity/userAssignedIdentities/NAME)`,
        `oidc-lint: oidc-lint.config.yaml:11:5: suppressions[0]: must be an entry with rule, reason, and file or role`,
        `oidc-lint: oidc-lint.config.yaml:13:1: cache: unknown key 'cache' (expected 'rules', 'ignore', 'audiences', 'repository', 'roles', 'tokenRequests', 'suppressions')`,
        '',
      ].join('\n'),
    );
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });

  it('reports unparsable files, missing files and contradictory flags with exit 2', () => {
    const dir = repo({ 'oidc-lint.config.json': '{ "rules": { "parse-error": "off", } }\n', 'y/oidc-lint.config.yml': 'rules: [\n', 'y/.git/HEAD': '' });
    const json = run(['.'], dir);
    expect(json.stderr).toMatch(/^oidc-lint: oidc-lint\.config\.json:1:36: cannot parse: /);
    expect(json.code).toBe(2);
    const yaml = run(['.'], path.join(dir, 'y'));
    expect(yaml.stderr).toMatch(/^oidc-lint: oidc-lint\.config\.yml:2:1: cannot parse: /);
    expect(yaml.code).toBe(2);
    const missing = run(['.', '--config', 'nope.yaml'], dir);
    expect(missing.stderr).toBe('oidc-lint: nope.yaml: cannot read config file: no such file\n');
    expect(missing.code).toBe(2);
    const both = run(['.', '--config', 'x.yaml', '--no-config'], dir);
    expect(both.stderr).toBe('oidc-lint: --config and --no-config cannot be combined\n');
    expect(both.code).toBe(2);
  });

  it('--print-config prints the effective configuration as JSON and exits 0', () => {
    const dir = repo({
      'oidc-lint.config.yml': `rules:
  require-audience-condition: [warn, { audiences: [sts.amazonaws.com] }]
ignore: [legacy/]
repository: { owner: octo-org, repo: api, repoId: 789012 }
roles:
  vars.deploy_role: arn:aws:iam::123456789012:role/deploy
suppressions:
  - { rule: require-subject-condition, file: iam/legacy.json, reason: SEC-12 }
`,
    });
    const r = run(['--print-config', '--rule', 'no-wildcard-subject=off', '--audience', 'sts.amazonaws.com.cn'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('oidc-lint: effective configuration from oidc-lint.config.yml and the command line\n');
    expect(JSON.parse(r.stdout)).toEqual({
      rules: {
        'no-branch-ref-with-credentials': 'warn',
        'no-deprecated-aws-credentials-action': ['warn', { requireShaPin: false }],
        'no-excessive-id-token-permission': ['warn', { tokenActions: [], reportUncertain: false }],
        'no-hardcoded-aws-credentials': 'error',
        'no-oidc-in-untrusted-trigger': 'error',
        'no-overbroad-trust': 'warn',
        'no-static-aws-credentials': 'error',
        'no-unassumable-role': 'error',
        'no-unknown-condition-key': ['error', {}],
        'no-unreplaced-placeholder': 'warn',
        'no-unsafe-condition-operator': ['error', { forAnyValue: false }],
        'no-unusable-federated-credential': 'error',
        'no-unused-suppression': 'warn',
        'no-wildcard-subject': 'off',
        'parse-error': 'error',
        'prefer-immutable-ids': 'warn',
        'require-audience-condition': ['warn', { audiences: ['sts.amazonaws.com'] }],
        'require-id-token-permission': 'error',
        'require-provider-audience': ['error', {}],
        'require-subject-condition': 'error',
        'require-unique-subject-mapping': 'warn',
        'require-web-identity-action': 'error',
      },
      ignore: ['legacy/'],
      audiences: ['sts.amazonaws.com.cn'],
      repository: { owner: 'octo-org', repo: 'api', repoId: '789012' },
      roles: { 'vars.DEPLOY_ROLE': 'arn:aws:iam::123456789012:role/deploy' },
      suppressions: [{ rule: ['require-subject-condition'], file: ['iam/legacy.json'], reason: 'SEC-12' }],
    });
    expect(run(['--print-config', '--no-config'], dir).stderr).toBe('oidc-lint: effective configuration from no config file\n');
    // The output is a valid config file, as is, that means the same thing.
    writeFileSync(path.join(dir, 'printed.json'), r.stdout);
    const again = run(['--print-config', '--config', 'printed.json'], dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(r.stdout);
  });

  it('--print-config redirected into the config file it would find (created empty by the shell) saves a config that is then used', () => {
    const dir = repo({ 'iam/deploy-trust.json': trustPolicy({}) });
    // What `oidc-lint --print-config --rule … > oidc-lint.config.json` does: the shell creates the file first.
    writeFileSync(path.join(dir, 'oidc-lint.config.json'), '');
    const r = run(['--print-config', '--rule', 'require-subject-condition=off', '--rule', 'require-audience-condition=off'], dir);
    expect(r.code).toBe(0);
    writeFileSync(path.join(dir, 'oidc-lint.config.json'), r.stdout);
    const lint = run(['.', '-f', 'json'], dir);
    expect(lint.stderr).toBe('');
    expect(JSON.parse(lint.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).not.toContain('require-subject-condition');
    expect(run(['--print-config'], dir).stdout).toBe(r.stdout);
  });

  it('ignore globs keep files out of the scan, relative to the config directory', () => {
    const dir = repo({ '.github/oidc-lint.yaml': 'ignore: ["legacy/", "!legacy/keep.json"]\n', 'legacy/old.json': trustPolicy({}), 'legacy/keep.json': trustPolicy({}), 'iam/new.json': trustPolicy({}) });
    const files = (cwd: string, args: string[]) => [...new Set(JSON.parse(run([...args, '-f', 'json'], cwd).stdout).findings.map((f: any) => f.location.file))];
    expect(files(dir, ['.'])).toEqual(['iam/new.json']);
    // From a subdirectory the patterns still mean the same files.
    expect(files(path.join(dir, 'legacy'), ['.'])).toEqual([]);
  });
});

describe('suppressions', () => {
  it('inline YAML comments and config entries for JSON are kept in SARIF with their justification, left out of text and the exit code', () => {
    const dir = repo({
      '.github/workflows/deploy.yml': DEPLOY.replace('      - uses:', '      # oidc-lint: ignore[require-id-token-permission] the calling workflow grants id-token\n      - uses:'),
      'iam/legacy.json': trustPolicy({}),
      'oidc-lint.config.yaml': `suppressions:
  - rule: [require-subject-condition, require-audience-condition]
    file: iam/legacy.json
    reason: Legacy role, removed in SEC-12
`,
    });
    const text = run(['.'], dir);
    expect(text.stdout).toBe('✓ no problems (2 files checked)\n');
    expect(text.code).toBe(0);

    const sarif = run(['.', '-f', 'sarif'], dir);
    expect(sarif.code).toBe(0);
    const log = JSON.parse(sarif.stdout);
    if (schemaAvailable) expect(sarifValidator()(log)).toBe(true);
    expect(githubProblems(log)).toEqual([]);
    const got = log.runs[0].results.map((r: any) => [r.ruleId, r.locations[0].physicalLocation.artifactLocation.uri, r.locations[0].physicalLocation.region.startLine, r.suppressions]);
    expect(got).toEqual([
      ['require-id-token-permission', '.github/workflows/deploy.yml', 11, [{ kind: 'inSource', justification: 'the calling workflow grants id-token' }]],
      ['require-audience-condition', 'iam/legacy.json', 7, [{ kind: 'external', justification: 'Legacy role, removed in SEC-12' }]],
      ['require-subject-condition', 'iam/legacy.json', 7, [{ kind: 'external', justification: 'Legacy role, removed in SEC-12' }]],
    ]);

    const json = JSON.parse(run(['.', '-f', 'json'], dir).stdout);
    expect(json.summary).toEqual({ files: 2, errors: 0, warnings: 0, suppressed: 3 });
  });

  it('reports an ignore comment that suppresses nothing, with its file and line', () => {
    const fixed = DEPLOY.replace('    permissions:\n      contents: read\n    steps:', '    permissions:\n      id-token: write\n    steps:');
    const dir = repo({ '.github/workflows/deploy.yml': fixed.replace('      - uses:', '      # oidc-lint: ignore[require-id-token-permission] the calling workflow grants id-token\n      - uses:') });
    const r = run(['.'], dir);
    expect(r.stdout).toBe(
      [
        '.github/workflows/deploy.yml:10:27  warn   This ignore comment suppresses nothing: no require-id-token-permission finding on line 11.  no-unused-suppression',
        '    10 |       # oidc-lint: ignore[require-id-token-permission] the calling workflow grants id-token',
        `       |                           ${'^'.repeat('require-id-token-permission'.length)}`,
        '    docs: https://github.com/oidc-lint/oidc-lint/blob/main/rules.md#no-unused-suppression',
        '',
        '✖ 1 problem (0 errors, 1 warning) in 1 file checked',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
    expect(run(['.', '--rule', 'no-unused-suppression=error'], dir).code).toBe(1);
  });
});

describe('baseline', () => {
  const KEY = 'AKIA2OGYBAH6QTRX7ZMW';
  const UPLOAD = `on: push
jobs:
  upload:
    runs-on: ubuntu-latest
    steps:
      - run: aws s3 cp build.zip s3://bucket/
        env:
          AWS_ACCESS_KEY_ID: ${KEY}
`;

  it('round trip: accepted findings stay accepted when lines move, new ones are reported, and no key is written', () => {
    const dir = repo({ '.github/workflows/deploy.yml': DEPLOY, '.github/workflows/upload.yml': UPLOAD, 'iam/trust.json': trustPolicy({}) });
    const write = run(['.', '--write-baseline', 'oidc-lint.baseline.json'], dir);
    expect(write.stderr).toBe('oidc-lint: wrote 5 findings to the baseline oidc-lint.baseline.json\n');
    expect(write.stdout).toBe('✓ no problems (3 files checked)\n');
    expect(write.code).toBe(0);
    const text = readFileSync(path.join(dir, 'oidc-lint.baseline.json'), 'utf8');
    expect(text).not.toContain(KEY);
    expect(JSON.parse(text).findings.map((e: any) => `${e.file} ${e.path} ${e.rule}`)).toEqual([
      '.github/workflows/deploy.yml jobs.deploy.steps[0].uses require-id-token-permission',
      '.github/workflows/upload.yml jobs.upload.steps[0].env.AWS_ACCESS_KEY_ID no-static-aws-credentials',
      // The redacted key and a hash of the whole key: another key that redacts alike is another finding.
      expect.stringMatching(/^\.github\/workflows\/upload\.yml key:AKIA…MW#[0-9a-f]{16} no-hardcoded-aws-credentials$/),
      'iam/trust.json Statement[0].Principal.Federated require-audience-condition',
      'iam/trust.json Statement[0].Principal.Federated require-subject-condition',
    ]);

    // Insert lines above every finding: nothing comes back.
    writeFileSync(path.join(dir, '.github/workflows/deploy.yml'), '# Deploys the API.\n# Owner: platform team.\n\n' + DEPLOY);
    writeFileSync(path.join(dir, 'iam/trust.json'), '\n\n\n' + trustPolicy({}));
    const moved = run(['.', '--baseline', 'oidc-lint.baseline.json'], dir);
    expect(moved.stdout).toBe('✓ no problems (3 files checked)\n');
    expect(moved.code).toBe(0);

    // From another working directory, with the scan root elsewhere, the same baseline still matches.
    expect(run(['..', '--baseline', '../oidc-lint.baseline.json'], path.join(dir, 'iam')).code).toBe(0);

    // A new finding is reported, alone; the baselined ones stay in SARIF as suppressed.
    writeFileSync(path.join(dir, 'iam/new.json'), trustPolicy({ Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } } }));
    const fresh = run(['.', '--baseline', 'oidc-lint.baseline.json'], dir);
    expect(fresh.stdout).toBe(
      [
        'iam/new.json:7:22  error  Any GitHub repository can assume this role: the statement trusts token.actions.githubusercontent.com but has no condition on token.actions.githubusercontent.com:sub.  require-subject-condition',
        '     7 |         "Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"',
        `       |                      ${'^'.repeat('"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"'.length)}`,
        '    docs: https://github.com/oidc-lint/oidc-lint/blob/main/rules.md#require-subject-condition',
        '',
        '✖ 1 problem (1 error, 0 warnings) in 4 files checked',
        '',
      ].join('\n'),
    );
    expect(fresh.code).toBe(1);
    const sarif = JSON.parse(run(['.', '--baseline', 'oidc-lint.baseline.json', '-f', 'sarif'], dir).stdout);
    expect(sarif.runs[0].results.filter((r: any) => r.suppressions).map((r: any) => r.suppressions)).toEqual(Array(5).fill([{ kind: 'external', justification: 'baseline' }]));
  });

  it('refuses a missing or foreign baseline with exit 2', () => {
    const dir = repo({ 'not-a-baseline.json': '{"version": 1}\n' });
    expect(run(['.', '--baseline', 'missing.json'], dir)).toMatchObject({ code: 2, stderr: 'oidc-lint: cannot use baseline missing.json: no such file\n' });
    expect(run(['.', '--baseline', 'not-a-baseline.json'], dir)).toMatchObject({
      code: 2,
      stderr: 'oidc-lint: cannot use baseline not-a-baseline.json: not an oidc-lint baseline (expected { "version": 1, "tool": "oidc-lint", "findings": [...] })\n',
    });
  });
});
