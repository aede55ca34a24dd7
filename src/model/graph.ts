/**
 * The workflow graph (architecture.md §8): what a job runs across files — the local actions its
 * steps call (`uses: ./dir`, or `OWNER/REPO/dir@ref` naming the scanned repository itself), read
 * from the repository's `action.yml`, recursively through composite actions with their inputs bound,
 * and the reusable workflows jobs call. Rules ask the graph; they never walk files themselves.
 *
 * What cannot be read from the repository stays an explicit unknown: a JavaScript or Docker action
 * (its code is not read), a local path with no action metadata in the scan (checked out or
 * generated at run time), a cycle, or nesting deeper than MAX_ACTION_DEPTH.
 */
import type { Value, ValuePart } from './location.js';
import type { Project, RepoIdentity } from './project.js';
import type { Action, Entry, Job, Permissions, Step, Workflow } from './workflow.js';
import { expressionParts } from './workflow.js';

/** How deep composite actions are followed (each level is a composite action calling another). */
export const MAX_ACTION_DEPTH = 10;
/** Steps one job may expand to (composite actions calling each other many times over multiply). */
export const MAX_EXPANDED_STEPS = 5000;

/** Where a step runs: the job's own step, and the steps inside composite actions that lead to it. */
export interface StepPath {
  /** The job's own step. */
  outer: Step;
  /** Steps inside composite actions, outermost first; empty for the job's own step. */
  chain: Step[];
}

/** A step as it runs for one job: inputs of the enclosing composite actions substituted. */
export interface ExpandedStep extends StepPath {
  /** The step itself (the last of `chain`, or `outer`). */
  step: Step;
  with: Entry[];
  env: Entry[];
  run?: Value<string>;
}

/** A step oidc-lint cannot see into. */
export interface OpaqueStep extends StepPath {
  step: Step;
  /** How findings name it (`./actions/deploy (a Docker action)`). */
  what: string;
  reason: 'opaque' | 'missing' | 'cycle' | 'depth';
}

export interface JobExpansion {
  steps: ExpandedStep[];
  opaque: OpaqueStep[];
  /** Set when the job expands to more than MAX_EXPANDED_STEPS steps (the rest is opaque). */
  truncated?: boolean;
}

/** A problem in the graph itself (reported as a load error of the file that holds `loc`). */
export interface GraphProblem {
  loc: Value<string>['loc'];
  message: string;
}

/** What a `uses:` names in this repository. */
export type LocalTarget = { kind: 'action'; action: Action; path: string } | { kind: 'missing'; path: string };

export type Scope = Map<string, Value<string>>;

/** A script of the repository that a `run:` step executes (`./scripts/deploy.sh`, `python tools/x.py`). */
export interface RepositoryScript {
  /** Relative to the scan root. */
  file: string;
  text: string;
}

/**
 * What a calling job passes to the jobs it calls (domain.md §A.7): its own or its workflow's
 * permissions block; when it declares none and is itself in a called workflow, what its own callers
 * pass; otherwise the organisation's default (`default`), which no file shows.
 */
export interface CallerGrant {
  idToken: 'write' | 'none' | 'read' | 'unknown' | 'default';
  /** The callers the grant comes through: the job that decides first, the direct caller last. */
  via: Job[];
  /** The deciding block, when there is one. */
  block?: Permissions;
}

const SOLE_INPUT = /^\s*\$\{\{\s*inputs\.([A-Za-z_][\w-]*)\s*\}\}\s*$/;
const INPUT_EXPR = /\$\{\{\s*inputs\.([A-Za-z_][\w-]*)\s*\}\}/g;

export class WorkflowGraph {
  private readonly actionsByDir = new Map<string, Action>();
  private readonly workflowsByFile = new Map<string, Workflow>();
  private readonly expansions = new Map<Job, JobExpansion>();
  private readonly callees = new Map<Job, Workflow | undefined>();
  private callerIndex?: Map<Workflow, Job[]>;
  private readonly reported = new Set<Step>();
  private readonly scripts = new Map<Step, RepositoryScript[]>();
  private readonly grants = new Map<Job, CallerGrant[]>();
  /** Cycles and over-deep nesting found while expanding jobs. */
  readonly problems: GraphProblem[] = [];

  constructor(
    private readonly project: Project,
    private readonly identity: RepoIdentity | undefined = project.identity,
  ) {
    for (const a of project.actions ?? []) if (!this.actionsByDir.has(a.dir)) this.actionsByDir.set(a.dir, a);
    for (const w of project.workflows) this.workflowsByFile.set(w.file, w);
  }

  /** `owner/repo` of the scanned repository names itself (GitHub names are case-insensitive). */
  isSelf(owner: string | undefined, repo: string | undefined): boolean {
    const id = this.identity;
    return !!id && !!owner && !!repo && id.owner.toLowerCase() === owner.toLowerCase() && id.repo.toLowerCase() === repo.toLowerCase();
  }

  /**
   * Adds an action read from the repository outside the scanned paths (`oidc-lint .github/workflows`
   * scans the workflows only; their `uses: ./.github/actions/x` is still read), under the directory
   * key `localTarget` looks up. Not linted: it is not part of the scan.
   */
  addOutsideAction(key: string, action: Action): void {
    if (!this.actionsByDir.has(key)) this.actionsByDir.set(key, action);
  }

  /** The directory key a local `uses:` of a step looks up (undefined when it names no local action). */
  localKey(step: Step, rootPrefix: string): string | undefined {
    const a = step.action;
    if (!a || a.kind === 'docker') return undefined;
    const dir = a.kind === 'local' ? normalisePath(a.raw) : this.isSelf(a.owner, a.repo) ? (a.path ? normalisePath(a.path) : '') : undefined;
    return dir === undefined ? undefined : join(rootPrefix, dir);
  }

  /** The local action a step runs (`./dir`, or this repository's `OWNER/REPO/dir@ref`), resolved from the job's repository root. */
  localTarget(step: Step, rootPrefix: string): LocalTarget | undefined {
    const a = step.action;
    if (!a || a.kind === 'docker') return undefined;
    let dir: string | undefined;
    let path: string;
    if (a.kind === 'local') {
      path = a.raw.trim();
      dir = normalisePath(path);
    } else if (this.isSelf(a.owner, a.repo)) {
      path = a.raw.trim();
      dir = a.path ? normalisePath(a.path) : '';
    } else return undefined;
    if (dir === undefined) return { kind: 'missing', path };
    const action = this.actionsByDir.get(join(rootPrefix, dir)) ?? (rootPrefix ? undefined : this.actionsByDir.get(dir));
    return action ? { kind: 'action', action, path } : { kind: 'missing', path };
  }

  /** The reusable workflow of this repository a job calls (`./.github/workflows/x.yml` or `OWNER/REPO/.github/workflows/x.yml@ref`). */
  calleeOf(job: Job): Workflow | undefined {
    if (this.callees.has(job)) return this.callees.get(job);
    let found: Workflow | undefined;
    const uses = job.uses?.value.trim();
    if (uses) {
      const rootPrefix = repositoryRoot(job.parent.file);
      let rel: string | undefined;
      const local = /^\.\/(.+?)(?:@.*)?$/.exec(uses);
      if (local) rel = normalisePath(local[1]);
      else {
        const m = /^([^/@\s]+)\/([^/@\s]+)\/([^@]+)@/.exec(uses);
        if (m && this.isSelf(m[1], m[2])) rel = normalisePath(m[3]);
      }
      if (rel) found = this.workflowsByFile.get(join(rootPrefix, rel)) ?? this.workflowsByFile.get(rel);
    }
    this.callees.set(job, found);
    return found;
  }

  /** The jobs of this repository that call a reusable workflow. */
  callersOf(wf: Workflow): Job[] {
    if (!this.callerIndex) {
      const index = new Map<Workflow, Job[]>();
      for (const w of this.project.workflows)
        for (const j of w.jobs) {
          const callee = j.uses ? this.calleeOf(j) : undefined;
          if (!callee) continue;
          const list = index.get(callee);
          if (list) list.push(j);
          else index.set(callee, [j]);
        }
      this.callerIndex = index;
    }
    return this.callerIndex.get(wf) ?? [];
  }

  /** Records the repository scripts a `run:` step executes (read by the loader, loaders/workflows/graph.ts). */
  addScripts(step: Step, scripts: RepositoryScript[]): void {
    if (scripts.length) this.scripts.set(step, scripts);
  }

  /** The repository scripts a `run:` step executes, as far as the loader found and read them. */
  scriptsOf(step: Step): RepositoryScript[] {
    return this.scripts.get(step) ?? [];
  }

  /** What a calling job passes down, per path from the jobs that decide it (see CallerGrant). */
  callerGrants(caller: Job): CallerGrant[] {
    const known = this.grants.get(caller);
    if (known) return known;
    // A call cycle (which GitHub refuses) is cut: the job on the cycle passes nothing more.
    this.grants.set(caller, []);
    const result = this.computeGrants(caller);
    this.grants.set(caller, result);
    return result;
  }

  private computeGrants(caller: Job): CallerGrant[] {
    const eff = caller.effectivePermissions;
    if (eff.source !== 'default') return [{ idToken: eff.idToken, via: [caller], block: eff.block }];
    const wf = caller.parent;
    if (!wf.reusable) return [{ idToken: 'default', via: [caller] }];
    // A called workflow that declares nothing passes on what its callers pass; run by its own
    // triggers, it has the default; called only from elsewhere, it is unknown here.
    const out: CallerGrant[] = [];
    if (wf.triggers.some((t) => t.event !== 'workflow_call')) out.push({ idToken: 'default', via: [caller] });
    // One path per deciding job and grant: chains of workflows each called several times have
    // exponentially many paths, and every one of them leads to one of these.
    const seen = new Set<string>();
    for (const c of this.callersOf(wf))
      for (const g of this.callerGrants(c)) {
        const key = `${g.idToken}\u0000${g.via[0].parent.file}\u0000${g.via[0].id.value}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ ...g, via: [...g.via, caller] });
      }
    return out.length ? out : [{ idToken: 'unknown', via: [caller] }];
  }

  /** The `inputs` a caller job gives a called workflow (its `with:`), for binding `${{ inputs.X }}` in the callee. */
  inputScope(caller: Job): Scope {
    return new Map(caller.with.map((e) => [e.key.value.toLowerCase(), e.value]));
  }

  /** Every step a job runs, composite actions expanded (with their inputs bound), and the steps it cannot see into. */
  expand(job: Job): JobExpansion {
    let e = this.expansions.get(job);
    if (e) return e;
    e = { steps: [], opaque: [] };
    const rootPrefix = repositoryRoot(job.parent.file);
    for (const step of job.steps) this.expandStep(step, { outer: step, chain: [] }, undefined, [], rootPrefix, e);
    this.expansions.set(job, e);
    return e;
  }

  private expandStep(step: Step, path: StepPath, scope: Scope | undefined, stack: Action[], rootPrefix: string, out: JobExpansion): void {
    if (out.steps.length + out.opaque.length >= MAX_EXPANDED_STEPS) {
      if (!out.truncated) {
        out.truncated = true;
        out.opaque.push({ ...path, step, what: `${path.outer.uses?.value ?? 'steps'} (more than ${MAX_EXPANDED_STEPS} steps through composite actions; not followed further)`, reason: 'depth' });
      }
      return;
    }
    const bound = (entries: Entry[]) => (scope ? entries.map((x) => ({ key: x.key, value: bindInputs(x.value, scope) })) : entries);
    const target = this.localTarget(step, rootPrefix);
    if (!target) {
      out.steps.push({ ...path, step, with: bound(step.with), env: bound(step.env), run: step.run && scope ? bindInputs(step.run, scope) : step.run });
      return;
    }
    if (target.kind === 'missing') {
      out.opaque.push({ ...path, step, what: target.path, reason: 'missing' });
      return;
    }
    const action = target.action;
    if (action.kind !== 'composite') {
      const kind = action.kind === 'docker' ? 'a Docker action' : action.kind === 'javascript' ? 'a JavaScript action' : 'an action of unknown kind';
      out.opaque.push({ ...path, step, what: `${target.path} (${kind})`, reason: 'opaque' });
      return;
    }
    if (stack.includes(action) || stack.length >= MAX_ACTION_DEPTH) {
      const cycle = stack.includes(action);
      out.opaque.push({ ...path, step, what: target.path, reason: cycle ? 'cycle' : 'depth' });
      if (!this.reported.has(step) && step.uses) {
        this.reported.add(step);
        const names = [...stack.slice(cycle ? stack.indexOf(action) : 0), action].map((a) => a.dir || '.').join(' → ');
        this.problems.push({
          loc: step.uses.loc,
          message: cycle
            ? `composite actions call each other in a cycle (${names}); GitHub cannot run it`
            : `composite actions nested more than ${MAX_ACTION_DEPTH} levels deep (${names}); not followed further`,
        });
      }
      return;
    }
    // The action's inputs: what the caller passes (itself bound), else the declared default, else ''.
    const inner: Scope = new Map();
    for (const input of action.inputs) {
      const given = step.with.find((w) => w.key.value.toLowerCase() === input.name.value.toLowerCase());
      inner.set(input.name.value.toLowerCase(), given ? (scope ? bindInputs(given.value, scope) : given.value) : (input.default ?? { value: '', raw: '', loc: input.name.loc, resolution: 'literal' }));
    }
    for (const w of step.with) if (!inner.has(w.key.value.toLowerCase())) inner.set(w.key.value.toLowerCase(), scope ? bindInputs(w.value, scope) : w.value);
    for (const s of action.steps) this.expandStep(s, { outer: path.outer, chain: [...path.chain, s] }, inner, [...stack, action], rootPrefix, out);
  }
}

/** The graph of a project: the one `connectGraph` built, or one built now (projects assembled by hand). */
export function graphOf(project: Project): WorkflowGraph {
  return (project.graph ??= new WorkflowGraph(project));
}

/** The prefix of the repository a workflow belongs to (`sub/` for `sub/.github/workflows/x.yml`), '' otherwise. */
export function repositoryRoot(workflowFile: string): string {
  const m = /^(.*?)\.github\/workflows\/[^/]+$/.exec(workflowFile);
  return m ? m[1] : '';
}

function join(prefix: string, dir: string): string {
  const p = prefix.replace(/\/+$/, '');
  return p && dir ? `${p}/${dir}` : p || dir;
}

/** `./a/b/` → `a/b`; `.` or `./` → ''; undefined for a path that climbs out (`..`). */
export function normalisePath(p: string): string | undefined {
  const segs = p
    .trim()
    .split('/')
    .filter((s) => s && s !== '.');
  if (segs.includes('..')) return undefined;
  return segs.join('/');
}

/**
 * Substitutes `${{ inputs.NAME }}` with what the scope binds: a value that is exactly one input
 * expression becomes the bound value (with its own position); inputs inside a longer string are
 * replaced where the bound value is known.
 */
export function bindInputs(v: Value<string>, scope: Scope): Value<string> {
  if (!v.value.includes('inputs.')) return v;
  const sole = SOLE_INPUT.exec(v.value);
  if (sole) return scope.get(sole[1].toLowerCase()) ?? v;
  let changed = false;
  const text = v.value.replace(INPUT_EXPR, (m, name: string) => {
    const b = scope.get(name.toLowerCase());
    if (!b || b.resolution === 'unresolved') return m;
    changed = true;
    return b.value;
  });
  if (!changed) return v;
  if (!text.includes('${{')) return { value: text, raw: v.raw, loc: v.loc, resolution: 'expression' };
  return { value: text, raw: v.raw, loc: v.loc, resolution: 'unresolved', parts: expressionParts(text) };
}

