import { createRule } from '../engine/create-rule.js';
import { overbroad, roleLabel } from '../model/crosscheck.js';
import { claimConditions, isAllow } from '../model/claims.js';
import type { Role } from '../model/iam.js';

/** Where to point: the first `sub` value of an Allow statement, else its Federated principal. */
function anchor(role: Role) {
  for (const st of role.trustPolicy?.statements ?? []) {
    if (!isAllow(st)) continue;
    const sub = claimConditions(st, 'sub')[0];
    if (sub?.values[0]) return sub.values[0];
    const p = st.principals.find((x) => x.kind.toLowerCase() === 'federated');
    if (p) return p.value;
  }
  return role;
}

export default createRule({
  id: 'no-overbroad-trust',
  meta: {
    kind: 'hardening',
    appliesTo: ['project'],
    severity: 'medium',
    defaultLevel: 'warn',
    docs: {
      description: 'A role should admit only the subjects the jobs that use it present: not every branch, pull request or environment when only one deploys.',
      rationale:
        'A trust policy written as `repo:org/repo:*` lets any branch any contributor pushes — and every pull request from the repository — assume a role that only the `production` environment job needs. oidc-lint knows which jobs of the repository use the role and what they present, so it can say exactly how far the policy can be tightened without breaking them.',
      remediation: 'Replace the `sub` patterns with the list oidc-lint prints (the subjects the jobs present), keeping entries for other repositories that legitimately share the role.',
      references: [
        'https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims',
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html',
      ],
      recommended: true,
    },
    messages: {
      overbroad: 'Role {{role}} admits {{example}} ({{what}}), but the jobs here that use it only present: {{needed}}.',
      usedBy: 'Used by job "{{job}}".',
      'other-owner': 'a repository of another owner',
      'other-repo': 'another repository of the owner',
      'pull-request': 'pull requests',
      environment: 'any environment',
      branch: 'any branch',
      tag: 'any tag',
      suggestion: 'Tighten the sub condition to: {{tightened}}',
    },
    schema: [],
  },
  create(context) {
    return {
      'Project:exit'(project) {
        for (const [role, links] of project.links.byRole) {
          const found = overbroad(project, role, links);
          if (!found) continue;
          const needed = found.needed.join(', ');
          const tightened = found.tightened.join(', ');
          context.report({
            node: anchor(role),
            messageId: 'overbroad',
            data: { role: roleLabel(role), example: found.example, what: context.message(found.kind), needed },
            severity: found.kind === 'other-owner' ? 'critical' : found.kind === 'other-repo' ? 'high' : 'medium',
            confidence: project.identity?.source === 'config' ? 'high' : 'medium',
            related: links.slice(0, 5).map((l) => ({ loc: l.assumption.roleArn?.loc ?? l.assumption.loc, message: context.message('usedBy', { job: l.assumption.job.id.value }) })),
            suggestions: [{ description: context.message('suggestion', { tightened }), text: JSON.stringify(found.tightened) }],
          });
        }
      },
    };
  },
});
