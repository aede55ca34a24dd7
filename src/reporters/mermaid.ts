/**
 * The cross-check as a picture for the job summary: a Mermaid flowchart (GitHub renders ```mermaid
 * blocks in markdown, job summaries included) from workflow jobs to the roles they assume, each edge
 * saying whether the role admits the token the job will present — admitted, refused, or cannot tell
 * — and each role node naming the file (or live role) whose trust policy decides it.
 *
 * Every label comes from the scanned repository, so no character of it reaches Mermaid's syntax:
 * labels are quoted and everything but letters, digits, space and `./_:@-` is written as Mermaid's
 * `#<code>;` entity. Node ids are our own (`j0`, `r0`).
 */
import type { Project } from '../model/project.js';
import type { Role } from '../model/iam.js';
import type { Job, RoleAssumption } from '../model/workflow.js';
import { judge, roleLabel } from '../model/crosscheck.js';

/** Edges drawn at most; a larger graph says how many were left out. */
export const GRAPH_EDGES = 60;
const LABEL_CHARS = 120;

export function mermaidText(s: string): string {
  const cut = [...s].length > LABEL_CHARS ? [...s].slice(0, LABEL_CHARS - 1).join('') + '…' : s;
  let out = '';
  for (const ch of cut) out += /[A-Za-z0-9 ./_:@-]/.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  return `"${out}"`;
}

export type EdgeVerdict = 'admitted' | 'refused' | 'cannot tell';

/** admitted: every predicted token of the job is admitted; refused: some is refused; otherwise cannot tell. */
export function linkVerdict(project: Project, ra: RoleAssumption, role: Role): EdgeVerdict {
  const verdicts = judge(project, ra, role);
  if (!verdicts || verdicts.length === 0) return 'cannot tell';
  if (verdicts.some((v) => v.decision.admitted === false)) return 'refused';
  if (verdicts.every((v) => v.decision.admitted === true)) return 'admitted';
  return 'cannot tell';
}

function roleWhere(role: Role): string {
  if (role.origin.format === 'aws') return role.arn?.value ?? 'live AWS';
  return role.origin.file;
}

/** The flowchart source, or undefined when no job was linked to a role. */
export function crossCheckGraph(project: Project): string | undefined {
  const links = [...project.links.byAssumption.values()].flat();
  if (!links.length) return undefined;
  const jobIds = new Map<Job, string>();
  const roleIds = new Map<Role, string>();
  const lines = ['flowchart LR'];
  const edges: string[] = [];
  const seen = new Map<Job, Set<Role>>();
  for (const link of links) {
    const job = link.assumption.job;
    // A job with two steps assuming the same role is one edge (the first step's verdict).
    const ofJob = seen.get(job) ?? new Set<Role>();
    if (ofJob.has(link.role)) continue;
    ofJob.add(link.role);
    seen.set(job, ofJob);
    if (edges.length >= GRAPH_EDGES) {
      edges.push('');
      continue;
    }
    let j = jobIds.get(job);
    if (!j) {
      j = `j${jobIds.size}`;
      jobIds.set(job, j);
      lines.push(`  ${j}[${mermaidText(`${job.parent.file}: job ${job.id.value}`)}]`);
    }
    let r = roleIds.get(link.role);
    if (!r) {
      r = `r${roleIds.size}`;
      roleIds.set(link.role, r);
      const label = roleLabel(link.role);
      const file = roleWhere(link.role);
      lines.push(`  ${r}[${mermaidText(`role ${label.includes(file) ? label : `${label} (${file})`}`)}]`);
    }
    const verdict = linkVerdict(project, link.assumption, link.role);
    const arrow = verdict === 'admitted' ? '-->' : verdict === 'refused' ? '-.->' : '-->';
    edges.push(`  ${j} ${arrow}|${mermaidText(verdict)}| ${r}`);
  }
  const drawn = edges.filter((e) => e !== '');
  const left = edges.length - drawn.length;
  lines.push(...drawn);
  // Colours: refused roles red, admitted green (a role refused by one job and admitted by another is red).
  const refused = new Set<string>();
  const admitted = new Set<string>();
  for (const e of drawn) {
    const m = /\|"([^"]*)"\| (r\d+)$/.exec(e);
    if (m?.[1] === 'refused') refused.add(m[2]);
    else if (m?.[1] === 'admitted') admitted.add(m[2]);
  }
  lines.push('  classDef refused stroke:#d1242f,stroke-width:2px', '  classDef admitted stroke:#1a7f37,stroke-width:2px');
  if (refused.size) lines.push(`  class ${[...refused].join(',')} refused`);
  const ok = [...admitted].filter((r) => !refused.has(r));
  if (ok.length) lines.push(`  class ${ok.join(',')} admitted`);
  return lines.join('\n') + (left ? `\n%% ${left} more job-role links not drawn` : '');
}
