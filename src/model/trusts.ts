/**
 * The trusts of a project that are not AWS roles (AWS trusts are the roles' trust policies, visited
 * as Role / TrustPolicy nodes): Google Cloud pool providers, alone ("what can federate into the
 * pool") and joined with each IAM grant to the pool's identities ("who can act as this service
 * account"), and Azure federated identity credentials (one trust each). Built once per project from the loaders' plain data.
 */
import type { Project } from './project.js';
import type { GcpModel, GcpPoolGrant, GcpPoolProvider } from './gcp.js';
import { gcpGithubIssuer, gcpTrust, type GcpTrust } from './claims/gcp.js';
import type { Trust } from './claims/trust.js';
import { azureGithubIssuer, azureTrust, type AzureTrust } from './claims/azure.js';
import { knownText } from './claims/values.js';

const cache = new WeakMap<Project, Trust[]>();

export function cloudTrusts(project: Project): Trust[] {
  let t = cache.get(project);
  if (!t) {
    t = [...(project.gcp ? gcpTrusts(project.gcp) : []), ...azureTrusts(project)];
    cache.set(project, t);
  }
  return t;
}

/** A pool key as the pool's id when the scan shows it (`tf:google_iam_workload_identity_pool.x` → `github-pool`). */
function normalizePoolKey(gcp: GcpModel, key: string | undefined): string | undefined {
  if (!key?.startsWith('tf:')) return key;
  return gcp.pools.find((p) => `tf:${p.address}` === key)?.id ?? key;
}

/** The grants to identities of a provider's pool, and the members of each that name that pool. */
export function grantsOfProvider(gcp: GcpModel, p: GcpPoolProvider): { grant: GcpPoolGrant; members: GcpPoolGrant['members'] }[] {
  const key = normalizePoolKey(gcp, p.poolKey);
  if (!key) return [];
  const out: { grant: GcpPoolGrant; members: GcpPoolGrant['members'] }[] = [];
  for (const g of gcp.grants) {
    const members = g.members.filter((m) => normalizePoolKey(gcp, m.poolKey) === key);
    if (members.length) out.push({ grant: g, members });
  }
  return out;
}

function gcpTrusts(gcp: GcpModel): GcpTrust[] {
  const out: GcpTrust[] = [];
  for (const p of gcp.providers) {
    if (!gcpGithubIssuer(p)) continue;
    out.push(gcpTrust({ provider: p }));
    for (const { grant, members } of grantsOfProvider(gcp, p)) {
      const target = grant.target ? (knownText(grant.target) ?? grant.target.raw) : grant.origin.logicalId;
      out.push(gcpTrust({ provider: p, members, grant, name: target }));
    }
  }
  return out;
}

/** Azure: each federated identity credential for a GitHub issuer (credentials of other issuers — AKS service accounts, Terraform Cloud — are not GitHub trusts). */
function azureTrusts(project: Project): AzureTrust[] {
  return (project.azure?.credentials ?? []).filter((c) => azureGithubIssuer(c) !== undefined).map(azureTrust);
}
