import { createRule } from '../engine/create-rule.js';
import type { Condition, Statement } from '../model/iam.js';
import {
  canonicalOperator,
  isAllow,
  isNegatedOperator,
  issuersOfStatement,
  knownText,
  mayConstrainClaim,
  parseConditionKey,
  sameIssuer,
  summaryOf,
  type AdmittedRegion,
  type GitHubIssuer,
} from '../model/claims.js';

/** Claims whose positive conditions name who may assume the role. */
const IDENTITY_CLAIMS = new Set(['sub', 'job_workflow_ref', 'repository', 'repository_id', 'repository_owner_id']);
/** What AWS's identity-provider control requires for GitHub (domain.md §C.4). */
const GUARDRAIL_CLAIMS = new Set(['sub', 'job_workflow_ref']);
const GUARDRAIL_OPERATORS = new Set(['StringEquals', 'StringLike', 'StringEqualsIgnoreCase']);

function claimOf(c: Condition): string | undefined {
  const t = knownText(c.key);
  return t === undefined ? undefined : parseConditionKey(t)?.claim;
}

export default createRule({
  id: 'require-subject-condition',
  meta: {
    kind: 'problem',
    appliesTo: ['trust-policy'],
    severity: 'critical',
    defaultLevel: 'error',
    docs: {
      description: 'A trust policy that lets a GitHub OIDC provider assume a role must restrict the token subject (`sub`, or `job_workflow_ref`).',
      rationale:
        'The GitHub OIDC provider is shared by every repository on github.com. Without a condition on `sub`, any workflow in any repository — including an attacker\'s — can request a token with the right audience and assume the role. Datadog found hundreds of such roles in the wild. A negated operator (`StringNotLike`) as the only subject condition admits every repository it does not name; a condition on a key the token never carries (a misspelled key, a key for another issuer) restricts nothing when its operator is negated, `…IfExists` or `ForAllValues:`. `job_workflow_ref` alone names the workflow that runs, not who runs it: a reusable workflow in a public repository can be called from any repository of any owner, so a statement restricted only by `job_workflow_ref` is reported too (high severity, medium confidence: the workflow repository\'s visibility is not in the files). Each Allow statement is judged on its own — a second, looser statement defeats a tight one — and a Deny statement that limits the subject counts. Since 2025 IAM also refuses to create or update such policies unless they evaluate `sub` or `job_workflow_ref`.',
      remediation:
        'Add a `StringEquals` (or `StringLike`) condition on `token.actions.githubusercontent.com:sub` naming your repository and the branch or environment that deploys, e.g. `repo:octo-org/octo-repo:environment:production`. With `job_workflow_ref`, keep a condition on the caller as GitHub recommends: `sub` `repo:octo-org/*` (or `repository_owner_id`).',
      references: [
        'https://docs.github.com/en/actions/reference/security/oidc',
        'https://securitylabs.datadoghq.com/articles/exploring-github-to-aws-keyless-authentication-flaws/',
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc_secure-by-default.html',
      ],
      recommended: true,
    },
    messages: {
      missing: 'Any GitHub repository can assume this role: the statement trusts {{issuer}} but has no condition on {{issuer}}:sub.',
      negatedOnly: 'Any GitHub repository can assume this role: the only subject condition is {{operator}}, which admits every repository it does not name.',
      absentKey: 'Any GitHub repository can assume this role: the only subject condition is on {{key}}, a key tokens from {{issuer}} never carry, and {{operator}} is true when the key is absent.',
      notRestricting: 'Any GitHub repository can assume this role: the subject condition ({{operator}}) does not restrict who can assume it.',
      workflowOnly:
        'The statement restricts only job_workflow_ref ("{{pattern}}"), not the caller: any repository whose job calls a matching reusable workflow can assume this role, of any owner when the workflow\'s repository is public. Add a condition on the caller: sub "repo:{{owner}}/*" (or your repositories), or repository_owner_id.',
      guardrail: 'The statement pins the repository through {{key}} but does not evaluate {{issuer}}:sub or :job_workflow_ref with StringEquals or StringLike; IAM refuses to create or update such a trust policy for the shared GitHub provider.',
    },
    schema: [],
  },
  create(context) {
    return {
      TrustPolicy(tp) {
        const summary = summaryOf(tp);
        for (const st of tp.statements) {
          if (!isAllow(st)) continue;
          for (const issuer of issuersOfStatement(st)) {
            if (issuer.kind === 'other') continue;
            const admission = summary.issuers.find((i) => sameIssuer(i.issuer.host, issuer.host));
            const regions = admission?.regions.filter((r) => r.statement === st) ?? [];
            if (!regions.length) continue;
            const open = regions.find(
              (r) => r.breadth === 'any-owner' && !r.sources.some((s) => IDENTITY_CLAIMS.has(claimOf(s.condition) ?? '') && !isNegatedOperator(canonicalOperator(s.condition.baseOperator))),
            );
            if (open) {
              report(st, issuer, open.uncertain);
              break;
            }
            const viaWorkflow = regions.find((r) => r.breadth === 'any-owner' && r.workflowOnly);
            if (viaWorkflow) {
              workflowOnly(st, viaWorkflow);
              break;
            }
            guardrail(st, issuer);
          }
        }
      },
    };

    function principalValue(st: Statement) {
      return (st.principals.find((p) => p.kind.toLowerCase() === 'federated') ?? st.principals[0])?.value;
    }

    function report(st: Statement, issuer: GitHubIssuer, uncertain: boolean) {
      // A condition we cannot read (`"Condition": ${conditions}`, a key from a variable) may be the subject check.
      if (st.conditions.some((c) => mayConstrainClaim(c, IDENTITY_CLAIMS))) return;
      const principal = principalValue(st);
      const confidence = principal?.resolution === 'unresolved' || uncertain ? 'medium' : 'high';
      const subjectConds = st.conditions.filter((c) => IDENTITY_CLAIMS.has(claimOf(c) ?? ''));
      if (!subjectConds.length) {
        context.report({ node: principal ?? st, messageId: 'missing', data: { issuer: issuer.host }, confidence });
        return;
      }
      const ours = (c: Condition) => {
        const k = parseConditionKey(c.key.value);
        return !!k?.github && sameIssuer(k.github.host, issuer.host);
      };
      const negated = subjectConds.find((c) => ours(c) && isNegatedOperator(canonicalOperator(c.baseOperator)));
      if (negated) {
        context.report({ node: negated.operator, messageId: 'negatedOnly', data: { operator: negated.operator.value }, confidence });
        return;
      }
      const absent = subjectConds.find((c) => !ours(c));
      if (absent) {
        context.report({ node: absent.key, messageId: 'absentKey', data: { key: absent.key.value, issuer: issuer.host, operator: absent.operator.value }, confidence });
        return;
      }
      const c = subjectConds[0];
      context.report({ node: c.operator, messageId: 'notRestricting', data: { operator: c.operator.value }, confidence });
    }

    /** Restricted by `job_workflow_ref` alone: any repository that can call the workflow gets in. */
    function workflowOnly(st: Statement, region: AdmittedRegion) {
      // The value that pins the workflow: a job_workflow_ref condition, or a sub in the
      // `job_workflow_ref:…` template (GitHub's customised subject).
      const positive = region.sources.filter((x) => !isNegatedOperator(canonicalOperator(x.condition.baseOperator)));
      const v = (positive.find((x) => claimOf(x.condition) === 'job_workflow_ref') ?? positive.find((x) => /(^|:)job_workflow_ref:/.test(x.value.value)) ?? positive[0])?.value;
      // The workflow's owner, when the pattern names one (`octo-org/deploy/...` or `octo-org/*`).
      const owner = v ? /(?:^|job_workflow_ref:)([A-Za-z0-9-]+)\//.exec(v.value)?.[1] : undefined;
      context.report({
        node: v ?? st,
        messageId: 'workflowOnly',
        data: { pattern: v?.value ?? '', owner: owner ?? '<your organisation>' },
        severity: 'high',
        // Whether other owners can call the workflow depends on its repository's visibility, which files do not tell.
        confidence: 'medium',
      });
    }

    function guardrail(st: Statement, issuer: GitHubIssuer) {
      const evaluates = st.conditions.some((c) => {
        const k = parseConditionKey(c.key.value);
        return !!k?.github && sameIssuer(k.github.host, issuer.host) && GUARDRAIL_CLAIMS.has(k.claim) && GUARDRAIL_OPERATORS.has(canonicalOperator(c.baseOperator));
      });
      if (evaluates) return;
      const pin = st.conditions.find((c) => IDENTITY_CLAIMS.has(claimOf(c) ?? '') && !isNegatedOperator(canonicalOperator(c.baseOperator)));
      if (!pin) return;
      context.report({ node: pin.key, messageId: 'guardrail', data: { key: pin.key.value, issuer: issuer.host }, severity: 'low', confidence: 'medium' });
    }
  },
});
