import { createRule } from '../engine/create-rule.js';
import type { Severity } from '../engine/rule.js';
import type { Condition } from '../model/iam.js';
import {
  GITHUB_CLAIMS,
  canonicalOperator,
  diagnoseConditionKey,
  isAllow,
  isNegatedOperator,
  issuersOfStatement,
  knownText,
  type GitHubIssuer,
  claimInfo,
  suggestClaim,
} from '../model/claims.js';
import { gcpConditionRefs, plainAssertionClaim, spanLocator, type GcpTrust } from '../model/claims/gcp.js';

interface Options {
  /** GitHub claims to accept as evaluated by AWS beyond the built-in list (AWS adds keys over time). */
  additionalClaims?: string[];
}

/** The claims AWS evaluates for GitHub tokens, for messages (from the one allow-list in claims.ts). */
const EVALUATED = Object.entries(GITHUB_CLAIMS)
  .filter(([name, i]) => i.aws === 'evaluated' && i.presence !== 'never' && name !== 'sub' && name !== 'aud')
  .map(([name]) => name)
  .join(', ');

/** What an absent key does to this condition: `never` (false), `always` (true). */
function whenAbsent(c: Condition): 'never' | 'always' {
  if (canonicalOperator(c.baseOperator) === 'Null') return 'always';
  if (c.ifExists || c.qualifier === 'ForAllValues') return 'always';
  if (c.qualifier === 'ForAnyValue') return 'never';
  return isNegatedOperator(c.baseOperator) ? 'always' : 'never';
}

export default createRule<[Options]>({
  id: 'no-unknown-condition-key',
  meta: {
    kind: 'problem',
    appliesTo: ['trust-policy'],
    clouds: ['aws', 'gcp'],
    severity: 'high',
    defaultLevel: 'error',
    docs: {
      description: 'Condition keys for GitHub tokens must name the trusted provider exactly (`token.actions.githubusercontent.com:<claim>`, or the enterprise / GHES issuer) and a claim AWS evaluates.',
      rationale:
        'IAM does not validate condition key names: a key it never finds in the request is simply absent. A positive condition on such a key never matches (the role cannot be assumed); a negated, `…IfExists` or `ForAllValues:` condition on it is always true and restricts nothing — silently. Typical mistakes: `https://` in the key, the provider ARN as prefix, `token.actions.githubusercontent.com/sub` (slash instead of colon), the retired `vstoken.actions.githubusercontent.com` issuer, a key for github.com under an enterprise-issuer provider, a misspelled claim (`subb`), or a GitHub claim AWS does not expose (AWS evaluates `sub`, `aud` and, since 2026, a fixed list of GitHub claims). On Google Cloud, a workload identity pool provider\'s `attribute_condition` and `attribute_mapping` read the token as `assertion.<claim>` and the mapped attributes as `attribute.<name>`: a misspelled claim, or an attribute the mapping does not define, is never there — Google either refuses the provider or the test fails on every token (which one is not documented: these findings are warnings).',
      remediation: 'Write the key as the provider URL without `https://`, a colon, and a claim AWS evaluates, e.g. `token.actions.githubusercontent.com:sub`. Restrict other claims through a customised `sub` template instead.',
      references: [
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif',
        'https://docs.github.com/en/actions/reference/security/oidc#customizing-the-token-claims',
        'https://aws.amazon.com/about-aws/whats-new/2026/01/aws-sts-supports-validation-identity-provider-claims/',
        'https://cloud.google.com/iam/docs/workload-identity-federation#conditions',
      ],
      recommended: true,
    },
    messages: {
      scheme: 'Condition key "{{key}}" includes the URL scheme; AWS names provider keys without it ("{{expected}}"), so this key is never in the request.',
      arnPrefix: 'Condition key "{{key}}" uses the provider ARN as prefix; AWS names keys after the provider URL ("{{expected}}"), so this key is never in the request.',
      malformedKey: 'Condition key "{{key}}" has no ":<claim>" after the provider (did you mean "{{expected}}"?), so it is never in the request.',
      legacyIssuer: 'Condition key "{{key}}" uses the retired vstoken.actions.githubusercontent.com issuer; tokens come from token.actions.githubusercontent.com ("{{expected}}"), so this key is never in the request.',
      misspelledIssuer: 'Condition key "{{key}}" does not name the GitHub issuer (did you mean "{{expected}}"?), so it is never in the request.',
      issuerMismatch: 'Condition key "{{key}}" is for issuer {{issuer}}, but the statement trusts {{trusted}}; its tokens never carry this key (use "{{expected}}").',
      unknownClaim: 'Condition key "{{key}}": GitHub OIDC tokens have no claim "{{claim}}", so this key is never in the request.',
      misspelledClaim: 'Condition key "{{key}}": GitHub OIDC tokens have no claim "{{claim}}" (did you mean "{{suggestion}}"?), so this key is never in the request.',
      notEvaluated: 'Condition key "{{key}}": AWS does not evaluate the GitHub claim "{{claim}}" (it evaluates sub, aud and {{evaluated}}), so this key is never in the request.',
      unconfirmedClaim: 'Condition key "{{key}}": only secondary sources say AWS evaluates the GitHub claim "{{claim}}"; if it does not, this key is never in the request.',
      gcpUnknownClaim: 'The attribute condition of {{provider}} reads {{ref}}: GitHub OIDC tokens have no claim "{{claim}}", so the test cannot hold (how Google treats the missing claim is not documented: the token is refused or the condition rejected).',
      gcpMisspelledClaim: 'The attribute condition of {{provider}} reads {{ref}}: GitHub OIDC tokens have no claim "{{claim}}" (did you mean "{{suggestion}}"?), so the test cannot hold.',
      gcpUnmappedAttribute: 'The attribute condition of {{provider}} reads {{ref}}, which its attribute_mapping does not define: the test cannot hold (map it, e.g. "{{ref}}" = "assertion.{{name}}", or read assertion.{{name}}).',
      gcpMappingUnknownClaim: 'The attribute mapping of {{provider}} maps {{key}} from {{ref}}: GitHub OIDC tokens have no claim "{{claim}}", so the attribute is never set.',
      gcpUnmappedMember: '{{member}} names attribute.{{name}}, which provider {{provider}} does not map: this grant matches no identity of the pool.',
      neverMatches: 'With the key absent, {{operator}} is false: this statement never applies.',
      alwaysTrue: 'With the key absent, {{operator}} is true: this condition restricts nothing.',
    },
    schema: [
      {
        type: 'object',
        properties: { additionalClaims: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9_]+$' } } },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{}],
  },
  create(context, [options]) {
    const extra = options?.additionalClaims ?? [];
    const seenMembers = new Set<unknown>();
    /** Google Cloud: claims and attributes named in a provider's condition and mapping, attributes named in grants. */
    function gcp(t: GcpTrust) {
      const p = t.provider;
      const provider = p.origin.logicalId;
      const base = { severity: 'medium', confidence: 'medium', maxLevel: 'warn' } as const;
      if (t.grant) {
        for (const m of t.members ?? []) {
          const name = /\/attribute\.([A-Za-z_][A-Za-z0-9_]*)\//.exec(m.value.value)?.[1];
          if (!name || !p.attributeMapping || seenMembers.has(m.value)) continue;
          if (p.attributeMapping.some((x) => x.key.value.trim() === `attribute.${name}`)) continue;
          seenMembers.add(m.value);
          context.report({ ...base, node: m.value, messageId: 'gcpUnmappedMember', data: { member: m.value.value, name, provider } });
        }
        return;
      }
      for (const e of p.attributeMapping ?? []) {
        const claim = knownText(e.value) === undefined ? undefined : plainAssertionClaim(e.value.value);
        if (claim === undefined || claimInfo(claim)) continue;
        context.report({ ...base, node: e.value, messageId: 'gcpMappingUnknownClaim', data: { provider, key: e.key.value, ref: `assertion.${claim}`, claim } });
      }
      const cond = p.attributeCondition;
      const text = cond === undefined ? undefined : knownText(cond);
      if (cond === undefined || text === undefined) return;
      const refs = gcpConditionRefs(text, p.attributeMapping);
      if (!Array.isArray(refs)) return;
      const at = spanLocator(cond);
      for (const { ref, span } of refs) {
        const loc = at(span);
        if (ref.text.startsWith('assertion.') && ref.claim && !claimInfo(ref.claim)) {
          const suggestion = suggestClaim(ref.claim);
          if (suggestion) context.report({ ...base, loc, messageId: 'gcpMisspelledClaim', data: { provider, ref: ref.text, claim: ref.claim, suggestion } });
          else context.report({ ...base, loc, messageId: 'gcpUnknownClaim', data: { provider, ref: ref.text, claim: ref.claim } });
        } else if (ref.unmapped) {
          const name = ref.text.replace(/^attribute\./, '').replace(/^google\./, '');
          context.report({ ...base, loc, messageId: 'gcpUnmappedAttribute', data: { provider, ref: ref.text, name: name === 'subject' ? 'sub' : name } });
        }
      }
    }
    return {
      Trust(t) {
        if (t.cloud === 'gcp') gcp(t as GcpTrust);
      },
      Statement(st) {
        const trusted = issuersOfStatement(st).filter((i): i is GitHubIssuer => i.kind !== 'other');
        const allow = isAllow(st);
        for (const c of st.conditions) {
          const key = knownText(c.key);
          if (key === undefined) continue;
          const d = diagnoseConditionKey(key, trusted, extra);
          if (d.kind === 'ok' || d.kind === 'not-github') continue;
          // Statements that trust no GitHub provider: only keys that were clearly meant for GitHub.
          if (!trusted.length && !['scheme', 'arn-prefix', 'no-claim', 'legacy-issuer', 'misspelled-issuer'].includes(d.kind)) continue;
          const absent = whenAbsent(c);
          // Unconfirmed claims: only where a vanishing key would silently open the role (an Allow
          // condition that becomes true, a Deny that stops applying); a positive Allow fails closed.
          if (d.kind === 'unconfirmed' && allow !== (absent === 'always')) continue;
          // Impact: a restriction that silently vanishes (Allow, always true) is the dangerous case.
          const severity: Severity = d.kind === 'unconfirmed' ? 'low' : allow === (absent === 'always') ? 'high' : 'medium';
          const confidence = d.kind === 'unconfirmed' ? 'low' : 'high';
          const related = [{ loc: c.operator.loc, message: context.message(absent === 'always' ? 'alwaysTrue' : 'neverMatches', { operator: c.operator.value }) }];
          const base = { node: c.key, severity, confidence, related } as const;
          switch (d.kind) {
            case 'scheme':
              context.report({ ...base, messageId: 'scheme', data: { key, expected: d.expected } });
              break;
            case 'arn-prefix':
              context.report({ ...base, messageId: 'arnPrefix', data: { key, expected: d.expected } });
              break;
            case 'no-claim':
              context.report({ ...base, messageId: 'malformedKey', data: { key, expected: d.expected } });
              break;
            case 'legacy-issuer':
              context.report({ ...base, messageId: 'legacyIssuer', data: { key, expected: d.expected } });
              break;
            case 'misspelled-issuer':
              context.report({ ...base, messageId: 'misspelledIssuer', data: { key, expected: d.expected } });
              break;
            case 'issuer-mismatch':
              context.report({ ...base, messageId: 'issuerMismatch', data: { key, issuer: d.issuer, trusted: trusted.map((t) => t.host).join(', '), expected: d.expected } });
              break;
            case 'unknown-claim':
              if (d.suggestion) context.report({ ...base, messageId: 'misspelledClaim', data: { key, claim: d.claim, suggestion: d.suggestion } });
              else context.report({ ...base, messageId: 'unknownClaim', data: { key, claim: d.claim } });
              break;
            case 'not-evaluated':
              context.report({ ...base, messageId: 'notEvaluated', data: { key, claim: d.claim, evaluated: EVALUATED } });
              break;
            case 'unconfirmed':
              context.report({ ...base, messageId: 'unconfirmedClaim', data: { key, claim: d.claim } });
              break;
          }
        }
      },
    };
  },
});
