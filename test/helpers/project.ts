/** Test helpers: write a small repository to a temp dir, load and lint it for real. */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { loadProject } from '../../src/loaders/index.js';
import { lintProject } from '../../src/engine/linter.js';
import { rules } from '../../src/rules/index.js';
import type { Finding, RuleModule } from '../../src/engine/rule.js';
import type { Project } from '../../src/model/project.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Writes `{ 'relative/path': 'content' }` into a fresh temp directory and returns it. */
export function writeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'oidc-lint-test-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, text);
  }
  return dir;
}

export async function loadTree(files: Record<string, string>): Promise<Project> {
  const dir = writeTree(files);
  return loadProject([dir], { root: dir });
}

/** Lints a tree with only the given rule enabled (at error level, with options). */
export async function lintTree(files: Record<string, string>, ruleId: string, options?: unknown[]): Promise<Finding[]> {
  const project = await loadTree(files);
  const cfg: Record<string, unknown> = {};
  for (const r of rules) cfg[r.id] = r.id === ruleId ? (options ? ['error', ...options] : 'error') : 'off';
  const { findings, crashes } = lintProject(project, rules, { rules: cfg as never, settings: {} });
  if (crashes.length) throw new Error(`rule crashed: ${crashes[0].message}`);
  return findings;
}

export function ruleById(id: string): RuleModule {
  const r = rules.find((x) => x.id === id);
  if (!r) throw new Error(`no rule ${id}`);
  return r;
}

/** Compact view for assertions: `messageId@line:column`. */
export function brief(findings: Finding[]): string[] {
  return findings.map((f) => `${f.messageId}@${f.location.start.line}:${f.location.start.column}`);
}

export const WF = '.github/workflows/ci.yml';
export const POLICY = 'iam/trust.json';

/** A trust policy with one Allow statement for the github.com provider. */
export function trustPolicy(statementExtra: Record<string, unknown>, extraStatements: Record<string, unknown>[] = []): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' },
          Action: 'sts:AssumeRoleWithWebIdentity',
          ...statementExtra,
        },
        ...extraStatements,
      ],
    },
    null,
    2,
  );
}
