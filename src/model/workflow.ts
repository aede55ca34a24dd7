import type { SourceLocation, Value, ValuePart } from './location.js';

/** `key: value` pair with both positions (env entries, `with:` inputs). */
export interface Entry {
  key: Value<string>;
  value: Value<string>;
}

export interface Workflow {
  type: 'Workflow';
  loc: SourceLocation;
  file: string;
  name?: Value<string>;
  triggers: Trigger[];
  /** The `on:` key (for related locations); absent when the workflow has no triggers. */
  onLoc?: SourceLocation;
  permissions?: Permissions;
  env: Entry[];
  jobs: Job[];
  /** `on: workflow_call` — this workflow is reusable. */
  reusable: boolean;
}

export interface Trigger {
  type: 'Trigger';
  loc: SourceLocation;
  parent: Workflow;
  event: string;
  branches?: Value<string>[];
  branchesIgnore?: Value<string>[];
  tags?: Value<string>[];
  tagsIgnore?: Value<string>[];
  types?: Value<string>[];
  /** `workflow_run`: the names of the workflows whose runs trigger this one. */
  workflows?: Value<string>[];
}

export type PermissionLevel = 'read' | 'write' | 'none' | string;

/**
 * A `permissions:` block as written. `shorthand` is set for `read-all` / `write-all`; an empty
 * mapping (`{}`) has `shorthand: undefined` and no scopes.
 */
export interface Permissions {
  type: 'Permissions';
  loc: SourceLocation;
  /** Position of the `permissions` key itself. */
  keyLoc: SourceLocation;
  shorthand?: Value<string>;
  scopes: Map<string, Entry>;
  /** Set when the value could not be understood (an expression, a sequence…). */
  invalid?: string;
}

/**
 * What a job can actually do with its token, computed by the loader: a job-level block replaces the
 * workflow-level one entirely; `write-all` grants `id-token: write`; `read-all`, `{}` and the
 * default (no block anywhere) do not.
 */
export interface EffectivePermissions {
  idToken: 'write' | 'none' | 'read' | 'unknown';
  /** Where the deciding block is: 'job', 'workflow', or 'default' (no block at all). */
  source: 'job' | 'workflow' | 'default';
  /** The block that decides, when there is one. */
  block?: Permissions;
}

export interface Job {
  type: 'Job';
  loc: SourceLocation;
  parent: Workflow;
  id: Value<string>;
  name?: Value<string>;
  permissions?: Permissions;
  effectivePermissions: EffectivePermissions;
  environment?: Value<string>;
  /** The job's `if:` condition, as written. */
  if?: Value<string>;
  /** A job that calls a reusable workflow (`jobs.<id>.uses`). */
  uses?: Value<string>;
  with: Entry[];
  /** `secrets:` of a reusable-workflow call (`inherit` is kept as a single entry with key `inherit`). */
  secrets: Entry[];
  env: Entry[];
  /** Whether the job runs a matrix (values may differ per combination). */
  hasMatrix: boolean;
  steps: Step[];
  roleAssumptions: RoleAssumption[];
  /** Google Cloud and Azure logins with the job's GitHub OIDC token (derived once by the loader). */
  cloudLogins: CloudLogin[];
}

export interface ActionRef {
  raw: string;
  /** `owner/repo` for remote actions, the path for local ones, the image for docker. */
  name: string;
  owner?: string;
  repo?: string;
  path?: string;
  ref?: string;
  kind: 'remote' | 'local' | 'docker';
}

/**
 * An action defined in the repository (`action.yml` / `action.yaml`). Composite actions carry their
 * steps; JavaScript and Docker actions are opaque (what their code does is not read).
 */
export interface Action {
  type: 'Action';
  loc: SourceLocation;
  /** `path/action.yml`, relative to the scan root. */
  file: string;
  /** The directory a `uses: ./dir` names (`''` for an action at the scan root). */
  dir: string;
  name?: Value<string>;
  /** `runs.using` as written. */
  using?: Value<string>;
  kind: 'composite' | 'javascript' | 'docker' | 'unknown';
  inputs: ActionInput[];
  /** The steps of a composite action (empty for other kinds). */
  steps: Step[];
}

export interface ActionInput {
  name: Value<string>;
  default?: Value<string>;
}

export interface Step {
  type: 'Step';
  loc: SourceLocation;
  /** The job the step belongs to, or the composite action that defines it. */
  parent: Job | Action;
  index: number;
  id?: Value<string>;
  name?: Value<string>;
  uses?: Value<string>;
  action?: ActionRef;
  /**
   * The comment after `uses:` on the same line, without `#` and trimmed (e.g. `v4.1.0` in
   * `uses: owner/repo@<sha> # v4.1.0`); `loc` covers the whole comment including `#`.
   */
  usesComment?: Value<string>;
  /** The step's `if:` condition, as written. */
  if?: Value<string>;
  run?: Value<string>;
  /** `working-directory:` of a `run:` step. */
  workingDirectory?: Value<string>;
  with: Entry[];
  env: Entry[];
}

export type AssumptionVia =
  | 'configure-aws-credentials'
  | 'id-token-request'
  | 'sts-cli'
  | 'web-identity-env';

/**
 * A place where a job obtains a GitHub OIDC token to assume an AWS role. Derived once by the
 * workflow loader; rules never re-derive it.
 */
export interface RoleAssumption {
  type: 'RoleAssumption';
  loc: SourceLocation;
  /** The job's own step (for a request inside a composite action: the step that runs the action). */
  step: Step;
  job: Job;
  via: AssumptionVia;
  /**
   * For a request made inside a local composite action: the steps it goes through, outermost
   * first, ending at the step that requests the token (set by the workflow graph, model/graph.ts).
   */
  inner?: Step[];
  roleArn?: Value<string>;
  audience: Value<string> & { defaulted: boolean };
}

/**
 * A place where a job exchanges its GitHub OIDC token with Google Cloud (google-github-actions/auth
 * with `workload_identity_provider`) or Azure (azure/login with `client-id`, no managed identity).
 * The AWS counterpart is RoleAssumption. Derived once by the workflow loader from the
 * token-requester data (token-requesters.ts); the facts behind the defaults are in docs/clouds.md.
 */
export interface CloudLogin {
  type: 'CloudLogin';
  /** The step's `uses:` value. */
  loc: SourceLocation;
  cloud: 'gcp' | 'azure';
  /** The job's own step (for a login inside a composite action: the step that runs the action). */
  step: Step;
  job: Job;
  /** For a login made inside a local composite action: the steps it goes through (see RoleAssumption.inner). */
  inner?: Step[];
  /** Google Cloud: `workload_identity_provider` (projects/N/locations/global/workloadIdentityPools/P/providers/Q). */
  provider?: Value<string>;
  /** Google Cloud: `service_account` (absent: direct workload identity federation); Azure: `client-id`. */
  identity?: Value<string>;
  /** Azure: `tenant-id`. */
  tenant?: Value<string>;
  /** The audience the action requests: its `audience` input, or the action's default (`defaulted`). */
  audience: Value<string> & { defaulted: boolean };
}

/** azure/login's default `audience` input (Azure/login action.yml). */
export const AZURE_DEFAULT_AUDIENCE = 'api://AzureADTokenExchange';

export const CONFIGURE_AWS_CREDENTIALS = 'aws-actions/configure-aws-credentials';
export const DEFAULT_AUDIENCE = 'sts.amazonaws.com';

/** The file a step is written in (a workflow or an action). */
export function stepFile(step: Step): string {
  return step.parent.type === 'Job' ? step.parent.parent.file : step.parent.file;
}

export function findEntry(entries: readonly Entry[], key: string): Entry | undefined {
  return entries.find((e) => e.key.value === key);
}

/**
 * Splits `arn:aws:iam::${{ vars.ACCOUNT }}:role/x` into known and unknown parts: each `${{` up to
 * the first `}}` after it, as the regular expression /\$\{\{[\s\S]*?\}\}/g matches, but in linear
 * time (the expression retried the scan to the end from every `${{` of a value that never closes:
 * 200,000 of them took 28 s).
 */
export function expressionParts(text: string): ValuePart[] {
  const parts: ValuePart[] = [];
  let last = 0;
  for (;;) {
    const open = text.indexOf('${{', last);
    if (open < 0) break;
    const close = text.indexOf('}}', open + 3);
    // No `}}` after this `${{`: none after any later one either.
    if (close < 0) break;
    if (open > last) parts.push({ text: text.slice(last, open), known: true });
    parts.push({ text: text.slice(open, close + 2), known: false });
    last = close + 2;
  }
  if (last < text.length) parts.push({ text: text.slice(last), known: true });
  return parts;
}
