/**
 * Azure federated identity credentials, as the loaders read them (plain data: loaded on a worker
 * thread and sent back). A credential on an app registration or a user-assigned managed identity
 * lets a token act as that identity when the token's issuer, audience and subject match it (a
 * classic credential: `subject`, compared exactly) or its claims satisfy `claimsMatchingExpression`
 * (a flexible credential). The claims layer (`claims/azure.ts`) turns each into a trust. Facts and
 * their sources: docs/clouds.md, "Azure federated identity credentials".
 */
import type { SourceLocation, Value } from './location.js';

export interface AzureOrigin {
  format: 'terraform' | 'arm';
  file: string;
  /** Terraform address (`azurerm_federated_identity_credential.github`) or the ARM resource's name expression. */
  logicalId: string;
}

export interface AzureFederatedCredential {
  type: 'AzureFederatedCredential';
  loc: SourceLocation;
  origin: AzureOrigin;
  /** What the credential lets a token act as. */
  owner: 'managed-identity' | 'application';
  /** The identity or application, as written (`parent_id`, `application_id`, the ARM parent's name). */
  parent?: Value<string>;
  /** The credential's own name (`name`, `display_name`). */
  name?: Value<string>;
  issuer?: Value<string>;
  /** A classic credential's subject (compared exactly: no wildcards). */
  subject?: Value<string>;
  /** A flexible credential's `claimsMatchingExpression` (`claims['sub'] matches '…' and …`). */
  expression?: Value<string>;
  audiences: Value<string>[];
  /** Where the audiences are written (or the resource, when they are not). */
  audiencesLoc: SourceLocation;
}

/** A user-assigned managed identity (for `explain` and to name a credential's parent). */
export interface AzureIdentity {
  type: 'AzureIdentity';
  loc: SourceLocation;
  origin: AzureOrigin;
  name?: Value<string>;
}

export interface AzureModel {
  credentials: AzureFederatedCredential[];
  identities: AzureIdentity[];
}

export function emptyAzureModel(): AzureModel {
  return { credentials: [], identities: [] };
}

/** The audience Microsoft Entra ID expects from GitHub (public cloud); azure/login requests it by default. */
export const AZURE_TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

// ---- flexible credentials: the claims matching expression -------------------------------------

/** One test of a flexible credential's expression: `claims['sub'] matches 'repo:octo-org/*'`. */
export interface AzureExpressionTest {
  claim: string;
  /** `matches` compares with wildcards (`*`), `eq` exactly. */
  op: 'matches' | 'eq';
  value: string;
  /** Offsets in the expression text: the whole test, the claim name, the comparand (without quotes). */
  span: { start: number; end: number };
  claimSpan: { start: number; end: number };
  valueSpan: { start: number; end: number };
}

export type AzureExpression = { tests: AzureExpressionTest[] } | { error: string; at: number };

/**
 * Reads a claims matching expression (language version 1): tests `claims['<claim>'] <operator>
 * '<comparand>'` joined by `and`. The operators read are `matches` and `eq`; anything else (another
 * operator, `or`, parentheses, escapes in a comparand) is an error, and the trust built on it
 * answers "cannot tell" rather than guess.
 */
export function parseAzureExpression(text: string): AzureExpression {
  const tests: AzureExpressionTest[] = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const quoted = (): { value: string; start: number; end: number } | undefined => {
    if (text[i] !== "'") return undefined;
    const start = i + 1;
    const end = text.indexOf("'", start);
    if (end < 0) return undefined;
    i = end + 1;
    return { value: text.slice(start, end), start, end };
  };
  for (;;) {
    ws();
    const testStart = i;
    const m = /^claims\s*\[\s*/.exec(text.slice(i));
    if (!m) return { error: "expected claims['<name>']", at: i };
    i += m[0].length;
    const claim = quoted();
    if (!claim) return { error: 'expected a quoted claim name', at: i };
    ws();
    if (text[i] !== ']') return { error: "expected ']'", at: i };
    i++;
    ws();
    const op = /^(matches|eq)\b/.exec(text.slice(i));
    if (!op) return { error: 'expected the operator matches or eq', at: i };
    i += op[0].length;
    ws();
    const value = quoted();
    if (!value) return { error: 'expected a quoted comparand', at: i };
    tests.push({
      claim: claim.value,
      op: op[1] as 'matches' | 'eq',
      value: value.value,
      span: { start: testStart, end: i },
      claimSpan: { start: claim.start, end: claim.end },
      valueSpan: { start: value.start, end: value.end },
    });
    ws();
    if (i >= text.length) return { tests };
    const and = /^and\b/.exec(text.slice(i));
    if (!and) return { error: "expected 'and' or the end of the expression", at: i };
    i += and[0].length;
  }
}
