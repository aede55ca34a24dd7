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
import { graphOf } from './graph.js';
import type { Value } from './location.js';
import { parseCondition, runsWhere, type ConditionFacts, type Expr, type RunWorld } from './expressions.js';

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
  /** The job's `if:` lets it run only when the triggering user matches (an actor or author check), e.g. `github.actor == 'dependabot[bot]'`. */
  gate?: string;
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

function push(list: PredictedContext[], c: Omit<PredictedContext, 'events' | 'untrusted'>, event: string, untrusted = UNTRUSTED_EVENTS.has(event)) {
  const existing = list.find((x) => x.kind === c.kind && x.value === c.value);
  if (existing) {
    if (!existing.events.includes(event)) existing.events.push(event);
    existing.untrusted ||= untrusted;
    // A gate holds for the context only when it holds for every way of reaching it.
    if (existing.gate !== undefined && c.gate === undefined) delete existing.gate;
    return;
  }
  list.push({ ...c, events: [event], untrusted });
}

/**
 * Contexts produced by a workflow's own triggers (ignoring environments). `upstreamUntrusted` says
 * whether a `workflow_run` trigger can be caused by outsiders (by default it can).
 */
export function triggerContexts(wf: Workflow, defaultBranch: string | undefined, upstreamUntrusted: (t: Trigger) => boolean = () => true): { contexts: PredictedContext[]; callOnly: boolean } {
  const out: PredictedContext[] = [];
  const def = defaultBranch ?? 'main';
  const defUnresolved = defaultBranch === undefined;
  const ref = (value: string, event: string, unresolved = false, untrusted?: boolean) => push(out, { kind: 'ref', value, pattern: /[*?]/.test(value), unresolved }, event, untrusted);
  for (const t of wf.triggers) addTrigger(t, ref, out, def, defUnresolved, upstreamUntrusted);
  return { contexts: out, callOnly: wf.triggers.length > 0 && wf.triggers.every((t) => t.event === 'workflow_call') };
}

function addTrigger(t: Trigger, ref: (value: string, event: string, unresolved?: boolean, untrusted?: boolean) => void, out: PredictedContext[], def: string, defUnresolved: boolean, upstreamUntrusted: (t: Trigger) => boolean) {
  switch (t.event) {
    case 'workflow_run':
      ref(`refs/heads/${def}`, t.event, defUnresolved, upstreamUntrusted(t));
      break;
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
 * contexts of the jobs of this repository that call them (the workflow graph's callers).
 */
export function predictProject(project: Project): Map<Job, JobPrediction> {
  const out = new Map<Job, JobPrediction>();
  const def = project.identity?.defaultBranch;
  // Callers of each reusable workflow of this repository (`./…` or this repository's OWNER/REPO/…), from the graph.
  const graph = graphOf(project);
  const callers = new Map<Workflow, Job[]>(project.workflows.map((w) => [w, graph.callersOf(w)]));
  const upstreamUntrusted = workflowRunTrust(project.workflows);
  const own = new Map(project.workflows.map((w) => [w, triggerContexts(w, def, upstreamUntrusted)]));
  const facts: ConditionFacts = { owner: project.identity?.owner, repo: project.identity?.repo };
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
        for (const x of c.contexts) for (const e of x.events) push(all, x, e, x.untrusted && UNTRUSTED_EVENTS.has(e));
      }
    }
    const result = { contexts: all, unknown: unknown && all.length === 0 };
    if (!cut) memo.set(w, result);
    cut ||= cutAbove;
    return result;
  };
  const jobContexts = (job: Job, seen: Set<Workflow>): { contexts: PredictedContext[]; unknown: boolean } => {
    const all = wfContexts(job.parent, seen);
    // The job's `if:` drops the events it excludes and narrows the refs it pins.
    const base = job.if ? { contexts: applyCondition(all.contexts, job.if, facts), unknown: all.unknown } : all;
    if (!job.environment) return base;
    // An environment replaces the ref / pull_request context for every event (domain.md §A.3).
    const env = job.environment;
    const unresolved = env.resolution === 'unresolved';
    const events = [...new Set(base.contexts.flatMap((c) => c.events))];
    const untrusted = base.contexts.some((c) => c.untrusted);
    const context: PredictedContext = { kind: 'environment', value: unresolved ? '*' : env.value, pattern: unresolved, events: events.length ? events : ['workflow_call'], unresolved, untrusted };
    const gate = base.contexts.length && base.contexts.every((c) => c.gate !== undefined) ? base.contexts[0].gate : undefined;
    if (gate !== undefined) context.gate = gate;
    // A job whose `if:` is false on every trigger never runs, environment or not.
    if (!base.contexts.length && job.if && all.contexts.length) return { contexts: [], unknown: false };
    return { contexts: [context], unknown: false };
  };
  for (const w of project.workflows)
    for (const j of w.jobs) {
      const { contexts, unknown } = jobContexts(j, new Set());
      out.set(j, { job: j, contexts, unknown });
    }
  return out;
}

/** Events of an upstream workflow that outsiders can cause (a fork's pull request among them). */
const OUTSIDER_EVENTS = new Set([...UNTRUSTED_EVENTS, 'pull_request']);

/**
 * Whether a `workflow_run` trigger can be caused by outsiders: unless every workflow it names is in
 * the same directory of the scan (matched by `name:`, or by path for a workflow without one) and
 * none of them runs on an event outsiders can cause (following `workflow_run` chains), it can.
 */
function workflowRunTrust(workflows: readonly Workflow[]): (t: Trigger) => boolean {
  const dirOf = (file: string) => file.slice(0, file.lastIndexOf('/') + 1);
  const byName = new Map<string, Workflow[]>();
  for (const w of workflows) {
    const name = w.name && w.name.resolution !== 'unresolved' ? w.name.value : w.file.slice(w.file.indexOf('.github/'));
    const key = `${dirOf(w.file)}\0${name}`;
    byName.set(key, [...(byName.get(key) ?? []), w]);
  }
  const memo = new Map<Trigger, boolean>();
  const untrusted = (t: Trigger, visiting: Set<Trigger>): boolean => {
    const known = memo.get(t);
    if (known !== undefined) return known;
    if (visiting.has(t)) return true;
    visiting.add(t);
    let result = !t.workflows?.length;
    for (const n of t.workflows ?? []) {
      if (result) break;
      const ups = n.resolution === 'unresolved' ? undefined : byName.get(`${dirOf(t.parent.file)}\0${n.value}`);
      if (!ups?.length) result = true;
      else
        result = ups.some(
          (u) => !u.triggers.length || u.triggers.some((ut) => (ut.event === 'workflow_run' ? untrusted(ut, visiting) : OUTSIDER_EVENTS.has(ut.event))),
        );
    }
    visiting.delete(t);
    memo.set(t, result);
    return result;
  };
  return (t) => untrusted(t, new Set());
}

const parsedConditions = new WeakMap<Value<string>, Expr | null>();

function conditionOf(v: Value<string>): Expr | undefined {
  let e = parsedConditions.get(v);
  if (e === undefined) parsedConditions.set(v, (e = parseCondition(v.value) ?? null));
  return e ?? undefined;
}

/**
 * The contexts in which an `if:` condition may be true: events it excludes are dropped, open-ended
 * refs it pins are narrowed (`github.ref == 'refs/heads/main'` turns `refs/heads/*` into
 * `refs/heads/main`), and an actor or author check is kept as the context's `gate`. A condition
 * that cannot be read changes nothing ("may run").
 */
export function applyCondition(contexts: PredictedContext[], cond: Value<string> | undefined, facts: ConditionFacts = {}): PredictedContext[] {
  const expr = cond && conditionOf(cond);
  if (!expr) return contexts;
  const out: PredictedContext[] = [];
  for (const c of contexts)
    for (const event of c.events) {
      const world: RunWorld =
        c.kind === 'ref'
          ? { event, ref: c.value, pattern: c.pattern, refUnknown: c.unresolved }
          : c.kind === 'pull_request'
            ? { event, ref: 'refs/pull/*/merge', pattern: true, refUnknown: false }
            : { event, ref: 'refs/*', pattern: true, refUnknown: true };
      // Only the events outsiders can cause made the context untrusted.
      const untrusted = c.untrusted && UNTRUSTED_EVENTS.has(event);
      for (const w of runsWhere(expr, world, facts)) {
        const next: Omit<PredictedContext, 'events' | 'untrusted'> =
          c.kind === 'ref' ? { kind: 'ref', value: w.ref, pattern: w.pattern, unresolved: c.unresolved } : { kind: c.kind, value: c.value, pattern: c.pattern, unresolved: c.unresolved };
        const gate = w.gate ?? c.gate;
        if (gate !== undefined) next.gate = gate;
        push(out, next, event, untrusted);
      }
    }
  return out;
}
