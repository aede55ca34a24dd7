import { createRule } from '../engine/create-rule.js';
import { WEB_IDENTITY_ACTION, actionApplies, githubIssuerOfPrincipal, isAllow, knownText } from '../model/claims.js';

/** Actions that grant every STS action (or every action of every service). */
const BROAD = new Set(['*', 'sts:*']);

export default createRule({
  id: 'require-web-identity-action',
  meta: {
    kind: 'problem',
    appliesTo: ['trust-policy'],
    severity: 'high',
    defaultLevel: 'error',
    docs: {
      description: 'A statement that trusts a GitHub OIDC provider must allow `sts:AssumeRoleWithWebIdentity`, and only the STS actions it needs.',
      rationale:
        'GitHub tokens are exchanged with `sts:AssumeRoleWithWebIdentity`. A statement that trusts the GitHub provider for `sts:AssumeRole` only — the default of CDK\'s `FederatedPrincipal` — cannot be used by any workflow: every run fails with "Not authorized to perform sts:AssumeRoleWithWebIdentity". `sts:*`, `*` or a `NotAction` grant every other STS action to the federated principal as well.',
      remediation:
        'Set `"Action": "sts:AssumeRoleWithWebIdentity"` (in CDK use `WebIdentityPrincipal` / `OpenIdConnectPrincipal`, or pass it as the third argument of `FederatedPrincipal`). Add `sts:TagSession` only if you pass session tags.',
      references: [
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html',
        'https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_iam.FederatedPrincipal.html',
      ],
      recommended: true,
    },
    messages: {
      missingAction: 'The statement trusts {{issuer}} but allows {{actions}}, not sts:AssumeRoleWithWebIdentity: no workflow can assume this role.',
      excludedAction: 'The statement trusts {{issuer}} but NotAction {{actions}} excludes sts:AssumeRoleWithWebIdentity: no workflow can assume this role.',
      broadAction: '"{{action}}" grants every STS action to GitHub tokens; allow sts:AssumeRoleWithWebIdentity only.',
      notAction: 'NotAction in a statement for a federated principal allows every action it does not list; list sts:AssumeRoleWithWebIdentity in Action instead.',
    },
    schema: [],
  },
  create(context) {
    return {
      Statement(st) {
        if (!isAllow(st)) return;
        const principal = st.principals.find((p) => p.kind.toLowerCase() === 'federated' && githubIssuerOfPrincipal(p.value.value));
        if (!principal) return;
        const issuer = githubIssuerOfPrincipal(principal.value.value)!;
        const applies = actionApplies(st, WEB_IDENTITY_ACTION);
        if (applies === false) {
          if (st.actions.length) context.report({ node: st.actions[0], messageId: 'missingAction', data: { issuer: issuer.host, actions: st.actions.map((a) => a.value).join(', ') } });
          else if (st.notActions.length) context.report({ node: st.notActions[0], messageId: 'excludedAction', data: { issuer: issuer.host, actions: st.notActions.map((a) => a.value).join(', ') } });
          return;
        }
        if (st.notActions.length) {
          context.report({ node: st.notActions[0], messageId: 'notAction', severity: 'low' });
          return;
        }
        for (const a of st.actions) {
          const t = knownText(a);
          if (t !== undefined && BROAD.has(t.toLowerCase())) context.report({ node: a, messageId: 'broadAction', data: { action: t }, severity: 'low' });
        }
      },
    };
  },
});
