/** The real CLI, spawned as a process, with --aws against a loopback IAM endpoint (and offline snapshots). */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { writeTree } from '../helpers/project.js';
import { githubProblems, sarifValidator, schemaAvailable } from '../helpers/sarif-schema.js';
import { ACCOUNT, githubTrust, roleArn, serviceTrust, startIamServer, useEnv, type IamServer, type IamServerOptions } from '../helpers/iam-server.js';
import { main } from '../../src/cli.js';

const BIN = path.join(REPO_ROOT, 'bin', 'oidc-lint.js');
const SUB = 'token.actions.githubusercontent.com:sub';
const AUD = 'token.actions.githubusercontent.com:aud';
const DEPLOY = roleArn('deploy', '/github/');
const WILD = roleArn('wild');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns the built CLI without blocking this process (the IAM endpoint lives here). */
function run(args: string[], opts: { cwd: string; env?: Record<string, string>; nodeArgs?: string[] }): Promise<Run> {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, ...args], { cwd: opts.cwd, env: { PATH: process.env.PATH ?? '', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const WORKFLOW = `on: push
permissions:
  id-token: write
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: ${DEPLOY}
          aws-region: eu-west-1
`;

/** deploy: no sub condition (any repository); wild: `repo:*`; ok: exact; svc: not GitHub. */
const ACCOUNT_ROLES: IamServerOptions['roles'] = [
  { name: 'deploy', path: '/github/', document: githubTrust({ StringEquals: { [AUD]: 'sts.amazonaws.com' } }) },
  { name: 'wild', document: githubTrust({ StringEquals: { [AUD]: 'sts.amazonaws.com' }, StringLike: { [SUB]: 'repo:*' } }) },
  { name: 'ok', document: githubTrust({ StringEquals: { [AUD]: 'sts.amazonaws.com', [SUB]: 'repo:org/app:ref:refs/heads/main' } }) },
  { name: 'svc', document: serviceTrust() },
];

let server: IamServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
async function serve(opts: Partial<IamServerOptions> = {}): Promise<IamServer> {
  server = await startIamServer({ roles: ACCOUNT_ROLES, ...opts });
  return server;
}

type Doc = { findings: { ruleId: string; messageId: string; fingerprint: string; location: { file: string; start: { line: number }; logical?: { fullyQualifiedName: string } } }[]; unresolvedAssumptions: unknown[] };
const brief = (doc: Doc) => doc.findings.map((f) => `${f.ruleId}/${f.messageId} ${f.location.logical?.fullyQualifiedName ?? f.location.file}`);

describe('oidc-lint --aws (spawned, real SDK, loopback IAM)', () => {
  it('lints the live roles that trust GitHub and joins them to the workflow that assumes them', async () => {
    const s = await serve();
    const dir = writeTree({ '.github/workflows/deploy.yml': WORKFLOW });
    const r = await run(['.', '--aws', '-f', 'json'], { cwd: dir, env: s.env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(brief(doc)).toEqual([`require-subject-condition/missing ${DEPLOY}`, `no-wildcard-subject/anyOwner ${WILD}`]);
    expect(doc.findings[0].location.file).toBe('');
    expect(doc.unresolvedAssumptions).toEqual([]);
    expect(s.requests.map((q) => q.action)).toEqual(['ListRoles', 'ListOpenIDConnectProviders']);
    expect(s.requests[0].params).toMatchObject({ MaxItems: '1000', Version: '2010-05-08' });
  });

  it('touches no network and no SDK without --aws', async () => {
    const s = await serve();
    const dir = writeTree({ '.github/workflows/deploy.yml': WORKFLOW });
    const r = await run(['.', '-f', 'json'], { cwd: dir, env: s.env() });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Doc).unresolvedAssumptions).toHaveLength(1);
    expect(s.requests).toEqual([]);
  });

  it('shows the ARN in text output and counts the AWS roles', async () => {
    const s = await serve();
    const dir = writeTree({ '.github/workflows/deploy.yml': WORKFLOW });
    const r = await run(['.', '--aws'], { cwd: dir, env: s.env() });
    expect(r.stdout.startsWith(`${DEPLOY}  error  Any GitHub repository can assume this role`)).toBe(true);
    expect(r.stdout).toContain(`${WILD}  error  Any GitHub repository of any owner can assume this role: sub pattern "repo:*"`);
    expect(r.stdout).toMatch(/✖ 2 problems \(2 errors, 0 warnings\) in 1 file and 3 AWS roles checked\n$/);
  });

  it('writes SARIF that validates and that GitHub accepts: a placeholder artifact plus the ARN as logical location', async () => {
    const s = await serve();
    const dir = writeTree({ '.github/workflows/deploy.yml': WORKFLOW });
    const r = await run(['.', '--aws', '-f', 'sarif'], { cwd: dir, env: s.env() });
    const log = JSON.parse(r.stdout);
    if (schemaAvailable) expect(sarifValidator()(log)).toBe(true);
    expect(githubProblems(log)).toEqual([]);
    const [deploy, wild] = log.runs[0].results;
    expect(deploy.locations[0].physicalLocation.artifactLocation.uri).toBe(`aws-iam/${ACCOUNT}/role/github/deploy`);
    expect(deploy.locations[0].logicalLocations).toEqual([{ fullyQualifiedName: DEPLOY, name: 'deploy', kind: 'resource' }]);
    expect(wild.locations[0].physicalLocation.artifactLocation.uri).toBe(`aws-iam/${ACCOUNT}/role/wild`);
    expect(wild.partialFingerprints['oidcLint/v1']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('warns with the missing permission, still lints the rest, and exits 2 when a call is denied', async () => {
    const s = await serve({ providers: [{ arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`, url: 'x', clientIds: [], thumbprints: [] }], faults: [{ action: 'ListOpenIDConnectProviders', code: 'AccessDenied', message: 'not authorized' }] });
    const dir = writeTree({ '.github/workflows/deploy.yml': WORKFLOW });
    const warning = "oidc-lint: warning: incomplete AWS scan: iam:ListOpenIDConnectProviders was denied (AccessDenied), so the account's OIDC providers were not checked; grant iam:ListOpenIDConnectProviders\n";
    const r = await run(['.', '--aws', '-f', 'json'], { cwd: dir, env: s.env() });
    expect(r.stderr).toBe(warning);
    expect(r.code).toBe(2);
    expect(brief(JSON.parse(r.stdout))).toEqual([`require-subject-condition/missing ${DEPLOY}`, `no-wildcard-subject/anyOwner ${WILD}`, `parse-error/io arn:aws:iam::${ACCOUNT}:root`]);
    // Turning the finding off does not turn an incomplete scan into a pass.
    const quiet = await run(['.', '--aws', '--rule', 'parse-error=off', '--rule', 'require-subject-condition=off', '--rule', 'no-wildcard-subject=off'], { cwd: dir, env: s.env() });
    expect(quiet.stdout).toMatch(/✓ no problems/);
    expect(quiet.stderr).toBe(warning);
    expect(quiet.code).toBe(2);
  });

  it('fails with one line and exit 2 on expired credentials', async () => {
    const s = await serve({ faults: [{ action: 'ListRoles', code: 'ExpiredToken', message: 'The security token included in the request is expired' }] });
    const dir = writeTree({ '.github/workflows/deploy.yml': WORKFLOW });
    const r = await run(['.', '--aws'], { cwd: dir, env: s.env() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('oidc-lint: AWS rejected the credentials (ExpiredToken: The security token included in the request is expired); refresh them (e.g. "aws sso login") and retry\n');
  });

  it('fails with one line and exit 2 without credentials, before any request', async () => {
    const s = await serve();
    const dir = writeTree({ '.github/workflows/deploy.yml': WORKFLOW });
    const env = s.env();
    delete (env as Record<string, string | undefined>).AWS_ACCESS_KEY_ID;
    delete (env as Record<string, string | undefined>).AWS_SECRET_ACCESS_KEY;
    const r = await run(['.', '--aws'], { cwd: dir, env: { ...env, HOME: dir } });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^oidc-lint: no usable AWS credentials \(.+\); set AWS_PROFILE or --aws-profile, run "aws sso login", or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n$/);
    expect(s.requests).toEqual([]);
  });

  it('saves a snapshot and lints it offline, without credentials or network, to the same findings pointing into the snapshot', async () => {
    const s = await serve();
    const dir = writeTree({ '.github/workflows/deploy.yml': WORKFLOW });
    const live = await run(['.', '--aws', '--aws-snapshot-out', 'aws-snapshot.json', '-f', 'json'], { cwd: dir, env: s.env() });
    await s.close();
    server = undefined;
    const snapshot = readFileSync(path.join(dir, 'aws-snapshot.json'), 'utf8');
    expect(JSON.parse(snapshot)).toMatchObject({ oidcLintAwsSnapshot: 1, accountId: ACCOUNT, rolesListed: 4 });

    const offline = await run(['.', '--aws-snapshot', 'aws-snapshot.json', '-f', 'json'], { cwd: dir });
    expect(offline.code).toBe(1);
    expect(offline.stderr).toBe('');
    const key = (d: Doc) => d.findings.map((f) => `${f.ruleId}/${f.messageId} ${f.location.logical?.fullyQualifiedName} ${f.fingerprint}`);
    const liveDoc = JSON.parse(live.stdout) as Doc;
    const offDoc = JSON.parse(offline.stdout) as Doc;
    expect(key(offDoc)).toEqual(key(liveDoc));
    expect(offDoc.unresolvedAssumptions).toEqual([]);
    const wild = offDoc.findings.find((f) => f.ruleId === 'no-wildcard-subject')!;
    expect(wild.location.file).toBe('aws-snapshot.json');
    expect(snapshot.split('\n')[wild.location.start.line - 1]).toContain(`"${SUB}": "repo:*"`);

    const text = await run(['.', '--aws-snapshot', 'aws-snapshot.json'], { cwd: dir });
    expect(text.stdout).toMatch(new RegExp(`^aws-snapshot\\.json:${wild.location.start.line}:\\d+ \\(${WILD}\\)  error  `, 'm'));

    const sarif = JSON.parse((await run(['.', '--aws-snapshot', 'aws-snapshot.json', '-f', 'sarif'], { cwd: dir })).stdout);
    if (schemaAvailable) expect(sarifValidator()(sarif)).toBe(true);
    expect(githubProblems(sarif)).toEqual([]);
    const res = sarif.runs[0].results.find((x: any) => x.ruleId === 'no-wildcard-subject');
    expect(res.locations[0].physicalLocation).toMatchObject({ artifactLocation: { uri: 'aws-snapshot.json' }, region: { startLine: wild.location.start.line } });
    expect(res.locations[0].logicalLocations[0].fullyQualifiedName).toBe(WILD);
  });

  it('rejects an invalid or missing snapshot with a clear message and exit 2', async () => {
    const dir = writeTree({ 'bad.json': '{"roles": []}\n' });
    const bad = await run(['--aws-snapshot', 'bad.json'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('oidc-lint: invalid AWS snapshot: bad.json:1:1: not an oidc-lint AWS snapshot (no "oidcLintAwsSnapshot": 1); write one with --aws --aws-snapshot-out\n');
    const missing = await run(['--aws-snapshot', 'nope.json'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('oidc-lint: cannot read the AWS snapshot nope.json: no such file\n');
  });

  it('checks the AWS options', async () => {
    const s = await serve();
    const dir = writeTree({});
    const cases: [string[], string][] = [
      [['--aws-profile', 'x'], 'oidc-lint: --aws-profile needs --aws\n'],
      [['--aws-snapshot-out', 'x.json'], 'oidc-lint: --aws-snapshot-out needs --aws\n'],
      [['--aws', '--aws-snapshot', 'x.json'], 'oidc-lint: --aws reads the account and --aws-snapshot replays a saved one; use one of them\n'],
      [['--aws', '--aws-role-prefix', 'has space'], "oidc-lint: --aws-role-prefix expects an IAM path such as /github/, got 'has space'\n"],
    ];
    for (const [args, message] of cases) {
      const r = await run(args, { cwd: dir, env: s.env() });
      expect([r.code, r.stderr]).toEqual([2, message]);
    }
    expect(s.requests).toEqual([]);
    const r = await run(['--aws', '--aws-role-prefix', 'github', '-f', 'json'], { cwd: dir, env: s.env() });
    expect(s.requests[0].params.PathPrefix).toBe('/github/');
    expect(brief(JSON.parse(r.stdout))).toEqual([`require-subject-condition/missing ${DEPLOY}`]);
    expect(r.code).toBe(1);
  });
});

describe('the AWS SDK is loaded only with --aws', () => {
  /** Records every module URL under @aws-sdk/ that the CLI process resolves (ESM resolve hook). */
  function hookFiles(dir: string) {
    writeFileSync(path.join(dir, 'hooks.mjs'), "import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const r = await next(specifier, context);\n  if (r.url.includes('/@aws-sdk/')) appendFileSync(process.env.IMPORT_LOG, r.url + '\\n');\n  return r;\n}\n");
    writeFileSync(path.join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
    return { nodeArgs: ['--import', path.join(dir, 'register.mjs')], log: path.join(dir, 'imports.log') };
  }
  const loaded = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8') : '');

  it('is not imported without --aws, nor when linting a snapshot offline, and is imported with --aws', async () => {
    const hooks = writeTree({});
    const { nodeArgs, log } = hookFiles(hooks);
    const s = await serve();
    const dir = writeTree({ '.github/workflows/deploy.yml': WORKFLOW });

    const plain = await run(['.'], { cwd: dir, env: { ...s.env(), IMPORT_LOG: log }, nodeArgs });
    expect(plain.code).toBe(0);
    expect(loaded(log)).toBe('');

    const withAws = await run(['.', '--aws', '--aws-snapshot-out', 'snap.json'], { cwd: dir, env: { ...s.env(), IMPORT_LOG: log }, nodeArgs });
    expect(withAws.code).toBe(1);
    expect(loaded(log)).toContain('/node_modules/@aws-sdk/client-iam/');
    writeFileSync(log, '');

    const offline = await run(['.', '--aws-snapshot', 'snap.json'], { cwd: dir, env: { IMPORT_LOG: log }, nodeArgs });
    expect(offline.code).toBe(1);
    expect(loaded(log)).toBe('');
  });
});

describe.skipIf(process.platform === 'win32')('--aws-snapshot-out in a hostile repository', () => {
  it('is not written through a committed symlink that leaves the repository; a missing folder is created', async () => {
    const s = await serve();
    const restore = useEnv(s.env());
    try {
      const outside = writeTree({ 'victim.txt': 'precious\n' });
      const dir = writeTree({});
      symlinkSync(path.join(outside, 'victim.txt'), path.join(dir, 'snap.json'));
      let stderr = '';
      const code = await main(['--aws', '-f', 'json', '--aws-snapshot-out', 'snap.json'], { cwd: dir, stdout: () => {}, stderr: (x) => (stderr += x), env: {} });
      expect(code).toBe(2);
      expect(stderr).toBe('oidc-lint: cannot write the AWS snapshot to snap.json: it is a symbolic link to a path outside the repository, which oidc-lint does not follow there\n');
      expect(readFileSync(path.join(outside, 'victim.txt'), 'utf8')).toBe('precious\n');
      const made = await main(['--aws', '-f', 'json', '--aws-snapshot-out', 'out/aws/snap.json'], { cwd: dir, stdout: () => {}, stderr: () => {}, env: {} });
      expect(made).toBe(1);
      expect(JSON.parse(readFileSync(path.join(dir, 'out/aws/snap.json'), 'utf8'))).toMatchObject({ oidcLintAwsSnapshot: 1 });
    } finally {
      restore();
    }
  });
});

describe('progress on stderr', () => {
  async function inProcess(stderrIsTTY: boolean) {
    const s = await serve();
    const restore = useEnv(s.env());
    let stderr = '';
    try {
      const code = await main(['--aws', '-f', 'json'], { cwd: writeTree({}), stdout: () => {}, stderr: (x) => (stderr += x), env: {}, stderrIsTTY });
      return { code, stderr };
    } finally {
      restore();
    }
  }
  it('draws and clears a progress line on a terminal', async () => {
    const { code, stderr } = await inProcess(true);
    expect(code).toBe(1);
    expect(stderr).toContain('\r\u001b[2Koidc-lint: reading IAM roles… 4 listed, 3 trust GitHub');
    expect(stderr).toContain('\r\u001b[2Koidc-lint: reading OIDC providers… 0/0');
    expect(stderr.endsWith('\r\u001b[2K')).toBe(true);
  });
  it('prints nothing when stderr is not a terminal', async () => {
    const { code, stderr } = await inProcess(false);
    expect(code).toBe(1);
    expect(stderr).toBe('');
  });
});
