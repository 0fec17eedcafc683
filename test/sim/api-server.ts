import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { makeTestPki, type TestPki } from './certs.js';
import { ANTREA_NAMESPACE, SimCluster, type Json } from './cluster-state.js';
import { applyPatch } from './patch.js';
import { runArgv, RuntimeExecError, type ExecTarget, type ShellResult } from './agent-shell.js';
import { matchesFieldSelector, matchesLabelSelector } from './selectors.js';
import { multicastGroupTable, podTable } from './tables.js';
import type { Scenario } from './scenario.js';
import { runsInLab, type LabBackend } from './lab-backend.js';
import { AgentApiServer } from './agent-api.js';

export const DEFAULT_TOKEN = 'mcastctl-sim-token';

class HttpStatus extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Json,
  ) {
    super(message);
  }
}

const notFound = (kind: string, name: string, group = '') =>
  new HttpStatus(404, 'NotFound', `${kind}${group ? `.${group}` : ''} "${name}" not found`, { name, kind, ...(group ? { group } : {}) });

function statusBody(err: HttpStatus): Json {
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: err.message, reason: err.reason,
    ...(err.details ? { details: err.details } : {}), code: err.code,
  };
}

const resourceList = (groupVersion: string, resources: Json[]) => ({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources });
const res = (name: string, kind: string, namespaced: boolean, verbs: string[], shortNames?: string[]) => ({
  name, singularName: kind.toLowerCase(), namespaced, kind, verbs, ...(shortNames ? { shortNames } : {}),
});

const DISCOVERY: Record<string, Json> = {
  '/api/v1': resourceList('v1', [
    res('namespaces', 'Namespace', false, ['get', 'list'], ['ns']),
    res('nodes', 'Node', false, ['get', 'list'], ['no']),
    res('pods', 'Pod', true, ['get', 'list'], ['po']),
    { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
    res('configmaps', 'ConfigMap', true, ['get', 'list', 'patch', 'update'], ['cm']),
  ]),
  '/apis/apps/v1': resourceList('apps/v1', [
    res('daemonsets', 'DaemonSet', true, ['get', 'list', 'patch'], ['ds']),
    res('deployments', 'Deployment', true, ['get', 'list', 'patch'], ['deploy']),
  ]),
  '/apis/stats.antrea.io/v1alpha1': resourceList('stats.antrea.io/v1alpha1', [res('multicastgroups', 'MulticastGroup', false, ['get', 'list'])]),
  '/apis/crd.antrea.io/v1beta1': resourceList('crd.antrea.io/v1beta1', [res('antreaagentinfos', 'AntreaAgentInfo', false, ['get', 'list'], ['aai'])]),
  '/apis/apiextensions.k8s.io/v1': resourceList('apiextensions.k8s.io/v1', [res('customresourcedefinitions', 'CustomResourceDefinition', false, ['get', 'list'], ['crd', 'crds'])]),
};

const group = (name: string, version: string) => ({ name, versions: [{ groupVersion: `${name}/${version}`, version }], preferredVersion: { groupVersion: `${name}/${version}`, version } });

export interface SimServerOptions {
  pki?: TestPki;
  port?: number;
  /** Real network namespaces behind the Nodes the scenario marks "lab: true". */
  lab?: LabBackend;
}

/** The simulated Kubernetes API server of one scenario, on 127.0.0.1 over HTTPS. */
export class SimApiServer {
  readonly cluster: SimCluster;
  readonly token: string;
  readonly pki: TestPki;
  private server!: Server;
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : protocols.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false) });
  private readonly sockets = new Set<Duplex>();
  port = 0;

  private readonly lab?: LabBackend;
  readonly agentApis = new Map<string, AgentApiServer>();

  constructor(scenario: Scenario, options: SimServerOptions = {}) {
    this.cluster = new SimCluster(scenario);
    this.lab = options.lab;
    const unbacked = scenario.nodes.filter((n) => n.lab && !options.lab?.has(n.name)).map((n) => n.name);
    if (unbacked.length > 0) throw new Error(`scenario: Nodes ${unbacked.join(', ')} are lab-backed but no lab was given`);
    this.token = scenario.token ?? DEFAULT_TOKEN;
    this.pki = options.pki ?? makeTestPki();
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<void> {
    this.server = createServer({ cert: this.pki.certPem, key: this.pki.keyPem }, (req, res) => void this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => void this.upgrade(req, socket, head));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('secureConnection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
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
    await Promise.all([...this.agentApis.values()].map((a) => a.stop()));
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

  private async applyApiFaults(method: string, path: string, node?: string): Promise<{ code: number; headers?: Record<string, string> } | undefined> {
    const where = { path, method, node };
    const slow = this.cluster.takeFault(['slow'], where);
    if (slow) await new Promise((r) => setTimeout(r, slow.delayMs ?? 500));
    if (this.cluster.takeFault(['unauthorized'], where)) return { code: 401 };
    if (this.cluster.takeFault(['forbidden'], where)) return { code: 403 };
    const throttle = this.cluster.takeFault(['too-many-requests'], where);
    if (throttle) return { code: 429, headers: { 'Retry-After': String(throttle.retryAfterSeconds ?? 1) } };
    if (this.cluster.takeFault(['server-error'], where)) return { code: 500 };
    return undefined;
  }

  private faultError(code: number, path: string): HttpStatus {
    if (code === 403) return new HttpStatus(403, 'Forbidden', `${path} is forbidden: User "sim" cannot access this resource`);
    if (code === 429) return new HttpStatus(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 });
    return new HttpStatus(500, 'InternalError', 'Internal error occurred: simulated server failure');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    let status = 200;
    try {
      if (path !== '/version' && !this.authorised(req)) {
        status = 401;
        this.send(res, 401, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
        return;
      }
      const fault = await this.applyApiFaults(method, path);
      if (fault) {
        status = fault.code;
        if (fault.code === 401) throw new HttpStatus(401, 'Unauthorized', 'Unauthorized');
        const err = this.faultError(fault.code, path);
        this.send(res, fault.code, statusBody(err), fault.headers);
        return;
      }
      const body = method === 'GET' ? undefined : await readBody(req);
      const answer = this.route(method, path, url.searchParams, req.headers, body);
      if (answer && typeof answer === 'object' && '__raw' in answer) {
        const text = String((answer as { __raw: string }).__raw);
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      this.send(res, 200, answer);
    } catch (err) {
      const e = err instanceof HttpStatus ? err : new HttpStatus(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`);
      status = e.code;
      this.send(res, e.code, statusBody(e));
    } finally {
      this.cluster.requestLog.push({ method, path: `${path}${url.search}`, status });
    }
  }

  private route(method: string, path: string, query: URLSearchParams, headers: IncomingMessage['headers'], body?: string): unknown {
    const c = this.cluster;
    if (path === '/version') {
      const minor = String(c.scenario.kubernetesMinor ?? 32);
      return { major: '1', minor, gitVersion: `v1.${minor}.5`, gitCommit: 'simulated', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.23.8', compiler: 'gc', platform: 'linux/amd64' };
    }
    if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${this.port}` }] };
    if (path === '/apis') {
      const groups = [group('apps', 'v1'), group('stats.antrea.io', 'v1alpha1'), group('crd.antrea.io', 'v1beta1'), group('apiextensions.k8s.io', 'v1')];
      if (c.scenario.tkgs?.crd) groups.push(group('cni.tanzu.vmware.com', 'v1alpha1'));
      return { kind: 'APIGroupList', apiVersion: 'v1', groups };
    }
    if (DISCOVERY[path]) return DISCOVERY[path];
    if (path === '/apis/cni.tanzu.vmware.com/v1alpha1' && c.scenario.tkgs?.crd) {
      return resourceList('cni.tanzu.vmware.com/v1alpha1', [res('antreaconfigs', 'AntreaConfig', true, ['get', 'list', 'create', 'patch'], ['antreaconf'])]);
    }

    const list = (kind: string, apiVersion: string, items: Json[]) => ({ kind, apiVersion, metadata: { resourceVersion: String(c.nextRvPeek()) }, items });
    let m: RegExpExecArray | null;

    if (path === '/api/v1/namespaces') return list('NamespaceList', 'v1', [...c.namespaces].map((n) => namespaceObject(n)));
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(path))) {
      if (!c.namespaces.has(m[1])) throw notFound('namespaces', m[1]);
      return namespaceObject(m[1]);
    }
    if (path === '/api/v1/nodes') {
      const nodes = c.nodes.map((n) => nodeObject(n)).filter((n) => matchesLabelSelector(n.metadata.labels, query.get('labelSelector') ?? ''));
      return list('NodeList', 'v1', nodes);
    }
    if ((m = /^\/api\/v1\/nodes\/([^/]+)$/.exec(path))) {
      const node = c.nodes.find((n) => n.name === m![1]);
      if (!node) throw notFound('nodes', m[1]);
      return nodeObject(node);
    }
    if (path === '/api/v1/pods' || (m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path))) {
      const namespace = m?.[1];
      if (namespace && !c.namespaces.has(namespace)) return { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: String(c.nextRvPeek()) }, items: [] };
      const selected = c
        .pods()
        .filter((p) => (namespace ? p.metadata.namespace === namespace : true))
        .filter((p) => matchesLabelSelector(p.metadata.labels, query.get('labelSelector') ?? ''))
        .filter((p) => matchesFieldSelector(p, query.get('fieldSelector') ?? ''));
      const { items, next } = paginate(selected, query);
      if (String(headers.accept ?? '').includes('as=Table')) return podTable(items, next);
      return { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: String(c.nextRvPeek()), ...(next ? { continue: next } : {}) }, items };
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(path))) {
      const pod = c.findPod(m[1], m[2]);
      if (!pod) throw notFound('pods', m[2]);
      const agent = c.findAgentByPod(m[2]);
      const lines = agent?.node.agent?.logs ?? [];
      const tail = Number(query.get('tailLines') ?? lines.length);
      return { __raw: lines.slice(-tail).map((l) => `${l}\n`).join('') };
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(path))) {
      const pod = c.findPod(m[1], m[2]);
      if (!pod) throw notFound('pods', m[2]);
      return pod;
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)\/token$/.exec(path)) && method === 'POST') {
      if (m[2] !== 'antctl' || m[1] !== ANTREA_NAMESPACE) throw notFound('serviceaccounts', m[2]);
      const request = JSON.parse(body ?? '{}') as Json;
      const token = `sa-${m[2]}-${c.nextRv()}-${Math.random().toString(36).slice(2)}`;
      c.issuedTokens.set(token, `${m[1]}/${m[2]}`);
      const seconds = request.spec?.expirationSeconds ?? 3600;
      return { kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: { name: m[2], namespace: m[1] }, spec: request.spec ?? {}, status: { token, expirationTimestamp: new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z') } };
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps$/.exec(path))) {
      if (method === 'POST') return this.create(c.configMaps, m[1], body ?? '', 'configmaps');
      return list('ConfigMapList', 'v1', [...c.configMaps.values()].filter((cm) => cm.metadata.namespace === m![1]));
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/]+)$/.exec(path))) {
      const key = `${m[1]}/${m[2]}`;
      const cm = c.configMaps.get(key);
      if (!cm) throw notFound('configmaps', m[2]);
      if (method === 'GET') return cm;
      if (method === 'PATCH' || method === 'PUT') return this.write(c.configMaps, key, cm, method, headers, body ?? '', 'configmaps');
      throw new HttpStatus(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    }
    if ((m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(daemonsets|deployments)(?:\/([^/]+))?$/.exec(path))) {
      const store = m[2] === 'daemonsets' ? c.daemonSets : c.deployments;
      if (!m[3] && method === 'POST') return this.create(store, m[1], body ?? '', m[2]);
      if (!m[3]) return list(m[2] === 'daemonsets' ? 'DaemonSetList' : 'DeploymentList', 'apps/v1', [...store.values()].filter((o) => o.metadata.namespace === m![1]));
      const key = `${m[1]}/${m[3]}`;
      const obj = store.get(key);
      if (!obj) throw notFound(`${m[2]}.apps`.replace('.apps', ''), m[3], 'apps');
      if (method === 'GET') return obj;
      if (method === 'PATCH' || method === 'PUT') {
        const before = JSON.stringify(obj.spec.template);
        const updated = this.write(store, key, obj, method, headers, body ?? '', m[2]);
        if (JSON.stringify(updated.spec.template) !== before) {
          updated.metadata.generation = (updated.metadata.generation ?? 1) + 1;
          if (m[2] === 'daemonsets' && m[3] === 'antrea-agent') c.restartAgents();
          if (m[2] === 'deployments' && m[3] === 'antrea-controller') c.restartController();
          c.refreshWorkloadStatus();
        }
        return updated;
      }
      throw new HttpStatus(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
    if (path === '/apis/stats.antrea.io/v1alpha1/multicastgroups') {
      if (String(headers.accept ?? '').includes('as=Table')) return multicastGroupTable(c.multicastGroups());
      return { kind: 'MulticastGroupList', apiVersion: 'stats.antrea.io/v1alpha1', metadata: {}, items: c.multicastGroups().map(({ kind: _k, apiVersion: _a, ...rest }) => rest) };
    }
    if ((m = /^\/apis\/stats\.antrea\.io\/v1alpha1\/multicastgroups\/([^/]+)$/.exec(path))) {
      const found = c.multicastGroups().find((g) => g.group === m![1]);
      if (!found) throw new HttpStatus(404, 'NotFound', `multicastgroup.stats.antrea.io "${m[1]}" not found`, { name: m[1], group: 'stats.antrea.io', kind: 'multicastgroup' });
      return found;
    }
    if ((m = /^\/apis\/apiextensions\.k8s\.io\/v1\/customresourcedefinitions\/([^/]+)$/.exec(path))) {
      if (m[1] === 'antreaconfigs.cni.tanzu.vmware.com' && c.scenario.tkgs?.crd) {
        return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: m[1] }, spec: { group: 'cni.tanzu.vmware.com', names: { kind: 'AntreaConfig', plural: 'antreaconfigs' }, scope: 'Namespaced' } };
      }
      throw notFound('customresourcedefinitions', m[1], 'apiextensions.k8s.io');
    }
    if (c.scenario.tkgs?.crd && (m = /^\/apis\/cni\.tanzu\.vmware\.com\/v1alpha1\/namespaces\/([^/]+)\/antreaconfigs(?:\/([^/]+))?$/.exec(path))) {
      if (!m[2]) {
        if (method === 'POST') return this.create(c.antreaConfigs, m[1], body ?? '', 'antreaconfigs');
        return list('AntreaConfigList', 'cni.tanzu.vmware.com/v1alpha1', [...c.antreaConfigs.values()].filter((o) => o.metadata.namespace === m![1]));
      }
      const key = `${m[1]}/${m[2]}`;
      const obj = c.antreaConfigs.get(key);
      if (!obj) throw notFound('antreaconfigs', m[2], 'cni.tanzu.vmware.com');
      if (method === 'GET') return obj;
      if (method === 'PATCH') return this.write(c.antreaConfigs, key, obj, method, headers, body ?? '', 'antreaconfigs');
      throw new HttpStatus(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
    if (path === '/apis/crd.antrea.io/v1beta1/antreaagentinfos') {
      return list('AntreaAgentInfoList', 'crd.antrea.io/v1beta1', [...c.agents.values()].map((a) => c.agentInfo(a)));
    }
    if ((m = /^\/apis\/crd\.antrea\.io\/v1beta1\/antreaagentinfos\/([^/]+)$/.exec(path))) {
      const agent = c.agents.get(m[1]);
      if (!agent) throw notFound('antreaagentinfos', m[1], 'crd.antrea.io');
      return c.agentInfo(agent);
    }
    throw new HttpStatus(404, 'NotFound', 'the server could not find the requested resource');
  }

  private create(store: Map<string, Json>, namespace: string, body: string, resource: string): Json {
    const object = JSON.parse(body) as Json;
    const name = object.metadata?.name;
    if (!name) throw new HttpStatus(422, 'Invalid', `${resource} is invalid: metadata.name: Required value: name or generateName is required`);
    const key = `${namespace}/${name}`;
    if (store.has(key)) throw new HttpStatus(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource });
    object.metadata = { ...object.metadata, namespace, uid: `uid-${this.cluster.nextRv()}`, creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), resourceVersion: this.cluster.nextRv() };
    if (resource === 'daemonsets' || resource === 'deployments') object.metadata.generation = 1;
    store.set(key, object);
    return object;
  }

  /** PATCH or PUT with optimistic concurrency: a stale resourceVersion is a 409, a no-op keeps the version. */
  private write(store: Map<string, Json>, key: string, current: Json, method: string, headers: IncomingMessage['headers'], body: string, resource: string): Json {
    let next: Json;
    if (method === 'PUT') {
      next = JSON.parse(body) as Json;
    } else {
      next = applyPatch(current, String(headers['content-type'] ?? ''), body, (code, message) => new HttpStatus(code, code === 415 ? 'UnsupportedMediaType' : 'BadRequest', message));
    }
    const requested = next.metadata?.resourceVersion;
    const name = current.metadata.name;
    if (requested !== undefined && requested !== current.metadata.resourceVersion) {
      throw new HttpStatus(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: resource });
    }
    const conflict = this.cluster.takeFault(['conflict'], { path: `${resource}/${name}` });
    if (conflict) {
      // A concurrent writer got in first: its change lands and the version moves on.
      if (conflict.concurrentData) current.data = { ...current.data, ...conflict.concurrentData };
      current.metadata.resourceVersion = this.cluster.nextRv();
      throw new HttpStatus(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: resource });
    }
    next.metadata = { ...next.metadata, name, namespace: current.metadata.namespace, uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp };
    // Fields the server owns survive a PUT that does not carry them.
    if (current.metadata.generation !== undefined) next.metadata.generation = current.metadata.generation;
    if (method === 'PUT' && current.status !== undefined && next.status === undefined) next.status = current.status;
    const { resourceVersion: _a, ...nextMeta } = next.metadata;
    const { resourceVersion: _b, ...currentMeta } = current.metadata;
    const unchanged = JSON.stringify({ ...next, metadata: nextMeta }) === JSON.stringify({ ...current, metadata: currentMeta });
    next.metadata.resourceVersion = unchanged ? current.metadata.resourceVersion : this.cluster.nextRv();
    store.set(key, next);
    return next;
  }

  // ---- exec -----------------------------------------------------------------------------------

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const reject = (err: HttpStatus) => {
      const text = JSON.stringify(statusBody(err));
      socket.end(`HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
      this.cluster.requestLog.push({ method: 'GET', path: `${url.pathname}${url.search}`, status: err.code });
    };
    if (!this.authorised(req)) return reject(new HttpStatus(401, 'Unauthorized', 'Unauthorized'));
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
    if (!m) return reject(new HttpStatus(404, 'NotFound', 'the server could not find the requested resource'));
    const [, namespace, podName] = m;
    const pod = this.cluster.findPod(namespace, podName);
    if (!pod) return reject(notFound('pods', podName));
    const containers: string[] = pod.spec.containers.map((x: Json) => x.name);
    const container = url.searchParams.get('container') || containers[0];
    if (!containers.includes(container)) return reject(new HttpStatus(400, 'BadRequest', `container ${container} is not valid for pod ${podName}`));
    const agent = this.cluster.findAgentByPod(podName);
    const fault = await this.applyApiFaults('GET', url.pathname, agent?.node.name);
    if (fault) {
      if (fault.code === 401) return reject(new HttpStatus(401, 'Unauthorized', 'Unauthorized'));
      return reject(this.faultError(fault.code, `pods "${podName}"`));
    }
    if (agent && !this.cluster.agentReady(agent)) {
      return reject(new HttpStatus(500, 'InternalError', `Internal error occurred: unable to upgrade connection: container not found ("${container}")`));
    }
    const argv = url.searchParams.getAll('command');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.cluster.requestLog.push({ method: 'GET', path: `${url.pathname}${url.search}`, status: 101 });
      void this.runSession(ws, { cluster: this.cluster, agent, container }, argv);
    });
  }

  private async runSession(ws: WebSocket, target: ExecTarget, argv: string[]): Promise<void> {
    const node = target.agent?.node.name;
    if (this.cluster.takeFault(['exec-hang'], { node })) return; // never answers; the client's deadline must act
    const latency = this.cluster.scenario.execLatencyMs;
    if (latency) await new Promise((r) => setTimeout(r, latency[0] + Math.random() * (latency[1] - latency[0])));
    const slow = this.cluster.takeFault(['slow'], { node, path: 'exec' });
    if (slow) await new Promise((r) => setTimeout(r, slow.delayMs ?? 500));
    let result: ShellResult;
    const forced = this.cluster.takeFault(['exec-exit'], { node });
    if (forced) {
      result = { stdout: '', stderr: forced.stderr ?? 'simulated failure\n', exitCode: forced.exitCode ?? 1 };
    } else if (node && target.agent?.node.lab && this.lab?.has(node) && argv[0] !== 'antctl') {
      result = runsInLab(argv)
        ? await this.lab.exec(node, argv)
        : { stdout: '', stderr: `lab: "${argv.join(' ')}" is not on the allow-list of commands run in a Node namespace\n`, exitCode: 126 };
    } else {
      try {
        result = runArgv(target, argv);
      } catch (err) {
        if (!(err instanceof RuntimeExecError)) throw err;
        sendFrame(ws, 3, JSON.stringify({ metadata: {}, status: 'Failure', message: `Internal error occurred: ${err.message}`, reason: 'InternalError', details: { causes: [{ message: err.message }] }, code: 500 }));
        ws.close(1000);
        return;
      }
    }
    if (result.stdout) sendFrame(ws, 1, result.stdout);
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
function sendFrame(ws: WebSocket, channel: number, text: string): void {
  const payload = Buffer.from(text, 'utf8');
  const frame = Buffer.allocUnsafe(payload.length + 1);
  frame[0] = channel;
  payload.copy(frame, 1);
  ws.send(frame, { binary: true });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function paginate(items: Json[], query: URLSearchParams): { items: Json[]; next?: string } {
  const limit = Number(query.get('limit') ?? '0');
  const start = Number(query.get('continue') ? Buffer.from(query.get('continue')!, 'base64').toString() : '0');
  if (!limit || limit <= 0) return { items: items.slice(start) };
  const page = items.slice(start, start + limit);
  const next = start + limit < items.length ? Buffer.from(String(start + limit)).toString('base64') : undefined;
  return { items: page, next };
}

function namespaceObject(name: string): Json {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, creationTimestamp: '2026-01-01T00:00:00Z' }, status: { phase: 'Active' } };
}

function nodeObject(n: import('./scenario.js').ScenarioNode): Json {
  const os = n.os ?? 'linux';
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': os, ...n.labels }, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { podCIDR: n.podCIDR ?? '' },
    status: {
      addresses: [
        ...(n.internalIP ? [{ type: 'InternalIP', address: n.internalIP }] : []),
        ...(n.internalIPv6 ? [{ type: 'InternalIP', address: n.internalIPv6 }] : []),
        { type: 'Hostname', address: n.name },
      ],
      conditions: [{ type: 'Ready', status: 'True' }],
      nodeInfo: {
        kernelVersion: n.kernelVersion ?? '5.15.0-91-generic', osImage: n.osImage ?? (os === 'windows' ? 'Windows Server 2022 Datacenter' : 'Ubuntu 22.04.3 LTS'),
        operatingSystem: os, architecture: 'amd64', containerRuntimeVersion: 'containerd://1.7.13', kubeletVersion: 'v1.32.5',
      },
    },
  };
}

export { ANTREA_NAMESPACE };
