import { describe, expect, it } from 'vitest';
import { loadWorkflow } from '../../src/loaders/workflows/workflow.js';

const load = (text: string) => {
  const r = loadWorkflow(text, '.github/workflows/x.yml');
  if (!r.workflow) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.workflow;
};

describe('effective permissions', () => {
  const wf = (wfPerms: string, jobPerms: string) =>
    load(`on: push\n${wfPerms}\njobs:\n  j:\n    runs-on: x\n${jobPerms}\n    steps:\n      - run: echo\n`).jobs[0].effectivePermissions;
  it('a job-level block replaces the workflow-level one', () => {
    expect(wf('permissions:\n  id-token: write', '    permissions:\n      contents: read')).toMatchObject({ idToken: 'none', source: 'job' });
  });
  it('inherits the workflow-level block when the job has none', () => {
    expect(wf('permissions:\n  id-token: write', '')).toMatchObject({ idToken: 'write', source: 'workflow' });
  });
  it('write-all grants id-token; read-all and {} do not', () => {
    expect(wf('permissions: write-all', '').idToken).toBe('write');
    expect(wf('permissions: read-all', '').idToken).toBe('read');
    expect(wf('permissions: {}', '').idToken).toBe('none');
    expect(wf('', '    permissions: {}').idToken).toBe('none');
  });
  it('defaults to no id-token without any block', () => {
    expect(wf('', '')).toMatchObject({ idToken: 'none', source: 'default' });
  });
  it('an expression level is unknown, not guessed', () => {
    expect(wf('permissions:\n  id-token: ${{ inputs.level }}', '').idToken).toBe('unknown');
  });
});

describe('role assumptions', () => {
  it('derives configure-aws-credentials OIDC use with positions and the default audience', () => {
    const w = load(`on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: \${{ vars.ROLE_ARN }}
          aws-region: us-east-1
`);
    const job = w.jobs[0];
    expect(job.environment?.value).toBe('production');
    expect(job.roleAssumptions).toHaveLength(1);
    const ra = job.roleAssumptions[0];
    expect(ra.via).toBe('configure-aws-credentials');
    expect(ra.roleArn).toMatchObject({ value: '${{ vars.ROLE_ARN }}', resolution: 'unresolved', loc: { start: { line: 9, column: 27 } } });
    expect(ra.audience).toMatchObject({ value: 'sts.amazonaws.com', defaulted: true });
  });
  it('ignores static-key, token-file and role-chaining flows', () => {
    const w = load(`on: push
jobs:
  a:
    runs-on: x
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with: { role-to-assume: r, aws-access-key-id: k, aws-secret-access-key: s }
      - uses: aws-actions/configure-aws-credentials@v4
        with: { role-to-assume: r, role-chaining: true }
      - uses: aws-actions/configure-aws-credentials@v4
        with: { role-to-assume: r, web-identity-token-file: /t }
`);
    expect(w.jobs[0].roleAssumptions).toHaveLength(0);
  });
  it('reads an explicit audience and raw token requests', () => {
    const w = load(`on: push
jobs:
  a:
    runs-on: x
    steps:
      - uses: Aws-Actions/Configure-Aws-Credentials@v6
        with: { role-to-assume: arn:aws:iam::1:role/r, audience: sts.amazonaws.com.cn, aws-region: cn-north-1 }
      - run: |
          curl -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=custom"
`);
    const [a, b] = w.jobs[0].roleAssumptions;
    expect(a.audience).toMatchObject({ value: 'sts.amazonaws.com.cn', defaulted: false });
    expect(b).toMatchObject({ via: 'id-token-request', audience: { value: 'custom' } });
  });
});

describe('triggers and structure', () => {
  it('reads every trigger form', () => {
    expect(load('on: push\njobs: {}').triggers.map((t) => t.event)).toEqual(['push']);
    expect(load('on: [push, pull_request]\njobs: {}').triggers.map((t) => t.event)).toEqual(['push', 'pull_request']);
    const w = load('on:\n  push:\n    branches: [main, "release/**"]\n    tags: ["v*"]\n  workflow_call:\njobs: {}');
    expect(w.triggers[0].branches?.map((b) => b.value)).toEqual(['main', 'release/**']);
    expect(w.reusable).toBe(true);
  });
  it('reads reusable-workflow calls and matrices', () => {
    const w = load('on: push\njobs:\n  call:\n    uses: ./.github/workflows/deploy.yml\n    secrets: inherit\n  m:\n    runs-on: x\n    strategy:\n      matrix:\n        env: [a, b]\n    steps: []\n');
    expect(w.jobs[0].uses?.value).toBe('./.github/workflows/deploy.yml');
    expect(w.jobs[0].secrets[0].key.value).toBe('inherit');
    expect(w.jobs[1].hasMatrix).toBe(true);
  });
  it('reports bad input as load errors, never throws', () => {
    for (const text of ['', '- a\n- b', 'on: push\njobs: [1]', 'on: push\njobs:\n  a: 1', 'a: [', 'x: *nope', '\u0000\u0001', 'on: push\njobs:\n  a:\n    steps: 3']) {
      const r = loadWorkflow(text, 'w.yml');
      expect(r.errors.length, JSON.stringify(text)).toBeGreaterThan(0);
    }
  });
  it('survives an alias bomb with a bounded error', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill('*' + String.fromCharCode(96 + i)).join(',')}]`);
    lines.push('on: push', 'jobs:', '  j:', '    runs-on: x', '    env: *l');
    const r = loadWorkflow(lines.join('\n'), 'bomb.yml');
    expect(r.errors.some((e) => /alias/i.test(e.message))).toBe(true);
  });
});

describe('version comments after uses:', () => {
  it('keeps the comment after a SHA pin with the exact position of the comment', () => {
    const w = load('on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: aws-actions/configure-aws-credentials@0123456789abcdef0123456789abcdef01234567   # v4.1.0 \n');
    const s = w.jobs[0].steps[0];
    expect(s.usesComment).toEqual({
      value: 'v4.1.0',
      raw: '# v4.1.0 ',
      resolution: 'literal',
      loc: { file: '.github/workflows/x.yml', start: { line: 6, column: 96 }, end: { line: 6, column: 105 }, path: 'jobs.j.steps[0].uses#comment' },
    });
  });
  it('reads no comment from a quoted # or a CRLF line end, and none when there is none', () => {
    const w = load('on: push\r\njobs:\r\n  j:\r\n    runs-on: x\r\n    steps:\r\n      - uses: "a/b@v1 # not a comment"\r\n      - uses: a/b@v2 #c\r\n      - uses: a/b@v3\r\n');
    expect(w.jobs[0].steps.map((s) => s.usesComment?.value)).toEqual([undefined, 'c', undefined]);
    expect(w.jobs[0].steps[1].usesComment?.loc.end.column).toBe(24);
  });
});
