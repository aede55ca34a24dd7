/** `oidc-lint explain` for an Azure identity: its GitHub federated credentials and the repository's azure/login jobs. */
import { describe, expect, it } from 'vitest';
import { loadTree, WF } from './helpers/project.js';
import { explainRole, findAzureIdentities, renderExplanation } from '../src/explain.js';

const TF = `resource "azurerm_user_assigned_identity" "deploy" {
  name = "id-github-deploy"
}
resource "azurerm_federated_identity_credential" "prod" {
  parent_id = azurerm_user_assigned_identity.deploy.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://token.actions.githubusercontent.com"
  subject   = "repo:octo-org/octo-repo:environment:production"
}
resource "azurerm_federated_identity_credential" "main" {
  parent_id = azurerm_user_assigned_identity.deploy.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://token.actions.githubusercontent.com"
  subject   = "repo:octo-org/octo-repo:ref:refs/heads/main"
}
resource "azurerm_federated_identity_credential" "other" {
  parent_id = azurerm_user_assigned_identity.other.id
  audience  = ["api://AzureADTokenExchange"]
  issuer    = "https://token.actions.githubusercontent.com"
  subject   = "repo:octo-org/elsewhere:ref:refs/heads/main"
}
`;
const WORKFLOW = `on:
  push:
    branches: [main]
  pull_request:
permissions:
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: azure/login@v2
        with:
          client-id: \${{ secrets.AZURE_CLIENT_ID }}
          tenant-id: t
          allow-no-subscriptions: true
`;

describe('explain: Azure identities', () => {
  it('gathers the identity\'s credentials and judges the azure/login jobs against them', async () => {
    const project = await loadTree({ 'infra/id.tf': TF, [WF]: WORKFLOW });
    project.identity = { owner: 'octo-org', repo: 'octo-repo', defaultBranch: 'main', source: 'config' };
    const [role] = findAzureIdentities(project, 'azurerm_user_assigned_identity.deploy');
    const ex = explainRole(project, role);
    expect(ex.cloud).toBe('azure');
    expect(ex.issuers.map((i) => [i.issuer, i.repositories, i.patterns.map((p) => `${p.value}@${p.location}`)])).toEqual([
      ['token.actions.githubusercontent.com', ['octo-org/octo-repo'], [expect.stringMatching(/environment:production@.*id\.tf:8:15$/), expect.stringMatching(/ref:refs\/heads\/main@.*id\.tf:14:15$/)]],
    ]);
    expect(ex.jobs.map((j) => j.runs.map((r) => `${r.admitted}:${r.sub}`))).toEqual([['true:repo:octo-org/octo-repo:ref:refs/heads/main', 'false:repo:octo-org/octo-repo:pull_request']]);
    expect(renderExplanation(ex)).toContain('Azure identity azurerm_user_assigned_identity.deploy');
    expect(findAzureIdentities(project, 'id-github-unknown')).toEqual([]);
  });
});
