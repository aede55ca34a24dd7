/**
 * The cross-check: what token each job will present (from `predict.ts`) judged against the trust
 * policy of the role it assumes (through the claims layer, `claims.ts`). Computed once per project and shared by the
 * cross-check rules and `oidc-lint explain`.
 */
import {
  DEFAULT_AUDIENCES,
  GITHUB_ISSUER_HOST,
  buildSubject,
  concatText,
  evaluateTrustPolicy,
  issuersOfStatement,
  isAllow,
  knownText,
  mintToken,
  sameIssuer,
  analyzeSubjectPattern,
  claimConditions,
  isLikeOperator,
  stringLike,
  type ClaimText,
  type TokenFacts,
  type TrustDecision,
} from './claims.js';
import type { Role } from './iam.js';
import type { Project, RepoIdentity, RoleLink } from './project.js';
import type { Job, RoleAssumption } from './workflow.js';
import { applyCondition, predictProject, type JobPrediction, type PredictedContext } from './predict.js';
import type { Value } from './location.js';
import { roleNameFromPolicyFile } from './links.js';

const predictionCache = new WeakMap<Project, Map<Job, JobPrediction>>();

/** Token-context predictions for every job, computed once per project. */
export function predictionsOf(project: Project): Map<Job, JobPrediction> {
  let p = predictionCache.get(project);
  if (!p) predictionCache.set(project, (p = predictProject(project)));
  return p;
}

/** A predicted ref/environment as a claim text: open-ended patterns (`refs/heads/*`) become unknown pieces. */
export function patternText(value: string, pattern: boolean): ClaimText {
  if (!pattern) return value;
  const parts = value.split(/[*?]+/).flatMap((text, i) => (i ? [{ text: '', known: false }, { text, known: true }] : [{ text, known: true }])).filter((p) => !p.known || p.text);
  return { value, resolution: 'unresolved', parts };
}

function valueText(v: Value<string> | undefined): ClaimText | undefined {
  if (!v) return undefined;
  if (v.resolution !== 'unresolved') return v.value;
  return { value: v.value, resolution: 'unresolved', parts: v.parts ?? [{ text: '', known: false }] };
}

/** The GitHub issuers a role trusts for web identity (hosts), in statement order. */
export function trustedIssuers(role: Role): string[] {
  const out: string[] = [];
  for (const st of role.trustPolicy?.statements ?? []) {
    if (!isAllow(st)) continue;
    for (const i of issuersOfStatement(st)) if (i.kind !== 'other' && !out.some((o) => sameIssuer(o, i.host))) out.push(i.host);
  }
  return out;
}

/**
 * The facts of one predicted run of a job. The issuer is the configured one; without configuration
 * it is github.com's, unless the role trusts exactly one (enterprise or GHES) GitHub issuer — the
 * organisation setting that picks it is not visible from the repository.
 */
export function factsFor(identity: RepoIdentity, ctx: PredictedContext, ra: RoleAssumption | undefined, role: Role | undefined): TokenFacts {
  const issuers = role ? trustedIssuers(role) : [];
  const issuer = identity.issuer ?? (issuers.length === 1 ? issuers[0] : GITHUB_ISSUER_HOST);
  const facts: TokenFacts = {
    issuer,
    owner: identity.owner,
    repo: identity.repo,
    ownerId: identity.ownerId,
    repoId: identity.repoId,
    immutable: identity.immutableSubjects,
    template: identity.subjectTemplate,
    eventName: ctx.kind === 'pull_request' ? 'pull_request' : ctx.events.length === 1 ? ctx.events[0] : undefined,
    audience: ra ? (ra.audience.defaulted ? DEFAULT_AUDIENCES[0] : valueText(ra.audience)) : DEFAULT_AUDIENCES[0],
  };
  if (ctx.kind === 'environment') {
    facts.environment = patternText(ctx.value, ctx.pattern || ctx.unresolved);
    facts.ref = { value: 'refs/*', resolution: 'unresolved', parts: [{ text: 'refs/', known: true }, { text: '', known: false }] };
  } else if (ctx.kind === 'pull_request') {
    facts.ref = { value: 'refs/pull/*/merge', resolution: 'unresolved', parts: [{ text: 'refs/pull/', known: true }, { text: '', known: false }, { text: '/merge', known: true }] };
  } else facts.ref = patternText(ctx.value, ctx.pattern || ctx.unresolved);
  // job_workflow_ref: the workflow file that defines the job (the called one for reusable workflows) at the run's ref.
  const wfPath = ra ? /(\.github\/workflows\/[^/]+)$/.exec(ra.job.parent.file)?.[1] : undefined;
  if (wfPath) facts.claims = { job_workflow_ref: concatText(identity.owner, '/', identity.repo, '/', wfPath, '@', facts.ref) };
  return facts;
}

export interface ContextVerdict {
  context: PredictedContext;
  facts: TokenFacts;
  /** The `sub` GitHub mints, as text (`*` where unknown). */
  sub: string;
  decision: TrustDecision;
}

export function subjectText(facts: TokenFacts): string {
  const s = buildSubject(facts);
  if (s === undefined) return '(no token: a claim of the subject template is missing)';
  return knownText(s) ?? (typeof s === 'string' ? s : s.value);
}

/** Judges every predicted context of the assumption's job against one role. */
export function judge(project: Project, ra: RoleAssumption, role: Role): ContextVerdict[] | undefined {
  const identity = project.identity;
  const policy = role.trustPolicy;
  const pred = predictionsOf(project).get(ra.job);
  if (!identity || !policy || !pred || pred.unknown) return undefined;
  // The assuming step's own `if:` narrows the runs in which it asks for the token.
  const contexts = applyCondition(pred.contexts, ra.step.if, { owner: identity.owner, repo: identity.repo });
  return contexts.map((context) => {
    const facts = factsFor(identity, context, ra, role);
    return { context, facts, sub: subjectText(facts), decision: evaluateTrustPolicy(policy, mintToken(facts)) };
  });
}

/** How people name a role in messages: its name (for a policy file, the name its file gives it), else its ARN or file. */
export function roleLabel(role: Role): string {
  if (role.name?.value) return role.name.value;
  if (role.arn?.value) return role.arn.value;
  const fromFile = role.origin.format === 'json' ? roleNameFromPolicyFile(role.origin.file) : undefined;
  if (fromFile) return `${fromFile} (${role.origin.file})`;
  return role.origin.logicalId ?? role.origin.file;
}

export interface OverbroadFinding {
  /** A subject the role admits that no job of this repository presents. */
  example: string;
  kind: 'other-owner' | 'other-repo' | 'pull-request' | 'environment' | 'branch' | 'tag';
  /** The subjects the jobs using the role do present (patterns where open-ended). */
  needed: string[];
  /** The tightened `sub` list: `needed` plus the policy's values for other repositories (a shared role keeps them). */
  tightened: string[];
}

const PROBE = 'oidc-lint-probe';

/**
 * The subjects the jobs using a role present (patterns where open-ended: a push without a branch
 * filter is `…:ref:refs/heads/*`), when every one of them is known.
 */
export function neededSubjects(project: Project, role: Role, links: RoleLink[]): { needed: string[]; contexts: PredictedContext[] } | undefined {
  const identity = project.identity;
  if (!identity || !role.trustPolicy || !links.length) return undefined;
  const preds = links.map((l) => predictionsOf(project).get(l.assumption.job));
  if (preds.some((p) => !p || p.unknown)) return undefined;
  const contexts = preds.flatMap((p) => p!.contexts);
  if (contexts.some((c) => c.unresolved)) return undefined;
  return { needed: [...new Set(links.flatMap((l, i) => preds[i]!.contexts.map((c) => subjectText(factsFor(identity, c, l.assumption, role)))))], contexts };
}

/**
 * Whether a role admits tokens beyond what every job of this repository that uses it presents:
 * probes it with tokens no job here mints (another owner, another repository of the owner, pull
 * requests, an unknown environment, branch or tag) and keeps the first one it admits for sure.
 */
export function overbroad(project: Project, role: Role, links: RoleLink[]): OverbroadFinding | undefined {
  const identity = project.identity;
  const policy = role.trustPolicy;
  const known = neededSubjects(project, role, links);
  if (!identity || !policy || !known) return undefined;
  const { needed, contexts } = known;
  const audience = links[0].assumption;
  const admits = (ctx: PredictedContext, who: Partial<RepoIdentity> = {}): string | undefined => {
    const facts = factsFor({ ...identity, ...who }, ctx, audience, role);
    return evaluateTrustPolicy(policy, mintToken(facts)).admitted === true ? subjectText(facts) : undefined;
  };
  const ctx = (kind: PredictedContext['kind'], value: string): PredictedContext => ({ kind, value, pattern: false, events: [kind === 'pull_request' ? 'pull_request' : 'push'], unresolved: false, untrusted: false });
  const covered = (kind: PredictedContext['kind'], value: string) => contexts.some((c) => c.kind === kind && (c.pattern ? stringLike(c.value, value) : c.value === value));
  const main = ctx('ref', `refs/heads/${identity.defaultBranch ?? 'main'}`);
  const candidates: [OverbroadFinding['kind'], () => string | undefined][] = [
    ['other-owner', () => admits(main, { owner: `${PROBE}-owner`, ownerId: '1', repo: identity.repo, repoId: '2' })],
    ['other-repo', () => admits(main, { repo: `${PROBE}-repo`, repoId: '3' })],
    ['pull-request', () => (covered('pull_request', '') ? undefined : admits(ctx('pull_request', '')))],
    ['environment', () => (covered('environment', PROBE) ? undefined : admits(ctx('environment', PROBE)))],
    ['branch', () => (covered('ref', `refs/heads/${PROBE}`) ? undefined : admits(ctx('ref', `refs/heads/${PROBE}`)))],
    ['tag', () => (covered('ref', `refs/tags/${PROBE}`) ? undefined : admits(ctx('ref', `refs/tags/${PROBE}`)))],
  ];
  for (const [kind, probe] of candidates) {
    const example = probe();
    if (!example) continue;
    // Values that name another repository stay: they belong to whoever else shares the role.
    const others: string[] = [];
    for (const st of policy.statements) {
      if (!isAllow(st)) continue;
      for (const c of claimConditions(st, 'sub'))
        for (const v of c.values) {
          const info = analyzeSubjectPattern(v.value, isLikeOperator(c.baseOperator));
          const elsewhere = info.owner !== undefined && info.repo !== undefined && !(info.owner === identity.owner && info.repo === identity.repo);
          if (elsewhere && (info.scope === 'exact' || info.scope === 'partial-context' || info.scope === 'any-context') && !others.includes(v.value)) others.push(v.value);
        }
    }
    return { example, kind, needed, tightened: [...needed, ...others] };
  }
  return undefined;
}
