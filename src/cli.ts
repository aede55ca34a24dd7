/**
 * argv → config → load → lint → report → exit code (0 clean, 1 error-level findings, 2 usage,
 * config or internal error — including a rule that crashed).
 */
import { parseArgs } from 'node:util';
import { appendFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { homedir } from 'node:os';
import { loadProject } from './loaders/index.js';
import { analyzeEarly, lintProject, type LintResult } from './engine/linter.js';
import { closest, ConfigError, effectiveRuleSettings, parseRuleFlag, type LintConfig, type RuleSetting } from './engine/config.js';
import { ConfigFileError, findConfigFile, loadConfigFile, type LoadedConfig } from './engine/config-file.js';
import { applyBaseline, BaselineError, createBaseline, parseBaseline, serializeBaseline, type Baseline } from './engine/baseline.js';
import { rules } from './rules/index.js';
import { reporters } from './reporters/index.js';
import { coalesce } from './reporters/json-stream.js';
import { githubStepSummary } from './reporters/github.js';
import { VERSION } from './version.js';
import { explainRole, findAzureIdentities, findRoles, renderExplanation } from './explain.js';
import { redactSecrets } from './model/secrets.js';
import { DEFAULT_AUDIENCES } from './model/claims.js';
import type { RuleModule } from './engine/rule.js';
import { AWS_HELP, AWS_OPTIONS, awsIncompleteWarnings, loadAwsSource, type AwsFlags } from './cli-aws.js';
import { addAwsToProject } from './loaders/aws/aws-iam.js';
import { rootOutsideDotGithub } from './loaders/shared/scan-root.js';
import type { Project } from './model/project.js';
import { fixProject, unifiedDiff, writeChanges, type FileChange } from './engine/fixes.js';
import { displayPath } from './reporters/paths.js';
import { jsonText, neutraliseCommands, printable } from './model/printable.js';
import { FileAccessError, MAX_BASELINE_BYTES, readTextFile, writeFileAtomic } from './files.js';
import { createProgress, type Progress } from './progress.js';

const HELP = `Usage: oidc-lint [options] [paths...]
       oidc-lint explain <role ARN | role name | file:line> [options] [paths...]

Checks GitHub Actions workflows and AWS IAM trust policies for OIDC (keyless) access problems.
Paths default to the current directory; a path may be a directory or a single file.

Options:
  -f, --format <text|json|sarif|github>
                                   output format (default: text); github = workflow-command
                                   annotations, plus a job summary when GITHUB_STEP_SUMMARY is set
  -o, --output-file <file>         write the report to a file instead of stdout
      --rule <id=off|warn|error>   set a rule's level (repeatable; overrides the config file)
  -c, --config <file>              use this config file (default: oidc-lint.config.yaml|yml|json or
                                   .github/oidc-lint.yaml, nearest from the scanned paths up to the git root)
      --no-config                  use no config file
      --print-config               print the effective configuration as JSON and exit
      --baseline <file>            report only findings that are not in this baseline
      --write-baseline <file>      record every current finding in a baseline file (they are then accepted)
      --audience <aud>             expected token audience (repeatable; default sts.amazonaws.com)
      --max-file-size <MiB>        skip larger files with a finding (default 10)
      --threads <n>                threads loading files: 1 = this one only (default: 2 on two or more cores)
  -q, --quiet                      report errors only (warnings still count for --max-warnings);
                                   also hides the progress line
      --no-progress                no progress line (drawn on stderr when it is a terminal and the
                                   run takes more than two seconds: phase and files read / total)
      --max-warnings <n>           exit 1 when there are more than n warnings
      --color / --no-color         force colour on or off (default: on for a terminal, off with NO_COLOR)
      --sarif-category <id>        set SARIF automationDetails.id
      --fix                        apply the automatic fixes to workflow files, then report what remains
      --fix-dry-run                print the changes --fix would make as a unified diff; write nothing
  -v, --version                    print the version
  -h, --help                       print this help

${AWS_HELP}
Exit codes: 0 no error-level findings, 1 error-level findings (or more warnings than --max-warnings),
2 usage, configuration or internal error, or an incomplete AWS scan (a call was denied: see the
warning on stderr).
Rules: see rules.md.`;

const EXPLAIN_HELP = `Usage: oidc-lint explain <role ARN | role name | file:line> [options] [paths...]

Shows who can assume one IAM role (what its trust policy admits, in words), which jobs of the
scanned workflows assume it and whether their tokens are admitted, and the tightest subject list
that would still admit them. Paths default to the current directory.

Options:
  -f, --format <text|json>         output format (default: text)
  -o, --output-file <file>         write the explanation to a file instead of stdout
  -c, --config <file>              use this config file (repository identity, role mappings)
      --no-config                  use no config file
      --max-file-size <MiB>        skip larger files (default 10)
      --threads <n>                threads loading files
      --no-progress                no progress line on a terminal (see oidc-lint --help)
      --no-color                   accepted (explain prints no colour)
      --aws, --aws-profile, --aws-region, --aws-role-prefix, --aws-snapshot-out, --aws-snapshot
                                   look the role up in the AWS account or a snapshot (see oidc-lint --help)
  -h, --help                       print this help`;

/** The command line's options (`parseArgs` descriptors). */
const OPTIONS = {
  format: { type: 'string', short: 'f', default: 'text' },
  'output-file': { type: 'string', short: 'o' },
  rule: { type: 'string', multiple: true, default: [] as string[] },
  config: { type: 'string', short: 'c' },
  'no-config': { type: 'boolean' },
  'print-config': { type: 'boolean' },
  baseline: { type: 'string' },
  'write-baseline': { type: 'string' },
  audience: { type: 'string', multiple: true, default: [] as string[] },
  'max-file-size': { type: 'string' },
  threads: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  'no-progress': { type: 'boolean' },
  'max-warnings': { type: 'string' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  'sarif-category': { type: 'string' },
  ...AWS_OPTIONS,
  fix: { type: 'boolean' },
  'fix-dry-run': { type: 'boolean' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Options that only lint runs use: `explain` refuses them rather than ignore them silently. */
const EXPLAIN_IGNORES = ['rule', 'print-config', 'baseline', 'write-baseline', 'audience', 'quiet', 'max-warnings', 'color', 'sarif-category', 'fix', 'fix-dry-run'] as const;

/** Our own words for what `parseArgs` refuses (its messages quote Node's conventions, with an unbalanced quote). */
function argumentError(e: NodeJS.ErrnoException): string {
  const named = /'(-[^']*)'/.exec(e.message)?.[1];
  const longNames = Object.keys(OPTIONS);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && named) {
    const flag = named.split('=')[0];
    const guess = flag.startsWith('--') ? closest(flag.slice(2), longNames) : undefined;
    return `unknown option '${flag}'${guess ? ` (did you mean --${guess}?)` : `; a path that starts with '-' goes after '--' (oidc-lint -- ${flag})`}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const long = /--([a-z-]+)/.exec(e.message)?.[1];
    if (long && Object.hasOwn(OPTIONS, long)) {
      const d = OPTIONS[long as keyof typeof OPTIONS];
      return d.type === 'string' ? `option --${long} needs a value` : `option --${long} takes no value`;
    }
  }
  return e.message.replace(/\s+/g, ' ').trim();
}

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  /** Whether stderr is a terminal (the progress lines are drawn only then). */
  stderrIsTTY: boolean;
  /** The rule set (tests inject extra rules; users get the registry). */
  rules: readonly RuleModule[];
}

// The loader pool's worker thread runs this bundle too (bin/load-worker.js).
export { poolWorkerMain } from './loaders/shared/pool-worker.js';

export async function main(argv: string[], io: Partial<Io> = {}): Promise<number> {
  const drawn: { progress?: Progress } = {};
  try {
    return await run(argv, io, drawn);
  } finally {
    // Also when the run fails: the internal error is printed on a clean line.
    drawn.progress?.clear();
  }
}

async function run(argv: string[], io: Partial<Io>, drawn: { progress?: Progress }): Promise<number> {
  // The progress line of a long run is erased before anything else is written (progress.ts).
  let progress: Progress | undefined;
  // Everything printed or written goes through secret redaction, whatever produced it (a message, a
  // file name, a suppression reason, an AWS error): a key never leaves the process (model/secrets.ts).
  const stdout = io.stdout ?? standardStream('stdout');
  const stderr = io.stderr ?? standardStream('stderr');
  const out = (s: string) => {
    progress?.clear();
    stdout(redactSecrets(s));
  };
  const rawErr = (s: string) => {
    progress?.clear();
    stderr(s);
  };
  // Messages quote paths, config keys and values from the user's files: control characters in them
  // are shown as escapes (reporters/printable.ts), as in the reports, and nothing in them can read as
  // a runner command in a CI log.
  const err = (s: string) => rawErr(neutraliseCommands(redactSecrets(s.split('\n').map(printable).join('\n'))));
  const cwd = io.cwd ?? process.cwd();
  const env = io.env ?? process.env;
  const ruleSet = io.rules ?? rules;
  // OIDC_LINT_DEBUG=timing: where a run's time went, on stderr at the end.
  const timing = /\btiming\b/.test(env.OIDC_LINT_DEBUG ?? '') ? phaseTimer() : undefined;
  // `explain <target>`: who can assume one role, and which jobs here use it.
  let explainTarget: string | undefined;
  if (argv[0] === 'explain') {
    if (argv.slice(1).some((a) => a === '-h' || a === '--help')) {
      out(EXPLAIN_HELP + '\n');
      return 0;
    }
    explainTarget = argv[1];
    if (!explainTarget || explainTarget.startsWith('-')) {
      err(`oidc-lint: explain expects a role ARN, a role name or file:line first${explainTarget ? `, got '${explainTarget}'` : ''}\nRun 'oidc-lint explain --help' for usage.\n`);
      return 2;
    }
    argv = argv.slice(2);
  }
  // `-format json` would read as `-f ormat`: a long option's name after a single dash is refused.
  const oneDash = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length).find((a) => /^-[a-z][a-z-]+(=|$)/.test(a) && Object.hasOwn(OPTIONS, a.slice(1).split('=')[0]));
  if (oneDash) {
    const name = oneDash.slice(1).split('=')[0];
    err(`oidc-lint: unknown option '-${name}' (did you mean --${name}?)\nRun 'oidc-lint${explainTarget !== undefined ? ' explain' : ''} --help' for usage.\n`);
    return 2;
  }
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: OPTIONS,
    });
  } catch (e) {
    err(`oidc-lint: ${argumentError(e as NodeJS.ErrnoException)}\nRun 'oidc-lint${explainTarget !== undefined ? ' explain' : ''} --help' for usage.\n`);
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
  if (explainTarget !== undefined) {
    const ignored = EXPLAIN_IGNORES.filter((k) => o[k] !== undefined && !(Array.isArray(o[k]) && !o[k].length));
    if (ignored.length) {
      err(`oidc-lint: explain does not use ${ignored.map((k) => `--${k}`).join(', ')}\nRun 'oidc-lint explain --help' for usage.\n`);
      return 2;
    }
  }
  const reporter = Object.hasOwn(reporters, o.format!) ? reporters[o.format!] : undefined;
  if (explainTarget !== undefined && o.format !== 'text' && o.format !== 'json') {
    err(`oidc-lint: explain prints text or json, not '${o.format}'\n`);
    return 2;
  }
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
  let threads: number | undefined;
  if (o.threads !== undefined) {
    if (!/^[1-9]\d*$/.test(o.threads)) {
      err(`oidc-lint: --threads expects a whole number >= 1, got '${o.threads}'\n`);
      return 2;
    }
    threads = Number(o.threads);
  }
  let maxWarnings: number | undefined;
  if (o['max-warnings'] !== undefined) {
    if (!/^\d+$/.test(o['max-warnings'])) {
      err(`oidc-lint: --max-warnings expects a whole number >= 0, got '${o['max-warnings']}'\n`);
      return 2;
    }
    maxWarnings = Number(o['max-warnings']);
  }
  const flagRules: Record<string, RuleSetting> = {};
  try {
    for (const flag of o.rule!) {
      const [id, level] = parseRuleFlag(flag);
      flagRules[id] = level;
    }
  } catch (e) {
    err(`oidc-lint: ${(e as Error).message}\n`);
    return 2;
  }

  const paths = args.positionals.length ? args.positionals.map((p) => path.resolve(cwd, p)) : [cwd];
  for (const p of paths) {
    if (!existsSync(p)) {
      err(`oidc-lint: no such file or directory: ${path.relative(cwd, p) || p}\n`);
      return 2;
    }
  }

  const root = await scanRoot(paths, cwd);
  // The repository: files the CLI reads or writes inside it are never reached through a symlink that leaves it (files.ts).
  const region = repositoryRoot(root, env);
  // Config file (found from the scanned paths, or --config), flags on top; a baseline to read.
  const setup = await configure(o, paths, flagRules, cwd, root, region, env, ruleSet, err);
  if (typeof setup === 'number') return setup;
  const { config, loaded } = setup;
  if (o['print-config']) {
    let ruleSettings;
    try {
      ruleSettings = effectiveRuleSettings(ruleSet, config);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      err(`oidc-lint: ${e.message}\n`);
      return 2;
    }
    // stdout is a config file as is (`oidc-lint --print-config > oidc-lint.config.json`); where it came from goes to stderr.
    err(`oidc-lint: effective configuration from ${loaded ? shown(cwd, loaded.file) : 'no config file'}${Object.keys(flagRules).length || o.audience?.length ? ' and the command line' : ''}\n`);
    out(jsonText(JSON.stringify(printableConfig(loaded, config, ruleSettings), null, 2)) + '\n');
    return 0;
  }
  let baseline = o['write-baseline'] === undefined && o.baseline !== undefined ? readBaseline(o.baseline, cwd, region, err) : undefined;
  if (baseline === null) return 2;
  // Live AWS or a saved snapshot (only with --aws / --aws-snapshot): an exit code when it failed.
  const aws = await loadAwsSource(o as AwsFlags, { root, region, cwd, stderr: err, progressOut: rawErr, stderrIsTTY: () => io.stderrIsTTY ?? process.stderr.isTTY === true });
  if (typeof aws === 'number') return aws;
  const repository = config.settings.repository;
  timing?.lap('options and config');
  // On a terminal, after two seconds: the phase and the files read (OIDC_LINT_DEBUG=progress: from the start).
  if (!o.quiet && !o['no-progress'])
    drawn.progress = progress = createProgress({
      write: stderr,
      isTTY: () => (io.stderrIsTTY ?? process.stderr.isTTY === true) && env.TERM !== 'dumb',
      ...(/\bprogress\b/.test(env.OIDC_LINT_DEBUG ?? '') ? { afterMs: 0 } : {}),
    });
  let analysisMs = 0;
  let project = await loadProject(paths, {
    root,
    maxFileBytes,
    threads,
    onProgress: progress?.update,
    // OIDC_LINT_DEBUG=pool: how the files were shared with the worker thread.
    onPool: /\bpool\b/.test(env.OIDC_LINT_DEBUG ?? '')
      ? (p) =>
          err(
            p.started
              ? `oidc-lint: debug: the worker thread loaded ${p.byWorker} of ${p.files} CDK and Terraform files\n`
              : `oidc-lint: debug: one thread loaded every file: ${p.files} CDK and Terraform files for a second one (Terraform, and .ts files that mention CDK IAM), ${p.others} others\n`,
          )
      : undefined,
    ...(loaded?.ignore.length ? { ignore: loaded.ignore, ignoreBase: loaded.base } : {}),
    identity: repository ? { ...repository, source: 'config' } : undefined,
    roleMappings: config.settings.roles,
    // The trust-policy analysis starts while files are still loading (the worker thread's time).
    onLoaded:
      explainTarget === undefined
        ? (loaded) => {
            const t0 = timing ? performance.now() : 0;
            analyzeEarly(loaded);
            if (timing) analysisMs += performance.now() - t0;
          }
        : undefined,
  });
  timing?.lap('loading files', analysisMs);
  if (timing) timing.add('trust-policy analysis (while loading)', analysisMs);
  if (aws) addAwsToProject(project, aws.model);
  const empty = emptyNamedPaths(args.positionals, cwd, project);
  if (empty.length) {
    for (const p of empty) err(`oidc-lint: no files to check in ${shown(cwd, p)}: it holds no ${WHAT_IT_READS} (ignored and .gitignore'd paths are skipped)\n`);
    return 2;
  }
  scopeNotes(project, aws !== undefined, args.positionals.length ? args.positionals.join(' ') : '.', err);
  if (explainTarget !== undefined) {
    let explained = '';
    const code = explain(project, explainTarget, cwd, o.format === 'json', o['output-file'] ? (s) => (explained += s) : out, err);
    if (code === 0 && o['output-file'] !== undefined) {
      try {
        writeFileAtomic(path.resolve(cwd, o['output-file']), explained, { region });
      } catch (e) {
        if (!(e instanceof FileAccessError)) throw e;
        err(`oidc-lint: cannot write ${o['output-file']}: ${e.message}\n`);
        return 2;
      }
    }
    return code;
  }
  const baselineWhere = (root: string) => ({ projectRoot: root, baselineDir: path.dirname(path.resolve(cwd, (o['write-baseline'] ?? o.baseline)!)) });
  const given = baseline;
  // Baselined findings count as accepted, so --fix leaves them alone too.
  const lint = (p: Project) => {
    const r = lintProject(p, ruleSet, config);
    if (given) applyBaseline(r.findings, given, baselineWhere(p.root));
    return r;
  };
  let result;
  let changes: FileChange[] = [];
  // --fix-dry-run reports the files as they are (their line numbers) and what would remain apart.
  let remaining: LintResult | undefined;
  try {
    progress?.update('analysing', project.sources.length);
    if (o.fix) ({ project, result, changes } = await fixProject(project, lint));
    else if (o['fix-dry-run']) ({ result: remaining, initial: result, changes } = await fixProject(project, lint));
    else result = lint(project);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`oidc-lint: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (o['write-baseline'] !== undefined) {
    const written = writeBaseline(o['write-baseline'], cwd, project.root, region, result, err);
    if (written === null) return 2;
    baseline = written;
    if (baseline) applyBaseline(result.findings, baseline, baselineWhere(project.root));
  }
  const color = o['no-color'] ? false : o.color ? true : (io.isTTY ?? (!o['output-file'] && process.stdout.isTTY === true)) && !env.NO_COLOR && o.format === 'text';
  // --quiet hides warnings from every format; they still count for --max-warnings (as in eslint).
  const warnings = result.findings.filter((f) => !f.suppressed && f.level === 'warn').length;
  const findings = o.quiet ? result.findings.filter((f) => f.level === 'error') : result.findings;
  const stepSummary = o.format === 'github' && env.GITHUB_STEP_SUMMARY ? env.GITHUB_STEP_SUMMARY : undefined;
  const input = {
    findings,
    crashes: result.crashes,
    project,
    rules: ruleSet,
    options: {
      color,
      cwd,
      repoRoot: repositoryRoot(project.root, env),
      sarifCategory: o['sarif-category'],
      githubStepSummary: stepSummary !== undefined,
      ...(o.quiet ? { hiddenWarnings: warnings } : {}),
      ...(maxWarnings !== undefined ? { maxWarnings } : {}),
    },
  };
  timing?.lap('rules');
  progress?.update('reporting', project.sources.length);
  // JSON and SARIF are written as they are made (a large repository's report is never one string);
  // the others are small enough to build whole.
  // Each piece is redacted before pieces are joined into writes: a piece is a whole value or a bit of
  // the report's own structure, so no key spans two of them (the report as one string is redacted whole).
  const report: string | Iterable<string> = reporter.chunks ? coalesce(mapPieces(reporter.chunks(input), redactSecrets)) : redactSecrets(reporter(input));
  if (o['fix-dry-run']) {
    // The diff goes to stdout unless a machine-readable report does.
    // The diff quotes the files' lines: keys in them are redacted as in every report (the change itself never touches one).
    // File names and lines are shown as every report shows them: control characters escaped, no runner command.
    const diff = neutraliseCommands(redactSecrets(changes.map((c) => unifiedDiff(displayPath(project.root, c.file, cwd), c.before, c.after)).join('')).split('\n').map(printable).join('\n'));
    if (o['output-file'] || o.format === 'text') out(diff + (diff && !o['output-file'] ? '\n' : ''));
    else rawErr(diff); // already redacted and escaped
  } else if (changes.length) {
    const { written, skipped, failed } = await writeChanges(changes, { region });
    for (const { change, reason } of failed) err(`oidc-lint: ${displayPath(project.root, change.file, cwd)}: not fixed: ${reason}\n`);
    const n = written.reduce((s, c) => s + c.fixes, 0);
    if (written.length) err(`oidc-lint: fixed ${n} problem${n === 1 ? '' : 's'} in ${written.length} file${written.length === 1 ? '' : 's'}: ${written.map((c) => displayPath(project.root, c.file, cwd)).join(', ')}\n`);
    for (const c of skipped) err(`oidc-lint: ${displayPath(project.root, c.file, cwd)} changed while it was being linted; not fixed\n`);
  }
  // Synchronous file calls on the common path: `fs.promises` is a module of its own to load (~2 ms of a cold start).
  if (o['output-file']) {
    try {
      writeFileAtomic(path.resolve(cwd, o['output-file']), report, { region });
    } catch (e) {
      if (!(e instanceof FileAccessError)) throw e;
      err(`oidc-lint: cannot write ${o['output-file']}: ${e.message}\n`);
      return 2;
    }
  } else {
    // Already redacted (above); the progress line is erased first, as `out` does.
    progress?.clear();
    if (typeof report === 'string') stdout(report);
    else
      for (const chunk of report) {
        progress?.clear();
        stdout(chunk);
        // A pipe that reads slower than the report is made: wait, rather than queue the whole report in memory.
        if (!io.stdout) await stdoutDrained();
      }
  }
  if (remaining) {
    // After the report of the files as they are: what --fix would change, and what would be left.
    const note = afterFixNote(changes, remaining, project.root, cwd);
    if (o.format === 'text' && !o['output-file']) out(neutraliseCommands(note) + '\n');
    else err(`oidc-lint: ${note}\n`);
  }
  if (stepSummary) {
    try {
      appendFileSync(path.resolve(cwd, stepSummary), redactSecrets(githubStepSummary(input, env)) + '\n');
    } catch (e) {
      err(`oidc-lint: cannot write the job summary to ${stepSummary}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return 2;
    }
  }
  timing?.lap('report');
  progress?.clear();
  if (timing) err(timing.text(project.sources.length));
  for (const c of result.crashes) err(`oidc-lint: rule ${c.ruleId} crashed: ${c.message}\n`);
  // A denied AWS call means part of the account was not checked: never exit 0 (nor 1, "problems found").
  const incomplete = awsIncompleteWarnings(aws);
  for (const w of incomplete) err(w);
  if (result.crashes.length || incomplete.length) return 2;
  if (result.findings.some((f) => !f.suppressed && f.level === 'error')) return 1;
  if (maxWarnings !== undefined && warnings > maxWarnings) {
    err(`oidc-lint: too many warnings (${warnings}; --max-warnings is ${maxWarnings})\n`);
    return 1;
  }
  return 0;
}

/** `--fix-dry-run`'s closing line: what --fix would do, and the problems that would remain after it. */
function afterFixNote(changes: FileChange[], remaining: LintResult, root: string, cwd: string): string {
  const left = remaining.findings.filter((f) => !f.suppressed);
  const errors = left.filter((f) => f.level === 'error').length;
  const n = changes.reduce((s, c) => s + c.fixes, 0);
  const s = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  const fixes = changes.length ? `--fix would fix ${s(n, 'problem')} in ${s(changes.length, 'file')} (${changes.map((c) => printable(displayPath(root, c.file, cwd))).join(', ')})` : '--fix would change nothing';
  return `${fixes}; after it, ${left.length ? `${s(left.length, 'problem')} would remain (${s(errors, 'error')}, ${s(left.length - errors, 'warning')})` : 'no problem would remain'}`;
}

/** Phase times for OIDC_LINT_DEBUG=timing; the first line is Node.js's own start-up plus loading the CLI. */
function phaseTimer() {
  const phases: [string, number][] = [['start-up (Node.js and the CLI code, before main)', performance.now()]];
  let last = performance.now();
  return {
    /** Ends a phase; `excluding` ms of it are reported as a phase of their own. */
    lap(name: string, excluding = 0) {
      const now = performance.now();
      phases.push([name, now - last - excluding]);
      last = now;
    },
    add(name: string, ms: number) {
      phases.push([name, ms]);
    },
    text(files: number): string {
      const rows = phases.map(([name, ms]) => `oidc-lint: debug: timing: ${ms.toFixed(1).padStart(7)} ms  ${name}\n`);
      return `${rows.join('')}oidc-lint: debug: timing: ${performance.now().toFixed(1).padStart(7)} ms  in all since the process started (${files} files)\n`;
    },
  };
}

/** Each piece of a report through `f` (redaction), before pieces are joined into writes. */
function* mapPieces(pieces: Iterable<string>, f: (s: string) => string): Generator<string> {
  for (const p of pieces) yield f(p);
}

/** Resolves when process.stdout can take more (at once when it has room; also when it failed or closed). */
function stdoutDrained(): Promise<void> | undefined {
  const stream = process.stdout;
  if (!stream.writableNeedDrain || stream.destroyed) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}

/**
 * A writer to stdout or stderr that creates the stream on first use: a run that writes nothing there
 * (`-o report.sarif`) does not load Node's stream modules (a few ms of a cold start). `oidc-lint … |
 * head`: when the reader goes away, what it did not read is dropped without a stack trace and the run
 * still ends with its own exit code.
 */
function standardStream(name: 'stdout' | 'stderr'): (s: string) => void {
  let stream: NodeJS.WriteStream | undefined;
  return (s) => {
    if (!stream) {
      stream = process[name];
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (e?.code !== 'EPIPE') throw e;
      });
    }
    stream.write(s);
  };
}

/** The scan root: the single directory given, else the common ancestor of the paths (report paths are relative to it). */
async function scanRoot(paths: string[], cwd: string): Promise<string> {
  if (paths.length === 1) {
    const st = statSync(paths[0]);
    if (st.isDirectory()) return rootOutsideDotGithub(paths[0]);
  }
  const common = await commonDirectory(paths);
  // Prefer the cwd when everything is below it, so paths read naturally.
  return rootOutsideDotGithub((common + path.sep).startsWith(cwd + path.sep) ? cwd : common);
}

/** What oidc-lint reads, for messages about paths that hold none of it. */
const WHAT_IT_READS = 'GitHub Actions workflows (.github/workflows/*.yml), IAM trust policies (JSON), CloudFormation/SAM templates, Terraform or AWS CDK in TypeScript or Python';

/**
 * The paths named on the command line (other than `.`) under which nothing was read: no source and
 * no load error (eslint's "no files matching"). `.` on a repository with nothing to check is not an
 * error: the run says so and passes.
 */
function emptyNamedPaths(positionals: string[], cwd: string, project: Project): string[] {
  const read = [...project.sources.map((s) => s.absPath), ...project.loadErrors.flatMap((e) => (e.loc.file ? [path.resolve(project.root, e.loc.file)] : []))];
  return positionals
    .filter((arg) => !['.', './', '.' + path.sep].includes(arg))
    .map((arg) => path.resolve(cwd, arg))
    .filter((abs) => !read.some((f) => f === abs || f.startsWith(abs.endsWith(path.sep) ? abs : abs + path.sep)));
}

/** Notes on stderr about what a run could not look at: nothing at all, or CDK apps in other languages. */
function scopeNotes(project: Project, hasAws: boolean, shownPaths: string, err: (s: string) => void): void {
  if (!project.sources.length && !project.loadErrors.length && !hasAws) err(`oidc-lint: nothing to check in ${shownPaths}: no ${WHAT_IT_READS} found\n`);
  for (const n of project.notAnalysed ?? []) {
    const few = n.files.slice(0, 3).join(', ') + (n.files.length > 3 ? ', …' : '');
    err(`oidc-lint: ${n.files.length} CDK ${n.language} file${n.files.length === 1 ? '' : 's'} defining IAM roles not analysed (${few}): oidc-lint reads CDK TypeScript and Python only; lint \`cdk.out\` after \`cdk synth\`\n`);
  }
}

/**
 * The repository root that SARIF URIs and GitHub annotation paths are relative to: the git
 * toplevel above the scan root; without one (a checkout made without git), GITHUB_WORKSPACE when
 * the scan root lies inside it; else the scan root itself.
 */
export function repositoryRoot(scanRoot: string, env: NodeJS.ProcessEnv): string {
  const root = path.resolve(scanRoot);
  const git = findRepoRoot(root);
  if (existsSync(path.join(git, '.git'))) return git;
  const ws = env.GITHUB_WORKSPACE ? path.resolve(env.GITHUB_WORKSPACE) : undefined;
  return ws && (root + path.sep).startsWith(ws + path.sep) ? ws : root;
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

/** The deepest directory holding every scanned path (config discovery starts there). */
async function commonDirectory(paths: string[]): Promise<string> {
  const dirs = paths.map((p) => (statSync(p).isDirectory() ? p : path.dirname(p)));
  let common = dirs[0];
  for (const d of dirs.slice(1)) while (!(d + path.sep).startsWith(common + path.sep) && common !== path.dirname(common)) common = path.dirname(common);
  return common;
}

/** A path for messages: relative to the cwd. */
function shown(cwd: string, abs: string): string {
  const rel = path.relative(cwd, abs);
  return (rel && !path.isAbsolute(rel) ? rel : abs).split(path.sep).join('/');
}

/** `--print-config`: the effective configuration in the config file's own vocabulary, plus where it came from. */
function printableConfig(loaded: LoadedConfig | undefined, config: LintConfig, rules: Record<string, RuleSetting>) {
  const s = config.settings;
  return {
    rules,
    ignore: loaded?.ignore ?? [],
    audiences: s.expectedAudiences ?? [...DEFAULT_AUDIENCES],
    ...(s.repository ? { repository: s.repository } : {}),
    roles: s.roles ?? {},
    ...(s.tokenRequests ? { tokenRequests: s.tokenRequests } : {}),
    suppressions: (config.suppressions ?? []).map((e) => ({
      rule: e.rules,
      ...(e.files.length ? { file: e.files } : {}),
      ...(e.roles.length ? { role: e.roles } : {}),
      ...(e.path !== undefined ? { path: e.path } : {}),
      reason: e.reason,
    })),
  };
}

/** The effective config: the config file (found or given) with the flags on top. A number is an exit code. */
async function configure(
  o: { config?: string; 'no-config'?: boolean; audience?: string[] },
  paths: string[],
  flagRules: Record<string, RuleSetting>,
  cwd: string,
  root: string,
  region: string,
  env: NodeJS.ProcessEnv,
  ruleSet: readonly RuleModule[],
  err: (s: string) => void,
): Promise<{ config: LintConfig; loaded?: LoadedConfig } | number> {
  if (o.config !== undefined && o['no-config']) {
    err(`oidc-lint: --config and --no-config cannot be combined\n`);
    return 2;
  }
  let loaded: LoadedConfig | undefined;
  // Outside git, the search stops at the folder you run from when the scan is below it (its config is
  // yours, as for `oidc-lint gen`), else at the scanned root; always at your home folder (#17 item 6).
  const within = (outer: string, inner: string) => !path.relative(path.resolve(outer), path.resolve(inner)).startsWith('..');
  try {
    const file = o['no-config'] ? undefined : o.config !== undefined ? path.resolve(cwd, o.config) : findConfigFile(await commonDirectory(paths), { stopAt: [within(cwd, root) ? cwd : root, env.HOME || homedir()] });
    if (file) loaded = loadConfigFile(file, ruleSet, { region });
    // A config found above the scanned folder (in the git repository around it) is named: it can turn rules off and ignore paths.
    if (file && o.config === undefined && !(path.dirname(file) + path.sep).startsWith(root + path.sep)) err(`oidc-lint: using the config file ${shown(cwd, file)}, found above the scanned folder\n`);
  } catch (e) {
    if (!(e instanceof ConfigFileError)) throw e;
    for (const p of e.problems) err(`oidc-lint: ${shown(cwd, p.file)}${p.start ? `:${p.start.line}:${p.start.column}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}\n`);
    return 2;
  }
  const config: LintConfig = { rules: { ...loaded?.config.rules }, settings: { ...loaded?.config.settings } };
  // A --rule flag sets the level and keeps the options the file gives the rule.
  for (const [id, level] of Object.entries(flagRules)) {
    const fromFile = config.rules[id];
    config.rules[id] = Array.isArray(fromFile) && level !== 'off' ? [level as 'warn' | 'error', ...fromFile.slice(1)] : level;
  }
  if (loaded?.config.suppressions) config.suppressions = loaded.config.suppressions;
  if (o.audience?.length) config.settings.expectedAudiences = o.audience;
  return loaded ? { config, loaded } : { config };
}

/** Reads `--baseline`; null (after saying why) when it cannot be used. */
function readBaseline(file: string, cwd: string, region: string, err: (s: string) => void): Baseline | null {
  try {
    return parseBaseline(readTextFile(path.resolve(cwd, file), { maxBytes: MAX_BASELINE_BYTES, region }));
  } catch (e) {
    if (!(e instanceof BaselineError) && !(e instanceof FileAccessError)) throw e;
    err(`oidc-lint: cannot use baseline ${file}: ${e.message}\n`);
    return null;
  }
}

/**
 * `--write-baseline`: records the run's findings (not when a rule crashed: its findings would be
 * missing). Null after saying why when the file cannot be written.
 */
function writeBaseline(file: string, cwd: string, projectRoot: string, region: string, result: LintResult, err: (s: string) => void): Baseline | undefined | null {
  if (result.crashes.length) {
    err(`oidc-lint: not writing the baseline: a rule crashed, so its findings are missing\n`);
    return undefined;
  }
  const abs = path.resolve(cwd, file);
  const baseline = createBaseline(result.findings, { projectRoot, baselineDir: path.dirname(abs) });
  try {
    writeFileAtomic(abs, serializeBaseline(baseline), { region });
  } catch (e) {
    if (!(e instanceof FileAccessError)) throw e;
    err(`oidc-lint: cannot write ${file}: ${e.message}\n`);
    return null;
  }
  const n = baseline.findings.reduce((sum, e) => sum + (e.count ?? 1), 0);
  err(`oidc-lint: wrote ${n} finding${n === 1 ? '' : 's'} to the baseline ${file}\n`);
  return baseline;
}

function explain(project: Project, target: string, cwd: string, json: boolean, out: (s: string) => void, err: (s: string) => void): number {
  let found = findRoles(project, target, cwd);
  if (!found.length) found = findAzureIdentities(project, target);
  if (!found.length) {
    err(`oidc-lint: no role matching '${target}' in ${project.roles.length} role${project.roles.length === 1 ? '' : 's'} found (give a role ARN, a role name, or file:line inside a policy; for Azure, the managed identity or app registration its federated credentials name, e.g. azurerm_user_assigned_identity.NAME)\n`);
    return 2;
  }
  const explanations = found.map((r) => explainRole(project, r));
  out(json ? jsonText(JSON.stringify(explanations, null, 2)) + '\n' : explanations.map(renderExplanation).join('\n'));
  return 0;
}
