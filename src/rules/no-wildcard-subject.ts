import { createRule } from '../engine/create-rule.js';
import type { Confidence } from '../engine/rule.js';
import { anyCondition, formatLocation, type Value, type ValueCondition } from '../model/location.js';
import { UNRESOLVED_MARK, canonicalOperator, isNegatedOperator, parseConditionKey, summaryOf, writesWildcard, type AdmittedRegion, type FieldScope } from '../model/claims.js';
import { gcpGrantTarget, gcpPoolName, gcpWidestMember, type GcpTrust } from '../model/claims/gcp.js';
import { azureCredentialName, type AzureTrust } from '../model/claims/azure.js';

/** Claims whose values name who may assume the role; a wildcard in them widens the role. */
const IDENTITY_CLAIMS = new Set(['sub', 'repository']);
const RANK = { 'any-owner': 3, 'any-repo': 2, 'any-context': 1, narrow: 0 } as const;

function show(scope: FieldScope, ids: FieldScope): string {
  // A value with an unresolved piece is shown as written (`${GitHubOrg}`).
  if (scope.values?.some((v) => v.includes(UNRESOLVED_MARK))) return scope.patterns.join(', ');
  if (scope.values?.length) return scope.values.join(', ');
  if (ids.values?.length) return ids.values.map((v) => `#${v}`).join(', ');
  return scope.patterns[0] ?? '*';
}

/**
 * The repository in words: `owner/repo`, or the unresolved piece once when one piece stands for
 * both (`repo:${r}:*` with `r` = `owner/repo` is not `${r}/${r}`).
 */
function repositoryOf(pattern: string, region: AdmittedRegion): string {
  if (!region.repo.values?.length && !region.repo.patterns.length) return `the repository with id ${region.repoId.values?.join(', ') ?? '?'}`;
  const owner = show(region.owner, region.ownerId);
  const repo = show(region.repo, region.repoId);
  return owner === repo && !pattern.includes(`${owner}/${repo}`) ? owner : `${owner}/${repo}`;
}

export default createRule({
  id: 'no-wildcard-subject',
  meta: {
    kind: 'problem',
    appliesTo: ['trust-policy'],
    clouds: ['aws', 'gcp', 'azure'],
    severity: 'critical',
    defaultLevel: 'error',
    docs: {
      description: 'A `sub` condition (on Google Cloud: a grant to a workload identity pool, with its provider\'s condition) must not use wildcards that admit any owner, any repository of an owner, or every context of a repository.',
      rationale:
        'IAM `StringLike` wildcards cross `/` and `:`. `repo:*` or `*` lets any GitHub account assume the role; `repo:org/*` lets every repository of the organisation (and anyone who can create one) assume it; `repo:org/repo:*` lets every branch, pull request and environment of the repository do so — including branches any contributor can push. oidc-lint judges what the whole policy admits: every value of every statement (a wildcard in the second value counts), other conditions that pin the repository (`repository_id`, `job_workflow_ref`) and Deny statements that close the wildcard. Every branch of a template counts as a possible value (a Terraform `%{if}`, conditional or `%{for}` over an unknown list, a `dynamic` block there only under some input, a CDK `??`, ternary or default parameter whose input the file does not fix): the finding says under which input the wildcard is used, and is a warning when that input must be set on purpose (an error when the wildcard is the default). On Google Cloud the wildcard is a grant to every identity of a workload identity pool (`principalSet://…/workloadIdentityPools/POOL/*`) or a `startsWith` in the provider\'s condition: the grant and the provider\'s `attribute_condition` are judged together, and when the provider pins only the owner, every repository of the owner can act as the service account. (A grant that names one repository, `…/attribute.repository/OWNER/REPO`, is not reported: Google has no subject grammar to pin a branch in a grant; pin the branch in the provider\'s condition.) On Azure, a flexible federated identity credential\'s `claims[\'sub\'] matches \'…\'` is judged the same way (a `*` in a classic credential\'s subject matches nothing: no-unusable-federated-credential); Microsoft does not document whether `*` crosses `:` and `/`, so these findings have medium confidence.',
      remediation:
        'Name the exact repository and context: `repo:org/repo:ref:refs/heads/main` for a branch, `repo:org/repo:environment:production` for an environment (protect it with required reviewers). List several exact values rather than one wildcard, or pin the repository with `repository_id` and a reusable workflow with `job_workflow_ref`.',
      references: [
        'https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims',
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String',
        'https://cloud.google.com/iam/docs/workload-identity-federation-with-deployment-pipelines#access',
      ],
      recommended: true,
    },
    messages: {
      anyOwner: 'Any GitHub repository of any owner can assume this role: sub pattern "{{pattern}}" does not pin the owner.',
      azureWildcard:
        '{{who}} can log in as {{name}}: its flexible credential matches the subject against "{{pattern}}". (oidc-lint reads * in matches as any run of characters, as in Microsoft\'s examples; the exact semantics are not documented — if * stopped at ":" or "/", this credential would match no token at all.)',
      anyRepo: 'Every repository of "{{owner}}" can assume this role: sub pattern "{{pattern}}" has a wildcard in the repository name.',
      anyContext: 'Every branch, pull request or environment of {{repository}} can assume this role: sub pattern "{{pattern}}".',
      anyContextById: 'Every branch, pull request or environment of the repository with id {{repoId}} can assume this role: sub pattern "{{pattern}}".',
      gcpAnyRepo: 'Every repository of "{{owner}}" can act as {{target}}: {{member}} grants {{role}} to identities of pool {{pool}}, and provider {{provider}} admits every repository of the owner.',
      anyOwnerWhen: 'When {{when}}, any GitHub repository of any owner can assume this role: sub pattern "{{pattern}}" does not pin the owner.',
      anyRepoWhen: 'When {{when}}, every repository of "{{owner}}" can assume this role: sub pattern "{{pattern}}" has a wildcard in the repository name.',
      anyContextWhen: 'When {{when}}, every branch, pull request or environment of {{repository}} can assume this role: sub pattern "{{pattern}}".',
    },
    schema: [],
  },
  create(context) {
    /**
     * Azure: a flexible credential whose `matches` on the subject admits every owner, every
     * repository of an owner, or every context of a repository. (A `*` in a classic credential's
     * subject matches nothing: no-unusable-federated-credential.)
     */
    const azure = (t: AzureTrust) => {
      const c = t.credential;
      if (!c.expression) return;
      const regions = (t.admits().issuers[0]?.regions ?? []).filter((r) => r.opaque.length === 0 && !r.workflowOnly);
      const widest = (['any-owner', 'any-repo', 'any-context'] as const).map((b) => regions.find((r) => r.breadth === b)).find((r) => r);
      if (!widest) return;
      // The subject test that opens it; without one, the trust has no subject restriction (require-subject-condition).
      const src = widest.sources.find((x) => parseConditionKey(x.condition.key.value)?.claim === 'sub' && /[*?]/.test(x.value.value));
      if (!src) return;
      const who =
        widest.breadth === 'any-owner'
          ? 'Any GitHub repository of any owner'
          : widest.breadth === 'any-repo'
            ? `Every repository of "${show(widest.owner, widest.ownerId)}"`
            : `Every branch, pull request or environment of ${show(widest.owner, widest.ownerId)}/${show(widest.repo, widest.repoId)}`;
      context.report({
        node: src.value,
        messageId: 'azureWildcard',
        data: { who, name: azureCredentialName(c), pattern: src.value.value },
        severity: widest.breadth === 'any-context' ? 'medium' : widest.breadth === 'any-repo' ? 'high' : 'critical',
        confidence: 'medium',
      });
    };
    return {
      /** Google Cloud: a grant joined with its pool provider that lets every repository of one owner in (any owner: require-subject-condition). */
      Trust(t) {
        if (t.cloud === 'azure') {
          azure(t as AzureTrust);
          return;
        }
        if (t.cloud !== 'gcp' || !(t as GcpTrust).grant) return;
        const g = t as GcpTrust;
        const regions = g.admits().issuers[0]?.regions ?? [];
        if (regions.some((r) => r.breadth === 'any-owner')) return;
        const region = regions.find((r) => r.breadth === 'any-repo' && r.opaque.length === 0);
        if (!region) return;
        const m = gcpWidestMember(g);
        context.report({
          node: m?.value ?? g.grant!,
          messageId: 'gcpAnyRepo',
          data: { owner: show(region.owner, region.ownerId), target: gcpGrantTarget(g.grant!), member: m?.value.value ?? '', role: g.grant!.role?.value ?? 'a role', pool: gcpPoolName(g.provider), provider: g.provider.origin.logicalId },
          severity: 'high',
          confidence: region.uncertain || g.grant!.conditional ? 'medium' : 'high',
        });
      },
      TrustPolicy(tp) {
        const reportPlain = (v: Value<string>, region: AdmittedRegion): void => {
          const confidence: Confidence = v.resolution === 'unresolved' || region.uncertain ? 'medium' : 'high';
          const data = { pattern: v.value, owner: show(region.owner, region.ownerId), repo: show(region.repo, region.repoId), repository: repositoryOf(v.value, region) };
          if (region.breadth === 'any-owner') context.report({ node: v, messageId: 'anyOwner', data, severity: 'critical', confidence });
          else if (region.breadth === 'any-repo') context.report({ node: v, messageId: 'anyRepo', data, severity: 'high', confidence });
          else if (!region.repo.values?.length && region.repoId.values?.length)
            context.report({ node: v, messageId: 'anyContextById', data: { pattern: v.value, repoId: region.repoId.values.join(', ') }, severity: 'low', confidence });
          else context.report({ node: v, messageId: 'anyContext', data, severity: 'low', confidence });
        };
        // The broadest region each value opens, over every issuer the policy trusts.
        const worst = new Map<Value<string>, AdmittedRegion>();
        for (const issuer of summaryOf(tp).issuers)
          for (const region of issuer.regions) {
            // Restricted only by job_workflow_ref: require-subject-condition reports it (one finding per region).
            if (region.breadth === 'narrow' || region.workflowOnly) continue;
            for (const src of region.sources) {
              const claim = parseConditionKey(src.condition.key.value)?.claim;
              if (!claim || !IDENTITY_CLAIMS.has(claim) || isNegatedOperator(canonicalOperator(src.condition.baseOperator))) continue;
              // Only a value with a wildcard of its own is reported; a wholly unresolved one is not a wildcard.
              if (!writesWildcard(src.condition, src.value)) continue;
              const prev = worst.get(src.value);
              if (!prev || RANK[region.breadth] > RANK[prev.breadth]) worst.set(src.value, region);
            }
          }
        // The possible values of one expression (siblings): when every one of them is reported, the
        // wildcard does not depend on the input and keeps the rule's level.
        const siblings = (v: Value<string>): Value<string>[] => {
          const group = v.when?.group;
          if (!group) return [v];
          const out: Value<string>[] = [];
          for (const st of tp.statements) for (const c of st.conditions) for (const x of c.values) if (x.when?.group === group) out.push(x);
          return out;
        };
        // Possible values reported at one place with one breadth are one finding, under any of their
        // inputs (a ternary inside a template multiplied by an unrelated `??` is one choice).
        const possible = new Map<string, { v: Value<string>; region: AdmittedRegion; whens: ValueCondition[] }>();
        for (const [v, region] of worst) {
          if (!v.when) {
            reportPlain(v, region);
            continue;
          }
          const key = `${formatLocation(v.loc)}|${region.breadth}|${v.when.group ?? ''}`;
          const p = possible.get(key);
          if (p) p.whens.push(v.when);
          else possible.set(key, { v, region, whens: [v.when] });
        }
        for (const { v, region, whens } of possible.values()) {
          const common = anyCondition(whens);
          // Whatever the input, this wildcard is there: an ordinary finding.
          if (!common) {
            reportPlain({ ...v, when: undefined }, region);
            continue;
          }
          const data = { pattern: v.value, owner: show(region.owner, region.ownerId), repo: show(region.repo, region.repoId) };
          const repository = repositoryOf(v.value, region);
          const severity = region.breadth === 'any-owner' ? 'critical' : region.breadth === 'any-repo' ? 'high' : 'low';
          // Every possible value of the expression is reported, and together they cover every input
          // (a block there only when `var.on` is true has no sibling for false).
          const all = siblings(v);
          const everyBranch = all.every((x) => worst.has(x)) && !anyCondition(all.map((x) => x.when!));
          const node: Value<string> = { ...v, when: { ...common, group: v.when?.group } };
          context.report({
            node,
            messageId: `${region.breadth === 'any-owner' ? 'anyOwner' : region.breadth === 'any-repo' ? 'anyRepo' : 'anyContext'}When`,
            data: { ...data, when: common.text, repository },
            severity,
            confidence: 'medium',
            everyBranch,
          });
        }
      },
    };
  },
});
