/**
 * Aliases are resolved by one walk of the document (resolveAliases) instead of yaml's
 * Alias.resolve(), which walks the document from the start for each alias. Both must agree on
 * every alias: redefined anchors, aliases before their anchor, anchors on an ancestor, keys.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDocument, visit, isAlias, type Document } from 'yaml';
import { resolveAliases, parseYaml } from '../../src/loaders/shared/yaml-doc.js';

function aliasesOf(doc: Document): unknown[] {
  const out: unknown[] = [];
  visit(doc, { Node: (_k, n) => void (isAlias(n) && out.push(n)) });
  return out;
}

describe('alias resolution in one walk', () => {
  it('finds what yaml’s Alias.resolve() finds, on generated documents', () => {
    const name = fc.constantFrom('a', 'b', 'c');
    const node: fc.Arbitrary<string> = fc.letrec((tie) => ({
      leaf: fc.oneof(fc.constantFrom('x', '1', 'null'), name.map((n) => `*${n}`), name.map((n) => `&${n} v`)),
      seq: fc.array(tie('node'), { minLength: 1, maxLength: 3 }).chain((items) => name.map((n) => `&${n} [${items.join(', ')}]`)),
      map: fc.array(fc.tuple(fc.oneof(fc.constantFrom('k', 'l', 'm'), name.map((n) => `*${n}`), name.map((n) => `&${n} kk`)), tie('node')), { minLength: 1, maxLength: 3 }).map((es) => `{${es.map(([k, v], i) => `${k}${i} : ${v}`).join(', ')}}`),
      node: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('seq'), tie('map')),
    })).node as fc.Arbitrary<string>;
    fc.assert(
      fc.property(fc.array(node, { minLength: 1, maxLength: 5 }), (items) => {
        const doc = parseDocument(`[${items.join(', ')}]`, { uniqueKeys: false });
        const targets = resolveAliases(doc);
        for (const a of aliasesOf(doc)) expect(targets.get(a)).toBe((a as { resolve(d: Document): unknown }).resolve(doc));
      }),
      { numRuns: 1500 },
    );
  });

  it('reads a workflow of 5,000 aliases to one anchor, each resolved to it', () => {
    const text = `on: push\njobs:\n  j:\n    runs-on: &r ubuntu-latest\n    steps:\n${'      - {run: *r}\n'.repeat(5000)}`;
    const r = parseYaml(text, 'w.yml', { full: true });
    expect(r.errors).toEqual([]);
    const steps = (r.root as any).entries[1].value.entries[0].value.entries[1].value.items;
    expect(steps).toHaveLength(5000);
    expect(steps.every((s: any) => s.entries[0].value.value === 'ubuntu-latest')).toBe(true);
  });
});
