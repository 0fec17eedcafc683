import { createHash, randomBytes } from 'node:crypto';
import { validateHeaderName, validateHeaderValue, type IncomingMessage } from 'node:http';
import type { ExecControl, ExecResult } from '../context.js';
import { MAX_TOOL_OUTPUT_BYTES } from '../bounded-text.js';
import { AuthError, ExecError } from '../errors.js';
import type { ExecDialer, ExecEndpoint } from './connection.js';
import { FrameReader, OPCODE_CLOSE, OPCODE_PING, OPCODE_PONG, WebSocketProtocolError, clientControlFrame } from './websocket-frames.js';

/**
 * The stream protocols of pods/exec, newest first (v5 adds the close signal; v4 carries the exit
 * status as a metav1.Status on channel 3). Source: kubernetes/kubernetes
 * staging/src/k8s.io/apimachinery/pkg/util/remotecommand/constants.go.
 */
const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;

/** An exec answered 429 is retried at most this many times, each wait bounded (kubectl's client-go bound). */
export const MAX_EXEC_THROTTLE_RETRIES = 4;
const MAX_RETRY_AFTER_MS = 10_000;
/** The most of an error body kept for the message. */
const MAX_ERROR_BODY = 4096;


/** The API server refused the exec upgrade with an HTTP status. */
class ExecRefused extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
    message: string,
  ) {
    super(message);
  }
}


/** The reason a signal gives, as the exec's error. */
function abortError(signal: AbortSignal): Error {
  const reason = signal.reason as unknown;
  if (reason instanceof Error && reason.name !== 'AbortError' && reason.name !== 'TimeoutError') return reason;
  return new ExecError(typeof reason === 'string' ? reason : 'the deadline passed');
}

/** Waits ms unless the signal ends the wait first. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Retry-After in seconds (an HTTP-date is read too), bounded; absent or unreadable: 1 s. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number {
  let ms = 1000;
  if (header !== undefined && /^\d+$/.test(header.trim())) ms = Number(header.trim()) * 1000;
  else if (header !== undefined && !Number.isNaN(Date.parse(header))) ms = Math.max(0, Date.parse(header) - now);
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/**
 * Runs argv in a container through the API server's pods/exec WebSocket (no shell: each element is
 * one `command` parameter) and returns its stdout, stderr and exit code. Uses the endpoint's shared
 * agent (one TLS context, resumed sessions). A 429 is retried after Retry-After plus up to 20 %
 * jitter, at most MAX_EXEC_THROTTLE_RETRIES times. The signal really ends the work: an upgrade in
 * progress is aborted and an open socket destroyed, so nothing of it outlives the deadline;
 * onThrottle hears each 429's wait (adaptive fan-out backs off); onStdout each piece of stdout as
 * it arrives.
 *
 * Throws ExecError when no exit status comes (refused, not found, closed early, aborted), a
 * CliError(AUTH) on 401.
 */
export async function execInContainer(
  endpoint: ExecEndpoint,
  namespace: string,
  pod: string,
  container: string,
  argv: string[],
  options: ExecControl & { onStdout?: (chunk: string) => void } = {},
): Promise<ExecResult> {
  const query = new URLSearchParams({ container, stdout: 'true', stderr: 'true' });
  for (const word of argv) query.append('command', word);
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/exec?${query}`;
  for (let attempt = 0; ; attempt++) {
    try {
      const headers = await endpoint.headers();
      const session = new ExecSession(options.signal, options.onStdout);
      return await (endpoint.dialer
        ? session.overDialer(endpoint.dialer, path, headers)
        : session.overAgent(`${endpoint.base}${path}`, endpoint, headers));
    } catch (err) {
      if (err instanceof ExecRefused && err.status === 429 && attempt < MAX_EXEC_THROTTLE_RETRIES) {
        const waitMs = Math.round((err.retryAfterMs ?? 1000) * (1 + Math.random() * 0.2));
        options.onThrottle?.(waitMs);
        await abortableSleep(waitMs, options.signal);
        continue;
      }
      if (err instanceof ExecRefused) throw refusal(err);
      throw err;
    }
  }
}

function refusal(err: ExecRefused): Error {
  if (err.status === 401) return new AuthError('error: You must be logged in to the server (Unauthorized)', 401);
  if (err.status === 403) return new ExecError('exec forbidden (403): the user may not create pods/exec');
  if (err.status === 404) return new ExecError('the Pod was not found (404)');
  if (err.status === 429) return new ExecError(`exec throttled by the API server (429) ${MAX_EXEC_THROTTLE_RETRIES + 1} times`);
  return new ExecError(`exec refused by the server (${err.status})${err.message ? `: ${err.message}` : ''}`);
}

type ExitStatus = { status?: string; message?: string; reason?: string; details?: { causes?: Array<{ reason?: string; message?: string }> } };

/** The GUID RFC 6455 section 1.3 appends to Sec-WebSocket-Key. */
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** The most bytes of an upgrade answer's status line and headers. */
const MAX_RESPONSE_HEAD = 64 * 1024;

/**
 * One exec session: collects the channels of the Kubernetes stream protocol (1 stdout, 2 stderr,
 * 3 the exit status), bounds them, and settles once with the result or an error. It runs either
 * directly on a connection of the run's dialer (overDialer) or on the ws library over an agent
 * (overAgent, for clusters behind a proxy-url).
 */
class ExecSession {
  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];
  private readonly size = { stdout: 0, stderr: 0 };
  private status: ExitStatus | undefined;
  private settled = false;
  private resolve!: (result: ExecResult) => void;
  private reject!: (error: Error) => void;
  /** Ends the transport of a session that failed (an upgrade in progress, an open socket). */
  private abortTransport: () => void = () => {};
  private readonly onAbort = () => this.finish(abortError(this.signal!));

  constructor(
    private readonly signal: AbortSignal | undefined,
    private readonly onStdout: ((chunk: string) => void) | undefined,
  ) {}

  /** Runs `body` (which starts the transport) and settles with the session's outcome. */
  private run(body: () => void): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      if (this.signal?.aborted) return reject(abortError(this.signal));
      this.signal?.addEventListener('abort', this.onAbort, { once: true });
      try {
        body();
      } catch (error) {
        this.finish(error instanceof Error ? error : new ExecError(String(error)));
      }
    });
  }

  private finish(error: Error | undefined, result?: ExecResult): void {
    if (this.settled) return;
    this.settled = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    if (error) {
      this.abortTransport();
      this.reject(error);
    } else this.resolve(result!);
  }

  /** One message of the stream protocol: its first byte is the channel. */
  private message(frame: Buffer): void {
    if (frame.length < 1) return;
    const channel = frame[0];
    if (channel === STDOUT) {
      if (this.keep(this.out, 'stdout', frame.subarray(1))) this.onStdout?.(frame.subarray(1).toString('utf8'));
    } else if (channel === STDERR) this.keep(this.err, 'stderr', frame.subarray(1));
    else if (channel === STATUS) {
      try {
        this.status = JSON.parse(frame.subarray(1).toString('utf8')) as ExitStatus;
      } catch {
        this.finish(new ExecError('the exec status is not JSON'));
      }
    }
  }

  /** Output past MAX_TOOL_OUTPUT_BYTES is never kept: the session is closed and the Node fails. */
  private keep(chunks: Buffer[], name: 'stdout' | 'stderr', data: Buffer): boolean {
    this.size[name] += data.length;
    if (this.size[name] > MAX_TOOL_OUTPUT_BYTES) {
      this.finish(new ExecError(`the command printed more than ${MAX_TOOL_OUTPUT_BYTES / 1024 / 1024} MiB on ${name}`));
      return false;
    }
    chunks.push(data);
    return true;
  }

  /** The session ended: its result from the exit status, or why there is none. */
  private closed(): void {
    const status = this.status;
    if (!status) return this.finish(new ExecError('the exec session closed without an exit status'));
    const stdout = Buffer.concat(this.out).toString('utf8');
    const stderr = Buffer.concat(this.err).toString('utf8');
    if (status.status === 'Success') return this.finish(undefined, { stdout, stderr, exitCode: 0 });
    const exitCause = status.reason === 'NonZeroExitCode' ? status.details?.causes?.find((c) => c.reason === 'ExitCode') : undefined;
    if (exitCause) return this.finish(undefined, { stdout, stderr, exitCode: Number(exitCause.message) });
    this.finish(new ExecError(status.message ?? 'the command failed without an exit code'));
  }

  /**
   * The session on a new connection of `dialer`: the upgrade request written by hand, the answer's
   * head read up to MAX_RESPONSE_HEAD bytes, then RFC 6455 frames. No HTTP client or WebSocket
   * library sits between: at thousands of agents their per-connection work cost more client CPU
   * than the (resumed) TLS connection itself.
   */
  overDialer(dialer: ExecDialer, path: string, headers: Record<string, string | string[]>): Promise<ExecResult> {
    return this.run(() => {
      const key = randomBytes(16).toString('base64');
      const request = upgradeRequest(dialer, path, key, headers);
      const socket = dialer.dial();
      this.abortTransport = () => socket.destroy();
      let head: Buffer | undefined = Buffer.alloc(0);
      let refusal: { status: number; headers: Map<string, string>; body: Buffer[]; bodyLength: number } | undefined;
      let closeSent = false;
      const reader = new FrameReader(
        MAX_TOOL_OUTPUT_BYTES + 1,
        (_opcode, payload) => this.message(payload),
        (opcode, payload) => {
          if (opcode === OPCODE_PING) socket.write(clientControlFrame(OPCODE_PONG, payload));
          else if (opcode === OPCODE_CLOSE) {
            // Echo the status code (RFC 6455 section 5.5.1) and stop writing; the server closes the connection.
            if (!closeSent) socket.end(clientControlFrame(OPCODE_CLOSE, payload.subarray(0, 2)));
            closeSent = true;
            this.closed();
          }
        },
      );
      const refused = () => {
        const r = refusal!;
        const body = Buffer.concat(r.body);
        // Chunk sizes count bytes: the chunked framing is undone on a byte-for-byte (latin1) string.
        const text = r.headers.get('transfer-encoding')?.toLowerCase() === 'chunked' ? Buffer.from(dechunk(body.toString('latin1')), 'latin1').toString('utf8') : body.toString('utf8');
        let message = '';
        try {
          message = String((JSON.parse(text) as { message?: unknown }).message ?? '');
        } catch {
          message = '';
        }
        this.finish(new ExecRefused(r.status, r.status === 429 ? retryAfterMs(r.headers.get('retry-after')) : undefined, message.slice(0, 300)));
      };
      socket.on('data', (chunk: Buffer) => {
        if (this.settled) return;
        if (refusal) {
          refusal.body.push(chunk);
          refusal.bodyLength += chunk.length;
          if (refusalComplete(refusal)) refused();
          return;
        }
        if (head) {
          head = Buffer.concat([head, chunk]);
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) {
            if (head.length > MAX_RESPONSE_HEAD) this.finish(new ExecError('the upgrade answer has more than 64 KiB of headers'));
            return;
          }
          const answer = parseResponseHead(head.subarray(0, end).toString('latin1'));
          const rest = head.subarray(end + 4);
          head = undefined;
          if (!answer) return this.finish(new ExecError('the server did not answer HTTP'));
          if (answer.status !== 101) {
            refusal = { status: answer.status, headers: answer.headers, body: [rest], bodyLength: rest.length };
            if (refusalComplete(refusal)) refused();
            return;
          }
          const problem = upgradeProblem(answer.headers, key);
          if (problem) return this.finish(new ExecError(problem));
          chunk = rest;
        }
        try {
          reader.feed(chunk);
        } catch (error) {
          this.finish(new ExecError(error instanceof WebSocketProtocolError ? error.message : String(error)));
        }
      });
      socket.on('error', (e: Error) => this.finish(new ExecError(e.message)));
      socket.on('close', () => {
        if (refusal) return refused();
        if (head) return this.finish(new ExecError('socket hang up'));
        this.closed();
      });
      socket.write(request);
    });
  }

  /** The session on the ws library over `endpoint.agent` (a proxy agent, when there is no dialer). */
  async overAgent(url: string, endpoint: ExecEndpoint, headers: Record<string, string | string[]>): Promise<ExecResult> {
    // Loaded only here: every other exec runs on the dialer.
    const { default: WebSocket } = await import('ws');
    return this.run(() => {
      const ws = new WebSocket(url, PROTOCOLS, { agent: endpoint.agent, headers, perMessageDeflate: false });
      // terminate() aborts an upgrade in progress or destroys the open socket.
      this.abortTransport = () => {
        if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
      };
      ws.on('unexpected-response', (req, res: IncomingMessage) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < MAX_ERROR_BODY) body += chunk;
        });
        res.on('end', () => {
          let message = '';
          try {
            message = String((JSON.parse(body) as { message?: unknown }).message ?? '');
          } catch {
            message = '';
          }
          const retryAfter = res.headers['retry-after'];
          this.finish(new ExecRefused(res.statusCode ?? 0, res.statusCode === 429 ? retryAfterMs(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) : undefined, message.slice(0, 300)));
          req.destroy();
        });
        res.on('error', (e) => this.finish(new ExecError(e.message)));
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => this.message(isBinary ? data : Buffer.from(data)));
      ws.on('error', (e: Error) => this.finish(new ExecError(e.message)));
      ws.on('close', () => this.closed());
    });
  }
}

/**
 * The HTTP/1.1 upgrade request of an exec WebSocket (RFC 6455 section 4.1), offering PROTOCOLS.
 * Header names and values are checked as node:http checks them: a value with a line break would
 * otherwise smuggle a header (throws node's ERR_INVALID_CHAR / ERR_INVALID_HTTP_TOKEN TypeError).
 */
function upgradeRequest(dialer: ExecDialer, path: string, key: string, headers: Record<string, string | string[]>): string {
  let text = `GET ${dialer.pathPrefix}${path} HTTP/1.1\r\nHost: ${dialer.host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Protocol: ${PROTOCOLS.join(', ')}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    validateHeaderName(name);
    for (const one of Array.isArray(value) ? value : [value]) {
      validateHeaderValue(name, one);
      text += `${name}: ${one}\r\n`;
    }
  }
  return `${text}\r\n`;
}

/** The status code and lower-cased headers of a response head, or undefined when it is not HTTP/1.x. */
function parseResponseHead(text: string): { status: number; headers: Map<string, string> } | undefined {
  const lines = text.split('\r\n');
  const statusLine = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0]);
  if (!statusLine) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(statusLine[1]), headers };
}

/** Why a 101 answer is not the WebSocket asked for (ws's wording), or undefined when it is. */
function upgradeProblem(headers: Map<string, string>, key: string): string | undefined {
  if (headers.get('upgrade')?.toLowerCase() !== 'websocket') return 'Invalid Upgrade header';
  const accept = createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
  if (headers.get('sec-websocket-accept') !== accept) return 'Invalid Sec-WebSocket-Accept header';
  const protocol = headers.get('sec-websocket-protocol');
  if (protocol === undefined) return 'Server sent no subprotocol';
  if (!PROTOCOLS.includes(protocol)) return 'Server sent an invalid subprotocol';
  return undefined;
}

/** Whether a refusal's body is all there (Content-Length reached, chunked end seen, or enough kept). */
function refusalComplete(r: { headers: Map<string, string>; body: Buffer[]; bodyLength: number }): boolean {
  if (r.bodyLength >= MAX_ERROR_BODY) return true;
  const length = r.headers.get('content-length');
  if (length !== undefined && /^\d+$/.test(length)) return r.bodyLength >= Number(length);
  if (r.headers.get('transfer-encoding')?.toLowerCase() === 'chunked') {
    const body = Buffer.concat(r.body);
    return body.includes('\r\n0\r\n\r\n') || body.subarray(0, 5).toString('latin1') === '0\r\n\r\n';
  }
  return false;
}

/** The payload of a chunked body (RFC 9112 section 7.1), as far as it is well-formed. */
function dechunk(body: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) return out;
    const size = parseInt(body.slice(at, lineEnd).split(';')[0], 16);
    if (!Number.isFinite(size) || size <= 0) return out;
    out += body.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
