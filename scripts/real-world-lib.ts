// The comparison behind scripts/real-world.mjs: the findings oidc-lint reports on the real-world
// regression set (test/real-world/) against the hand triage kept in test/real-world/triage.tsv.
// Pure functions only — no file system, no process — so test/scripts/real-world.test.ts runs them
// without the checkouts.

export type Verdict = 'right' | 'wrong' | 'debatable';
export const VERDICTS: readonly Verdict[] = ['right', 'wrong', 'debatable'];

/** One line of repos.tsv. */
export interface RepoEntry {
  repository: string;
  commit: string;
  why: string;
}

/** One line of triage.tsv. `level` is the level the finding had when it was triaged (optional column). */
export interface TriageEntry {
  repository: string;
  commit: string;
  /** `path/in/repo:line` */
  location: string;
  rule: string;
  verdict: Verdict;
  reason: string;
  level?: string;
  /** 1-based line in triage.tsv, for messages. */
  line: number;
}

/** What the comparison needs of one finding of the JSON report. */
export interface Finding {
  ruleId: string;
  level: string;
  message: string;
  file: string;
  line: number;
}

export interface Compared {
  finding: Finding;
  /** The triage entry of this finding, if any. */
  triage?: TriageEntry;
}

export interface RepoResult {
  repository: string;
  findings: number;
  right: number;
  wrong: number;
  debatable: number;
  /** Wrong findings whose current level is `error`. */
  wrongErrors: number;
  /** Current findings that triage.tsv does not have. */
  untriaged: Compared[];
  /** Triage entries with no current finding. */
  gone: TriageEntry[];
  /** Triaged findings whose level differs from the level recorded at triage. */
  levelChanged: Compared[];
  /** Every current finding with its triage (for --verbose). */
  compared: Compared[];
}

export class TsvError extends Error {}

/**
 * Rows of a tab-separated file with a header line. Blank lines and lines starting with `#` are
 * skipped. Every row must have at least `minColumns` fields; a bad row is an error naming its line.
 */
export function parseTsv(text: string, file: string, minColumns: number): { header: string[]; rows: { line: number; fields: string[] }[] } {
  const lines = text.split(/\r?\n/);
  let header: string[] | undefined;
  const rows: { line: number; fields: string[] }[] = [];
  lines.forEach((raw, i) => {
    if (!raw.trim() || raw.startsWith('#')) return;
    const fields = raw.split('\t').map((f) => f.trim());
    if (!header) {
      header = fields;
      return;
    }
    if (fields.length < minColumns) throw new TsvError(`${file}:${i + 1}: expected at least ${minColumns} tab-separated fields, found ${fields.length}`);
    rows.push({ line: i + 1, fields });
  });
  if (!header) throw new TsvError(`${file}: empty (expected a header line)`);
  return { header, rows };
}

export function parseRepos(text: string, file = 'repos.tsv'): RepoEntry[] {
  const seen = new Set<string>();
  return parseTsv(text, file, 3).rows.map(({ line, fields }) => {
    const [repository, commit, why] = fields;
    if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) throw new TsvError(`${file}:${line}: repository "${repository}" is not owner/name`);
    if (!/^[0-9a-f]{40}$/.test(commit)) throw new TsvError(`${file}:${line}: commit "${commit}" is not a 40-hex commit id`);
    if (seen.has(repository)) throw new TsvError(`${file}:${line}: repository ${repository} is listed twice`);
    seen.add(repository);
    return { repository, commit, why };
  });
}

export function parseTriage(text: string, file = 'triage.tsv'): TriageEntry[] {
  const seen = new Map<string, number>();
  return parseTsv(text, file, 6).rows.map(({ line, fields }) => {
    const [repository, commit, location, rule, verdict, reason, level] = fields;
    if (!VERDICTS.includes(verdict as Verdict)) throw new TsvError(`${file}:${line}: verdict "${verdict}" is not one of ${VERDICTS.join(', ')}`);
    if (!/^.+:\d+$/.test(location)) throw new TsvError(`${file}:${line}: location "${location}" is not path:line`);
    if (!reason) throw new TsvError(`${file}:${line}: the reason is empty`);
    const k = key(repository, location, rule);
    const prev = seen.get(k);
    if (prev !== undefined) throw new TsvError(`${file}:${line}: ${repository} ${location} ${rule} is already triaged on line ${prev}`);
    seen.set(k, line);
    return { repository, commit, location, rule, verdict: verdict as Verdict, reason, level: level || undefined, line };
  });
}

export function key(repository: string, location: string, rule: string): string {
  return `${repository}\u0000${location}\u0000${rule}`;
}

export function locationOf(f: Finding): string {
  return `${f.file}:${f.line}`;
}

/** The findings of one `--format json` report, in the shape the comparison needs. */
export function findingsOfReport(report: unknown): Finding[] {
  const r = report as { findings?: unknown };
  if (!r || !Array.isArray(r.findings)) throw new Error('the JSON report has no "findings" array');
  return r.findings.map((x: { ruleId: string; level: string; message: string; location: { file: string; start: { line: number } } }) => ({
    ruleId: x.ruleId,
    level: x.level,
    message: x.message,
    file: x.location.file,
    line: x.location.start.line,
  }));
}

/** Compares the current findings of one repository with its triage entries. */
export function compareRepo(repository: string, findings: Finding[], triage: TriageEntry[]): RepoResult {
  const byKey = new Map<string, TriageEntry>();
  for (const t of triage) if (t.repository === repository) byKey.set(key(t.repository, t.location, t.rule), t);
  const matched = new Set<TriageEntry>();
  const compared: Compared[] = [];
  const res: RepoResult = { repository, findings: findings.length, right: 0, wrong: 0, debatable: 0, wrongErrors: 0, untriaged: [], gone: [], levelChanged: [], compared };
  for (const finding of findings) {
    const t = byKey.get(key(repository, locationOf(finding), finding.ruleId));
    // Two findings of one rule on one line share one triage entry only once; the second is new.
    const triageEntry = t && !matched.has(t) ? t : undefined;
    const c: Compared = { finding, triage: triageEntry };
    compared.push(c);
    if (!triageEntry) {
      res.untriaged.push(c);
      continue;
    }
    matched.add(triageEntry);
    res[triageEntry.verdict]++;
    if (triageEntry.verdict === 'wrong' && finding.level === 'error') res.wrongErrors++;
    if (triageEntry.level && triageEntry.level !== finding.level) res.levelChanged.push(c);
  }
  for (const t of byKey.values()) if (!matched.has(t)) res.gone.push(t);
  res.gone.sort((a, b) => a.line - b.line);
  return res;
}

/** right / (right + wrong); undefined when nothing triaged is right or wrong. */
export function precision(r: { right: number; wrong: number }): number | undefined {
  const d = r.right + r.wrong;
  return d === 0 ? undefined : r.right / d;
}

export interface Totals {
  repos: number;
  findings: number;
  right: number;
  wrong: number;
  debatable: number;
  wrongErrors: number;
  untriaged: number;
  gone: number;
  levelChanged: number;
}

export function totals(results: RepoResult[]): Totals {
  const t: Totals = { repos: results.length, findings: 0, right: 0, wrong: 0, debatable: 0, wrongErrors: 0, untriaged: 0, gone: 0, levelChanged: 0 };
  for (const r of results) {
    t.findings += r.findings;
    t.right += r.right;
    t.wrong += r.wrong;
    t.debatable += r.debatable;
    t.wrongErrors += r.wrongErrors;
    t.untriaged += r.untriaged.length;
    t.gone += r.gone.length;
    t.levelChanged += r.levelChanged.length;
  }
  return t;
}

export function formatPrecision(p: number | undefined): string {
  return p === undefined ? '—' : p.toFixed(3);
}

/** A `triage.tsv` line for a finding not triaged yet, with the verdict left for a human to fill in. */
export function triageStub(repository: string, commit: string, c: Compared): string {
  return [repository, commit, locationOf(c.finding), c.finding.ruleId, '?', `TODO: ${c.finding.message}`, c.finding.level].join('\t');
}
