/**
 * Each simulated agent's own API server, as antrea-agent serves it on port 10350
 * (pkg/agent/apiserver): /featuregates and /podmulticaststats, bearer-token authentication
 * (a TokenRequest-issued antctl token or the agent's loopback token), compact JSON bodies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { agentGateRows } from '../antrea/featuregates.js';
import type { TestPki } from '../certs.js';
import type { AgentView, SimCluster } from '../cluster.js';

export const LOOPBACK_TOKEN = 'antrea-agent-loopback-token';

export class AgentApiServer {
  private server?: Server;
  port = 0;

  constructor(
    private readonly cluster: SimCluster,
    private readonly agent: AgentView,
    private readonly pki: TestPki,
  ) {}

  async start(host: string, port = 0): Promise<void> {
    this.server = createServer({ cert: this.pki.certPem, key: this.pki.keyPem }, (req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, resolve);
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private authorised(req: IncomingMessage): boolean {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return false;
    return token === LOOPBACK_TOKEN || this.cluster.issuedTokens.get(token) === 'kube-system/antctl';
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const text = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (!this.authorised(req)) {
      return text(401, `${JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 })}\n`, 'application/json');
    }
    const agent = this.agent;
    const process = agent.process;
    if (!process) {
      req.socket.destroy();
      return;
    }
    if (url.pathname === '/featuregates') {
      const gates = agentGateRows(process.profile, process.settings.gates).map((g) => ({ component: 'agent', name: g.name, status: g.status, ...(g.version ? { version: g.version } : {}) }));
      return text(200, `${JSON.stringify(gates)}\n`);
    }
    if (url.pathname === '/podmulticaststats') {
      if (!process.settings.multicastRunning) return text(503, 'Multicast is not enabled\n');
      const name = url.searchParams.get('name') ?? '';
      const namespace = url.searchParams.get('namespace') ?? '';
      if (name && !namespace) return text(503, 'name option should be used with namespace option\n');
      let rows = this.cluster.dataplane.podStats(agent.node.name);
      if (name) {
        rows = rows.filter((r) => r.name === name && r.podNamespace === namespace);
        if (rows.length === 0) {
          res.writeHead(404);
          return void res.end();
        }
      } else if (namespace) rows = rows.filter((r) => r.podNamespace === namespace);
      return text(200, `${JSON.stringify(rows)}\n`);
    }
    return text(404, '404 page not found\n');
  }
}
