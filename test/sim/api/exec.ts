/**
 * pods/exec over WebSocket (v5.channel.k8s.io, v4 for older clients): the Pod and container are
 * checked before the upgrade (a Status on the raw socket), then the exec fault middleware, a scenario's
 * execOverrides (captured real outputs), a lab-backed Node's real kernel, or the container image's
 * programs answer. The session ends with one status frame on channel 3 and close code 1000.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { isAbsolute, join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { SimCluster } from '../cluster.js';
import { AGENT_CONTAINER } from '../controllers/kubelet.js';
import { runsInLab, type LabBackend } from '../lab-backend.js';
import { runProgram, RuntimeExecError, type ShellResult } from '../programs/index.js';
import type { ExecOverride } from '../scenario.js';
import { HttpStatus, notFound, statusBody, type Json } from './status.js';

export class ExecSessions {
  constructor(
    private readonly cluster: SimCluster,
    private readonly wss: WebSocketServer,
    private readonly lab?: LabBackend,
  ) {}

  /** Answers an upgrade request with a Status instead of 101. */
  reject(req: IncomingMessage, socket: Duplex, err: HttpStatus): void {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const text = JSON.stringify(statusBody(err));
    socket.end(`HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    this.cluster.requestLog.push({ method: 'GET', path: `${url.pathname}${url.search}`, status: err.code });
  }

  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { cluster } = this;
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
    if (!m) return this.reject(req, socket, new HttpStatus(404, 'NotFound', 'the server could not find the requested resource'));
    const [, namespace, podName] = m;
    const pod = cluster.store.get('pods', namespace, podName);
    if (!pod) return this.reject(req, socket, notFound('pods', podName));
    const containers: string[] = pod.spec.containers.map((x: Json) => x.name);
    const container = url.searchParams.get('container') || pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'] || containers[0];
    if (!containers.includes(container)) return this.reject(req, socket, new HttpStatus(400, 'BadRequest', `container ${container} is not valid for pod ${podName}`));
    const node = pod.spec.nodeName as string | undefined;
    const isAgent = pod.metadata.labels?.component === 'antrea-agent' && container === AGENT_CONTAINER;
    for (const action of await cluster.faults.apiRequest({ method: 'GET', path: url.pathname, node: isAgent ? node : undefined })) {
      if (action.kind === 'delete-node') cluster.deleteNode(action.node);
      else if (action.kind === 'drop') return void socket.destroy();
      else {
        const body = action.body ?? '';
        socket.end(`HTTP/1.1 ${action.code} Fault\r\nContent-Type: ${action.contentType ?? 'application/json'}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${Object.entries(action.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('')}Connection: close\r\n\r\n${body}`);
        cluster.requestLog.push({ method: 'GET', path: `${url.pathname}${url.search}`, status: action.code });
        return;
      }
    }
    const runtime = cluster.kubelet.runtime(namespace, podName);
    const c = runtime?.containers.find((x) => x.name === container);
    // A container that is not running has nothing to exec into; a simulated agent that is not Ready
    // (starting, or held so by the scenario) is treated the same way.
    if (!runtime || !c || !c.running || (isAgent && !cluster.kubelet.containerReady(runtime, c))) {
      return this.reject(req, socket, new HttpStatus(500, 'InternalError', `Internal error occurred: unable to upgrade connection: container not found ("${container}")`));
    }
    const hold = cluster.faults.upgradeDelay({ node: isAgent ? node : undefined, path: url.pathname });
    if (hold > 0) await new Promise((r) => setTimeout(r, hold));
    const argv = url.searchParams.getAll('command');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      cluster.requestLog.push({ method: 'GET', path: `${url.pathname}${url.search}`, status: 101 });
      void this.session(ws, { namespace, podName, container, node, isAgent, image: c.image }, argv);
    });
  }

  private override(node: string | undefined, argv: string[]): ShellResult | undefined {
    const entry = (this.cluster.scenario.execOverrides ?? []).find(
      (o: ExecOverride) => (o.node === undefined || o.node === node) && o.argv.length === argv.length && o.argv.every((a, i) => a === argv[i]),
    );
    if (!entry) return undefined;
    let stdout = entry.stdout ?? '';
    if (entry.stdoutFile !== undefined) {
      const dir = this.cluster.scenario.scenarioDir ?? process.cwd();
      stdout = readFileSync(isAbsolute(entry.stdoutFile) ? entry.stdoutFile : join(dir, entry.stdoutFile), 'utf8');
    }
    return { stdout, stderr: entry.stderr ?? '', exitCode: entry.exitCode ?? 0 };
  }

  private async session(ws: WebSocket, target: { namespace: string; podName: string; container: string; node?: string; isAgent: boolean; image: string }, argv: string[]): Promise<void> {
    const { cluster } = this;
    const node = target.isAgent ? target.node : undefined;
    const fault = await cluster.faults.execSession({ node });
    if (fault?.kind === 'hang') return; // never answers; the client's deadline must act
    const latency = cluster.scenario.execLatencyMs;
    if (latency) await new Promise((r) => setTimeout(r, latency[0] + Math.random() * (latency[1] - latency[0])));
    let result: ShellResult | undefined;
    if (fault?.kind === 'exit') result = { stdout: '', stderr: fault.stderr, exitCode: fault.exitCode };
    else if (fault?.kind === 'output') result = { stdout: fault.stdout, stderr: '', exitCode: fault.exitCode };
    else if (target.isAgent) result = this.override(target.node, argv);
    if (!result && target.isAgent && node && cluster.nodeState(node)?.spec.lab && this.lab?.has(node) && argv[0] !== 'antctl') {
      // Files of the agent container itself (its antrea-agent.conf) are the simulated container's.
      const containerFiles = argv[0] === 'cat' && argv.length > 1 && argv.slice(1).every((f) => !f.startsWith('/proc/') && !f.startsWith('/sys/'));
      if (runsInLab(argv)) result = await this.lab.exec(node, argv);
      else if (!containerFiles) result = { stdout: '', stderr: `lab: "${argv.join(' ')}" is not on the allow-list of commands run in a Node namespace\n`, exitCode: 126 };
    }
    if (!result) {
      const runtime = cluster.kubelet.runtime(target.namespace, target.podName);
      if (!runtime) {
        sendFrame(ws, 3, JSON.stringify({ metadata: {}, status: 'Failure', message: `Internal error occurred: container not found ("${target.container}")`, reason: 'InternalError', code: 500 }));
        return void ws.close(1000);
      }
      const closed = new AbortController();
      ws.once('close', () => closed.abort('the exec session closed'));
      try {
        result = await runProgram(
          { cluster, runtime, containerName: target.container, image: target.image, lab: this.lab, signal: closed.signal, stdout: (chunk) => sendFrame(ws, 1, chunk) },
          argv,
        );
      } catch (err) {
        if (!(err instanceof RuntimeExecError)) throw err;
        sendFrame(ws, 3, JSON.stringify({ metadata: {}, status: 'Failure', message: `Internal error occurred: ${err.message}`, reason: 'InternalError', details: { causes: [{ message: err.message }] }, code: 500 }));
        ws.close(1000);
        return;
      }
    }
    if (result.stdout.length > 0) sendFrame(ws, 1, result.stdout);
    if (result.stderr) sendFrame(ws, 2, result.stderr);
    const status =
      result.exitCode === 0
        ? { metadata: {}, status: 'Success' }
        : {
            metadata: {}, status: 'Failure',
            message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${result.exitCode}`,
            reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(result.exitCode) }] },
          };
    sendFrame(ws, 3, JSON.stringify(status));
    ws.close(1000);
  }
}

/** One binary frame: the channel byte, then the payload (a fresh Buffer each time: ws does not copy). */
function sendFrame(ws: WebSocket, channel: number, data: string | Buffer): void {
  const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const frame = Buffer.allocUnsafe(payload.length + 1);
  frame[0] = channel;
  payload.copy(frame, 1);
  ws.send(frame, { binary: true });
}
