/** The workflow graph: local actions (loaded, resolved, expanded with their inputs), and what it cannot see into. */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { mkdirSync, symlinkSync } from 'node:fs';
import { loadProject } from '../../src/loaders/index.js';
import { graphOf, MAX_ACTION_DEPTH, MAX_EXPANDED_STEPS } from '../../src/model/graph.js';
import { loadConfigFile } from '../../src/engine/config-file.js';
import { rules } from '../../src/rules/index.js';
import type { Project } from '../../src/model/project.js';
import { brief, lintTree, loadTree, trustPolicy, writeTree, WF } from '../helpers/project.js';

const CAC = (role: string) => `    - uses: aws-actions/configure-aws-credentials@v6\n      with:\n        role-to-assume: ${role}\n        aws-region: eu-west-1\n`;
const composite = (steps: string, inputs = '') => `name: a\n${inputs}runs:\n  using: composite\n  steps:\n${steps}`;
const workflow = (steps: string, perms = '') => `on: push\n${perms}jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`;
const ROLE = 'arn:aws:iam::123456789012:role/deploy';

const job = (p: Project) => p.workflows[0].jobs[0];

describe('action loader', () => {
  it('loads action.yml and action.yaml anywhere: inputs with defaults, composite steps with positions, the kind of the others', async () => {
    const p = await loadTree({
      'a/action.yml': composite(CAC('${{ inputs.role }}'), 'inputs:\n  role:\n    required: true\n  region:\n    default: eu-west-1\n'),
      'b/action.yaml': 'runs:\n  using: node20\n  main: index.js\n',
      'c/action.yml': "runs:\n  using: 'docker'\n  image: Dockerfile\n",
      'action.yml': 'runs:\n  using: something-new\n',
      // Not action metadata (no top-level runs): left to the other loaders, not an action.
      'd/action.yml': 'name: something else\n',
    });
    const byDir = Object.fromEntries((p.actions ?? []).map((a) => [a.dir, a]));
    expect(Object.keys(byDir).sort()).toEqual(['', 'a', 'b', 'c']);
    expect([byDir.a.kind, byDir.b.kind, byDir.c.kind, byDir[''].kind]).toEqual(['composite', 'javascript', 'docker', 'unknown']);
    expect(byDir.a.inputs.map((i) => `${i.name.value}=${i.default?.value ?? '-'}`)).toEqual(['role=-', 'region=eu-west-1']);
    const step = byDir.a.steps[0];
    expect([step.parent, step.uses?.loc.start]).toEqual([byDir.a, { line: 10, column: 13 }]);
    expect(p.sources.filter((s) => s.kind === 'action').map((s) => s.path).sort()).toEqual(['a/action.yml', 'action.yml', 'b/action.yaml', 'c/action.yml']);
    expect(p.loadErrors).toEqual([]);
  });
  it('reports a composite action without steps, a step that is not a mapping, and YAML it cannot parse', async () => {
    const p = await loadTree({
      'a/action.yml': 'runs:\n  using: composite\n',
      'b/action.yml': 'runs:\n  using: composite\n  steps:\n    - just a string\n',
      'c/action.yml': 'runs:\n  using: composite\n  steps: [\n',
    });
    expect(p.loadErrors.map((e) => `${e.loc.file}:${e.loc.start.line} ${e.kind} ${e.message.slice(0, 60)}`).sort()).toEqual([
      "a/action.yml:2 structure a composite action needs 'runs.steps', a sequence of steps",
      "b/action.yml:4 structure step 1 of composite action 'b/action.yml' must be a mapping",
      expect.stringMatching(/^c\/action\.yml:\d+ syntax YAML: /),
    ]);
  });
});

describe('workflow graph: local actions', () => {
  it('a role assumed inside a composite action is the calling job’s, with the role the caller passes (and its position)', async () => {
    const p = await loadTree({
      '.github/actions/aws/action.yml': composite(CAC('${{ inputs.role }}'), 'inputs:\n  role:\n    required: true\n'),
      [WF]: workflow(`      - uses: ./.github/actions/aws/\n        with:\n          role: ${ROLE}\n`),
    });
    const [ra] = job(p).roleAssumptions;
    expect(ra.step).toBe(job(p).steps[0]);
    expect(ra.inner?.map((s) => s.loc.file)).toEqual(['.github/actions/aws/action.yml']);
    expect([ra.roleArn?.value, ra.roleArn?.loc.file, ra.roleArn?.loc.start.line]).toEqual([ROLE, WF, 8]);
  });
  it('binds inputs through nested composite actions, defaults and partly known strings; an input given no value is empty', async () => {
    const p = await loadTree({
      '.github/actions/outer/action.yml': composite('    - uses: ./.github/actions/inner\n      with:\n        account: ${{ inputs.account }}\n', 'inputs:\n  account: {}\n'),
      '.github/actions/inner/action.yml': composite(CAC('arn:aws:iam::${{ inputs.account }}:role/${{ inputs.name }}'), 'inputs:\n  account: {}\n  name:\n    default: deploy\n'),
      '.github/actions/empty/action.yml': composite(CAC('${{ inputs.role }}'), 'inputs:\n  role: {}\n'),
      [WF]: workflow('      - uses: ./.github/actions/outer\n        with:\n          account: "123456789012"\n      - uses: ./.github/actions/empty\n'),
    });
    const ras = job(p).roleAssumptions;
    expect(ras.map((r) => [r.roleArn?.value, r.roleArn?.resolution, r.inner?.length])).toEqual([[ROLE, 'expression', 2]]);
  });
  it('names this repository as OWNER/REPO/path@ref only when the identity says so', async () => {
    const files = {
      'tools/aws/action.yml': composite(CAC(ROLE)),
      [WF]: workflow('      - uses: Octo-Org/API/tools/aws@main\n      - uses: other/repo/tools/aws@main\n'),
    };
    const dir = writeTree(files);
    const p = await loadProject([dir], { root: dir, identity: { owner: 'octo-org', repo: 'api', source: 'config' } });
    expect(job(p).roleAssumptions.map((r) => r.step.index)).toEqual([0]);
    const unknown = await loadProject([dir], { root: dir, identity: undefined });
    expect(unknown.workflows[0].jobs[0].roleAssumptions).toEqual([]);
  });
  it('JavaScript and Docker actions, and local paths with no metadata, are opaque: named, never guessed', async () => {
    const p = await loadTree({
      'js/action.yml': 'runs:\n  using: node20\n  main: x.js\n',
      'docker/action.yml': 'runs:\n  using: docker\n  image: Dockerfile\n',
      [WF]: workflow('      - uses: ./js\n      - uses: ./docker\n      - uses: ./not-checked-in\n      - uses: ./../outside\n'),
    });
    expect(graphOf(p).expand(job(p)).opaque.map((o) => `${o.reason} ${o.what}`)).toEqual([
      'opaque ./js (a JavaScript action)',
      'opaque ./docker (a Docker action)',
      'missing ./not-checked-in',
      'missing ./../outside',
    ]);
  });
  it('resolves from the repository of the workflow when the scan holds several', async () => {
    const p = await loadTree({
      'svc/.github/actions/aws/action.yml': composite(CAC(ROLE)),
      'svc/.github/workflows/ci.yml': workflow('      - uses: ./.github/actions/aws\n'),
    });
    expect(job(p).roleAssumptions).toHaveLength(1);
  });
  it('reports a cycle once, at the uses that closes it, and stops', async () => {
    const p = await loadTree({
      'a/action.yml': composite('    - uses: ./b\n'),
      'b/action.yml': composite('    - uses: ./a\n'),
      [WF]: workflow('      - uses: ./a\n      - uses: ./a\n'),
    });
    expect(p.loadErrors.map((e) => `${e.loc.file}:${e.loc.start.line}:${e.loc.start.column} ${e.message}`)).toEqual(['b/action.yml:5:13 composite actions call each other in a cycle (a → b → a); GitHub cannot run it']);
    expect(graphOf(p).expand(job(p)).opaque.map((o) => o.reason)).toEqual(['cycle', 'cycle']);
  });
  it(`stops after ${MAX_ACTION_DEPTH} levels of nesting`, async () => {
    const files: Record<string, string> = { [WF]: workflow('      - uses: ./a0\n') };
    for (let i = 0; i <= MAX_ACTION_DEPTH + 1; i++) files[`a${i}/action.yml`] = composite(`    - uses: ./a${i + 1}\n`);
    const p = await loadTree(files);
    expect(p.loadErrors.map((e) => `${e.loc.file} ${e.message}`)).toEqual([`a${MAX_ACTION_DEPTH - 1}/action.yml composite actions nested more than ${MAX_ACTION_DEPTH} levels deep (a0 → a1 → a2 → a3 → a4 → a5 → a6 → a7 → a8 → a9 → a10); not followed further`]);
  });
  it('links the role assumed inside an action to its trust policy', async () => {
    const p = await loadTree({
      '.github/actions/aws/action.yml': composite(CAC(ROLE)),
      [WF]: workflow('      - uses: ./.github/actions/aws\n'),
      'iam/deploy-trust.json': trustPolicy({ Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } } }),
    });
    expect(p.links.byAssumption.get(job(p).roleAssumptions[0])?.map((l) => l.match)).toEqual(['name']);
  });
});

describe('rules through the graph', () => {
  const ACTION = { '.github/actions/aws/action.yml': composite(CAC('${{ inputs.role }}'), 'inputs:\n  role: {}\n') };
  const CALL = `      - uses: ./.github/actions/aws\n        with:\n          role: ${ROLE}\n`;
  it('require-id-token-permission: at the step that runs the action, the request inside it as related location', async () => {
    const f = await lintTree({ ...ACTION, [WF]: workflow(CALL, 'permissions:\n  contents: read\n') }, 'require-id-token-permission');
    expect(brief(f)).toEqual(['missing@8:15']);
    expect(f[0].related.map((r) => `${r.loc.file}:${r.loc.start.line}:${r.loc.start.column}`)).toEqual([`${WF}:2:1`, '.github/actions/aws/action.yml:7:13']);
    expect(await lintTree({ ...ACTION, [WF]: workflow(CALL, 'permissions:\n  id-token: write\n') }, 'require-id-token-permission')).toEqual([]);
  });
  it('no-excessive-id-token-permission: a job whose local action requests a token needs its grant; one that requests none does not', async () => {
    const grant = 'permissions:\n  id-token: write\n';
    expect(await lintTree({ ...ACTION, [WF]: workflow(CALL, grant) }, 'no-excessive-id-token-permission')).toEqual([]);
    const quiet = { '.github/actions/aws/action.yml': composite('    - run: make\n      shell: bash\n') };
    expect(brief(await lintTree({ ...quiet, [WF]: workflow('      - uses: ./.github/actions/aws\n', grant) }, 'no-excessive-id-token-permission'))).toEqual(['workflowLevel@3:13']);
  });
  it('lints the steps of every action, called or not', async () => {
    const f = await lintTree({ 'x/action.yml': composite('    - uses: aws-actions/configure-aws-credentials@v3\n') }, 'no-deprecated-aws-credentials-action');
    expect(f.map((x) => `${x.location.file} ${x.messageId}`)).toEqual(['x/action.yml retired']);
  });
});

describe('token requests declared in the config', () => {
  it('adds actions and commands oidc-lint does not know, and refuses a bad regular expression with its position', async () => {
    const dir = writeTree({
      'oidc-lint.config.yaml': "tokenRequests:\n  - uses: example/deploy\n    when: { target: { oneOf: [prod] } }\n  - run: '\\bmy-oidc-login\\b'\n",
      'bad/oidc-lint.config.yaml': "tokenRequests:\n  - run: '(unclosed'\n",
    });
    const { config } = loadConfigFile(path.join(dir, 'oidc-lint.config.yaml'), rules);
    expect(config.settings.tokenRequests?.map((t) => `${t.label} ${t.need}`)).toEqual(['example/deploy required', '`\\bmy-oidc-login\\b` required']);
    expect(() => loadConfigFile(path.join(dir, 'bad/oidc-lint.config.yaml'), rules)).toThrow(/oidc-lint\.config\.yaml:2:10: tokenRequests\[0\]\.run: not a valid regular expression/);
  });
});

describe('workflow graph: bounds', () => {
  it('a job that expands to thousands of steps through composite actions is cut off, not walked for ever', async () => {
    // Each level calls the next 8 times: 8^6 = 262,144 leaf steps without a bound.
    const files: Record<string, string> = { [WF]: workflow('      - uses: ./l0\n') };
    for (let i = 0; i < 6; i++) files[`l${i}/action.yml`] = composite(`    - uses: ./l${i + 1}\n`.repeat(8));
    files['l6/action.yml'] = composite('    - run: echo leaf\n      shell: bash\n');
    const p = await loadTree(files);
    const e = graphOf(p).expand(job(p));
    expect([e.truncated, e.steps.length + e.opaque.length]).toEqual([true, MAX_EXPANDED_STEPS + 1]);
    expect(e.opaque.at(-1)?.what).toBe(`./l0 (more than ${MAX_EXPANDED_STEPS} steps through composite actions; not followed further)`);
  });
});

describe('workflow graph: repository scripts run: steps execute', () => {
  const grant = 'permissions:\n  id-token: write\n';
  it('finds the paths a run: text names', async () => {
    const { scriptPaths } = await import('../../src/loaders/workflows/graph.js');
    expect(scriptPaths('set -e\n./scripts/deploy.sh --prod\npython3 tools/oidc.py && node "ci/x.mjs"\nmake build\ncurl https://x/y.sh\n${{ inputs.s }}.sh\n../up.sh')).toEqual(['./scripts/deploy.sh', 'tools/oidc.py', 'ci/x.mjs', '../up.sh']);
  });
  it('a script that requests a token makes the job need its grant; one that does not, does not', async () => {
    const files = {
      'scripts/deploy.sh': '#!/bin/sh\nTOKEN=$(curl -sH "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=sts.amazonaws.com")\n',
      'scripts/test.sh': '#!/bin/sh\nmake test\n',
    };
    expect(await lintTree({ ...files, [WF]: workflow('      - run: ./scripts/deploy.sh\n', grant) }, 'no-excessive-id-token-permission')).toEqual([]);
    expect(brief(await lintTree({ ...files, [WF]: workflow('      - run: bash scripts/test.sh\n', grant) }, 'no-excessive-id-token-permission'))).toEqual(['workflowLevel@3:13']);
  });
  it('never reads outside the scanned root, nor through a symlink that leaves it', async () => {
    const outside = writeTree({ 'evil.sh': 'echo $ACTIONS_ID_TOKEN_REQUEST_URL\n' });
    const dir = writeTree({ [WF]: workflow(`      - run: ${path.join(outside, 'evil.sh')} && ./link.sh && ../x/evil.sh\n`, grant) });
    symlinkSync(path.join(outside, 'evil.sh'), path.join(dir, 'link.sh'));
    const p = await loadProject([dir], { root: dir });
    expect(graphOf(p).expand(job(p)).steps.flatMap((s) => graphOf(p).scriptsOf(s.step))).toEqual([]);
  });
});

describe('workflow graph: local actions outside the scanned paths', () => {
  it('reads them from the workflow’s repository when only the workflows were scanned, through nested composites, without linting them', async () => {
    const dir = writeTree({
      '.github/actions/outer/action.yml': composite('    - uses: ./.github/actions/aws\n'),
      '.github/actions/aws/action.yml': composite(CAC(ROLE)),
      [WF]: workflow('      - uses: ./.github/actions/outer\n'),
    });
    const wfDir = path.join(dir, '.github/workflows');
    const p = await loadProject([path.join(wfDir, 'ci.yml')], { root: wfDir });
    expect(job(p).roleAssumptions.map((r) => [r.roleArn?.value, r.inner?.map((s) => s.loc.file)])).toEqual([[ROLE, ['../actions/outer/action.yml', '../actions/aws/action.yml']]]);
    expect(p.actions ?? []).toEqual([]);
  });
  it('never reads through a symlink that leaves the repository', async () => {
    const outside = writeTree({ 'aws/action.yml': composite(CAC(ROLE)) });
    const dir = writeTree({ [WF]: workflow('      - uses: ./.github/actions/aws\n') });
    mkdirSync(path.join(dir, '.github/actions'), { recursive: true });
    symlinkSync(path.join(outside, 'aws'), path.join(dir, '.github/actions/aws'));
    const wfDir = path.join(dir, '.github/workflows');
    const p = await loadProject([path.join(wfDir, 'ci.yml')], { root: wfDir });
    expect(job(p).roleAssumptions).toEqual([]);
  });
});
