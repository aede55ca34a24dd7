/**
 * The real CLI (dist/) in a child process: TypeScript is loaded only when a .ts file that may hold
 * CDK IAM code is scanned. A CommonJS preload records every `require('typescript')` (what
 * typescript-estree does when it is imported) and prints the count at exit.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/fixtures.js';
import { writeTree } from '../helpers/project.js';

const BIN = path.join(REPO_ROOT, 'bin', 'oidc-lint.js');

function run(dir: string): { code: number | null; stdout: string; typescriptLoads: number } {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  const preload = path.join(writeTree({}), 'count-typescript.cjs');
  writeFileSync(
    preload,
    `const Module = require('node:module');
let n = 0;
const load = Module._load;
Module._load = function (request, ...rest) { if (request === 'typescript') n++; return load.call(this, request, ...rest); };
process.on('exit', () => process.stderr.write('TYPESCRIPT-LOADS ' + n + '\\n'));
`,
  );
  const r = spawnSync(process.execPath, ['-r', preload, BIN, '.', '--no-color'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  const m = /TYPESCRIPT-LOADS (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`no report from the preload: ${r.stderr}`);
  return { code: r.status, stdout: r.stdout, typescriptLoads: Number(m[1]) };
}

const WORKFLOW = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n';

describe('lazy loading of the CDK parser (spawned CLI)', () => {
  it('a repository whose .ts files are not CDK IAM code never loads TypeScript', () => {
    const dir = writeTree({ '.github/workflows/ci.yml': WORKFLOW, 'src/app.ts': 'export const x = 1;\n', 'lib/types.d.ts': "import * as iam from 'aws-cdk-lib/aws-iam';\n" });
    const r = run(dir);
    expect(r.code).toBe(0);
    expect(r.typescriptLoads).toBe(0);
  });
  it('a CDK stack loads it, and its findings come out of the built CLI', () => {
    const dir = writeTree({
      'lib/stack.ts': `import * as iam from 'aws-cdk-lib/aws-iam';
new iam.Role(this, 'R', {
  assumedBy: new iam.WebIdentityPrincipal('arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com', {
    StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
  }),
});
`,
    });
    const r = run(dir);
    expect(r.typescriptLoads).toBeGreaterThan(0);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('lib/stack.ts:3:43  error  Any GitHub repository can assume this role');
  });
});
