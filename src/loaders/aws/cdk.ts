/**
 * AWS CDK TypeScript: IAM roles and OIDC providers read from `.ts` source — parsed with
 * typescript-estree, never executed (domain.md §D.3).
 *
 * What is understood: `new iam.Role(scope, id, { assumedBy, roleName, path })` (also `LazyRole`,
 * `CfnRole` with `assumeRolePolicyDocument`, and classes that `extends iam.Role` through their
 * `super(…)` call); the principals WebIdentityPrincipal, OpenIdConnectPrincipal, FederatedPrincipal
 * (third argument, default `sts:AssumeRole`), Service/Arn/Account/Any/Star/Organization principals,
 * CompositePrincipal (one statement per component), `.withConditions(…)`, `.withSessionTags()`;
 * `role.assumeRolePolicy.addStatements(new iam.PolicyStatement({…}) | PolicyStatement.fromJson(…))`;
 * the providers OpenIdConnectProvider, OidcProviderNative, CfnOIDCProvider and references to
 * existing ones (`fromOpenIdConnectProviderArn`, `fromOidcProviderArn`); the third-party
 * `GithubActionsRole` / `GithubActionsIdentityProvider` of aws-cdk-github-oidc and
 * @blimmer/cdk-github-oidc, whose generated trust policy is modelled.
 *
 * `role.addToPolicy(…)` / `addToPrincipalPolicy(…)` change the role's permissions policy, not its
 * trust policy, and are deliberately not read.
 *
 * Every role becomes the same policy DocNode other formats produce and goes through
 * `policy-doc.ts`, so every trust-policy rule works unchanged. Values the source does not fix are
 * `unresolved` with their source text (`${props.repo}`) and `parts`. A statement whose conditions
 * cannot be read completely (conditions passed in from elsewhere, an unknown spread) is left out
 * rather than reported as missing a condition.
 *
 * Cost: typescript-estree (and TypeScript with it) is imported on the first file that passes the
 * cheap text check `mayBeCdkIam`; a repository without such files never loads it.
 */
import type { TSESTree } from '@typescript-eslint/typescript-estree';
import type { DocEntry, DocMap, DocNode, DocScalar } from '../shared/doc.js';
import { scalarValue } from '../shared/doc.js';
import { readTrustPolicy, type PolicyProblem } from './policy-doc.js';
import type { OidcProvider, Role } from '../../model/iam.js';
import { bothConditions, groupAlternatives, type Resolution, type SourceLocation, type Value, type ValueCondition, type ValuePart } from '../../model/location.js';
import type { LoadError } from '../../model/project.js';
import {
  ACCOUNT,
  PARTITION,
  collect,
  CdkBudgetError,
  createEvaluator,
  GITHUB_ISSUER,
  joinParts,
  known,
  partsKnown,
  partsText,
  providerArnParts,
  unknownPart,
  type Ctx,
  type Evaluator,
  type N,
  type ObjEntry,
  type ObjVal,
  type PrincipalC,
  type ProviderC,
  type RoleC,
  type StrVal,
  type Val,
} from './cdk-eval.js';
import { importLazily } from '../../lazy-import.js';

/**
 * Files larger than this are not parsed (a `limit` LoadError says so). TypeScript parses in linear
 * time, about 0.25–1 MB/s on a busy 2-core machine, so this bounds one file to a second or two;
 * hand-written stacks are far smaller (deep nesting is bounded separately).
 */
export const MAX_CDK_PARSE_BYTES = 512 * 1024;

const CDK_IAM_HINT = /aws[-_]iam|WebIdentityPrincipal|OpenIdConnect(?:Principal|Provider)|OidcProviderNative|FederatedPrincipal|GithubActions(?:Role|IdentityProvider)|cdk-github-oidc/;

/** Cheap test, no parsing: a `.ts` file (not `.d.ts`) that mentions CDK IAM or the GitHub OIDC constructs. */
/** A TypeScript file that may be CDK code, by its path: `.ts`, not a declaration file, not in node_modules. */
export function isCdkPath(relPath: string): boolean {
  return /\.ts$/i.test(relPath) && !/\.d\.ts$/i.test(relPath) && !/(^|\/)node_modules\//.test(relPath);
}

export function mayBeCdkIam(relPath: string, text: string): boolean {
  return isCdkPath(relPath) && CDK_IAM_HINT.test(text);
}

type Estree = typeof import('@typescript-eslint/typescript-estree');
let estree: Promise<Estree> | undefined;
/** typescript-estree, imported once, on first use. */
function loadEstree(): Promise<Estree> {
  estree ??= importLazily<Estree>('@typescript-eslint/typescript-estree');
  return estree;
}
/** Whether the parser has been imported in this process (for the lazy-loading test). */
export function cdkParserLoaded(): boolean {
  return estree !== undefined;
}

export interface CdkLoadResult {
  roles: Role[];
  providers: OidcProvider[];
  errors: LoadError[];
}

/** Loads one CDK TypeScript file. Never throws for bad input: problems become LoadErrors. */
export async function loadCdk(text: string, file: string): Promise<CdkLoadResult> {
  const result: CdkLoadResult = { roles: [], providers: [], errors: [] };
  const at1 = { line: 1, column: 1 };
  if (text.length > MAX_CDK_PARSE_BYTES) {
    result.errors.push({ type: 'LoadError', kind: 'limit', loc: { file, start: at1, end: at1 }, message: `TypeScript file is ${(text.length / 1024).toFixed(0)} KiB, over the ${MAX_CDK_PARSE_BYTES / 1024} KiB the CDK loader parses; its IAM roles were not read` });
    return result;
  }
  const { parse } = await loadEstree();
  let program: TSESTree.Program;
  try {
    program = parse(text, { loc: true, range: true, comment: false, jsx: false });
  } catch (e) {
    const err = e as { location?: { start: { line: number; column: number } }; message?: string };
    if (err.location) {
      const p = { line: err.location.start.line, column: err.location.start.column + 1 };
      result.errors.push({ type: 'LoadError', kind: 'syntax', loc: { file, start: p, end: p }, message: `TypeScript: ${String(err.message).replace(/\s+/g, ' ')}` });
    } else if (e instanceof RangeError) {
      result.errors.push({ type: 'LoadError', kind: 'limit', loc: { file, start: at1, end: at1 }, message: 'TypeScript nested too deeply to parse; its IAM roles were not read' });
    } else throw e;
    return result;
  }
  try {
    analyseProgram(program, text, file, result);
  } catch (e) {
    if (e instanceof CdkBudgetError) {
      result.roles = [];
      result.providers = [];
      result.errors.push({ type: 'LoadError', kind: 'limit', loc: locOf(file, e.node), message: `TypeScript: ${e.message}; the IAM roles of this file were not read` });
      return result;
    }
    // The parser survived the nesting but the analysis did not: keep what was found, say what was not.
    if (!(e instanceof RangeError)) throw e;
    result.errors.push({ type: 'LoadError', kind: 'limit', loc: { file, start: at1, end: at1 }, message: 'TypeScript nested too deeply to analyse; some IAM roles may not have been read' });
  }
  return result;
}

/** The analysis of a parsed program (exported for the Python loader, which translates Python into the same ESTree shapes). */
export function analyseProgram(program: TSESTree.Program, text: string, file: string, result: CdkLoadResult): void {
  const collected = collect(program);
  if (collected.truncatedAt) {
    const loc = locOf(file, collected.truncatedAt);
    result.errors.push({ type: 'LoadError', kind: 'limit', loc, message: 'expression nested too deeply; the code below this point was not analysed' });
  }
  const ev = createEvaluator(text, collected);
  for (const { node, ctx } of collected.news) {
    const c = ev.evaluate(node.callee, ctx);
    if (c.kind === 'class') ev.evaluate(node, ctx);
  }
  for (const { node, ctx } of collected.superCalls) evaluateSuper(ev, node, ctx);
  for (const { node, ctx } of collected.calls) {
    const callee = node.callee;
    if (callee.type !== 'MemberExpression' || callee.computed || callee.property.type !== 'Identifier' || callee.property.name !== 'addStatements') continue;
    const target = ev.evaluate(callee.object, ctx);
    if (target.kind !== 'role') continue;
    for (const a of node.arguments) target.r.added.push({ val: a.type === 'SpreadElement' ? { kind: 'unknown', node: a } : ev.evaluate(a, ctx), node: a });
  }
  const b = new Builder(file, ev);
  for (const r of [...ev.roles].sort((x, y) => x.node.range[0] - y.node.range[0])) {
    const problems: PolicyProblem[] = [];
    result.roles.push(b.role(r, problems));
    for (const p of problems) result.errors.push({ type: 'LoadError', kind: 'structure', loc: p.loc, message: p.message });
  }
  for (const p of [...ev.providers].filter((x) => x.defined).sort((x, y) => x.node.range[0] - y.node.range[0])) result.providers.push(b.provider(p));
}

/** `super(scope, id, props)` inside `class X extends iam.Role` defines a role too. */
function evaluateSuper(ev: Evaluator, node: TSESTree.CallExpression, ctx: Ctx): void {
  const sup = ctx.cls?.superClass;
  if (!sup) return;
  const c = ev.evaluate(sup.expr, sup.ctx);
  if (c.kind !== 'class') return;
  // Evaluate as if it were `new <SuperClass>(…)` at the super call.
  const synthetic = { ...node, type: 'NewExpression', callee: sup.expr } as unknown as TSESTree.NewExpression;
  ev.evaluate(synthetic, ctx);
}

/** 1-based position of an ESTree node (ESTree lines are 1-based, columns 0-based). */
export function locOf(file: string, node: N, path?: string): SourceLocation {
  const loc: SourceLocation = {
    file,
    start: { line: node.loc.start.line, column: node.loc.start.column + 1 },
    end: { line: node.loc.end.line, column: node.loc.end.column + 1 },
  };
  if (path !== undefined) loc.path = path;
  return loc;
}

type PrincipalVal = Extract<Val, { kind: 'principal' }>;

/** Turns evaluated values into the format-neutral policy DocNode, then into model nodes. */
class Builder {
  constructor(
    private readonly file: string,
    private readonly ev: Evaluator,
  ) {}

  private loc(node: N): SourceLocation {
    return locOf(this.file, node);
  }

  /** A scalar the construct writes (CDK defaults, GitHub construct output), placed at `at`. */
  private synth(value: string, at: N, raw = ''): DocScalar {
    return { kind: 'scalar', value, raw, loc: this.loc(at), resolution: 'expression' };
  }

  private strScalar(v: StrVal, at?: N): DocScalar {
    const node = at ?? v.node;
    const allKnown = partsKnown(v.parts);
    const resolution: Resolution = !allKnown ? 'unresolved' : v.computed || at ? 'expression' : 'literal';
    const s: DocScalar = { kind: 'scalar', value: partsText(v.parts), raw: this.ev.text(node), loc: this.loc(node), resolution };
    if (!allKnown) s.parts = v.parts.map((p) => ({ ...p }));
    return s;
  }

  private unresolved(node: N): DocScalar {
    const parts: ValuePart[] = this.ev.strParts({ kind: 'unknown', node });
    return { kind: 'scalar', value: partsText(parts), raw: this.ev.text(node), loc: this.loc(node), resolution: 'unresolved', parts };
  }

  /** Any evaluated value as a DocNode; `at` moves a scalar to its use site. */
  doc(v: Val, at?: N): DocNode {
    switch (v.kind) {
      case 'str':
        return this.strScalar(v, at);
      case 'num':
      case 'bool':
        return { kind: 'scalar', value: v.value, raw: this.ev.text(v.node), loc: this.loc(at ?? v.node), resolution: 'literal' };
      case 'null':
        return { kind: 'scalar', value: null, raw: 'null', loc: this.loc(at ?? v.node), resolution: 'literal' };
      case 'obj':
        return this.map(v);
      case 'arr':
        return { kind: 'seq', items: v.items.filter((x) => x.kind !== 'undef').map((x) => this.doc(x)), loc: this.loc(v.node) };
      case 'alt':
        return this.possible(v, at);
      default:
        return this.unresolved(at ?? v.node);
    }
  }

  /**
   * Possible values (a `??`, ternary or default whose input is not known): one unresolved scalar
   * whose alternatives are the scalar options, each with its input (an absent option gives no
   * value); options that are lists give one list of every element, each under its option's input.
   */
  private possible(v: Extract<Val, { kind: 'alt' }>, at?: N): DocNode {
    const scalarish = (x: Val): boolean =>
      x.kind === 'str' || x.kind === 'num' || x.kind === 'bool' || x.kind === 'null' || x.kind === 'unknown' || x.kind === 'undef' || (x.kind === 'alt' && x.options.every((o) => scalarish(o.val)));
    const withWhen = (d: DocNode, when: ValueCondition): DocScalar[] =>
      d.kind !== 'scalar'
        ? []
        : (d.alternatives ?? [d]).map(({ alternatives: _, ...one }) => {
            const w = bothConditions(when, one.when);
            return w ? { ...one, when: w } : one;
          });
    if (v.options.every((o) => scalarish(o.val))) {
      const whole = this.unresolved(at ?? v.node);
      whole.alternatives = groupAlternatives(
        v.options.filter((o) => o.val.kind !== 'undef').flatMap((o) => withWhen(this.doc(o.val, at), o.when)),
        whole.loc,
      );
      return whole;
    }
    const lists = v.options.every((o) => o.val.kind === 'unknown' || (o.val.kind === 'arr' && o.val.items.every(scalarish)));
    if (lists) {
      const items = v.options.flatMap((o) => (o.val.kind === 'arr' ? o.val.items.filter((x) => x.kind !== 'undef') : [o.val]).flatMap((x) => withWhen(this.doc(x), o.when)));
      const loc = this.loc(at ?? v.node);
      return { kind: 'seq', items: groupAlternatives(items, loc), loc };
    }
    return this.unresolved(at ?? v.node);
  }

  /** An object literal as a map; later duplicate keys win (JavaScript semantics); `undefined` values are dropped (as CDK renders them). */
  private map(v: ObjVal): DocMap {
    const entries = dedupe(v.entries).filter((e) => e.value.kind !== 'undef');
    return { kind: 'map', loc: this.loc(v.node), entries: entries.map((e) => ({ key: this.strScalar(e.key), value: this.doc(e.value) })) };
  }

  private seqOrOne(items: DocNode[], at: N): DocNode {
    return items.length === 1 ? items[0] : { kind: 'seq', items, loc: this.loc(at) };
  }

  role(r: RoleC, problems: PolicyProblem[]): Role {
    const logical = r.id?.kind === 'str' && partsKnown(r.id.parts) ? partsText(r.id.parts) : undefined;
    const prefix = logical ?? `role@${r.node.loc.start.line}`;
    const role: Role = { type: 'Role', loc: locOf(this.file, r.node, prefix), origin: { format: 'cdk', file: this.file, logicalId: logical } };
    const props = r.props;
    const nameV = this.ev.prop(props, 'roleName');
    if (nameV && nameV.kind !== 'undef') {
      role.name = scalarValue(this.scalarOf(nameV, `${prefix}.roleName`));
      const pathV = this.ev.prop(props, 'path');
      const pathParts = pathV && pathV.kind !== 'undef' ? this.ev.strParts(pathV) : known('/');
      const parts = joinParts(known('arn:'), PARTITION, known(':iam::'), ACCOUNT, known(':role'), pathParts, this.ev.strParts(nameV));
      role.arn = { value: partsText(parts), raw: role.name.raw, loc: role.name.loc, resolution: 'unresolved', parts };
    }
    const root = this.trustDocument(r);
    if (root) {
      assignPaths(root, prefix);
      role.trustPolicy = readTrustPolicy(root, role, problems);
    }
    return role;
  }

  private scalarOf(v: Val, path: string): DocScalar {
    const d = this.doc(v);
    const s = d.kind === 'scalar' ? d : this.unresolved(v.node);
    s.loc.path = path;
    return s;
  }

  /** The role's trust policy document, or undefined when nothing about it is statically known. */
  private trustDocument(r: RoleC): DocNode | undefined {
    const statements: DocNode[] = [];
    let anchor: N = r.node;
    let knownSource = false;
    if (r.cls === 'CfnRole') {
      const d = this.ev.prop(r.props, 'assumeRolePolicyDocument');
      if (d?.kind === 'obj') return this.rawDocument(d);
      if (d?.kind === 'document') {
        const raw = d.d.json;
        if (raw?.kind === 'obj') return this.rawDocument(raw);
        anchor = d.node;
        knownSource = this.documentStatements(d.d.statements, statements);
      }
    } else if (r.cls === 'GithubActionsRole') {
      const st = r.lib === 'blimmer' ? this.blimmerStatement(r) : this.acgoStatement(r);
      if (st) statements.push(st);
      knownSource = !!st;
    } else {
      const by = this.ev.prop(r.props, 'assumedBy');
      if (by?.kind === 'principal') {
        anchor = by.node;
        const sts = this.principalStatements(by.p);
        if (sts) {
          statements.push(...sts);
          knownSource = true;
        }
      }
    }
    for (const a of r.added) {
      const st = this.statementOf(a.val);
      if (st) {
        statements.push(st);
        knownSource = true;
      }
    }
    if (!knownSource) return undefined;
    return {
      kind: 'map',
      loc: this.loc(anchor),
      entries: [
        { key: this.synth('Version', anchor), value: this.synth('2012-10-17', anchor) },
        { key: this.synth('Statement', anchor), value: { kind: 'seq', items: statements, loc: this.loc(anchor) } },
      ],
    };
  }

  /** A policy document written as a JSON-like object literal (CfnRole, fromJson): statements that are not completely known are left out. */
  private rawDocument(d: ObjVal): DocNode {
    const doc = this.map(d);
    const stEntry = doc.entries.find((e) => String(e.key.value).toLowerCase() === 'statement');
    const stVal = dedupe(d.entries).find((e) => partsText(e.key.parts).toLowerCase() === 'statement')?.value;
    if (stEntry && stVal?.kind === 'arr') {
      const items: DocNode[] = [];
      stVal.items.forEach((it) => {
        if (it.kind === 'obj' && deepComplete(it)) items.push(this.doc(it));
      });
      stEntry.value = { kind: 'seq', items, loc: this.loc(stVal.node) };
    } else if (stEntry && stVal?.kind === 'obj' && !deepComplete(stVal)) stEntry.value = { kind: 'seq', items: [], loc: this.loc(stVal.node) };
    else if (stEntry && stVal && stVal.kind !== 'obj') stEntry.value = { kind: 'seq', items: [], loc: this.loc(stVal.node) };
    return doc;
  }

  private documentStatements(list: Val | undefined, out: DocNode[]): boolean {
    if (list?.kind !== 'arr') return false;
    let any = false;
    for (const it of list.items) {
      const st = this.statementOf(it);
      if (st) {
        out.push(st);
        any = true;
      }
    }
    return any;
  }

  /** A `PolicyStatement` (constructed or fromJson) as a statement map; undefined when not completely known. */
  private statementOf(v: Val): DocNode | undefined {
    if (v.kind !== 'statement') return undefined;
    const s = v.s;
    if (s.json) return s.json.kind === 'obj' && deepComplete(s.json) ? this.doc(s.json) : undefined;
    const props = s.props;
    if (!props || props.kind !== 'obj' || !props.complete) return undefined;
    const get = (k: string) => {
      const x = this.ev.prop(props, k);
      return x && x.kind !== 'undef' ? x : undefined;
    };
    const entries: DocEntry[] = [];
    const effect = get('effect');
    entries.push({ key: this.synth('Effect', s.callee), value: effect ? this.doc(effect) : this.synth('Allow', s.callee) });
    const conditions: Val[] = [];
    const cond = get('conditions');
    if (cond) conditions.push(cond);
    for (const [prop, key] of [
      ['principals', 'Principal'],
      ['notPrincipals', 'NotPrincipal'],
    ] as const) {
      const list = get(prop);
      if (!list) continue;
      if (list.kind !== 'arr') return undefined;
      const flat: PrincipalC[] = [];
      for (const p of list.items) {
        if (p.kind !== 'principal') return undefined;
        flat.push(...(p.p.components ?? [p.p]));
      }
      for (const p of flat) conditions.push(...p.conditions);
      entries.push({ key: this.synth(key, list.node), value: this.principalMap(flat, list.node) });
    }
    for (const [prop, key] of [
      ['actions', 'Action'],
      ['notActions', 'NotAction'],
      ['sid', 'Sid'],
    ] as const) {
      const x = get(prop);
      if (x) entries.push({ key: this.synth(key, x.node), value: this.doc(x) });
    }
    if (conditions.length) {
      const merged = this.conditionMap(conditions);
      if (merged === undefined) return undefined;
      if (merged) entries.push({ key: this.synth('Condition', (cond ?? conditions[0]).node), value: merged });
    }
    return { kind: 'map', loc: this.loc(s.node), entries };
  }

  /** `{ Federated: …, AWS: [...] }` from principals (values at their use sites). */
  private principalMap(ps: PrincipalC[], at: N): DocNode {
    const byKind = new Map<string, { items: DocNode[]; callee: N }>();
    for (const p of ps)
      for (const j of p.json) {
        const cur = byKind.get(j.kind) ?? { items: [], callee: p.callee };
        cur.items.push(this.principalValue(j.value, j.at));
        byKind.set(j.kind, cur);
      }
    const star = byKind.get('*');
    if (star && byKind.size === 1) return star.items[0];
    const entries: DocEntry[] = [];
    for (const [kind, { items, callee }] of byKind) entries.push({ key: this.synth(kind, callee), value: this.seqOrOne(items, at) });
    return { kind: 'map', loc: this.loc(at), entries };
  }

  /** A principal id: a string shown at the argument that names it (the use site), even when it comes from a constant. */
  private principalValue(v: Val, at: N): DocNode {
    if (v.kind === 'str') return this.strScalar(v, at === v.node ? undefined : at);
    if (v.kind === 'arr') return this.doc(v);
    return this.doc(v, at);
  }

  /** One statement per principal (per component of a CompositePrincipal); undefined when a condition set is not completely known. */
  private principalStatements(p: PrincipalC): DocNode[] | undefined {
    if (p.components) {
      const out: DocNode[] = [];
      for (const c of p.components) {
        const sts = this.principalStatements(p.sessionTags ? { ...c, sessionTags: p.sessionTags } : c);
        if (!sts) return undefined;
        out.push(...sts);
      }
      return out;
    }
    const entries: DocEntry[] = [
      { key: this.synth('Effect', p.callee), value: this.synth('Allow', p.callee) },
      { key: this.synth('Principal', p.callee), value: this.principalMap([p], p.node) },
    ];
    const action: DocNode = p.action.val ? this.doc(p.action.val) : this.synth(p.action.text, p.action.at, this.ev.text(p.action.at));
    entries.push({ key: this.synth('Action', p.action.at), value: p.sessionTags ? { kind: 'seq', items: [action, this.synth('sts:TagSession', p.sessionTags, this.ev.text(p.sessionTags))], loc: this.loc(p.node) } : action });
    if (p.conditions.length) {
      const merged = this.conditionMap(p.conditions);
      if (merged === undefined) return undefined;
      if (merged) entries.push({ key: this.synth('Condition', p.conditions[0].node), value: merged });
    }
    return [{ kind: 'map', loc: this.loc(p.node), entries }];
  }

  /**
   * Merges condition objects as CDK does (`withConditions`, principals added to a statement): an
   * operator present in several is merged key by key, later keys winning. Returns undefined when
   * an operator or key is not statically known, null when there is no condition at all.
   */
  private conditionMap(list: Val[]): DocMap | null | undefined {
    const ops = new Map<string, { key: StrVal; entries: ObjEntry[]; node: N }>();
    let first: N | undefined;
    for (const v of list) {
      if (v.kind === 'undef' || v.kind === 'null') continue;
      if (v.kind !== 'obj' || !v.complete) return undefined;
      first ??= v.node;
      for (const e of dedupe(v.entries)) {
        if (e.value.kind === 'undef') continue;
        if (e.value.kind !== 'obj' || !e.value.complete) return undefined;
        const op = partsText(e.key.parts);
        const cur = ops.get(op);
        if (!cur) ops.set(op, { key: e.key, entries: dedupe(e.value.entries), node: e.value.node });
        else cur.entries = dedupe([...cur.entries, ...e.value.entries]);
      }
    }
    if (!ops.size || !first) return null;
    const entries: DocEntry[] = [];
    for (const { key, entries: inner, node } of ops.values())
      entries.push({ key: this.strScalar(key), value: { kind: 'map', loc: this.loc(node), entries: inner.filter((e) => e.value.kind !== 'undef').map((e) => ({ key: this.strScalar(e.key), value: this.doc(e.value) })) } });
    return { kind: 'map', loc: this.loc(first), entries };
  }

  /** The GitHub OIDC provider ARN the construct trusts: the `provider` prop's ARN, else the GitHub provider ARN of an unknown account. */
  private constructFederated(r: RoleC): DocNode {
    const provider = this.ev.prop(r.props, 'provider');
    const at = provider && provider.kind !== 'undef' ? provider.node : r.callee;
    if (provider?.kind === 'provider') return this.strScalar({ kind: 'str', parts: provider.p.arn, node: at, computed: true }, at);
    return this.strScalar({ kind: 'str', parts: providerArnParts(known(GITHUB_ISSUER)), node: at, computed: true }, at);
  }

  /** The statement a GitHub-construct role renders (domain.md §D.3). */
  private constructStatement(r: RoleC, subOperator: string, subjects: DocNode[] | undefined): DocNode {
    const c = r.callee;
    const conds: DocEntry[] = [];
    if (subjects) conds.push({ key: this.synth(subOperator, c), value: { kind: 'map', loc: this.loc(c), entries: [{ key: this.synth(`${GITHUB_ISSUER}:sub`, c), value: { kind: 'seq', items: subjects, loc: this.loc(c) } }] } });
    conds.push({ key: this.synth('StringEquals', c), value: { kind: 'map', loc: this.loc(c), entries: [{ key: this.synth(`${GITHUB_ISSUER}:aud`, c), value: this.synth('sts.amazonaws.com', c) }] } });
    return {
      kind: 'map',
      loc: this.loc(r.node),
      entries: [
        { key: this.synth('Effect', c), value: this.synth('Allow', c) },
        { key: this.synth('Principal', c), value: { kind: 'map', loc: this.loc(c), entries: [{ key: this.synth('Federated', c), value: this.constructFederated(r) }] } },
        { key: this.synth('Action', c), value: this.synth('sts:AssumeRoleWithWebIdentity', c) },
        { key: this.synth('Condition', c), value: { kind: 'map', loc: this.loc(c), entries: conds } },
      ],
    };
  }

  /** aws-cdk-github-oidc: `ForAnyValue:StringLike` on `repo:${owner}/${repo}:${filter = '*'}` for each trusted repository. */
  private acgoStatement(r: RoleC): DocNode | undefined {
    const props = r.props;
    if (props.kind !== 'obj' || !props.complete) return undefined;
    const subject = (o: Val, node: N): DocNode => {
      const get = (k: string) => {
        const x = this.ev.prop(o, k);
        return x && x.kind !== 'undef' ? x : undefined;
      };
      const owner = get('owner');
      const repo = get('repo');
      const filter = get('filter');
      // Point at what decides the subject's breadth: the filter, or (default `*`) the repository it applies to.
      const at = (filter ?? repo ?? owner)?.node ?? node;
      const star: Val = { kind: 'str', parts: known('*'), node: at, computed: true };
      // The construct's default `filter = '*'` applies when the value passed is undefined: an unknown one may be.
      const f = filter ? this.ev.withDefault(filter, () => star, this.ev.text(filter.node), false, filter.node) : star;
      const piece = (v: Val | undefined, name: string): Val => v ?? { kind: 'str', parts: unknownPart(name), node: at, computed: true };
      const subjectVal = this.ev.lift(
        [piece(owner, 'owner'), piece(repo, 'repo'), f],
        ([o, r, x]) => ({ kind: 'str', parts: joinParts(known('repo:'), this.ev.strParts(o), known('/'), this.ev.strParts(r), known(':'), this.ev.strParts(x)), node: at, computed: true }),
        at,
      );
      return subjectVal.kind === 'str' ? this.strScalar(subjectVal, at) : this.doc(subjectVal, at);
    };
    const trusted = this.ev.prop(props, 'trustedRepositories');
    let subjects: DocNode[];
    if (trusted && trusted.kind !== 'undef') {
      if (trusted.kind !== 'arr') return undefined;
      subjects = trusted.items.map((it) => (it.kind === 'obj' ? subject(it, it.node) : this.doc(it)));
    } else subjects = [subject(props, r.node)];
    return this.constructStatement(r, 'ForAnyValue:StringLike', subjects);
  }

  /** @blimmer/cdk-github-oidc: `StringLike` on the subjects of its `subjectFilters` (early versions: the audience only). */
  private blimmerStatement(r: RoleC): DocNode | undefined {
    const props = r.props;
    if (props.kind !== 'obj' || !props.complete) return undefined;
    const filters = this.ev.prop(props, 'subjectFilters');
    if (!filters || filters.kind === 'undef') return this.constructStatement(r, 'StringLike', undefined);
    if (filters.kind !== 'arr') return undefined;
    return this.constructStatement(
      r,
      'StringLike',
      filters.items.map((f) => (f.kind === 'filter' ? this.strScalar(f.subject, f.subject.node) : this.doc(f))),
    );
  }

  provider(p: ProviderC): OidcProvider {
    const logical = p.id?.kind === 'str' && partsKnown(p.id.parts) ? partsText(p.id.parts) : undefined;
    const prefix = logical ?? `provider@${p.node.loc.start.line}`;
    const list = (v: Val | undefined, dflt: string[] | undefined, path: string): Value<string>[] => {
      if (v && v.kind !== 'undef') {
        const d = this.doc(v);
        assignPaths(d, path);
        if (d.kind === 'seq') return d.items.map((x) => scalarValue(x.kind === 'scalar' ? x : this.unresolved(p.node)));
        return [scalarValue(d.kind === 'scalar' ? d : this.unresolved(v.node))];
      }
      return (dflt ?? []).map((t, i) => scalarValue({ ...this.synth(t, p.callee, this.ev.text(p.callee)), loc: locOf(this.file, p.callee, `${path}[${i}]`) }));
    };
    let url: Value<string>;
    if (p.url && p.url.kind !== 'undef') url = scalarValue(this.scalarOf(p.url, `${prefix}.url`));
    else if (p.defaults?.url) url = scalarValue({ ...this.synth(p.defaults.url, p.callee, this.ev.text(p.callee)), loc: locOf(this.file, p.callee, `${prefix}.url`) });
    else url = { value: '', raw: '', loc: locOf(this.file, p.callee, `${prefix}.url`), resolution: 'unresolved', parts: [] };
    return {
      type: 'OidcProvider',
      loc: locOf(this.file, p.node, prefix),
      origin: { format: 'cdk', file: this.file, logicalId: logical },
      arn: { value: partsText(p.arn), raw: '', loc: locOf(this.file, p.callee, `${prefix}.arn`), resolution: partsKnown(p.arn) ? 'expression' : 'unresolved', parts: p.arn },
      url,
      clientIds: list(p.clientIds, p.defaults?.clientIds, `${prefix}.clientIds`),
      thumbprints: list(p.thumbprints, p.defaults?.thumbprints, `${prefix}.thumbprints`),
    };
  }
}

/** Object entries with later duplicate (known) keys replacing earlier ones, in first-occurrence order. */
function dedupe(entries: ObjEntry[]): ObjEntry[] {
  const out: ObjEntry[] = [];
  const index = new Map<string, number>();
  for (const e of entries) {
    const k = partsKnown(e.key.parts) ? partsText(e.key.parts) : undefined;
    const i = k === undefined ? undefined : index.get(k);
    if (i === undefined) {
      if (k !== undefined) index.set(k, out.length);
      out.push(e);
    } else out[i] = e;
  }
  return out;
}

/** Whether every object inside a value has statically known keys (values may still be unknown). */
function deepComplete(v: Val): boolean {
  if (v.kind === 'obj') return v.complete && v.entries.every((e) => deepComplete(e.value));
  if (v.kind === 'arr') return v.items.every(deepComplete);
  return true;
}

/** Symbolic paths (`Deploy.Statement[0].Condition.StringLike.<key>`), as the JSON loader writes them, for stable fingerprints. */
function assignPaths(n: DocNode, path: string): void {
  n.loc.path = path;
  if (n.kind === 'map')
    for (const e of n.entries) {
      const p = `${path}.${String(e.key.value)}`;
      e.key.loc.path = p;
      assignPaths(e.value, p);
    }
  else if (n.kind === 'seq') n.items.forEach((it, i) => assignPaths(it, `${path}[${i}]`));
}
