/**
 * Machine output, stable and documented in the README ("JSON output"). Version 1 shape:
 * { version, tool, root, summary, findings[], unresolvedAssumptions[], crashes[] }.
 */
import type { Reporter } from './types.js';
import { VERSION } from '../version.js';
import { jsonText } from '../model/printable.js';

export const jsonReporter: Reporter = ({ findings, crashes, project }) => {
  const shown = findings;
  const doc = {
    version: 1,
    tool: { name: 'oidc-lint', version: VERSION },
    root: project.root,
    summary: {
      files: project.sources.length,
      errors: shown.filter((f) => !f.suppressed && f.level === 'error').length,
      warnings: shown.filter((f) => !f.suppressed && f.level === 'warn').length,
      suppressed: shown.filter((f) => f.suppressed).length,
    },
    findings: shown.map((f) => ({
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
    })),
    unresolvedAssumptions: project.links.unresolved.map((ra) => ({
      file: ra.job.parent.file,
      job: ra.job.id.value,
      via: ra.via,
      roleArn: ra.roleArn ? { value: ra.roleArn.value, resolution: ra.roleArn.resolution } : null,
      location: ra.loc,
    })),
    crashes: crashes.map((c) => ({ ruleId: c.ruleId, message: c.message })),
  };
  return jsonText(JSON.stringify(doc, null, 2)) + '\n';
};
