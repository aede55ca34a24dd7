/**
 * CDK: every branch is a possible value. `??`, `||`, ternaries, default parameters and
 * destructuring defaults, same-file helpers (functions, static methods, `this.m()`), loops that
 * push and `concat` are evaluated with unknown inputs; each possible condition value carries the
 * input it is used under (`when`), `isDefault` when it is the path taken by leaving an input out.
 */
import { describe, expect, it } from 'vitest';
import { loadCdk } from '../../src/loaders/aws/cdk.js';
import type { Condition, Role } from '../../src/model/iam.js';
import { MAX_CDK_ALTERNATIVES } from '../../src/loaders/aws/cdk-eval.js';

const ISSUER = 'token.actions.githubusercontent.com';
const ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`;
const HEADER = `import { Construct } from 'constructs';
import * as iam from 'aws-cdk-lib/aws-iam';
`;

/** A construct whose role's StringLike sub value is `expr`, with `decls` at module level and `body` before the role. */
function construct(expr: string, { decls = '', props = '{ repo: string; branch?: string; filter?: string; repos?: string[]; allowAll?: boolean }', params = 'props', body = '' } = {}): string {
  return `${HEADER}${decls}
export class Roles extends Construct {
  constructor(scope: Construct, id: string, ${params}: ${props}) {
    super(scope, id);
    ${body}
    new iam.Role(this, 'R', {
      assumedBy: new iam.WebIdentityPrincipal('${ARN}', {
        StringEquals: { '${ISSUER}:aud': 'sts.amazonaws.com' },
        StringLike: { '${ISSUER}:sub': ${expr} },
      }),
    });
  }
}
`;
}

async function sub(src: string): Promise<Condition> {
  const { roles, errors } = await loadCdk(src, 'lib/stack.ts');
  expect(errors).toEqual([]);
  const role: Role | undefined = roles[0];
  const c = role?.trustPolicy?.statements[0]?.conditions.find((x) => x.key.value === `${ISSUER}:sub`);
  if (!c) throw new Error('no sub condition');
  return c;
}

const brief = (c: Condition) => c.values.map((v) => [v.value, v.when?.text, v.when?.isDefault]);

describe('possible values in CDK', () => {
  it('?? on an optional prop: the prop when given, the default when not (the default path)', async () => {
    const c = await sub(await construct('`repo:octo-org/${props.repo}:${props.filter ?? "*"}`'));
    expect(brief(c)).toEqual([
      ['repo:octo-org/${props.repo}:${props.filter}', 'props.filter is given', false],
      ['repo:octo-org/${props.repo}:*', 'props.filter is not given', true],
    ]);
    expect(c.values[1].when?.group).toBe(c.values[0].when?.group);
  });

  it('?? on a required prop (from an interface in the file) is the prop: no default value', async () => {
    const decls = 'export interface P extends Base { readonly filter: string }\ninterface Base { repo: string }\n';
    expect(brief(await sub(construct('`repo:octo-org/${props.repo}:${props.filter ?? "*"}`', { decls, props: 'P' })))).toEqual([['repo:octo-org/${props.repo}:${props.filter}', undefined, undefined]]);
  });

  it('|| and a known left side take one value', async () => {
    const c = await sub(construct('[props.filter || "repo:octo-org/app:*", "" || "repo:octo-org/lib:pull_request", "repo:x/y:z" ?? "never"]'));
    expect(brief(c)).toEqual([
      ['${props.filter}', 'props.filter is set', false],
      ['repo:octo-org/app:*', 'props.filter is not set', true],
      ['repo:octo-org/lib:pull_request', undefined, undefined],
      ['repo:x/y:z', undefined, undefined],
    ]);
  });

  it('a ternary on a switch: the wildcard branch is used only when the switch is set', async () => {
    const c = await sub(construct('props.allowAll ? "repo:octo-org/*" : `repo:octo-org/${props.repo}:ref:refs/heads/main`'));
    expect(brief(c)).toEqual([
      ['repo:octo-org/*', 'props.allowAll is set', false],
      ['repo:octo-org/${props.repo}:ref:refs/heads/main', 'props.allowAll is not set', true],
    ]);
    // Each branch is located where it is written.
    expect(c.values[0].raw).toBe('"repo:octo-org/*"');
  });

  it('a ternary on a comparison says the comparison; a known test takes its branch', async () => {
    const c = await sub(construct('[props.repo === "infra" ? "repo:octo-org/infra:*" : "repo:octo-org/app:*", 1 === 1 ? "repo:a/b:c" : "repo:*"]'));
    expect(brief(c)).toEqual([
      ['repo:octo-org/infra:*', 'props.repo === "infra" is true', false],
      ['repo:octo-org/app:*', 'props.repo === "infra" is false', false],
      ['repo:a/b:c', undefined, undefined],
    ]);
  });

  it('destructured parameters and constants with defaults', async () => {
    const params = '{ repo, filter = "*", branch = "main" }';
    const c = await sub(construct('[`repo:octo-org/${repo}:${filter}`, `repo:octo-org/${repo}:ref:refs/heads/${branch}`, `repo:octo-org/${repo}:environment:${env}`]', { params, body: 'const { env = "prod" } = { env: undefined };' }));
    expect(brief(c)).toEqual([
      ['repo:octo-org/${repo}:${filter}', 'filter is given', false],
      ['repo:octo-org/${repo}:*', 'filter is not given', true],
      ['repo:octo-org/${repo}:ref:refs/heads/${branch}', 'branch is given', false],
      ['repo:octo-org/${repo}:ref:refs/heads/main', 'branch is not given', true],
      ['repo:octo-org/${repo}:environment:prod', undefined, undefined],
    ]);
  });

  it('a destructuring default on a required field is never used; on an optional one it is the default path', async () => {
    const body = 'const { branch = "main", filter = "*" } = props;';
    const c = await sub(construct('[`repo:octo-org/app:ref:refs/heads/${branch}`, `repo:octo-org/lib:${filter}`]', { body, props: '{ branch: string; filter?: string }' }));
    expect(brief(c)).toEqual([
      ["repo:octo-org/app:ref:refs/heads/${branch}", undefined, undefined],
      ["repo:octo-org/lib:${filter}", "props.filter is given", false],
      ['repo:octo-org/lib:*', 'props.filter is not given', true],
    ]);
  });

  it('same-file helpers: a function with a default parameter, an arrow constant, a static method and this.method()', async () => {
    const decls = `function subject(repo: string, filter = '*'): string {
  return \`repo:octo-org/\${repo}:\${filter}\`;
}
const branchSubject = (repo: string, branch: string) => \`repo:octo-org/\${repo}:ref:refs/heads/\${branch}\`;
`;
    const src = construct('[subject("app"), subject("lib", "environment:prod"), branchSubject("api", "main"), Roles.envSubject("web"), this.prSubject(props.repo), subject(props.repo, props.filter)]', { decls }).replace(
      'export class Roles extends Construct {',
      `export class Roles extends Construct {
  static envSubject(repo: string) { return \`repo:octo-org/\${repo}:environment:production\`; }
  prSubject(repo: string) { return \`repo:octo-org/\${repo}:pull_request\`; }`,
    );
    expect(brief(await sub(src))).toEqual([
      ['repo:octo-org/app:*', undefined, undefined],
      ['repo:octo-org/lib:environment:prod', undefined, undefined],
      ['repo:octo-org/api:ref:refs/heads/main', undefined, undefined],
      ['repo:octo-org/web:environment:production', undefined, undefined],
      // An unknown argument is shown as written at the call.
      ['repo:octo-org/${props.repo}:pull_request', undefined, undefined],
      // An optional prop passed for a defaulted parameter: the default is the path taken when it is left out.
      ['repo:octo-org/${props.repo}:${props.filter}', 'props.filter is given', false],
      ['repo:octo-org/${props.repo}:*', 'props.filter is not given', true],
    ]);
  });

  it('a helper with if / throw / return: each return under its test, a throwing path yields nothing', async () => {
    const decls = `function subjects(repos: string[] = [], env?: string): string[] {
  if (repos.length > 100) throw new Error('too many');
  if (repos.length === 0) {
    return ['repo:*'];
  }
  if (!env) return repos.map((r) => \`repo:\${r}:*\`);
  return repos.map((r) => \`repo:\${r}:environment:\${env}\`);
}
`;
    const c = await sub(construct('[...subjects(["octo-org/app"], props.branch), ...subjects()]', { decls }));
    expect(brief(c)).toEqual([
      ['repo:octo-org/app:*', 'props.branch is not set', true],
      ['repo:octo-org/app:environment:${props.branch}', 'props.branch is set', false],
      ['repo:*', undefined, undefined],
    ]);
  });

  it('loops that push, concat and .map over an unknown list', async () => {
    const body = `const subs: string[] = ['repo:octo-org/app:ref:refs/heads/main'];
    for (const r of props.repos ?? []) subs.push(\`repo:octo-org/\${r}:pull_request\`);
    (props.repos ?? []).forEach((r) => subs.push(\`repo:octo-org/\${r}:environment:prod\`));`;
    const c = await sub(construct('subs.concat(props.allowAll ? ["repo:octo-org/*"] : [])', { body }));
    expect(brief(c)).toEqual([
      ['repo:octo-org/app:ref:refs/heads/main', undefined, undefined],
      ['repo:octo-org/${r}:pull_request', undefined, undefined],
      ['repo:octo-org/${r}:environment:prod', undefined, undefined],
      ['repo:octo-org/*', 'props.allowAll is set', false],
    ]);
  });

  it('a list default mapped through a template: every element under its input', async () => {
    const c = await sub(construct('(props.repos ?? ["*"]).map((r) => `repo:octo-org/${r}:*`)'));
    expect(brief(c)).toEqual([
      ['repo:octo-org/${r}:*', 'props.repos is given', false],
      ['repo:octo-org/*:*', 'props.repos is not given', true],
    ]);
  });

  it('.map over a typed list: an optional field of the element type defaults; a required one does not', async () => {
    const decls = 'interface Repo { owner: string; repo: string; filter?: string; env: string }\n';
    const c = await sub(construct('[...props.repos.map((r) => `repo:${r.owner}/${r.repo}:${r.filter ?? "*"}`), ...props.repos.map((r) => `repo:${r.owner}/${r.repo}:environment:${r.env ?? "*"}`)]', { decls, props: '{ repos: readonly Repo[] }' }));
    expect(brief(c)).toEqual([
      ['repo:${r.owner}/${r.repo}:${r.filter}', 'the filter of an element of props.repos is given', false],
      ['repo:${r.owner}/${r.repo}:*', 'the filter of an element of props.repos is not given', true],
      ['repo:${r.owner}/${r.repo}:environment:${r.env}', undefined, undefined],
    ]);
  });

  it(`past ${MAX_CDK_ALTERNATIVES} combinations a value is one unknown value`, async () => {
    const expr = '`repo:${props.a ?? "a"}/${props.b ?? "b"}:${props.c ?? "c"}${props.d ?? "d"}${props.e ?? "e"}`';
    const c = await sub(construct(expr, { props: '{ a?: string; b?: string; c?: string; d?: string; e?: string }' }));
    expect(c.values).toHaveLength(1);
    expect(c.values[0]).toMatchObject({ resolution: 'unresolved' });
    expect(c.values[0].when).toBeUndefined();
  });

  it('a recursive helper is not followed', async () => {
    const decls = 'function loop(n: number): string { return loop(n + 1); }\n';
    expect(brief(await sub(construct('loop(0)', { decls })))).toEqual([['${loop(n + 1)}', undefined, undefined]]);
  });
});

describe('GitHub OIDC constructs with their defaults', () => {
  it("GithubActionsRole: an unknown filter may be left out, and then it is the construct's default '*'", async () => {
    const src = `import { Construct } from 'constructs';
import { GithubActionsIdentityProvider, GithubActionsRole } from 'aws-cdk-github-oidc';
export function make(scope: Construct, props: { filter?: string }) {
  const provider = GithubActionsIdentityProvider.fromAccount(scope, 'P');
  new GithubActionsRole(scope, 'R', { provider, owner: 'octo-org', repo: 'app', filter: props.filter });
  new GithubActionsRole(scope, 'S', { provider, owner: 'octo-org', repo: 'lib' });
}
`;
    const { roles } = await loadCdk(src, 'lib/stack.ts');
    const subOf = (r: Role) => r.trustPolicy!.statements[0].conditions.find((c) => c.key.value.endsWith(':sub'))!;
    expect(brief(subOf(roles[0]))).toEqual([
      ['repo:octo-org/app:${props.filter}', 'props.filter is given', false],
      ['repo:octo-org/app:*', 'props.filter is not given', false],
    ]);
    expect(brief(subOf(roles[1]))).toEqual([['repo:octo-org/lib:*', undefined, undefined]]);
    expect(roles[1].trustPolicy!.statements[0].conditions.map((c) => `${c.operator.value} ${c.key.value}`)).toEqual([`ForAnyValue:StringLike ${ISSUER}:sub`, `StringEquals ${ISSUER}:aud`]);
  });

  it('OpenIdConnectPrincipal and WebIdentityPrincipal: sts:AssumeRoleWithWebIdentity; FederatedPrincipal: sts:AssumeRole unless told', async () => {
    const src = `${HEADER}
export function make(scope: Construct) {
  const p = new iam.OpenIdConnectProvider(scope, 'P', { url: 'https://${ISSUER}', clientIds: ['sts.amazonaws.com'] });
  const c = { StringEquals: { '${ISSUER}:aud': 'sts.amazonaws.com', '${ISSUER}:sub': 'repo:o/r:ref:refs/heads/main' } };
  new iam.Role(scope, 'A', { assumedBy: new iam.OpenIdConnectPrincipal(p, c) });
  new iam.Role(scope, 'B', { assumedBy: new iam.WebIdentityPrincipal(p.openIdConnectProviderArn, c) });
  new iam.Role(scope, 'C', { assumedBy: new iam.FederatedPrincipal(p.openIdConnectProviderArn, c) });
  new iam.Role(scope, 'D', { assumedBy: new iam.FederatedPrincipal(p.openIdConnectProviderArn, c, 'sts:AssumeRoleWithWebIdentity') });
}
`;
    const { roles } = await loadCdk(src, 'lib/stack.ts');
    expect(roles.map((r) => r.trustPolicy!.statements[0].actions.map((a) => a.value))).toEqual([['sts:AssumeRoleWithWebIdentity'], ['sts:AssumeRoleWithWebIdentity'], ['sts:AssumeRole'], ['sts:AssumeRoleWithWebIdentity']]);
    expect(roles.map((r) => r.trustPolicy!.statements[0].principals[0].value.value)).toEqual(Array(4).fill(`arn:aws:iam::\${AWS::AccountId}:oidc-provider/${ISSUER}`));
  });
});

describe('possible values stay inside the evaluation budget', () => {
  it('a helper of thousands of ifs on unknown tests, and one that multiplies alternatives, load without error', async () => {
    const ifs = Array.from({ length: 3000 }, (_, i) => `  if (x === ${i}) return 'repo:o/r${i}:*';`).join('\n');
    const decls = `function many(x?: number): string {\n${ifs}\n  return 'repo:o/r:ref:refs/heads/main';\n}\nfunction twice(a?: string): string { return \`\${a ?? 'x'}\${a ?? 'y'}\`; }\n`;
    const src = construct('[many(props.n), twice(twice(twice(twice(twice(props.s)))))]', { decls, props: '{ n?: number; s?: string }' });
    const { roles, errors } = await loadCdk(src, 'lib/stack.ts');
    expect(errors).toEqual([]);
    const values = roles[0].trustPolicy!.statements[0].conditions.find((c) => c.key.value.endsWith(':sub'))!.values;
    expect(values.length).toBeLessThanOrEqual(2 * MAX_CDK_ALTERNATIVES);
    expect(values.every((v) => v.loc.start.line > 0)).toBe(true);
  });
});
