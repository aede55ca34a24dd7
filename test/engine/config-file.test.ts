/** Config file discovery and normalisation (validation messages are checked through the real CLI in test/e2e/config.test.ts). */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import AjvImport from 'ajv';
import { configBase, configSchemaPath, ConfigFileError, findConfigFile, formatPath, loadConfigFile } from '../../src/engine/config-file.js';
import { rules } from '../../src/rules/index.js';
import { writeTree } from '../helpers/project.js';

const Ajv = ((AjvImport as unknown as { default?: unknown }).default ?? AjvImport) as unknown as typeof AjvImport.default;

describe('config discovery', () => {
  it('walks up from the start directory to the git root; the nearest directory wins', () => {
    const dir = writeTree({
      'oidc-lint.config.yaml': 'rules: {}\n', // above the repository: never reached
      'repo/.git/HEAD': 'ref: refs/heads/main\n',
      'repo/.github/oidc-lint.yaml': 'rules: {}\n',
      'repo/packages/infra/oidc-lint.config.json': '{}\n',
      'repo/packages/web/src/x.txt': '',
    });
    expect(findConfigFile(path.join(dir, 'repo/packages/infra'))).toBe(path.join(dir, 'repo/packages/infra/oidc-lint.config.json'));
    expect(findConfigFile(path.join(dir, 'repo/packages/web/src'))).toBe(path.join(dir, 'repo/.github/oidc-lint.yaml'));
    expect(findConfigFile(path.join(dir, 'repo'))).toBe(path.join(dir, 'repo/.github/oidc-lint.yaml'));
  });
  it('stops at the git root when the repository has no config', () => {
    const dir = writeTree({ 'oidc-lint.config.yml': 'rules: {}\n', 'repo/.git': 'gitdir: /elsewhere\n', 'repo/a/b.txt': '' });
    expect(findConfigFile(path.join(dir, 'repo/a'))).toBeUndefined();
  });
  it('refuses two config files in one directory', () => {
    const dir = writeTree({ '.git/HEAD': '', 'oidc-lint.config.yaml': '{}\n', '.github/oidc-lint.yaml': '{}\n' });
    expect(() => findConfigFile(dir)).toThrow(ConfigFileError);
    expect(() => findConfigFile(dir)).toThrow('several config files in one directory (oidc-lint.config.yaml, .github/oidc-lint.yaml); keep one');
  });
  it('relative patterns are relative to the config directory, or the repository root for .github/', () => {
    expect(configBase('/r/.github/oidc-lint.yaml')).toBe('/r');
    expect(configBase('/r/infra/oidc-lint.config.yaml')).toBe('/r/infra');
  });
});

describe('config normalisation', () => {
  it('turns the file into a LintConfig: settings, roles keyed vars.NAME in upper case, numeric ids as strings, suppressions with their origin', () => {
    const dir = writeTree({
      '.github/oidc-lint.yaml': `rules:
  no-wildcard-subject: warn
  require-audience-condition: [error, { audiences: [sts.amazonaws.com.cn] }]
ignore: [legacy/]
audiences: [sts.amazonaws.com, sts.amazonaws.com.cn]
repository: { owner: Octo-Org, repo: api, ownerId: 123456, repoId: "789012", defaultBranch: main, immutableSubjects: true, subjectTemplate: [repo, context] }
roles:
  vars.deploy_role: arn:aws:iam::123456789012:role/deploy
  secrets.Prod_Role: arn:aws-cn:iam::123456789012:role/path/prod
suppressions:
  - rule: require-subject-condition
    file: [iam/legacy.json]
    path: Statement[0]
    reason: "  Legacy role, SEC-12  "
`,
    });
    const loaded = loadConfigFile(path.join(dir, '.github/oidc-lint.yaml'), rules);
    expect(loaded.base).toBe(dir);
    expect(loaded.ignore).toEqual(['legacy/']);
    expect(loaded.config.rules).toEqual({ 'no-wildcard-subject': 'warn', 'require-audience-condition': ['error', { audiences: ['sts.amazonaws.com.cn'] }] });
    expect(loaded.config.settings).toEqual({
      expectedAudiences: ['sts.amazonaws.com', 'sts.amazonaws.com.cn'],
      repository: { owner: 'Octo-Org', repo: 'api', ownerId: '123456', repoId: '789012', defaultBranch: 'main', immutableSubjects: true, subjectTemplate: ['repo', 'context'] },
      roles: { 'vars.DEPLOY_ROLE': 'arn:aws:iam::123456789012:role/deploy', 'secrets.PROD_ROLE': 'arn:aws-cn:iam::123456789012:role/path/prod' },
    });
    expect(loaded.config.suppressions).toEqual([
      {
        rules: ['require-subject-condition'],
        files: ['iam/legacy.json'],
        roles: [],
        path: 'Statement[0]',
        reason: 'Legacy role, SEC-12',
        base: dir,
        origin: { file: path.join(dir, '.github/oidc-lint.yaml'), start: { line: 11, column: 11 }, end: { line: 11, column: 36 }, path: 'suppressions[0].rule' },
      },
    ]);
  });
  it('accepts an empty YAML file as an empty config', () => {
    const dir = writeTree({ 'oidc-lint.config.yaml': '# nothing yet\n' });
    expect(loadConfigFile(path.join(dir, 'oidc-lint.config.yaml'), rules).config).toEqual({ rules: {}, settings: {} });
  });
  it('formats JSON paths with quoted keys where a key is not a plain name', () => {
    expect(formatPath(['rules', 'no-wildcard-subject', 1, 'audiences'])).toBe('rules.no-wildcard-subject[1].audiences');
    expect(formatPath(['roles', 'vars.DEPLOY'])).toBe('roles["vars.DEPLOY"]');
  });
});

describe('the shipped schema', () => {
  it('compiles in ajv strict mode and names every top-level key the README documents', () => {
    const schema = JSON.parse(readFileSync(configSchemaPath(), 'utf8'));
    new Ajv({ strict: true, strictTuples: false, strictRequired: false }).compile(schema);
    expect(Object.keys(schema.properties)).toEqual(['$schema', 'rules', 'ignore', 'audiences', 'repository', 'roles', 'tokenRequests', 'suppressions']);
    const readme = readFileSync(path.join(path.dirname(configSchemaPath()), '..', 'README.md'), 'utf8');
    for (const key of Object.keys(schema.properties).filter((k) => k !== '$schema')) expect(readme).toContain(`\`${key}\``);
  });
});
