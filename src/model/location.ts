/**
 * Source positions shared by every model node. Lines and columns are 1-based (as SARIF, GitHub
 * annotations and editors use them); `end` is the position just after the last character.
 * Loaders convert once; rules never compute positions.
 */
export interface Position {
  line: number;
  column: number;
}

/** A live resource that has no file, e.g. an IAM role read from an AWS account. */
export interface LogicalLocation {
  /** `aws-account` is for account-wide facts (e.g. a List call that was denied). */
  kind: 'aws-iam-role' | 'aws-oidc-provider' | 'aws-account';
  /** Fully qualified name, e.g. the role ARN (`arn:aws:iam::123456789012:root` for an account). */
  fullyQualifiedName: string;
  name?: string;
}

export interface SourceLocation {
  /** Path relative to the scan root, with `/` separators. Empty for purely logical locations. */
  file: string;
  start: Position;
  end: Position;
  /** Symbolic path inside the file (e.g. `jobs.deploy.steps[1].with.role-to-assume`); stable across edits. */
  path?: string;
  logical?: LogicalLocation;
}

/**
 * The line starts of one file's text (0-based offsets, the first 0), shared by every compact
 * location in that file.
 */
export class LineTable {
  constructor(
    readonly file: string,
    readonly starts: ArrayLike<number>,
  ) {}

  /** The table of `text` (lines end at `\n`, as the loaders count them). */
  static of(file: string, text: string): LineTable {
    let n = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
    const starts = new Int32Array(n);
    for (let i = text.indexOf('\n'), l = 1; i >= 0; i = text.indexOf('\n', i + 1)) starts[l++] = i + 1;
    return new LineTable(file, starts);
  }

  /** The 1-based position of an offset (columns in UTF-16 code units). */
  position(offset: number): Position {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - s[lo] + 1 };
  }
}

/** What was assigned to a compact location after it was made (rare: a live-AWS document placed in its snapshot). */
const assigned = new WeakMap<SpanLocation, { file?: string; start?: Position; end?: Position }>();

/**
 * A SourceLocation kept as two offsets and the file's shared LineTable: line and column are worked
 * out when they are read (for what is reported), not stored for every value of every file — on a
 * large repository locations were most of the objects the model held. It reads, serialises
 * (toJSON) and compares in tests as the plain `{ file, start, end, path }` it stands for.
 *
 * Do not copy one with object spread (`{ ...loc, path }`): its `file`, `start` and `end` are read
 * through its class and would be lost. Use `plainLocation(loc)` (`{ ...plainLocation(loc), path }`)
 * or `withLocationPath(loc, path)`.
 */
export class SpanLocation implements SourceLocation {
  path?: string;
  declare logical?: LogicalLocation;
  readonly #lines: LineTable;
  readonly #start: number;
  readonly #end: number;

  constructor(lines: LineTable, start: number, end: number, path?: string) {
    this.#lines = lines;
    this.#start = start;
    this.#end = end;
    this.path = path;
  }

  get file(): string {
    return assigned.get(this)?.file ?? this.#lines.file;
  }
  set file(file: string) {
    assigned.set(this, { ...assigned.get(this), file });
  }
  get start(): Position {
    return assigned.get(this)?.start ?? this.#lines.position(this.#start);
  }
  set start(start: Position) {
    assigned.set(this, { ...assigned.get(this), start });
  }
  get end(): Position {
    return assigned.get(this)?.end ?? this.#lines.position(this.#end);
  }
  set end(end: Position) {
    assigned.set(this, { ...assigned.get(this), end });
  }

  /** The offsets it stands for (undefined once a position was assigned to it). */
  static offsets(loc: SourceLocation): { lines: LineTable; start: number; end: number } | undefined {
    if (!(loc instanceof SpanLocation) || assigned.has(loc)) return undefined;
    return { lines: loc.#lines, start: loc.#start, end: loc.#end };
  }

  toJSON(): SourceLocation {
    return plainLocation(this);
  }
}

/** A location as a plain object (`file`, `start`, `end`, then `path` and `logical` when set), e.g. to copy it with changes. */
export function plainLocation(loc: SourceLocation): SourceLocation {
  if (!(loc instanceof SpanLocation)) return loc;
  const out: SourceLocation = { file: loc.file, start: loc.start, end: loc.end };
  if (loc.path !== undefined) out.path = loc.path;
  if (loc.logical !== undefined) out.logical = loc.logical;
  return out;
}

/** The same place with another symbolic path (compact when `loc` is). */
export function withLocationPath(loc: SourceLocation, path: string | undefined): SourceLocation {
  const o = SpanLocation.offsets(loc);
  if (o && loc.logical === undefined) return new SpanLocation(o.lines, o.start, o.end, path);
  return { ...plainLocation(loc), path };
}

/**
 * Every compact location in `value` (through objects, arrays and Maps) replaced by its plain form:
 * for a model sent to another thread, where a class instance arrives as a bare object.
 */
export function plainLocationsDeep(value: unknown, seen = new Set<object>()): void {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof Map) {
      for (const [k, x] of v) {
        if (x instanceof SpanLocation) v.set(k, plainLocation(x));
        else stack.push(x);
        stack.push(k);
      }
      continue;
    }
    if (ArrayBuffer.isView(v)) continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (v[i] instanceof SpanLocation) v[i] = plainLocation(v[i]);
        else stack.push(v[i]);
      }
      continue;
    }
    for (const k of Object.keys(v)) {
      const x = (v as Record<string, unknown>)[k];
      if (x instanceof SpanLocation) (v as Record<string, unknown>)[k] = plainLocation(x);
      else stack.push(x);
    }
  }
}

/**
 * How a value was obtained:
 * - `literal`: written as-is in the source;
 * - `expression`: computed from the source and fully resolved (a CloudFormation `!Sub` with known
 *   parameters, a Terraform variable with a default, a same-file CDK constant);
 * - `unresolved`: depends on something the source does not tell (`${{ vars.ROLE }}`, `!Ref` of a
 *   parameter without default, a Terraform variable without value). `value` then holds the best
 *   partial text and `parts` marks which pieces are known.
 */
export type Resolution = 'literal' | 'expression' | 'unresolved';

export interface ValuePart {
  text: string;
  known: boolean;
}

/**
 * The input under which a possible value is taken. Infrastructure code often computes a value one
 * of several ways (a Terraform `%{if}` or `c ? a : b`, a CDK `??`, `||`, ternary or default
 * parameter) from inputs the source does not fix; each way is then a separate possible value.
 */
export interface ValueCondition extends InputTerm {
  /** Identifies the expression these are possible values of (its position): the values of one expression share it. */
  group?: string;
  /** The separate inputs that make up `text` (for `a and b`), each with its own `isDefault`. */
  terms?: InputTerm[];
}

/** One input the value depends on. */
export interface InputTerm {
  /** The input in words, e.g. `var.allow_all is true`, `an entry of var.repositories has no ':'`, `props.filter is not given`. */
  text: string;
  /** The value is the one used when an input is left out (a default): the path a caller takes by doing nothing. */
  isDefault: boolean;
  /** The test as written and which way it went: `props.filter ??` and false are the complement of the same test and true. */
  test?: string;
  yes?: boolean;
}

function termsOf(c: ValueCondition): InputTerm[] {
  if (c.terms) return c.terms;
  const t: InputTerm = { text: c.text, isDefault: c.isDefault };
  if (c.test !== undefined) {
    t.test = c.test;
    t.yes = c.yes;
  }
  return [t];
}

function fromTerms(terms: InputTerm[]): ValueCondition {
  if (terms.length === 1) return { ...terms[0] };
  return { text: terms.map((t) => t.text).join(' and '), isDefault: terms.every((t) => t.isDefault), terms };
}

export interface Value<T = string> {
  value: T;
  /** The source text the value came from (e.g. `${{ vars.ROLE_ARN }}` or `!Sub repo:${Org}/*`). */
  raw: string;
  loc: SourceLocation;
  resolution: Resolution;
  /** For partially resolved strings: the known and unknown pieces, in order. */
  parts?: ValuePart[];
  /**
   * Set on a possible value: the source computes this value only under this input; its siblings
   * (the other branches) are listed next to it. Unset: the value is the one the source takes.
   */
  when?: ValueCondition;
}

/** Both conditions at once (a branch inside a branch). */
export function bothConditions(a: ValueCondition | undefined, b: ValueCondition | undefined): ValueCondition | undefined {
  if (!a) return b;
  if (!b) return a;
  const terms = [...termsOf(a)];
  for (const t of termsOf(b)) if (!terms.some((x) => x.text === t.text)) terms.push(t);
  return fromTerms(terms);
}

/**
 * Any of several conditions (the inputs under which some values at one place are used): two that
 * differ only in one test, taken both ways, are one (`a and b` or `a and not b` is `a`). Undefined
 * when that covers every input.
 */
export function anyCondition(conds: ValueCondition[]): ValueCondition | undefined {
  let cs = conds.map(termsOf);
  const same = (a: InputTerm, b: InputTerm) => a.text === b.text;
  const opposite = (a: InputTerm, b: InputTerm) => a.test !== undefined && a.test === b.test && a.yes !== b.yes;
  // `x` implies `t`: the same input, or (for a test `T` on truthiness and `T ??` on presence) `T ?? no`
  // (not given) implies `T no` (not set), and `T yes` (set) implies `T ?? yes` (given).
  const implies = (x: InputTerm, t: InputTerm) => same(x, t) || (x.test !== undefined && t.test !== undefined && x.yes === t.yes && (x.yes ? x.test + ' ??' === t.test : x.test === t.test + ' ??'));
  for (let changed = true; changed; ) {
    changed = false;
    outer: for (let i = 0; i < cs.length; i++)
      for (let j = 0; j < cs.length; j++) {
        if (i === j) continue;
        const a = cs[i];
        const b = cs[j];
        // `b` implies `a` (each of `a`'s inputs follows from one of `b`'s): `b` adds nothing.
        if (a.every((t) => b.some((x) => implies(x, t)))) {
          cs = cs.filter((_, k) => k !== j);
          changed = true;
          break outer;
        }
        // `not A`, or `A and B`: `not A`, or `B`.
        if (a.length === 1) {
          const k = b.findIndex((x) => opposite(x, a[0]));
          if (k >= 0) {
            cs = cs.map((c, n) => (n === j ? b.filter((_, m) => m !== k) : c));
            changed = true;
            break outer;
          }
        }
        if (a.length !== b.length) continue;
        // `A and B`, or `A and not B`: `A`.
        const onlyA = a.filter((t) => !b.some((x) => same(t, x)));
        const onlyB = b.filter((t) => !a.some((x) => same(t, x)));
        if (onlyA.length === 1 && onlyB.length === 1 && opposite(onlyA[0], onlyB[0])) {
          cs = [...cs.filter((_, k) => k !== i && k !== j), a.filter((t) => t !== onlyA[0])];
          changed = true;
          break outer;
        }
      }
  }
  if (!cs.length || cs.some((c) => !c.length)) return undefined;
  if (cs.length === 1) return fromTerms(cs[0]);
  const parts = cs.map(fromTerms);
  return { text: parts.map((p) => p.text).join(', or '), isDefault: parts.some((p) => p.isDefault) };
}

/** The possible values `alts` of the expression at `loc`, marked as siblings. */
export function groupAlternatives<T extends { when?: ValueCondition }>(alts: T[], loc: SourceLocation): T[] {
  const group = `${loc.file}:${loc.start.line}:${loc.start.column}`;
  return alts.map((a) => (a.when ? { ...a, when: { ...a.when, group } } : a));
}

export function pos(line: number, column: number): Position {
  return { line, column };
}

export function literal<T>(value: T, loc: SourceLocation, raw = String(value)): Value<T> {
  return { value, raw, loc, resolution: 'literal' };
}

/** A value whose whole text is an unresolved reference (one unknown part). */
export function unresolvedText(text: string, loc: SourceLocation): Value<string> {
  return { value: text, raw: text, loc, resolution: 'unresolved', parts: [{ text, known: false }] };
}

/** Orders locations by file, live resource (ARN), line, column. */
export function compareLocations(a: SourceLocation, b: SourceLocation): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  // Live-AWS positions are relative to each resource's document: never interleave two resources.
  const la = a.logical?.fullyQualifiedName ?? '';
  const lb = b.logical?.fullyQualifiedName ?? '';
  if (la !== lb) return la < lb ? -1 : 1;
  if (a.start.line !== b.start.line) return a.start.line - b.start.line;
  return a.start.column - b.start.column;
}

export function formatLocation(loc: SourceLocation): string {
  if (!loc.file && loc.logical) return loc.logical.fullyQualifiedName;
  return `${loc.file}:${loc.start.line}:${loc.start.column}`;
}
