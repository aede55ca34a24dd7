import { createRule } from '../engine/create-rule.js';
import { githubIssuerOfPrincipal, knownText, parseConditionKey, placeholdersOfValue, type PlaceholderSpan } from '../model/claims.js';
import type { Value } from '../model/location.js';

/** What the user should write in place of a placeholder, by what it stands for. */
const WHAT: Record<PlaceholderSpan['role'], string> = {
  owner: 'organisation or user name',
  repository: 'repository name',
  account: 'AWS account id (12 digits)',
  value: 'value',
};

/** Lower-case words (`repo:owner/repo`) are placeholders with less certainty than `<OWNER>` or `YOUR_ORG`. */
const certain = (spans: PlaceholderSpan[]) => spans.some((s) => s.text !== s.text.toLowerCase() || /^[<x]|change|replace|your/i.test(s.text));

export default createRule({
  id: 'no-unreplaced-placeholder',
  meta: {
    kind: 'problem',
    appliesTo: ['trust-policy'],
    severity: 'medium',
    defaultLevel: 'warn',
    docs: {
      description: 'A trust policy must not keep a placeholder from a guide (`<OWNER>`, `YOUR_ORG`, `OWNER/REPO`, `CHANGEME`, `xxx`) where a GitHub name or an AWS account id belongs.',
      rationale:
        'A placeholder is never a name GitHub gives (angle brackets and most of these words are not even valid names), so no token matches it and the role is unusable as written — or, in the provider ARN, IAM refuses the policy. It is also a sign that the policy was copied and half-edited: whoever fills it in will write a real name where the placeholder is, so oidc-lint also judges the pattern as if the placeholder were that name (`repo:<OWNER>/*` is reported by no-wildcard-subject as every repository of the organisation). IAM policy variables (`${aws:username}`) and unresolved IaC references (`${var.org}`) are not placeholders.',
      remediation: 'Replace the placeholder with your organisation, repository or account id, and narrow the pattern to the branch or environment that deploys.',
      references: ['https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html'],
      recommended: true,
    },
    messages: {
      placeholder: 'Placeholder never replaced ({{placeholder}}): no GitHub token carries it, so the role is unusable as written. Put your {{what}} there.',
      principal: 'Placeholder never replaced ({{placeholder}}) in the provider ARN: IAM refuses a trust policy whose principal is not a valid ARN. Put your {{what}} there.',
    },
    schema: [],
  },
  create(context) {
    // A placeholder that reached the value through a parameter or variable default may be
    // overridden at deploy time (`--parameter-overrides`, `-var`): less certain than one written in place.
    const report = (node: Value<string>, messageId: 'placeholder' | 'principal', spans: PlaceholderSpan[]) =>
      context.report({
        node,
        messageId,
        data: { placeholder: [...new Set(spans.map((s) => `"${s.text}"`))].join(', '), what: [...new Set(spans.map((s) => WHAT[s.role]))].join(' and ') },
        confidence: certain(spans) && node.resolution === 'literal' ? 'high' : 'medium',
      });
    return {
      Statement(st) {
        for (const p of st.principals) {
          if (p.kind.toLowerCase() !== 'federated' || !githubIssuerOfPrincipal(p.value.value)) continue;
          const spans = placeholdersOfValue(p.value, 'principal');
          if (spans.length) report(p.value, 'principal', spans);
        }
        for (const c of st.conditions) {
          const keyText = knownText(c.key);
          const k = keyText === undefined ? undefined : parseConditionKey(keyText);
          if (!k?.github) continue;
          for (const v of c.values) {
            const spans = placeholdersOfValue(v, k.claim);
            if (spans.length) report(v, 'placeholder', spans);
          }
        }
      },
    };
  },
});

