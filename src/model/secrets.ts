/**
 * AWS credential shapes and redaction. Redaction is applied in EVERY output path: a linter must not
 * re-leak a key into code-scanning alerts or CI logs.
 *
 * One definition — `findSecrets` — serves both finding a credential (the rule
 * no-hardcoded-aws-credentials) and hiding it (messages, code frames, `--fix-dry-run` diffs, every
 * line the CLI prints): whatever the rule can report is hidden. Hiding goes further than finding
 * (a key id glued to other letters is hidden, not reported): hiding too much is harmless, reporting
 * too much is a wrong finding.
 */

export type SecretKind = 'accessKeyId' | 'secretKey' | 'sessionToken';

export interface SecretMatch {
  kind: SecretKind;
  /** UTF-16 offset in the text. */
  index: number;
  value: string;
  /**
   * The token stands on its own (not glued to a longer word) and has the shape of a real
   * credential: the rule reports it. Every match is redacted either way.
   */
  standalone: boolean;
}

/** Access key ids: long-term (AKIA), temporary (ASIA), and the other credential prefixes AWS documents. */
const ACCESS_KEY_ID_ANYWHERE = /(AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}/g;
/**
 * 40 characters of base64 alphabet, not part of a longer token. A `=` before it is an assignment
 * (`aws_secret_access_key=…`, `export AWS_SECRET_ACCESS_KEY=…`); after it, base64 padding (the end of
 * a longer blob).
 */
const SECRET_KEY_SHAPE = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
/**
 * STS session tokens (`AWS_SESSION_TOKEN`, `aws-session-token:`): base64 of a binary blob whose
 * first bytes are fixed — `IQoJb3JpZ2luX2Vj` (today's, "…origin_ec"), `FwoGZXIvYXdz` and
 * `FQoGZXIvYXdz` ("…er/aws", older), `AQoDYXdz` (older still) — hundreds of characters long.
 */
const SESSION_TOKEN = /(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdz|FQoGZXIvYXdz|AQoDYXdz)[A-Za-z0-9/+]{40,}={0,2}/g;
/** A value labelled as a session token, whatever its first characters. */
const LABELLED_SESSION_TOKEN = /(?:aws[_-]?session[_-]?token|x-amz-security-token)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{100,}={0,2})/gi;

/** The AWS documentation example key id (AKIAIOSFODNN7EXAMPLE) and its kin are not secrets. */
export function isExampleKey(text: string): boolean {
  return /EXAMPLE/.test(text);
}

/** A 40-char string that looks like a secret access key (mixed case and digits — not a hex thumbprint or SHA). */
export function looksLikeSecretKey(s: string): boolean {
  return s.length === 40 && /[a-z]/.test(s) && /[A-Z]/.test(s) && /[0-9/+]/.test(s) && !isExampleKey(s);
}

const WORD = /[A-Za-z0-9_]/;

/**
 * Every credential-shaped token in `text`, in order of position; overlapping matches are merged
 * into the first (a session token contains 40-character runs that are not secret keys of their own).
 */
export function findSecrets(text: string): SecretMatch[] {
  const found: SecretMatch[] = [];
  for (const m of text.matchAll(SESSION_TOKEN)) found.push({ kind: 'sessionToken', index: m.index!, value: m[0], standalone: !WORD.test(text[m.index! - 1] ?? '') });
  for (const m of text.matchAll(LABELLED_SESSION_TOKEN)) {
    const index = m.index! + m[0].length - m[1].length;
    found.push({ kind: 'sessionToken', index, value: m[1], standalone: true });
  }
  for (const m of text.matchAll(ACCESS_KEY_ID_ANYWHERE)) {
    const end = m.index! + m[0].length;
    const standalone = !WORD.test(text[m.index! - 1] ?? '') && !WORD.test(text[end] ?? '') && !isExampleKey(m[0]);
    found.push({ kind: 'accessKeyId', index: m.index!, value: m[0], standalone });
  }
  for (const m of text.matchAll(SECRET_KEY_SHAPE)) if (looksLikeSecretKey(m[0])) found.push({ kind: 'secretKey', index: m.index!, value: m[0], standalone: true });
  found.sort((a, b) => a.index - b.index || b.value.length - a.value.length);
  const out: SecretMatch[] = [];
  let end = -1;
  for (const f of found) {
    if (f.index < end) continue;
    out.push(f);
    end = f.index + f.value.length;
  }
  return out;
}

/** Keeps at most the first 4 and last 2 characters. */
export function redact(secret: string): string {
  if (secret.length <= 8) return '*'.repeat(secret.length);
  return `${secret.slice(0, 4)}…${secret.slice(-2)}`;
}

/** Redacts every credential-shaped token in free text (messages, code frames, diffs, everything printed). */
export function redactSecrets(text: string): string {
  const found = findSecrets(text);
  if (!found.length) return text;
  let out = '';
  let at = 0;
  for (const f of found) {
    out += text.slice(at, f.index) + redact(f.value);
    at = f.index + f.value.length;
  }
  return out + text.slice(at);
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
  return new RegExp(`^${ACCESS_KEY_ID_ANYWHERE.source}$`).test(t) || looksLikeSecretKey(t);
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
