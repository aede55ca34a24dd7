/**
 * Static evaluation of Terraform expressions into the shared DocNode tree, for one module (all the
 * `.tf` / `.tf.json` files of a directory plus its automatic `.tfvars`). Nothing is planned or
 * executed: variables resolve from `*.auto.tfvars` / `terraform.tfvars` and defaults, locals from
 * `locals` blocks, a few pure functions are computed, and everything else stays `unresolved` with
 * its source text kept (`${var.org}`), known pieces marked in `parts`.
 *
 * Locations: a value that is written somewhere (a variable default, a tfvars entry, a list item)
 * keeps the location of that literal, because that is the token a user edits; a computed value (a
 * template, a function call) is located at the expression that computes it.
 */
import { bothConditions, formatLocation, groupAlternatives, type Resolution, type ValueCondition, type ValuePart } from '../../model/location.js';
import { plainLocation, withLocationPath } from '../../model/location.js';
import { getEntryIndexed, isMap, isScalar, isSeq, type DocEntry, type DocMap, type DocNode, type DocScalar, type DocSeq } from '../shared/doc.js';
import type { Attribute, Block, Body, Expr, TemplateExpr, TemplatePart, TraversalExpr, TraversalStep } from './hcl.js';
import { getAttr } from './hcl.js';
import { parseJson, JsonSyntaxError, unescapeJsonPiece } from '../shared/json-ast.js';
import { SourceText } from '../shared/source-text.js';
import { spansWithin } from '../../arrays.js';
import nodePath from 'node:path';

export interface Def<T> {
  file: string;
  item: T;
}

/** The files of one Terraform module (a directory), indexed by what expressions refer to. */
export interface TfModule {
  variables: Map<string, Def<Block>[]>;
  locals: Map<string, Def<Attribute>[]>;
  /** `aws_iam_role.deploy` → resource blocks; `aws_iam_policy_document.x` → data blocks. */
  resources: Map<string, Def<Block>[]>;
  data: Map<string, Def<Block>[]>;
  /** Variable values from the automatic tfvars files, the last file winning (Terraform's order). */
  tfvars: Map<string, Def<Attribute>>;
  /** For a child module evaluated for a `module` block: the arguments it is called with, evaluated in the caller. */
  inputs?: Map<string, DocNode>;
  /**
   * Where the caller's arguments that are references (`arn = aws_iam_openid_connect_provider.x.arn`)
   * are: a value computed there is located where the child uses it, not at the caller's reference.
   */
  passedThrough?: Map<string, DocNode['loc']>;
}

export function emptyModule(): TfModule {
  return { variables: new Map(), locals: new Map(), resources: new Map(), data: new Map(), tfvars: new Map() };
}

function push<T>(m: Map<string, Def<T>[]>, key: string, def: Def<T>): void {
  const list = m.get(key);
  if (list) list.push(def);
  else m.set(key, [def]);
}

/** Indexes one `.tf` / `.tf.json` file's top-level blocks into the module. Blocks with syntax errors are left out. */
export function addToModule(mod: TfModule, file: string, body: Body): void {
  for (const b of body.blocks) {
    if (b.hasError) continue;
    const [l0, l1] = b.labels.map((l) => l.value);
    if (b.type === 'variable' && l0 !== undefined) push(mod.variables, l0, { file, item: b });
    else if (b.type === 'locals') for (const a of b.body.attributes) push(mod.locals, a.name, { file, item: a });
    else if (b.type === 'resource' && l0 !== undefined && l1 !== undefined) push(mod.resources, `${l0}.${l1}`, { file, item: b });
    else if (b.type === 'data' && l0 !== undefined && l1 !== undefined) push(mod.data, `${l0}.${l1}`, { file, item: b });
  }
}

/** Adds an automatic tfvars file (call in Terraform's order: terraform.tfvars, then *.auto.tfvars sorted). */
export function addTfvars(mod: TfModule, file: string, body: Body): void {
  for (const a of body.attributes) mod.tfvars.set(a.name, { file, item: a });
}

/** Definition to use for a name: the one in the referring file when there are several (a stray copy in another file), else the first. */
function pick<T>(defs: Def<T>[] | undefined, file: string): Def<T> | undefined {
  if (!defs?.length) return undefined;
  return defs.find((d) => d.file === file) ?? defs[0];
}

export interface Scope {
  /** File of the expression being evaluated (for picking among duplicate definitions). */
  file: string;
  /** Bound names: `each`, `count`, dynamic-block iterators, `for` variables. Unknown when bound to undefined. */
  bindings: Map<string, DocNode | undefined>;
  /** Unknown bound names in words, for conditions on them: a `for` variable over an unknown list is `an entry of var.repos`. */
  described?: Map<string, string>;
}

export function fileScope(file: string): Scope {
  return { file, bindings: new Map() };
}

export function bind(scope: Scope, names: Record<string, DocNode | undefined>, described?: Record<string, string>): Scope {
  const bindings = new Map(scope.bindings);
  for (const [k, v] of Object.entries(names)) bindings.set(k, v);
  let words = scope.described;
  if (words || described) {
    words = new Map(words);
    for (const k of Object.keys(names)) words.delete(k);
    for (const [k, v] of Object.entries(described ?? {})) words.set(k, v);
  }
  return words?.size ? { file: scope.file, bindings, described: words } : { file: scope.file, bindings };
}

/**
 * Possible values one expression may have (the branches of conditionals whose test is unknown,
 * multiplied through the templates that use them). Past this many, the value is left as one
 * unknown value: a real configuration has two or four.
 */
export const MAX_ALTERNATIVES = 16;

/** One way a template may come out: its pieces, and the input under which it does. */
/** A block as the document has it: a static one, or one instance of a `dynamic` block (`when`: there only under that input). */
interface ExpandedBlock {
  block: Block;
  body: Body;
  scope: Scope;
  when?: ValueCondition;
}

interface Variant {
  parts: ValuePart[];
  when?: ValueCondition;
}

export interface EvalProblem {
  message: string;
  loc: DocNode['loc'];
}

const MAX_DEPTH = 64;

/**
 * Work (expressions evaluated, nodes built or copied, list items compared) allowed for one role,
 * provider or standalone document, and for a whole module. A real configuration needs thousands;
 * a chain of locals that doubles a list or a string at each step needs more than memory holds.
 */
export const EVAL_BUDGET = 1_000_000;
export const MODULE_EVAL_BUDGET = 20_000_000;
/** Longest string an expression may build (16 MiB); building strings also costs one unit per 64 characters. */
export const MAX_STRING = 1 << 24;
const CHARS_PER_UNIT = 64;

/** Thrown when an evaluation exceeds its budget; `module` when the whole module's budget is spent. */
export class TfBudgetError extends Error {
  constructor(
    message: string,
    readonly module = false,
  ) {
    super(message);
  }
}

function stringTooLong(): TfBudgetError {
  return new TfBudgetError(`it builds a string of more than ${MAX_STRING / 1048576} MiB`);
}

/** Lists computed from a collection we cannot see: one representative element, length unknown. */
const UNKNOWN_LENGTH = new WeakSet<DocSeq>();

/** The deploying account, which a configuration never states. */
export const ACCOUNT_PLACEHOLDER = '${account_id}';

/**
 * Files a module's expressions read: `file(...)`, `templatefile(...)`, `data "template_file"`.
 * Paths are relative to the scan root (`/`-separated); the host refuses what lies outside it.
 */
export interface TfFileHost {
  /** The module's directory, relative to the scan root (`.` for the root). */
  dir: string;
  /** A file's text, or undefined when it is absent, outside the scan root, too large or not text. */
  read(relPath: string): string | undefined;
  /** A file's text parsed as a Terraform template (`${…}`, `%{…}`), located in that file; undefined on a syntax error. */
  parseTemplate(relPath: string, text: string): TemplateExpr | undefined;
}

export class TfEvaluator {
  /** Template and policy files rendered into a role's policy (root-relative): their standalone reading is superseded. */
  readonly renderedFiles = new Set<string>();
  private readonly localMemo = new Map<Attribute, DocNode>();
  /** `aws_iam_policy_document` blocks some expression rendered (a role's policy, another document's source). */
  readonly renderedDocuments = new Set<Block>();
  private readonly inProgress = new Set<unknown>();
  private depth = 0;
  readonly problems: EvalProblem[] = [];
  private work = 0;
  private totalWork = 0;
  /** Locals and variables whose evaluation ran out of budget: reported once, then unknown. */
  private readonly overBudget = new Map<unknown, DocNode>();
  /** `for_each` instances of a block in its own file's scope, by key: 1,000 references to one of 10,000 instances rebuilt them all each time. */
  private readonly instanceCache = new Map<Block, { first?: Scope; byKey: Map<string, Scope> }>();

  constructor(
    readonly mod: TfModule,
    readonly files?: TfFileHost,
  ) {}

  /** Starts the budget of one top-level evaluation (a role, a provider, a standalone document). */
  startBudget(): void {
    this.work = 0;
  }

  /** Counts `n` units of work; throws TfBudgetError past the budget. */
  readonly spend = (n: number): void => {
    this.work += n;
    this.totalWork += n;
    if (this.totalWork > MODULE_EVAL_BUDGET) throw new TfBudgetError(`the module's evaluation budget (${MODULE_EVAL_BUDGET.toLocaleString('en')} steps) is spent`, true);
    if (this.work > EVAL_BUDGET) throw new TfBudgetError(`it takes more than ${EVAL_BUDGET.toLocaleString('en')} evaluation steps`);
  };

  /**
   * Evaluates a local's or variable's definition; when that alone runs out of budget, the value is
   * left unknown (reported once, at the definition) and the caller goes on with the budget it had.
   */
  private viaReference(n: DocNode): DocNode {
    return viaReference(n, this.spend);
  }

  private guarded(key: unknown, name: string, expr: Expr, compute: () => DocNode): DocNode {
    const known = this.overBudget.get(key);
    if (known) return known;
    const before = this.work;
    try {
      return compute();
    } catch (e) {
      if (!(e instanceof TfBudgetError) || e.module) throw e;
      const v = unknown(expr, name);
      this.overBudget.set(key, v);
      this.problems.push({ message: `${name} was not evaluated: ${e.message} (does it grow exponentially?); its value is taken as unknown`, loc: expr.loc });
      this.work = before;
      return v;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  eval(expr: Expr, scope: Scope, path?: string): DocNode {
    if (this.depth > MAX_DEPTH) return unknown(expr, path);
    this.spend(1);
    this.depth++;
    try {
      return this.evalInner(expr, scope, path);
    } finally {
      this.depth--;
    }
  }

  private evalInner(expr: Expr, scope: Scope, path?: string): DocNode {
    switch (expr.kind) {
      case 'literal':
        return { kind: 'scalar', value: expr.value, raw: expr.raw, loc: at(expr.loc, path), resolution: 'literal' };
      case 'template':
        return this.template(expr, scope, path);
      case 'tuple':
        return { kind: 'seq', loc: at(expr.loc, path), items: expr.items.map((x, i) => this.eval(x, scope, path === undefined ? undefined : `${path}[${i}]`)) };
      case 'object': {
        const entries: DocEntry[] = [];
        for (const it of expr.items) {
          const key = this.objectKey(it.key, scope, path);
          const keyPath = path === undefined ? undefined : path ? `${path}.${String(key.value)}` : String(key.value);
          key.loc = at(key.loc, keyPath);
          entries.push({ key, value: this.eval(it.value, scope, keyPath) });
        }
        return { kind: 'map', loc: at(expr.loc, path), entries };
      }
      case 'traversal':
        return this.traversal(expr, scope, path);
      case 'call':
        return this.call(expr, scope, path);
      case 'conditional': {
        const t = this.eval(expr.test, scope);
        if (isScalar(t) && t.resolution !== 'unresolved' && typeof t.value === 'boolean') return this.eval(t.value ? expr.then : expr.else, scope, path);
        return this.eitherBranch(expr, scope, path);
      }
      case 'for':
        return this.forExpr(expr, scope, path);
      case 'binary':
        return this.binary(expr, scope, path);
      case 'unary': {
        const v = known(this.eval(expr.operand, scope));
        if (v && expr.op === '!' && typeof v.value === 'boolean') return computedScalar(!v.value, expr, path);
        if (v && expr.op === '-' && typeof v.value === 'number') return computedScalar(-v.value, expr, path);
        return unknown(expr, path);
      }
      default:
        return unknown(expr, path);
    }
  }

  /** Equality, logic, comparison and arithmetic on known scalars. */
  private binary(e: Extract<Expr, { kind: 'binary' }>, scope: Scope, path?: string): DocNode {
    const l = known(this.eval(e.left, scope));
    // `false && x` and `true || x` do not need x.
    if (l && e.op === '&&' && l.value === false) return computedScalar(false, e, path);
    if (l && e.op === '||' && l.value === true) return computedScalar(true, e, path);
    const r = known(this.eval(e.right, scope));
    // `x || true` and `x && false` do not need x either.
    if (r && e.op === '&&' && r.value === false) return computedScalar(false, e, path);
    if (r && e.op === '||' && r.value === true) return computedScalar(true, e, path);
    if (!l || !r) return unknown(e, path);
    const a = l.value;
    const b = r.value;
    switch (e.op) {
      case '==':
        return computedScalar(a === b, e, path);
      case '!=':
        return computedScalar(a !== b, e, path);
      case '&&':
      case '||':
        if (typeof a !== 'boolean' || typeof b !== 'boolean') return unknown(e, path);
        return computedScalar(e.op === '&&' ? a && b : a || b, e, path);
    }
    if (typeof a !== 'number' || typeof b !== 'number') return unknown(e, path);
    const results: Record<string, number | boolean> = { '+': a + b, '-': a - b, '*': a * b, '/': a / b, '%': a % b, '>': a > b, '>=': a >= b, '<': a < b, '<=': a <= b };
    return e.op in results ? computedScalar(results[e.op], e, path) : unknown(e, path);
  }

  /** Object keys: a bare identifier is the key's name; anything else is an expression. */
  private objectKey(key: Expr, scope: Scope, path?: string): DocScalar {
    if (key.kind === 'traversal' && typeof key.root === 'string' && key.steps.length === 0)
      return { kind: 'scalar', value: key.root, raw: key.raw, loc: key.loc, resolution: 'literal' };
    const k = this.eval(key, scope, path);
    if (isScalar(k)) return { ...k, value: k.value === null ? '' : String(k.value) };
    return unknown(key, path) as DocScalar;
  }

  private template(t: TemplateExpr, scope: Scope, path?: string): DocNode {
    const loc = at(t.loc, path);
    const interps = t.parts.filter((p) => p.kind !== 'text');
    // A template that is exactly one interpolation yields that value unchanged (HCL semantics).
    if (t.parts.length === 1 && interps.length === 1 && t.parts[0].kind === 'interp' && t.parts[0].expr && !t.heredoc) return this.eval(t.parts[0].expr, scope, path);
    const parts: ValuePart[] = [];
    const { computed, variants } = this.templateParts(t.parts, t, scope, parts, [{ parts: [] }]);
    return this.withVariants(fromParts(this.spend, parts, t.raw, loc, computed ? 'expression' : 'literal'), variants, t.raw, loc);
  }

  /** A template's value with the ways it may come out (an `%{if}` or an interpolated conditional whose test is unknown) as alternatives. */
  private withVariants(whole: DocScalar, variants: Variant[] | null, raw: string, loc: DocNode['loc']): DocScalar {
    if (!variants || (variants.length <= 1 && !variants[0]?.when)) return whole;
    whole.alternatives = groupAlternatives(
      variants.map((v) => {
        const alt = fromParts(this.spend, v.parts, raw, loc, 'expression');
        if (v.when) alt.when = v.when;
        return alt;
      }),
      loc,
    );
    if (whole.resolution !== 'unresolved') return whole.alternatives.length === 1 ? whole.alternatives[0] : { ...whole, resolution: 'unresolved', parts: [{ text: String(whole.value), known: false }] };
    return whole;
  }

  /**
   * Appends the pieces of template parts to `out` (an `%{if}` with an unknown test as one unknown
   * piece) and, while there are at most MAX_ALTERNATIVES, extends `variants` with every way the
   * parts may come out. Returns whether anything was computed (not plain text).
   */
  private templateParts(list: TemplatePart[], t: TemplateExpr, scope: Scope, out: ValuePart[], variants: Variant[] | null): { computed: boolean; variants: Variant[] | null } {
    let computed = false;
    for (const p of list) {
      if (p.kind === 'text') {
        out.push({ text: p.text, known: true });
        variants = this.extend(variants, [{ parts: [{ text: p.text, known: true }] }]);
      } else if (p.kind === 'if') {
        computed = true;
        const c = this.eval(p.cond, scope);
        if (isScalar(c) && c.resolution !== 'unresolved' && typeof c.value === 'boolean') variants = this.templateParts(c.value ? p.then : p.else, t, scope, out, variants).variants;
        else {
          out.push({ text: t.src.text.slice(p.start, p.end), known: false });
          const yes = this.templateParts(p.then, t, scope, [], [{ parts: [], when: this.describeTest(p.cond, scope, true) }]).variants;
          const no = this.templateParts(p.else, t, scope, [], [{ parts: [], when: this.describeTest(p.cond, scope, false) }]).variants;
          variants = yes && no ? this.extend(variants, [...yes, ...no]) : null;
        }
      } else if (p.kind === 'for') {
        // Over a known collection: the body once per element. Otherwise one piece we do not know.
        const iterations = this.forIterations(p, scope, false);
        if (iterations?.lengthKnown) {
          computed = true;
          for (const s of iterations.scopes) variants = this.templateParts(p.body, t, s, out, variants).variants;
        } else {
          const piece = { text: t.src.text.slice(p.start, p.end), known: false };
          out.push(piece);
          variants = this.extend(variants, [{ parts: [piece] }]);
        }
      } else if (p.kind === 'directive' || !p.expr) {
        const piece = { text: t.src.text.slice(p.start, p.end), known: false };
        out.push(piece);
        variants = this.extend(variants, [{ parts: [piece] }]);
      } else {
        computed = true;
        const fallback = '${' + p.expr.raw + '}';
        const v = this.eval(p.expr, scope);
        out.push(...stringParts(v, fallback));
        variants = this.extend(variants, isScalar(v) ? possibleOf(v).map((a) => ({ parts: stringParts(a, fallback), when: a.when })) : [{ parts: stringParts(v, fallback) }]);
      }
    }
    return { computed, variants };
  }

  /**
   * The scopes a template `%{ for }` runs its body in: one per element of a collection (a list some
   * of whose items are possible values has `lengthKnown` false). Over an unknown collection,
   * `unknownToo` gives one scope with the iterators unknown and described (`an entry of var.repos`,
   * naming the caller's expression when the template was given it); otherwise undefined.
   */
  private forIterations(p: Extract<TemplatePart, { kind: 'for' }>, scope: Scope, unknownToo: boolean): { scopes: Scope[]; lengthKnown: boolean } | undefined {
    const coll = this.eval(p.collection, scope);
    const names = (k: DocNode | undefined, v: DocNode | undefined) => (p.keyVar ? { [p.keyVar]: k, [p.valueVar]: v } : { [p.valueVar]: v });
    let scopes: Scope[] | undefined;
    let lengthKnown = true;
    if (isSeq(coll)) {
      this.spend(coll.items.length);
      scopes = coll.items.map((v, i) => bind(scope, names(num(i, v), v)));
      lengthKnown = !UNKNOWN_LENGTH.has(coll);
    } else if (isMap(coll)) {
      this.spend(coll.entries.length);
      scopes = coll.entries.map((e) => bind(scope, names(e.key, e.value)));
    } else if (unknownToo) {
      // The caller's expression (`var.repos` given to a template as `repos`) says more than the template's name.
      const what = isScalar(coll) && coll.resolution === 'unresolved' && coll.raw.length <= 80 ? coll.raw : p.collection.raw;
      const described: Record<string, string> = { [p.valueVar]: `an entry of ${what}` };
      if (p.keyVar) described[p.keyVar] = `a key of ${what}`;
      scopes = [bind(scope, names(undefined, undefined), described)];
      lengthKnown = false;
    }
    return scopes && { scopes, lengthKnown };
  }

  /**
   * `lookup(map, key, default)` whose map or key is not known: the entry when the key is in the map
   * (each entry of a known map under its key), and the default when it is not — often the wildcard
   * (`lookup(var.branches, repo, "*")`).
   */
  private lookupEither(c: Extract<Expr, { kind: 'call' }>, m: DocNode, d: DocNode, scope: Scope, path?: string): DocNode {
    const [mExpr, kExpr] = c.args;
    const mRaw = mExpr.raw;
    // A `for` variable over an unknown collection is named as what it stands for (`an entry of var.repos`).
    const kRaw = kExpr.kind === 'traversal' && typeof kExpr.root === 'string' && !kExpr.steps.length ? (scope.described?.get(kExpr.root) ?? kExpr.raw) : kExpr.raw;
    if (!isScalar(d)) return unknown(c, path);
    const test = `lookup(${mRaw}, ${kRaw})`;
    const alternatives: DocScalar[] = [];
    if (isMap(m) && m.entries.length <= MAX_ALTERNATIVES) {
      for (const e of m.entries) {
        if (!isScalar(e.value)) return unknown(c, path);
        alternatives.push(...underCondition(e.value, { text: `${kRaw} is "${String(e.key.value)}"`, isDefault: false }));
      }
    } else if (isMap(m) || isSeq(m)) return unknown(c, path);
    else alternatives.push(...underCondition(unknown(c, path), { text: `${kRaw} is a key of ${mRaw}`, isDefault: false, test, yes: true }));
    alternatives.push(...underCondition(d, { text: `${kRaw} is not a key of ${mRaw}`, isDefault: false, test, yes: false }));
    if (alternatives.length > MAX_ALTERNATIVES) return unknown(c, path);
    return { ...unknown(c, path), alternatives: groupAlternatives(alternatives, c.loc) };
  }

  /** A list element kept by a `for` filter whose test `c` is not known: a possible value, there only when the test holds. */
  private onlyIf(item: DocScalar, c: DocNode, cond: Expr, scope: Scope): DocScalar {
    if (isScalar(c) && c.resolution !== 'unresolved') return item;
    const alternatives = underCondition(item, this.describeTest(cond, scope, true));
    return alternatives.length === 1 ? alternatives[0] : { ...item, alternatives };
  }

  /** Every variant followed by every option; null once there are more than MAX_ALTERNATIVES. */
  private extend(variants: Variant[] | null, options: Variant[]): Variant[] | null {
    if (!variants) return null;
    if (options.length === 1) {
      // Every variant owns its `parts` (built here): append in place, linear in the template's length.
      const o = options[0];
      for (const v of variants) {
        for (const p of o.parts) v.parts.push(p);
        if (o.when) v.when = bothConditions(v.when, o.when);
      }
      return variants;
    }
    if (variants.length * options.length > MAX_ALTERNATIVES) return null;
    const out: Variant[] = [];
    for (const v of variants) for (const o of options) out.push({ parts: [...v.parts, ...o.parts], when: bothConditions(v.when, o.when) });
    this.spend(out.length);
    return out;
  }

  /**
   * `test ? a : b` whose test is not known: both branches are possible values, each taken under
   * its input. Scalars become one unresolved scalar with the branches as alternatives; lists of
   * scalars become one list of every item (its length unknown). Anything else stays unknown.
   */
  private eitherBranch(expr: Extract<Expr, { kind: 'conditional' }>, scope: Scope, path?: string): DocNode {
    let a = this.eval(expr.then, scope, path);
    let b = this.eval(expr.else, scope, path);
    const yes = this.describeTest(expr.test, scope, true);
    const no = this.describeTest(expr.test, scope, false);
    if (isScalar(a) && isScalar(b)) {
      const alternatives = groupAlternatives([...underCondition(a, yes), ...underCondition(b, no)], expr.loc);
      if (alternatives.length > MAX_ALTERNATIVES) return unknown(expr, path);
      return { ...unknown(expr, path), alternatives };
    }
    // `length(var.subjects) > 0 ? var.subjects : ["repo:octo-org/*"]`: an unknown list stands as one unknown item.
    const asList = (n: DocNode, other: DocNode): DocNode => (isScalar(n) && n.resolution === 'unresolved' && !n.alternatives && isSeq(other) ? { kind: 'seq', loc: n.loc, items: [n] } : n);
    [a, b] = [asList(a, b), asList(b, a)];
    if (isSeq(a) && isSeq(b) && [...a.items, ...b.items].every(isScalar)) {
      const items = groupAlternatives([...(a.items as DocScalar[]).flatMap((x) => underCondition(x, yes)), ...(b.items as DocScalar[]).flatMap((x) => underCondition(x, no))], expr.loc);
      this.spend(items.length);
      const seq: DocSeq = { kind: 'seq', loc: at(expr.loc, path), items };
      UNKNOWN_LENGTH.add(seq);
      return seq;
    }
    return unknown(expr, path);
  }

  /**
   * A test that is not known, in words, as true (`truth`) or false: `var.allow_all is true`,
   * `an entry of var.repositories has no ':'` for `length(regexall(":+", repo)) > 0` inside a
   * `for` over an unknown list, `var.branch is null`.
   */
  describeTest(e: Expr, scope: Scope, truth: boolean): ValueCondition {
    return { text: this.testWords(e, scope, truth), isDefault: false, test: e.raw, yes: truth };
  }

  private testWords(e: Expr, scope: Scope, truth: boolean): string {
    const name = (x: Expr): string => {
      if (x.kind === 'traversal' && typeof x.root === 'string' && !x.steps.length) {
        const d = scope.described?.get(x.root);
        if (d) return d;
        // A template's variable given an unknown value (`allow_all = var.allow_all`): the caller's expression.
        const b = scope.bindings.get(x.root);
        if (b && isScalar(b) && b.resolution === 'unresolved' && !b.alternatives && b.raw && b.raw.length <= 80) return b.raw;
      }
      return x.raw;
    };
    const lit = (x: Expr) => (x.kind === 'literal' ? x.value : x.kind === 'template' && x.parts.length === 1 && x.parts[0].kind === 'text' ? x.parts[0].text : undefined);
    const matches = (subject: Expr, re: Expr, yes: boolean): string | undefined => {
      const pattern = lit(re);
      if (typeof pattern !== 'string') return undefined;
      const single = /^(?:\\(.)|([^\\.*+?^$()[\]{}|]))\+?$/.exec(pattern);
      if (single) return `${name(subject)} ${yes ? 'has a' : 'has no'} '${single[1] ?? single[2]}'`;
      return `${name(subject)} ${yes ? 'matches' : 'does not match'} /${pattern}/`;
    };
    const call = (x: Expr, fn: string) => (x.kind === 'call' && x.name === fn ? x : undefined);
    /** `length(regexall(re, s))` → [s, re] */
    const regexCount = (x: Expr): [Expr, Expr] | undefined => {
      const len = call(x, 'length');
      const all = len?.args.length === 1 ? call(len.args[0], 'regexall') : undefined;
      return all?.args.length === 2 ? [all.args[1], all.args[0]] : undefined;
    };
    if (e.kind === 'unary' && e.op === '!') return this.testWords(e.operand, scope, !truth);
    if (e.kind === 'binary') {
      const rc = regexCount(e.left);
      const r = lit(e.right);
      if (rc && r === 0 && (e.op === '>' || e.op === '!=' || e.op === '==')) {
        const words = matches(rc[0], rc[1], e.op === '==' ? !truth : truth);
        if (words) return words;
      }
      const len = call(e.left, 'length');
      if (!rc && len?.args.length === 1 && r === 0 && (e.op === '>' || e.op === '!=' || e.op === '==')) return `${name(len.args[0])} ${(e.op === '==') === truth ? 'is empty' : 'is not empty'}`;
      if ((e.op === '==' || e.op === '!=') && e.right.kind === 'literal' && e.right.value === null) return `${name(e.left)} ${(e.op === '!=') === truth ? 'is set' : 'is null'}`;
      if ((e.op === '==' || e.op === '!=') && e.right.kind === 'literal' && e.right.value === '') return `${name(e.left)} ${(e.op === '!=') === truth ? 'is not empty' : 'is empty'}`;
    }
    const can = call(e, 'can');
    const rx = can?.args.length === 1 ? call(can.args[0], 'regex') : undefined;
    if (rx?.args.length === 2) {
      const words = matches(rx.args[1], rx.args[0], truth);
      if (words) return words;
    }
    const sc = call(e, 'strcontains');
    if (sc?.args.length === 2 && typeof lit(sc.args[1]) === 'string') return `${name(sc.args[0])} ${truth ? 'contains' : 'does not contain'} '${String(lit(sc.args[1]))}'`;
    if (e.kind === 'traversal' && !(typeof e.root === 'string' && scope.described?.has(e.root))) return `${name(e)} is ${truth}`;
    const words = [...(scope.described ?? [])].filter(([k]) => new RegExp(`\\b${k}\\b`).test(e.raw));
    const prefix = words.length ? `for ${words.map(([k, d]) => `${d} (${k})`).join(', ')}, ` : '';
    return `${prefix}${e.raw} is ${truth}`;
  }

  private forExpr(f: Extract<Expr, { kind: 'for' }>, scope: Scope, path?: string): DocNode {
    const coll = this.eval(f.collection, scope);
    const pairs: [DocNode, DocNode][] = [];
    if (isSeq(coll)) coll.items.forEach((v, i) => pairs.push([num(i, v), v]));
    else if (isMap(coll)) for (const e of coll.entries) pairs.push([e.key, e.value]);
    else {
      // Unknown collection: one element computed with the iterator unknown.
      const s = bind(scope, { [f.valueVar]: undefined, ...(f.keyVar ? { [f.keyVar]: undefined } : {}) }, { [f.valueVar]: `an entry of ${f.collection.raw}`, ...(f.keyVar ? { [f.keyVar]: `a key of ${f.collection.raw}` } : {}) });
      // A filter (`if cond`) on an unknown entry is not a condition on the input: whether elements exist is already unknown.
      const item = this.eval(f.body, s, path === undefined ? undefined : `${path}[0]`);
      if (f.object) return unknown(f, path);
      const seq: DocSeq = { kind: 'seq', loc: at(f.loc, path), items: [markUnresolved(item)] };
      UNKNOWN_LENGTH.add(seq);
      return seq;
    }
    const items: DocNode[] = [];
    const entries: DocEntry[] = [];
    this.spend(pairs.length);
    for (const [k, v] of pairs) {
      const s = bind(scope, f.keyVar ? { [f.keyVar]: k, [f.valueVar]: v } : { [f.valueVar]: v });
      let c: DocNode | undefined;
      if (f.cond) {
        c = this.eval(f.cond, s);
        if (isScalar(c) && c.resolution !== 'unresolved' && c.value === false) continue;
      }
      const p = path === undefined ? undefined : `${path}[${items.length + entries.length}]`;
      if (f.object && f.keyBody) {
        const key = this.eval(f.keyBody, s);
        if (!isScalar(key)) return unknown(f, path);
        entries.push({ key: { ...key, value: key.value === null ? '' : String(key.value) }, value: this.eval(f.body, s, p) });
      } else {
        const item = this.eval(f.body, s, p);
        items.push(f.cond && c && isScalar(item) ? this.onlyIf(item, c, f.cond, s) : item);
      }
    }
    return f.object ? { kind: 'map', loc: at(f.loc, path), entries } : { kind: 'seq', loc: at(f.loc, path), items };
  }

  private call(c: Extract<Expr, { kind: 'call' }>, scope: Scope, path?: string): DocNode {
    const args = () => c.args.map((a) => this.eval(a, scope));
    const name = c.name.replace(/^provider::[^:]+::/, '');
    switch (name) {
      case 'jsonencode':
      case 'tolist':
      case 'toset':
      case 'tomap':
      case 'sensitive':
      case 'nonsensitive':
        return c.args.length === 1 ? this.eval(c.args[0], scope, path) : unknown(c, path);
      case 'tostring': {
        const v = c.args.length === 1 ? this.eval(c.args[0], scope, path) : undefined;
        return v && isScalar(v) ? v : unknown(c, path);
      }
      case 'concat':
      case 'flatten':
      case 'distinct':
      case 'compact': {
        if (c.expandFinal) return unknown(c, path);
        const lists = name === 'concat' ? args() : c.args.length === 1 ? [this.eval(c.args[0], scope)] : [];
        if (!lists.length || !lists.every(isSeq)) return unknown(c, path);
        let items = (lists as DocSeq[]).flatMap((l) => l.items);
        this.spend(items.length);
        if (name === 'flatten') items = flattenItems(items, this.spend);
        if (name === 'compact') items = items.filter((i) => !(isScalar(i) && i.resolution !== 'unresolved' && (i.value === '' || i.value === null)));
        if (name === 'distinct') {
          const seen = new Set<string>();
          items = items.filter((i) => {
            if (!isScalar(i) || i.resolution === 'unresolved') return true;
            const k = String(i.value);
            if (seen.has(k)) return false;
            seen.add(k);
            return true;
          });
        }
        const out: DocSeq = { kind: 'seq', loc: at(c.loc, path), items };
        if (lists.some((l) => UNKNOWN_LENGTH.has(l as DocSeq))) UNKNOWN_LENGTH.add(out);
        return out;
      }
      case 'merge': {
        const maps = args();
        if (!maps.every(isMap)) return unknown(c, path);
        const entries: DocEntry[] = [];
        const index = new Map<string, number>();
        for (const m of maps as DocMap[])
          for (const e of m.entries) {
            this.spend(1);
            const k = String(e.key.value);
            const i = index.get(k);
            if (i !== undefined) entries[i] = e;
            else {
              index.set(k, entries.length);
              entries.push(e);
            }
          }
        return { kind: 'map', loc: at(c.loc, path), entries };
      }
      case 'lookup': {
        const [m, k, d] = args();
        if (isMap(m) && isScalar(k) && k.resolution !== 'unresolved') {
          const e = getEntryIndexed(m, String(k.value));
          if (e) return e.value;
          if (d) return d;
        }
        return d ? this.lookupEither(c, m, d, scope, path) : unknown(c, path);
      }
      case 'try':
      case 'coalesce': {
        // An unknown argument may or may not be the one chosen at plan time: it and what follows
        // it are possible values, each under its input (`var.filter is set` / `var.filter is null`).
        const alternatives: DocScalar[] = [];
        let unless: ValueCondition | undefined;
        for (const a of c.args) {
          const v = this.eval(a, scope, path);
          if (isScalar(v) && v.resolution === 'unresolved' && !v.alternatives) {
            const yes: ValueCondition = { text: name === 'try' ? `${a.raw} can be evaluated` : `${a.raw} is set`, isDefault: false, test: `${name}(${a.raw})`, yes: true };
            const no: ValueCondition = { text: name === 'try' ? `${a.raw} fails` : `${a.raw} is null`, isDefault: false, test: `${name}(${a.raw})`, yes: false };
            alternatives.push(...underCondition(v, bothConditions(unless, yes)!));
            unless = bothConditions(unless, no);
            if (alternatives.length > MAX_ALTERNATIVES) return unknown(c, path);
            continue;
          }
          if (isScalar(v) && (v.value === null || (name === 'coalesce' && v.value === ''))) continue;
          if (!alternatives.length) return v;
          if (!isScalar(v)) return unknown(c, path);
          alternatives.push(...underCondition(v, unless!));
          return { ...unknown(c, path), alternatives: groupAlternatives(alternatives, c.loc) };
        }
        return unknown(c, path);
      }
      case 'format':
        return this.format(c, scope, path);
      case 'formatlist':
        return this.formatList(c, scope, path);
      case 'keys':
      case 'values': {
        const m = c.args.length === 1 ? this.eval(c.args[0], scope, path) : undefined;
        if (!m || !isMap(m)) return unknown(c, path);
        this.spend(m.entries.length);
        // Terraform orders a map's keys lexically.
        const sorted = [...m.entries].sort((a, b) => (String(a.key.value) < String(b.key.value) ? -1 : String(a.key.value) > String(b.key.value) ? 1 : 0));
        return { kind: 'seq', loc: at(c.loc, path), items: sorted.map((e) => (name === 'keys' ? this.viaReference(e.key) : e.value)) };
      }
      case 'element': {
        const [list, i] = args();
        const k = known(i);
        if (!isSeq(list) || hasPossible(list) || UNKNOWN_LENGTH.has(list) || !list.items.length || !k || typeof k.value !== 'number' || !Number.isInteger(k.value) || k.value < 0) return unknown(c, path);
        return list.items[k.value % list.items.length];
      }
      case 'length': {
        const v = c.args.length === 1 ? this.eval(c.args[0], scope) : undefined;
        if (v && isSeq(v) && !UNKNOWN_LENGTH.has(v)) return computedScalar(v.items.length, c, path);
        if (v && isMap(v)) return computedScalar(v.entries.length, c, path);
        const s = v && known(v);
        if (s && typeof s.value === 'string') return computedScalar(s.value.length, c, path);
        return unknown(c, path);
      }
      case 'split': {
        const [sep, str] = args().map(known);
        if (!sep || !str || typeof sep.value !== 'string' || typeof str.value !== 'string' || !sep.value) return unknown(c, path);
        const pieces = str.value.split(sep.value);
        this.spend(pieces.length);
        return { kind: 'seq', loc: at(c.loc, path), items: pieces.map((x) => computedScalar(x, c)) };
      }
      case 'contains': {
        const [list, v] = args();
        const needle = known(v);
        if (!isSeq(list) || !needle || hasPossible(list) || !list.items.every((i) => known(i))) return unknown(c, path);
        this.spend(list.items.length);
        return computedScalar(list.items.some((i) => (i as DocScalar).value === needle.value), c, path);
      }
      case 'join': {
        const [sep, list] = args();
        if (!isScalar(sep) || sep.resolution === 'unresolved' || !isSeq(list) || hasPossible(list)) return unknown(c, path);
        const parts: ValuePart[] = [];
        this.spend(list.items.length);
        list.items.forEach((it, i) => {
          if (i > 0) parts.push({ text: String(sep.value), known: true });
          parts.push(...stringParts(it, '${' + c.raw + '}'));
        });
        return fromParts(this.spend, parts, c.raw, at(c.loc, path), 'expression');
      }
      case 'lower':
      case 'upper':
      case 'trimspace':
      case 'trimprefix':
      case 'trimsuffix':
      case 'replace': {
        const vals = args();
        if (!vals.every((v) => isScalar(v) && v.resolution !== 'unresolved' && v.value !== null)) return unknown(c, path);
        const [s, a, b] = vals.map((v) => String((v as DocScalar).value));
        let out: string;
        if (name === 'lower') out = s.toLowerCase();
        else if (name === 'upper') out = s.toUpperCase();
        else if (name === 'trimspace') out = s.trim();
        else if (name === 'trimprefix') out = a !== undefined && s.startsWith(a) ? s.slice(a.length) : s;
        else if (name === 'trimsuffix') out = a !== undefined && a && s.endsWith(a) ? s.slice(0, -a.length) : s;
        else if (a !== undefined && b !== undefined && a.length > 1 && a.startsWith('/') && a.endsWith('/')) {
          // A regular expression: only literal text, anchored or not (`/^repo:/`), is applied.
          const re = /^\/(\^?)((?:\\[^A-Za-z0-9]|[^\\.*+?^$()[\]{}|])+)(\$?)\/$/.exec(a);
          if (!re || b.includes('$')) return unknown(c, path);
          const lit = re[2].replace(/\\(.)/g, '$1');
          if (re[1] && re[3]) out = s === lit ? b : s;
          else if (re[1]) out = s.startsWith(lit) ? b + s.slice(lit.length) : s;
          else if (re[3]) out = s.endsWith(lit) ? s.slice(0, -lit.length) + b : s;
          else {
            const pieces = s.split(lit);
            this.spend(pieces.length);
            if (s.length + (pieces.length - 1) * (b.length - lit.length) > MAX_STRING) throw stringTooLong();
            out = pieces.join(b);
          }
        } else {
          if (a === undefined || b === undefined) return unknown(c, path);
          const pieces = s.split(a);
          this.spend(pieces.length);
          const length = s.length + (pieces.length - 1) * (b.length - a.length);
          if (length > MAX_STRING) throw stringTooLong();
          this.spend(Math.ceil(length / CHARS_PER_UNIT));
          out = pieces.join(b);
        }
        return { kind: 'scalar', value: out, raw: c.raw, loc: at(c.loc, path), resolution: 'expression' };
      }
      case 'regexall':
      case 'strcontains':
      case 'startswith':
      case 'endswith': {
        const vals = args().map(known);
        if (!vals.every((v) => v && typeof v.value === 'string')) return unknown(c, path);
        const [a, b] = vals.map((v) => String(v!.value));
        if (b === undefined) return unknown(c, path);
        if (name === 'strcontains') return computedScalar(a.includes(b), c, path);
        if (name === 'startswith') return computedScalar(a.startsWith(b), c, path);
        if (name === 'endswith') return computedScalar(a.endsWith(b), c, path);
        // Only a pattern that is literal text (or one character repeated with `+`): no regular expression is built from the source.
        const count = literalMatches(a, b);
        if (count === undefined) return unknown(c, path);
        this.spend(count);
        return { kind: 'seq', loc: at(c.loc, path), items: Array.from({ length: count }, () => computedScalar('', c)) };
      }
      case 'can': {
        // `can(regex("literal", s))` is whether s contains it; any other `can` is true only when its argument is known.
        const inner = c.args.length === 1 && c.args[0].kind === 'call' && c.args[0].name === 'regex' && c.args[0].args.length === 2 ? c.args[0] : undefined;
        if (inner) {
          const [re, str] = inner.args.map((a) => known(this.eval(a, scope)));
          const count = re && str && typeof re.value === 'string' && typeof str.value === 'string' ? literalMatches(re.value, str.value) : undefined;
          return count === undefined ? unknown(c, path) : computedScalar(count > 0, c, path);
        }
        const v = c.args.length === 1 ? this.eval(c.args[0], scope) : undefined;
        return v && !(isScalar(v) && v.resolution === 'unresolved') ? computedScalar(true, c, path) : unknown(c, path);
      }
      default:
        return unknown(c, path);
    }
  }

  /** `format("repo:%s/%s:*", var.org, var.repo)`: `%s`, `%d`, `%v` and `%%`; unknown arguments stay unknown parts. */
  private format(c: Extract<Expr, { kind: 'call' }>, scope: Scope, path?: string): DocNode {
    if (!c.args.length || c.expandFinal) return unknown(c, path);
    const fmt = this.eval(c.args[0], scope);
    if (!isScalar(fmt) || fmt.resolution === 'unresolved' || typeof fmt.value !== 'string') return unknown(c, path);
    return this.formatWith(c, fmt.value, c.args.slice(1).map((a) => this.eval(a, scope)), at(c.loc, path), path);
  }

  /**
   * `formatlist(fmt, list…)`: `format` once per position of the lists (a scalar argument is used at
   * every position); each item is located at the item of the first list it comes from. An unknown
   * argument stands for one unknown item of a list whose length is not known.
   */
  private formatList(c: Extract<Expr, { kind: 'call' }>, scope: Scope, path?: string): DocNode {
    if (c.args.length < 2 || c.expandFinal) return unknown(c, path);
    const fmt = known(this.eval(c.args[0], scope));
    if (!fmt || typeof fmt.value !== 'string') return unknown(c, path);
    const args = c.args.slice(1).map((a) => this.eval(a, scope));
    if (args.some((a) => isMap(a) || (isSeq(a) && hasPossible(a)))) return unknown(c, path);
    const lists = args.filter(isSeq);
    const lengthKnown = !lists.some((l) => UNKNOWN_LENGTH.has(l)) && !args.some((a) => isScalar(a) && a.resolution === 'unresolved');
    const n = lists.length ? lists[0].items.length : 1;
    if (lists.some((l) => l.items.length !== n)) return unknown(c, path);
    this.spend(n);
    const items: DocNode[] = [];
    for (let i = 0; i < n; i++) {
      const p = path === undefined ? undefined : `${path}[${i}]`;
      const loc = lists.length ? at(lists[0].items[i].loc, p) : at(c.loc, p);
      items.push(this.formatWith(c, fmt.value, args.map((a) => (isSeq(a) ? a.items[i] : a)), loc, p));
    }
    const seq: DocSeq = { kind: 'seq', loc: at(c.loc, path), items };
    if (!lengthKnown) UNKNOWN_LENGTH.add(seq);
    return seq;
  }

  private formatWith(c: Extract<Expr, { kind: 'call' }>, f: string, args: DocNode[], loc: DocNode['loc'], path?: string): DocNode {
    const parts: ValuePart[] = [];
    let next = 0;
    let lit = '';
    for (let i = 0; i < f.length; i++) {
      if (f[i] !== '%') {
        lit += f[i];
        continue;
      }
      const verb = f[i + 1];
      if (verb === '%') {
        lit += '%';
        i++;
        continue;
      }
      if (verb !== 's' && verb !== 'd' && verb !== 'v') return unknown(c, path);
      i++;
      if (lit) parts.push({ text: lit, known: true });
      lit = '';
      const a = args[next++];
      if (!a) return unknown(c, path);
      parts.push(...stringParts(a, '${' + c.raw + '}'));
    }
    if (lit) parts.push({ text: lit, known: true });
    return fromParts(this.spend, parts, c.raw, loc, 'expression');
  }

  // -------------------------------------------------------------------------------------------
  // References

  private traversal(t: TraversalExpr, scope: Scope, path?: string): DocNode {
    if (typeof t.root !== 'string') {
      const base = this.eval(t.root, scope);
      return this.applySteps(base, t.steps, scope, t, path);
    }
    const root = t.root;
    if (scope.bindings.has(root)) {
      const bound = scope.bindings.get(root);
      if (!bound) return unknown(t, path);
      return this.applySteps(bound, t.steps, scope, t, path);
    }
    const [s0, ...rest] = t.steps;
    const name = s0?.kind === 'attr' ? s0.name : undefined;
    if (root === 'var' && name !== undefined) {
      let v = this.variable(name, scope.file);
      const through = this.mod.passedThrough?.get(name);
      if (v && through && isScalar(v) && sameSpan(v.loc, through)) v = { ...v, loc: at(t.loc, path) };
      return v ? this.applySteps(v, rest, scope, t, path) : unknown(t, path);
    }
    if (root === 'local' && name !== undefined) {
      const v = this.local(name, scope.file);
      return v ? this.applySteps(v, rest, scope, t, path) : unknown(t, path);
    }
    if (root === 'data' && name !== undefined) return this.dataRef(name, rest, scope, t, path);
    if (name !== undefined && /^[a-z][a-z0-9]*_[a-z0-9_]+$/.test(root)) return this.resourceRef(root, name, rest, scope, t, path);
    return unknown(t, path);
  }

  private applySteps(base: DocNode, steps: TraversalStep[], scope: Scope, whole: Expr, path?: string): DocNode {
    let cur = base;
    for (const s of steps) {
      if (isScalar(cur) && cur.resolution === 'unresolved') return unknown(whole, path);
      if (s.kind === 'attr') {
        if (!isMap(cur)) return unknown(whole, path);
        const e = getEntryIndexed(cur, s.name);
        if (!e) return unknown(whole, path);
        cur = e.value;
      } else if (s.kind === 'index') {
        const k = this.eval(s.key, scope);
        if (!isScalar(k) || k.resolution === 'unresolved') return unknown(whole, path);
        if (isSeq(cur) && typeof k.value === 'number') {
          const item = cur.items[k.value];
          if (!item) return unknown(whole, path);
          cur = item;
        } else if (isMap(cur)) {
          const e = getEntryIndexed(cur, String(k.value));
          if (!e) return unknown(whole, path);
          cur = e.value;
        } else return unknown(whole, path);
      } else return unknown(whole, path);
    }
    return cur;
  }

  /** A variable's value: automatic tfvars, else its default; `undefined` when neither is given. */
  variable(name: string, file: string): DocNode | undefined {
    const decl = pick(this.mod.variables.get(name), file);
    const type = decl && getAttr(decl.item.body, 'type')?.expr;
    const typed = (v: DocNode) => (type ? this.typeDefaults(type, v, fileScope(decl!.file), 0) : v);
    const input = this.mod.inputs?.get(name);
    if (input) return typed(this.viaReference(input));
    const tv = this.mod.tfvars.get(name);
    const def = tv ? undefined : decl;
    const key = def?.item ?? tv?.item;
    const expr = tv ? tv.item.expr : def ? getAttr(def.item.body, 'default')?.expr : undefined;
    if (!expr) return undefined;
    if (this.inProgress.has(key)) return undefined;
    this.inProgress.add(key);
    try {
      return this.guarded(key, `var.${name}`, expr, () => typed(this.viaReference(this.eval(expr, fileScope(tv?.file ?? def!.file), `var.${name}`))));
    } finally {
      this.inProgress.delete(key);
    }
  }

  /**
   * A variable's value with the defaults of its type's `optional(type, default)` attributes filled
   * in where the value leaves them out (Terraform 1.3+): `branch = optional(string, "*")` is `"*"`
   * for an entry that names no branch, located at the default.
   */
  private typeDefaults(type: Expr, v: DocNode, scope: Scope, depth: number): DocNode {
    if (type.kind !== 'call' || depth > MAX_DEPTH) return v;
    this.spend(1);
    const [inner] = type.args;
    if ((type.name === 'list' || type.name === 'set') && inner && isSeq(v)) {
      const out: DocSeq = { ...v, items: v.items.map((x) => this.typeDefaults(inner, x, scope, depth + 1)) };
      if (UNKNOWN_LENGTH.has(v)) UNKNOWN_LENGTH.add(out);
      return out;
    }
    if (type.name === 'map' && inner && isMap(v)) return { ...v, entries: v.entries.map((e) => ({ key: e.key, value: this.typeDefaults(inner, e.value, scope, depth + 1) })) };
    if (type.name !== 'object' || inner?.kind !== 'object' || !isMap(v)) return v;
    const entries = [...v.entries];
    for (const item of inner.items) {
      const attr = item.key.kind === 'traversal' && typeof item.key.root === 'string' && !item.key.steps.length ? item.key.root : item.key.kind === 'literal' ? String(item.key.value) : undefined;
      if (attr === undefined) continue;
      const t = item.value;
      const optional = t.kind === 'call' && t.name === 'optional' ? t : undefined;
      const i = entries.findIndex((e) => String(e.key.value) === attr);
      const given = i >= 0 && !(isScalar(entries[i].value) && (entries[i].value as DocScalar).value === null && (entries[i].value as DocScalar).resolution !== 'unresolved');
      if (given) entries[i] = { key: entries[i].key, value: this.typeDefaults(optional ? optional.args[0] : t, entries[i].value, scope, depth + 1) };
      else if (optional?.args.length === 2) {
        const d = this.eval(optional.args[1], scope, optional.args[1].loc.path);
        const value = this.typeDefaults(optional.args[0], this.viaReference(d), scope, depth + 1);
        if (i >= 0) entries[i] = { key: entries[i].key, value };
        else entries.push({ key: synthKey(attr, optional.args[1].loc), value });
      }
    }
    return { ...v, entries };
  }

  /** The expression that defines a variable's value (for callers that need the syntax, e.g. a heredoc). */
  variableExpr(name: string, file: string): Def<Expr> | undefined {
    if (this.mod.inputs?.has(name)) return undefined;
    const tv = this.mod.tfvars.get(name);
    if (tv) return { file: tv.file, item: tv.item.expr };
    const def = pick(this.mod.variables.get(name), file);
    const e = def ? getAttr(def.item.body, 'default')?.expr : undefined;
    return e && def ? { file: def.file, item: e } : undefined;
  }

  localExpr(name: string, file: string): Def<Expr> | undefined {
    const def = pick(this.mod.locals.get(name), file);
    return def ? { file: def.file, item: def.item.expr } : undefined;
  }

  private local(name: string, file: string): DocNode | undefined {
    const def = pick(this.mod.locals.get(name), file);
    if (!def) return undefined;
    const memo = this.localMemo.get(def.item);
    if (memo) return memo;
    if (this.inProgress.has(def.item)) return undefined;
    this.inProgress.add(def.item);
    try {
      const v = this.guarded(def.item, `local.${name}`, def.item.expr, () => this.viaReference(this.eval(def.item.expr, fileScope(def.file), `local.${name}`)));
      this.localMemo.set(def.item, v);
      return v;
    } finally {
      this.inProgress.delete(def.item);
    }
  }

  private dataRef(type: string, steps: TraversalStep[], scope: Scope, t: TraversalExpr, path?: string): DocNode {
    const [nameStep, ...rest0] = steps;
    if (nameStep?.kind !== 'attr') return unknown(t, path);
    const def = pick(this.mod.data.get(`${type}.${nameStep.name}`), scope.file);
    if (!def) return unknown(t, path);
    const { instanceScope, rest } = this.instanceOf(def, rest0, scope);
    const attr = rest[0]?.kind === 'attr' ? rest[0].name : undefined;
    if (type === 'aws_iam_policy_document' && (attr === 'json' || attr === 'minified_json') && rest.length === 1) {
      const key = def.item;
      if (this.inProgress.has(key)) return unknown(t, path);
      this.inProgress.add(key);
      this.renderedDocuments.add(def.item);
      try {
        return this.policyDocument(def.item, instanceScope, `data.${type}.${nameStep.name}`);
      } finally {
        this.inProgress.delete(key);
      }
    }
    if (type === 'aws_iam_openid_connect_provider' && (attr === 'arn' || attr === 'id') && rest.length === 1) {
      const arn = getAttr(def.item.body, 'arn');
      if (arn) {
        const v = this.eval(arn.expr, instanceScope);
        return isScalar(v) ? { ...v, loc: at(t.loc, path), raw: t.raw, resolution: v.resolution === 'literal' ? 'expression' : v.resolution } : unknown(t, path);
      }
      return this.providerArn(def, instanceScope, t, path);
    }
    return unknown(t, path);
  }

  private resourceRef(type: string, name: string, rest0: TraversalStep[], scope: Scope, t: TraversalExpr, path?: string): DocNode {
    const def = pick(this.mod.resources.get(`${type}.${name}`), scope.file);
    if (!def) return unknown(t, path);
    const { instanceScope, rest } = this.instanceOf(def, rest0, scope);
    const attr = rest[0]?.kind === 'attr' ? rest[0].name : undefined;
    if (rest.length !== 1 || attr === undefined) return unknown(t, path);
    if (type === 'aws_iam_openid_connect_provider' && (attr === 'arn' || attr === 'id')) return this.providerArn(def, instanceScope, t, path);
    // Plain arguments of a resource (`aws_iam_role.x.name`) are what the configuration says.
    const a = getAttr(def.item.body, attr);
    if (a && !['arn', 'id', 'unique_id'].includes(attr)) return this.viaReference(this.eval(a.expr, { ...instanceScope, file: def.file }));
    return unknown(t, path);
  }

  /** Skips an instance key (`x[0]`, `x["k"]`) and binds `each` / `count` for that instance when known. */
  private instanceOf(def: Def<Block>, steps: TraversalStep[], scope: Scope): { instanceScope: Scope; rest: TraversalStep[] } {
    const base = fileScope(def.file);
    let cached = this.instanceCache.get(def.item);
    if (!cached) {
      const all = this.instances(def.item, base);
      this.spend(all.length);
      cached = { first: all[0]?.scope, byKey: new Map() };
      for (const i of all) if (i.key !== undefined && !cached.byKey.has(String(i.key))) cached.byKey.set(String(i.key), i.scope);
      this.instanceCache.set(def.item, cached);
    }
    if (steps[0]?.kind !== 'index') return { instanceScope: cached.first ?? base, rest: steps };
    const key = this.eval(steps[0].key, scope);
    const found = isScalar(key) && key.resolution !== 'unresolved' ? cached.byKey.get(String(key.value)) : undefined;
    return { instanceScope: found ?? bind(base, { each: undefined, count: undefined }), rest: steps.slice(1) };
  }

  /**
   * The instances of a resource or data block: one per `for_each` element when the collection is
   * known, else one representative instance with `each` / `count` unknown.
   */
  instances(block: Block, scope: Scope): { scope: Scope; key?: string | number }[] {
    const fe = getAttr(block.body, 'for_each');
    if (fe) {
      const coll = this.eval(fe.expr, scope);
      if (isMap(coll) && coll.entries.length)
        return coll.entries.map((e) => ({ key: String(e.key.value), scope: bind(scope, { each: eachNode(e.key, e.value) }) }));
      if (isSeq(coll) && coll.items.length && coll.items.every((i) => isScalar(i) && i.resolution !== 'unresolved'))
        return coll.items.map((i) => ({ key: String((i as DocScalar).value), scope: bind(scope, { each: eachNode(i as DocScalar, i) }) }));
      return [{ scope: bind(scope, { each: undefined }) }];
    }
    if (getAttr(block.body, 'count')) return [{ scope: bind(scope, { count: undefined }), key: 0 }];
    return [{ scope }];
  }

  /**
   * The ARN of an OIDC provider declared in this module:
   * `arn:aws:iam::${account_id}:oidc-provider/<url without https://>`. The account is the deploying
   * one, never written in the configuration, so the value is `unresolved` with `parts` marking it;
   * the partition is taken as `aws`, as the CloudFormation loader does.
   */
  providerArn(def: Def<Block>, scope: Scope, t: { raw: string; loc: DocNode['loc'] }, path?: string): DocScalar {
    const urlAttr = getAttr(def.item.body, 'url');
    const url = urlAttr ? this.eval(urlAttr.expr, { ...scope, file: def.file }) : undefined;
    const parts: ValuePart[] = [
      { text: 'arn:aws:iam::', known: true },
      { text: ACCOUNT_PLACEHOLDER, known: false },
      { text: ':oidc-provider/', known: true },
    ];
    if (url && isScalar(url)) {
      const urlParts = stringParts(url, '${' + (urlAttr?.expr.raw ?? 'url') + '}');
      if (urlParts.length && urlParts[0].known) urlParts[0] = { ...urlParts[0], text: urlParts[0].text.replace(/^https?:\/\//i, '') };
      const last = urlParts[urlParts.length - 1];
      if (last?.known) urlParts[urlParts.length - 1] = { ...last, text: last.text.replace(/\/+$/, '') };
      parts.push(...urlParts);
    } else parts.push({ text: '${' + t.raw + '.url}', known: false });
    return fromParts(this.spend, parts, t.raw, at(t.loc, path), 'expression');
  }

  /**
   * `arn:aws:iam::${account_id}:role<path><name>` for a role of this module: the account is never
   * known, the name may be generated (`name_prefix`, or no name at all).
   */
  roleArn(block: Block, name: { value: string; parts?: ValuePart[]; resolution: Resolution } | undefined, scope: Scope, t: { raw: string; loc: DocNode['loc'] }): DocScalar {
    const p = getAttr(block.body, 'path');
    const pathValue = p ? this.eval(p.expr, scope) : undefined;
    const parts: ValuePart[] = [
      { text: 'arn:aws:iam::', known: true },
      { text: ACCOUNT_PLACEHOLDER, known: false },
      { text: ':role', known: true },
      ...(pathValue ? stringParts(pathValue, '${' + p!.expr.raw + '}') : [{ text: '/', known: true }]),
      ...(name ? (name.resolution === 'unresolved' ? name.parts ?? [{ text: name.value, known: false }] : [{ text: name.value, known: true }]) : [{ text: '${generated_name}', known: false }]),
    ];
    return fromParts(this.spend, parts, t.raw, t.loc, 'expression');
  }

  // -------------------------------------------------------------------------------------------
  // Blocks

  /**
   * Static blocks of a type plus `dynamic "<type>"` blocks: one per element of a known collection;
   * one per item of a list some of whose items are there only under some input (`var.on ? [1] :
   * []`), with that input as `when`; and one with the iterator unknown (`an entry of var.x`) over
   * a collection that is not known — a block left out would make a policy look open, or tight.
   */
  expandBlocks(body: Body, type: string, scope: Scope): ExpandedBlock[] {
    const out: ExpandedBlock[] = [];
    for (const b of body.blocks) {
      if (b.hasError) continue;
      if (b.type === type) out.push({ block: b, body: b.body, scope });
      else if (b.type === 'dynamic' && b.labels[0]?.value === type) {
        const content = b.body.blocks.find((x) => x.type === 'content');
        const fe = getAttr(b.body, 'for_each');
        if (!content || !fe) continue;
        const itAttr = getAttr(b.body, 'iterator');
        const iterator = itAttr?.expr.kind === 'traversal' && typeof itAttr.expr.root === 'string' ? itAttr.expr.root : type;
        const coll = this.eval(fe.expr, scope);
        const element = (k: DocNode, v: DocNode): DocNode => ({ kind: 'map', loc: v.loc, entries: [entry('key', k), entry('value', v)] });
        if (isSeq(coll) && hasPossible(coll)) {
          this.spend(coll.items.length);
          coll.items.forEach((v, i) => {
            for (const one of isScalar(v) ? possibleOf(v) : [v]) {
              const { when, alternatives: _, ...item } = one as DocScalar;
              out.push({ block: content, body: content.body, scope: bind(scope, { [iterator]: element(num(i, v), item as DocScalar) }), when: when && { ...when, group: `${formatLocation(fe.expr.loc)}#${iterator}` } });
            }
          });
        } else if (isSeq(coll) || isMap(coll)) {
          const pairs: [DocNode, DocNode][] = isSeq(coll) ? coll.items.map((v, i) => [num(i, v), v]) : coll.entries.map((e) => [e.key, e.value]);
          this.spend(pairs.length);
          for (const [k, v] of pairs) out.push({ block: content, body: content.body, scope: bind(scope, { [iterator]: element(k, v) }) });
        } else {
          const what = isScalar(coll) && coll.resolution === 'unresolved' && coll.raw.length <= 80 ? coll.raw : fe.expr.raw;
          out.push({ block: content, body: content.body, scope: bind(scope, { [iterator]: undefined }, { [iterator]: `an entry of ${what}` }) });
        }
      }
    }
    return out;
  }

  private attrValue(body: Body, name: string, scope: Scope, path: string): DocNode | undefined {
    const a = getAttr(body, name);
    return a ? this.eval(a.expr, scope, `${path}.${name}`) : undefined;
  }

  /**
   * An `aws_iam_policy_document` data source as the JSON document it renders: statements,
   * principals merged by type, condition blocks merged by `test` then `variable` (values of the
   * same test and variable are appended, as the provider does), `effect` defaulting to Allow,
   * `&{…}` written as `${…}`.
   */
  policyDocument(block: Block, scope: Scope, address: string): DocMap {
    const body = block.body;
    const entries: DocEntry[] = [];
    const version = this.attrValue(body, 'version', scope, address);
    entries.push({ key: synthKey('Version', block.typeLoc), value: version ?? { kind: 'scalar', value: '2012-10-17', raw: '', loc: block.typeLoc, resolution: 'literal' } });
    const own: DocNode[] = [];
    this.expandBlocks(body, 'statement', scope).forEach(({ block: sb, body: sbody, scope: s, when }, i) => {
      own.push(this.statement(sb, sbody, s, `${address}.statement[${i}]`, when));
    });
    // source_policy_documents come first (a statement of this document replaces one with the same
    // Sid); override_policy_documents replace statements with the same Sid or are appended.
    const statements = this.otherDocuments(body, 'source_policy_documents', scope, address);
    for (const st of [...own, ...this.otherDocuments(body, 'override_policy_documents', scope, address)]) {
      this.spend(statements.length);
      const sid = sidOf(st);
      const same = sid === undefined ? -1 : statements.findIndex((x) => sidOf(x) === sid);
      if (same >= 0) statements[same] = st;
      else statements.push(st);
    }
    const first = body.blocks.find((b) => b.type === 'statement' || b.type === 'dynamic');
    entries.push({ key: synthKey('Statement', first?.typeLoc ?? block.typeLoc), value: { kind: 'seq', loc: block.loc, items: statements } });
    const doc: DocMap = { kind: 'map', loc: block.loc, entries };
    return policyVariables(doc, this.spend) as DocMap;
  }

  /** Statements of the documents listed in `source_policy_documents` / `override_policy_documents` (when they can be read). */
  private otherDocuments(body: Body, attr: string, scope: Scope, address: string): DocNode[] {
    const a = getAttr(body, attr);
    if (!a) return [];
    // A literal list: each item may be a heredoc or jsonencode; otherwise evaluate the whole list.
    const docs = a.expr.kind === 'tuple' ? a.expr.items.map((x, i) => this.policyFrom(x, scope, `${address}.${attr}[${i}]`)) : (() => {
      const v = this.eval(a.expr, scope, `${address}.${attr}`);
      return isSeq(v) ? v.items : [];
    })();
    const out: DocNode[] = [];
    for (const doc of docs) {
      if (!doc) continue;
      if (!isMap(doc)) continue;
      const st = doc.entries.find((e) => String(e.key.value) === 'Statement')?.value;
      if (st) out.push(...(isSeq(st) ? st.items : [st]));
    }
    return out;
  }

  /** `when`: the statement is there only under that input (a `dynamic "statement"` over a list of branches); its condition values say so. */
  private statement(block: Block, body: Body, scope: Scope, path: string, when?: ValueCondition): DocMap {
    const entries: DocEntry[] = [];
    const add = (key: string, attr: string) => {
      const a = getAttr(body, attr);
      if (a) entries.push({ key: synthKey(key, a.nameLoc), value: this.eval(a.expr, scope, `${path}.${attr}`) });
    };
    add('Sid', 'sid');
    const effect = getAttr(body, 'effect');
    if (effect) entries.push({ key: synthKey('Effect', effect.nameLoc), value: this.eval(effect.expr, scope, `${path}.effect`) });
    else entries.push({ key: synthKey('Effect', block.typeLoc), value: { kind: 'scalar', value: 'Allow', raw: '', loc: block.typeLoc, resolution: 'literal' } });
    add('Action', 'actions');
    add('NotAction', 'not_actions');
    add('Resource', 'resources');
    add('NotResource', 'not_resources');
    for (const [key, type] of [
      ['Principal', 'principals'],
      ['NotPrincipal', 'not_principals'],
    ] as const) {
      const blocks = this.expandBlocks(body, type, scope);
      if (blocks.length) entries.push({ key: synthKey(key, blocks[0].block.typeLoc), value: this.principals(blocks, `${path}.${type}`) });
    }
    const conds = this.expandBlocks(body, 'condition', scope);
    if (conds.length) entries.push({ key: synthKey('Condition', conds[0].block.typeLoc), value: this.conditions(conds, `${path}.condition`, when) });
    return { kind: 'map', loc: at(block.loc, path), entries };
  }

  private principals(blocks: ExpandedBlock[], path: string): DocNode {
    const byType: { key: DocScalar; items: DocNode[] }[] = [];
    blocks.forEach(({ block, body, scope }, i) => {
      const type = this.attrValue(body, 'type', scope, `${path}[${i}]`);
      const ids = this.attrValue(body, 'identifiers', scope, `${path}[${i}]`);
      const key: DocScalar = type && isScalar(type) ? { ...type, value: type.value === null ? '' : String(type.value) } : { kind: 'scalar', value: '', raw: '', loc: block.typeLoc, resolution: 'unresolved' };
      const items = ids ? (isSeq(ids) ? ids.items : [ids]) : [];
      this.spend(byType.length);
      const same = byType.find((t) => t.key.value === key.value);
      if (same) same.items.push(...items);
      else byType.push({ key, items });
    });
    // `type = "*"` (or `"AWS"`) with identifiers ["*"] alone renders as `"Principal": "*"`.
    if (byType.length === 1 && (byType[0].key.value === '*' || byType[0].key.value === 'AWS') && byType[0].items.length === 1) {
      const only = byType[0].items[0];
      if (isScalar(only) && only.value === '*' && only.resolution !== 'unresolved') return only;
    }
    return { kind: 'map', loc: blocks[0].block.loc, entries: byType.map((t) => ({ key: t.key, value: { kind: 'seq', loc: t.key.loc, items: t.items } as DocSeq })) };
  }

  private conditions(blocks: ExpandedBlock[], path: string, statementWhen?: ValueCondition): DocMap {
    const byTest: { key: DocScalar; vars: { key: DocScalar; items: DocNode[] }[] }[] = [];
    blocks.forEach(({ block, body, scope, when: blockWhen }, i) => {
      const p = `${path}[${i}]`;
      const test = this.attrValue(body, 'test', scope, p);
      const variable = this.attrValue(body, 'variable', scope, p);
      const values = this.attrValue(body, 'values', scope, p);
      let testKey = scalarKey(test, block.typeLoc);
      let varKey = scalarKey(variable, block.typeLoc);
      let items = values ? (isSeq(values) ? values.items : [values]) : [];
      // A block there only under some input: each of its values is a possible value under that input,
      // and so are its operator and key (a finding on them is about a condition that may not be there).
      const when = bothConditions(statementWhen, blockWhen);
      if (when) {
        testKey = { ...testKey, when };
        varKey = { ...varKey, when };
        const group = (statementWhen ?? blockWhen)!.group;
        items = items.flatMap((x): DocNode[] => (isScalar(x) ? underCondition(x, when).map((v) => ({ ...v, when: { ...v.when!, group: `${group}${x.when?.group ? `|${x.when.group}` : ''}` } })) : [x]));
      }
      this.spend(byTest.length);
      let t = byTest.find((x) => x.key.value === testKey.value);
      if (!t) byTest.push((t = { key: testKey, vars: [] }));
      this.spend(t.vars.length);
      const v = t.vars.find((x) => x.key.value === varKey.value);
      if (v) v.items.push(...items);
      else t.vars.push({ key: varKey, items });
    });
    return {
      kind: 'map',
      loc: blocks[0].block.loc,
      entries: byTest.map((t) => ({ key: t.key, value: { kind: 'map', loc: t.key.loc, entries: t.vars.map((v) => ({ key: v.key, value: { kind: 'seq', loc: v.key.loc, items: v.items } as DocSeq })) } as DocMap })),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Policies written as JSON text

  /**
   * The policy document an attribute such as `assume_role_policy` holds, with positions:
   * `jsonencode({...})`, a `data.aws_iam_policy_document.x.json` reference, a heredoc of JSON
   * (positions inside the heredoc), or a string of JSON, reached directly or through locals and
   * variables. `undefined` when the document cannot be read statically (e.g. `file(...)`).
   */
  policyFrom(expr: Expr, scope: Scope, path: string): DocNode | undefined {
    if (this.depth > MAX_DEPTH) return undefined;
    this.depth++;
    try {
      if (expr.kind === 'template' && expr.heredoc) return this.jsonHeredoc(expr, scope, path);
      // `"${file("trust.json")}"`: a template that is one interpolation is that value.
      if (expr.kind === 'template' && expr.parts.length === 1 && expr.parts[0].kind === 'interp' && expr.parts[0].expr) return this.policyFrom(expr.parts[0].expr, scope, path);
      if (expr.kind === 'call') {
        const name = expr.name.replace(/^provider::[^:]+::/, '');
        if ((name === 'templatefile' && expr.args.length === 2) || (name === 'file' && expr.args.length === 1)) return this.policyFile(expr.args[0], name === 'templatefile' ? expr.args[1] : undefined, scope, path);
      }
      const rendered = this.templateFileData(expr, scope, path);
      if (rendered !== false) return rendered;
      if (expr.kind === 'traversal' && typeof expr.root === 'string' && expr.steps.length === 1 && expr.steps[0].kind === 'attr') {
        const target = expr.root === 'local' ? this.localExpr(expr.steps[0].name, scope.file) : expr.root === 'var' ? this.variableExpr(expr.steps[0].name, scope.file) : undefined;
        if (target) {
          const key = target.item;
          if (this.inProgress.has(key)) return undefined;
          this.inProgress.add(key);
          try {
            return this.policyFrom(target.item, fileScope(target.file), path);
          } finally {
            this.inProgress.delete(key);
          }
        }
      }
      const v = this.eval(expr, scope, path);
      if (isMap(v)) return v;
      if (isScalar(v) && v.resolution !== 'unresolved' && typeof v.value === 'string' && /^\s*\{/.test(v.value)) return this.jsonString(v, path);
      return undefined;
    } finally {
      this.depth--;
    }
  }

  /**
   * A policy read from a file: `file(path)` (JSON as written) or `templatefile(path, vars)` (a
   * template rendered with the variables; the unknown ones stay unresolved). Values are located in
   * that file. `path.module`, `path.root` and `path.cwd` are the module's directory.
   */
  private policyFile(pathExpr: Expr, varsExpr: Expr | 'all-unknown' | undefined, scope: Scope, path: string): DocNode | undefined {
    const rel = this.filePath(pathExpr, scope);
    if (rel === undefined || !this.files) return undefined;
    const text = this.files.read(rel);
    if (text === undefined) return undefined;
    this.spend(Math.ceil(text.length / CHARS_PER_UNIT));
    let doc: DocNode | undefined;
    if (varsExpr === undefined) {
      try {
        doc = withPaths(parseJson(text, rel).root, path, this.spend);
      } catch (e) {
        if (!(e instanceof JsonSyntaxError)) throw e;
        // Not JSON: a YAML or text file this role does not take as its policy.
        return undefined;
      }
    } else {
      const t = this.files.parseTemplate(rel, text);
      if (!t) return undefined;
      // A template sees only the variables it is given (and none of the caller's `each`, `count`).
      const vars = varsExpr === 'all-unknown' ? undefined : this.eval(varsExpr, scope);
      const bindings: Record<string, DocNode | undefined> = {};
      if (vars && isMap(vars)) for (const e of vars.entries) bindings[String(e.key.value)] = e.value;
      doc = this.jsonHeredoc(t, bind(fileScope(rel), bindings), path);
    }
    if (doc) this.renderedFiles.add(rel);
    return doc;
  }

  /** The root-relative path a `file()` / `templatefile()` argument names, when it is known and inside the scan root. */
  private filePath(pathExpr: Expr, scope: Scope): string | undefined {
    const here: DocNode = { kind: 'scalar', value: '.', raw: '.', loc: pathExpr.loc, resolution: 'literal' };
    const pathObj: DocMap = { kind: 'map', loc: pathExpr.loc, entries: ['module', 'root', 'cwd'].map((k) => entry(k, here)) };
    const v = known(this.eval(pathExpr, bind(scope, { path: pathObj })));
    if (!v || typeof v.value !== 'string' || !v.value || !this.files) return undefined;
    if (v.value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(v.value)) return undefined;
    const joined = nodePath.posix.normalize(`${this.files.dir}/${v.value.replace(/\\/g, '/')}`);
    return joined === '..' || joined.startsWith('../') ? undefined : joined;
  }

  /**
   * `data.template_file.x.rendered`: the data source's `template` (a file it reads) rendered with
   * its `vars`. `false` when the expression is not such a reference.
   */
  private templateFileData(expr: Expr, scope: Scope, path: string): DocNode | undefined | false {
    if (expr.kind !== 'traversal' || expr.root !== 'data') return false;
    const [typeStep, nameStep, ...rest0] = expr.steps;
    if (typeStep?.kind !== 'attr' || typeStep.name !== 'template_file' || nameStep?.kind !== 'attr') return false;
    const def = pick(this.mod.data.get(`template_file.${nameStep.name}`), scope.file);
    if (!def) return undefined;
    const { instanceScope, rest } = this.instanceOf(def, rest0, scope);
    if (rest.length !== 1 || rest[0].kind !== 'attr' || rest[0].name !== 'rendered') return undefined;
    const s = { ...instanceScope, file: def.file };
    let template = getAttr(def.item.body, 'template')?.expr;
    // `template = "${file("…")}"` (Terraform 0.11 style) is the call itself.
    if (template?.kind === 'template' && template.parts.length === 1 && template.parts[0].kind === 'interp' && template.parts[0].expr) template = template.parts[0].expr;
    if (template?.kind !== 'call' || template.name !== 'file' || template.args.length !== 1) return undefined;
    const key = def.item;
    if (this.inProgress.has(key)) return undefined;
    this.inProgress.add(key);
    try {
      return this.policyFile(template.args[0], getAttr(def.item.body, 'vars')?.expr ?? 'all-unknown', s, path);
    } finally {
      this.inProgress.delete(key);
    }
  }

  /** JSON inside an ordinary string: parsed, every node located at the string (escapes make finer positions unreliable). */
  private jsonString(s: DocScalar, path: string): DocNode | undefined {
    try {
      const { root } = parseJson(String(s.value), s.loc.file);
      return relocate(root, () => ({ ...plainLocation(s.loc) }), path, this.spend);
    } catch (e) {
      if (e instanceof JsonSyntaxError) {
        this.problems.push({ message: `policy JSON: ${e.message}`, loc: s.loc });
        return undefined;
      }
      throw e;
    }
  }

  /**
   * A heredoc holding JSON. Interpolations are blanked to same-length placeholders so that the
   * JSON parser's offsets are file offsets; then strings that contained interpolations are
   * rebuilt from their pieces, and a placeholder standing for a whole value (`"k": ${jsonencode(x)}`)
   * is replaced by that value. A `%{ for }` between JSON values is read as one copy of its body
   * (its tags blanked; a comma it leaves dangling, or a comma-only `%{ if }`, made right), and each
   * list item or map entry of that copy is then evaluated once per element of the collection — or
   * once with the iterator unknown (`an entry of var.repos`) when the collection is not known.
   */
  private jsonHeredoc(t: TemplateExpr, scope: Scope, path: string): DocNode | undefined {
    const h = t.heredoc!;
    type ForPart = Extract<TemplatePart, { kind: 'for' }>;
    type Piece = Extract<TemplatePart, { kind: 'interp' | 'if' | 'for' }>;
    // Interpolations and directives in source order, the bodies of `%{ for }`s included.
    const events: (Piece | { kind: 'endfor'; start: number; end: number })[] = [];
    const flatten = (parts: TemplatePart[]): boolean => {
      for (const p of parts) {
        if (p.kind === 'text') continue;
        if (p.kind === 'directive') return false;
        events.push(p);
        if (p.kind === 'for') {
          if (!flatten(p.body)) return false;
          events.push({ kind: 'endfor', start: p.bodyEnd, end: p.end });
        }
      }
      return true;
    };
    if (!flatten(t.parts)) return undefined;
    this.spend(events.length);
    const body = t.src.text.slice(h.bodyStart, h.bodyEnd);
    const chars = body.split('');
    const blank = (from: number, to: number, c: string) => {
      for (let j = from; j < to; j++) chars[j] = c;
    };
    /** Pieces inside JSON strings (each branch of an `%{if}` there a possible value of the string). */
    const pieces: Piece[] = [];
    /** `%{ for }`s between JSON values, outer ones first. */
    const loops: ForPart[] = [];
    /** `%{ if }`s that are a JSON string either way, by file offset: the string's possible values. */
    const wholeIf = new Map<number, Extract<TemplatePart, { kind: 'if' }>>();
    /** Offsets (in `body`) of comma-only `%{ if }`s between JSON values. */
    const commas: number[] = [];
    const punctuation = (ps: TemplatePart[]) => ps.every((x) => x.kind === 'text' && /^[\s,]*$/.test(x.text));
    /** A branch that is one JSON string (`"repo:${org}/*"`) as the parts of its content; undefined otherwise. */
    const stringBranch = (ps: TemplatePart[]): TemplatePart[] | undefined => {
      const first = ps[0];
      const last = ps[ps.length - 1];
      if (first?.kind !== 'text' || last?.kind !== 'text') return undefined;
      const open = first.text.match(/^\s*"/)?.[0].length;
      const close = last.text.match(/"\s*$/)?.[0].length;
      if (open === undefined || close === undefined || (first === last && first.text.trim().length < 2)) return undefined;
      const out: TemplatePart[] = [];
      for (let k = 0; k < ps.length; k++) {
        const x = ps[k];
        if (x.kind !== 'text') {
          if (x.kind !== 'interp') return undefined;
          out.push(x);
          continue;
        }
        const from = k === 0 ? open : 0;
        const to = x.text.length - (k === ps.length - 1 ? close : 0);
        const raw = x.text.slice(from, to);
        // A quote that is not escaped ends the string: more than one value.
        if (/(^|[^\\])(\\\\)*"/.test(raw)) return undefined;
        if (raw) out.push({ kind: 'text', text: unescapeJsonPiece(raw), start: x.start + from, end: x.start + to });
      }
      return out;
    };
    // Which pieces sit inside a JSON string: scan the JSON lexically, skipping them.
    let inString = false;
    let next = 0;
    const whole = new Map<number, Expr | undefined>();
    for (let i = 0; i < body.length; i++) {
      const ev = events[next];
      if (ev && i === ev.start - h.bodyStart) {
        next++;
        const end = ev.end - h.bodyStart;
        if (inString) {
          if (ev.kind === 'endfor') return undefined;
          // Inside a string a directive is a piece of its text, a `%{ for }`'s body included.
          blank(i, end, 'x');
          pieces.push(ev);
          if (ev.kind === 'for') while (next < events.length && events[next].start < ev.end) next++;
          i = end - 1;
          continue;
        }
        if (ev.kind === 'for') {
          blank(i, ev.bodyStart - h.bodyStart, ' ');
          loops.push(ev);
          i = ev.bodyStart - h.bodyStart - 1;
          continue;
        }
        if (ev.kind === 'if' && !(punctuation(ev.then) && punctuation(ev.else))) {
          // `"sub": %{ if all }"repo:o/*"%{ else }"repo:o/app:ref:refs/heads/main"%{ endif }`: a string
          // either way, each branch a possible value; any other `%{if}` between JSON values changes
          // the document's structure: not read.
          const yes = stringBranch(ev.then);
          const no = stringBranch(ev.else);
          if (!yes || !no) return undefined;
          blank(i, end, 'x');
          chars[i] = '"';
          chars[end - 1] = '"';
          wholeIf.set(ev.start, { ...ev, then: yes, else: no });
          i = end - 1;
          continue;
        }
        // `%{ if i < length(repos) - 1 },%{ endif }`: a separator.
        if (ev.kind === 'if') commas.push(i);
        blank(i, end, ' ');
        if (ev.kind === 'interp') {
          chars[i] = '"';
          chars[i + 1] = '"';
          whole.set(ev.start, ev.expr);
        }
        i = end - 1;
        continue;
      }
      const c = body[i];
      if (inString && c === '\\') i++;
      else if (c === '"') inString = !inString;
    }
    if (loops.length || commas.length) this.fixCommas(chars, commas, loops.map((l) => [l.bodyStart - h.bodyStart, l.bodyEnd - h.bodyStart]));
    const synthetic = chars.join('');
    const synth = new SourceText(t.src.file, synthetic);
    let root: DocNode;
    try {
      root = parseJson(synthetic, t.src.file).root;
    } catch (e) {
      if (e instanceof JsonSyntaxError) {
        const off = synth.offset(e.line, e.column);
        this.problems.push({ message: `policy JSON in heredoc: ${e.message}`, loc: t.src.loc(h.bodyStart + off, h.bodyStart + off) });
        return undefined;
      }
      throw e;
    }
    const fileOffset = (p: { line: number; column: number }) => h.bodyStart + synth.offset(p.line, p.column);
    /** The loops between `container`'s start and an item of it at `at`, outer first. */
    const loopsAround = (container: number, at: number) => loops.filter((l) => l.start > container && l.bodyStart <= at && at < l.bodyEnd);
    /** Calls `emit` in every scope the loops give, saying whether every collection on the way was known. */
    const expand = (around: ForPart[], s: Scope, emit: (s: Scope, lengthKnown: boolean) => void, lengthKnown = true): void => {
      if (!around.length) return emit(s, lengthKnown);
      const it = this.forIterations(around[0], s, true)!;
      for (const inner of it.scopes) expand(around.slice(1), inner, emit, lengthKnown && it.lengthKnown);
    };
    const fix = (n: DocNode, p: string, s: Scope): DocNode => {
      this.spend(1);
      const start = fileOffset(n.loc.start);
      const end = fileOffset(n.loc.end);
      const loc = t.src.loc(start, end, p);
      if (n.kind === 'map') {
        const entries: DocEntry[] = [];
        for (const e of n.entries) {
          const entryAt = (inner: Scope) => {
            const key = fix(e.key, p, inner) as DocScalar;
            const kp = p ? `${p}.${String(key.value)}` : String(key.value);
            key.loc = withLocationPath(key.loc, kp);
            entries.push({ key, value: fix(e.value, kp, inner) });
          };
          if (!loops.length) entryAt(s);
          else expand(loopsAround(start, fileOffset(e.key.loc.start)), s, entryAt);
        }
        return { kind: 'map', loc, entries };
      }
      if (n.kind === 'seq') {
        const items: DocNode[] = [];
        let lengthKnown = true;
        for (const x of n.items) {
          if (!loops.length) {
            items.push(fix(x, `${p}[${items.length}]`, s));
            continue;
          }
          expand(loopsAround(start, fileOffset(x.loc.start)), s, (inner, known) => {
            const item = fix(x, `${p}[${items.length}]`, inner);
            // Over an unknown collection the item stands for entries we do not know.
            items.push(known ? item : markUnresolved(item));
            lengthKnown &&= known;
          });
        }
        const seq: DocSeq = { kind: 'seq', loc, items };
        if (!lengthKnown) UNKNOWN_LENGTH.add(seq);
        return seq;
      }
      if (typeof n.value !== 'string') return { ...n, loc };
      if (whole.has(start) && n.raw === '""') {
        const ex = whole.get(start);
        return ex ? this.eval(ex, s, p) : { ...n, loc, resolution: 'unresolved' };
      }
      const branches = wholeIf.get(start);
      const inner = branches ? [] : spansWithin(pieces, start, end);
      const rawText = t.src.text.slice(start, end);
      if (branches) {
        const parts: ValuePart[] = [];
        const { variants } = this.templateParts([branches], t, s, parts, [{ parts: [] }]);
        return this.withVariants(fromParts(this.spend, parts, rawText, loc, 'expression'), variants, rawText, loc);
      }
      if (!inner.length) {
        const value = rawText.includes('$${') || rawText.includes('%%{') ? n.value.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{') : n.value;
        return { ...n, value, raw: rawText, loc };
      }
      // The string as template parts: its JSON text between the placeholders, and the placeholders.
      const list: TemplatePart[] = [];
      let cursor = start + 1;
      const lit = (to: number) => {
        if (to <= cursor) return;
        list.push({ kind: 'text', text: unescapeJsonPiece(t.src.text.slice(cursor, to)), start: cursor, end: to });
      };
      for (const ip of inner) {
        lit(ip.start);
        list.push(ip);
        cursor = ip.end;
      }
      lit(end - 1);
      const parts: ValuePart[] = [];
      const { variants } = this.templateParts(list, t, s, parts, [{ parts: [] }]);
      return this.withVariants(fromParts(this.spend, parts, rawText, loc, 'expression'), variants, rawText, loc);
    };
    return fix(root, path, scope);
  }

  /**
   * The separators of a JSON text read with one copy of each `%{ for }` body: a comma-only
   * `%{ if }` (at `commas`) becomes a comma where one is needed between two values; a comma in a
   * loop body (within `bodies`) with no value before or after it is removed.
   */
  private fixCommas(chars: string[], commas: number[], bodies: [number, number][]): void {
    this.spend(Math.ceil(chars.length / CHARS_PER_UNIT));
    const space = (c: string) => c === ' ' || c === '\n' || c === '\t' || c === '\r';
    const before = (k: number) => {
      for (let j = k - 1; j >= 0; j--) if (!space(chars[j])) return chars[j];
      return '';
    };
    const after = (k: number) => {
      for (let j = k + 1; j < chars.length; j++) if (!space(chars[j])) return chars[j];
      return '';
    };
    for (const k of commas) {
      const a = before(k);
      const b = after(k);
      if (a && b && !'[{,:'.includes(a) && !']},'.includes(b)) chars[k] = ',';
    }
    const inLoop = new Int32Array(chars.length + 1);
    for (const [from, to] of bodies) {
      inLoop[from]++;
      inLoop[to]--;
    }
    for (let k = 1; k < inLoop.length; k++) inLoop[k] += inLoop[k - 1];
    // Outside strings only; the strings of the synthetic text have no directives left in them.
    let inString = false;
    for (let k = 0; k < chars.length; k++) {
      const c = chars[k];
      if (inString) {
        if (c === '\\') k++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === ',') {
        if (inLoop[k] && ('[{,'.includes(before(k) || '[') || ']}'.includes(after(k) || ']'))) chars[k] = ' ';
      }
    }
  }
}

/**
 * How many times a regular expression that is literal text (`":"`, `"\\."`), or one literal
 * character repeated (`":+"`), matches in `s`; undefined for any other pattern.
 */
function literalMatches(pattern: string, s: string): number | undefined {
  const m = /^((?:\\[^A-Za-z0-9]|[^\\.*+?^$()[\]{}|])+?)(\+?)$/.exec(pattern);
  if (!m) return undefined;
  const text = m[1].replace(/\\(.)/g, '$1');
  if (m[2] && text.length !== 1) return undefined;
  let count = 0;
  for (let i = s.indexOf(text); i >= 0; i = s.indexOf(text, i + text.length)) {
    count++;
    if (m[2]) while (s.startsWith(text, i + text.length)) i += text.length;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------
// DocNode helpers

function sameSpan(a: DocNode['loc'], b: DocNode['loc']): boolean {
  return a.file === b.file && a.start.line === b.start.line && a.start.column === b.start.column && a.end.line === b.end.line && a.end.column === b.end.column;
}

function at(loc: DocNode['loc'], path?: string): DocNode['loc'] {
  return path === undefined ? loc : withLocationPath(loc, path);
}

function entry(key: string, value: DocNode): DocEntry {
  return { key: { kind: 'scalar', value: key, raw: key, loc: value.loc, resolution: 'literal' }, value };
}

function sidOf(st: DocNode): string | undefined {
  if (!isMap(st)) return undefined;
  const sid = st.entries.find((e) => String(e.key.value) === 'Sid')?.value;
  return sid && isScalar(sid) && sid.resolution !== 'unresolved' && sid.value !== null && sid.value !== '' ? String(sid.value) : undefined;
}

function synthKey(name: string, loc: DocNode['loc']): DocScalar {
  return { kind: 'scalar', value: name, raw: '', loc, resolution: 'literal' };
}

function scalarKey(n: DocNode | undefined, fallback: DocNode['loc']): DocScalar {
  if (n && isScalar(n)) return { ...n, value: n.value === null ? '' : String(n.value) };
  return { kind: 'scalar', value: '', raw: '', loc: n?.loc ?? fallback, resolution: 'unresolved' };
}

function num(i: number, near: DocNode): DocScalar {
  return { kind: 'scalar', value: i, raw: String(i), loc: near.loc, resolution: 'literal' };
}

function eachNode(key: DocScalar, value: DocNode): DocMap {
  return { kind: 'map', loc: value.loc, entries: [entry('key', { ...key, value: key.value === null ? '' : String(key.value) }), entry('value', value)] };
}

/** A known scalar, or undefined for maps, lists and unresolved values. */
function known(n: DocNode | undefined): DocScalar | undefined {
  return n && isScalar(n) && n.resolution !== 'unresolved' ? n : undefined;
}

function computedScalar(value: string | number | boolean, expr: { raw: string; loc: DocNode['loc'] }, path?: string): DocScalar {
  return { kind: 'scalar', value, raw: expr.raw, loc: at(expr.loc, path), resolution: 'expression' };
}

/** An expression whose value is not known statically: its text, as `${…}`, is kept. */
export function unknown(expr: { raw: string; loc: DocNode['loc'] }, path?: string): DocScalar {
  const text = '${' + expr.raw + '}';
  return { kind: 'scalar', value: text, raw: expr.raw, loc: at(expr.loc, path), resolution: 'unresolved', parts: [{ text, known: false }] };
}

/** A value read through a variable or local: literals become `expression` (resolved from elsewhere). */
function viaReference(n: DocNode, spend: (n: number) => void): DocNode {
  spend(1);
  if (n.kind === 'scalar') return n.resolution === 'literal' ? { ...n, resolution: 'expression' } : n;
  if (n.kind === 'seq') {
    const out: DocSeq = { ...n, items: n.items.map((x) => viaReference(x, spend)) };
    if (UNKNOWN_LENGTH.has(n)) UNKNOWN_LENGTH.add(out);
    return out;
  }
  return { ...n, entries: n.entries.map((e) => ({ key: e.key, value: viaReference(e.value, spend) })) };
}

function markUnresolved(n: DocNode): DocNode {
  if (n.kind !== 'scalar') return n;
  const text = n.value === null ? '' : String(n.value);
  const out: DocScalar = { ...n, resolution: 'unresolved', parts: n.parts ?? [{ text, known: false }] };
  if (n.alternatives) out.alternatives = n.alternatives.map((a) => markUnresolved(a) as DocScalar);
  return out;
}

/** A list some of whose items are there only under some input (the branches of a conditional between lists). */
function hasPossible(seq: DocSeq): boolean {
  return seq.items.some((i) => isScalar(i) && (i.when || i.alternatives));
}

/** The possible values of a scalar: its alternatives, or itself. */
function possibleOf(n: DocScalar): DocScalar[] {
  return n.alternatives?.length ? n.alternatives : [n];
}

/** The possible values of a scalar, each taken only under `when` as well. */
function underCondition(n: DocScalar, when: ValueCondition): DocScalar[] {
  return possibleOf(n).map((a) => {
    const { alternatives: _, ...one } = a;
    return { ...one, when: bothConditions(when, a.when) };
  });
}

/** A value as string pieces; maps, lists and unknowns become one unknown piece with `fallback` as text. */
function stringParts(v: DocNode, fallback: string): ValuePart[] {
  if (!isScalar(v)) return [{ text: fallback, known: false }];
  if (v.resolution === 'unresolved') return v.parts ?? [{ text: fallback, known: false }];
  if (v.parts) return v.parts;
  return [{ text: v.value === null ? '' : String(v.value), known: true }];
}

function mergeParts(parts: ValuePart[]): ValuePart[] {
  const out: ValuePart[] = [];
  for (const p of parts) {
    if (!p.text) continue;
    const last = out[out.length - 1];
    if (last && last.known === p.known) out[out.length - 1] = { text: last.text + p.text, known: p.known };
    else out.push({ ...p });
  }
  return out;
}

function fromParts(spend: (n: number) => void, parts: ValuePart[], raw: string, loc: DocNode['loc'], ifKnown: Resolution): DocScalar {
  let length = 0;
  for (const p of parts) if ((length += p.text.length) > MAX_STRING) throw stringTooLong();
  spend(Math.ceil(length / CHARS_PER_UNIT));
  const merged = mergeParts(parts);
  const value = merged.map((p) => p.text).join('');
  if (merged.every((p) => p.known)) return { kind: 'scalar', value, raw, loc, resolution: ifKnown };
  return { kind: 'scalar', value, raw, loc, resolution: 'unresolved', parts: merged };
}

function flattenItems(items: DocNode[], spend: (n: number) => void): DocNode[] {
  spend(items.length);
  return items.flatMap((i) => (isSeq(i) ? flattenItems(i.items, spend) : [i]));
}

/** In `aws_iam_policy_document`, `&{aws:username}` stands for the IAM policy variable `${aws:username}`. */
function policyVariables(n: DocNode, spend: (n: number) => void): DocNode {
  spend(1);
  if (n.kind === 'scalar') {
    if (typeof n.value !== 'string' || !n.value.includes('&{')) return n;
    const fix = (s: string) => s.replace(/&\{/g, '${');
    return { ...n, value: fix(n.value), parts: n.parts?.map((p) => (p.known ? { ...p, text: fix(p.text) } : p)) };
  }
  if (n.kind === 'seq') return { ...n, items: n.items.map((x) => policyVariables(x, spend)) };
  return { ...n, entries: n.entries.map((e) => ({ key: policyVariables(e.key, spend) as DocScalar, value: policyVariables(e.value, spend) })) };
}

function relocate(n: DocNode, loc: () => DocNode['loc'], path: string, spend: (n: number) => void): DocNode {
  spend(1);
  const l = { ...plainLocation(loc()), path };
  if (n.kind === 'scalar') return { ...n, loc: l, resolution: 'expression' };
  if (n.kind === 'seq') return { ...n, loc: l, items: n.items.map((x, i) => relocate(x, loc, `${path}[${i}]`, spend)) };
  return { ...n, loc: l, entries: n.entries.map((e) => ({ key: relocate(e.key, loc, `${path}.${String(e.key.value)}`, spend) as DocScalar, value: relocate(e.value, loc, `${path}.${String(e.key.value)}`, spend) })) };
}

/** A document read from another file, with symbolic paths from `path` (its positions are that file's). */
function withPaths(n: DocNode, path: string, spend: (n: number) => void): DocNode {
  spend(1);
  const loc = withLocationPath(n.loc, path);
  if (n.kind === 'scalar') return { ...n, loc };
  if (n.kind === 'seq') return { ...n, loc, items: n.items.map((x, i) => withPaths(x, `${path}[${i}]`, spend)) };
  return { ...n, loc, entries: n.entries.map((e) => ({ key: withPaths(e.key, `${path}.${String(e.key.value)}`, spend) as DocScalar, value: withPaths(e.value, `${path}.${String(e.key.value)}`, spend) })) };
}
