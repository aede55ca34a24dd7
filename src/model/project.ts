import type { SourceLocation } from './location.js';
import type { OidcProvider, Role } from './iam.js';
import type { Action, Job, RoleAssumption, Workflow } from './workflow.js';
import type { WorkflowGraph } from './graph.js';
import type { GcpModel } from './gcp.js';
import type { AzureModel } from './azure.js';

/** One file the tool read. `text` is kept so that source-wide rules (e.g. hard-coded keys) and code frames work. */
export interface SourceFile {
  type: 'SourceFile';
  loc: SourceLocation;
  /** Relative to the scan root, `/`-separated. */
  path: string;
  absPath: string;
  text: string;
  /** What the file was loaded as. */
  kind: 'workflow' | 'action' | 'policy-json' | 'cloudformation' | 'terraform' | 'cdk' | 'aws-snapshot' | 'arm' | 'other';
}

/** A file (or live resource) that could not be loaded, or only partly. Reported by the `parse-error` rule. */
export interface LoadError {
  type: 'LoadError';
  loc: SourceLocation;
  message: string;
  /** `syntax` (malformed input), `structure` (valid syntax, wrong shape), `io` (unreadable), `limit` (too large). */
  kind: 'syntax' | 'structure' | 'io' | 'limit';
  /**
   * A syntax error in a file that shows no sign of anything oidc-lint checks (not a workflow, no
   * federated principal, no OIDC issuer in its text): worth a warning, not a failed run.
   */
  unrelated?: boolean;
}

export interface RoleLink {
  assumption: RoleAssumption;
  role: Role;
  /** How the assumption's role reference was matched to the role. */
  match: 'arn' | 'name' | 'mapping';
}

export interface ProjectLinks {
  /** Every assumption that matched at least one role. */
  byAssumption: Map<RoleAssumption, RoleLink[]>;
  /** Jobs per role (reverse index). */
  byRole: Map<Role, RoleLink[]>;
  /** Assumptions whose role could not be identified in the project. */
  unresolved: RoleAssumption[];
}

/**
 * The GitHub identity of the scanned repository, used to predict the claims its jobs present.
 * `source` says where it came from (shown to users: predictions are only as good as this).
 */
export interface RepoIdentity {
  owner: string;
  repo: string;
  host?: string;
  ownerId?: string;
  repoId?: string;
  defaultBranch?: string;
  /** The repository uses immutable subjects (`repo:OWNER@ID/REPO@ID:…`). */
  immutableSubjects?: boolean;
  /** Token issuer when not github.com's (enterprise `token.actions.githubusercontent.com/<slug>`, GHES `HOST/_services/token`). */
  issuer?: string;
  /** Customised subject template (`include_claim_keys`), when not the default. */
  subjectTemplate?: string[];
  /** Default GITHUB_TOKEN permissions of the organisation / repository (config only; no file shows it). */
  defaultPermissions?: 'restricted' | 'permissive';
  source: 'config' | 'git-remote';
}

export interface Project {
  type: 'Project';
  root: string;
  sources: SourceFile[];
  workflows: Workflow[];
  /** Action metadata files of the repository (`action.yml` / `action.yaml`). */
  actions?: Action[];
  roles: Role[];
  providers: OidcProvider[];
  /** Google Cloud workload identity federation read from the files (joined into trusts by `model/trusts.ts`). */
  gcp?: GcpModel;
  /** Azure federated identity credentials read from the files (trusts: `model/claims/azure.ts`). */
  azure?: AzureModel;
  loadErrors: LoadError[];
  links: ProjectLinks;
  /**
   * Files in languages oidc-lint does not read that define what it checks: AWS CDK apps in Java, Go
   * or C# that define IAM roles (relative paths, per language). Not checked; named once.
   */
  notAnalysed?: { language: string; files: string[] }[];
  /** What each job runs across files (local actions, reusable workflows); set by `connectGraph`. */
  graph?: WorkflowGraph;
  /** Identity of the scanned repository, when known. */
  identity?: RepoIdentity;
  /** Role ARNs behind `${{ vars.X }}` / `${{ secrets.X }}` (from the config), used by linking. */
  roleMappings?: Record<string, string>;
}

export function emptyLinks(): ProjectLinks {
  return { byAssumption: new Map(), byRole: new Map(), unresolved: [] };
}

export function allJobs(project: Project): Job[] {
  return project.workflows.flatMap((w) => w.jobs);
}
