import type { Finding, RuleModule } from '../engine/rule.js';
import type { RuleCrash } from '../engine/linter.js';
import type { Project } from '../model/project.js';

export interface ReportInput {
  findings: Finding[];
  crashes: RuleCrash[];
  project: Project;
  /** Every registered rule (SARIF lists them all, in registry order). */
  rules: readonly RuleModule[];
  options: ReporterOptions;
}

export interface ReporterOptions {
  color: boolean;
  /** Directory that text output paths are relative to (the user's cwd). */
  cwd: string;
  /** Repository root for SARIF URIs (git toplevel, or the scan root). */
  repoRoot: string;
  sarifCategory?: string;
  /** The CLI also writes a markdown summary to $GITHUB_STEP_SUMMARY (the github reporter says so). */
  githubStepSummary?: boolean;
  /** Warnings left out of `findings` by --quiet (they still count for --max-warnings). */
  hiddenWarnings?: number;
  /** --max-warnings, when given. */
  maxWarnings?: number;
}

export interface Reporter {
  (input: ReportInput): string;
  /** The same text in pieces, for a report written as it is made (JSON and SARIF: never one string of the whole report). */
  chunks?: (input: ReportInput) => Iterable<string>;
}
