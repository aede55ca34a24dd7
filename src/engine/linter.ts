/**
 * Runs the enabled rules over a project in ONE traversal and collects findings. A rule that throws
 * is recorded with its id and disabled for the rest of the run; the others continue.
 */
import { sha256Hex } from './sha256.js';
import { interpolate } from './create-rule.js';
import type { Finding, NodeType, ReportDescriptor, RuleModule, Settings, Visitors } from './rule.js';
import { resolveRules, defaultSettings, type LintConfig } from './config.js';
import { traverse } from './traverse.js';
import { applySuppressions } from './suppressions.js';
import type { Project } from '../model/project.js';
import { compareLocations, type ValueCondition } from '../model/location.js';
import { redactSecrets } from '../model/secrets.js';
import { printable } from '../model/printable.js';
import { summaryOf } from '../model/claims.js';
import type { Role } from '../model/iam.js';

export interface RuleCrash {
  ruleId: string;
  message: string;
  stack?: string;
}

export interface LintResult {
  findings: Finding[];
  crashes: RuleCrash[];
}

/**
 * Starts the analysis the trust-policy rules share (`summaryOf`, memoised per policy) for roles as
 * they are loaded, so that it runs while a worker thread is still loading files rather than after.
 * Errors are left for the rules, which report them with crash isolation when they ask again.
 */
export function analyzeEarly(loaded: { roles: readonly Role[] }): void {
  for (const role of loaded.roles) {
    if (!role.trustPolicy) continue;
    try {
      summaryOf(role.trustPolicy);
    } catch {
      // reported by the rule that needs it
    }
  }
}

export function lintProject(project: Project, rules: readonly RuleModule[], config: LintConfig): LintResult {
  const resolved = resolveRules(rules, config);
  const settings: Settings = defaultSettings(config.settings);
  const findings: Finding[] = [];
  const crashes: RuleCrash[] = [];
  const handlers = new Map<string, { ruleId: string; fn: (node: never) => void }[]>();
  const dead = new Set<string>();

  for (const { rule, level, options } of resolved) {
    const context = {
      id: rule.id,
      project,
      settings,
      report(d: ReportDescriptor) {
        findings.push(makeFinding(rule, level, d));
      },
      message(messageId: string, data?: Record<string, string | number>) {
        const t = rule.meta.messages[messageId];
        if (t === undefined) throw new Error(`rule ${rule.id} used unknown messageId '${messageId}'`);
        return interpolate(t, data);
      },
    };
    let visitors: Visitors;
    try {
      visitors = rule.create(context, options);
    } catch (e) {
      crashes.push(crash(rule.id, e));
      continue;
    }
    for (const [key, fn] of Object.entries(visitors)) {
      if (typeof fn !== 'function') continue;
      let list = handlers.get(key);
      if (!list) handlers.set(key, (list = []));
      list.push({ ruleId: rule.id, fn: fn as (node: never) => void });
    }
  }

  const dispatch = (type: NodeType, node: unknown, exit: boolean) => {
    const list = handlers.get(exit ? `${type}:exit` : type);
    if (!list) return;
    for (const h of list) {
      if (dead.has(h.ruleId)) continue;
      try {
        h.fn(node as never);
      } catch (e) {
        dead.add(h.ruleId);
        crashes.push(crash(h.ruleId, e));
      }
    }
  };
  traverse(project, dispatch);
  dropRepeats(findings);

  // Suppressions need every finding; then their directives go to the rules that audit them.
  const directives = applySuppressions({
    project,
    findings,
    known: new Set(rules.map((r) => r.id)),
    enabled: new Set(resolved.map((r) => r.rule.id)),
    external: config.suppressions,
  });
  if (handlers.has('Suppression')) for (const d of directives) dispatch('Suppression', d, false);

  assignFingerprints(findings);
  findings.sort(compareFindings);
  return { findings, crashes };
}

/**
 * The same finding reached twice — one rule, place, level and message (a Terraform child module
 * called from two environments with the same arguments, the instances of one resource) — is
 * reported once.
 */
function dropRepeats(findings: Finding[]): void {
  const seen = new Set<string>();
  let n = 0;
  for (const f of findings) {
    const l = f.location;
    const key = [f.ruleId, l.logical?.fullyQualifiedName ?? '', l.file, l.start.line, l.start.column, l.end.line, l.end.column, f.level, f.message].join('\u0000');
    if (seen.has(key)) continue;
    seen.add(key);
    findings[n++] = f;
  }
  findings.length = n;
}

function crash(ruleId: string, e: unknown): RuleCrash {
  const err = e instanceof Error ? e : new Error(String(e));
  return { ruleId, message: printable(err.message), stack: err.stack };
}

function makeFinding(rule: RuleModule, level: 'error' | 'warn', d: ReportDescriptor): Finding {
  const template = rule.meta.messages[d.messageId];
  if (template === undefined) throw new Error(`rule ${rule.id} reported unknown messageId '${d.messageId}'`);
  const loc = d.loc ?? d.node?.loc;
  if (!loc) throw new Error(`rule ${rule.id} reported without a location`);
  // A possible value that the source takes only under some input (a branch of a conditional whose
  // test is not known) may never be used: its finding is at most a warning, of at most medium confidence.
  const when = (d.node as { when?: ValueCondition } | undefined)?.when;
  const onlyUnderInput = !!when && !when.isDefault && !d.everyBranch;
  const f: Finding = {
    ruleId: rule.id,
    messageId: d.messageId,
    // Defence in depth: whatever a rule interpolates, a key never reaches a report; control
    // characters from the scanned files are shown as escapes in every format (model/printable.ts).
    message: printable(redactSecrets(interpolate(template, d.data))),
    level: onlyUnderInput || d.maxLevel === 'warn' ? 'warn' : level,
    severity: d.severity ?? rule.meta.severity,
    confidence: onlyUnderInput && (d.confidence ?? 'high') === 'high' ? 'medium' : (d.confidence ?? 'high'),
    location: loc,
    related: (d.related ?? []).map((r) => ({ ...r, message: printable(redactSecrets(r.message)) })),
    fingerprint: '',
  };
  if (d.fix) f.fix = d.fix;
  if (d.suggestions) f.suggestions = d.suggestions;
  if (d.via?.length) f.via = [...new Set(d.via)].sort();
  return f;
}

/**
 * Stable fingerprints: rule, file (or, for a live-AWS resource, its ARN — so a role keeps its
 * fingerprints whether it was read live or from a snapshot file), symbolic path, message id;
 * duplicates get an ordinal.
 */
function assignFingerprints(findings: Finding[]): void {
  const counts = new Map<string, number>();
  const ordered = [...findings].sort(compareFindings);
  for (const f of ordered) {
    const where = f.location.logical?.fullyQualifiedName || f.location.file;
    const base = [f.ruleId, where, f.location.path ?? '', f.messageId, ...(f.via ? ['via', ...f.via] : [])].join('\u0000');
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    f.fingerprint = sha256Hex(`${base}\u0000${n}`).slice(0, 32);
  }
}

export function compareFindings(a: Finding, b: Finding): number {
  return compareLocations(a.location, b.location) || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}
