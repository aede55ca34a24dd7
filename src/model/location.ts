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
