import { createRule } from '../engine/create-rule.js';
import { analyzeSubjectPattern, isAllow, isLikeOperator, isNegatedOperator, parseConditionKey } from '../model/claims.js';

export default createRule({
  id: 'no-wildcard-subject',
  meta: {
    kind: 'problem',
    appliesTo: ['trust-policy'],
    severity: 'critical',
    defaultLevel: 'error',
    docs: {
      description: 'A `sub` condition must not use wildcards that admit any owner, any repository of an owner, or every context of a repository.',
      rationale:
        'IAM `StringLike` wildcards cross `/` and `:`. `repo:*` or `*` lets any GitHub account assume the role; `repo:org/*` lets every repository of the organisation (and anyone who can create one) assume it; `repo:org/repo:*` lets every branch, pull request and environment of the repository do so — including branches any contributor can push.',
      remediation:
        'Name the exact repository and context: `repo:org/repo:ref:refs/heads/main` for a branch, `repo:org/repo:environment:production` for an environment (protect it with required reviewers). List several exact values rather than one wildcard.',
      references: [
        'https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims',
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String',
      ],
      recommended: true,
    },
    messages: {
      anyOwner: 'Any GitHub repository of any owner can assume this role: sub pattern "{{pattern}}" has a wildcard before the owner name.',
      anyRepo: 'Every repository of "{{owner}}" can assume this role: sub pattern "{{pattern}}" has a wildcard in the repository name.',
      anyContext: 'Every branch, tag, pull request and environment of {{owner}}/{{repo}} can assume this role: sub pattern "{{pattern}}".',
    },
    schema: [],
  },
  create(context) {
    return {
      Condition(c) {
        if (!isAllow(c.parent) || isNegatedOperator(c.baseOperator)) return;
        const key = parseConditionKey(c.key.value);
        if (!key?.github || key.claim !== 'sub') return;
        const like = isLikeOperator(c.baseOperator);
        for (const v of c.values) {
          const info = analyzeSubjectPattern(v.value, like, v.resolution === 'unresolved' ? v.parts : undefined);
          const confidence = v.resolution === 'unresolved' ? 'medium' : 'high';
          const data = { pattern: v.value, owner: info.owner ?? '', repo: info.repo ?? '' };
          if (info.scope === 'any-owner') context.report({ node: v, messageId: 'anyOwner', data, severity: 'critical', confidence });
          else if (info.scope === 'any-repo') context.report({ node: v, messageId: 'anyRepo', data, severity: 'high', confidence });
          else if (info.scope === 'any-context') context.report({ node: v, messageId: 'anyContext', data, severity: 'low', confidence });
        }
      },
    };
  },
});
