import { createRule } from '../engine/create-rule.js';
import { neededSubjects, overbroad, roleLabel } from '../model/crosscheck.js';
import { canonicalOperator, claimConditions, isAllow, isLikeOperator, parseConditionKey, subjectAnyRef, summaryOf } from '../model/claims.js';
import type { Role } from '../model/iam.js';
import type { Value } from '../model/location.js';

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

/**
 * `sub` values that pin the repository but admit any branch or tag (`repo:o/r:ref:refs/heads/*`),
 * in regions nothing else narrows (a reusable workflow, a `ref` or `environment` condition).
 */
interface AnyRef {
  value: Value<string>;
  what: 'branch' | 'tag' | 'ref';
  repository: string;
  uncertain: boolean;
}

function anyRefValues(role: Role): AnyRef[] {
  const out: AnyRef[] = [];
  if (!role.trustPolicy) return out;
  for (const issuer of summaryOf(role.trustPolicy).issuers)
    for (const region of issuer.regions) {
      if (region.breadth !== 'narrow' || region.anchoredByWorkflow || ['ref', 'environment', 'workflow'].some((c) => region.claims.get(c)?.constrained)) continue;
      for (const src of region.sources) {
        if (parseConditionKey(src.condition.key.value)?.claim !== 'sub' || out.some((o) => o.value === src.value)) continue;
        const any = subjectAnyRef(src.value.value, isLikeOperator(canonicalOperator(src.condition.baseOperator)), src.value.parts);
        if (any) out.push({ value: src.value, what: any.ref, repository: any.repository, uncertain: region.uncertain || src.value.resolution === 'unresolved' });
      }
    }
  return out;
}

export default createRule({
  id: 'no-overbroad-trust',
  meta: {
    kind: 'hardening',
    appliesTo: ['project'],
    severity: 'medium',
    defaultLevel: 'warn',
    docs: {
      description: 'A role should admit only the subjects the jobs that use it present: not every branch, pull request or environment when only one deploys, and not any branch or tag (`ref:refs/heads/*`) at all.',
      rationale:
        'A trust policy written as `repo:org/repo:*` lets any branch any contributor pushes — and every pull request from the repository — assume a role that only the `production` environment job needs. oidc-lint knows which jobs of the repository use the role and what they present, so it can say exactly how far the policy can be tightened without breaking them. `repo:org/repo:ref:refs/heads/*` (or `ref:refs/tags/*`, `ref:refs/*`) is reported even when no job here uses the role: anyone who can push a branch or a tag can run a workflow with it. When the jobs that use the role are known, the finding says whether they need that much.',
      remediation:
        'Replace the `sub` patterns with the list oidc-lint prints (the subjects the jobs present), keeping entries for other repositories that legitimately share the role. For any branch or tag: name the branch that deploys (`ref:refs/heads/main`), or deploy from an environment with required reviewers (`environment:production`).',
      references: [
        'https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims',
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html',
        'https://docs.github.com/en/actions/how-tos/deploy/configure-and-manage-deployments/manage-environments#required-reviewers',
      ],
      recommended: true,
    },
    messages: {
      overbroad: 'Role {{role}} admits {{example}} ({{what}}), but the jobs here that use it only present: {{needed}}.',
      anyRef: 'Any {{ref}} of {{repository}} can assume this role (sub pattern "{{pattern}}"): anyone who can push a {{ref}} there can run a workflow with it. Name the branch that deploys (ref:refs/heads/main), or deploy from an environment with required reviewers.',
      anyRefNeeded:
        'Any {{ref}} of {{repository}} can assume this role (sub pattern "{{pattern}}"), and the jobs here that use it need that much: they present {{needed}}. Anyone who can push a {{ref}} there can run a workflow with it: limit the jobs\' triggers to what deploys and name it in the policy, or deploy from an environment with required reviewers.',
      anyRefWhen:
        'When {{when}}, any {{ref}} of {{repository}} can assume this role (sub pattern "{{pattern}}"): anyone who can push a {{ref}} there can run a workflow with it. Name the branch that deploys (ref:refs/heads/main), or deploy from an environment with required reviewers.',
      usedBy: 'Used by job "{{job}}".',
      'other-owner': 'a repository of another owner',
      'other-repo': 'another repository of the owner',
      'pull-request': 'pull requests',
      environment: 'any environment',
      branch: 'any branch',
      tag: 'any tag',
      ref: 'branch or tag',
      suggestion: 'Tighten the sub condition to: {{tightened}}',
    },
    schema: [],
  },
  create(context) {
    return {
      'Project:exit'(project) {
        for (const role of project.roles) {
          const links = project.links.byRole.get(role) ?? [];
          const found = links.length ? overbroad(project, role, links) : undefined;
          if (found) {
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
            continue;
          }
          // Any branch or tag (issue 16 item 6): said with what the jobs here need, when that is known.
          const known = links.length ? neededSubjects(project, role, links) : undefined;
          for (const { value, what, repository, uncertain } of anyRefValues(role)) {
            const ref = what === 'ref' ? context.message('ref') : what;
            const related = links.slice(0, 5).map((l) => ({ loc: l.assumption.roleArn?.loc ?? l.assumption.loc, message: context.message('usedBy', { job: l.assumption.job.id.value }) }));
            // A possible value (a template branch, a lookup() default) says under which input it is used.
            if (value.when && !value.when.isDefault) context.report({ node: value, messageId: 'anyRefWhen', data: { ref, repository, pattern: value.value, when: value.when.text }, severity: 'low', confidence: 'medium', related });
            else if (known) context.report({ node: value, messageId: 'anyRefNeeded', data: { ref, repository, pattern: value.value, needed: known.needed.join(', ') }, severity: 'low', confidence: uncertain ? 'medium' : 'high', related });
            else context.report({ node: value, messageId: 'anyRef', data: { ref, repository, pattern: value.value }, severity: 'low', confidence: uncertain ? 'medium' : 'high', related });
          }
        }
      },
    };
  },
});
