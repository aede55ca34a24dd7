/**
 * GitHub Actions workflow loader: YAML → Workflow / Job / Step / RoleAssumption with positions.
 * Effective permissions and role assumptions are derived here, once.
 */
import { get, getEntry, isMap, isScalar, isSeq, scalarValue, stringList, type DocMap, type DocNode } from '../shared/doc.js';
import { parseYaml } from '../shared/yaml-doc.js';
import { fastLayout, rememberLayout, workflowLayout } from './workflow-layout.js';
import { markExpressions } from './expressions.js';
import { TokenRequesters } from '../../model/token-requests.js';
import type { LoadError } from '../../model/project.js';
import type { SourceLocation, Value } from '../../model/location.js';
import { plainLocation } from '../../model/location.js';
import {
  AZURE_DEFAULT_AUDIENCE,
  CONFIGURE_AWS_CREDENTIALS,
  DEFAULT_AUDIENCE,
  findEntry,
  type Action,
  type CloudLogin,
  type ActionRef,
  type EffectivePermissions,
  type Entry,
  type Job,
  type Permissions,
  type RoleAssumption,
  type Step,
  type Trigger,
  type Workflow,
} from '../../model/workflow.js';

export function isWorkflowPath(relPath: string): boolean {
  return /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/i.test(relPath);
}

export interface WorkflowLoadResult {
  workflow?: Workflow;
  errors: LoadError[];
}

export function loadWorkflow(text: string, file: string): WorkflowLoadResult {
  const errors: LoadError[] = [];
  const parsed = parseYaml(text, file);
  // The first syntax error is the one to fix; later ones are usually consequences of it.
  const firstError = parsed.errors[0];
  if (firstError) errors.push({ type: 'LoadError', kind: firstError.code === 'LIMIT' ? 'limit' : 'syntax', loc: firstError.loc, message: `YAML: ${firstError.message}` });
  if (errors.length) return { errors };
  if (parsed.documents > 1) {
    errors.push({ type: 'LoadError', kind: 'structure', loc: fileStart(file), message: 'a workflow file must contain a single YAML document; only the first was read' });
  }
  const root = parsed.root;
  if (!root || (isScalar(root) && root.value === null)) {
    errors.push({ type: 'LoadError', kind: 'structure', loc: fileStart(file), message: 'workflow file is empty' });
    return { errors };
  }
  if (!isMap(root)) {
    errors.push({ type: 'LoadError', kind: 'structure', loc: root.loc, message: `a workflow must be a mapping with 'on' and 'jobs', found a ${root.kind === 'seq' ? 'sequence' : 'scalar'}` });
    return { errors };
  }
  const problem = (loc: SourceLocation, message: string) => errors.push({ type: 'LoadError', kind: 'structure', loc, message });
  const comments = trailingComments(text, file);

  const wf: Workflow = {
    type: 'Workflow',
    loc: root.loc,
    file,
    triggers: [],
    env: readEntries(get(root, 'env')),
    jobs: [],
    reusable: false,
  };
  const name = get(root, 'name');
  if (isScalar(name)) wf.name = scalarValue(name);
  const onEntry = getEntry(root, 'on') ?? getEntry(root, 'true');
  if (onEntry) {
    wf.onLoc = onEntry.key.loc;
    wf.triggers = readTriggers(onEntry.value, wf);
  }
  wf.reusable = wf.triggers.some((t) => t.event === 'workflow_call');
  const permEntry = getEntry(root, 'permissions');
  if (permEntry) wf.permissions = readPermissions(permEntry.key.loc, permEntry.value);

  const jobsNode = get(root, 'jobs');
  if (!jobsNode) problem(root.loc, "workflow has no 'jobs'");
  else if (!isMap(jobsNode)) problem(jobsNode.loc, "'jobs' must be a mapping of job ids to jobs");
  else
    for (const e of jobsNode.entries) {
      if (!isMap(e.value)) {
        problem(e.value.loc, `job '${String(e.key.value)}' must be a mapping`);
        continue;
      }
      wf.jobs.push(readJob(e.key.value === null ? '' : String(e.key.value), e.key.loc, e.value, wf, problem, comments));
    }
  rememberLayout(wf, parsed.doc ? workflowLayout(parsed.doc) : parsed.fast && fastLayout(parsed.fast));
  return { workflow: wf, errors };
}

export function fileStart(file: string): SourceLocation {
  return { file, start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
}

export function readEntries(node: DocNode | undefined): Entry[] {
  if (!isMap(node)) return [];
  const out: Entry[] = [];
  for (const e of node.entries) {
    if (isScalar(e.value)) out.push({ key: scalarValue(e.key), value: markExpressions(scalarValue(e.value)) });
  }
  return out;
}

function readTriggers(node: DocNode, wf: Workflow): Trigger[] {
  const mk = (event: string, loc: SourceLocation, cfg?: DocNode): Trigger => {
    const t: Trigger = { type: 'Trigger', loc, parent: wf, event };
    if (isMap(cfg)) {
      const list = (k: string) => (getEntry(cfg, k) ? stringList(get(cfg, k)) : undefined);
      t.branches = list('branches');
      t.branchesIgnore = list('branches-ignore');
      t.tags = list('tags');
      t.tagsIgnore = list('tags-ignore');
      t.types = list('types');
      t.workflows = list('workflows');
    }
    return t;
  };
  if (isScalar(node)) return node.value === null ? [] : [mk(String(node.value), node.loc)];
  if (isSeq(node)) return node.items.filter(isScalar).map((s) => mk(String(s.value), s.loc));
  if (isMap(node)) return node.entries.map((e) => mk(String(e.key.value), e.key.loc, e.value));
  return [];
}

export function readPermissions(keyLoc: SourceLocation, node: DocNode): Permissions {
  const p: Permissions = { type: 'Permissions', loc: node.loc, keyLoc, scopes: new Map() };
  if (isScalar(node)) {
    const v = node.value === null ? '' : String(node.value);
    if (v === 'read-all' || v === 'write-all') p.shorthand = scalarValue(node);
    else if (node.value === null) p.scopes = new Map(); // `permissions:` with no value behaves like {}
    else p.invalid = `unexpected permissions value '${v}'`;
  } else if (isMap(node)) {
    for (const e of node.entries) if (isScalar(e.value)) p.scopes.set(String(e.key.value), { key: scalarValue(e.key), value: markExpressions(scalarValue(e.value)) });
  } else p.invalid = 'permissions must be read-all, write-all or a mapping';
  return p;
}

/** A job-level block replaces the workflow-level one; no block anywhere means the default (no id-token). */
export function computeEffectivePermissions(job: Permissions | undefined, workflow: Permissions | undefined): EffectivePermissions {
  const block = job ?? workflow;
  const source = job ? 'job' : workflow ? 'workflow' : 'default';
  if (!block) return { idToken: 'none', source };
  if (block.invalid) return { idToken: 'unknown', source, block };
  if (block.shorthand) return { idToken: block.shorthand.value === 'write-all' ? 'write' : 'read', source, block };
  const e = block.scopes.get('id-token');
  if (!e) return { idToken: 'none', source, block };
  if (e.value.resolution === 'unresolved') return { idToken: 'unknown', source, block };
  const v = e.value.value;
  return { idToken: v === 'write' ? 'write' : v === 'read' ? 'read' : 'none', source, block };
}

function readJob(id: string, idLoc: SourceLocation, node: DocMap, wf: Workflow, problem: (loc: SourceLocation, msg: string) => void, comments: CommentReader): Job {
  const permEntry = getEntry(node, 'permissions');
  const permissions = permEntry ? readPermissions(permEntry.key.loc, permEntry.value) : undefined;
  const job: Job = {
    type: 'Job',
    loc: idLoc,
    parent: wf,
    id: { value: id, raw: id, loc: idLoc, resolution: 'literal' },
    permissions,
    effectivePermissions: computeEffectivePermissions(permissions, wf.permissions),
    with: readEntries(get(node, 'with')),
    secrets: [],
    env: readEntries(get(node, 'env')),
    hasMatrix: isMap(get(get(node, 'strategy'), 'matrix')) || isScalar(get(get(node, 'strategy'), 'matrix')),
    steps: [],
    roleAssumptions: [],
    cloudLogins: [],
  };
  const name = get(node, 'name');
  if (isScalar(name)) job.name = markExpressions(scalarValue(name));
  const env = get(node, 'environment');
  if (isScalar(env) && env.value !== null) job.environment = markExpressions(scalarValue(env));
  else if (isMap(env)) {
    const n = get(env, 'name');
    if (isScalar(n) && n.value !== null) job.environment = markExpressions(scalarValue(n));
  }
  const cond = get(node, 'if');
  if (isScalar(cond) && cond.value !== null) job.if = scalarValue(cond);
  const uses = get(node, 'uses');
  if (isScalar(uses)) job.uses = scalarValue(uses);
  const secrets = get(node, 'secrets');
  if (isScalar(secrets) && secrets.value === 'inherit') job.secrets = [{ key: scalarValue(secrets), value: scalarValue(secrets) }];
  else job.secrets = readEntries(secrets);
  const steps = get(node, 'steps');
  if (isSeq(steps)) {
    steps.items.forEach((s, index) => {
      if (!isMap(s)) {
        problem(s.loc, `step ${index + 1} of job '${id}' must be a mapping`);
        return;
      }
      job.steps.push(readStep(s, index, job, comments));
    });
  } else if (steps) problem(steps.loc, `'steps' of job '${id}' must be a sequence`);
  for (const step of job.steps) {
    const ra = deriveAssumption(step, job);
    if (ra) job.roleAssumptions.push(ra);
    const cl = deriveCloudLogin(step, job);
    if (cl) job.cloudLogins.push(cl);
  }
  return job;
}

export function parseActionRef(raw: string): ActionRef {
  const text = raw.trim();
  if (text.startsWith('docker://')) return { raw, name: text.slice(9), kind: 'docker' };
  if (text.startsWith('./') || text.startsWith('../')) return { raw, name: text, path: text, kind: 'local' };
  const at = text.lastIndexOf('@');
  const spec = at >= 0 ? text.slice(0, at) : text;
  const ref = at >= 0 ? text.slice(at + 1) : undefined;
  const [owner, repo, ...rest] = spec.split('/');
  return { raw, name: `${owner}/${repo ?? ''}`, owner, repo, path: rest.length ? rest.join('/') : undefined, ref, kind: 'remote' };
}

export type CommentReader = (after: SourceLocation) => Value<string> | undefined;

/** Reads the `# comment` that follows a single-line token on its line (version comments of SHA pins). */
export function trailingComments(text: string, file: string): CommentReader {
  let lines: string[] | undefined;
  return (after) => {
    if (after.start.line !== after.end.line) return undefined;
    lines ??= text.split('\n');
    const line = lines[after.end.line - 1];
    if (line === undefined) return undefined;
    const m = /^([ \t]+)#([^\r]*)/.exec(line.slice(after.end.column - 1));
    if (!m) return undefined;
    const column = after.end.column + m[1].length;
    const loc: SourceLocation = { file, start: { line: after.end.line, column }, end: { line: after.end.line, column: column + 1 + m[2].length } };
    if (after.path) loc.path = `${after.path}#comment`;
    return { value: m[2].trim(), raw: `#${m[2]}`, loc, resolution: 'literal' };
  };
}

export function readStep(node: DocMap, index: number, parent: Job | Action, comments: CommentReader): Step {
  const first = node.entries[0];
  const loc: SourceLocation = first
    ? { ...plainLocation(node.loc), end: first.value.loc.end.line === node.loc.start.line ? first.value.loc.end : first.key.loc.end }
    : node.loc;
  const step: Step = { type: 'Step', loc, parent, index, with: readEntries(get(node, 'with')), env: readEntries(get(node, 'env')) };
  const id = get(node, 'id');
  if (isScalar(id)) step.id = scalarValue(id);
  const name = get(node, 'name');
  if (isScalar(name)) step.name = scalarValue(name);
  const uses = get(node, 'uses');
  if (isScalar(uses) && uses.value !== null) {
    step.uses = scalarValue(uses);
    step.action = parseActionRef(step.uses.value);
    const comment = comments(step.uses.loc);
    if (comment) step.usesComment = comment;
  }
  const run = get(node, 'run');
  if (isScalar(run) && run.value !== null) step.run = scalarValue(run);
  const wd = get(node, 'working-directory');
  if (isScalar(wd) && wd.value !== null) step.workingDirectory = scalarValue(wd);
  const cond = get(node, 'if');
  if (isScalar(cond) && cond.value !== null) step.if = scalarValue(cond);
  return step;
}

export function isConfigureAwsCredentials(step: Step): boolean {
  return step.action?.kind === 'remote' && step.action.name.toLowerCase() === CONFIGURE_AWS_CREDENTIALS;
}

const KNOWN_REQUESTERS = new TokenRequesters();

/**
 * Derives the OIDC role assumption of a step, if it mints a GitHub OIDC token (domain.md §B.3, §B.6).
 * Whether configure-aws-credentials requests a token is decided by the token-requester data
 * (model/token-requesters.ts); `inputs` are the step's inputs as it runs (bound by the workflow
 * graph inside composite actions).
 */
export function deriveAssumption(step: Step, job: Job, inputs: Entry[] = step.with, run: Value<string> | undefined = step.run): RoleAssumption | undefined {
  if (isConfigureAwsCredentials(step)) {
    if (KNOWN_REQUESTERS.forUses(CONFIGURE_AWS_CREDENTIALS, inputs)?.verdict !== 'yes') return undefined;
    const input = (k: string) => findEntry(inputs, k)?.value;
    const role = input('role-to-assume')!;
    const aud = input('audience');
    const audience = aud
      ? { ...aud, defaulted: false }
      : { value: DEFAULT_AUDIENCE, raw: '', loc: step.uses?.loc ?? step.loc, resolution: 'literal' as const, defaulted: true };
    return { type: 'RoleAssumption', loc: role.loc, step, job, via: 'configure-aws-credentials', roleArn: role, audience };
  }
  const script = run?.value ?? findEntry(inputs, 'script')?.value.value ?? '';
  if (/ACTIONS_ID_TOKEN_REQUEST_(TOKEN|URL)/.test(script) || /\bgetIDToken\s*\(/.test(script)) {
    const src = run ?? findEntry(inputs, 'script')!.value;
    const roleMatch = /--role-arn[ =]+["']?([^\s"'\\]+)/.exec(script);
    const audMatch = /[?&]audience=([^\s"'&\\]+)/.exec(script) ?? /getIDToken\s*\(\s*['"]([^'"]+)['"]/.exec(script);
    const roleArn = roleMatch ? markExpressions({ value: roleMatch[1], raw: roleMatch[1], loc: src.loc, resolution: 'literal' }) : undefined;
    const audience = audMatch
      ? { value: audMatch[1], raw: audMatch[1], loc: src.loc, resolution: 'literal' as const, defaulted: false }
      : { value: '', raw: '', loc: src.loc, resolution: 'unresolved' as const, defaulted: true };
    return { type: 'RoleAssumption', loc: src.loc, step, job, via: roleMatch && /assume-role-with-web-identity/.test(script) ? 'sts-cli' : 'id-token-request', roleArn, audience };
  }
  return undefined;
}

export const GOOGLE_AUTH = 'google-github-actions/auth';
export const AZURE_LOGIN = 'azure/login';

/**
 * Derives the Google Cloud or Azure login of a step that exchanges the job's GitHub OIDC token
 * (docs/clouds.md, "Workflows"): google-github-actions/auth with `workload_identity_provider` (and
 * no `credentials_json`), azure/login with `client-id` and `auth-type` other than IDENTITY (a
 * `creds` secret is then ignored by the action). Whether the step requests a token is decided by the
 * token-requester data, as for configure-aws-credentials; `inputs` are the step's inputs as it runs.
 */
export function deriveCloudLogin(step: Step, job: Job, inputs: Entry[] = step.with): CloudLogin | undefined {
  if (step.action?.kind !== 'remote' || !step.uses) return undefined;
  const name = step.action.name.toLowerCase();
  const cloud = name === GOOGLE_AUTH ? 'gcp' : name === AZURE_LOGIN ? 'azure' : undefined;
  if (!cloud || KNOWN_REQUESTERS.forUses(name, inputs)?.verdict !== 'yes') return undefined;
  const input = (k: string) => {
    const v = findEntry(inputs, k)?.value;
    return v && v.value.trim() ? v : undefined;
  };
  const given = input('audience');
  const defaulted = (value: string, resolution: Value<string>['resolution']) => ({ value, raw: '', loc: step.uses!.loc, resolution, defaulted: true });
  if (cloud === 'gcp') {
    const provider = input('workload_identity_provider')!;
    // google-github-actions/auth: `audience` defaults to https://iam.googleapis.com/ + the provider name (src/main.ts).
    const audience = given
      ? { ...given, defaulted: false }
      : defaulted(`https://iam.googleapis.com/${provider.value.trim()}`, provider.resolution === 'unresolved' ? 'unresolved' : 'literal');
    return { type: 'CloudLogin', loc: step.uses.loc, cloud, step, job, provider, identity: input('service_account'), audience };
  }
  const audience = given ? { ...given, defaulted: false } : defaulted(AZURE_DEFAULT_AUDIENCE, 'literal');
  return { type: 'CloudLogin', loc: step.uses.loc, cloud, step, job, identity: input('client-id'), tenant: input('tenant-id'), audience };
}
