/** Google Cloud workload identity federation read from Terraform (src/loaders/gcp/terraform.ts), and the trusts built from it. */
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/loaders/index.js';
import { cloudTrusts, grantsOfProvider } from '../../src/model/trusts.js';
import { lintTree, writeTree, brief } from '../helpers/project.js';
import type { GcpTrust } from '../../src/model/claims/gcp.js';

function at(text: string, needle: string): { line: number; column: number } {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`"${needle}" not found`);
  const before = text.slice(0, i);
  return { line: before.split('\n').length, column: i - before.lastIndexOf('\n') };
}

const MAIN = `variable "org" {
  default = "octo-org"
}

variable "repos" {
  default = ["api", "web"]
}

resource "google_iam_workload_identity_pool" "gh" {
  workload_identity_pool_id = "gh-pool"
}

resource "google_iam_workload_identity_pool_provider" "gh" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.gh.workload_identity_pool_id
  workload_identity_pool_provider_id = "gh"
  attribute_mapping = {
    "google.subject"       = "assertion.sub"
    "attribute.repository" = "assertion.repository"
  }
  attribute_condition = <<EOT
    assertion.repository_owner == '\${var.org}' && assertion.ref == 'refs/heads/main'
  EOT
  oidc {
    issuer_uri        = "https://token.actions.githubusercontent.com"
    allowed_audiences = ["https://github.com/octo-org"]
  }
}

resource "google_service_account_iam_member" "deploy" {
  for_each           = toset(var.repos)
  service_account_id = "projects/p/serviceAccounts/deploy@p.iam.gserviceaccount.com"
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/\${google_iam_workload_identity_pool.gh.name}/attribute.repository/\${var.org}/\${each.value}"
}

resource "google_project_iam_binding" "viewers" {
  project = "p"
  role    = "roles/viewer"
  members = [
    "user:someone@example.com",
    "principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/gh-pool/*",
  ]
}

resource "google_storage_bucket_iam_member" "unrelated" {
  bucket = "b"
  role   = "roles/storage.objectViewer"
  member = "user:someone@example.com"
}
`;

describe('GCP Terraform loader', () => {
  it('reads pools, providers and the grants to pool identities, with positions', async () => {
    for (const threads of [1, 2]) {
      const dir = writeTree({ 'infra/main.tf': MAIN });
      const project = await loadProject([dir], { root: dir, threads, poolMinFiles: 1 });
      const gcp = project.gcp!;
      expect(gcp.pools).toEqual([{ address: 'google_iam_workload_identity_pool.gh', id: 'gh-pool', file: 'infra/main.tf' }]);
      expect(gcp.providers).toHaveLength(1);
      const p = gcp.providers[0];
      expect(p.poolKey).toBe('gh-pool');
      expect(p.issuerUri?.value).toBe('https://token.actions.githubusercontent.com');
      expect(p.issuerUri?.loc.start).toEqual(at(MAIN, '"https://token.actions'));
      expect(p.allowedAudiences.map((a) => a.value)).toEqual(['https://github.com/octo-org']);
      expect(p.attributeCondition?.value.trim()).toBe("assertion.repository_owner == 'octo-org' && assertion.ref == 'refs/heads/main'");
      expect(p.attributeMapping?.map((m) => `${m.key.value}=${m.value.value}`)).toEqual(['google.subject=assertion.sub', 'attribute.repository=assertion.repository']);
      // One grant per for_each instance, each naming its repository; the binding keeps only the pool member.
      expect(gcp.grants.map((g) => [g.origin.logicalId, g.members.map((m) => m.value.value.replace(/^.*\//, ''))])).toEqual([
        ['google_service_account_iam_member.deploy["api"]', ['api']],
        ['google_service_account_iam_member.deploy["web"]', ['web']],
        ['google_project_iam_binding.viewers', ['*']],
      ]);
      expect(grantsOfProvider(gcp, p).map((g) => g.grant.origin.logicalId)).toHaveLength(3);
    }
  });

  it('joins each grant with its provider: the repository grants are narrow, the whole-pool grant admits every repository of the owner', async () => {
    const dir = writeTree({ 'main.tf': MAIN });
    const project = await loadProject([dir], { root: dir });
    const trusts = cloudTrusts(project) as GcpTrust[];
    expect(trusts.map((t) => [t.grant?.origin.logicalId ?? 'provider', t.admits().issuers[0].regions.map((r) => r.breadth).join()])).toEqual([
      ['provider', 'any-repo'],
      ['google_service_account_iam_member.deploy["api"]', 'narrow'],
      ['google_service_account_iam_member.deploy["web"]', 'narrow'],
      ['google_project_iam_binding.viewers', 'any-repo'],
    ]);
    // The audience Google checks is allowed_audiences.
    const facts = { owner: 'octo-org', repo: 'api', eventName: 'push', ref: 'refs/heads/main' };
    expect(trusts[1].admits().admits({ ...facts, audience: 'https://github.com/octo-org' })).toBe(true);
    expect(trusts[1].admits().admits({ ...facts, audience: 'sts.amazonaws.com' })).toBe(false);
    expect(trusts[2].admits().admits({ ...facts, audience: 'https://github.com/octo-org' })).toBe(false);
  });

  it('points findings at the heredoc condition and at the grant', async () => {
    const text = MAIN.replace("assertion.repository_owner == '${var.org}' && ", '');
    const findings = await lintTree({ 'main.tf': text }, 'require-subject-condition');
    expect(brief(findings)).toEqual([
      `gcpConditionOpen@${at(text, '<<EOT').line}:${at(text, '<<EOT').column}`,
      `gcpGrantOpen@${at(text, '"principalSet://iam.googleapis.com/projects/123').line}:${at(text, '"principalSet://iam.googleapis.com/projects/123').column}`,
    ]);
  });

  it('reads nothing from a module without Google resources, and a provider for another issuer is no GitHub trust', async () => {
    const dir = writeTree({
      'a/main.tf': 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n',
      'b/main.tf':
        'resource "google_iam_workload_identity_pool_provider" "gitlab" {\n  workload_identity_pool_id = "p"\n  workload_identity_pool_provider_id = "gitlab"\n  oidc {\n    issuer_uri = "https://gitlab.com"\n  }\n}\n',
    });
    const project = await loadProject([dir], { root: dir });
    expect(project.gcp?.providers).toHaveLength(1);
    expect(cloudTrusts(project)).toEqual([]);
  });
});

describe('saved gcloud --format=json output', () => {
  const PROVIDERS = JSON.stringify(
    [
      {
        name: 'projects/123/locations/global/workloadIdentityPools/github-pool/providers/github',
        oidc: { issuerUri: 'https://token.actions.githubusercontent.com' },
        attributeMapping: { 'google.subject': 'assertion.sub', 'attribute.repository_owner': 'assertion.repository_owner' },
        attributeCondition: "attribute.repository_owner == 'octo-org'",
        state: 'ACTIVE',
      },
      { name: 'projects/123/locations/global/workloadIdentityPools/github-pool/providers/old', oidc: { issuerUri: 'https://token.actions.githubusercontent.com' }, state: 'DELETED' },
    ],
    null,
    2,
  );
  const POLICY = JSON.stringify(
    { bindings: [{ role: 'roles/iam.workloadIdentityUser', members: ['user:a@example.com', 'principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github-pool/*'] }], etag: 'x' },
    null,
    2,
  );

  it('reads providers (a deleted one admits nothing) and IAM policies, and joins them by pool id', async () => {
    const dir = writeTree({ 'gcp/providers.json': PROVIDERS, 'gcp/deploy-sa-policy.json': POLICY, 'other.json': '{"bindings": []}' });
    const project = await loadProject([dir], { root: dir });
    expect(project.gcp?.providers.map((p) => [p.origin.logicalId.replace(/^.*\//, ''), p.poolKey, !!p.disabled])).toEqual([
      ['github', 'github-pool', false],
      ['old', 'github-pool', true],
    ]);
    expect(project.gcp?.grants.map((g) => [g.origin.logicalId, g.members.length, g.role?.value])).toEqual([['gcp/deploy-sa-policy.json: bindings[0]', 1, 'roles/iam.workloadIdentityUser']]);
    const trusts = cloudTrusts(project) as GcpTrust[];
    const joined = trusts.filter((t) => t.grant && !t.provider.disabled);
    // (One region per accepted audience: the provider's name with and without `https:`.)
    expect(joined.map((t) => [...new Set(t.admits().issuers[0].regions.map((r) => r.breadth))])).toEqual([['any-repo']]);
    const deleted = trusts.filter((t) => t.provider.disabled);
    expect(deleted.every((t) => t.admits().issuers.every((i) => i.regions.length === 0))).toBe(true);
    expect(brief(await lintTree({ 'gcp/providers.json': PROVIDERS, 'gcp/deploy-sa-policy.json': POLICY }, 'no-wildcard-subject'))).toEqual(['gcpAnyRepo@7:9']);
  });
});

describe('local module calls', () => {
  const CHILD = `variable "issuer" {}
variable "condition" {
  default = null
}
variable "pool" {}

resource "google_iam_workload_identity_pool" "p" {
  workload_identity_pool_id = var.pool
}

resource "google_iam_workload_identity_pool_provider" "gh" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.p.workload_identity_pool_id
  workload_identity_pool_provider_id = "gh"
  attribute_condition                = var.condition
  attribute_mapping = {
    "google.subject" = "assertion.sub"
  }
  oidc {
    issuer_uri = var.issuer
  }
}

resource "google_service_account_iam_member" "sa" {
  service_account_id = "projects/p/serviceAccounts/sa@p.iam.gserviceaccount.com"
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/\${google_iam_workload_identity_pool.p.name}/*"
}
`;
  const ROOT = `module "open" {
  source = "./wif"
  issuer = "https://token.actions.githubusercontent.com"
  pool   = "open-pool"
}

module "pinned" {
  source    = "./wif"
  issuer    = "https://token.actions.githubusercontent.com"
  pool      = "pinned-pool"
  condition = "assertion.repository_owner_id == '1342004'"
}
`;

  it('reads the child module once per call, with the arguments it passes, instead of with its inputs unknown', async () => {
    const dir = writeTree({ 'main.tf': ROOT, 'wif/main.tf': CHILD });
    const project = await loadProject([dir], { root: dir });
    expect(project.gcp?.providers.map((p) => [p.origin.logicalId, p.poolKey, p.issuerUri?.loc.file, p.attributeCondition?.value ?? null])).toEqual([
      ['module.open.google_iam_workload_identity_pool_provider.gh', 'open-pool', 'main.tf', null],
      ['module.pinned.google_iam_workload_identity_pool_provider.gh', 'pinned-pool', 'main.tf', "assertion.repository_owner_id == '1342004'"],
    ]);
    const findings = await lintTree({ 'main.tf': ROOT, 'wif/main.tf': CHILD }, 'require-subject-condition');
    // The open instance: its provider (reported where the caller passes the issuer) and its whole-pool grant.
    expect(brief(findings)).toEqual(['gcpNoCondition@3:12', 'gcpGrantOpen@26:24']);
  });
});
