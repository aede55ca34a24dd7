/**
 * Public API.
 *
 *   import { lint } from 'oidc-lint';
 *   const { findings } = await lint(['.'], { rules: { 'no-wildcard-subject': 'warn' } });
 */
import { loadProject, type LoadOptions } from './loaders/index.js';
import { analyzeEarly, lintProject, type LintResult } from './engine/linter.js';
import type { LintConfig, RuleSetting } from './engine/config.js';
import type { Settings } from './engine/rule.js';
import type { ExternalSuppression } from './engine/suppressions.js';
import { rules } from './rules/index.js';
import type { Project } from './model/project.js';

export interface LintOptions extends LoadOptions {
  rules?: Record<string, RuleSetting>;
  settings?: Partial<Settings>;
  /** Config-file style suppressions (inline `oidc-lint: ignore[…]` comments always apply). */
  suppressions?: ExternalSuppression[];
}

export interface LintOutput extends LintResult {
  project: Project;
}

export async function lint(paths: string[] = ['.'], options: LintOptions = {}): Promise<LintOutput> {
  const project = await loadProject(paths, { onLoaded: analyzeEarly, ...options });
  const config: LintConfig = { rules: options.rules ?? {}, settings: options.settings ?? {}, ...(options.suppressions ? { suppressions: options.suppressions } : {}) };
  return { project, ...lintProject(project, rules, config) };
}

export { loadProject, rules, lintProject };
export { reporters } from './reporters/index.js';
// Live AWS (the SDK itself is imported only when readAwsAccount runs).
export { readAwsAccount, awsModel, addAwsToProject, describeIncomplete, AwsFatalError } from './loaders/aws/aws-iam.js';
export type { AwsAccountData, AwsReadOptions, AwsIncomplete, AwsModel } from './loaders/aws/aws-iam.js';
export { loadSnapshot, serializeSnapshot, SnapshotError } from './loaders/aws/aws-snapshot.js';
export { createRule } from './engine/create-rule.js';
export type * from './engine/rule.js';
export type * from './model/location.js';
export type * from './model/workflow.js';
export type * from './model/iam.js';
export type * from './model/project.js';
export type { LintConfig, RuleSetting } from './engine/config.js';
export type { ExternalSuppression, Suppression, SuppressionStatus } from './engine/suppressions.js';
export { findConfigFile, loadConfigFile, ConfigFileError, type LoadedConfig, type ConfigProblem } from './engine/config-file.js';
export { createBaseline, applyBaseline, parseBaseline, serializeBaseline, type Baseline, type BaselineEntry } from './engine/baseline.js';
