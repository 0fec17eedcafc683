/**
 * The antrea-agent's own API (port 10350 by default), reached the way antctl reaches it: a
 * short-lived token for the "antctl" ServiceAccount (TokenRequest), the Node's address and the
 * agent's API port from AntreaAgentInfo, and TLS verified against AntreaAgentInfo.apiCABundle
 * (server name "localhost"), never skipped unless --agent-insecure-skip-tls-verify is given.
 * Inside an antrea-agent container, the local agent is asked with its loopback token instead.
 */
import { formatDuration } from '../duration.js';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { V1Node } from '@kubernetes/client-node';
import { CliError } from '../errors.js';
import { RUN_DEADLINE_REASON } from './agent-exec.js';
import type { KubeApi } from '../context.js';
import { fileErrorText } from '../system-error.js';

export const ANTCTL_SERVICE_ACCOUNT = 'antctl';
export const DEFAULT_AGENT_API_PORT = 10350;
export const LOOPBACK_TOKEN_FILE = '/var/run/antrea/apiserver/loopback-client-token';
const TOKEN_SECONDS = 600;

interface AgentInfo {
  metadata?: { name?: string };
  nodeRef?: { name?: string };
  apiPort?: number;
  apiCABundle?: string;
}

export interface AgentEndpoint {
  url: string;
  /** PEM CA to verify the agent with; absent when the agent publishes none. */
  ca?: string;
}

export class AgentApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    statusText: string,
  ) {
    super(`agent API answered ${status} ${statusText}${body.trim() ? `: ${body.trim().split('\n')[0]}` : ''}`);
    this.name = 'AgentApiError';
  }
}

/** ExternalIP before InternalIP, IPv4 before IPv6, as antctl picks a Node's address. */
export function nodeAddress(node: V1Node): string | undefined {
  const addresses = node.status?.addresses ?? [];
  for (const type of ['ExternalIP', 'InternalIP']) {
    const ofType = addresses.filter((a) => a.type === type).map((a) => a.address);
    const address = ofType.find((a) => !a.includes(':')) ?? ofType[0];
    if (address) return address;
  }
  return undefined;
}

export class AgentApi {
  private constructor(
    private readonly token: string,
    private readonly endpoints: Map<string, AgentEndpoint>,
    private readonly insecure: boolean,
    private readonly timeoutMs: number,
    private readonly deadlineAt: number | undefined,
  ) {}

  /**
   * One TokenRequest, one LIST of AntreaAgentInfo and one of Nodes for the whole fan-out.
   * options.timeoutMs: each request's idle bound (0: none); options.deadlineAt: the run's
   * --deadline (epoch ms), where every request ends.
   */
  static async forCluster(client: KubeApi, namespace: string, options: { insecure: boolean; timeoutMs: number; deadlineAt?: number }): Promise<AgentApi> {
    const [token, infos, nodes] = await Promise.all([
      client.requestServiceAccountToken(namespace, ANTCTL_SERVICE_ACCOUNT, TOKEN_SECONDS),
      client.listClusterObjects<AgentInfo>('crd.antrea.io', 'v1beta1', 'antreaagentinfos'),
      client.listNodes(),
    ]);
    const endpoints = new Map<string, AgentEndpoint>();
    for (const info of infos) {
      const nodeName = info.nodeRef?.name ?? info.metadata?.name ?? '';
      const node = nodes.find((n) => n.metadata?.name === nodeName);
      const address = node && nodeAddress(node);
      if (!address) continue;
      const host = address.includes(':') ? `[${address}]` : address;
      endpoints.set(nodeName, {
        url: `https://${host}:${info.apiPort || DEFAULT_AGENT_API_PORT}`,
        ca: info.apiCABundle ? Buffer.from(info.apiCABundle, 'base64').toString('utf8') : undefined,
      });
    }
    return new AgentApi(token, endpoints, options.insecure, options.timeoutMs, options.deadlineAt);
  }

  /**
   * In an antrea-agent container: the local agent, its loopback token, TLS unverified (as antctl).
   * timeoutMs and deadlineAt as for forCluster. Throws a CliError when the token is unreadable.
   */
  static local(env: NodeJS.ProcessEnv, timeoutMs: number, deadlineAt?: number): { api: AgentApi; node: string } {
    const tokenFile = env.MCASTCTL_AGENT_TOKEN_FILE ?? LOOPBACK_TOKEN_FILE;
    let token: string;
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new CliError(`cannot read the agent's loopback token: ${fileErrorText(err, tokenFile)}`);
    }
    const node = env.NODE_NAME ?? env.POD_NAME ?? 'localhost';
    const url = env.MCASTCTL_AGENT_API ?? `https://127.0.0.1:${DEFAULT_AGENT_API_PORT}`;
    return { api: new AgentApi(token, new Map([[node, { url }]]), true, timeoutMs, deadlineAt), node };
  }

  /**
   * GET path on the Node's agent; the body as text, or AgentApiError for a non-2xx answer. Rejects
   * with an Error when the request fails, idles past the timeout or is still running at the
   * run's deadline.
   */
  get(node: string, path: string): Promise<string> {
    const endpoint = this.endpoints.get(node);
    if (!endpoint) return Promise.reject(new Error(`no AntreaAgentInfo with an address for Node ${node}`));
    if (!endpoint.ca && !this.insecure) {
      return Promise.reject(new Error('the agent publishes no CA bundle (Antrea before v1.13): use --agent-insecure-skip-tls-verify or --transport exec'));
    }
    const url = new URL(path, endpoint.url);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'GET',
          headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' },
          ca: endpoint.ca,
          servername: 'localhost',
          rejectUnauthorized: !this.insecure,
          timeout: this.timeoutMs > 0 ? this.timeoutMs : undefined,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(body);
            else reject(new AgentApiError(status, status === 401 ? 'the token was refused' : body, res.statusMessage ?? ''));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${formatDuration(this.timeoutMs)}`)));
      req.on('error', (err) => reject(new Error(`agent API ${url.host}: ${err.message}`)));
      if (this.deadlineAt !== undefined) {
        const timer = setTimeout(() => {
          reject(new Error(RUN_DEADLINE_REASON));
          req.destroy();
        }, Math.max(0, this.deadlineAt - Date.now()));
        timer.unref();
        req.on('close', () => clearTimeout(timer));
      }
      req.end();
    });
  }
}
