/**
 * Terraform (hashicorp/google, google-beta): workload identity federation for GitHub.
 *
 * Read from the module the Terraform loader has already parsed and resolved (`terraform-eval.ts`):
 * `google_iam_workload_identity_pool` (address → pool id), `google_iam_workload_identity_pool_provider`
 * (pool, provider id, `oidc { issuer_uri, allowed_audiences }`, `attribute_mapping`,
 * `attribute_condition`, `disabled`), and every `google_*_iam_member` / `google_*_iam_binding`
 * whose member names a workload identity pool (`principalSet://iam.googleapis.com/…/workloadIdentityPools/…`
 * or `principal://…`). Other members of a binding are not kept. A local child module is read again
 * for each call, with the caller's arguments (../aws/terraform.ts `childModules`). Not read:
 * `google_*_iam_policy` (a `data "google_iam_policy"` document), registry modules.
 */
import type { Block, Body } from '../terraform/hcl.js';
import { getAttr } from '../terraform/hcl.js';
import { fileScope, type Def, type Scope, type TfEvaluator } from '../terraform/terraform-eval.js';
import { isMap, isScalar, scalarValue, stringList, type DocNode } from '../shared/doc.js';
import type { GcpAttributeMapping, GcpModel, GcpPoolGrant, GcpPoolProvider } from '../../model/gcp.js';
import type { Value } from '../../model/location.js';
import { poolKeyOfMember } from '../../model/claims/gcp.js';

/**
 * The pool a provider's `workload_identity_pool_id` names: the pool resource it refers to (by the
 * expression as written: the evaluator may already have followed the reference to `var.pool_id`),
 * else its id when known.
 */
function poolKeyOfValue(v: Value<string>, source: string): string | undefined {
  const ref = /\bgoogle_iam_workload_identity_pool\.([A-Za-z0-9_-]+)\b/.exec(source)?.[1] ?? /\bgoogle_iam_workload_identity_pool\.([A-Za-z0-9_-]+)\b/.exec(v.raw)?.[1];
  if (ref) return `tf:google_iam_workload_identity_pool.${ref}`;
  return v.resolution !== 'unresolved' ? v.value.trim() || undefined : undefined;
}

function asValue(n: DocNode | undefined): Value<string> | undefined {
  return n && isScalar(n) && n.value !== null ? scalarValue(n) : undefined;
}

function attr(ev: TfEvaluator, body: Body, name: string, scope: Scope, path: string): Value<string> | undefined {
  const a = getAttr(body, name);
  return a ? asValue(ev.eval(a.expr, scope, path)) : undefined;
}

const IAM_GRANT = /^google_[a-z0-9_]+_iam_(member|binding)$/;
/** The argument that names what the role is granted on, for the common resources; else the first `*_id` / `name` argument. */
const TARGET_ATTRS = ['service_account_id', 'project', 'bucket', 'secret_id', 'repository', 'dataset_id', 'topic', 'subscription', 'name', 'folder', 'org_id', 'cloud_run_service', 'service'];

/**
 * Reads one module's resources into `gcp`. `prefix` is the module's address in its caller
 * (`module.wif.`) when it is read with the arguments a caller passes: addresses and references to
 * its pools carry it, so two instances of one module are two sets of resources.
 */
export function readGcpResources(ev: TfEvaluator, configs: { file: string; body: Body }[], gcp: GcpModel, budgeted: <T>(def: Def<Block>, what: string, compute: () => T) => T | undefined, prefix = ''): void {
  const added = { providers: gcp.providers.length, grants: gcp.grants.length, pools: gcp.pools.length };
  for (const c of configs)
    for (const b of c.body.blocks) {
      if (b.hasError || b.type !== 'resource') continue;
      const type = b.labels[0]?.value ?? '';
      const address = `${prefix}${type}.${b.labels[1]?.value ?? ''}`;
      const def: Def<Block> = { file: c.file, item: b };
      if (type === 'google_iam_workload_identity_pool') {
        const id = budgeted(def, address, () => attr(ev, b.body, 'workload_identity_pool_id', fileScope(c.file), `${address}.workload_identity_pool_id`));
        gcp.pools.push({ address, file: c.file, ...(id && id.resolution !== 'unresolved' ? { id: id.value } : {}) });
      } else if (type === 'google_iam_workload_identity_pool_provider') {
        const ps = budgeted(def, address, () => providers(ev, def, address));
        if (ps) gcp.providers.push(...ps);
      } else if (IAM_GRANT.test(type)) {
        const gs = budgeted(def, address, () => grants(ev, def, address, type));
        if (gs) gcp.grants.push(...gs);
      }
    }
  // A reference to a pool of this module is to this instance's pool; one whose id is written is that id
  // (messages name the pool by it).
  const pools = gcp.pools.slice(added.pools);
  const idOf = (key: string | undefined) => {
    if (!key?.startsWith('tf:')) return key;
    const own = `tf:${prefix}${key.slice(3)}`;
    return pools.find((p) => `tf:${p.address}` === own)?.id ?? own;
  };
  for (const p of gcp.providers.slice(added.providers)) if (p.poolKey) p.poolKey = idOf(p.poolKey);
  for (const g of gcp.grants.slice(added.grants)) for (const m of g.members) if (m.poolKey) m.poolKey = idOf(m.poolKey);
}

function instanceId(address: string, block: Block, key: string | number | undefined): string {
  return key === undefined || getAttr(block.body, 'count') ? address : `${address}[${JSON.stringify(key)}]`;
}

function providers(ev: TfEvaluator, def: Def<Block>, address: string): GcpPoolProvider[] {
  const b = def.item;
  const out: GcpPoolProvider[] = [];
  for (const inst of ev.instances(b, fileScope(def.file))) {
    const id = instanceId(address, b, inst.key);
    const p: GcpPoolProvider = { type: 'GcpPoolProvider', loc: b.loc, origin: { format: 'terraform', file: def.file, logicalId: id }, allowedAudiences: [] };
    const pool = attr(ev, b.body, 'workload_identity_pool_id', inst.scope, `${id}.workload_identity_pool_id`);
    if (pool) {
      p.pool = pool;
      const key = poolKeyOfValue(pool, getAttr(b.body, 'workload_identity_pool_id')?.expr.raw ?? '');
      if (key) p.poolKey = key;
    }
    const providerId = attr(ev, b.body, 'workload_identity_pool_provider_id', inst.scope, `${id}.workload_identity_pool_provider_id`);
    if (providerId) p.providerId = providerId;
    const oidc = ev.expandBlocks(b.body, 'oidc', inst.scope)[0];
    if (oidc) {
      const issuer = attr(ev, oidc.body, 'issuer_uri', oidc.scope, `${id}.oidc.issuer_uri`);
      if (issuer) p.issuerUri = issuer;
      const aud = getAttr(oidc.body, 'allowed_audiences');
      if (aud) p.allowedAudiences = stringList(ev.eval(aud.expr, oidc.scope, `${id}.oidc.allowed_audiences`));
    }
    const cond = attr(ev, b.body, 'attribute_condition', inst.scope, `${id}.attribute_condition`);
    if (cond) p.attributeCondition = cond;
    const mapAttr = getAttr(b.body, 'attribute_mapping');
    if (mapAttr) {
      p.mappingLoc = mapAttr.loc;
      const m = ev.eval(mapAttr.expr, inst.scope, `${id}.attribute_mapping`);
      if (isMap(m)) {
        const entries: GcpAttributeMapping[] = [];
        let known = true;
        for (const e of m.entries) {
          const v = asValue(e.value);
          if (!v || e.key.resolution === 'unresolved') known = false;
          else entries.push({ key: scalarValue(e.key), value: v });
        }
        if (known) p.attributeMapping = entries;
      }
    }
    const disabled = attr(ev, b.body, 'disabled', inst.scope, `${id}.disabled`);
    if (disabled?.value === 'true' && disabled.resolution !== 'unresolved') p.disabled = true;
    out.push(p);
  }
  return out;
}

function grants(ev: TfEvaluator, def: Def<Block>, address: string, type: string): GcpPoolGrant[] {
  const b = def.item;
  const out: GcpPoolGrant[] = [];
  for (const inst of ev.instances(b, fileScope(def.file))) {
    const id = instanceId(address, b, inst.key);
    const memberAttr = getAttr(b.body, type.endsWith('_member') ? 'member' : 'members');
    if (!memberAttr) continue;
    const values = stringList(ev.eval(memberAttr.expr, inst.scope, `${id}.${memberAttr.name}`));
    const members = values
      .filter((v) => /workloadIdentityPools\/|google_iam_workload_identity_pool\./.test(v.value + ' ' + v.raw) && /^principal(Set)?:\/\//.test(v.value))
      .map((value) => {
        const poolKey = poolKeyOfMember(value) ?? poolKeyOfMember({ ...value, value: '', parts: undefined, raw: memberAttr.expr.raw });
        return poolKey ? { value, poolKey } : { value };
      });
    if (!members.length) continue;
    const targetName = TARGET_ATTRS.find((n) => getAttr(b.body, n)) ?? b.body.attributes.find((a) => /_id$/.test(a.name))?.name;
    const g: GcpPoolGrant = { type: 'GcpPoolGrant', loc: b.loc, origin: { format: 'terraform', file: def.file, logicalId: id }, resourceType: type, members, conditional: ev.expandBlocks(b.body, 'condition', inst.scope).length > 0 };
    const target = targetName ? attr(ev, b.body, targetName, inst.scope, `${id}.${targetName}`) : undefined;
    if (target) g.target = target;
    const role = attr(ev, b.body, 'role', inst.scope, `${id}.role`);
    if (role) g.role = role;
    out.push(g);
  }
  return out;
}
