/**
 * Azure federated identity credentials: no-unusable-federated-credential (the credential as written)
 * and no-unassumable-role's Azure cross-check (azure/login against the credentials).
 */
import { describe, expect, it } from 'vitest';
import { brief, lintTree, loadTree, WF } from '../helpers/project.js';
import { lintProject } from '../../src/engine/linter.js';
import { rules } from '../../src/rules/index.js';

const fic = (attrs: Record<string, string>, type = 'azurerm_federated_identity_credential', name = 'gh') =>
  `resource "${type}" "${name}" {\n` +
  Object.entries(attrs)
    .map(([k, v]) => `  ${k} = ${v}\n`)
    .join('') +
  '}\n';
const ISSUER = '"https://token.actions.githubusercontent.com"';
const AUD = '["api://AzureADTokenExchange"]';

describe('no-unusable-federated-credential', () => {
  const ID = 'no-unusable-federated-credential';
  it.each([
    ['a classic subject with *', fic({ audience: AUD, issuer: ISSUER, subject: '"repo:octo-org/octo-repo:*"' }), ['wildcardSubject@4:13']],
    ['a classic subject with ?', fic({ audiences: AUD, issuer: ISSUER, subject: '"repo:octo-org/octo-rep?:ref:refs/heads/main"' }, 'azuread_application_federated_identity_credential'), ['wildcardSubject@4:13']],
    ['an exact subject', fic({ audience: AUD, issuer: ISSUER, subject: '"repo:octo-org/octo-repo:ref:refs/heads/main"' }), []],
    ['a subject from a variable', fic({ audience: AUD, issuer: ISSUER, subject: '"repo:octo-org/${var.repo}:ref:refs/heads/main"' }), []],
    ['a flexible credential with matches', fic({ audience: '"api://AzureADTokenExchange"', issuer: ISSUER, claims_matching_expression: `"claims['sub'] matches 'repo:octo-org/octo-repo:*'"` }, 'azuread_application_flexible_federated_identity_credential'), []],
    ['a flexible credential oidc-lint cannot read', fic({ audience: '"api://AzureADTokenExchange"', issuer: ISSUER, claims_matching_expression: `"claims['sub'] startswith 'repo:octo-org/'"` }, 'azuread_application_flexible_federated_identity_credential'), ['unreadableExpression@4:32']],
    ['an issuer with a trailing slash', fic({ audience: AUD, issuer: '"https://token.actions.githubusercontent.com/"', subject: '"repo:o/r:environment:prod"' }), ['issuerSpelling@3:12']],
    ['an issuer without scheme', fic({ audience: AUD, issuer: '"token.actions.githubusercontent.com"', subject: '"repo:o/r:environment:prod"' }), ['issuerSpelling@3:12']],
    ['an enterprise issuer', fic({ audience: AUD, issuer: '"https://token.actions.githubusercontent.com/octo-enterprise"', subject: '"repo:o/r:environment:prod"' }), []],
    ['GitHub\'s owner audience', fic({ audience: '["https://github.com/octo-org"]', issuer: ISSUER, subject: '"repo:o/r:environment:prod"' }), ['noExchangeAudience@2:15']],
    ['the US Government audience', fic({ audience: '["api://AzureADTokenExchangeUSGov"]', issuer: ISSUER, subject: '"repo:o/r:environment:prod"' }), []],
    ['an AKS service account with *', fic({ audience: AUD, issuer: '"https://westeurope.oic.prod-aks.azure.com/t/c/"', subject: '"system:serviceaccount:ns:*"' }), []],
    ['no issuer, a GitHub subject with *', fic({ audience: AUD, subject: '"repo:o/r:*"' }), ['wildcardSubject@3:13']],
  ] as const)('%s', async (_, tf, expected) => {
    expect(brief(await lintTree({ 'infra/main.tf': tf }, ID))).toEqual(expected);
  });

  it('reads ARM templates: a wildcard subject written through format()', async () => {
    const arm = JSON.stringify(
      {
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        parameters: { org: { type: 'string', defaultValue: 'octo-org' } },
        resources: [{ type: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials', name: 'id/gh', properties: { issuer: 'https://token.actions.githubusercontent.com', subject: "[format('repo:{0}/*', parameters('org'))]", audiences: ['api://AzureADTokenExchange'] } }],
      },
      null,
      2,
    );
    const f = await lintTree({ 'infra/id.json': arm }, ID);
    expect(brief(f)).toEqual(['wildcardSubject@15:20']);
    expect(f[0].message).toContain('"repo:octo-org/*" of id/gh (id)');
    expect(f[0].level).toBe('error');
  });
});

describe('no-unassumable-role: Azure logins', () => {
  const ID = 'no-unassumable-role';
  const login = (extra = '', on = 'push:\n    branches: [main]') =>
    `on:\n  ${on}\npermissions:\n  id-token: write\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n${extra}    steps:\n      - uses: azure/login@v2\n        with:\n          client-id: \${{ secrets.AZURE_CLIENT_ID }}\n          tenant-id: t\n          allow-no-subscriptions: true\n`;
  const tf = (subject: string) => fic({ parent_id: 'azurerm_user_assigned_identity.deploy.id', audience: AUD, issuer: ISSUER, subject: `"${subject}"` });
  const lint = async (files: Record<string, string>, roles: Record<string, string> = {}) => {
    const project = await loadTree(files);
    project.identity = { owner: 'octo-org', repo: 'octo-repo', defaultBranch: 'main', source: 'config' };
    const cfg = Object.fromEntries(rules.map((r) => [r.id, r.id === ID ? 'error' : 'off']));
    return lintProject(project, rules, { rules: cfg as never, settings: { repository: { owner: 'octo-org', repo: 'octo-repo', defaultBranch: 'main' }, roles } }).findings;
  };
  it.each([
    ['mapped identity refuses a branch run (error)', login(), 'repo:octo-org/octo-repo:environment:production', { 'secrets.AZURE_CLIENT_ID': 'azurerm_user_assigned_identity.deploy' }, ['azureRefused@12:22:error']],
    ['mapped identity admits the environment', login('    environment: production\n'), 'repo:octo-org/octo-repo:environment:production', { 'secrets.AZURE_CLIENT_ID': 'azurerm_user_assigned_identity.deploy' }, []],
    ['a mapping to another identity judges nothing', login(), 'repo:octo-org/octo-repo:environment:production', { 'secrets.AZURE_CLIENT_ID': 'azurerm_user_assigned_identity.other' }, []],
    ['no mapping: the repository\'s credentials refuse (warning)', login(), 'repo:octo-org/octo-repo:environment:production', {}, ['azureRefused@12:22:warn']],
    ['no mapping: credentials of another repository say nothing', login(), 'repo:octo-org/other:environment:production', {}, []],
    ['pull_request runs are refused by a branch credential', login('', 'pull_request'), 'repo:octo-org/octo-repo:ref:refs/heads/main', {}, ['azureRefused@11:22:warn']],
    ['the branch credential admits the push', login(), 'repo:octo-org/octo-repo:ref:refs/heads/main', {}, []],
  ] as const)('%s', async (_, wf, subject, roles, expected) => {
    const f = await lint({ [WF]: wf, 'infra/id.tf': tf(subject) }, roles);
    expect(f.map((x) => `${x.messageId}@${x.location.start.line}:${x.location.start.column}:${x.level}`)).toEqual(expected);
  });
});
