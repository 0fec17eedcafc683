/**
 * The Kubernetes API over plain HTTP(S): one request, its answer as text, nothing typed. The API's
 * JSON is what commands get (JSON.parse of the body), so no generated model code is loaded and no
 * answer is copied into model objects field by field.
 */
import { request as httpRequest, type Agent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createGunzip } from 'node:zlib';
import { boundedLine } from '../bounded-text.js';
import { CliError } from '../errors.js';

/** Query parameters in the order they are sent; an undefined value is left out, an empty string is sent empty. */
export type Query = Array<[name: string, value: string | number | boolean | undefined]>;

/**
 * `name=value&…` as a URL's searchParams writes it (application/x-www-form-urlencoded: a space is
 * "+", "=" and "," are percent-encoded), which is how kube-apiserver reads label and field
 * selectors. Returns '' for no parameters.
 */
export function encodeQuery(query: Query = []): string {
  const params = new URLSearchParams();
  for (const [name, value] of query) if (value !== undefined) params.append(name, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** An API path from literal segments and values; each value is percent-encoded as one segment. */
export function apiPath(strings: TemplateStringsArray, ...values: Array<string | number>): string {
  return strings.reduce((path, part, i) => path + part + (i < values.length ? encodeURIComponent(String(values[i])) : ''), '');
}

/** A whole answer: status, headers with lower-case names (repeated ones joined by ", "), body as UTF-8 text. */
export interface RestAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/**
 * A non-2xx answer, in the shape api-errors' toCliError reads (client-node's ApiException had it):
 * `code` the HTTP status, `body` the body text, `headers` with lower-case names (retry-after).
 */
export class ApiStatusError extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
    readonly headers: Record<string, string>,
  ) {
    super(`the server answered HTTP ${code}`);
    this.name = 'ApiStatusError';
  }
}

export interface RestSend {
  method: string;
  /** An array value is sent as one header line per element. */
  headers: Record<string, string | string[]>;
  /** Sent as is, with its Content-Length. */
  body?: string;
  /** The run's agent (TLS context, keep-alive); node's global agent when undefined. */
  agent?: Agent;
  signal?: AbortSignal;
}

/**
 * Sends one request and reads the whole answer, whatever its status (a gzip-encoded body is
 * decoded). Rejects with node's network errors (ECONNREFUSED, ECONNRESET, TLS errors) as they
 * are, and with an AbortError when `signal` aborts, also in the middle of the body.
 */
export function sendRest(url: URL, send: RestSend): Promise<RestAnswer> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers = send.body === undefined ? send.headers : { ...send.headers, 'Content-Length': String(Buffer.byteLength(send.body)) };
  return new Promise((resolve, reject) => {
    // Whatever fails once the signal fired (the socket it destroyed) is the timeout, not a reset.
    const fail = (err: unknown) => reject(send.signal?.aborted ? abortError() : err);
    const req = request(url, { method: send.method, headers, agent: send.agent, signal: send.signal }, (res: IncomingMessage) => {
      const gzip = /^\s*gzip\s*$/i.test(res.headers['content-encoding'] ?? '');
      const body = gzip ? res.pipe(createGunzip()) : res;
      const chunks: Buffer[] = [];
      body.on('data', (chunk: Buffer) => chunks.push(chunk));
      body.on('end', () => resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), text: Buffer.concat(chunks).toString('utf8') }));
      body.on('error', fail);
      if (gzip) res.on('error', fail);
    });
    req.on('error', fail);
    req.end(send.body);
  });
}

function abortError(): Error {
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

/** application/json, application/merge-patch+json, …: what the API server sends JSON as. */
function isJsonMediaType(contentType: string | undefined): boolean {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return /^application\/([^/]*\+)?json$/.test(media);
}

/**
 * What a 2xx answer to `method path` says: its JSON parsed when its Content-Type is JSON, else its
 * text as a string (a proxy's HTML page, an empty body), which the caller finds is not the list
 * or object it asked for and describes. Throws a CliError (exit 1) naming the request when JSON
 * does not parse (truncated, empty).
 */
export function decodeAnswer(answer: RestAnswer, method: string, path: string): unknown {
  if (!isJsonMediaType(answer.headers['content-type'])) return answer.text;
  try {
    return JSON.parse(answer.text) as unknown;
  } catch (err) {
    throw new CliError(`the server's answer to ${method} ${path} is not valid JSON: ${boundedLine((err as Error).message)}`);
  }
}
