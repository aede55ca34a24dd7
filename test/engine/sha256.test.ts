import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { sha256Hex } from '../../src/engine/sha256.js';

const reference = (s: string) => createHash('sha256').update(s).digest('hex');

describe('sha256Hex', () => {
  it('gives the published digests', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it("is node:crypto's digest at every padding boundary and for any text (UTF-8, astral characters, NUL)", () => {
    for (let n = 0; n < 300; n++) expect(sha256Hex('x'.repeat(n)), `length ${n}`).toBe(reference('x'.repeat(n)));
    for (const s of ['é', '🚀', 'a\u0000b', '\uffff', 'no-wildcard-subject\u0000.github/workflows/deploy.yml\u0000jobs.deploy']) expect(sha256Hex(s)).toBe(reference(s));
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => sha256Hex(s) === reference(s)), { numRuns: 2000 });
  });
});
