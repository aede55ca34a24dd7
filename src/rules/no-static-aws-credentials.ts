import { createRule } from '../engine/create-rule.js';
import type { Entry } from '../model/workflow.js';
import { findEntry } from '../model/workflow.js';
import { isConfigureAwsCredentials } from '../loaders/workflow.js';

const ENV_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

function origin(e: Entry): string {
  const v = e.value.value;
  if (/\$\{\{\s*secrets\./.test(v)) return 'a repository secret';
  if (/\$\{\{/.test(v)) return 'an expression';
  return 'a literal value';
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
        'Access keys stored as secrets never expire, are readable by every workflow that can reference them, and leak through logs, forks and compromised actions. OIDC gives each job short-lived credentials scoped by the role trust policy.',
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
    },
    schema: [],
  },
  create(context) {
    const checkEnv = (env: Entry[], scope: string) => {
      const e = ENV_KEYS.map((k) => findEntry(env, k)).find((x) => x);
      if (e) context.report({ node: e.key, messageId: 'staticEnv', data: { key: e.key.value, scope, origin: origin(e) } });
    };
    return {
      Workflow(wf) {
        checkEnv(wf.env, 'the workflow');
      },
      Job(job) {
        checkEnv(job.env, `job "${job.id.value}"`);
      },
      Step(step) {
        checkEnv(step.env, 'a step');
        if (isConfigureAwsCredentials(step)) {
          const e = findEntry(step.with, 'aws-access-key-id') ?? findEntry(step.with, 'aws-secret-access-key');
          if (e) context.report({ node: e.key, messageId: 'staticInput', data: { key: e.key.value, origin: origin(e) } });
        }
      },
    };
  },
});
