/**
 * `oidc-lint explain <role ARN | role name | file:line>`: for one role, who can assume it (in words
 * and as patterns), which jobs of this repository use it and whether each is admitted, and the
 * tightest `sub` list that keeps all of them working. Text or JSON.
 */
import path from 'node:path';
import type { Project, RoleLink } from './model/project.js';
import type { Role } from './model/iam.js';
import { claimConditions, hasWildcard, summaryOf, type AdmittedRegion, type FieldScope } from './model/claims.js';
import { judge, overbroad, predictionsOf, roleLabel } from './model/crosscheck.js';
import { roleNameFromArn, roleNameFromPolicyFile } from './model/links.js';
import { formatLocation } from './model/location.js';
import { redactSecrets } from './model/secrets.js';
import { printable, neutraliseCommands } from './model/printable.js';
import { azureIdentityRole } from './model/claims/azure.js';
import { credentialsOfIdentity, judgeAgainst } from './model/azure-crosscheck.js';

/** Roles built for Azure identities by `findAzureIdentities`: the identity (its credentials' parent, as asked). */
const azureRoles = new WeakMap<Role, string>();

/**
 * An Azure managed identity or app registration, named as its credentials' parent names it (a
 * Terraform address such as `azurerm_user_assigned_identity.deploy`, a resource path, or its name):
 * one role whose trust policy holds every GitHub federated credential of it.
 */
export function findAzureIdentities(project: Project, target: string): Role[] {
  const creds = credentialsOfIdentity(project, target.trim());
  if (!creds.length) return [];
  const role = azureIdentityRole(target.trim(), creds);
  azureRoles.set(role, target.trim());
  return [role];
}

/** Roles matching the target: a full ARN, a role name, or `file:line` inside the role's definition. */
export function findRoles(project: Project, target: string, cwd: string = process.cwd()): Role[] {
  const t = target.trim();
  const fileLine = /^(.+?):(\d+)(?::\d+)?$/.exec(t);
  if (fileLine && !t.startsWith('arn:')) {
    const abs = path.resolve(cwd, fileLine[1]);
    const rel = path.relative(project.root, abs).split(path.sep).join('/');
    const line = Number(fileLine[2]);
    return project.roles.filter((r) => (r.origin.file === rel || r.origin.file === fileLine[1]) && r.loc.start.line <= line && line <= r.loc.end.line);
  }
  const byName = (name: string | undefined) => (r: Role) =>
    !!name && (r.name?.value === name || (!!r.arn && roleNameFromArn(r.arn.value) === name) || (r.origin.format === 'json' && !r.arn && roleNameFromPolicyFile(r.origin.file) === name));
  if (t.startsWith('arn:')) {
    const exact = project.roles.filter((r) => r.arn?.value === t);
    // Roles whose ARN is not fully known (an unresolved account) match by name, as linking does.
    return exact.length ? exact : project.roles.filter((r) => r.arn?.resolution !== 'literal' && byName(roleNameFromArn(t))(r));
  }
  return project.roles.filter(byName(t));
}

export interface Explanation {
  /** Set for an Azure identity (its federated credentials); absent for an IAM role. */
  cloud?: 'azure';
  role: { label: string; file: string; location: string; arn?: string; name?: string; format: string };
  identity?: { owner: string; repo: string; source: string; defaultBranch?: string };
  issuers: {
    issuer: string;
    anyOwner: boolean;
    owners: string;
    repositories: string[];
    contexts: string[];
    /** `when`: the input under which the source uses this value (one branch of a conditional). */
    patterns: { operator: string; key: string; value: string; location: string; when?: string }[];
  }[];
  uncertain: boolean;
  jobs: { workflow: string; job: string; match: string; runs: { events: string[]; sub: string; admitted: boolean | 'unknown' }[] }[];
  tightest?: string[];
}

function field(f: FieldScope): string {
  if (!f.constrained || f.unbounded) return f.patterns.length ? `any matching ${f.patterns.join(', ')}` : 'any';
  return (f.values ?? f.patterns).join(', ');
}

/** "any owner", saying so when it is through a reusable workflow only (the same verdict as require-subject-condition). */
function anyOwnerText(regions: AdmittedRegion[]): string {
  const open = regions.filter((r) => r.breadth === 'any-owner');
  if (!open.length || !open.every((r) => r.workflowOnly)) return 'any owner';
  return `any owner whose workflow calls ${[...new Set(open.map((r) => field(r.jobWorkflow)))].join(', ')} (when that workflow's repository is public)`;
}

export function explainRole(project: Project, role: Role): Explanation {
  const summary = role.trustPolicy ? summaryOf(role.trustPolicy) : undefined;
  const links: RoleLink[] = project.links.byRole.get(role) ?? [];
  const ex: Explanation = {
    role: { label: roleLabel(role), file: role.origin.file, location: formatLocation(role.loc), arn: role.arn?.value, name: role.name?.value, format: role.origin.format },
    issuers: [],
    uncertain: summary?.uncertain ?? true,
    jobs: [],
  };
  const azure = azureRoles.get(role);
  if (azure !== undefined) ex.cloud = 'azure';
  if (project.identity) ex.identity = { owner: project.identity.owner, repo: project.identity.repo, source: project.identity.source, defaultBranch: project.identity.defaultBranch };
  for (const adm of summary?.issuers ?? []) {
    if (adm.issuer.kind === 'other') continue;
    const contexts = new Set<string>();
    for (const r of adm.regions) {
      const c = r.contexts;
      const parts: string[] = [];
      if (c.any) parts.push('every branch, tag, pull request and environment');
      else {
        if (c.branches.unbounded || (c.branches.values ?? []).length) parts.push(`branches ${field(c.branches)}`);
        if (c.tags.unbounded || (c.tags.values ?? []).length) parts.push(`tags ${field(c.tags)}`);
        if (c.environments.unbounded || (c.environments.values ?? []).length) parts.push(`environments ${field(c.environments)}`);
        if (c.pullRequest) parts.push('pull requests');
      }
      if (r.anchoredByWorkflow) parts.push(`reusable workflow ${field(r.jobWorkflow)}`);
      contexts.add(`${r.breadth === 'any-owner' ? 'any owner' : `${field(r.owner)}/${field(r.repo)}`}: ${parts.join(', ') || 'no context'}`);
    }
    const patterns: Explanation['issuers'][number]['patterns'] = [];
    for (const st of adm.statements)
      for (const claim of ['sub', 'job_workflow_ref'])
        for (const c of claimConditions(st, claim)) for (const v of c.values) patterns.push({ operator: c.operator.value, key: c.key.value, value: v.value, location: formatLocation(v.loc), ...(v.when ? { when: v.when.text } : {}) });
    ex.issuers.push({
      issuer: adm.issuer.host,
      anyOwner: adm.anyOwner,
      owners: adm.anyOwner ? anyOwnerText(adm.regions) : field(adm.owners),
      repositories: [...new Set(adm.repositories.map((r) => `${field(r.owner)}/${field(r.repo)}`))],
      contexts: [...contexts],
      patterns,
    });
  }
  // Azure: every azure/login of the repository, judged against this identity's credentials (which client-id it uses is not visible).
  if (azure !== undefined)
    for (const wf of project.workflows)
      for (const job of wf.jobs)
        for (const login of job.cloudLogins) {
          if (login.cloud !== 'azure') continue;
          const j = judgeAgainst(project, login, credentialsOfIdentity(project, azure), 'repository');
          if (!j) continue;
          ex.jobs.push({ workflow: wf.file, job: job.id.value, match: `client-id ${login.identity?.value ?? '(not given)'}`, runs: j.verdicts.map((v) => ({ events: v.context.events, sub: v.sub, admitted: v.admitted })) });
        }
  for (const l of links) {
    const verdicts = judge(project, l.assumption, role) ?? [];
    ex.jobs.push({
      workflow: l.assumption.job.parent.file,
      job: l.assumption.job.id.value,
      match: l.match,
      runs: verdicts.map((v) => ({ events: v.context.events, sub: v.sub, admitted: v.decision.admitted })),
    });
  }
  if (links.length && project.identity && links.every((l) => !predictionsOf(project).get(l.assumption.job)?.unknown)) {
    const o = overbroad(project, role, links);
    ex.tightest = o ? o.tightened : [...new Set(ex.jobs.flatMap((j) => j.runs.map((r) => r.sub)))];
  }
  return ex;
}

export function renderExplanation(ex: Explanation): string {
  const out: string[] = [];
  const azure = ex.cloud === 'azure';
  out.push(azure ? `Azure identity ${ex.role.label} — its federated credentials, from ${ex.role.location} (${ex.role.format})` : `Role ${ex.role.label} — ${ex.role.location} (${ex.role.format})`);
  if (ex.role.arn) out.push(`  ARN: ${ex.role.arn}`);
  if (!ex.issuers.length) out.push('', azure ? 'Who can log in as it: no credential trusts a GitHub issuer.' : 'Who can assume it: no statement trusts a GitHub OIDC provider for sts:AssumeRoleWithWebIdentity.');
  for (const i of ex.issuers) {
    out.push('', `Who can ${azure ? 'log in as it' : 'assume it'} with a token from ${i.issuer}${ex.uncertain ? ' (partly unresolved: read as an upper bound)' : ''}:`);
    out.push(`  owners:       ${i.anyOwner ? i.owners.replace(/^any owner/, 'ANY GitHub owner') : i.owners}`);
    out.push(`  repositories: ${i.repositories.join('; ') || '—'}`);
    out.push('  contexts:');
    for (const c of i.contexts) out.push(`    ${c}`);
    if (i.patterns.length) {
      out.push('  patterns:');
      for (const p of i.patterns) out.push(`    ${p.operator} ${p.key} = ${p.value}   (${p.location}${p.when ? `; when ${p.when}` : ''})`);
    }
  }
  out.push('');
  if (!ex.identity) out.push('Jobs in this repository: unknown — set `repository:` in the config file (no git remote found).');
  else {
    out.push(
      azure
        ? `Jobs in this repository (${ex.identity.owner}/${ex.identity.repo}, identity from ${ex.identity.source === 'config' ? 'the config file' : 'the git remote'}) that log in to Azure, if they log in as it:`
        : `Jobs in this repository (${ex.identity.owner}/${ex.identity.repo}, identity from ${ex.identity.source === 'config' ? 'the config file' : 'the git remote'}) that use it:`,
    );
    if (!ex.jobs.length) out.push(azure ? '  none found (no azure/login step with client-id)' : '  none found (roles referenced through unmapped ${{ vars.X }} are listed as unresolved in --format json)');
    for (const j of ex.jobs) {
      out.push(`  ${j.workflow} › ${j.job}${j.match === 'arn' ? '' : azure ? ` (${j.match})` : ` (matched by ${j.match})`}`);
      if (!j.runs.length) out.push('      contexts unknown (a reusable workflow without a caller here)');
      for (const r of j.runs) out.push(`      ${r.admitted === true ? 'admitted' : r.admitted === false ? 'REFUSED ' : 'unknown '}  ${r.sub}   [${r.events.join(', ')}]`);
    }
  }
  if (ex.tightest) {
    out.push('', 'Tightest sub condition that keeps these jobs working:');
    const op = ex.tightest.some(hasWildcard) ? 'StringLike' : 'StringEquals';
    out.push(`  "${op}": { "token.actions.githubusercontent.com:sub": ${JSON.stringify(ex.tightest.length === 1 ? ex.tightest[0] : ex.tightest)} }`);
  }
  return neutraliseCommands(redactSecrets(out.map(printable).join('\n'))) + '\n';
}

