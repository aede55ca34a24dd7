import type { NodeType } from './rule.js';
import type { Project } from '../model/project.js';
import { cloudTrusts } from '../model/trusts.js';

type Dispatch = (type: NodeType, node: unknown, exit: boolean) => void;

/** The single walk over the model, in a fixed order: sources, load errors, workflows, roles, providers, other clouds' trusts. */
export function traverse(project: Project, dispatch: Dispatch): void {
  const visit = (type: NodeType, node: unknown, children?: () => void) => {
    dispatch(type, node, false);
    children?.();
    dispatch(type, node, true);
  };
  visit('Project', project, () => {
    for (const s of project.sources) visit('SourceFile', s);
    for (const e of project.loadErrors) visit('LoadError', e);
    for (const wf of project.workflows)
      visit('Workflow', wf, () => {
        for (const t of wf.triggers) visit('Trigger', t);
        if (wf.permissions) visit('Permissions', wf.permissions);
        for (const job of wf.jobs)
          visit('Job', job, () => {
            if (job.permissions) visit('Permissions', job.permissions);
            for (const step of job.steps) visit('Step', step);
            for (const ra of job.roleAssumptions) visit('RoleAssumption', ra);
            for (const cl of job.cloudLogins) visit('CloudLogin', cl);
          });
      });
    for (const action of project.actions ?? []) visit('Action', action, () => {
      for (const step of action.steps) visit('Step', step);
    });
    for (const role of project.roles)
      visit('Role', role, () => {
        const tp = role.trustPolicy;
        if (tp)
          visit('TrustPolicy', tp, () => {
            for (const st of tp.statements)
              visit('Statement', st, () => {
                for (const p of st.principals) visit('Principal', p);
                for (const c of st.conditions) visit('Condition', c);
              });
          });
      });
    for (const p of project.providers) visit('OidcProvider', p);
    for (const t of cloudTrusts(project)) visit('Trust', t);
  });
}
