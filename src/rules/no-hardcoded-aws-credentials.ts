import { createRule } from '../engine/create-rule.js';
import { findSecrets, redact } from '../model/secrets.js';
import { sha256Hex } from '../engine/sha256.js';

/** How far (in lines) a secret-shaped literal may be from a key id or a secret label to count. */
const NEARBY_LINES = 3;
const SECRET_LABEL = /secret[_-]?access[_-]?key|aws[_-]?secret|secretaccesskey/i;

/**
 * The finding's symbolic path: the redacted key and a hash of the whole of it. The redacted form
 * alone (`AKIA…MW`) is shared by about one key in a thousand in the same file, so a baseline or a
 * suppression keyed on it would hide a new key; the hash (16 hex digits of SHA-256, which reveal
 * nothing of the key) tells them apart.
 */
const pathOf = (kind: string, secret: string) => `${kind}:${redact(secret)}#${sha256Hex(secret).slice(0, 16)}`;

export default createRule({
  id: 'no-hardcoded-aws-credentials',
  meta: {
    kind: 'problem',
    appliesTo: ['source'],
    severity: 'critical',
    defaultLevel: 'error',
    docs: {
      description: 'AWS access key ids, secret access keys and session tokens must never be written into files.',
      rationale:
        'A key committed to a repository is compromised: it stays in git history, forks and clones, and automated scanners harvest public keys within minutes. A session token is usable until it expires (up to 36 hours). oidc-lint shows such keys redacted in every output so the report itself does not re-leak them.',
      remediation: "Deactivate and delete the key in IAM now (for a session token, revoke the role's active sessions), rewrite history if the repository is shared, and switch the workflow to GitHub OIDC (role-to-assume + id-token: write).",
      references: [
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#securing_access-keys',
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids',
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html',
      ],
      recommended: true,
    },
    messages: {
      accessKeyId: 'Hard-coded AWS access key id {{redacted}}: deactivate it in IAM and use GitHub OIDC instead.',
      accessKeyIdAlone: 'Hard-coded AWS access key id {{redacted}}, with no secret access key in this file: an id alone is not a credential, but it names a long-lived IAM user key whose secret is kept elsewhere. Prefer short-lived credentials (GitHub OIDC for workflows) and keep the id out of the repository.',
      secretKey: 'Hard-coded AWS secret access key {{redacted}}: deactivate the key pair in IAM and use GitHub OIDC instead.',
      sessionToken: "Hard-coded AWS session token {{redacted}}: revoke the role's active sessions in IAM and use GitHub OIDC instead.",
    },
    schema: [],
  },
  create(context) {
    return {
      SourceFile(src) {
        const lines = src.text.split('\n');
        const keys: { line: number; index: number; text: string }[] = [];
        const secretKeys: { line: number; index: number; text: string }[] = [];
        const labelLines: number[] = [];
        const loc = (line: number, index: number, text: string, kind: string) => ({ file: src.path, start: { line: line + 1, column: index + 1 }, end: { line: line + 1, column: index + 1 + text.length }, path: pathOf(kind, text) });
        let secrets = 0;
        // One definition of what a credential looks like, shared with redaction (model/secrets.ts).
        lines.forEach((line, i) => {
          for (const s of findSecrets(line)) {
            if (!s.standalone) continue;
            if (s.kind === 'accessKeyId') keys.push({ line: i, index: s.index, text: s.value });
            else if (s.kind === 'secretKey') secretKeys.push({ line: i, index: s.index, text: s.value });
            else {
              secrets++;
              context.report({ loc: loc(i, s.index, s.value, 'token'), messageId: 'sessionToken', data: { redacted: redact(s.value) } });
            }
          }
          if (SECRET_LABEL.test(line)) labelLines.push(i);
        });
        const keyLines = keys.map((k) => k.line);
        const near = (i: number) => [...keyLines, ...labelLines].some((k) => Math.abs(k - i) <= NEARBY_LINES);
        for (const s of secretKeys) {
          if (!near(s.line)) continue;
          secrets++;
          context.report({ loc: loc(s.line, s.index, s.text, 'secret'), messageId: 'secretKey', data: { redacted: redact(s.text) } });
        }
        // A key id with its secret nowhere in the file (kept in a secret store, passed as configuration
        // to a service outside GitHub) is not a usable credential by itself: a warning, not an error.
        for (const k of keys)
          context.report({
            loc: loc(k.line, k.index, k.text, 'key'),
            messageId: secrets ? 'accessKeyId' : 'accessKeyIdAlone',
            data: { redacted: redact(k.text) },
            ...(secrets ? {} : { severity: 'high' as const, maxLevel: 'warn' as const }),
          });
      },
    };
  },
});
