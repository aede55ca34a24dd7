import { createRule } from '../engine/create-rule.js';
import type { Confidence } from '../engine/rule.js';
import { judge, roleLabel, trustedIssuers, type ContextVerdict } from '../model/crosscheck.js';
import { githubIssuerOfPrincipal, sameIssuer } from '../model/claims.js';
import type { Project, RoleLink } from '../model/project.js';
import type { SourceLocation } from '../model/location.js';

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
    severity: 'high',
    defaultLevel: 'error',
    docs: {
      description: 'A job must be able to assume the role it names: the token GitHub mints for it has to satisfy the role\'s trust policy and its OIDC provider\'s audiences.',
      rationale:
        'A trust policy pinned to `ref:refs/heads/main` refuses the same job once it gains `environment:`; a policy written for `Octo-Org` refuses `octo-org`; a legacy `repo:org/repo:*` pattern refuses the immutable `repo:org@id/repo@id:…` subject; a pull_request run presents `repo:org/repo:pull_request`. Each fails at run time with "Not authorized to perform sts:AssumeRoleWithWebIdentity" (or "Incorrect token audience"). oidc-lint predicts the token from the workflow and checks it against the role before you merge.',
      remediation:
        'Either change the trust policy to admit the subject shown (add it to the `sub` condition list), or change the job (environment, trigger, audience) so that it presents a subject the role trusts. Set the repository identity and subject template in the config file when they differ from the git remote.',
      references: [
        'https://docs.github.com/en/actions/reference/security/oidc#example-subject-claims',
        'https://github.com/aws-actions/configure-aws-credentials#oidc',
      ],
      recommended: true,
    },
    messages: {
      refused: 'Role {{role}} will refuse job "{{job}}": the token GitHub mints for it ({{sub}}) is not admitted by the trust policy — {{reason}}.',
      refusedSome: 'Role {{role}} will refuse job "{{job}}" when it runs on {{events}}: token {{sub}} is not admitted by the trust policy — {{reason}}.',
      reasonCondition: 'its {{operator}} condition on {{key}} expects {{expected}}',
      reasonDeny: 'a Deny statement matches it',
      reasonIssuer: 'no statement trusts the issuer {{issuer}}',
      reasonAction: 'no statement allows sts:AssumeRoleWithWebIdentity',
      audienceRejected: 'Job "{{job}}" requests audience "{{aud}}", which OIDC provider {{provider}} does not list: AWS answers "Incorrect token audience".',
      failingCondition: 'This condition rejects the token.',
      closestStatement: 'The closest statement of the trust policy.',
      provider: 'The provider\'s client id list.',
    },
    schema: [],
  },
  create(context) {
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
    return {
      'Project:exit'(project) {
        for (const [ra, links] of project.links.byAssumption) {
          for (const link of links) {
            const role = link.role;
            const verdicts = judge(project, ra, role);
            if (!verdicts || !verdicts.length) continue;
            const refused = verdicts.filter((v) => v.decision.admitted === false);
            const where = ra.roleArn ?? ra;
            const confidence = confidenceOf(project, link, verdicts);
            if (refused.length) {
              const first = refused[0];
              const related: { loc: SourceLocation; message: string }[] = [];
              const failing = first.decision.failing?.[0];
              if (failing) related.push({ loc: failing.values[0]?.loc ?? failing.loc, message: context.message('failingCondition') });
              else if (first.decision.closest) related.push({ loc: first.decision.closest.loc, message: context.message('closestStatement') });
              const all = refused.length === verdicts.length;
              context.report({
                node: where,
                messageId: all ? 'refused' : 'refusedSome',
                data: {
                  role: roleLabel(role),
                  job: ra.job.id.value,
                  sub: first.sub,
                  events: [...new Set(refused.flatMap((v) => v.context.events))].join(', '),
                  reason: reasonOf(first),
                },
                severity: all ? 'high' : 'medium',
                confidence,
                related,
              });
              continue;
            }
            // The audience must also be in the OIDC provider's client-id list (when the provider is in the project).
            const aud = verdicts[0].facts.audience;
            if (typeof aud !== 'string') continue;
            const issuers = trustedIssuers(role);
            const providers = project.providers.filter((p) => {
              const host = githubIssuerOfPrincipal(p.url.value)?.host;
              return host && p.url.resolution !== 'unresolved' && issuers.some((i) => sameIssuer(i, host));
            });
            if (!providers.length || providers.some((p) => p.clientIds.some((c) => c.resolution === 'unresolved' || c.value === aud))) continue;
            context.report({
              node: where,
              messageId: 'audienceRejected',
              data: { job: ra.job.id.value, aud, provider: providers[0].url.value },
              confidence,
              related: [{ loc: providers[0].clientIds[0]?.loc ?? providers[0].loc, message: context.message('provider') }],
            });
          }
        }
      },
    };
  },
});
