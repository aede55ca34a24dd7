// The comparison logic of scripts/real-world.mjs and the committed triage files — none of this
// needs the real-world checkouts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareRepo,
  findingsOfReport,
  parseRepos,
  parseTriage,
  precision,
  totals,
  triageStub,
  TsvError,
  type Finding,
} from '../../scripts/real-world-lib.js';
import { REPO_ROOT } from '../../scripts/fixtures.js';

const C = 'a'.repeat(40);
const triageText = [
  'repository\tcommit\tlocation\trule\tverdict\treason\tlevel',
  `o/r\t${C}\t.github/workflows/a.yml:10\tno-oidc-in-untrusted-trigger\twrong\tonly base code runs\terror`,
  `o/r\t${C}\t.github/workflows/a.yml:20\tno-excessive-id-token-permission\tright\tjob needs no token\twarn`,
  `o/r\t${C}\tiam/t.json:5\tno-wildcard-subject\tdebatable\tdeliberate\terror`,
  `o/r\t${C}\tiam/t.json:9\trequire-audience-condition\twrong\tprovider lists sts only\terror`,
  '# a comment line',
  '',
  `o/other\t${C}\tx.tf:1\trequire-subject-condition\tright\tno sub at all`,
].join('\n');

const f = (file: string, line: number, ruleId: string, level = 'error'): Finding => ({ file, line, ruleId, level, message: `m ${ruleId}` });

describe('real-world comparison', () => {
  const triage = parseTriage(triageText);

  it('parses triage rows, skipping comments and blank lines, with the optional level column', () => {
    expect(triage).toHaveLength(5);
    expect(triage[0]).toMatchObject({ repository: 'o/r', location: '.github/workflows/a.yml:10', verdict: 'wrong', level: 'error', line: 2 });
    expect(triage[4]).toMatchObject({ repository: 'o/other', level: undefined, line: 8 });
  });

  it('counts verdicts of matched findings, wrong ones at error, new findings and gone entries', () => {
    const r = compareRepo('o/r', [
      f('.github/workflows/a.yml', 10, 'no-oidc-in-untrusted-trigger'), // wrong, still error
      f('.github/workflows/a.yml', 20, 'no-excessive-id-token-permission', 'warn'), // right
      f('iam/t.json', 5, 'no-wildcard-subject'), // debatable
      f('iam/t.json', 9, 'require-audience-condition', 'warn'), // wrong, now warn: not an error, level changed
      f('iam/t.json', 11, 'no-wildcard-subject'), // not triaged
    ], triage);
    expect(r).toMatchObject({ findings: 5, right: 1, wrong: 2, debatable: 1, wrongErrors: 1 });
    expect(r.untriaged.map((c) => `${c.finding.file}:${c.finding.line}`)).toEqual(['iam/t.json:11']);
    expect(r.gone).toEqual([]);
    expect(r.levelChanged.map((c) => c.triage?.location)).toEqual(['iam/t.json:9']);
    expect(precision(r)).toBeCloseTo(1 / 3);
  });

  it('reports triaged findings that are gone, and ignores other repositories', () => {
    const r = compareRepo('o/r', [f('.github/workflows/a.yml', 20, 'no-excessive-id-token-permission', 'warn')], triage);
    expect(r.gone.map((g) => g.location)).toEqual(['.github/workflows/a.yml:10', 'iam/t.json:5', 'iam/t.json:9']);
    expect(r).toMatchObject({ right: 1, wrong: 0, debatable: 0 });
  });

  it('does not match a finding of another rule or another line', () => {
    const r = compareRepo('o/r', [f('.github/workflows/a.yml', 10, 'no-excessive-id-token-permission'), f('.github/workflows/a.yml', 11, 'no-oidc-in-untrusted-trigger')], triage);
    expect(r.untriaged).toHaveLength(2);
    expect(r.gone).toHaveLength(4);
  });

  it('matches one triage entry to one finding only', () => {
    const twice = f('iam/t.json', 5, 'no-wildcard-subject');
    const r = compareRepo('o/r', [twice, { ...twice }], triage);
    expect(r.debatable).toBe(1);
    expect(r.untriaged).toHaveLength(1);
  });

  it('sums totals and leaves precision undefined without right or wrong findings', () => {
    const a = compareRepo('o/r', [f('.github/workflows/a.yml', 10, 'no-oidc-in-untrusted-trigger')], triage);
    const b = compareRepo('o/other', [f('x.tf', 1, 'require-subject-condition')], triage);
    const t = totals([a, b]);
    expect(t).toMatchObject({ repos: 2, findings: 2, right: 1, wrong: 1, wrongErrors: 1, untriaged: 0, gone: 3 });
    expect(precision(t)).toBe(0.5);
    expect(precision({ right: 0, wrong: 0 })).toBeUndefined();
  });

  it('rejects bad triage and repos files with the line', () => {
    expect(() => parseTriage(`h\n${'o/r\tc\tf:1\trule\tmaybe\twhy'}`)).toThrow(/triage\.tsv:2: verdict "maybe"/);
    expect(() => parseTriage(`h\no/r\tc\tnoline\trule\tright\twhy`)).toThrow(/location "noline"/);
    expect(() => parseTriage(`h\no/r\tc\tf:1\trule\tright`)).toThrow(TsvError);
    expect(() => parseTriage(`h\no/r\tc\tf:1\trule\tright\ta\no/r\tc\tf:1\trule\twrong\tb`)).toThrow(/already triaged on line 2/);
    expect(() => parseRepos(`h\nnot-a-repo\t${C}\twhy`)).toThrow(/not owner\/name/);
    expect(() => parseRepos(`h\no/r\tabc\twhy`)).toThrow(/40-hex/);
    expect(() => parseRepos('')).toThrow(/empty/);
  });

  it('reads findings from a JSON report and writes a stub for an untriaged one', () => {
    const report = { findings: [{ ruleId: 'r', level: 'warn', message: 'msg', location: { file: 'a.yml', start: { line: 3, column: 1 } } }] };
    const [finding] = findingsOfReport(report);
    expect(finding).toEqual({ ruleId: 'r', level: 'warn', message: 'msg', file: 'a.yml', line: 3 });
    expect(triageStub('o/r', C, { finding })).toBe(`o/r\t${C}\ta.yml:3\tr\t?\tTODO: msg\twarn`);
    expect(() => findingsOfReport({})).toThrow(/findings/);
  });
});

describe('committed real-world set', () => {
  const dir = path.join(REPO_ROOT, 'test/real-world');
  const repos = parseRepos(readFileSync(path.join(dir, 'repos.tsv'), 'utf8'));
  const triage = parseTriage(readFileSync(path.join(dir, 'triage.tsv'), 'utf8'));

  it('has at least 20 repositories, each with a reason', () => {
    expect(repos.length).toBeGreaterThanOrEqual(20);
    for (const r of repos) expect(r.why.length, r.repository).toBeGreaterThan(10);
  });

  it('triages only listed repositories at their listed commit', () => {
    const commits = new Map(repos.map((r) => [r.repository, r.commit]));
    for (const t of triage) expect(commits.get(t.repository), `triage.tsv:${t.line}`).toBe(t.commit);
  });
});
