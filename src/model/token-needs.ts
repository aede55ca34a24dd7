/**
 * Does a job need a GitHub OIDC token? Used to judge `id-token: write` grants (domain.md §A.7,
 * §B.6). The answer is deliberately conservative, because removing a grant that a job does use
 * breaks its deployment:
 *
 * - `yes`: a role assumption the loader derived, an action or command known to request an OIDC
 *   token, or a reusable-workflow call whose callee needs one (remote callees, and local ones that
 *   are not in the scanned project, are assumed to need one);
 * - `unsure`: steps oidc-lint cannot see into (third-party, local or docker actions it does not
 *   know; scripts that drive cloud CLIs without a derived role assumption);
 * - `no`: every step is understood and none requests a token.
 */
import { findEntry, type Job, type Step, type Workflow } from './workflow.js';
import type { Project } from './project.js';

export type TokenVerdict = 'yes' | 'unsure' | 'no';
export type Confidence = 'high' | 'medium' | 'low';

export interface TokenNeed {
  verdict: TokenVerdict;
  /** How sure a finding built on a `no` / `unsure` verdict can be. */
  confidence: Confidence;
  /** For `unsure`: the actions or commands that could request a token without oidc-lint seeing it. */
  unknowns: string[];
}

/** Actions that request a GitHub OIDC token themselves (lower-case `owner/repo`). */
const TOKEN_ACTIONS = new Set([
  'actions/attest',
  'actions/attest-build-provenance',
  'actions/attest-sbom',
  'actions/deploy-pages',
  'azure/login',
  'chainguard-dev/setup-chainctl',
  'google-github-actions/auth',
  'hashicorp/vault-action',
  'jfrog/setup-jfrog-cli',
  'octo-sts/action',
  'pulumi/auth-actions',
  'pypa/gh-action-pypi-publish',
  'rubygems/configure-rubygems-credentials',
  'rubygems/release-gem',
  'rust-lang/crates-io-auth-action',
  'sigstore/gh-action-sigstore-python',
]);

/** Owners whose actions are known not to request OIDC tokens (except those listed above). */
const QUIET_OWNERS = new Set(['actions', 'github', 'docker', 'aws-actions']);

/** Other widely used actions that never request OIDC tokens. */
const QUIET_ACTIONS = new Set([
  'astral-sh/setup-uv',
  'dtolnay/rust-toolchain',
  'golangci/golangci-lint-action',
  'gradle/actions',
  'hashicorp/setup-packer',
  'hashicorp/setup-terraform',
  'oven-sh/setup-bun',
  'pnpm/action-setup',
  'ruby/setup-ruby',
  'sigstore/cosign-installer',
  'softprops/action-gh-release',
]);

/** Commands in `run:` that request an OIDC token on their own (trusted publishing, keyless signing). */
const TOKEN_COMMANDS: [RegExp, string][] = [
  [/\bACTIONS_ID_TOKEN_REQUEST_(?:TOKEN|URL)\b/, 'ACTIONS_ID_TOKEN_REQUEST_*'],
  [/\b(?:npm|pnpm)\s+publish\b|\byarn\s+(?:npm\s+)?publish\b/, 'npm publish'],
  [/\buv\s+publish\b/, 'uv publish'],
  [/\bcosign\s+(?:sign|attest)/, 'cosign'],
  [/\bsigstore\s+sign\b/, 'sigstore'],
  [/--provenance\b/, '--provenance'],
];

/** Commands that reach a cloud with credentials from somewhere oidc-lint may not see. */
const CLOUD_COMMANDS = /(?:^|[\s;&|(`$])(aws|terraform|terragrunt|tofu|cdk|sam|pulumi|serverless|sls|vault|gcloud|az|goreleaser)\s/m;

export interface TokenNeedOptions {
  /** Extra actions (`owner/repo`) that request OIDC tokens. */
  tokenActions?: readonly string[];
}

/** Classifies jobs; one instance per lint run (results and callee lookups are cached). */
export class TokenNeeds {
  private readonly cache = new Map<Job, TokenNeed>();
  private readonly inProgress = new Set<Workflow>();
  private readonly extra: Set<string>;

  constructor(
    private readonly project: Project,
    options: TokenNeedOptions = {},
  ) {
    this.extra = new Set((options.tokenActions ?? []).map((a) => a.toLowerCase()));
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
    if (job.uses) return this.callee(job.uses.value);
    const unknowns: string[] = [];
    for (const step of job.steps) {
      const v = this.step(step);
      if (v === 'yes') return YES;
      if (v) unknowns.push(v);
    }
    if (unknowns.length) return { verdict: 'unsure', confidence: 'low', unknowns: [...new Set(unknowns)] };
    return { verdict: 'no', confidence: job.steps.some((s) => s.run) ? 'medium' : 'high', unknowns: [] };
  }

  /** 'yes', undefined (understood, no token), or the name of what oidc-lint cannot see into. */
  private step(step: Step): 'yes' | string | undefined {
    const script = step.run?.value ?? '';
    if (script) {
      if (TOKEN_COMMANDS.some(([re]) => re.test(script))) return 'yes';
      const m = CLOUD_COMMANDS.exec(script);
      return m ? `\`${m[1]}\`` : undefined;
    }
    const action = step.action;
    if (!action) return undefined;
    if (action.kind !== 'remote') return action.name;
    const name = action.name.toLowerCase();
    if (TOKEN_ACTIONS.has(name) || this.extra.has(name)) return 'yes';
    if (name === 'codecov/codecov-action') return isTrue(findEntry(step.with, 'use_oidc')?.value.value) ? 'yes' : undefined;
    if (name === 'aws-actions/configure-aws-credentials') {
      // No role assumption was derived; unless that was decided on unresolved inputs, it mints no token.
      const undecided = ['role-chaining', 'force-skip-oidc'].some((k) => findEntry(step.with, k)?.value.resolution === 'unresolved');
      return undecided && findEntry(step.with, 'role-to-assume') ? action.name : undefined;
    }
    if (QUIET_OWNERS.has((action.owner ?? '').toLowerCase()) || QUIET_ACTIONS.has(name)) return undefined;
    return action.name;
  }

  /** A reusable-workflow call needs a token when its callee does; callees oidc-lint cannot read are assumed to. */
  private callee(uses: string): TokenNeed {
    const ref = uses.trim();
    if (!ref.startsWith('./')) return YES;
    const rel = ref.slice(2).replace(/@.*$/, '');
    const callees = this.project.workflows.filter((w) => w.file === rel || w.file.endsWith(`/${rel}`));
    if (!callees.length) return YES;
    const unknowns: string[] = [];
    for (const wf of callees) {
      if (this.inProgress.has(wf)) continue;
      this.inProgress.add(wf);
      try {
        for (const job of wf.jobs) {
          // A nested job that asks for id-token: write fails validation unless the caller grants it.
          if (job.effectivePermissions.idToken === 'write' || job.effectivePermissions.idToken === 'unknown') return YES;
          const need = this.of(job);
          if (need.verdict === 'yes') return YES;
          unknowns.push(...need.unknowns);
        }
      } finally {
        this.inProgress.delete(wf);
      }
    }
    if (unknowns.length) return { verdict: 'unsure', confidence: 'low', unknowns: [...new Set(unknowns)] };
    return { verdict: 'no', confidence: 'medium', unknowns: [] };
  }
}

const YES: TokenNeed = { verdict: 'yes', confidence: 'high', unknowns: [] };

function isTrue(v: string | undefined): boolean {
  return !!v && /^(true|yes|1|\$\{\{.*\}\})$/i.test(v.trim());
}
