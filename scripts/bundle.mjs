// Bundles the CLI into one ES module (dist/oidc-lint.mjs) for start-up time: one file to load instead
// of ~100 modules. Heavy dependencies stay external and are still imported lazily (typescript-estree
// for .ts, web-tree-sitter for .tf, the AWS SDK for --aws, ajv for configs), so a repository without
// them pays nothing. `npm run build` runs this after tsc.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli.js'],
  outfile: 'dist/oidc-lint.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['@typescript-eslint/typescript-estree', 'typescript', 'web-tree-sitter', '@tree-sitter-grammars/*', '@aws-sdk/*', 'ajv', 'ajv-formats'],
  // yaml is CommonJS: give the bundle a `require` for the Node built-ins it asks for.
  banner: { js: "import { createRequire as __oidcLintRequire } from 'node:module';\nconst require = __oidcLintRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
});
