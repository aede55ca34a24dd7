/**
 * The trust-policy evaluator against a table of policies × concrete tokens. Each case cites the
 * domain.md rule it encodes. Every case built from facts is also checked against the symbolic
 * summary (`summarizeTrustPolicy(...).admits`), which must give the same verdict.
 */
import { describe, expect, it } from 'vitest';
import {
  buildSubject,
  evaluateTrustPolicy,
  mintToken,
  summarizeTrustPolicy,
  type ClaimText,
  type TokenClaims,
  type TokenFacts,
  type Tri,
} from '../../src/model/claims.js';
import type { TrustPolicy } from '../../src/model/iam.js';
import { AUD, K, PROVIDER, allow, deny, env, immutable, policy, pr, push, tagPush } from '../helpers/policy.js';

const ENT = 'token.actions.githubusercontent.com/octo-ent';
const GHES = 'ghes.example.com/_services/token';
const GOOGLE = 'arn:aws:iam::123456789012:oidc-provider/accounts.google.com';
const JWR = 'o/ci/.github/workflows/deploy.yml@refs/heads/main';

interface Case {
  name: string;
  /** The domain.md rule this case encodes. */
  rule: string;
  policy: () => TrustPolicy;
  token: TokenFacts | TokenClaims;
  expected: Tri;
  /** 0-based index of the Allow statement expected in allowedBy, or of the Deny in deniedBy. */
  allowedBy?: number;
  deniedBy?: number;
  /** The symbolic summary cannot model this case exactly (policy variables, raw tokens): skip the agreement check. */
  noSummary?: boolean;
}

const exactMain = () => policy([allow({ ...AUD, StringEquals: { [K('aud')]: 'sts.amazonaws.com', [K('sub')]: 'repo:o/r:ref:refs/heads/main' } })]);
const anyContext = () => policy([allow({ ...AUD, StringLike: { [K('sub')]: 'repo:o/r:*' } })]);
const unresolved = (text: string, parts: { text: string; known: boolean }[]): ClaimText => ({ value: text, resolution: 'unresolved', parts });

const CASES: Case[] = [
  // --- exact legacy subjects (§A.3 default formats, §C.3 recommended policy)
  { name: 'exact branch subject admits that branch', rule: '§A.3 ref form; §C.3', policy: exactMain, token: push('o/r', 'main'), expected: true, allowedBy: 0 },
  { name: 'exact branch subject refuses another branch', rule: '§C.5 StringEquals exact', policy: exactMain, token: push('o/r', 'dev'), expected: false },
  { name: 'a job with an environment gets the environment subject, not the branch', rule: '§A.3 precedence environment > ref', policy: exactMain, token: env('o/r', 'prod'), expected: false },
  { name: 'pull_request gets the pull_request subject', rule: '§A.3 precedence pull_request > ref', policy: exactMain, token: pr('o/r'), expected: false },
  { name: 'owner casing differs', rule: '§A.3 case; §C.5 case-sensitive', policy: exactMain, token: push('O/r', 'main'), expected: false },
  { name: 'immutable token against a legacy subject', rule: '§A.3 immutable failure mode', policy: exactMain, token: immutable(push('o/r')), expected: false },
  { name: 'tag push gets refs/tags', rule: '§A.3 ref form for tags', policy: exactMain, token: tagPush('o/r', 'v1'), expected: false },
  { name: 'merge queue ref is not the base branch', rule: '§A.3 merge_group (UNCONFIRMED, inferred)', policy: exactMain, token: push('o/r', 'gh-readonly-queue/main/pr-1-abc'), expected: false },
  {
    name: 'pull_request_target runs on the default branch ref',
    rule: '§A.3 pull_request_target → default branch',
    policy: exactMain,
    token: { owner: 'o', repo: 'r', eventName: 'pull_request_target', ref: 'refs/heads/main' },
    expected: true,
  },
  // --- immutable subjects
  {
    name: 'exact immutable subject admits its token',
    rule: '§A.3 immutable format',
    policy: () => policy([allow({ StringEquals: { [K('aud')]: 'sts.amazonaws.com', [K('sub')]: 'repo:o@11/r@22:ref:refs/heads/main' } })]),
    token: immutable(push('o/r')),
    expected: true,
    allowedBy: 0,
  },
  {
    name: 'exact immutable subject refuses a legacy token',
    rule: '§A.3 immutable format',
    policy: () => policy([allow({ StringEquals: { [K('sub')]: 'repo:o@11/r@22:ref:refs/heads/main' } })]),
    token: push('o/r'),
    expected: false,
  },
  {
    name: 'immutable subject refuses another repository id',
    rule: '§A.3 immutable format',
    policy: () => policy([allow({ StringEquals: { [K('sub')]: 'repo:o@11/r@22:ref:refs/heads/main' } })]),
    token: immutable(push('o/r'), '11', '23'),
    expected: false,
  },
  // --- StringLike
  { name: 'repo:o/r:* admits a branch', rule: '§C.3 GitHub any-branch policy', policy: anyContext, token: push('o/r', 'feature/x'), expected: true },
  { name: 'repo:o/r:* admits an environment', rule: '§C.5 * crosses :', policy: anyContext, token: env('o/r', 'prod'), expected: true },
  { name: 'repo:o/r:* admits pull requests', rule: '§C.5 * crosses :', policy: anyContext, token: pr('o/r'), expected: true },
  { name: 'repo:o/r:* refuses immutable tokens', rule: '§A.3 [CAC-PR1890] literal / after owner', policy: anyContext, token: immutable(push('o/r')), expected: false },
  { name: 'repo:o/r:* refuses another repository', rule: '§C.5 StringLike', policy: anyContext, token: push('o/rr'), expected: false },
  {
    name: 'repo:o/* admits every repository of o',
    rule: '§C.3 AWS minimum policy',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/*' } })]),
    token: push('o/anything'),
    expected: true,
  },
  {
    name: 'repo:o/* refuses owner o2',
    rule: '§C.5 StringLike literal /',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/*' } })]),
    token: push('o2/r'),
    expected: false,
  },
  {
    name: 'repo:o*/r:* admits a look-alike owner',
    rule: '§C.5 * crosses characters',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o*/r:*' } })]),
    token: push('o-attacker/r'),
    expected: true,
  },
  {
    name: 'a ? matches exactly one character',
    rule: '§C.5 StringLike ?',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/r:ref:refs/heads/v?' } })]),
    token: push('o/r', 'v10'),
    expected: false,
  },
  {
    name: '* alone admits every token',
    rule: '§C.5 StringLike *',
    policy: () => policy([allow({ StringLike: { [K('sub')]: '*' } })]),
    token: push('evil/x'),
    expected: true,
  },
  {
    name: '* under StringEquals is literal',
    rule: '§C.5 wildcards literal in StringEquals',
    policy: () => policy([allow({ StringEquals: { [K('sub')]: '*' } })]),
    token: push('o/r'),
    expected: false,
  },
  {
    name: 'repo:o/r:* under StringEquals is literal',
    rule: '§C.5 wildcards literal in StringEquals',
    policy: () => policy([allow({ StringEquals: { [K('sub')]: 'repo:o/r:*' } })]),
    token: push('o/r'),
    expected: false,
  },
  {
    name: 'a wildcard in the second value opens the role',
    rule: '§C.5 OR across values',
    policy: () => policy([allow({ ...AUD, StringLike: { [K('sub')]: ['repo:o/r:ref:refs/heads/main', '*'] } })]),
    token: push('evil/x'),
    expected: true,
  },
  {
    name: 'several exact values: one of them matches',
    rule: '§C.5 OR across values',
    policy: () => policy([allow({ StringEquals: { [K('sub')]: ['repo:o/r:ref:refs/heads/main', 'repo:o/r:environment:prod'] } })]),
    token: env('o/r', 'prod'),
    expected: true,
  },
  // --- IgnoreCase
  {
    name: 'StringEqualsIgnoreCase ignores owner casing',
    rule: '§C.5 StringEqualsIgnoreCase',
    policy: () => policy([allow({ StringEqualsIgnoreCase: { [K('sub')]: 'repo:O/R:ref:refs/heads/main' } })]),
    token: push('o/r'),
    expected: true,
  },
  {
    name: 'StringNotEqualsIgnoreCase refuses the named subject in any casing',
    rule: '§C.5 negated IgnoreCase',
    policy: () => policy([allow({ StringNotEqualsIgnoreCase: { [K('sub')]: 'repo:O/R:ref:refs/heads/main' } })]),
    token: push('o/r'),
    expected: false,
  },
  // --- set operators, IfExists, Null, missing keys
  {
    name: 'ForAllValues on a present sub restricts like StringLike (admits)',
    rule: '§C.5 ForAllValues on single-valued key',
    policy: () => policy([allow({ 'ForAllValues:StringLike': { [K('sub')]: 'repo:o/r:*' } })]),
    token: push('o/r'),
    expected: true,
  },
  {
    name: 'ForAllValues on a present sub restricts like StringLike (refuses)',
    rule: '§C.5 ForAllValues on single-valued key',
    policy: () => policy([allow({ 'ForAllValues:StringLike': { [K('sub')]: 'repo:o/r:*' } })]),
    token: push('evil/x'),
    expected: false,
  },
  {
    name: 'ForAllValues on a misspelled key is vacuously true',
    rule: '§C.5 ForAllValues missing key → true',
    policy: () => policy([allow({ 'ForAllValues:StringEquals': { [K('subb')]: 'repo:o/r:ref:refs/heads/main' } })]),
    token: push('evil/x'),
    expected: true,
  },
  {
    name: 'a positive operator on a misspelled key is false',
    rule: '§C.5 missing key → false',
    policy: () => policy([allow({ StringEquals: { [K('subb')]: 'repo:o/r:ref:refs/heads/main' } })]),
    token: push('o/r'),
    expected: false,
  },
  {
    name: 'ForAnyValue on a missing key is false',
    rule: '§C.5 ForAnyValue missing key → false',
    policy: () => policy([allow({ 'ForAnyValue:StringEquals': { [K('environment')]: 'prod' } })]),
    token: push('o/r'),
    expected: false,
  },
  {
    name: 'ForAnyValue:StringLike on sub behaves like StringLike',
    rule: '§C.5 [ACGO-ROLE]',
    policy: () => policy([allow({ 'ForAnyValue:StringLike': { [K('sub')]: 'repo:o/r:*' } })]),
    token: pr('o/r'),
    expected: true,
  },
  {
    name: 'StringNotLike as the only sub condition admits other owners',
    rule: '§C.5 negated operators',
    policy: () => policy([allow({ ...AUD, StringNotLike: { [K('sub')]: 'repo:evil/*' } })]),
    token: push('o/r'),
    expected: true,
  },
  {
    name: 'StringNotLike refuses what it names',
    rule: '§C.5 negated operators',
    policy: () => policy([allow({ ...AUD, StringNotLike: { [K('sub')]: 'repo:evil/*' } })]),
    token: push('evil/x'),
    expected: false,
  },
  {
    name: 'negated operator with several values must match none (one matches)',
    rule: '§C.5 negated multi-value = none match',
    policy: () => policy([allow({ StringNotEquals: { [K('sub')]: ['repo:a/a:ref:refs/heads/main', 'repo:b/b:ref:refs/heads/main'] } })]),
    token: push('b/b'),
    expected: false,
  },
  {
    name: 'negated operator with several values must match none (none matches)',
    rule: '§C.5 negated multi-value = none match',
    policy: () => policy([allow({ StringNotEquals: { [K('sub')]: ['repo:a/a:ref:refs/heads/main', 'repo:b/b:ref:refs/heads/main'] } })]),
    token: push('c/c'),
    expected: true,
  },
  {
    name: 'IfExists on a present sub still matches the value',
    rule: '§C.5 IfExists',
    policy: () => policy([allow({ StringLikeIfExists: { [K('sub')]: 'repo:o/r:*' } })]),
    token: push('evil/x'),
    expected: false,
  },
  {
    name: 'IfExists on an absent environment is true',
    rule: '§C.5 IfExists missing key → true',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/r:*' }, StringEqualsIfExists: { [K('environment')]: 'prod' } })]),
    token: push('o/r'),
    expected: true,
  },
  {
    name: 'environment key (2026): a job without an environment is refused',
    rule: '§C.2 2026 keys; §C.5 missing key → false',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/r:*' }, StringEquals: { [K('environment')]: 'prod' } })]),
    token: push('o/r'),
    expected: false,
  },
  {
    name: 'environment key (2026): the environment job is admitted',
    rule: '§C.2 2026 keys',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/r:*' }, StringEquals: { [K('environment')]: 'prod' } })]),
    token: env('o/r', 'prod'),
    expected: true,
  },
  {
    name: 'ForAllValues on environment admits jobs without one',
    rule: '§C.5 ForAllValues claim the token lacks',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/r:*' }, 'ForAllValues:StringEquals': { [K('environment')]: 'prod' } })]),
    token: push('o/r'),
    expected: true,
  },
  {
    name: 'Null false requires the environment claim',
    rule: '§C.5 Null',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/r:*' }, Null: { [K('environment')]: 'false' } })]),
    token: push('o/r'),
    expected: false,
  },
  {
    name: 'Null false with an environment',
    rule: '§C.5 Null',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/r:*' }, Null: { [K('environment')]: 'false' } })]),
    token: env('o/r', 'staging'),
    expected: true,
  },
  // --- AND across operators and keys
  {
    name: 'wrong audience fails the AND',
    rule: '§C.5 AND across operators; §A.2 default audience',
    policy: () => policy([allow({ ...AUD, StringLike: { [K('sub')]: 'repo:o/*' } })]),
    token: push('o/r', 'main', { audience: 'https://github.com/o' }),
    expected: false,
  },
  {
    name: 'audience under StringLike with a wildcard',
    rule: '§C.3 AWS guide StringLike aud',
    policy: () => policy([allow({ StringLike: { [K('aud')]: 'sts.*', [K('sub')]: 'repo:o/r:*' } })]),
    token: push('o/r'),
    expected: true,
  },
  // --- several statements, Deny
  {
    name: 'a second loose Allow defeats a tight one',
    rule: '§C.5 multiple statements',
    policy: () => policy([allow({ ...AUD, StringEquals: { [K('aud')]: 'sts.amazonaws.com', [K('sub')]: 'repo:o/r:ref:refs/heads/main' } }), allow(AUD)]),
    token: push('evil/x'),
    expected: true,
    allowedBy: 1,
  },
  {
    name: 'a Deny closes an org-wide Allow for other repositories',
    rule: '§C.5 explicit Deny overrides Allow',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/*' } }), deny({ StringNotLike: { [K('sub')]: 'repo:o/r:*' } })]),
    token: push('o/other'),
    expected: false,
    deniedBy: 1,
  },
  {
    name: 'the Deny leaves the named repository admitted',
    rule: '§C.5 explicit Deny overrides Allow',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/*' } }), deny({ StringNotLike: { [K('sub')]: 'repo:o/r:*' } })]),
    token: push('o/r'),
    expected: true,
    allowedBy: 0,
  },
  {
    name: 'a Deny on pull_request subjects',
    rule: '§C.5 explicit Deny',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/r:*' } }), deny({ StringLike: { [K('sub')]: 'repo:*:pull_request' } })]),
    token: pr('o/r'),
    expected: false,
    deniedBy: 1,
  },
  {
    name: 'a Deny on pull_request subjects leaves pushes',
    rule: '§C.5 explicit Deny',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/r:*' } }), deny({ StringLike: { [K('sub')]: 'repo:*:pull_request' } })]),
    token: push('o/r'),
    expected: true,
  },
  {
    name: 'an unconditional Deny for everyone',
    rule: '§C.5 explicit Deny',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/r:*' } }), { Effect: 'Deny', Principal: '*', Action: 'sts:*' }]),
    token: push('o/r'),
    expected: false,
    deniedBy: 1,
  },
  // --- actions
  { name: 'sts:AssumeRole does not cover web identity', rule: '§C.5 action; §D.3 FederatedPrincipal', policy: () => policy([allow(AUD, { Action: 'sts:AssumeRole' })]), token: push('o/r'), expected: false },
  { name: 'sts:* covers web identity', rule: '§C.5 action wildcards', policy: () => policy([allow(AUD, { Action: 'sts:*' })]), token: push('o/r'), expected: true },
  { name: 'sts:AssumeRole* covers web identity', rule: '§C.5 action wildcards', policy: () => policy([allow(AUD, { Action: 'sts:AssumeRole*' })]), token: push('o/r'), expected: true },
  { name: '* covers web identity', rule: '§C.5 action wildcards', policy: () => policy([allow(AUD, { Action: '*' })]), token: push('o/r'), expected: true },
  { name: 'action names are case-insensitive', rule: '§C.5 action names case-insensitive', policy: () => policy([allow(AUD, { Action: 'STS:assumerolewithwebidentity' })]), token: push('o/r'), expected: true },
  { name: 'an action array', rule: '§C.5 Action string or array', policy: () => policy([allow(AUD, { Action: ['sts:TagSession', 'sts:AssumeRoleWithWebIdentity'] })]), token: push('o/r'), expected: true },
  {
    name: 'NotAction sts:AssumeRole still allows web identity',
    rule: '§C.5 NotAction',
    policy: () => policy([{ Effect: 'Allow', Principal: { Federated: PROVIDER }, NotAction: 'sts:AssumeRole', Condition: AUD }]),
    token: push('o/r'),
    expected: true,
  },
  {
    name: 'NotAction sts:* excludes web identity',
    rule: '§C.5 NotAction',
    policy: () => policy([{ Effect: 'Allow', Principal: { Federated: PROVIDER }, NotAction: 'sts:*', Condition: AUD }]),
    token: push('o/r'),
    expected: false,
  },
  // --- principals and issuers
  { name: 'Federated principal array', rule: '§C.5 Principal array', policy: () => policy([allow(AUD, { Principal: { Federated: [GOOGLE, PROVIDER] } })]), token: push('o/r'), expected: true },
  { name: 'a Google principal does not trust GitHub tokens', rule: '§C.5 Principal', policy: () => policy([allow(AUD, { Principal: { Federated: GOOGLE } })]), token: push('o/r'), expected: false },
  {
    name: 'Principal * with a sub condition',
    rule: '§C.5 Principal *',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/r:*' } }, { Principal: '*' })]),
    token: push('o/r'),
    expected: true,
  },
  {
    name: 'enterprise issuer keys',
    rule: '§A.1 enterprise issuer; §C.2 key prefix',
    policy: () =>
      policy([
        allow(
          { StringEquals: { [K('aud', ENT)]: 'sts.amazonaws.com', [K('sub', ENT)]: 'repo:o/r:environment:prod' } },
          { Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${ENT}` } },
        ),
      ]),
    token: env('o/r', 'prod', { issuer: `https://${ENT}` }),
    expected: true,
  },
  {
    name: 'a github.com token is not trusted by an enterprise provider',
    rule: '§A.1 enterprise issuer',
    policy: () => policy([allow({ StringEquals: { [K('sub', ENT)]: 'repo:o/r:environment:prod' } }, { Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${ENT}` } })]),
    token: env('o/r', 'prod'),
    expected: false,
  },
  {
    name: 'github.com key prefix under an enterprise provider is never present',
    rule: '§C.2 key prefix = provider URL',
    policy: () => policy([allow({ StringEquals: { [K('sub')]: 'repo:o/r:environment:prod' } }, { Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${ENT}` } })]),
    token: env('o/r', 'prod', { issuer: ENT }),
    expected: false,
  },
  {
    name: 'GHES issuer keys',
    rule: '§A.1 GHES; §C.2',
    policy: () => policy([allow({ StringEquals: { [K('sub', GHES)]: 'repo:o/r:ref:refs/heads/main' } }, { Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${GHES}` } })]),
    token: push('o/r', 'main', { issuer: `https://${GHES}` }),
    expected: true,
  },
  {
    name: 'condition key names are case-insensitive',
    rule: '§C.2 key names case-insensitive',
    policy: () => policy([allow({ StringEquals: { 'Token.Actions.GitHubUserContent.com:SUB': 'repo:o/r:ref:refs/heads/main' } })]),
    token: push('o/r'),
    expected: true,
  },
  {
    name: 'a key with https:// never matches',
    rule: '§C.2 key = provider URL without https://',
    policy: () => policy([allow({ StringEquals: { [`https://${K('sub')}`]: 'repo:o/r:ref:refs/heads/main' } })]),
    token: push('o/r'),
    expected: false,
  },
  {
    name: 'a negated operator on a key with https:// is always true',
    rule: '§C.2; §C.5 negated missing key → true',
    policy: () => policy([allow({ StringNotLike: { [`https://${K('sub')}`]: 'repo:evil/*' } })]),
    token: push('evil/x'),
    expected: true,
  },
  {
    name: 'the legacy vstoken prefix is never present for current tokens',
    rule: '§A.1 / timeline 2021-10',
    policy: () => policy([allow({ StringEquals: { 'vstoken.actions.githubusercontent.com:sub': 'repo:o/r:ref:refs/heads/main' } })]),
    token: push('o/r'),
    expected: false,
  },
  // --- customised templates
  {
    name: 'rename-stable custom template',
    rule: '§A.4 include_claim_keys rendering',
    policy: () => policy([allow({ StringEquals: { [K('sub')]: 'repository_owner_id:11:repository_id:22:environment:prod' } })]),
    token: { ...env('o/r', 'prod'), ownerId: '11', repoId: '22', template: ['repository_owner_id', 'repository_id', 'context'] },
    expected: true,
  },
  {
    name: 'rename-stable custom template, another environment',
    rule: '§A.4 include_claim_keys rendering',
    policy: () => policy([allow({ StringEquals: { [K('sub')]: 'repository_owner_id:11:repository_id:22:environment:prod' } })]),
    token: { ...env('o/r', 'staging'), ownerId: '11', repoId: '22', template: ['repository_owner_id', 'repository_id', 'context'] },
    expected: false,
  },
  {
    name: 'repo, context, job_workflow_ref template',
    rule: '§A.4 example ["repo","context","job_workflow_ref"]',
    policy: () => policy([allow({ StringEquals: { [K('sub')]: `repo:o/r:environment:prod:job_workflow_ref:${JWR}` } })]),
    token: { ...env('o/r', 'prod'), template: ['repo', 'context', 'job_workflow_ref'], claims: { job_workflow_ref: JWR } },
    expected: true,
  },
  {
    name: 'a default-format policy does not match a customised subject',
    rule: '§A.4 create the condition before switching the template [MOJ-9766]',
    policy: exactMain,
    token: { ...push('o/r'), template: ['repo', 'context', 'job_workflow_ref'], claims: { job_workflow_ref: JWR } },
    expected: false,
  },
  {
    name: 'job_workflow_ref key (2026) anchors a reusable workflow',
    rule: '§A.6 reusable workflows; §C.2 2026 keys',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/*' }, StringEquals: { [K('job_workflow_ref')]: JWR } })]),
    token: push('o/app', 'main', { claims: { job_workflow_ref: JWR } }),
    expected: true,
  },
  {
    name: 'job_workflow_ref key refuses another workflow',
    rule: '§A.6; §C.2',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/*' }, StringEquals: { [K('job_workflow_ref')]: JWR } })]),
    token: push('o/app', 'main', { claims: { job_workflow_ref: 'o/app/.github/workflows/ci.yml@refs/heads/main' } }),
    expected: false,
  },
  {
    name: 'job_workflow_ref as the only anchor',
    rule: '§C.4 sub or job_workflow_ref',
    policy: () => policy([allow({ ...AUD, StringLike: { [K('job_workflow_ref')]: 'o/ci/.github/workflows/deploy.yml@*' } })]),
    token: push('anyone/x', 'main', { claims: { job_workflow_ref: JWR } }),
    expected: true,
  },
  {
    name: 'repository_id key (2026) pins the repository',
    rule: '§C.2 2026 keys',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:*' }, StringEquals: { [K('repository_id')]: '22' } })]),
    token: { ...push('renamed/r2'), repoId: '22' },
    expected: true,
  },
  {
    name: 'a claim AWS does not evaluate is absent',
    rule: '§C.2 allow-list; §C.5 missing key → false',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/*' }, StringEquals: { [K('repository_visibility')]: 'private' } })]),
    token: push('o/r'),
    expected: false,
  },
  {
    name: 'a claim only one source says AWS evaluates is unknown',
    rule: '§C.2 UNCONFIRMED repository_owner_id',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:*' }, StringEquals: { [K('repository_owner_id')]: '11' } })]),
    token: { ...push('o/r'), ownerId: '11' },
    expected: 'unknown',
  },
  // --- escaping
  {
    name: 'a colon in an environment name is %3A',
    rule: '§A.3 %3A escaping',
    policy: () => policy([allow({ StringEquals: { [K('sub')]: 'repo:o/r:environment:Prod%3AV1' } })]),
    token: env('o/r', 'Prod:V1'),
    expected: true,
  },
  // --- unresolved values
  {
    name: 'unresolved branch of the token, exact policy',
    rule: 'model: unresolved → unknown',
    policy: exactMain,
    token: push('o/r', 'main', { ref: unresolved('refs/heads/*', [{ text: 'refs/heads/', known: true }, { text: '', known: false }]) }),
    expected: 'unknown',
  },
  {
    name: 'unresolved branch of the token, any-context policy',
    rule: 'model: unknown pieces absorbed by *',
    policy: anyContext,
    token: push('o/r', 'main', { ref: unresolved('refs/heads/*', [{ text: 'refs/heads/', known: true }, { text: '', known: false }]) }),
    expected: true,
  },
  {
    name: 'unresolved owner of the token, branch differs',
    rule: 'model: unknown piece vs literal mismatch',
    policy: exactMain,
    token: { owner: unresolved('${{ vars.ORG }}', [{ text: '', known: false }]), repo: 'r', eventName: 'push', ref: 'refs/heads/dev' },
    expected: false,
  },
  {
    name: 'unresolved owner of the token, could be anything',
    rule: 'model: unresolved → unknown',
    policy: anyContext,
    token: { owner: unresolved('${{ vars.ORG }}', [{ text: '', known: false }]), repo: 'r', eventName: 'push', ref: 'refs/heads/main' },
    expected: 'unknown',
  },
  {
    name: 'a global key the token does not tell',
    rule: 'model: request context unknown',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/r:*' }, IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } })]),
    token: push('o/r'),
    expected: 'unknown',
  },
  // --- policy variables and versions
  {
    name: 'a policy variable resolves from the token (2012-10-17)',
    rule: '§C.5 policy variables',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:${token.actions.githubusercontent.com:repository}:*' } })]),
    token: mintToken(push('o/r')),
    expected: true,
    noSummary: true,
  },
  {
    name: 'the same variable is literal under 2008-10-17',
    rule: '§C.5 Version 2008-10-17 makes variables literal',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:${token.actions.githubusercontent.com:repository}:*' } })], '2008-10-17'),
    token: mintToken(push('o/r')),
    expected: false,
    noSummary: true,
  },
  {
    name: 'no Version means 2008-10-17 for a JSON policy',
    rule: '§C.5 [AWS-IAMUG-VERSION] default version',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:${token.actions.githubusercontent.com:repository}:*' } })], null),
    token: mintToken(push('o/r')),
    expected: false,
    noSummary: true,
  },
  {
    name: '${*} is a literal star',
    rule: '§C.5 ${*} escape',
    policy: () => policy([allow({ StringLike: { [K('sub')]: 'repo:o/r:ref:refs/heads/${*}' } })]),
    token: push('o/r', 'main'),
    expected: false,
  },
  {
    name: 'a raw token from another issuer',
    rule: '§C.5 Principal',
    policy: anyContext,
    token: { issuer: 'accounts.google.com', sub: 'repo:o/r:ref:refs/heads/main', aud: 'sts.amazonaws.com' },
    expected: false,
    noSummary: true,
  },
];

function isFacts(t: TokenFacts | TokenClaims): t is TokenFacts {
  return 'owner' in t;
}

describe('evaluateTrustPolicy: policies × tokens', () => {
  it('has at least 60 cases, each citing its rule', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    for (const c of CASES) expect(c.rule).toMatch(/§|model/);
  });
  for (const c of CASES) {
    it(`${c.name} → ${String(c.expected)} (${c.rule})`, () => {
      const p = c.policy();
      const token = isFacts(c.token) ? mintToken(c.token) : c.token;
      const d = evaluateTrustPolicy(p, token);
      expect(d.admitted).toBe(c.expected);
      if (c.allowedBy !== undefined) expect(d.allowedBy?.index).toBe(c.allowedBy);
      if (c.deniedBy !== undefined) expect(d.deniedBy?.index).toBe(c.deniedBy);
      if (isFacts(c.token) && !c.noSummary) expect(summarizeTrustPolicy(p).admits(c.token)).toBe(c.expected);
    });
  }
});

describe('decision details', () => {
  it('GitHub mints no token when the template needs an environment the job lacks', () => {
    expect(buildSubject({ ...push('o/r'), template: ['environment', 'repository_owner'] })).toBeUndefined();
    expect(buildSubject({ ...env('o/r', 'prod:eu'), template: ['environment', 'repository_owner'] })).toBe('environment:prod%3Aeu:repository_owner:o');
  });
  it('names the failing condition of the closest Allow', () => {
    const p = exactMain();
    const d = evaluateTrustPolicy(p, mintToken(push('o/r', 'dev')));
    expect(d.code).toBe('conditions-not-met');
    expect(d.closest?.index).toBe(0);
    expect(d.failing?.map((c) => c.key.value)).toEqual([K('sub')]);
  });
  it('reports a missing statement for the issuer', () => {
    const d = evaluateTrustPolicy(exactMain(), mintToken(push('o/r', 'main', { issuer: 'token.actions.githubusercontent.com/ent' })));
    expect(d).toMatchObject({ admitted: false, code: 'no-statement-for-issuer' });
  });
  it('reports the action', () => {
    const d = evaluateTrustPolicy(policy([allow(AUD, { Action: 'sts:AssumeRole' })]), mintToken(push('o/r')));
    expect(d).toMatchObject({ admitted: false, code: 'action-not-allowed' });
  });
  it('reports the matched value of each condition', () => {
    const p = policy([allow({ StringLike: { [K('sub')]: ['repo:o/x:*', 'repo:o/r:*'] } })]);
    const d = evaluateTrustPolicy(p, mintToken(push('o/r')));
    expect(d.statements[0].conditions[0].matched?.value).toBe('repo:o/r:*');
  });
  it('checks the provider account when the token names one', () => {
    const token = { ...mintToken(push('o/r')), providerAccount: '999999999999' };
    expect(evaluateTrustPolicy(anyContext(), token).admitted).toBe(false);
  });
  it('treats an unresolved policy value as unknown, and a literal mismatch elsewhere as false', () => {
    const p = anyContext();
    const sub = p.statements[0].conditions.find((c) => c.key.value === K('sub'))!;
    sub.values[0] = { ...sub.values[0], value: 'repo:${Org}/r:*', resolution: 'unresolved', parts: [{ text: 'repo:', known: true }, { text: '${Org}', known: false }, { text: '/r:*', known: true }] };
    expect(evaluateTrustPolicy(p, mintToken(push('o/r'))).admitted).toBe('unknown');
    expect(evaluateTrustPolicy(p, mintToken(push('o/x'))).admitted).toBe(false);
    expect(summarizeTrustPolicy(p).admits(push('o/r'))).toBe('unknown');
    expect(summarizeTrustPolicy(p).admits(push('o/x'))).toBe(false);
  });
  it('treats an unresolved principal account as matching the issuer', () => {
    const p = anyContext();
    const pr0 = p.statements[0].principals[0];
    pr0.value = { ...pr0.value, resolution: 'unresolved', value: 'arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com', parts: [{ text: 'arn:aws:iam::', known: true }, { text: '${AWS::AccountId}', known: false }, { text: ':oidc-provider/token.actions.githubusercontent.com', known: true }] };
    expect(evaluateTrustPolicy(p, mintToken(push('o/r'))).admitted).toBe(true);
  });
});
