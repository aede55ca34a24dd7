import { createRule } from '../engine/create-rule.js';
import { AUDIENCES_OPTION_SCHEMA, expectedAudiences } from '../engine/audiences.js';
import { isGitHubOwnerAudience, knownText, parseGitHubIssuer } from '../model/claims.js';

interface Options {
  /** Audiences workflows request; defaults to the shared `expectedAudiences` setting (sts.amazonaws.com). */
  audiences?: string[];
}

export default createRule<[Options]>({
  id: 'require-provider-audience',
  meta: {
    kind: 'problem',
    appliesTo: ['oidc-provider'],
    severity: 'high',
    defaultLevel: 'error',
    docs: {
      description: 'The IAM OIDC provider for GitHub must list the audience your workflows request (`sts.amazonaws.com` by default) as a client ID, and use the current issuer URL.',
      rationale:
        'STS accepts a GitHub token only if its `aud` is in the provider\'s client-ID list; otherwise every assume-role fails with "Incorrect token audience" before the trust policy is even read. The classic mistake is following a guide that registers `https://github.com/<org>` (GitHub\'s default audience when none is requested), while configure-aws-credentials requests `sts.amazonaws.com`. A provider for the retired `vstoken.actions.githubusercontent.com` issuer (used until October 2021) matches no current token. Thumbprints are not checked: AWS validates GitHub\'s certificate against its own trusted CAs and ignores them.',
      remediation:
        'Add `sts.amazonaws.com` (or the audience your workflows pass in `audience:`) to the provider\'s client IDs — `aws iam add-client-id-to-open-id-connect-provider`, `ClientIdList` in CloudFormation, `client_id_list` in Terraform, `clientIds` in CDK — and create the provider for `https://token.actions.githubusercontent.com`.',
      references: [
        'https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws#adding-the-identity-provider-to-aws',
        'https://github.com/aws-actions/configure-aws-credentials#oidc',
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html',
      ],
      recommended: true,
    },
    messages: {
      missingAudience: 'The OIDC provider for {{issuer}} does not list {{expected}} among its client IDs ({{clientIds}}): tokens from configure-aws-credentials are refused with "Incorrect token audience".',
      githubDefault: 'Client ID "{{clientId}}" is GitHub\'s default audience (the owner URL), but configure-aws-credentials requests {{expected}}, which this provider does not list: every assume-role fails with "Incorrect token audience".',
      noClientIds: 'The OIDC provider for {{issuer}} has no client IDs: add {{expected}}, or every assume-role fails with "Incorrect token audience".',
      legacyUrl: 'Provider URL "{{url}}" is the issuer GitHub retired in 2021; tokens come from https://token.actions.githubusercontent.com, for which this account then has no provider.',
    },
    schema: [
      AUDIENCES_OPTION_SCHEMA,
    ],
    defaultOptions: [{}],
  },
  create(context, [options]) {
    const expected = expectedAudiences(options, context.settings);
    const expectedText = expected.join(' or ');
    return {
      OidcProvider(p) {
        const url = knownText(p.url);
        if (url === undefined) return;
        const issuer = parseGitHubIssuer(url);
        if (!issuer) return;
        if (issuer.kind === 'legacy') {
          context.report({ node: p.url, messageId: 'legacyUrl', data: { url } });
          return;
        }
        const known = p.clientIds.map((v) => ({ v, text: knownText(v) }));
        if (known.some((k) => k.text !== undefined && expected.includes(k.text))) return;
        // A client ID we cannot read might be the right one.
        if (known.some((k) => k.text === undefined)) return;
        if (!known.length) {
          context.report({ node: p.url, messageId: 'noClientIds', data: { issuer: issuer.host, expected: expectedText } });
          return;
        }
        const owner = known.find((k) => isGitHubOwnerAudience(k.text!));
        if (owner) {
          context.report({ node: owner.v, messageId: 'githubDefault', data: { clientId: owner.text!, expected: expectedText } });
          return;
        }
        context.report({ node: known[0].v, messageId: 'missingAudience', data: { issuer: issuer.host, expected: expectedText, clientIds: known.map((k) => k.text).join(', ') } });
      },
    };
  },
});
