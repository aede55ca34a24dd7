/**
 * Static evaluation of AWS CDK TypeScript, for the CDK loader (`cdk.ts`). The source is parsed by
 * typescript-estree and NEVER executed: this module walks the ESTree once to build lexical scopes,
 * then evaluates, on demand, the few expression shapes that describe IAM trust — string and
 * template literals, `+` concatenation, object and array literals (with spreads), same-file
 * `const` bindings (also destructured), `arr.map(x => …)` / `arr.join(…)`, and the constructors
 * and factory methods of aws-cdk-lib/aws-iam and of the GitHub OIDC construct libraries
 * (domain.md §D.3). Where an input the file does not fix decides between values (`??`, `||`, a
 * ternary, a default parameter or destructuring default, an `if` in a same-file helper), the result
 * is `alt`: every possible value with the input it is used under. Same-file helpers (functions,
 * arrow constants, static methods, `this.m()`) are evaluated for their arguments, and `push` calls
 * on a `const` array are read where the array is used. Anything else evaluates to `unknown`,
 * keeping its source text.
 *
 * Only types are imported from typescript-estree, so loading this module costs nothing.
 */
import type { TSESTree } from '@typescript-eslint/typescript-estree';
import { bothConditions, type ValueCondition, type ValuePart } from '../../model/location.js';

export type N = TSESTree.Node;
type Expr = TSESTree.Expression;
type Fn = TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression | TSESTree.FunctionDeclaration;

// ---------------------------------------------------------------------------------------------
// Libraries and classes

/** Where a class comes from: aws-cdk-lib/aws-iam (v1 or v2), aws-cdk-lib root, the GitHub OIDC constructs, or a guess by name. */
export type Lib = 'iam' | 'core' | 'acgo' | 'blimmer' | 'guess';

/** Module specifier → library. */
export function libOfModule(spec: string): Lib | undefined {
  if (spec === 'aws-cdk-lib/aws-iam' || spec === '@aws-cdk/aws-iam') return 'iam';
  if (spec === 'aws-cdk-lib' || spec === '@aws-cdk/core') return 'core';
  if (spec === 'aws-cdk-github-oidc') return 'acgo';
  if (spec === '@blimmer/cdk-github-oidc') return 'blimmer';
  return undefined;
}

/** aws-iam classes the loader understands. A name imported from an unknown module may still be one of them (re-exports). */
export const IAM_CLASSES = new Set([
  'Role',
  'LazyRole',
  'CfnRole',
  'WebIdentityPrincipal',
  'OpenIdConnectPrincipal',
  'FederatedPrincipal',
  'SamlPrincipal',
  'ServicePrincipal',
  'ArnPrincipal',
  'AccountPrincipal',
  'AccountRootPrincipal',
  'AnyPrincipal',
  'Anyone',
  'StarPrincipal',
  'OrganizationPrincipal',
  'CanonicalUserPrincipal',
  'CompositePrincipal',
  'PrincipalWithConditions',
  'SessionTagsPrincipal',
  'OpenIdConnectProvider',
  'OidcProviderNative',
  'CfnOIDCProvider',
  'PolicyStatement',
  'PolicyDocument',
  'Effect',
]);

/** Class names that, imported from an unknown module (a local re-export), are distinctive enough to be taken as aws-iam's. */
const GUESSABLE = new Set([...IAM_CLASSES].filter((n) => n !== 'Role' && n !== 'Effect'));

export const GITHUB_CONSTRUCT_CLASSES = new Set(['GithubActionsRole', 'GithubActionsIdentityProvider', 'BranchFilter', 'EnvironmentFilter', 'TagFilter', 'PullRequestFilter', 'AllowAllFilter', 'CustomFilter']);

// ---------------------------------------------------------------------------------------------
// Values

export interface StrVal {
  kind: 'str';
  parts: ValuePart[];
  /** The node that produced the string (a literal, a template, a concatenation), or the use site for derived values. */
  node: N;
  /** True when the text was computed (template, concatenation, derived ARN) rather than written as one literal. */
  computed: boolean;
}

export interface ObjEntry {
  key: StrVal;
  value: Val;
}
export interface ObjVal {
  kind: 'obj';
  entries: ObjEntry[];
  /** False when a spread or a computed key could not be evaluated: some entries are unknown. */
  complete: boolean;
  node: N;
}
export interface ArrVal {
  kind: 'arr';
  items: Val[];
  node: N;
}

/** A principal as CDK renders it into a trust-policy statement. */
export interface PrincipalC {
  node: N;
  /** The class name as written (`iam.WebIdentityPrincipal`), for synthesized positions. */
  callee: N;
  json: { kind: string; value: Val; at: N }[];
  /** Condition objects, merged in order (later operators merge into earlier ones, later keys win). */
  conditions: Val[];
  /** The assume-role action: a written value, or CDK's default (synthesized at `at`). */
  action: { val?: Val; text: string; at: N };
  sessionTags?: N;
  /** CompositePrincipal: one statement per component. */
  components?: PrincipalC[];
}

export interface ProviderC {
  node: N;
  callee: N;
  cls: string;
  lib: Lib;
  /** True for a provider this source creates (not a reference to an existing one). */
  defined: boolean;
  id?: Val;
  url?: Val;
  clientIds?: Val;
  thumbprints?: Val;
  /** Defaults the construct fills in (GitHub OIDC constructs), synthesized at the callee. */
  defaults?: { url?: string; clientIds?: string[]; thumbprints?: string[] };
  /** The provider ARN as CDK renders it (partition `aws`, account unknown, as every loader writes it). */
  arn: ValuePart[];
}

export interface RoleC {
  node: N;
  callee: N;
  cls: string;
  lib: Lib;
  id?: Val;
  props: Val;
  /** Statements added later with `role.assumeRolePolicy.addStatements(…)`. */
  added: { val: Val; node: N }[];
}

export interface StatementC {
  node: N;
  callee: N;
  /** `new PolicyStatement({…})` props, or the JSON object of `PolicyStatement.fromJson({…})`. */
  props?: Val;
  json?: Val;
}

export interface DocumentC {
  node: N;
  statements?: Val;
  json?: Val;
}

export type Val =
  | StrVal
  | { kind: 'num'; value: number; node: N }
  | { kind: 'bool'; value: boolean; node: N }
  | { kind: 'null'; node: N }
  | { kind: 'undef'; node: N }
  | ObjVal
  | ArrVal
  | { kind: 'unknown'; node: N }
  | { kind: 'ns'; lib: Lib; node: N }
  | { kind: 'class'; lib: Lib; name: string; node: N }
  | { kind: 'fn'; fn: Fn; node: N }
  | { kind: 'this'; node: N }
  | { kind: 'principal'; p: PrincipalC; node: N }
  | { kind: 'provider'; p: ProviderC; node: N }
  | { kind: 'role'; r: RoleC; node: N }
  | { kind: 'statement'; s: StatementC; node: N }
  | { kind: 'document'; d: DocumentC; node: N }
  | { kind: 'filter'; subject: StrVal; node: N }
  /** A class declared in this file (its static methods and properties). */
  | { kind: 'lclass'; cls: ClassInfo; node: N }
  /**
   * One of several possible values, each taken under its input (a `??`, `||`, ternary or default
   * parameter whose input the file does not fix). A single option is a value present only under its input.
   */
  | { kind: 'alt'; options: AltOption[]; node: N };

/** An argument of a call as written: its text (for conditions in words) and whether it is an optional input. */
interface ArgInfo {
  text?: string;
  optional?: boolean;
  /** Its type as the file writes it (a TypeScript type node). */
  type?: N;
}

export interface AltOption {
  val: Val;
  when: ValueCondition;
}

/** Possible values one expression may have; past this many it is one unknown value (as in terraform-eval.ts). */
export const MAX_CDK_ALTERNATIVES = 16;

export function partsText(parts: ValuePart[]): string {
  return parts.map((p) => p.text).join('');
}
export function partsKnown(parts: ValuePart[]): boolean {
  return parts.every((p) => p.known);
}
function pushPart(out: ValuePart[], p: ValuePart): void {
  if (!p.text) return;
  const last = out[out.length - 1];
  if (last && last.known && p.known) last.text += p.text;
  else out.push({ ...p });
}
export function joinParts(...lists: ValuePart[][]): ValuePart[] {
  const out: ValuePart[] = [];
  for (const l of lists) for (const p of l) pushPart(out, p);
  return out;
}
export function known(text: string): ValuePart[] {
  return text ? [{ text, known: true }] : [];
}

// ---------------------------------------------------------------------------------------------
// Scopes

export interface ClassInfo {
  /** `this.x` fields: a property initializer or the only `this.x = …` assignment; null when assigned more than once. */
  fields: Map<string, { expr: Expr; ctx: Ctx } | null>;
  superClass?: { expr: Expr; ctx: Ctx };
  /** Methods (`this.m(…)`) and static methods and properties (`Cls.m(…)`, `Cls.X`) written in the class. */
  methods: Map<string, Fn>;
  statics: Map<string, { expr: Expr; ctx: Ctx } | { fn: Fn }>;
}

export interface Scope {
  parent?: Scope;
  vars: Map<string, Binding>;
}

export interface Ctx {
  scope: Scope;
  cls?: ClassInfo;
}

type Binding =
  /** `pushes`: `x.push(…)` calls on the array, anywhere in its scope (in loops: one element per call). */
  | { kind: 'const'; init: Expr; ctx: Ctx; pushes?: { args: N[]; ctx: Ctx }[] }
  | { kind: 'destructure'; init: Expr; path: string[]; fallback?: Expr; ctx: Ctx }
  | { kind: 'import'; module: string; name: string }
  | { kind: 'require'; module: string; path: string[] }
  /** A parameter; `fallback` is its default (`filter = '*'`, `{ filter = '*' }: Props`), evaluated in `ctx`; `name` as written. */
  | { kind: 'param'; id: N; fallback?: Expr; ctx?: Ctx; name?: string; owner?: PropOwner }
  | { kind: 'function'; fn: Fn }
  | { kind: 'class'; node: N }
  | { kind: 'opaque' };

/** Nodes the loader acts on, each with its lexical context, in source order. */
export interface Collected {
  news: { node: TSESTree.NewExpression; ctx: Ctx }[];
  calls: { node: TSESTree.CallExpression; ctx: Ctx }[];
  /** `super(scope, id, props)` in a class that extends a role construct. */
  superCalls: { node: TSESTree.CallExpression; ctx: Ctx }[];
  /** Lexical context of each function (to evaluate `.map` callbacks and same-file helpers). */
  functions: Map<N, Ctx>;
  /** Classes declared in the file, by declaration node (for static methods and `this.m(…)`). */
  classes: Map<N, ClassInfo>;
  /** Lexical context of each block statement (to evaluate a helper's `if (…) { return … }`). */
  blocks: Map<N, Ctx>;
  /** Interfaces and type aliases declared in the file, by name (which props are optional). */
  types: Map<string, N>;
  /** Set when the tree is nested deeper than the walker follows. */
  truncatedAt?: N;
}

/** Beyond typescript-estree's own recursion limit in practice (it overflows first, ~600–1000 levels). */
const MAX_WALK_DEPTH = 1000;

/** Child nodes of any ESTree node, in source order (generic: every property holding nodes). */
function children(node: N): N[] {
  const out: N[] = [];
  for (const key in node) {
    if (key === 'parent' || key === 'loc' || key === 'range' || key === 'typeAnnotation' || key === 'returnType' || key === 'typeParameters' || key === 'typeArguments' || key === 'decorators') continue;
    const v = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(v)) {
      for (const x of v) if (x && typeof x === 'object' && typeof (x as N).type === 'string') out.push(x as N);
    } else if (v && typeof v === 'object' && typeof (v as N).type === 'string') out.push(v as N);
  }
  return out.sort((a, b) => a.range[0] - b.range[0]);
}

function newScope(parent?: Scope): Scope {
  return { parent, vars: new Map() };
}

/** A destructured name's place in a typed pattern (`{ filter = '*' }: Props` → Props, `filter`). */
export interface PropOwner {
  type: N;
  key: string;
}

/**
 * Names an ESTree binding pattern introduces, e.g. function parameters; `fallback` is the default
 * written for the name, `owner` the type and key it is destructured from.
 */
function declarePattern(scope: Scope, pat: N, make: (id: TSESTree.Identifier, fallback?: Expr, owner?: PropOwner) => Binding, fallback?: Expr, owner?: PropOwner): void {
  switch (pat.type) {
    case 'Identifier':
      scope.vars.set(pat.name, make(pat, fallback, owner));
      break;
    case 'AssignmentPattern':
      declarePattern(scope, pat.left, make, pat.right, owner);
      break;
    case 'RestElement':
      declarePattern(scope, pat.argument, make);
      break;
    case 'ArrayPattern':
      for (const e of pat.elements) if (e) declarePattern(scope, e, make);
      break;
    case 'ObjectPattern': {
      const type = pat.typeAnnotation?.typeAnnotation;
      for (const p of pat.properties) {
        const key = p.type === 'Property' && !p.computed && p.key.type === 'Identifier' ? p.key.name : undefined;
        declarePattern(scope, p.type === 'Property' ? p.value : p, make, undefined, type && key ? { type, key } : undefined);
      }
      break;
    }
    case 'TSParameterProperty':
      declarePattern(scope, pat.parameter, make);
      break;
    default:
      break;
  }
}

function requireModule(e: Expr | null | undefined): string | undefined {
  if (!e || e.type !== 'CallExpression' || e.callee.type !== 'Identifier' || e.callee.name !== 'require') return undefined;
  const a = e.arguments[0];
  return a && a.type === 'Literal' && typeof a.value === 'string' ? a.value : undefined;
}

function declareVariable(scope: Scope, decl: TSESTree.VariableDeclaration, ctx: Ctx): void {
  for (const d of decl.declarations) {
    const init = d.init ?? undefined;
    const mod = requireModule(init);
    if (d.id.type === 'Identifier') {
      if (mod) scope.vars.set(d.id.name, { kind: 'require', module: mod, path: [] });
      else if (decl.kind === 'const' && init) scope.vars.set(d.id.name, { kind: 'const', init, ctx });
      else scope.vars.set(d.id.name, { kind: 'opaque' });
    } else if (d.id.type === 'ObjectPattern' && init && (decl.kind === 'const' || mod)) {
      declareDestructure(scope, d.id, init, [], ctx, mod);
    } else declarePattern(scope, d.id, () => ({ kind: 'opaque' }));
  }
}

function declareDestructure(scope: Scope, pat: TSESTree.ObjectPattern, init: Expr, path: string[], ctx: Ctx, mod: string | undefined): void {
  for (const p of pat.properties) {
    if (p.type !== 'Property' || p.computed) {
      declarePattern(scope, p.type === 'Property' ? p.value : p, () => ({ kind: 'opaque' }));
      continue;
    }
    const key = p.key.type === 'Identifier' ? p.key.name : p.key.type === 'Literal' ? String(p.key.value) : undefined;
    if (key === undefined) continue;
    let target = p.value;
    let fallback: Expr | undefined;
    if (target.type === 'AssignmentPattern') {
      fallback = target.right;
      target = target.left;
    }
    if (target.type === 'Identifier') {
      if (mod) scope.vars.set(target.name, { kind: 'require', module: mod, path: [...path, key] });
      else scope.vars.set(target.name, { kind: 'destructure', init, path: [...path, key], fallback, ctx });
    } else if (target.type === 'ObjectPattern') declareDestructure(scope, target, init, [...path, key], ctx, mod);
    else declarePattern(scope, target, () => ({ kind: 'opaque' }));
  }
}

/** Hoists the declarations of a statement list into `scope`. */
function hoist(scope: Scope, body: N[], ctx: Ctx): void {
  for (const raw of body) {
    let st: N = raw;
    if ((st.type === 'ExportNamedDeclaration' || st.type === 'ExportDefaultDeclaration') && st.declaration) st = st.declaration;
    switch (st.type) {
      case 'ImportDeclaration':
        if (st.importKind === 'type') break;
        for (const s of st.specifiers) {
          const module = String(st.source.value);
          if (s.type === 'ImportNamespaceSpecifier') scope.vars.set(s.local.name, { kind: 'import', module, name: '*' });
          else if (s.type === 'ImportDefaultSpecifier') scope.vars.set(s.local.name, { kind: 'import', module, name: 'default' });
          else if (s.importKind !== 'type') scope.vars.set(s.local.name, { kind: 'import', module, name: s.imported.type === 'Identifier' ? s.imported.name : String(s.imported.value) });
        }
        break;
      case 'TSImportEqualsDeclaration':
        if (st.moduleReference.type === 'TSExternalModuleReference' && st.moduleReference.expression.type === 'Literal')
          scope.vars.set(st.id.name, { kind: 'require', module: String(st.moduleReference.expression.value), path: [] });
        else scope.vars.set(st.id.name, { kind: 'opaque' });
        break;
      case 'VariableDeclaration':
        declareVariable(scope, st, ctx);
        break;
      case 'FunctionDeclaration':
        if (st.id) scope.vars.set(st.id.name, { kind: 'function', fn: st });
        break;
      case 'ClassDeclaration':
        if (st.id) scope.vars.set(st.id.name, { kind: 'class', node: st });
        break;
      case 'TSEnumDeclaration':
        if (st.id) scope.vars.set(st.id.name, { kind: 'opaque' });
        break;
      default:
        break;
    }
  }
}

/**
 * Builds scopes and collects the `new` expressions and calls the loader acts on. Recursion depth is
 * bounded: a pathological tree is walked up to MAX_WALK_DEPTH levels and the cut is reported.
 */
export function collect(program: TSESTree.Program): Collected {
  const out: Collected = { news: [], calls: [], superCalls: [], functions: new Map(), classes: new Map(), blocks: new Map(), types: new Map() };
  for (const raw of program.body) {
    const st = (raw.type === 'ExportNamedDeclaration' || raw.type === 'ExportDefaultDeclaration') && raw.declaration ? raw.declaration : raw;
    if (st.type === 'TSInterfaceDeclaration' || st.type === 'TSTypeAliasDeclaration') out.types.set(st.id.name, st);
  }
  const root = newScope();
  const rootCtx: Ctx = { scope: root };
  hoist(root, program.body, rootCtx);

  const walk = (node: N, ctx: Ctx, depth: number): void => {
    if (depth > MAX_WALK_DEPTH) {
      out.truncatedAt ??= node;
      return;
    }
    const d = depth + 1;
    switch (node.type) {
      case 'BlockStatement':
      case 'StaticBlock':
      case 'TSModuleBlock': {
        const inner: Ctx = { scope: newScope(ctx.scope), cls: ctx.cls };
        hoist(inner.scope, node.body, inner);
        out.blocks.set(node, inner);
        for (const c of node.body) walk(c, inner, d);
        return;
      }
      case 'ArrowFunctionExpression':
      case 'FunctionExpression':
      case 'FunctionDeclaration':
        // `this` is lexical in arrows; a `function` has its own (unknown) `this`.
        walkFunction(node, node.type === 'ArrowFunctionExpression' ? ctx.cls : undefined, ctx, d);
        return;
      case 'ClassDeclaration':
      case 'ClassExpression': {
        const cls: ClassInfo = { fields: new Map(), superClass: node.superClass ? { expr: node.superClass, ctx } : undefined, methods: new Map(), statics: new Map() };
        out.classes.set(node, cls);
        const inner: Ctx = { scope: newScope(ctx.scope), cls };
        if (node.superClass) walk(node.superClass, ctx, d);
        for (const m of node.body.body) {
          if ((m.type === 'MethodDefinition' || m.type === 'TSAbstractMethodDefinition') && m.value.type === 'FunctionExpression') {
            if (m.kind === 'method' && !m.computed && m.key.type === 'Identifier') {
              if (m.static) cls.statics.set(m.key.name, { fn: m.value });
              else cls.methods.set(m.key.name, m.value);
            }
            walkFunction(m.value, cls, inner, d);
          } else if (m.type === 'PropertyDefinition' && !m.computed && m.key.type === 'Identifier' && m.value) {
            if (!m.static) setField(cls, m.key.name, m.value, inner);
            else if (m.readonly || m.value.type === 'ArrowFunctionExpression') cls.statics.set(m.key.name, { expr: m.value, ctx: inner });
            walk(m.value, inner, d);
          } else walk(m, inner, d);
        }
        return;
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement': {
        const inner: Ctx = { scope: newScope(ctx.scope), cls: ctx.cls };
        const decl = node.type === 'ForStatement' ? node.init : node.left;
        if (decl && decl.type === 'VariableDeclaration') for (const x of decl.declarations) declarePattern(inner.scope, x.id, () => ({ kind: 'opaque' }));
        for (const c of children(node)) walk(c, inner, d);
        return;
      }
      case 'CatchClause': {
        const inner: Ctx = { scope: newScope(ctx.scope), cls: ctx.cls };
        if (node.param) declarePattern(inner.scope, node.param, () => ({ kind: 'opaque' }));
        walk(node.body, inner, d);
        return;
      }
      case 'NewExpression':
        out.news.push({ node, ctx });
        break;
      case 'CallExpression':
        if (node.callee.type === 'Super') out.superCalls.push({ node, ctx });
        else {
          out.calls.push({ node, ctx });
          // `subjects.push(…)` on a same-scope `const subjects = […]`: the array holds what is pushed.
          const c = node.callee;
          if (c.type === 'MemberExpression' && !c.computed && c.property.type === 'Identifier' && c.property.name === 'push' && c.object.type === 'Identifier') {
            const b = lookupBinding(c.object.name, ctx.scope);
            if (b?.kind === 'const') (b.pushes ??= []).push({ args: node.arguments, ctx });
          }
        }
        break;
      case 'AssignmentExpression':
        if (ctx.cls && node.operator === '=' && node.left.type === 'MemberExpression' && node.left.object.type === 'ThisExpression' && !node.left.computed && node.left.property.type === 'Identifier')
          setField(ctx.cls, node.left.property.name, node.right, ctx);
        break;
      default:
        break;
    }
    for (const c of children(node)) walk(c, ctx, d);
  };
  const walkFunction = (node: Fn, cls: ClassInfo | undefined, ctx: Ctx, d: number): void => {
    const inner: Ctx = { scope: newScope(ctx.scope), cls };
    for (const p of node.params) declarePattern(inner.scope, p, (id, fallback, owner) => ({ kind: 'param', id, fallback, ctx: inner, name: id.name, owner }));
    out.functions.set(node, inner);
    for (const p of node.params) walk(p, inner, d);
    if (!node.body) return;
    if (node.body.type === 'BlockStatement') {
      hoist(inner.scope, node.body.body, inner);
      for (const c of node.body.body) walk(c, inner, d);
    } else walk(node.body, inner, d);
  };
  for (const st of program.body) walk(st, rootCtx, 0);
  return out;
}

function lookupBinding(name: string, scope: Scope | undefined): Binding | undefined {
  for (let s = scope; s; s = s.parent) {
    const b = s.vars.get(name);
    if (b) return b;
  }
  return undefined;
}

function setField(cls: ClassInfo, name: string, expr: Expr, ctx: Ctx): void {
  cls.fields.set(name, cls.fields.has(name) ? null : { expr, ctx });
}

// ---------------------------------------------------------------------------------------------
// Evaluation

const MAX_EVAL_DEPTH = 64;
const MAX_ITEMS = 1000;
/**
 * Evaluation steps per file (a node evaluated, a string part or an array item produced). Real stacks
 * take thousands; a 1 KB file that doubles a string 24 times, or maps an array inside a map of it,
 * would take billions and gigabytes.
 */
export const CDK_EVAL_BUDGET = 1_000_000;
/** Characters in one evaluated string: IAM policy values are a few hundred at most. */
export const MAX_CDK_STRING = 1 << 20;

/** The evaluation of a file ran over CDK_EVAL_BUDGET or built a string over MAX_CDK_STRING; `node` is where. */
export class CdkBudgetError extends Error {
  constructor(
    message: string,
    readonly node: N,
  ) {
    super(message);
  }
}

export interface Evaluator {
  evaluate(node: N, ctx: Ctx): Val;
  /** Source text of a node, whitespace runs collapsed. */
  text(node: N): string;
  /** Reads a property of an evaluated object literal (last entry wins, like JavaScript). */
  prop(obj: Val, name: string): Val | undefined;
  /** The string parts of a value, with unknown values rendered `${source}`. */
  strParts(v: Val): ValuePart[];
  /** Constructs created while evaluating, in creation order (deduplicated). */
  roles: RoleC[];
  providers: ProviderC[];
  /** `f` over every combination of the values' possible values. */
  lift(vals: Val[], f: (vs: Val[]) => Val, node: N): Val;
  /** `v`, or `dflt` where `v` is absent; both, each under its input, where `v` is unknown. */
  withDefault(v: Val, dflt: () => Val, subject: string, isDefault: boolean, node: N): Val;
}

/**
 * The partition and account of a stack, as the CloudFormation and Terraform loaders write them:
 * the partition is taken as `aws` (domain.md §D.2 assumption, shared by every format), the account
 * is unknown (`${AWS::AccountId}`, what CDK synthesizes for `this.account`).
 */
export const PARTITION: ValuePart[] = [{ text: 'aws', known: true }];
export const ACCOUNT: ValuePart[] = [{ text: '${AWS::AccountId}', known: false }];

/** Synthesized ARN of an IAM OIDC provider for a URL (as CDK and CloudFormation render it). */
export function providerArnParts(url: ValuePart[] | undefined, partition: ValuePart[] = PARTITION, account: ValuePart[] = ACCOUNT): ValuePart[] {
  let host: ValuePart[] = url ?? unknownPart('url');
  if (host[0]?.known) host = [{ text: host[0].text.replace(/^https:\/\//i, ''), known: true }, ...host.slice(1)];
  return joinParts(known('arn:'), partition, known(':iam::'), account, known(':oidc-provider/'), host);
}
export function unknownPart(name: string): ValuePart[] {
  return [{ text: '${' + name + '}', known: false }];
}

export const GITHUB_ISSUER = 'token.actions.githubusercontent.com';

export function createEvaluator(source: string, collected: Pick<Collected, 'functions'> & Partial<Pick<Collected, 'classes' | 'blocks' | 'types'>>): Evaluator {
  const memo = new Map<N, Val>();
  const active = new Set<N>();
  const roles: RoleC[] = [];
  const providers: ProviderC[] = [];
  let depth = 0;
  let work = 0;
  const spend = (n: number, node: N) => {
    work += n;
    if (work > CDK_EVAL_BUDGET) throw new CdkBudgetError(`evaluating it takes more than ${CDK_EVAL_BUDGET.toLocaleString('en')} steps`, node);
  };
  /** A string value built by the evaluator, its size paid for and bounded. */
  const built = (parts: ValuePart[], node: N): ValuePart[] => {
    let chars = 0;
    for (const p of parts) chars += p.text.length;
    spend(parts.length + (chars >> 6), node);
    if (chars > MAX_CDK_STRING) throw new CdkBudgetError(`it builds a string of more than ${MAX_CDK_STRING.toLocaleString('en')} characters`, node);
    return parts;
  };

  const text = (node: N) => source.slice(node.range[0], node.range[1]).replace(/\s+/g, ' ');
  const unknown = (node: N): Val => ({ kind: 'unknown', node });
  const str = (t: string, node: N, computed = false): StrVal => ({ kind: 'str', parts: known(t), node, computed });

  const strParts = (v: Val): ValuePart[] => {
    switch (v.kind) {
      case 'str':
        return v.parts;
      case 'num':
      case 'bool':
        return known(String(v.value));
      case 'null':
        return known('null');
      case 'undef':
        return known('undefined');
      default:
        return [{ text: '${' + text(v.node) + '}', known: false }];
    }
  };

  const prop = (obj: Val, name: string): Val | undefined => {
    if (obj.kind !== 'obj') return undefined;
    for (let i = obj.entries.length - 1; i >= 0; i--) {
      const e = obj.entries[i];
      if (partsKnown(e.key.parts) && partsText(e.key.parts) === name) return e.value;
    }
    return undefined;
  };

  /** Looks a name up in the lexical scopes. `env` binds the parameters of a callback being evaluated. */
  const lookup = (name: string, ctx: Ctx): Binding | undefined => {
    for (let s: Scope | undefined = ctx.scope; s; s = s.parent) {
      const b = s.vars.get(name);
      if (b) return b;
    }
    return undefined;
  };

  let env = new Map<N, Val>();
  /** What the arguments of the calls being evaluated were, as written, by parameter (`env` → `props.env`), for conditions in words. */
  let argTexts = new Map<N, string>();
  /** The types the file gives the arguments of the calls being evaluated, by parameter (`.map` over a typed list). */
  let argTypes = new Map<N, N>();
  /** Source text of an expression, with a parameter of a call being evaluated replaced by the argument (`env` → `props.env`). */
  const says = (n: N, ctx: Ctx): string => {
    if (!argTexts.size) return text(n);
    // The identifiers read in `n` (not property names), in source order.
    const ids: TSESTree.Identifier[] = [];
    const visit = (x: N, depth: number): void => {
      if (depth > 32 || ids.length > 32) return;
      if (x.type === 'Identifier') ids.push(x);
      else if (x.type === 'MemberExpression') {
        visit(x.object, depth + 1);
        if (x.computed) visit(x.property, depth + 1);
      } else if (x.type !== 'ArrowFunctionExpression' && x.type !== 'FunctionExpression') for (const c of children(x)) visit(c, depth + 1);
    };
    visit(n, 0);
    let out = '';
    let cursor = n.range[0];
    for (const id of ids) {
      const b = lookup(id.name, ctx);
      const arg = b?.kind === 'param' ? argTexts.get(b.id) : undefined;
      if (!arg) continue;
      // `r.filter` for `r` an element of a list: `the filter of an element of props.repositories`.
      const m = /^\.([A-Za-z_$][\w$]*)/.exec(source.slice(id.range[1], n.range[1]));
      if (arg.startsWith('an element of ') && m) {
        out += source.slice(cursor, id.range[0]) + `the ${m[1]} of ${arg}`;
        cursor = id.range[1] + m[0].length;
        continue;
      }
      out += source.slice(cursor, id.range[0]) + arg;
      cursor = id.range[1];
    }
    return (out + source.slice(cursor, n.range[1])).replace(/\s+/g, ' ');
  };

  const fromModule = (module: string, path: string[], node: N): Val => {
    const lib = libOfModule(module);
    if (path.length === 0) return { kind: 'ns', lib: lib ?? 'guess', node };
    let v: Val = { kind: 'ns', lib: lib ?? 'guess', node };
    for (const p of path) v = member(v, p, node);
    return v;
  };

  /** `obj.name` on an evaluated object. */
  const member = (obj: Val, name: string, node: N): Val => {
    switch (obj.kind) {
      case 'ns':
        if (obj.lib === 'core' && name === 'aws_iam') return { kind: 'ns', lib: 'iam', node };
        if (obj.lib === 'iam' && (IAM_CLASSES.has(name) || /^[A-Z]/.test(name))) return { kind: 'class', lib: 'iam', name, node };
        if ((obj.lib === 'acgo' || obj.lib === 'blimmer') && GITHUB_CONSTRUCT_CLASSES.has(name)) return { kind: 'class', lib: obj.lib, name, node };
        // A namespace or name from a module we do not know (a local re-export): distinctive aws-iam names only;
        // a guessed `Role` counts only with an `assumedBy` property.
        if (obj.lib === 'guess' && (GUESSABLE.has(name) || name === 'Role')) return { kind: 'class', lib: 'guess', name, node };
        if (obj.lib === 'guess' && name === 'aws_iam') return { kind: 'ns', lib: 'iam', node };
        return unknown(node);
      case 'class':
        if (name === 'issuer' && obj.name === 'GithubActionsIdentityProvider') return str(GITHUB_ISSUER, node, true);
        if (name === 'thumbprint' && obj.name === 'GithubActionsIdentityProvider' && obj.lib === 'acgo') return str(ACGO_THUMBPRINT, node, true);
        if (obj.name === 'Effect' && (name === 'ALLOW' || name === 'DENY')) return str(name === 'ALLOW' ? 'Allow' : 'Deny', node, true);
        // Static factories (`fromOpenIdConnectProviderArn`, `fromJson`, …) are handled where they are called.
        return unknown(node);
      case 'obj':
        return prop(obj, name) ?? unknown(node);
      case 'arr':
        if (name === 'length') return { kind: 'num', value: obj.items.length, node };
        return unknown(node);
      case 'provider': {
        const p = obj.p;
        if (['openIdConnectProviderArn', 'oidcProviderArn', 'attrArn', 'ref', 'arn'].includes(name)) return { kind: 'str', parts: p.arn, node, computed: true };
        if (name === 'openIdConnectProviderIssuer' || name === 'oidcProviderIssuer') {
          const url = p.url ? strParts(p.url) : p.defaults?.url ? known(p.defaults.url) : undefined;
          if (url) return { kind: 'str', parts: url[0]?.known ? [{ text: url[0].text.replace(/^https:\/\//i, ''), known: true }, ...url.slice(1)] : url, node, computed: true };
        }
        return unknown(node);
      }
      case 'role': {
        if (name === 'assumeRolePolicy') return obj;
        return unknown(node);
      }
      case 'lclass': {
        const st = obj.cls.statics.get(name);
        if (!st) return unknown(node);
        return 'fn' in st ? { kind: 'fn', fn: st.fn, node } : evaluateIn(st.expr, st.ctx);
      }
      case 'alt':
        return lift([obj], ([o]) => member(o, name, node), node);
      default:
        return unknown(node);
    }
  };

  const evalIdentifier = (node: TSESTree.Identifier, ctx: Ctx): Val => {
    if (node.name === 'undefined') return { kind: 'undef', node };
    const b = lookup(node.name, ctx);
    if (!b) {
      // Unbound (a global, or a name from a file we did not see): distinctive aws-iam class names only.
      if (GUESSABLE.has(node.name)) return { kind: 'class', lib: 'guess', name: node.name, node };
      return unknown(node);
    }
    switch (b.kind) {
      case 'const': {
        const v = evaluateIn(b.init, b.ctx);
        if (!b.pushes || v.kind !== 'arr') return v;
        // `const subjects = []; for (…) subjects.push(…)`: one element per push call (a loop's variable unknown).
        const items = [...v.items];
        for (const p of b.pushes) for (const a of p.args) if (items.length < MAX_ITEMS) items.push(a.type === 'SpreadElement' ? unknown(a) : evaluateIn(a, p.ctx));
        spend(items.length, node);
        return { kind: 'arr', items, node: v.node };
      }
      case 'destructure': {
        let v = evaluateIn(b.init, b.ctx);
        for (const k of b.path) v = member(v, k, node);
        if (!b.fallback) return v;
        // `const { branch = 'main' } = props`: a field the file's types make required is always given.
        let type = typeOfInput(b.init, b.ctx);
        let field: ReturnType<typeof propertyOf>;
        for (const k of b.path) type = (field = propertyOf(type, k))?.type;
        if (field?.optional === false && v.kind === 'unknown') return v;
        return withDefault(v, () => evaluateIn(b.fallback!, b.ctx), b.path.length ? `${text(b.init)}.${b.path.join('.')}` : node.name, true, node);
      }
      case 'import':
        if (b.name === '*' || b.name === 'default') return fromModule(b.module, [], node);
        return fromModule(b.module, [b.name], node);
      case 'require':
        return fromModule(b.module, b.path, node);
      case 'param': {
        // Bound when a call or callback is being evaluated (its default already applied); else the caller is not known.
        const v = env.get(b.id);
        if (v) return v;
        if (!b.fallback || !b.ctx || optionality(node, ctx) === false) return unknown(node);
        return withDefault(unknown(node), () => evaluateIn(b.fallback!, b.ctx!), b.name ?? node.name, true, node);
      }
      case 'function':
        return { kind: 'fn', fn: b.fn, node };
      case 'class': {
        const cls = collected.classes?.get(b.node);
        return cls ? { kind: 'lclass', cls, node } : unknown(node);
      }
      default:
        return unknown(node);
    }
  };

  /**
   * A value with a default (`x ?? d`, a default parameter, a destructuring default): the default
   * when the value is absent, the value when present, and both possible values when it is unknown —
   * the default then counts as the path taken when the input is left out (`isDefault`).
   */
  const withDefault = (v: Val, dflt: () => Val, subject: string, isDefault: boolean, node: N, nullishOnly = true): Val => {
    const out: { val: Val; when?: ValueCondition }[] = [];
    let d: Val | undefined;
    const fallback = () => (d ??= dflt());
    for (const o of optionsOf(v)) {
      const a = absent(o.val, nullishOnly);
      if (a === false) out.push(o);
      else if (a === true) out.push({ val: fallback(), when: o.when });
      else
        out.push(
          { val: o.val, when: bothConditions(o.when, { text: `${subject} is ${nullishOnly ? 'given' : 'set'}`, isDefault: false, test: nullishOnly ? `${subject} ??` : subject, yes: true }) },
          { val: fallback(), when: bothConditions(o.when, { text: `${subject} is not ${nullishOnly ? 'given' : 'set'}`, isDefault, test: nullishOnly ? `${subject} ??` : subject, yes: false }) },
        );
    }
    if (out.length === 1 && !out[0].when) return out[0].val;
    return makeAlt(out, node);
  };

  /** Whether a value is absent for `??` (undefined, null) or, `nullishOnly` false, for `||` (falsy); 'maybe' when unknown. */
  const absent = (v: Val, nullishOnly: boolean): boolean | 'maybe' => {
    switch (v.kind) {
      case 'undef':
      case 'null':
        return true;
      case 'unknown':
      case 'alt':
        return 'maybe';
      case 'str':
        if (nullishOnly) return false;
        return partsKnown(v.parts) ? partsText(v.parts) === '' : 'maybe';
      case 'num':
        return nullishOnly ? false : v.value === 0 || Number.isNaN(v.value);
      case 'bool':
        return nullishOnly ? false : !v.value;
      default:
        return false;
    }
  };

  /**
   * Which way a test goes, under which input: one way when it is known; per possible value of the
   * test when it has several (`repositories.length === 0` for `repositories = props.repositories ?? []`);
   * both ways, the test in words, when it is unknown.
   */
  const branchesOf = (test: N, ctx: Ctx): { yes: boolean; when?: ValueCondition; base?: ValueCondition }[] => {
    const out: { yes: boolean; when?: ValueCondition; base?: ValueCondition }[] = [];
    for (const o of optionsOf(evaluate(test, ctx))) {
      const t = truthy(o.val);
      if (t !== 'maybe') out.push({ yes: t, when: o.when, base: o.when });
      else out.push({ yes: true, when: bothConditions(o.when, describeTest(test, true, ctx)), base: o.when }, { yes: false, when: bothConditions(o.when, describeTest(test, false, ctx)), base: o.when });
    }
    return out;
  };

  /** Truthiness of a value; 'maybe' when unknown. */
  const truthy = (v: Val): boolean | 'maybe' => {
    const a = absent(v, false);
    return a === 'maybe' ? a : !a;
  };

  /** Options of a value: its alternatives, or itself (under no condition). */
  const optionsOf = (v: Val): { val: Val; when?: ValueCondition }[] => (v.kind === 'alt' ? v.options : [{ val: v }]);

  /** Possible values (nested alternatives flattened, conditions joined); more than MAX_CDK_ALTERNATIVES: unknown. */
  const makeAlt = (opts: { val: Val; when?: ValueCondition }[], node: N): Val => {
    const flat: AltOption[] = [];
    for (const o of opts)
      for (const i of optionsOf(o.val)) {
        const when = bothConditions(o.when, i.when);
        if (!when) return opts.length === 1 ? o.val : unknown(node);
        flat.push({ val: i.val, when });
      }
    if (flat.length > MAX_CDK_ALTERNATIVES) return unknown(node);
    spend(flat.length, node);
    return { kind: 'alt', options: flat, node };
  };

  /** `f` applied to every combination of the values' alternatives (just `f(vals)` when there are none). */
  const lift = (vals: Val[], f: (vs: Val[]) => Val, node: N): Val => {
    if (!vals.some((v) => v.kind === 'alt')) return f(vals);
    let combos: { vs: Val[]; when?: ValueCondition }[] = [{ vs: [] }];
    for (const v of vals) {
      const opts = optionsOf(v);
      if (combos.length * opts.length > MAX_CDK_ALTERNATIVES) return unknown(node);
      combos = combos.flatMap((c) => opts.map((o) => ({ vs: [...c.vs, o.val], when: bothConditions(c.when, o.when) })));
    }
    spend(combos.length * (vals.length + 1), node);
    return makeAlt(
      combos.map((c) => ({ val: f(c.vs), when: c.when })),
      node,
    );
  };

  /** The root identifier of `a.b.c` (through `?.`, `!` and `as`). */
  const refRoot = (n: N): TSESTree.Identifier | undefined => {
    let cur: N = n;
    for (;;) {
      if (cur.type === 'Identifier') return cur;
      if (cur.type === 'MemberExpression' && !cur.computed) cur = cur.object;
      else if (cur.type === 'ChainExpression' || cur.type === 'TSNonNullExpression' || cur.type === 'TSAsExpression') cur = cur.expression;
      else if (cur.type === 'ThisExpression') return undefined;
      else return undefined;
    }
  };
  /** Whether `n` reads an input of the code: a parameter (`props.branch`), `this.props…`. */
  const readsInput = (n: N, ctx: Ctx): boolean => {
    let cur: N = n;
    while (cur.type === 'MemberExpression' && !cur.computed) cur = cur.object;
    if (cur.type === 'ThisExpression') return n !== cur;
    const root = refRoot(n);
    const b = root ? lookup(root.name, ctx) : undefined;
    return b?.kind === 'param' || b?.kind === 'destructure';
  };
  /** Whether a property is optional in a type written in this file (`x?: T`, `x: T | undefined`); undefined when not known. */
  /** A property of a type written in this file: whether it is optional, and its type. */
  const propertyOf = (type: N | undefined, key: string, depth = 0): { optional: boolean; type?: N; partial?: boolean } | undefined => {
    if (!type || depth > 8) return undefined;
    const members = (list: N[]) => {
      for (const m of list)
        if (m.type === 'TSPropertySignature' && !m.computed && m.key.type === 'Identifier' && m.key.name === key) {
          const t = m.typeAnnotation?.typeAnnotation;
          return { optional: !!m.optional || (!!t && t.type === 'TSUnionType' && t.types.some((x) => x.type === 'TSUndefinedKeyword' || x.type === 'TSNullKeyword')), type: t };
        }
      return undefined;
    };
    const named = (name: string): ReturnType<typeof propertyOf> => {
      const decl = collected.types?.get(name);
      if (decl?.type === 'TSTypeAliasDeclaration') return propertyOf(decl.typeAnnotation, key, depth + 1);
      if (decl?.type !== 'TSInterfaceDeclaration') return undefined;
      const own = members(decl.body.body);
      if (own) return own;
      for (const h of decl.extends ?? []) {
        const r = h.expression.type === 'Identifier' ? named(h.expression.name) : undefined;
        if (r) return r;
      }
      return undefined;
    };
    switch (type.type) {
      case 'TSTypeLiteral':
        return members(type.members);
      case 'TSTypeReference': {
        const name = type.typeName.type === 'Identifier' ? type.typeName.name : undefined;
        if (name === 'Partial' || name === 'Readonly' || name === 'Required') {
          const r = propertyOf(type.typeArguments?.params[0], key, depth + 1);
          return r && name !== 'Readonly' ? { ...r, optional: name === 'Partial' } : r;
        }
        return name ? named(name) : undefined;
      }
      case 'TSIntersectionType':
        for (const t of type.types) {
          const r = propertyOf(t, key, depth + 1);
          if (r) return r;
        }
        return undefined;
      default:
        return undefined;
    }
  };

  /** The element type of a list type (`T[]`, `readonly T[]`, `Array<T>`, `ReadonlyArray<T>`). */
  const elementType = (t: N | undefined): N | undefined => {
    if (!t) return undefined;
    if (t.type === 'TSArrayType') return t.elementType;
    if (t.type === 'TSTypeOperator') return elementType(t.typeAnnotation);
    if (t.type === 'TSTypeReference' && t.typeName.type === 'Identifier' && (t.typeName.name === 'Array' || t.typeName.name === 'ReadonlyArray')) return t.typeArguments?.params[0];
    return undefined;
  };

  /** What the file's types say about a parameter: written on it, destructured from a typed pattern, or carried from the call (`.map` over a typed list). */
  const paramTypeOf = (b: Extract<Binding, { kind: 'param' }>): N | undefined => {
    if (b.owner) return propertyOf(b.owner.type, b.owner.key)?.type;
    return (b.id.type === 'Identifier' ? b.id.typeAnnotation?.typeAnnotation : undefined) ?? argTypes.get(b.id);
  };

  /** The type of an input expression (`props.repositoryConfig`), from the types in this file. */
  const typeOfInput = (ref: N, ctx: Ctx): N | undefined => {
    let n: N = ref;
    while (n.type === 'ChainExpression' || n.type === 'TSNonNullExpression') n = n.expression;
    if (n.type === 'Identifier') {
      const b = lookup(n.name, ctx);
      return b?.kind === 'param' ? paramTypeOf(b) : undefined;
    }
    if (n.type === 'MemberExpression' && !n.computed && n.property.type === 'Identifier') return propertyOf(typeOfInput(n.object, ctx), n.property.name)?.type;
    return undefined;
  };

  /**
   * Whether an input may be left out, from the types in this file: `props.filter` with
   * `filter?: string`, a parameter `branch?: string`, a destructured `{ filter }: Props`, the
   * `r.filter` of `props.repositories.map((r) => …)` with `repositories: { filter?: string }[]`.
   * True: optional; false: required (it is always given); undefined: not known.
   */
  const optionality = (ref: N, ctx: Ctx): boolean | undefined => {
    let n: N = ref;
    while (n.type === 'ChainExpression' || n.type === 'TSNonNullExpression') n = n.expression;
    if (n.type === 'Identifier') {
      const b = lookup(n.name, ctx);
      if (b?.kind !== 'param') return undefined;
      if (b.owner) return propertyOf(b.owner.type, b.owner.key)?.optional;
      if (b.id.type === 'Identifier' && b.id.optional) return true;
      const t = paramTypeOf(b);
      if (!t) return undefined;
      return t.type === 'TSUnionType' && t.types.some((x) => x.type === 'TSUndefinedKeyword' || x.type === 'TSNullKeyword');
    }
    if (n.type === 'MemberExpression' && !n.computed && n.property.type === 'Identifier') return propertyOf(typeOfInput(n.object, ctx), n.property.name)?.optional;
    return undefined;
  };

  const isNullishNode = (n: N) => (n.type === 'Identifier' && n.name === 'undefined') || (n.type === 'Literal' && n.value === null && !('regex' in n));

  /**
   * A test that is not known, in words: `props.branch is set` / `is not set` for a test on an
   * input (not set: the default path), `props.env === 'prod' is true` otherwise.
   */
  const describeTest = (testNode: N, truth: boolean, ctx: Ctx): ValueCondition => {
    let t: N = testNode;
    let yes = truth;
    while (t.type === 'UnaryExpression' && t.operator === '!') {
      t = t.argument;
      yes = !yes;
    }
    if (t.type === 'BinaryExpression' && ['===', '==', '!==', '!='].includes(t.operator)) {
      const subject = isNullishNode(t.right) ? t.left : isNullishNode(t.left) ? t.right : undefined;
      if (subject) {
        const set = t.operator === '!==' || t.operator === '!=' ? yes : !yes;
        const words = says(subject, ctx);
        const test = `${words} ??`;
        return set ? { text: `${words} is given`, isDefault: false, test, yes: true } : { text: `${words} is not given`, isDefault: readsInput(subject, ctx) && optionality(subject, ctx) !== false, test, yes: false };
      }
    }
    const words = says(t, ctx);
    if (refRoot(t) || (t.type === 'MemberExpression' && readsInput(t, ctx)))
      return yes ? { text: `${words} is set`, isDefault: false, test: words, yes } : { text: `${words} is not set`, isDefault: readsInput(t, ctx) && optionality(t, ctx) !== false, test: words, yes };
    return { text: `${words} is ${yes}`, isDefault: false, test: words, yes };
  };

  /**
   * Evaluates a node in another lexical context (a const initializer). A module-level one is
   * evaluated without the caller's parameter bindings (and memoised); one inside a function keeps
   * them, so that a helper's `const sub = \`repo:${org}/${repo}\`` sees the arguments of the call.
   */
  const evaluateIn = (node: N, ctx: Ctx): Val => {
    if (ctx.scope.parent && env.size) return evaluate(node, ctx);
    const saved = env;
    env = new Map();
    try {
      return evaluate(node, ctx);
    } finally {
      env = saved;
    }
  };

  const evaluate = (node: N, ctx: Ctx): Val => {
    const memoable = env.size === 0;
    if (memoable) {
      const m = memo.get(node);
      if (m) return m;
    }
    if (active.has(node) || depth > MAX_EVAL_DEPTH) return unknown(node);
    spend(1, node);
    active.add(node);
    depth++;
    try {
      const v = evalNode(node, ctx);
      if (memoable) memo.set(node, v);
      return v;
    } finally {
      depth--;
      active.delete(node);
    }
  };

  const evalNode = (node: N, ctx: Ctx): Val => {
    switch (node.type) {
      case 'Literal':
        if (typeof node.value === 'string') return str(node.value, node);
        if (typeof node.value === 'number') return { kind: 'num', value: node.value, node };
        if (typeof node.value === 'boolean') return { kind: 'bool', value: node.value, node };
        if (node.value === null && !('regex' in node) && !('bigint' in node)) return { kind: 'null', node };
        return unknown(node);
      case 'TemplateLiteral': {
        const vals = node.expressions.map((e) => evaluate(e, ctx));
        // A `??`, ternary or default inside the template: the template comes out once per possible value.
        return lift(
          vals,
          (vs) => {
            const parts: ValuePart[] = [];
            node.quasis.forEach((q, i) => {
              pushPart(parts, { text: q.value.cooked ?? q.value.raw, known: true });
              if (i < vs.length) for (const p of strParts(vs[i])) pushPart(parts, p);
            });
            return { kind: 'str', parts: built(parts, node), node, computed: node.expressions.length > 0 };
          },
          node,
        );
      }
      case 'BinaryExpression': {
        const op = node.operator;
        if (op !== '+' && op !== '===' && op !== '!==' && op !== '==' && op !== '!=' && op !== '<' && op !== '>' && op !== '<=' && op !== '>=') return unknown(node);
        return lift(
          [evaluate(node.left, ctx), evaluate(node.right, ctx)],
          ([l, r]) => {
            if (op === '<' || op === '>' || op === '<=' || op === '>=') {
              if (l.kind !== 'num' || r.kind !== 'num') return unknown(node);
              const value = op === '<' ? l.value < r.value : op === '>' ? l.value > r.value : op === '<=' ? l.value <= r.value : l.value >= r.value;
              return { kind: 'bool', value, node };
            }
            if (op !== '+') {
              const k = (v: Val) => (v.kind === 'str' && partsKnown(v.parts) ? partsText(v.parts) : v.kind === 'num' || v.kind === 'bool' ? v.value : v.kind === 'undef' ? undefined : v.kind === 'null' ? null : NaN);
              const a = k(l);
              const b = k(r);
              if (Number.isNaN(a) || Number.isNaN(b)) return unknown(node);
              const eq = op.length === 3 ? a === b : a == b || (a === undefined && b === null) || (a === null && b === undefined);
              return { kind: 'bool', value: op.startsWith('!') ? !eq : eq, node };
            }
            if (l.kind === 'num' && r.kind === 'num') return { kind: 'num', value: l.value + r.value, node };
            if (l.kind !== 'str' && r.kind !== 'str') return unknown(node);
            return { kind: 'str', parts: built(joinParts(strParts(l), strParts(r)), node), node, computed: true };
          },
          node,
        );
      }
      case 'LogicalExpression': {
        if (node.operator === '&&') return unknown(node);
        const nullishOnly = node.operator === '??';
        const optional = optionality(node.left, ctx);
        // A required input (`filter: string`) is always given: `props.filter ?? '*'` is props.filter.
        const left = evaluate(node.left, ctx);
        if (optional === false && nullishOnly && left.kind === 'unknown') return left;
        return withDefault(left, () => evaluate(node.right, ctx), says(node.left, ctx), optional !== false, node, nullishOnly);
      }
      case 'ConditionalExpression': {
        const ways = branchesOf(node.test, ctx);
        if (ways.length === 1 && !ways[0].when) return evaluate(ways[0].yes ? node.consequent : node.alternate, ctx);
        return makeAlt(
          ways.map((w) => ({ val: evaluate(w.yes ? node.consequent : node.alternate, ctx), when: w.when })),
          node,
        );
      }
      case 'Identifier':
        return evalIdentifier(node, ctx);
      case 'ThisExpression':
        return { kind: 'this', node };
      case 'TSAsExpression':
      case 'TSSatisfiesExpression':
      case 'TSNonNullExpression':
      case 'TSTypeAssertion':
      case 'ChainExpression':
      case 'TSInstantiationExpression':
        return evaluate(node.expression, ctx);
      case 'MemberExpression': {
        if (node.object.type === 'ThisExpression' && !node.computed && node.property.type === 'Identifier') {
          const f = ctx.cls?.fields.get(node.property.name);
          if (f) return evaluateIn(f.expr, f.ctx);
          const m = ctx.cls?.methods.get(node.property.name);
          return m ? { kind: 'fn', fn: m, node } : unknown(node);
        }
        const obj = evaluate(node.object, ctx);
        let name: string | undefined;
        if (!node.computed && node.property.type === 'Identifier') name = node.property.name;
        else if (node.computed) {
          const k = evaluate(node.property, ctx);
          if (k.kind === 'num' && obj.kind === 'arr') return obj.items[k.value] ?? unknown(node);
          if (k.kind === 'str' && partsKnown(k.parts)) name = partsText(k.parts);
        }
        return name === undefined ? unknown(node) : member(obj, name, node);
      }
      case 'ObjectExpression': {
        const entries: ObjEntry[] = [];
        let complete = true;
        for (const p of node.properties) {
          if (p.type === 'SpreadElement') {
            const s = evaluate(p.argument, ctx);
            if (s.kind === 'obj') {
              entries.push(...s.entries);
              complete &&= s.complete;
            } else if (s.kind !== 'undef' && s.kind !== 'null') complete = false;
            continue;
          }
          let key: StrVal | undefined;
          if (!p.computed && p.key.type === 'Identifier') key = str(p.key.name, p.key);
          else if (!p.computed && p.key.type === 'Literal') key = str(String(p.key.value), p.key);
          else if (p.computed) {
            const k = evaluate(p.key, ctx);
            if (k.kind === 'str') key = { ...k, node: p.key };
            else if (k.kind === 'num') key = str(String(k.value), p.key, true);
          }
          if (!key || !partsKnown(key.parts)) {
            // An unknown key is kept (its text unresolved) but the object is no longer complete.
            complete = false;
            if (!key) continue;
          }
          const value = p.value.type === 'AssignmentPattern' || p.value.type === 'ObjectPattern' || p.value.type === 'ArrayPattern' || p.value.type === 'TSEmptyBodyFunctionExpression' ? unknown(p.value) : evaluate(p.value, ctx);
          entries.push({ key, value });
        }
        return { kind: 'obj', entries, complete, node };
      }
      case 'ArrayExpression': {
        const items: Val[] = [];
        for (const e of node.elements) {
          if (!e) continue;
          if (e.type === 'SpreadElement') {
            const s = evaluate(e.argument, ctx);
            if (s.kind === 'arr') items.push(...s.items);
            else if (s.kind === 'alt' && s.options.every((o) => o.val.kind === 'arr' || o.val.kind === 'unknown'))
              // `...(props.subjects ?? ['repo:o/*'])`: each option's elements, present only under its input.
              for (const o of s.options) for (const it of o.val.kind === 'arr' ? o.val.items : [o.val]) items.push(makeAlt([{ val: it, when: o.when }], e));
            else items.push(unknown(e.argument));
          } else items.push(evaluate(e, ctx));
          if (items.length > MAX_ITEMS) break;
        }
        spend(items.length, node);
        return { kind: 'arr', items, node };
      }
      case 'ArrowFunctionExpression':
      case 'FunctionExpression':
        return { kind: 'fn', fn: node, node };
      case 'NewExpression':
        return evalNew(node, ctx);
      case 'CallExpression':
        return evalCall(node, ctx);
      default:
        return unknown(node);
    }
  };

  const args = (node: TSESTree.CallExpression | TSESTree.NewExpression, ctx: Ctx): Val[] =>
    node.arguments.map((a) => (a.type === 'SpreadElement' ? unknown(a) : evaluate(a, ctx)));

  const isAbsent = (v: Val | undefined) => !v || v.kind === 'undef';

  const principal = (node: N, callee: N, json: PrincipalC['json'], conditions: Val[], action: PrincipalC['action']): Val => ({
    kind: 'principal',
    node,
    p: { node, callee, json, conditions: conditions.filter((c) => !isAbsent(c)), action },
  });

  /** The ARN of a provider value or a provider-ish expression, at the use site. */
  const providerArnAt = (v: Val, at: N): Val => {
    if (v.kind === 'provider') return { kind: 'str', parts: v.p.arn, node: at, computed: true };
    if (v.kind === 'obj') {
      const arn = prop(v, 'arn') ?? prop(v, 'openIdConnectProviderArn');
      if (arn) return arn;
    }
    return { kind: 'unknown', node: at };
  };

  const construct = (cls: string, lib: Lib, node: TSESTree.NewExpression | TSESTree.CallExpression, callee: N, a: Val[]): Val => {
    switch (cls) {
      case 'Role':
      case 'LazyRole':
      case 'CfnRole':
      case 'GithubActionsRole': {
        if (lib === 'guess' && cls === 'Role') {
          const props = a[2];
          if (!props || prop(props, 'assumedBy') === undefined) return unknown(node);
        }
        const r: RoleC = { node, callee, cls, lib, id: a[1], props: a[2] ?? { kind: 'undef', node }, added: [] };
        if (!roles.some((x) => x.node === node)) roles.push(r);
        return { kind: 'role', r, node };
      }
      case 'WebIdentityPrincipal':
        return principal(node, callee, [{ kind: 'Federated', value: a[0] ?? unknown(node), at: node.arguments[0] ?? callee }], [a[1]!], { text: 'sts:AssumeRoleWithWebIdentity', at: callee });
      case 'OpenIdConnectPrincipal': {
        const at = node.arguments[0] ?? callee;
        return principal(node, callee, [{ kind: 'Federated', value: providerArnAt(a[0] ?? unknown(node), at), at }], [a[1]!], { text: 'sts:AssumeRoleWithWebIdentity', at: callee });
      }
      case 'FederatedPrincipal': {
        const act = a[2];
        return principal(node, callee, [{ kind: 'Federated', value: a[0] ?? unknown(node), at: node.arguments[0] ?? callee }], [a[1]!], isAbsent(act) ? { text: 'sts:AssumeRole', at: callee } : { val: act, text: '', at: node.arguments[2] });
      }
      case 'SamlPrincipal': {
        const at = node.arguments[0] ?? callee;
        const arn = a[0]?.kind === 'obj' ? (prop(a[0], 'samlProviderArn') ?? unknown(at)) : unknown(at);
        return principal(node, callee, [{ kind: 'Federated', value: arn, at }], [a[1]!], { text: 'sts:AssumeRoleWithSAML', at: callee });
      }
      case 'ServicePrincipal': {
        const opts = a[1];
        return principal(node, callee, [{ kind: 'Service', value: a[0] ?? unknown(node), at: node.arguments[0] ?? callee }], opts ? [prop(opts, 'conditions') ?? { kind: 'undef', node }] : [], { text: 'sts:AssumeRole', at: callee });
      }
      case 'ArnPrincipal':
        return principal(node, callee, [{ kind: 'AWS', value: a[0] ?? unknown(node), at: node.arguments[0] ?? callee }], [], { text: 'sts:AssumeRole', at: callee });
      case 'AccountPrincipal':
      case 'AccountRootPrincipal': {
        const at = node.arguments[0] ?? callee;
        const acct = cls === 'AccountPrincipal' ? strParts(a[0] ?? unknown(node)) : ACCOUNT;
        const arn: StrVal = { kind: 'str', parts: joinParts(known('arn:'), PARTITION, known(':iam::'), acct, known(':root')), node: at, computed: true };
        return principal(node, callee, [{ kind: 'AWS', value: arn, at }], [], { text: 'sts:AssumeRole', at: callee });
      }
      case 'AnyPrincipal':
      case 'Anyone':
        return principal(node, callee, [{ kind: 'AWS', value: str('*', callee, true), at: callee }], [], { text: 'sts:AssumeRole', at: callee });
      case 'StarPrincipal':
        return principal(node, callee, [{ kind: '*', value: str('*', callee, true), at: callee }], [], { text: 'sts:AssumeRole', at: callee });
      case 'CanonicalUserPrincipal':
        return principal(node, callee, [{ kind: 'CanonicalUser', value: a[0] ?? unknown(node), at: node.arguments[0] ?? callee }], [], { text: 'sts:AssumeRole', at: callee });
      case 'OrganizationPrincipal': {
        const at = node.arguments[0] ?? callee;
        const cond: ObjVal = {
          kind: 'obj',
          complete: true,
          node: at,
          entries: [{ key: str('StringEquals', callee, true), value: { kind: 'obj', complete: true, node: at, entries: [{ key: str('aws:PrincipalOrgID', callee, true), value: a[0] ?? unknown(at) }] } }],
        };
        return principal(node, callee, [{ kind: 'AWS', value: str('*', callee, true), at: callee }], [cond], { text: 'sts:AssumeRole', at: callee });
      }
      case 'CompositePrincipal': {
        const comps = a.filter((x): x is Extract<Val, { kind: 'principal' }> => x.kind === 'principal').map((x) => x.p);
        if (comps.length !== a.length || !comps.length) return unknown(node);
        return { kind: 'principal', node, p: { node, callee, json: [], conditions: [], action: comps[0].action, components: comps } };
      }
      case 'PrincipalWithConditions': {
        const base = a[0];
        if (base?.kind !== 'principal') return unknown(node);
        return withConditions(base, a[1] ?? unknown(node), node);
      }
      case 'SessionTagsPrincipal': {
        const base = a[0];
        if (base?.kind !== 'principal') return unknown(node);
        return { kind: 'principal', node, p: { ...base.p, node, sessionTags: callee } };
      }
      case 'OpenIdConnectProvider':
      case 'OidcProviderNative':
      case 'CfnOIDCProvider':
      case 'GithubActionsIdentityProvider':
        if (cls === 'GithubActionsIdentityProvider' && lib !== 'acgo' && lib !== 'blimmer') return unknown(node);
        return defineProvider(cls, lib, node, callee, a);
      case 'PolicyStatement':
        return { kind: 'statement', node, s: { node, callee, props: a[0] } };
      case 'PolicyDocument':
        return { kind: 'document', node, d: { node, statements: a[0] ? prop(a[0], 'statements') : undefined } };
      case 'BranchFilter':
      case 'EnvironmentFilter':
      case 'TagFilter':
      case 'PullRequestFilter':
      case 'AllowAllFilter':
      case 'CustomFilter':
        return githubFilter(cls, node, callee, a[0]);
      default:
        return unknown(node);
    }
  };

  const withConditions = (base: Extract<Val, { kind: 'principal' }>, cond: Val, node: N): Val => {
    if (base.p.components) return unknown(node);
    return { kind: 'principal', node, p: { ...base.p, conditions: [...base.p.conditions, cond] } };
  };

  const defineProvider = (cls: string, lib: Lib, node: TSESTree.NewExpression | TSESTree.CallExpression, callee: N, a: Val[]): Val => {
    const props = a[2];
    const p: ProviderC = { node, callee, cls, lib, defined: true, id: a[1], arn: [] };
    if (cls === 'GithubActionsIdentityProvider') {
      p.defaults = { url: `https://${GITHUB_ISSUER}`, clientIds: ['sts.amazonaws.com'] };
      if (lib === 'acgo') p.defaults.thumbprints = [ACGO_THUMBPRINT];
      else {
        const t = props ? prop(props, 'thumbprints') : undefined;
        if (t && !isAbsent(t)) p.thumbprints = t;
        else p.defaults.thumbprints = [BLIMMER_THUMBPRINT];
      }
    } else if (props) {
      p.url = prop(props, 'url');
      p.clientIds = prop(props, cls === 'CfnOIDCProvider' ? 'clientIdList' : 'clientIds');
      p.thumbprints = prop(props, cls === 'CfnOIDCProvider' ? 'thumbprintList' : 'thumbprints');
    }
    const url = p.url ? strParts(p.url) : p.defaults?.url ? known(p.defaults.url) : undefined;
    p.arn = providerArnParts(url);
    if (!providers.some((x) => x.node === node)) providers.push(p);
    return { kind: 'provider', node, p };
  };

  /** A provider that already exists, referenced by ARN. */
  const importedProvider = (node: N, callee: N, arn: Val | undefined): Val => ({
    kind: 'provider',
    node,
    p: { node, callee, cls: 'OpenIdConnectProvider', lib: 'iam', defined: false, arn: arn ? strParts(arn) : unknownPart(text(node)) },
  });

  const githubFilter = (cls: string, node: N, callee: N, props: Val | undefined): Val => {
    if (!props || props.kind !== 'obj') return unknown(node);
    const get = (k: string) => prop(props, k);
    const withId = (name: Val | undefined, id: Val | undefined) => joinParts(strParts(name ?? unknown(node)), isAbsent(id) ? [] : joinParts(known('@'), strParts(id!)));
    const claim = joinParts(known('repo:'), withId(get('owner'), get('ownerId')), known('/'), withId(get('repository'), get('repositoryId')));
    let tail: ValuePart[];
    let at: N = node;
    const atOf = (v: Val | undefined) => (v && v.kind !== 'unknown' ? v.node : node);
    switch (cls) {
      case 'BranchFilter':
        tail = joinParts(known(':ref:refs/heads/'), strParts(get('branch') ?? unknown(node)));
        at = atOf(get('branch'));
        break;
      case 'TagFilter':
        tail = joinParts(known(':ref:refs/tags/'), strParts(get('tag') ?? unknown(node)));
        at = atOf(get('tag'));
        break;
      case 'EnvironmentFilter':
        tail = joinParts(known(':environment:'), strParts(get('environment') ?? unknown(node)));
        at = atOf(get('environment'));
        break;
      case 'CustomFilter':
        tail = joinParts(known(':'), strParts(get('filter') ?? unknown(node)));
        at = atOf(get('filter'));
        break;
      case 'PullRequestFilter':
        tail = known(':pull_request');
        break;
      default:
        tail = known(':*');
        at = callee;
        break;
    }
    return { kind: 'filter', node, subject: { kind: 'str', parts: joinParts(claim, tail), node: at, computed: true } };
  };

  const evalNew = (node: TSESTree.NewExpression, ctx: Ctx): Val => {
    const c = evaluate(node.callee, ctx);
    if (c.kind !== 'class') return unknown(node);
    return construct(c.name, c.lib, node, node.callee, args(node, ctx));
  };

  const evalCall = (node: TSESTree.CallExpression, ctx: Ctx): Val => {
    const callee = node.callee;
    // A same-file helper: `subjectFor(repo)`, `Stack.subjects(…)`, `this.subject(…)`.
    if (callee.type === 'Identifier' || (callee.type === 'MemberExpression' && callee.object.type === 'ThisExpression')) {
      const f = evaluate(callee, ctx);
      return f.kind === 'fn' ? callFunction(f.fn, args(node, ctx), node, argTextsOf(node, ctx)) : unknown(node);
    }
    if (callee.type !== 'MemberExpression') return unknown(node);
    const name = !callee.computed && callee.property.type === 'Identifier' ? callee.property.name : undefined;
    if (!name) return unknown(node);
    const target = evaluate(callee.object, ctx);
    const a = () => args(node, ctx);
    if (target.kind === 'lclass') {
      const f = member(target, name, callee);
      return f.kind === 'fn' ? callFunction(f.fn, a(), node, argTextsOf(node, ctx)) : unknown(node);
    }
    if (target.kind === 'alt' && (name === 'map' || name === 'join' || name === 'concat'))
      return lift([target], ([t]) => (t.kind === 'arr' || t.kind === 'unknown' ? arrayMethod(t, name, node, ctx) : unknown(node)), node);
    if (target.kind === 'principal') {
      if (name === 'withConditions') return withConditions(target, a()[0] ?? unknown(node), node);
      if (name === 'withSessionTags') return { kind: 'principal', node, p: { ...target.p, node, sessionTags: callee.property } };
      return unknown(node);
    }
    if (target.kind === 'class') {
      const s = `${target.name}.${name}`;
      const av = a();
      switch (s) {
        case 'OpenIdConnectProvider.fromOpenIdConnectProviderArn':
        case 'OidcProviderNative.fromOidcProviderArn':
          return importedProvider(node, callee, av[2]);
        case 'GithubActionsIdentityProvider.fromAccount': {
          if (target.lib === 'blimmer') {
            const opts = av[1];
            const part = (k: string, dflt: ValuePart[]) => {
              const v = opts ? prop(opts, k) : undefined;
              return v && !isAbsent(v) ? strParts(v) : dflt;
            };
            return { kind: 'provider', node, p: { node, callee, cls: target.name, lib: target.lib, defined: false, arn: providerArnParts(known(GITHUB_ISSUER), part('partition', PARTITION), part('account', ACCOUNT)) } };
          }
          // aws-cdk-github-oidc hard-codes the `aws` partition.
          return { kind: 'provider', node, p: { node, callee, cls: target.name, lib: target.lib, defined: false, arn: providerArnParts(known(GITHUB_ISSUER), known('aws')) } };
        }
        case 'PolicyStatement.fromJson':
          return { kind: 'statement', node, s: { node, callee, json: av[0] } };
        case 'PolicyDocument.fromJson':
          return { kind: 'document', node, d: { node, json: av[0] } };
        default:
          return unknown(node);
      }
    }
    if (target.kind === 'arr' || target.kind === 'unknown') return arrayMethod(target, name, node, ctx);
    return unknown(node);
  };

  /** `map`, `join` and `concat` on a list (for `map`, also on an unknown list: one element shaped like the callback's result). */
  const arrayMethod = (target: Extract<Val, { kind: 'arr' | 'unknown' }>, name: string, node: TSESTree.CallExpression, ctx: Ctx): Val => {
    const callee = node.callee;
    const a = () => args(node, ctx);
    if (target.kind === 'unknown' && name === 'map') {
      // `props.branches.map(b => `repo:o/r:ref:refs/heads/${b}`)`: one value shaped like the callback's result.
      const f = evaluate(node.arguments[0] ?? callee, ctx);
      const param = f.kind === 'fn' ? f.fn.params[0] : undefined;
      if (f.kind !== 'fn' || (param && param.type !== 'Identifier')) return unknown(node);
      return mapArray({ kind: 'arr', items: [param ? unknown(param) : unknown(node)], node }, f.fn, node, ctx);
    }
    if (target.kind === 'arr') {
      if (name === 'map') {
        const f = evaluate(node.arguments[0] ?? callee, ctx);
        if (f.kind !== 'fn') return unknown(node);
        return mapArray(target, f.fn, node, ctx);
      }
      if (name === 'join') {
        const sepV = node.arguments[0] ? evaluate(node.arguments[0], ctx) : undefined;
        const sep = sepV ? strParts(sepV) : known(',');
        const parts: ValuePart[] = [];
        target.items.forEach((it, i) => {
          if (i) for (const p of sep) pushPart(parts, p);
          for (const p of strParts(it)) pushPart(parts, p);
        });
        return { kind: 'str', parts: built(parts, node), node, computed: true };
      }
      if (name === 'concat') {
        const items = [...target.items];
        for (const x of a()) {
          if (x.kind === 'arr') items.push(...x.items.slice(0, MAX_ITEMS));
          else if (x.kind === 'alt' && x.options.every((o) => o.val.kind === 'arr' || o.val.kind === 'unknown'))
            for (const o of x.options) for (const it of o.val.kind === 'arr' ? o.val.items : [o.val]) items.push(makeAlt([{ val: it, when: o.when }], node));
          else items.push(x);
          if (items.length > MAX_ITEMS) break;
        }
        spend(items.length, node);
        return { kind: 'arr', items, node };
      }
    }
    return unknown(node);
  };

  /** `arr.map(x => expr)`: calls the callback once per item (its first parameter the item, the second its index). */
  const mapArray = (arr: ArrVal, fn: Fn, node: N, ctx: Ctx): Val => {
    const items: Val[] = [];
    const listNode = node.type === 'CallExpression' && node.callee.type === 'MemberExpression' ? node.callee.object : undefined;
    const element: ArgInfo = listNode ? { text: `an element of ${says(listNode, ctx)}`, type: elementType(typeOfInput(listNode, ctx)) } : {};
    arr.items.slice(0, MAX_ITEMS).forEach((item, i) => {
      items.push(callFunction(fn, [item, { kind: 'num', value: i, node: item.node }], node, [element]));
    });
    return { kind: 'arr', items, node };
  };

  /** The arguments of a call as written (for conditions in words), seen through the parameters of an enclosing call. */
  const argTextsOf = (node: TSESTree.CallExpression, ctx: Ctx): ArgInfo[] => node.arguments.map((a) => (a.type === 'SpreadElement' ? {} : { text: says(a, ctx), optional: optionality(a, ctx) }));

  /** Calls nested this deep are not followed (a helper calling a helper calling …). */
  const MAX_CALL_DEPTH = 8;
  let calls = 0;

  /**
   * Evaluates a same-file function for these arguments: an arrow's expression, or a body of
   * declarations, `if`s and `return`s (a `throw` ends a path that yields nothing; a loop's pushes
   * are read where the array is used). A return that depends on an unknown test gives both values.
   */
  const callFunction = (fn: Fn, argVals: Val[], node: N, infos: ArgInfo[] = []): Val => {
    const fctx = collected.functions.get(fn);
    if (!fctx || !fn.body || calls >= MAX_CALL_DEPTH) return unknown(node);
    const saved = env;
    const savedTexts = argTexts;
    const savedTypes = argTypes;
    env = new Map(saved);
    argTexts = new Map(savedTexts);
    argTypes = new Map(savedTypes);
    calls++;
    try {
      fn.params.forEach((p0, i) => {
        const p = p0.type === 'TSParameterProperty' ? p0.parameter : p0;
        const id = p.type === 'AssignmentPattern' ? p.left : p;
        const info = infos[i];
        if (info?.text && id.type === 'Identifier') argTexts.set(id, info.text);
        if (info?.type && id.type === 'Identifier') argTypes.set(id, info.type);
        bindParam(p, argVals[i] ?? { kind: 'undef', node }, fctx, info?.optional);
      });
      if (fn.body.type !== 'BlockStatement') return evaluate(fn.body, fctx);
      const flow = runBlock(fn.body.body, fctx, node);
      return flow.kind === 'ret' ? flow.val : flow.kind === 'never' ? unknown(node) : { kind: 'undef', node };
    } finally {
      calls--;
      env = saved;
      argTexts = savedTexts;
      argTypes = savedTypes;
    }
  };

  type Flow = { kind: 'ret'; val: Val } | { kind: 'never' } | { kind: 'none' };
  /** Nested blocks and `if`s followed in one function body (each `if` with an unknown test nests the rest of its block). */
  let blockDepth = 0;
  const runBlock = (stmts: readonly N[], ctx: Ctx, node: N): Flow => {
    if (blockDepth >= MAX_EVAL_DEPTH) return { kind: 'ret', val: unknown(node) };
    blockDepth++;
    try {
      return runStatements(stmts, ctx, node);
    } finally {
      blockDepth--;
    }
  };
  const runStatements = (stmts: readonly N[], ctx: Ctx, node: N): Flow => {
    for (let i = 0; i < stmts.length; i++) {
      const st = stmts[i];
      spend(1, st);
      switch (st.type) {
        case 'ReturnStatement':
          return { kind: 'ret', val: st.argument ? evaluate(st.argument, ctx) : { kind: 'undef', node: st } };
        case 'ThrowStatement':
          return { kind: 'never' };
        case 'VariableDeclaration':
        case 'FunctionDeclaration':
        case 'ClassDeclaration':
        case 'EmptyStatement':
        case 'ExpressionStatement':
        case 'ForStatement':
        case 'ForOfStatement':
        case 'ForInStatement':
        case 'WhileStatement':
        case 'DoWhileStatement':
        case 'TSInterfaceDeclaration':
        case 'TSTypeAliasDeclaration':
          // Declarations are hoisted into the scope; side effects (pushes) are read where the array is used.
          continue;
        case 'BlockStatement': {
          const f = runBlock(st.body, collected.blocks?.get(st) ?? ctx, node);
          if (f.kind !== 'none') return f;
          continue;
        }
        case 'IfStatement': {
          const branch = (n: N | null | undefined): Flow => (!n ? { kind: 'none' } : n.type === 'BlockStatement' ? runBlock(n.body, collected.blocks?.get(n) ?? ctx, node) : runBlock([n], ctx, node));
          const ways = branchesOf(st.test, ctx);
          if (ways.length === 1 && !ways[0].when) {
            const f = branch(ways[0].yes ? st.consequent : st.alternate);
            if (f.kind !== 'none') return f;
            continue;
          }
          let rest: Flow | undefined;
          const after = () => (rest ??= runBlock(stmts.slice(i + 1), ctx, node));
          const flows = new Map<boolean, Flow>();
          const flowOf = (yes: boolean): Flow => {
            let f = flows.get(yes);
            if (!f) {
              f = branch(yes ? st.consequent : st.alternate);
              if (f.kind === 'none') f = after();
              flows.set(yes, f);
            }
            return f;
          };
          // A path that throws (a check on the arguments) yields nothing: the other paths are the
          // possible values, and the test that guards the throw is no condition on them.
          const all = ways.map((w) => ({ w, f: flowOf(w.yes) }));
          const live = all.filter((x) => x.f.kind !== 'never');
          if (!live.length) return { kind: 'never' };
          const guard = live.length < all.length;
          const whenOf = (w: (typeof ways)[number]) => (guard ? w.base : w.when);
          const val = (f: Flow): Val => (f.kind === 'ret' ? f.val : { kind: 'undef', node: st });
          if (live.length === 1 && !whenOf(live[0].w)) return live[0].f;
          return { kind: 'ret', val: makeAlt(live.map((x) => ({ val: val(x.f), when: whenOf(x.w) })), st) };
        }
        default:
          // `switch`, `try`, …: what the function returns is not followed.
          return { kind: 'ret', val: unknown(node) };
      }
    }
    return { kind: 'none' };
  };

  /**
   * Binds a parameter pattern to an argument: a default applies to an absent argument, and to an
   * unknown one as a possible value — the path taken by default when the argument is an optional
   * input (`optional`), never when it is a required one.
   */
  const bindParam = (pat: N, v: Val, fctx: Ctx, optional?: boolean): void => {
    if (pat.type === 'Identifier') env.set(pat, v);
    else if (pat.type === 'AssignmentPattern') {
      const arg = optional === false && v.kind === 'unknown' ? v : withDefault(v, () => evaluate(pat.right, fctx), (pat.left.type === 'Identifier' ? argTexts.get(pat.left) : undefined) ?? text(pat.left), optional === true, pat);
      bindParam(pat.left, arg, fctx);
    }
    else if (pat.type === 'ObjectPattern')
      for (const p of pat.properties) {
        if (p.type !== 'Property' || p.computed || p.key.type !== 'Identifier') continue;
        let sub: Val;
        if (v.kind === 'obj') sub = prop(v, p.key.name) ?? (v.complete ? { kind: 'undef', node: p } : unknown(p));
        else if (v.kind === 'undef') sub = { kind: 'undef', node: p };
        else sub = member(v, p.key.name, p.key);
        bindParam(p.value, sub, fctx);
      }
  };

  return {
    evaluate: (node, ctx) => evaluate(node, ctx),
    text,
    prop,
    strParts,
    roles,
    providers,
    lift,
    withDefault: (v, dflt, subject, isDefault, node) => withDefault(v, dflt, subject, isDefault, node),
  };
}

/** Thumbprint pinned by aws-cdk-github-oidc's GithubActionsIdentityProvider (domain.md §C.1, §D.3). */
export const ACGO_THUMBPRINT = 'a031c46782e6e6c662c2c87c76da9aa62ccabd8e';
/** Default thumbprint of @blimmer/cdk-github-oidc's GithubActionsIdentityProvider. */
export const BLIMMER_THUMBPRINT = 'd89e3bd43d5d909b47a18977aa9d5ce36cee184c';
