import { createRule } from '../engine/create-rule.js';
import { knownText } from '../model/claims.js';
import { plainAssertionClaim, type GcpTrust } from '../model/claims/gcp.js';

/** What a claim is shared by, for the message; `sub` (repository and context) is what Google and GitHub document. */
const SHARED_BY: Record<string, string> = {
  repository_owner: 'every repository of the owner',
  repository_owner_id: 'every repository of the owner',
  repository: 'every branch, pull request and environment of the repository',
  repository_id: 'every branch, pull request and environment of the repository',
  actor: 'every repository the actor runs workflows in',
  actor_id: 'every repository the actor runs workflows in',
  workflow: 'every repository with a workflow of that name',
  ref: 'every repository with a branch or tag of that name',
  environment: 'every repository with an environment of that name',
  event_name: 'every repository',
  ref_type: 'every repository',
  repository_visibility: 'every repository',
  runner_environment: 'every repository',
  aud: 'every repository',
  iss: 'every repository',
  job_workflow_ref: 'every repository that calls the reusable workflow',
  workflow_ref: 'every run of the workflow file',
};

export default createRule({
  id: 'require-unique-subject-mapping',
  meta: {
    kind: 'problem',
    appliesTo: ['trust-policy'],
    clouds: ['gcp'],
    severity: 'medium',
    defaultLevel: 'warn',
    docs: {
      description: 'A Google Cloud workload identity pool provider for GitHub should map `google.subject` from the token\'s `sub` claim, which names the repository and the context, not from a claim many repositories or runs share.',
      rationale:
        '`google.subject` is the principal Google authenticates: a grant to `principal://iam.googleapis.com/…/workloadIdentityPools/POOL/subject/VALUE` lets in every token whose mapped subject is VALUE, and it is the identity Cloud Logging records. Mapped from `assertion.repository_owner`, `assertion.repository`, `assertion.actor` or another shared claim, one subject stands for every repository of an owner, every branch of a repository or every repository an actor works in — a grant written for "one identity" admits all of them, and the audit log cannot tell them apart. GitHub\'s `sub` (`repo:OWNER/REPO:ref:…`, `…:environment:…`) is the claim meant for this; a computed mapping (`assertion.sub + \'::\' + assertion.aud`) is not judged.',
      remediation: 'Map `"google.subject" = "assertion.sub"`, and grant by attribute (`principalSet://…/attribute.repository_id/<id>`) when several runs should share access.',
      references: [
        'https://pub.dev/documentation/googleapis/latest/iam_v1/WorkloadIdentityPoolProvider/attributeMapping.html',
        'https://cloud.google.com/iam/docs/workload-identity-federation-with-deployment-pipelines',
        'https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims',
      ],
      recommended: true,
    },
    messages: {
      shared: 'google.subject is mapped from assertion.{{claim}}, which {{sharedBy}} shares: a grant to principal://…/subject/<value> admits all of them, and Cloud Logging cannot tell them apart. Map google.subject from assertion.sub.',
    },
    schema: [],
  },
  create(context) {
    return {
      Trust(t) {
        // One finding per provider: on the provider's own trust, not on each grant joined with it.
        if (t.cloud !== 'gcp' || (t as GcpTrust).grant) return;
        const entry = (t as GcpTrust).provider.attributeMapping?.find((m) => m.key.value.trim() === 'google.subject');
        const text = entry ? knownText(entry.value) : undefined;
        const claim = text === undefined ? undefined : plainAssertionClaim(text);
        if (!entry || !claim || !Object.hasOwn(SHARED_BY, claim)) return;
        context.report({ node: entry.value, messageId: 'shared', data: { claim, sharedBy: SHARED_BY[claim] } });
      },
    };
  },
});
