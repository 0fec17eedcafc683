import { CliError, ExitCode } from '../errors.js';

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
    return JSON.parse(body) as StatusBody;
  } catch {
    return { message: body };
  }
}

/** The server's host:port, for connection messages worded as kubectl words them. */
export function hostOf(server: string): string {
  try {
    return new URL(server).host;
  } catch {
    return server;
  }
}

/**
 * Turns what @kubernetes/client-node throws into kubectl's one-line wording and mcastctl's exit code.
 */
export function toCliError(err: unknown, server: string): CliError {
  if (err instanceof CliError) return err;
  const e = err as { code?: unknown; body?: unknown; message?: string; name?: string; type?: string; errno?: string };
  if (typeof e.code === 'number') {
    const status = parseStatus(e.body);
    const code = e.code;
    if (code === 401) {
      return new CliError(
        'error: You must be logged in to the server (the server has asked for the client to provide credentials)',
        ExitCode.AUTH,
      );
    }
    const reason = status?.reason;
    const message = status?.message ?? `the server responded with status ${code}`;
    const line = reason ? `Error from server (${reason}): ${message}` : `Error from server: ${message}`;
    const error = new CliError(line, code === 403 ? ExitCode.AUTH : ExitCode.ERROR);
    error.httpStatus = code;
    return error;
  }
  const text = e.message ?? String(err);
  if (/net\/http: TLS handshake timeout/.test(text)) return new CliError('Unable to connect to the server: net/http: TLS handshake timeout', ExitCode.UNREACHABLE);
  if (e.name === 'AbortError' || e.type === 'aborted' || /aborted|timed? ?out/i.test(text)) {
    return new CliError(`Unable to connect to the server: request to ${hostOf(server)} timed out`, ExitCode.UNREACHABLE);
  }
  if (/ECONNREFUSED/.test(text) || e.code === 'ECONNREFUSED' || e.errno === 'ECONNREFUSED') {
    return new CliError(
      `The connection to the server ${hostOf(server)} was refused - did you specify the right host or port?`,
      ExitCode.UNREACHABLE,
    );
  }
  if (/ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ECONNRESET|certificate|self[- ]signed|altnames/i.test(text)) {
    return new CliError(`Unable to connect to the server: ${text.replace(/^request to \S+ failed, reason: /, '')}`, ExitCode.UNREACHABLE);
  }
  return new CliError(text);
}
