import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyFixes, unifiedDiff } from '../../src/engine/fixes.js';
import type { Fix } from '../../src/engine/rule.js';

const fix = (description: string, ...edits: [number, number, number, number, string][]): Fix => ({
  description,
  edits: edits.map(([l1, c1, l2, c2, text]) => ({ file: 'f', start: { line: l1, column: c1 }, end: { line: l2, column: c2 }, text })),
});

describe('applyFixes', () => {
  const text = 'one: 1\r\ntwo: 2\r\nthree: 3\r\n';
  it('applies non-overlapping fixes by 1-based positions, leaving every other byte alone', () => {
    const r = applyFixes(text, [fix('b', [3, 8, 3, 9, '33']), fix('a', [1, 6, 1, 7, '11'])]);
    expect(r.text).toBe('one: 11\r\ntwo: 2\r\nthree: 33\r\n');
    expect(r.applied.map((f) => f.description)).toEqual(['a', 'b']);
  });
  it('takes the first of overlapping or touching fixes; a fix is all or nothing', () => {
    const r = applyFixes(text, [fix('first', [2, 1, 2, 4, 'TWO']), fix('overlaps', [2, 3, 2, 5, 'x']), fix('touches', [2, 4, 2, 4, '!'])]);
    expect(r.text).toBe('one: 1\r\nTWO: 2\r\nthree: 3\r\n');
    expect(r.applied.map((f) => f.description)).toEqual(['first']);
    const atomic = applyFixes(text, [fix('first', [1, 1, 1, 4, 'ONE']), fix('half-overlapping', [3, 1, 3, 1, '# '], [1, 2, 1, 3, 'N'])]);
    expect(atomic.text).toBe('ONE: 1\r\ntwo: 2\r\nthree: 3\r\n');
  });
  it('refuses edits outside the text or past the end of their line', () => {
    expect(applyFixes(text, [fix('x', [9, 1, 9, 1, 'x'])]).applied).toEqual([]);
    expect(applyFixes(text, [fix('x', [1, 40, 1, 41, 'x'])]).applied).toEqual([]);
    expect(applyFixes(text, [fix('x', [2, 3, 1, 1, 'x'])]).applied).toEqual([]);
    // The position just after the last line break is the end of the text: insertion there is fine.
    expect(applyFixes(text, [fix('x', [4, 1, 4, 1, 'four: 4\r\n'])]).text).toBe(text + 'four: 4\r\n');
  });
});

describe('unifiedDiff', () => {
  it('writes git-style hunks with three lines of context and merges close changes', () => {
    const a = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o'].join('\n') + '\n';
    const b = a.replace('c\n', 'C\n').replace('e\n', '').replace('n\n', 'n\nn2\n');
    expect(unifiedDiff('x.yml', a, b)).toBe(
      ['--- a/x.yml', '+++ b/x.yml', '@@ -1,8 +1,7 @@', ' a', ' b', '-c', '+C', ' d', '-e', ' f', ' g', ' h', '@@ -12,4 +11,5 @@', ' l', ' m', ' n', '+n2', ' o', ''].join('\n'),
    );
    expect(unifiedDiff('x.yml', a, a)).toBe('');
  });
  it('marks a missing final newline', () => {
    expect(unifiedDiff('x', 'a\nb', 'a\nc')).toBe(['--- a/x', '+++ b/x', '@@ -1,2 +1,2 @@', ' a', '-b', '\\ No newline at end of file', '+c', '\\ No newline at end of file', ''].join('\n'));
    expect(unifiedDiff('x', '', 'a\n')).toBe(['--- a/x', '+++ b/x', '@@ -0,0 +1 @@', '+a', ''].join('\n'));
  });
  it('always describes the change exactly (random line edits, replayed by an independent hunk reader)', () => {
    const replay = (before: string, diff: string): string => {
      const old = before === '' ? [] : before.replace(/\n$/, '').split('\n');
      const out: string[] = [];
      let i = 0;
      const lines = diff.split('\n').slice(2);
      for (let k = 0; k < lines.length; k++) {
        const h = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(lines[k]);
        if (h) {
          const start = Number(h[1]) - (h[2] === '0' ? 0 : 1);
          while (i < start) out.push(old[i++]);
          continue;
        }
        const l = lines[k];
        if (l.startsWith(' ')) {
          expect(old[i]).toBe(l.slice(1));
          out.push(old[i++]);
        } else if (l.startsWith('-')) {
          expect(old[i]).toBe(l.slice(1));
          i++;
        } else if (l.startsWith('+')) out.push(l.slice(1));
      }
      while (i < old.length) out.push(old[i++]);
      return out.length ? out.join('\n') + '\n' : '';
    };
    const doc = fc.array(fc.constantFrom('a', 'b', 'c', 'permissions:', '  id-token: write', ''), { maxLength: 30 });
    fc.assert(
      fc.property(doc, doc, (x, y) => {
        const a = x.length ? x.join('\n') + '\n' : '';
        const b = y.length ? y.join('\n') + '\n' : '';
        expect(replay(a, unifiedDiff('f', a, b))).toBe(b);
      }),
      { numRuns: 300 },
    );
  });
});
