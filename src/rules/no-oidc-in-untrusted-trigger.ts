import { createRule } from '../engine/create-rule.js';
import { judge, predictionsOf, roleLabel } from '../model/crosscheck.js';
import { UNTRUSTED_EVENTS } from '../model/predict.js';
import { headCheckout, runsCheckedOut, scriptInjection, triggeringRunArtifacts } from '../model/untrusted-code.js';
import { graphOf } from '../model/graph.js';
import type { JobPrediction } from '../model/predict.js';
import type { Job, Trigger } from '../model/workflow.js';

export default createRule({
  id: 'no-oidc-in-untrusted-trigger',
  meta: {
    kind: 'problem',
    appliesTo: ['workflow', 'project'],
    severity: 'high',
    defaultLevel: 'error',
    docs: {
      description: 'A job triggered by an event outsiders can cause (`pull_request_target`, `workflow_run`, issue and pull-request comments) and able to mint an OIDC token for AWS must not run what outsiders wrote: the pull request\'s code, text from a title, body or branch name spliced into a script, or the triggering run\'s artifacts.',
      rationale:
        'These events run in the base repository with its permissions — `pull_request_target` gets a write token even for pull requests from forks — and their `sub` is the default branch (`ref:refs/heads/main`), so a role pinned to main IS reachable from them. A job that checks out the pull request\'s head and builds, tests or runs it runs the attacker\'s code with the AWS credentials (an error); one that only reads the head, splices outsider-written text into a script, or uses the triggering run\'s artifacts is one step from it (a warning). A job that runs only the base repository\'s code on the base repository\'s data — a cleanup on `closed`, an approval gate, a deploy of the default branch — is not reported: an outsider can make it run, not make it do anything else. The job\'s `if:` is read: a job that never runs on those events is not reported. A `workflow_run` trigger counts as untrusted unless every workflow it names is in the scan and none of them runs on an event outsiders can cause.',
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
      untrustedCheckout: 'Job "{{job}}" can mint an AWS OIDC token when triggered by {{events}} and checks out the pull request head ({{ref}}), then runs it: code from a fork runs with the token{{roleNote}}.',
      readsHead: 'Job "{{job}}" can mint an AWS OIDC token when triggered by {{events}} and checks out the pull request head ({{ref}}) into {{path}}; later steps seem only to read it (grep, diff, gh), but one that builds, tests or runs anything there would run a fork\'s code with the token{{roleNote}}.',
      injection: 'Job "{{job}}" can mint an AWS OIDC token when triggered by {{events}} and splices text outsiders write ({{expression}}) into a script: a crafted title, body or branch name runs as shell code with the token{{roleNote}}. Pass it through env: and quote it.',
      artifacts: 'Job "{{job}}" can mint an AWS OIDC token when triggered by workflow_run and uses artifacts of the triggering run, which a pull request from a fork may have built: treat them as untrusted data, never run or deploy them as they are{{roleNote}}.',
      roleAdmits: ' — role {{role}} admits that token ({{sub}})',
      roleRefuses: ' — role {{role}} does not admit that token ({{sub}}), but the job can still mint it',
      trigger: 'Triggered here.',
      checkout: 'Checks out untrusted code here.',
      runsHere: 'Runs it here.',
      calledFrom: 'Called from here by job "{{job}}", which grants id-token: write.',
    },
    schema: [],
  },
  create(context) {
    return {
      'Project:exit'(project) {
        const predictions = predictionsOf(project);
        const graph = graphOf(project);
        /**
         * Judges a job that can mint a token on the contexts `pred`; in a called workflow, `caller` is the calling job (its inputs bound)
         * and `callerTriggers` the untrusted triggers of every caller that lets it mint one: part of the finding's identity, so accepting it
         * for one caller does not accept a new one (#17 item 11).
         */
        const check = (job: Job, pred: JobPrediction | undefined, caller?: Job, callerTriggers?: Trigger[]): boolean => {
          const untrusted = pred?.contexts.filter((c) => c.untrusted) ?? [];
          if (!untrusted.length) return false;
          const events = [...new Set(untrusted.flatMap((c) => c.events))].filter((e) => UNTRUSTED_EVENTS.has(e));
          // What outsiders can make this job do, worst first; a job that runs only base code is not reported.
          const scope = caller && graph.inputScope(caller);
          const checkout = headCheckout(job, scope);
          const ran = checkout ? runsCheckedOut(job, checkout) : undefined;
          const injection = scriptInjection(job, scope);
          const artifacts = events.includes('workflow_run') ? triggeringRunArtifacts(job, scope) : undefined;
          if (!checkout && !injection && !artifacts) return false;
          const ra = job.roleAssumptions[0];
          let roleNote = '';
          const link = ra ? project.links.byAssumption.get(ra)?.[0] : undefined;
          if (ra && link) {
            const verdict = judge(project, ra, link.role)?.find((v) => v.context.untrusted);
            const role = roleLabel(link.role);
            if (verdict?.decision.admitted === true) roleNote = context.message('roleAdmits', { role, sub: verdict.sub });
            else if (verdict?.decision.admitted === false) roleNote = context.message('roleRefuses', { role, sub: verdict.sub });
          }
          const triggers = callerTriggers ?? job.parent.triggers.filter((t) => events.includes(t.event));
          const via = callerTriggers?.map((t) => `${t.loc.file}#${t.event}`);
          const related = triggers.map((t) => ({ loc: t.loc, message: context.message('trigger') }));
          if (caller?.uses) related.push({ loc: caller.uses.loc, message: context.message('calledFrom', { job: caller.id.value }) });
          const data = { job: job.id.value, events: events.join(', '), ref: checkout?.ref ?? '', path: checkout?.path ? `${checkout.path}/` : 'the workspace', expression: injection?.expression ?? '', roleNote };
          if (checkout && ran) {
            related.push({ loc: checkout.step.loc, message: context.message('checkout') });
            if (ran !== checkout.step) related.push({ loc: ran.loc, message: context.message('runsHere') });
            context.report({ node: ra?.roleArn ?? job.id, messageId: 'untrustedCheckout', data, severity: 'critical', related, via });
          } else if (injection) {
            related.push({ loc: injection.step.loc, message: context.message('runsHere') });
            context.report({ node: ra?.roleArn ?? job.id, messageId: 'injection', data, severity: 'high', maxLevel: 'warn', related, via });
          } else if (checkout) {
            related.push({ loc: checkout.step.loc, message: context.message('checkout') });
            context.report({ node: ra?.roleArn ?? job.id, messageId: 'readsHead', data, severity: 'medium', maxLevel: 'warn', confidence: 'medium', related, via });
          } else if (artifacts) {
            related.push({ loc: artifacts.loc, message: context.message('runsHere') });
            context.report({ node: ra?.roleArn ?? job.id, messageId: 'artifacts', data, severity: 'medium', maxLevel: 'warn', confidence: 'medium', related, via });
          }
          return true;
        };
        for (const wf of project.workflows)
          for (const job of wf.jobs) {
            if (job.uses) continue;
            const callers = wf.reusable ? graph.callersOf(wf) : [];
            if (!callers.length) {
              if (job.effectivePermissions.idToken === 'write') check(job, predictions.get(job));
              continue;
            }
            // Called (domain.md §A.7): a job without permissions of its own gets the caller's grant;
            // one with its own id-token: write runs only where the caller grants it too.
            const own = job.permissions ?? wf.permissions;
            if (own && job.effectivePermissions.idToken !== 'write') continue;
            const callerTriggers = callers
              .filter((c) => graph.callerGrants(c).some((g) => g.idToken === 'write'))
              .flatMap((c) => c.parent.triggers.filter((t) => UNTRUSTED_EVENTS.has(t.event)));
            let done = false;
            for (const caller of callers) {
              if (done) break;
              if (graph.callerGrants(caller).some((g) => g.idToken === 'write')) done = check(job, predictions.get(caller), caller, callerTriggers);
            }
            // Its own triggers (other than workflow_call) run it too, with its own block.
            if (!done && own && wf.triggers.some((t) => t.event !== 'workflow_call' && UNTRUSTED_EVENTS.has(t.event))) check(job, predictions.get(job));
          }
      },
    };
  },
});
