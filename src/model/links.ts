/**
 * Joins role assumptions (workflow side) to roles (IAM side), once per project, through indexes
 * by ARN and by role name — never an O(n²) scan. `${{ env.X }}` is resolved from the same file's
 * env blocks; `${{ vars.X }}` / `${{ secrets.X }}` / `${{ env.X }}` through a configured mapping.
 */
import type { Role } from './iam.js';
import type { Project, ProjectLinks, RoleLink } from './project.js';
import type { RoleAssumption } from './workflow.js';
import { findEntry } from './workflow.js';
import { accountOfArn } from './claims.js';

/** `arn:aws:iam::123456789012:role/path/Name` → `Name`. */
export function roleNameFromArn(arn: string): string | undefined {
  const m = /^arn:[^:]+:iam::[^:]*:role\/(?:.*\/)?([^/]+)$/.exec(arn.trim());
  return m ? m[1] : undefined;
}

/** A reference to the role as far as it can be resolved: a full ARN, or only a role name. */
export interface RoleRef {
  arn?: string;
  name?: string;
  via: 'literal' | 'env' | 'mapping';
}

const SOLE_EXPR = /^\s*\$\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}\s*$/;

/**
 * Resolves the role an assumption names. Mapping keys are expression paths (`vars.DEPLOY_ROLE`,
 * `secrets.ROLE_ARN`, `env.ROLE`) or bare names (`DEPLOY_ROLE`).
 */
export function resolveRoleRef(ra: RoleAssumption, mapping: Record<string, string> = {}): RoleRef | undefined {
  const lookup = (expr: string): string | undefined => {
    // Config keys are `vars.NAME` / `secrets.NAME` with NAME upper-cased (GitHub names are case-insensitive).
    const m = /^(vars|secrets|env)\.(.+)$/i.exec(expr);
    const canonical = m ? `${m[1].toLowerCase()}.${m[1].toLowerCase() === 'env' ? m[2] : m[2].toUpperCase()}` : expr;
    // Own keys only: `${{ toString }}` must not find Object.prototype.toString.
    const own = (k: string) => (Object.hasOwn(mapping, k) ? mapping[k] : undefined);
    return own(canonical) ?? own(expr);
  };
  const v = ra.roleArn;
  if (!v) return undefined;
  let text = v.value.trim();
  let via: RoleRef['via'] = 'literal';
  if (v.resolution === 'unresolved') {
    const m = SOLE_EXPR.exec(text);
    const expr = m?.[1];
    const mapped = expr !== undefined ? lookup(expr) : undefined;
    if (mapped) {
      text = mapped;
      via = 'mapping';
    } else if (expr?.startsWith('env.')) {
      const name = expr.slice(4);
      const e = findEntry(ra.step.env, name) ?? findEntry(ra.job.env, name) ?? findEntry(ra.job.parent.env, name);
      if (e && e.value.resolution !== 'unresolved') {
        text = e.value.value.trim();
        via = 'env';
      } else return undefined;
    } else {
      // Partially known (`arn:aws:iam::${{ vars.ACCOUNT }}:role/deploy`): the role name may still be known.
      const last = v.parts?.[v.parts.length - 1];
      const name = last?.known ? /:role\/(?:.*\/)?([^/]+)$/.exec(last.text)?.[1] : undefined;
      return name ? { name, via: 'literal' } : undefined;
    }
  }
  if (text.startsWith('arn:')) return { arn: text, name: roleNameFromArn(text), via };
  return { name: text, via }; // configure-aws-credentials accepts a bare role name
}

/**
 * A bare policy file named after its role (`deploy-trust.json`, `deploy.trust-policy.json`,
 * `deploy-assume-role-policy.json`, as used with `aws iam create-role --role-name deploy
 * --assume-role-policy-document file://…`): the role name, matched with 'name' quality.
 */
export function roleNameFromPolicyFile(file: string): string | undefined {
  const stem = file.split('/').pop()!.replace(/\.json$/i, '');
  const m = /^(.+?)[-_.](?:trust|trust[-_.]policy|assume[-_.]role[-_.]policy|trust[-_.]relationship)$/i.exec(stem);
  return m?.[1];
}

export function linkProject(project: Project, mapping: Record<string, string> = project.roleMappings ?? {}): ProjectLinks {
  const byArn = new Map<string, Role[]>();
  const byName = new Map<string, Role[]>();
  const add = (m: Map<string, Role[]>, k: string, r: Role) => {
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  };
  for (const role of project.roles) {
    if (role.arn && role.arn.resolution !== 'unresolved') add(byArn, role.arn.value, role);
    const name =
      role.name && role.name.resolution !== 'unresolved'
        ? role.name.value
        : role.arn && role.arn.resolution !== 'unresolved'
          ? roleNameFromArn(role.arn.value)
          : role.origin.format === 'json' && !role.name && !role.arn
            ? roleNameFromPolicyFile(role.origin.file)
            : undefined;
    if (name) add(byName, name, role);
  }
  const links: ProjectLinks = { byAssumption: new Map(), byRole: new Map(), unresolved: [] };
  for (const wf of project.workflows)
    for (const job of wf.jobs)
      for (const ra of job.roleAssumptions) {
        const ref = resolveRoleRef(ra, mapping);
        let found: RoleLink[] = [];
        const match: RoleLink['match'] = ref?.via === 'mapping' ? 'mapping' : 'arn';
        if (ref?.arn && byArn.has(ref.arn)) found = byArn.get(ref.arn)!.map((role) => ({ assumption: ra, role, match }));
        else if (ref?.name && byName.has(ref.name)) {
          // A role of another account is not the one named, where both ARNs show the account.
          const account = accountOfArn(ref.arn);
          const roles = byName.get(ref.name)!.filter((role) => {
            const own = accountOfArn(role.arn);
            return !account || !own || own === account;
          });
          found = roles.map((role) => ({ assumption: ra, role, match: ref.via === 'mapping' ? 'mapping' : 'name' }));
        }
        if (!found.length) {
          links.unresolved.push(ra);
          continue;
        }
        links.byAssumption.set(ra, found);
        for (const l of found) {
          const list = links.byRole.get(l.role);
          if (list) list.push(l);
          else links.byRole.set(l.role, [l]);
        }
      }
  return links;
}
