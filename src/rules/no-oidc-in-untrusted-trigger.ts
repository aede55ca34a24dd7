import { createRule } from '../engine/create-rule.js';
import { judge, predictionsOf, roleLabel } from '../model/crosscheck.js';
import { UNTRUSTED_EVENTS } from '../model/predict.js';
import type { Job, Step } from '../model/workflow.js';
import { findEntry } from '../model/workflow.js';

/** Checkout of the pull request's head (fork code) — the step and the ref expression. */
function headCheckout(job: Job): { step: Step; ref: string } | undefined {
  for (const step of job.steps) {
    if (step.action?.kind !== 'remote' || step.action.name.toLowerCase() !== 'actions/checkout') continue;
    const ref = findEntry(step.with, 'ref')?.value.value ?? '';
    const repo = findEntry(step.with, 'repository')?.value.value ?? '';
    if (/github\.event\.pull_request\.head\.(sha|ref)|github\.head_ref|refs\/pull\/|github\.event\.workflow_run\.head_(sha|branch)|\.head\.repo/.test(ref + ' ' + repo)) return { step, ref: ref || repo };
  }
  for (const step of job.steps) {
    const run = step.run?.value ?? '';
    if (/gh pr checkout|git (fetch|checkout)[^\n]*(refs\/pull|head_ref|pull_request\.head)/.test(run)) return { step, ref: 'gh pr checkout / git fetch of the pull request' };
  }
  return undefined;
}

export default createRule({
  id: 'no-oidc-in-untrusted-trigger',
  meta: {
    kind: 'problem',
    appliesTo: ['workflow', 'project'],
    severity: 'high',
    defaultLevel: 'error',
    docs: {
      description: 'A job triggered by an event outsiders can cause (`pull_request_target`, `workflow_run`, issue and pull-request comments) must not be able to mint an OIDC token for AWS.',
      rationale:
        'These events run in the base repository with its permissions — `pull_request_target` gets a write token even for pull requests from forks — and their `sub` is the default branch (`ref:refs/heads/main`), so a role pinned to main IS reachable from them. A job that also checks out the pull request\'s head runs the attacker\'s code with the AWS credentials.',
      remediation:
        'Split the workflow: run untrusted code under `pull_request` (no OIDC, read-only token) and deploy from `push`/`workflow_dispatch` on the default branch or from a protected environment. Never check out the pull request head in a job with `id-token: write`; pin roles to an environment with required reviewers.',
      references: [
        'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/',
        'https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows#pull_request_target',
        'https://docs.github.com/en/actions/reference/security/oidc',
      ],
      recommended: true,
    },
    messages: {
      untrusted: 'Job "{{job}}" can mint an AWS OIDC token when triggered by {{events}}, which outsiders can cause{{roleNote}}.',
      untrustedCheckout: 'Job "{{job}}" can mint an AWS OIDC token when triggered by {{events}} and checks out the pull request head ({{ref}}): code from a fork runs with the token{{roleNote}}.',
      roleAdmits: ' — role {{role}} admits that token ({{sub}})',
      roleRefuses: ' — role {{role}} does not admit that token ({{sub}}), but the job can still mint it',
      trigger: 'Triggered here.',
      checkout: 'Checks out untrusted code here.',
    },
    schema: [],
  },
  create(context) {
    return {
      'Project:exit'(project) {
        const predictions = predictionsOf(project);
        for (const wf of project.workflows)
          for (const job of wf.jobs) {
            if (job.effectivePermissions.idToken !== 'write' || job.uses) continue;
            const pred = predictions.get(job);
            const untrusted = pred?.contexts.filter((c) => c.untrusted) ?? [];
            if (!untrusted.length) continue;
            const events = [...new Set(untrusted.flatMap((c) => c.events))].filter((e) => UNTRUSTED_EVENTS.has(e));
            const ra = job.roleAssumptions[0];
            let roleNote = '';
            const link = ra ? project.links.byAssumption.get(ra)?.[0] : undefined;
            if (ra && link) {
              const verdict = judge(project, ra, link.role)?.find((v) => v.context.untrusted);
              const role = roleLabel(link.role);
              if (verdict?.decision.admitted === true) roleNote = context.message('roleAdmits', { role, sub: verdict.sub });
              else if (verdict?.decision.admitted === false) roleNote = context.message('roleRefuses', { role, sub: verdict.sub });
            }
            const checkout = headCheckout(job);
            const triggers = wf.triggers.filter((t) => events.includes(t.event));
            const related = triggers.map((t) => ({ loc: t.loc, message: context.message('trigger') }));
            if (checkout) related.push({ loc: checkout.step.loc, message: context.message('checkout') });
            context.report({
              node: ra?.roleArn ?? job.id,
              messageId: checkout ? 'untrustedCheckout' : 'untrusted',
              data: { job: job.id.value, events: events.join(', '), ref: checkout?.ref ?? '', roleNote },
              severity: checkout ? 'critical' : 'high',
              related,
            });
          }
      },
    };
  },
});
