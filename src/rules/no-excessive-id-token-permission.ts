import { createRule } from '../engine/create-rule.js';
import type { Confidence, Fix, RelatedLocation, RuleContext } from '../engine/rule.js';
import { WorkflowEditor } from '../engine/workflow-edits.js';
import { TokenNeeds, type TokenNeed } from '../model/token-needs.js';
import type { Job, Permissions, Workflow } from '../model/workflow.js';

interface Options {
  /** Actions (`owner/repo`) that request OIDC tokens, in addition to the ones oidc-lint knows. */
  tokenActions?: string[];
  /** Also report grants oidc-lint cannot judge (steps it cannot see into); off by default. */
  reportUncertain?: boolean;
}

/** The token of a block that grants id-token: write (the scope value or the write-all shorthand). */
function grantOf(block: Permissions | undefined) {
  if (!block || block.invalid) return undefined;
  if (block.shorthand) return block.shorthand.value === 'write-all' ? block.shorthand : undefined;
  const e = block.scopes.get('id-token');
  return e && e.value.resolution !== 'unresolved' && e.value.value === 'write' ? e.value : undefined;
}

const quoted = (jobs: Job[]) => jobs.map((j) => `"${j.id.value}"`).join(', ');

/** The least sure of the verdicts a finding rests on. */
function weakest(needs: TokenNeed[]): Confidence {
  const order: Confidence[] = ['low', 'medium', 'high'];
  return order[Math.min(...needs.map((n) => order.indexOf(n.confidence)))] ?? 'high';
}

export default createRule<[Options]>({
  id: 'no-excessive-id-token-permission',
  meta: {
    kind: 'hardening',
    appliesTo: ['workflow'],
    severity: 'medium',
    defaultLevel: 'warn',
    docs: {
      description: 'Grant `id-token: write` only to the jobs that request a GitHub OIDC token.',
      rationale:
        'A job with `id-token: write` can mint an OIDC token and assume every role whose trust policy matches its subject. Granted at the workflow level (or through `write-all`), it reaches every job without its own permissions block: test, lint and build jobs that run third-party code and pull-request changes can then obtain AWS credentials too. A grant on a job that never asks for a token only widens what a compromised step can do.',
      remediation:
        'Move `id-token: write` from the workflow-level `permissions:` to the jobs that assume a role (remember that a job-level block replaces the workflow-level one, so copy the scopes the job still needs), and remove it from jobs that do not request a token. `--fix` does this when every step is understood. A job with steps oidc-lint cannot see into (third-party actions it does not know, local JavaScript or Docker actions) is not reported: oidc-lint cannot tell whether it needs the token. Set the `reportUncertain` option to list those grants too, and declare actions you know request tokens in the config (`tokenRequests`) or in the `tokenActions` option.',
      references: [
        'https://docs.github.com/en/actions/reference/security/oidc',
        'https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#permissions',
        'https://docs.zizmor.sh/audits/#excessive-permissions',
      ],
      recommended: true,
    },
    messages: {
      workflowLevel: 'Workflow-level {{grant}} reaches every job without its own permissions block, including jobs that request no GitHub OIDC token ({{jobs}}); grant id-token: write only on the jobs that need it.',
      workflowLevelUnsure: 'Workflow-level {{grant}} reaches every job without its own permissions block; {{jobs}} may not need an OIDC token (no step oidc-lint understands requests one, but it cannot see inside {{unknowns}}).',
      workflowInert: 'Workflow-level {{grant}} reaches no job: every job declares its own permissions block, which replaces it.',
      jobLevel: 'Job "{{job}}" is granted id-token: write but never requests a GitHub OIDC token.',
      jobLevelUnsure: 'Job "{{job}}" is granted id-token: write, but no step oidc-lint understands requests a GitHub OIDC token (it cannot see inside {{unknowns}}).',
      needsToken: 'Job "{{job}}" requests an OIDC token: grant id-token: write here.',
      fixMove: 'Remove id-token: write from the workflow-level permissions and give {{jobs}} their own permissions block with the workflow-level scopes (a job-level block replaces the workflow-level one).',
      fixRemove: 'Remove id-token: write from the workflow-level permissions.',
      fixRemoveJob: 'Remove id-token: write from the permissions of job "{{job}}".',
    },
    schema: [
      {
        type: 'object',
        properties: {
          tokenActions: { type: 'array', items: { type: 'string', pattern: '^[^/\\s]+/[^/\\s]+$' }, uniqueItems: true },
          reportUncertain: { type: 'boolean' },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ tokenActions: [], reportUncertain: false }],
    fixable: 'code',
  },
  create(context, [options]) {
    const needs = new TokenNeeds(context.project, { tokenActions: options?.tokenActions, tokenRequests: context.settings.tokenRequests });
    const uncertain = options?.reportUncertain === true;
    return {
      Workflow(wf) {
        checkWorkflow(context, wf, needs, uncertain);
      },
      Job(job) {
        const grant = grantOf(job.permissions);
        if (!grant) return;
        const need = needs.of(job);
        if (need.verdict === 'yes') return;
        const id = job.id.value;
        if (need.verdict === 'unsure') {
          // "Cannot tell" is not a finding unless asked for (reportUncertain).
          if (!uncertain) return;
          context.report({ node: grant, messageId: 'jobLevelUnsure', data: { job: id, unknowns: need.unknowns.join(', ') }, confidence: 'low' });
          return;
        }
        const edits = job.permissions?.shorthand ? undefined : WorkflowEditor.for(context.project, job.parent.file)?.removeIdToken(id);
        context.report({
          node: grant,
          messageId: 'jobLevel',
          data: { job: id },
          confidence: need.confidence,
          fix: edits && { description: context.message('fixRemoveJob', { job: id }), edits },
        });
      },
    };
  },
});

function checkWorkflow(context: RuleContext, wf: Workflow, needs: TokenNeeds, uncertain: boolean): void {
  const grant = grantOf(wf.permissions);
  if (!grant) return;
  const grantText = wf.permissions!.shorthand ? 'write-all' : 'id-token: write';
  const inheriting = wf.jobs.filter((j) => !j.permissions);
  if (!inheriting.length) {
    if (!wf.jobs.length) return;
    const edits = wf.permissions!.shorthand ? undefined : WorkflowEditor.for(context.project, wf.file)?.removeIdToken();
    context.report({ node: grant, messageId: 'workflowInert', data: { grant: grantText }, fix: edits && { description: context.message('fixRemove'), edits } });
    return;
  }
  const verdicts = inheriting.map((job) => ({ job, need: needs.of(job) }));
  const without = verdicts.filter((v) => v.need.verdict === 'no');
  const unsure = verdicts.filter((v) => v.need.verdict === 'unsure');
  if (!without.length && !unsure.length) return;
  const keep = verdicts.filter((v) => v.need.verdict !== 'no').map((v) => v.job);
  const related: RelatedLocation[] = verdicts
    .filter((v) => v.need.verdict === 'yes')
    .map((v) => ({ loc: v.job.loc, message: context.message('needsToken', { job: v.job.id.value }) }));
  if (!without.length) {
    if (!uncertain) return;
    const unknowns = [...new Set(unsure.flatMap((v) => v.need.unknowns))].join(', ');
    context.report({ node: grant, messageId: 'workflowLevelUnsure', data: { grant: grantText, jobs: quoted(unsure.map((v) => v.job)), unknowns }, confidence: 'low', related });
    return;
  }
  context.report({
    node: grant,
    messageId: 'workflowLevel',
    data: { grant: grantText, jobs: quoted(without.map((v) => v.job)) },
    confidence: weakest(without.map((v) => v.need)),
    related,
    fix: wf.permissions!.shorthand ? undefined : moveFix(context, wf, keep),
  });
}

/**
 * Moves the grant: removes id-token: write from the workflow-level block and gives each job that
 * needs (or may need) it a copy of that block, so that no job loses a scope it had.
 */
function moveFix(context: RuleContext, wf: Workflow, keep: Job[]): Fix | undefined {
  const editor = WorkflowEditor.for(context.project, wf.file);
  const scopes = editor?.scopes();
  const removal = editor?.removeIdToken();
  if (!editor || !scopes || !removal) return undefined;
  const edits = [...removal];
  for (const job of keep) {
    const add = editor.addJobPermissions(job.id.value, scopes);
    if (!add) return undefined;
    edits.push(...add);
  }
  return keep.length
    ? { description: context.message('fixMove', { jobs: quoted(keep) }), edits }
    : { description: context.message('fixRemove'), edits };
}
