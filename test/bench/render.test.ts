/** bench:render turns bench/results.json into the README table and bench/scale.svg (scripts/bench/render.ts). No timing here: the figures are made up. */
import { describe, expect, it } from 'vitest';
import { niceStep, renderSvg, renderTable, updateReadme, START, END } from '../../scripts/bench/render.js';
import { median, type BenchResults, type Measured } from '../../scripts/bench/results.js';

const m = (wallMs: number, cpuMs: number, maxRssMB: number): Measured => ({ wallMs, cpuMs, maxRssMB, samples: [] });

const results: BenchResults = {
  version: 1,
  date: '2026-12-07',
  commit: 'abc1234',
  machine: { cores: 2, cpu: 'AMD EPYC', memGiB: 24, node: 'v20.20.2', os: 'Linux' },
  runs: 3,
  scale: [
    { files: 10000, workflows: 7143, policies: 2857, mib: 45.2, lint: m(12000, 11000, 900), floor: m(15000, 14000, 200), ratio: { wall: 0.8, cpu: 0.79 }, findings: 100 },
    { files: 50000, runs: 1, workflows: 35714, policies: 14286, mib: 226, lint: m(66000, 60000, 1400), floor: m(75000, 70000, 210), ratio: { wall: 0.88, cpu: 0.86 }, findings: 500 },
    { files: 100000, runs: 1, workflows: 71429, policies: 28571, mib: 452, lint: m(150000, 140000, 1480), floor: m(150000, 141000, 220), ratio: { wall: 1, cpu: 0.99 }, findings: 1000 },
  ],
  cases: {
    terraform: { title: 'Terraform-heavy', files: 1230, workflows: 30, policies: 1200, mib: 1.4, lint: m(2500, 2300, 120), lint1: m(2600, 2200, 110), floor: m(2000, 1900, 90), ratio: { wall: 1.25, cpu: 1.2 }, ratio1: { wall: 1.3, cpu: 1.15 }, worker: 'no worker thread', findings: 40 },
  },
  startup: { nodeMs: 80, lintMs: 130, floorMs: 200, imports: [] },
};

describe('bench render', () => {
  it('the table has the machine, one row per size with wall, CPU, ratios, per-file cost and memory, and the workloads', () => {
    const t = renderTable(results);
    expect(t).toMatch(/^Measured 2026-12-07 on commit `abc1234`: 2 cores \(AMD EPYC\), 24 GiB, Node.js v20.20.2/);
    const rows = t.split('\n').filter((l) => /^\| [\d,]+ \(/.test(l));
    expect(rows).toEqual([
      '| 10,000 (45) | 3 | 12.0 s | 15.0 s | 0.80× | 11.0 s | 14.0 s | 0.79× | 1,200 (1.00×) | 900 MiB | 200 MiB |',
      '| 50,000 (226) | 1 | 66.0 s | 75.0 s | 0.88× | 60.0 s | 70.0 s | 0.86× | 1,320 (1.10×) | 1,400 MiB | 210 MiB |',
      '| 100,000 (452) | 1 | 150.0 s | 150.0 s | 1.00× | 140.0 s | 141.0 s | 0.99× | 1,500 (1.25×) | 1,480 MiB | 220 MiB |',
    ]);
    expect(t).toContain('| Terraform-heavy | 2.5 s / 2.3 s | 2.6 s / 2.2 s | 2.0 s / 1.9 s | 1.25× | 0.96× | 120 MiB | no worker thread |');
    expect(t).toContain('130 ms, against 80 ms for `node -e 0` (1.63×)');
  });

  it('the SVG draws each series through every point, left to right, within the plot', () => {
    const svg = renderSvg(results);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    const series = [...svg.matchAll(/<polyline class="series" data-series="([a-z-]+)" points="([^"]+)"/g)].map((x) => [x[1], x[2].split(' ').map((p) => p.split(',').map(Number))] as const);
    expect(series.map(([id]) => id)).toEqual(['lint-wall', 'lint-cpu', 'floor-wall', 'floor-cpu', 'lint-rss', 'floor-rss']);
    for (const [, pts] of series) {
      expect(pts).toHaveLength(3);
      expect(pts[0][0]).toBeLessThan(pts[1][0]);
      expect(pts[1][0]).toBeLessThan(pts[2][0]);
      for (const [x, y] of pts) {
        expect(x).toBeGreaterThan(0);
        expect(x).toBeLessThanOrEqual(720);
        expect(y).toBeGreaterThanOrEqual(30);
        expect(y).toBeLessThanOrEqual(260 - 44);
      }
    }
    // Larger values are drawn higher (smaller y): oidc-lint's RSS above the floor's.
    const rss = Object.fromEntries(series.filter(([id]) => id.endsWith('rss')));
    expect(rss['lint-rss'][2][1]).toBeLessThan(rss['floor-rss'][2][1]);
    expect(svg).toContain('<text x="56" y="18" class="title">Time (s)</text>');
    expect(svg).toContain('<text x="416" y="18" class="title">Memory (peak RSS, MiB)</text>');
    expect(svg).toContain('2026-12-07, 2 cores, Node.js v20.20.2, commit abc1234');
  });

  it('replaces only the text between the README markers, and refuses a README without them', () => {
    const readme = `# x\n\n## Performance\n${START}\nold\n${END}\nafter\n`;
    expect(updateReadme(readme, 'new\n')).toBe(`# x\n\n## Performance\n${START}\nnew\n${END}\nafter\n`);
    expect(() => updateReadme('# x\n', 'new\n')).toThrow(/no <!-- bench:start -->/);
  });

  it('round ticks and medians', () => {
    expect([niceStep(100000), niceStep(150), niceStep(1.4), niceStep(3000)]).toEqual([20000, 50, 0.5, 1000]);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('a size where oidc-lint failed says so in the table and has no point in the plot', () => {
    const crashed: BenchResults = structuredClone(results);
    const last = crashed.scale[2];
    // As JSON has it: the medians of no completed run are null.
    last.lint = { wallMs: null as unknown as number, cpuMs: null as unknown as number, maxRssMB: null as unknown as number, samples: [{ wallMs: 110000, cpuMs: NaN, userMs: NaN, sysMs: NaN, maxRssMB: NaN, failed: 'exit 134: JavaScript heap out of memory' }], failures: 1, failure: 'exit 134: JavaScript heap out of memory' };
    last.ratio = { wall: null as unknown as number, cpu: null as unknown as number };
    const t = renderTable(crashed);
    expect(t).toContain('| 100,000 (452) | 1 | – | 150.0 s | – | – | 141.0 s | – | – (–) | – | 220 MiB |');
    expect(t).toContain('At 100,000 files oidc-lint failed in 1 of 1 runs (exit 134: JavaScript heap out of memory).');
    const svg = renderSvg(crashed);
    expect(svg).not.toMatch(/NaN|null/);
    const lintWall = /data-series="lint-wall" points="([^"]+)"/.exec(svg)![1].split(' ');
    const floorWall = /data-series="floor-wall" points="([^"]+)"/.exec(svg)![1].split(' ');
    expect([lintWall.length, floorWall.length]).toEqual([2, 3]);
  });
});
