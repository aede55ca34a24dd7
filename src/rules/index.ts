/** The rule registry: explicit and alphabetical. `meta.test.ts` checks it matches the files. */
import type { RuleModule } from '../engine/rule.js';
import noBranchRefWithCredentials from './no-branch-ref-with-credentials.js';
import noDeprecatedAwsCredentialsAction from './no-deprecated-aws-credentials-action.js';
import noExcessiveIdTokenPermission from './no-excessive-id-token-permission.js';
import noHardcodedAwsCredentials from './no-hardcoded-aws-credentials.js';
import noOidcInUntrustedTrigger from './no-oidc-in-untrusted-trigger.js';
import noOverbroadTrust from './no-overbroad-trust.js';
import noStaticAwsCredentials from './no-static-aws-credentials.js';
import noUnassumableRole from './no-unassumable-role.js';
import noUnknownConditionKey from './no-unknown-condition-key.js';
import noUnreplacedPlaceholder from './no-unreplaced-placeholder.js';
import noUnsafeConditionOperator from './no-unsafe-condition-operator.js';
import noUnusableFederatedCredential from './no-unusable-federated-credential.js';
import noUnusedSuppression from './no-unused-suppression.js';
import noWildcardSubject from './no-wildcard-subject.js';
import parseError from './parse-error.js';
import preferImmutableIds from './prefer-immutable-ids.js';
import requireAudienceCondition from './require-audience-condition.js';
import requireIdTokenPermission from './require-id-token-permission.js';
import requireProviderAudience from './require-provider-audience.js';
import requireSubjectCondition from './require-subject-condition.js';
import requireUniqueSubjectMapping from './require-unique-subject-mapping.js';
import requireWebIdentityAction from './require-web-identity-action.js';

export const rules: readonly RuleModule[] = [
  noBranchRefWithCredentials,
  noDeprecatedAwsCredentialsAction,
  noExcessiveIdTokenPermission,
  noHardcodedAwsCredentials,
  noOidcInUntrustedTrigger,
  noOverbroadTrust,
  noStaticAwsCredentials,
  noUnassumableRole,
  noUnknownConditionKey,
  noUnreplacedPlaceholder,
  noUnsafeConditionOperator,
  noUnusableFederatedCredential,
  noUnusedSuppression,
  noWildcardSubject,
  parseError,
  preferImmutableIds,
  requireAudienceCondition,
  requireIdTokenPermission,
  requireProviderAudience,
  requireSubjectCondition,
  requireUniqueSubjectMapping,
  requireWebIdentityAction,
] as unknown as readonly RuleModule[];
