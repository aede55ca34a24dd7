import { createRule } from '../engine/create-rule.js';
import { claimConditions, coversWebIdentity, githubIssuerOfStatement, isAllow, isNegatedOperator, isRestrictingCondition } from '../model/claims.js';

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
        'The GitHub OIDC provider is shared by every repository on github.com. Without a condition on `sub`, any workflow in any repository — including an attacker\'s — can request a token with the right audience and assume the role. Datadog found hundreds of such roles in the wild. ForAllValues:, …IfExists and negated operators do not restrict: they are true when the key is absent or for every other repository.',
      remediation:
        'Add a `StringEquals` (or `StringLike`) condition on `token.actions.githubusercontent.com:sub` naming your repository and the branch or environment that deploys, e.g. `repo:octo-org/octo-repo:environment:production`.',
      references: [
        'https://docs.github.com/en/actions/reference/security/oidc',
        'https://securitylabs.datadoghq.com/articles/exploring-github-to-aws-keyless-authentication-flaws/',
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc_secure-by-default.html',
      ],
      recommended: true,
    },
    messages: {
      missing: 'Any GitHub repository can assume this role: the statement trusts {{issuer}} but has no condition on {{issuer}}:sub.',
      notRestricting: 'Any GitHub repository can assume this role: the only sub condition ({{operator}}) does not restrict who can assume it — {{reason}}.',
    },
    schema: [],
  },
  create(context) {
    return {
      Statement(st) {
        if (!isAllow(st) || !coversWebIdentity(st)) return;
        const issuer = githubIssuerOfStatement(st);
        if (!issuer) return;
        const subjectConds = [...claimConditions(st, 'sub'), ...claimConditions(st, 'job_workflow_ref')];
        if (subjectConds.some(isRestrictingCondition)) return;
        const principal = st.principals.find((p) => p.kind.toLowerCase() === 'federated') ?? st.principals[0];
        const confidence = principal?.value.resolution === 'unresolved' ? 'medium' : 'high';
        if (!subjectConds.length) {
          context.report({ node: principal?.value ?? st, messageId: 'missing', data: { issuer: issuer.host }, confidence });
          return;
        }
        const c = subjectConds[0];
        const reason = c.qualifier === 'ForAllValues'
          ? 'ForAllValues: is true when the key is absent'
          : c.ifExists
            ? '…IfExists is true when the key is absent'
            : isNegatedOperator(c.baseOperator)
              ? 'a negated operator admits every repository it does not name'
              : 'it has no values';
        context.report({ node: c.operator, messageId: 'notRestricting', data: { operator: c.operator.value, reason }, confidence });
      },
    };
  },
});
