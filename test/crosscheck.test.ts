/** The cross-check end to end: config identity and mappings, git-remote identity, explain. */
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { writeTree } from './helpers/project.js';

async function run(dir: string, args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { cwd: dir, stdout: (s) => (out += s), stderr: (s) => (err += s), env: {} });
  return { code, out, err };
}

const POLICY = (sub: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': sub } },
      },
    ],
  });

const WORKFLOW = (role: string, env = '') =>
  `on:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: x\n${env}    permissions:\n      id-token: write\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: ${role}\n          aws-region: us-east-1\n`;

const CONFIG = 'repository:\n  owner: octo-org\n  repo: octo-repo\n  defaultBranch: main\nroles:\n  vars.DEPLOY_ROLE: arn:aws:iam::123456789012:role/deploy\n';

describe('cross-check', () => {
  it('follows a configured ${{ vars.X }} mapping to the role and predicts the refusal', async () => {
    const dir = writeTree({
      'oidc-lint.config.yaml': CONFIG,
      '.github/workflows/deploy.yml': WORKFLOW('${{ vars.deploy_role }}', '    environment: production\n'),
      'iam/deploy-trust.json': POLICY('repo:octo-org/octo-repo:ref:refs/heads/main'),
    });
    const r = await run(dir, ['.', '-f', 'json']);
    const doc = JSON.parse(r.out);
    const f = doc.findings.find((x: any) => x.ruleId === 'no-unassumable-role');
    expect(f).toMatchObject({ messageId: 'refused', confidence: 'high', location: { file: '.github/workflows/deploy.yml', start: { line: 13, column: 27 } } });
    expect(f.message).toContain('repo:octo-org/octo-repo:environment:production');
    expect(f.related[0].loc).toMatchObject({ file: 'iam/deploy-trust.json' });
    expect(doc.unresolvedAssumptions).toEqual([]);
  });
  it('reads the identity from the git remote when there is no config, and lists unresolved roles in JSON', async () => {
    const dir = writeTree({
      '.git/config': '[remote "origin"]\n\turl = git@github.com:octo-org/octo-repo.git\n',
      '.github/workflows/deploy.yml': WORKFLOW('arn:aws:iam::123456789012:role/deploy'),
      '.github/workflows/other.yml': WORKFLOW('${{ secrets.UNMAPPED }}').replace('deploy:', 'other:'),
      'iam/deploy-trust.json': POLICY('repo:octo-org/octo-repo:environment:production'),
    });
    const doc = JSON.parse((await run(dir, ['.', '-f', 'json'])).out);
    expect(doc.findings.filter((x: any) => x.ruleId === 'no-unassumable-role').map((x: any) => x.message)).toEqual([
      expect.stringContaining('repo:octo-org/octo-repo:ref:refs/heads/main'),
    ]);
    expect(doc.unresolvedAssumptions.map((u: any) => u.job)).toEqual(['other']);
  });
  it('explain: who can assume a role, the jobs using it, and the tightest list — by name, ARN or file:line', async () => {
    const dir = writeTree({
      'oidc-lint.config.yaml': CONFIG,
      '.github/workflows/deploy.yml': WORKFLOW('arn:aws:iam::123456789012:role/deploy', '    environment: production\n'),
      'iam/deploy-trust.json': POLICY('repo:octo-org/octo-repo:*').replace('StringEquals', 'StringLike'),
    });
    const text = await run(dir, ['explain', 'deploy', '.']);
    expect(text.code).toBe(0);
    expect(text.out).toContain('octo-org/octo-repo: every branch, tag, pull request and environment');
    expect(text.out).toMatch(/admitted\s+repo:octo-org\/octo-repo:environment:production/);
    expect(text.out).toContain('"StringEquals": { "token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:environment:production" }');
    const json = JSON.parse((await run(dir, ['explain', 'arn:aws:iam::123456789012:role/deploy', '.', '-f', 'json'])).out);
    expect(json[0]).toMatchObject({ role: { label: 'deploy (iam/deploy-trust.json)' }, tightest: ['repo:octo-org/octo-repo:environment:production'] });
    expect(json[0].jobs[0].runs[0]).toMatchObject({ admitted: true, events: ['push'] });
    expect((await run(dir, ['explain', 'iam/deploy-trust.json:1', '.'])).code).toBe(0);
    const missing = await run(dir, ['explain', 'nope', '.']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no role matching 'nope'/);
  });
  it('explain and the rules give one verdict on a role restricted only by job_workflow_ref', async () => {
    const jwr = 'octo-org/deploy-workflows/.github/workflows/deploy.yml@refs/heads/main';
    const dir = writeTree({ 'iam/deploy-trust.json': POLICY('x').replace('"token.actions.githubusercontent.com:sub":"x"', `"token.actions.githubusercontent.com:job_workflow_ref":"${jwr}"`) });
    const text = await run(dir, ['explain', 'deploy', '.', '--no-config']);
    expect(text.out).toContain('owners:       ANY GitHub owner whose workflow calls octo-org/deploy-workflows/.github/workflows/deploy.yml');
    const lint = JSON.parse((await run(dir, ['.', '--no-config', '-f', 'json'])).out);
    expect(lint.findings.map((f: any) => `${f.ruleId}/${f.messageId}/${f.severity}`)).toEqual(['require-subject-condition/workflowOnly/high']);
  });
});
