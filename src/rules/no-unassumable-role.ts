import { createRule } from '../engine/create-rule.js';
import type { Confidence } from '../engine/rule.js';
import { judge, roleLabel, trustedIssuers, type ContextVerdict } from '../model/crosscheck.js';
import { githubIssuerOfPrincipal, knownText, sameIssuer } from '../model/claims.js';
import { judgeAzureLogin } from '../model/azure-crosscheck.js';
import type { Project, RoleLink } from '../model/project.js';
import type { SourceLocation } from '../model/location.js';
import type { OidcProvider, Role } from '../model/iam.js';

function confidenceOf(project: Project, link: RoleLink, verdicts: ContextVerdict[]): Confidence {
  if (project.identity?.source !== 'config' || link.match === 'name') return 'medium';
  if (verdicts.some((v) => v.context.unresolved)) return 'low';
  return 'high';
}

export default createRule({
  id: 'no-unassumable-role',
  meta: {
    kind: 'problem',
    appliesTo: ['project'],
    clouds: ['aws', 'azure'],
    severity: 'high',
    defaultLevel: 'error',
    docs: {
      description: 'A job must be able to assume the role it names (or log in as the Azure identity it names): the token GitHub mints for it has to satisfy the role\'s trust policy and its OIDC provider\'s audiences, or one of the identity\'s federated credentials.',
      rationale:
        'Clouds: AWS (configure-aws-credentials and raw token requests, against IAM trust policies) and Azure (azure/login, against federated identity credentials: those of the identity the config\'s `roles:` maps the step\'s `client-id` secret or variable to — an error; without a mapping, the credentials in the scan that name this repository — a warning, since the job may log in as an identity defined elsewhere). A trust policy pinned to `ref:refs/heads/main` refuses the same job once it gains `environment:`; a policy written for `Octo-Org` refuses `octo-org`; a legacy `repo:org/repo:*` pattern refuses the immutable `repo:org@id/repo@id:…` subject; a pull_request run presents `repo:org/repo:pull_request`. Each fails at run time with "Not authorized to perform sts:AssumeRoleWithWebIdentity" (or "Incorrect token audience"). oidc-lint predicts the token from the workflow — its triggers, branch filters, environment, and the job\'s and step\'s `if:` conditions on the event and ref (a condition it cannot read means "may run") — and checks it against the role before you merge. When a role name matches roles in several templates or accounts (and the ARN\'s account does not tell them apart), a run is reported only when every candidate refuses it. A refusal that happens only when someone dispatches the workflow by hand from another ref is a warning: pinning a role to the default branch is usually deliberate.',
      remediation:
        'Either change the trust policy to admit the subject shown (add it to the `sub` condition list), or change the job (environment, trigger, audience) so that it presents a subject the role trusts. Set the repository identity and subject template in the config file when they differ from the git remote.',
      references: [
        'https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims',
        'https://github.com/aws-actions/configure-aws-credentials#oidc',
      ],
      recommended: true,
    },
    messages: {
      refused: 'Role {{role}} will refuse job "{{job}}": the token GitHub mints for it ({{sub}}) is not admitted by the trust policy — {{reason}}{{candidatesNote}}.',
      refusedSome: 'Role {{role}} will refuse job "{{job}}" when it runs on {{events}}: token {{sub}} is not admitted by the trust policy — {{reason}}{{candidatesNote}}.',
      refusedDispatch:
        'Role {{role}} will refuse job "{{job}}" only when someone dispatches it by hand (workflow_dispatch) from another ref: token {{sub}} is not admitted — {{reason}}{{candidatesNote}}. The other runs ({{admitted}}) are not refused; if the pin is deliberate, dispatch from the ref the role trusts.',
      candidates: ' (the role name matches {{count}} roles in the scan: {{candidates}}; every one of them refuses it)',
      reasonCondition: 'its {{operator}} condition on {{key}} expects {{expected}}',
      reasonDeny: 'a Deny statement matches it',
      reasonIssuer: 'no statement trusts the issuer {{issuer}}',
      reasonAction: 'no statement allows sts:AssumeRoleWithWebIdentity',
      audienceRejected: 'Job "{{job}}" requests audience "{{aud}}", which OIDC provider {{provider}} does not list: AWS answers "Incorrect token audience".',
      failingCondition: 'This condition rejects the token.',
      closestStatement: 'The closest statement of the trust policy.',
      provider: 'The provider\'s client id list.',
      azureRefused:
        'Job "{{job}}" logs in to Azure with a GitHub token that {{scope}} refuse{{when}}: it presents {{sub}} (audience {{audience}}), but they admit only {{expected}}. azure/login fails with AADSTS70021 "No matching federated identity record found".',
      azureScopeMapping: 'the federated identity credentials of {{identity}} (the config maps {{key}} to it)',
      azureScopeRepository: 'every federated identity credential in the scan for {{repository}} would',
      azureElsewhere: ' (the job may log in as an identity whose credentials are defined elsewhere: map its client-id in the config\'s roles: to say which)',
      credentialHere: 'A federated identity credential of this identity.',
    },
    schema: [],
  },
  create(context) {
    /** Azure: each azure/login against the federated credentials it can be tied to (model/azure-crosscheck.ts). */
    const checkAzure = (project: Project) => {
      for (const wf of project.workflows)
        for (const job of wf.jobs)
          for (const login of job.cloudLogins) {
            if (login.cloud !== 'azure') continue;
            const j = judgeAzureLogin(project, login, context.settings.roles);
            if (!j) continue;
            const refused = j.verdicts.filter((v) => v.admitted === false);
            if (!refused.length) continue;
            const events = [...new Set(refused.flatMap((v) => v.context.events))];
            // Refused only when dispatched by hand from another ref: the pin is usually deliberate (as for AWS roles).
            if (events.every((e) => e === 'workflow_dispatch') && refused.length < j.verdicts.length) continue;
            const expected = [...new Set(j.credentials.map((c) => (c.subject ? knownText(c.subject) : c.expression ? knownText(c.expression) : undefined) ?? '(unknown)'))];
            const mapped = j.link === 'mapping';
            const scope = mapped
              ? context.message('azureScopeMapping', { identity: j.target ?? '', key: j.key ?? '' })
              : context.message('azureScopeRepository', { repository: `${project.identity!.owner}/${project.identity!.repo}` });
            const data = {
              job: job.id.value,
              scope,
              when: refused.length < j.verdicts.length ? ` when it runs on ${events.join(', ')}` : '',
              sub: refused[0].sub,
              audience: refused[0].audience,
              expected: (expected.length > 3 ? [...expected.slice(0, 3), '…'] : expected).join(', ') + (mapped ? '' : context.message('azureElsewhere')),
            };
            const related = j.credentials.slice(0, 3).map((c) => ({ loc: (c.subject ?? c.expression ?? c).loc, message: context.message('credentialHere') }));
            context.report({
              node: login.identity ?? login,
              messageId: 'azureRefused',
              data,
              related,
              severity: mapped ? 'high' : 'medium',
              confidence: mapped ? (project.identity?.source === 'config' ? 'high' : 'medium') : 'low',
              ...(mapped ? {} : { maxLevel: 'warn' as const }),
            });
          }
    };
    const reasonOf = (v: ContextVerdict): string => {
      const d = v.decision;
      if (d.code === 'explicit-deny') return context.message('reasonDeny');
      if (d.code === 'no-statement-for-issuer') return context.message('reasonIssuer', { issuer: v.facts.issuer ?? '' });
      if (d.code === 'action-not-allowed') return context.message('reasonAction');
      const c = d.failing?.[0];
      if (!c) return context.message('reasonDeny');
      const values = c.values.map((x) => x.value);
      const expected = values.length > 3 ? `${values.slice(0, 3).join(', ')}, …` : values.join(' or ');
      return context.message('reasonCondition', { operator: c.operator.value, key: c.key.value, expected: expected || '(no value)' });
    };
    /** Where a refused token is rejected: the failing condition's value, else the closest statement. */
    const relatedOf = (v: ContextVerdict): { loc: SourceLocation; message: string }[] => {
      const failing = v.decision.failing?.[0];
      if (failing) return [{ loc: failing.values[0]?.loc ?? failing.loc, message: context.message('failingCondition') }];
      if (v.decision.closest) return [{ loc: v.decision.closest.loc, message: context.message('closestStatement') }];
      return [];
    };
    return {
      'Project:exit'(project) {
        checkAzure(project);
        for (const [ra, links] of project.links.byAssumption) {
          // Every role the reference may name (a role name found in several templates or accounts).
          const judged = links.map((link) => ({ link, verdicts: judge(project, ra, link.role) }));
          if (judged.some((j) => !j.verdicts || !j.verdicts.length)) continue;
          const where = ra.roleArn ?? ra;
          const count = judged[0].verdicts!.length;
          // A run is refused only when every candidate refuses it.
          const refusedAt = [...Array(count).keys()].filter((i) => judged.every((j) => j.verdicts![i]?.decision.admitted === false));
          const first = judged[0];
          const confidence = judged.length > 1 ? 'medium' : confidenceOf(project, first.link, first.verdicts!);
          const candidatesNote =
            judged.length > 1 ? context.message('candidates', { count: judged.length, candidates: judged.map((j) => candidateLabel(j.link.role)).join(', ') }) : '';
          const role = judged.length > 1 ? (ra.roleArn?.value ?? roleLabel(first.link.role)) : roleLabel(first.link.role);
          if (refusedAt.length) {
            const v = first.verdicts![refusedAt[0]];
            const related = judged.flatMap((j) => relatedOf(j.verdicts![refusedAt[0]]));
            const events = [...new Set(refusedAt.flatMap((i) => first.verdicts![i].context.events))];
            const data = { role, job: ra.job.id.value, sub: v.sub, events: events.join(', '), reason: reasonOf(v), candidatesNote };
            if (refusedAt.length === count) {
              context.report({ node: where, messageId: 'refused', data, severity: 'high', confidence, related });
            } else if (events.every((e) => e === 'workflow_dispatch')) {
              // Only a hand-dispatched run from another ref is refused: the pin is usually deliberate.
              const admitted = [...new Set([...Array(count).keys()].filter((i) => !refusedAt.includes(i)).flatMap((i) => first.verdicts![i].context.events))];
              context.report({
                node: where,
                messageId: 'refusedDispatch',
                data: { ...data, admitted: admitted.join(', ') },
                severity: 'low',
                confidence,
                maxLevel: 'warn',
                related,
              });
            } else context.report({ node: where, messageId: 'refusedSome', data, severity: 'medium', confidence, related });
            continue;
          }
          // The audience must also be in the OIDC provider's client-id list (when the provider is in the project).
          const rejected = judged.map((j) => audienceRejection(project, j.link.role, j.verdicts!));
          if (rejected.some((r) => !r)) continue;
          const r = rejected[0]!;
          context.report({
            node: where,
            messageId: 'audienceRejected',
            data: { job: ra.job.id.value, aud: r.aud, provider: r.provider.url.value },
            confidence,
            related: [{ loc: r.provider.clientIds[0]?.loc ?? r.provider.loc, message: context.message('provider') }],
          });
        }
      },
    };
  },
});

/** A candidate role with where it is defined (several share the name). */
function candidateLabel(role: Role): string {
  const label = roleLabel(role);
  const where = role.origin.file || role.arn?.value;
  return where && !label.includes(where) ? `${label} (${where})` : label;
}

/** The provider of the scan that rejects the job's audience, when there is one and none accepts it. */
function audienceRejection(project: Project, role: Role, verdicts: ContextVerdict[]): { aud: string; provider: OidcProvider } | undefined {
  const aud = verdicts[0].facts.audience;
  if (typeof aud !== 'string') return undefined;
  const issuers = trustedIssuers(role);
  const providers = project.providers.filter((p) => {
    const host = githubIssuerOfPrincipal(p.url.value)?.host;
    return host && p.url.resolution !== 'unresolved' && issuers.some((i) => sameIssuer(i, host));
  });
  if (!providers.length || providers.some((p) => p.clientIds.some((c) => c.resolution === 'unresolved' || c.value === aud))) return undefined;
  return { aud, provider: providers[0] };
}
