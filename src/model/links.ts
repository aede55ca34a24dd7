/**
 * Joins role assumptions (workflow side) to roles (IAM side), once per project, through indexes
 * by ARN and by role name — never an O(n²) scan.
 */
import type { Role } from './iam.js';
import type { Project, ProjectLinks, RoleLink } from './project.js';

/** `arn:aws:iam::123456789012:role/path/Name` → `Name`. */
export function roleNameFromArn(arn: string): string | undefined {
  const m = /^arn:[^:]+:iam::[^:]*:role\/(?:.*\/)?([^/]+)$/.exec(arn.trim());
  return m ? m[1] : undefined;
}

export function linkProject(project: Project): ProjectLinks {
  const byArn = new Map<string, Role[]>();
  const byName = new Map<string, Role[]>();
  const push = (m: Map<string, Role[]>, k: string, r: Role) => {
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  };
  for (const role of project.roles) {
    if (role.arn && role.arn.resolution !== 'unresolved') push(byArn, role.arn.value, role);
    const name = role.name?.resolution !== 'unresolved' ? role.name?.value : role.arn ? roleNameFromArn(role.arn.value) : undefined;
    if (name) push(byName, name, role);
  }
  const links: ProjectLinks = { byAssumption: new Map(), byRole: new Map(), unresolved: [] };
  for (const wf of project.workflows)
    for (const job of wf.jobs)
      for (const ra of job.roleAssumptions) {
        const ref = ra.roleArn;
        let found: RoleLink[] = [];
        if (ref && ref.resolution !== 'unresolved') {
          const exact = byArn.get(ref.value.trim());
          if (exact) found = exact.map((role) => ({ assumption: ra, role, match: 'arn' as const }));
          else {
            const name = roleNameFromArn(ref.value) ?? (ref.value.startsWith('arn:') ? undefined : ref.value.trim());
            const named = name ? byName.get(name) : undefined;
            if (named) found = named.map((role) => ({ assumption: ra, role, match: 'name' as const }));
          }
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
