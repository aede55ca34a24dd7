import { createRule } from '../engine/create-rule.js';

export default createRule({
  id: 'no-unused-suppression',
  meta: {
    kind: 'hardening',
    appliesTo: ['source'],
    severity: 'low',
    defaultLevel: 'warn',
    docs: {
      description: 'An oidc-lint ignore comment or config suppression that suppresses nothing, names an unknown rule, or is malformed.',
      rationale:
        'A suppression outlives the finding it was written for: once the code is fixed or moved, a stale `ignore` silently waits to hide the next, unrelated finding of the same rule on that line or in that file. A misspelt rule id or a malformed comment hides nothing at all, while its author believes the risk is accepted. Rule ids that did not run in this lint (turned off) are not judged, and a config entry is only judged when the files or roles it names were scanned.',
      remediation:
        'Delete the suppression, or move it to the line of the finding it is meant for (a comment covers its own line, or the next non-comment line when it stands alone). Write it as `# oidc-lint: ignore[rule-id, …] reason` (`//` in TypeScript). This rule\'s own findings cannot be suppressed inline; lower its level instead.',
      references: ['https://github.com/oidc-lint/oidc-lint/blob/main/README.md#suppressing-findings', 'https://eslint.org/docs/latest/use/command-line-interface#--report-unused-disable-directives'],
      recommended: true,
    },
    messages: {
      unused: 'This ignore comment suppresses nothing: no {{rule}} finding on line {{line}}.',
      unusedEntry: 'This config suppression suppresses nothing: no {{rule}} finding in the files or roles it names.',
      unknownRule: "'{{rule}}' is not an oidc-lint rule, so this ignore comment suppresses nothing.",
      unknownRuleDidYouMean: "'{{rule}}' is not an oidc-lint rule (did you mean '{{suggestion}}'?), so this ignore comment suppresses nothing.",
      malformed: 'Malformed oidc-lint comment: write `oidc-lint: ignore[rule-id, …] reason`.',
    },
    schema: [],
  },
  create(context) {
    return {
      Suppression(s) {
        if (s.malformed) {
          context.report({ loc: s.loc, messageId: 'malformed' });
          return;
        }
        for (const r of s.rules) {
          if (r.status === 'unknown' && r.suggestion) context.report({ loc: r.loc, messageId: 'unknownRuleDidYouMean', data: { rule: r.id, suggestion: r.suggestion } });
          else if (r.status === 'unknown') context.report({ loc: r.loc, messageId: 'unknownRule', data: { rule: r.id } });
          else if (r.status === 'unused' && s.origin === 'comment') context.report({ loc: r.loc, messageId: 'unused', data: { rule: r.id, line: s.line ?? s.loc.start.line } });
          else if (r.status === 'unused') context.report({ loc: r.loc, messageId: 'unusedEntry', data: { rule: r.id } });
        }
      },
    };
  },
});
