/**
 * What a job does with what outsiders control, for jobs that events outsiders can cause
 * (`pull_request_target`, `workflow_run`, comments) run: does it run the pull request's code, only
 * read it, put outsider-written text into a script, or use the triggering run's artifacts? A job
 * that does none of these runs the base repository's code on the base repository's data: an
 * outsider can make it run, not make it do anything else.
 *
 * Heuristics over the workflow text, kept conservative: a step counts as running the checked-out
 * code unless every command of it is one that only reads files (grep, cat, diff, gh, git, jq…).
 */
import type { Job, Step } from './workflow.js';
import { findEntry } from './workflow.js';
import type { Value } from './location.js';
import { bindInputs, type Scope } from './graph.js';

/** A value's text; in a called workflow, with `${{ inputs.X }}` replaced by what the caller passes (`scope`). */
function textOf(v: Value<string> | undefined, scope?: Scope): string {
  return v ? (scope ? bindInputs(v, scope) : v).value : '';
}

/** A ref or repository expression that names the pull request's head (a fork's code). */
const HEAD_REF = /github\.event\.pull_request\.head\.(sha|ref)|github\.head_ref|refs\/pull\/|github\.event\.workflow_run\.head_(sha|branch)|\.head\.repo|github\.event\.issue\.pull_request/;
const RUN_CHECKOUT = /\bgh pr checkout\b|\bgit (fetch|checkout|switch|pull)\b[^\n]*(refs\/pull|head_ref|pull_request\.head|\bpull\/)/;

export interface HeadCheckout {
  step: Step;
  /** The ref expression, or a description of the command. */
  ref: string;
  /** Folder of the workspace the head lands in (`''` for the workspace itself). */
  path: string;
}

/** The first checkout of the pull request's head in the job, if any (`scope`: the caller's inputs, in a called workflow). */
export function headCheckout(job: Job, scope?: Scope): HeadCheckout | undefined {
  for (const step of job.steps) {
    if (step.action?.kind === 'remote' && step.action.name.toLowerCase() === 'actions/checkout') {
      const ref = textOf(findEntry(step.with, 'ref')?.value, scope);
      const repo = textOf(findEntry(step.with, 'repository')?.value, scope);
      if (HEAD_REF.test(`${ref} ${repo}`)) return { step, ref: ref || repo, path: normalize(textOf(findEntry(step.with, 'path')?.value, scope)) };
    }
    const run = textOf(step.run, scope);
    if (RUN_CHECKOUT.test(run)) return { step, ref: 'gh pr checkout / git fetch of the pull request', path: normalize(step.workingDirectory?.value ?? '') };
  }
  return undefined;
}

function normalize(p: string): string {
  const t = p.trim().replace(/^\.\/+/, '').replace(/\/+$/, '');
  return t === '.' ? '' : t;
}

/** Commands that read files or talk to GitHub but run nothing from the files they read. */
const READ_ONLY = new Set([
  'gh', 'git', 'echo', 'printf', 'cat', 'grep', 'egrep', 'fgrep', 'rg', 'ls', 'head', 'tail', 'wc', 'diff', 'cmp', 'jq', 'yq',
  'test', '[', '[[', 'true', 'false', 'exit', 'cd', 'pwd', 'mkdir', 'sort', 'uniq', 'cut', 'tr', 'basename', 'dirname', 'stat',
  'file', 'du', 'sha256sum', 'sha1sum', 'md5sum', 'tee', 'export', 'set', 'shopt', 'local', 'readonly', 'declare', 'unset',
  'sleep', 'date', 'comm', 'column', 'fold', 'nl', 'rev', 'realpath', 'readlink', 'touch', 'rm', 'cp', 'mv', 'tar', 'zip', 'unzip',
]);
const SHELL_WORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'for', 'do', 'done', 'while', 'until', 'case', 'esac', '!', '{', '}', '(', ')', 'in', 'function']);

/** Whether every command of a `run:` script only reads (the list above); `$(…)` and backticks count as commands too. */
export function onlyReads(script: string): boolean {
  const body = script.replace(/#[^\n]*/g, '').replace(/\\\n/g, ' ');
  for (const raw of body.split(/\n|;|&&|\|\||\||\$\(|`|\)/)) {
    const words = raw.trim().split(/\s+/).filter(Boolean);
    let i = 0;
    while (i < words.length && (SHELL_WORDS.has(words[i]) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]))) i++;
    if (i >= words.length) continue;
    const cmd = words[i].replace(/^["']|["']$/g, '');
    // The rest of a test or a quoted string around `$(…)` (`" = "true" ]`): no command starts there.
    if (cmd === '' || /^[=\]"'<>!]/.test(cmd)) continue;
    if (!READ_ONLY.has(cmd)) return false;
    // `git -c core.x=…` / `git config` can be told to run programs; `find -exec`, `xargs` run commands.
    if (cmd === 'git' && /\s-c\s|\bconfig\b|\bsubmodule\b/.test(raw)) return false;
  }
  return true;
}

/** Actions that review a checked-out pull request (an AI agent given the folder to read). */
const REVIEWERS = new Set(['anthropics/claude-code-action', 'anthropics/claude-code-base-action', 'openai/codex-action', 'google-github-actions/run-gemini-cli']);

/** Keys of `with:` that carry prose (a prompt, a comment), not a folder the action works in. */
const PROSE_INPUT = /^(prompt|direct_prompt|custom_instructions|message|body|comment|title|description)$/i;

function mentions(text: string, folder: string): boolean {
  const i = text.indexOf(folder);
  if (i < 0) return false;
  const before = i === 0 ? '' : text[i - 1];
  const after = text[i + folder.length] ?? '';
  return !/[\w.-]/.test(before) && !/[\w-]/.test(after);
}

/**
 * After a checkout of the head: the first step that runs (or may run) the checked-out code. With the
 * head in the workspace itself, that is any later step other than one that only reads; with the head
 * in a folder, a later step that works in that folder or names it (other than to read it).
 */
export function runsCheckedOut(job: Job, co: HeadCheckout): Step | undefined {
  const later = job.steps.filter((s) => s.index > co.step.index);
  // `gh pr checkout` and `git fetch` themselves run nothing; the rest of that script may.
  if (co.step.run && !onlyReads(co.step.run.value)) return co.step;
  for (const s of later) {
    if (s.action?.kind === 'local') {
      if (co.path === '' || mentions(s.action.name, co.path)) return s;
      continue;
    }
    if (s.action?.kind === 'remote') {
      const name = s.action.name.toLowerCase();
      if (name === 'actions/checkout' || name === 'aws-actions/configure-aws-credentials' || name === 'actions/upload-artifact') continue;
      // An AI review action pointed at the head reads it (what else it may do depends on the tools it
      // is given, which the workflow decides): a read, reported as such, not as running the code.
      if (REVIEWERS.has(name) && co.path !== '') continue;
      // Any other action works on the workspace (builds, tests, lints it) unless the head is elsewhere
      // and the action is not pointed there.
      if (co.path === '') return s;
      if (s.with.some((e) => !PROSE_INPUT.test(e.key.value) && mentions(e.value.value, co.path))) return s;
      continue;
    }
    if (s.action) return s; // docker://
    const run = s.run?.value ?? '';
    const wd = normalize(s.workingDirectory?.value ?? '');
    const inHead = co.path === '' || (wd !== '' && (wd === co.path || wd.startsWith(`${co.path}/`))) || mentions(run, co.path);
    if (inHead && !onlyReads(run)) return s;
  }
  return undefined;
}

/** Contexts whose text outsiders write (titles, bodies, branch names, commit messages). */
const OUTSIDER_TEXT =
  /\$\{\{[^}]*\b(github\.event\.(pull_request\.(title|body|head\.(ref|label|repo\.[\w.]+))|issue\.(title|body)|comment\.body|review\.body|review_comment\.body|discussion\.(title|body)|workflow_run\.(head_branch|head_commit\.(message|author\.\w+)|display_title|pull_requests[^}]*)|head_commit\.(message|author\.\w+)|commits[^}]*\.(message|author\.\w+)|pages[^}]*\.page_name)|github\.head_ref)\b[^}]*\}\}/;

/** The first step whose script has outsider-written text spliced into it, and that text. */
export function scriptInjection(job: Job, scope?: Scope): { step: Step; expression: string } | undefined {
  for (const s of job.steps) {
    const texts = [textOf(s.run, scope)];
    if (s.action?.kind === 'remote' && s.action.name.toLowerCase() === 'actions/github-script') texts.push(textOf(findEntry(s.with, 'script')?.value, scope));
    for (const t of texts) {
      const m = OUTSIDER_TEXT.exec(t);
      if (m) return { step: s, expression: m[0] };
    }
  }
  return undefined;
}

/** A step that downloads artifacts of the run that triggered a `workflow_run` workflow. */
export function triggeringRunArtifacts(job: Job, scope?: Scope): Step | undefined {
  for (const s of job.steps) {
    if (s.action?.kind !== 'remote') continue;
    const name = s.action.name.toLowerCase();
    if (name === 'dawidd6/action-download-artifact') return s;
    if (name === 'actions/download-artifact' && /workflow_run/.test(textOf(findEntry(s.with, 'run-id')?.value, scope))) return s;
  }
  return undefined;
}
