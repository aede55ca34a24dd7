/** The trust interface (src/model/claims/trust.ts): AWS as its first implementation, and a compiled trust. */
import { describe, expect, it } from 'vitest';
import { EVERY_CLAIM_EVALUATED, GITHUB_ISSUER_HOST, awsTrust, compiledTrust, mintToken, summarizeTrustPolicy } from '../../src/model/claims.js';
import { AUD, K, allow, policy, push } from '../helpers/policy.js';

describe('awsTrust', () => {
  const tp = policy([allow({ ...AUD, StringLike: { [K('sub')]: 'repo:octo-org/api:*' } })]);
  const trust = awsTrust(tp);

  it('decides a token as evaluateTrustPolicy does, with reasons and the failing conditions', () => {
    const ok = trust.decide(mintToken(push('octo-org/api')));
    expect(ok).toMatchObject({ admitted: true, code: 'allowed' });
    expect(ok.reasons[0]).toMatch(/./);
    const no = trust.decide(mintToken(push('evil/api')));
    expect(no).toMatchObject({ admitted: false, code: 'conditions-not-met' });
    expect(no.failing.map((l) => l.start.line)).toEqual([tp.statements[0].conditions[1].loc.start.line]);
  });

  it('summarises what it admits (one owner, one repository)', () => {
    const s = trust.admits();
    expect(s).toBe(trust.admits());
    expect(s.issuers.map((i) => i.issuer.host)).toEqual([GITHUB_ISSUER_HOST]);
    expect(s.issuers[0].anyOwner).toBe(false);
    expect(s.issuers[0].owners.values).toEqual(['octo-org']);
    expect(s.admits(push('octo-org/api'))).toBe(true);
    expect(s.admits(push('octo-org/web'))).toBe(false);
  });
});

describe('compiledTrust', () => {
  // repository_owner is a claim AWS does not evaluate; a cloud that reads every claim does.
  const tp = policy([allow({ ...AUD, StringEquals: { [K('repository_owner')]: 'octo-org' } })]);

  it('with every claim evaluated, a repository_owner condition pins the owner', () => {
    const t = compiledTrust('gcp', 'sa', tp.loc, tp, EVERY_CLAIM_EVALUATED);
    expect(t.decide(mintToken(push('octo-org/api'))).admitted).toBe(true);
    expect(t.decide(mintToken(push('evil/api'))).admitted).toBe(false);
    expect(t.admits().issuers[0].anyOwner).toBe(false);
    expect(t.admits().issuers[0].owners.values).toEqual(['octo-org']);
  });

  it('read as AWS reads it, the key is absent from the request: the condition admits no token', () => {
    expect(awsTrust(tp).decide(mintToken(push('octo-org/api'))).admitted).toBe(false);
    expect(summarizeTrustPolicy(tp).admits(push('octo-org/api'))).toBe(false);
  });
});
