import { STATUS_CODES } from 'node:http';
import { boundedLine, describeUnexpected } from '../bounded-text.js';
import { AuthError, CliError, UnreachableError } from '../errors.js';
import { systemErrorDescription } from '../system-error.js';

interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
}

function parseStatus(body: unknown): StatusBody | undefined {
  if (body && typeof body === 'object') return body as StatusBody;
  if (typeof body !== 'string' || body === '') return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object') return parsed as StatusBody;
  } catch {
    // not a Status: described below, never quoted whole
  }
  return { message: `the server answered ${describeUnexpected(body)}`, reason: undefined };
}

/** "BadGateway" for 502: Go's http.StatusText without spaces, as the API server's Status reasons are spelled. */
function httpReason(code: number): string {
  return (STATUS_CODES[code] ?? `HTTP ${code}`).replace(/[^A-Za-z0-9]/g, '');
}

/** The server's host:port, for connection messages worded as kubectl words them. */
export function hostOf(server: string): string {
  try {
    return new URL(server).host;
  } catch {
    return server;
  }
}

const NETWORK_ERRORS = /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket hang up|other side closed|ECONNABORTED/;

/** A connection-level failure after which an idempotent request may be sent again (reset, refused, hung up). */
export function isTransientNetworkError(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown; message?: unknown; name?: string; type?: string; cause?: { code?: unknown } };
  if (typeof e?.code === 'number') return false;
  if (e?.name === 'AbortError' || e?.type === 'aborted') return false;
  return NETWORK_ERRORS.test(`${String(e?.code ?? '')} ${String(e?.errno ?? '')} ${String(e?.cause?.code ?? '')} ${String(e?.message ?? '')}`);
}

/** The longest wait between two attempts of one request. */
export const MAX_RETRY_DELAY_MS = 10_000;

/**
 * The wait a Retry-After header asks for, in ms (RFC 9110 section 10.2.3: delay-seconds or an
 * HTTP-date, counted from `now`); undefined when absent or unreadable. Not bounded here.
 */
export function retryAfterHeaderMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * How long to wait before retry number `attempt` (0-based): the server's Retry-After (retryAfterHeaderMs) when
 * given, else exponential backoff from 200 ms; both with ±20 % jitter so many clients do not return
 * at once, and at most MAX_RETRY_DELAY_MS.
 */
export function retryDelayMs(attempt: number, retryAfter?: string, random: () => number = Math.random): number {
  const asked = retryAfterHeaderMs(retryAfter);
  const base = Math.min(asked ?? 200 * 2 ** attempt, MAX_RETRY_DELAY_MS);
  const jittered = base * (0.8 + 0.4 * random());
  return Math.max(1, Math.min(Math.round(jittered), MAX_RETRY_DELAY_MS));
}

/** host:port of a proxy URL with its scheme's default port, never its user or password. */
function proxyHostPort(proxy: URL): string {
  const port = proxy.port || ({ 'http:': '80', 'https:': '443' } as Record<string, string>)[proxy.protocol] || '1080';
  return `${proxy.hostname}:${port}`;
}

/**
 * What went wrong reaching the API server through the cluster's proxy-url, in Go's words as
 * kubectl -v 6 shows them (net/http Transport.dialConn): "proxyconnect tcp: dial tcp
 * 127.0.0.1:3128: connect: connection refused", "proxyconnect tcp: dial tcp: lookup HOST: no such
 * host". A proxy that refuses the CONNECT (kubectl prints only its status text, which reads like
 * the API server's RBAC answer) is named with its status. Takes the error of a request sent
 * through the proxy agent (hpagent, socks-proxy-agent) and the kubeconfig's proxy-url; returns
 * undefined when the error is not about reaching the proxy.
 */
export function proxyFailure(err: unknown, proxyUrl: string): string | undefined {
  let proxy: URL;
  try {
    proxy = new URL(proxyUrl);
  } catch {
    return undefined;
  }
  const e = err as { code?: unknown; errno?: unknown; syscall?: unknown; hostname?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : '';
  const refused = /^Bad response: (\d{3})$/.exec(message);
  if (refused) {
    const status = Number(refused[1]);
    return `proxyconnect tcp: the proxy ${proxyHostPort(proxy)} answered ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
  }
  // Behind a proxy the client only ever dials the proxy: a failed dial or lookup is the proxy's.
  // socks-proxy-agent keeps only the message of node's error ("connect ECONNREFUSED 127.0.0.1:1").
  const code = typeof e?.code === 'string' ? e.code : /^(?:connect|getaddrinfo) (E[A-Z]+)\b/.exec(message)?.[1];
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `proxyconnect tcp: dial tcp: lookup ${proxy.hostname}: no such host`;
  const dialed = e?.syscall === 'connect' || /^connect E[A-Z]+\b/.test(message);
  if (code && dialed) {
    const description = systemErrorDescription({ code, errno: typeof e.errno === 'number' ? e.errno : undefined, message });
    return `proxyconnect tcp: dial tcp ${proxyHostPort(proxy)}: connect: ${description}`;
  }
  if (/^Socks5? proxy rejected connection/i.test(message)) return `proxyconnect tcp: ${boundedLine(message)}`;
  if (message === 'Proxy timeout') return `proxyconnect tcp: the proxy ${proxyHostPort(proxy)} did not answer the CONNECT`;
  return undefined;
}

/**
 * Turns a failed API request into kubectl's one-line wording and mcastctl's exit code class
 * (errors.ts): 401/403 AuthError, connection failures UnreachableError (through `proxyUrl`, the
 * cluster's proxy-url, a failure to reach the proxy is named as such), other statuses CliError
 * with httpStatus. Untrusted server text is bounded.
 */
export function toCliError(err: unknown, server: string, proxyUrl?: string): CliError {
  if (err instanceof CliError) return err;
  const viaProxy = proxyUrl ? proxyFailure(err, proxyUrl) : undefined;
  if (viaProxy) return new UnreachableError(`Unable to connect to the server: ${viaProxy}`);
  const e = err as { code?: unknown; body?: unknown; message?: string; name?: string; type?: string; errno?: string };
  if (typeof e.code === 'number') {
    const status = parseStatus(e.body);
    const code = e.code;
    if (code === 401) {
      return new AuthError('error: You must be logged in to the server (the server has asked for the client to provide credentials)', 401);
    }
    // A body that is not a Status (a proxy's HTML page) still has its HTTP status: named as the reason.
    const reason = status?.reason ? boundedLine(status.reason, 80) : status?.kind === undefined && !(e.body && typeof e.body === 'object') ? httpReason(code) : undefined;
    const message = boundedLine(status?.message ?? `the server responded with status ${code}`);
    const line = reason ? `Error from server (${reason}): ${message}` : `Error from server: ${message}`;
    if (code === 403) return new AuthError(line, 403);
    const error = new CliError(line);
    error.httpStatus = code;
    return error;
  }
  const text = boundedLine(e.message ?? String(err));
  if (/net\/http: TLS handshake timeout/.test(text)) return new UnreachableError('Unable to connect to the server: net/http: TLS handshake timeout');
  if (e.name === 'AbortError' || e.type === 'aborted' || /aborted|timed? ?out/i.test(text)) {
    return new UnreachableError(`Unable to connect to the server: request to ${hostOf(server)} timed out`);
  }
  if (/ECONNREFUSED/.test(text) || e.code === 'ECONNREFUSED' || e.errno === 'ECONNREFUSED') {
    return new UnreachableError(`The connection to the server ${hostOf(server)} was refused - did you specify the right host or port?`);
  }
  if (/ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EPIPE|socket hang up|other side closed|certificate|self[- ]signed|altnames/i.test(text)) {
    return new UnreachableError(`Unable to connect to the server: ${text.replace(/^request to \S+ failed, reason: /, '')}`);
  }
  return new CliError(text);
}
