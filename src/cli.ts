/**
 * argv → config → load → lint → report → exit code (0 clean, 1 error-level findings, 2 usage,
 * config or internal error — including a rule that crashed).
 */
import { parseArgs } from 'node:util';
import { promises as fs, existsSync } from 'node:fs';
import path from 'node:path';
import { loadProject } from './loaders/index.js';
import { lintProject } from './engine/linter.js';
import { ConfigError, parseRuleFlag, type LintConfig } from './engine/config.js';
import { rules } from './rules/index.js';
import { reporters } from './reporters/index.js';
import { VERSION } from './version.js';
import type { RuleModule } from './engine/rule.js';
import { AwsFatalError, addAwsToProject, awsModel, describeIncomplete, readAwsAccount, type AwsAccountData, type AwsModel, type AwsProgress } from './loaders/aws-iam.js';
import { SnapshotError, loadSnapshot, serializeSnapshot } from './loaders/aws-snapshot.js';

const HELP = `Usage: oidc-lint [options] [paths...]

Checks GitHub Actions workflows and AWS IAM trust policies for OIDC (keyless) access problems.
Paths default to the current directory; a path may be a directory or a single file.

Options:
  -f, --format <text|json|sarif>   output format (default: text)
  -o, --output-file <file>         write the report to a file instead of stdout
      --rule <id=off|warn|error>   set a rule's level (repeatable)
      --audience <aud>             expected token audience (repeatable; default sts.amazonaws.com)
      --max-file-size <MiB>        skip larger files with a finding (default 10)
      --color / --no-color         force colour on or off (default: on for a terminal, off with NO_COLOR)
      --sarif-category <id>        set SARIF automationDetails.id
  -v, --version                    print the version
  -h, --help                       print this help

Live AWS (read-only; the network is used only with --aws):
      --aws                        also lint the IAM roles of the AWS account that trust a GitHub
                                   OIDC provider, and its GitHub OIDC providers
      --aws-profile <name>         shared-config profile (default: the SDK's credential chain)
      --aws-region <region>        region, i.e. partition (default: configured one, else us-east-1)
      --aws-role-prefix <path>     only roles under this IAM path, e.g. /github/
      --aws-snapshot-out <file>    also save what was read as a JSON snapshot
      --aws-snapshot <file>        lint a saved snapshot offline instead of the account

Exit codes: 0 no error-level findings, 1 error-level findings, 2 usage, configuration or internal
error, or an incomplete AWS scan (a call was denied: see the warning on stderr).
Rules: see rules.md.`;

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  /** Whether stderr is a terminal (the AWS progress line is drawn only then). */
  stderrIsTTY: boolean;
  /** The rule set (tests inject extra rules; users get the registry). */
  rules: readonly RuleModule[];
}

export async function main(argv: string[], io: Partial<Io> = {}): Promise<number> {
  const out = io.stdout ?? ((s: string) => void process.stdout.write(s));
  const err = io.stderr ?? ((s: string) => void process.stderr.write(s));
  const cwd = io.cwd ?? process.cwd();
  const env = io.env ?? process.env;
  const ruleSet = io.rules ?? rules;
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f', default: 'text' },
        'output-file': { type: 'string', short: 'o' },
        rule: { type: 'string', multiple: true, default: [] },
        audience: { type: 'string', multiple: true, default: [] },
        'max-file-size': { type: 'string' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        'sarif-category': { type: 'string' },
        aws: { type: 'boolean' },
        'aws-profile': { type: 'string' },
        'aws-region': { type: 'string' },
        'aws-role-prefix': { type: 'string' },
        'aws-snapshot-out': { type: 'string' },
        'aws-snapshot': { type: 'string' },
        version: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    err(`oidc-lint: ${(e as Error).message}\nRun 'oidc-lint --help' for usage.\n`);
    return 2;
  }
  const o = args.values;
  if (o.help) {
    out(HELP + '\n');
    return 0;
  }
  if (o.version) {
    out(VERSION + '\n');
    return 0;
  }
  const reporter = reporters[o.format!];
  if (!reporter) {
    err(`oidc-lint: unknown format '${o.format}' (expected ${Object.keys(reporters).join(', ')})\n`);
    return 2;
  }
  let maxFileBytes: number | undefined;
  if (o['max-file-size'] !== undefined) {
    const n = Number(o['max-file-size']);
    if (!Number.isFinite(n) || n <= 0) {
      err(`oidc-lint: --max-file-size expects a positive number of MiB, got '${o['max-file-size']}'\n`);
      return 2;
    }
    maxFileBytes = Math.round(n * 1024 * 1024);
  }
  const config: LintConfig = { rules: {}, settings: {} };
  try {
    for (const flag of o.rule!) {
      const [id, level] = parseRuleFlag(flag);
      config.rules[id] = level;
    }
  } catch (e) {
    err(`oidc-lint: ${(e as Error).message}\n`);
    return 2;
  }
  if (o.audience!.length) config.settings.expectedAudiences = o.audience!;

  const paths = args.positionals.length ? args.positionals.map((p) => path.resolve(cwd, p)) : [cwd];
  for (const p of paths) {
    if (!existsSync(p)) {
      err(`oidc-lint: no such file or directory: ${path.relative(cwd, p) || p}\n`);
      return 2;
    }
  }
  const awsOnly = (['aws-profile', 'aws-region', 'aws-role-prefix', 'aws-snapshot-out'] as const).filter((k) => o[k] !== undefined);
  if (!o.aws && awsOnly.length) {
    err(`oidc-lint: --${awsOnly[0]} needs --aws\n`);
    return 2;
  }
  if (o.aws && o['aws-snapshot'] !== undefined) {
    err(`oidc-lint: --aws reads the account and --aws-snapshot replays a saved one; use one of them\n`);
    return 2;
  }
  let rolePathPrefix: string | undefined;
  if (o['aws-role-prefix'] !== undefined) {
    // IAM path prefixes begin and end with a slash (`/`, `/github/`); add the missing ones.
    rolePathPrefix = `/${o['aws-role-prefix']}/`.replace(/\/{2,}/g, '/');
    if (!/^\/([\x21-\x7e]+\/)?$/.test(rolePathPrefix)) {
      err(`oidc-lint: --aws-role-prefix expects an IAM path such as /github/, got '${o['aws-role-prefix']}'\n`);
      return 2;
    }
  }

  const root = await scanRoot(paths, cwd);
  let aws: { data: AwsAccountData; model: AwsModel } | undefined;
  if (o.aws) {
    const progress = (io.stderrIsTTY ?? process.stderr.isTTY === true) ? progressLine(err) : undefined;
    let data: AwsAccountData;
    try {
      progress?.update({ phase: 'roles', done: 0, kept: 0 });
      data = await readAwsAccount({ profile: o['aws-profile'], region: o['aws-region'], rolePathPrefix, onProgress: progress?.update });
    } catch (e) {
      if (e instanceof AwsFatalError) {
        progress?.clear();
        err(`oidc-lint: ${e.message}\n`);
        return 2;
      }
      throw e;
    } finally {
      progress?.clear();
    }
    if (o['aws-snapshot-out'] !== undefined) {
      try {
        await fs.writeFile(path.resolve(cwd, o['aws-snapshot-out']), serializeSnapshot(data));
      } catch (e) {
        err(`oidc-lint: cannot write the AWS snapshot to ${o['aws-snapshot-out']}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
        return 2;
      }
    }
    aws = { data, model: awsModel(data) };
  } else if (o['aws-snapshot'] !== undefined) {
    const abs = path.resolve(cwd, o['aws-snapshot']);
    let text: string;
    try {
      text = await fs.readFile(abs, 'utf8');
    } catch (e) {
      err(`oidc-lint: cannot read the AWS snapshot ${o['aws-snapshot']}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return 2;
    }
    try {
      aws = loadSnapshot(text, path.relative(root, abs).split(path.sep).join('/'), abs);
    } catch (e) {
      if (e instanceof SnapshotError) {
        err(`oidc-lint: invalid AWS snapshot: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
  }

  const project = await loadProject(paths, { root, maxFileBytes });
  if (aws) addAwsToProject(project, aws.model);
  let result;
  try {
    result = lintProject(project, ruleSet, config);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`oidc-lint: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const color = o['no-color'] ? false : o.color ? true : (io.isTTY ?? (!o['output-file'] && process.stdout.isTTY === true)) && !env.NO_COLOR && o.format === 'text';
  const text = reporter({
    findings: result.findings,
    crashes: result.crashes,
    project,
    rules: ruleSet,
    options: { color, cwd, repoRoot: findRepoRoot(project.root), sarifCategory: o['sarif-category'] },
  });
  if (o['output-file']) await fs.writeFile(path.resolve(cwd, o['output-file']), text);
  else out(text);
  for (const c of result.crashes) err(`oidc-lint: rule ${c.ruleId} crashed: ${c.message}\n`);
  // A denied call means part of the account was not checked: say which permission is missing, and
  // never exit 0 (nor 1, which means "problems found") on a partial scan.
  for (const inc of aws?.data.incomplete ?? []) err(`oidc-lint: warning: incomplete AWS scan: ${describeIncomplete(inc)}\n`);
  if (result.crashes.length || aws?.data.incomplete.length) return 2;
  return result.findings.some((f) => !f.suppressed && f.level === 'error') ? 1 : 0;
}

/** A one-line progress indicator on stderr, redrawn in place (only used on a terminal). */
function progressLine(write: (s: string) => void): { update: (p: AwsProgress) => void; clear: () => void } {
  let shown = false;
  return {
    update(p) {
      shown = true;
      const text =
        p.phase === 'roles'
          ? `oidc-lint: reading IAM roles… ${p.done} listed, ${p.kept} trust GitHub`
          : `oidc-lint: reading OIDC providers… ${p.done}/${p.total ?? '?'}`;
      write(`\r\u001b[2K${text}`);
    },
    clear() {
      if (shown) write('\r\u001b[2K');
      shown = false;
    },
  };
}

/** The scan root: the single directory given, else the common ancestor of the paths (report paths are relative to it). */
async function scanRoot(paths: string[], cwd: string): Promise<string> {
  if (paths.length === 1) {
    const st = await fs.stat(paths[0]);
    if (st.isDirectory()) return paths[0];
  }
  const dirs = await Promise.all(paths.map(async (p) => ((await fs.stat(p)).isDirectory() ? p : path.dirname(p))));
  let common = dirs[0];
  for (const d of dirs.slice(1)) while (!(d + path.sep).startsWith(common + path.sep) && common !== path.dirname(common)) common = path.dirname(common);
  // Prefer the cwd when everything is below it, so paths read naturally.
  return (common + path.sep).startsWith(cwd + path.sep) ? cwd : common;
}

/** Git toplevel above `dir` (SARIF URIs must be repository-relative), else `dir` itself. */
export function findRepoRoot(dir: string): string {
  let cur = path.resolve(dir);
  for (;;) {
    if (existsSync(path.join(cur, '.git'))) return cur;
    const up = path.dirname(cur);
    if (up === cur) return path.resolve(dir);
    cur = up;
  }
}
