import { createRule } from '../engine/create-rule.js';
import { claimConditions, coversWebIdentity, githubIssuerOfStatement, isAllow, isGitHubOwnerAudience, isLikeOperator, isRestrictingCondition, matchStringOperator } from '../model/claims.js';

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
        'configure-aws-credentials requests tokens with audience `sts.amazonaws.com`. A policy with no `aud` condition also accepts tokens minted for other services; a policy whose `aud` is `https://github.com/<org>` (GitHub\'s default when no audience is requested, copied from old guides) never matches what the action sends, and every run fails with "Not authorized to perform sts:AssumeRoleWithWebIdentity".',
      remediation: 'Add `"StringEquals": { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }` (or the audience your workflows pass in `audience:`).',
      references: [
        'https://github.com/aws-actions/configure-aws-credentials#oidc-audience',
        'https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws',
      ],
      recommended: true,
    },
    messages: {
      missing: 'The trust policy does not check the token audience: add a StringEquals condition on {{issuer}}:aud = {{expected}}.',
      unexpected: 'Audience "{{audience}}" is not what workflows request ({{expected}}): tokens from configure-aws-credentials will be refused.',
      githubDefault: 'Audience "{{audience}}" is GitHub\'s default audience (the owner URL), not what configure-aws-credentials requests ({{expected}}): every assume-role will fail.',
      wildcard: 'Audience pattern "{{audience}}" accepts tokens minted for any audience; use {{expected}}.',
    },
    schema: [
      {
        type: 'object',
        properties: { audiences: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 } },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{}],
  },
  create(context, [options]) {
    const expected = options?.audiences ?? context.settings.expectedAudiences;
    const expectedText = expected.join(' or ');
    return {
      Statement(st) {
        if (!isAllow(st) || !coversWebIdentity(st)) return;
        const issuer = githubIssuerOfStatement(st);
        if (!issuer) return;
        const conds = claimConditions(st, 'aud').filter(isRestrictingCondition);
        if (!conds.length) {
          const principal = st.principals.find((p) => p.kind.toLowerCase() === 'federated');
          context.report({ node: principal?.value ?? st, messageId: 'missing', data: { issuer: issuer.host, expected: expectedText } });
          return;
        }
        for (const c of conds) {
          const like = isLikeOperator(c.baseOperator);
          for (const v of c.values) {
            const confidence = v.resolution === 'unresolved' ? 'low' : 'high';
            if (v.resolution === 'unresolved') continue;
            if (like && /^[*?]*$/.test(v.value)) {
              context.report({ node: v, messageId: 'wildcard', data: { audience: v.value, expected: expectedText }, confidence });
              continue;
            }
            if (expected.some((e) => matchStringOperator(c.baseOperator, v.value, e))) continue;
            const githubDefault = isGitHubOwnerAudience(v.value);
            context.report({ node: v, messageId: githubDefault ? 'githubDefault' : 'unexpected', data: { audience: v.value, expected: expectedText }, confidence });
          }
        }
      },
    };
  },
});
