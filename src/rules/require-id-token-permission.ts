import { createRule } from '../engine/create-rule.js';
import type { Fix, RuleContext } from '../engine/rule.js';
import { WorkflowEditor } from '../engine/workflow-edits.js';
import type { CloudLogin, EffectivePermissions, Job, RoleAssumption } from '../model/workflow.js';
import { graphOf, type CallerGrant } from '../model/graph.js';
import { TokenRequesters } from '../model/token-requests.js';
import { computeEffectivePermissions } from '../loaders/workflows/workflow.js';

function why(p: EffectivePermissions, workflowBlock: boolean): string {
  if (p.source === 'default') return 'no permissions block is declared, and the default grants no id-token';
  const where = p.source === 'job' ? 'the job-level permissions block' : 'the workflow-level permissions block';
  const block = p.block!;
  if (block.shorthand) return `${where} is ${block.shorthand.value}, which does not include id-token: write`;
  const e = block.scopes.get('id-token');
  if (!e) {
    return p.source === 'job'
      ? workflowBlock
        ? `${where} replaces the workflow-level one and does not list id-token`
        : `${where} does not list id-token (unlisted permissions are none)`
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
    clouds: ['aws', 'gcp', 'azure'],
    severity: 'high',
    defaultLevel: 'error',
    docs: {
      description: 'A job that assumes an AWS role, or logs in to Google Cloud or Azure, through GitHub OIDC must be granted `id-token: write`.',
      rationale:
        'Clouds: AWS (configure-aws-credentials with role-to-assume, raw token requests), Google Cloud (google-github-actions/auth with workload_identity_provider), Azure (azure/login with client-id and no managed identity; a `creds` secret is ignored when client-id is given). Without `id-token: write` the runner does not expose ACTIONS_ID_TOKEN_REQUEST_URL: configure-aws-credentials fails with "Could not load credentials from any providers", google-github-actions/auth and azure/login fail to fetch the token. A job-level permissions block replaces the workflow-level one, so adding `permissions: contents: read` to a job silently removes a workflow-level id-token grant.',
      remediation:
        'Add `id-token: write` to the permissions of the job that assumes the role or logs in (and `contents: read` if it checks out code). Prefer the job level over the workflow level so other jobs cannot mint tokens.',
      references: [
        'https://docs.github.com/en/actions/reference/security/oidc',
        'https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#permissions',
        'https://github.com/aws-actions/configure-aws-credentials#oidc',
        'https://github.com/google-github-actions/auth#inputs-workload-identity-federation',
        'https://github.com/Azure/login#login-with-openid-connect-oidc-recommended',
      ],
      recommended: true,
    },
    messages: {
      missing: 'Job "{{job}}" requests a GitHub OIDC token ({{via}}) but cannot get one: {{why}}.',
      callerMissing: 'Job "{{job}}" calls {{workflow}}, whose job "{{callee}}" needs id-token: write, but the caller does not grant it ({{why}}): GitHub rejects the run ("The nested job … is only allowed id-token: none") or the callee cannot get a token.',
      callerDefaultUnknown:
        "Job \"{{job}}\" calls {{workflow}}, whose job \"{{callee}}\" asks for id-token: write, but the caller declares no permissions, so what GitHub allows depends on the organisation's default workflow permissions, which no file shows: under the restricted default (the default for organisations created since 2023) GitHub refuses the run (\"… is requesting 'id-token: write', but is only allowed 'id-token: none'\"); under the permissive one it runs. Grant id-token: write to this job explicitly, or set repository.defaultPermissions in the oidc-lint config.",
      callerRemote: 'Job "{{job}}" calls {{workflow}}, which requests a GitHub OIDC token ({{label}}), but the caller does not grant id-token: write ({{why}}).',
      restrictedDefault: "no permissions block is declared, and the repository's default workflow permissions are restricted (repository.defaultPermissions in the oidc-lint config), which allow no id-token",
      noBlockOutside: 'no permissions block is declared; a reusable workflow outside the repository owner gets a token only when the caller grants id-token: write explicitly',
      calleeNeeds: 'The called job needs id-token: write here.',
      declareHere: 'Permissions that apply to this job: add id-token: write here.',
      insideAction: 'The token is requested here, inside the composite action {{action}} that the step runs.',
      declareJob: 'No permissions block: declare one on this job with id-token: write.',
      fixInBlock: 'Grant id-token: write in the permissions of job "{{job}}".',
      fixCopyWorkflow: 'Give job "{{job}}" its own permissions block: the workflow-level scopes ({{scopes}}) plus id-token: write (a job-level block replaces the workflow-level one).',
      fixDefault: 'Give job "{{job}}" a permissions block with contents: read and id-token: write. A job-level block sets every permission it does not list to none; contents: read keeps what the default token allowed for checkout — add any other scope the job writes with.',
      suggestReadAll: 'read-all cannot be extended with id-token: write: replace it with the scopes job "{{job}}" needs (e.g. contents: read) plus id-token: write.',
    },
    schema: [],
    fixable: 'code',
  },
  create(context) {
    const VIA: Record<string, string> = {
      'configure-aws-credentials': 'configure-aws-credentials with role-to-assume',
      'id-token-request': 'ACTIONS_ID_TOKEN_REQUEST_*',
      'sts-cli': 'aws sts assume-role-with-web-identity',
      'web-identity-env': 'AWS_WEB_IDENTITY_TOKEN_FILE',
    };
    const CLOUD_VIA: Record<CloudLogin['cloud'], string> = {
      gcp: 'google-github-actions/auth with workload_identity_provider',
      azure: 'azure/login with client-id',
    };
    const reported = new Set<Job>();
    const requesters = new TokenRequesters(context.settings.tokenRequests);
    const whyOf = (j: Job) => why(j.effectivePermissions, !!j.parent.permissions);

    /** A reusable workflow of another repository that the requester data says requests a token. */
    function checkRemoteCallee(job: Job, grant: CallerGrant, declare: { loc: Job['loc']; message: string }) {
      const m = /^([^/@\s]+)\/([^/@\s]+)\/([^@]+)@/.exec(job.uses!.value.trim());
      if (!m) return;
      const match = requesters.forUses(`${m[1]}/${m[2]}/${m[3]}`, job.with);
      if (match?.verdict !== 'yes') return;
      const owner = context.settings.repository?.owner ?? context.project.identity?.owner;
      // Outside the owner, only an explicit grant lets the called workflow mint a token (GitHub changelog 2023-06-15).
      const outside = !owner || owner.toLowerCase() !== m[1].toLowerCase();
      // Within the owner, a caller without permissions gets what the organisation default allows: cannot tell unless configured.
      if (grant.idToken === 'default' && !outside && context.settings.repository?.defaultPermissions !== 'restricted') return;
      const why = grant.idToken === 'default' ? (outside ? context.message('noBlockOutside') : context.message('restrictedDefault')) : whyOf(grant.via[0]);
      context.report({ node: job.uses!, messageId: 'callerRemote', data: { job: job.id.value, workflow: job.uses!.value, label: match.requester.label, why }, related: [declare] });
    }

    /** Reports a job that requests a token (an AWS role assumption or a Google Cloud / Azure login) without id-token: write, once per job. */
    function missing(ra: RoleAssumption | CloudLogin, via: string) {
      const job = ra.job;
      const eff = job.effectivePermissions;
      if (eff.idToken === 'write' || eff.idToken === 'unknown' || reported.has(job)) return;
      // In a reusable workflow without any permissions block, the caller's permissions apply: judged at the caller.
      if (job.parent.reusable && eff.source === 'default') return;
      reported.add(job);
      const declLoc = eff.block?.keyLoc ?? job.loc;
      const readAll = eff.block?.shorthand?.value === 'read-all';
      const related = [{ loc: declLoc, message: context.message(eff.block ? 'declareHere' : 'declareJob') }];
      const inner = ra.inner?.[ra.inner.length - 1];
      if (inner) related.push({ loc: inner.uses?.loc ?? inner.run?.loc ?? inner.loc, message: context.message('insideAction', { action: ra.step.uses?.value ?? '' }) });
      context.report({
        node: ra.step.uses ? ra.step.uses : ra,
        messageId: 'missing',
        data: { job: job.id.value, via, why: why(eff, !!job.parent.permissions) },
        related,
        fix: fixFor(context, job),
        suggestions: readAll ? [{ description: context.message('suggestReadAll', { job: job.id.value }) }] : undefined,
      });
    }

    return {
      Job(job) {
        // A caller must grant what the called jobs need (domain.md §A.7), as GitHub computes it along the call.
        if (!job.uses) return;
        const graph = graphOf(context.project);
        const grants = graph.callerGrants(job);
        // The path that decides: an explicit block without id-token first, then the organisation default.
        const explicit = grants.find((g) => g.idToken === 'none' || g.idToken === 'read');
        const byDefault = grants.find((g) => g.idToken === 'default');
        const grant = explicit ?? byDefault;
        if (!grant) return;
        const decider = grant.via[0];
        const declare = { loc: grant.block?.keyLoc ?? decider.loc, message: context.message(grant.block ? 'declareHere' : 'declareJob') };
        const callee = graph.calleeOf(job);
        if (!callee) {
          checkRemoteCallee(job, grant, declare);
          return;
        }
        for (const cj of callee.jobs) {
          const own = cj.permissions ?? callee.permissions;
          const requests = computeEffectivePermissions(cj.permissions, callee.permissions).idToken === 'write';
          const inherits = !own && (cj.roleAssumptions.length > 0 || cj.cloudLogins.length > 0);
          if (!requests && !inherits) continue;
          const where = own?.scopes.get('id-token')?.key.loc ?? own?.keyLoc ?? cj.roleAssumptions[0]?.loc ?? cj.cloudLogins[0]?.loc ?? cj.loc;
          const related = [{ loc: where, message: context.message('calleeNeeds') }, declare];
          const data = { job: job.id.value, workflow: callee.file, callee: cj.id.value };
          // The called job asks for the grant itself and the caller declares nothing: the outcome is the
          // organisation's default, which no file shows (a job that inherits gets no id-token either way).
          if (!explicit && requests) {
            const setting = context.settings.repository?.defaultPermissions;
            if (setting === 'permissive') continue;
            if (setting === undefined) {
              context.report({ node: job.uses, messageId: 'callerDefaultUnknown', data, related, maxLevel: 'warn', confidence: 'medium' });
              return;
            }
          }
          const why = !explicit && requests ? context.message('restrictedDefault') : whyOf(decider);
          context.report({ node: job.uses, messageId: 'callerMissing', data: { ...data, why }, related });
          return;
        }
      },
      RoleAssumption(ra) {
        missing(ra, VIA[ra.via]);
      },
      CloudLogin(cl) {
        missing(cl, CLOUD_VIA[cl.cloud]);
      },
    };
  },
});

/**
 * Adds id-token: write at job level without changing anything else the job could do (domain.md
 * §A.7: a job-level block replaces the workflow-level one and sets unlisted scopes to none).
 */
function fixFor(context: RuleContext, job: Job): Fix | undefined {
  const editor = WorkflowEditor.for(context.project, job.parent.file);
  if (!editor) return undefined;
  const id = job.id.value;
  const eff = job.effectivePermissions;
  if (eff.source === 'job') {
    const edits = editor.grantIdToken(id);
    return edits && { description: context.message('fixInBlock', { job: id }), edits };
  }
  if (eff.source === 'workflow') {
    const scopes = editor.scopes();
    if (!scopes) return undefined; // read-all or a shape we do not copy
    const i = scopes.findIndex(([k]) => k === 'id-token');
    const kept = scopes.filter(([k]) => k !== 'id-token');
    const withToken: typeof scopes = i < 0 ? [...scopes, ['id-token', 'write']] : scopes.map(([k, v]) => [k, k === 'id-token' ? 'write' : v]);
    const edits = editor.addJobPermissions(id, withToken);
    return edits && { description: context.message('fixCopyWorkflow', { job: id, scopes: kept.length ? kept.map(([k, v]) => `${k}: ${v}`).join(', ') : 'none' }), edits };
  }
  const edits = editor.addJobPermissions(id, [
    ['contents', 'read'],
    ['id-token', 'write'],
  ]);
  return edits && { description: context.message('fixDefault', { job: id }), edits };
}
