/** Which thread loads a file: only Terraform and .ts files that mention CDK IAM go to the worker (issue 20 item 3). */
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/loaders/index.js';
import { CDK_PEEK_BYTES, usePool, workerShouldLoad } from '../../src/loaders/shared/pool.js';
import { writeTree } from '../helpers/project.js';

const CDK = (name: string, pad = '') => `${pad}import * as iam from 'aws-cdk-lib/aws-iam';
new iam.Role(this, '${name}', { roleName: '${name}', assumedBy: new iam.WebIdentityPrincipal('arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com', { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:*' } }) });
`;

describe('routing files to the worker thread', () => {
  it('sends Terraform and CDK IAM code, keeps ordinary TypeScript on the calling thread, and loads the same either way', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 240; i++) files[`web/src/component${i}.ts`] = `export const c${i} = (x: number) => x * ${i};\n`;
    for (let i = 0; i < 4; i++) files[`infra/stack${i}.ts`] = CDK(`r${i}`);
    // The hint past the bytes the router looks at: the calling thread loads it, and still finds the role.
    files['infra/late.ts'] = CDK('late', `/*${' '.repeat(CDK_PEEK_BYTES)}*/\n`);
    files['tf/main.tf'] = 'resource "aws_iam_role" "tf" {\n  name = "tf"\n  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", Principal = { Federated = "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com" }, Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:*" } } }] })\n}\n';
    const dir = writeTree(files);
    let pooled = -1;
    const two = await loadProject([dir], { root: dir, threads: 2, poolMinFiles: 1, onPool: (p) => (pooled = p.files) });
    expect(pooled).toBe(5); // 4 CDK stacks + 1 Terraform file
    const one = await loadProject([dir], { root: dir, threads: 1 });
    const names = (p: typeof one) => p.roles.map((r) => r.name?.value).sort();
    expect(names(two)).toEqual(['late', 'r0', 'r1', 'r2', 'r3', 'tf']);
    expect(names(two)).toEqual(names(one));
    expect(two.sources.map((s) => s.path)).toEqual(one.sources.map((s) => s.path));
  });

  it('sends what it cannot look at to the worker, whose loader reports it', () => {
    expect(workerShouldLoad({ relPath: 'a.ts', absPath: '/nonexistent/a.ts' })).toBe(true);
    expect(workerShouldLoad({ relPath: 'a.ts', absPath: '/dev/null', notRead: 'a named pipe' })).toBe(true);
    expect(workerShouldLoad({ relPath: 'main.tf', absPath: '/nonexistent/main.tf' })).toBe(true);
    expect(workerShouldLoad({ relPath: 'a.yml', absPath: '/nonexistent/a.yml' })).toBe(false);
  });

  it('starts the worker only when the calling thread has at least as many files of its own to load (a Terraform-heavy repository stays on one thread)', async () => {
    expect(usePool(1200, 30, { threads: 2 })).toBe(false);
    expect(usePool(200, 199, { threads: 2 })).toBe(false);
    expect(usePool(200, 200, { threads: 2 })).toBe(true);
    expect(usePool(199, 5000, { threads: 2 })).toBe(false);
    expect(usePool(1200, 5000, { threads: 1 })).toBe(false);
    const tf: Record<string, string> = {};
    for (let i = 0; i < 200; i++) tf[`tf/m${i % 20}/r${i}.tf`] = `resource "aws_iam_role" "r${i}" {\n  name = "r${i}"\n}\n`;
    const workflows = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`.github/workflows/w${i}.yml`, 'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n']));
    for (const [n, started] of [
      [10, false],
      [200, true],
    ] as const) {
      const dir = writeTree({ ...tf, ...workflows(n) });
      let stats;
      const project = await loadProject([dir], { root: dir, threads: 2, onPool: (p) => (stats = p) });
      expect(stats).toEqual({ files: 200, byWorker: started ? 200 : 0, others: n, started });
      expect(project.sources).toHaveLength(200 + n);
    }
  });
});
