import { createRule } from '../engine/create-rule.js';
import { isConfigureAwsCredentials } from '../loaders/workflows/workflow.js';
import type { Step } from '../model/workflow.js';
import { findEntry } from '../model/workflow.js';

/** Names that are branches, not tags, in practice (a tag can have any name, so only these are claimed). */
const BRANCHES = new Set(['main', 'master', 'develop', 'development', 'dev', 'trunk', 'head']);

const CREDENTIAL_KEY = /^(?:aws[_-]access[_-]key[_-]id|aws[_-]secret[_-]access[_-]key|aws[_-]session[_-]token)$/i;

type Credentials = { how: 'inputs'; key: string } | { how: 'earlier-step'; configure: Step };

/** How a step gets AWS credentials: by input or env, or from an earlier configure-aws-credentials step of its job. */
function credentialsOf(step: Step): Credentials | undefined {
  const input = [...step.with, ...step.env].find((e) => CREDENTIAL_KEY.test(e.key.value) && e.value.value.trim() !== '');
  if (input) return { how: 'inputs', key: input.key.value };
  for (const before of step.parent.steps) {
    if (before.index >= step.index) break;
    if (!isConfigureAwsCredentials(before)) continue;
    // `output-env-credentials: false` (v4.3+) keeps the credentials out of the environment.
    const out = findEntry(before.with, 'output-env-credentials');
    if (out && out.value.resolution !== 'unresolved' && /^false$/i.test(out.value.value.trim())) continue;
    return { how: 'earlier-step', configure: before };
  }
  return undefined;
}

export default createRule({
  id: 'no-branch-ref-with-credentials',
  meta: {
    kind: 'hardening',
    appliesTo: ['workflow'],
    severity: 'medium',
    defaultLevel: 'warn',
    docs: {
      description: 'Actions that handle AWS credentials — configure-aws-credentials itself and any action that runs with the keys it exports — must not be referenced by a branch (`@main`, `@master`, `@develop`).',
      rationale:
        'A branch ref runs whatever was last pushed to that branch: a compromised maintainer account or a bad merge runs in your job with your AWS credentials, and the code changes under you without a diff in your repository. configure-aws-credentials exports the credentials to the environment of every later step of the job, so a branch-pinned action after it receives them too. Only well-known branch names (main, master, develop, dev, trunk) are claimed: a tag can have any name, and a `release/v1` branch is a maintained pointer like a `v1` tag. Actions of the repository\'s owner (from the config or git remote) are left alone, and without a known owner so is an action in a subfolder of a repository (`org/repo/.github/actions/x@main`) that only inherits the credentials from the environment. (configure-aws-credentials has no `master` branch: its `master` is a tag left at a 2023 node16 commit, which no-deprecated-aws-credentials-action reports.)',
      remediation:
        'Reference a release tag (`aws-actions/configure-aws-credentials@v6`) or, better, the full commit SHA of a release with the version in a comment (`@<sha> # v6.2.3`), and let Dependabot or Renovate update it.',
      references: [
        'https://docs.github.com/en/actions/reference/security/secure-use#using-third-party-actions',
        'https://github.com/aws-actions/configure-aws-credentials/releases',
      ],
      recommended: true,
    },
    messages: {
      configureBranch: 'aws-actions/configure-aws-credentials@{{ref}} is a branch: whatever is pushed to it next runs with your AWS credentials. Use a release (@v6, or its commit SHA).',
      branchInputs: '{{action}}@{{ref}} is a branch and this step hands it AWS credentials ({{key}}): whatever is pushed to that branch next runs with them. Pin a release tag or commit SHA.',
      branchAfterConfigure: '{{action}}@{{ref}} is a branch and runs after configure-aws-credentials (line {{line}}), whose AWS credentials are in its environment: whatever is pushed to that branch next runs with them. Pin a release tag or commit SHA.',
    },
    schema: [],
  },
  create(context) {
    const owner = context.settings.repository?.owner.toLowerCase();
    return {
      Step(step) {
        const a = step.action;
        if (!a || a.kind !== 'remote' || !a.ref || !step.uses) return;
        const ref = a.ref.trim();
        // A `release/v1` branch is a maintained major-version pointer, like a `v1` tag: not claimed.
        if (!BRANCHES.has(ref.toLowerCase())) return;
        if (isConfigureAwsCredentials(step)) {
          // Its `master` is a tag frozen at a node16 commit: no-deprecated-aws-credentials-action reports it.
          if (ref !== 'master') context.report({ node: step.uses, messageId: 'configureBranch', data: { ref } });
          return;
        }
        // An action of the repository's own owner is under the same people's control.
        if (owner && a.owner?.toLowerCase() === owner) return;
        const creds = credentialsOf(step);
        if (!creds) return;
        // Without the repository's identity, an action in a subfolder (`org/repo/.github/actions/x@main`)
        // may be the repository's own or its organisation's: only credentials handed to it explicitly count.
        if (!owner && a.path && creds.how === 'earlier-step') return;
        const action = a.path ? `${a.name}/${a.path}` : a.name;
        if (creds.how === 'inputs') context.report({ node: step.uses, messageId: 'branchInputs', data: { action, ref, key: creds.key } });
        else context.report({ node: step.uses, messageId: 'branchAfterConfigure', data: { action, ref, line: creds.configure.loc.start.line } });
      },
    };
  },
});
