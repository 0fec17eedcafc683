/**
 * A fault-injecting API server in front of the simulated cluster: mcastctl talks to it over TLS
 * exactly as to the simulator, and each request (and each exec WebSocket upgrade) is matched
 * against rules that may answer any status and body, reset the connection, take the whole API
 * server away at the N-th matching request, hold a request or an upgrade, run a hook (delete a
 * Node mid-run), or answer an exec itself with any output (HTML, binary, 10 MB, truncated) or
 * none at all. What no rule claims is forwarded to the simulator unchanged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, createServer, request, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TestPki } from '../sim/certs.js';

export type FaultAction =
  /** Answer with this status and body (default: a JSON Status of that code). */
  | { kind: 'status'; status: number; body?: string; contentType?: string; headers?: Record<string, string> }
  /** Close the client's connection without an answer (a reset in the middle of a request). */
  | { kind: 'drop' }
  /** The API server goes away: this connection and every open one is cut, later ones are refused. */
  | { kind: 'kill' }
  /** Hold the request (or the WebSocket upgrade) this long, then forward it. */
  | { kind: 'delay'; ms: number }
  /** Run a hook (e.g. delete a Node in the simulator), then forward. */
  | { kind: 'hook'; run: () => void | Promise<void> }
  /** Answer an exec upgrade ourselves: this stdout/stderr and exit code, or never anything (hang). */
  | { kind: 'exec'; stdout?: string | Buffer; stderr?: string; exitCode?: number; hang?: boolean };

export interface FaultRule {
  method?: string;
  /** Tested against the path with its query string. */
  path?: RegExp;
  /** Only exec upgrades into this Node's antrea-agent Pod. */
  node?: string;
  /** Only WebSocket upgrades (exec), or only plain requests. */
  upgrade?: boolean;
  /** Applies from the n-th matching request on (1-based; default 1). */
  nth?: number;
  /** Applies this many times (default: every time). */
  times?: number;
  action: FaultAction;
}

interface LiveRule extends FaultRule {
  seen: number;
  applied: number;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  upgrade: boolean;
  /** The request's header lines as sent: [name, value, name, value, …]. */
  rawHeaders: string[];
}

/** The JSON Status body the API server sends with an error code. */
export function statusJson(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

const reasons: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable' };

export class FaultProxy {
  private server?: Server;
  private readonly sockets = new Set<Duplex>();
  private readonly rules: LiveRule[] = [];
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : p.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false) });
  private readonly upstreamAgent: Agent;
  private podNodes = new Map<string, string>();
  /** Every request seen, in order (plain and upgrades). */
  readonly log: ProxiedRequest[] = [];
  killed = false;
  port = 0;

  constructor(
    private readonly upstreamPort: number,
    private readonly pki: TestPki,
    private readonly token: string,
  ) {
    // No keep-alive to the simulator: a reused idle socket it closed meanwhile would look like an injected reset.
    this.upstreamAgent = new Agent({ ca: pki.caPem, keepAlive: false });
  }

  /** Adds rules; the first matching rule that still applies wins. */
  add(...rules: FaultRule[]): this {
    this.rules.push(...rules.map((r) => ({ ...r, seen: 0, applied: 0 })));
    return this;
  }

  async start(): Promise<void> {
    this.server = createServer({ cert: this.pki.certPem, key: this.pki.keyPem }, (req, res) => void this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => void this.upgrade(req, socket, head));
    const track = (s: Duplex) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {});
    };
    this.server.on('connection', track);
    this.server.on('secureConnection', track);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** The simulator's kubeconfig pointed at this proxy. */
  kubeconfig(simKubeconfig: string): string {
    return simKubeconfig.replace(`https://127.0.0.1:${this.upstreamPort}`, `https://127.0.0.1:${this.port}`);
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    for (const s of this.sockets) s.destroy();
    this.upstreamAgent.destroy();
    if (this.server?.listening) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private kill(): void {
    this.killed = true;
    this.server?.close();
    for (const client of this.wss.clients) client.terminate();
    for (const s of this.sockets) s.destroy();
  }

  private async match(req: IncomingMessage, upgrade: boolean): Promise<LiveRule | undefined> {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    this.log.push({ method, path, upgrade, rawHeaders: req.rawHeaders });
    let node: string | undefined;
    const pod = /\/pods\/([^/]+)\/exec/.exec(path)?.[1];
    if (pod && this.rules.some((r) => r.node)) node = await this.nodeOf(pod);
    for (const rule of this.rules) {
      if (rule.method !== undefined && rule.method !== method) continue;
      if (rule.path !== undefined && !rule.path.test(path)) continue;
      if (rule.upgrade !== undefined && rule.upgrade !== upgrade) continue;
      if (rule.node !== undefined && rule.node !== node) continue;
      rule.seen++;
      if (rule.seen < (rule.nth ?? 1)) continue;
      if (rule.times !== undefined && rule.applied >= rule.times) continue;
      rule.applied++;
      return rule;
    }
    return undefined;
  }

  /** The Node of an agent Pod, asked of the simulator itself (as any client would). */
  private async nodeOf(pod: string): Promise<string | undefined> {
    if (!this.podNodes.has(pod)) {
      const list = JSON.parse(await this.upstreamGet('/api/v1/pods')) as { items: Array<{ metadata: { name: string }; spec: { nodeName?: string } }> };
      this.podNodes = new Map(list.items.map((p) => [p.metadata.name, p.spec.nodeName ?? '']));
    }
    return this.podNodes.get(pod);
  }

  /** A GET straight to the simulator (not through the rules), e.g. to read a ConfigMap after a cell. */
  upstreamGet(path: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port: this.upstreamPort, path, agent: this.upstreamAgent, headers: { Authorization: `Bearer ${this.token}` } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      });
      r.on('error', reject);
      r.end();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rule = await this.match(req, false);
    if (rule && (await this.act(rule, req.socket))) {
      const a = rule.action;
      if (a.kind === 'status') {
        const body = a.body ?? statusJson(a.status, reasons[a.status] ?? 'Unknown', `injected ${a.status}`);
        res.writeHead(a.status, { 'Content-Type': a.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(body), ...a.headers });
        res.end(body);
      }
      return;
    }
    const up = request(
      { host: '127.0.0.1', port: this.upstreamPort, method: req.method, path: req.url, headers: req.headers, agent: this.upstreamAgent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => req.socket.destroy());
    req.pipe(up);
  }

  /** Runs what a rule says before (or instead of) forwarding; true when the request is answered or gone. */
  private async act(rule: LiveRule, socket: Duplex): Promise<boolean> {
    const a = rule.action;
    switch (a.kind) {
      case 'delay':
        await new Promise((r) => setTimeout(r, a.ms));
        return this.killed || socket.destroyed;
      case 'hook':
        await a.run();
        return false;
      case 'drop':
        socket.destroy();
        return true;
      case 'kill':
        this.kill();
        return true;
      default:
        return true;
    }
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const rule = await this.match(req, true);
    if (rule) {
      const a = rule.action;
      if (a.kind === 'exec') return this.fakeExec(req, socket, head, a);
      if (a.kind === 'status') {
        const body = a.body ?? statusJson(a.status, reasons[a.status] ?? 'Unknown', `injected ${a.status}`);
        const headers = Object.entries(a.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('');
        socket.end(`HTTP/1.1 ${a.status} ${reasons[a.status] ?? 'Error'}\r\nContent-Type: ${a.contentType ?? 'application/json'}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}Connection: close\r\n\r\n${body}`);
        return;
      }
      if (await this.act(rule, socket)) return;
    }
    const upstream = connect({ host: '127.0.0.1', port: this.upstreamPort, ca: this.pki.caPem, servername: 'localhost' }, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      socket.destroy();
    });
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  }

  private fakeExec(req: IncomingMessage, socket: Duplex, head: Buffer, a: Extract<FaultAction, { kind: 'exec' }>): void {
    this.wss.handleUpgrade(req, socket as Socket, head, (ws: WebSocket) => {
      if (a.hang) return;
      const frame = (channel: number, data: string | Buffer) => {
        const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
        // Big outputs arrive as a real kubelet sends them: many frames, not one.
        for (let at = 0; at < payload.length || at === 0; at += 64 * 1024) {
          const part = payload.subarray(at, at + 64 * 1024);
          const buf = Buffer.allocUnsafe(part.length + 1);
          buf[0] = channel;
          part.copy(buf, 1);
          ws.send(buf, { binary: true });
          if (payload.length === 0) break;
        }
      };
      if (a.stdout !== undefined && a.stdout.length > 0) frame(1, a.stdout);
      if (a.stderr) frame(2, a.stderr);
      const code = a.exitCode ?? 0;
      frame(
        3,
        JSON.stringify(
          code === 0
            ? { metadata: {}, status: 'Success' }
            : { metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: exit code ${code}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] } },
        ),
      );
      ws.close(1000);
    });
  }
}
