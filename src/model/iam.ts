import type { SourceLocation, Value } from './location.js';

export type SourceFormat = 'json' | 'cloudformation' | 'terraform' | 'cdk' | 'aws';

export interface Origin {
  format: SourceFormat;
  /** File the resource came from (relative path); empty for live AWS. */
  file: string;
  /** Logical id / resource address (`MyRole`, `aws_iam_role.deploy`, CDK construct id). */
  logicalId?: string;
}

export interface Role {
  type: 'Role';
  loc: SourceLocation;
  origin: Origin;
  name?: Value<string>;
  arn?: Value<string>;
  trustPolicy?: TrustPolicy;
}

export interface TrustPolicy {
  type: 'TrustPolicy';
  loc: SourceLocation;
  parent: Role;
  version?: Value<string>;
  statements: Statement[];
}

export interface Principal {
  type: 'Principal';
  loc: SourceLocation;
  /** `Federated`, `AWS`, `Service`, `CanonicalUser`, or `*` for `"Principal": "*"`. */
  kind: string;
  value: Value<string>;
}

export interface Statement {
  type: 'Statement';
  loc: SourceLocation;
  parent: TrustPolicy;
  index: number;
  sid?: Value<string>;
  effect: Value<string>;
  principals: Principal[];
  /** Set when the statement uses `NotPrincipal` (invalid in a trust policy). */
  notPrincipals: Principal[];
  actions: Value<string>[];
  notActions: Value<string>[];
  conditions: Condition[];
  /** Position of the `Condition` key, for "add a condition here" reports. */
  conditionLoc?: SourceLocation;
}

export type SetQualifier = 'ForAnyValue' | 'ForAllValues';

export interface Condition {
  type: 'Condition';
  loc: SourceLocation;
  parent: Statement;
  /** The operator exactly as written, e.g. `ForAllValues:StringLikeIfExists`. */
  operator: Value<string>;
  /** The operator without qualifier and IfExists, e.g. `StringLike`. */
  baseOperator: string;
  qualifier?: SetQualifier;
  ifExists: boolean;
  key: Value<string>;
  values: Value<string>[];
}

export interface OidcProvider {
  type: 'OidcProvider';
  loc: SourceLocation;
  origin: Origin;
  arn?: Value<string>;
  url: Value<string>;
  clientIds: Value<string>[];
  thumbprints: Value<string>[];
}

/** Splits `ForAllValues:StringLikeIfExists` into its parts. */
export function parseOperator(op: string): { baseOperator: string; qualifier?: SetQualifier; ifExists: boolean } {
  let rest = op;
  let qualifier: SetQualifier | undefined;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const q = rest.slice(0, colon);
    if (/^forallvalues$/i.test(q)) qualifier = 'ForAllValues';
    else if (/^foranyvalue$/i.test(q)) qualifier = 'ForAnyValue';
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  if (/IfExists$/i.test(rest) && rest.length > 'IfExists'.length) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  return { baseOperator: rest, qualifier, ifExists };
}
