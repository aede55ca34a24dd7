/**
 * Human output: `file:line:col  level  message  rule-id`, grouped per file, then a summary line.
 * Colour only when asked (the CLI decides: TTY and no NO_COLOR).
 */
import type { Reporter } from './types.js';
import { displayPath } from './paths.js';
import { formatLocation } from '../model/location.js';

const ansi = (on: boolean) => {
  const wrap = (open: number, close: number) => (s: string) => (on ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22), underline: wrap(4, 24) };
};

export const textReporter: Reporter = ({ findings, crashes, project, options }) => {
  const c = ansi(options.color);
  const out: string[] = [];
  const shown = findings.filter((f) => !f.suppressed);
  let currentFile: string | undefined;
  for (const f of shown) {
    const where = f.location.file ? displayPath(project.root, f.location.file, options.cwd) : formatLocation(f.location);
    // A live-AWS resource read from a snapshot file: name the ARN next to the file.
    const heading = f.location.file && f.location.logical ? `${where} (${f.location.logical.fullyQualifiedName})` : where;
    if (heading !== currentFile) {
      if (currentFile !== undefined) out.push('');
      out.push(c.underline(heading));
      currentFile = heading;
    }
    const pos = f.location.file ? `${where}:${f.location.start.line}:${f.location.start.column}` : where;
    const level = f.level === 'error' ? c.red('error') : c.yellow('warn ');
    out.push(`${pos}  ${level}  ${f.message}  ${c.dim(f.ruleId)}`);
    for (const r of f.related) {
      const rw = r.loc.file ? `${displayPath(project.root, r.loc.file, options.cwd)}:${r.loc.start.line}:${r.loc.start.column}` : formatLocation(r.loc);
      out.push(c.dim(`    ↳ ${rw}  ${r.message}`));
    }
  }
  const errors = shown.filter((f) => f.level === 'error').length;
  const warnings = shown.length - errors;
  if (shown.length) out.push('');
  const files = project.sources.length;
  const awsRoles = project.roles.filter((r) => r.origin.format === 'aws').length;
  const checked = `${files} file${files === 1 ? '' : 's'}${awsRoles ? ` and ${awsRoles} AWS role${awsRoles === 1 ? '' : 's'}` : ''} checked`;
  if (shown.length === 0) out.push(`✓ no problems (${checked})`);
  else {
    const line = `✖ ${shown.length} problem${shown.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}) in ${checked}`;
    out.push(errors ? c.bold(c.red(line)) : c.bold(c.yellow(line)));
  }
  for (const cr of crashes) out.push(c.red(`rule ${cr.ruleId} crashed: ${cr.message}`));
  return out.join('\n') + '\n';
};
