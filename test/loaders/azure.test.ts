/** Azure federated identity credentials from Terraform and ARM templates (loaders/azure/). */
import { describe, expect, it } from 'vitest';
import { loadTree } from '../helpers/project.js';
import type { AzureFederatedCredential } from '../../src/model/azure.js';

const at = (v: { loc: { start: { line: number; column: number } } } | undefined) => (v ? `${v.loc.start.line}:${v.loc.start.column}` : undefined);
const brief = (c: AzureFederatedCredential) => ({
  id: c.origin.logicalId,
  owner: c.owner,
  issuer: c.issuer?.value,
  subject: c.subject ? `${c.subject.value}@${at(c.subject)}${c.subject.resolution === 'unresolved' ? ' (unresolved)' : ''}` : undefined,
  expression: c.expression?.value,
  audiences: c.audiences.map((a) => `${a.value}@${at(a)}`),
  parent: c.parent?.raw,
});

describe('Azure federated identity credentials: Terraform', () => {
  it('reads the three credential resources, with for_each instances and positions', async () => {
    const tf = [
      'variable "envs" {',
      '  default = ["prod", "dev"]',
      '}',
      'resource "azurerm_federated_identity_credential" "env" {',
      '  for_each  = toset(var.envs)',
      '  name      = "gh-${each.key}"',
      '  parent_id = azurerm_user_assigned_identity.gh.id',
      '  audience  = ["api://AzureADTokenExchange"]',
      '  issuer    = "https://token.actions.githubusercontent.com"',
      '  subject   = "repo:octo-org/octo-repo:environment:${each.key}"',
      '}',
      'resource "azuread_application_federated_identity_credential" "main" {',
      '  application_object_id = azuread_application.gh.object_id',
      '  display_name          = "main"',
      '  audiences             = ["api://AzureADTokenExchange"]',
      '  issuer                = "https://token.actions.githubusercontent.com"',
      '  subject               = "repo:octo-org/octo-repo:ref:refs/heads/${var.branch}"',
      '}',
      'resource "azuread_application_flexible_federated_identity_credential" "rel" {',
      '  application_id             = azuread_application.gh.id',
      '  display_name               = "rel"',
      '  audience                   = "api://AzureADTokenExchange"',
      '  issuer                     = "https://token.actions.githubusercontent.com"',
      "  claims_matching_expression = \"claims['sub'] matches 'repo:octo-org/octo-repo:ref:refs/heads/release/*'\"",
      '}',
      'resource "azurerm_user_assigned_identity" "gh" {',
      '  name = "id-github"',
      '}',
      '',
    ].join('\n');
    const project = await loadTree({ 'infra/azure.tf': tf });
    expect(project.azure?.credentials.map(brief)).toEqual([
      { id: 'azurerm_federated_identity_credential.env["prod"]', owner: 'managed-identity', issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:octo-org/octo-repo:environment:prod@10:15', expression: undefined, audiences: ['api://AzureADTokenExchange@8:16'], parent: 'azurerm_user_assigned_identity.gh.id' },
      { id: 'azurerm_federated_identity_credential.env["dev"]', owner: 'managed-identity', issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:octo-org/octo-repo:environment:dev@10:15', expression: undefined, audiences: ['api://AzureADTokenExchange@8:16'], parent: 'azurerm_user_assigned_identity.gh.id' },
      { id: 'azuread_application_federated_identity_credential.main', owner: 'application', issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:octo-org/octo-repo:ref:refs/heads/${var.branch}@17:27 (unresolved)', expression: undefined, audiences: ['api://AzureADTokenExchange@15:28'], parent: 'azuread_application.gh.object_id' },
      { id: 'azuread_application_flexible_federated_identity_credential.rel', owner: 'application', issuer: 'https://token.actions.githubusercontent.com', subject: undefined, expression: "claims['sub'] matches 'repo:octo-org/octo-repo:ref:refs/heads/release/*'", audiences: ['api://AzureADTokenExchange@22:32'], parent: 'azuread_application.gh.id' },
    ]);
    expect(project.azure?.identities.map((i) => [i.origin.logicalId, i.name?.value])).toEqual([['azurerm_user_assigned_identity.gh', 'id-github']]);
  });
});

describe('Azure federated identity credentials: ARM templates', () => {
  const template = (resources: unknown, parameters: unknown = {}) => JSON.stringify({ $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0', parameters, resources }, null, 2);
  it('reads nested and top-level credentials, evaluating parameters and format()', async () => {
    const text = template(
      [
        {
          type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
          name: 'id-gh',
          resources: [{ type: 'federatedIdentityCredentials', name: 'main', properties: { issuer: 'https://token.actions.githubusercontent.com', subject: "[format('repo:{0}/{1}:ref:refs/heads/main', parameters('org'), parameters('repo'))]", audiences: ['api://AzureADTokenExchange'] } }],
        },
        {
          type: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials',
          name: "[format('{0}/{1}', 'id-gh', 'flex')]",
          properties: { issuer: 'https://token.actions.githubusercontent.com', claimsMatchingExpression: { value: "claims['sub'] matches 'repo:octo-org/*'", languageVersion: 1 }, audiences: ['api://AzureADTokenExchange'] },
        },
      ],
      { org: { type: 'string', defaultValue: 'octo-org' }, repo: { type: 'string' } },
    );
    const project = await loadTree({ 'deploy/main.json': text });
    const creds = project.azure?.credentials ?? [];
    expect(creds.map((c) => [c.origin.logicalId, c.owner, c.parent?.value, c.subject?.value, c.subject?.resolution, c.expression?.value])).toEqual([
      ['main', 'managed-identity', 'id-gh', "repo:octo-org/[parameters('repo')]:ref:refs/heads/main", 'unresolved', undefined],
      ["[format('{0}/{1}', 'id-gh', 'flex')]", 'managed-identity', 'id-gh', undefined, undefined, "claims['sub'] matches 'repo:octo-org/*'"],
    ]);
    expect(creds[0].subject?.parts?.map((p) => p.known)).toEqual([true, true, true, false, true]);
    expect(at(creds[0].subject)).toBe('23:24');
    expect(project.loadErrors).toEqual([]);
  });
  it('reads language version 2.0 (symbolic names) and Microsoft Graph credentials', async () => {
    const text = template({
      app: { type: 'Microsoft.Graph/applications@v1.0', uniqueName: 'gh' },
      fic: { type: 'Microsoft.Graph/applications/federatedIdentityCredentials@v1.0', name: "[format('{0}/{1}', 'gh', 'main')]", issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:octo-org/octo-repo:pull_request', audiences: ['api://AzureADTokenExchange'] },
    });
    const project = await loadTree({ 'deploy/graph.json': text });
    expect(project.azure?.credentials.map((c) => [c.owner, c.subject?.value])).toEqual([['application', 'repo:octo-org/octo-repo:pull_request']]);
  });
  it('gives up on expressions nested too deeply (an unknown part, no crash)', async () => {
    const deep = `[${'concat('.repeat(5000)}'x'${')'.repeat(5000)}]`;
    const text = template([{ type: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials', name: 'id/x', properties: { issuer: 'https://token.actions.githubusercontent.com', subject: deep, audiences: ['api://AzureADTokenExchange'] } }]);
    const project = await loadTree({ 'deploy/deep.json': text });
    expect(project.azure?.credentials.map((c) => c.subject?.resolution)).toEqual(['unresolved']);
  });
  it('leaves other JSON alone', async () => {
    const project = await loadTree({ 'package.json': '{"name":"x"}', 'deploy/other.json': template([{ type: 'Microsoft.Storage/storageAccounts', name: 'st' }]) });
    expect(project.azure?.credentials ?? []).toEqual([]);
    expect(project.loadErrors).toEqual([]);
  });
});
