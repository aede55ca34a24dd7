/** Snapshots: written from a real fetch (real SDK, loopback endpoint), read back offline. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildSarif } from '../../src/reporters/sarif.js';
import { githubProblems } from '../helpers/sarif-schema.js';
import { ACCOUNT, GITHUB_PROVIDER_ARN, githubTrust, roleArn, serviceTrust, startIamServer, useEnv, type IamServer } from '../helpers/iam-server.js';
import { addAwsToProject, awsModel, readAwsAccount, type AwsAccountData } from '../../src/loaders/aws/aws-iam.js';
import { SnapshotError, loadSnapshot, serializeSnapshot } from '../../src/loaders/aws/aws-snapshot.js';
import { lintProject } from '../../src/engine/linter.js';
import { rules } from '../../src/rules/index.js';
import type { Finding } from '../../src/engine/rule.js';
import type { Project } from '../../src/model/project.js';
import type { AwsModel } from '../../src/loaders/aws/aws-iam.js';

const SUB = 'token.actions.githubusercontent.com:sub';
const AUD = 'token.actions.githubusercontent.com:aud';
const FILE = 'aws/snapshot.json';

let server: IamServer;
let restore: () => void;
let data: AwsAccountData;
let text: string;

beforeAll(async () => {
  server = await startIamServer({
    roles: [
      { name: 'open', document: githubTrust() },
      { name: 'wild', path: '/ci/', document: githubTrust({ StringEquals: { [AUD]: 'sts.amazonaws.com' }, StringLike: { [SUB]: ['repo:org/app:ref:refs/heads/main', 'repo:*'] } }) },
      { name: 'dup', document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Principal":{"Federated":"' + GITHUB_PROVIDER_ARN + '"},"Action":"sts:AssumeRoleWithWebIdentity"}]}' },
      { name: 'broken', document: '{"Version":"2012-10-17","Statement":[' },
      { name: 'badenc', rawDocument: '%7B%E0%A4%A' },
      { name: 'svc', document: serviceTrust() },
    ],
    providers: [
      { arn: GITHUB_PROVIDER_ARN, url: 'token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'], thumbprints: ['6938fd4d98bab03faadb97b34396831e3780aea1'] },
      { arn: `${GITHUB_PROVIDER_ARN}/acme`, url: 'x', clientIds: [], thumbprints: [] },
    ],
    faults: [{ action: 'GetOpenIDConnectProvider', code: 'AccessDenied', message: 'denied', when: (p) => p.OpenIDConnectProviderArn.endsWith('/acme') }],
  });
  restore = useEnv(server.env());
  data = await readAwsAccount({ rolePathPrefix: '/' });
  text = serializeSnapshot(data);
});
afterAll(async () => {
  restore();
  await server.close();
});

function project(model: AwsModel): Project {
  const p: Project = { type: 'Project', root: '/repo', sources: [], workflows: [], roles: [], providers: [], loadErrors: [], links: { byAssumption: new Map(), byRole: new Map(), unresolved: [] } };
  addAwsToProject(p, model);
  return p;
}
function lint(p: Project): Finding[] {
  const r = lintProject(p, rules, { rules: {}, settings: {} });
  expect(r.crashes).toEqual([]);
  return r.findings;
}
/** 1-based line and column of the first occurrence of `needle` in `text`. */
function positionOf(needle: string, from = 0): { line: number; column: number } {
  const i = text.indexOf(needle, from);
  expect(i).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, i).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

describe('AWS snapshots', () => {
  it('holds the fetched roles, providers, account and time, with each trust policy embedded as JSON', () => {
    const doc = JSON.parse(text);
    expect(doc).toMatchObject({ oidcLintAwsSnapshot: 1, fetchedAt: data.fetchedAt, partition: 'aws', accountId: ACCOUNT, rolePathPrefix: '/', rolesListed: 6 });
    expect(doc.roles.map((r: any) => [r.name, Object.keys(r).at(-1)])).toEqual([
      ['badenc', 'trustPolicyUrlEncoded'],
      ['broken', 'trustPolicyText'],
      ['wild', 'trustPolicy'], // role/ci/wild: sorted by ARN
      ['dup', 'trustPolicy'],
      ['open', 'trustPolicy'],
    ]);
    expect(doc.roles.find((r: any) => r.name === 'wild').trustPolicy).toEqual(JSON.parse(data.roles.find((r) => r.name === 'wild')!.document!));
    expect(doc.roles.find((r: any) => r.name === 'broken').trustPolicyText).toBe('{"Version":"2012-10-17","Statement":[');
    expect(doc.roles.find((r: any) => r.name === 'badenc').trustPolicyUrlEncoded).toBe('%7B%E0%A4%A');
    // The duplicate key is kept verbatim (JSON.parse would have dropped one of them).
    expect(text).toMatch(/"Effect": "Allow",\n\s+"Effect": "Deny"/);
    expect(doc.providers).toEqual([{ arn: GITHUB_PROVIDER_ARN, url: 'https://token.actions.githubusercontent.com', clientIds: ['sts.amazonaws.com'], thumbprints: ['6938fd4d98bab03faadb97b34396831e3780aea1'] }]);
    expect(doc.incomplete).toEqual([{ operation: 'GetOpenIDConnectProvider', permission: 'iam:GetOpenIDConnectProvider', code: 'AccessDenied', message: 'denied', resource: `${GITHUB_PROVIDER_ARN}/acme` }]);
  });

  it('round-trips: the data read back equals what was fetched', () => {
    const back = loadSnapshot(text, FILE).data;
    // Embedded documents are re-indented: compare them as JSON (`dup` has a duplicate key, compare its text without blanks).
    const norm = (d: AwsAccountData) => ({
      ...d,
      roles: d.roles.map((r) => ({ ...r, document: r.document === undefined || r.name === 'broken' ? r.document : r.name === 'dup' ? r.document.replace(/\s+/g, '') : JSON.parse(r.document) })),
    });
    expect(norm(back)).toEqual(norm(data));
  });

  it('lints offline to the same findings (rule, message, ARN, symbolic path, fingerprint) as the live fetch', () => {
    const key = (f: Finding) => [f.ruleId, f.messageId, f.location.logical?.fullyQualifiedName, f.location.path, f.fingerprint].join(' ');
    const live = lint(project(awsModel(data)));
    const offline = lint(project(loadSnapshot(text, FILE).model));
    // `dup` says "Effect": "Allow" then "Effect": "Deny": the last value is analysed (a Deny: nothing to report but the duplicate).
    expect(live.length).toBe(7);
    expect(offline.map(key).sort()).toEqual(live.map(key).sort());
  });

  it('points offline findings at the exact token inside the snapshot file, with the role ARN as logical location', () => {
    const findings = lint(project(loadSnapshot(text, FILE).model));
    const wild = findings.find((f) => f.ruleId === 'no-wildcard-subject')!;
    const at = positionOf('"repo:*"');
    expect(wild.location).toMatchObject({ file: FILE, start: at, end: { line: at.line, column: at.column + '"repo:*"'.length }, logical: { kind: 'aws-iam-role', fullyQualifiedName: roleArn('wild', '/ci/') } });
    const open = findings.find((f) => f.ruleId === 'require-subject-condition' && f.location.logical?.fullyQualifiedName === roleArn('open'))!;
    expect(open.location.start).toEqual(positionOf(`"${GITHUB_PROVIDER_ARN}"`, text.indexOf('"name": "open"')));
    const dup = findings.find((f) => f.ruleId === 'parse-error' && f.location.logical?.fullyQualifiedName === roleArn('dup'))!;
    expect([dup.messageId, dup.location.start]).toEqual(['structure', positionOf('"Effect": "Deny"', text.indexOf('"name": "dup"'))]);
    const broken = findings.find((f) => f.ruleId === 'parse-error' && f.location.logical?.fullyQualifiedName === roleArn('broken'))!;
    expect([broken.messageId, broken.location.start]).toEqual(['syntax', positionOf('"{\\"Version')]);
    expect(broken.message).toMatch(/^Cannot parse this file: trust policy of arn:aws:iam::123456789012:role\/broken: JSON: .* \(line 1, column 38 of the document\)\.$/);
    const inc = findings.find((f) => f.ruleId === 'parse-error' && f.messageId === 'io')!;
    expect(inc.location).toMatchObject({ file: FILE, start: positionOf('{\n      "operation"'), logical: { kind: 'aws-oidc-provider', fullyQualifiedName: `${GITHUB_PROVIDER_ARN}/acme` } });
  });

  it('adds the snapshot as a source file and its providers with positions', () => {
    const { model } = loadSnapshot(text, FILE, '/abs/aws/snapshot.json');
    expect(model.sources!.map((s) => [s.path, s.kind, s.absPath])).toEqual([[FILE, 'aws-snapshot', '/abs/aws/snapshot.json']]);
    const [p] = model.providers;
    expect(p.url).toMatchObject({ value: 'https://token.actions.githubusercontent.com', loc: { file: FILE, path: 'Url', start: positionOf('"https://token.actions.githubusercontent.com"') } });
    expect(p.clientIds.map((c) => [c.value, c.loc.path])).toEqual([['sts.amazonaws.com', 'ClientIDList[0]']]);
  });

  const HEAD = '{"oidcLintAwsSnapshot": 1, "fetchedAt": "t", "partition": "aws", "accountId": null, ';
  it.each([
    // [snapshot text, the token the error must point at (first occurrence; '' = end of input), message]
    ['{"roles": [', '', 'not valid JSON: '],
    ['[]', '[', 'the snapshot must be an object'],
    ['{"roles": []}', '{', 'not an oidc-lint AWS snapshot (no "oidcLintAwsSnapshot": 1); write one with --aws --aws-snapshot-out'],
    ['{"oidcLintAwsSnapshot": 2}', '2', 'snapshot version 2 is not supported by this oidc-lint (expected 1)'],
    [HEAD + '"rolesListed": -1}', '-1', '"rolesListed" must be a non-negative integer'],
    [HEAD + '"rolesListed": 1, "incomplete": [], "roles": [{"arn": 5}]}', '5', '"arn" must be a string'],
    [HEAD + '"rolesListed": 1, "incomplete": [], "roles": [{"arn": "arn:aws:iam::123456789012:user/x", "name": "x", "path": "/", "trustPolicy": {}}]}', '"arn:aws', '"arn:aws:iam::123456789012:user/x" is not an IAM role ARN'],
    [HEAD + '"rolesListed": 1, "incomplete": [], "roles": [{"arn": "arn:aws:iam::123456789012:role/x", "name": "x", "path": "/"}]}', '{"arn"', 'roles[0] needs exactly one of "trustPolicy", "trustPolicyText", "trustPolicyUrlEncoded"'],
    [HEAD + '"rolesListed": 1, "incomplete": [], "roles": [], "providers": [{"arn": "arn:aws:iam::123456789012:oidc-provider/x", "url": "x", "clientIds": "sts", "thumbprints": []}]}', '"sts"', '"clientIds" must be an array'],
    [HEAD + '"rolesListed": 1, "incomplete": [{"operation": "ListRoles"}], "roles": [], "providers": []}', '{"operation"', 'missing "permission"'],
    ['{"oidcLintAwsSnapshot": 1, "oidcLintAwsSnapshot": 1}', '"oidcLintAwsSnapshot": 1}', 'duplicate key "oidcLintAwsSnapshot"'],
  ])('rejects a malformed snapshot with file:line:column — %s', (bad, token, message) => {
    let err: unknown;
    try {
      loadSnapshot(bad, FILE);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SnapshotError);
    const column = token ? bad.indexOf(token) + 1 : bad.length + 1;
    expect((err as Error).message.startsWith(`${FILE}:1:${column}: ${message}`)).toBe(true);
    if (token) expect((err as Error).message).toBe(`${FILE}:1:${column}: ${message}`);
  });
});

describe('hostile snapshots', () => {
  it('either loads (and lints, as valid SARIF) or is rejected with a SnapshotError — nothing else escapes', () => {
    const specials = fc.constantFrom('{', '}', '[', ']', ':', ',', '"', '\n', 'null', '1', '-1', '"x"', '[]', '{}', '%', '\\u0000', '"trustPolicyText": "{"', '"roles"');
    const mutant = fc.tuple(fc.nat(), fc.nat(), fc.oneof(specials, fc.string({ maxLength: 6 })), fc.constantFrom('delete', 'insert', 'replace')).map(([a, b, ins, op]) => {
      const i = a % text.length;
      const j = Math.min(text.length, i + (b % 30));
      return op === 'delete' ? text.slice(0, i) + text.slice(j) : op === 'insert' ? text.slice(0, i) + ins + text.slice(i) : text.slice(0, i) + ins + text.slice(j);
    });
    let loaded = 0;
    fc.assert(
      fc.property(mutant, (t) => {
        let model: AwsModel;
        try {
          model = loadSnapshot(t, FILE).model;
        } catch (e) {
          if (e instanceof SnapshotError) return;
          throw e;
        }
        loaded++;
        const p = project(model);
        const findings = lint(p);
        expect(githubProblems(buildSarif(findings, p, rules, { color: false, cwd: '/repo', repoRoot: '/repo' }))).toEqual([]);
      }),
      { numRuns: 300, seed: 6 },
    );
    // The property must also have exercised loading, not only rejection.
    expect(loaded).toBeGreaterThan(30);
  });
});
