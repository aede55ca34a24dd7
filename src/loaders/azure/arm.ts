/**
 * ARM templates (JSON, including what `bicep build` compiles): federated identity credentials of
 * user-assigned managed identities (`Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials`,
 * top level or nested in the identity's `resources`) and of app registrations through the Microsoft
 * Graph Bicep extension (`Microsoft.Graph/applications/federatedIdentityCredentials`). Template
 * expressions are evaluated as far as the template fixes them: `parameters()` with a literal
 * `defaultValue`, `variables()` with a literal value, `format()`, `concat()`, `toLower()`,
 * `toUpper()`; anything else is an unresolved part (never a guess). Both resource layouts are read:
 * an array (`resources: [...]`) and language version 2.0's object of symbolic names.
 */
import { get, getEntry, isMap, isScalar, isSeq, type DocMap, type DocNode } from '../shared/doc.js';
import { parseJsonFile } from '../aws/policy-json.js';
import type { FileLoader } from '../index.js';
import { emptyAzureModel, type AzureFederatedCredential, type AzureModel } from '../../model/azure.js';
import type { Value, ValuePart } from '../../model/location.js';

const FIC = 'microsoft.managedidentity/userassignedidentities/federatedidentitycredentials';
const IDENTITY = 'microsoft.managedidentity/userassignedidentities';
const GRAPH_FIC = 'microsoft.graph/applications/federatedidentitycredentials';

/** Cheap text test: an ARM template that may define a federated identity credential. */
export function mayBeArmTemplate(text: string): boolean {
  return /deploymentTemplate\.json/i.test(text) && /federatedIdentityCredentials/i.test(text);
}

/** Whether a parsed JSON document is an ARM deployment template. */
export function isArmTemplate(root: DocNode): boolean {
  const schema = get(root, '$schema');
  return isScalar(schema) && /deploymentTemplate\.json/i.test(String(schema.value)) && (isSeq(get(root, 'resources')) || isMap(get(root, 'resources')));
}

/**
 * ARM templates that define federated identity credentials (a cheap text test first; other JSON
 * goes on to the JSON loader). A template without one is not ours: nothing is reported on it.
 */
export const armLoader: FileLoader = {
  name: 'arm',
  accepts: (f) => /\.json$/i.test(f.relPath) && mayBeArmTemplate(f.text),
  load(f, sink) {
    const { root, errors } = parseJsonFile(f.text, f.relPath);
    sink.errors.push(...errors);
    sink.kind = 'arm';
    if (!root) return;
    if (!isArmTemplate(root)) {
      if (f.explicit) sink.errors.push({ type: 'LoadError', kind: 'structure', loc: root.loc, message: 'not an ARM deployment template (no deploymentTemplate.json $schema with resources)' });
      return;
    }
    const azure = emptyAzureModel();
    readArmTemplate(root, f.relPath, azure);
    if (azure.credentials.length || azure.identities.length) sink.azure = azure;
  },
};

// ---- template expressions ----------------------------------------------------------------------

type Part = ValuePart;

interface Env {
  parameters?: DocMap;
  variables?: DocMap;
  depth: number;
}

/** A string of a template as known and unknown parts (an expression the reader does not model is one unknown part). */
function evalString(text: string, env: Env): Part[] {
  const t = text.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return [{ text, known: true }];
  if (t.startsWith('[[')) return [{ text: text.replace('[[', '['), known: true }];
  const p = new ExprParser(t.slice(1, -1), env);
  const r = p.expr();
  p.ws();
  return r && p.done() ? r : [{ text, known: false }];
}

/** Nesting of calls an expression may have before the reader gives up on it (an unknown part). */
const MAX_CALL_DEPTH = 32;
/** Nesting of `resources` the reader follows (ARM allows one level of child resources; Bicep a few). */
const MAX_RESOURCE_DEPTH = 8;

class ExprParser {
  i = 0;
  private depth = 0;
  constructor(
    private readonly s: string,
    private readonly env: Env,
  ) {}
  ws() {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }
  done() {
    return this.i >= this.s.length;
  }
  /** One argument or the whole expression: a string literal, a number, or a call; undefined when not read. */
  expr(): Part[] | undefined {
    if (++this.depth > MAX_CALL_DEPTH) return undefined;
    try {
      return this.exprInner();
    } finally {
      this.depth--;
    }
  }
  private exprInner(): Part[] | undefined {
    this.ws();
    if (this.s[this.i] === "'") {
      let out = '';
      this.i++;
      while (this.i < this.s.length) {
        if (this.s[this.i] === "'") {
          if (this.s[this.i + 1] === "'") {
            out += "'";
            this.i += 2;
            continue;
          }
          this.i++;
          return [{ text: out, known: true }];
        }
        out += this.s[this.i++];
      }
      return undefined;
    }
    const num = /^-?\d+/.exec(this.s.slice(this.i));
    if (num) {
      this.i += num[0].length;
      return [{ text: num[0], known: true }];
    }
    const name = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.s.slice(this.i));
    if (!name) return undefined;
    const start = this.i;
    this.i += name[0].length;
    this.ws();
    if (this.s[this.i] !== '(') return undefined;
    this.i++;
    const args: Part[][] = [];
    this.ws();
    if (this.s[this.i] === ')') this.i++;
    else
      for (;;) {
        const a = this.expr();
        if (!a) return undefined;
        args.push(a);
        this.ws();
        if (this.s[this.i] === ',') {
          this.i++;
          continue;
        }
        if (this.s[this.i] === ')') {
          this.i++;
          break;
        }
        return undefined;
      }
    // Property access or indexing after a call (`.outputs.x`, `[0]`): not modelled.
    this.ws();
    if (this.s[this.i] === '.' || this.s[this.i] === '[') return undefined;
    return this.call(name[0].toLowerCase(), args, this.s.slice(start, this.i));
  }
  private call(fn: string, args: Part[][], text: string): Part[] {
    const unknown: Part[] = [{ text: `[${text}]`, known: false }];
    const literal = (a: Part[] | undefined) => (a && a.every((p) => p.known) ? a.map((p) => p.text).join('') : undefined);
    switch (fn) {
      case 'parameters':
      case 'variables': {
        const name = literal(args[0]);
        const table = fn === 'parameters' ? this.env.parameters : this.env.variables;
        if (name === undefined || !table || this.env.depth > 8) return unknown;
        const entry = getEntry(table, name)?.value;
        const v = fn === 'parameters' ? get(entry, 'defaultValue') : entry;
        if (!isScalar(v) || v.value === null) return unknown;
        return evalString(String(v.value), { ...this.env, depth: this.env.depth + 1 });
      }
      case 'format': {
        const f = literal(args[0]);
        if (f === undefined) return unknown;
        const out: Part[] = [];
        let last = 0;
        for (const m of f.matchAll(/\{(\d+)\}/g)) {
          out.push({ text: f.slice(last, m.index), known: true });
          out.push(...(args[Number(m[1]) + 1] ?? unknown));
          last = m.index + m[0].length;
        }
        out.push({ text: f.slice(last), known: true });
        return out;
      }
      case 'concat':
        return args.flat();
      case 'tolower':
      case 'toupper': {
        const v = literal(args[0]);
        return v === undefined ? unknown : [{ text: fn === 'tolower' ? v.toLowerCase() : v.toUpperCase(), known: true }];
      }
      default:
        return unknown;
    }
  }
}

function valueOf(n: DocNode | undefined, env: Env): Value<string> | undefined {
  if (!isScalar(n) || n.value === null) return undefined;
  const raw = String(n.value);
  const parts = evalString(raw, env).filter((p) => p.text !== '' || !p.known);
  const known = parts.every((p) => p.known);
  const text = parts.map((p) => p.text).join('');
  return known ? { value: text, raw, loc: n.loc, resolution: raw === text ? n.resolution : 'expression' } : { value: text, raw, loc: n.loc, resolution: 'unresolved', parts };
}

// ---- resources --------------------------------------------------------------------------------

function resourcesOf(n: DocNode | undefined): DocMap[] {
  if (isSeq(n)) return n.items.filter(isMap);
  if (isMap(n)) return n.entries.map((e) => e.value).filter(isMap);
  return [];
}

function typeOf(r: DocMap): string {
  const t = get(r, 'type');
  // Bicep extension types carry their version (`Microsoft.Graph/applications@v1.0`).
  return isScalar(t) ? String(t.value).toLowerCase().replace(/@[^/]*$/, '') : '';
}

/** Reads the federated identity credentials (and identities) of an ARM template into `azure`. */
export function readArmTemplate(root: DocNode, file: string, azure: AzureModel): void {
  const env: Env = { depth: 0 };
  const params = get(root, 'parameters');
  const vars = get(root, 'variables');
  if (isMap(params)) env.parameters = params;
  if (isMap(vars)) env.variables = vars;
  const visit = (resources: DocMap[], parentType: string, parentName: Value<string> | undefined, depth: number) => {
    if (depth > MAX_RESOURCE_DEPTH) return;
    for (const r of resources) {
      const own = typeOf(r);
      // A nested resource's type is relative to its parent's (`federatedIdentityCredentials` inside an identity).
      const type = own.includes('/') || !parentType ? own : `${parentType}/${own}`;
      const name = valueOf(get(r, 'name'), env);
      if (type === IDENTITY) azure.identities.push({ type: 'AzureIdentity', loc: r.loc, origin: { format: 'arm', file, logicalId: name?.raw ?? IDENTITY }, ...(name ? { name } : {}) });
      if (type === FIC || type === GRAPH_FIC) azure.credentials.push(credential(r, type, name, parentName, file, env));
      const nested = resourcesOf(get(r, 'resources'));
      if (nested.length) visit(nested, type, name, depth + 1);
    }
  };
  visit(resourcesOf(get(root, 'resources')), '', undefined, 0);
}

function credential(r: DocMap, type: string, name: Value<string> | undefined, parentName: Value<string> | undefined, file: string, env: Env): AzureFederatedCredential {
  const props = get(r, 'properties');
  // Microsoft Graph (Bicep extension) resources carry the properties at the top level.
  const body = type === GRAPH_FIC ? r : isMap(props) ? props : undefined;
  const audNode = body && get(body, 'audiences');
  const audEntry = body && isMap(body) ? getEntry(body, 'audiences') : undefined;
  const cred: AzureFederatedCredential = {
    type: 'AzureFederatedCredential',
    loc: r.loc,
    origin: { format: 'arm', file, logicalId: name?.raw ?? type },
    owner: type === GRAPH_FIC ? 'application' : 'managed-identity',
    audiences: isSeq(audNode) ? audNode.items.map((i) => valueOf(i, env)).filter((v): v is Value<string> => !!v) : isScalar(audNode) ? [valueOf(audNode, env)!].filter(Boolean) : [],
    audiencesLoc: audEntry?.key.loc ?? r.loc,
  };
  if (parentName) cred.parent = parentName;
  else if (name && /\//.test(name.value)) cred.parent = { ...name, value: name.value.split('/')[0] };
  if (name) cred.name = name;
  const issuer = body && valueOf(get(body, 'issuer'), env);
  if (issuer) cred.issuer = issuer;
  const subject = body && valueOf(get(body, 'subject'), env);
  if (subject) cred.subject = subject;
  const cme = body && get(body, 'claimsMatchingExpression');
  const expression = isMap(cme) ? valueOf(get(cme, 'value'), env) : undefined;
  if (expression) cred.expression = expression;
  return cred;
}
