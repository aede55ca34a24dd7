/**
 * Bare IAM trust-policy JSON files (`trust-policy.json`, `aws iam create-role --assume-role-policy-document file://…`).
 */
import { parseJson, JsonSyntaxError } from '../shared/json-ast.js';
import { looksLikeTrustPolicy, readTrustPolicy, type PolicyProblem } from './policy-doc.js';
import type { OidcProvider, Role } from '../../model/iam.js';
import type { LoadError } from '../../model/project.js';
import { getEntryCI, isMap, isScalar, scalarValue, stringList, type DocNode } from '../shared/doc.js';

/** JSON-with-comments files that are never policies; not worth a parse error. */
const JSONC_NAMES = /(^|\/)(tsconfig[^/]*|jsconfig[^/]*|\.eslintrc|devcontainer|\.vscode\/[^/]+|cdk\.context|package(-lock)?|composer\.lock)\.json$/i;

/** Whether a .json file is worth parsing: cheap text check so package-lock.json and friends cost nothing. */
export function mayBePolicyJson(relPath: string, text: string): boolean {
  if (JSONC_NAMES.test(relPath)) return false;
  return /"Statement"|"statement"|AssumeRole|"ClientIDList"/.test(text);
}

export interface JsonLoadResult {
  root?: DocNode;
  errors: LoadError[];
}

/** Duplicate keys reported one by one per file; the rest are one finding (130,000 of them made as many findings). */
export const MAX_DUPLICATE_REPORTS = 100;

/** Parses JSON into a DocNode, turning syntax errors and duplicate keys into load errors. */
export function parseJsonFile(text: string, file: string): JsonLoadResult {
  const errors: LoadError[] = [];
  try {
    const { root, duplicateKeys } = parseJson(text, file);
    for (const d of duplicateKeys.slice(0, MAX_DUPLICATE_REPORTS))
      errors.push({ type: 'LoadError', kind: 'structure', loc: d.loc, message: `duplicate key "${d.key}": deploy tools and most JSON readers keep the last value, which is the one analysed; remove the duplicate` });
    const more = duplicateKeys.length - MAX_DUPLICATE_REPORTS;
    if (more > 0)
      errors.push({ type: 'LoadError', kind: 'structure', loc: duplicateKeys[MAX_DUPLICATE_REPORTS].loc, message: `${more.toLocaleString('en')} more duplicate keys from here on (the first ${MAX_DUPLICATE_REPORTS} are reported one by one)` });
    return { root, errors };
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      const p = { line: e.line, column: e.column };
      errors.push({ type: 'LoadError', kind: 'syntax', loc: { file, start: p, end: p }, message: `JSON: ${e.message}` });
      return { errors };
    }
    throw e;
  }
}

export function trustPolicyRoleFromJson(root: DocNode, file: string, errors: LoadError[]): Role | undefined {
  if (!looksLikeTrustPolicy(root)) return undefined;
  const role: Role = { type: 'Role', loc: root.loc, origin: { format: 'json', file } };
  const problems: PolicyProblem[] = [];
  role.trustPolicy = readTrustPolicy(root, role, problems);
  for (const p of problems) errors.push({ type: 'LoadError', kind: 'structure', loc: p.loc, message: p.message });
  return role;
}

/**
 * An OIDC provider as printed by `aws iam get-open-id-connect-provider`:
 * `{"Url": "token.actions.githubusercontent.com", "ClientIDList": [...], "ThumbprintList": [...]}`.
 */
export function oidcProviderFromJson(root: DocNode, file: string): OidcProvider | undefined {
  if (!isMap(root)) return undefined;
  const url = getEntryCI(root, 'Url')?.value;
  const clientIds = getEntryCI(root, 'ClientIDList');
  if (!isScalar(url) || !clientIds) return undefined;
  return {
    type: 'OidcProvider',
    loc: root.loc,
    origin: { format: 'json', file },
    url: scalarValue(url),
    clientIds: stringList(clientIds.value),
    thumbprints: stringList(getEntryCI(root, 'ThumbprintList')?.value),
  };
}
