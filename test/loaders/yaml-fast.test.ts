/**
 * The fast YAML reader against the full one (the `yaml` package): whatever the fast reader
 * accepts, the full reader must read without errors into the same tree (values, tags, positions,
 * paths) and, for workflows, the same outline for fixes. Checked on every YAML file in the
 * repository, on the benchmark's generated files, on generated documents in many styles, and on
 * mutations of them.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fastYaml, plainValue } from '../../src/loaders/shared/yaml-fast.js';
import { parseYaml } from '../../src/loaders/shared/yaml-doc.js';
import { fastLayout, workflowLayout } from '../../src/loaders/workflows/workflow-layout.js';
import { CFN_YAML_TAGS } from '../../src/loaders/aws/cloudformation.js';
import { generateMonorepo } from '../../scripts/bench/generate.js';
import { REPO_ROOT } from '../../scripts/fixtures.js';

/** Generated documents per property (FAST_YAML_RUNS=50000 for a long search). */
const RUNS = Number(process.env.FAST_YAML_RUNS) || 1500;
const CFN_TAGS = new Set(CFN_YAML_TAGS.flatMap((t) => (typeof t === 'object' ? [t.tag] : [])));

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    if (e === 'node_modules' || e === '.git' || e === 'dist') continue;
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(e)) out.push(p);
  }
  return out;
}

type Verdict = 'fast' | 'full';

/**
 * Reads `text` both ways and fails the test on any difference. Returns whether the fast reader
 * took it (with the template tags when `cfn`).
 */
function compare(text: string, cfn: boolean, name = 'doc.yml'): Verdict {
  const fast = fastYaml(text, name, cfn ? CFN_TAGS : undefined);
  if (!fast) return 'full';
  const full = parseYaml(text, name, { customTags: cfn ? CFN_YAML_TAGS : undefined, full: true });
  const context = `${name}${cfn ? ' (template tags)' : ''}:\n${text}`;
  expect(full.errors, context).toEqual([]);
  expect(full.documents, context).toBe(fast.documents);
  if (!isDeepStrictEqual(fast.root, full.root)) expect(fast.root, context).toStrictEqual(full.root);
  if (!cfn) {
    const a = fastLayout(fast);
    const b = full.doc && workflowLayout(full.doc);
    if (!isDeepStrictEqual(a, b)) expect(a, context).toStrictEqual(b);
  }
  return 'fast';
}

describe('fast YAML reader', () => {
  it('reads every YAML file in the repository as the full reader does, and most of them itself', () => {
    const files = ['fixtures', 'examples', 'test'].flatMap((d) => yamlFiles(path.join(REPO_ROOT, d)));
    expect(files.length).toBeGreaterThan(50);
    let taken = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const cfn = /AWS::/.test(text);
      if (compare(text, cfn, path.relative(REPO_ROOT, f)) === 'fast') taken++;
      if (cfn) compare(text, false, path.relative(REPO_ROOT, f));
    }
    // What it leaves to the full reader: files with errors on purpose, anchors, escapes, CRLF…
    expect(taken / files.length).toBeGreaterThan(0.8);
  });

  it("reads every YAML file of the benchmark's generated monorepo itself, as the full reader does", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'oidc-lint-fast-'));
    try {
      generateMonorepo(dir, { workflows: 60, policies: 40 });
      const files = yamlFiles(dir);
      expect(files.length).toBeGreaterThan(60);
      for (const f of files) expect(compare(readFileSync(f, 'utf8'), f.endsWith('.yaml'), f)).toBe('fast');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is the reader parseYaml uses when it can, and the full reader reports what it cannot read', () => {
    const ok = parseYaml('on: push\njobs:\n  a:\n    runs-on: x\n', 'w.yml');
    expect(ok.fast).toBeDefined();
    expect(ok.doc).toBeUndefined();
    const bad = parseYaml('on: push\njobs:\n  a: [\n', 'w.yml');
    expect(bad.fast).toBeUndefined();
    expect(bad.errors.length).toBeGreaterThan(0);
    const dup = parseYaml('a: 1\na: 2\n', 'w.yml');
    expect(dup.errors.map((e) => e.message)).toEqual(['Map keys must be unique']);
  });

  it('leaves to the full reader what is outside its subset', () => {
    const outside = [
      'a: &x 1\nb: *x\n', // anchors, aliases
      'a:\n  <<: {b: 1}\n', // merge key
      'a:\tb\n', // tab
      'a: 1\r\nb: 2\r\n', // CRLF
      'a: 1\n---\nb: 2\n', // a second document
      '%YAML 1.2\n---\na: 1\n', // a directive
      'a: 1\na: 2\n', // duplicate key
      'a: |+\n  x\n\n', // keep chomping
      'a: >\n  x\n  y\n', // folded
      'a: |2\n   x\n', // indentation indicator
      'a: "x\\ny"\n', // escapes
      'a: "x\n  y"\n', // multi-line quoted
      'a: x\n  y\n', // multi-line plain
      '? a\n: b\n', // explicit key
      'a: !!str 1\n', // a standard tag
      'a: !Ref b\n', // a tag the caller gave no meaning
      'a: [b, c\n', // an unclosed flow sequence
      'a: [b: c]\n', // a pair in a flow sequence
      'a: [?]\n', // an explicit key in a flow sequence (found by the generated documents)
      'a: [-]\n',
      'a: ?x\n',
      '---#\na: 1\n', // not a document marker (found by the mutations)
      's:\n  - n: x\n    with:\n #c\n      a b\n  - m: 1\n', // a comment before a scalar on the line below its key (found by the mutations)
      'a : 1\n', // a space before the colon
      '\ufeffa: 1\n',
      'a: b: c\n',
      'a:\n  b: 1\n c: 2\n', // bad indentation
    ];
    for (const text of outside) expect(fastYaml(text, 'x.yml'), JSON.stringify(text)).toBeUndefined();
  });

  it('reads blank lines and comments alone as no document, as the full reader does (however many lines)', () => {
    for (const text of ['', '\n', '# only a comment\n', '   \n\n  # indented\n#\n']) {
      expect(compare(text, false), JSON.stringify(text)).toBe('fast');
      expect(fastYaml(text, 'x.yml')).toMatchObject({ root: undefined, documents: 0 });
    }
    // Millions of empty lines: the yaml package takes seconds per million; the fast reader one pass.
    expect(fastYaml('\n'.repeat(3_000_000) + '# end\n', 'x.yml')).toMatchObject({ root: undefined, documents: 0 });
    expect(parseYaml('\n'.repeat(3_000_000) + 'on: push\n', 'x.yml').fast?.root).toMatchObject({ kind: 'map' });
  });

  it('reads template tags it is given on scalars, flow and block collections', () => {
    const text = 'a: !Ref X\nb: !Sub "x${A}"\nc: !Join\n  - ""\n  - [a, !Ref B]\nd: !If [C, 1, {e: f}]\ng: !Sub |\n  x\nh: !Ref\n';
    expect(compare(text, true)).toBe('fast');
    const root = fastYaml(text, 't.yaml', CFN_TAGS)!.root;
    expect(root?.kind === 'map' && root.entries.map((e) => e.value.tag)).toEqual(['!Ref', '!Sub', '!Join', '!If', '!Sub', '!Ref']);
  });

  it('resolves plain scalars as the YAML 1.2 core schema does', () => {
    const cases: [string, unknown][] = [
      ['null', null], ['~', null], ['NULL', null], ['Null', null], ['nULL', 'nULL'],
      ['true', true], ['False', false], ['TRUE', true], ['tRue', 'tRue'], ['yes', 'yes'], ['on', 'on'],
      ['0o17', 15], ['017', 17], ['-0', -0], ['+12', 12], ['0x1F', 31], ['0X1F', '0X1F'],
      ['1e3', 1000], ['.5', 0.5], ['1.', 1], ['-.Inf', -Infinity], ['.nan', NaN], ['1_000', '1_000'],
      ['123456789012', 123456789012], ['2012-10-17', '2012-10-17'],
    ];
    for (const [s, v] of cases) {
      expect(Object.is(plainValue(s), v) || (typeof v === 'string' && plainValue(s) === v), s).toBe(true);
      compare(`k: ${s}\n`, false);
    }
  });

  it('agrees with the full reader on generated documents in many styles', () => {
    let taken = 0;
    let runs = 0;
    fc.assert(
      fc.property(documentArb, fc.boolean(), ({ text }, cfn) => {
        runs++;
        if (compare(text, cfn) === 'fast') taken++;
      }),
      { numRuns: RUNS },
    );
    // The generator mostly writes what the fast reader reads: the comparison is not vacuous.
    expect(taken / runs).toBeGreaterThan(0.3);
  });

  it('agrees with the full reader on mutations of generated documents and of the repository files', () => {
    const seeds = ['fixtures', 'examples'].flatMap((d) => yamlFiles(path.join(REPO_ROOT, d))).map((f) => readFileSync(f, 'utf8'));
    const base = fc.oneof(fc.constantFrom(...seeds), documentArb.map((d) => d.text));
    const special = fc.constantFrom(' ', '  ', '\n', '- ', ': ', ':', '#', ' #', '"', "'", '|', '|-', '[', ']', '{', '}', ',', '!Ref ', '!Sub\n', '---\n', 'x', '0', '~', '\u00e9', '\ud83d\ude80');
    fc.assert(
      fc.property(base, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 6 }), special), { minLength: 1, maxLength: 4 }), fc.boolean(), (text, edits, cfn) => {
        let t = text;
        for (const [at, del, ins] of edits) {
          const i = t.length ? at % t.length : 0;
          t = t.slice(0, i) + ins + t.slice(i + del);
        }
        compare(t, cfn);
      }),
      { numRuns: RUNS },
    );
  });
});

// ------------------------------------------------------------------------------------------------
// Generated documents

type Tree = { k: 's'; v: string } | { k: 'm'; e: [string, Tree][] } | { k: 'q'; i: Tree[] };

const oddText = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ':', '-', '#', '/', '.', '*', '$', '{', '}', '[', ']', ',', "'", '"', '0', '1', '!', '&', '|', '>', '?', '%'), maxLength: 8 });

const scalarText = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(
      'a', 'main', 'push', 'true', 'False', 'null', '~', '0', '-0', '+12', '0o17', '0x1F', '1e3', '.5', '1.50', '.inf', '.NaN', '123456789012',
      'arn:aws:iam::123456789012:role/deploy', 'repo:octo/app:ref:refs/heads/main', 'repo:octo/*', '${{ secrets.ROLE }}', 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub', 'echo "hi"', 'a#b', 'x y', '-1', '--flag', "it's", 'a: b', 'a #c', '[x]', '{x}', '@x', '<<',
      'ubuntu-latest', 'id-token', 'write', 'read', '', ' lead', 'trail ', 'multi\nline', 'x\n\ny\n', 'ünï', '🚀 go', 'a\\b', '"q"',
    ),
  },
  { weight: 2, arbitrary: oddText },
);

const keyText = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.constantFrom('on', 'jobs', 'name', 'runs-on', 'steps', 'uses', 'with', 'permissions', 'id-token', 'contents', 'Effect', 'Action', 'Condition', 'StringLike', 'token.actions.githubusercontent.com:sub', 'a', 'b', 'x y', '1', 'true', '-x', 'é'),
  },
  { weight: 1, arbitrary: scalarText },
);

const treeArb: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree; s: Tree; m: Tree; q: Tree }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('s'), tie('m'), tie('q')),
  s: fc.record({ k: fc.constant('s' as const), v: scalarText }),
  m: fc.record({ k: fc.constant('m' as const), e: fc.uniqueArray(fc.tuple(keyText, tie('node')), { minLength: 1, maxLength: 4, selector: (e) => e[0] }) }),
  q: fc.record({ k: fc.constant('q' as const), i: fc.array(tie('node'), { minLength: 1, maxLength: 4 }) }),
})).node;

/** A document (a mapping at the top, as workflows and templates are) written with random but mostly valid style choices. */
const documentArb = fc
  .tuple(fc.uniqueArray(fc.tuple(keyText, treeArb), { minLength: 1, maxLength: 5, selector: (e) => e[0] }), fc.integer())
  .map(([entries, seed]) => ({ text: render({ k: 'm', e: entries }, seed) }));

function render(root: Tree, seed: number): string {
  let s = seed | 0;
  const rand = () => {
    // mulberry32
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const step = pick([1, 2, 2, 2, 4]);
  const tag = (collection: boolean) => (rand() < 0.1 ? pick(collection ? ['!If', '!Join', '!Sub', '!If', '!Bogus'] : ['!Ref', '!Sub', '!GetAtt', '!Ref', '!Bogus']) : '');
  const comment = () => (rand() < 0.1 ? pick([' # note', '  #', ' #: x']) : rand() < 0.05 ? '  ' : '');
  const quoteSingle = (v: string) => `'${v.replace(/'/g, "''")}'`;
  const quoteDouble = (v: string) => `"${v}"`;
  /** Mostly a style that can hold the value; now and then plain whatever the value (which may then mean something else, or nothing). */
  const inline = (v: string, inFlow = false): string => {
    const r = rand();
    const plainSafe = /^[\w$./(-][^\n]*$/.test(v) && !/: | #|:$|^-( |$)|\s$/.test(v) && !(inFlow && /[,[\]{}]/.test(v));
    if (r < 0.03) return v;
    if (plainSafe && r < 0.7) return v;
    return r < 0.85 || /["\\\n]/.test(v) ? quoteSingle(v) : quoteDouble(v);
  };
  const flow = (t: Tree): string => {
    if (t.k === 's') {
      const tg = tag(false);
      return (tg ? tg + ' ' : '') + inline(t.v, true);
    }
    const tg = tag(true);
    const body = t.k === 'q' ? `[${t.i.map(flow).join(', ')}]` : `{${t.e.map(([k, v]) => `${inline(k, true)}: ${flow(v)}`).join(', ')}}`;
    return (tg ? tg + ' ' : '') + (rand() < 0.2 ? body.replace(/^([[{])/, '$1 ').replace(/([\]}])$/, ' $1') : body);
  };
  const lines: string[] = [];
  const blank = (indent: number) => {
    if (rand() < 0.08) lines.push('');
    if (rand() < 0.05) lines.push(' '.repeat(pick([0, indent, indent + step])) + '# comment');
  };
  /** Writes `t` as the value after `head` (a key with its colon, or a dash), on the line or below it. */
  const value = (head: string, t: Tree, indent: number, inSeq: boolean) => {
    if (t.k === 's') {
      if (rand() < 0.1 || t.v.includes('\n')) {
        const tg = tag(false);
        lines.push(`${head} ${tg ? tg + ' ' : ''}${pick(['|', '|-'])}${comment()}`);
        const body = t.v.split('\n');
        for (const l of body) lines.push(l === '' ? '' : ' '.repeat(indent + step) + l);
        return;
      }
      lines.push(`${head} ${flow(t)}${comment()}`.replace(/ $/, rand() < 0.5 ? '' : ' '));
      return;
    }
    if (rand() < 0.2) {
      lines.push(`${head} ${flow(t)}${comment()}`);
      return;
    }
    const tg = tag(true);
    lines.push(`${head}${tg ? ' ' + tg : ''}${comment()}`);
    const same = !inSeq && t.k === 'q' && rand() < 0.3;
    block(t, same ? indent : indent + step);
  };
  const block = (t: Tree, indent: number) => {
    const pad = ' '.repeat(indent);
    if (t.k === 'm') {
      for (const [k, v] of t.e) {
        blank(indent);
        value(`${pad}${inline(k)}:`, v, indent, false);
      }
    } else if (t.k === 'q') {
      for (const it of t.i) {
        blank(indent);
        if (it.k === 'm' && rand() < 0.6) {
          // `- key: value` with the other keys below, aligned with the first.
          const at = lines.length;
          block(it, indent + 2);
          lines[at] = `${pad}- ${lines[at].slice(indent + 2)}`;
        } else if (it.k === 'q' && rand() < 0.3) {
          const at = lines.length;
          block(it, indent + 2);
          lines[at] = `${pad}- ${lines[at].slice(indent + 2)}`;
        } else value(`${pad}-`, it, indent, true);
      }
    } else lines.push(pad + flow(t));
  };
  if (rand() < 0.1) lines.push(pick(['---', '--- # doc']));
  block(root, 0);
  return lines.join('\n') + (rand() < 0.9 ? '\n' : '');
}
