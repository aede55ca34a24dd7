/**
 * The rule API (eslint-style): `meta` describes the rule, `create(context, options)` returns
 * visitors keyed by model node type. See ../shared/docs/architecture.md §4.
 */
import type { SourceLocation } from '../model/location.js';
import type { Project, SourceFile, LoadError } from '../model/project.js';
import type { Condition, OidcProvider, Principal, Role, Statement, TrustPolicy } from '../model/iam.js';
import type { Action, CloudLogin, Job, Permissions, RoleAssumption, Step, Trigger, Workflow } from '../model/workflow.js';
import type { Suppression } from './suppressions.js';
import type { Cloud, Trust } from '../model/claims/trust.js';
import type { TokenRequester } from '../model/token-requesters.js';

export type RuleKind = 'problem' | 'hardening';
export type AppliesTo = 'workflow' | 'trust-policy' | 'oidc-provider' | 'project' | 'source';
export type Severity = 'critical' | 'high' | 'medium' | 'low';
export type Level = 'error' | 'warn' | 'off';
export type Confidence = 'high' | 'medium' | 'low';

export interface RuleDocs {
  /** One sentence, shown in SARIF shortDescription and rules.md. */
  description: string;
  /** Why it matters (the attack or the failure). */
  rationale: string;
  /** What to do. */
  remediation: string;
  references: string[];
  /** Enabled by default. */
  recommended: boolean;
}

/** A JSON Schema (draft-07 as accepted by ajv) for one positional option. */
export type JsonSchema = Record<string, unknown>;

export interface RuleMeta {
  kind: RuleKind;
  appliesTo: AppliesTo[];
  /** The clouds whose trusts the rule judges (rules.md lists them); absent: AWS only. */
  clouds?: Cloud[];
  /** Security impact; a report may raise or lower it for one finding. */
  severity: Severity;
  defaultLevel: 'error' | 'warn';
  docs: RuleDocs;
  /** Every user-facing message, with `{{placeholders}}`. */
  messages: Record<string, string>;
  /** Positional options schema (eslint style). */
  schema: JsonSchema[];
  /** Defaults merged under user options, position by position. */
  defaultOptions?: unknown[];
  fixable?: 'code';
}

export interface RelatedLocation {
  loc: SourceLocation;
  message: string;
}

/** A text edit on one file (offset-free: by 1-based positions). */
export interface Edit {
  file: string;
  start: { line: number; column: number };
  end: { line: number; column: number };
  text: string;
}

export interface Fix {
  description: string;
  edits: Edit[];
}

export interface ReportDescriptor {
  /**
   * Anything with a location: a model node or a Value. A Value that is a possible value taken only
   * under some input (`when`, not a default) makes the finding at most a warning of medium confidence.
   */
  node?: { loc: SourceLocation };
  loc?: SourceLocation;
  messageId: string;
  data?: Record<string, string | number>;
  severity?: Severity;
  confidence?: Confidence;
  /** At most this level: a report may lower the configured level (never raise it). */
  maxLevel?: 'warn';
  related?: RelatedLocation[];
  fix?: Fix;
  /** Suggested changes people apply by hand (IaC and policies are never edited automatically). */
  suggestions?: { description: string; text?: string }[];
  /**
   * The node is a possible value and the rule found the same problem on every possible value of its
   * expression (`when.group`): the problem does not depend on the input, so the level is not lowered.
   */
  everyBranch?: boolean;
  /**
   * For a finding that stands on other files as well as its own (a reusable workflow reached from
   * untrusted triggers in its callers): what it stands on, e.g. `.github/workflows/pr.yml#pull_request_target`.
   * Part of its fingerprint and baseline identity, so that accepting it does not accept a new caller.
   */
  via?: string[];
}

/**
 * The GitHub repository being linted, as the config file declares it (`repository:`). Used by the
 * cross-check to compute the `sub` claims this repository's jobs will present.
 */
export interface RepositoryIdentity {
  /** Owner (user or organisation) login, with its real GitHub casing (IAM matching is case-sensitive). */
  owner: string;
  /** Repository name, with its real casing. */
  repo: string;
  /** Numeric owner id (decimal digits), used by immutable subjects `repo:OWNER@OWNER_ID/…`. */
  ownerId?: string;
  /** Numeric repository id (decimal digits), used by immutable subjects `…/REPO@REPO_ID:…`. */
  repoId?: string;
  /** Branch `schedule`, `workflow_run`, `pull_request_target`, … runs get their `ref` from. */
  defaultBranch?: string;
  /** The repository's tokens carry immutable subjects (`repo:OWNER@ID/REPO@ID:…`). */
  immutableSubjects?: boolean;
  /** Token issuer when not github.com's: `token.actions.githubusercontent.com/<enterprise-slug>` or GHES `HOST/_services/token`. */
  issuer?: string;
  /** Customised subject template: the `include_claim_keys` list, in order (e.g. `["repo", "context", "job_workflow_ref"]`). Absent = GitHub's default template. */
  subjectTemplate?: string[];
  /**
   * The organisation's / repository's default GITHUB_TOKEN permissions (Settings → Actions →
   * Workflow permissions): `restricted` (read, the default for new organisations since 2023) or
   * `permissive` (read and write). No file shows it; absent = unknown.
   */
  defaultPermissions?: 'restricted' | 'permissive';
}

export interface Settings {
  /** Audiences workflows request and trust policies / providers should accept. */
  expectedAudiences: string[];
  /** The repository being linted, when the config file names it. */
  repository?: RepositoryIdentity;
  /**
   * Role ARNs behind workflow expressions, keyed by `vars.NAME` or `secrets.NAME` (context in lower
   * case, NAME in upper case, since GitHub variable and secret names are case-insensitive): a step with
   * `role-to-assume: ${{ vars.DEPLOY_ROLE }}` assumes `roles['vars.DEPLOY_ROLE']`.
   */
  roles: Record<string, string>;
  /** Token requesters declared in the config (`tokenRequests`), added to oidc-lint's own data. */
  tokenRequests?: TokenRequester[];
}

export interface RuleContext {
  readonly id: string;
  readonly project: Project;
  readonly settings: Settings;
  report(descriptor: ReportDescriptor): void;
  /** Renders one of the rule's own messages (for related locations and suggestions). */
  message(messageId: string, data?: Record<string, string | number>): string;
}

export interface NodeTypes {
  SourceFile: SourceFile;
  LoadError: LoadError;
  Workflow: Workflow;
  Trigger: Trigger;
  Permissions: Permissions;
  Job: Job;
  Step: Step;
  /** An action defined in the repository (`action.yml`); its steps are visited as Steps. */
  Action: Action;
  RoleAssumption: RoleAssumption;
  /** A Google Cloud or Azure login with the job's OIDC token (visited after the job's RoleAssumptions). */
  CloudLogin: CloudLogin;
  Role: Role;
  TrustPolicy: TrustPolicy;
  Statement: Statement;
  Principal: Principal;
  Condition: Condition;
  OidcProvider: OidcProvider;
  /**
   * A trust of a cloud other than AWS (`model/trusts.ts`: Google Cloud pool providers, alone and
   * joined with each grant to the pool's identities), judged through the trust interface
   * (`model/claims/trust.ts`). AWS trusts are visited as Role / TrustPolicy / Statement.
   */
  Trust: Trust;
  Project: Project;
  /**
   * A suppression directive (inline comment or config entry), visited AFTER the traversal, once
   * every other rule's findings are in and suppressions are applied. Findings reported from this
   * visitor cannot themselves be suppressed inline or by config (only by level or baseline).
   */
  Suppression: Suppression;
}

export type NodeType = keyof NodeTypes;

export type Visitors = {
  [K in NodeType]?: (node: NodeTypes[K]) => void;
} & {
  [K in NodeType as `${K}:exit`]?: (node: NodeTypes[K]) => void;
};

export interface RuleModule<Options extends unknown[] = unknown[]> {
  id: string;
  meta: RuleMeta;
  create(context: RuleContext, options: Options): Visitors;
}

export interface Finding {
  ruleId: string;
  messageId: string;
  message: string;
  level: 'error' | 'warn';
  severity: Severity;
  confidence: Confidence;
  location: SourceLocation;
  related: RelatedLocation[];
  /** Stable key (rule, file, symbolic path, message id, `via`) — never line numbers. */
  fingerprint: string;
  /** See ReportDescriptor.via (sorted). */
  via?: string[];
  fix?: Fix;
  suggestions?: { description: string; text?: string }[];
  suppressed?: { kind: 'inSource' | 'external'; justification: string };
}
