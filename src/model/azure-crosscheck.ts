/**
 * The Azure cross-check: the token each job that logs in with azure/login will present (from
 * `predict.ts`), judged against the federated identity credentials of the identity it logs in as.
 *
 * Which identity a job uses is rarely visible: `client-id` is a secret, and a credential's parent
 * is an Azure resource whose client id Terraform or ARM only knows after deployment. So:
 *
 * - `mapping`: the config's `roles:` names what `${{ secrets.X }}` / `${{ vars.X }}` stands for — a
 *   Terraform address (`azurerm_user_assigned_identity.github`, `azuread_application.github`), or
 *   the identity's / application's name as the credential's parent names it; the job is judged
 *   against that identity's credentials and a refusal is certain;
 * - `repository`: otherwise, the GitHub credentials of the scan that name this repository (they
 *   admit some token of it); a job none of them admits may still log in as an identity defined
 *   elsewhere, so that is only a hint;
 * - otherwise nothing is judged.
 */
import type { Project } from './project.js';
import type { CloudLogin, RoleAssumption } from './workflow.js';
import type { AzureFederatedCredential } from './azure.js';
import { AZURE_TOKEN_EXCHANGE_AUDIENCE } from './azure.js';
import { azureGithubIssuer, azureTrust, type AzureTrust } from './claims/azure.js';
import { knownText, mintToken } from './claims.js';
import type { Tri } from './claims/values.js';
import { factsFor, predictionsOf, subjectText } from './crosscheck.js';
import { applyCondition, type PredictedContext } from './predict.js';

export interface AzureLoginVerdict {
  context: PredictedContext;
  sub: string;
  audience: string;
  admitted: Tri;
  /** The credential that admits the token, when one does. */
  by?: AzureFederatedCredential;
}

export interface AzureLoginJudgement {
  login: CloudLogin;
  link: 'mapping' | 'repository';
  /** For a mapping: the config key (`secrets.AZURE_CLIENT_ID`) and what it maps to. */
  key?: string;
  target?: string;
  credentials: AzureFederatedCredential[];
  verdicts: AzureLoginVerdict[];
}

const trustCache = new WeakMap<AzureFederatedCredential, AzureTrust>();
function trustOf(c: AzureFederatedCredential): AzureTrust {
  let t = trustCache.get(c);
  if (!t) trustCache.set(c, (t = azureTrust(c)));
  return t;
}

/** The config key a sole `${{ secrets.X }}` / `${{ vars.X }}` expression stands for (`secrets.X`, upper-cased as the config loader stores it). */
function mappingKey(text: string): string | undefined {
  const m = /^\s*\$\{\{\s*(secrets|vars)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}\s*$/.exec(text);
  return m ? `${m[1]}.${m[2].toUpperCase()}` : undefined;
}

/** Whether a credential's parent is the identity the mapping names (a Terraform address, or a name). */
export function parentIs(c: AzureFederatedCredential, target: string): boolean {
  const parent = c.parent;
  if (!parent) return false;
  const t = target.trim();
  if (/^[a-z]+_[a-z0-9_]+\.[A-Za-z0-9_-]+$/.test(t)) return new RegExp(`(^|[^\\w.])${t.replace(/[.]/g, '\\.')}(\\.|\\[|$)`).test(parent.raw);
  // A resource id or `Microsoft.ManagedIdentity/userAssignedIdentities/NAME`: the identity's name, as the parent names it.
  return (knownText(parent) ?? '').split('/').pop() === t.split('/').pop();
}

/** The GitHub credentials of the scan whose parent is this identity (a Terraform address, a resource path or an identity name). */
export function credentialsOfIdentity(project: Project, target: string): AzureFederatedCredential[] {
  return (project.azure?.credentials ?? []).filter((c) => azureGithubIssuer(c) !== undefined && parentIs(c, target));
}

/** Judges one azure/login of a job; undefined when no credential of the scan can be tied to it, or the job's token cannot be predicted. */
export function judgeAzureLogin(project: Project, login: CloudLogin, mapping: Record<string, string>): AzureLoginJudgement | undefined {
  const identity = project.identity;
  const all = (project.azure?.credentials ?? []).filter((c) => azureGithubIssuer(c) !== undefined);
  if (!identity || !all.length || login.cloud !== 'azure') return undefined;
  const key = login.identity ? mappingKey(login.identity.value) : undefined;
  const target = key && Object.hasOwn(mapping, key) ? mapping[key] : undefined;
  if (target !== undefined) return judgeAgainst(project, login, credentialsOfIdentity(project, target), 'mapping', key, target);
  // A credential names this repository when its subject or expression has repo:OWNER/REPO: (Entra compares as written).
  const prefix = `repo:${identity.owner}/${identity.repo}:`;
  const named = all.filter((c) => {
    const text = c.subject ? knownText(c.subject) : c.expression ? knownText(c.expression) : undefined;
    return text !== undefined && text.includes(prefix);
  });
  return judgeAgainst(project, login, named, 'repository');
}

/** Judges every predicted run of a login against these credentials (any of them may admit the token). */
export function judgeAgainst(project: Project, login: CloudLogin, credentials: AzureFederatedCredential[], link: AzureLoginJudgement['link'], key?: string, target?: string): AzureLoginJudgement | undefined {
  const identity = project.identity;
  const pred = predictionsOf(project).get(login.job);
  if (!identity || !credentials.length || !pred || pred.unknown) return undefined;
  const contexts = applyCondition(pred.contexts, login.step.if, { owner: identity.owner, repo: identity.repo });
  const audience = login.audience.defaulted ? AZURE_TOKEN_EXCHANGE_AUDIENCE : knownText(login.audience);
  if (audience === undefined) return undefined;
  const verdicts = contexts.map((context): AzureLoginVerdict => {
    // factsFor reads the login as it reads a role assumption (its job, for job_workflow_ref); the audience is Azure's.
    const facts = factsFor(identity, context, login as unknown as RoleAssumption, undefined);
    facts.audience = audience;
    const token = mintToken(facts);
    let admitted: Tri = false;
    let by: AzureFederatedCredential | undefined;
    for (const c of credentials) {
      const d = trustOf(c).decide(token).admitted;
      if (d === true) {
        admitted = true;
        by = c;
        break;
      }
      if (d === 'unknown') admitted = 'unknown';
    }
    return { context, sub: subjectText(facts), audience, admitted, ...(by ? { by } : {}) };
  });
  return { login, link, ...(link === 'mapping' ? { key, target } : {}), credentials, verdicts };
}
