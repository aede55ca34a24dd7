/**
 * Azure federated identity credentials as trusts (./trust.ts), compiled into the common
 * claim-condition form:
 *
 * - the issuer is the statement's federated principal;
 * - a classic credential's `subject` is `StringEquals` on `sub`: Microsoft Entra compares it
 *   exactly, so a `*` in it is a literal character that no GitHub token carries;
 * - a flexible credential's `claimsMatchingExpression` is one condition per test: `matches` is
 *   `StringLike` (a `*` matches any run of characters — the exact wildcard semantics are
 *   UNCONFIRMED beyond Microsoft's examples, see docs/clouds.md), `eq` is `StringEquals`; an
 *   expression oidc-lint cannot read is an unresolved condition (the answer is `'unknown'`);
 * - the audiences are `StringEquals` on `aud`.
 *
 * Microsoft Entra evaluates the claims it is given (EVERY_CLAIM_EVALUATED). Facts and sources:
 * docs/clouds.md, "Azure federated identity credentials".
 */
import type { Condition, Role, Statement, TrustPolicy } from '../iam.js';
import type { SourceLocation, Value } from '../location.js';
import { literal as lit, unresolvedText as unresolved } from '../location.js';
import { parseAzureExpression, type AzureExpressionTest, type AzureFederatedCredential } from '../azure.js';
import { WEB_IDENTITY_ACTION } from './aws-iam.js';
import { GITHUB_ISSUER_HOST, normalizeIssuer, parseGitHubIssuer } from './github.js';
import { spanLocator } from './gcp.js';
import { EVERY_CLAIM_EVALUATED, compiledTrust, type Trust } from './trust.js';
import { knownText } from './values.js';

export interface AzureTrust extends Trust {
  readonly cloud: 'azure';
  readonly credential: AzureFederatedCredential;
}

/** The GitHub issuer host a credential names, if any (trailing slash and scheme set aside). */
export function azureGithubIssuer(c: AzureFederatedCredential): string | undefined {
  const t = c.issuer === undefined ? undefined : knownText(c.issuer);
  return t === undefined ? undefined : parseGitHubIssuer(t)?.host;
}

/** What the credential lets a token act as, for messages. */
export function azureCredentialName(c: AzureFederatedCredential): string {
  const text = c.parent ? knownText(c.parent) : undefined;
  // A resource id or path: the identity's name; a Terraform reference: the resource it names.
  const parent = text !== undefined ? text.split('/').pop() : c.parent?.raw.replace(/^\$\{|\}$/g, '').replace(/\.(id|object_id|client_id)$/, '');
  return parent ? `${c.origin.logicalId} (${parent})` : c.origin.logicalId;
}

/** The credentials, as one trust policy of the identity they belong to: one Allow statement per credential (any of them admits). */
export function compileAzureCredentials(creds: readonly AzureFederatedCredential[], role: Role): TrustPolicy {
  const first = creds[0];
  const policy: TrustPolicy = { type: 'TrustPolicy', loc: first?.loc ?? role.loc, parent: role, statements: [] };
  role.trustPolicy = policy;
  for (const c of creds) {
    const issuerHost = azureGithubIssuer(c) ?? (c.issuer ? normalizeIssuer(knownText(c.issuer) ?? c.issuer.value) : GITHUB_ISSUER_HOST);
    const key = (claim: string, loc: SourceLocation, raw: string): Value<string> => lit(`${issuerHost}:${claim}`, loc, raw);
    const st: Statement = {
      type: 'Statement',
      loc: c.loc,
      parent: policy,
      index: policy.statements.length,
      effect: lit('Allow', c.loc),
      principals: [{ type: 'Principal', loc: c.issuer?.loc ?? c.loc, kind: 'Federated', value: c.issuer ?? unresolved('${issuer}', c.loc) }],
      notPrincipals: [],
      actions: [lit(WEB_IDENTITY_ACTION, c.loc)],
      notActions: [],
      conditions: [],
    };
    const cond = (op: 'StringEquals' | 'StringLike', k: Value<string>, values: Value<string>[], loc: SourceLocation): Condition => ({ type: 'Condition', loc, parent: st, operator: lit(op, loc), baseOperator: op, ifExists: false, key: k, values });
    if (c.expression) {
      const text = knownText(c.expression);
      const parsed = text === undefined ? undefined : parseAzureExpression(text);
      if (!parsed || 'error' in parsed) {
        const why = parsed ? `the claims matching expression is not in the form oidc-lint reads (${parsed.error})` : 'the claims matching expression is not known (it depends on an input the files do not fix)';
        st.conditions.push(cond('StringEquals', unresolved('azure-fic:opaque', c.expression.loc), [unresolved(why, c.expression.loc)], c.expression.loc));
      } else {
        const at = spanLocator(c.expression);
        for (const t of parsed.tests as AzureExpressionTest[])
          st.conditions.push(cond(t.op === 'matches' ? 'StringLike' : 'StringEquals', key(t.claim, at(t.claimSpan), t.claim), [lit(t.value, at(t.valueSpan))], at(t.span)));
      }
    } else if (c.subject) st.conditions.push(cond('StringEquals', key('sub', c.subject.loc, 'subject'), [c.subject], c.subject.loc));
    // Neither subject nor expression: Azure refuses to create the credential; nothing is admitted.
    else st.conditions.push(cond('StringEquals', key('sub', c.loc, 'subject'), [], c.loc));
    st.conditions.push(cond('StringEquals', key('aud', c.audiencesLoc, 'aud'), c.audiences, c.audiencesLoc));
    policy.statements.push(st);
  }
  return policy;
}

function roleOf(c: AzureFederatedCredential, logicalId: string): Role {
  return { type: 'Role', loc: c.loc, origin: { format: c.origin.format === 'arm' ? 'json' : 'terraform', file: c.origin.file, logicalId } };
}

export function azureTrust(c: AzureFederatedCredential): AzureTrust {
  const policy = compileAzureCredentials([c], roleOf(c, c.origin.logicalId));
  const trust = compiledTrust('azure', azureCredentialName(c), c.loc, policy, { ...EVERY_CLAIM_EVALUATED, defaultVersion: '2008-10-17' });
  return { ...trust, cloud: 'azure', credential: c };
}

/** An identity (managed identity or app registration) as a role whose trust policy holds all its credentials, for `explain`. */
export function azureIdentityRole(label: string, creds: readonly AzureFederatedCredential[]): Role {
  const role = roleOf(creds[0], label);
  role.name = lit(label, creds[0].loc);
  compileAzureCredentials(creds, role);
  return role;
}
