// Bundles the CLI into one script (dist/oidc-lint.cjs) for start-up time: one file to compile instead
// of ~100 modules, and a V8 code cache for it (scripts/code-cache.mjs) so that the next start skips
// compiling what a typical run executes. bin/load-cli.js runs it. Heavy dependencies stay external
// and are still imported lazily (typescript-estree for .ts, web-tree-sitter for .tf, the AWS SDK for
// --aws, ajv for configs), so a repository without them pays nothing. `npm run build` runs this
// after tsc.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli.js'],
  outfile: 'dist/oidc-lint.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['@typescript-eslint/typescript-estree', 'typescript', 'web-tree-sitter', '@tree-sitter-grammars/*', '@aws-sdk/*', 'ajv', 'ajv-formats'],
  // yaml's ES module build (the one it ships for browsers; it parses exactly like its CommonJS build)
  // lets the bundler drop the parts oidc-lint never calls.
  alias: { yaml: './node_modules/yaml/browser/dist/index.js' },
  // bin/load-cli.js passes the bundle's own file URL for the modules that locate files next to them.
  define: { 'import.meta.url': '__oidcLintBundleUrl' },
  logLevel: 'warning',
  legalComments: 'none',
});
