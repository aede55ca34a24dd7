// Builds what the GitHub Action runs, ready to commit as a release (the commit a tag such as `v1`
// points at), so that a workflow run needs no install and no build: the bundle, the precompiled
// validators, bin/, the schemas, and the production dependencies the bundle imports lazily
// (TypeScript for CDK files, tree-sitter for Terraform, the AWS SDK for --aws), trimmed of what is
// never loaded (type declarations, source maps, TypeScript's compiler and server entry points and
// message translations). main holds no generated files; the release commit holds nothing else.
//
//   node scripts/release-action.mjs OUT          build (npm run build), then write the action to OUT
//   node scripts/release-action.mjs OUT --no-build   use the dist/ already built
//   node scripts/release-action.mjs --check DIR   rebuild from this checkout and compare with DIR:
//                                                  every file but node_modules byte for byte, and
//                                                  node_modules by the lock file it was installed from
//
// OUT/dist/release.json records the version, the source commit, the Node.js that built it and a
// SHA-256 of every file (node_modules as the lock file's hash); --check recomputes it and names
// each file that differs. The action's first step reads release.json to know it needs no install.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COPY = ['action.yml', 'bin', 'schemas', 'LICENSE', 'README.md', 'rules.md', 'package-lock.json', 'dist/oidc-lint.cjs', 'dist/validators.cjs'];
/** Files under node_modules that nothing oidc-lint runs ever loads. */
const PRUNE_FILE = /(\.d\.[cm]?ts|\.map|\.md|\.markdown)$/i;
const PRUNE_TS = new Set(['_tsc.js', '_tsserver.js', '_typingsInstaller.js', 'tsserver.js', 'tsserverlibrary.js', 'typingsInstaller.js', 'watchGuard.js', 'tsc.js']);

function fail(message) {
  process.stderr.write(`release-action: ${message}\n`);
  process.exit(1);
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

function walk(dir, rel = '', out = []) {
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) walk(dir, r, out);
    else if (e.isFile()) out.push(r);
  }
  return out;
}

function prune(dir) {
  let bytes = 0;
  for (const f of walk(dir)) {
    const base = path.basename(f);
    const inTs = f.startsWith('typescript/lib/');
    const tsLocale = inTs && f.split('/').length > 3; // typescript/lib/<locale>/diagnosticMessages.generated.json
    if (PRUNE_FILE.test(base) || (inTs && PRUNE_TS.has(base)) || tsLocale) {
      bytes += statSync(path.join(dir, f)).size;
      rmSync(path.join(dir, f));
    }
  }
  return bytes;
}

/** The file hashes release.json records: everything outside node_modules, and the lock file for node_modules. */
function manifest(dir) {
  const files = {};
  for (const f of walk(dir).sort()) {
    if (f.startsWith('node_modules/') || f === 'dist/release.json') continue;
    files[f] = sha256(readFileSync(path.join(dir, f)));
  }
  return files;
}

function sourceCommit() {
  try {
    // Read-only, in our own checkout; hooks and fsmonitor never run for rev-parse/status.
    const head = execFileSync('git', ['-c', 'core.fsmonitor=false', 'rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['-c', 'core.fsmonitor=false', 'status', '--porcelain', '--untracked-files=no'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head}+uncommitted` : head;
  } catch {
    return 'unknown';
  }
}

function build(out, { runBuild }) {
  if (existsSync(out) && readdirSync(out).length) fail(`${out} exists and is not empty`);
  if (runBuild) execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });
  for (const f of ['dist/oidc-lint.cjs', 'dist/validators.cjs']) if (!existsSync(path.join(REPO, f))) fail(`${f} is missing: run npm run build`);
  mkdirSync(out, { recursive: true });
  for (const f of COPY) cpSync(path.join(REPO, f), path.join(out, f), { recursive: true });
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  // What the action needs of package.json: the module type, the version, the dependencies to install.
  const released = { name: pkg.name, version: pkg.version, description: pkg.description, license: pkg.license, type: pkg.type, bin: pkg.bin, engines: pkg.engines, dependencies: pkg.dependencies };
  writeFileSync(path.join(out, 'package.json'), JSON.stringify(released, null, 2) + '\n');
  execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: out, stdio: ['ignore', 'ignore', 'inherit'] });
  const pruned = prune(path.join(out, 'node_modules'));
  const record = {
    version: pkg.version,
    source: sourceCommit(),
    builtWith: process.version,
    nodeModules: { lockSha256: sha256(readFileSync(path.join(out, 'package-lock.json'))), prunedBytes: pruned },
    files: manifest(out),
  };
  writeFileSync(path.join(out, 'dist', 'release.json'), JSON.stringify(record, null, 2) + '\n');
  return record;
}

function check(dir) {
  const recordFile = path.join(dir, 'dist', 'release.json');
  if (!existsSync(recordFile)) fail(`${dir} has no dist/release.json: not a release of the action`);
  const record = JSON.parse(readFileSync(recordFile, 'utf8'));
  const problems = [];
  const actual = manifest(dir);
  // The release is what release.json says it is…
  for (const [f, h] of Object.entries(record.files)) if (actual[f] !== h) problems.push(`${f}: ${actual[f] ? 'changed since the release was built' : 'missing'}`);
  for (const f of Object.keys(actual)) if (!(f in record.files)) problems.push(`${f}: not part of the release`);
  // …and what this checkout builds now.
  const fresh = path.join(mkdtempSync(path.join(tmpdir(), 'oidc-lint-release-check-')), 'action');
  try {
    const rebuilt = build(fresh, { runBuild: !process.argv.includes('--no-build') });
    for (const f of new Set([...Object.keys(rebuilt.files), ...Object.keys(record.files)]))
      if (rebuilt.files[f] !== record.files[f]) problems.push(`${f}: differs from what this checkout builds`);
    if (rebuilt.nodeModules.lockSha256 !== record.nodeModules.lockSha256) problems.push('node_modules: installed from another package-lock.json');
  } finally {
    rmSync(path.dirname(fresh), { recursive: true, force: true });
  }
  if (problems.length) fail(`${dir} is out of sync with the source:\n  ${problems.join('\n  ')}`);
  process.stdout.write(`${dir}: in sync with this checkout (${Object.keys(record.files).length} files, node_modules from the same lock file)\n`);
}

const args = process.argv.slice(2).filter((a) => a !== '--no-build');
if (args[0] === '--check') {
  if (!args[1]) fail('usage: release-action.mjs --check DIR [--no-build]');
  check(path.resolve(args[1]));
} else {
  if (!args[0]) fail('usage: release-action.mjs OUT [--no-build] | --check DIR [--no-build]');
  const out = path.resolve(args[0]);
  const record = build(out, { runBuild: !process.argv.includes('--no-build') });
  const size = walk(out).reduce((s, f) => s + statSync(path.join(out, f)).size, 0);
  process.stdout.write(`${out}: oidc-lint ${record.version} action from ${record.source}, ${(size / 1048576).toFixed(1)} MiB (${(record.nodeModules.prunedBytes / 1048576).toFixed(1)} MiB of node_modules pruned)\n`);
}
