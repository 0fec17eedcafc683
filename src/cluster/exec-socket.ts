import { createHash, randomBytes } from 'node:crypto';
import { validateHeaderName, validateHeaderValue, type IncomingMessage } from 'node:http';
import type { ExecControl, ExecResult } from '../context.js';
import { MAX_TOOL_OUTPUT_BYTES } from '../bounded-text.js';
import { AuthError, ExecError } from '../errors.js';
import { USER_AGENT } from '../version.js';
import { MAX_RETRY_DELAY_MS, retryAfterHeaderMs } from './api-errors.js';
import type { ExecDialer, ExecEndpoint } from './connection.js';
import { apiPath, encodeQuery, type Query } from './rest.js';
import { FrameReader, OPCODE_CLOSE, OPCODE_PING, OPCODE_PONG, WebSocketMessageTooLarge, WebSocketProtocolError, clientControlFrame } from './websocket-frames.js';

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
  return Math.min(retryAfterHeaderMs(header, now) ?? 1000, MAX_RETRY_DELAY_MS);
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
  const query: Query = [['container', container], ['stdout', true], ['stderr', true], ...argv.map((word): Query[number] => ['command', word])];
  const path = apiPath`/api/v1/namespaces/${namespace}/pods/${pod}/exec` + encodeQuery(query);
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

/**
 * A refused upgrade (either transport): the HTTP status, the wait a 429's Retry-After asks for,
 * and the message of a Status body (at most 300 characters; none when the body is not JSON).
 */
function refusedUpgrade(status: number, retryAfter: string | undefined, body: string): ExecRefused {
  let message = '';
  try {
    message = String((JSON.parse(body) as { message?: unknown }).message ?? '');
  } catch {
    message = '';
  }
  return new ExecRefused(status, status === 429 ? retryAfterMs(retryAfter) : undefined, message.slice(0, 300));
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
/** The most bytes of an upgrade answer's status line and headers: node's http parser's default bound. */
const MAX_RESPONSE_HEAD = 16 * 1024;
/** How long a connection may stay open after the close handshake before it is destroyed (ws waits 30 s; nothing more is read). */
const CLOSE_GRACE_MS = 1000;

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
    if (exitCause) {
      // kubectl reads the code with strconv.Atoi; anything else is no exit code, never success.
      const code = /^\d{1,3}$/.test(exitCause.message ?? '') ? Number(exitCause.message) : NaN;
      if (code >= 1 && code <= 255) return this.finish(undefined, { stdout, stderr, exitCode: code });
      return this.finish(new ExecError(`the exec status has no readable exit code: ${JSON.stringify(exitCause.message ?? null).slice(0, 40)}`));
    }
    this.finish(new ExecError(status.message ?? 'the command failed without an exit code'));
  }

  /**
   * The session on a new connection of `dialer`: the upgrade request written by hand, the answer's
   * head read up to MAX_RESPONSE_HEAD bytes (informational 1xx answers skipped), then RFC 6455
   * frames. No HTTP client or WebSocket library sits between: at thousands of agents their
   * per-connection work cost more client CPU than the (resumed) TLS connection itself. Once the
   * close is echoed the connection gets CLOSE_GRACE_MS to end before it is destroyed.
   */
  async overDialer(dialer: ExecDialer, path: string, headers: Record<string, string | string[]>): Promise<ExecResult> {
    const key = randomBytes(16).toString('base64');
    // Checked before connecting: a header that cannot be sent opens nothing.
    const request = upgradeRequest(dialer, path, key, headers);
    const opened = await dialer.open(this.signal);
    return this.run(() => {
      // run() has already failed the session when the signal aborted the wait.
      if (!opened) return;
      const socket = opened;
      let lingering: NodeJS.Timeout | undefined;
      this.abortTransport = () => socket.destroy();
      const head = new ResponseHead();
      let refusal: Refusal | undefined;
      let closeSent = false;
      const reader = new FrameReader(
        MAX_TOOL_OUTPUT_BYTES + 1,
        (_opcode, payload) => this.message(payload),
        (opcode, payload) => {
          if (opcode === OPCODE_PING) socket.write(clientControlFrame(OPCODE_PONG, payload));
          else if (opcode === OPCODE_CLOSE) {
            // Echo the status code (RFC 6455 section 5.5.1) and stop writing; the server closes the
            // connection, or the grace ends it.
            if (!closeSent) socket.end(clientControlFrame(OPCODE_CLOSE, payload.subarray(0, 2)));
            closeSent = true;
            lingering ??= setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
            this.closed();
          }
        },
      );
      const refused = () => this.finish(refusedUpgrade(refusal!.status, refusal!.headers.get('retry-after')?.[0], refusal!.text()));
      socket.on('data', (chunk: Buffer) => {
        if (this.settled) return;
        if (refusal) {
          if (refusal.add(chunk)) refused();
          return;
        }
        if (!head.done) {
          let answer: ParsedHead | undefined;
          try {
            answer = head.add(chunk);
          } catch (error) {
            return this.finish(new ExecError((error as Error).message));
          }
          if (!answer) return;
          if (answer.status !== 101) {
            refusal = new Refusal(answer.status, answer.headers);
            if (refusal.add(head.rest)) refused();
            return;
          }
          const problem = upgradeProblem(answer, key);
          if (problem) return this.finish(new ExecError(problem));
          chunk = head.rest;
        }
        try {
          reader.feed(chunk);
        } catch (error) {
          if (error instanceof WebSocketMessageTooLarge) return this.finish(new ExecError(`the command printed more than ${MAX_TOOL_OUTPUT_BYTES / 1024 / 1024} MiB`));
          this.finish(new ExecError(error instanceof WebSocketProtocolError ? error.message : String(error)));
        }
      });
      socket.on('error', (e: Error) => this.finish(new ExecError(e.message)));
      socket.on('close', () => {
        clearTimeout(lingering);
        if (refusal) return refused();
        if (!head.done) return this.finish(new ExecError('socket hang up'));
        this.closed();
      });
      // Header values go out as node:http writes them (one byte per character), so the API calls
      // and the execs of one run send the same bytes.
      socket.write(request, 'latin1');
    });
  }

  /** The session on the ws library over `endpoint.agent` (a proxy agent, when there is no dialer). */
  async overAgent(url: string, endpoint: ExecEndpoint, headers: Record<string, string | string[]>): Promise<ExecResult> {
    // Loaded only here: every other exec runs on the dialer.
    const { default: WebSocket } = await import('ws');
    return this.run(() => {
      const ws = new WebSocket(url, PROTOCOLS, { agent: endpoint.agent, headers: { 'User-Agent': USER_AGENT, ...headers }, perMessageDeflate: false });
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
          const retryAfter = res.headers['retry-after'];
          this.finish(refusedUpgrade(res.statusCode ?? 0, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, body));
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
  let text = `GET ${dialer.pathPrefix}${path} HTTP/1.1\r\nHost: ${dialer.host}\r\nUser-Agent: ${USER_AGENT}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Protocol: ${PROTOCOLS.join(', ')}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    validateHeaderName(name);
    for (const one of Array.isArray(value) ? value : [value]) {
      validateHeaderValue(name, one);
      text += `${name}: ${one}\r\n`;
    }
  }
  return `${text}\r\n`;
}

interface ParsedHead {
  status: number;
  /** Lower-cased names; a repeated header keeps every value. */
  headers: Map<string, string[]>;
}

/**
 * Collects an answer's head across chunks (scanning only what is new) and parses it; skips
 * informational 1xx answers other than 101 (RFC 9110 section 15.2: a client reads one or more
 * before the final answer). `rest` holds the bytes after the final head.
 */
class ResponseHead {
  done = false;
  rest: Buffer = Buffer.alloc(0);
  private pieces: Buffer[] = [];
  private length = 0;

  /** The final answer's head once it is complete, else undefined. Throws Error with node's llhttp wording for what is not HTTP/1.x. */
  add(chunk: Buffer): ParsedHead | undefined {
    this.pieces.push(chunk);
    const scanFrom = Math.max(0, this.length - 3);
    this.length += chunk.length;
    let bytes = this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces);
    this.pieces = [bytes];
    for (let from = scanFrom; ; ) {
      const end = bytes.indexOf(HEAD_END, from);
      if (end < 0) {
        if (bytes.indexOf(BARE_LF_END, from) >= 0 && bytes.indexOf(CRLF, 0) < 0) throw new Error('Parse Error: Missing expected CR after response line');
        if (this.length > MAX_RESPONSE_HEAD) throw new Error('Parse Error: Header overflow');
        return undefined;
      }
      if (end > MAX_RESPONSE_HEAD) throw new Error('Parse Error: Header overflow');
      const parsed = parseResponseHead(bytes.subarray(0, end).toString('latin1'));
      const after = bytes.subarray(end + 4);
      if (parsed.status >= 100 && parsed.status < 200 && parsed.status !== 101) {
        bytes = after;
        this.pieces = [bytes];
        this.length = bytes.length;
        from = 0;
        continue;
      }
      this.done = true;
      this.rest = after;
      this.pieces = [];
      return parsed;
    }
  }
}

const HEAD_END = Buffer.from('\r\n\r\n');
const BARE_LF_END = Buffer.from('\n\n');
const CRLF = Buffer.from('\r\n');

/** The status code and headers of a response head. Throws Error (node's llhttp wording) when it is not HTTP/1.x. */
function parseResponseHead(text: string): ParsedHead {
  const lines = text.split('\r\n');
  const statusLine = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0]);
  if (!statusLine) throw new Error('the server did not answer HTTP');
  const headers = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new Error('Parse Error: Invalid header field char');
    const key = name.toLowerCase();
    headers.set(key, [...(headers.get(key) ?? []), line.slice(colon + 1).trim()]);
  }
  return { status: Number(statusLine[1]), headers };
}

/** Why a 101 answer is not the WebSocket asked for (ws's wording), or undefined when it is. */
function upgradeProblem(answer: ParsedHead, key: string): string | undefined {
  const one = (name: string) => answer.headers.get(name)?.[0];
  if (one('upgrade')?.toLowerCase() !== 'websocket') return 'Invalid Upgrade header';
  const accept = createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
  if (one('sec-websocket-accept') !== accept || answer.headers.get('sec-websocket-accept')!.length > 1) return 'Invalid Sec-WebSocket-Accept header';
  const protocols = answer.headers.get('sec-websocket-protocol');
  if (protocols === undefined) return 'Server sent no subprotocol';
  if (protocols.length > 1 || !PROTOCOLS.includes(protocols[0])) return 'Server sent an invalid subprotocol';
  // RFC 6455 section 4.1: an extension the client did not ask for fails the connection.
  if (answer.headers.has('sec-websocket-extensions')) return 'Server sent a Sec-WebSocket-Extensions header but no extension was requested';
  return undefined;
}

/** A refused upgrade's answer: its body collected (at most MAX_ERROR_BODY bytes) until it is complete. */
class Refusal {
  private readonly pieces: Buffer[] = [];
  private length = 0;
  private readonly chunked: boolean;
  private readonly contentLength: number | undefined;

  constructor(
    readonly status: number,
    readonly headers: Map<string, string[]>,
  ) {
    this.chunked = headers.get('transfer-encoding')?.some((v) => /(^|,)\s*chunked\s*$/i.test(v)) ?? false;
    const length = headers.get('content-length')?.[0];
    this.contentLength = !this.chunked && length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
  }

  /** Adds body bytes; true once the body is complete (by its length, its last chunk, or MAX_ERROR_BODY). */
  add(chunk: Buffer): boolean {
    if (chunk.length > 0) {
      this.pieces.push(chunk);
      this.length += chunk.length;
    }
    if (this.length >= MAX_ERROR_BODY) return true;
    if (this.contentLength !== undefined) return this.length >= this.contentLength;
    if (this.chunked) return dechunk(Buffer.concat(this.pieces)).complete;
    return false;
  }

  /** The body as text, the chunked framing undone. */
  text(): string {
    const body = Buffer.concat(this.pieces);
    return (this.chunked ? dechunk(body).payload : body).toString('utf8');
  }
}

/**
 * The payload of a chunked body (RFC 9112 section 7.1): chunk-size lines (hex, leading zeros and
 * extensions allowed), chunk data, and after the last (zero-size) chunk a trailer section ended by
 * an empty line. `complete` tells whether that end has arrived.
 */
function dechunk(body: Buffer): { payload: Buffer; complete: boolean } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf(CRLF, at);
    if (lineEnd < 0) return { payload: Buffer.concat(parts), complete: false };
    const sizeText = body.subarray(at, lineEnd).toString('latin1').split(';')[0].trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) return { payload: Buffer.concat(parts), complete: false };
    const size = parseInt(sizeText, 16);
    if (size === 0) {
      // The trailer section: header lines until an empty line.
      let line = lineEnd + 2;
      for (;;) {
        const next = body.indexOf(CRLF, line);
        if (next < 0) return { payload: Buffer.concat(parts), complete: false };
        if (next === line) return { payload: Buffer.concat(parts), complete: true };
        line = next + 2;
      }
    }
    parts.push(body.subarray(lineEnd + 2, Math.min(body.length, lineEnd + 2 + size)));
    if (lineEnd + 2 + size + 2 > body.length) return { payload: Buffer.concat(parts), complete: false };
    at = lineEnd + 2 + size + 2;
  }
}
