import { STATUS_CODES } from 'node:http';
import { boundedLine, describeUnexpected } from '../bounded-text.js';
import { AuthError, CliError, UnreachableError } from '../errors.js';

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
 * How long to wait before retry number `attempt` (0-based): the server's Retry-After (seconds) when
 * given, else exponential backoff from 200 ms; both with ±20 % jitter so many clients do not return
 * at once, and at most MAX_RETRY_DELAY_MS.
 */
export function retryDelayMs(attempt: number, retryAfter?: string, random: () => number = Math.random): number {
  const asked = retryAfter !== undefined && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) * 1000 : undefined;
  const base = Math.min(asked ?? 200 * 2 ** attempt, MAX_RETRY_DELAY_MS);
  const jittered = base * (0.8 + 0.4 * random());
  return Math.max(1, Math.min(Math.round(jittered), MAX_RETRY_DELAY_MS));
}

/**
 * Turns what @kubernetes/client-node throws into kubectl's one-line wording and mcastctl's exit
 * code class (errors.ts): 401/403 AuthError, connection failures UnreachableError, other statuses
 * CliError with httpStatus. Untrusted server text is bounded.
 */
export function toCliError(err: unknown, server: string): CliError {
  if (err instanceof CliError) return err;
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
