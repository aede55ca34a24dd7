/**
 * Runs one rule on one fixture file through the real CLI entry point (in-process), with every
 * other rule off and no config file (fixtures stay hermetic). Shared by the golden-fixture tests
 * and the rules.md generator so the docs show exactly what the tool prints.
 */
import { readdirSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli.js';
import { rules } from '../src/rules/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Repository root, from src (vitest) or dist (built scripts). */
export const REPO_ROOT = existsSync(path.join(here, '..', 'package.json')) ? path.join(here, '..') : path.join(here, '..', '..');
export const RULE_FIXTURES = path.join(REPO_ROOT, 'fixtures', 'rules');

export interface FixtureRun {
  output: string;
  exitCode: number;
}

/**
 * A fixture is a file, or a directory holding a small repository (workflows plus policies) for the
 * cross-file rules; a directory's own `oidc-lint.config.yaml` (repository identity, mappings) is
 * used, any other config never is.
 */
export async function runRuleFixture(ruleId: string, file: string, extraArgs: string[] = []): Promise<FixtureRun> {
  const isDir = statSync(file).isDirectory();
  const dir = isDir ? file : path.dirname(file);
  const config = path.join(file, 'oidc-lint.config.yaml');
  const configArgs = isDir && existsSync(config) ? ['--config', config] : ['--no-config'];
  const args = [isDir ? '.' : path.basename(file), '--no-color', ...configArgs, ...extraArgs];
  for (const r of rules) args.push('--rule', `${r.id}=${r.id === ruleId ? 'error' : 'off'}`);
  let output = '';
  const exitCode = await main(args, { cwd: dir, stdout: (s) => (output += s), stderr: (s) => (output += s), env: {}, isTTY: false });
  return { output, exitCode };
}

export interface RuleFixtures {
  invalid: string[];
  valid: string[];
}

/** Fixtures of a rule: `invalid-*` and `valid-*` files (any extension except `.out`) and directories, sorted. */
export function listRuleFixtures(ruleId: string): RuleFixtures {
  const dir = path.join(RULE_FIXTURES, ruleId);
  if (!existsSync(dir)) return { invalid: [], valid: [] };
  const files = readdirSync(dir).filter((f) => !f.endsWith('.out')).sort();
  return {
    invalid: files.filter((f) => f.startsWith('invalid-')).map((f) => path.join(dir, f)),
    valid: files.filter((f) => f.startsWith('valid-')).map((f) => path.join(dir, f)),
  };
}

/** Golden output path of an invalid fixture. */
export function goldenOf(file: string): string {
  return file.replace(/\.[^.]+$/, '') + '.out';
}
