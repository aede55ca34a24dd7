/**
 * A loopback IAM endpoint for tests: the real @aws-sdk/client-iam talks HTTP to it through
 * `AWS_ENDPOINT_URL_IAM`. It speaks the IAM Query protocol — form-encoded POST
 * (`Action=ListRoles&Version=2010-05-08&Marker=…&MaxItems=…`), XML responses, URL-encoded
 * `AssumeRolePolicyDocument`, `<ErrorResponse>` errors — and records every request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const ACCOUNT = '123456789012';
export const GITHUB_PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

export interface FakeRole {
  name: string;
  path?: string;
  /** Trust policy as plain JSON text; the server URL-encodes it like IAM does. */
  document?: string;
  /** Sent verbatim instead of encoding `document` (for malformed encodings). */
  rawDocument?: string;
}

export interface FakeProvider {
  arn: string;
  /** `Url` as GetOpenIDConnectProvider returns it (with or without https://). */
  url: string;
  clientIds: string[];
  thumbprints: string[];
}

export interface Fault {
  action: string;
  code: string;
  status?: number;
  message?: string;
  /** How many times to fail before answering normally (default: always). */
  times?: number;
  /** Only for requests whose parameters match. */
  when?: (params: Record<string, string>) => boolean;
}

export interface RecordedRequest {
  action: string;
  params: Record<string, string>;
  authorization: string;
  contentType: string;
}

export interface IamServerOptions {
  roles: FakeRole[];
  providers?: FakeProvider[];
  /** The most roles one ListRoles page returns, whatever MaxItems asks (IAM may return fewer). */
  pageLimit?: number;
  faults?: Fault[];
  /** Delay before answering GetOpenIDConnectProvider (to observe concurrency), in ms. */
  providerDelayMs?: number;
}

export interface IamServer {
  url: string;
  requests: RecordedRequest[];
  /** Highest number of GetOpenIDConnectProvider requests in flight at once. */
  maxProviderConcurrency: number;
  count(action: string): number;
  /** Environment for the SDK: endpoint, fake static credentials, no shared config, no instance metadata. */
  env(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

/** Fake static credentials, built at runtime (they are not AWS key shapes and authorise nothing). */
export const FAKE_KEY_ID = ['test', 'key', 'id'].join('-');
const FAKE_SECRET = ['test', 'secret', 'value'].join('-');

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

export function roleArn(name: string, path = '/'): string {
  return `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
}

export async function startIamServer(opts: IamServerOptions): Promise<IamServer> {
  const requests: RecordedRequest[] = [];
  const faults = (opts.faults ?? []).map((f) => ({ ...f, left: f.times ?? Infinity }));
  let inFlight = 0;
  const state = { maxProviderConcurrency: 0 };
  const pageLimit = opts.pageLimit ?? 1000;
  let requestCounter = 0;

  const respond = (res: http.ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': `req-${++requestCounter}` });
    res.end(body);
  };
  const ok = (action: string, result: string) => `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>req-${requestCounter}</RequestId></ResponseMetadata></${action}Response>`;

  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const params = Object.fromEntries(new URLSearchParams(body));
      const action = params.Action ?? '';
      requests.push({ action, params, authorization: String(req.headers.authorization ?? ''), contentType: String(req.headers['content-type'] ?? '') });
      const fault = faults.find((f) => f.action === action && f.left > 0 && (!f.when || f.when(params)));
      if (fault) {
        fault.left--;
        const status = fault.status ?? (fault.code === 'Throttling' ? 400 : fault.code === 'AccessDenied' || fault.code === 'ExpiredToken' ? 403 : 400);
        respond(res, status, `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${fault.code}</Code><Message>${xml(fault.message ?? `${fault.code} on ${action}`)}</Message></Error><RequestId>req-${requestCounter}</RequestId></ErrorResponse>`);
        return;
      }
      if (action === 'ListRoles') {
        const prefix = params.PathPrefix ?? '/';
        const all = opts.roles.filter((r) => (r.path ?? '/').startsWith(prefix));
        const start = params.Marker ? Number(Buffer.from(params.Marker, 'base64').toString('utf8').replace(/^offset:/, '')) : 0;
        const size = Math.min(Number(params.MaxItems ?? 100), pageLimit);
        const page = all.slice(start, start + size);
        const truncated = start + size < all.length;
        const members = page
          .map((r, i) => {
            const path = r.path ?? '/';
            const doc = r.rawDocument ?? encodeURIComponent(r.document ?? '{}');
            return `<member><Path>${xml(path)}</Path><RoleName>${xml(r.name)}</RoleName><RoleId>AROA${String(start + i).padStart(17, 'X')}</RoleId><Arn>${xml(roleArn(r.name, path))}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>${xml(doc)}</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration></member>`;
          })
          .join('');
        const marker = truncated ? `<Marker>${Buffer.from(`offset:${start + size}`).toString('base64')}</Marker>` : '';
        respond(res, 200, ok('ListRoles', `<IsTruncated>${truncated}</IsTruncated>${marker}<Roles>${members}</Roles>`));
        return;
      }
      if (action === 'ListOpenIDConnectProviders') {
        const members = (opts.providers ?? []).map((p) => `<member><Arn>${xml(p.arn)}</Arn></member>`).join('');
        respond(res, 200, ok('ListOpenIDConnectProviders', `<OpenIDConnectProviderList>${members}</OpenIDConnectProviderList>`));
        return;
      }
      if (action === 'GetOpenIDConnectProvider') {
        inFlight++;
        state.maxProviderConcurrency = Math.max(state.maxProviderConcurrency, inFlight);
        if (opts.providerDelayMs) await new Promise((r) => setTimeout(r, opts.providerDelayMs));
        inFlight--;
        const p = (opts.providers ?? []).find((x) => x.arn === params.OpenIDConnectProviderArn);
        if (!p) {
          respond(res, 404, `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>no such provider</Message></Error><RequestId>r</RequestId></ErrorResponse>`);
          return;
        }
        const list = (xs: string[]) => xs.map((x) => `<member>${xml(x)}</member>`).join('');
        respond(res, 200, ok('GetOpenIDConnectProvider', `<ThumbprintList>${list(p.thumbprints)}</ThumbprintList><CreateDate>2024-01-01T00:00:00Z</CreateDate><ClientIDList>${list(p.clientIds)}</ClientIDList><Url>${xml(p.url)}</Url>`));
        return;
      }
      respond(res, 400, `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>not implemented here: ${xml(action)}</Message></Error><RequestId>r</RequestId></ErrorResponse>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    get maxProviderConcurrency() {
      return state.maxProviderConcurrency;
    },
    count: (action) => requests.filter((r) => r.action === action).length,
    env: (extra = {}) => ({
      AWS_ENDPOINT_URL_IAM: url,
      AWS_ACCESS_KEY_ID: FAKE_KEY_ID,
      AWS_SECRET_ACCESS_KEY: FAKE_SECRET,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/nonexistent/oidc-lint-test/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/oidc-lint-test/credentials',
      ...extra,
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A GitHub trust policy (a Federated principal naming the github.com provider) with the given conditions. */
export function githubTrust(condition?: Record<string, unknown>): string {
  const st: Record<string, unknown> = {
    Effect: 'Allow',
    Principal: { Federated: GITHUB_PROVIDER_ARN },
    Action: 'sts:AssumeRoleWithWebIdentity',
  };
  if (condition) st.Condition = condition;
  return JSON.stringify({ Version: '2012-10-17', Statement: [st] });
}

/** A service role (not GitHub). */
export function serviceTrust(service = 'lambda.amazonaws.com'): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
}

/** Applies `env` to process.env for in-process SDK use; returns a restore function. */
export const FOREIGN_AWS_ENV = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_MAX_ATTEMPTS',
  'AWS_RETRY_MODE',
  'AWS_SESSION_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_ENDPOINT_URL',
  'AWS_DEFAULT_REGION',
  // Other links of the credential chain (web identity in CI, containers) must never reach a real service from a test.
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
];

export function useEnv(env: Record<string, string>, unset: string[] = FOREIGN_AWS_ENV): () => void {
  const saved = new Map<string, string | undefined>();
  for (const k of [...Object.keys(env), ...unset]) saved.set(k, process.env[k]);
  for (const k of unset) delete process.env[k];
  Object.assign(process.env, env);
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
