/**
 * Action metadata loader: `action.yml` / `action.yaml` → Action, with its inputs and, for a
 * composite action, its steps (read exactly as workflow steps are). Every action of the repository
 * is loaded, called or not, so that its steps are linted like a workflow's; the workflow graph
 * (model/graph.ts) then joins the `uses: ./dir` of jobs to them.
 */
import { get, getEntry, isMap, isScalar, isSeq, scalarValue } from '../shared/doc.js';
import { parseYaml } from '../shared/yaml-doc.js';
import { fileStart, readStep, trailingComments } from './workflow.js';
import { markExpressions } from './expressions.js';
import type { LoadError } from '../../model/project.js';
import type { Action, ActionInput } from '../../model/workflow.js';

/** `action.yml` or `action.yaml` anywhere (GitHub reads no other name for action metadata). */
export function isActionPath(relPath: string): boolean {
  return /(^|\/)action\.ya?ml$/.test(relPath);
}

/** Cheap test on the text: action metadata has a top-level `runs:`. */
export function mayBeAction(text: string): boolean {
  return /^runs[ \t]*:/m.test(text);
}

export interface ActionLoadResult {
  action?: Action;
  errors: LoadError[];
}

export function loadAction(text: string, file: string): ActionLoadResult {
  const errors: LoadError[] = [];
  const parsed = parseYaml(text, file);
  const firstError = parsed.errors[0];
  if (firstError) {
    errors.push({ type: 'LoadError', kind: firstError.code === 'LIMIT' ? 'limit' : 'syntax', loc: firstError.loc, message: `YAML: ${firstError.message}` });
    return { errors };
  }
  const root = parsed.root;
  if (!isMap(root)) {
    errors.push({ type: 'LoadError', kind: 'structure', loc: root?.loc ?? fileStart(file), message: "action metadata must be a mapping with 'runs'" });
    return { errors };
  }
  const problem = (loc: Action['loc'], message: string) => errors.push({ type: 'LoadError', kind: 'structure', loc, message });
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  const action: Action = { type: 'Action', loc: root.loc, file, dir, kind: 'unknown', inputs: [], steps: [] };
  const name = get(root, 'name');
  if (isScalar(name) && name.value !== null) action.name = scalarValue(name);
  const inputs = get(root, 'inputs');
  if (isMap(inputs))
    for (const e of inputs.entries) {
      const input: ActionInput = { name: scalarValue(e.key) };
      const def = isMap(e.value) ? getEntry(e.value, 'default') : undefined;
      if (def && isScalar(def.value) && def.value.value !== null) input.default = markExpressions(scalarValue(def.value));
      action.inputs.push(input);
    }
  const runs = get(root, 'runs');
  if (!isMap(runs)) {
    problem(runs?.loc ?? root.loc, "action metadata has no 'runs' mapping");
    return { action, errors };
  }
  const using = get(runs, 'using');
  if (isScalar(using) && using.value !== null) {
    action.using = scalarValue(using);
    const u = String(using.value).trim().toLowerCase();
    action.kind = u === 'composite' ? 'composite' : u === 'docker' ? 'docker' : /^node\d+$/.test(u) ? 'javascript' : 'unknown';
  }
  if (action.kind === 'composite') {
    const comments = trailingComments(text, file);
    const steps = get(runs, 'steps');
    if (isSeq(steps))
      steps.items.forEach((s, index) => {
        if (isMap(s)) action.steps.push(readStep(s, index, action, comments));
        else problem(s.loc, `step ${index + 1} of composite action '${file}' must be a mapping`);
      });
    else problem(steps?.loc ?? runs.loc, "a composite action needs 'runs.steps', a sequence of steps");
  }
  return { action, errors };
}
