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
