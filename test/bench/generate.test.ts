/** The benchmark's generated repositories are what the README says they are (scripts/bench/generate.ts). */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateIrrelevantMonorepo, generateMix, generateTerraformRepo } from '../../scripts/bench/generate.js';
import { mayBeCdkIam } from '../../src/loaders/aws/cdk.js';

function files(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) (e.isDirectory() ? files(path.join(dir, e.name), out) : out.push(path.join(dir, e.name)));
  return out;
}

describe('bench generators', () => {
  it('the mix: five workflows of 3–10 KB (the largest few a little over) for every two trust policies', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'oidc-lint-gen-'));
    try {
      const g = generateMix(dir, 700);
      expect([g.workflowFiles.length, g.policyFiles.length]).toEqual([500, 200]);
      const sizes = g.workflowFiles.map((f) => statSync(path.join(dir, f)).size).sort((a, b) => a - b);
      expect(sizes[0]).toBeGreaterThanOrEqual(3000);
      expect(sizes[Math.floor(sizes.length / 2)]).toBeGreaterThan(4000);
      expect(sizes[Math.floor(sizes.length * 0.95)]).toBeLessThanOrEqual(10000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the irrelevant monorepo: 20 ordinary .ts files per package, none of them routed to the CDK parser', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'oidc-lint-gen-'));
    try {
      const g = generateIrrelevantMonorepo(dir, { packages: 10, docs: 5, workflows: 4, policies: 20 });
      const all = files(dir).map((f) => path.relative(dir, f));
      const ordinary = all.filter((f) => f.startsWith('packages/') && f.endsWith('.ts'));
      expect(ordinary).toHaveLength(200);
      expect(ordinary.filter((f) => mayBeCdkIam(f, readFileSync(path.join(dir, f), 'latin1').slice(0, 16 * 1024)))).toEqual([]);
      // The CDK stacks of infra/ are (one in twenty policies, as in the mix).
      const cdk = all.filter((f) => f.startsWith('infra/') && f.endsWith('.ts'));
      expect(cdk.length).toBe(3);
      expect(cdk.every((f) => mayBeCdkIam(f, readFileSync(path.join(dir, f), 'utf8')))).toBe(true);
      expect(all).toHaveLength(10 * 24 + 5 + 4 + 20);
      expect(g.otherFiles).toBe(10 * 24 + 5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the Terraform-heavy repository: four .tf files per module, a third with a GitHub trust policy', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'oidc-lint-gen-'));
    try {
      const g = generateTerraformRepo(dir, { modules: 6, workflows: 2 });
      const tf = files(dir).filter((f) => f.endsWith('.tf'));
      expect(tf).toHaveLength(24);
      expect(g.workflowFiles).toHaveLength(2);
      expect(tf.filter((f) => readFileSync(f, 'utf8').includes('token.actions.githubusercontent.com:sub'))).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
