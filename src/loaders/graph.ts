/**
 * Assembles the workflow graph once every file is loaded (and again after `--fix` reloads files):
 * builds the project's WorkflowGraph, gives each job the role assumptions made inside the local
 * composite actions it runs (a request inside an action is the calling job's request), and records
 * the graph's own problems (cycles, nesting too deep) as load errors of the file they are in.
 */
import type { Project } from '../model/project.js';
import { WorkflowGraph } from '../model/graph.js';
import { deriveAssumption } from './workflow.js';

export function connectGraph(project: Project): WorkflowGraph {
  const graph = new WorkflowGraph(project);
  project.graph = graph;
  for (const wf of project.workflows)
    for (const job of wf.jobs) {
      // Idempotent: a re-connected project keeps the job's own assumptions and derives the others again.
      if (job.roleAssumptions.some((ra) => ra.inner)) job.roleAssumptions = job.roleAssumptions.filter((ra) => !ra.inner);
      if (job.uses) continue;
      for (const s of graph.expand(job).steps) {
        if (!s.chain.length) continue;
        const ra = deriveAssumption(s.step, job, s.with, s.run);
        if (!ra) continue;
        ra.step = s.outer;
        ra.inner = s.chain;
        job.roleAssumptions.push(ra);
      }
    }
  const problemFiles = new Set(project.loadErrors.filter((e) => e.message.startsWith('composite actions ')).map((e) => `${e.loc.file}:${e.loc.start.line}:${e.loc.start.column}`));
  for (const p of graph.problems) {
    const key = `${p.loc.file}:${p.loc.start.line}:${p.loc.start.column}`;
    if (!problemFiles.has(key)) project.loadErrors.push({ type: 'LoadError', kind: 'structure', loc: p.loc, message: p.message });
  }
  return graph;
}
