import { describe, expect, it } from 'vitest';
import { brief, lintTree, loadTree, WF } from '../helpers/project.js';
import { lintProject } from '../../src/engine/linter.js';
import { rules } from '../../src/rules/index.js';

const ID = 'no-branch-ref-with-credentials';
const job = (steps: string) => `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`;
const configure = (ref: string) => `      - uses: aws-actions/configure-aws-credentials@${ref}\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/r\n          aws-region: eu-west-1\n`;

describe(ID, () => {
  it('flags configure-aws-credentials on a branch; its master is a tag (no-deprecated-aws-credentials-action)', async () => {
    const f = await lintTree({ [WF]: job(configure('main') + configure('master') + configure('v6') + configure('release-2023') + configure('develop')) }, ID);
    expect(brief(f)).toEqual(['configureBranch@6:15', 'configureBranch@22:15']);
    expect(f.map((x) => x.level)).toEqual(['error', 'error']);
  });
  it('flags a branch-pinned action only once it holds credentials', async () => {
    const f = await lintTree(
      {
        [WF]: job(
          '      - uses: a/before@main\n' +
            '      - uses: a/keys@develop\n        with:\n          aws-secret-access-key: ${{ secrets.K }}\n' +
            '      - uses: a/empty@main\n        env:\n          AWS_ACCESS_KEY_ID: ""\n' +
            configure('v6') +
            '      - uses: a/after@trunk\n' +
            '      - uses: a/tagged@v1\n' +
            '      - uses: docker://alpine:main\n',
        ),
      },
      ID,
    );
    expect(brief(f)).toEqual(['branchInputs@7:15', 'branchAfterConfigure@17:15']);
    expect(f[1].message).toContain('(line 13)');
  });
  it('leaves release branches alone, and subfolder actions that only inherit credentials when the owner is unknown', async () => {
    const f = await lintTree(
      {
        [WF]: job(
          configure('v6') +
            '      - uses: pypa/gh-action-pypi-publish@release/v1\n' +
            '      - uses: octo-org/ci/.github/actions/upload@main\n' +
            '      - uses: octo-org/ci/.github/actions/upload@main\n        env:\n          AWS_SESSION_TOKEN: ${{ env.AWS_SESSION_TOKEN }}\n',
        ),
      },
      ID,
    );
    expect(brief(f)).toEqual(['branchInputs@12:15']);
  });
  it('leaves actions of the repository owner alone', async () => {
    const project = await loadTree({ [WF]: job(configure('v6') + '      - uses: Octo-Org/deploy-action@main\n      - uses: other/deploy-action@main\n') });
    const cfg = Object.fromEntries(rules.map((r) => [r.id, r.id === ID ? 'error' : 'off']));
    const { findings } = lintProject(project, rules, { rules: cfg as never, settings: { repository: { owner: 'octo-org', repo: 'site' } } });
    expect(brief(findings)).toEqual(['branchAfterConfigure@11:15']);
  });
});
