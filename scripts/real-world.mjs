#!/usr/bin/env node
// Re-runs oidc-lint over the real-world regression set and compares what it reports with the hand
// triage (see test/real-world/README.md).
//
//   node scripts/real-world.mjs [--dir <checkouts>] [--repo owner/name]... [--verbose] [--stubs]
//
// Reads test/real-world/repos.tsv (repository, commit, why) and test/real-world/triage.tsv
// (repository, commit, file:line, rule, verdict, reason[, level]); runs the built CLI
// (`node bin/oidc-lint.js --format json <checkout>`) on each checkout <dir>/<owner>+<name>
// (default dir: $OIDC_LINT_REAL_WORLD_DIR or /work/rw), and prints per repository and in total:
// findings, right/wrong/debatable, precision = right / (right + wrong), wrong findings at level
// error, crashes, and what changed against the triage (findings not triaged, triaged findings gone,
// level changes). A missing checkout is reported on stderr and skipped; the run then exits 3.
// Exit: 0, or 1 when oidc-lint crashed on any repository (exit code other than 0/1, unreadable
// JSON, or a non-empty "crashes" array), 2 for bad arguments or TSV files, 3 when checkouts are
// missing (and nothing crashed).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LIB = path.join(ROOT, 'dist/scripts/real-world-lib.js');
const CLI = path.join(ROOT, 'bin/oidc-lint.js');

function usage(msg) {
  if (msg) process.stderr.write(`real-world: ${msg}\n`);
  process.stderr.write('usage: node scripts/real-world.mjs [--dir <checkouts>] [--repo owner/name]... [--verbose] [--stubs]\n');
  process.exit(2);
}

const opts = { dir: process.env.OIDC_LINT_REAL_WORLD_DIR || '/work/rw', repos: [], verbose: false, stubs: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--dir') opts.dir = argv[++i] ?? usage('--dir needs a directory');
  else if (a === '--repo') opts.repos.push(argv[++i] ?? usage('--repo needs owner/name'));
  else if (a === '--verbose' || a === '-v') opts.verbose = true;
  else if (a === '--stubs') opts.stubs = true;
  else if (a === '--help' || a === '-h') usage();
  else usage(`unknown argument ${a}`);
}

if (!existsSync(LIB) || !existsSync(path.join(ROOT, 'dist/oidc-lint.cjs'))) {
  process.stderr.write('real-world: the CLI is not built; run `npm run build` first\n');
  process.exit(2);
}
const lib = await import(pathToFileURL(LIB).href);

let repos, triage;
try {
  repos = lib.parseRepos(readFileSync(path.join(ROOT, 'test/real-world/repos.tsv'), 'utf8'), 'test/real-world/repos.tsv');
  triage = lib.parseTriage(readFileSync(path.join(ROOT, 'test/real-world/triage.tsv'), 'utf8'), 'test/real-world/triage.tsv');
} catch (e) {
  process.stderr.write(`real-world: ${e.message}\n`);
  process.exit(2);
}
const known = new Set(repos.map((r) => r.repository));
for (const t of triage)
  if (!known.has(t.repository)) {
    process.stderr.write(`real-world: test/real-world/triage.tsv:${t.line}: ${t.repository} is not in repos.tsv\n`);
    process.exit(2);
  }
for (const r of opts.repos) if (!known.has(r)) usage(`--repo ${r} is not in repos.tsv`);
const selected = opts.repos.length ? repos.filter((r) => opts.repos.includes(r.repository)) : repos;

const results = [];
const missing = [];
const crashes = [];
for (const repo of selected) {
  const dir = path.join(opts.dir, repo.repository.replace('/', '+'));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    missing.push(repo.repository);
    process.stderr.write(`real-world: MISSING checkout ${dir} for ${repo.repository}@${repo.commit.slice(0, 12)} — skipped\n`);
    continue;
  }
  const run = spawnSync(process.execPath, [CLI, '--format', 'json', dir], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  let report;
  let crash;
  if (run.error) crash = `could not run: ${run.error.message}`;
  else if (run.status !== 0 && run.status !== 1) crash = `exit code ${run.status ?? run.signal}`;
  if (!crash) {
    try {
      report = JSON.parse(run.stdout);
    } catch (e) {
      crash = `unreadable JSON report: ${e.message}`;
    }
  }
  if (!crash && report && Array.isArray(report.crashes) && report.crashes.length) crash = `${report.crashes.length} crash(es) in the report: ${JSON.stringify(report.crashes).slice(0, 300)}`;
  if (crash) {
    crashes.push({ repository: repo.repository, crash, stderr: run.stderr?.trim().slice(0, 2000) });
    if (!report || !Array.isArray(report.findings)) continue;
  }
  const result = lib.compareRepo(repo.repository, lib.findingsOfReport(report), triage);
  result.commit = repo.commit;
  results.push(result);
}

const pad = (s, n) => String(s).padEnd(n);
const padl = (s, n) => String(s).padStart(n);
const header = `${pad('repository', 52)} ${padl('find', 5)} ${padl('right', 5)} ${padl('wrong', 5)} ${padl('deb', 4)} ${padl('prec', 6)} ${padl('wrErr', 5)} ${padl('new', 4)} ${padl('gone', 4)}`;
console.log(header);
console.log('-'.repeat(header.length));
for (const r of results)
  console.log(
    `${pad(r.repository, 52)} ${padl(r.findings, 5)} ${padl(r.right, 5)} ${padl(r.wrong, 5)} ${padl(r.debatable, 4)} ${padl(lib.formatPrecision(lib.precision(r)), 6)} ${padl(r.wrongErrors, 5)} ${padl(r.untriaged.length, 4)} ${padl(r.gone.length, 4)}`,
  );
const t = lib.totals(results);
console.log('-'.repeat(header.length));
console.log(
  `${pad(`TOTAL (${t.repos} repositories run)`, 52)} ${padl(t.findings, 5)} ${padl(t.right, 5)} ${padl(t.wrong, 5)} ${padl(t.debatable, 4)} ${padl(lib.formatPrecision(lib.precision(t)), 6)} ${padl(t.wrongErrors, 5)} ${padl(t.untriaged, 4)} ${padl(t.gone, 4)}`,
);
console.log('');
console.log(`precision (right / (right + wrong)): ${lib.formatPrecision(lib.precision(t))}   debatable, not counted: ${t.debatable}   untriaged, not counted: ${t.untriaged}`);
console.log(`wrong findings at level error: ${t.wrongErrors}   level changed since triage: ${t.levelChanged}   crashes: ${crashes.length}   missing checkouts: ${missing.length}`);

const changed = results.filter((r) => r.untriaged.length || r.gone.length || r.levelChanged.length);
if (changed.length) {
  console.log('\nChanged against the triage:');
  for (const r of changed) {
    console.log(`  ${r.repository}`);
    for (const c of r.untriaged) console.log(`    NEW   ${c.finding.level.padEnd(5)} ${c.finding.ruleId} ${lib.locationOf(c.finding)} — ${c.finding.message}`);
    for (const g of r.gone) console.log(`    GONE  [${g.verdict}] ${g.rule} ${g.location} — ${g.reason}`);
    for (const c of r.levelChanged) console.log(`    LEVEL ${c.triage.level} -> ${c.finding.level} [${c.triage.verdict}] ${c.finding.ruleId} ${lib.locationOf(c.finding)}`);
  }
}
if (opts.verbose) {
  console.log('\nWrong findings still reported:');
  for (const r of results) for (const c of r.compared) if (c.triage?.verdict === 'wrong') console.log(`  ${r.repository} ${c.finding.level} ${c.finding.ruleId} ${lib.locationOf(c.finding)} — ${c.triage.reason}`);
}
if (opts.stubs) {
  const stubs = results.flatMap((r) => r.untriaged.map((c) => lib.triageStub(r.repository, r.commit, c)));
  if (stubs.length) console.log(`\ntriage.tsv stubs for the untriaged findings (fill in verdict and reason):\n${stubs.join('\n')}`);
}
if (missing.length) process.stderr.write(`\nreal-world: ${missing.length} checkout(s) MISSING under ${opts.dir}, skipped: ${missing.join(', ')} (see test/real-world/README.md)\n`);
if (crashes.length) {
  process.stderr.write('\nreal-world: oidc-lint CRASHED:\n');
  for (const c of crashes) process.stderr.write(`  ${c.repository}: ${c.crash}\n${c.stderr ? c.stderr.replace(/^/gm, '    ') + '\n' : ''}`);
  process.exit(1);
}
process.exit(missing.length ? 3 : 0);
