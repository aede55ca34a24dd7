import { describe, expect, it } from 'vitest';
import { brief, lintTree, WF } from '../helpers/project.js';

const ID = 'no-excessive-id-token-permission';
const ASSUME = `      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/r\n          aws-region: eu-west-1\n`;
const job = (id: string, steps: string, extra = '') => `  ${id}:\n    runs-on: ubuntu-latest\n${extra}    steps:\n${steps}`;
const wf = (perms: string, ...jobs: string[]) => `on: push\n${perms}jobs:\n${jobs.join('')}`;
const WF_GRANT = 'permissions:\n  contents: read\n  id-token: write\n';
const JOB_GRANT = '    permissions:\n      id-token: write\n';

describe(`${ID}: which jobs need a token`, () => {
  const verdictOf = async (steps: string, options?: unknown[]) => {
    const f = await lintTree({ [WF]: wf('', job('j', steps, JOB_GRANT)) }, ID, options);
    return f.map((x) => `${x.messageId}/${x.confidence}`);
  };
  it('a role assumption, a known token action or a token-minting command needs it', async () => {
    expect(await verdictOf(ASSUME)).toEqual([]);
    expect(await verdictOf('      - uses: google-github-actions/auth@v2\n        with:\n          workload_identity_provider: ${{ vars.WIP }}\n')).toEqual([]);
    expect(await verdictOf('      - uses: actions/deploy-pages@v4\n')).toEqual([]);
    expect(await verdictOf('      - run: pnpm publish --no-git-checks\n')).toEqual([]);
    expect(await verdictOf('      - run: cosign sign --yes "$IMAGE"\n')).toEqual([]);
    expect(await verdictOf('      - run: curl -sH "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL"\n')).toEqual([]);
    expect(await verdictOf('      - uses: codecov/codecov-action@v5\n        with:\n          use_oidc: true\n')).toEqual([]);
  });
  it('understood steps that mint nothing do not: high confidence without scripts, medium with them', async () => {
    expect(await verdictOf('      - uses: actions/checkout@v4\n      - uses: docker/setup-buildx-action@v3\n')).toEqual(['jobLevel/high']);
    expect(await verdictOf('      - uses: actions/checkout@v4\n      - run: make test\n')).toEqual(['jobLevel/medium']);
    expect(await verdictOf('      - uses: codecov/codecov-action@v5\n')).toEqual(['jobLevel/high']);
    // configure-aws-credentials with static keys mints no token.
    expect(await verdictOf('      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          aws-access-key-id: ${{ secrets.K }}\n          aws-secret-access-key: ${{ secrets.S }}\n          aws-region: eu-west-1\n')).toEqual(['jobLevel/high']);
  });
  it('steps it cannot see into make it "cannot tell": nothing by default; with reportUncertain, low confidence and no fix; tokenActions settles them', async () => {
    const UNCERTAIN = [{ reportUncertain: true }];
    expect(await verdictOf('      - uses: example/tool@v1\n')).toEqual([]);
    expect(await verdictOf('      - uses: example/tool@v1\n', UNCERTAIN)).toEqual(['jobLevelUnsure/low']);
    expect(await verdictOf('      - uses: ./.github/actions/deploy\n', UNCERTAIN)).toEqual(['jobLevelUnsure/low']);
    expect(await verdictOf('      - run: goreleaser release --clean\n', UNCERTAIN)).toEqual(['jobLevelUnsure/low']);
    // A cloud CLI cannot fetch a GitHub OIDC token by itself: without a token request, nothing needs the grant.
    expect(await verdictOf('      - run: terraform fmt -check && terraform init -backend=false\n')).toEqual(['jobLevel/medium']);
    expect(await verdictOf('      - uses: example/tool@v1\n', [{ tokenActions: ['Example/Tool'], reportUncertain: true }])).toEqual([]);
    const f = await lintTree({ [WF]: wf('', job('j', '      - uses: example/tool@v1\n      - run: pulumi up --yes\n', JOB_GRANT)) }, ID, UNCERTAIN);
    expect(f[0].message).toContain('it cannot see inside example/tool, `pulumi`');
    expect(f[0].fix).toBeUndefined();
  });
  it('a reusable-workflow call needs it when the callee does, or when the callee cannot be read', async () => {
    const call = (uses: string) => `  call:\n    permissions:\n      id-token: write\n    uses: ${uses}\n`;
    const callee = (steps: string, perms = '') => `on:\n  workflow_call:\njobs:\n  inner:\n    runs-on: x\n${perms}    steps:\n${steps}`;
    // Findings on the caller only (a callee's own grant is judged in its own file).
    const check = async (files: Record<string, string>) => brief((await lintTree(files, ID)).filter((f) => f.location.file === WF));
    expect(await check({ [WF]: wf('', call('example/repo/.github/workflows/deploy.yml@v1')) })).toEqual([]);
    expect(await check({ [WF]: wf('', call('./.github/workflows/missing.yml')) })).toEqual([]);
    expect(await check({ [WF]: wf('', call('./.github/workflows/deploy.yml')), '.github/workflows/deploy.yml': callee(ASSUME) })).toEqual([]);
    // The callee asks for id-token itself: GitHub rejects the call unless the caller grants it.
    const nested = { [WF]: wf('', call('./.github/workflows/deploy.yml')), '.github/workflows/deploy.yml': callee('      - run: make\n', JOB_GRANT) };
    expect(await check(nested)).toEqual([]);
    expect((await lintTree(nested, ID)).map((f) => `${f.location.file} ${f.messageId}`)).toEqual(['.github/workflows/deploy.yml jobLevel']);
    expect(brief(await lintTree({ [WF]: wf('', call('./.github/workflows/build.yml')), '.github/workflows/build.yml': callee('      - run: make\n') }, ID))).toEqual(['jobLevel@5:17']);
    // A workflow that calls itself terminates (its own grant then reads as the callee's request).
    expect(brief(await lintTree({ [WF]: `on:\n  workflow_call:\njobs:\n${call('./.github/workflows/ci.yml')}` }, ID))).toEqual([]);
  });
});

describe(`${ID}: workflow-level grants`, () => {
  it('reports at the grant, lists the jobs that do not need it, relates the ones that do', async () => {
    const f = await lintTree({ [WF]: wf(WF_GRANT, job('test', '      - run: make test\n'), job('deploy', ASSUME), job('docs', '      - uses: actions/checkout@v4\n')) }, ID);
    expect(brief(f)).toEqual(['workflowLevel@4:13']);
    expect(f[0].message).toContain('("test", "docs")');
    expect(f[0].confidence).toBe('medium');
    expect(f[0].related.map((r) => `${r.loc.start.line}:${r.loc.start.column} ${r.message}`)).toEqual(['10:3 Job "deploy" requests an OIDC token: grant id-token: write here.']);
    expect(f[0].fix?.description).toBe('Remove id-token: write from the workflow-level permissions and give "deploy" their own permissions block with the workflow-level scopes (a job-level block replaces the workflow-level one).');
  });
  it('is quiet when every job that inherits the grant needs it', async () => {
    const f = await lintTree({ [WF]: wf(WF_GRANT, job('a', ASSUME), job('b', '      - run: make\n', '    permissions:\n      contents: read\n')) }, ID);
    expect(f).toEqual([]);
  });
  it('moves the grant onto jobs it is unsure about too, so the fix never takes a token away from them', async () => {
    const f = await lintTree({ [WF]: wf(WF_GRANT, job('test', '      - run: make\n'), job('scan', '      - uses: example/scan@v1\n')) }, ID);
    expect(brief(f)).toEqual(['workflowLevel@4:13']);
    expect(f[0].message).toContain('("test")');
    expect(f[0].fix?.edits.map((e) => `${e.start.line}:${e.start.column}-${e.end.line}:${e.end.column} ${JSON.stringify(e.text)}`)).toEqual([
      '4:1-5:1 ""',
      '12:1-12:1 "    permissions:\\n      contents: read\\n      id-token: write\\n"',
    ]);
  });
  it('only unsure jobs: nothing by default; with reportUncertain, low confidence and no fix', async () => {
    const files = { [WF]: wf(WF_GRANT, job('scan', '      - uses: example/scan@v1\n'), job('deploy', ASSUME)) };
    expect(await lintTree(files, ID)).toEqual([]);
    const f = await lintTree(files, ID, [{ reportUncertain: true }]);
    expect(brief(f)).toEqual(['workflowLevelUnsure@4:13']);
    expect([f[0].confidence, f[0].fix]).toEqual(['low', undefined]);
  });
  it('write-all is reported at the shorthand, without a fix', async () => {
    const f = await lintTree({ [WF]: wf('permissions: write-all\n', job('test', '      - run: make\n')) }, ID);
    expect(brief(f)).toEqual(['workflowLevel@2:14']);
    expect(f[0].fix).toBeUndefined();
    const j = await lintTree({ [WF]: wf('', job('test', '      - run: make\n', '    permissions: write-all\n')) }, ID);
    expect(brief(j)).toEqual(['jobLevel@5:18']);
    expect(j[0].fix).toBeUndefined();
  });
  it('a grant no job inherits is inert', async () => {
    const f = await lintTree({ [WF]: wf('permissions:\n  id-token: write\n', job('deploy', ASSUME, JOB_GRANT)) }, ID);
    expect(brief(f)).toEqual(['workflowInert@3:13']);
    expect(f[0].fix?.edits).toEqual([{ file: WF, start: { line: 2, column: 12 }, end: { line: 3, column: 18 }, text: ': {}' }]);
  });
  it('leaves expression levels and grants of none alone', async () => {
    expect(await lintTree({ [WF]: wf('permissions:\n  id-token: ${{ inputs.token }}\n', job('t', '      - run: make\n')) }, ID)).toEqual([]);
    expect(await lintTree({ [WF]: wf('permissions:\n  id-token: none\n', job('t', '      - run: make\n')) }, ID)).toEqual([]);
  });
});
