import { createRule } from '../engine/create-rule.js';
import { ACCESS_KEY_ID, SECRET_KEY_SHAPE, isExampleKey, looksLikeSecretKey, redact } from '../model/secrets.js';

/** How far (in lines) a secret-shaped literal may be from a key id or a secret label to count. */
const NEARBY_LINES = 3;
const SECRET_LABEL = /secret[_-]?access[_-]?key|aws[_-]?secret|secretaccesskey/i;

export default createRule({
  id: 'no-hardcoded-aws-credentials',
  meta: {
    kind: 'problem',
    appliesTo: ['source'],
    severity: 'critical',
    defaultLevel: 'error',
    docs: {
      description: 'AWS access key ids and secret access keys must never be written into files.',
      rationale:
        'A key committed to a repository is compromised: it stays in git history, forks and clones, and automated scanners harvest public keys within minutes. oidc-lint shows such keys redacted in every output so the report itself does not re-leak them.',
      remediation: 'Deactivate and delete the key in IAM now, rewrite history if the repository is shared, and switch the workflow to GitHub OIDC (role-to-assume + id-token: write).',
      references: [
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#securing_access-keys',
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids',
      ],
      recommended: true,
    },
    messages: {
      accessKeyId: 'Hard-coded AWS access key id {{redacted}}: deactivate it in IAM and use GitHub OIDC instead.',
      accessKeyIdAlone: 'Hard-coded AWS access key id {{redacted}}, with no secret access key in this file: an id alone is not a credential, but it names a long-lived IAM user key whose secret is kept elsewhere. Prefer short-lived credentials (GitHub OIDC for workflows) and keep the id out of the repository.',
      secretKey: 'Hard-coded AWS secret access key {{redacted}}: deactivate the key pair in IAM and use GitHub OIDC instead.',
    },
    schema: [],
  },
  create(context) {
    return {
      SourceFile(src) {
        const lines = src.text.split('\n');
        const keys: { line: number; index: number; text: string }[] = [];
        const labelLines: number[] = [];
        lines.forEach((line, i) => {
          for (const m of line.matchAll(ACCESS_KEY_ID)) if (!isExampleKey(m[0])) keys.push({ line: i, index: m.index!, text: m[0] });
          if (SECRET_LABEL.test(line)) labelLines.push(i);
        });
        const keyLines = keys.map((k) => k.line);
        const near = (i: number) => [...keyLines, ...labelLines].some((k) => Math.abs(k - i) <= NEARBY_LINES);
        let secrets = 0;
        lines.forEach((line, i) => {
          if (!near(i)) return;
          for (const m of line.matchAll(SECRET_KEY_SHAPE)) {
            if (!looksLikeSecretKey(m[0])) continue;
            secrets++;
            context.report({
              loc: { file: src.path, start: { line: i + 1, column: m.index! + 1 }, end: { line: i + 1, column: m.index! + 1 + m[0].length }, path: `secret:${redact(m[0])}` },
              messageId: 'secretKey',
              data: { redacted: redact(m[0]) },
            });
          }
        });
        // A key id with its secret nowhere in the file (kept in a secret store, passed as configuration
        // to a service outside GitHub) is not a usable credential by itself: a warning, not an error.
        for (const k of keys)
          context.report({
            loc: { file: src.path, start: { line: k.line + 1, column: k.index + 1 }, end: { line: k.line + 1, column: k.index + 1 + k.text.length }, path: `key:${redact(k.text)}` },
            messageId: secrets ? 'accessKeyId' : 'accessKeyIdAlone',
            data: { redacted: redact(k.text) },
            ...(secrets ? {} : { severity: 'high' as const, maxLevel: 'warn' as const }),
          });
      },
    };
  },
});
