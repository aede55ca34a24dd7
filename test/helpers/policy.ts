/** Builds model TrustPolicy nodes from plain objects through the real JSON loader (positions included). */
import { parseJsonFile, trustPolicyRoleFromJson } from '../../src/loaders/aws/policy-json.js';
import type { Statement, TrustPolicy } from '../../src/model/iam.js';
import type { LoadError } from '../../src/model/project.js';
import { GITHUB_ISSUER_HOST, type TokenFacts } from '../../src/model/claims.js';

export const PROVIDER = `arn:aws:iam::123456789012:oidc-provider/${GITHUB_ISSUER_HOST}`;
export const K = (claim: string, issuer = GITHUB_ISSUER_HOST) => `${issuer}:${claim}`;
export const AUD = { StringEquals: { [K('aud')]: 'sts.amazonaws.com' } };

/** An Allow statement for the github.com provider with the given Condition (and overrides). */
export function allow(condition?: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Effect: 'Allow',
    Principal: { Federated: PROVIDER },
    Action: 'sts:AssumeRoleWithWebIdentity',
    ...(condition ? { Condition: condition } : {}),
    ...extra,
  };
}

export function deny(condition?: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...allow(condition, extra), Effect: 'Deny' };
}

/** Loads a policy document (object) into the model. `version: null` leaves Version out. */
export function policy(statements: Record<string, unknown>[], version: string | null = '2012-10-17'): TrustPolicy {
  const doc = version === null ? { Statement: statements } : { Version: version, Statement: statements };
  const text = JSON.stringify(doc, null, 2);
  const { root, errors } = parseJsonFile(text, 'trust.json');
  if (!root) throw new Error(errors.map((e) => e.message).join('; '));
  const errs: LoadError[] = [];
  const role = trustPolicyRoleFromJson(root, 'trust.json', errs);
  if (!role?.trustPolicy) throw new Error(`not a trust policy: ${text}`);
  if (errs.length) throw new Error(errs.map((e) => e.message).join('; '));
  return role.trustPolicy;
}

export function conditionOf(st: Statement, key: string) {
  const c = st.conditions.find((x) => x.key.value === key);
  if (!c) throw new Error(`no condition on ${key}`);
  return c;
}

/** Token facts shorthands (github.com, legacy subject unless ids + immutable are given). */
export function push(repository: string, branch = 'main', more: Partial<TokenFacts> = {}): TokenFacts {
  const [owner, repo] = repository.split('/');
  return { owner, repo, eventName: 'push', ref: `refs/heads/${branch}`, ...more };
}
export function tagPush(repository: string, tag: string, more: Partial<TokenFacts> = {}): TokenFacts {
  const [owner, repo] = repository.split('/');
  return { owner, repo, eventName: 'push', ref: `refs/tags/${tag}`, ...more };
}
export function pr(repository: string, more: Partial<TokenFacts> = {}): TokenFacts {
  const [owner, repo] = repository.split('/');
  return { owner, repo, eventName: 'pull_request', ref: 'refs/pull/7/merge', ...more };
}
export function env(repository: string, environment: string, more: Partial<TokenFacts> = {}): TokenFacts {
  return push(repository, 'main', { environment, ...more });
}
export function immutable(facts: TokenFacts, ownerId = '11', repoId = '22'): TokenFacts {
  return { ...facts, immutable: true, ownerId, repoId };
}
