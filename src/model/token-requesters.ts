/**
 * DATA: the actions, reusable workflows and commands known to request a GitHub OIDC token, and
 * under which inputs. This file is the one place that knowledge lives: the workflow loader, the
 * workflow graph and every rule read it through `token-requests.ts`. Users add their own entries in
 * the config file (`tokenRequests:`), in the same shape.
 *
 * - `uses`: `owner/repo` or `owner/repo/path` of an action or reusable workflow, compared without
 *   case; `*` matches any run of characters. The ref (`@v4`) is ignored. `uses: '*'` alone is a
 *   generic entry: it applies only to actions that no other entry names.
 * - `run`: a regular expression (source text) searched in `run:` scripts, and in the repository
 *   scripts a `run:` step executes.
 * - `env`: tests on the environment a step runs with (workflow, job and step `env:`), for tools
 *   switched to token-based publishing by a variable; an entry with only `env` matches any step.
 * - `when`: tests on the step's inputs (`with:`), all of which must hold; an input that is not given
 *   takes `defaults[input]` (the action's own default) or else the empty string.
 * - `need`: `required` — the step fails without `id-token: write`; `optional` — it uses a token when
 *   the job can get one and works another way otherwise (so a grant is justified, a missing one is
 *   not an error).
 */

/** A test on one input. */
export type InputTest =
  /** Given and not empty (an expression counts as given). */
  | 'set'
  /** Not given, or empty. */
  | 'unset'
  /** `true` (case-insensitive), as actions parse booleans. */
  | 'true'
  /** Anything but `true`. */
  | 'not-true'
  /** One of these values (case-insensitive). */
  | { oneOf: string[] }
  /** Anything but these values (case-insensitive). */
  | { noneOf: string[] }
  /** The value contains a match of this regular expression. */
  | { matches: string };

export interface TokenRequester {
  uses?: string;
  run?: string;
  env?: Record<string, InputTest>;
  /** How findings name it. */
  label: string;
  need: 'required' | 'optional';
  when?: Record<string, InputTest>;
  defaults?: Record<string, string>;
}

export const TOKEN_REQUESTERS: readonly TokenRequester[] = [
  // AWS (domain.md §B.3): OIDC iff role-to-assume, no static keys, no token file, no chaining, not skipped.
  {
    uses: 'aws-actions/configure-aws-credentials',
    label: 'configure-aws-credentials with role-to-assume',
    need: 'required',
    when: { 'role-to-assume': 'set', 'aws-access-key-id': 'unset', 'web-identity-token-file': 'unset', 'role-chaining': 'not-true', 'force-skip-oidc': 'not-true' },
  },
  // Google Cloud workload identity federation (a service-account key instead needs no token; the
  // action refuses both at once). docs/clouds.md, "Workflows".
  { uses: 'google-github-actions/auth', label: 'google-github-actions/auth with workload_identity_provider', need: 'required', when: { workload_identity_provider: 'set', credentials_json: 'unset' } },
  // Azure federated credentials: `client-id` with auth-type SERVICE_PRINCIPAL (the default) logs in
  // with the token; `creds` is then ignored (a secret is read from `creds` only when none of client-id,
  // tenant-id, subscription-id is given); a managed identity (auth-type IDENTITY) needs none.
  { uses: 'azure/login', label: 'azure/login with client-id', need: 'required', when: { 'client-id': 'set', 'auth-type': { noneOf: ['identity'] } } },
  // Terraform's azurerm / azuread providers read the token themselves (ACTIONS_ID_TOKEN_REQUEST_*)
  // when told to use OIDC; optional: they may authenticate another way when no token is available.
  { env: { ARM_USE_OIDC: 'true' }, label: 'ARM_USE_OIDC=true (Terraform azurerm/azuread)', need: 'optional' },
  // HashiCorp Vault JWT auth with GitHub's token (a self-signed jwtPrivateKey needs none).
  { uses: 'hashicorp/vault-action', label: 'hashicorp/vault-action with method: jwt', need: 'required', when: { method: { oneOf: ['jwt'] }, jwtPrivateKey: 'unset' } },
  // PyPI trusted publishing: no password (API token) given.
  { uses: 'pypa/gh-action-pypi-publish', label: 'pypa/gh-action-pypi-publish (trusted publishing)', need: 'required', when: { password: 'unset' } },
  // Sigstore-signed attestations.
  { uses: 'actions/attest-build-provenance', label: 'actions/attest-build-provenance', need: 'required' },
  { uses: 'actions/attest', label: 'actions/attest', need: 'required' },
  { uses: 'actions/attest-sbom', label: 'actions/attest-sbom', need: 'required' },
  { uses: 'sigstore/gh-action-sigstore-python', label: 'sigstore/gh-action-sigstore-python', need: 'required' },
  // GitHub Pages deployments authenticate with the OIDC token.
  { uses: 'actions/deploy-pages', label: 'actions/deploy-pages', need: 'required' },
  // OpenSSF Scorecard publishes results with the token (default publish_results: false).
  { uses: 'ossf/scorecard-action', label: 'ossf/scorecard-action with publish_results: true', need: 'required', when: { publish_results: 'true' } },
  // Claude Code exchanges the token for its GitHub App token unless a github_token is given.
  { uses: 'anthropics/claude-code-action', label: 'anthropics/claude-code-action without github_token', need: 'required', when: { github_token: 'unset' } },
  { uses: 'codecov/codecov-action', label: 'codecov/codecov-action with use_oidc: true', need: 'required', when: { use_oidc: 'true' } },
  { uses: 'actions/github-script', label: 'core.getIDToken in actions/github-script', need: 'required', when: { script: { matches: '\\bgetIDToken\\s*\\(' } } },
  // Registries and brokers with trusted publishing / token exchange.
  { uses: 'rubygems/configure-rubygems-credentials', label: 'rubygems/configure-rubygems-credentials', need: 'required' },
  { uses: 'rubygems/release-gem', label: 'rubygems/release-gem (trusted publishing)', need: 'required', when: { 'setup-trusted-publisher': { noneOf: ['false'] } } },
  { uses: 'rust-lang/crates-io-auth-action', label: 'rust-lang/crates-io-auth-action', need: 'required' },
  { uses: 'octo-sts/action', label: 'octo-sts/action', need: 'required' },
  { uses: 'pulumi/auth-actions', label: 'pulumi/auth-actions', need: 'required' },
  { uses: 'chainguard-dev/setup-chainctl', label: 'chainguard-dev/setup-chainctl', need: 'required', when: { identity: 'set' } },
  { uses: 'jfrog/setup-jfrog-cli', label: 'jfrog/setup-jfrog-cli with oidc-provider-name', need: 'required', when: { 'oidc-provider-name': 'set' } },
  // SLSA generators (reusable workflows) sign provenance with the token.
  { uses: 'slsa-framework/slsa-github-generator/.github/workflows/*', label: 'slsa-framework/slsa-github-generator', need: 'required' },
  // Any other action given an AWS role to assume and no access key almost certainly assumes it with
  // the job's OIDC token (wrappers that deploy, upload reports, …). Optional: it may use other means.
  { uses: '*', label: 'an action given role-to-assume', need: 'optional', when: { 'role-to-assume': 'set', 'aws-access-key-id': 'unset' } },
  { uses: '*', label: 'an action given role-arn', need: 'optional', when: { 'role-arn': 'set', 'aws-access-key-id': 'unset' } },
  { uses: '*', label: 'an action given aws-role-arn', need: 'optional', when: { 'aws-role-arn': 'set', 'aws-access-key-id': 'unset' } },
  // Commands in `run:` scripts.
  { run: '\\bACTIONS_ID_TOKEN_REQUEST_(?:TOKEN|URL)\\b', label: 'ACTIONS_ID_TOKEN_REQUEST_*', need: 'required' },
  { run: '\\b(?:npm|pnpm|yarn)\\b[^\\n]*\\bpublish\\b[^\\n]*--provenance\\b|\\bNPM_CONFIG_PROVENANCE\\s*[:=]\\s*["\']?true', label: 'npm publish --provenance', need: 'required' },
  // npm trusted publishing: npm uses the token when the job can get one, an NPM_TOKEN otherwise.
  { run: '\\b(?:npm|pnpm)\\s+publish\\b|\\byarn\\s+(?:npm\\s+)?publish\\b', label: 'npm publish', need: 'optional' },
  { run: '\\buv\\s+publish\\b', label: 'uv publish', need: 'optional' },
  // projen's publib publishes with trusted publishing / provenance when the job can get a token.
  { run: '\\bpublib-(?:npm|pypi)\\b', label: 'publib (trusted publishing)', need: 'optional' },
  // npm reads NPM_CONFIG_PROVENANCE=true as --provenance; publib's trusted-publisher switches.
  { env: { NPM_CONFIG_PROVENANCE: 'true' }, label: 'NPM_CONFIG_PROVENANCE=true', need: 'optional' },
  { env: { NPM_TRUSTED_PUBLISHER: 'true' }, label: 'NPM_TRUSTED_PUBLISHER=true', need: 'optional' },
  { env: { PYPI_TRUSTED_PUBLISHER: 'true' }, label: 'PYPI_TRUSTED_PUBLISHER=true', need: 'optional' },
  { run: '\\bcosign\\s+(?:sign|attest)', label: 'cosign (keyless signing)', need: 'optional' },
  { run: '\\bsigstore\\s+sign\\b', label: 'sigstore sign', need: 'optional' },
];
