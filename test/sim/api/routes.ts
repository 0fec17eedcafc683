/**
 * The API server's route table: each route is {method, path template, handler}, and each resource
 * route carries its discovery entry, so /api/v1 and /apis/<group>/<version> are derived from it.
 */
import type { IncomingMessage } from 'node:http';
import type { SimCluster } from '../cluster.js';
import { ANTREA_NAMESPACE } from '../cluster.js';
import { timestamp } from '../store.js';
import { applyPatch } from './patch.js';
import { labelSelector, matchesFieldSelector } from './selectors.js';
import { HttpStatus, notFound, type Json } from './status.js';
import { multicastGroupTable, nodeTable, podTable } from './tables.js';

export interface RequestContext {
  cluster: SimCluster;
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body?: string;
  serverAddress: string;
}

/** A handler's answer: a JSON object, plain text, or a watch stream. */
export type Answer = Json | { raw: string; contentType?: string } | { watch: { resource: string; namespace?: string; filter: (o: Json) => boolean } };

export interface Route {
  method: string | string[];
  path: string;
  handler: (ctx: RequestContext) => Answer;
  /** The discovery entry this route serves (once per resource). */
  discovery?: { groupVersion: string; resource: Json };
  /** Served only when the scenario has it (e.g. the TKGs CRD). */
  when?: (cluster: SimCluster) => boolean;
}

const resourceEntry = (name: string, kind: string, namespaced: boolean, verbs: string[], shortNames?: string[]) => ({
  name, singularName: kind.toLowerCase(), namespaced, kind, verbs, ...(shortNames ? { shortNames } : {}),
});

const list = (cluster: SimCluster, kind: string, apiVersion: string, items: Json[], next?: string) => ({
  kind, apiVersion, metadata: { resourceVersion: cluster.store.currentRv(), ...(next ? { continue: next } : {}) }, items,
});

function paginate(items: Json[], query: URLSearchParams): { items: Json[]; next?: string } {
  const limit = Number(query.get('limit') ?? '0');
  const start = Number(query.get('continue') ? Buffer.from(query.get('continue')!, 'base64').toString() : '0');
  if (!limit || limit <= 0) return { items: items.slice(start) };
  const page = items.slice(start, start + limit);
  const next = start + limit < items.length ? Buffer.from(String(start + limit)).toString('base64') : undefined;
  return { items: page, next };
}

const isWatch = (q: URLSearchParams) => q.get('watch') === 'true' || q.get('watch') === '1';

const parseBody = (ctx: RequestContext): Json => {
  try {
    return JSON.parse(ctx.body ?? '') as Json;
  } catch {
    throw new HttpStatus(400, 'BadRequest', 'the object provided is unrecognized (must be of type JSON)');
  }
};

/**
 * Reads the new version of an object for PATCH or PUT (the three patch types; strategic merge is a
 * JSON merge patch here: enough for the maps and objects clients patch), keeping server-owned fields.
 */
function nextVersion(ctx: RequestContext, current: Json): Json {
  const next = ctx.method === 'PUT'
    ? parseBody(ctx)
    : applyPatch(current, String(ctx.headers['content-type'] ?? ''), ctx.body ?? '', (code, message) => new HttpStatus(code, code === 415 ? 'UnsupportedMediaType' : 'BadRequest', message));
  next.metadata = { ...next.metadata, name: current.metadata.name, namespace: current.metadata.namespace };
  if (current.metadata.generation !== undefined) next.metadata.generation = current.metadata.generation;
  if (ctx.method === 'PUT' && current.status !== undefined && next.status === undefined) next.status = current.status;
  if (ctx.method === 'PATCH' && next.metadata.resourceVersion === current.metadata.resourceVersion) delete next.metadata.resourceVersion;
  return next;
}

/** The generic REST verbs of a stored resource. */
function storedResource(options: {
  resource: string; kind: string; group?: string; version: string; namespaced: boolean; shortNames?: string[]; verbs?: string[];
  when?: (c: SimCluster) => boolean;
  onCreate?: (ctx: RequestContext, o: Json) => Json;
  onDelete?: (ctx: RequestContext, name: string, namespace?: string) => Json;
  filter?: (ctx: RequestContext, o: Json) => boolean;
  table?: (items: Json[], next?: string) => Json;
}): Route[] {
  const { resource, kind, group = '', version, namespaced } = options;
  const groupVersion = group ? `${group}/${version}` : version;
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const collection = namespaced ? `${base}/namespaces/{namespace}/${resource}` : `${base}/${resource}`;
  const verbs = options.verbs ?? ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
  const discovery = { groupVersion, resource: resourceEntry(resource, kind, namespaced, verbs, options.shortNames) };
  const listHandler = (ctx: RequestContext): Answer => {
    const namespace = ctx.params.namespace;
    const labels = labelSelector(ctx.query.get('labelSelector') ?? '');
    const select = (o: Json) =>
      (!namespace || o.metadata.namespace === namespace) &&
      labels(o.metadata.labels) &&
      matchesFieldSelector(o, ctx.query.get('fieldSelector') ?? '') &&
      (!options.filter || options.filter(ctx, o));
    if (isWatch(ctx.query)) return { watch: { resource, namespace, filter: select } };
    const selected = ctx.cluster.store.list(resource, namespace).filter(select);
    const { items, next } = paginate(selected, ctx.query);
    if (options.table && String(ctx.headers.accept ?? '').includes('as=Table')) return options.table(items, next);
    return list(ctx.cluster, `${kind}List`, groupVersion, items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest), next);
  };
  const find = (ctx: RequestContext) => {
    const o = ctx.cluster.store.get(resource, ctx.params.namespace, ctx.params.name);
    if (!o || (options.filter && !options.filter(ctx, o))) throw notFound(resource, ctx.params.name, group);
    return o;
  };
  const routes: Route[] = [
    { method: 'GET', path: collection, handler: listHandler, discovery, when: options.when },
    {
      method: 'GET', path: `${collection}/{name}`, when: options.when,
      handler: (ctx) => (options.table && String(ctx.headers.accept ?? '').includes('as=Table') ? options.table([find(ctx)]) : find(ctx)),
    },
  ];
  if (verbs.includes('create')) {
    routes.push({
      method: 'POST', path: collection, when: options.when,
      handler: (ctx) => {
        const object = parseBody(ctx);
        let name = object.metadata?.name as string | undefined;
        if (!name && object.metadata?.generateName) name = `${object.metadata.generateName}${Math.random().toString(36).slice(2, 7)}`;
        if (!name) throw new HttpStatus(422, 'Invalid', `${kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
        if (namespaced && !ctx.cluster.store.get('namespaces', undefined, ctx.params.namespace)) throw notFound('namespaces', ctx.params.namespace);
        if (namespaced && ctx.cluster.store.get('namespaces', undefined, ctx.params.namespace)?.status?.phase === 'Terminating') {
          throw new HttpStatus(403, 'Forbidden', `${resource} "${name}" is forbidden: unable to create new content in namespace ${ctx.params.namespace} because it is being terminated`);
        }
        object.apiVersion ??= groupVersion;
        object.kind ??= kind;
        object.metadata = { ...object.metadata, name, ...(namespaced ? { namespace: ctx.params.namespace } : {}) };
        delete object.metadata.resourceVersion;
        if (resource === 'daemonsets' || resource === 'deployments') object.metadata.generation = 1;
        if (options.onCreate) return options.onCreate(ctx, object);
        return ctx.cluster.store.create(resource, object, group);
      },
    });
  }
  if (verbs.includes('patch') || verbs.includes('update')) {
    routes.push({
      method: ['PATCH', 'PUT'], path: `${collection}/{name}`, when: options.when,
      handler: (ctx) => {
        const current = find(ctx);
        const next = nextVersion(ctx, current);
        const fault = ctx.cluster.faults.take(['conflict'], { path: `${resource}/${current.metadata.name}` });
        if (fault) {
          // A concurrent writer got in first: its change lands and the version moves on.
          ctx.cluster.store.mutate(resource, ctx.params.namespace, ctx.params.name, (o) => {
            if (fault.concurrentData) o.data = { ...o.data, ...fault.concurrentData };
          });
          throw new HttpStatus(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${current.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`, { name: current.metadata.name, kind: resource });
        }
        // The API server's strategy: a change of spec (the Pod template) is a new generation.
        if (next.metadata.generation !== undefined && JSON.stringify(next.spec) !== JSON.stringify(current.spec)) next.metadata.generation = current.metadata.generation + 1;
        return ctx.cluster.store.update(resource, next, group);
      },
    });
  }
  if (verbs.includes('delete')) {
    routes.push({
      method: 'DELETE', path: `${collection}/{name}`, when: options.when,
      handler: (ctx) => {
        find(ctx);
        if (options.onDelete) return options.onDelete(ctx, ctx.params.name, ctx.params.namespace);
        return ctx.cluster.store.delete(resource, ctx.params.namespace, ctx.params.name, group);
      },
    });
  }
  return routes;
}

function podLog(ctx: RequestContext): Answer {
  const { cluster, params, query } = ctx;
  const pod = cluster.store.get('pods', params.namespace, params.name);
  if (!pod) throw notFound('pods', params.name);
  const runtime = cluster.kubelet.runtime(params.namespace, params.name);
  const names: string[] = pod.spec.containers.map((c: Json) => c.name);
  const containerName = query.get('container') || pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'] || (names.length === 1 ? names[0] : '');
  if (!containerName) throw new HttpStatus(400, 'BadRequest', `a container name must be specified for pod ${params.name}, choose one of: [${names.join(' ')}]`);
  const container = runtime?.containers.find((c) => c.name === containerName);
  if (!names.includes(containerName) || !container) throw new HttpStatus(400, 'BadRequest', `container ${containerName} is not valid for pod ${params.name}`);
  let lines: string[];
  if (query.get('previous') === 'true') {
    if (container.instances.length < 2) throw new HttpStatus(400, 'BadRequest', `previous terminated container "${containerName}" in pod "${params.name}" not found`);
    lines = container.instances[container.instances.length - 2];
  } else {
    lines = container.instances[container.instances.length - 1];
  }
  const tail = query.get('tailLines');
  const shown = tail === null ? lines : lines.slice(-Number(tail));
  return { raw: shown.map((l) => `${l}\n`).join(''), contentType: 'text/plain' };
}

function tokenRequest(ctx: RequestContext): Answer {
  const { params, cluster } = ctx;
  if (params.name !== 'antctl' || params.namespace !== ANTREA_NAMESPACE) throw notFound('serviceaccounts', params.name);
  const request = JSON.parse(ctx.body || '{}') as Json;
  const token = `sa-${params.name}-${cluster.nextRv()}-${Math.random().toString(36).slice(2)}`;
  cluster.issuedTokens.set(token, `${params.namespace}/${params.name}`);
  const seconds = request.spec?.expirationSeconds ?? 3600;
  return { kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: { name: params.name, namespace: params.namespace }, spec: request.spec ?? {}, status: { token, expirationTimestamp: timestamp(new Date(Date.now() + seconds * 1000)) } };
}

const TKGS = (c: SimCluster) => c.scenario.tkgs?.crd === true;

export const ROUTES: Route[] = [
  ...storedResource({
    resource: 'namespaces', kind: 'Namespace', version: 'v1', namespaced: false, shortNames: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    onCreate: (ctx, o) => ctx.cluster.createNamespace(o.metadata.name, undefined, o.metadata.labels),
    onDelete: (ctx, name) => ctx.cluster.deleteNamespace(name),
  }),
  ...storedResource({ resource: 'nodes', kind: 'Node', version: 'v1', namespaced: false, shortNames: ['no'], table: nodeTable, verbs: ['delete', 'get', 'list', 'patch', 'update', 'watch'], onDelete: (ctx, name) => {
    const node = ctx.cluster.store.get('nodes', undefined, name)!;
    ctx.cluster.deleteNode(name);
    return node;
  } }),
  ...storedResource({
    resource: 'pods', kind: 'Pod', version: 'v1', namespaced: true, shortNames: ['po'], table: podTable,
    onCreate: (ctx, o) => {
      if (!o.spec?.containers?.length) throw new HttpStatus(422, 'Invalid', `Pod "${o.metadata.name}" is invalid: spec.containers: Required value`);
      if (o.spec.nodeName && !ctx.cluster.nodeState(o.spec.nodeName)) {
        // Bound to a Node that does not exist: stored, never started (the kubelet of that Node never comes).
        return ctx.cluster.store.create('pods', { ...o, status: { phase: 'Pending' } });
      }
      if (!o.spec.nodeName) o.spec.nodeName = ctx.cluster.nodeForDeployment();
      return ctx.cluster.createPod({ ...o, status: { phase: 'Pending' } });
    },
  }),
  { method: 'GET', path: '/api/v1/pods', handler: (ctx) => storedList(ctx, 'pods', 'Pod', podTable) },
  { method: 'GET', path: '/api/v1/namespaces/{namespace}/pods/{name}/log', handler: podLog, discovery: { groupVersion: 'v1', resource: { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] } } },
  // pods/exec is served as a WebSocket upgrade (api/exec.ts); listed here for discovery.
  { method: 'POST', path: '/api/v1/namespaces/{namespace}/pods/{name}/exec', handler: () => { throw new HttpStatus(400, 'BadRequest', 'Upgrade request required'); }, discovery: { groupVersion: 'v1', resource: { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] } } },
  ...storedResource({ resource: 'configmaps', kind: 'ConfigMap', version: 'v1', namespaced: true, shortNames: ['cm'] }),
  { method: 'POST', path: '/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token', handler: tokenRequest, discovery: { groupVersion: 'v1', resource: { name: 'serviceaccounts/token', singularName: '', namespaced: true, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] } } },
  ...storedResource({ resource: 'daemonsets', kind: 'DaemonSet', group: 'apps', version: 'v1', namespaced: true, shortNames: ['ds'] }),
  ...storedResource({ resource: 'deployments', kind: 'Deployment', group: 'apps', version: 'v1', namespaced: true, shortNames: ['deploy'] }),
  {
    method: 'GET', path: '/apis/stats.antrea.io/v1alpha1/multicastgroups',
    discovery: { groupVersion: 'stats.antrea.io/v1alpha1', resource: resourceEntry('multicastgroups', 'MulticastGroup', false, ['get', 'list']) },
    handler: (ctx) => {
      const groups = ctx.cluster.dataplane.multicastGroups();
      if (String(ctx.headers.accept ?? '').includes('as=Table')) return multicastGroupTable(groups);
      return { kind: 'MulticastGroupList', apiVersion: 'stats.antrea.io/v1alpha1', metadata: {}, items: groups.map(({ kind: _k, apiVersion: _a, ...rest }) => rest) };
    },
  },
  {
    method: 'GET', path: '/apis/stats.antrea.io/v1alpha1/multicastgroups/{name}',
    handler: (ctx) => {
      const found = ctx.cluster.dataplane.multicastGroups().find((g) => g.group === ctx.params.name);
      if (!found) throw new HttpStatus(404, 'NotFound', `multicastgroup.stats.antrea.io "${ctx.params.name}" not found`, { name: ctx.params.name, group: 'stats.antrea.io', kind: 'multicastgroup' });
      return found;
    },
  },
  {
    method: 'GET', path: '/apis/crd.antrea.io/v1beta1/antreaagentinfos',
    discovery: { groupVersion: 'crd.antrea.io/v1beta1', resource: resourceEntry('antreaagentinfos', 'AntreaAgentInfo', false, ['get', 'list'], ['aai']) },
    handler: (ctx) => list(ctx.cluster, 'AntreaAgentInfoList', 'crd.antrea.io/v1beta1', [...ctx.cluster.agents.values()].filter((a) => a.podName).map((a) => ctx.cluster.agentInfo(a))),
  },
  {
    method: 'GET', path: '/apis/crd.antrea.io/v1beta1/antreaagentinfos/{name}',
    handler: (ctx) => {
      const agent = ctx.cluster.agents.get(ctx.params.name);
      if (!agent) throw notFound('antreaagentinfos', ctx.params.name, 'crd.antrea.io');
      return ctx.cluster.agentInfo(agent);
    },
  },
  {
    method: 'GET', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}',
    discovery: { groupVersion: 'apiextensions.k8s.io/v1', resource: resourceEntry('customresourcedefinitions', 'CustomResourceDefinition', false, ['get', 'list'], ['crd', 'crds']) },
    handler: (ctx) => {
      if (ctx.params.name === 'antreaconfigs.cni.tanzu.vmware.com' && TKGS(ctx.cluster)) {
        return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: ctx.params.name }, spec: { group: 'cni.tanzu.vmware.com', names: { kind: 'AntreaConfig', plural: 'antreaconfigs' }, scope: 'Namespaced' } };
      }
      throw notFound('customresourcedefinitions', ctx.params.name, 'apiextensions.k8s.io');
    },
  },
  ...storedResource({ resource: 'antreaconfigs', kind: 'AntreaConfig', group: 'cni.tanzu.vmware.com', version: 'v1alpha1', namespaced: true, shortNames: ['antreaconf'], verbs: ['create', 'get', 'list', 'patch'], when: TKGS }),
];

function storedList(ctx: RequestContext, resource: string, kind: string, table?: (items: Json[], next?: string) => Json): Answer {
  const labels = labelSelector(ctx.query.get('labelSelector') ?? '');
  const select = (o: Json) => labels(o.metadata.labels) && matchesFieldSelector(o, ctx.query.get('fieldSelector') ?? '');
  if (isWatch(ctx.query)) return { watch: { resource, filter: select } };
  const { items, next } = paginate(ctx.cluster.store.list(resource).filter(select), ctx.query);
  if (table && String(ctx.headers.accept ?? '').includes('as=Table')) return table(items, next);
  return list(ctx.cluster, `${kind}List`, 'v1', items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest), next);
}

/** API discovery derived from the routes the cluster serves: /api, /apis, /api/v1, /apis/<group>/<version>. */
export function discovery(cluster: SimCluster, path: string, serverAddress: string): Json | undefined {
  const served = ROUTES.filter((r) => r.discovery && (!r.when || r.when(cluster)));
  const groupVersions = [...new Set(served.map((r) => r.discovery!.groupVersion))];
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  if (path === '/apis') {
    const groups = groupVersions.filter((gv) => gv.includes('/')).map((gv) => {
      const [name, version] = gv.split('/');
      return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
    });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  const gv = path === '/api/v1' ? 'v1' : path.startsWith('/apis/') ? path.slice('/apis/'.length) : undefined;
  if (!gv || !groupVersions.includes(gv)) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: served.filter((r) => r.discovery!.groupVersion === gv).map((r) => r.discovery!.resource) };
}

/** The route for a request, with its path parameters. */
export function matchRoute(cluster: SimCluster, method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  let pathMatched = false;
  for (const route of ROUTES) {
    if (route.when && !route.when(cluster)) continue;
    const pattern = new RegExp(`^${route.path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`);
    const m = pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes(method)) continue;
    const params = Object.fromEntries(Object.entries(m.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
    return { route, params };
  }
  if (pathMatched) throw new HttpStatus(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  return undefined;
}

