/**
 * CloudFormation and SAM templates (YAML or JSON, including CDK's synthesized
 * `cdk.out/*.template.json`): `AWS::IAM::Role` trust policies and `AWS::IAM::OIDCProvider`
 * resources, read into the shared model with exact positions.
 *
 * Intrinsic functions, short form (`!Sub`) and long form (`Fn::Sub`), are evaluated here, once,
 * into plain scalar DocNodes before the policy document reaches the format-neutral reader
 * (policy-doc.ts): `Ref`/`Sub`/`Join`/`Select`/`Split`/`FindInMap`/`GetAtt` are resolved from
 * Parameter defaults, Mappings, pseudo parameters and resources of the same template where they
 * can be; anything else stays `unresolved` with its source text in `raw` and `parts` marking the
 * known and unknown pieces. A resolved value points at the scalar the intrinsic is written on (for
 * `!Sub 'repo:${Org}/*'` the string after the tag), never at a parameter default elsewhere.
 *
 * Assumptions (domain.md §D.2): `AWS::Partition` is `aws` and `AWS::URLSuffix` `amazonaws.com`
 * (the commercial partition); the account, region and stack are unknown. A Parameter default is
 * what the template says, so values computed from it are `expression`, not `literal`.
 */
import { pushAll } from '../../arrays.js';
import type { Tags } from 'yaml';
import { get, getEntry, getEntryIndexed, isMap, isScalar, isSeq, scalarValue, stringList, type DocMap, type DocNode, type DocScalar, type DocSeq } from '../shared/doc.js';
import { parseYaml } from '../shared/yaml-doc.js';
import { readTrustPolicy, type PolicyProblem } from './policy-doc.js';
import type { OidcProvider, Role } from '../../model/iam.js';
import type { LoadError } from '../../model/project.js';
import { bothConditions, groupAlternatives, type Position, type SourceLocation, type Value, type ValueCondition, type ValuePart } from '../../model/location.js';
import { withLocationPath } from '../../model/location.js';

// ---------------------------------------------------------------------------------------------
// Recognition

/** Short-form intrinsic tags and the long-form function each stands for. */
const SHORT_FORMS: Record<string, string> = Object.fromEntries(
  ['Ref', 'Condition', 'Sub', 'GetAtt', 'Join', 'If', 'Select', 'Split', 'FindInMap', 'ImportValue', 'Base64', 'Cidr', 'GetAZs', 'And', 'Or', 'Not', 'Equals', 'Transform', 'Length', 'ToJsonString'].map((n) => [
    `!${n}`,
    n === 'Ref' || n === 'Condition' ? n : `Fn::${n}`,
  ]),
);

/**
 * Identity custom tags for the `yaml` parser (ecosystem.md §8): every short-form intrinsic on a
 * scalar, sequence or mapping parses without warnings and keeps its tag on the node, to be
 * interpreted here rather than by the YAML library.
 */
export const CFN_YAML_TAGS: Tags = Object.keys(SHORT_FORMS).flatMap((tag) => [
  { tag, resolve: (s: string) => s },
  { tag, collection: 'seq' as const },
  { tag, collection: 'map' as const },
]);

/** Cheap text test before parsing a YAML file: only files mentioning a template marker are parsed. */
export function mayBeYamlTemplate(text: string): boolean {
  return /AWSTemplateFormatVersion|AWS::/.test(text);
}

/** A YAML file whose text clearly is a template, so that a syntax error in it deserves a finding. */
export function clearlyYamlTemplate(text: string): boolean {
  return /^["']?AWSTemplateFormatVersion["']?\s*:/m.test(text) || (/^["']?Resources["']?\s*:/m.test(text) && /^\s+["']?Type["']?\s*:\s*["']?AWS::/m.test(text));
}

/** Cheap text test for a JSON file: specific enough that a syntax error in a matching file is worth reporting. */
export function mayBeJsonTemplate(text: string): boolean {
  return /"AWSTemplateFormatVersion"\s*:/.test(text) || (/"Resources"\s*:/.test(text) && /"Type"\s*:\s*"AWS::/.test(text));
}

/** Whether a parsed document is a CloudFormation/SAM template: `AWSTemplateFormatVersion`, or `Resources` with `AWS::` types. */
export function isCloudFormationTemplate(root: DocNode | undefined): root is DocMap {
  if (!isMap(root)) return false;
  if (getEntry(root, 'AWSTemplateFormatVersion')) return true;
  const resources = get(root, 'Resources');
  if (!isMap(resources)) return false;
  return resources.entries.some((e) => {
    const t = get(e.value, 'Type');
    return isScalar(t) && typeof t.value === 'string' && t.value.startsWith('AWS::');
  });
}

// ---------------------------------------------------------------------------------------------
// Loading

export interface TemplateLoadResult {
  roles: Role[];
  providers: OidcProvider[];
  errors: LoadError[];
}

export interface YamlTemplateLoadResult extends TemplateLoadResult {
  /** False when the file is not a template (nothing to report unless it was named explicitly). */
  recognised: boolean;
}

/** Parses a YAML file once and reads it as a template if it is one. */
export function loadYamlTemplate(text: string, file: string, explicit: boolean): YamlTemplateLoadResult {
  const out: YamlTemplateLoadResult = { roles: [], providers: [], errors: [], recognised: false };
  const parsed = parseYaml(text, file, { customTags: CFN_YAML_TAGS });
  const first = parsed.errors[0];
  if (first) {
    if (explicit || clearlyYamlTemplate(text)) {
      out.recognised = true;
      out.errors.push({ type: 'LoadError', kind: first.code === 'LIMIT' ? 'limit' : 'syntax', loc: first.loc, message: `YAML: ${first.message}` });
    }
    return out;
  }
  if (!isCloudFormationTemplate(parsed.root)) return out;
  out.recognised = true;
  if (parsed.documents > 1)
    out.errors.push({ type: 'LoadError', kind: 'structure', loc: startOf(file), message: 'a CloudFormation template must be a single YAML document; only the first was read' });
  const r = readTemplate(parsed.root, file, text);
  pushAll(out.roles, r.roles);
  pushAll(out.providers, r.providers);
  pushAll(out.errors, r.errors);
  return out;
}

const OIDC_PROVIDER_TYPES = new Set(['AWS::IAM::OIDCProvider', 'Custom::AWSCDKOpenIdConnectProvider']);

interface Resource {
  id: string;
  keyLoc: SourceLocation;
  type: string;
  props?: DocMap;
}

/** Reads roles and OIDC providers from a parsed template (YAML or JSON). Problems are returned, never thrown. */
export function readTemplate(root: DocMap, file: string, text: string): TemplateLoadResult {
  const out: TemplateLoadResult = { roles: [], providers: [], errors: [] };
  const problem = (loc: SourceLocation, message: string) => out.errors.push({ type: 'LoadError', kind: 'structure', loc, message });
  const resourcesNode = get(root, 'Resources');
  if (!isMap(resourcesNode)) {
    problem(resourcesNode?.loc ?? root.loc, resourcesNode ? 'Resources must be a mapping of logical ids to resources' : 'template has no Resources');
    return out;
  }
  const resources = new Map<string, Resource>();
  for (const e of resourcesNode.entries) {
    const id = String(e.key.value);
    if (!isMap(e.value)) continue; // `Fn::ForEach::…` and other non-resources
    const t = get(e.value, 'Type');
    if (!isScalar(t) || typeof t.value !== 'string') continue;
    const props = get(e.value, 'Properties');
    resources.set(id, { id, keyLoc: e.key.loc, type: t.value, props: isMap(props) ? props : undefined });
  }
  const params = new Map<string, DocMap>();
  const paramsNode = get(root, 'Parameters');
  if (isMap(paramsNode)) for (const e of paramsNode.entries) if (isMap(e.value)) params.set(String(e.key.value), e.value);
  const mappings = get(root, 'Mappings');
  const conditionsNode = get(root, 'Conditions');
  const ev = new Evaluator(text, params, resources, isMap(mappings) ? mappings : undefined, isMap(conditionsNode) ? conditionsNode : undefined);

  for (const res of resources.values()) {
    const loc = withLocationPath(res.keyLoc, `Resources.${res.id}`);
    if (res.type === 'AWS::IAM::Role' || (res.type === 'AWS::Serverless::Function' && get(res.props, 'AssumeRolePolicyDocument'))) {
      out.roles.push(readRole(res, loc, file, ev, out.errors));
    } else if (OIDC_PROVIDER_TYPES.has(res.type)) {
      const p = readProvider(res, loc, file, ev, problem);
      if (p) out.providers.push(p);
    }
  }
  return out;
}

function readRole(res: Resource, loc: SourceLocation, file: string, ev: Evaluator, errors: LoadError[]): Role {
  const role: Role = { type: 'Role', loc, origin: { format: 'cloudformation', file, logicalId: res.id } };
  const problem = (l: SourceLocation, message: string) => errors.push({ type: 'LoadError', kind: 'structure', loc: l, message });
  if (res.type === 'AWS::IAM::Role') {
    const nameNode = ev.normalize(get(res.props, 'RoleName'));
    if (isScalar(nameNode) && nameNode.value !== null && nameNode.value !== '') {
      role.name = scalarValue(nameNode);
      role.arn = ev.toValue(ev.roleArn(res, nameNode.loc), nameNode.loc, roleArnRaw(res, ev, role.name.value));
    }
  }
  const docEntry = res.props ? getEntry(res.props, 'AssumeRolePolicyDocument') : undefined;
  if (!docEntry) {
    problem(loc, `role ${res.id} has no AssumeRolePolicyDocument`);
    return role;
  }
  const doc = ev.normalize(docEntry.value);
  if (!doc) {
    problem(docEntry.key.loc, `the AssumeRolePolicyDocument of ${res.id} is empty (AWS::NoValue)`);
    return role;
  }
  if (isScalar(doc) && doc.resolution === 'literal' && (doc.value === null || doc.value === '')) {
    problem(doc.loc, `the AssumeRolePolicyDocument of ${res.id} is empty`);
    return role;
  }
  if (!isMap(doc)) {
    const how = isScalar(doc) && doc.resolution === 'literal' ? 'a string' : `computed (${isScalar(doc) ? doc.raw : ev.raw(docEntry.value)})`;
    problem(doc.loc, `the AssumeRolePolicyDocument of ${res.id} is ${how}, not a policy object; its trust policy was not checked`);
    return role;
  }
  const problems: PolicyProblem[] = [];
  role.trustPolicy = readTrustPolicy(doc, role, problems);
  for (const p of problems) problem(p.loc, p.message);
  return role;
}

function roleArnRaw(res: Resource, ev: Evaluator, name: string): string {
  return `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role${ev.rolePath(res)}${name}`;
}

function readProvider(res: Resource, loc: SourceLocation, file: string, ev: Evaluator, problem: (l: SourceLocation, m: string) => void): OidcProvider | undefined {
  const urlNode = ev.normalize(get(res.props, 'Url'));
  if (!isScalar(urlNode) || urlNode.value === null) {
    problem(urlNode?.loc ?? loc, `OIDC provider ${res.id} has no Url`);
    return undefined;
  }
  const url = scalarValue(urlNode);
  const clientIdsNode = get(res.props, 'ClientIdList') ?? get(res.props, 'ClientIDList');
  const provider: OidcProvider = {
    type: 'OidcProvider',
    loc,
    origin: { format: 'cloudformation', file, logicalId: res.id },
    url,
    clientIds: stringList(ev.normalize(clientIdsNode)),
    thumbprints: stringList(ev.normalize(get(res.props, 'ThumbprintList'))),
  };
  const host = url.value.replace(/^https:\/\//i, '');
  provider.arn = ev.toValue(ev.providerArn(res, url.loc), url.loc, `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:oidc-provider/${host}`);
  return provider;
}

// ---------------------------------------------------------------------------------------------
// Intrinsic functions

/** An evaluated string (known and unknown pieces), a list of them, or AWS::NoValue. */
type Ev = EvStr | { kind: 'list'; items: EvStr[]; loc: SourceLocation } | { kind: 'none' };
interface EvStr {
  kind: 'str';
  parts: ValuePart[];
  /** The scalar this value is written on. */
  loc: SourceLocation;
}

const known = (text: string, loc: SourceLocation): EvStr => ({ kind: 'str', parts: text ? [{ text, known: true }] : [], loc });
const unknown = (text: string, loc: SourceLocation): EvStr => ({ kind: 'str', parts: [{ text, known: false }], loc });
const textOf = (e: EvStr) => e.parts.map((p) => p.text).join('');
const allKnown = (e: EvStr) => e.parts.every((p) => p.known);

/** Longest computed string kept; longer ones (only from pathological templates) become unknown. */
const MAX_TEXT = 16_384;

/** Concatenates pieces, merging neighbours of the same kind. */
function concat(pieces: EvStr[], loc: SourceLocation): EvStr {
  let length = 0;
  for (const p of pieces) for (const part of p.parts) length += part.text.length;
  if (length > MAX_TEXT) return unknown('${…}', loc);
  const parts: ValuePart[] = [];
  for (const p of pieces)
    for (const part of p.parts) {
      if (!part.text) continue;
      const last = parts[parts.length - 1];
      if (last && last.known === part.known) last.text += part.text;
      else parts.push({ ...part });
    }
  return { kind: 'str', parts, loc };
}

const PSEUDO_KNOWN: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };
/** Evaluation steps per template; a pathological template degrades to unresolved values, never hangs. */
const MAX_STEPS = 200_000;
/** Possible values of one `!If` (nested ones multiply); past this many it stays one unknown value. */
const MAX_IF_ALTERNATIVES = 16;

/** Longest chain of references between resources that is followed (real templates have a few). */
const MAX_REF_DEPTH = 64;

class Evaluator {
  private readonly lineStarts: number[] = [0];
  private readonly active = new Set<string>();
  private readonly memo = new Map<string, ValuePart[]>();
  private steps = 0;

  constructor(
    private readonly text: string,
    private readonly params: Map<string, DocMap>,
    private readonly resources: Map<string, Resource>,
    private readonly mappings: DocMap | undefined,
    private readonly conditions: DocMap | undefined = undefined,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  private offset(p: Position): number {
    return (this.lineStarts[p.line - 1] ?? this.text.length) + p.column - 1;
  }

  /** Source text of a node on one line, with its short-form tag (`!Sub repo:${Org}/*`). */
  raw(node: DocNode): string {
    const body = oneLine(this.text.slice(this.offset(node.loc.start), this.offset(node.loc.end)).trim());
    return node.tag ? `${node.tag} ${body}` : body;
  }

  /** The function and argument of an intrinsic node, short or long form. */
  private intrinsic(node: DocNode): { fn: string; arg: DocNode } | undefined {
    if (node.tag && SHORT_FORMS[node.tag]) return { fn: SHORT_FORMS[node.tag], arg: { ...node, tag: undefined } as DocNode };
    if (isMap(node) && node.entries.length === 1) {
      const k = String(node.entries[0].key.value);
      const v = node.entries[0].value;
      if ((k === 'Ref' || k === 'Condition') && isScalar(v)) return { fn: k, arg: v };
      if (k.startsWith('Fn::') && !k.startsWith('Fn::ForEach')) return { fn: k, arg: v };
    }
    return undefined;
  }

  /**
   * Replaces every intrinsic in a subtree by the scalar (or list of scalars) it evaluates to.
   * Returns undefined for AWS::NoValue (the property is absent).
   */
  normalize(node: DocNode | undefined): DocNode | undefined {
    if (!node) return undefined;
    const fx = this.intrinsic(node);
    if (fx) {
      if (fx.fn === 'Fn::If') {
        const decided = this.decidedIf(fx.arg);
        if (decided) return decided.branch;
        const branches = this.ifBranches(fx.arg);
        if (!branches.length) return undefined;
        if (branches.some((b) => !isScalar(b))) return branches.find((b) => !isScalar(b)); // a conditional object: read the first variant
        return this.unresolvedIf(node, fx.arg);
      }
      return this.toDoc(this.evalFn(fx.fn, fx.arg, node), node);
    }
    if (isMap(node)) {
      const entries = [];
      for (const e of node.entries) {
        const v = this.normalize(e.value);
        if (v) entries.push({ key: e.key, value: v });
      }
      return { ...node, entries };
    }
    if (isSeq(node)) {
      const items: DocNode[] = [];
      for (const it of node.items) {
        const fx2 = this.intrinsic(it);
        if (fx2?.fn === 'Fn::If') {
          const decided = this.decidedIf(fx2.arg);
          if (decided) {
            if (isSeq(decided.branch)) pushAll(items, decided.branch.items);
            else if (decided.branch) items.push(decided.branch);
            continue;
          }
          // In a list, a conditional object may be either variant: keep both (e.g. two statements).
          const branches = this.ifBranches(fx2.arg);
          if (branches.some((b) => !isScalar(b))) pushAll(items, branches);
          else if (branches.length) items.push(this.unresolvedIf(it, fx2.arg));
          continue;
        }
        const v = this.normalize(it);
        if (isSeq(v) && fx2) pushAll(items, v.items); // a list-valued intrinsic inside a list
        else if (v) items.push(v);
      }
      return { ...node, items };
    }
    // CloudFormation values are strings: keep `123456789012` and `true` as written.
    if (typeof node.value === 'number' || typeof node.value === 'boolean') return { ...node, value: node.raw.replace(/^(["'])(.*)\1$/s, '$2') };
    return node;
  }

  private ifBranches(arg: DocNode): DocNode[] {
    if (!isSeq(arg) || arg.items.length !== 3) return [];
    return arg.items.slice(1).map((b) => this.normalize(b)).filter((b): b is DocNode => !!b);
  }

  /**
   * `!If [Cond, a, b]` on a scalar whose condition the template does not decide: one unknown value
   * (the first variant's text, raw keeping both) whose possible values are the branches, each under
   * its side of the condition (`the condition IsProd is false`).
   */
  private unresolvedIf(node: DocNode, arg: DocNode): DocScalar {
    const name = isSeq(arg) && isScalar(arg.items[0]) ? String(arg.items[0].value ?? '') : '';
    const sides = isSeq(arg) && arg.items.length === 3 ? [arg.items[1], arg.items[2]].map((b) => this.normalize(b)) : [];
    const branches = sides.filter((b): b is DocScalar => !!b && isScalar(b));
    const first = branches[0];
    const text = first.value === null ? '' : String(first.value);
    const whole: DocScalar = { kind: 'scalar', value: text, raw: this.raw(node), loc: withLocationPath(first.loc, node.loc.path), resolution: 'unresolved', parts: [{ text, known: false }] };
    if (!name || sides.length !== 2 || sides.some((b) => b && !isScalar(b))) return whole;
    const alternatives: DocScalar[] = [];
    sides.forEach((b, i) => {
      if (!b) return;
      const when: ValueCondition = { text: `the condition ${name} is ${i === 0}`, isDefault: false, test: `Fn::If ${name}`, yes: i === 0 };
      for (const a of (b as DocScalar).alternatives?.length ? (b as DocScalar).alternatives! : [b as DocScalar]) {
        const { alternatives: _, ...one } = a;
        alternatives.push({ ...one, loc: withLocationPath(one.loc, node.loc.path), when: bothConditions(when, a.when) });
      }
    });
    if (alternatives.length > MAX_IF_ALTERNATIVES) return whole;
    return { ...whole, alternatives: groupAlternatives(alternatives, node.loc) };
  }

  /** `!If [Cond, a, b]` whose condition the template decides (parameter defaults): the branch taken (undefined for AWS::NoValue). */
  private decidedIf(arg: DocNode): { branch: DocNode | undefined } | undefined {
    if (!isSeq(arg) || arg.items.length !== 3 || !isScalar(arg.items[0])) return undefined;
    const v = this.conditionValue(String(arg.items[0].value ?? ''), 0);
    return v === undefined ? undefined : { branch: this.normalize(arg.items[v ? 1 : 2]) };
  }

  /** A named condition's value when the template decides it (`!Equals` of known values, `!Not`, `!And`, `!Or`, `Condition`). */
  private conditionValue(name: string, depth: number): boolean | undefined {
    const def = this.conditions && get(this.conditions, name);
    return def && depth < 16 ? this.conditionOf(def, depth + 1) : undefined;
  }

  private conditionOf(node: DocNode, depth: number): boolean | undefined {
    if (++this.steps > MAX_STEPS || depth > 32) return undefined;
    const fx = this.intrinsic(node);
    if (!fx) return undefined;
    const args = isSeq(fx.arg) ? fx.arg.items : [];
    switch (fx.fn) {
      case 'Condition':
        return isScalar(fx.arg) ? this.conditionValue(String(fx.arg.value ?? ''), depth) : undefined;
      case 'Fn::Not': {
        const v = args.length === 1 ? this.conditionOf(args[0], depth + 1) : undefined;
        return v === undefined ? undefined : !v;
      }
      case 'Fn::And':
      case 'Fn::Or': {
        const vs = args.map((a) => this.conditionOf(a, depth + 1));
        if (fx.fn === 'Fn::And' ? vs.includes(false) : vs.includes(true)) return fx.fn === 'Fn::Or';
        return vs.length && vs.every((v) => v !== undefined) ? fx.fn === 'Fn::And' : undefined;
      }
      case 'Fn::Equals': {
        if (args.length !== 2) return undefined;
        const [a, b] = args.map((x) => this.evaluate(x));
        return a.kind === 'str' && b.kind === 'str' && allKnown(a) && allKnown(b) ? textOf(a) === textOf(b) : undefined;
      }
      default:
        return undefined;
    }
  }

  private toDoc(e: Ev, node: DocNode): DocNode | undefined {
    const path = node.loc.path;
    const raw = this.raw(node);
    if (e.kind === 'none') return undefined;
    if (e.kind === 'list') {
      const items = e.items.map((it, i) => this.scalarOf(it, raw, `${path}[${i}]`));
      return { kind: 'seq', items, loc: withLocationPath(e.loc, path) } as DocSeq;
    }
    return this.scalarOf(e, raw, path);
  }

  private scalarOf(e: EvStr, raw: string, path: string | undefined): DocScalar {
    const s: DocScalar = { kind: 'scalar', value: textOf(e), raw, loc: withLocationPath(e.loc, path), resolution: allKnown(e) ? 'expression' : 'unresolved' };
    if (!allKnown(e)) s.parts = e.parts;
    return s;
  }

  /** A computed value (role or provider ARN) as a model Value. */
  toValue(e: EvStr, loc: SourceLocation, raw: string): Value<string> {
    const v: Value<string> = { value: textOf(e), raw, loc, resolution: allKnown(e) ? 'expression' : 'unresolved' };
    if (!allKnown(e)) v.parts = e.parts;
    return v;
  }

  /** Evaluates any node in a string context. */
  private evaluate(node: DocNode): Ev {
    if (++this.steps > MAX_STEPS) return unknown((this.raw(node)), node.loc);
    const fx = this.intrinsic(node);
    if (fx) {
      if (fx.fn === 'Fn::If') {
        const decided = isSeq(fx.arg) && fx.arg.items.length === 3 && isScalar(fx.arg.items[0]) ? this.conditionValue(String(fx.arg.items[0].value ?? ''), 0) : undefined;
        if (decided !== undefined) return this.evaluate((fx.arg as DocSeq).items[decided ? 1 : 2]);
        const b = isSeq(fx.arg) && fx.arg.items.length === 3 ? fx.arg.items.slice(1).map((x) => this.evaluate(x)).find((x) => x.kind !== 'none') : undefined;
        if (!b || b.kind !== 'str') return unknown((this.raw(node)), node.loc);
        return unknown(textOf(b), b.loc);
      }
      return this.evalFn(fx.fn, fx.arg, node);
    }
    if (isScalar(node)) return known(node.value === null ? '' : typeof node.value === 'string' ? node.value : node.raw, node.loc);
    if (isSeq(node)) {
      const items: EvStr[] = [];
      for (const it of node.items) {
        const e = this.evaluate(it);
        if (e.kind === 'str') items.push(e);
        else if (e.kind === 'list') pushAll(items, e.items);
      }
      return { kind: 'list', items, loc: node.loc };
    }
    return unknown((this.raw(node)), node.loc);
  }

  private str(node: DocNode | undefined, fallbackLoc: SourceLocation): EvStr {
    if (!node) return unknown('', fallbackLoc);
    const e = this.evaluate(node);
    return e.kind === 'str' ? e : unknown((this.raw(node)), node.loc);
  }

  private evalFn(fn: string, arg: DocNode, node: DocNode): Ev {
    const opaque = () => unknown((this.raw(node)), arg.loc);
    const args = isSeq(arg) ? arg.items : undefined;
    switch (fn) {
      case 'Ref': {
        if (!isScalar(arg)) return opaque();
        return this.ref(String(arg.value ?? ''), arg.loc);
      }
      case 'Fn::Sub': {
        const tpl = args ? args[0] : arg;
        const vars = args && isMap(args[1]) ? args[1] : undefined;
        if (!tpl) return opaque();
        const t = this.str(tpl, arg.loc);
        if (!allKnown(t)) return unknown(textOf(t), t.loc);
        return this.sub(textOf(t), vars, t.loc);
      }
      case 'Fn::GetAtt': {
        let res: string | undefined;
        let attr: string | undefined;
        if (isScalar(arg) && typeof arg.value === 'string') {
          const dot = arg.value.indexOf('.');
          if (dot > 0) [res, attr] = [arg.value.slice(0, dot), arg.value.slice(dot + 1)];
        } else if (args && args.length === 2) {
          const [r, a] = [this.str(args[0], arg.loc), this.str(args[1], arg.loc)];
          if (allKnown(r) && allKnown(a)) [res, attr] = [textOf(r), textOf(a)];
        }
        return res && attr ? this.getAtt(res, attr, arg.loc) : opaque();
      }
      case 'Fn::Join': {
        if (!args || args.length !== 2) return opaque();
        const delim = this.str(args[0], arg.loc);
        const list = this.evaluate(args[1]);
        if (!allKnown(delim) || list.kind !== 'list') return opaque();
        const pieces: EvStr[] = [];
        list.items.forEach((it, i) => {
          if (i) pieces.push(delim);
          pieces.push(it);
        });
        return concat(pieces, arg.loc);
      }
      case 'Fn::Select': {
        if (!args || args.length !== 2) return opaque();
        const idx = this.str(args[0], arg.loc);
        const list = this.evaluate(args[1]);
        const n = allKnown(idx) ? Number(textOf(idx)) : NaN;
        if (!Number.isInteger(n) || list.kind !== 'list' || !list.items[n]) return opaque();
        return list.items[n];
      }
      case 'Fn::Split': {
        if (!args || args.length !== 2) return opaque();
        const delim = this.str(args[0], arg.loc);
        const src = this.str(args[1], arg.loc);
        if (!allKnown(delim) || !allKnown(src) || !textOf(delim)) return opaque();
        return { kind: 'list', items: textOf(src).split(textOf(delim)).map((s) => known(s, arg.loc)), loc: arg.loc };
      }
      case 'Fn::FindInMap': {
        if (!args || args.length < 3 || !this.mappings) return opaque();
        const keys = args.slice(0, 3).map((a) => this.str(a, arg.loc));
        if (!keys.every(allKnown)) return opaque();
        const found = get(get(get(this.mappings, textOf(keys[0])), textOf(keys[1])), textOf(keys[2]));
        if (isScalar(found)) return known(found.value === null ? '' : typeof found.value === 'string' ? found.value : found.raw, arg.loc);
        if (isSeq(found) && found.items.every(isScalar)) return { kind: 'list', items: found.items.map((s) => known(String((s as DocScalar).value ?? ''), arg.loc)), loc: arg.loc };
        return opaque();
      }
      default:
        // ImportValue, GetAZs, Base64, Cidr, Transform, conditions…: not known statically.
        return opaque();
    }
  }

  private ref(name: string, loc: SourceLocation): Ev {
    if (name === 'AWS::NoValue') return { kind: 'none' };
    if (Object.hasOwn(PSEUDO_KNOWN, name)) return known(PSEUDO_KNOWN[name], loc);
    if (name.startsWith('AWS::')) return unknown(`\${${name}}`, loc);
    const param = this.params.get(name);
    if (param) {
      const typeNode = get(param, 'Type');
      const type = isScalar(typeNode) ? String(typeNode.value ?? '') : 'String';
      const isList = /^(CommaDelimitedList|List<.*>)$/.test(type);
      const def = get(param, 'Default');
      // An SSM parameter type's default is the parameter *name*, not its value.
      if (!def || type.startsWith('AWS::SSM::Parameter::Value') || (isScalar(def) && def.value === null)) {
        const u = unknown(`\${${name}}`, loc);
        return isList ? { kind: 'list', items: [u], loc } : u;
      }
      const text = isScalar(def) ? (typeof def.value === 'string' ? def.value : def.raw) : undefined;
      if (text === undefined) return unknown(`\${${name}}`, loc);
      return isList ? { kind: 'list', items: text.split(',').map((s) => known(s, loc)), loc } : known(text, loc);
    }
    const res = this.resources.get(name);
    if (res) {
      if (OIDC_PROVIDER_TYPES.has(res.type)) return this.providerArn(res, loc);
      if (res.type === 'AWS::IAM::Role') {
        const n = get(res.props, 'RoleName');
        if (n) return this.guard(res, 'name', () => this.str(n, loc), loc);
      }
    }
    return unknown(`\${${name}}`, loc);
  }

  private getAtt(res: string, attr: string, loc: SourceLocation): EvStr {
    const r = this.resources.get(res);
    if (r && attr === 'Arn') {
      if (OIDC_PROVIDER_TYPES.has(r.type)) return this.providerArn(r, loc);
      if (r.type === 'AWS::IAM::Role') return this.roleArn(r, loc);
    }
    return unknown(`\${${res}.${attr}}`, loc);
  }

  private sub(template: string, vars: DocMap | undefined, loc: SourceLocation): EvStr {
    const pieces: EvStr[] = [];
    let last = 0;
    // Each `${` up to the first `}` after it, as /\$\{([^}]*)\}/g matches, in linear time (the
    // expression rescanned to the end from every `${` of a template that never closes one).
    for (;;) {
      const open = template.indexOf('${', last);
      if (open < 0) break;
      const close = template.indexOf('}', open + 2);
      if (close < 0) break;
      pieces.push(known(template.slice(last, open), loc));
      last = close + 1;
      const inner = template.slice(open + 2, close);
      if (inner.startsWith('!')) {
        pieces.push(known(`\${${inner.slice(1)}}`, loc)); // `${!Literal}` renders as `${Literal}`
        continue;
      }
      const name = inner.trim();
      const v = vars ? getEntryIndexed(vars, name)?.value : undefined;
      let e: Ev;
      if (v) e = this.evaluate(v);
      else if (!name.startsWith('AWS::') && name.includes('.')) {
        const dot = name.indexOf('.');
        e = this.getAtt(name.slice(0, dot), name.slice(dot + 1), loc);
      } else e = this.ref(name, loc);
      pieces.push(e.kind === 'str' ? e : unknown(`\${${name}}`, loc));
    }
    pieces.push(known(template.slice(last), loc));
    return concat(pieces, loc);
  }

  /**
   * Evaluates a property of another resource once (memoised; the result is re-anchored at the
   * referring position) and breaks reference cycles by making the inner reference unknown. A chain
   * of references longer than MAX_REF_DEPTH is cut the same way: at a fixed depth, not where the
   * stack happens to run out (which depends on the thread and on what is compiled).
   */
  private guard(res: Resource, what: string, f: () => EvStr, loc: SourceLocation): EvStr {
    const key = `${res.id}:${what}`;
    const cached = this.memo.get(key);
    if (cached) return { kind: 'str', parts: cached.map((p) => ({ ...p })), loc };
    if (this.active.has(key) || this.active.size >= MAX_REF_DEPTH) return unknown(`\${${res.id}}`, loc);
    this.active.add(key);
    try {
      const e = f();
      this.memo.set(key, e.parts);
      return { ...e, loc };
    } finally {
      this.active.delete(key);
    }
  }

  /** `arn:aws:iam::${AWS::AccountId}:oidc-provider/<Url without https://>`. */
  providerArn(res: Resource, loc: SourceLocation): EvStr {
    return this.guard(
      res,
      'arn',
      () => {
        const urlNode = get(res.props, 'Url');
        if (!urlNode) return unknown(`\${${res.id}}`, loc);
        const url = this.str(urlNode, loc);
        const parts = url.parts.map((p, i) => (i === 0 && p.known ? { ...p, text: p.text.replace(/^https:\/\//i, '') } : p));
        return concat([known('arn:aws:iam::', loc), unknown('${AWS::AccountId}', loc), known(':oidc-provider/', loc), { kind: 'str', parts, loc }], loc);
      },
      loc,
    );
  }

  rolePath(res: Resource): string {
    const p = get(res.props, 'Path');
    return isScalar(p) && typeof p.value === 'string' && /^\/(.*\/)?$/.test(p.value) ? p.value : '/';
  }

  /** `arn:aws:iam::${AWS::AccountId}:role/<Path><RoleName>`; the name is unknown when CloudFormation generates it. */
  roleArn(res: Resource, loc: SourceLocation): EvStr {
    return this.guard(
      res,
      'arn',
      () => {
        const n = get(res.props, 'RoleName');
        const name = n ? this.str(n, loc) : unknown(`\${${res.id}}`, loc);
        return concat([known('arn:aws:iam::', loc), unknown('${AWS::AccountId}', loc), known(`:role${this.rolePath(res)}`, loc), name], loc);
      },
      loc,
    );
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}

function startOf(file: string): SourceLocation {
  return { file, start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
}
