/**
 * Terraform (hashicorp/azurerm, hashicorp/azuread): federated identity credentials.
 *
 * Read from the module the Terraform loader has already parsed and resolved (`terraform-eval.ts`):
 * `azurerm_federated_identity_credential` (a user-assigned managed identity: `parent_id`, `issuer`,
 * `subject`, `audience` — a list), `azuread_application_federated_identity_credential` (an app
 * registration: `application_id` or the older `application_object_id`, `display_name`, `issuer`,
 * `subject`, `audiences`), `azuread_application_flexible_federated_identity_credential` (`issuer`,
 * `claims_matching_expression`, `audience` — one string), and `azurerm_user_assigned_identity`
 * (names, for messages). Not read: module calls.
 */
import type { Block, Body } from '../terraform/hcl.js';
import { getAttr } from '../terraform/hcl.js';
import { fileScope, type Def, type Scope, type TfEvaluator } from '../terraform/terraform-eval.js';
import { isScalar, scalarValue, stringList, type DocNode } from '../shared/doc.js';
import type { AzureFederatedCredential, AzureModel } from '../../model/azure.js';
import type { Value } from '../../model/location.js';

function asValue(n: DocNode | undefined): Value<string> | undefined {
  return n && isScalar(n) && n.value !== null ? scalarValue(n) : undefined;
}

function attr(ev: TfEvaluator, body: Body, name: string, scope: Scope, path: string): Value<string> | undefined {
  const a = getAttr(body, name);
  return a ? asValue(ev.eval(a.expr, scope, path)) : undefined;
}

const CREDENTIALS: Record<string, { owner: AzureFederatedCredential['owner']; parent: string[]; name: string; audiences: string; flexible: boolean }> = {
  azurerm_federated_identity_credential: { owner: 'managed-identity', parent: ['parent_id'], name: 'name', audiences: 'audience', flexible: false },
  azuread_application_federated_identity_credential: { owner: 'application', parent: ['application_id', 'application_object_id'], name: 'display_name', audiences: 'audiences', flexible: false },
  azuread_application_flexible_federated_identity_credential: { owner: 'application', parent: ['application_id'], name: 'display_name', audiences: 'audience', flexible: true },
};

function instanceId(address: string, block: Block, key: string | number | undefined): string {
  return key === undefined || getAttr(block.body, 'count') ? address : `${address}[${JSON.stringify(key)}]`;
}

export function readAzureResources(ev: TfEvaluator, configs: { file: string; body: Body }[], azure: AzureModel, budgeted: <T>(def: Def<Block>, what: string, compute: () => T) => T | undefined): void {
  for (const c of configs)
    for (const b of c.body.blocks) {
      if (b.hasError || b.type !== 'resource') continue;
      const type = b.labels[0]?.value ?? '';
      const address = `${type}.${b.labels[1]?.value ?? ''}`;
      const def: Def<Block> = { file: c.file, item: b };
      const spec = Object.hasOwn(CREDENTIALS, type) ? CREDENTIALS[type] : undefined;
      if (spec) {
        const creds = budgeted(def, address, () =>
          ev.instances(b, fileScope(c.file)).map((inst) => {
            const id = instanceId(address, b, inst.key);
            const audAttr = getAttr(b.body, spec.audiences);
            const cred: AzureFederatedCredential = {
              type: 'AzureFederatedCredential',
              loc: b.loc,
              origin: { format: 'terraform', file: c.file, logicalId: id },
              owner: spec.owner,
              audiences: audAttr ? stringList(ev.eval(audAttr.expr, inst.scope, `${id}.${spec.audiences}`)) : [],
              audiencesLoc: audAttr?.loc ?? b.typeLoc,
            };
            const parentName = spec.parent.find((n) => getAttr(b.body, n));
            const parent = parentName ? attr(ev, b.body, parentName, inst.scope, `${id}.${parentName}`) : undefined;
            if (parent) cred.parent = parent;
            const name = attr(ev, b.body, spec.name, inst.scope, `${id}.${spec.name}`);
            if (name) cred.name = name;
            const issuer = attr(ev, b.body, 'issuer', inst.scope, `${id}.issuer`);
            if (issuer) cred.issuer = issuer;
            const subject = spec.flexible ? undefined : attr(ev, b.body, 'subject', inst.scope, `${id}.subject`);
            if (subject) cred.subject = subject;
            const expression = spec.flexible ? attr(ev, b.body, 'claims_matching_expression', inst.scope, `${id}.claims_matching_expression`) : undefined;
            if (expression) cred.expression = expression;
            return cred;
          }),
        );
        if (creds) azure.credentials.push(...creds);
      } else if (type === 'azurerm_user_assigned_identity') {
        const name = budgeted(def, address, () => attr(ev, b.body, 'name', fileScope(c.file), `${address}.name`));
        azure.identities.push({ type: 'AzureIdentity', loc: b.loc, origin: { format: 'terraform', file: c.file, logicalId: address }, ...(name ? { name } : {}) });
      }
    }
}
