import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineTable, plainLocation, plainLocationsDeep, SpanLocation, withLocationPath, type SourceLocation } from '../../src/model/location.js';
import { parseJson } from '../../src/loaders/shared/json-ast.js';
import { fastYaml } from '../../src/loaders/shared/yaml-fast.js';
import { REPO_ROOT } from '../../scripts/fixtures.js';

/** The position of an offset, counted character by character. */
function naive(text: string, offset: number) {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset; i++) {
    if (text[i] === '\n') {
      line++;
      column = 1;
    } else column++;
  }
  return { line, column };
}

describe('LineTable', () => {
  it('turns every offset into the line and column counted character by character', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '\n', 'é', '\r', ' ') }), fc.nat(), (text, n) => {
        const offset = n % (text.length + 1);
        expect(LineTable.of('f', text).position(offset)).toEqual(naive(text, offset));
      }),
      { numRuns: 500 },
    );
  });
});

describe('SpanLocation', () => {
  const text = 'a: 1\nbb: [x, y]\n';
  const lines = LineTable.of('dir/f.yml', text);
  const loc = new SpanLocation(lines, 9, 15, 'bb');

  it('reads, compares and serialises as the plain location it stands for, keys in the plain order', () => {
    const plain = { file: 'dir/f.yml', start: { line: 2, column: 5 }, end: { line: 2, column: 11 }, path: 'bb' };
    expect(loc.file).toBe('dir/f.yml');
    expect(loc.start).toEqual({ line: 2, column: 5 });
    expect(loc.end).toEqual({ line: 2, column: 11 });
    expect(plainLocation(loc)).toStrictEqual(plain);
    expect(JSON.stringify(loc)).toBe(JSON.stringify(plain));
    expect(JSON.stringify({ x: [loc] }, null, 2)).toBe(JSON.stringify({ x: [plain] }, null, 2));
    expect(loc).toEqual(plain);
    expect(JSON.stringify(new SpanLocation(lines, 0, 1))).toBe(JSON.stringify({ file: 'dir/f.yml', start: { line: 1, column: 1 }, end: { line: 1, column: 2 } }));
  });

  it('loses its positions when spread (why plainLocation exists), keeps them through plainLocation and withLocationPath', () => {
    expect(({ ...loc } as SourceLocation).start).toBeUndefined();
    expect({ ...plainLocation(loc), path: 'p' }).toStrictEqual({ file: 'dir/f.yml', start: { line: 2, column: 5 }, end: { line: 2, column: 11 }, path: 'p' });
    const moved = withLocationPath(loc, 'bb[0]');
    expect(moved).toBeInstanceOf(SpanLocation);
    expect(plainLocation(moved)).toStrictEqual({ ...plainLocation(loc), path: 'bb[0]' });
    expect(loc.path).toBe('bb');
  });

  it('takes a position or a file assigned to it (a live-AWS document placed in its snapshot)', () => {
    const l = new SpanLocation(lines, 0, 4, 'a');
    l.file = 'snapshot.json';
    l.start = { line: 7, column: 3 };
    l.end = { line: 7, column: 9 };
    expect(plainLocation(l)).toStrictEqual({ file: 'snapshot.json', start: { line: 7, column: 3 }, end: { line: 7, column: 9 }, path: 'a' });
    expect(SpanLocation.offsets(l)).toBeUndefined();
    expect(plainLocation(withLocationPath(l, 'b'))).toStrictEqual({ file: 'snapshot.json', start: { line: 7, column: 3 }, end: { line: 7, column: 9 }, path: 'b' });
  });

  it('plainLocationsDeep makes a model safe to send to another thread (structured clone keeps no class)', () => {
    const model = { loc, items: [{ loc }, loc], byKey: new Map([['k', loc]]), lines: new Int32Array(3) };
    expect((structuredClone({ loc }) as { loc: SourceLocation }).loc.start).toBeUndefined();
    plainLocationsDeep(model);
    const cloned = structuredClone(model);
    const plain = plainLocation(loc);
    expect(cloned.loc).toStrictEqual(plain);
    expect(cloned.items).toStrictEqual([{ loc: plain }, plain]);
    expect(cloned.byKey.get('k')).toStrictEqual(plain);
  });
});

describe('the JSON and fast YAML readers give compact locations at the same places as before', () => {
  it('JSON: every value and key, by offset', () => {
    const text = '{\n  "a": [1, "x"],\n  "b": {"c": true}\n}\n';
    const { root } = parseJson(text, 'p.json');
    const seen: SourceLocation[] = [];
    const walk = (n: any) => {
      seen.push(n.loc);
      if (n.kind === 'map') for (const e of n.entries) (seen.push(e.key.loc), walk(e.value));
      if (n.kind === 'seq') n.items.forEach(walk);
    };
    walk(root);
    for (const l of seen) {
      expect(l).toBeInstanceOf(SpanLocation);
      const o = SpanLocation.offsets(l)!;
      expect(l.start).toEqual(naive(text, o.start));
      expect(l.end).toEqual(naive(text, o.end));
    }
    expect(seen.map((l) => `${l.path}@${l.start.line}:${l.start.column}-${l.end.line}:${l.end.column}`)).toEqual([
      '@1:1-4:2',
      'a@2:3-2:6',
      'a@2:8-2:16',
      'a[0]@2:9-2:10',
      'a[1]@2:12-2:15',
      'b@3:3-3:6',
      'b@3:8-3:19',
      'b.c@3:9-3:12',
      'b.c@3:14-3:18',
    ]);
  });

  it('YAML: a mapping and a sequence end where their last value ends; a block scalar after its last line break', () => {
    const text = 'on: push\njobs:\n  d:\n    steps:\n      - run: |\n          echo hi\n      - uses: x@v1\n';
    const doc = fastYaml(text, 'w.yml')!;
    const jobs = (doc.root as any).entries[1].value;
    expect(plainLocation(jobs.loc)).toStrictEqual({ file: 'w.yml', start: { line: 3, column: 3 }, end: { line: 7, column: 19 }, path: 'jobs' });
    const steps = jobs.entries[0].value.entries[0].value;
    expect(plainLocation(steps.items[0].entries[0].value.loc)).toStrictEqual({ file: 'w.yml', start: { line: 5, column: 14 }, end: { line: 7, column: 1 }, path: 'jobs.d.steps[0].run' });
    expect(steps.items[1].entries[0].value.raw).toBe('x@v1');
  });
});

describe('source', () => {
  it('never copies a location with object spread (a compact one would lose its positions): plainLocation(loc) first', () => {
    const bad: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts'))
          readFileSync(p, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              if (/\{\s*\.\.\.(?!plainLocation\()[\w.?()]*(?:loc|Loc|location|Location)\s*[,}]/.test(line) && !line.trim().startsWith('*')) bad.push(`${path.relative(REPO_ROOT, p)}:${i + 1}: ${line.trim()}`);
            });
      }
    };
    walk(path.join(REPO_ROOT, 'src'));
    expect(bad).toEqual([]);
  });
});
