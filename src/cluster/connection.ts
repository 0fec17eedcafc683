import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket, connect as connectTls, createSecureContext, type SecureContext } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../errors.js';
import { impersonationHeaders, type Impersonation } from './impersonation.js';

/**
 * How many TLS sessions an agent keeps for resumption. Every exec is its own connection (a
 * WebSocket cannot share one), so after the first handshake each of them resumes instead.
 */
const CACHED_TLS_SESSIONS = 1024;

/** The TLS material of a cluster, as applyToHTTPSOptions fills it in. */
interface TlsOptions {
  ca?: Buffer | string;
  cert?: Buffer | string;
  key?: Buffer | string;
  pfx?: Buffer | string;
  passphrase?: string;
  rejectUnauthorized?: boolean;
  servername?: string;
}

/** What every TLS connection of a run to one cluster shares. */
interface TlsSettings {
  secureContext: SecureContext;
  rejectUnauthorized?: boolean;
  servername?: string;
}

/**
 * The connections of a run against one cluster: `agent` for API calls, `dialer` for exec
 * WebSockets. The CA, client certificate and key become one SecureContext, built once (not one
 * per connection) and shared by both; TLS sessions are cached and resumed across connections; API
 * calls keep their connections alive. Idle kept-alive sockets do not hold the process open.
 *
 * Takes the server URL, the TLS options client-node derives from the kubeconfig (CA, client cert
 * and key, or insecure-skip-tls-verify, tls-server-name) and the TLS handshake bound in ms.
 * Returns an https.Agent for https:// servers and an http.Agent otherwise. Throws what
 * tls.createSecureContext throws for unreadable certificates or keys.
 */
export function sharedConnectionsFor(server: string, tls: TlsOptions, handshakeTimeoutMs: number): { agent: HttpAgent; dialer: ExecDialer } {
  if (!server.startsWith('https:')) return { agent: new HttpAgent({ keepAlive: true }), dialer: new ExecDialer(server, undefined, handshakeTimeoutMs) };
  const settings: TlsSettings = {
    secureContext: createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key, pfx: tls.pfx, passphrase: tls.passphrase }),
    ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
    ...(tls.servername ? { servername: tls.servername } : {}),
  };
  const agent = new HandshakeBoundAgent(handshakeTimeoutMs, { keepAlive: true, maxCachedSessions: CACHED_TLS_SESSIONS, ...settings });
  return { agent, dialer: new ExecDialer(server, settings, handshakeTimeoutMs) };
}

/** An https.Agent whose TLS handshakes fail after handshakeTimeoutMs, as client-go's transport's do. */
class HandshakeBoundAgent extends HttpsAgent {
  constructor(
    private readonly handshakeTimeoutMs: number,
    options: ConstructorParameters<typeof HttpsAgent>[0],
  ) {
    super(options);
  }

  override createConnection(...args: Parameters<HttpsAgent['createConnection']>): ReturnType<HttpsAgent['createConnection']> {
    const socket = super.createConnection(...args);
    if (socket) boundHandshake(socket, this.handshakeTimeoutMs);
    return socket;
  }
}

/** Destroys a connecting TLS socket whose handshake is not done handshakeTimeoutMs after TCP connected (client-go's wording). */
function boundHandshake(socket: Duplex, handshakeTimeoutMs: number): void {
  let timer: NodeJS.Timeout | undefined;
  socket.once('connect', () => {
    timer = setTimeout(() => socket.destroy(new Error('net/http: TLS handshake timeout')), handshakeTimeoutMs);
    timer.unref();
  });
  const stop = () => clearTimeout(timer);
  socket.once('secureConnect', stop);
  socket.once('close', stop);
}

/**
 * Opens the connections that exec WebSockets run on, without an HTTP client in between: one
 * WebSocket owns its connection for its whole life, so nothing is pooled, and each new TLS
 * connection resumes the session of the previous ones (open() holds the fan-out's first
 * connections until the first handshake has given a session: one full handshake per run).
 */
export class ExecDialer {
  /** The Host header: host[:port] of the server URL. */
  readonly host: string;
  /** The server URL's path, for API servers behind a path prefix; "" or "/prefix". */
  readonly pathPrefix: string;
  private readonly hostname: string;
  private readonly port: number;
  private session: Buffer | undefined;
  /** The run's first TLS connection, until it has given a session or ended. */
  private firstHandshake: Promise<void> | undefined;

  /**
   * server: the API server's http(s) URL; tls: the run's TLS settings (undefined for http://);
   * handshakeTimeoutMs: a TLS handshake not done by then fails as client-go's does.
   */
  constructor(
    server: string,
    private readonly tls: TlsSettings | undefined,
    private readonly handshakeTimeoutMs: number,
  ) {
    const url = new URL(server);
    this.host = url.host;
    this.pathPrefix = url.pathname.replace(/\/+$/, '');
    this.hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  }

  /**
   * A new connection, as dial() opens it, once it may resume a session: while the run's first TLS
   * handshake is in progress, later connections wait until it has given a session or ended, so
   * that a fan-out's first connections resume that session instead of each doing a full
   * handshake. Resolves undefined, opening nothing, when the signal aborts first.
   */
  async open(signal?: AbortSignal): Promise<Socket | undefined> {
    const first = this.firstHandshake;
    if (this.tls && !this.session && first && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener('abort', done);
          resolve();
        };
        signal?.addEventListener('abort', done, { once: true });
        void first.then(done);
      });
    }
    return signal?.aborted ? undefined : this.dial();
  }

  /**
   * A new connection to the API server, connecting: what is written before it is up is sent once
   * it is. Emits 'error' with "net/http: TLS handshake timeout" when the handshake is too slow.
   */
  dial(): Socket {
    if (!this.tls) return connectTcp({ host: this.hostname, port: this.port });
    const servername = this.tls.servername ?? (isIP(this.hostname) !== 0 ? undefined : this.hostname);
    const socket = connectTls({
      host: this.hostname,
      port: this.port,
      secureContext: this.tls.secureContext,
      ...(this.tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: this.tls.rejectUnauthorized } : {}),
      ...(servername ? { servername } : {}),
      ...(this.session && !setSessionLater ? { session: this.session } : {}),
    });
    // Set once, before the handshake starts (it starts when TCP connects).
    if (this.session && setSessionLater) setSessionLater.call(socket, this.session);
    socket.on('session', (session: Buffer) => (this.session = session));
    this.firstHandshake ??= new Promise<void>((resolve) => {
      socket.once('session', () => resolve());
      socket.once('close', () => resolve());
    });
    boundHandshake(socket, this.handshakeTimeoutMs);
    return socket;
  }
}

/**
 * Given to tls.connect as an option, a session is decoded twice (by TLSSocket's _init and again by
 * tls.connect itself: node v20 lib/_tls_wrap.js), ~0.2 ms of CPU per connection here. TLSSocket's
 * setSession (the method tls.connect calls; not in the documented API) sets it once; checked at
 * run time, and without it the option is used.
 */
const setSessionLater: ((this: TLSSocket, session: Buffer) => void) | undefined = (() => {
  const method: unknown = Reflect.get(TLSSocket.prototype, 'setSession');
  return typeof method === 'function' ? (method as (this: TLSSocket, session: Buffer) => void) : undefined;
})();


/** What an exec WebSocket needs to reach the API server: its URL, how to connect, fresh credentials. */
export interface ExecEndpoint {
  /** wss:// (or ws://) origin of the API server, with its path prefix. */
  base: string;
  /** The run's agent: used when there is no dialer (a cluster behind a proxy-url). */
  agent: HttpAgent;
  /** Direct connections to the API server sharing the run's TLS context; absent behind a proxy. */
  dialer?: ExecDialer;
  /** Authorization and impersonation headers, refreshed per call (exec credential plugins expire). */
  headers(): Promise<Record<string, string | string[]>>;
}

/** A kubeconfig that can add its user's credentials to a request's headers (SharedAgentKubeConfig). */
export type CredentialSource = Pick<KubeConfig, 'getCurrentCluster' | 'getCurrentUser'> & {
  applyCredentials(opts: { headers: Record<string, string> }): Promise<void>;
};

/**
 * The exec endpoint of a kubeconfig's current cluster. `agent` is the run's shared agent for that
 * cluster; headers come from client-node's authenticators each time (they cache tokens themselves),
 * with the headers of `impersonation` (impersonationHeaders).
 */
export function execEndpoint(kc: CredentialSource, agent: HttpAgent, dialer: ExecDialer | undefined, impersonation: Impersonation): ExecEndpoint {
  const server = kc.getCurrentCluster()?.server ?? '';
  const base = server.replace(/^http/, 'ws').replace(/\/+$/, '');
  return {
    base,
    agent,
    ...(dialer ? { dialer } : {}),
    async headers() {
      const opts: { headers: Record<string, string> } = { headers: {} };
      // Only the credentials: the TLS material is in the agent already, read once.
      await kc.applyCredentials(opts);
      const headers: Record<string, string | string[]> = { ...opts.headers, ...impersonationHeaders(impersonation) };
      const user = kc.getCurrentUser();
      if (user?.username) headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
      checkHeaderValues(headers);
      return headers;
    },
  };
}

/** Control characters but horizontal tab: what Go's httpguts.ValidHeaderFieldValue refuses. */
const CONTROL_CHARACTER = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * Refuses a header whose value cannot be sent (a control character would end the header line and
 * could smuggle another), before anything is sent, in the words kubectl (Go's net/http) uses:
 * the header's name, never its value, which is a credential or an identity here (a token from a
 * flag, the kubeconfig, a token file or a credential plugin; an impersonated user). Throws
 * UsageError (exit 2).
 */
function checkHeaderValues(headers: Record<string, string | string[]>): void {
  for (const [name, value] of Object.entries(headers)) {
    if ((Array.isArray(value) ? value : [value]).some((v) => CONTROL_CHARACTER.test(v))) throw new UsageError(`invalid header field value for "${name}"`);
  }
}
