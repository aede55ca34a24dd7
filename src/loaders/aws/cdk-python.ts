/**
 * AWS CDK apps in Python: the same analysis as for TypeScript (cdk.ts, cdk-eval.ts), fed with a
 * translation of the Python syntax tree into the ESTree shapes that analysis reads.
 *
 * Parsed with tree-sitter's Python grammar (the WASM in the `tree-sitter-python` package, run by the
 * web-tree-sitter the Terraform loader already loads); nothing is executed. The translation keeps
 * what decides a trust policy and marks the rest unknown:
 *
 * - `import aws_cdk.aws_iam as iam`, `from aws_cdk import aws_iam as iam`, `from aws_cdk.aws_iam
 *   import Role` become the matching `aws-cdk-lib` imports;
 * - a call of a capitalised name (`iam.Role(self, "R", assumed_by=…)`) is a `new`: a construct's
 *   keyword arguments become its props object with camelCase keys, a principal's become its
 *   positional arguments (`WebIdentityPrincipal(arn, conditions={…})`);
 * - attribute names go from snake_case to camelCase (`open_id_connect_provider_arn`,
 *   `assume_role_policy.add_statements`); `self` is `this`;
 * - names assigned once are constants, functions and their defaults, f-strings (template
 *   literals), `+`, `a if c else b`, `or`/`and`, lists, tuples, dicts and list comprehensions
 *   (`[f"repo:{r}:*" for r in repos]` as a `.map`) keep their meaning;
 * - anything else is an unknown value, never a guess.
 */
import type { TSESTree } from '@typescript-eslint/typescript-estree';
import type { Node as TsNode } from 'web-tree-sitter';
import { treeSitterParser } from '../terraform/hcl.js';
import { analyseProgram, MAX_CDK_PARSE_BYTES, type CdkLoadResult } from './cdk.js';

/** A `.py` file that mentions CDK IAM or the GitHub OIDC constructs (no parsing). */
const PY_CDK_IAM_HINT = /aws_cdk[\s\S]*?(aws_iam|WebIdentityPrincipal|OpenIdConnect(?:Principal|Provider)|OidcProviderNative|FederatedPrincipal)|cdk_github_oidc|GithubActionsRole/;

export function isPythonCdkPath(relPath: string): boolean {
  return /\.py$/i.test(relPath) && !/(^|\/)(\.venv|venv|site-packages|cdk\.out|node_modules)\//.test(relPath);
}

export function mayBePythonCdkIam(relPath: string, text: string): boolean {
  return isPythonCdkPath(relPath) && PY_CDK_IAM_HINT.test(text);
}

const pythonParser = () => treeSitterParser('tree-sitter-python/tree-sitter-python.wasm');

/** Python modules → the npm modules the TypeScript analysis knows. */
function jsModule(py: string): string | undefined {
  if (py === 'aws_cdk') return 'aws-cdk-lib';
  if (py === 'aws_cdk.aws_iam') return 'aws-cdk-lib/aws-iam';
  if (py === 'aws_cdk_github_oidc' || py === 'cdk_github_oidc') return 'aws-cdk-github-oidc';
  return undefined;
}

/** Positional parameters of principals (keyword arguments go there, not into a props object). */
const POSITIONAL: Record<string, string[]> = {
  WebIdentityPrincipal: ['identity_provider', 'conditions'],
  OpenIdConnectPrincipal: ['open_id_connect_provider', 'conditions'],
  FederatedPrincipal: ['federated', 'conditions', 'assume_role_action'],
  SamlPrincipal: ['saml_provider', 'conditions'],
  ArnPrincipal: ['arn'],
  AccountPrincipal: ['account_id'],
  ServicePrincipal: ['service', 'opts'],
  PrincipalWithConditions: ['principal', 'conditions'],
};
/** Constructs: `(scope, id, **props)`. Everything else capitalised takes its keywords as one props object. */
const CONSTRUCTS = new Set(['Role', 'LazyRole', 'CfnRole', 'OpenIdConnectProvider', 'OidcProviderNative', 'CfnOIDCProvider', 'GithubActionsRole', 'GithubActionsIdentityProvider']);

const camel = (s: string): string => (/^[a-z0-9]+(_[a-z0-9]+)+$/.test(s) && !/^aws_/.test(s) ? s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : s);

type N = TSESTree.Node;
type Any = Record<string, unknown> & { type: string };

class Translator {
  private readonly lineStarts: number[] = [0];
  /** Names assigned more than once in a block: not constants. */
  private reassigned: Set<string>[] = [];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  private pos(i: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: i - this.lineStarts[lo] };
  }

  private mk(type: string, at: { startIndex: number; endIndex: number }, props: Record<string, unknown>): N {
    return { type, range: [at.startIndex, at.endIndex], loc: { start: this.pos(at.startIndex), end: this.pos(at.endIndex) }, ...props } as unknown as N;
  }

  private unknown(at: TsNode): N {
    // A name no scope binds: the evaluator takes it as an unknown value.
    return this.mk('Identifier', at, { name: '__oidc_lint_unknown__' });
  }

  private str(at: TsNode, value: string): N {
    return this.mk('Literal', at, { value, raw: JSON.stringify(value) });
  }

  program(root: TsNode): TSESTree.Program {
    return this.mk('Program', root, { sourceType: 'module', body: this.block(root.namedChildren.filter(Boolean) as TsNode[]), comments: [], tokens: [] }) as TSESTree.Program;
  }

  private block(stmts: TsNode[]): N[] {
    const counts = new Map<string, number>();
    for (const s of stmts) {
      const a = s.type === 'expression_statement' ? s.namedChild(0) : null;
      const left = a?.type === 'assignment' || a?.type === 'augmented_assignment' ? a.childForFieldName('left') : null;
      if (left?.type === 'identifier') counts.set(left.text, (counts.get(left.text) ?? 0) + (a!.type === 'augmented_assignment' ? 2 : 1));
      if (s.type === 'for_statement') {
        const l = s.childForFieldName('left');
        if (l?.type === 'identifier') counts.set(l.text, 2);
      }
    }
    this.reassigned.push(new Set([...counts].filter(([, n]) => n > 1).map(([k]) => k)));
    try {
      return stmts.flatMap((s) => this.statement(s));
    } finally {
      this.reassigned.pop();
    }
  }

  private statement(s: TsNode): N[] {
    switch (s.type) {
      case 'import_statement':
        return this.importStatement(s);
      case 'import_from_statement':
        return this.importFrom(s);
      case 'expression_statement': {
        const e = s.namedChild(0);
        if (!e) return [];
        if (e.type === 'assignment') return this.assignment(s, e);
        return [this.mk('ExpressionStatement', s, { expression: this.expr(e) })];
      }
      case 'return_statement': {
        const v = s.namedChild(0);
        return [this.mk('ReturnStatement', s, { argument: v ? this.expr(v) : null })];
      }
      case 'function_definition':
        return [this.functionDeclaration(s)];
      case 'decorated_definition': {
        const d = s.childForFieldName('definition');
        return d ? this.statement(d) : [];
      }
      case 'class_definition':
        return [this.classDeclaration(s)];
      case 'if_statement':
      case 'for_statement':
      case 'while_statement':
      case 'with_statement':
      case 'try_statement': {
        // Their bodies still define roles: walked as plain blocks (the test is not evaluated).
        const out: N[] = [];
        for (const c of s.namedChildren) if (c && (c.type === 'block' || /_clause$/.test(c.type))) out.push(this.mk('BlockStatement', c, { body: this.blockOf(c) }));
        return out;
      }
      default:
        return [];
    }
  }

  private blockOf(n: TsNode): N[] {
    const b = n.type === 'block' ? n : (n.namedChildren.find((c) => c?.type === 'block') ?? null);
    return b ? this.block(b.namedChildren.filter(Boolean) as TsNode[]) : [];
  }

  private importStatement(s: TsNode): N[] {
    const out: N[] = [];
    for (const c of s.namedChildren) {
      if (!c) continue;
      const name = c.type === 'aliased_import' ? c.childForFieldName('name')?.text : c.text;
      const alias = c.type === 'aliased_import' ? c.childForFieldName('alias')?.text : undefined;
      const mod = name ? jsModule(name) : undefined;
      if (!name || !mod) continue;
      // `import aws_cdk.aws_iam` without `as` binds `aws_cdk`, and `aws_cdk.aws_iam.Role` is read through it.
      const local = alias ?? name.split('.')[0];
      const source = alias ? mod : jsModule(local);
      if (!source) continue;
      out.push(this.mk('ImportDeclaration', s, { importKind: 'value', source: this.str(c, source), specifiers: [this.mk('ImportNamespaceSpecifier', c, { local: this.mk('Identifier', c, { name: local }) })] }));
    }
    return out;
  }

  private importFrom(s: TsNode): N[] {
    const modNode = s.childForFieldName('module_name');
    const mod = modNode ? jsModule(modNode.text) : undefined;
    if (!mod) return [];
    const specifiers: N[] = [];
    for (const c of s.childrenForFieldName('name')) {
      if (!c) continue;
      const imported = c.type === 'aliased_import' ? c.childForFieldName('name')?.text : c.text;
      const local = c.type === 'aliased_import' ? c.childForFieldName('alias')?.text : c.text;
      if (!imported || !local) continue;
      // `from aws_cdk import aws_iam as iam`: the submodule, as `import * as iam from 'aws-cdk-lib/aws-iam'`.
      if (mod === 'aws-cdk-lib' && imported === 'aws_iam') {
        specifiers.push(this.mk('ImportDeclaration', s, { importKind: 'value', source: this.str(c, 'aws-cdk-lib/aws-iam'), specifiers: [this.mk('ImportNamespaceSpecifier', c, { local: this.mk('Identifier', c, { name: local }) })] }));
        continue;
      }
      specifiers.push(this.mk('ImportSpecifier', c, { importKind: 'value', imported: this.mk('Identifier', c, { name: imported }), local: this.mk('Identifier', c, { name: local }) }));
    }
    const decls: N[] = specifiers.filter((x) => x.type === 'ImportDeclaration');
    const named = specifiers.filter((x) => x.type !== 'ImportDeclaration');
    if (named.length) decls.push(this.mk('ImportDeclaration', s, { importKind: 'value', source: this.str(modNode!, mod), specifiers: named }));
    return decls;
  }

  private assignment(s: TsNode, a: TsNode): N[] {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!left || !right) return [];
    if (left.type === 'identifier') {
      const kind = this.reassigned.some((r) => r.has(left.text)) ? 'let' : 'const';
      return [this.mk('VariableDeclaration', s, { kind, declarations: [this.mk('VariableDeclarator', a, { id: this.mk('Identifier', left, { name: left.text }), init: this.expr(right) })] })];
    }
    // `self.x = …` (a field) and anything else: an assignment expression.
    return [this.mk('ExpressionStatement', s, { expression: this.mk('AssignmentExpression', a, { operator: '=', left: this.expr(left), right: this.expr(right) }) })];
  }

  private params(p: TsNode | null, method: boolean): N[] {
    const out: N[] = [];
    let first = true;
    for (const c of p?.namedChildren ?? []) {
      if (!c) continue;
      const skip = method && first;
      first = false;
      if (skip) continue; // self
      if (c.type === 'identifier') out.push(this.mk('Identifier', c, { name: c.text }));
      else if (c.type === 'default_parameter' || c.type === 'typed_default_parameter') {
        const name = c.childForFieldName('name');
        const value = c.childForFieldName('value');
        if (name && value) out.push(this.mk('AssignmentPattern', c, { left: this.mk('Identifier', name, { name: name.text }), right: this.expr(value) }));
      } else if (c.type === 'typed_parameter') {
        const id = c.namedChildren.find((x) => x?.type === 'identifier');
        if (id) out.push(this.mk('Identifier', id, { name: id.text }));
      } else if (c.type === 'list_splat_pattern' || c.type === 'dictionary_splat_pattern') {
        const id = c.namedChildren.find((x) => x?.type === 'identifier');
        if (id) out.push(this.mk('RestElement', c, { argument: this.mk('Identifier', id, { name: id.text }) }));
      }
    }
    return out;
  }

  private functionDeclaration(s: TsNode, method = false): N {
    const name = s.childForFieldName('name');
    const body = s.childForFieldName('body');
    return this.mk('FunctionDeclaration', s, {
      id: name ? this.mk('Identifier', name, { name: name.text }) : null,
      params: this.params(s.childForFieldName('parameters'), method),
      body: this.mk('BlockStatement', body ?? s, { body: body ? this.block(body.namedChildren.filter(Boolean) as TsNode[]) : [] }),
      async: false,
      generator: false,
      expression: false,
    });
  }

  private classDeclaration(s: TsNode): N {
    const name = s.childForFieldName('name');
    const supers = s.childForFieldName('superclasses');
    const firstSuper = supers?.namedChildren.find((c) => c && c.type !== 'keyword_argument') ?? null;
    const body = s.childForFieldName('body');
    const members: N[] = [];
    for (const m of body?.namedChildren ?? []) {
      const def = m?.type === 'decorated_definition' ? m.childForFieldName('definition') : m;
      if (!def || def.type !== 'function_definition') continue;
      const fname = def.childForFieldName('name')?.text ?? '';
      const fn = this.functionDeclaration(def, true) as unknown as Any;
      const value = { ...fn, type: 'FunctionExpression', id: null };
      members.push(this.mk('MethodDefinition', def, { kind: fname === '__init__' ? 'constructor' : 'method', static: false, computed: false, key: this.mk('Identifier', def, { name: fname === '__init__' ? 'constructor' : camel(fname) }), value }));
    }
    return this.mk('ClassDeclaration', s, {
      id: name ? this.mk('Identifier', name, { name: name.text }) : null,
      superClass: firstSuper ? this.expr(firstSuper) : null,
      body: this.mk('ClassBody', body ?? s, { body: members }),
    });
  }

  private expr(e: TsNode): N {
    switch (e.type) {
      case 'identifier':
        if (e.text === 'self') return this.mk('ThisExpression', e, {});
        return this.mk('Identifier', e, { name: e.text });
      case 'none':
        return this.mk('Literal', e, { value: null, raw: 'null' });
      case 'true':
      case 'false':
        return this.mk('Literal', e, { value: e.type === 'true', raw: e.type });
      case 'integer':
      case 'float':
        return Number.isFinite(Number(e.text)) ? this.mk('Literal', e, { value: Number(e.text), raw: e.text }) : this.unknown(e);
      case 'string':
        return this.string(e);
      case 'concatenated_string': {
        const parts = e.namedChildren.filter((c): c is TsNode => !!c && c.type === 'string').map((c) => this.string(c));
        return parts.reduce((l, r) => this.mk('BinaryExpression', e, { operator: '+', left: l, right: r }));
      }
      case 'parenthesized_expression': {
        const inner = e.namedChild(0);
        return inner ? this.expr(inner) : this.unknown(e);
      }
      case 'attribute': {
        const obj = e.childForFieldName('object');
        const attr = e.childForFieldName('attribute');
        if (!obj || !attr) return this.unknown(e);
        // `aws_iam` (a submodule of aws_cdk) keeps its name, as `cdk.aws_iam` in TypeScript.
        return this.mk('MemberExpression', e, { object: this.expr(obj), property: this.mk('Identifier', attr, { name: camel(attr.text) }), computed: false, optional: false });
      }
      case 'subscript': {
        const obj = e.childForFieldName('value');
        const sub = e.childForFieldName('subscript');
        if (!obj || !sub) return this.unknown(e);
        return this.mk('MemberExpression', e, { object: this.expr(obj), property: this.expr(sub), computed: true, optional: false });
      }
      case 'list':
      case 'tuple':
        return this.mk('ArrayExpression', e, { elements: e.namedChildren.filter(Boolean).map((c) => (c!.type === 'list_splat' ? this.mk('SpreadElement', c!, { argument: this.expr(c!.namedChild(0) ?? c!) }) : this.expr(c!))) });
      case 'dictionary':
        return this.dict(e);
      case 'list_comprehension':
        return this.comprehension(e);
      case 'binary_operator': {
        const l = e.childForFieldName('left');
        const r = e.childForFieldName('right');
        const op = e.childForFieldName('operator')?.text;
        if (!l || !r || op !== '+') return this.unknown(e);
        return this.mk('BinaryExpression', e, { operator: '+', left: this.expr(l), right: this.expr(r) });
      }
      case 'boolean_operator': {
        const l = e.childForFieldName('left');
        const r = e.childForFieldName('right');
        const op = e.childForFieldName('operator')?.text;
        if (!l || !r) return this.unknown(e);
        return this.mk('LogicalExpression', e, { operator: op === 'and' ? '&&' : '||', left: this.expr(l), right: this.expr(r) });
      }
      case 'not_operator': {
        const a = e.childForFieldName('argument');
        return a ? this.mk('UnaryExpression', e, { operator: '!', prefix: true, argument: this.expr(a) }) : this.unknown(e);
      }
      case 'conditional_expression': {
        const [then, test, otherwise] = e.namedChildren;
        if (!then || !test || !otherwise) return this.unknown(e);
        return this.mk('ConditionalExpression', e, { test: this.expr(test), consequent: this.expr(then), alternate: this.expr(otherwise) });
      }
      case 'call':
        return this.call(e);
      default:
        return this.unknown(e);
    }
  }

  /** A string literal; an f-string is a template literal; bytes and format specs are unknown. */
  private string(e: TsNode): N {
    const start = e.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '"';
    const prefix = start.replace(/["']+$/, '').toLowerCase();
    if (prefix.includes('b')) return this.unknown(e);
    const raw = prefix.includes('r');
    const quasis: { cooked: string; at: TsNode }[] = [];
    const expressions: N[] = [];
    let cur = '';
    let curAt: TsNode = e;
    for (const c of e.namedChildren) {
      if (!c) continue;
      if (c.type === 'string_content') cur += raw ? c.text : unescapePython(c.text);
      else if (c.type === 'escape_sequence') cur += raw ? c.text : unescapePython(c.text);
      else if (c.type === 'interpolation') {
        const inner = c.childForFieldName('expression');
        if (!inner || c.childForFieldName('format_specifier') || c.childForFieldName('type_conversion')) return this.unknown(e);
        quasis.push({ cooked: cur, at: curAt });
        cur = '';
        curAt = c;
        expressions.push(this.expr(inner));
      }
    }
    if (!expressions.length) return this.str(e, cur);
    quasis.push({ cooked: cur, at: curAt });
    return this.mk('TemplateLiteral', e, {
      quasis: quasis.map((q, i) => this.mk('TemplateElement', q.at, { value: { cooked: q.cooked, raw: q.cooked }, tail: i === quasis.length - 1 })),
      expressions,
    });
  }

  private dict(e: TsNode): N {
    const properties: N[] = [];
    for (const c of e.namedChildren) {
      if (!c) continue;
      if (c.type === 'dictionary_splat') {
        properties.push(this.mk('SpreadElement', c, { argument: this.expr(c.namedChild(0) ?? c) }));
        continue;
      }
      if (c.type !== 'pair') continue;
      const k = c.childForFieldName('key');
      const v = c.childForFieldName('value');
      if (!k || !v) continue;
      const key = this.expr(k);
      const literal = key.type === 'Literal' && typeof (key as TSESTree.Literal).value === 'string';
      properties.push(this.mk('Property', c, { key, value: this.expr(v), computed: !literal, kind: 'init', method: false, shorthand: false }));
    }
    return this.mk('ObjectExpression', e, { properties });
  }

  /** `[body for x in xs]` (one `for`, no `if`) → `xs.map((x) => body)`; anything richer is unknown. */
  private comprehension(e: TsNode): N {
    const body = e.childForFieldName('body');
    const clauses = e.namedChildren.filter((c) => c && (c.type === 'for_in_clause' || c.type === 'if_clause'));
    if (!body || clauses.length !== 1 || clauses[0]!.type !== 'for_in_clause') return this.unknown(e);
    const left = clauses[0]!.childForFieldName('left');
    const right = clauses[0]!.childForFieldName('right');
    if (!left || left.type !== 'identifier' || !right) return this.unknown(e);
    const fn = this.mk('ArrowFunctionExpression', e, { params: [this.mk('Identifier', left, { name: left.text })], body: this.expr(body), expression: true, async: false, generator: false, id: null });
    return this.mk('CallExpression', e, { callee: this.mk('MemberExpression', right, { object: this.expr(right), property: this.mk('Identifier', right, { name: 'map' }), computed: false, optional: false }), arguments: [fn], optional: false });
  }

  private call(e: TsNode): N {
    const fn = e.childForFieldName('function');
    const args = e.childForFieldName('arguments');
    if (!fn) return this.unknown(e);
    const positional: N[] = [];
    const keywords: { name: string; at: TsNode; value: N }[] = [];
    const splats: N[] = [];
    for (const a of args?.namedChildren ?? []) {
      if (!a) continue;
      if (a.type === 'keyword_argument') {
        const name = a.childForFieldName('name');
        const value = a.childForFieldName('value');
        if (name && value) keywords.push({ name: name.text, at: a, value: this.expr(value) });
      } else if (a.type === 'dictionary_splat') splats.push(this.mk('SpreadElement', a, { argument: this.expr(a.namedChild(0) ?? a) }));
      else if (a.type === 'list_splat') positional.push(this.mk('SpreadElement', a, { argument: this.expr(a.namedChild(0) ?? a) }));
      else positional.push(this.expr(a));
    }
    const callee = this.expr(fn);
    const last = fn.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn.type === 'identifier' ? fn.text : undefined;
    // `super().__init__(scope, id, **props)` in a class that extends a construct.
    if (fn.type === 'attribute' && last === '__init__' && fn.childForFieldName('object')?.text === 'super()') {
      return this.mk('CallExpression', e, { callee: this.mk('Super', fn, {}), arguments: [...positional, ...this.propsArg(e, keywords, splats)], optional: false });
    }
    // A list's `append` is a push (a loop that collects subjects).
    if (fn.type === 'attribute' && last === 'append') (callee as unknown as Any).property = this.mk('Identifier', fn, { name: 'push' });
    if (!last || !/^[A-Z]/.test(last)) {
      return this.mk('CallExpression', e, { callee, arguments: [...positional, ...this.propsArg(e, keywords, splats)], optional: false });
    }
    const order = POSITIONAL[last];
    if (order) {
      const out = [...positional];
      for (const k of keywords) {
        const i = order.indexOf(k.name);
        if (i < 0) continue;
        while (out.length < i) out.push(this.mk('Identifier', e, { name: 'undefined' }));
        out[i] = k.value;
      }
      return this.mk('NewExpression', e, { callee, arguments: out });
    }
    const construct = CONSTRUCTS.has(last);
    return this.mk('NewExpression', e, { callee, arguments: [...(construct ? positional.slice(0, 2) : positional), ...this.propsArg(e, keywords, splats)] });
  }

  private propsArg(e: TsNode, keywords: { name: string; at: TsNode; value: N }[], splats: N[]): N[] {
    if (!keywords.length && !splats.length) return [];
    const properties = [
      ...splats,
      ...keywords.map((k) => this.mk('Property', k.at, { key: this.mk('Identifier', k.at, { name: camel(k.name) }), value: k.value, computed: false, kind: 'init', method: false, shorthand: false })),
    ];
    return [this.mk('ObjectExpression', e, { properties })];
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };

function unescapePython(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[\s\S])/g, (m, c: string) => {
    if (c.length > 1) {
      const cp = parseInt(c.slice(1), 16);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return SIMPLE_ESCAPES[c] ?? m;
  });
}

/** Reads the IAM roles and OIDC providers a Python CDK file defines. Never throws on bad input. */
export async function loadCdkPython(text: string, file: string): Promise<CdkLoadResult> {
  const result: CdkLoadResult = { roles: [], providers: [], errors: [] };
  const at1 = { line: 1, column: 1 };
  if (text.length > MAX_CDK_PARSE_BYTES) {
    result.errors.push({ type: 'LoadError', kind: 'limit', loc: { file, start: at1, end: at1 }, message: `Python file is ${(text.length / 1024).toFixed(0)} KiB, over the ${MAX_CDK_PARSE_BYTES / 1024} KiB the CDK loader parses; its IAM roles were not read` });
    return result;
  }
  const parser = await pythonParser();
  const tree = parser.parse(text);
  if (!tree) {
    result.errors.push({ type: 'LoadError', kind: 'syntax', loc: { file, start: at1, end: at1 }, message: 'Python: the parser gave up on this file' });
    return result;
  }
  try {
    const root = tree.rootNode;
    if (root.hasError) {
      const bad = firstError(root);
      const t = new Translator(text);
      const p = bad ? (t as unknown as { pos(i: number): { line: number; column: number } }).pos(bad.startIndex) : { line: 0, column: 0 };
      const at = { line: p.line || 1, column: p.column + 1 };
      result.errors.push({ type: 'LoadError', kind: 'syntax', loc: { file, start: at, end: at }, message: 'Python: syntax error; the IAM roles of this file were read as far as the parser recovered' });
    }
    let program: TSESTree.Program;
    try {
      program = new Translator(text).program(root);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      result.errors.push({ type: 'LoadError', kind: 'limit', loc: { file, start: at1, end: at1 }, message: 'Python nested too deeply to analyse; its IAM roles were not read' });
      return result;
    }
    analyseProgram(program, text, file, result);
    return result;
  } finally {
    tree.delete();
  }
}

function firstError(n: TsNode): TsNode | undefined {
  if (n.type === 'ERROR' || n.isMissing) return n;
  for (const c of n.children) {
    if (!c) continue;
    if (c.hasError || c.isMissing || c.type === 'ERROR') {
      const f = firstError(c);
      if (f) return f;
    }
  }
  return undefined;
}
