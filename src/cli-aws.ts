/**
 * The CLI's live-AWS part: `--aws` (read the account), `--aws-snapshot-out`, `--aws-snapshot`
 * (lint a saved one offline). Kept apart from cli.ts so that the main flow stays readable; the
 * AWS SDK itself is imported only inside readAwsAccount.
 */
import path from 'node:path';
import { AwsFatalError, awsModel, describeIncomplete, readAwsAccount, type AwsAccountData, type AwsModel, type AwsProgress } from './loaders/aws/aws-iam.js';
import { SnapshotError, loadSnapshot, serializeSnapshot } from './loaders/aws/aws-snapshot.js';
import { FileAccessError, MAX_SNAPSHOT_BYTES, readTextFile, writeFileAtomic } from './files.js';

export const AWS_HELP = `Live AWS (read-only; the network is used only with --aws):
      --aws                        also lint the IAM roles of the AWS account that trust a GitHub
                                   OIDC provider, and its GitHub OIDC providers
      --aws-profile <name>         shared-config profile (default: the SDK's credential chain)
      --aws-region <region>        region, i.e. partition (default: configured one, else us-east-1)
      --aws-role-prefix <path>     only roles under this IAM path, e.g. /github/
      --aws-snapshot-out <file>    also save what was read as a JSON snapshot
      --aws-snapshot <file>        lint a saved snapshot offline instead of the account
`;

/** `parseArgs` option descriptors. */
export const AWS_OPTIONS = {
  aws: { type: 'boolean' },
  'aws-profile': { type: 'string' },
  'aws-region': { type: 'string' },
  'aws-role-prefix': { type: 'string' },
  'aws-snapshot-out': { type: 'string' },
  'aws-snapshot': { type: 'string' },
} as const;

export interface AwsFlags {
  aws?: boolean;
  'aws-profile'?: string;
  'aws-region'?: string;
  'aws-role-prefix'?: string;
  'aws-snapshot-out'?: string;
  'aws-snapshot'?: string;
}

export interface AwsSource {
  data: AwsAccountData;
  model: AwsModel;
}

interface Context {
  /** Scan root: the snapshot's path in reports is relative to it. */
  root: string;
  /** The repository: the snapshot is not read or written through a symlink that leaves it (files.ts). */
  region?: string;
  cwd: string;
  stderr: (s: string) => void;
  /** Where the progress line is drawn: stderr as is (it writes terminal controls); defaults to `stderr`. */
  progressOut?: (s: string) => void;
  /** Asked only with --aws: reading `process.stderr` creates the stream (and loads Node's stream modules). */
  stderrIsTTY: () => boolean;
}

/**
 * Reads the account (`--aws`) or a snapshot (`--aws-snapshot`). Returns undefined when neither is
 * asked, the source otherwise, or an exit code (2) after printing a one-line error.
 */
export async function loadAwsSource(o: AwsFlags, ctx: Context): Promise<AwsSource | undefined | number> {
  const fail = (message: string) => {
    ctx.stderr(`oidc-lint: ${message}\n`);
    return 2;
  };
  const awsOnly = (['aws-profile', 'aws-region', 'aws-role-prefix', 'aws-snapshot-out'] as const).filter((k) => o[k] !== undefined);
  if (!o.aws && awsOnly.length) return fail(`--${awsOnly[0]} needs --aws`);
  if (o.aws && o['aws-snapshot'] !== undefined) return fail('--aws reads the account and --aws-snapshot replays a saved one; use one of them');

  if (o.aws) {
    let rolePathPrefix: string | undefined;
    if (o['aws-role-prefix'] !== undefined) {
      // IAM path prefixes begin and end with a slash (`/`, `/github/`); add the missing ones.
      rolePathPrefix = `/${o['aws-role-prefix']}/`.replace(/\/{2,}/g, '/');
      if (!/^\/([\x21-\x7e]+\/)?$/.test(rolePathPrefix)) return fail(`--aws-role-prefix expects an IAM path such as /github/, got '${o['aws-role-prefix']}'`);
    }
    const progress = ctx.stderrIsTTY() ? progressLine(ctx.progressOut ?? ctx.stderr) : undefined;
    let data: AwsAccountData;
    try {
      progress?.update({ phase: 'roles', done: 0, kept: 0 });
      data = await readAwsAccount({ profile: o['aws-profile'], region: o['aws-region'], rolePathPrefix, onProgress: progress?.update });
    } catch (e) {
      progress?.clear();
      if (e instanceof AwsFatalError) return fail(e.message);
      throw e;
    }
    progress?.clear();
    if (o['aws-snapshot-out'] !== undefined) {
      try {
        writeFileAtomic(path.resolve(ctx.cwd, o['aws-snapshot-out']), serializeSnapshot(data), { region: ctx.region });
      } catch (e) {
        if (!(e instanceof FileAccessError)) throw e;
        return fail(`cannot write the AWS snapshot to ${o['aws-snapshot-out']}: ${e.message}`);
      }
    }
    return { data, model: awsModel(data) };
  }

  if (o['aws-snapshot'] !== undefined) {
    const abs = path.resolve(ctx.cwd, o['aws-snapshot']);
    let text: string;
    try {
      text = readTextFile(abs, { maxBytes: MAX_SNAPSHOT_BYTES, region: ctx.region });
    } catch (e) {
      if (!(e instanceof FileAccessError)) throw e;
      return fail(`cannot read the AWS snapshot ${o['aws-snapshot']}: ${e.message}`);
    }
    try {
      return loadSnapshot(text, path.relative(ctx.root, abs).split(path.sep).join('/'), abs);
    } catch (e) {
      if (e instanceof SnapshotError) return fail(`invalid AWS snapshot: ${e.message}`);
      throw e;
    }
  }
  return undefined;
}

/** One stderr line per part of the account that could not be read. */
export function awsIncompleteWarnings(source: AwsSource | undefined): string[] {
  return (source?.data.incomplete ?? []).map((inc) => `oidc-lint: warning: incomplete AWS scan: ${describeIncomplete(inc)}\n`);
}

/** A one-line progress indicator on stderr, redrawn in place (only used on a terminal). */
function progressLine(write: (s: string) => void): { update: (p: AwsProgress) => void; clear: () => void } {
  let shown = false;
  return {
    update(p) {
      shown = true;
      const text = p.phase === 'roles' ? `oidc-lint: reading IAM roles… ${p.done} listed, ${p.kept} trust GitHub` : `oidc-lint: reading OIDC providers… ${p.done}/${p.total ?? '?'}`;
      write(`\r\u001b[2K${text}`);
    },
    clear() {
      if (shown) write('\r\u001b[2K');
      shown = false;
    },
  };
}
