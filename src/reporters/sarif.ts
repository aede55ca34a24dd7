/**
 * SARIF 2.1.0 for GitHub code scanning, built by hand and typed with @types/sarif: exactly one
 * run, every rule from its meta (GitHub's required fields, tags, precision, security-severity as a
 * string), results with ruleId + ruleIndex, repo-relative percent-encoded URIs, 1-based regions.
 * See ../shared/docs/ecosystem.md §1.
 */
import type { Location, Log, ReportingDescriptor, Result, Run } from 'sarif';
import type { ReportInput, Reporter, ReporterOptions } from './types.js';
import { jsonChunks, lazyMap, type LazyArray } from './json-stream.js';
import type { Finding, RuleModule, Severity } from '../engine/rule.js';
import type { Project } from '../model/project.js';
import type { SourceLocation } from '../model/location.js';
import { logicalArtifactUri, sarifUri } from './paths.js';
import { RULES_DOC_URL, VERSION } from '../version.js';
import { pathToFileURL } from 'node:url';
import { jsonText } from '../model/printable.js';

/** Every file URI is relative to the repository root, named by this base id (declared in run.originalUriBaseIds). */
export const SRCROOT = '%SRCROOT%';

export const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };

export function ruleDescriptor(rule: RuleModule): ReportingDescriptor {
  const d = rule.meta.docs;
  const markdown = [
    `**${rule.id}** — ${d.description}`,
    '',
    `**Why:** ${d.rationale}`,
    '',
    `**Fix:** ${d.remediation}`,
    '',
    ...d.references.map((r) => `- ${r}`),
  ].join('\n');
  return {
    id: rule.id,
    name: rule.id,
    shortDescription: { text: d.description.slice(0, 1024) },
    fullDescription: { text: `${d.description} ${d.rationale}`.slice(0, 1024) },
    help: { text: `${d.description}\n\nWhy: ${d.rationale}\n\nFix: ${d.remediation}`, markdown },
    helpUri: `${RULES_DOC_URL}#${rule.id}`,
    defaultConfiguration: { level: rule.meta.defaultLevel === 'error' ? 'error' : 'warning' },
    properties: {
      tags: ['security', rule.meta.kind, ...rule.meta.appliesTo].slice(0, 9),
      precision: 'high',
      'security-severity': SECURITY_SEVERITY[rule.meta.severity],
    },
  };
}

function region(loc: SourceLocation) {
  const startLine = Math.max(1, loc.start.line);
  const startColumn = Math.max(1, loc.start.column);
  let endLine = Math.max(startLine, loc.end.line);
  let endColumn = Math.max(1, loc.end.column);
  if (endLine === startLine && endColumn < startColumn) endColumn = startColumn;
  return { startLine, startColumn, endLine, endColumn };
}

function location(loc: SourceLocation, project: Project, opts: ReporterOptions, message?: string, id?: number): Location {
  const out: Location = {};
  if (id !== undefined) out.id = id;
  if (loc.file) out.physicalLocation = { artifactLocation: { uri: sarifUri(project.root, loc.file, opts.repoRoot), uriBaseId: SRCROOT }, region: region(loc) };
  // Live AWS: no file. The region is then relative to the decoded policy document.
  else if (loc.logical) out.physicalLocation = { artifactLocation: { uri: logicalArtifactUri(loc.logical.fullyQualifiedName) }, region: region(loc) };
  if (loc.logical) out.logicalLocations = [{ fullyQualifiedName: loc.logical.fullyQualifiedName, name: loc.logical.name, kind: 'resource' }];
  if (message) out.message = { text: message };
  return out;
}

export function buildSarif(findings: Finding[], project: Project, rules: readonly RuleModule[], opts: ReporterOptions, crashes: { ruleId: string; message: string }[] = []): Log {
  const toResult = sarifResult(project, rules, opts);
  return sarifLog(findings.map(toResult), rules, opts, crashes);
}

/** A finding as a SARIF result (`ruleIndex` from the position of its rule in `rules`). */
function sarifResult(project: Project, rules: readonly RuleModule[], opts: ReporterOptions): (f: Finding) => Result {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return (f) => {
    const r: Result = {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId),
      level: f.level === 'error' ? 'error' : 'warning',
      message: { text: f.message },
      locations: [location(f.location, project, opts)],
      partialFingerprints: { 'oidcLint/v1': f.fingerprint },
      properties: { severity: f.severity, confidence: f.confidence, 'security-severity': SECURITY_SEVERITY[f.severity] },
    };
    // Changes for people to make (never applied by --fix): SARIF has no slot for an edit-less proposal.
    if (f.suggestions?.length) r.properties!.suggestions = f.suggestions;
    if (f.related.length) r.relatedLocations = f.related.map((rl, i) => location(rl.loc, project, opts, rl.message, i + 1));
    if (f.suppressed) r.suppressions = [{ kind: f.suppressed.kind, justification: f.suppressed.justification }];
    if (f.fix) {
      r.fixes = [
        {
          description: { text: f.fix.description },
          artifactChanges: groupEdits(f.fix.edits).map(([file, edits]) => ({
            artifactLocation: { uri: sarifUri(project.root, file, opts.repoRoot), uriBaseId: SRCROOT },
            replacements: edits.map((e) => ({ deletedRegion: region({ file, start: e.start, end: e.end }), insertedContent: { text: e.text } })),
          })),
        },
      ];
    }
    return r;
  };
}

/** The log around the results (a LazyArray when it is streamed: each result is built as it is written). */
function sarifLog<R extends Result[] | LazyArray<Result>>(results: R, rules: readonly RuleModule[], opts: ReporterOptions, crashes: { ruleId: string; message: string }[]) {
  const run = {
    tool: {
      driver: {
        name: 'oidc-lint',
        semanticVersion: VERSION,
        informationUri: RULES_DOC_URL.replace(/\/blob\/main\/rules\.md$/, ''),
        rules: rules.map(ruleDescriptor),
      },
    },
    invocations: [
      {
        executionSuccessful: crashes.length === 0,
        ...(crashes.length
          ? { toolExecutionNotifications: crashes.map((c) => ({ level: 'error' as const, message: { text: `rule ${c.ruleId} crashed: ${c.message}` }, descriptor: { id: c.ruleId } })) }
          : {}),
      },
    ],
    // Where %SRCROOT% is, so that the relative URIs resolve outside GitHub too (GitHub itself joins
    // them to the checkout); a directory URI ends with '/'.
    originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(opts.repoRoot).href.replace(/\/?$/, '/'), description: { text: 'The repository root.' } } },
    results,
    columnKind: 'utf16CodeUnits' as const,
  } satisfies Omit<Run, 'results'> & { results: R };
  const withCategory = opts.sarifCategory ? { ...run, automationDetails: { id: opts.sarifCategory.endsWith('/') ? opts.sarifCategory : `${opts.sarifCategory}/` } } : run;
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0' as const, runs: [withCategory] } as R extends Result[] ? Log : unknown;
}

function groupEdits(edits: NonNullable<Finding['fix']>['edits']): [string, typeof edits][] {
  const m = new Map<string, typeof edits>();
  for (const e of edits) {
    const l = m.get(e.file);
    if (l) l.push(e);
    else m.set(e.file, [e]);
  }
  return [...m.entries()];
}

/** The SARIF log in pieces, each result built as it is written (the CLI streams it). */
export function* sarifChunks({ findings, project, rules, options, crashes }: ReportInput): Generator<string> {
  // Piece by piece, as jsonText would write the whole (what it escapes never spans two pieces: json-stream.ts).
  for (const piece of jsonChunks(sarifLog(lazyMap(findings, sarifResult(project, rules, options)), rules, options, crashes))) yield jsonText(piece);
  yield '\n';
}

export const sarifReporter: Reporter = (input) => [...sarifChunks(input)].join('');
sarifReporter.chunks = sarifChunks;
