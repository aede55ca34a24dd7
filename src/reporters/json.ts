/**
 * Machine output, stable and documented in the README ("JSON output"). Version 1 shape:
 * { version, tool, root, summary, findings[], unresolvedAssumptions[], crashes[] }.
 * Written in pieces (`jsonReportChunks`): the CLI streams it, so a report of 100,000 findings is never one string.
 */
import type { ReportInput, Reporter } from './types.js';
import type { Finding } from '../engine/rule.js';
import { VERSION } from '../version.js';
import { jsonText } from '../model/printable.js';
import { jsonChunks, lazyMap } from './json-stream.js';

function findingJson(f: Finding) {
  return {
    ruleId: f.ruleId,
    messageId: f.messageId,
    message: f.message,
    level: f.level,
    severity: f.severity,
    confidence: f.confidence,
    location: f.location,
    related: f.related,
    fingerprint: f.fingerprint,
    ...(f.fix ? { fix: f.fix } : {}),
    ...(f.suggestions ? { suggestions: f.suggestions } : {}),
    ...(f.suppressed ? { suppressed: f.suppressed } : {}),
  };
}

export function* jsonReportChunks({ findings, crashes, project }: ReportInput): Generator<string> {
  let errors = 0;
  let warnings = 0;
  let suppressed = 0;
  for (const f of findings) {
    if (f.suppressed) suppressed++;
    else if (f.level === 'error') errors++;
    else if (f.level === 'warn') warnings++;
  }
  const doc = {
    version: 1,
    tool: { name: 'oidc-lint', version: VERSION },
    root: project.root,
    summary: { files: project.sources.length, errors, warnings, suppressed },
    findings: lazyMap(findings, findingJson),
    unresolvedAssumptions: lazyMap(project.links.unresolved, (ra) => ({
      file: ra.job.parent.file,
      job: ra.job.id.value,
      via: ra.via,
      roleArn: ra.roleArn ? { value: ra.roleArn.value, resolution: ra.roleArn.resolution } : null,
      location: ra.loc,
    })),
    crashes: crashes.map((c) => ({ ruleId: c.ruleId, message: c.message })),
  };
  // Piece by piece, as jsonText would write the whole (what it escapes never spans two pieces: json-stream.ts).
  for (const piece of jsonChunks(doc)) yield jsonText(piece);
  yield '\n';
}

export const jsonReporter: Reporter = (input) => [...jsonReportChunks(input)].join('');
jsonReporter.chunks = jsonReportChunks;
