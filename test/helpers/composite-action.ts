/**
 * A small, honest stand-in for the Actions runner, enough to run a composite action's steps by hand:
 * `${{ }}` expressions over `inputs`, `steps.<id>.outputs`, `github.workspace|action_path` and
 * `runner.temp` (string literals, `==` `!=` case-insensitive as GitHub compares, `!` `&&` `||`,
 * parentheses); `run:` steps executed with `bash --noprofile --norc -eo pipefail` (what
 * `shell: bash` means on a runner) with the step's env and working directory and GitHub's
 * variables (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP, GITHUB_WORKSPACE, GITHUB_ACTION_PATH…);
 * `uses:` steps recorded with their evaluated `with:` instead of being run; a failed step skips the
 * rest unless their `if:` says otherwise (only the implicit `success()` is modelled).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export interface ActionStep {
  name?: string;
  id?: string;
  if?: string;
  shell?: string;
  run?: string;
  uses?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
  'working-directory'?: string;
}

export interface ActionDef {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export interface StepResult {
  name: string;
  status: 'success' | 'failure' | 'skipped';
  exitCode?: number | null;
  stdout: string;
  stderr: string;
  /** For `uses:` steps: the action and its evaluated inputs. */
  uses?: string;
  with?: Record<string, string>;
}

export interface ActionRun {
  steps: StepResult[];
  outputs: Record<string, string>;
  failed: boolean;
  /** What the steps appended to GITHUB_STEP_SUMMARY. */
  summary: string;
}

export function loadAction(file: string): ActionDef {
  return parse(readFileSync(file, 'utf8')) as ActionDef;
}

type Ctx = Record<string, unknown>;

function lookup(ctx: Ctx, ref: string): unknown {
  let cur: unknown = ctx;
  for (const part of ref.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
  return cur ?? '';
}

/** Evaluates one expression (the text inside `${{ }}`). */
export function evaluate(expr: string, ctx: Ctx): unknown {
  const tokens = expr.match(/'(?:[^']|'')*'|==|!=|&&|\|\||!|\(|\)|[A-Za-z_][\w.-]*/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const eq = (a: unknown, b: unknown) => String(a).toLowerCase() === String(b).toLowerCase();
  const truthy = (v: unknown) => v !== '' && v !== false && v !== 0 && v !== null && v !== undefined;
  function primary(): unknown {
    const t = tokens[i++];
    if (t === undefined) throw new Error(`unexpected end of expression: ${expr}`);
    if (t === '(') {
      const v = or();
      if (tokens[i++] !== ')') throw new Error(`missing ) in ${expr}`);
      return v;
    }
    if (t === '!') return !truthy(primary());
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (t === 'true' || t === 'false') return t === 'true';
    return lookup(ctx, t);
  }
  function comparison(): unknown {
    let v = primary();
    while (peek() === '==' || peek() === '!=') {
      const op = tokens[i++];
      const r = primary();
      v = op === '==' ? eq(v, r) : !eq(v, r);
    }
    return v;
  }
  function and(): unknown {
    let v = comparison();
    while (peek() === '&&') {
      i++;
      const r = comparison();
      v = truthy(v) ? r : v;
    }
    return v;
  }
  function or(): unknown {
    let v = and();
    while (peek() === '||') {
      i++;
      const r = and();
      v = truthy(v) ? v : r;
    }
    return v;
  }
  const v = or();
  if (i !== tokens.length) throw new Error(`cannot evaluate ${expr}`);
  return v;
}

/** Replaces every `${{ … }}` in a string. */
export function interpolate(s: string, ctx: Ctx): string {
  return s.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, e: string) => String(evaluate(e, ctx)));
}

/** Parses a GITHUB_OUTPUT file: `name=value` lines and `name<<DELIM … DELIM` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i]);
      out[heredoc[1]] = body.join('\n');
    } else if (lines[i].includes('=')) out[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1);
  }
  return out;
}

export interface RunOptions {
  actionPath: string;
  workspace: string;
  runnerTemp: string;
  inputs?: Record<string, string>;
  /** Base environment of the job (PATH, HOME…); GitHub's variables are added. */
  env: Record<string, string>;
  /** Step names not to run (e.g. an install step already run once). They count as succeeded. */
  skip?: string[];
  /**
   * What `${{ github.action_path }}` / `${{ github.workspace }}` evaluate to, when they differ from
   * the environment's GITHUB_ACTION_PATH / GITHUB_WORKSPACE: in a `container:` job the expressions
   * name the host's folders while the step runs in the container.
   */
  hostPaths?: { actionPath: string; workspace: string };
}

export function runCompositeAction(action: ActionDef, opts: RunOptions): ActionRun {
  if (action.runs.using !== 'composite') throw new Error('not a composite action');
  const inputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.inputs ?? {})) inputs[k] = opts.inputs?.[k] ?? v.default ?? '';
  const steps: Record<string, { outputs: Record<string, string> }> = {};
  const host = opts.hostPaths ?? { actionPath: opts.actionPath, workspace: opts.workspace };
  const ctx: Ctx = { inputs, steps, github: { workspace: host.workspace, action_path: host.actionPath }, runner: { temp: opts.runnerTemp } };
  const files = mkdtempSync(path.join(opts.runnerTemp, '_runner_file_commands-'));
  const summary = path.join(files, 'step_summary');
  writeFileSync(summary, '');
  const results: StepResult[] = [];
  let failed = false;
  action.runs.steps.forEach((step, n) => {
    const name = step.name ?? step.id ?? `step ${n + 1}`;
    const condition = step.if ? step.if.replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1') : 'true';
    if (failed || !evaluate(condition, ctx)) {
      results.push({ name, status: 'skipped', stdout: '', stderr: '' });
      return;
    }
    if (opts.skip?.includes(name)) {
      results.push({ name, status: 'success', stdout: '', stderr: '' });
      return;
    }
    if (step.uses) {
      const w: Record<string, string> = {};
      for (const [k, v] of Object.entries(step.with ?? {})) w[k] = interpolate(String(v), ctx);
      results.push({ name, status: 'success', uses: step.uses, with: w, stdout: '', stderr: '' });
      return;
    }
    if (step.shell !== 'bash') throw new Error(`${name}: only shell: bash is modelled`);
    const output = path.join(files, `set_output_${n}`);
    writeFileSync(output, '');
    const script = path.join(files, `step_${n}.sh`);
    writeFileSync(script, step.run ?? '');
    const env: Record<string, string> = {
      ...opts.env,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: opts.workspace,
      GITHUB_ACTION_PATH: opts.actionPath,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      RUNNER_TEMP: opts.runnerTemp,
      RUNNER_OS: 'Linux',
    };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = interpolate(String(v), ctx);
    // A step runs in the workspace unless it says otherwise (in a container job: the container's path).
    const cwd = step['working-directory'] ? interpolate(step['working-directory'], ctx) : opts.workspace;
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
    if (r.error) throw r.error;
    if (step.id) steps[step.id] = { outputs: parseOutputFile(readFileSync(output, 'utf8')) };
    const ok = r.status === 0;
    results.push({ name, status: ok ? 'success' : 'failure', exitCode: r.status, stdout: r.stdout, stderr: r.stderr });
    if (!ok) failed = true;
  });
  const outputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.outputs ?? {})) outputs[k] = interpolate(v.value, ctx);
  return { steps: results, outputs, failed, summary: readFileSync(summary, 'utf8') };
}
