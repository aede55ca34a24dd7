/**
 * no-static-aws-credentials for Google Cloud and Azure (the rule keeps its historical id): service
 * account keys and client secrets, as the actions and tools read them (docs/clouds.md).
 */
import { describe, expect, it } from 'vitest';
import { brief, lintTree, WF } from '../helpers/project.js';

const ID = 'no-static-aws-credentials';
const step = (uses: string, inputs: Record<string, string>) =>
  `on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ${uses}\n        with:\n` +
  Object.entries(inputs)
    .map(([k, v]) => `          ${k}: ${v}\n`)
    .join('');
const env = (inputs: Record<string, string>) =>
  `on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n` +
  Object.entries(inputs)
    .map(([k, v]) => `      ${k}: ${v}\n`)
    .join('') +
  '    steps:\n      - run: terraform apply\n';

describe(`${ID}: Google Cloud and Azure`, () => {
  it.each([
    ['auth credentials_json from a secret', step('google-github-actions/auth@v2', { credentials_json: '${{ secrets.KEY }}' }), ['staticGcpKey@8:11']],
    ['auth credentials_json from a variable', step('google-github-actions/auth@v1', { credentials_json: '${{ vars.KEY }}' }), ['staticGcpKey@8:11']],
    ['auth credentials_json from a step output (runtime)', step('google-github-actions/auth@v2', { credentials_json: '${{ steps.k.outputs.key }}' }), []],
    ['auth credentials_json literal (left to secret scanners)', step('google-github-actions/auth@v2', { credentials_json: "'{}'" }), []],
    ['auth with workload identity federation', step('google-github-actions/auth@v2', { workload_identity_provider: '${{ vars.WIF }}' }), []],
    ['setup-gcloud v0 service_account_key', step('google-github-actions/setup-gcloud@v0', { service_account_key: '${{ secrets.KEY }}' }), ['staticGcpKey@8:11']],
    ['old GoogleCloudPlatform setup-gcloud', step('GoogleCloudPlatform/github-actions/setup-gcloud@master', { service_account_key: '${{ secrets.KEY }}' }), ['staticGcpKey@8:11']],
    ['azure/login creds', step('azure/login@v2', { creds: '${{ secrets.AZURE_CREDENTIALS }}' }), ['staticAzureSecret@8:11']],
    ['azure/login creds, auth-type SERVICE_PRINCIPAL written out', step('Azure/login@v1', { creds: '${{ secrets.AZ }}', 'auth-type': 'service_principal' }), ['staticAzureSecret@8:11']],
    ['azure/login creds ignored: tenant-id given', step('azure/login@v2', { creds: '${{ secrets.AZ }}', 'tenant-id': '${{ vars.T }}' }), []],
    ['azure/login creds ignored: client-id given (OIDC)', step('azure/login@v2', { 'client-id': '${{ vars.ID }}', creds: '${{ secrets.AZ }}' }), []],
    ['azure/login creds ignored: managed identity', step('azure/login@v2', { 'auth-type': 'IDENTITY', creds: '${{ secrets.AZ }}' }), []],
    ['GOOGLE_CREDENTIALS from a secret', env({ GOOGLE_CREDENTIALS: '${{ secrets.SA }}' }), ['staticGcpEnv@6:7']],
    ['GOOGLE_CREDENTIALS as a file path (literal)', env({ GOOGLE_CREDENTIALS: '/tmp/key.json' }), []],
    ['GOOGLE_CLOUD_KEYFILE_JSON from a secret', env({ GOOGLE_CLOUD_KEYFILE_JSON: '${{ secrets.SA }}' }), ['staticGcpEnv@6:7']],
    ['GCLOUD_KEYFILE_JSON from a variable (usually a path)', env({ GCLOUD_KEYFILE_JSON: '${{ vars.KEYFILE }}' }), []],
    ['ARM_CLIENT_SECRET from a variable', env({ ARM_CLIENT_SECRET: '${{ vars.SECRET }}' }), ['staticAzureEnv@6:7']],
    ['ARM_CLIENT_SECRET and AZURE_CLIENT_SECRET', env({ ARM_CLIENT_SECRET: '${{ secrets.A }}', AZURE_CLIENT_SECRET: '${{ secrets.B }}' }), ['staticAzureEnv@6:7', 'staticAzureEnv@7:7']],
    ['ARM_CLIENT_SECRET from a previous job (runtime)', env({ ARM_CLIENT_SECRET: '${{ needs.setup.outputs.secret }}' }), []],
    ['ARM_USE_OIDC', env({ ARM_USE_OIDC: 'true', ARM_CLIENT_ID: '${{ vars.ID }}' }), []],
  ] as const)('%s', async (_, text, expected) => {
    expect(brief(await lintTree({ [WF]: text }, ID))).toEqual(expected);
  });

  it('names the action and the origin', async () => {
    const [f] = await lintTree({ [WF]: step('azure/login@v2', { creds: '${{ secrets.AZURE_CREDENTIALS }}' }) }, ID);
    expect(f.message).toBe(
      'azure/login is given a service principal secret (creds from a repository secret; the action reads creds only to log in with its clientSecret); use client-id, tenant-id and subscription-id with a federated identity credential (GitHub OIDC) and id-token: write instead.',
    );
    expect(f.level).toBe('error');
  });

  it('judges a key a local composite action forwards at the caller', async () => {
    const action = 'inputs:\n  key:\n    required: true\nruns:\n  using: composite\n  steps:\n    - uses: google-github-actions/auth@v2\n      with:\n        credentials_json: ${{ inputs.key }}\n';
    const wf = 'on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/gcp\n        with:\n          key: ${{ secrets.GCP_KEY }}\n';
    const f = await lintTree({ [WF]: wf, '.github/actions/gcp/action.yml': action }, ID);
    expect(brief(f)).toEqual(['staticGcpKey@8:16']);
    expect(f[0].related.map((r) => `${r.loc.file.split('/').slice(-2).join('/')}@${r.loc.start.line}:${r.loc.start.column}`)).toEqual(['gcp/action.yml@9:9']);
  });
});
