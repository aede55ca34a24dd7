import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { coalesce, jsonChunks, LazyArray, lazyMap } from '../../src/reporters/json-stream.js';
import { jsonReporter, jsonReportChunks } from '../../src/reporters/json.js';
import { buildSarif, sarifChunks, sarifReporter } from '../../src/reporters/sarif.js';
import { rules } from '../../src/rules/index.js';
import type { Finding } from '../../src/engine/rule.js';
import type { Project } from '../../src/model/project.js';
import type { ReportInput } from '../../src/reporters/types.js';
import { VERSION } from '../../src/version.js';
import { jsonText } from '../../src/model/printable.js';
import { sarifValidator, schemaAvailable, SKIP_REASON } from '../helpers/sarif-schema.js';

/** Every array in `v` (at any depth) made lazy when `pick` says so; the JSON they stand for is unchanged. */
function lazify(v: unknown, pick: () => boolean): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => lazify(x, pick));
    return pick() ? new LazyArray(items.length, (i) => items[i]) : items;
  }
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, lazify(x, pick)]));
  return v;
}

describe('jsonChunks', () => {
  it('writes what JSON.stringify(value, null, 2) writes, with any of the arrays lazy', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.infiniteStream(fc.boolean()), (value, coins) => {
        const it = coins[Symbol.iterator]();
        const lazy = lazify(value, () => it.next().value as boolean);
        expect([...jsonChunks(lazy)].join('')).toBe(JSON.stringify(value, null, 2));
      }),
      { numRuns: 300 },
    );
  });

  it('leaves out undefined, functions and symbols in objects and writes null for them in arrays, as JSON.stringify does', () => {
    const value = { a: undefined, b: () => 1, c: Symbol('x'), d: [undefined, () => 1, 2], e: { toJSON: () => ({ z: 'line\nbreak' }) }, f: [] as unknown[], g: {} };
    const lazy = { ...value, d: new LazyArray(3, (i) => value.d[i]), f: new LazyArray(0, () => 0), h: undefined };
    expect([...jsonChunks(lazy)].join('')).toBe(JSON.stringify(value, null, 2));
    expect([...jsonChunks({ only: undefined, lazy: new LazyArray(1, () => undefined) })].join('')).toBe(JSON.stringify({ only: undefined, lazy: [undefined] }, null, 2));
  });

  it('builds each item of a lazy array only when it is written', () => {
    const built: number[] = [];
    const chunks = jsonChunks({ items: lazyMap([1, 2, 3], (x) => (built.push(x), { x })) });
    const seen: string[] = [];
    for (const c of chunks) {
      seen.push(c);
      if (c.includes('"x": 1')) expect(built).toEqual([1]);
    }
    expect(built).toEqual([1, 2, 3]);
  });

  it('joins pieces into pieces of about the given size', () => {
    const pieces = Array.from({ length: 1000 }, (_, i) => `${i},`);
    const joined = [...coalesce(pieces, 100)];
    expect(joined.join('')).toBe(pieces.join(''));
    expect(joined.length).toBeGreaterThan(20);
    for (const c of joined.slice(0, -1)) expect(c.length).toBeGreaterThanOrEqual(100);
    for (const c of joined) expect(c.length).toBeLessThan(110);
  });
});

/** Many findings of every shape the reporters write (fixes, suggestions, suppressions, related locations, live-AWS locations). */
function largeInput(n: number): ReportInput {
  const findings: Finding[] = [];
  const ids = rules.map((r) => r.id);
  for (let i = 0; i < n; i++) {
    const file = `services/svc-${i % 97}/.github/workflows/wf ${i}.yml`;
    const loc = { file, start: { line: 1 + (i % 300), column: 1 + (i % 7) }, end: { line: 1 + (i % 300), column: 20 }, path: `jobs.j${i}.steps[0]` };
    const f: Finding = {
      ruleId: ids[i % ids.length],
      messageId: 'm',
      message: `Finding ${i}: "quoted" \\ back\\slash \u00e9 \u2028 \u202e ##[group]x ${'x'.repeat(i % 50)}`,
      level: i % 3 ? 'warn' : 'error',
      severity: (['critical', 'high', 'medium', 'low'] as const)[i % 4],
      confidence: i % 5 ? 'high' : 'medium',
      location: i % 11 === 0 ? { file: '', start: { line: 2, column: 3 }, end: { line: 2, column: 9 }, logical: { kind: 'aws-iam-role', fullyQualifiedName: `arn:aws:iam::123456789012:role/r${i}`, name: `r${i}` } } : loc,
      related: i % 4 ? [] : [{ loc: { ...loc, file: `iam/role-${i}.json` }, message: `related ${i}` }],
      fingerprint: (i * 2654435761).toString(16).padStart(32, '0').slice(0, 32),
    };
    if (i % 7 === 0) f.fix = { description: 'move id-token', edits: [{ file, start: { line: 3, column: 1 }, end: { line: 4, column: 1 }, text: 'permissions:\n  id-token: write\n' }] };
    if (i % 9 === 0) f.suggestions = [{ description: 'pin the subject', text: 'repo:o/r:ref:refs/heads/main' }];
    if (i % 13 === 0) f.suppressed = { kind: 'inSource', justification: `reviewed ${i}` };
    findings.push(f);
  }
  const project = { type: 'Project', root: '/repo', sources: Array.from({ length: 5 }), workflows: [], roles: [], providers: [], loadErrors: [], links: { byAssumption: new Map(), byRole: new Map(), unresolved: [] } } as unknown as Project;
  return { findings, crashes: [{ ruleId: 'x', message: 'boom' }], project, rules, options: { color: false, cwd: '/repo', repoRoot: '/repo', sarifCategory: 'cat' } };
}

/** The JSON report as it was built before it was streamed: one object, one JSON.stringify. */
function jsonAsOneString({ findings, crashes, project }: ReportInput): string {
  const doc = {
    version: 1,
    tool: { name: 'oidc-lint', version: VERSION },
    root: project.root,
    summary: {
      files: project.sources.length,
      errors: findings.filter((f) => !f.suppressed && f.level === 'error').length,
      warnings: findings.filter((f) => !f.suppressed && f.level === 'warn').length,
      suppressed: findings.filter((f) => f.suppressed).length,
    },
    findings: findings.map((f) => ({
      ruleId: f.ruleId,
      messageId: f.messageId,
      message: f.message,
      level: f.level,
      severity: f.severity,
      confidence: f.confidence,
      location: f.location,
      related: f.related,
      fingerprint: f.fingerprint,
      ...(f.fix ? { fix: f.fix } : {}),
      ...(f.suggestions ? { suggestions: f.suggestions } : {}),
      ...(f.suppressed ? { suppressed: f.suppressed } : {}),
    })),
    unresolvedAssumptions: [],
    crashes: crashes.map((c) => ({ ruleId: c.ruleId, message: c.message })),
  };
  return jsonText(JSON.stringify(doc, null, 2)) + '\n';
}

describe('streamed reports', () => {
  const input = largeInput(4_000);

  it('JSON: the pieces are the report as one string was, byte for byte, and no piece is large', () => {
    const expected = jsonAsOneString(input);
    expect(expected.length).toBeGreaterThan(2_000_000);
    const pieces = [...coalesce(jsonReportChunks(input))];
    expect(pieces.join('')).toBe(expected);
    expect(jsonReporter(input)).toBe(expected);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(1 << 17);
  });

  it('SARIF: the pieces are the log as one string was (jsonText of JSON.stringify), byte for byte, and no piece is large', () => {
    const expected = jsonText(JSON.stringify(buildSarif(input.findings, input.project, input.rules, input.options, input.crashes), null, 2)) + '\n';
    expect(expected.length).toBeGreaterThan(2_000_000);
    const pieces = [...coalesce(sarifChunks(input))];
    expect(pieces.join('')).toBe(expected);
    expect(sarifReporter(input)).toBe(expected);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(1 << 17);
  });

  it.skipIf(!schemaAvailable)(`SARIF: the streamed log is valid against the SARIF 2.1.0 schema${schemaAvailable ? '' : ` — skipped: ${SKIP_REASON}`}`, () => {
    const small = largeInput(200);
    const validate = sarifValidator();
    const ok = validate(JSON.parse([...sarifChunks(small)].join('')));
    expect(ok, JSON.stringify((validate as { errors?: unknown[] }).errors?.slice(0, 3))).toBe(true);
  });
});
