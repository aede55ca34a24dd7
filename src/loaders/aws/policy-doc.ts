/**
 * Reads an IAM policy document (already turned into a DocNode by any format's loader) into the
 * model's TrustPolicy / Statement / Principal / Condition nodes. Shared by JSON, CloudFormation,
 * Terraform (jsonencode / heredoc) and CDK loaders so that every rule works on every format.
 */
import { getEntryCI, isMap, isScalar, isSeq, scalarValue, stringList, type DocMap, type DocNode, type DocScalar } from '../shared/doc.js';
import type { Condition, Principal, Role, Statement, TrustPolicy } from '../../model/iam.js';
import { parseOperator } from '../../model/iam.js';
import type { SourceLocation, Value } from '../../model/location.js';
import { clipRedacted } from '../../model/secrets.js';

export interface PolicyProblem {
  message: string;
  loc: SourceLocation;
}

/**
 * Statements read from one trust policy. IAM stores a trust policy of at most 4,096 characters (at
 * most ~80 statements of the shortest form); the analysis compares statements with each other, so
 * 1,000 alternating Allow and Deny statements took 12 s. The rest are reported, not read.
 */
export const MAX_STATEMENTS = 100;

/**
 * Values of one condition key. A 4,096-character trust policy holds a few hundred short values at
 * most; each negated one is subtracted from every region (8,000 StringNotLike values took 30 s).
 * A condition with more is reported and its values count as one unknown value.
 */
export const MAX_CONDITION_VALUES = 256;

/**
 * A condition value longer than a whole trust policy can be. The analysis of a glob is at least
 * linear and sometimes quadratic in its length; a value of megabytes (a generated file, a Terraform
 * string doubled a few times) would take minutes and gigabytes. Such a value is reported and then
 * treated as unknown, as an unresolved reference would be.
 */
export const MAX_CONDITION_VALUE = 4096;

/** Whether a document looks like an IAM trust policy: a statement with a Federated principal or an sts:AssumeRole* action. */
export function looksLikeTrustPolicy(root: DocNode): boolean {
  if (!isMap(root)) return false;
  const st = getEntryCI(root, 'Statement')?.value;
  const statements = isSeq(st) ? st.items : st ? [st] : [];
  return statements.some((s) => {
    if (!isMap(s)) return false;
    const principal = getEntryCI(s, 'Principal')?.value;
    if (isMap(principal) && getEntryCI(principal, 'Federated')) return true;
    const actions = stringList(getEntryCI(s, 'Action')?.value);
    return actions.some((a) => /^sts:assumerole/i.test(a.value) || a.value === 'sts:*');
  });
}

/** Builds the TrustPolicy of `role` from a policy document node. Problems are returned, never thrown. */
export function readTrustPolicy(root: DocNode, role: Role, problems: PolicyProblem[]): TrustPolicy {
  const policy: TrustPolicy = { type: 'TrustPolicy', loc: root.loc, parent: role, statements: [] };
  if (!isMap(root)) {
    problems.push({ message: 'trust policy must be an object with a Statement list', loc: root.loc });
    return policy;
  }
  const version = getEntryCI(root, 'Version')?.value;
  if (isScalar(version)) policy.version = scalarValue(version);
  const stEntry = getEntryCI(root, 'Statement');
  if (!stEntry) {
    problems.push({ message: 'trust policy has no Statement', loc: root.loc });
    return policy;
  }
  let items = isSeq(stEntry.value) ? stEntry.value.items : [stEntry.value];
  if (items.length > MAX_STATEMENTS) {
    problems.push({ message: `trust policy has ${items.length.toLocaleString('en')} statements; only the first ${MAX_STATEMENTS.toLocaleString('en')} were checked (IAM accepts a trust policy of at most 4,096 characters)`, loc: stEntry.key.loc });
    items = items.slice(0, MAX_STATEMENTS);
  }
  items.forEach((node) => {
    // A statement a template or an unknown IaC value supplies: not known, not malformed.
    if (isScalar(node) && node.resolution === 'unresolved') return;
    if (!isMap(node)) {
      problems.push({ message: 'each Statement must be an object', loc: node.loc });
      return;
    }
    policy.statements.push(readStatement(node, policy, policy.statements.length, problems));
  });
  return policy;
}

function boundedConditionValues(values: Value<string>[], node: DocNode, problems: PolicyProblem[]): Value<string>[] {
  if (values.length > MAX_CONDITION_VALUES) {
    problems.push({
      message: `condition has ${values.length.toLocaleString('en')} values; more than ${MAX_CONDITION_VALUES} do not fit in a trust policy IAM accepts (4,096 characters at most): they were not analysed and count as one unknown value`,
      loc: node.loc,
    });
    return [{ value: `${values.length} values`, raw: '', loc: node.loc, resolution: 'unresolved' }];
  }
  return values.map((v) => boundedConditionValue(v, problems));
}

function boundedConditionValue(v: Value<string>, problems: PolicyProblem[]): Value<string> {
  if (v.value.length <= MAX_CONDITION_VALUE) return v;
  problems.push({
    message: `condition value of ${v.value.length.toLocaleString('en')} characters: longer than IAM accepts for a whole trust policy (${MAX_CONDITION_VALUE.toLocaleString('en')} at most); it was not analysed and counts as unknown`,
    loc: v.loc,
  });
  const shown = clipRedacted(v.value, 60);
  return { value: shown, raw: shown, loc: v.loc, resolution: 'unresolved' };
}

function readPrincipals(node: DocNode | undefined, problems: PolicyProblem[]): Principal[] {
  if (!node) return [];
  if (isScalar(node)) {
    // A principal a template or an unknown IaC value supplies (`"Principal": ${principal}`) is not
    // "*": it is taken as an unknown federated provider, which the condition keys may identify.
    if (node.resolution === 'unresolved') return [{ type: 'Principal', loc: node.loc, kind: 'Federated', value: scalarValue(node) }];
    // "Principal": "*"
    return [{ type: 'Principal', loc: node.loc, kind: '*', value: scalarValue(node) }];
  }
  if (!isMap(node)) {
    problems.push({ message: 'Principal must be "*" or an object such as {"Federated": "<provider ARN>"}', loc: node.loc });
    return [];
  }
  const out: Principal[] = [];
  for (const e of node.entries) {
    const kind = String(e.key.value);
    for (const v of stringList(e.value)) out.push({ type: 'Principal', loc: v.loc, kind, value: v });
  }
  return out;
}

function readStatement(node: DocMap, parent: TrustPolicy, index: number, problems: PolicyProblem[]): Statement {
  const effectNode = getEntryCI(node, 'Effect')?.value;
  const effect = isScalar(effectNode)
    ? scalarValue(effectNode)
    : { value: 'Allow', raw: '', loc: node.loc, resolution: 'literal' as const };
  if (!isScalar(effectNode)) problems.push({ message: 'Statement has no Effect', loc: node.loc });
  const sidNode = getEntryCI(node, 'Sid')?.value;
  const condEntry = getEntryCI(node, 'Condition');
  const st: Statement = {
    type: 'Statement',
    loc: node.loc,
    parent,
    index,
    sid: isScalar(sidNode) ? scalarValue(sidNode) : undefined,
    effect,
    principals: readPrincipals(getEntryCI(node, 'Principal')?.value, problems),
    notPrincipals: readPrincipals(getEntryCI(node, 'NotPrincipal')?.value, problems),
    actions: stringList(getEntryCI(node, 'Action')?.value),
    notActions: stringList(getEntryCI(node, 'NotAction')?.value),
    conditions: [],
    conditionLoc: condEntry?.key.loc,
  };
  if (condEntry) {
    const cond = condEntry.value;
    // A condition block or operator that is a template placeholder or an unknown IaC value
    // (`"Condition": ${conditions}`, `Condition = var.conditions`): conditions we cannot see, kept
    // as one opaque condition so that no rule takes the statement for unconditioned.
    const opaque = (node: DocScalar, operator: Value<string>) => {
      const v = scalarValue(node);
      const parsed = parseOperator(operator.resolution === 'unresolved' ? '' : operator.value);
      st.conditions.push({ type: 'Condition', loc: node.loc, parent: st, operator, baseOperator: parsed.baseOperator, qualifier: parsed.qualifier, ifExists: parsed.ifExists, key: v, values: [] });
    };
    if (isScalar(cond) && cond.resolution === 'unresolved') opaque(cond, scalarValue(cond));
    else if (!isMap(cond)) problems.push({ message: 'Condition must be an object of operators', loc: cond.loc });
    else
      for (const opEntry of cond.entries) {
        const opText = String(opEntry.key.value);
        const parsed = parseOperator(opText);
        if (isScalar(opEntry.value) && opEntry.value.resolution === 'unresolved') {
          opaque(opEntry.value, scalarValue(opEntry.key));
          continue;
        }
        if (!isMap(opEntry.value)) {
          problems.push({ message: `condition operator ${opText} must map condition keys to values`, loc: opEntry.value.loc });
          continue;
        }
        for (const keyEntry of opEntry.value.entries) {
          const c: Condition = {
            type: 'Condition',
            loc: keyEntry.key.loc,
            parent: st,
            operator: scalarValue(opEntry.key),
            baseOperator: parsed.baseOperator,
            qualifier: parsed.qualifier,
            ifExists: parsed.ifExists,
            key: scalarValue(keyEntry.key),
            values: boundedConditionValues(stringList(keyEntry.value), keyEntry.value, problems),
          };
          st.conditions.push(c);
        }
      }
  }
  return st;
}
