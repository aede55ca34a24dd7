import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseJson, JsonSyntaxError } from '../../src/loaders/shared/json-ast.js';
import { toPlain } from '../../src/loaders/shared/doc.js';

describe('parseJson', () => {
  it('gives 1-based positions of keys and values', () => {
    const { root } = parseJson('{\n  "a": [1, "x"],\n  "b": {"c": null}\n}', 'f.json');
    expect(root.kind).toBe('map');
    if (root.kind !== 'map') return;
    const a = root.entries[0];
    expect(a.key.loc.start).toEqual({ line: 2, column: 3 });
    expect(a.value.loc.start).toEqual({ line: 2, column: 8 });
    if (a.value.kind !== 'seq') throw new Error('seq');
    expect(a.value.items[1].loc).toMatchObject({ start: { line: 2, column: 12 }, end: { line: 2, column: 15 }, path: 'a[1]' });
  });
  it('agrees with JSON.parse on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v, null, 1);
        expect(toPlain(parseJson(text, 'x').root)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });
  it('reports syntax errors with position', () => {
    try {
      parseJson('{\n "a": 1,\n}', 'x');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JsonSyntaxError);
      expect((e as JsonSyntaxError).line).toBe(3);
    }
  });
  it('keeps duplicate keys visible', () => {
    const { duplicateKeys } = parseJson('{"a":1,"a":2}', 'x');
    expect(duplicateKeys.map((d) => d.key)).toEqual(['a']);
  });
  it('bounds nesting depth instead of overflowing the stack', () => {
    expect(() => parseJson('['.repeat(100_000), 'x')).toThrow(/nesting/);
  });
});
