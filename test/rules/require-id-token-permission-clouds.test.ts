/**
 * require-id-token-permission for Google Cloud (google-github-actions/auth) and Azure (azure/login):
 * which inputs make the action request a GitHub OIDC token (docs/clouds.md, "Workflows").
 */
import { describe, expect, it } from 'vitest';
import { brief, lintTree, loadTree, WF } from '../helpers/project.js';

const ID = 'require-id-token-permission';
/** A workflow whose only job has `contents: read` (no id-token) and runs one step with these inputs. */
const job = (uses: string, inputs: Record<string, string>) =>
  `on: push\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ${uses}\n        with:\n` +
  Object.entries(inputs)
    .map(([k, v]) => `          ${k}: ${v}\n`)
    .join('');

describe(`${ID}: Google Cloud and Azure logins`, () => {
  it.each([
    ['google auth with a provider', 'google-github-actions/auth@v2', { workload_identity_provider: '${{ vars.WIF }}', service_account: 'sa@p.iam.gserviceaccount.com' }, ['missing@8:15']],
    ['google auth, direct federation (no service account)', 'google-github-actions/auth@v3', { workload_identity_provider: 'projects/1/locations/global/workloadIdentityPools/p/providers/g' }, ['missing@8:15']],
    ['google auth with a key', 'google-github-actions/auth@v2', { credentials_json: '${{ secrets.KEY }}' }, []],
    ['google auth with only a service account (the action fails: no provider, no key)', 'google-github-actions/auth@v2', { service_account: 'sa@p.iam.gserviceaccount.com' }, []],
    ['azure/login with client-id', 'azure/login@v2', { 'client-id': '${{ secrets.ID }}', 'tenant-id': '${{ secrets.T }}', 'subscription-id': '${{ secrets.S }}' }, ['missing@8:15']],
    ['azure/login with client-id and creds (creds is ignored)', 'Azure/login@v1', { 'client-id': '${{ secrets.ID }}', 'tenant-id': 't', creds: '${{ secrets.AZ }}' }, ['missing@8:15']],
    ['azure/login with creds only', 'azure/login@v2', { creds: '${{ secrets.AZURE_CREDENTIALS }}' }, []],
    ['azure/login with a managed identity', 'azure/login@v2', { 'auth-type': 'identity', 'client-id': '${{ secrets.ID }}' }, []],
    ['azure/login with an auth-type oidc-lint cannot read', 'azure/login@v2', { 'auth-type': '${{ inputs.auth }}', 'client-id': '${{ secrets.ID }}' }, []],
  ] as const)('%s', async (_, uses, inputs, expected) => {
    const f = await lintTree({ [WF]: job(uses, inputs) }, ID);
    expect(brief(f)).toEqual(expected);
  });

  it('names the action and points at the permissions block', async () => {
    const f = await lintTree({ [WF]: job('azure/login@v2', { 'client-id': 'x', 'tenant-id': 'y', 'allow-no-subscriptions': 'true' }) }, ID);
    expect(f[0].message).toContain('(azure/login with client-id)');
    expect(f[0].related.map((r) => `${r.loc.start.line}:${r.loc.start.column}`)).toEqual(['2:1']);
    expect(f[0].fix).toBeDefined();
  });

  it('follows a login made inside a local composite action', async () => {
    const action = 'runs:\n  using: composite\n  steps:\n    - uses: google-github-actions/auth@v2\n      with:\n        workload_identity_provider: ${{ inputs.provider }}\ninputs:\n  provider:\n    required: true\n';
    const wf = 'on: push\npermissions: {}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./.github/actions/gcp\n        with:\n          provider: projects/1/locations/global/workloadIdentityPools/p/providers/g\n';
    const f = await lintTree({ [WF]: wf, '.github/actions/gcp/action.yml': action }, ID);
    expect(brief(f)).toEqual(['missing@8:15']);
    expect(f[0].related.map((r) => `${r.loc.file.split('/').slice(-2).join('/')}@${r.loc.start.line}:${r.loc.start.column}`)).toEqual(['workflows/ci.yml@2:1', 'gcp/action.yml@4:13']);
  });

  it('derives the login once, with the audience the action requests', async () => {
    const project = await loadTree({
      [WF]:
        job('google-github-actions/auth@v2', { workload_identity_provider: 'projects/1/locations/global/workloadIdentityPools/p/providers/g' }) +
        '      - uses: azure/login@v2\n        with:\n          client-id: ${{ vars.ID }}\n          tenant-id: t\n          audience: api://AzureADTokenExchangeUSGov\n',
    });
    const logins = project.workflows[0].jobs[0].cloudLogins;
    expect(logins.map((l) => [l.cloud, l.audience.value, l.audience.defaulted, l.identity?.value])).toEqual([
      ['gcp', 'https://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/g', true, undefined],
      ['azure', 'api://AzureADTokenExchangeUSGov', false, '${{ vars.ID }}'],
    ]);
    expect(project.workflows[0].jobs[0].roleAssumptions).toEqual([]);
  });
});
