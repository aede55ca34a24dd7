/**
 * Assembles the workflow graph once every file is loaded (and again after `--fix` reloads files):
 * builds the project's WorkflowGraph, gives each job the role assumptions made inside the local
 * composite actions it runs (a request inside an action is the calling job's request), and records
 * the graph's own problems (cycles, nesting too deep) as load errors of the file they are in.
 */
import path from 'node:path';
import type { Project } from '../../model/project.js';
import { repositoryRoot, WorkflowGraph, type RepositoryScript } from '../../model/graph.js';
import { deriveAssumption, deriveCloudLogin } from './workflow.js';
import { readTextFile } from '../../files.js';
import { loadAction } from './action.js';
import type { Action, Step } from '../../model/workflow.js';

/** Bounds on reading the scripts `run:` steps execute: per script, scripts per step, and in all. */
const MAX_SCRIPT_BYTES = 512 * 1024;
const MAX_SCRIPTS_PER_STEP = 8;
const MAX_SCRIPTS = 500;
const SCRIPT_EXT = /\.(?:sh|bash|zsh|py|js|mjs|cjs|ts|rb|ps1)$/;

/**
 * Paths a script names that may be repository scripts it executes: `./x`, `../x`, `dir/x.sh`,
 * `x.py` (a word with a script extension, or starting with `./`), without expressions or URLs.
 */
export function scriptPaths(run: string): string[] {
  const out = new Set<string>();
  for (const raw of run.split(/[\s;&|()<>`'"]+/)) {
    const w = raw.trim();
    if (!w || w.includes('$') || w.includes('://') || w.startsWith('-') || !/^[\w./-]+$/.test(w)) continue;
    if (w.startsWith('./') || w.startsWith('../') || SCRIPT_EXT.test(w)) out.add(w);
  }
  return [...out];
}

export function connectGraph(project: Project): WorkflowGraph {
  const graph = new WorkflowGraph(project);
  project.graph = graph;
  readOutsideActions(project, graph);
  const cache = new Map<string, RepositoryScript | null>();
  for (const wf of project.workflows)
    for (const job of wf.jobs) {
      if (!job.uses) for (const s of graph.expand(job).steps) if (s.run) graph.addScripts(s.step, readScripts(project, repositoryRoot(wf.file), s.run.value, cache));
      // Idempotent: a re-connected project keeps the job's own assumptions and derives the others again.
      if (job.roleAssumptions.some((ra) => ra.inner)) job.roleAssumptions = job.roleAssumptions.filter((ra) => !ra.inner);
      if (job.cloudLogins.some((cl) => cl.inner)) job.cloudLogins = job.cloudLogins.filter((cl) => !cl.inner);
      if (job.uses) continue;
      for (const s of graph.expand(job).steps) {
        if (!s.chain.length) continue;
        const ra = deriveAssumption(s.step, job, s.with, s.run);
        if (ra) {
          ra.step = s.outer;
          ra.inner = s.chain;
          job.roleAssumptions.push(ra);
        }
        const cl = deriveCloudLogin(s.step, job, s.with);
        if (cl) {
          cl.step = s.outer;
          cl.inner = s.chain;
          job.cloudLogins.push(cl);
        }
      }
    }
  const problemFiles = new Set(project.loadErrors.filter((e) => e.message.startsWith('composite actions ')).map((e) => `${e.loc.file}:${e.loc.start.line}:${e.loc.start.column}`));
  for (const p of graph.problems) {
    const key = `${p.loc.file}:${p.loc.start.line}:${p.loc.start.column}`;
    if (!problemFiles.has(key)) project.loadErrors.push({ type: 'LoadError', kind: 'structure', loc: p.loc, message: p.message });
  }
  return graph;
}

/** Reads the repository scripts a `run:` text names, from the repository of the workflow; never outside the scan root. */
function readScripts(project: Project, rootPrefix: string, run: string, cache: Map<string, RepositoryScript | null>): RepositoryScript[] {
  const out: RepositoryScript[] = [];
  const root = path.resolve(project.root);
  const repo = path.resolve(root, rootPrefix);
  for (const p of scriptPaths(run).slice(0, MAX_SCRIPTS_PER_STEP)) {
    const abs = path.resolve(repo, p);
    if (abs !== root && !abs.startsWith(root + path.sep)) continue;
    let script = cache.get(abs);
    if (script === undefined) {
      if (cache.size >= MAX_SCRIPTS) break;
      script = null;
      try {
        const file = path.relative(root, abs).split(path.sep).join('/');
        script = { file, text: readTextFile(abs, { maxBytes: MAX_SCRIPT_BYTES, region: root }) };
      } catch {
        // Not there (built at run time, a command on PATH), too large, or not a regular file: not a script we read.
      }
      cache.set(abs, script);
    }
    if (script) out.push(script);
  }
  return out;
}

/** At most this many action files are read from outside the scanned paths. */
const MAX_OUTSIDE_ACTIONS = 200;

/**
 * Local actions that workflows call but the scan did not include (the user named only
 * `.github/workflows`): read from the workflow's repository on disk — `REPO/.github/workflows/x.yml`
 * gives `REPO` — never outside it, never through a symlink that leaves it. Followed through the
 * composite actions they call. Done before any job is expanded.
 */
function readOutsideActions(project: Project, graph: WorkflowGraph): void {
  const absOf = new Map(project.sources.map((s) => [s.path, s.absPath]));
  const queue: { step: Step; rootPrefix: string; repo: string }[] = [];
  for (const wf of project.workflows) {
    const abs = absOf.get(wf.file);
    const m = abs ? /^(.*)[\\/]\.github[\\/]workflows[\\/][^\\/]+$/.exec(abs) : null;
    if (!m) continue;
    const rootPrefix = repositoryRoot(wf.file);
    for (const job of wf.jobs) for (const step of job.steps) queue.push({ step, rootPrefix, repo: m[1] });
  }
  const tried = new Set<string>();
  let read = 0;
  while (queue.length && read < MAX_OUTSIDE_ACTIONS) {
    const { step, rootPrefix, repo } = queue.shift()!;
    const key = graph.localKey(step, rootPrefix);
    if (key === undefined || graph.localTarget(step, rootPrefix)?.kind === 'action' || tried.has(key)) continue;
    tried.add(key);
    const dir = key.slice(rootPrefix.replace(/\/+$/, '').length).replace(/^\/+/, '');
    for (const name of ['action.yml', 'action.yaml']) {
      const abs = path.resolve(repo, dir, name);
      if (!abs.startsWith(path.resolve(repo) + path.sep)) break;
      let text: string;
      try {
        text = readTextFile(abs, { maxBytes: MAX_SCRIPT_BYTES, region: repo });
      } catch {
        continue;
      }
      read++;
      const file = path.relative(project.root, abs).split(path.sep).join('/');
      const { action } = loadAction(text, file);
      if (action) {
        graph.addOutsideAction(key, action as Action);
        for (const s of action.steps) queue.push({ step: s, rootPrefix, repo });
      }
      break;
    }
  }
}
