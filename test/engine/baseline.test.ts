/** Baselines: stable identities, counts, redaction, and a file that rejects what it cannot read. */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { applyBaseline, BaselineError, createBaseline, parseBaseline, serializeBaseline } from '../../src/engine/baseline.js';
import type { Finding } from '../../src/engine/rule.js';

function finding(ruleId: string, file: string, line: number, p: string, extra: Partial<Finding> = {}): Finding {
  return {
    ruleId,
    messageId: 'm',
    message: 'a message that is never stored',
    level: 'error',
    severity: 'high',
    confidence: 'high',
    location: { file, start: { line, column: 3 }, end: { line, column: 9 }, path: p },
    related: [],
    fingerprint: 'f',
    ...extra,
  };
}

const root = path.resolve('/repo/sub');
const where = { projectRoot: root, baselineDir: path.resolve('/repo') };

describe('baseline', () => {
  it('records rule, message id, file relative to the baseline and symbolic path, sorted, with counts for duplicates', () => {
    const b = createBaseline(
      [
        finding('no-wildcard-subject', 'iam/b.json', 4, 'Statement[0].Condition'),
        finding('require-subject-condition', 'iam/a.json', 9, 'Statement[0].Principal.Federated'),
        finding('require-subject-condition', 'iam/a.json', 30, 'Statement[0].Principal.Federated'),
        finding('parse-error', 'x.yml', 1, '', { suppressed: { kind: 'inSource', justification: 'already accepted inline' } }),
      ],
      where,
    );
    expect(b).toEqual({
      version: 1,
      tool: 'oidc-lint',
      findings: [
        { rule: 'require-subject-condition', messageId: 'm', file: 'sub/iam/a.json', path: 'Statement[0].Principal.Federated', count: 2 },
        { rule: 'no-wildcard-subject', messageId: 'm', file: 'sub/iam/b.json', path: 'Statement[0].Condition' },
      ],
    });
    expect(serializeBaseline(b)).not.toContain('message that is never stored');
  });
  it('matches by identity, not by line: moved findings stay baselined, a third duplicate is new', () => {
    const before = [finding('r', 'a.yml', 5, 'jobs.x'), finding('r', 'a.yml', 6, 'jobs.x')];
    const b = parseBaseline(serializeBaseline(createBaseline(before, where)));
    const after = [finding('r', 'a.yml', 50, 'jobs.x'), finding('r', 'a.yml', 61, 'jobs.x'), finding('r', 'a.yml', 70, 'jobs.x'), finding('r', 'a.yml', 80, 'jobs.y')];
    expect(applyBaseline(after, b, where)).toEqual({ baselined: 2, stale: 0 });
    expect(after.map((f) => f.suppressed?.justification ?? 'new')).toEqual(['baseline', 'baseline', 'new', 'new']);
    expect(after[0].suppressed).toEqual({ kind: 'external', justification: 'baseline' });
  });
  it('counts entries that no longer match as stale', () => {
    const b = createBaseline([finding('r', 'a.yml', 5, 'jobs.x'), finding('r', 'gone.yml', 5, 'jobs.x')], where);
    expect(applyBaseline([finding('r', 'a.yml', 5, 'jobs.x')], b, where)).toEqual({ baselined: 1, stale: 1 });
  });
  it('identifies live-resource findings by ARN', () => {
    const live = finding('no-wildcard-subject', '', 1, 'Statement[0]', { location: { file: '', start: { line: 1, column: 1 }, end: { line: 1, column: 1 }, path: 'Statement[0]', logical: { kind: 'aws-iam-role', fullyQualifiedName: 'arn:aws:iam::123456789012:role/x' } } });
    expect(createBaseline([live], where).findings).toEqual([{ rule: 'no-wildcard-subject', messageId: 'm', resource: 'arn:aws:iam::123456789012:role/x', path: 'Statement[0]' }]);
  });
  it('never stores a key, even one that ends up in a path, and still matches it', () => {
    const key = 'AKIA2OGYBAH6QTRX7ZMW';
    const f = () => finding('no-hardcoded-aws-credentials', 'ci.yml', 8, `jobs.a.env.${key}`);
    const text = serializeBaseline(createBaseline([f()], where));
    expect(text).not.toContain(key);
    expect(text).toContain('AKIA…MW');
    const again = [f()];
    applyBaseline(again, parseBaseline(text), where);
    expect(again[0].suppressed?.justification).toBe('baseline');
  });
  it('rejects files that are not oidc-lint baselines, naming the problem', () => {
    expect(() => parseBaseline('{')).toThrow(BaselineError);
    expect(() => parseBaseline('{"version":1,"findings":[]}')).toThrow('not an oidc-lint baseline');
    expect(() => parseBaseline('{"version":2,"tool":"oidc-lint","findings":[]}')).toThrow('unsupported baseline version 2 (this oidc-lint reads version 1)');
    expect(() => parseBaseline('{"version":1,"tool":"oidc-lint","findings":[{"rule":"r","path":"p"}]}')).toThrow('findings[0] is not a baseline entry');
  });
});
