import { createRule } from '../engine/create-rule.js';
import type { EffectivePermissions, Job } from '../model/workflow.js';

function why(p: EffectivePermissions): string {
  if (p.source === 'default') return 'no permissions block is declared, and the default grants no id-token';
  const where = p.source === 'job' ? 'the job-level permissions block' : 'the workflow-level permissions block';
  const block = p.block!;
  if (block.shorthand) return `${where} is ${block.shorthand.value}, which does not include id-token: write`;
  const e = block.scopes.get('id-token');
  if (!e) {
    return p.source === 'job'
      ? `${where} replaces the workflow-level one and does not list id-token`
      : `${where} does not list id-token (unlisted permissions are none)`;
  }
  if (e.value.value === 'read') return `${where} sets id-token: read, which is not a valid level (only write or none) and grants no token`;
  return `${where} sets id-token: ${e.value.value}`;
}

export default createRule({
  id: 'require-id-token-permission',
  meta: {
    kind: 'problem',
    appliesTo: ['workflow'],
    severity: 'high',
    defaultLevel: 'error',
    docs: {
      description: 'A job that assumes an AWS role through GitHub OIDC must be granted `id-token: write`.',
      rationale:
        'Without `id-token: write` the runner does not expose ACTIONS_ID_TOKEN_REQUEST_URL, and configure-aws-credentials fails with "Could not load credentials from any providers". A job-level permissions block replaces the workflow-level one, so adding `permissions: contents: read` to a job silently removes a workflow-level id-token grant.',
      remediation:
        'Add `id-token: write` to the permissions of the job that assumes the role (and `contents: read` if it checks out code). Prefer the job level over the workflow level so other jobs cannot mint tokens.',
      references: [
        'https://docs.github.com/en/actions/reference/security/oidc',
        'https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#permissions',
        'https://github.com/aws-actions/configure-aws-credentials#oidc',
      ],
      recommended: true,
    },
    messages: {
      missing: 'Job "{{job}}" requests a GitHub OIDC token ({{via}}) but cannot get one: {{why}}.',
      declareHere: 'Permissions that apply to this job: add id-token: write here.',
      declareJob: 'No permissions block: declare one on this job with id-token: write.',
    },
    schema: [],
  },
  create(context) {
    const VIA: Record<string, string> = {
      'configure-aws-credentials': 'configure-aws-credentials with role-to-assume',
      'id-token-request': 'ACTIONS_ID_TOKEN_REQUEST_*',
      'sts-cli': 'aws sts assume-role-with-web-identity',
      'web-identity-env': 'AWS_WEB_IDENTITY_TOKEN_FILE',
    };
    const reported = new Set<Job>();
    return {
      RoleAssumption(ra) {
        const job = ra.job;
        const eff = job.effectivePermissions;
        if (eff.idToken === 'write' || eff.idToken === 'unknown' || reported.has(job)) return;
        // In a reusable workflow without any permissions block, the caller's permissions apply: judged at the caller.
        if (job.parent.reusable && eff.source === 'default') return;
        reported.add(job);
        const declLoc = eff.block?.keyLoc ?? job.loc;
        context.report({
          node: ra.step.uses ? ra.step.uses : ra,
          messageId: 'missing',
          data: { job: job.id.value, via: VIA[ra.via], why: why(eff) },
          related: [{ loc: declLoc, message: context.message(eff.block ? 'declareHere' : 'declareJob') }],
        });
      },
    };
  },
});
