/**
 * GitHub Actions output: one workflow command per finding,
 *
 *   ::error file=iam/trust.json,line=7,endLine=7,col=22,endColumn=50,title=require-subject-condition (oidc-lint)::message
 *
 * (`::warning` for warn level), with paths relative to the repository root and the escaping of
 * ecosystem.md §4 (message: `%` CR LF; properties also `:` and `,`). GitHub keeps at most 10 error
 * and 10 warning annotations per step and silently drops the rest, so only the 10 most severe of
 * each level are sent as annotations; the others are printed as plain log lines and the closing
 * summary says how many were not annotated. `githubStepSummary` renders the markdown the CLI appends
 * to `$GITHUB_STEP_SUMMARY`.
 */
import path from 'node:path';
import type { Reporter, ReportInput } from './types.js';
import type { Finding, Severity } from '../engine/rule.js';
import { absoluteOf } from './paths.js';
import { formatLocation, type SourceLocation } from '../model/location.js';
import { RULES_DOC_URL } from '../version.js';
import { counts, hiddenWarningsNote, plural } from './summary.js';
import { redactSecrets } from '../model/secrets.js';
import { neutraliseCommands, neutraliseLegacyCommands, printable } from '../model/printable.js';
import { crossCheckGraph } from './mermaid.js';

/** Annotations GitHub keeps per step and level (actions/toolkit problem-matchers docs). */
export const ANNOTATION_CAP = 10;

export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Repository-relative `/` path, or undefined when the file lies outside the repository. */
export function repoPath(root: string, file: string, repoRoot: string): string | undefined {
  const rel = path.relative(repoRoot, absoluteOf(root, file));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** The findings that become annotations: per level, the ANNOTATION_CAP most severe (stable, so ties keep file order). */
export function pickAnnotated(findings: Finding[], errorBudget = ANNOTATION_CAP): Set<Finding> {
  const picked = new Set<Finding>();
  for (const [level, budget] of [['error', errorBudget], ['warn', ANNOTATION_CAP]] as const) {
    const ofLevel = findings.filter((f) => f.level === level);
    const ranked = ofLevel.map((f, i) => [f, i] as const).sort((a, b) => SEVERITY_RANK[a[0].severity] - SEVERITY_RANK[b[0].severity] || a[1] - b[1]);
    for (const [f] of ranked.slice(0, Math.max(0, budget))) picked.add(f);
  }
  return picked;
}

/** A location for the log: control characters in file names escaped (see printable.ts). */
function where(loc: SourceLocation, input: ReportInput): string {
  if (!loc.file) return printable(formatLocation(loc));
  const p = repoPath(input.project.root, loc.file, input.options.repoRoot) ?? absoluteOf(input.project.root, loc.file);
  return printable(`${p}:${loc.start.line}:${loc.start.column}`);
}

function annotation(f: Finding, input: ReportInput): string {
  const props: string[] = [];
  const loc = f.location;
  const inRepo = loc.file ? repoPath(input.project.root, loc.file, input.options.repoRoot) : undefined;
  // A path with control characters, a runner command or a key is not written raw even in a
  // property: the annotation then names the file (escaped, redacted) in its message instead.
  const file = inRepo !== undefined && neutraliseCommands(printable(redactSecrets(inRepo))) === inRepo ? inRepo : undefined;
  if (file) {
    props.push(`file=${escapeProperty(file)}`, `line=${loc.start.line}`, `endLine=${Math.max(loc.start.line, loc.end.line)}`);
    // Columns only on one-line spans: GitHub drops start/end columns that span lines.
    if (loc.end.line === loc.start.line) props.push(`col=${loc.start.column}`, `endColumn=${Math.max(loc.start.column, loc.end.column)}`);
  }
  props.push(`title=${escapeProperty(`${f.ruleId} (oidc-lint)`)}`);
  // Name the resource when there is no file to annotate, or when the file is an AWS snapshot.
  const subject = !file ? where(loc, input) : loc.logical?.fullyQualifiedName;
  const body = [subject ? `${printable(subject)}: ${f.message}` : f.message];
  for (const r of f.related) body.push(`↳ ${where(r.loc, input)}  ${r.message}`);
  body.push(`${RULES_DOC_URL}#${f.ruleId}`);
  return `::${f.level === 'error' ? 'error' : 'warning'} ${props.join(',')}::${escapeData(body.join('\n'))}`;
}

export const githubReporter: Reporter = (input) => {
  const { findings, crashes, project } = input;
  const { shown, problems, checked } = counts(findings, project);
  const out: string[] = [];
  for (const c of crashes) out.push(`::error title=${escapeProperty('oidc-lint')}::${escapeData(`rule ${c.ruleId} crashed: ${c.message}`)}`);
  const annotated = pickAnnotated(shown, ANNOTATION_CAP - crashes.length);
  for (const f of shown) {
    if (annotated.has(f)) out.push(annotation(f, input));
    else out.push(neutraliseCommands(`${where(f.location, input)}  ${f.level === 'error' ? 'error' : 'warn '}  ${f.message}  ${f.ruleId}`));
  }
  const hidden = hiddenWarningsNote(input.options);
  out.push(shown.length ? `oidc-lint: ${problems}${hidden ? `; ${hidden}` : ''} in ${checked}.` : hidden ? `oidc-lint: no errors; ${hidden} (${checked}).` : `oidc-lint: no problems (${checked}).`);
  const missedErrors = shown.filter((f) => f.level === 'error' && !annotated.has(f)).length;
  const missedWarnings = shown.filter((f) => f.level === 'warn' && !annotated.has(f)).length;
  if (missedErrors + missedWarnings) {
    const text = `${plural(missedErrors, 'error')} and ${plural(missedWarnings, 'warning')} were not annotated: GitHub shows at most ${ANNOTATION_CAP} error and ${ANNOTATION_CAP} warning annotations per step. They are listed in this log${input.options.githubStepSummary ? ' and in the job summary' : ''}.`;
    out.push(`::notice title=${escapeProperty('oidc-lint')}::${escapeData(text)}`);
  }
  // Lines that are not oidc-lint's own commands had theirs neutralised above; `##[` is read anywhere.
  return neutraliseLegacyCommands(out.join('\n')) + '\n';
};

/**
 * Markdown text for a table cell from a value (messages and locations come with control characters
 * already escaped): every ASCII punctuation character is backslash-escaped, so no link, image,
 * HTML, emphasis, autolink or cell break can form from it.
 */
function cell(s: string): string {
  return s.replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/** A code span holding `s` whatever backticks it contains (its fence is longer than any run of them); pipes escaped for the table. */
function codeSpan(s: string): string {
  const fence = '`'.repeat(Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length)) + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** A path segment for a URL: encodeURIComponent leaves `( ) ! ' *`, which end or change a markdown link. */
function urlSegment(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Rows written to the step summary (GitHub caps a step summary at 1 MiB). */
export const SUMMARY_ROWS = 200;

/**
 * Markdown for `$GITHUB_STEP_SUMMARY`: counts and a table of findings, linking each location to the
 * file at the commit (when GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_SHA are known) and each
 * rule to its rules.md section; then the cross-check as a Mermaid graph (mermaid.ts).
 */
export function githubStepSummary(input: ReportInput, env: Record<string, string | undefined>): string {
  const { shown, errors, warnings, checked } = counts(input.findings, input.project);
  const out = ['## oidc-lint', ''];
  if (!shown.length) out.push(`✅ No problems (${checked}).`, '');
  else {
    out.push(`${errors ? '❌' : '⚠️'} **${plural(shown.length, 'problem')}** (${plural(errors, 'error')}, ${plural(warnings, 'warning')}) in ${checked}.`, '');
    out.push('| Level | Rule | Location | Message |', '|---|---|---|---|');
    const base = env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_SHA ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/blob/${env.GITHUB_SHA}/` : undefined;
    for (const f of shown.slice(0, SUMMARY_ROWS)) {
      const loc = f.location;
      const file = loc.file ? repoPath(input.project.root, loc.file, input.options.repoRoot) : undefined;
      const label = codeSpan(where(loc, input));
      const locCell = file && base ? `[${label}](${base}${file.split('/').map(urlSegment).join('/')}#L${loc.start.line})` : label;
      out.push(`| ${f.level === 'error' ? 'error' : 'warning'} | [${f.ruleId}](${RULES_DOC_URL}#${f.ruleId}) | ${locCell} | ${cell(f.message)} |`);
    }
    if (shown.length > SUMMARY_ROWS) out.push('', `…and ${shown.length - SUMMARY_ROWS} more (run oidc-lint locally or use the SARIF output for the full list).`);
    out.push('');
  }
  const graph = crossCheckGraph(input.project);
  if (graph) {
    // Jobs → the roles they assume, with the cross-check's verdict on each (GitHub renders mermaid blocks).
    out.push('### Workflow jobs and the roles they assume', '', '```mermaid', graph, '```', '');
  }
  for (const c of input.crashes) out.push(`**Rule ${cell(c.ruleId)} crashed:** ${cell(c.message)}`, '');
  return out.join('\n');
}
