/**
 * Imports a heavy dependency on first use (typescript-estree for CDK files, web-tree-sitter for
 * Terraform, the AWS SDK for --aws). The bundled CLI runs as a vm script (bin/load-cli.js), where
 * `import()` has no module loader; the loader passes in its own `import` as `__oidcLintImport`.
 */
declare const __oidcLintImport: ((specifier: string) => Promise<unknown>) | undefined;

export function importLazily<T>(specifier: string): Promise<T> {
  return typeof __oidcLintImport === 'function' ? (__oidcLintImport(specifier) as Promise<T>) : (import(specifier) as Promise<T>);
}
