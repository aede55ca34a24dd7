import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/loaders/index.js';
import { parseRemoteUrl, identityFromGit } from '../../src/loaders/shared/repo-identity.js';
import { writeTree, trustPolicy } from '../helpers/project.js';
import type { Role } from '../../src/model/iam.js';

const wf = (role: string, env = '') => `on: push\n${env}jobs:\n  d:\n    runs-on: x\n    permissions:\n      id-token: write\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: ${role}\n          aws-region: us-east-1\n`;

/** Gives the JSON-policy role of the tree an identity, as IaC loaders do. */
async function linked(files: Record<string, string>, mapping?: Record<string, string>) {
  const dir = writeTree(files);
  const project = await loadProject([dir], { root: dir, roleMappings: mapping });
  return project;
}

describe('linking jobs to roles', () => {
  it('matches by ARN, by bare role name, through same-file env and through a configured mapping', async () => {
    const { linkProject } = await import('../../src/model/links.js');
    const project = await linked({
      '.github/workflows/a.yml': wf('arn:aws:iam::123456789012:role/deploy'),
      '.github/workflows/b.yml': wf('deploy'),
      '.github/workflows/c.yml': wf('${{ env.ROLE }}', 'env:\n  ROLE: arn:aws:iam::123456789012:role/deploy\n'),
      '.github/workflows/d.yml': wf('${{ vars.DEPLOY_ROLE }}'),
      '.github/workflows/e.yml': wf('arn:aws:iam::${{ vars.ACCOUNT }}:role/deploy'),
      '.github/workflows/f.yml': wf('${{ secrets.UNKNOWN }}'),
      'iam/trust.json': trustPolicy({}),
    });
    const role: Role = project.roles[0];
    role.name = { value: 'deploy', raw: 'deploy', loc: role.loc, resolution: 'literal' };
    role.arn = { value: 'arn:aws:iam::123456789012:role/deploy', raw: '', loc: role.loc, resolution: 'expression' };
    const links = linkProject(project, { 'vars.DEPLOY_ROLE': 'arn:aws:iam::123456789012:role/deploy' });
    const how = (file: string) => [...links.byAssumption].find(([ra]) => ra.job.parent.file.endsWith(file))?.[1].map((l) => l.match);
    expect(how('a.yml')).toEqual(['arn']);
    expect(how('b.yml')).toEqual(['name']);
    expect(how('c.yml')).toEqual(['arn']);
    expect(how('d.yml')).toEqual(['mapping']);
    expect(how('e.yml')).toEqual(['name']);
    expect(links.unresolved.map((ra) => ra.job.parent.file)).toEqual(['.github/workflows/f.yml']);
    expect(links.byRole.get(role)).toHaveLength(5);
  });
});

describe('a role name found in several places', () => {
  it('keeps the candidates of the account the ARN names, and those whose account is unknown', async () => {
    const { linkProject } = await import('../../src/model/links.js');
    const project = await linked({
      '.github/workflows/a.yml': wf('arn:aws:iam::111111111111:role/deploy'),
      '.github/workflows/b.yml': wf('deploy'),
      'iam/a.json': trustPolicy({}),
      'iam/b.json': trustPolicy({}),
      'iam/c.json': trustPolicy({}),
    });
    const [a, b, c] = project.roles;
    const named = (r: Role, arn: string, resolution: 'literal' | 'unresolved' = 'literal') => {
      r.name = { value: 'deploy', raw: 'deploy', loc: r.loc, resolution: 'literal' };
      r.arn = { value: arn, raw: '', loc: r.loc, resolution };
    };
    named(a, 'arn:aws:iam::111111111111:role/ci/deploy');
    named(b, 'arn:aws:iam::222222222222:role/deploy');
    named(c, 'arn:aws:iam::${AWS::AccountId}:role/deploy', 'unresolved');
    const links = linkProject(project);
    const roles = (file: string) => [...links.byAssumption].find(([ra]) => ra.job.parent.file.endsWith(file))?.[1].map((l) => l.role);
    expect(roles('a.yml')).toEqual([a, c]);
    expect(roles('b.yml')).toEqual([a, b, c]);
  });
});

describe('repository identity', () => {
  it('parses the usual remote URL shapes', () => {
    expect(parseRemoteUrl('git@github.com:Octo-Org/octo-repo.git')).toEqual({ host: 'github.com', owner: 'Octo-Org', repo: 'octo-repo' });
    expect(parseRemoteUrl('https://github.com/octo-org/octo-repo')).toEqual({ host: 'github.com', owner: 'octo-org', repo: 'octo-repo' });
    expect(parseRemoteUrl('ssh://git@ghe.example.com:2222/team/app.git')).toEqual({ host: 'ghe.example.com', owner: 'team', repo: 'app' });
    expect(parseRemoteUrl('/some/local/path')).toBeUndefined();
  });
  it('reads origin and the default branch from .git without running git', () => {
    const dir = writeTree({
      '.git/config': '[core]\n\tbare = false\n[remote "upstream"]\n\turl = https://github.com/other/x\n[remote "origin"]\n\turl = git@github.com:octo-org/octo-repo.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n',
      '.git/refs/remotes/origin/HEAD': 'ref: refs/remotes/origin/trunk\n',
      'sub/dir/file.txt': '',
    });
    expect(identityFromGit(`${dir}/sub/dir`)).toEqual({ owner: 'octo-org', repo: 'octo-repo', host: 'github.com', defaultBranch: 'trunk', source: 'git-remote' });
  });
});
