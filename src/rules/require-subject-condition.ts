import { createRule } from '../engine/create-rule.js';
import type { Condition, Statement } from '../model/iam.js';
import {
  canonicalOperator,
  isAllow,
  isNegatedOperator,
  issuersOfStatement,
  knownText,
  mayConstrainClaim,
  parseConditionKey,
  sameIssuer,
  summaryOf,
  type AdmittedRegion,
  type GitHubIssuer,
} from '../model/claims.js';
import { gcpGrantTarget, gcpPoolName, gcpWidestMember, type GcpTrust } from '../model/claims/gcp.js';
import { cloudTrusts } from '../model/trusts.js';
import { azureCredentialName, type AzureTrust } from '../model/claims/azure.js';

/** Claims whose positive conditions name who may assume the role. */
const IDENTITY_CLAIMS = new Set(['sub', 'job_workflow_ref', 'repository', 'repository_id', 'repository_owner_id']);
/** What AWS's identity-provider control requires for GitHub (domain.md §C.4). */
const GUARDRAIL_CLAIMS = new Set(['sub', 'job_workflow_ref']);
const GUARDRAIL_OPERATORS = new Set(['StringEquals', 'StringLike', 'StringEqualsIgnoreCase']);

function claimOf(c: Condition): string | undefined {
  const t = knownText(c.key);
  return t === undefined ? undefined : parseConditionKey(t)?.claim;
}

export default createRule({
  id: 'require-subject-condition',
  meta: {
    kind: 'problem',
    appliesTo: ['trust-policy'],
    clouds: ['aws', 'gcp', 'azure'],
    severity: 'critical',
    defaultLevel: 'error',
    docs: {
      description: 'A trust of GitHub tokens must restrict who presents them: an IAM role\'s trust policy the token subject (`sub`, or `job_workflow_ref`); a Google Cloud workload identity pool provider the owner, in its `attribute_condition`.',
      rationale:
        'The GitHub OIDC provider is shared by every repository on github.com. Without a condition on `sub`, any workflow in any repository — including an attacker\'s — can request a token with the right audience and assume the role. Datadog found hundreds of such roles in the wild. A negated operator (`StringNotLike`) as the only subject condition admits every repository it does not name; a condition on a key the token never carries (a misspelled key, a key for another issuer) restricts nothing when its operator is negated, `…IfExists` or `ForAllValues:`. `job_workflow_ref` alone names the workflow that runs, not who runs it: a reusable workflow in a public repository can be called from any repository of any owner, so a statement restricted only by `job_workflow_ref` is reported too (high severity, medium confidence: the workflow repository\'s visibility is not in the files). Each Allow statement is judged on its own — a second, looser statement defeats a tight one — and a Deny statement that limits the subject counts. Since 2025 IAM also refuses to create or update such policies unless they evaluate `sub` or `job_workflow_ref`. On Google Cloud, a workload identity pool provider for GitHub without an `attribute_condition`, or with one that does not pin the owner (only a branch, a workflow, or a negated test), lets every GitHub repository federate into the pool; judged together with the IAM grants to the pool (`principalSet://…/*` gives every identity of the pool), any repository can then act as the service account. Google refuses to create a GitHub provider without a condition since 2024, but providers created before keep working. A condition oidc-lint cannot read (CEL beyond ==, !=, &&, ||, !, in, startsWith/endsWith/contains) is reported as a warning of low confidence, never as an error. On Azure, a flexible federated identity credential whose `claimsMatchingExpression` tests neither the subject nor the repository (or only `job_workflow_ref`) admits any repository; a classic credential always names an exact subject.',
      remediation:
        'Add a `StringEquals` (or `StringLike`) condition on `token.actions.githubusercontent.com:sub` naming your repository and the branch or environment that deploys, e.g. `repo:octo-org/octo-repo:environment:production`. With `job_workflow_ref`, keep a condition on the caller as GitHub recommends: `sub` `repo:octo-org/*` (or `repository_owner_id`). On Google Cloud, set `attribute_condition = "assertion.repository_owner_id == \'123456\'"` (your organisation\'s numeric id) on the provider, and grant `roles/iam.workloadIdentityUser` to `principalSet://…/attribute.repository_id/<id>` rather than to the whole pool.',
      references: [
        'https://docs.github.com/en/actions/reference/security/oidc',
        'https://securitylabs.datadoghq.com/articles/exploring-github-to-aws-keyless-authentication-flaws/',
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc_secure-by-default.html',
        'https://cloud.google.com/iam/docs/workload-identity-federation-with-deployment-pipelines#conditions',
        'https://github.com/google-github-actions/auth/blob/main/docs/SECURITY_CONSIDERATIONS.md',
      ],
      recommended: true,
    },
    messages: {
      missing: 'Any GitHub repository can assume this role: the statement trusts {{issuer}} but has no condition on {{issuer}}:sub.',
      negatedOnly: 'Any GitHub repository can assume this role: the only subject condition is {{operator}}, which admits every repository it does not name.',
      absentKey: 'Any GitHub repository can assume this role: the only subject condition is on {{key}}, a key tokens from {{issuer}} never carry, and {{operator}} is true when the key is absent.',
      notRestricting: 'Any GitHub repository can assume this role: the subject condition ({{operator}}) does not restrict who can assume it.',
      workflowOnly:
        'The statement restricts only job_workflow_ref ("{{pattern}}"), not the caller: any repository whose job calls a matching reusable workflow can assume this role, of any owner when the workflow\'s repository is public. Add a condition on the caller: sub "repo:{{owner}}/*" (or your repositories), or repository_owner_id.',
      azureNoSubject: 'Any GitHub repository can log in as {{name}}: the claims matching expression of this flexible credential ("{{expression}}") tests neither the subject (claims[\'sub\']) nor the repository.',
      azureWorkflowOnly:
        'The flexible credential {{name}} tests only job_workflow_ref ("{{expression}}"), not the caller: any repository whose job calls a matching reusable workflow can log in, of any owner when the workflow\'s repository is public. Add claims[\'sub\'] matches \'repo:OWNER/*\' (or your repositories).',
      gcpNoCondition:
        'Any GitHub repository can federate into workload identity pool {{pool}}: provider {{provider}} trusts {{issuer}} and has no attribute_condition. (Google refuses to create such a GitHub provider since 2024; one created before keeps admitting every repository.)',
      gcpNoConditionNarrowGrants:
        'Any GitHub repository can federate into workload identity pool {{pool}}: provider {{provider}} trusts {{issuer}} and has no attribute_condition. The grants to the pool in these files each name one repository, but any grant to the whole pool, here or elsewhere, is open to every GitHub repository (and Google refuses to create such a GitHub provider since 2024).',
      gcpConditionOpen: 'Any GitHub repository of any owner can federate into workload identity pool {{pool}}: the attribute_condition of {{provider}} does not pin the repository owner.',
      gcpCannotTell: 'oidc-lint cannot tell whether the attribute_condition of {{provider}} pins the repository owner: {{why}}. Pin it with a test it can read (assertion.repository_owner_id == \'…\').',
      gcpGrantOpen: 'Any GitHub repository can act as {{target}}: {{member}} grants {{role}} to identities of pool {{pool}}, and provider {{provider}} admits every repository owner.',
      gcpRelatedProvider: 'Provider {{provider}} of pool {{pool}}: its attribute_condition does not pin the owner (or there is none).',
      guardrail: 'The statement pins the repository through {{key}} but does not evaluate {{issuer}}:sub or :job_workflow_ref with StringEquals or StringLike; IAM refuses to create or update such a trust policy for the shared GitHub provider.',
    },
    schema: [],
  },
  create(context) {
    return {
      Trust(t) {
        if (t.cloud === 'gcp') gcp(t as GcpTrust);
        else if (t.cloud === 'azure') azure(t as AzureTrust);
      },
      TrustPolicy(tp) {
        const summary = summaryOf(tp);
        for (const st of tp.statements) {
          if (!isAllow(st)) continue;
          for (const issuer of issuersOfStatement(st)) {
            if (issuer.kind === 'other') continue;
            const admission = summary.issuers.find((i) => sameIssuer(i.issuer.host, issuer.host));
            const regions = admission?.regions.filter((r) => r.statement === st) ?? [];
            if (!regions.length) continue;
            const open = regions.find(
              (r) => r.breadth === 'any-owner' && !r.sources.some((s) => IDENTITY_CLAIMS.has(claimOf(s.condition) ?? '') && !isNegatedOperator(canonicalOperator(s.condition.baseOperator))),
            );
            if (open) {
              report(st, issuer, open.uncertain);
              break;
            }
            const viaWorkflow = regions.find((r) => r.breadth === 'any-owner' && r.workflowOnly);
            if (viaWorkflow) {
              workflowOnly(st, viaWorkflow);
              break;
            }
            guardrail(st, issuer);
          }
        }
      },
    };

    /** Google Cloud: the provider alone (can any repository federate into the pool?) and each grant joined with it. */
    /**
     * Azure: a flexible credential whose expression does not test who presents the token (no
     * subject or repository test, or only job_workflow_ref). A classic credential always names a
     * subject; a wildcard in a subject test is no-wildcard-subject's.
     */
    function azure(t: AzureTrust) {
      const c = t.credential;
      if (!c.expression) return;
      const open = (t.admits().issuers[0]?.regions ?? []).find((r) => r.breadth === 'any-owner' && r.opaque.length === 0);
      if (!open) return;
      const identity = open.sources.some((x) => IDENTITY_CLAIMS.has(parseConditionKey(x.condition.key.value)?.claim ?? '') && parseConditionKey(x.condition.key.value)?.claim !== 'job_workflow_ref');
      if (identity) return;
      const data = { name: azureCredentialName(c), expression: c.expression.value };
      if (open.workflowOnly) context.report({ node: c.expression, messageId: 'azureWorkflowOnly', data, severity: 'high', confidence: 'medium' });
      else context.report({ node: c.expression, messageId: 'azureNoSubject', data });
    }

    function gcp(t: GcpTrust) {
      const p = t.provider;
      const issuer = t.admits().issuers[0];
      const open = issuer?.regions.filter((r) => r.breadth === 'any-owner') ?? [];
      if (!open.length) return;
      const unread = open.find((r) => r.opaque.length > 0);
      const certain = open.find((r) => r.opaque.length === 0);
      const data = { pool: gcpPoolName(p), provider: p.origin.logicalId, issuer: issuer.issuer.host };
      if (t.grant) {
        if (!certain) return; // said once, on the provider
        const m = gcpWidestMember(t);
        context.report({
          node: m?.value ?? t.grant,
          messageId: 'gcpGrantOpen',
          data: { ...data, target: gcpGrantTarget(t.grant), member: m?.value.value ?? '', role: t.grant.role?.value ?? 'a role' },
          confidence: certain.uncertain || t.grant.conditional ? 'medium' : 'high',
          related: [{ loc: p.attributeCondition?.loc ?? p.issuerUri?.loc ?? p.loc, message: context.message('gcpRelatedProvider', data) }],
        });
        return;
      }
      if (!p.attributeCondition) {
        // Judged with the grants to the pool: when every one of them names a repository, nothing here is open yet.
        const grants = cloudTrusts(context.project).filter((x): x is GcpTrust => x.cloud === 'gcp' && (x as GcpTrust).provider === p && !!(x as GcpTrust).grant);
        const narrow = grants.length > 0 && grants.every((g) => !g.admits().issuers[0]?.regions.some((r) => r.breadth === 'any-owner'));
        context.report({ node: p.issuerUri ?? p, messageId: narrow ? 'gcpNoConditionNarrowGrants' : 'gcpNoCondition', data, ...(narrow ? { maxLevel: 'warn' as const, severity: 'high' as const } : {}) });
        return;
      }
      if (certain) {
        context.report({ node: p.attributeCondition, messageId: 'gcpConditionOpen', data, confidence: certain.uncertain ? 'medium' : 'high' });
        return;
      }
      const why = String(unread?.opaque[0]?.values[0]?.value ?? 'part of it is not read');
      context.report({ node: p.attributeCondition, messageId: 'gcpCannotTell', data: { ...data, why }, maxLevel: 'warn', severity: 'medium', confidence: 'low' });
    }

    function principalValue(st: Statement) {
      return (st.principals.find((p) => p.kind.toLowerCase() === 'federated') ?? st.principals[0])?.value;
    }

    function report(st: Statement, issuer: GitHubIssuer, uncertain: boolean) {
      // A condition we cannot read (`"Condition": ${conditions}`, a key from a variable) may be the subject check.
      if (st.conditions.some((c) => mayConstrainClaim(c, IDENTITY_CLAIMS))) return;
      const principal = principalValue(st);
      const confidence = principal?.resolution === 'unresolved' || uncertain ? 'medium' : 'high';
      const subjectConds = st.conditions.filter((c) => IDENTITY_CLAIMS.has(claimOf(c) ?? ''));
      if (!subjectConds.length) {
        context.report({ node: principal ?? st, messageId: 'missing', data: { issuer: issuer.host }, confidence });
        return;
      }
      const ours = (c: Condition) => {
        const k = parseConditionKey(c.key.value);
        return !!k?.github && sameIssuer(k.github.host, issuer.host);
      };
      const negated = subjectConds.find((c) => ours(c) && isNegatedOperator(canonicalOperator(c.baseOperator)));
      if (negated) {
        context.report({ node: negated.operator, messageId: 'negatedOnly', data: { operator: negated.operator.value }, confidence });
        return;
      }
      const absent = subjectConds.find((c) => !ours(c));
      if (absent) {
        context.report({ node: absent.key, messageId: 'absentKey', data: { key: absent.key.value, issuer: issuer.host, operator: absent.operator.value }, confidence });
        return;
      }
      const c = subjectConds[0];
      context.report({ node: c.operator, messageId: 'notRestricting', data: { operator: c.operator.value }, confidence });
    }

    /** Restricted by `job_workflow_ref` alone: any repository that can call the workflow gets in. */
    function workflowOnly(st: Statement, region: AdmittedRegion) {
      // The value that pins the workflow: a job_workflow_ref condition, or a sub in the
      // `job_workflow_ref:…` template (GitHub's customised subject).
      const positive = region.sources.filter((x) => !isNegatedOperator(canonicalOperator(x.condition.baseOperator)));
      const v = (positive.find((x) => claimOf(x.condition) === 'job_workflow_ref') ?? positive.find((x) => /(^|:)job_workflow_ref:/.test(x.value.value)) ?? positive[0])?.value;
      // The workflow's owner, when the pattern names one (`octo-org/deploy/...` or `octo-org/*`).
      const owner = v ? /(?:^|job_workflow_ref:)([A-Za-z0-9-]+)\//.exec(v.value)?.[1] : undefined;
      context.report({
        node: v ?? st,
        messageId: 'workflowOnly',
        data: { pattern: v?.value ?? '', owner: owner ?? '<your organisation>' },
        severity: 'high',
        // Whether other owners can call the workflow depends on its repository's visibility, which files do not tell.
        confidence: 'medium',
      });
    }

    function guardrail(st: Statement, issuer: GitHubIssuer) {
      const evaluates = st.conditions.some((c) => {
        const k = parseConditionKey(c.key.value);
        return !!k?.github && sameIssuer(k.github.host, issuer.host) && GUARDRAIL_CLAIMS.has(k.claim) && GUARDRAIL_OPERATORS.has(canonicalOperator(c.baseOperator));
      });
      if (evaluates) return;
      const pin = st.conditions.find((c) => IDENTITY_CLAIMS.has(claimOf(c) ?? '') && !isNegatedOperator(canonicalOperator(c.baseOperator)));
      if (!pin) return;
      context.report({ node: pin.key, messageId: 'guardrail', data: { key: pin.key.value, issuer: issuer.host }, severity: 'low', confidence: 'medium' });
    }
  },
});
