/**
 * The subset of CEL (Common Expression Language) that Google Cloud attribute conditions and
 * attribute mappings are written in, in practice: `==`, `!=`, `&&`, `||`, `!`, `in [...]`,
 * `.startsWith()` / `.endsWith()` / `.contains()`, string literals, `true` / `false`, `//` comments, and
 * references `assertion.X`, `assertion['X']`, `attribute.X`, `google.subject`. Anything else
 * (`.matches()`, `.extract()`, ternaries, arithmetic, macros such as `.all()`) parses to an
 * `opaque` node that stands for "cannot tell", never for true or false.
 *
 * Offsets are UTF-16 indices into the expression text; callers map them to source positions.
 */

export interface Span {
  start: number;
  end: number;
}

export type CelOperand =
  | ({ k: 'ref'; root: 'assertion' | 'attribute' | 'google'; name: string } & Span)
  | ({ k: 'str'; value: string } & Span)
  | ({ k: 'list'; items: CelOperand[] } & Span)
  | ({ k: 'other'; text: string } & Span);

export type CelExpr =
  | ({ k: 'and' | 'or'; a: CelExpr; b: CelExpr } & Span)
  | ({ k: 'not'; a: CelExpr } & Span)
  | ({ k: 'cmp'; op: '==' | '!='; left: CelOperand; right: CelOperand } & Span)
  | ({ k: 'call'; method: string; target: CelOperand; args: CelOperand[] } & Span)
  | ({ k: 'in'; item: CelOperand; list: CelOperand } & Span)
  | ({ k: 'bool'; value: boolean } & Span)
  | ({ k: 'opaque'; text: string } & Span);

type Tok = { t: 'id' | 'str' | 'num' | 'op'; v: string } & Span;

const OPS = ['==', '!=', '&&', '||', '<=', '>=', '!', '(', ')', '[', ']', ',', '.', '?', ':', '<', '>', '+', '-', '*', '/', '%', '{', '}'];

class CelSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    // A line comment.
    if (src.startsWith('//', i)) {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j])) j++;
      // Raw and byte string prefixes (r'…', b"…") are not read: the whole literal is a token of its own.
      if (j === i + 1 && /[rRbB]/.test(c) && (src[j] === '"' || src[j] === "'")) throw new CelSyntaxError('raw or byte string literal', i);
      out.push({ t: 'id', v: src.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[0-9.eExXa-fA-FuU]/.test(src[j])) j++;
      out.push({ t: 'num', v: src.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (c === '"' || c === "'") {
      if (src.startsWith(c.repeat(3), i)) throw new CelSyntaxError('triple-quoted string', i);
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= src.length || src[j] === '\n') throw new CelSyntaxError('unterminated string', i);
        const d = src[j];
        if (d === c) break;
        if (d === '\\') {
          const e = src[j + 1];
          const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', '`': '`', '?': '?' };
          if (e !== undefined && Object.hasOwn(simple, e)) {
            v += simple[e];
            j += 2;
            continue;
          }
          throw new CelSyntaxError('escape sequence not read', j);
        }
        v += d;
        j++;
      }
      out.push({ t: 'str', v, start: i, end: j + 1 });
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new CelSyntaxError(`unexpected character '${c}'`, i);
    out.push({ t: 'op', v: op, start: i, end: i + op.length });
    i += op.length;
  }
  return out;
}

/** Parses an expression; a syntax outside the subset gives `{ error }` (the caller: "cannot tell"). */
export function parseCel(src: string): { expr: CelExpr } | { error: string; at: number } {
  let toks: Tok[];
  try {
    toks = tokenize(src);
  } catch (e) {
    if (e instanceof CelSyntaxError) return { error: e.message, at: e.at };
    throw e;
  }
  let p = 0;
  const peek = (v?: string) => (p < toks.length && (v === undefined || toks[p].v === v) ? toks[p] : undefined);
  const expect = (v: string) => {
    const t = toks[p];
    if (!t || t.v !== v) throw new CelSyntaxError(`expected '${v}'`, t?.start ?? src.length);
    p++;
    return t;
  };
  const opaque = (start: number, end: number): CelExpr => ({ k: 'opaque', text: src.slice(start, end), start, end });

  // expr := or ('?' expr ':' expr)?
  function expr(): CelExpr {
    const e = or();
    if (peek('?')) {
      p++;
      expr();
      expect(':');
      const f = expr();
      return opaque(e.start, f.end);
    }
    return e;
  }
  function or(): CelExpr {
    let a = and();
    while (peek('||')) {
      p++;
      const b = and();
      a = { k: 'or', a, b, start: a.start, end: b.end };
    }
    return a;
  }
  function and(): CelExpr {
    let a = unary();
    while (peek('&&')) {
      p++;
      const b = unary();
      a = { k: 'and', a, b, start: a.start, end: b.end };
    }
    return a;
  }
  function unary(): CelExpr {
    const t = peek('!');
    if (t) {
      p++;
      const a = unary();
      return { k: 'not', a, start: t.start, end: a.end };
    }
    return relation();
  }
  function relation(): CelExpr {
    const left = operandOrGroup();
    if ('expr' in left) return left.expr;
    const t = peek();
    if (t && t.t === 'op' && (t.v === '==' || t.v === '!=')) {
      p++;
      const right = operand();
      return { k: 'cmp', op: t.v, left, right, start: left.start, end: right.end };
    }
    if (t && t.t === 'op' && ['<', '>', '<=', '>='].includes(t.v)) {
      p++;
      const right = operand();
      return opaque(left.start, right.end);
    }
    if (t && t.t === 'id' && t.v === 'in') {
      p++;
      const list = operand();
      return { k: 'in', item: left, list, start: left.start, end: list.end };
    }
    return asBool(left);
  }
  /** A bare operand used as a condition: `true`, `false`, or a method call result. */
  function asBool(o: CelOperand & { call?: CelExpr }): CelExpr {
    if (o.call) return o.call;
    if (o.k === 'other' && (o.text === 'true' || o.text === 'false')) return { k: 'bool', value: o.text === 'true', start: o.start, end: o.end };
    return opaque(o.start, o.end);
  }
  /** A parenthesised condition, or an operand. */
  function operandOrGroup(): (CelOperand & { call?: CelExpr }) | { expr: CelExpr } {
    if (peek('(')) {
      const open = toks[p];
      p++;
      const e = expr();
      const close = expect(')');
      // `(a).method()` and the like are not read.
      if (peek('.') || peek('[')) {
        skipPostfix();
        return { expr: opaque(open.start, toks[p - 1].end) };
      }
      return { expr: { ...e, start: open.start, end: close.end } as CelExpr };
    }
    return operand();
  }
  function skipPostfix() {
    while (peek('.') || peek('[') || peek('(')) {
      const t = toks[p];
      p++;
      if (t.v === '.') {
        if (!peek() || toks[p].t !== 'id') throw new CelSyntaxError('expected a name after .', t.end);
        p++;
      } else if (t.v === '[') {
        expr();
        expect(']');
      } else {
        if (!peek(')')) {
          expr();
          while (peek(',')) {
            p++;
            expr();
          }
        }
        expect(')');
      }
    }
  }
  function operand(): CelOperand & { call?: CelExpr } {
    const t = toks[p];
    if (!t) throw new CelSyntaxError('unexpected end of expression', src.length);
    let base: CelOperand;
    if (t.t === 'str') {
      p++;
      base = { k: 'str', value: t.v, start: t.start, end: t.end };
    } else if (t.t === 'num') {
      p++;
      base = { k: 'other', text: t.v, start: t.start, end: t.end };
    } else if (t.v === '[') {
      p++;
      const items: CelOperand[] = [];
      if (!peek(']')) {
        items.push(operand());
        while (peek(',')) {
          p++;
          if (peek(']')) break;
          items.push(operand());
        }
      }
      const close = expect(']');
      base = { k: 'list', items, start: t.start, end: close.end };
    } else if (t.t === 'id') {
      p++;
      base = { k: 'other', text: t.v, start: t.start, end: t.end };
      if ((t.v === 'assertion' || t.v === 'attribute' || t.v === 'google') && (peek('.') || peek('['))) {
        const sel = toks[p];
        if (sel.v === '.' && toks[p + 1]?.t === 'id') {
          base = { k: 'ref', root: t.v, name: toks[p + 1].v, start: t.start, end: toks[p + 1].end };
          p += 2;
        } else if (sel.v === '[' && toks[p + 1]?.t === 'str' && toks[p + 2]?.v === ']') {
          base = { k: 'ref', root: t.v, name: toks[p + 1].v, start: t.start, end: toks[p + 2].end };
          p += 3;
        }
      }
    } else if (t.v === '-' || t.v === '!') {
      p++;
      const o = operand();
      return { k: 'other', text: src.slice(t.start, o.end), start: t.start, end: o.end };
    } else throw new CelSyntaxError(`unexpected '${t.v}'`, t.start);
    // Member access, index and method calls after the base.
    let call: CelExpr | undefined;
    while (peek('.') || peek('[') || peek('(')) {
      const s = toks[p];
      if (s.v === '.' && toks[p + 1]?.t === 'id' && toks[p + 2]?.v === '(') {
        const method = toks[p + 1].v;
        p += 3;
        const args: CelOperand[] = [];
        let argsReadable = true;
        if (!peek(')')) {
          const save = p;
          try {
            args.push(operand());
            while (peek(',')) {
              p++;
              args.push(operand());
            }
            if (!peek(')')) throw new CelSyntaxError('', 0);
          } catch {
            // A macro (`.all(x, cond)`) or another argument shape: skip to the closing parenthesis.
            p = save;
            argsReadable = false;
            expr();
            while (peek(',')) {
              p++;
              expr();
            }
          }
        }
        const close = expect(')');
        const span = { start: base.start, end: close.end };
        call = argsReadable && !call ? { k: 'call', method, target: base, args, ...span } : opaque(span.start, span.end);
        base = { k: 'other', text: src.slice(span.start, span.end), ...span };
      } else {
        skipPostfix();
        call = undefined;
        base = { k: 'other', text: src.slice(base.start, toks[p - 1].end), start: base.start, end: toks[p - 1].end };
      }
    }
    return call ? { ...base, call } : base;
  }

  try {
    if (!toks.length) return { error: 'empty expression', at: 0 };
    const e = expr();
    if (p < toks.length) throw new CelSyntaxError(`unexpected '${toks[p].v}'`, toks[p].start);
    return { expr: e };
  } catch (e) {
    if (e instanceof CelSyntaxError) return { error: e.message, at: e.at };
    if (e instanceof RangeError) return { error: 'nested too deeply', at: 0 };
    throw e;
  }
}
