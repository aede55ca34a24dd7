/**
 * Terraform (hashicorp/aws): `aws_iam_role` trust policies and `aws_iam_openid_connect_provider`.
 *
 * A Terraform module is a directory: a variable declared in variables.tf, set in
 * terraform.tfvars and used in main.tf is one thing. So this is a directory loader: every `.tf`,
 * `.tf.json` and `.tfvars` file of a directory is read and parsed once, then the module is
 * resolved as a whole (`terraform-eval.ts`). A file named alone on the command line is a module
 * of its own.
 *
 * Shapes read (domain.md §D.1): `assume_role_policy = jsonencode({...})`, a heredoc or string of
 * JSON, `data.aws_iam_policy_document.x.json` (statement / principals / condition blocks, dynamic
 * blocks — over an unknown collection once with the iterator unknown), all of them also through locals and variables; `file("…")`,
 * `templatefile("…", {…})` and `data "template_file"` … `.rendered` policies (the file read from
 * the scan root, the template's variables substituted where known, positions in that file); role
 * `name` / `name_prefix`; provider `url`, `client_id_list`, `thumbprint_list`. Not read: module
 * calls (a child module's variables are not bound to the caller's arguments).
 *
 * The module parsed and resolved here is also handed to ../gcp/terraform.ts, which reads its Google
 * Cloud workload identity federation resources (one parse per module for every cloud).
 */
import path from 'node:path';
import { closeSync, constants as fsConstants, fstatSync, openSync, readdirSync, readSync, realpathSync } from 'node:fs';
import type { Parser as TsParser } from 'web-tree-sitter';
import type { DirectoryLoader, FileInput, LoadSink } from '../index.js';
import { parseEmbeddedTemplate, parseHcl, terraformParser, type Block, type Body, type TemplateExpr, getAttr } from '../terraform/hcl.js';
import { HclJsonConverter } from '../terraform/hcl-json.js';
import { registryShim, type RegistryShim } from './terraform-registry.js';
import { parseJsonFile } from './policy-json.js';
import { looksLikeTrustPolicy, readTrustPolicy, type PolicyProblem } from './policy-doc.js';
import { isScalar, scalarValue, stringList, type DocNode } from '../shared/doc.js';
import { SourceText } from '../shared/source-text.js';
import { addTfvars, addToModule, emptyModule, fileScope, TfBudgetError, TfEvaluator, type Def, type Scope, type TfFileHost, type TfModule } from '../terraform/terraform-eval.js';
import type { OidcProvider, Role } from '../../model/iam.js';
import { emptyGcpModel } from '../../model/gcp.js';
import { readGcpResources } from '../gcp/terraform.js';
import { emptyAzureModel } from '../../model/azure.js';
import { readAzureResources } from '../azure/terraform.js';
import type { LoadError } from '../../model/project.js';
import { plainLocation, withLocationPath, type SourceLocation, type Value } from '../../model/location.js';

export function isTerraformPath(relPath: string): boolean {
  return /\.(tf|tf\.json|tfvars|tfvars\.json)$/i.test(relPath);
}

/** tfvars files Terraform applies without `-var-file`, in the order it applies them (later wins). */
function automaticTfvarsRank(relPath: string): number | undefined {
  const base = path.posix.basename(relPath).toLowerCase();
  if (base === 'terraform.tfvars') return 0;
  if (base === 'terraform.tfvars.json') return 1;
  if (base.endsWith('.auto.tfvars') || base.endsWith('.auto.tfvars.json')) return 2;
  return undefined;
}

export const terraformLoader: DirectoryLoader = {
  name: 'terraform',
  kind: 'terraform',
  acceptsPath: isTerraformPath,
  loadDirectory: loadTerraformModule,
};

/**
 * Characters of one HCL file parsed. tree-sitter's WASM parse and the conversion cost about 2.5 s
 * and 200 MB per MB of input on a 2-core machine (a 9 MB file: 40 s, 2.5 GB); hand-written
 * configurations are far smaller. Terraform JSON is read by our own parser and is not bounded here.
 */
export const MAX_TF_PARSE_BYTES = 2 * 1024 * 1024;

interface ParsedFile {
  input: FileInput;
  body: Body;
}

export async function loadTerraformModule(files: FileInput[], sink: LoadSink): Promise<void> {
  let parser: TsParser;
  try {
    parser = await terraformParser();
  } catch (e) {
    for (const f of files) sink.errors.push({ type: 'LoadError', kind: 'io', loc: startOf(f.relPath), message: `cannot load the Terraform parser (web-tree-sitter): ${(e as Error).message}` });
    return;
  }
  const mod = emptyModule();
  const configs: ParsedFile[] = [];
  const vars: ParsedFile[] = [];
  for (const f of files) {
    let body: Body | undefined;
    try {
      body = parseFile(parser, f, sink.errors);
    } catch (e) {
      // Nesting the converter's own bounds did not foresee: this file is reported, the module's other files are read.
      if (!(e instanceof RangeError)) throw e;
      sink.errors.push({ type: 'LoadError', kind: 'limit', loc: startOf(f.relPath), message: 'Terraform nested too deeply to read; this file was not read' });
      continue;
    }
    if (!body) continue;
    if (/\.tfvars(\.json)?$/i.test(f.relPath)) {
      // Only the automatic tfvars apply; `prod.tfvars` needs `-var-file` and may be one of several.
      if (automaticTfvarsRank(f.relPath) !== undefined) vars.push({ input: f, body });
      continue;
    }
    addToModule(mod, f.relPath, body);
    configs.push({ input: f, body });
  }
  vars.sort((a, b) => automaticTfvarsRank(a.input.relPath)! - automaticTfvarsRank(b.input.relPath)! || (a.input.relPath < b.input.relPath ? -1 : 1));
  for (const v of vars) addTfvars(mod, v.input.relPath, v.body);

  const host = fileHost(files[0], parser);
  const ev = new TfEvaluator(mod, host);
  // Each role, provider and standalone document is evaluated with a budget of its own; one that
  // exceeds it is reported (`limit`) and the rest of the module is still read.
  const budgeted = <T>(def: Def<Block>, what: string, compute: () => T): T | undefined => {
    ev.startBudget();
    try {
      return compute();
    } catch (e) {
      if (!(e instanceof TfBudgetError) && !(e instanceof RangeError)) throw e;
      const why = e instanceof TfBudgetError ? e.message : 'it is nested too deeply';
      sink.errors.push({ type: 'LoadError', kind: 'limit', loc: def.item.typeLoc, message: `${what} was not evaluated: ${why}` });
      return undefined;
    }
  };
  const address = (b: Block) => `${b.type === 'data' ? 'data.' : ''}${b.labels.map((l) => l.value).join('.')}`;
  for (const c of configs)
    for (const b of c.body.blocks) {
      if (b.hasError || b.type !== 'resource') continue;
      const def: Def<Block> = { file: c.input.relPath, item: b };
      if (b.labels[0]?.value === 'aws_iam_role') sink.roles.push(...(budgeted(def, address(b), () => roles(ev, def, sink.errors)) ?? []));
      else if (b.labels[0]?.value === 'aws_iam_openid_connect_provider') {
        const p = budgeted(def, address(b), () => provider(ev, def));
        if (p) sink.providers.push(p);
      }
    }
  // Google Cloud workload identity federation of the same module.
  const gcp = emptyGcpModel();
  readGcpResources(ev, configs.map((c) => ({ file: c.input.relPath, body: c.body })), gcp, budgeted);
  if (gcp.providers.length || gcp.grants.length || gcp.pools.length) sink.gcp = gcp;
  // Azure federated identity credentials of the same module.
  const azure = emptyAzureModel();
  readAzureResources(ev, configs.map((c) => ({ file: c.input.relPath, body: c.body })), azure, budgeted);
  if (azure.credentials.length || azure.identities.length) sink.azure = azure;
  // A trust policy document that no role of this module uses (it is passed to a module, or is an
  // output) is linted on its own, unless another document includes it.
  const standalone: { block: Block; role: Role; errors: LoadError[] }[] = [];
  for (const c of configs)
    for (const b of c.body.blocks) {
      if (b.hasError || b.type !== 'data' || b.labels[0]?.value !== 'aws_iam_policy_document' || ev.renderedDocuments.has(b)) continue;
      const errors: LoadError[] = [];
      const role = budgeted({ file: c.input.relPath, item: b }, address(b), () => standaloneDocument(ev, { file: c.input.relPath, item: b }, errors));
      if (role) standalone.push({ block: b, role, errors });
    }
  for (const s of standalone)
    if (!ev.renderedDocuments.has(s.block)) {
      sink.roles.push(s.role);
      sink.errors.push(...s.errors);
    }
  for (const p of ev.problems) sink.errors.push({ type: 'LoadError', kind: 'structure', loc: p.loc, message: p.message });
  if (host) {
    const instantiated = new Set<string>();
    childModules(parser, host, ev, configs, sink, instantiated, [host.dir], '');
    if (instantiated.size) sink.instantiated = [...instantiated].sort();
  }
  if (ev.renderedFiles.size) sink.supersedes = [...ev.renderedFiles].sort().flatMap((relPath) => host?.source(relPath) ?? []);
}

/** Child modules are followed this many calls deep; a `module` block with `count` / `for_each` gives at most this many instances. */
const MAX_MODULE_DEPTH = 3;
const MAX_MODULE_INSTANCES = 16;
/** Arguments of a `module` block that are Terraform's, not the child's variables. */
const MODULE_META_ARGUMENTS = new Set(['source', 'version', 'providers', 'count', 'for_each', 'depends_on']);

type Host = NonNullable<ReturnType<typeof fileHost>>;

/**
 * The roles of the local child modules a module calls (`module "x" { source = "./modules/role" … }`),
 * evaluated with the arguments the call passes (evaluated in the caller, so a value written there
 * is reported there) and the child's defaults for the rest — its tfvars do not apply. Roles get
 * the address `module.x.aws_iam_role.y`; their files go to `instantiated`, whose standalone
 * reading (inputs unknown) is then left out. Registry and git sources are not read. Errors in the
 * child's files are the child's own reading's to report.
 */
function childModules(parser: TsParser, host: Host, ev: TfEvaluator, configs: ParsedFile[], sink: LoadSink, instantiated: Set<string>, chain: string[], prefix: string): void {
  if (chain.length > MAX_MODULE_DEPTH) return;
  for (const c of configs)
    for (const b of c.body.blocks) {
      if (b.hasError || b.type !== 'module' || !b.labels[0]) continue;
      const source = getAttr(b.body, 'source')?.expr;
      const src = source?.kind === 'template' && source.parts.length === 1 && source.parts[0].kind === 'text' ? source.parts[0].text : source?.kind === 'literal' && typeof source.value === 'string' ? source.value : undefined;
      if (!src) continue;
      // A popular registry module that writes a GitHub OIDC trust policy: our module of the same shape.
      const shim = registryShim(src);
      if (!shim && !/^\.\.?\//.test(src)) continue;
      const dir = shim ? `${path.posix.dirname(c.input.relPath)}/${SHIM_DIR}/${b.labels[0].value}` : path.posix.normalize(path.posix.join(path.posix.dirname(c.input.relPath), src)).replace(/\/+$/, '');
      if (dir === '..' || dir.startsWith('../') || chain.includes(dir)) continue;
      const files = shim ? [{ relPath: `${dir}/main.tf`, absPath: path.join(host.rootAbs, ...dir.split('/'), 'main.tf'), text: shim.text, explicit: false }] : host.list(dir);
      if (!files.length) continue;
      const child = emptyModule();
      const childConfigs: ParsedFile[] = [];
      for (const f of files) {
        let body: Body | undefined;
        try {
          body = parseFile(parser, f, []);
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
        }
        if (!body) continue;
        addToModule(child, f.relPath, body);
        childConfigs.push({ input: f, body });
      }
      const name = `${prefix}module.${b.labels[0].value}`;
      let instances: { scope: Scope; key?: string | number }[];
      try {
        ev.startBudget();
        instances = ev.instances(b, fileScope(c.input.relPath)).slice(0, MAX_MODULE_INSTANCES);
      } catch (e) {
        if (!(e instanceof TfBudgetError) && !(e instanceof RangeError)) throw e;
        continue;
      }
      for (const inst of instances) {
        const address = inst.key === undefined || getAttr(b.body, 'count') ? name : `${name}[${JSON.stringify(inst.key)}]`;
        const inputs = new Map<string, DocNode>();
        const passedThrough = new Map<string, SourceLocation>();
        try {
          ev.startBudget();
          for (const a of b.body.attributes) {
            if (MODULE_META_ARGUMENTS.has(a.name)) continue;
            inputs.set(a.name, ev.eval(a.expr, inst.scope, `${address}.${a.name}`));
            if (a.expr.kind === 'traversal') passedThrough.set(a.name, a.expr.loc);
          }
        } catch (e) {
          if (!(e instanceof TfBudgetError) && !(e instanceof RangeError)) throw e;
          continue;
        }
        const mod: TfModule = { ...child, inputs, passedThrough };
        const childHost = fileHost(files[0], parser);
        if (!childHost) continue;
        const childEv = new TfEvaluator(mod, childHost);
        let complete = true;
        for (const cc of childConfigs)
          for (const rb of cc.body.blocks) {
            if (rb.hasError || rb.type !== 'resource' || rb.labels[0]?.value !== 'aws_iam_role') continue;
            childEv.startBudget();
            try {
              for (const r of roles(childEv, { file: cc.input.relPath, item: rb }, [])) {
                r.origin.logicalId = `${address}.${r.origin.logicalId}`;
                if (shim) relocate(r, cc.input.relPath, b, shim);
                sink.roles.push(r);
              }
            } catch (e) {
              if (!(e instanceof TfBudgetError) && !(e instanceof RangeError)) throw e;
              complete = false;
            }
          }
        // Its Google Cloud resources, with the same arguments.
        if (!shim) {
          const gcp = (sink.gcp ??= emptyGcpModel());
          const budgeted = <T>(_def: Def<Block>, _what: string, compute: () => T): T | undefined => {
            childEv.startBudget();
            try {
              return compute();
            } catch (e) {
              if (!(e instanceof TfBudgetError) && !(e instanceof RangeError)) throw e;
              complete = false;
              return undefined;
            }
          };
          readGcpResources(childEv, childConfigs.map((cc) => ({ file: cc.input.relPath, body: cc.body })), gcp, budgeted, `${address}.`);
          if (!gcp.providers.length && !gcp.grants.length && !gcp.pools.length) delete sink.gcp;
        }
        // Read in full with these arguments: the child's own reading (inputs unknown) is replaced.
        if (complete && !shim) for (const f of files) instantiated.add(f.relPath);
        if (!shim) childModules(parser, childHost, childEv, childConfigs, sink, instantiated, [...chain, dir], `${address}.`);
      }
    }
}

/** Where a registry module's stand-in is said to be (never read or written; its positions are moved to the caller). */
const SHIM_DIR = '.oidc-lint-registry-module';

/**
 * A role a registry module's stand-in wrote, placed in the caller: each condition value at the
 * item of the caller's argument it comes from (`subjects = [ … ]`, by index, or the argument when
 * the counts differ), everything else at the `module` block.
 */
function relocate(role: Role, shimFile: string, call: Block, shim: RegistryShim): void {
  const here = plainLocation(call.labels[0].loc);
  const move = <T extends { loc: SourceLocation }>(x: T | undefined, to = here) => {
    if (x && x.loc.file === shimFile) x.loc = withLocationPath(to, x.loc.path);
  };
  role.origin.file = here.file;
  move(role);
  move(role.name);
  move(role.arn);
  const tp = role.trustPolicy;
  if (!tp) return;
  move(tp);
  for (const st of tp.statements) {
    move(st);
    move(st.effect);
    move(st.sid);
    if (st.conditionLoc?.file === shimFile) st.conditionLoc = withLocationPath(here, st.conditionLoc.path);
    for (const p of [...st.principals, ...st.notPrincipals]) {
      move(p);
      move(p.value);
    }
    for (const a of [...st.actions, ...st.notActions]) move(a);
    for (const c of st.conditions) {
      move(c);
      move(c.operator);
      move(c.key);
      const claim = c.key.value.slice(c.key.value.lastIndexOf(':') + 1);
      const arg = getAttr(call.body, shim.valuesFrom[`${c.baseOperator} ${claim}`] ?? '');
      const items = arg?.expr.kind === 'tuple' ? arg.expr.items : undefined;
      c.values.forEach((v, i) => move(v, items?.length === c.values.length ? items[i].loc : (arg?.expr.loc ?? here)));
    }
  }
}

/** Largest file `file()` / `templatefile()` are followed into (a policy is at most a few KiB). */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;

/**
 * Reads the files a module's `file()` / `templatefile()` calls name: regular files inside the scan
 * root only (symlinks resolved and checked), within MAX_TEMPLATE_BYTES, UTF-8. Read synchronously,
 * as every file is (index.ts); each is read and parsed once per module.
 */
function fileHost(first: FileInput, parser: TsParser): (TfFileHost & { rootAbs: string; source(relPath: string): FileInput | undefined; list(dir: string): FileInput[] }) | undefined {
  const segments = first.relPath.split('/');
  if (segments.includes('..') || path.isAbsolute(first.relPath)) return undefined;
  const rootAbs = path.resolve(path.dirname(first.absPath), ...segments.slice(1).map(() => '..'));
  let realRoot: string;
  try {
    realRoot = realpathSync(rootAbs);
  } catch {
    return undefined;
  }
  const texts = new Map<string, string | undefined>();
  const absPaths = new Map<string, string>();
  const templates = new Map<string, TemplateExpr | undefined>();
  const host = {
    dir: path.posix.dirname(first.relPath),
    rootAbs,
    /** The `.tf` / `.tf.json` files of a directory inside the scan root (a child module's), read. */
    list(dir: string): FileInput[] {
      let names: string[];
      try {
        const real = realpathSync(path.join(rootAbs, ...dir.split('/')));
        if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return [];
        names = readdirSync(real).filter((n) => /\.tf(\.json)?$/i.test(n)).sort();
      } catch {
        return [];
      }
      const out: FileInput[] = [];
      for (const n of names) {
        const relPath = dir === '.' ? n : `${dir}/${n}`;
        const text = host.read(relPath);
        if (text !== undefined) out.push({ relPath, absPath: path.join(rootAbs, ...relPath.split('/')), text, explicit: false });
      }
      return out;
    },
    read(relPath: string): string | undefined {
      if (texts.has(relPath)) return texts.get(relPath);
      let text: string | undefined;
      let fd: number | undefined;
      try {
        const real = realpathSync(path.join(rootAbs, ...relPath.split('/')));
        if (real.startsWith(realRoot + path.sep)) {
          // Checked on the open handle, opened without blocking: a named pipe or device (even one
          // swapped in after the path was resolved) is never read.
          fd = openSync(real, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
          const st = fstatSync(fd);
          if (st.isFile() && st.size <= MAX_TEMPLATE_BYTES) {
            const buf = Buffer.alloc(st.size);
            const n = readSync(fd, buf, 0, st.size, 0);
            const bytes = buf.subarray(0, n);
            if (!bytes.includes(0)) text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
            absPaths.set(relPath, path.join(rootAbs, ...relPath.split('/')));
          }
        }
      } catch {
        text = undefined;
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
      texts.set(relPath, text);
      return text;
    },
    source(relPath: string): FileInput | undefined {
      const text = texts.get(relPath);
      const absPath = absPaths.get(relPath);
      return text === undefined || absPath === undefined ? undefined : { relPath, absPath, text, explicit: false };
    },
    parseTemplate(relPath: string, text: string): TemplateExpr | undefined {
      if (templates.has(relPath)) return templates.get(relPath);
      const whole = { start: 0, end: text.length };
      const expr = parseEmbeddedTemplate(parser, text, (i) => i, whole, new SourceText(relPath, text));
      const t = expr?.kind === 'template' ? { ...expr, heredoc: { strip: false, bodyStart: 0, bodyEnd: text.length } } : undefined;
      templates.set(relPath, t);
      return t;
    },
  };
  return host;
}

function parseFile(parser: TsParser, f: FileInput, errors: LoadError[]): Body | undefined {
  if (/\.json$/i.test(f.relPath)) {
    const { root, errors: jsonErrors } = parseJsonFile(f.text, f.relPath);
    errors.push(...jsonErrors);
    if (!root) return undefined;
    const conv = new HclJsonConverter(parser, new SourceText(f.relPath, f.text));
    if (/\.tfvars\.json$/i.test(f.relPath)) {
      const expr = conv.expr(root);
      if (expr.kind !== 'object') return { attributes: [], blocks: [] };
      return {
        attributes: expr.items.map((it) => ({ name: String(it.key.kind === 'literal' ? it.key.value : it.key.raw), nameLoc: it.key.loc, expr: it.value, loc: it.key.loc })),
        blocks: [],
      };
    }
    return conv.file(root);
  }
  if (f.text.length > MAX_TF_PARSE_BYTES) {
    errors.push({ type: 'LoadError', kind: 'limit', loc: startOf(f.relPath), message: `Terraform file is ${(f.text.length / 1024).toFixed(0)} KiB, over the ${MAX_TF_PARSE_BYTES / 1024} KiB the Terraform loader parses; it was not read` });
    return undefined;
  }
  const parsed = parseHcl(parser, f.text, f.relPath);
  if (parsed.error) errors.push({ type: 'LoadError', kind: 'syntax', loc: parsed.error.loc, message: parsed.error.message });
  return parsed.body;
}

function startOf(file: string) {
  return { file, start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
}

function asValue(n: DocNode | undefined): Value<string> | undefined {
  return n && isScalar(n) && n.value !== null ? scalarValue(n) : undefined;
}

function roles(ev: TfEvaluator, def: Def<Block>, errors: LoadError[]): Role[] {
  const block = def.item;
  const address = `aws_iam_role.${block.labels[1]?.value ?? ''}`;
  const out: Role[] = [];
  for (const inst of ev.instances(block, fileScope(def.file))) {
    const id = inst.key === undefined || getAttr(block.body, 'count') ? address : `${address}[${JSON.stringify(inst.key)}]`;
    const role: Role = { type: 'Role', loc: block.loc, origin: { format: 'terraform', file: def.file, logicalId: id } };
    const name = attr(ev, block.body, 'name', inst.scope, `${id}.name`);
    const prefix = name ? undefined : attr(ev, block.body, 'name_prefix', inst.scope, `${id}.name_prefix`);
    if (name) role.name = name;
    else if (prefix) {
      // Terraform appends a unique suffix: the name is only partly known.
      const suffix = { text: '${unique_suffix}', known: false };
      const parts = [...(prefix.parts ?? [{ text: prefix.value, known: prefix.resolution !== 'unresolved' }]), suffix];
      role.name = { ...prefix, value: prefix.value + suffix.text, resolution: 'unresolved', parts };
    }
    role.arn = scalarValue(ev.roleArn(block, role.name, inst.scope, { raw: `${id}.arn`, loc: role.name?.loc ?? block.typeLoc }));
    const policyAttr = getAttr(block.body, 'assume_role_policy');
    if (policyAttr) {
      const doc = ev.policyFrom(policyAttr.expr, inst.scope, `${id}.assume_role_policy`);
      if (doc) {
        const problems: PolicyProblem[] = [];
        role.trustPolicy = readTrustPolicy(doc, role, problems);
        for (const p of problems) errors.push({ type: 'LoadError', kind: 'structure', loc: p.loc, message: p.message });
      }
    }
    out.push(role);
  }
  return out;
}

function standaloneDocument(ev: TfEvaluator, def: Def<Block>, errors: LoadError[]): Role | undefined {
  const address = `data.aws_iam_policy_document.${def.item.labels[1]?.value ?? ''}`;
  const scope = ev.instances(def.item, fileScope(def.file))[0]?.scope ?? fileScope(def.file);
  const doc = ev.policyDocument(def.item, scope, address);
  if (!looksLikeTrustPolicy(doc)) return undefined;
  const role: Role = { type: 'Role', loc: def.item.loc, origin: { format: 'terraform', file: def.file, logicalId: address } };
  const problems: PolicyProblem[] = [];
  role.trustPolicy = readTrustPolicy(doc, role, problems);
  for (const p of problems) errors.push({ type: 'LoadError', kind: 'structure', loc: p.loc, message: p.message });
  return role;
}

function attr(ev: TfEvaluator, body: Body, name: string, scope: Scope, path: string): Value<string> | undefined {
  const a = getAttr(body, name);
  return a ? asValue(ev.eval(a.expr, scope, path)) : undefined;
}

function provider(ev: TfEvaluator, def: Def<Block>): OidcProvider {
  const block = def.item;
  const address = `aws_iam_openid_connect_provider.${block.labels[1]?.value ?? ''}`;
  const scope = fileScope(def.file);
  const list = (name: string) => {
    const a = getAttr(block.body, name);
    return a ? stringList(ev.eval(a.expr, scope, `${address}.${name}`)) : [];
  };
  const url = attr(ev, block.body, 'url', scope, `${address}.url`) ?? { value: '', raw: '', loc: block.typeLoc, resolution: 'unresolved' as const };
  return {
    type: 'OidcProvider',
    loc: block.loc,
    origin: { format: 'terraform', file: def.file, logicalId: address },
    arn: scalarValue(ev.providerArn(def, scope, { raw: `${address}.arn`, loc: block.loc }, `${address}.arn`)),
    url,
    clientIds: list('client_id_list'),
    thumbprints: list('thumbprint_list'),
  };
}
