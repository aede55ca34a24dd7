/** Splitting workflow strings at `${{ … }}` expressions, in linear time. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ValuePart } from '../../src/model/location.js';
import { expressionParts } from '../../src/loaders/workflows/expressions.js';

/** The reference: the regular expression the splitter replaces (quadratic on unclosed `${{`). */
function byRegex(text: string): ValuePart[] {
  const parts: ValuePart[] = [];
  let last = 0;
  for (const m of text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
    if (m.index! > last) parts.push({ text: text.slice(last, m.index), known: true });
    parts.push({ text: m[0], known: false });
    last = m.index! + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), known: true });
  return parts;
}

describe('expressionParts', () => {
  it('splits as the regular expression /\\$\\{\\{[\\s\\S]*?\\}\\}/g does, on generated strings', () => {
    const piece = fc.constantFrom('$', '{', '}', '${{', '}}', ' ', 'a', 'vars.X', '\n', '${', '{{');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (ps) => {
        const text = ps.join('');
        expect(expressionParts(text)).toEqual(byRegex(text));
      }),
      { numRuns: 5000 },
    );
    expect(expressionParts('arn:aws:iam::${{ vars.ACCOUNT }}:role/x')).toEqual([
      { text: 'arn:aws:iam::', known: true },
      { text: '${{ vars.ACCOUNT }}', known: false },
      { text: ':role/x', known: true },
    ]);
  });
  it('reads 200,000 unclosed `${{` as one known string', () => {
    const text = '${{'.repeat(200_000);
    expect(expressionParts(text)).toEqual([{ text, known: true }]);
  });
});
