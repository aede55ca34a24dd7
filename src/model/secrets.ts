/**
 * AWS credential shapes and redaction. Redaction is applied in EVERY output path: a linter must not
 * re-leak a key into code-scanning alerts or CI logs.
 */

/** Access key ids: long-term (AKIA), temporary (ASIA), and the other credential prefixes AWS documents. */
export const ACCESS_KEY_ID = /\b(AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g;
/**
 * For hiding rather than finding: an access key id anywhere, even inside a longer word
 * (`xAKIA…9`), where ACCESS_KEY_ID's word boundaries would not see it. Hiding too much is harmless.
 */
export const ACCESS_KEY_ID_ANYWHERE = /(AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}/g;
/** 40 characters of base64 alphabet, not part of a longer token. */
export const SECRET_KEY_SHAPE = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

/** The AWS documentation example key id (AKIAIOSFODNN7EXAMPLE) and its kin are not secrets. */
export function isExampleKey(text: string): boolean {
  return /EXAMPLE/.test(text);
}

/** A 40-char string that looks like a secret access key (mixed case and digits — not a hex thumbprint or SHA). */
export function looksLikeSecretKey(s: string): boolean {
  return s.length === 40 && /[a-z]/.test(s) && /[A-Z]/.test(s) && /[0-9/+]/.test(s) && !isExampleKey(s);
}

/** Keeps at most the first 4 and last 2 characters. */
export function redact(secret: string): string {
  if (secret.length <= 8) return '*'.repeat(secret.length);
  return `${secret.slice(0, 4)}…${secret.slice(-2)}`;
}

/** Redacts every access-key-id and secret-key-shaped token in free text (code frames, messages). */
export function redactSecrets(text: string): string {
  return text
    .replace(ACCESS_KEY_ID_ANYWHERE, (m) => redact(m))
    .replace(SECRET_KEY_SHAPE, (m) => (looksLikeSecretKey(m) ? redact(m) : m));
}

/**
 * At most `max` characters of `text` for a message, with `…` when cut — redacted first: a key cut
 * to 39 characters no longer has a key's shape, so redacting the message later would miss it.
 */
export function clipRedacted(text: string, max: number): string {
  const t = [...redactSecrets(text)];
  return t.length > max ? t.slice(0, max).join('') + '…' : t.join('');
}

/**
 * Where a credential set in a workflow comes from. Only `secret`, `variable` and `literal` can be a
 * long-lived key; anything else computed at run time — `${{ env.X }}`, `${{ steps.X.outputs.aws-access-key-id }}`
 * after configure-aws-credentials (role chaining, `output-credentials: true`), `needs`, `inputs`,
 * `matrix` — is not known to be one (typically session credentials).
 */
export type CredentialOrigin = 'secret' | 'variable' | 'literal' | 'runtime';

export function credentialOrigin(text: string): CredentialOrigin {
  const exprs = [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]);
  if (!exprs.length) return 'literal';
  if (exprs.some((e) => /(?<![\w.-])secrets\s*\./.test(e) || /(?<![\w.-])secrets\s*\[/.test(e))) return 'secret';
  if (exprs.some((e) => /(?<![\w.-])vars\s*[.[]/.test(e))) return 'variable';
  return 'runtime';
}

/** A literal shaped like a working AWS access key id or secret access key (documentation examples are not). */
export function isAwsKeyShaped(text: string): boolean {
  const t = text.trim();
  if (isExampleKey(t)) return false;
  return new RegExp(`^${ACCESS_KEY_ID.source.replace(/\\b/g, '')}$`).test(t) || looksLikeSecretKey(t);
}

/**
 * Values people give local emulators and mocks (MinIO's `minioadmin`, LocalStack's and moto's
 * `test` / `testing`, …): never a working AWS key.
 */
const DUMMY_CREDENTIAL = /^(?:test(?:ing)?|dummy|fake|mock|foo|bar|foobar|minio(?:admin)?|localstack|x+|none|null|placeholder|secret|key|access|example|changeme)$/i;

export function isDummyCredential(text: string): boolean {
  const t = text.trim();
  return t === '' || DUMMY_CREDENTIAL.test(t) || isExampleKey(t);
}

/**
 * An endpoint URL or host on this machine or in a local emulator container: `localhost`, loopback
 * addresses, `host.docker.internal`, LocalStack's `localhost.localstack.cloud`, or a single-label
 * host (a service container of the job: `minio`, `localstack`).
 */
export function isLocalEndpoint(text: string): boolean {
  const host = /^\s*(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/\s]*@)?(\[[^\]]*\]|[^:/\s]+)/i.exec(text)?.[1]?.toLowerCase();
  if (!host) return false;
  if (host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || host === '0.0.0.0' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === 'host.docker.internal') return true;
  // A single-label host is a service container of the job (`http://minio:9000`, `localstack:4566`).
  return /^[a-z0-9_-]+$/.test(host) || host === 'localhost.localstack.cloud' || host.endsWith('.localhost.localstack.cloud');
}
