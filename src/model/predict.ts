/**
 * Which token contexts a job will run with, predicted from the workflow alone: its triggers
 * (with branch/tag filters), its `environment` (which takes precedence over the ref), and — for a
 * reusable workflow — the contexts of its callers in this repository. domain.md §A.3, §A.6.
 *
 * This is workflow knowledge only. Turning a context into a `sub` string, and matching it against a
 * trust policy, is `claims.ts`'s job.
 */
import type { Job, Trigger, Workflow } from './workflow.js';
import type { Project } from './project.js';
import type { Value } from './location.js';

export interface PredictedContext {
  kind: 'ref' | 'environment' | 'pull_request';
  /** `refs/heads/main`, `refs/heads/*` (open-ended: `pattern`), an environment name, or '' for pull_request. */
  value: string;
  /** `*` / `?` in `value` stand for any characters (IAM StringLike style; crosses `/`). */
  pattern: boolean;
  /** Events that produce this context. */
  events: string[];
  /** The value depends on something unknown (an expression, an unknown default branch). */
  unresolved: boolean;
  /** Triggered by an event that outsiders can cause on the base repository (pull_request_target, workflow_run, comments). */
  untrusted: boolean;
}

export interface JobPrediction {
  job: Job;
  contexts: PredictedContext[];
  /** Nothing could be predicted (e.g. a reusable workflow with no caller in this repository). */
  unknown: boolean;
}

/** Events that run in the base repository's context with its secrets and OIDC, but can be caused by outsiders. */
export const UNTRUSTED_EVENTS = new Set(['pull_request_target', 'workflow_run', 'issue_comment', 'pull_request_review_comment', 'pull_request_review', 'discussion_comment', 'issues', 'discussion']);
/** Events whose GITHUB_REF is the default branch (domain.md §A.3). */
const DEFAULT_BRANCH_EVENTS = new Set([
  'schedule',
  'repository_dispatch',
  'workflow_run',
  'issue_comment',
  'issues',
  'pull_request_target',
  'discussion',
  'discussion_comment',
  'watch',
  'fork',
  'create',
  'delete',
  'gollum',
  'label',
  'milestone',
  'page_build',
  'project',
  'project_card',
  'project_column',
  'public',
  'registry_package',
  'status',
  'check_run',
  'check_suite',
  'branch_protection_rule',
  'deployment',
  'deployment_status',
]);

/** GitHub filter glob (`release/**`, `v*`) → an IAM-style superset pattern (`*` any run, `?` one char). */
export function filterToPattern(glob: string): string {
  return glob
    .replace(/\*\*+/g, '*')
    .replace(/\[[^\]]*\]/g, '?')
    .replace(/(.)\+/g, '$1*');
}

function refsFromFilters(prefix: 'refs/heads/' | 'refs/tags/', include: Value<string>[] | undefined): string[] {
  if (!include) return [`${prefix}*`];
  return include.filter((v) => !v.value.startsWith('!')).map((v) => prefix + filterToPattern(v.value));
}

function push(list: PredictedContext[], c: Omit<PredictedContext, 'events' | 'untrusted'>, event: string) {
  const existing = list.find((x) => x.kind === c.kind && x.value === c.value);
  if (existing) {
    if (!existing.events.includes(event)) existing.events.push(event);
    existing.untrusted ||= UNTRUSTED_EVENTS.has(event);
    return;
  }
  list.push({ ...c, events: [event], untrusted: UNTRUSTED_EVENTS.has(event) });
}

/** Contexts produced by a workflow's own triggers (ignoring environments). */
export function triggerContexts(wf: Workflow, defaultBranch: string | undefined): { contexts: PredictedContext[]; callOnly: boolean } {
  const out: PredictedContext[] = [];
  const def = defaultBranch ?? 'main';
  const defUnresolved = defaultBranch === undefined;
  const ref = (value: string, event: string, unresolved = false) => push(out, { kind: 'ref', value, pattern: /[*?]/.test(value), unresolved }, event);
  for (const t of wf.triggers) addTrigger(t, ref, out, def, defUnresolved);
  return { contexts: out, callOnly: wf.triggers.length > 0 && wf.triggers.every((t) => t.event === 'workflow_call') };
}

function addTrigger(t: Trigger, ref: (value: string, event: string, unresolved?: boolean) => void, out: PredictedContext[], def: string, defUnresolved: boolean) {
  switch (t.event) {
    case 'push': {
      const hasBranch = !!(t.branches || t.branchesIgnore);
      const hasTag = !!(t.tags || t.tagsIgnore);
      if (hasBranch || !hasTag) for (const r of refsFromFilters('refs/heads/', t.branches)) ref(r, 'push');
      if (hasTag || !hasBranch) for (const r of refsFromFilters('refs/tags/', t.tags)) ref(r, 'push');
      break;
    }
    case 'pull_request':
      push(out, { kind: 'pull_request', value: '', pattern: false, unresolved: false }, 'pull_request');
      break;
    case 'workflow_dispatch':
      ref('refs/heads/*', 'workflow_dispatch');
      ref('refs/tags/*', 'workflow_dispatch');
      break;
    case 'release':
      ref('refs/tags/*', 'release');
      break;
    case 'merge_group':
      ref('refs/heads/gh-readonly-queue/*', 'merge_group', false);
      break;
    case 'workflow_call':
      break;
    default:
      if (DEFAULT_BRANCH_EVENTS.has(t.event)) ref(`refs/heads/${def}`, t.event, defUnresolved);
      else ref('refs/*', t.event, true);
  }
}

/**
 * Predicts every job of the project once. Reusable workflows (`on: workflow_call`) inherit the
 * contexts of the jobs that call them with `uses: ./.github/workflows/<file>`.
 */
export function predictProject(project: Project): Map<Job, JobPrediction> {
  const out = new Map<Job, JobPrediction>();
  const def = project.identity?.defaultBranch;
  const byFile = new Map(project.workflows.map((w) => [w.file, w]));
  // Callers of each reusable workflow file (local `uses:` only).
  const callers = new Map<Workflow, Job[]>();
  for (const w of project.workflows)
    for (const j of w.jobs) {
      const target = j.uses && localWorkflow(j.uses.value, w.file, byFile);
      if (target) callers.set(target, [...(callers.get(target) ?? []), j]);
    }
  const own = new Map(project.workflows.map((w) => [w, triggerContexts(w, def)]));
  // A workflow's contexts are computed once: without this, a chain of reusable workflows each
  // called twice by the next was walked once per path (2^n; 22 files took 20 s). A result is kept
  // unless a call cycle was cut below it (GitHub refuses cyclic calls; the cut only stops the walk).
  const memo = new Map<Workflow, { contexts: PredictedContext[]; unknown: boolean }>();
  let cut = false;
  const wfContexts = (w: Workflow, seen: Set<Workflow>): { contexts: PredictedContext[]; unknown: boolean } => {
    const known = memo.get(w);
    if (known) return known;
    const { contexts, callOnly } = own.get(w)!;
    // Copies: push() adds events to the entries of the list it is given.
    const all = contexts.map((c) => ({ ...c, events: [...c.events] }));
    let unknown = callOnly;
    const cutAbove = cut;
    cut = false;
    if (w.reusable && seen.has(w)) cut = true;
    else if (w.reusable) {
      for (const caller of callers.get(w) ?? []) {
        const c = jobContexts(caller, new Set([...seen, w]));
        if (!c.unknown) unknown = false;
        for (const x of c.contexts) for (const e of x.events) push(all, x, e);
      }
    }
    const result = { contexts: all, unknown: unknown && all.length === 0 };
    if (!cut) memo.set(w, result);
    cut ||= cutAbove;
    return result;
  };
  const jobContexts = (job: Job, seen: Set<Workflow>): { contexts: PredictedContext[]; unknown: boolean } => {
    const base = wfContexts(job.parent, seen);
    if (!job.environment) return base;
    // An environment replaces the ref / pull_request context for every event (domain.md §A.3).
    const env = job.environment;
    const unresolved = env.resolution === 'unresolved';
    const events = [...new Set(base.contexts.flatMap((c) => c.events))];
    const untrusted = base.contexts.some((c) => c.untrusted);
    return {
      contexts: [{ kind: 'environment', value: unresolved ? '*' : env.value, pattern: unresolved, events: events.length ? events : ['workflow_call'], unresolved, untrusted }],
      unknown: false,
    };
  };
  for (const w of project.workflows)
    for (const j of w.jobs) {
      const { contexts, unknown } = jobContexts(j, new Set());
      out.set(j, { job: j, contexts, unknown });
    }
  return out;
}

/** Resolves `./.github/workflows/x.yml` (optionally `@ref`) to a workflow of the project. */
export function localWorkflow(uses: string, fromFile: string, byFile: Map<string, Workflow>): Workflow | undefined {
  const m = /^\.\/(.+?)(?:@.*)?$/.exec(uses.trim());
  if (!m) return undefined;
  // Paths in `uses:` are relative to the repository root; the scanned root may contain several repositories.
  const rootPrefix = fromFile.replace(/\.github\/workflows\/[^/]+$/, '');
  return byFile.get(rootPrefix + m[1]) ?? byFile.get(m[1]);
}
