/**
 * Google Cloud as `gcloud … --format=json` prints it, saved to files:
 * `gcloud iam workload-identity-pools providers describe|list --format=json` (a provider, or a list
 * of them: `name`, `oidc.issuerUri`, `oidc.allowedAudiences`, `attributeMapping`,
 * `attributeCondition`, `disabled`), and `gcloud … get-iam-policy --format=json` (an IAM policy:
 * `bindings[].role`, `bindings[].members`, `bindings[].condition`) whose members name a workload
 * identity pool. The file is recognised by content, read with exact positions, never executed.
 */
import type { FileInput, FileLoader, LoadSink } from '../index.js';
import { parseJsonFile } from '../aws/policy-json.js';
import { get, isMap, isScalar, isSeq, scalarValue, stringList, type DocNode } from '../shared/doc.js';
import { emptyGcpModel, type GcpAttributeMapping, type GcpPoolGrant, type GcpPoolProvider } from '../../model/gcp.js';
import type { Value } from '../../model/location.js';
import { poolKeyOfMember } from '../../model/claims/gcp.js';

const PROVIDER_NAME = /^projects\/[^/]+\/locations\/[^/]+\/workloadIdentityPools\/([^/]+)\/providers\/([^/]+)$/;

/** Cheap test: a JSON file that shows a pool provider or an IAM policy naming pool identities. */
export function mayBeGcloudJson(f: FileInput): boolean {
  return /\.json$/i.test(f.relPath) && f.text.includes('workloadIdentityPools/') && (/"issuerUri"\s*:/.test(f.text) || /"bindings"\s*:/.test(f.text));
}

function str(n: DocNode | undefined): Value<string> | undefined {
  return n && isScalar(n) && typeof n.value === 'string' ? scalarValue(n) : undefined;
}

function provider(n: DocNode, file: string): GcpPoolProvider | undefined {
  const name = str(get(n, 'name'));
  const m = name ? PROVIDER_NAME.exec(name.value) : null;
  const oidc = get(n, 'oidc');
  if (!name || !m || !isMap(oidc)) return undefined;
  const p: GcpPoolProvider = { type: 'GcpPoolProvider', loc: n.loc, origin: { format: 'gcloud', file, logicalId: name.value }, poolKey: m[1], pool: name, providerId: { ...name, value: m[2] }, allowedAudiences: stringList(get(oidc, 'allowedAudiences')) };
  const issuer = str(get(oidc, 'issuerUri'));
  if (issuer) p.issuerUri = issuer;
  const cond = str(get(n, 'attributeCondition'));
  if (cond) p.attributeCondition = cond;
  const mapping = get(n, 'attributeMapping');
  if (isMap(mapping)) {
    p.mappingLoc = mapping.loc;
    p.attributeMapping = mapping.entries.flatMap((e): GcpAttributeMapping[] => {
      const v = str(e.value);
      return v ? [{ key: scalarValue(e.key), value: v }] : [];
    });
  }
  const disabled = get(n, 'disabled');
  const state = str(get(n, 'state'));
  if ((isScalar(disabled) && disabled.value === true) || state?.value === 'DELETED') p.disabled = true;
  return p;
}

function grants(n: DocNode, file: string): GcpPoolGrant[] {
  const bindings = get(n, 'bindings');
  if (!isSeq(bindings)) return [];
  const out: GcpPoolGrant[] = [];
  bindings.items.forEach((b, i) => {
    const members = stringList(get(b, 'members'))
      .filter((v) => /^principal(Set)?:\/\/iam\.googleapis\.com\/.*workloadIdentityPools\//.test(v.value))
      .map((value) => {
        const poolKey = poolKeyOfMember(value);
        return poolKey ? { value, poolKey } : { value };
      });
    if (!members.length) return;
    const g: GcpPoolGrant = { type: 'GcpPoolGrant', loc: b.loc, origin: { format: 'gcloud', file, logicalId: `${file}: bindings[${i}]` }, resourceType: 'iam-policy', members, conditional: isMap(get(b, 'condition')) };
    const role = str(get(b, 'role'));
    if (role) g.role = role;
    out.push(g);
  });
  return out;
}

export const gcloudJsonLoader: FileLoader = {
  name: 'gcloud-json',
  accepts: mayBeGcloudJson,
  load(f: FileInput, sink: LoadSink) {
    const { root, errors } = parseJsonFile(f.text, f.relPath);
    sink.errors.push(...errors);
    sink.kind = 'other';
    if (!root) return;
    const gcp = emptyGcpModel();
    for (const n of isSeq(root) ? root.items : [root]) {
      const p = isMap(n) ? provider(n, f.relPath) : undefined;
      if (p) gcp.providers.push(p);
      else if (isMap(n)) gcp.grants.push(...grants(n, f.relPath));
    }
    if (gcp.providers.length || gcp.grants.length) sink.gcp = gcp;
    else if (f.explicit) sink.errors.push({ type: 'LoadError', kind: 'structure', loc: root.loc, message: 'neither a workload identity pool provider (name …/workloadIdentityPools/POOL/providers/ID with oidc) nor an IAM policy whose bindings name pool identities' });
  },
};
