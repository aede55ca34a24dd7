import type { SourceLocation } from './location.js';
import type { OidcProvider, Role } from './iam.js';
import type { Job, RoleAssumption, Workflow } from './workflow.js';

/** One file the tool read. `text` is kept so that source-wide rules (e.g. hard-coded keys) and code frames work. */
export interface SourceFile {
  type: 'SourceFile';
  loc: SourceLocation;
  /** Relative to the scan root, `/`-separated. */
  path: string;
  absPath: string;
  text: string;
  /** What the file was loaded as. */
  kind: 'workflow' | 'policy-json' | 'cloudformation' | 'terraform' | 'cdk' | 'aws-snapshot' | 'other';
}

/** A file (or live resource) that could not be loaded, or only partly. Reported by the `parse-error` rule. */
export interface LoadError {
  type: 'LoadError';
  loc: SourceLocation;
  message: string;
  /** `syntax` (malformed input), `structure` (valid syntax, wrong shape), `io` (unreadable), `limit` (too large). */
  kind: 'syntax' | 'structure' | 'io' | 'limit';
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

export interface Project {
  type: 'Project';
  root: string;
  sources: SourceFile[];
  workflows: Workflow[];
  roles: Role[];
  providers: OidcProvider[];
  loadErrors: LoadError[];
  links: ProjectLinks;
}

export function emptyLinks(): ProjectLinks {
  return { byAssumption: new Map(), byRole: new Map(), unresolved: [] };
}

export function allJobs(project: Project): Job[] {
  return project.workflows.flatMap((w) => w.jobs);
}
