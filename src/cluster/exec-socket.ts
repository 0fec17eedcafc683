import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { ExecControl, ExecResult } from '../context.js';
import { MAX_TOOL_OUTPUT_BYTES } from '../bounded-text.js';
import { AuthError, ExecError } from '../errors.js';
import type { ExecEndpoint } from './connection.js';

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
  const url = `${endpoint.base}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/exec?${query}`;
  for (let attempt = 0; ; attempt++) {
    try {
      return await execOnce(url, endpoint, await endpoint.headers(), options.signal, options.onStdout);
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

function execOnce(url: string, endpoint: ExecEndpoint, headers: Record<string, string>, signal?: AbortSignal, onStdout?: (chunk: string) => void): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    // Output past MAX_TOOL_OUTPUT_BYTES is never kept: the session is closed and the Node fails.
    const size = { stdout: 0, stderr: 0 };
    const keep = (chunks: Buffer[], name: 'stdout' | 'stderr', data: Buffer): boolean => {
      size[name] += data.length;
      if (size[name] > MAX_TOOL_OUTPUT_BYTES) {
        finish(new ExecError(`the command printed more than ${MAX_TOOL_OUTPUT_BYTES / 1024 / 1024} MiB on ${name}`));
        return false;
      }
      chunks.push(data);
      return true;
    };
    let status: { status?: string; message?: string; reason?: string; details?: { causes?: Array<{ reason?: string; message?: string }> } } | undefined;
    let settled = false;
    const ws = new WebSocket(url, PROTOCOLS, { agent: endpoint.agent, headers, perMessageDeflate: false });
    const finish = (error: Error | undefined, result?: ExecResult) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error) {
        // terminate() aborts an upgrade in progress or destroys the open socket.
        if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
        reject(error);
      } else resolve(result!);
    };
    const onAbort = () => finish(abortError(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });

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
        finish(new ExecRefused(res.statusCode ?? 0, res.statusCode === 429 ? retryAfterMs(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) : undefined, message.slice(0, 300)));
        req.destroy();
      });
      res.on('error', (e) => finish(new ExecError(e.message)));
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const frame = isBinary ? data : Buffer.from(data);
      if (frame.length < 1) return;
      const channel = frame[0];
      if (channel === STDOUT) {
        if (keep(out, 'stdout', frame.subarray(1))) onStdout?.(frame.subarray(1).toString('utf8'));
      } else if (channel === STDERR) keep(err, 'stderr', frame.subarray(1));
      else if (channel === STATUS) {
        try {
          status = JSON.parse(frame.subarray(1).toString('utf8'));
        } catch {
          finish(new ExecError('the exec status is not JSON'));
        }
      }
    });
    ws.on('error', (e: Error) => finish(new ExecError(e.message)));
    ws.on('close', () => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (!status) return finish(new ExecError('the exec session closed without an exit status'));
      if (status.status === 'Success') return finish(undefined, { stdout, stderr, exitCode: 0 });
      const exitCause = status.reason === 'NonZeroExitCode' ? status.details?.causes?.find((c) => c.reason === 'ExitCode') : undefined;
      if (exitCause) return finish(undefined, { stdout, stderr, exitCode: Number(exitCause.message) });
      finish(new ExecError(status.message ?? 'the command failed without an exit code'));
    });
  });
}
