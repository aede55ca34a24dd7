/** The token-requester data (model/token-requesters.ts) as the graph and the rules read it. */
import { describe, expect, it } from 'vitest';
import { TokenRequesters } from '../../src/model/token-requests.js';
import type { Entry } from '../../src/model/workflow.js';
import { expressionParts } from '../../src/loaders/workflows/expressions.js';

const LOC = { file: 'x.yml', start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
function inputs(w: Record<string, string>): Entry[] {
  return Object.entries(w).map(([k, v]) => ({
    key: { value: k, raw: k, loc: LOC, resolution: 'literal' },
    value: v.includes('${{') ? { value: v, raw: v, loc: LOC, resolution: 'unresolved', parts: expressionParts(v) } : { value: v, raw: v, loc: LOC, resolution: 'literal' },
  }));
}

const data = new TokenRequesters();
const verdict = (uses: string, w: Record<string, string> = {}) => data.forUses(uses, inputs(w))?.verdict ?? 'no';

describe('token requesters: actions and their inputs', () => {
  it.each([
    ['aws-actions/configure-aws-credentials', { 'role-to-assume': 'arn:aws:iam::1:role/r' }, 'yes'],
    ['aws-actions/configure-aws-credentials', { 'role-to-assume': 'r', 'aws-access-key-id': '${{ secrets.K }}' }, 'no'],
    ['aws-actions/configure-aws-credentials', { 'role-to-assume': 'r', 'role-chaining': 'true' }, 'no'],
    ['aws-actions/configure-aws-credentials', { 'role-to-assume': 'r', 'role-chaining': '${{ inputs.chain }}' }, 'unknown'],
    ['aws-actions/configure-aws-credentials', { 'aws-region': 'eu-west-1' }, 'no'],
    ['Google-GitHub-Actions/Auth', { workload_identity_provider: '${{ vars.WIP }}' }, 'yes'],
    ['google-github-actions/auth', { credentials_json: '${{ secrets.SA }}' }, 'no'],
    ['azure/login', { 'client-id': '${{ vars.ID }}', 'tenant-id': 't' }, 'yes'],
    // azure/login ignores `creds` when client-id is given (LoginConfig.readParametersFromCreds) and logs in with OIDC.
    ['azure/login', { 'client-id': 'x', creds: '${{ secrets.AZ }}' }, 'yes'],
    ['azure/login', { creds: '${{ secrets.AZ }}' }, 'no'],
    ['azure/login', { 'client-id': 'x', 'auth-type': 'identity' }, 'no'],
    ['azure/login', { 'client-id': 'x', 'auth-type': '${{ inputs.auth }}' }, 'unknown'],
    ['google-github-actions/auth', { service_account: 'sa@p.iam.gserviceaccount.com' }, 'no'],
    ['azure/login', { 'client-id': 'x', 'auth-type': 'IDENTITY' }, 'no'],
    ['hashicorp/vault-action', { method: 'jwt' }, 'yes'],
    ['hashicorp/vault-action', { method: 'jwt', jwtPrivateKey: '${{ secrets.K }}' }, 'no'],
    ['hashicorp/vault-action', { method: 'approle' }, 'no'],
    ['hashicorp/vault-action', { method: '${{ inputs.m }}' }, 'unknown'],
    ['pypa/gh-action-pypi-publish', {}, 'yes'],
    ['pypa/gh-action-pypi-publish', { password: '${{ secrets.PYPI }}' }, 'no'],
    ['actions/attest-build-provenance', {}, 'yes'],
    ['actions/attest', {}, 'yes'],
    ['ossf/scorecard-action', {}, 'no'],
    ['ossf/scorecard-action', { publish_results: 'true' }, 'yes'],
    ['anthropics/claude-code-action', {}, 'yes'],
    ['anthropics/claude-code-action', { github_token: '${{ secrets.GITHUB_TOKEN }}' }, 'no'],
    ['actions/github-script', { script: 'const t = await core.getIDToken("sts.amazonaws.com")' }, 'yes'],
    ['actions/github-script', { script: 'github.rest.issues.create({})' }, 'no'],
    ['actions/github-script', { script: 'await github.rest.git.createRef({ ref: "refs/tags/${{ steps.v.outputs.major }}" })' }, 'no'],
    ['actions/github-script', { script: '${{ inputs.script }}' }, 'unknown'],
    ['codecov/codecov-action', { use_oidc: 'true' }, 'yes'],
    ['codecov/codecov-action', {}, 'no'],
    ['slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml', {}, 'yes'],
    ['example/unknown-action', {}, 'no'],
  ] as const)('%s %j → %s', (uses, w, expected) => {
    expect(verdict(uses, w)).toBe(expected);
  });
  it('knows which actions it lists (so an unmatched listed action is a "no", not a "cannot tell")', () => {
    expect([data.knows('google-github-actions/auth'), data.knows('example/unknown-action')]).toEqual([true, false]);
  });
});

describe('token requesters: commands', () => {
  it.each([
    ['curl -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=x"', ['ACTIONS_ID_TOKEN_REQUEST_*']],
    ['npm publish --provenance --access public', ['npm publish --provenance', 'npm publish']],
    ['pnpm publish --no-git-checks', ['npm publish']],
    ['uv publish', ['uv publish']],
    ['cosign sign --yes "$IMAGE"', ['cosign (keyless signing)']],
    ['docker buildx build --provenance=true .', []],
    ['make test', []],
  ])('%s', (script, labels) => {
    expect(data.forScript(script).map((r) => r.label)).toEqual(labels);
  });
  it('user entries are added to the built-in ones', () => {
    const mine = new TokenRequesters([{ uses: 'my-org/*', label: 'ours', need: 'required', when: { env: { oneOf: ['prod'] } } }]);
    expect([mine.forUses('my-org/deploy', inputs({ env: 'prod' }))?.verdict, mine.forUses('my-org/deploy', inputs({ env: 'dev' }))]).toEqual(['yes', undefined]);
  });
});

describe('token requesters: environment switches', () => {
  it('NPM_CONFIG_PROVENANCE / NPM_TRUSTED_PUBLISHER / PYPI_TRUSTED_PUBLISHER set to true', () => {
    expect(data.forEnv(inputs({ NPM_CONFIG_PROVENANCE: 'true' }))?.verdict).toBe('yes');
    expect(data.forEnv(inputs({ PYPI_TRUSTED_PUBLISHER: 'TRUE' }))?.requester.label).toBe('PYPI_TRUSTED_PUBLISHER=true');
    expect(data.forEnv(inputs({ NPM_CONFIG_PROVENANCE: 'false' }))).toBeUndefined();
    expect(data.forEnv(inputs({ NPM_TRUSTED_PUBLISHER: '${{ vars.TP }}' }))?.verdict).toBe('unknown');
    expect(data.forEnv([])).toBeUndefined();
    // Terraform azurerm/azuread with OIDC read the token themselves: a grant is justified, a missing one not an error.
    expect(data.forEnv(inputs({ ARM_USE_OIDC: 'true' }))?.requester).toMatchObject({ label: 'ARM_USE_OIDC=true (Terraform azurerm/azuread)', need: 'optional' });
  });
});

describe('token requesters: generic entries', () => {
  it('an action no entry names, given an AWS role and no access key, requests a token (optional)', () => {
    expect(data.forUses('some-org/upload-report-action', inputs({ 'role-to-assume': 'arn:aws:iam::1:role/r' }))?.requester).toMatchObject({ label: 'an action given role-to-assume', need: 'optional' });
    expect(data.forUses('some-org/upload', inputs({ 'role-arn': '${{ vars.R }}' }))?.verdict).toBe('yes');
    expect(data.forUses('some-org/upload', inputs({ 'role-to-assume': 'r', 'aws-access-key-id': '${{ secrets.K }}' }))).toBeUndefined();
    // Named actions are judged by their own entries only (configure-aws-credentials chaining mints nothing).
    expect(data.forUses('aws-actions/configure-aws-credentials', inputs({ 'role-to-assume': 'r', 'role-chaining': 'true' }))).toBeUndefined();
    expect(data.knows('some-org/upload')).toBe(false);
  });
});
