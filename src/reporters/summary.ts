/** The closing counts every human-facing reporter prints: "N problems (E errors, W warnings) in F files [and R AWS roles] checked". */
import type { Finding } from '../engine/rule.js';
import type { Project } from '../model/project.js';
import type { ReporterOptions } from './types.js';

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export interface Counts {
  /** Findings that are not suppressed. */
  shown: Finding[];
  errors: number;
  warnings: number;
  /** `3 problems (2 errors, 1 warning)` */
  problems: string;
  /** `4 files and 2 AWS roles checked` */
  checked: string;
}

export function counts(findings: Finding[], project: Project): Counts {
  const shown = findings.filter((f) => !f.suppressed);
  const errors = shown.filter((f) => f.level === 'error').length;
  const warnings = shown.length - errors;
  const awsRoles = project.roles.filter((r) => r.origin.format === 'aws').length;
  return {
    shown,
    errors,
    warnings,
    problems: `${plural(shown.length, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')})`,
    checked: `${plural(project.sources.length, 'file')}${awsRoles ? ` and ${plural(awsRoles, 'AWS role')}` : ''} checked`,
  };
}

/** The closing line's words for warnings hidden by --quiet, or '' when none are. */
export function hiddenWarningsNote(options: ReporterOptions): string {
  const n = options.hiddenWarnings ?? 0;
  if (!n) return '';
  const over = options.maxWarnings !== undefined && n > options.maxWarnings;
  return `${n} warning${n === 1 ? '' : 's'} not shown (--quiet)${over ? `, more than --max-warnings ${options.maxWarnings} allows` : ''}`;
}
