/**
 * GitHub Actions `if:` conditions, read as far as they restrict the events and refs a job or step
 * runs on (`github.event_name == 'push'`, `github.ref == 'refs/heads/main'`,
 * `startsWith(github.ref, 'refs/tags/')`, `!=`, `!`, `&&`, `||`, `contains(fromJSON('[…]'), …)`).
 * Everything else (job status, `needs`, inputs, matrix values) is unknown: a condition that cannot
 * be read, or an atom that cannot be decided, never removes a run ("may run").
 *
 * This is workflow knowledge only; `predict.ts` applies it to its predicted contexts.
 */

export type Expr =
  | { k: 'lit'; v: string | number | boolean | null }
  | { k: 'path'; path: string }
  | { k: 'call'; fn: string; args: Expr[] }
  | { k: 'not'; e: Expr }
  | { k: 'and' | 'or'; a: Expr; b: Expr }
  | { k: 'cmp'; op: '==' | '!=' | '<' | '<=' | '>' | '>='; a: Expr; b: Expr };

/** Bounds: a condition longer than this, or nested deeper, is left unread ("may run"). */
const MAX_LENGTH = 4096;
const MAX_DEPTH = 64;

type Tok = { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'id'; v: string } | { t: 'op'; v: string };

function tokenize(s: string): Tok[] | undefined {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= s.length) return undefined;
        if (s[i] === "'") {
          if (s[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += s[i++];
      }
      out.push({ t: 'str', v });
      continue;
    }
    const num = /^(?:0x[0-9a-f]+|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/i.exec(s.slice(i, i + 64));
    if (num && (/\d/.test(c) || (c === '-' && /\d/.test(s[i + 1] ?? '')))) {
      out.push({ t: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(s.slice(i, i + 256));
    if (id) {
      out.push({ t: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
      out.push({ t: 'op', v: two });
      i += 2;
      continue;
    }
    if ('!<>().,[]*'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    return undefined;
  }
  return out;
}

/**
 * Parses an `if:` value: a bare expression or one wrapped whole in `${{ }}`. Undefined when it
 * cannot be read (then the job "may run" in every context).
 */
export function parseCondition(text: string): Expr | undefined {
  if (text.length > MAX_LENGTH) return undefined;
  let s = text.trim();
  const wrapped = /^\$\{\{([\s\S]*)\}\}$/.exec(s);
  if (wrapped) s = wrapped[1];
  if (s.includes('${{')) return undefined;
  const toks = tokenize(s);
  if (!toks || !toks.length) return undefined;
  let pos = 0;
  let depth = 0;
  const peek = () => toks[pos];
  const isOp = (v: string) => peek()?.t === 'op' && peek()!.v === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw new Error('syntax');
    pos++;
  };
  const enter = () => {
    if (++depth > MAX_DEPTH) throw new Error('depth');
  };
  const or = (): Expr => {
    enter();
    let a = and();
    while (isOp('||')) {
      pos++;
      a = { k: 'or', a, b: and() };
    }
    depth--;
    return a;
  };
  const and = (): Expr => {
    let a = eq();
    while (isOp('&&')) {
      pos++;
      a = { k: 'and', a, b: eq() };
    }
    return a;
  };
  const eq = (): Expr => {
    let a = rel();
    while (isOp('==') || isOp('!=')) {
      const op = peek()!.v as '==' | '!=';
      pos++;
      a = { k: 'cmp', op, a, b: rel() };
    }
    return a;
  };
  const rel = (): Expr => {
    let a = unary();
    while (isOp('<') || isOp('<=') || isOp('>') || isOp('>=')) {
      const op = peek()!.v as '<' | '<=' | '>' | '>=';
      pos++;
      a = { k: 'cmp', op, a, b: unary() };
    }
    return a;
  };
  const unary = (): Expr => {
    if (isOp('!')) {
      pos++;
      enter();
      const e: Expr = { k: 'not', e: unary() };
      depth--;
      return e;
    }
    return primary();
  };
  const primary = (): Expr => {
    const t = peek();
    if (!t) throw new Error('end');
    if (t.t === 'op' && t.v === '(') {
      pos++;
      const e = or();
      expect(')');
      return e;
    }
    pos++;
    if (t.t === 'str') return { k: 'lit', v: t.v };
    if (t.t === 'num') return { k: 'lit', v: t.v };
    if (t.t !== 'id') throw new Error('syntax');
    const word = t.v.toLowerCase();
    if (word === 'true' || word === 'false') return { k: 'lit', v: word === 'true' };
    if (word === 'null') return { k: 'lit', v: null };
    if (isOp('(')) {
      pos++;
      const args: Expr[] = [];
      if (!isOp(')')) {
        args.push(or());
        while (isOp(',')) {
          pos++;
          args.push(or());
        }
      }
      expect(')');
      return postfix({ k: 'call', fn: word, args });
    }
    return postfix({ k: 'path', path: word });
  };
  /** Property access: `.name`, `.*`, `['name']`; an index that is not a string literal makes the path unknown. */
  const postfix = (e: Expr): Expr => {
    let path = e.k === 'path' ? e.path : undefined;
    let accessed = false;
    for (;;) {
      if (isOp('.')) {
        pos++;
        const t = peek();
        if (t?.t === 'id') path = path === undefined ? undefined : `${path}.${t.v.toLowerCase()}`;
        else if (t?.t === 'op' && t.v === '*') path = path === undefined ? undefined : `${path}.*`;
        else throw new Error('syntax');
        pos++;
      } else if (isOp('[')) {
        pos++;
        const idx = or();
        expect(']');
        path = path !== undefined && idx.k === 'lit' && typeof idx.v === 'string' ? `${path}.${idx.v.toLowerCase()}` : undefined;
      } else break;
      accessed = true;
    }
    if (path !== undefined) return { k: 'path', path };
    return accessed ? { k: 'path', path: '?' } : e;
  };
  try {
    const e = or();
    if (pos !== toks.length) return undefined;
    return e;
  } catch {
    return undefined;
  }
}

/** One possible run: the event, and the ref (a pattern where open-ended). */
export interface RunWorld {
  event: string;
  /** `refs/heads/main`, or a pattern (`refs/heads/*`) when `pattern`. */
  ref: string;
  pattern: boolean;
  /** The ref is a guess (an unknown default branch, an environment job): ref atoms cannot decide. */
  refUnknown: boolean;
  /** The condition lets this run through only when the triggering user matches (an actor or author gate). */
  gate?: string;
}

/** What the repository identity tells about `github.repository` / `github.repository_owner`. */
export interface ConditionFacts {
  owner?: string;
  repo?: string;
}

const MAX_WORLDS = 32;

type Operand =
  | { t: 'str'; v: string }
  | { t: 'list'; v: string[] }
  | { t: 'event' }
  | { t: 'ref' }
  | { t: 'ref_name' }
  | { t: 'ref_type' }
  | { t: 'actor'; path: string }
  | { t: 'unknown' };

/** Paths that name the user behind the run or the pull request (author / actor gates). */
const ACTOR_PATH = /^github\.(?:actor|triggering_actor|event\.(?:[a-z_*]+\.)?(?:user\.login|author_association|sender\.login)|event\.sender\.login)$/;

function operand(e: Expr, facts: ConditionFacts): Operand {
  if (e.k === 'lit') return typeof e.v === 'string' ? { t: 'str', v: e.v } : e.v === null ? { t: 'str', v: '' } : { t: 'str', v: String(e.v) };
  if (e.k === 'path') {
    switch (e.path) {
      case 'github.event_name':
        return { t: 'event' };
      case 'github.ref':
        return { t: 'ref' };
      case 'github.ref_name':
        return { t: 'ref_name' };
      case 'github.ref_type':
        return { t: 'ref_type' };
      case 'github.repository':
        return facts.owner && facts.repo ? { t: 'str', v: `${facts.owner}/${facts.repo}` } : { t: 'unknown' };
      case 'github.repository_owner':
        return facts.owner ? { t: 'str', v: facts.owner } : { t: 'unknown' };
    }
    if (ACTOR_PATH.test(e.path)) return { t: 'actor', path: e.path };
    return { t: 'unknown' };
  }
  // `github.event.comment.author_association || github.event.issue.author_association`: whichever is set.
  if (e.k === 'or') {
    const a = operand(e.a, facts);
    const b = operand(e.b, facts);
    if (a.t === 'actor' && b.t === 'actor' && a.path.endsWith('author_association') === b.path.endsWith('author_association')) return a;
    return { t: 'unknown' };
  }
  if (e.k === 'call' && e.fn === 'fromjson' && e.args.length === 1 && e.args[0].k === 'lit' && typeof e.args[0].v === 'string') {
    try {
      const v: unknown = JSON.parse(e.args[0].v);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return { t: 'list', v: v as string[] };
    } catch {
      // not JSON: unknown
    }
  }
  return { t: 'unknown' };
}

const lower = (s: string) => s.toLowerCase();
const eqText = (a: string, b: string) => lower(a) === lower(b);

/** The text before the first wildcard of a pattern. */
function literalPrefix(w: RunWorld): string {
  if (!w.pattern) return w.ref;
  const i = w.ref.search(/[*?]/);
  return i < 0 ? w.ref : w.ref.slice(0, i);
}

/**
 * Whether a pattern (`*` any run, `?` one character) can be the text, ignoring case as GitHub's `==`
 * does. Greedy with one backtrack point: at most pattern × text steps, whatever the pattern.
 */
function patternAdmits(pattern: string, text: string): boolean {
  const p = lower(pattern);
  const t = lower(text);
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === t[ti]))) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

interface Split {
  t: RunWorld[];
  f: RunWorld[];
}
const both = (w: RunWorld): Split => ({ t: [w], f: [w] });
const decided = (w: RunWorld, value: boolean): Split => (value ? { t: [w], f: [] } : { t: [], f: [w] });

function refEquals(w: RunWorld, text: string): Split {
  if (w.refUnknown) return { t: [{ ...w, ref: text, pattern: false }], f: [w] };
  if (!w.pattern) return decided(w, eqText(w.ref, text));
  if (!patternAdmits(w.ref, text)) return { t: [], f: [w] };
  return { t: [{ ...w, ref: text, pattern: false }], f: [w] };
}

function refStartsWith(w: RunWorld, prefix: string): Split {
  if (w.refUnknown) return both(w);
  if (!w.pattern) return decided(w, lower(w.ref).startsWith(lower(prefix)));
  const lit = literalPrefix(w);
  if (lower(lit).startsWith(lower(prefix))) return { t: [w], f: [] };
  if (lower(prefix).startsWith(lower(lit))) {
    // `refs/*` narrowed by `refs/tags/` is `refs/tags/*`; other shapes stay as they are (a superset).
    const narrowed = w.ref === `${lit}*` ? { ...w, ref: `${prefix}*` } : w;
    return { t: [narrowed], f: [w] };
  }
  return { t: [], f: [w] };
}

function compare(op: '==' | '!=', a: Operand, b: Operand, w: RunWorld): Split {
  const r = equals(a, b, w) ?? equals(b, a, w) ?? both(w);
  return op === '==' ? r : { t: r.f, f: r.t };
}

function equals(a: Operand, b: Operand, w: RunWorld): Split | undefined {
  if (b.t !== 'str') return undefined;
  switch (a.t) {
    case 'str':
      return decided(w, eqText(a.v, b.v));
    case 'event':
      return decided(w, eqText(w.event, b.v));
    case 'ref':
      return refEquals(w, b.v);
    case 'ref_name': {
      const heads = refEquals(w, `refs/heads/${b.v}`);
      const tags = refEquals(w, `refs/tags/${b.v}`);
      return { t: [...heads.t, ...tags.t], f: heads.f.length && tags.f.length ? [w] : [] };
    }
    case 'ref_type':
      if (eqText(b.v, 'tag')) return refStartsWith(w, 'refs/tags/');
      if (eqText(b.v, 'branch')) return refStartsWith(w, 'refs/heads/');
      return undefined;
    case 'actor':
      // Only an association outsiders cannot have is a gate (CONTRIBUTOR, NONE, FIRST_TIMER… are anyone's).
      if (a.path.endsWith('author_association') && !/^(?:OWNER|MEMBER|COLLABORATOR)$/i.test(b.v)) return both(w);
      return { t: [{ ...w, gate: w.gate ?? `${a.path} == '${b.v}'` }], f: [w] };
  }
  return undefined;
}

function callSplit(e: Expr & { k: 'call' }, w: RunWorld, facts: ConditionFacts): Split {
  const args = e.args.map((x) => operand(x, facts));
  switch (e.fn) {
    case 'always':
      return { t: [w], f: [] };
    case 'startswith': {
      const [a, b] = args;
      if (e.args.length !== 2 || b.t !== 'str') return both(w);
      if (a.t === 'ref') return refStartsWith(w, b.v);
      if (a.t === 'str') return decided(w, lower(a.v).startsWith(lower(b.v)));
      if (a.t === 'event') return decided(w, lower(w.event).startsWith(lower(b.v)));
      return both(w);
    }
    case 'endswith': {
      const [a, b] = args;
      if (e.args.length !== 2 || b.t !== 'str') return both(w);
      if (a.t === 'str') return decided(w, lower(a.v).endsWith(lower(b.v)));
      if (a.t === 'event') return decided(w, lower(w.event).endsWith(lower(b.v)));
      if (a.t === 'ref' && !w.pattern && !w.refUnknown) return decided(w, lower(w.ref).endsWith(lower(b.v)));
      return both(w);
    }
    case 'contains': {
      const [a, b] = args;
      if (e.args.length !== 2) return both(w);
      if (a.t === 'list') {
        if (b.t === 'str') return decided(w, a.v.some((x) => eqText(x, b.v)));
        if (b.t === 'event') return decided(w, a.v.some((x) => eqText(x, w.event)));
        if (b.t === 'actor') {
          const gates = a.v.map((x) => equals(b, { t: 'str', v: x }, w)!);
          return gates.length && gates.every((g) => g.t[0]?.gate !== undefined) ? { t: [gates[0].t[0]], f: [w] } : both(w);
        }
        if (b.t === 'ref') {
          const parts = a.v.map((x) => refEquals(w, x));
          return { t: parts.flatMap((p) => p.t), f: parts.every((p) => p.f.length) ? [w] : [] };
        }
        return both(w);
      }
      if (a.t === 'str') {
        if (b.t === 'str') return decided(w, lower(a.v).includes(lower(b.v)));
        if (b.t === 'event') return decided(w, lower(a.v).includes(lower(w.event)));
        if (b.t === 'ref' && !w.pattern && !w.refUnknown) return decided(w, lower(a.v).includes(lower(w.ref)));
        return both(w);
      }
      if (a.t === 'event' && b.t === 'str') return decided(w, lower(w.event).includes(lower(b.v)));
      if (a.t === 'ref' && b.t === 'str' && !w.pattern && !w.refUnknown) return decided(w, lower(w.ref).includes(lower(b.v)));
      return both(w);
    }
  }
  return both(w);
}

function truthy(o: Operand, w: RunWorld): Split {
  if (o.t === 'str') return decided(w, o.v !== '' && o.v !== '0' && lower(o.v) !== 'false');
  if (o.t === 'event' || o.t === 'ref') return { t: [w], f: [] };
  return both(w);
}

function cap(list: RunWorld[], w: RunWorld): RunWorld[] {
  const seen = new Set<string>();
  const out: RunWorld[] = [];
  for (const x of list) {
    const key = `${x.event}\0${x.ref}\0${x.pattern}\0${x.gate === undefined}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(x);
  }
  // Too many cases to follow: the original run, which is a superset of all of them.
  return out.length > MAX_WORLDS ? [w] : out;
}

/** Results per node and run, so that a node is judged once per distinct run (not once per path to it). */
type Memo = Map<Expr, Map<string, Split>>;
let memo: Memo | undefined;

function split(e: Expr, w: RunWorld, facts: ConditionFacts): Split {
  const key = `${w.event}\0${w.ref}\0${w.pattern}\0${w.refUnknown}\0${w.gate ?? ''}`;
  let byWorld = memo?.get(e);
  const known = byWorld?.get(key);
  if (known) return known;
  const r = splitOnce(e, w, facts);
  if (memo) {
    if (!byWorld) memo.set(e, (byWorld = new Map()));
    byWorld.set(key, r);
  }
  return r;
}

function splitOnce(e: Expr, w: RunWorld, facts: ConditionFacts): Split {
  switch (e.k) {
    case 'lit':
      return truthy(operand(e, facts), w);
    case 'path':
      return truthy(operand(e, facts), w);
    case 'not': {
      const r = split(e.e, w, facts);
      return { t: r.f, f: r.t };
    }
    case 'and': {
      const a = split(e.a, w, facts);
      const t = a.t.flatMap((x) => split(e.b, x, facts).t);
      const f = [...a.f, ...split(e.b, w, facts).f];
      return { t: cap(t, w), f: cap(f, w) };
    }
    case 'or': {
      const a = split(e.a, w, facts);
      const t = [...a.t, ...split(e.b, w, facts).t];
      const f = a.f.flatMap((x) => split(e.b, x, facts).f);
      return { t: cap(t, w), f: cap(f, w) };
    }
    case 'cmp':
      if (e.op === '==' || e.op === '!=') return compare(e.op, operand(e.a, facts), operand(e.b, facts), w);
      return both(w);
    case 'call':
      return callSplit(e, w, facts);
  }
}

/**
 * The runs, among the given one, in which the condition may be true: none when it is false for
 * sure, the run itself when undecided, narrowed runs when the condition pins the ref
 * (`github.ref == 'refs/heads/main'` narrows `refs/heads/*`).
 */
export function runsWhere(e: Expr, w: RunWorld, facts: ConditionFacts = {}): RunWorld[] {
  memo = new Map();
  try {
    return split(e, w, facts).t;
  } finally {
    memo = undefined;
  }
}
