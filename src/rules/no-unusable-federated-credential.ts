import { createRule } from '../engine/create-rule.js';
import { AZURE_TOKEN_EXCHANGE_AUDIENCE, parseAzureExpression, type AzureFederatedCredential } from '../model/azure.js';
import { knownText, parseGitHubIssuer } from '../model/claims.js';
import { azureCredentialName } from '../model/claims/azure.js';

/** The issuer as GitHub tokens carry it (`iss`), for a GitHub issuer host. */
function issuerUrl(host: string): string {
  return `https://${host}`;
}

/**
 * Whether a credential is meant for GitHub Actions: its issuer is a GitHub issuer (however it is
 * spelled), or its subject or expression is written in GitHub's `repo:` form. Credentials of other
 * issuers (AKS service accounts, Terraform Cloud, GitLab) are not judged.
 */
function forGitHub(c: AzureFederatedCredential): boolean {
  const issuer = c.issuer && knownText(c.issuer);
  if (issuer !== undefined && parseGitHubIssuer(issuer)) return true;
  if (issuer !== undefined && /githubusercontent|github\.com/i.test(issuer)) return true;
  if (issuer !== undefined) return false;
  const text = (c.subject && knownText(c.subject)) ?? (c.expression && knownText(c.expression)) ?? '';
  return /(^|')repo:/.test(text);
}

export default createRule({
  id: 'no-unusable-federated-credential',
  meta: {
    kind: 'problem',
    appliesTo: ['trust-policy'],
    clouds: ['azure'],
    severity: 'high',
    defaultLevel: 'error',
    docs: {
      description: 'An Azure federated identity credential for GitHub Actions must be written so that GitHub tokens can match it: the issuer exactly as GitHub sends it, the audience the workflows request, and a subject without wildcards (or a flexible credential).',
      rationale:
        'Clouds: Azure (Terraform `azurerm_federated_identity_credential`, `azuread_application_federated_identity_credential`, `azuread_application_flexible_federated_identity_credential`; ARM/Bicep `Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials` and `Microsoft.Graph/applications/federatedIdentityCredentials`). Microsoft Entra ID exchanges a GitHub token only for a credential whose issuer, subject and audience match the token: a classic credential compares the subject exactly, so `repo:octo-org/octo-repo:*` or `repo:octo-org/*` is a literal string no token carries (wildcards need a flexible credential, whose `claimsMatchingExpression` uses `matches`), and every login fails with AADSTS70021 "No matching federated identity record found". The issuer must be GitHub\'s `https://token.actions.githubusercontent.com` as written in the token; a trailing slash or a missing scheme is a different string (Entra\'s normalisation of it is UNCONFIRMED, so that is a warning). azure/login requests the audience `api://AzureADTokenExchange` unless the step sets `audience:`; a credential without it refuses those logins (a warning: the workflow may set the same custom audience). Credentials for other issuers (AKS service accounts, Terraform Cloud, GitLab) are not judged. What a correct credential admits — every repository of an owner, pull requests — is judged by the trust rules (no-wildcard-subject, no-overbroad-trust, …).',
      remediation:
        'Write one credential per subject GitHub sends (`repo:OWNER/REPO:environment:NAME`, `repo:OWNER/REPO:ref:refs/heads/BRANCH`, …; up to 20 per identity), or use a flexible credential (`claims[\'sub\'] matches \'repo:OWNER/REPO:ref:refs/heads/*\'`). Set issuer to `https://token.actions.githubusercontent.com` and the audience to `api://AzureADTokenExchange` (or the `audience:` your azure/login steps pass).',
      references: [
        'https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation-considerations',
        'https://learn.microsoft.com/en-us/graph/api/resources/federatedidentitycredential',
        'https://learn.microsoft.com/en-us/entra/workload-id/workload-identities-flexible-federated-identity-credentials',
        'https://github.com/Azure/login#login-with-openid-connect-oidc-recommended',
      ],
      recommended: true,
    },
    messages: {
      wildcardSubject:
        'The subject "{{subject}}" of {{name}} contains "{{wildcard}}", but a federated identity credential compares the subject exactly: no GitHub token matches it, and every login with this credential fails (AADSTS70021). List each subject, or use a flexible credential (claimsMatchingExpression with matches).',
      issuerSpelling: 'The issuer "{{issuer}}" of {{name}} is not written as GitHub tokens carry it ("{{expected}}"): Microsoft Entra matches the issuer as written, so logins may be refused. Write {{expected}}.',
      noExchangeAudience:
        '{{name}} accepts the audience {{audiences}} but not {{expected}}, which azure/login requests unless a step sets audience: — jobs that do not pass the same audience are refused.',
      unreadableExpression: 'oidc-lint cannot read the claims matching expression of {{name}} ({{why}}), so it cannot tell which workflows it admits.',
    },
    schema: [],
  },
  create(context) {
    return {
      'Project:exit'(project) {
        for (const c of project.azure?.credentials ?? []) {
          if (!forGitHub(c)) continue;
          const name = azureCredentialName(c);
          const issuer = c.issuer && knownText(c.issuer);
          const gh = issuer === undefined ? undefined : parseGitHubIssuer(issuer);
          if (c.issuer && issuer !== undefined && gh && gh.kind !== 'legacy' && issuer !== issuerUrl(gh.host))
            context.report({ node: c.issuer, messageId: 'issuerSpelling', data: { issuer, name, expected: issuerUrl(gh.host) }, maxLevel: 'warn', confidence: 'medium' });
          const subject = c.subject && !c.expression ? knownText(c.subject) : undefined;
          const wildcard = subject === undefined ? undefined : /[*?]/.exec(subject)?.[0];
          if (c.subject && subject !== undefined && wildcard) context.report({ node: c.subject, messageId: 'wildcardSubject', data: { subject, name, wildcard } });
          if (c.expression) {
            const text = knownText(c.expression);
            const parsed = text === undefined ? undefined : parseAzureExpression(text);
            if (parsed && 'error' in parsed) context.report({ node: c.expression, messageId: 'unreadableExpression', data: { name, why: parsed.error }, maxLevel: 'warn', confidence: 'low', severity: 'low' });
          }
          const audiences = c.audiences.map((a) => knownText(a));
          // The sovereign clouds' audiences (api://AzureADTokenExchangeUSGov, …) are accepted as written.
          if (audiences.length && audiences.every((a) => a !== undefined && !/^api:\/\/AzureADTokenExchange/i.test(a)))
            context.report({
              node: c.audiences[0],
              messageId: 'noExchangeAudience',
              data: { name, audiences: audiences.join(', '), expected: AZURE_TOKEN_EXCHANGE_AUDIENCE },
              maxLevel: 'warn',
              confidence: 'medium',
            });
        }
      },
    };
  },
});
