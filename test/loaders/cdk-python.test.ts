/** AWS CDK in Python (loaders/cdk-python.ts): read into the same model as TypeScript, with exact positions. */
import { describe, expect, it } from 'vitest';
import { loadCdkPython, mayBePythonCdkIam } from '../../src/loaders/aws/cdk-python.js';
import { loadCdk } from '../../src/loaders/aws/cdk.js';

const ISSUER = 'token.actions.githubusercontent.com';

function conditionsOf(r: Awaited<ReturnType<typeof loadCdkPython>>) {
  return r.roles.map((role) =>
    role.trustPolicy!.statements.map((st) => ({
      principals: st.principals.map((p) => `${p.kind}:${p.value.value}`),
      actions: st.actions.map((a) => a.value),
      conditions: st.conditions.map((c) => `${c.operator.value} ${c.key.value} = ${c.values.map((v) => v.value).join(' | ')}`),
    })),
  );
}

describe('Python CDK loader', () => {
  it('reads WebIdentityPrincipal conditions built from constants and f-strings, at the written tokens', async () => {
    const text = [
      'from aws_cdk import Stack, aws_iam as iam',
      `ISSUER = "${ISSUER}"`,
      'REPO = "octo-org/api"',
      'class S(Stack):',
      '    def __init__(self, scope, construct_id, **kwargs):',
      '        super().__init__(scope, construct_id, **kwargs)',
      '        iam.Role(self, "Deploy", role_name="deploy", assumed_by=iam.WebIdentityPrincipal(',
      '            f"arn:aws:iam::111122223333:oidc-provider/{ISSUER}",',
      '            conditions={"StringEquals": {f"{ISSUER}:aud": "sts.amazonaws.com", f"{ISSUER}:sub": f"repo:{REPO}:ref:refs/heads/main"}},',
      '        ))',
      '',
    ].join('\n');
    const r = await loadCdkPython(text, 'app/stack.py');
    expect(r.errors).toEqual([]);
    expect(r.roles).toHaveLength(1);
    expect(r.roles[0].name?.value).toBe('deploy');
    expect(conditionsOf(r)).toEqual([
      [
        {
          principals: [`Federated:arn:aws:iam::111122223333:oidc-provider/${ISSUER}`],
          actions: ['sts:AssumeRoleWithWebIdentity'],
          conditions: [`StringEquals ${ISSUER}:aud = sts.amazonaws.com`, `StringEquals ${ISSUER}:sub = repo:octo-org/api:ref:refs/heads/main`],
        },
      ],
    ]);
    const sub = r.roles[0].trustPolicy!.statements[0].conditions[1].values[0];
    const line = text.split('\n')[8];
    expect(sub.loc.start).toEqual({ line: 9, column: line.indexOf('f"repo:') + 1 });
    expect(sub.loc.end).toEqual({ line: 9, column: line.indexOf('main"') + 'main"'.length + 1 });
  });

  it('gives the same trust policy as the TypeScript of the same stack', async () => {
    const py = [
      'import aws_cdk.aws_iam as iam',
      'def subjects(org, repos):',
      '    return [f"repo:{org}/{r}:*" for r in repos]',
      'provider = iam.OpenIdConnectProvider(self, "P", url="https://token.actions.githubusercontent.com", client_ids=["sts.amazonaws.com"])',
      'env = "prod"',
      'role = iam.Role(self, "R", assumed_by=iam.OpenIdConnectPrincipal(provider, {"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:o/r:environment:" + env, "repo:o/r:ref:refs/tags/v" + "*"]}}))',
      'role.assume_role_policy.add_statements(iam.PolicyStatement(effect=iam.Effect.DENY, actions=["sts:AssumeRoleWithWebIdentity"], principals=[iam.AnyPrincipal()]))',
    ].join('\n');
    const ts = [
      "import * as iam from 'aws-cdk-lib/aws-iam';",
      'const provider = new iam.OpenIdConnectProvider(this, "P", { url: "https://token.actions.githubusercontent.com", clientIds: ["sts.amazonaws.com"] });',
      'const env = "prod";',
      'const role = new iam.Role(this, "R", { assumedBy: new iam.OpenIdConnectPrincipal(provider, { StringLike: { "token.actions.githubusercontent.com:sub": ["repo:o/r:environment:" + env, "repo:o/r:ref:refs/tags/v" + "*"] } }) });',
      'role.assumeRolePolicy.addStatements(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ["sts:AssumeRoleWithWebIdentity"], principals: [new iam.AnyPrincipal()] }));',
    ].join('\n');
    const [p, t] = await Promise.all([loadCdkPython(py, 'stack.py'), loadCdk(ts, 'stack.ts')]);
    expect(p.errors).toEqual([]);
    expect(conditionsOf(p)).toEqual(conditionsOf(t));
    expect(conditionsOf(p)[0]).toHaveLength(2);
    expect(p.providers.map((x) => [x.url?.value, x.clientIds.map((c) => c.value)])).toEqual(t.providers.map((x) => [x.url?.value, x.clientIds.map((c) => c.value)]));
  });

  it('reads every import form of aws_iam', async () => {
    const role = (prefix: string) => `${prefix}Role(self, "R", assumed_by=${prefix}FederatedPrincipal("arn:aws:iam::1:oidc-provider/${ISSUER}", {"StringEquals": {"${ISSUER}:aud": "sts.amazonaws.com"}}, "sts:AssumeRoleWithWebIdentity"))`;
    for (const [imports, prefix] of [
      ['import aws_cdk.aws_iam as iam', 'iam.'],
      ['import aws_cdk.aws_iam', 'aws_cdk.aws_iam.'],
      ['import aws_cdk as cdk', 'cdk.aws_iam.'],
      ['from aws_cdk import aws_iam', 'aws_iam.'],
      ['from aws_cdk.aws_iam import Role, FederatedPrincipal', ''],
      ['from aws_cdk.aws_iam import (\n    Role as R0,\n    FederatedPrincipal,\n)\nRole = R0', ''],
    ]) {
      const r = await loadCdkPython(`${imports}\n${role(prefix)}\n`, 'stack.py');
      expect(r.roles.map((x) => x.trustPolicy!.statements[0].actions.map((a) => a.value)), imports).toEqual([['sts:AssumeRoleWithWebIdentity']]);
    }
  });

  it('marks what it cannot evaluate unknown, never guesses', async () => {
    const r = await loadCdkPython(
      [
        'from aws_cdk import aws_iam as iam',
        'import os',
        'sub = os.environ["SUB"]',
        'iam.Role(self, "R", assumed_by=iam.WebIdentityPrincipal("arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com", {"StringLike": {"token.actions.githubusercontent.com:sub": sub, "token.actions.githubusercontent.com:aud": "%s" % "x"}}))',
      ].join('\n'),
      'stack.py',
    );
    const values = r.roles[0].trustPolicy!.statements[0].conditions.map((c) => c.values.map((v) => v.resolution));
    expect(values).toEqual([['unresolved'], ['unresolved']]);
  });

  it('reports a syntax error with its line and still reads what the parser recovered; never throws', async () => {
    const r = await loadCdkPython('from aws_cdk import aws_iam as iam\nx = (\niam.Role(self, "R", assumed_by=iam.AnyPrincipal())\n', 'bad.py');
    expect(r.errors.map((e) => [e.kind, e.loc.start.line > 0])).toEqual([['syntax', true]]);
    for (const text of ['', '\0\0\0', 'def f(:\n', '('.repeat(5000), `x = ${'['.repeat(3000)}${']'.repeat(3000)}\n`, 'f"{'.repeat(200)]) await loadCdkPython(text, 'x.py');
  });

  it('is chosen by its text: an aws_cdk import with IAM, not any Python file', () => {
    expect(mayBePythonCdkIam('app/stack.py', 'from aws_cdk import aws_iam as iam')).toBe(true);
    expect(mayBePythonCdkIam('app/stack.py', 'import aws_cdk.aws_s3 as s3\nfrom aws_cdk.aws_iam import Role')).toBe(true);
    expect(mayBePythonCdkIam('app/util.py', 'import boto3\niam = boto3.client("iam")')).toBe(false);
    expect(mayBePythonCdkIam('.venv/lib/site-packages/aws_cdk/aws_iam/__init__.py', 'import aws_cdk.aws_iam')).toBe(false);
    expect(mayBePythonCdkIam('stack.ts', 'from aws_cdk import aws_iam')).toBe(false);
  });
});
