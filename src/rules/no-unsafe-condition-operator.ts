import { createRule } from '../engine/create-rule.js';
import type { Condition } from '../model/iam.js';
import {
  awsEvaluation,
  canonicalOperator,
  claimInfo,
  hasLiteralWildcard,
  isAllow,
  isKnownOperator,
  isNegatedOperator,
  issuersOfStatement,
  knownText,
  parseConditionKey,
  sameIssuer,
} from '../model/claims.js';

/** Claims that identify the workflow run: a negated operator alone on them admits everyone else. */
const SUBJECT_CLAIMS = new Set(['sub', 'job_workflow_ref']);

interface Options {
  /** Also note `ForAnyValue:` on single-valued claims (fail-closed, so off by default). */
  forAnyValue?: boolean;
}

export default createRule<[Options]>({
  id: 'no-unsafe-condition-operator',
  meta: {
    kind: 'problem',
    appliesTo: ['trust-policy'],
    severity: 'high',
    defaultLevel: 'error',
    docs: {
      description: 'Conditions on GitHub token claims must use operators that restrict: no `ForAllValues:`, no `…IfExists`, no negated operator as the only subject check, no wildcards under `StringEquals`.',
      rationale:
        'GitHub claims are single-valued. `ForAllValues:` is true when the key is absent — a misspelled key, a claim the job lacks (`environment` on a job without one), a key AWS does not evaluate — so it grants instead of restricting (AWS: "do not use ForAllValues with an Allow effect"; configure-aws-credentials warns about it). `…IfExists` is likewise true when the key is absent. `StringNotLike` / `StringNotEquals` as the only `sub` condition admit every repository they do not name. Under `StringEquals` the characters `*` and `?` are literal, so the value never matches a real token. `ForAnyValue:` on a single-valued claim is fail-closed (false when the claim is absent) and behaves like the plain operator, so it is not reported unless the `forAnyValue` option asks for a note (always a warning). An operator IAM does not know makes the whole policy invalid.',
      remediation:
        'Use `StringEquals` for exact values and `StringLike` for patterns, without set qualifiers or `IfExists`, and restrict `sub` with a positive condition (add a Deny statement if you also need exclusions).',
      references: [
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html',
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
        'https://github.com/aws-actions/configure-aws-credentials#oidc',
      ],
      recommended: true,
    },
    messages: {
      forAllValues: '{{operator}} on {{key}} is true when the key is absent from the request (a claim the token lacks, a misspelled key): use {{suggested}} instead.',
      ifExists: '{{operator}} on {{key}} is true when the key is absent from the request: use {{suggested}} instead.',
      negatedOnly: '{{operator}} is the only condition on {{key}}: it admits every workflow it does not name. Restrict {{key}} with StringEquals or StringLike (and keep exclusions in a Deny statement).',
      literalWildcard: 'Under {{operator}} the value "{{value}}" is compared literally ("*" and "?" are not wildcards), so it never matches a GitHub token: use {{suggested}}.',
      forAnyValue: '{{operator}} on the single-valued claim {{key}} behaves like {{suggested}} (it is false when the claim is absent, so it does not widen the check); the set qualifier only obscures it.',
      unknownOperator: 'IAM does not know the condition operator "{{operator}}": the policy is rejected as malformed.',
    },
    schema: [
      {
        type: 'object',
        properties: { forAnyValue: { type: 'boolean' } },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ forAnyValue: false }],
  },
  create(context, [options]) {
    return {
      Statement(st) {
        const trusted = issuersOfStatement(st).filter((i) => i.kind !== 'other');
        const allow = isAllow(st);
        const subjectPositive = (claim: string) =>
          st.conditions.some((c) => {
            const k = parseConditionKey(c.key.value);
            return !!k?.github && k.claim === claim && !isNegatedOperator(canonicalOperator(c.baseOperator)) && canonicalOperator(c.baseOperator) !== 'Null';
          });
        for (const c of st.conditions) {
          if (c.operator.resolution === 'unresolved') continue;
          const keyText = knownText(c.key);
          const k = keyText === undefined ? undefined : parseConditionKey(keyText);
          const github = !!k?.github;
          if (!isKnownOperator(c.baseOperator) || /^[^:]+:/.test(c.operator.value.replace(/^(ForAllValues|ForAnyValue):/i, ''))) {
            if (github || trusted.length) context.report({ node: c.operator, messageId: 'unknownOperator', data: { operator: c.operator.value } });
            continue;
          }
          if (!github || !k) continue;
          const op = canonicalOperator(c.baseOperator);
          const data = { operator: c.operator.value, key: c.key.value, suggested: op };
          for (const v of c.values)
            if (hasLiteralWildcard(c, v))
              context.report({ node: v, messageId: 'literalWildcard', data: { operator: c.operator.value, value: v.value, suggested: op.replace('Equals', 'Like').replace('LikeIgnoreCase', 'Like') }, severity: 'medium' });
          if (!allow) continue;
          if (c.qualifier === 'ForAllValues') {
            context.report({ node: c.operator, messageId: 'forAllValues', data, severity: mayBeAbsent(c, trusted) ? 'critical' : 'high' });
            continue;
          }
          if (c.ifExists) {
            context.report({ node: c.operator, messageId: 'ifExists', data, severity: mayBeAbsent(c, trusted) ? 'high' : 'medium' });
            continue;
          }
          if (isNegatedOperator(op) && SUBJECT_CLAIMS.has(k.claim) && !subjectPositive('sub') && !subjectPositive('job_workflow_ref')) {
            context.report({ node: c.operator, messageId: 'negatedOnly', data: { operator: c.operator.value, key: c.key.value }, severity: 'critical' });
            continue;
          }
          // An operator a construct writes (aws-cdk-github-oidc's GithubActionsRole: ForAnyValue:StringLike on
          // sub) has no source text: its users did not choose it and cannot change it.
          if (c.qualifier === 'ForAnyValue' && options?.forAnyValue && c.operator.raw !== '') context.report({ node: c.operator, messageId: 'forAnyValue', data, severity: 'low', maxLevel: 'warn' });
        }
      },
    };

    /** Whether the condition's key can be missing from a GitHub web-identity request to this statement. */
    function mayBeAbsent(c: Condition, trusted: { host: string }[]): boolean {
      const k = parseConditionKey(c.key.value);
      if (!k?.github) return true;
      if (trusted.length && !trusted.some((t) => sameIssuer(t.host, k.github!.host))) return true;
      const ev = awsEvaluation(k.claim);
      if (ev !== 'evaluated') return true;
      return claimInfo(k.claim)?.presence !== 'always';
    }
  },
});

