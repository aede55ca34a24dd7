import { describe, expect, it } from 'vitest';
import { brief, lintTree, WF } from '../helpers/project.js';

const ID = 'no-deprecated-aws-credentials-action';
const wf = (...refs: string[]) =>
  `on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n    steps:\n${refs
    .map((r) => `      - uses: ${r}\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/r\n          aws-region: eu-west-1\n`)
    .join('')}`;
const CAC = 'aws-actions/configure-aws-credentials';
const SHA = '5fd3084fc36e372ff1fff382a39b10d03659f355';

describe(ID, () => {
  it('flags majors 1 to 3 at the uses: value, judging a pin by its version comment', async () => {
    const f = await lintTree({ [WF]: wf(`${CAC}@v1`, `${CAC}@v2.2.0`, `${CAC}@v3`, `${CAC}@v4`, `${CAC}@${SHA} # tag=v1.7.0`, `${CAC}@${SHA} # v5.0.0`, `${CAC}@${SHA}`) }, ID);
    expect(brief(f)).toEqual(['retired@8:15', 'retired@12:15', 'retired@16:15', 'retiredPinned@24:15']);
    expect(f[3].message).toContain('says v1.7.0: major version 1 runs on node12');
    expect(f.map((x) => x.severity)).toEqual(['low', 'low', 'low', 'low']);
  });
  it('bumps tag refs to v6 in the uses: token only; a pin gets a suggestion, never an edit', async () => {
    const f = await lintTree({ [WF]: wf(`'${CAC}@v2'`, `${CAC}@${SHA} # v3.0.1`) }, ID);
    expect(f[0].fix?.edits).toEqual([{ file: WF, start: { line: 8, column: 15 }, end: { line: 8, column: 57 }, text: `'${CAC}@v6'` }]);
    expect(f[1].fix).toBeUndefined();
    expect(f[1].suggestions?.[0].description).toMatch(/^Pin the commit that the v6 tag points to/);
  });
  it('ignores other actions, local actions and refs it cannot judge', async () => {
    const f = await lintTree({ [WF]: wf('someone/configure-aws-credentials@v1', './configure-aws-credentials', `${CAC}@release-2023`, `${CAC}@main`) }, ID);
    expect(f).toEqual([]);
  });
  it('with requireShaPin, flags every ref that is not a full commit SHA (medium severity)', async () => {
    const f = await lintTree({ [WF]: wf(`${CAC}@v6`, `${CAC}@main`, `${CAC}@5fd3084`, `${CAC}@${SHA} # v6.0.0`, `${CAC}@v2`) }, ID, [{ requireShaPin: true }]);
    expect(brief(f)).toEqual(['unpinned@8:15', 'unpinned@12:15', 'unpinned@16:15', 'retired@24:15', 'unpinned@24:15']);
    expect(f.map((x) => x.message.match(/move that (\w+)/)?.[1] ?? null)).toEqual(['tag', 'branch', 'ref', null, 'tag']);
    expect(f[0].severity).toBe('medium');
  });
  it('flags @master, a tag left at a 2023 node16 commit, and bumps it to v6', async () => {
    const f = await lintTree({ [WF]: wf(`${CAC}@master`) }, ID);
    expect(brief(f)).toEqual(['masterTag@8:15']);
    expect(f[0].fix?.edits[0].text).toBe(`${CAC}@v6`);
  });
  it('rejects unknown options', async () => {
    await expect(lintTree({ [WF]: wf(`${CAC}@v1`) }, ID, [{ pin: true }])).rejects.toThrow(/invalid options/);
  });
});
