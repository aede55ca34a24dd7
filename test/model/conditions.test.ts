/** The inputs possible values are used under: joined (`and`) and gathered (`or`) as a reader would say them. */
import { describe, expect, it } from 'vitest';
import { anyCondition, bothConditions, type ValueCondition } from '../../src/model/location.js';

const term = (test: string, yes: boolean, words: string, isDefault = false): ValueCondition => ({ text: words, isDefault, test, yes });
const given = (x: string) => term(`${x} ??`, true, `${x} is given`);
const notGiven = (x: string) => term(`${x} ??`, false, `${x} is not given`, true);
const set = (x: string) => term(x, true, `${x} is set`);
const notSet = (x: string) => term(x, false, `${x} is not set`, true);

describe('conditions of possible values', () => {
  it('both: terms joined with and, a repeated term once, default only when every term is', () => {
    expect(bothConditions(given('a'), notSet('b'))).toMatchObject({ text: 'a is given and b is not set', isDefault: false });
    expect(bothConditions(notGiven('a'), notGiven('a'))).toMatchObject({ text: 'a is not given', isDefault: true });
    expect(bothConditions(undefined, set('a'))).toEqual(set('a'));
  });
  it('any: a test taken both ways drops out; every way of it is no condition at all', () => {
    expect(anyCondition([bothConditions(set('a'), given('b'))!, bothConditions(set('a'), notGiven('b'))!])?.text).toBe('a is set');
    expect(anyCondition([given('b'), notGiven('b')])).toBeUndefined();
  });
  it('any: "not A, or A and B" is "not A, or B"; a more specific condition is absorbed', () => {
    expect(anyCondition([bothConditions(given('r'), term('r.length === 0', true, 'r.length === 0 is true'))!, notGiven('r')])?.text).toBe('r.length === 0 is true, or r is not given');
    expect(anyCondition([set('a'), bothConditions(set('a'), given('b'))!])?.text).toBe('a is set');
  });
  it('any: not given implies not set, set implies given', () => {
    expect(anyCondition([bothConditions(given('b'), notSet('b'))!, notGiven('b')])?.text).toBe('b is not set');
    expect(anyCondition([given('b'), set('b')])?.text).toBe('b is given');
    // Different inputs stay apart, and the default path is among them.
    expect(anyCondition([set('a'), notGiven('b')])).toMatchObject({ text: 'a is set, or b is not given', isDefault: true });
  });
});
