/**
 * The trust interface: what every cloud's trust of GitHub tokens answers, whatever language it is
 * written in (an IAM role's trust policy, a Google Cloud workload identity pool provider and the
 * IAM bindings on a service account, an Azure federated identity credential).
 *
 * A trust is an issuer + conditions on the token's claims + a verdict. It answers two questions:
 *
 * - `decide(token)` — is this token admitted? Three-valued (`'unknown'` when the trust or the
 *   token depends on something the sources do not tell), with the reasons and where the deciding
 *   restrictions are written;
 * - `admits()` — what does this trust admit? Per issuer, the admitted regions (./regions.ts): any
 *   owner, which owners and repositories, which contexts, which audiences, whether it depends on
 *   unresolved values. Rules about trust (a missing subject restriction, wildcard subjects,
 *   audiences, unknown claims) read this summary, so a new cloud gets them without copying.
 *
 * The common form underneath is the claim-condition model of ../iam.ts: Allow/Deny statements whose
 * conditions test GitHub claims (`token.actions.githubusercontent.com:<claim>`) with string
 * operators (equals, glob, their negations), every value with its source position. AWS trust
 * policies are written in it directly (`awsTrust`). Another cloud's module compiles its language
 * into it — a Google Cloud attribute condition `assertion.repository_owner == 'octo-org'` is a
 * `StringEquals` condition on `repository_owner` located at that comparison; a disjunction is one
 * statement per alternative; what the module cannot read is an unresolved value, never a guess —
 * and gets the evaluator and the symbolic summary by calling `compiledTrust`.
 */
import type { TrustPolicy } from '../iam.js';
import type { SourceLocation } from '../location.js';
import { evaluateTrustPolicy, summarizeTrustPolicy, summaryOf, type EvaluationOptions } from './aws-iam.js';
import { GITHUB_CLAIMS, type TokenClaims } from './github.js';
import type { TrustSummary } from './regions.js';
import type { Tri } from './values.js';

export type Cloud = 'aws' | 'gcp' | 'azure';

export interface TrustVerdict {
  /** Is the token admitted? */
  admitted: Tri;
  /** The cloud's decision code (AWS: `allowed`, `explicit-deny`, `conditions-not-met`, …). */
  code: string;
  /** Why, in English, for logs, `explain` and JSON output (rules word their own messages). */
  reasons: string[];
  /** Where the restrictions that refused the token (or could not be decided) are written. */
  failing: SourceLocation[];
}

export interface Trust {
  readonly cloud: Cloud;
  /** What the trust lets a token act as: a role ARN or name, a service account, a managed identity. */
  readonly name: string | undefined;
  /** Where the trust is written. */
  readonly loc: SourceLocation;
  /** The trust in the common claim-condition form (for AWS, the trust policy itself). */
  readonly policy: TrustPolicy;
  /** Is this token admitted? */
  decide(token: TokenClaims): TrustVerdict;
  /** What does this trust admit? Computed once. */
  admits(): TrustSummary;
}

/** An IAM role's trust policy as a trust (the summary is the one rules share, `summaryOf`). */
export function awsTrust(policy: TrustPolicy, options: EvaluationOptions = {}): Trust {
  const name = policy.parent.arn?.value ?? policy.parent.name?.value;
  return compiledTrust('aws', name, policy.loc, policy, options, () => summaryOf(policy));
}

/** Options for a cloud that evaluates every claim of the token (unlike AWS, which reads a fixed list). */
export const EVERY_CLAIM_EVALUATED: EvaluationOptions = { evaluatedClaims: Object.keys(GITHUB_CLAIMS) };

/**
 * A trust written in the common form by a cloud's module: the evaluator decides, the symbolic
 * summary says what it admits (computed on first use).
 */
export function compiledTrust(cloud: Cloud, name: string | undefined, loc: SourceLocation, policy: TrustPolicy, options: EvaluationOptions, summarize?: () => TrustSummary): Trust {
  let summary: TrustSummary | undefined;
  return {
    cloud,
    name,
    loc,
    policy,
    decide(token) {
      const d = evaluateTrustPolicy(policy, token, options);
      return { admitted: d.admitted, code: d.code, reasons: [d.reason], failing: (d.failing ?? []).map((c) => c.loc) };
    },
    admits() {
      summary ??= summarize ? summarize() : summarizeTrustPolicy(policy, { placeholdersAsNames: true, ...options });
      return summary;
    },
  };
}
