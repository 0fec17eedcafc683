import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';

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

/**
 * The one HTTP(S) agent of a run against one cluster: API calls and exec WebSockets share it.
 * The CA, client certificate and key become one SecureContext, built once (not one per
 * connection); TLS sessions are cached and resumed across connections; API calls keep their
 * connections alive. Idle kept-alive sockets do not hold the process open.
 *
 * Takes the TLS options client-node derives from the kubeconfig (CA, client cert and key, or
 * insecure-skip-tls-verify, tls-server-name) and the server URL; returns an https.Agent for
 * https:// servers and an http.Agent otherwise. Throws what tls.createSecureContext throws for
 * unreadable certificates or keys.
 */
export function sharedAgentFor(server: string, tls: TlsOptions): HttpAgent {
  if (!server.startsWith('https:')) return new HttpAgent({ keepAlive: true });
  const secureContext = createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key, pfx: tls.pfx, passphrase: tls.passphrase });
  return new HttpsAgent({
    keepAlive: true,
    secureContext,
    maxCachedSessions: CACHED_TLS_SESSIONS,
    ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
    ...(tls.servername ? { servername: tls.servername } : {}),
  });
}

/** What an exec WebSocket needs to reach the API server: its URL, the shared agent, fresh credentials. */
export interface ExecEndpoint {
  /** wss:// (or ws://) origin of the API server, with its path prefix. */
  base: string;
  agent: HttpAgent;
  /** Authorization and impersonation headers, refreshed per call (exec credential plugins expire). */
  headers(): Promise<Record<string, string>>;
}

/** A kubeconfig that can add its user's credentials to a request's headers (SharedAgentKubeConfig). */
export type CredentialSource = Pick<KubeConfig, 'getCurrentCluster' | 'getCurrentUser'> & {
  applyCredentials(opts: { headers: Record<string, string> }): Promise<void>;
};

/**
 * The exec endpoint of a kubeconfig's current cluster. `agent` is the run's shared agent for that
 * cluster; headers come from client-node's authenticators each time (they cache tokens themselves).
 */
export function execEndpoint(kc: CredentialSource, agent: HttpAgent): ExecEndpoint {
  const server = kc.getCurrentCluster()?.server ?? '';
  const base = server.replace(/^http/, 'ws').replace(/\/+$/, '');
  return {
    base,
    agent,
    async headers() {
      const opts: { headers: Record<string, string> } = { headers: {} };
      // Only the credentials: the TLS material is in the agent already, read once.
      await kc.applyCredentials(opts);
      const user = kc.getCurrentUser();
      if (user?.impersonateUser) opts.headers['Impersonate-User'] = user.impersonateUser;
      if (user?.username) opts.headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
      return opts.headers;
    },
  };
}
