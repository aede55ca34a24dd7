import { createRule } from '../engine/create-rule.js';
import { WorkflowEditor } from '../engine/workflow-edits.js';
import { isConfigureAwsCredentials } from '../loaders/workflows/workflow.js';
import { stepFile, type Step } from '../model/workflow.js';

interface Options {
  /** Also flag refs that are not a full 40-hex commit SHA (tags and branches can be moved). */
  requireShaPin?: boolean;
}

/** The current major of aws-actions/configure-aws-credentials (domain.md §B.1). */
const CURRENT = 'v6';

/** Majors whose `action.yml` runs on a runtime GitHub Actions has retired (domain.md §B.1). */
const RETIRED: Record<number, string> = { 1: 'node12', 2: 'node16', 3: 'node16' };

type Ref = { kind: 'sha' } | { kind: 'version'; major: number; runtime?: string } | { kind: 'branch' } | { kind: 'master' } | { kind: 'other' };

const SHA = /^[0-9a-f]{40}$/i;

function classify(ref: string): Ref {
  if (SHA.test(ref)) return { kind: 'sha' };
  // `master` is not a branch of configure-aws-credentials but a tag left at a March 2023 commit (node16).
  if (ref === 'master') return { kind: 'master' };
  if (ref === 'main') return { kind: 'branch' };
  const m = /^v(\d+)(?:\.\d+){0,2}(-node16)?$/.exec(ref);
  if (!m) return { kind: 'other' };
  const major = Number(m[1]);
  return { kind: 'version', major, runtime: m[2] ? 'node16' : RETIRED[major] };
}

/** The version a pin's comment names (`# v4.1.0`, `# tag=v1.7.0`, `# pin@v2`), if any. */
function commentVersion(comment: string): { text: string; major: number; runtime?: string } | undefined {
  const m = /(?:^|[^\w.])(v(\d+)(?:\.\d+){0,2}(-node16)?)(?![\w.])/.exec(comment);
  if (!m) return undefined;
  const major = Number(m[2]);
  return { text: m[1], major, runtime: m[3] ? 'node16' : RETIRED[major] };
}

export default createRule<[Options]>({
  id: 'no-deprecated-aws-credentials-action',
  meta: {
    kind: 'hardening',
    appliesTo: ['workflow'],
    severity: 'low',
    defaultLevel: 'warn',
    docs: {
      description: 'Use a maintained major of aws-actions/configure-aws-credentials (v1 runs on node12, v2 and v3 on node16, both retired; so does the `master` tag).',
      rationale:
        'Majors 1 to 3 declare runtimes GitHub Actions has retired: runners force them onto a newer Node with a deprecation warning, and they no longer receive fixes. v1 before 1.7.0 cannot even set the token audience. With the `requireShaPin` option, refs that are not a full commit SHA are flagged as well: a tag or branch can be moved to new code, and this action runs with your AWS credentials.',
      remediation:
        'Change the ref to the current major (`@v6`); `--fix` does it for tag refs. For a commit pin, pin the commit of a current release and update its version comment. Read the release notes when crossing majors (v5 parses boolean inputs strictly).',
      references: [
        'https://github.com/aws-actions/configure-aws-credentials/releases',
        'https://github.com/aws-actions/configure-aws-credentials/blob/main/CHANGELOG.md',
        'https://github.blog/changelog/2023-09-22-github-actions-transitioning-from-node-16-to-node-20/',
        'https://docs.github.com/en/actions/reference/security/secure-use#using-third-party-actions',
      ],
      recommended: true,
    },
    messages: {
      retired: 'aws-actions/configure-aws-credentials@{{ref}} is major version {{major}}, which runs on {{runtime}}, a runtime GitHub Actions has retired; use @{{current}}.',
      masterTag: 'aws-actions/configure-aws-credentials@master is not a maintained branch but a tag left at a March 2023 commit that runs on node16, a runtime GitHub Actions has retired; use @{{current}}.',
      retiredPinned: 'aws-actions/configure-aws-credentials is pinned to a commit whose comment says {{version}}: major version {{major}} runs on {{runtime}}, a runtime GitHub Actions has retired; pin the commit of a {{current}} release.',
      unpinned: 'aws-actions/configure-aws-credentials@{{ref}} is not pinned to a full commit SHA: whoever can move that {{what}} decides what runs with your AWS credentials.',
      fixBump: 'Change @{{from}} to @{{to}}, the current major (read the release notes for input changes: v5 parses boolean inputs strictly).',
      suggestPin: 'Pin the commit that the {{current}} tag points to (git ls-remote https://github.com/aws-actions/configure-aws-credentials refs/tags/{{current}}) and update the version comment.',
    },
    schema: [
      {
        type: 'object',
        properties: { requireShaPin: { type: 'boolean' } },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ requireShaPin: false }],
    fixable: 'code',
  },
  create(context, [options]) {
    return {
      Step(step) {
        if (!isConfigureAwsCredentials(step) || !step.uses || step.action?.ref === undefined) return;
        const ref = step.action.ref;
        const kind = classify(ref);
        if (kind.kind === 'version' && kind.runtime) {
          context.report({
            node: step.uses,
            messageId: 'retired',
            data: { ref, major: kind.major, runtime: kind.runtime, current: CURRENT },
            fix: bump(step, ref),
          });
        } else if (kind.kind === 'master') {
          context.report({ node: step.uses, messageId: 'masterTag', data: { current: CURRENT }, fix: bump(step, ref) });
        } else if (kind.kind === 'sha' && step.usesComment) {
          const v = commentVersion(step.usesComment.value);
          if (v?.runtime)
            context.report({
              node: step.uses,
              messageId: 'retiredPinned',
              data: { version: v.text, major: v.major, runtime: v.runtime, current: CURRENT },
              suggestions: [{ description: context.message('suggestPin', { current: CURRENT }) }],
            });
        }
        if (options?.requireShaPin && kind.kind !== 'sha') {
          const what = kind.kind === 'version' || kind.kind === 'master' ? 'tag' : kind.kind === 'branch' ? 'branch' : 'ref';
          context.report({ node: step.uses, messageId: 'unpinned', data: { ref, what }, severity: 'medium' });
        }
      },
    };

    function bump(step: Step, ref: string) {
      const uses = step.uses!;
      const editor = WorkflowEditor.for(context.project, stepFile(step));
      const at = uses.raw.lastIndexOf('@');
      // Only a plain or simply quoted scalar whose text ends with the ref is rewritten.
      const tail = uses.raw.slice(at + 1).replace(/["']$/, '');
      if (!editor || at < 0 || tail !== ref) return undefined;
      const text = uses.raw.slice(0, at + 1) + CURRENT + uses.raw.slice(at + 1 + ref.length);
      return { description: context.message('fixBump', { from: ref, to: CURRENT }), edits: [editor.replaceValue(uses, text)] };
    }
  },
});
