/**
 * Loading: discover files, read each once, hand it to the loader for its format, and assemble one
 * Project. New formats plug in by adding a FileLoader to LOADERS; rules never change.
 */
import { pushAll } from '../arrays.js';
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { discover, specialKind, type DiscoveredFile } from './shared/discover.js';
import { rootOutsideDotGithub } from './shared/scan-root.js';
import { foreignCdkFiles } from './aws/cdk-foreign.js';
import { isWorkflowPath, loadWorkflow } from './workflows/workflow.js';
import { isActionPath, loadAction, mayBeAction } from './workflows/action.js';
import { mayBePolicyJson, oidcProviderFromJson, parseJsonFile, trustPolicyRoleFromJson } from './aws/policy-json.js';
import { isCloudFormationTemplate, loadYamlTemplate, mayBeJsonTemplate, mayBeYamlTemplate, readTemplate } from './aws/cloudformation.js';
import { isTerraformPath, terraformLoader } from './aws/terraform.js';
import { gcloudJsonLoader } from './gcp/gcloud-json.js';
import { armLoader } from './azure/arm.js';
import { emptyAzureModel, type AzureModel } from '../model/azure.js';
import { hasPlaceholders, isPolicyTemplatePath, readPolicyTemplate } from './aws/policy-template.js';
import { loadCdk, mayBeCdkIam } from './aws/cdk.js';
import { loadCdkPython, mayBePythonCdkIam } from './aws/cdk-python.js';
import { emptyLinks, type LoadError, type Project, type RepoIdentity, type SourceFile } from '../model/project.js';
import { identityFromGit } from './shared/repo-identity.js';
import type { OidcProvider, Role } from '../model/iam.js';
import type { Action, Workflow } from '../model/workflow.js';
import { linkProject } from '../model/links.js';
import { emptyGcpModel, type GcpModel } from '../model/gcp.js';
import { connectGraph } from './workflows/graph.js';
import { startPool, usePool, workerShouldLoad } from './shared/pool.js';

/** What a loader adds to the project. */
export interface LoadSink {
  workflows: Workflow[];
  /** Action metadata files (`action.yml`); absent when a loader adds none. */
  actions?: Action[];
  roles: Role[];
  /** Google Cloud workload identity federation (pool providers, grants to pool identities); absent when a loader adds none. */
  gcp?: GcpModel;
  providers: OidcProvider[];
  /** Azure federated identity credentials; absent when a loader adds none. */
  azure?: AzureModel;
  errors: LoadError[];
  /** Set by a loader that recognised the file, so that it is kept as a source. */
  kind?: SourceFile['kind'];
  /**
   * Files this loader read as part of something else (a policy template Terraform renders with its
   * variables): the roles and errors of their own standalone reading are left out.
   */
  supersedes?: { relPath: string; absPath: string; text: string }[];
  /**
   * Terraform files of child modules a calling module evaluated with the arguments it passes
   * (`module "x" { source = "./m" … }`): the roles of their own directory's reading, with the
   * inputs unknown, are left out.
   */
  instantiated?: string[];
}

export interface FileInput {
  relPath: string;
  absPath: string;
  text: string;
  explicit: boolean;
}

export interface FileLoader {
  name: string;
  /** Cheap test on the path (and, if needed, the text) — no parsing. */
  accepts(file: FileInput): boolean;
  load(file: FileInput, sink: LoadSink): void | Promise<void>;
}

/**
 * A format whose files only make sense together, one directory at a time (a Terraform module is
 * every .tf file of a directory: variables, locals and data sources are shared across files).
 * Its files are chosen by path alone (before anything is read) and loaded as one task per
 * directory: each file is read like any other, then the directory's files are handed over together.
 */
export interface DirectoryLoader {
  name: string;
  acceptsPath(relPath: string): boolean;
  /** What every accepted file is recorded as. */
  kind: SourceFile['kind'];
  /** The accepted files of one directory, in discovery order; errors carry their own file. */
  loadDirectory(files: FileInput[], sink: LoadSink): void | Promise<void>;
}

export type Loader = FileLoader | DirectoryLoader;

export const workflowLoader: FileLoader = {
  name: 'workflow',
  // Under .github/workflows/, or a YAML file named explicitly on the command line that has top-level `jobs:`.
  accepts: (f) => isWorkflowPath(f.relPath) || (f.explicit && /\.ya?ml$/i.test(f.relPath) && /^jobs\s*:/m.test(f.text)),
  load(f, sink) {
    const { workflow, errors } = loadWorkflow(f.text, f.relPath);
    if (workflow) sink.workflows.push(workflow);
    pushAll(sink.errors, errors);
    sink.kind = 'workflow';
  },
};

/** `action.yml` / `action.yaml` with a top-level `runs:` (action metadata), anywhere in the repository. */
export const actionLoader: FileLoader = {
  name: 'action',
  accepts: (f) => isActionPath(f.relPath) && !isWorkflowPath(f.relPath) && mayBeAction(f.text),
  load(f, sink) {
    const { action, errors } = loadAction(f.text, f.relPath);
    if (action) (sink.actions ??= []).push(action);
    pushAll(sink.errors, errors);
    sink.kind = 'action';
  },
};

/** A `.json` file, or a `.template` file written in JSON (CloudFormation accepts both syntaxes there). */
function isJsonFile(f: FileInput): boolean {
  return /\.json$/i.test(f.relPath) || (/\.template$/i.test(f.relPath) && /^\s*\{/.test(f.text));
}

/** cdk.out bookkeeping files: large, never a template or a policy. */
const CDK_OUT_NOISE = /(^|\/)cdk\.out\/(?:.*\/)?(?:tree|manifest|[^/]*\.assets)\.json$/i;

/**
 * JSON: parsed once, then read by content as a CloudFormation template (including CDK's
 * `cdk.out/*.template.json`) or as a bare IAM trust policy.
 */
export const jsonLoader: FileLoader = {
  name: 'json',
  accepts: (f) => isJsonFile(f) && (f.explicit || (!CDK_OUT_NOISE.test(f.relPath) && (mayBePolicyJson(f.relPath, f.text) || mayBeJsonTemplate(f.text)))),
  load(f, sink) {
    const { root, errors } = parseJsonFile(f.text, f.relPath);
    // A policy kept as a template (`"Federated": ${oidc_arn}`, `"repo:${org}/*"`): placeholders are unresolved values.
    const template = (!root || !isCloudFormationTemplate(root)) && hasPlaceholders(f.text) ? readPolicyTemplate(f.text, f.relPath) : undefined;
    if (template && 'root' in template) {
      const role = trustPolicyRoleFromJson(template.root, f.relPath, sink.errors);
      if (role) {
        sink.roles.push(role);
        sink.kind = 'policy-json';
        if (root) pushAll(sink.errors, errors);
        return;
      }
    }
    if (!root) {
      pushAll(sink.errors, errors);
      sink.kind = mayBeJsonTemplate(f.text) ? 'cloudformation' : 'policy-json';
      return;
    }
    if (isCloudFormationTemplate(root)) {
      const t = readTemplate(root, f.relPath, f.text);
      pushAll(sink.roles, t.roles);
      pushAll(sink.providers, t.providers);
      pushAll(sink.errors, errors);
      pushAll(sink.errors, t.errors);
      sink.kind = 'cloudformation';
      return;
    }
    const role = trustPolicyRoleFromJson(root, f.relPath, errors);
    const provider = role ? undefined : oidcProviderFromJson(root, f.relPath);
    if (role) {
      sink.roles.push(role);
      sink.kind = 'policy-json';
      pushAll(sink.errors, errors);
    } else if (provider) {
      sink.providers.push(provider);
      sink.kind = 'policy-json';
    } else if (f.explicit) {
      sink.errors.push({ type: 'LoadError', kind: 'structure', loc: root.loc, message: 'neither an IAM trust policy (no statement with a Federated principal or an sts:AssumeRole* action) nor a CloudFormation template (no AWSTemplateFormatVersion, no Resources with AWS:: types)' });
      sink.kind = 'other';
    }
  },
};

/**
 * Policy templates (`trust.json.tpl`, `trust.tftpl`): read as JSON with each placeholder unresolved.
 * A template that is not JSON once its placeholders are set aside (a shell script, YAML, a policy
 * built by directives) is not ours to judge, unless it was named on the command line.
 */
export const templateLoader: FileLoader = {
  name: 'policy-template',
  accepts: (f) => isPolicyTemplatePath(f.relPath) && (f.explicit || mayBePolicyJson(f.relPath, f.text)),
  load(f, sink) {
    const r = readPolicyTemplate(f.text, f.relPath);
    if ('root' in r) {
      if (isCloudFormationTemplate(r.root)) {
        const t = readTemplate(r.root, f.relPath, f.text);
        pushAll(sink.roles, t.roles);
        pushAll(sink.providers, t.providers);
        pushAll(sink.errors, t.errors);
        sink.kind = 'cloudformation';
        return;
      }
      const errors: LoadError[] = [];
      const role = trustPolicyRoleFromJson(r.root, f.relPath, errors);
      if (role) {
        sink.roles.push(role);
        pushAll(sink.errors, errors);
        sink.kind = 'policy-json';
        return;
      }
    }
    if (!f.explicit) return;
    const p = 'error' in r ? { line: r.error.line, column: r.error.column } : { line: 1, column: 1 };
    const message = 'error' in r ? `policy template: JSON (placeholders set aside): ${r.error.message}` : 'policy template: not an IAM trust policy (no statement with a Federated principal or an sts:AssumeRole* action)';
    sink.errors.push({ type: 'LoadError', kind: 'error' in r ? 'syntax' : 'structure', loc: { file: f.relPath, start: p, end: p }, message });
    sink.kind = 'other';
  },
};

/** YAML that is not a workflow: parsed once (CloudFormation short-form tags kept) and read as a CloudFormation/SAM template. */
export const yamlLoader: FileLoader = {
  name: 'yaml',
  accepts: (f) => /\.(ya?ml|template)$/i.test(f.relPath) && !isWorkflowPath(f.relPath) && (f.explicit || mayBeYamlTemplate(f.text)),
  load(f, sink) {
    const t = loadYamlTemplate(f.text, f.relPath, f.explicit);
    pushAll(sink.roles, t.roles);
    pushAll(sink.providers, t.providers);
    pushAll(sink.errors, t.errors);
    if (t.recognised) sink.kind = 'cloudformation';
    else if (f.explicit) {
      sink.errors.push({ type: 'LoadError', kind: 'structure', loc: fileLoc(f.relPath), message: 'neither a GitHub Actions workflow (no top-level jobs) nor a CloudFormation template (no AWSTemplateFormatVersion, no Resources with AWS:: types)' });
      sink.kind = 'other';
    }
  },
};

/** AWS CDK TypeScript; typescript-estree is imported only when a file passes the text check. */
export const cdkLoader: FileLoader = {
  name: 'cdk',
  accepts: (f) => mayBeCdkIam(f.relPath, f.text),
  async load(f, sink) {
    const { roles, providers, errors } = await loadCdk(f.text, f.relPath);
    pushAll(sink.roles, roles);
    pushAll(sink.providers, providers);
    pushAll(sink.errors, errors);
    if (roles.length || providers.length || errors.length || f.explicit) sink.kind = 'cdk';
  },
};

/** AWS CDK apps in Python, translated into the TypeScript analysis's shapes (cdk-python.ts). */
export const cdkPythonLoader: FileLoader = {
  name: 'cdk-python',
  accepts: (f) => mayBePythonCdkIam(f.relPath, f.text),
  async load(f, sink) {
    const { roles, providers, errors } = await loadCdkPython(f.text, f.relPath);
    pushAll(sink.roles, roles);
    pushAll(sink.providers, providers);
    pushAll(sink.errors, errors);
    if (roles.length || providers.length || errors.length || f.explicit) sink.kind = 'cdk';
  },
};

/** Registry, in priority order: the first loader that accepts a file loads it. */
export const LOADERS: Loader[] = [workflowLoader, actionLoader, terraformLoader, gcloudJsonLoader, armLoader, jsonLoader, templateLoader, yamlLoader, cdkLoader, cdkPythonLoader];

export interface LoadOptions {
  /** Scan root (report paths are relative to it). Defaults to the first path if it is a directory, else cwd. */
  root?: string;
  ignore?: string[];
  /** Directory `ignore` globs are relative to (default: the root). */
  ignoreBase?: string;
  /** Files larger than this are skipped with a finding. Default 10 MiB. */
  maxFileBytes?: number;
  loaders?: Loader[];
  /** Repository identity from the config; when absent it is read from the scanned repository's git remote. */
  identity?: RepoIdentity;
  /** `${{ vars.X }}` / `${{ secrets.X }}` / `${{ env.X }}` → role ARN (from the config). */
  roleMappings?: Record<string, string>;
  /**
   * Threads that load files: 1 loads everything on the calling thread; more lets one worker thread
   * load the CDK and Terraform files alongside it (one is all two cores can use). Default: 2 when
   * the machine has two cores or more.
   */
  threads?: number;
  /**
   * Fewest CDK and Terraform files for which a worker thread is started (its start-up costs ~50 ms).
   * Default 200. The worker is started only when the calling thread has at least as many other files
   * to load meanwhile (pool.ts, usePool).
   */
  poolMinFiles?: number;
  /**
   * Told how many files would go to the worker thread (Terraform, and CDK IAM code by its hint), how
   * many of them it loaded, and how many other files there were (diagnostics); `started` is false
   * when no worker thread was started.
   */
  onPool?: (stats: { files: number; byWorker: number; others: number; started: boolean }) => void;
  /** Called with what each file produced as soon as this thread has it (before the project is complete). */
  onLoaded?: (sink: LoadSink) => void;
  /** Told the phase, then the files read so far of the files to read, as loading advances (the CLI's progress line). */
  onProgress?: (phase: 'discovering' | 'loading', done?: number, total?: number) => void;
}

export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

export async function loadProject(paths: string[], options: LoadOptions = {}): Promise<Project> {
  const root = path.resolve(options.root ?? (await defaultRoot(paths)));
  const loaders = options.loaders ?? LOADERS;
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const project: Project = { type: 'Project', root, sources: [], workflows: [], roles: [], providers: [], loadErrors: [], links: emptyLinks() };
  options.onProgress?.('discovering');
  const { files, problems } = await discover(paths.length ? paths : ['.'], { root, ignore: options.ignore, ignoreBase: options.ignoreBase });
  for (const p of problems) project.loadErrors.push({ type: 'LoadError', kind: p.kind, loc: fileLoc(p.relPath), message: p.message });
  // Decide by path first so that unrelated files are never read.
  const wanted = files.filter(
    (f) =>
      (f.explicit || isCandidatePath(f.relPath)) &&
      // A symlink leaving the root (or looping, or dangling) is reported where it stands for a file
      // oidc-lint always reads — a workflow, Terraform, a CloudFormation template; a linked
      // tsconfig.json or shared YAML, common in monorepos, would only be noise.
      !(f.unfollowedLink && !f.explicit && !isWorkflowPath(f.relPath) && !isTerraformPath(f.relPath) && !/\.template$/i.test(f.relPath)),
  );
  // Tasks: one per file, except that the files of a directory loader (a Terraform module: the .tf
  // files of one directory) are one task per directory, loaded as a whole.
  const tasks: LoadTask[] = [];
  const taskOf: number[] = [];
  const modules = new Map<string, number>();
  for (const f of wanted) {
    const dirLoader = loaders.find((l): l is DirectoryLoader => 'loadDirectory' in l && l.acceptsPath(f.relPath));
    if (dirLoader) {
      const key = `${dirLoader.name}\u0000${path.posix.dirname(f.relPath)}`;
      let t = modules.get(key);
      if (t === undefined) {
        modules.set(key, (t = tasks.length));
        tasks.push({ files: [], directory: true });
      }
      tasks[t].files.push(f);
      taskOf.push(t);
    } else {
      taskOf.push(tasks.length);
      tasks.push({ files: [f] });
    }
  }
  // Terraform modules and CDK files go to the worker thread on a large repository (only with the
  // standard loaders, which are the ones the worker thread loads with).
  const pooled = loaders === LOADERS ? tasks.flatMap((t, i) => (workerShouldLoad(t.files[0]) ? [i] : [])) : [];
  const progress = options.onProgress;
  let read = 0;
  progress?.('loading', read, wanted.length);
  const onResult = (options.onLoaded || progress) && ((r: TaskResult) => {
    if (options.onLoaded) {
      for (const o of r.outcomes) if (o.sink) options.onLoaded(o.sink);
      if (r.directorySink) options.onLoaded(r.directorySink);
    }
    if (progress) progress('loading', (read += r.outcomes.length), wanted.length);
  });
  const pooledFiles = pooled.reduce((n, i) => n + tasks[i].files.length, 0);
  const pool = pooledFiles && usePool(pooledFiles, wanted.length - pooledFiles, options) ? startPool(pooled.map((i) => tasks[i]), maxBytes, { onResult }) : undefined;
  const inPool = new Set(pool ? pooled : []);
  const results: TaskResult[] = new Array(tasks.length);
  for (let i = 0; i < tasks.length; i++)
    if (!inPool.has(i)) {
      results[i] = await loadTask(tasks[i], loaders, maxBytes);
      onResult?.(results[i]);
    }
  if (pool) {
    const done = await pool.finish((t) => loadTask(t, loaders, maxBytes));
    options.onPool?.({ files: pooledFiles, byWorker: done.byWorker, others: wanted.length - pooledFiles, started: true });
    pooled.forEach((taskIndex, k) => (results[taskIndex] = done.results[k]));
  } else options.onPool?.({ files: pooledFiles, byWorker: 0, others: wanted.length - pooledFiles, started: false });
  // Applied in discovery order whichever thread loaded what: each file's source and results, then
  // each module's (in the order their directories first appear).
  const rendered = results.flatMap((r) => r.directorySink?.supersedes ?? []);
  const superseded = new Set(rendered.map((r) => r.relPath));
  const next = results.map(() => 0);
  for (let i = 0; i < wanted.length; i++) {
    const t = taskOf[i];
    const o = results[t].outcomes[next[t]++];
    if (o.source) project.sources.push(o.source);
    // A policy template Terraform rendered with its variables: that reading replaces this one.
    if (o.sink && !(superseded.has(wanted[i].relPath) && o.source?.kind === 'policy-json')) addResults(project, o.sink);
  }
  const instantiated = new Set(results.flatMap((r) => r.directorySink?.instantiated ?? []));
  results.forEach((r, t) => {
    if (!r.directorySink) return;
    // A child module that a module here calls: the caller's instantiation, with the arguments it
    // passes, replaces this reading's roles and Google Cloud resources (and those of the modules it calls in turn).
    if (instantiated.size && tasks[t].files.some((f) => instantiated.has(f.relPath))) addResults(project, { ...r.directorySink, roles: [], gcp: undefined });
    else addResults(project, r.directorySink);
  });
  // A rendered file no loader took on its own (`trust.tmpl`) is still a source: findings point into it.
  const known = new Set(project.sources.map((s) => s.path));
  for (const r of rendered)
    if (!known.has(r.relPath)) {
      known.add(r.relPath);
      project.sources.push(sourceOf({ ...r, explicit: false }, 'policy-json'));
    }
  // CDK apps in Java, Go or C#: named, not checked (unless their cdk.out was loaded).
  const templates = project.sources.filter((s) => s.kind === 'cloudformation').map((s) => s.path);
  const notAnalysed = foreignCdkFiles(files, (app) => templates.some((t) => t.startsWith(`${app === '.' ? '' : app + '/'}cdk.out/`)));
  if (notAnalysed.length) project.notAnalysed = notAnalysed;
  project.identity = options.identity ?? identityFromGit(root);
  project.roleMappings = options.roleMappings;
  try {
    connectGraph(project);
  } catch (e) {
    project.loadErrors.push({ type: 'LoadError', kind: 'structure', loc: fileLoc(project.workflows[0]?.file ?? ''), message: `internal error in the workflow graph: ${(e as Error).message}` });
  }
  project.links = linkProject(project);
  return project;
}

async function defaultRoot(paths: string[]): Promise<string> {
  const first = paths[0] ?? '.';
  try {
    return rootOutsideDotGithub(statSync(first).isDirectory() ? first : process.cwd());
  } catch {
    return process.cwd();
  }
}

function fileLoc(file: string) {
  return { file, start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lossyUtf8 = new TextDecoder('utf-8');

/** A file's text; `problem` (with a lossy text, for recognising the file) when it is not UTF-8 text. */
function decode(buf: Buffer): { text: string; problem?: string } {
  const bom16 = buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff));
  if (bom16) {
    const encoding = buf[0] === 0xff ? 'utf-16le' : 'utf-16be';
    return { text: new TextDecoder(encoding).decode(buf), problem: `file is ${encoding.toUpperCase()} (it starts with a UTF-16 byte order mark); GitHub, AWS and Terraform read these files as UTF-8: save it as UTF-8; not scanned` };
  }
  if (buf.includes(0)) return { text: lossyUtf8.decode(buf), problem: 'binary file (contains NUL bytes); not scanned' };
  try {
    return { text: utf8.decode(buf) };
  } catch {
    return { text: lossyUtf8.decode(buf), problem: 'file is not valid UTF-8; not scanned' };
  }
}

type ReadResult = { buf: Buffer } | { error: LoadError; oversize?: boolean };

/**
 * Reads one file within the size limit; never throws (an unreadable file is a LoadError). Reads are
 * synchronous, as in discover.ts. Only regular files are read: the file is opened without blocking
 * and checked on the open handle, so a named pipe or a device (`/dev/zero`, `/dev/stdin`), even one
 * swapped in after discovery, never blocks or fills memory, and a file that grows past the limit
 * while being read is cut off and reported.
 */
function readCandidate(f: DiscoveredFile, maxBytes: number): ReadResult {
  const fail = (kind: LoadError['kind'], message: string): ReadResult => ({ error: { type: 'LoadError', kind, loc: fileLoc(f.relPath), message } });
  const tooBig = (size: number): ReadResult => ({ ...fail('limit', `file is ${(size / 1048576).toFixed(1)} MiB, over the ${(maxBytes / 1048576).toFixed(1)} MiB limit; not scanned (raise it with --max-file-size)`), oversize: true });
  if (f.notRead) return fail('io', f.notRead);
  let fd: number | undefined;
  try {
    fd = openSync(f.absPath, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
    const st = fstatSync(fd);
    if (!st.isFile()) return fail('io', `${st.isDirectory() ? 'a directory' : specialKind(st)}, not a regular file`);
    if (st.size > maxBytes) return tooBig(st.size);
    const chunks: Buffer[] = [];
    let total = 0;
    // First the size fstat gave plus one byte, to see the end (or growth) in one read; then, if the
    // file grew, 64 KiB at a time; never more than the limit allows.
    let want = st.size + 1;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(maxBytes + 1 - total, want));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) return tooBig(total);
      if (n < chunk.length) break; // a short read of a regular file: its end
      want = 1 << 16;
    }
    return { buf: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Node.js decodes file names as UTF-8: a name with other bytes comes back with U+FFFD in it and no longer names the file.
    if (code === 'ENOENT' && f.absPath.includes('\uFFFD')) return fail('io', 'its name is not valid UTF-8, and Node.js cannot open a file by such a name; rename it to read it');
    return fail('io', `cannot read file: ${code ?? String(e)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The first `maxBytes` of a file, decoded leniently (for recognising what it is); empty when it cannot be read. */
function readPrefix(absPath: string, maxBytes: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(absPath, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
    if (!fstatSync(fd).isFile()) return '';
    const buf = Buffer.allocUnsafe(maxBytes);
    let total = 0;
    for (let n; total < maxBytes && (n = readSync(fd, buf, total, maxBytes - total, null)) > 0; ) total += n;
    return lossyUtf8.decode(buf.subarray(0, total));
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** What a loading thread does at a time: one file, or the files of one module directory (`directory`, Terraform), loaded together. */
export interface LoadTask {
  files: DiscoveredFile[];
  directory?: boolean;
}

/** A task's outcome per file, and for a module directory what the module as a whole produced. */
export interface TaskResult {
  outcomes: FileOutcome[];
  directorySink?: LoadSink;
}

/** Loads a task; never throws. */
export async function loadTask(task: LoadTask, loaders: Loader[], maxBytes: number): Promise<TaskResult> {
  const outcomes: FileOutcome[] = [];
  for (const f of task.files) outcomes.push(await loadFile(f, loaders, maxBytes));
  if (!task.directory) return { outcomes };
  let loader: DirectoryLoader | undefined;
  const inputs: FileInput[] = [];
  for (const o of outcomes)
    if (o.defer) {
      loader = o.defer.loader;
      inputs.push(o.defer.input);
      delete o.defer;
    }
  if (!loader) return { outcomes };
  const directorySink: LoadSink = { workflows: [], roles: [], providers: [], errors: [] };
  await loadDirectory(loader, inputs, directorySink);
  for (const f of inputs) markUnrelatedSyntaxErrors(directorySink.errors, f.relPath, f.text, false);
  return { outcomes, directorySink };
}

async function loadDirectory(loader: DirectoryLoader, files: FileInput[], sink: LoadSink): Promise<void> {
  try {
    await loader.loadDirectory(files, sink);
  } catch (e) {
    sink.errors.push({ type: 'LoadError', kind: 'structure', loc: fileLoc(files[0].relPath), message: `internal error in the ${loader.name} loader: ${(e as Error).message}` });
  }
}

/** What loading one file produced: its source record, its model objects and errors, or (within a directory task) its hand-over to the directory loader. */
export interface FileOutcome {
  source?: SourceFile;
  sink?: LoadSink;
  defer?: { loader: DirectoryLoader; input: FileInput };
}

/** Reads and loads one file; never throws (a loader's internal error is a LoadError of its file). */
export async function loadFile(f: DiscoveredFile, loaders: Loader[], maxBytes: number): Promise<FileOutcome> {
  const read = readCandidate(f, maxBytes);
  if ('error' in read) {
    // A file over the size limit is reported only when it is one oidc-lint would read: named on
    // the command line, or taken by a loader on its path or on its first `maxBytes` (a 15 MiB
    // package-lock.json is not ours, whatever its size).
    if (read.oversize && !f.explicit) {
      const probe: FileInput = { relPath: f.relPath, absPath: f.absPath, text: readPrefix(f.absPath, maxBytes), explicit: false };
      if (!loaders.some((l) => accepts(l, probe))) return {};
    }
    return { sink: errorSink(read.error) };
  }
  const decoded = decode(read.buf);
  let text = decoded.text;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (decoded.problem) {
    // Reported when the file is ours: by its path, because it was named, or because a loader
    // would take it on its (lossily decoded) content. Other unreadable files are not ours.
    const probe: FileInput = { relPath: f.relPath, absPath: f.absPath, text, explicit: f.explicit };
    if (isWorkflowPath(f.relPath) || f.explicit || loaders.some((l) => accepts(l, probe))) {
      const sink = errorSink({ type: 'LoadError', kind: 'syntax', loc: fileLoc(f.relPath), message: decoded.problem });
      markUnrelatedSyntaxErrors(sink.errors, f.relPath, text, isWorkflowPath(f.relPath));
      return { sink };
    }
    return {};
  }
  const input: FileInput = { relPath: f.relPath, absPath: f.absPath, text, explicit: f.explicit };
  const loader = loaders.find((l) => accepts(l, input));
  if (!loader) {
    if (f.explicit) return { sink: errorSink({ type: 'LoadError', kind: 'structure', loc: fileLoc(f.relPath), message: 'not a file oidc-lint understands (a workflow under .github/workflows/, an IAM trust policy, a CloudFormation template or Terraform); not scanned' }) };
    return {};
  }
  if ('loadDirectory' in loader) return { source: sourceOf(input, loader.kind), defer: { loader, input } };
  const sink: LoadSink = { workflows: [], roles: [], providers: [], errors: [] };
  try {
    await loader.load(input, sink);
  } catch (e) {
    sink.errors.push({ type: 'LoadError', kind: 'structure', loc: fileLoc(f.relPath), message: `internal error in the ${loader.name} loader: ${(e as Error).message}` });
    sink.kind ??= 'other';
  }
  markUnrelatedSyntaxErrors(sink.errors, f.relPath, text, loader === workflowLoader || sink.kind === 'workflow' || isWorkflowPath(f.relPath));
  return { source: sink.kind ? sourceOf(input, sink.kind) : undefined, sink };
}

/**
 * Text that shows something oidc-lint checks in a file it cannot parse: a federated principal or a
 * web-identity role assumption, an OIDC provider (CDK's OpenIdConnectProvider, CloudFormation's
 * OIDCProvider, Terraform's aws_iam_openid_connect_provider, an `oidc-provider/` ARN), GitHub's token
 * issuer (github.com, an enterprise's, or GHES's `HOST/_services/token`). An OpenID Connect URL
 * of another service (`openidconnect.googleapis.com`) is no such sign.
 */
const OIDC_SIGN = /federated|webidentity|openidconnect(?:principal|provider)|openid_connect_provider|oidc[-_ ]?provider|workload_identity_pool|workloadIdentityPools|token\.actions\.githubusercontent\.com|_services\/token/i;

/**
 * A syntax error in a file that shows no such sign (and is not a workflow) is marked `unrelated`:
 * it is reported as a warning, because whatever the file is, no trust or token request in it is
 * known to have been missed — a template PyYAML reads but this reader cannot should not fail a run.
 */
function markUnrelatedSyntaxErrors(errors: LoadError[], file: string, text: string, workflow: boolean): void {
  if (workflow || !errors.some((e) => e.kind === 'syntax' && e.loc.file === file) || OIDC_SIGN.test(text)) return;
  for (const e of errors) if (e.kind === 'syntax' && e.loc.file === file) e.unrelated = true;
}

function accepts(l: Loader, f: FileInput): boolean {
  return 'loadDirectory' in l ? l.acceptsPath(f.relPath) : l.accepts(f);
}

function errorSink(error: LoadError): LoadSink {
  return { workflows: [], roles: [], providers: [], errors: [error] };
}

function sourceOf(f: FileInput, kind: SourceFile['kind']): SourceFile {
  let last = 1;
  for (let i = f.text.indexOf('\n'); i >= 0; i = f.text.indexOf('\n', i + 1)) last++;
  const lastLineStart = f.text.lastIndexOf('\n') + 1;
  return { type: 'SourceFile', loc: { file: f.relPath, start: { line: 1, column: 1 }, end: { line: last, column: f.text.length - lastLineStart + 1 } }, path: f.relPath, absPath: f.absPath, text: f.text, kind };
}

function addResults(project: Project, sink: LoadSink): void {
  pushAll(project.workflows, sink.workflows);
  if (sink.actions?.length) pushAll((project.actions ??= []), sink.actions);
  pushAll(project.roles, sink.roles);
  pushAll(project.providers, sink.providers);
  if (sink.gcp) {
    const gcp = (project.gcp ??= emptyGcpModel());
    pushAll(gcp.providers, sink.gcp.providers);
    pushAll(gcp.grants, sink.gcp.grants);
    pushAll(gcp.pools, sink.gcp.pools);
  }
  if (sink.azure) {
    const azure = (project.azure ??= emptyAzureModel());
    pushAll(azure.credentials, sink.azure.credentials);
    pushAll(azure.identities, sink.azure.identities);
  }
  pushAll(project.loadErrors, sink.errors);
}

/** Extensions any loader may want; everything else is never read. */
export function isCandidatePath(relPath: string): boolean {
  return isWorkflowPath(relPath) || /\.(json|ya?ml|template|tf|tfvars|ts|tpl|tftpl|py)$/i.test(relPath);
}
