/** The cross-check graph of the job summary: jobs → roles with the verdict, and nothing from the repository reaching Mermaid's syntax. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli.js';
import { crossCheckGraph, mermaidText } from '../../src/reporters/mermaid.js';
import { loadTree, trustPolicy, writeTree } from '../helpers/project.js';
import { pristineExample } from '../helpers/examples.js';

async function summaryOf(dir: string): Promise<string> {
  const summary = path.join(mkdtempSync(path.join(tmpdir(), 'oidc-lint-summary-')), 'summary.md');
  await main(['-f', 'github', '.'], { cwd: dir, env: { GITHUB_STEP_SUMMARY: summary }, isTTY: false, stdout: () => {}, stderr: () => {} });
  return readFileSync(summary, 'utf8');
}

function mermaidBlock(md: string): string | undefined {
  return /```mermaid\n([\s\S]*?)\n```/.exec(md)?.[1];
}

const WF = (role: string, extra = '') => `on:
  push:
    branches: [main]
permissions:
  id-token: write
jobs:
  deploy:${extra}
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: ${role}
          aws-region: eu-west-1
`;
const SUB = 'token.actions.githubusercontent.com:sub';
const AUD = 'token.actions.githubusercontent.com:aud';
const CONFIG = 'repository: { owner: my-org, repo: infra, defaultBranch: main }\n';

describe('the cross-check graph in the job summary', () => {
  it('draws the broken example’s deploy job refused by its role, and the fixed example’s admitted', async () => {
    for (const [example, verdict] of [['broken', 'refused'], ['fixed', 'admitted']] as const) {
      const dir = path.join(mkdtempSync(path.join(tmpdir(), 'oidc-lint-graph-')), example);
      cpSync(pristineExample(example), dir, { recursive: true });
      const graph = mermaidBlock(await summaryOf(dir));
      expect(graph, example).toBeDefined();
      expect(graph!.split('\n')[0]).toBe('flowchart LR');
      expect(graph).toContain('j0["deploy.yml: job deploy"]'.replace('deploy.yml', '.github/workflows/deploy.yml'));
      expect(graph).toMatch(new RegExp(`j0 -\\.?->\\|"${verdict}"\\| r0`));
      expect(graph).toMatch(new RegExp(`^  class (r\\d+,)*r0(,r\\d+)* ${verdict}$`, 'm'));
    }
  });

  it('names the role and the file whose trust policy decides, and says "cannot tell" without the repository identity', async () => {
    const files = { '.github/workflows/ci.yml': WF('arn:aws:iam::123456789012:role/deploy'), 'iam/deploy-trust.json': trustPolicy({ Condition: { StringEquals: { [AUD]: 'sts.amazonaws.com', [SUB]: 'repo:my-org/infra:ref:refs/heads/main' } } }) };
    const known = mermaidBlock(await summaryOf(writeTree({ ...files, 'oidc-lint.config.yaml': CONFIG })));
    expect(known).toContain('r0["role deploy #40;iam/deploy-trust.json#41;"]');
    expect(known).toContain('j0 -->|"admitted"| r0');
    const unknown = crossCheckGraph(await loadTree(files));
    expect(unknown).toContain('j0 -->|"cannot tell"| r0');
    expect(unknown).not.toContain('class r0');
  });

  it('has no graph when no job is linked to a role', async () => {
    expect(crossCheckGraph(await loadTree({ '.github/workflows/ci.yml': WF('arn:aws:iam::123456789012:role/elsewhere') }))).toBeUndefined();
    const dir = writeTree({ '.github/workflows/ci.yml': WF('arn:aws:iam::123456789012:role/elsewhere') });
    expect(await summaryOf(dir)).not.toContain('```mermaid');
  });

  it('keeps every repository-controlled character out of Mermaid syntax', async () => {
    expect(mermaidText('a"]; click j0 "https://evil" -->|x| b')).toBe('"a#34;#93;#59; click j0 #34;https://evil#34; --#62;#124;x#124; b"');
    expect(mermaidText('```\n<img src=x>')).toBe('"#96;#96;#96;#10;#60;img src#61;x#62;"');
    // File names are the repository's to choose: a workflow and a policy named to break out of a label.
    const evil = 'x"]; click j0 "javascript:alert(1)" ;a[`<b>`';
    const tree = {
      [`.github/workflows/${evil}.yml`]: WF(`arn:aws:iam::123456789012:role/${evil.replace(/[^\w]/g, '')}`),
      [`iam/${evil.replace(/[^\w]/g, '')}-trust.json`]: trustPolicy({ Condition: { StringEquals: { [AUD]: 'sts.amazonaws.com' }, StringLike: { [SUB]: 'repo:my-org/infra:*' } } }),
      [`iam/${evil}-trust.json`]: trustPolicy({ Condition: { StringEquals: { [AUD]: 'sts.amazonaws.com' }, StringLike: { [SUB]: 'repo:my-org/infra:*' } } }),
    };
    const md = await summaryOf(writeTree({ ...tree, 'oidc-lint.config.yaml': CONFIG }));
    const graph = mermaidBlock(md);
    expect(graph).toBeDefined();
    expect(graph).toContain('x#34;#93;#59; click j0 #34;javascript:alert#40;1#41;#34;');
    for (const line of graph!.split('\n').slice(1)) expect(line).toMatch(/^( {2}(j\d+|r\d+)\["[^"`\n]*"\]| {2}j\d+ -\.?->\|"[a-z ]+"\| r\d+| {2}class(Def)? .*)$/);
  });
});
