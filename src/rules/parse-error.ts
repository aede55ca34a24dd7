import { createRule } from '../engine/create-rule.js';

export default createRule({
  id: 'parse-error',
  meta: {
    kind: 'problem',
    appliesTo: ['project'],
    severity: 'medium',
    defaultLevel: 'error',
    docs: {
      description: 'A file (or live resource) could not be read or understood, so it was not checked.',
      rationale:
        'A security linter that silently skips what it cannot parse gives false comfort. A workflow GitHub cannot parse does not run; a policy document AWS cannot parse is rejected; either way the file needs attention, and nothing in it was checked. A syntax error in a file that shows no sign of anything oidc-lint checks (not a workflow; no federated principal, web identity, OIDC provider or GitHub token issuer in its text) is reported as a warning: a template that the AWS toolchain reads but this reader cannot should not fail a run over a file that holds no GitHub OIDC trust.',
      remediation: 'Fix the syntax or structure at the reported position, or exclude the file with an ignore pattern if it is not meant to be scanned.',
      references: ['https://yaml.org/spec/1.2.2/', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html'],
      recommended: true,
    },
    messages: {
      syntax: 'Cannot parse this file: {{message}}.',
      syntaxUnrelated: 'Cannot parse this file: {{message}}. It shows no sign of a GitHub OIDC trust or workflow, so nothing oidc-lint checks is known to be missed (a warning).',
      structure: 'Unexpected structure: {{message}}.',
      io: 'Cannot read: {{message}}.',
      limit: 'Not scanned: {{message}}.',
    },
    schema: [],
  },
  create(context) {
    return {
      LoadError(err) {
        const data = { message: err.message.replace(/\.$/, '') };
        if (err.unrelated && err.kind === 'syntax') context.report({ loc: err.loc, messageId: 'syntaxUnrelated', data, maxLevel: 'warn', confidence: 'medium' });
        else context.report({ loc: err.loc, messageId: err.kind, data });
      },
    };
  },
});
