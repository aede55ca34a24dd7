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
export interface ValueCondition {
  /** The input in words, e.g. `var.allow_all is true`, `an entry of var.repositories has no ':'`, `props.filter is not given`. */
  text: string;
  /** The value is the one used when an input is left out (a default): the path a caller takes by doing nothing. */
  isDefault: boolean;
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
  if (a.text === b.text) return { text: a.text, isDefault: a.isDefault && b.isDefault };
  return { text: `${a.text} and ${b.text}`, isDefault: a.isDefault && b.isDefault };
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
