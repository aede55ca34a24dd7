/**
 * Does a job need a GitHub OIDC token? Used to judge `id-token: write` grants (domain.md §A.7,
 * §B.6). The answer is deliberately conservative, because removing a grant that a job does use
 * breaks its deployment:
 *
 * - `yes`: a role assumption the loader derived (also inside the local composite actions the job
 *   runs), an action or command the token-requester data (token-requesters.ts) lists with inputs
 *   that match, or a reusable-workflow call whose callee needs one (remote callees, and local ones
 *   that are not in the scanned project, are assumed to need one);
 * - `unsure`: steps oidc-lint cannot see into (third-party actions it does not know, local
 *   JavaScript or Docker actions, local paths with no action metadata; scripts that drive cloud
 *   CLIs without a derived role assumption);
 * - `no`: every step is understood and none requests a token.
 */
import type { Job, Workflow } from './workflow.js';
import type { Project } from './project.js';
import { graphOf, type ExpandedStep, type WorkflowGraph } from './graph.js';
import { TokenRequesters } from './token-requests.js';
import type { TokenRequester } from './token-requesters.js';

export type TokenVerdict = 'yes' | 'unsure' | 'no';
export type Confidence = 'high' | 'medium' | 'low';

export interface TokenNeed {
  verdict: TokenVerdict;
  /** How sure a finding built on a `no` / `unsure` verdict can be. */
  confidence: Confidence;
  /** For `unsure`: the actions or commands that could request a token without oidc-lint seeing it. */
  unknowns: string[];
}

/** Owners whose actions are known not to request OIDC tokens (except those the requester data lists). */
const QUIET_OWNERS = new Set(['actions', 'github', 'docker', 'aws-actions']);

/** Other widely used actions that never request OIDC tokens. */
const QUIET_ACTIONS = new Set([
  'amannn/action-semantic-pull-request',
  'astral-sh/setup-uv',
  'dorny/paths-filter',
  'dtolnay/rust-toolchain',
  'golangci/golangci-lint-action',
  'gradle/actions',
  'hashicorp/setup-packer',
  'hashicorp/setup-terraform',
  'oven-sh/setup-bun',
  'peter-evans/create-or-update-comment',
  'peter-evans/create-pull-request',
  'pnpm/action-setup',
  'release-drafter/release-drafter',
  'ruby/setup-ruby',
  'sigstore/cosign-installer',
  'softprops/action-gh-release',
  'stefanzweifel/git-auto-commit-action',
  'swatinem/rust-cache',
  'taiki-e/install-action',
]);

/**
 * Commands that may mint a token through configuration oidc-lint does not read (goreleaser signing
 * with keyless cosign, Pulumi's OIDC login). Cloud CLIs (aws, terraform, cdk, gcloud, az…) cannot
 * request a GitHub OIDC token by themselves: something must fetch it (ACTIONS_ID_TOKEN_REQUEST_*,
 * an auth action), and that is what the requester data recognises.
 */
const CLOUD_COMMANDS = /(?:^|[\s;&|(`$])(pulumi|goreleaser)\s/m;

export interface TokenNeedOptions {
  /** Extra actions (`owner/repo`) that request OIDC tokens (the rule option of no-excessive-id-token-permission). */
  tokenActions?: readonly string[];
  /** Extra requesters declared in the config (`tokenRequests`). */
  tokenRequests?: readonly TokenRequester[];
}

/** Classifies jobs; one instance per lint run (results and callee lookups are cached). */
export class TokenNeeds {
  private readonly cache = new Map<Job, TokenNeed>();
  private readonly inProgress = new Set<Workflow>();
  private readonly requesters: TokenRequesters;
  private readonly graph: WorkflowGraph;

  constructor(
    private readonly project: Project,
    options: TokenNeedOptions = {},
  ) {
    const fromOption = (options.tokenActions ?? []).map((a): TokenRequester => ({ uses: a, label: a, need: 'optional' }));
    this.requesters = new TokenRequesters([...(options.tokenRequests ?? []), ...fromOption]);
    this.graph = graphOf(project);
  }

  of(job: Job): TokenNeed {
    let need = this.cache.get(job);
    if (!need) {
      need = this.compute(job);
      this.cache.set(job, need);
    }
    return need;
  }

  private compute(job: Job): TokenNeed {
    if (job.roleAssumptions.length) return YES;
    if (job.uses) return this.callee(job);
    const unknowns: string[] = [];
    const { steps, opaque } = this.graph.expand(job);
    const inherited = [...job.env, ...job.parent.env];
    for (const step of steps) {
      // A variable that switches a tool to token-based publishing counts for any step it reaches.
      if (this.requesters.forEnv([...step.env, ...inherited])?.verdict === 'yes') return YES;
      const v = this.step(step);
      if (v === 'yes') return YES;
      if (v) unknowns.push(v);
    }
    for (const o of opaque) unknowns.push(o.what);
    if (unknowns.length) return { verdict: 'unsure', confidence: 'low', unknowns: [...new Set(unknowns)] };
    return { verdict: 'no', confidence: steps.some((s) => s.run) ? 'medium' : 'high', unknowns: [] };
  }

  /** 'yes', undefined (understood, no token), or the name of what oidc-lint cannot see into. */
  private step(s: ExpandedStep): 'yes' | string | undefined {
    const script = s.run?.value ?? '';
    if (script) {
      if (this.requesters.forScript(script).length) return 'yes';
      // A repository script the step executes counts as its own text (read by the loader).
      if (this.graph.scriptsOf(s.step).some((f) => this.requesters.forScript(f.text).length)) return 'yes';
      const m = CLOUD_COMMANDS.exec(script);
      return m ? `\`${m[1]}\`` : undefined;
    }
    const action = s.step.action;
    if (!action || action.kind !== 'remote') return action?.name;
    const full = action.path ? `${action.name}/${action.path}` : action.name;
    const match = this.requesters.forUses(full, s.with) ?? (action.path ? this.requesters.forUses(action.name, s.with) : undefined);
    if (match?.verdict === 'yes') return 'yes';
    if (match) return action.name;
    if (this.requesters.knows(full) || this.requesters.knows(action.name)) return undefined;
    if (QUIET_OWNERS.has((action.owner ?? '').toLowerCase()) || QUIET_ACTIONS.has(action.name.toLowerCase())) return undefined;
    return action.name;
  }

  /** A reusable-workflow call needs a token when its callee does; callees oidc-lint cannot read are assumed to. */
  private callee(job: Job): TokenNeed {
    const wf = this.graph.calleeOf(job);
    if (!wf) return YES;
    if (this.inProgress.has(wf)) return { verdict: 'no', confidence: 'medium', unknowns: [] };
    const unknowns: string[] = [];
    this.inProgress.add(wf);
    try {
      for (const cj of wf.jobs) {
        // A nested job that asks for id-token: write fails validation unless the caller grants it.
        if (cj.effectivePermissions.idToken === 'write' || cj.effectivePermissions.idToken === 'unknown') return YES;
        const need = this.of(cj);
        if (need.verdict === 'yes') return YES;
        unknowns.push(...need.unknowns);
      }
    } finally {
      this.inProgress.delete(wf);
    }
    if (unknowns.length) return { verdict: 'unsure', confidence: 'low', unknowns: [...new Set(unknowns)] };
    return { verdict: 'no', confidence: 'medium', unknowns: [] };
  }
}

const YES: TokenNeed = { verdict: 'yes', confidence: 'high', unknowns: [] };
