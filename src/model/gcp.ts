/**
 * Google Cloud workload identity federation, as the loaders read it (plain data: loaded on a
 * worker thread and sent back). What a GitHub token may act as is decided by a pool provider
 * (issuer, audiences, attribute mapping, attribute condition) together with the IAM grants to the
 * pool's identities (`principalSet://…/workloadIdentityPools/POOL/…`); the claims layer
 * (`claims/gcp.ts`) joins them into trusts.
 */
import type { SourceLocation, Value } from './location.js';

export interface GcpOrigin {
  format: 'terraform' | 'gcloud';
  file: string;
  /** Terraform address (`google_iam_workload_identity_pool_provider.github`) or the provider's resource name. */
  logicalId: string;
}

/** One `attribute_mapping` entry: `attribute.repository = assertion.repository`. */
export interface GcpAttributeMapping {
  key: Value<string>;
  value: Value<string>;
}

export interface GcpPoolProvider {
  type: 'GcpPoolProvider';
  loc: SourceLocation;
  origin: GcpOrigin;
  /**
   * Which pool: its id when written (`github-pool`), or `tf:<address>` of the pool resource when
   * the provider refers to it (`google_iam_workload_identity_pool.github.workload_identity_pool_id`).
   */
  poolKey?: string;
  /** Where the pool is named. */
  pool?: Value<string>;
  providerId?: Value<string>;
  /** `oidc.issuer_uri`; undefined for providers that are not OIDC (AWS, SAML, X.509). */
  issuerUri?: Value<string>;
  allowedAudiences: Value<string>[];
  attributeCondition?: Value<string>;
  /** The mapping entries; undefined when it could not be read as a whole (a variable without default). */
  attributeMapping?: GcpAttributeMapping[];
  /** Where `attribute_mapping` is written (for "add a mapping" reports). */
  mappingLoc?: SourceLocation;
  /** The provider is `disabled = true`. */
  disabled?: boolean;
}

/** An IAM grant of a role to identities of a workload identity pool. */
export interface GcpPoolGrant {
  type: 'GcpPoolGrant';
  loc: SourceLocation;
  origin: GcpOrigin;
  /** `google_service_account_iam_member`, `google_project_iam_binding`, … */
  resourceType: string;
  /** What the role is granted on (`service_account_id`, `project`, `bucket`, …), as written. */
  target?: Value<string>;
  role?: Value<string>;
  /** The members that name a workload identity pool (other members are not kept). */
  members: GcpPoolMember[];
  /** The grant has an IAM condition (`condition { expression = … }`). */
  conditional: boolean;
}

export interface GcpPoolMember {
  value: Value<string>;
  /** As `poolKey` of a provider. */
  poolKey?: string;
}

/** A pool resource: its Terraform address and id, to join `tf:` keys with literal ids. */
export interface GcpPool {
  address: string;
  id?: string;
  file: string;
}

export interface GcpModel {
  providers: GcpPoolProvider[];
  grants: GcpPoolGrant[];
  pools: GcpPool[];
}

export function emptyGcpModel(): GcpModel {
  return { providers: [], grants: [], pools: [] };
}
