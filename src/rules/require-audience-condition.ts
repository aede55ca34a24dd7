import { createRule } from '../engine/create-rule.js';
import { AUDIENCES_OPTION_SCHEMA, expectedAudiences } from '../engine/audiences.js';
import type { OidcProvider, Statement } from '../model/iam.js';
import {
  canonicalOperator,
  conditionValueMatches,
  isAllow,
  isGitHubOwnerAudience,
  isNegatedOperator,
  isStringOperator,
  issuersOfStatement,
  mayConstrainClaim,
  parseConditionKey,
  knownText,
  policyVersion,
  providersOfStatement,
  sameIssuer,
  summaryOf,
  valueLanguage,
} from '../model/claims.js';

const AUD = new Set(['aud']);

interface Options {
  /** Audiences the role should accept; defaults to the shared `expectedAudiences` setting (sts.amazonaws.com). */
  audiences?: string[];
}

export default createRule<[Options]>({
  id: 'require-audience-condition',
  meta: {
    kind: 'problem',
    appliesTo: ['trust-policy'],
    severity: 'medium',
    defaultLevel: 'error',
    docs: {
      description: 'A GitHub OIDC trust policy must check the token audience (`aud`) against the audience your workflows request (`sts.amazonaws.com` by default).',
      rationale:
        'configure-aws-credentials requests tokens with audience `sts.amazonaws.com`. STS admits a token only if its audience is one of the OIDC provider\'s client IDs, and then the trust policy decides. A policy with no `aud` condition therefore accepts tokens minted for other services when the provider lists other client IDs (or when oidc-lint cannot see the provider); when the provider in the same scan lists only the expected audiences, STS already refuses the others and the missing condition is reported as a hardening warning (defence in depth: it keeps holding if a client ID is ever added). A policy whose `aud` is `https://github.com/<org>` (GitHub\'s default when no audience is requested, copied from old guides) never matches what the action sends, and every run fails with "Not authorized to perform sts:AssumeRoleWithWebIdentity". Each Allow statement is judged on its own; a Deny statement that refuses other audiences counts as the check.',
      remediation: 'Add `"StringEquals": { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }` (or the audience your workflows pass in `audience:`).',
      references: [
        'https://github.com/aws-actions/configure-aws-credentials#oidc-audience',
        'https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws',
      ],
      recommended: true,
    },
    messages: {
      missing: 'The trust policy does not check the token audience: add a StringEquals condition on {{issuer}}:aud = {{expected}}.',
      missingHardening:
        'The trust policy does not check the token audience. STS already refuses other audiences, since the OIDC provider for {{issuer}} lists only {{clientIds}}; add a StringEquals condition on {{issuer}}:aud = {{expected}} as defence in depth (it keeps holding if a client ID is ever added to the provider).',
      providerClientIds: 'The provider\'s client IDs, which STS checks before the trust policy.',
      unexpected: 'Audience "{{audience}}" is not what workflows request ({{expected}}): tokens from configure-aws-credentials will be refused.',
      githubDefault: 'Audience "{{audience}}" is GitHub\'s default audience (the owner URL), not what configure-aws-credentials requests ({{expected}}): every assume-role will fail.',
      wildcard: 'Audience pattern "{{audience}}" accepts tokens minted for any audience; use {{expected}}.',
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
      TrustPolicy(tp) {
        const summary = summaryOf(tp);
        const version = policyVersion(tp);
        for (const st of tp.statements) {
          if (!isAllow(st)) continue;
          for (const issuer of issuersOfStatement(st)) {
            if (issuer.kind === 'other') continue;
            const regions = summary.issuers.find((i) => sameIssuer(i.issuer.host, issuer.host))?.regions.filter((r) => r.statement === st) ?? [];
            if (!regions.length) continue;
            if (regions.some((r) => !r.audience.constrained)) {
              // A condition we cannot read may be the audience check.
              if (st.conditions.some((c) => mayConstrainClaim(c, AUD))) break;
              const principal = st.principals.find((p) => p.kind.toLowerCase() === 'federated') ?? st.principals[0];
              const confidence = principal?.value.resolution === 'unresolved' ? 'medium' : 'high';
              const providers = providersOfStatement(st, issuer.host, context.project.providers);
              const clientIds = onlyExpected(providers);
              if (clientIds) {
                const p = providers[0];
                context.report({
                  node: principal?.value ?? st,
                  messageId: 'missingHardening',
                  data: { issuer: issuer.host, expected: expectedText, clientIds: clientIds.join(', ') },
                  severity: 'low',
                  confidence,
                  maxLevel: 'warn',
                  related: [{ loc: p.clientIds[0].loc, message: context.message('providerClientIds') }],
                });
              } else context.report({ node: principal?.value ?? st, messageId: 'missing', data: { issuer: issuer.host, expected: expectedText }, confidence });
              break;
            }
            judgeValues(st, issuer.host, version);
            break;
          }
        }
      },
    };

    /**
     * The client IDs of the providers a statement may name, when there is at least one and every
     * one lists only expected audiences (all readable); undefined otherwise (provider unknown, or it
     * lists other client IDs).
     */
    function onlyExpected(providers: OidcProvider[]): string[] | undefined {
      if (!providers.length) return undefined;
      const ids = new Set<string>();
      for (const p of providers) {
        if (!p.clientIds.length) return undefined;
        for (const c of p.clientIds) {
          const text = knownText(c);
          if (text === undefined || !expected.includes(text)) return undefined;
          ids.add(text);
        }
      }
      return [...ids];
    }

    function judgeValues(st: Statement, issuerHost: string, version: ReturnType<typeof policyVersion>) {
      for (const c of st.conditions) {
        const k = parseConditionKey(c.key.value);
        if (!k?.github || k.claim !== 'aud' || !sameIssuer(k.github.host, issuerHost)) continue;
        const op = canonicalOperator(c.baseOperator);
        if (!isStringOperator(op) || isNegatedOperator(op)) continue;
        for (const v of c.values) {
          if (v.resolution === 'unresolved') continue;
          // A pattern made only of wildcards admits tokens minted for any relying party.
          if (valueLanguage(c, v, version).infinite && /^[*?]+$/.test(v.value)) {
            context.report({ node: v, messageId: 'wildcard', data: { audience: v.value, expected: expectedText } });
            continue;
          }
          if (expected.some((e) => conditionValueMatches(c, v, e, version) === true)) continue;
          context.report({ node: v, messageId: isGitHubOwnerAudience(v.value) ? 'githubDefault' : 'unexpected', data: { audience: v.value, expected: expectedText } });
        }
      }
    }
  },
});
