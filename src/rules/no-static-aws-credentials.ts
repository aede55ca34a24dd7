import { createRule } from '../engine/create-rule.js';
import type { Action, Entry, Job, Step, Workflow } from '../model/workflow.js';
import { findEntry } from '../model/workflow.js';
import { graphOf } from '../model/graph.js';
import { isConfigureAwsCredentials } from '../loaders/workflows/workflow.js';
import { credentialOrigin, isAwsKeyShaped, isDummyCredential, isLocalEndpoint } from '../model/secrets.js';

const ENV_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
const INPUT_KEYS = ['aws-access-key-id', 'aws-secret-access-key'];
const ORIGIN_TEXT = { secret: 'a repository secret', variable: 'a configuration variable', literal: 'a literal value' };

/**
 * Environment variables that hold a long-lived Google Cloud or Azure credential for the tools that
 * read them (docs/clouds.md, "Static credentials"): the Terraform google provider's key contents,
 * the Terraform azurerm/azuread providers' and the Azure SDKs' client secret. Only values from
 * secrets (and, for the Azure secrets, variables) are reported: the Google variables also take a
 * file path, which a literal or a configuration variable usually is.
 */
const CLOUD_ENV: Record<string, { messageId: 'staticGcpEnv' | 'staticAzureEnv'; fromVariable: boolean }> = {
  GOOGLE_CREDENTIALS: { messageId: 'staticGcpEnv', fromVariable: false },
  GOOGLE_CLOUD_KEYFILE_JSON: { messageId: 'staticGcpEnv', fromVariable: false },
  GCLOUD_KEYFILE_JSON: { messageId: 'staticGcpEnv', fromVariable: false },
  ARM_CLIENT_SECRET: { messageId: 'staticAzureEnv', fromVariable: true },
  AZURE_CLIENT_SECRET: { messageId: 'staticAzureEnv', fromVariable: true },
};

/**
 * The inputs of a Google Cloud or Azure action step that hold a long-lived credential, as the
 * action reads them (docs/clouds.md, "Workflows"): google-github-actions/auth `credentials_json`;
 * setup-gcloud's `service_account_key` (v0; removed in v1); azure/login `creds` when it is used —
 * auth-type SERVICE_PRINCIPAL (the default) and none of client-id, tenant-id, subscription-id given
 * (otherwise the action ignores it), and it must then hold a clientSecret.
 */
function cloudKeyInput(step: Step, inputs: readonly Entry[]): { entry: Entry; messageId: 'staticGcpKey' | 'staticAzureSecret'; action: string } | undefined {
  if (step.action?.kind !== 'remote') return undefined;
  const name = (step.action.path ? `${step.action.name}/${step.action.path}` : step.action.name).toLowerCase();
  const given = (k: string) => {
    const e = findEntry(inputs, k);
    return e && e.value.value.trim() ? e : undefined;
  };
  if (name === 'google-github-actions/auth') {
    const entry = given('credentials_json');
    return entry && { entry, messageId: 'staticGcpKey', action: 'google-github-actions/auth' };
  }
  if (name === 'google-github-actions/setup-gcloud' || name === 'googlecloudplatform/github-actions/setup-gcloud') {
    const entry = given('service_account_key');
    return entry && { entry, messageId: 'staticGcpKey', action: 'setup-gcloud' };
  }
  if (name === 'azure/login') {
    const entry = given('creds');
    const authType = given('auth-type')?.value;
    if (!entry || (authType && authType.resolution !== 'unresolved' && authType.value.trim().toUpperCase() !== 'SERVICE_PRINCIPAL')) return undefined;
    if (['client-id', 'tenant-id', 'subscription-id'].some((k) => given(k))) return undefined;
    return { entry, messageId: 'staticAzureSecret', action: 'azure/login' };
  }
  return undefined;
}

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
    clouds: ['aws', 'gcp', 'azure'],
    severity: 'medium',
    defaultLevel: 'error',
    docs: {
      description: 'Workflows should not use long-lived cloud credentials (AWS access keys, Google Cloud service account keys, Azure client secrets); use GitHub OIDC instead.',
      rationale:
        'Clouds: AWS (configure-aws-credentials access keys, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), Google Cloud (google-github-actions/auth `credentials_json`, setup-gcloud v0 `service_account_key`, GOOGLE_CREDENTIALS / GOOGLE_CLOUD_KEYFILE_JSON / GCLOUD_KEYFILE_JSON), Azure (azure/login `creds` — which always carries a client secret, and is used only when none of client-id, tenant-id, subscription-id is given — ARM_CLIENT_SECRET, AZURE_CLIENT_SECRET). The rule keeps its historical id. Access keys, service account keys and client secrets stored as secrets live for months or never expire, are readable by every workflow that can reference them, and leak through logs, forks and compromised actions. OIDC gives each job short-lived credentials scoped by the role trust policy, the workload identity pool provider or the federated identity credential. Only values from `secrets.*`, `vars.*` and literals are reported: credentials from `${{ env.X }}` or `${{ steps.X.outputs.aws-access-key-id }}` (configure-aws-credentials with `output-credentials`, role chaining) are session credentials. A literal that is not shaped like an AWS key is a test credential when it is a well-known dummy (`test`, `minioadmin`) or the workflow talks to a local endpoint (localhost, LocalStack, MinIO), and is not reported; otherwise it is a warning.',
      remediation:
        'AWS: create an IAM OIDC provider for token.actions.githubusercontent.com and a role whose trust policy checks aud and sub, then use configure-aws-credentials with role-to-assume. Google Cloud: create a workload identity pool provider for GitHub with an attribute condition on the repository, and use google-github-actions/auth with workload_identity_provider. Azure: add a federated identity credential (issuer https://token.actions.githubusercontent.com, audience api://AzureADTokenExchange, the job\'s subject) to the app registration or user-assigned managed identity, and use azure/login with client-id, tenant-id and subscription-id. Grant the job `id-token: write`, then delete the key or secret.',
      references: [
        'https://github.com/aws-actions/configure-aws-credentials#oidc',
        'https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws',
        'https://github.com/google-github-actions/auth#inputs-workload-identity-federation',
        'https://github.com/Azure/login#login-with-openid-connect-oidc-recommended',
      ],
      recommended: true,
    },
    messages: {
      staticInput: 'configure-aws-credentials is given a static access key ({{key}} from {{origin}}); use role-to-assume with GitHub OIDC and id-token: write instead.',
      staticEnv: '{{key}} is set in {{scope}} env from {{origin}}; long-lived AWS keys in workflows should be replaced by a role assumed with GitHub OIDC (configure-aws-credentials + id-token: write).',
      forwardedHere: 'The composite action passes it to configure-aws-credentials here.',
      staticGcpKey: '{{action}} is given a Google Cloud service account key ({{key}} from {{origin}}); use workload_identity_provider (workload identity federation with GitHub OIDC) and id-token: write instead.',
      staticAzureSecret: 'azure/login is given a service principal secret ({{key}} from {{origin}}; the action reads creds only to log in with its clientSecret); use client-id, tenant-id and subscription-id with a federated identity credential (GitHub OIDC) and id-token: write instead.',
      staticGcpEnv: '{{key}} is set in {{scope}} env from {{origin}}: a Google Cloud service account key; authenticate with workload identity federation (google-github-actions/auth with workload_identity_provider + id-token: write) instead.',
      staticAzureEnv: '{{key}} is set in {{scope}} env from {{origin}}: a long-lived Azure client secret; use a federated identity credential with GitHub OIDC instead (azure/login with client-id, or ARM_USE_OIDC=true for Terraform, + id-token: write).',
      forwardedCloudHere: 'The composite action passes it to {{action}} here.',
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
    const checkEnv = (env: Entry[], where: string, scope: Workflow | Job | Action) => {
      check(
        ENV_KEYS.map((k) => findEntry(env, k)),
        scope,
        (e, origin) => context.report({ node: e.key, messageId: 'staticEnv', data: { key: e.key.value, scope: where, origin } }),
      );
      for (const e of env) {
        const cloud = Object.hasOwn(CLOUD_ENV, e.key.value) ? CLOUD_ENV[e.key.value] : undefined;
        const origin = cloud && credentialOrigin(e.value.value);
        if (!cloud || !(origin === 'secret' || (origin === 'variable' && cloud.fromVariable))) continue;
        context.report({ node: e.key, messageId: cloud.messageId, data: { key: e.key.value, scope: where, origin: ORIGIN_TEXT[origin] } });
      }
    };
    /**
     * A Google Cloud or Azure action input holding a long-lived credential from a secret or a variable.
     * Literals are left to secret scanners: a code frame would print a literal key (only AWS key shapes
     * are redacted), and a literal there is more often a test placeholder.
     */
    const checkCloudInput = (found: ReturnType<typeof cloudKeyInput>, report: (e: Entry, origin: string) => void) => {
      if (!found) return;
      const origin = credentialOrigin(found.entry.value.value);
      if (origin === 'secret' || origin === 'variable') report(found.entry, ORIGIN_TEXT[origin]);
    };
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
          if (!s.chain.length) continue;
          // A Google Cloud or Azure key the caller passes in (an input of the action bound to the caller's value).
          // Judged on the inputs as bound (azure/login reads creds only when client-id etc. come out empty).
          const bound = cloudKeyInput(s.step, s.with);
          const own = bound && findEntry(s.step.with, bound.entry.key.value);
          if (bound && own && own.value !== bound.entry.value)
            checkCloudInput(bound, (e, origin) =>
              context.report({
                node: e.value,
                messageId: bound.messageId,
                data: { key: e.key.value, origin, action: bound.action },
                related: [{ loc: own.key.loc, message: context.message('forwardedCloudHere', { action: bound.action }) }],
              }),
            );
          if (!isConfigureAwsCredentials(s.step)) continue;
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
        const cloud = cloudKeyInput(step, step.with);
        checkCloudInput(cloud, (e, origin) => context.report({ node: e.key, messageId: cloud!.messageId, data: { key: e.key.value, origin, action: cloud!.action } }));
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
