import { createRule } from '../engine/create-rule.js';
import type { Value } from '../model/location.js';
import { canonicalOperator, isNegatedOperator, parseConditionKey } from '../model/claims.js';
import { gcpMemberScope, gcpPoolName, resolveGcpRef, type GcpTrust } from '../model/claims/gcp.js';

/** Claims that name the owner or the repository by name: a name can be given up and registered again. */
const NAME_CLAIMS = new Set(['repository_owner', 'repository', 'sub', 'job_workflow_ref', 'workflow_ref']);
/** Claims that carry GitHub's numeric ids, which are never reused. */
const ID_CLAIMS = new Set(['repository_owner_id', 'repository_id']);

export default createRule({
  id: 'prefer-immutable-ids',
  meta: {
    kind: 'hardening',
    appliesTo: ['trust-policy'],
    clouds: ['gcp'],
    severity: 'low',
    defaultLevel: 'warn',
    docs: {
      description: 'A Google Cloud workload identity federation trust should pin the GitHub owner and repository by their numeric ids (`repository_owner_id`, `repository_id`), not by name.',
      rationale:
        'GitHub names can be given up: when an organisation or repository is renamed or deleted, anyone can register the old name and their workflows then carry `repository_owner` / `repository` claims that match a condition or an IAM grant written with the name. The numeric `repository_owner_id` and `repository_id` claims are never reused. Google and the google-github-actions/auth documentation recommend them for attribute conditions and for `principalSet://…/attribute.repository_id/ID` grants. Reported: a provider whose `attribute_condition` pins the owner only by name, and a grant to `…/attribute.<name>/OWNER/REPO` whose attribute maps a name claim while the provider pins no id.',
      remediation:
        'Test `assertion.repository_owner_id == \'<id>\'` (and `assertion.repository_id` where one repository deploys) in the provider\'s `attribute_condition`; map `attribute.repository_id = assertion.repository_id` and grant `principalSet://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/POOL/attribute.repository_id/<id>`. The ids are shown by `curl https://api.github.com/repos/OWNER/REPO` (`id`, `owner.id`).',
      references: [
        'https://github.com/google-github-actions/auth/blob/main/docs/SECURITY_CONSIDERATIONS.md#use-githubs-numeric-immutable-values',
        'https://cloud.google.com/iam/docs/workload-identity-federation-with-deployment-pipelines#conditions',
      ],
      recommended: true,
    },
    messages: {
      conditionByName: 'The attribute condition of {{provider}} pins the GitHub owner only by name ({{claim}} "{{value}}"): whoever registers that name after a rename or deletion gets in. Pin assertion.repository_owner_id (and repository_id) instead.',
      grantByName: '{{member}} grants by repository name ({{attribute}} = assertion.{{claim}}) and provider {{provider}} pins no numeric id: whoever registers that name after a rename or deletion gets in. Grant …/attribute.repository_id/<id> instead.',
    },
    schema: [],
  },
  create(context) {
    const seen = new Set<Value<string>>();
    return {
      Trust(t) {
        if (t.cloud !== 'gcp') return;
        const g = t as GcpTrust;
        const regions = g.admits().issuers[0]?.regions ?? [];
        // Open trusts are require-subject-condition's; unread ones are not judged.
        if (!regions.length || regions.some((r) => r.breadth === 'any-owner' || r.opaque.length)) return;
        const claimOf = (key: string) => parseConditionKey(key)?.claim;
        const positive = (r: (typeof regions)[number]) => r.sources.filter((s) => !isNegatedOperator(canonicalOperator(s.condition.baseOperator)));
        const pinsId = (r: (typeof regions)[number]) => positive(r).some((s) => ID_CLAIMS.has(claimOf(s.condition.key.value) ?? ''));
        if (!g.grant) {
          const byName = regions.find((r) => !pinsId(r));
          const src = byName && positive(byName).find((s) => NAME_CLAIMS.has(claimOf(s.condition.key.value) ?? ''));
          if (!src) return;
          context.report({ node: src.value, messageId: 'conditionByName', data: { provider: g.provider.origin.logicalId, claim: claimOf(src.condition.key.value) ?? '', value: src.value.value } });
          return;
        }
        if (regions.every(pinsId)) return;
        for (const m of g.members ?? []) {
          const s = gcpMemberScope(m.value);
          if (s.kind !== 'attribute' || seen.has(m.value)) continue;
          const ref = resolveGcpRef('attribute', s.attribute, g.provider.attributeMapping);
          if (!ref.claim || (ref.claim !== 'repository' && ref.claim !== 'repository_owner')) continue;
          seen.add(m.value);
          context.report({ node: m.value, messageId: 'grantByName', data: { member: m.value.value, attribute: `attribute.${s.attribute}`, claim: ref.claim, provider: g.provider.origin.logicalId, pool: gcpPoolName(g.provider) } });
        }
      },
    };
  },
});
