import { createRule } from '../engine/create-rule.js';
import type { Action, Entry, Job, Step, Workflow } from '../model/workflow.js';
import { findEntry } from '../model/workflow.js';
import { graphOf } from '../model/graph.js';
import { isConfigureAwsCredentials } from '../loaders/workflow.js';
import { credentialOrigin, isAwsKeyShaped, isDummyCredential, isLocalEndpoint } from '../model/secrets.js';

const ENV_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
const INPUT_KEYS = ['aws-access-key-id', 'aws-secret-access-key'];
const ORIGIN_TEXT = { secret: 'a repository secret', variable: 'a configuration variable', literal: 'a literal value' };

/**
 * Whether a job (or, without one, the workflow) talks to a local endpoint: an env entry or input
 * naming one (in the job, its steps or the workflow env), or `--endpoint-url` in one of its scripts.
 */
function usesLocalEndpoint(wf: Workflow | Action, only?: Job): boolean {
  const entries: Entry[] = wf.type === 'Workflow' ? [...wf.env] : [];
  const scripts: string[] = [];
  const blocks: { env: Entry[]; with: Entry[]; steps: Step[] }[] = wf.type === 'Action' ? [{ env: [], with: [], steps: wf.steps }] : only ? [only] : wf.jobs;
  for (const job of blocks) {
    entries.push(...job.env, ...job.with);
    for (const step of job.steps) {
      entries.push(...step.env, ...step.with);
      if (step.run) scripts.push(step.run.value);
    }
  }
  if (entries.some((e) => /endpoint|url|host|server/i.test(e.key.value) && isLocalEndpoint(e.value.value))) return true;
  return scripts.some((s) => [...s.matchAll(/--endpoint(?:-url)?[=\s]+["']?([^\s"']+)/g)].some((m) => isLocalEndpoint(m[1])));
}

export default createRule({
  id: 'no-static-aws-credentials',
  meta: {
    kind: 'hardening',
    appliesTo: ['workflow'],
    severity: 'medium',
    defaultLevel: 'error',
    docs: {
      description: 'Workflows should not use long-lived AWS access keys; assume a role through GitHub OIDC instead.',
      rationale:
        'Access keys stored as secrets never expire, are readable by every workflow that can reference them, and leak through logs, forks and compromised actions. OIDC gives each job short-lived credentials scoped by the role trust policy. Only values from `secrets.*`, `vars.*` and literals are reported: credentials from `${{ env.X }}` or `${{ steps.X.outputs.aws-access-key-id }}` (configure-aws-credentials with `output-credentials`, role chaining) are session credentials. A literal that is not shaped like an AWS key is a test credential when it is a well-known dummy (`test`, `minioadmin`) or the workflow talks to a local endpoint (localhost, LocalStack, MinIO), and is not reported; otherwise it is a warning.',
      remediation:
        'Create an IAM OIDC provider for token.actions.githubusercontent.com and a role whose trust policy checks aud and sub, then use configure-aws-credentials with role-to-assume and grant the job `id-token: write`. Delete the access key and the secret.',
      references: [
        'https://github.com/aws-actions/configure-aws-credentials#oidc',
        'https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws',
      ],
      recommended: true,
    },
    messages: {
      staticInput: 'configure-aws-credentials is given a static access key ({{key}} from {{origin}}); use role-to-assume with GitHub OIDC and id-token: write instead.',
      staticEnv: '{{key}} is set in {{scope}} env from {{origin}}; long-lived AWS keys in workflows should be replaced by a role assumed with GitHub OIDC (configure-aws-credentials + id-token: write).',
      forwardedHere: 'The composite action passes it to configure-aws-credentials here.',
      placeholder: '{{key}} is set to a literal that is not shaped like an AWS key: if it is a test credential for a local emulator, this can be ignored; if it is a key for another service, keep it in a secret.',
    },
    schema: [],
  },
  create(context) {
    const local = new Map<Workflow | Job | Action, boolean>();
    const isLocal = (scope: Workflow | Job | Action) => {
      let v = local.get(scope);
      if (v === undefined) local.set(scope, (v = scope.type === 'Job' ? usesLocalEndpoint(scope.parent, scope) : usesLocalEndpoint(scope)));
      return v;
    };
    /** Reports the first credential of a block that can be a long-lived key. */
    const check = (entries: (Entry | undefined)[], scope: Workflow | Job | Action, report: (e: Entry, origin: string) => void) => {
      let placeholder: Entry | undefined;
      for (const e of entries) {
        if (!e) continue;
        const origin = credentialOrigin(e.value.value);
        if (origin === 'runtime') continue;
        if (origin === 'literal' && !isAwsKeyShaped(e.value.value)) {
          if (!placeholder && !isDummyCredential(e.value.value) && !isLocal(scope)) placeholder = e;
          continue;
        }
        report(e, ORIGIN_TEXT[origin]);
        return;
      }
      if (placeholder)
        context.report({
          node: placeholder.key,
          messageId: 'placeholder',
          data: { key: placeholder.key.value },
          severity: 'low',
          confidence: 'medium',
          maxLevel: 'warn',
        });
    };
    const checkEnv = (env: Entry[], where: string, scope: Workflow | Job | Action) =>
      check(
        ENV_KEYS.map((k) => findEntry(env, k)),
        scope,
        (e, origin) => context.report({ node: e.key, messageId: 'staticEnv', data: { key: e.key.value, scope: where, origin } }),
      );
    return {
      Workflow(wf) {
        checkEnv(wf.env, 'the workflow', wf);
      },
      Job(job) {
        checkEnv(job.env, `job "${job.id.value}"`, job);
        // Keys a local composite action only forwards from its inputs (runtime values there) are what
        // this job passes: judged here, at the caller's value, with the action's line as related location.
        if (job.uses) return;
        for (const s of graphOf(context.project).expand(job).steps) {
          if (!s.chain.length || !isConfigureAwsCredentials(s.step)) continue;
          check(
            INPUT_KEYS.map((k) => {
              const inner = findEntry(s.step.with, k);
              const bound = findEntry(s.with, k);
              // Only a value the caller passed in (the action's own values are judged in the action).
              return inner && bound && bound.value !== inner.value && bound.value.value.trim() ? bound : undefined;
            }),
            job,
            (e, origin) =>
              context.report({
                node: e.value,
                messageId: 'staticInput',
                data: { key: e.key.value, origin },
                related: [{ loc: e.key.loc, message: context.message('forwardedHere') }],
              }),
          );
        }
      },
      Step(step) {
        checkEnv(step.env, 'a step', step.parent);
        if (isConfigureAwsCredentials(step))
          check(
            INPUT_KEYS.map((k) => findEntry(step.with, k)),
            step.parent,
            (e, origin) => context.report({ node: e.key, messageId: 'staticInput', data: { key: e.key.value, origin } }),
          );
      },
    };
  },
});
