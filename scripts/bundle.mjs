// Bundles the CLI into one script (dist/oidc-lint.cjs) for start-up time: one file to compile instead
// of ~100 modules, and a V8 code cache for it (scripts/code-cache.mjs) so that the next start skips
// compiling what a typical run executes. bin/load-cli.js runs it. Heavy dependencies stay external
// and are still imported lazily (typescript-estree for .ts, web-tree-sitter for .tf, the AWS SDK for
// --aws, ajv for configs), so a repository without them pays nothing. `npm run build` runs this
// after tsc.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const OUT = 'dist/oidc-lint.cjs';
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

// `import path from 'node:path'` in a CommonJS bundle becomes, in every module that has it, a copy of
// the module object with a getter per export (esbuild's __toESM). One ES module per built-in that
// default-exports it as it is saves those copies at start-up; a named import of these would now fail
// the build rather than silently change.
const builtinDefaults = {
  name: 'builtin-defaults',
  setup(b) {
    b.onResolve({ filter: /^node:path$/ }, (a) => (a.namespace === 'builtin-default' ? undefined : { path: a.path, namespace: 'builtin-default' }));
    b.onLoad({ filter: /.*/, namespace: 'builtin-default' }, (a) => ({ contents: `const m = require(${JSON.stringify(a.path)});\nexport default m;\n`, loader: 'js' }));
  },
};
await build({
  entryPoints: ['dist/src/cli.js'],
  outfile: OUT,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['@typescript-eslint/typescript-estree', 'typescript', 'web-tree-sitter', '@tree-sitter-grammars/*', '@aws-sdk/*', 'ajv', 'ajv-formats'],
  // yaml's ES module build (the one it ships for browsers; it parses exactly like its CommonJS build)
  // lets the bundler drop the parts oidc-lint never calls.
  alias: { yaml: './node_modules/yaml/browser/dist/index.js' },
  // bin/load-cli.js passes the bundle's own file URL for the modules that locate files next to them.
  define: { 'import.meta.url': '__oidcLintBundleUrl', __OIDC_LINT_VERSION__: JSON.stringify(version) },
  plugins: [builtinDefaults],
  // The file is one function expression that bin/load-cli.js compiles as it is (no copy of a large
  // string to wrap it), called with the CommonJS arguments and two of the loader's own.
  banner: { js: '(function (exports, require, module, __filename, __dirname, __oidcLintBundleUrl, __oidcLintImport) {' },
  footer: { js: '})' },
  // Pure ASCII, read as latin1: one byte a character for V8 (a single non-ASCII character in a comment
  // made the whole bundle a two-byte string, decoded from UTF-8 at every start). Whitespace and
  // comments go too: less to read and hash; names stay, for stack traces.
  charset: 'ascii',
  minifyWhitespace: true,
  logLevel: 'warning',
  legalComments: 'none',
});
const bytes = readFileSync(OUT);
const wide = bytes.findIndex((b) => b > 0x7f);
if (wide >= 0) throw new Error(`${OUT}: byte ${wide} is not ASCII; bin/load-cli.js reads the bundle as latin1`);
