/**
 * The simulated Kubernetes API server of one scenario, on 127.0.0.1 over HTTPS: bearer-token
 * authentication, the API fault middleware (faults.ts), the route table (routes.ts), watch streams,
 * and exec over WebSocket (exec.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { makeTestPki, type TestPki } from '../certs.js';
import { SimCluster } from '../cluster.js';
import type { LabBackend } from '../lab-backend.js';
import type { Scenario } from '../scenario.js';
import { AgentApiServer } from './agent-api.js';
import { ExecSessions } from './exec.js';
import { decodeProtobufObject } from './protobuf.js';
import { discovery, matchRoute, type Answer } from './routes.js';
import { HttpStatus, statusBody, type Json } from './status.js';

export const DEFAULT_TOKEN = 'mcastctl-sim-token';

export interface SimServerOptions {
  pki?: TestPki;
  port?: number;
  /** Real network namespaces behind the Nodes the scenario marks "lab: true". */
  lab?: LabBackend;
}

export class SimApiServer {
  readonly cluster: SimCluster;
  readonly token: string;
  readonly pki: TestPki;
  private server!: Server;
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : protocols.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false),
  });
  private readonly sockets = new Set<Duplex>();
  private readonly watches = new Set<ServerResponse>();
  private readonly exec: ExecSessions;
  readonly agentApis = new Map<string, AgentApiServer>();
  port = 0;

  constructor(scenario: Scenario, options: SimServerOptions = {}) {
    this.cluster = new SimCluster(scenario);
    const unbacked = scenario.nodes.filter((n) => n.lab && !options.lab?.has(n.name)).map((n) => n.name);
    if (unbacked.length > 0) throw new Error(`scenario: Nodes ${unbacked.join(', ')} are lab-backed but no lab was given`);
    this.token = scenario.token ?? DEFAULT_TOKEN;
    this.pki = options.pki ?? makeTestPki();
    this.exec = new ExecSessions(this.cluster, this.wss, options.lab);
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<void> {
    this.server = createServer({ cert: this.pki.certPem, key: this.pki.keyPem }, (req, res) => void this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => {
      if (!this.authorised(req)) return this.exec.reject(req, socket, new HttpStatus(401, 'Unauthorized', 'Unauthorized'));
      void this.exec.upgrade(req, socket, head);
    });
    const track = (s: Duplex) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    };
    this.server.on('connection', track);
    this.server.on('secureConnection', track);
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    if (this.cluster.scenario.agentApi) {
      // Agents sign with their own CA, published in AntreaAgentInfo.apiCABundle (SAN localhost).
      const agentPki = makeTestPki();
      this.cluster.agentApiCaPem = agentPki.caPem;
      for (const agent of this.cluster.agents.values()) {
        const host = agent.node.internalIP ?? '';
        if (!host.startsWith('127.')) throw new Error(`scenario: agentApi needs loopback InternalIPs, ${agent.node.name} has "${host}"`);
        const api = new AgentApiServer(this.cluster, agent, agentPki);
        await api.start(host);
        agent.apiPort = api.port;
        this.agentApis.set(agent.node.name, api);
      }
    }
  }

  async stop(): Promise<void> {
    this.cluster.stop();
    await Promise.all([...this.agentApis.values()].map((a) => a.stop()));
    for (const w of this.watches) w.end();
    for (const client of this.wss.clients) client.terminate();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A kubeconfig for this server; user "sim" with the right token unless told otherwise. */
  kubeconfig(options: { token?: string; namespace?: string } = {}): string {
    const ca = Buffer.from(this.pki.caPem).toString('base64');
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: sim',
      '  cluster:',
      `    server: ${this.url}`,
      `    certificate-authority-data: ${ca}`,
      'contexts:',
      '- name: sim',
      `  context: {cluster: sim, user: sim, namespace: ${options.namespace ?? 'default'}}`,
      'current-context: sim',
      'users:',
      '- name: sim',
      `  user: {token: ${options.token ?? this.token}}`,
      '',
    ].join('\n');
  }

  private authorised(req: IncomingMessage): boolean {
    return req.headers.authorization === `Bearer ${this.token}`;
  }

  private send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    let status = 200;
    const { cluster } = this;
    try {
      if (path !== '/version' && !this.authorised(req)) throw new HttpStatus(401, 'Unauthorized', 'Unauthorized');
      for (const action of await cluster.faults.apiRequest({ method, path })) {
        if (action.kind === 'delete-node') cluster.deleteNode(action.node);
        else if (action.kind === 'drop') {
          status = 0;
          req.socket.destroy();
          return;
        } else {
          status = action.code;
          const body = action.body ?? '';
          res.writeHead(action.code, { 'Content-Type': action.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(body), ...action.headers });
          res.end(body);
          return;
        }
      }
      let body: Buffer | string | undefined = method === 'GET' ? undefined : await readBody(req);
      if (body !== undefined && String(req.headers['content-type'] ?? '').startsWith('application/vnd.kubernetes.protobuf')) {
        try {
          body = JSON.stringify(decodeProtobufObject(body as Buffer));
        } catch (err) {
          throw new HttpStatus(415, 'UnsupportedMediaType', `the body of the request was in an unknown format: ${(err as Error).message}`);
        }
      }
      const answer = this.answer(method, path, url.searchParams, req, body);
      if ('raw' in answer && typeof answer.raw === 'string') {
        res.writeHead(200, { 'Content-Type': answer.contentType ?? 'text/plain', 'Content-Length': Buffer.byteLength(answer.raw) });
        res.end(answer.raw);
        return;
      }
      if ('watch' in answer && answer.watch && typeof answer.watch === 'object' && 'filter' in answer.watch) {
        this.stream(res, answer.watch as { resource: string; namespace?: string; filter: (o: Json) => boolean }, url.searchParams);
        return;
      }
      this.send(res, 200, answer);
    } catch (err) {
      const e = err instanceof HttpStatus ? err : new HttpStatus(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`);
      status = e.code;
      this.send(res, e.code, statusBody(e));
    } finally {
      cluster.requestLog.push({ method, path: `${path}${url.search}`, status });
    }
  }

  private answer(method: string, path: string, query: URLSearchParams, req: IncomingMessage, raw?: Buffer | string): Answer {
    const body = raw === undefined ? undefined : raw.toString();
    const { cluster } = this;
    if (path === '/version') {
      const minor = String(cluster.scenario.kubernetesMinor ?? 32);
      return { major: '1', minor, gitVersion: `v1.${minor}.5`, gitCommit: 'simulated', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.23.8', compiler: 'gc', platform: 'linux/amd64' };
    }
    const found = discovery(cluster, path, `127.0.0.1:${this.port}`);
    if (found && method === 'GET') return found;
    const match = matchRoute(cluster, method, path);
    if (!match) throw new HttpStatus(404, 'NotFound', 'the server could not find the requested resource');
    return match.route.handler({ cluster, method, params: match.params, query, headers: req.headers, body, serverAddress: `127.0.0.1:${this.port}` });
  }

  /** A watch: one JSON event per line, starting with the matching objects unless a resourceVersion is given. */
  private stream(res: ServerResponse, watch: { resource: string; namespace?: string; filter: (o: Json) => boolean }, query: URLSearchParams): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    this.watches.add(res);
    const write = (type: string, object: Json) => res.write(`${JSON.stringify({ type, object })}\n`);
    const from = query.get('resourceVersion');
    if (!from || from === '0') for (const o of this.cluster.store.list(watch.resource, watch.namespace).filter(watch.filter)) write('ADDED', o);
    const stop = this.cluster.store.watch((event) => {
      if (event.resource === watch.resource && (!watch.namespace || event.object.metadata?.namespace === watch.namespace) && watch.filter(event.object)) write(event.type, event.object);
    });
    const timeout = Number(query.get('timeoutSeconds') ?? '0');
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    timer?.unref();
    res.on('close', () => {
      stop();
      if (timer) clearTimeout(timer);
      this.watches.delete(res);
    });
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
