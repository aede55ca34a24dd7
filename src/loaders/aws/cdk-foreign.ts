/**
 * AWS CDK apps written in languages oidc-lint does not parse (Java, Go, C#; TypeScript and Python
 * are read by cdk.ts and cdk-python.ts). Their IAM roles
 * are not checked; rather than passing silently, the files that define roles are counted so the run
 * can say so once and point at the way to check them (`cdk synth`, then lint `cdk.out`).
 *
 * Only files below a directory holding `cdk.json` (every CDK app has one) are looked at, so a large
 * Java or Go repository without CDK costs nothing; build output and vendored code are skipped. Files
 * are read, never run.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';

export interface ForeignCdkLanguage {
  language: string;
  extension: RegExp;
  /** The CDK IAM module is imported. */
  iamImport: RegExp;
}

export const FOREIGN_CDK: readonly ForeignCdkLanguage[] = [
  { language: 'Java', extension: /\.java$/i, iamImport: /\bsoftware\.amazon\.awscdk\.services\.iam\b/ },
  { language: 'Go', extension: /\.go$/i, iamImport: /aws-cdk-go\/awscdk(?:\/v2)?\/awsiam\b/ },
  { language: 'C#', extension: /\.cs$/i, iamImport: /\bAmazon\.CDK\.AWS\.IAM\b/ },
];

/** A role, a principal that trusts an identity provider, or an OIDC provider being defined. */
const DEFINES_ROLE = /\b(?:Cfn)?Role\s*\(|\bRole\.Builder\b|\bNew(?:Cfn)?Role\(|\b(?:New)?(?:WebIdentity|Federated|OpenIdConnect)Principal\b|\b(?:New)?(?:OpenIdConnectProvider|CfnOIDCProvider)\b/;

/** Directories that hold installed, generated or vendored code, not the app's own. */
const NOT_THE_APP = /(^|\/)(?:cdk\.out|\.venv|venv|env|site-packages|__pycache__|\.tox|target|build|bin|obj|vendor|node_modules)\//;

/** Largest file read; CDK stacks are small. */
const MAX_BYTES = 1 << 20;

/**
 * The files (relative paths, in the given order) of CDK apps in other languages that define IAM
 * roles, per language. `files` are all the files of the scan (relative to the scan root), `absOf`
 * gives a file's absolute path; apps whose `cdk.out` was loaded (`synthesised`) are left out.
 */
export function foreignCdkFiles(files: readonly { relPath: string; absPath: string }[], synthesised: (appDir: string) => boolean): { language: string; files: string[] }[] {
  const apps = files.filter((f) => path.posix.basename(f.relPath) === 'cdk.json' && !NOT_THE_APP.test(f.relPath)).map((f) => path.posix.dirname(f.relPath));
  if (!apps.length) return [];
  const appOf = (rel: string) => apps.find((d) => d === '.' || rel.startsWith(d + '/'));
  const found = new Map<string, string[]>();
  for (const f of files) {
    const lang = FOREIGN_CDK.find((l) => l.extension.test(f.relPath));
    if (!lang) continue;
    const app = appOf(f.relPath);
    if (app === undefined || NOT_THE_APP.test(app === '.' ? f.relPath : f.relPath.slice(app.length + 1)) || synthesised(app)) continue;
    const text = readSmall(f.absPath);
    if (text === undefined || !lang.iamImport.test(text) || !DEFINES_ROLE.test(text)) continue;
    const list = found.get(lang.language);
    if (list) list.push(f.relPath);
    else found.set(lang.language, [f.relPath]);
  }
  return FOREIGN_CDK.flatMap((l) => (found.has(l.language) ? [{ language: l.language, files: found.get(l.language)! }] : []));
}

function readSmall(absPath: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(absPath, 'r');
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_BYTES) return undefined;
    const buf = Buffer.allocUnsafe(st.size);
    let total = 0;
    for (let n; total < st.size && (n = readSync(fd, buf, total, st.size - total, null)) > 0; ) total += n;
    return buf.toString('utf8', 0, total);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
