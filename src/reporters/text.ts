/**
 * Human output. Each finding is a block:
 *
 *   path:line:col  level  message  rule-id
 *     12 |         "token.actions.githubusercontent.com:sub": "repo:my-org/*"
 *        |                                                    ^^^^^^^^^^^^^^
 *       ↳ path:line:col  related location and why it matters
 *       docs: https://…/rules.md#rule-id
 *
 * then a summary line and how many findings --fix can repair. Source lines are redacted (hard-coded
 * keys never reach a terminal or CI log; messages are redacted by the engine) and cut around the
 * token when long. Colour only when asked (the CLI decides: TTY and no NO_COLOR).
 */
import type { Reporter } from './types.js';
import { displayPath } from './paths.js';
import { codeFrame, splitLines } from './frame.js';
import { counts, hiddenWarningsNote } from './summary.js';
import { formatLocation, type SourceLocation } from '../model/location.js';
import { RULES_DOC_URL } from '../version.js';
import { neutraliseCommands, printable } from '../model/printable.js';

const ansi = (on: boolean) => {
  const wrap = (open: number, close: number) => (s: string) => (on ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
};

export const textReporter: Reporter = ({ findings, crashes, project, options }) => {
  const c = ansi(options.color);
  const out: string[] = [];
  const { shown, errors, problems, checked } = counts(findings, project);
  // Each file's lines, split once, only for files that have findings.
  const sources = new Map(project.sources.map((s) => [s.path, s]));
  const lines = new Map<string, string[] | undefined>();
  const linesOf = (file: string): string[] | undefined => {
    if (!lines.has(file)) {
      const src = sources.get(file);
      lines.set(file, src && splitLines(src.text));
    }
    return lines.get(file);
  };
  const where = (loc: SourceLocation) => {
    if (!loc.file) return printable(formatLocation(loc));
    const pos = `${displayPath(project.root, loc.file, options.cwd)}:${loc.start.line}:${loc.start.column}`;
    // A live-AWS resource read from a snapshot file: name the ARN next to the file.
    return printable(loc.logical ? `${pos} (${loc.logical.fullyQualifiedName})` : pos);
  };

  for (const f of shown) {
    const paint = f.level === 'error' ? c.red : c.yellow;
    out.push(`${where(f.location)}  ${paint(f.level === 'error' ? 'error' : 'warn ')}  ${f.message}  ${c.dim(f.ruleId)}`);
    const src = f.location.file ? linesOf(f.location.file) : undefined;
    const frame = src && codeFrame(src, f.location);
    if (frame) {
      const gutter = String(frame.line).padStart(6);
      out.push(`${c.dim(`${gutter} |`)} ${frame.text}`);
      out.push(`${c.dim(`${' '.repeat(gutter.length)} |`)} ${paint(frame.marker)}`);
    }
    for (const r of f.related) out.push(c.dim(`    ↳ ${where(r.loc)}  ${r.message}`));
    out.push(c.dim(`    docs: ${RULES_DOC_URL}#${f.ruleId}`));
    out.push('');
  }
  const hidden = hiddenWarningsNote(options);
  const over = options.maxWarnings !== undefined && (options.hiddenWarnings ?? 0) > options.maxWarnings;
  if (shown.length === 0 && hidden) out.push(over ? c.bold(c.yellow(`✖ no errors; ${hidden} (${checked})`)) : `✓ no errors; ${hidden} (${checked})`);
  else if (shown.length === 0) out.push(`✓ no problems (${checked})`);
  else {
    const line = `✖ ${problems}${hidden ? `; ${hidden}` : ''} in ${checked}`;
    out.push(errors ? c.bold(c.red(line)) : c.bold(c.yellow(line)));
    const fixable = shown.filter((f) => f.fix).length;
    const which = fixable === shown.length ? (fixable === 1 ? '' : `all ${fixable} `) : `${fixable} of them `;
    if (fixable) out.push(`  ${which}fixable with --fix (--fix-dry-run shows the diff)`);
  }
  for (const cr of crashes) out.push(c.red(`rule ${cr.ruleId} crashed: ${cr.message}`));
  // Printed in CI logs too: nothing from the repository may read as a runner command there.
  return neutraliseCommands(out.join('\n')) + '\n';
};
