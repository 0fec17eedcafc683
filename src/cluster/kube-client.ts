import type { Agent as HttpAgent } from 'node:http';
// Named imports let esbuild drop the rest of the package; this module itself is only reached
// from lazily loaded commands, so --help never loads it.
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Observable,
  PatchStrategy,
  ResponseContext,
  setHeaderOptions,
  type ConfigurationOptions,
  type V1ConfigMap,
  type V1DaemonSet,
  type V1Deployment,
  type V1Namespace,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import type { ExecControl, ExecResult, ExecStream, KubeApi, RunContext } from '../context.js';
import { boundedLine, describeUnexpected } from '../bounded-text.js';
import { CliError, ExecError, UnreachableError } from '../errors.js';
import { hostOf, isTransientNetworkError, retryDelayMs, toCliError } from './api-errors.js';
import { nodeDeadline } from './agent-exec.js';
import { execEndpoint, type ExecEndpoint } from './connection.js';
import { execInContainer } from './exec-socket.js';
import { loadKubeConfig, type SharedAgentKubeConfig } from './kubeconfig.js';

/** How often a request answered 429 Too Many Requests is retried, honouring Retry-After. */
const MAX_THROTTLE_RETRIES = 4;
/** How often an idempotent read whose connection was reset or refused is retried (kubectl's client-go retries these too). */
const MAX_NETWORK_RETRIES = 3;
const PAGE_SIZE = 500;

export { ExecError };

/** The client of the context the global flags select; reads the kubeconfig, sends nothing yet. */
export function openCluster(ctx: RunContext): KubeClient {
  return new KubeClient(loadKubeConfig(ctx.globals, ctx.env), ctx);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The Kubernetes API as mcastctl uses it: timeouts, 429 retries and kubectl-worded errors in one place. */
export class KubeClient implements KubeApi {
  readonly server: string;
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly apps: AppsV1Api;
  private readonly extensions: ApiextensionsV1Api;
  /** The namespace of the current context, as kubectl uses it when -n is not given. */
  readonly defaultNamespace: string;
  private endpoint: ExecEndpoint | undefined;

  constructor(
    readonly kc: SharedAgentKubeConfig,
    private readonly ctx: RunContext,
  ) {
    this.server = kc.getCurrentCluster()?.server ?? '';
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.extensions = kc.makeApiClient(ApiextensionsV1Api);
    this.defaultNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
  }

  private log(level: number, line: string): void {
    if (this.ctx.globals.verbosity >= level) this.ctx.stderr.write(`I ${new Date().toISOString()} ${line}\n`);
  }

  private callOptions(): ConfigurationOptions {
    const timeoutMs = this.ctx.globals.requestTimeoutMs;
    return {
      middleware: [
        {
          pre: (request) => {
            if (timeoutMs > 0) request.setSignal(AbortSignal.timeout(timeoutMs));
            this.log(6, `${request.getHttpMethod()} ${request.getUrl()}`);
            const body = request.getBody();
            if (typeof body === 'string' && body !== '') this.log(8, `Request Body: ${bodyForLog(body)}`);
            return new Observable(Promise.resolve(request));
          },
          post: (response) => {
            this.log(6, `Response Status: ${response.httpStatusCode}`);
            if (this.ctx.globals.verbosity < 8) return new Observable(Promise.resolve(response));
            // The body can be read once: read it here, log it, and hand on a copy that reads again.
            return new Observable(
              response.body.binary().then((bytes) => {
                this.log(8, `Response Body: ${bodyForLog(bytes.toString('utf8'))}`);
                return new ResponseContext(response.httpStatusCode, response.headers, { text: async () => bytes.toString('utf8'), binary: async () => bytes });
              }),
            );
          },
        },
      ],
      middlewareMergeStrategy: 'append',
    } as ConfigurationOptions;
  }

  /**
   * Runs one API call with the request timeout. A 429 is retried as the server asks (Retry-After,
   * capped, with jitter) at most MAX_THROTTLE_RETRIES times; a reset or refused connection is
   * retried with jittered backoff only for reads (`idempotent`), at most MAX_NETWORK_RETRIES times,
   * and never past the request timeout. Throws a CliError of the class the failure belongs to.
   */
  async call<T>(what: (options: ConfigurationOptions) => Promise<T>, contentType?: string, idempotent = contentType === undefined): Promise<T> {
    const started = Date.now();
    const budgetMs = this.ctx.globals.requestTimeoutMs;
    let throttled = 0;
    let networkRetries = 0;
    for (;;) {
      try {
        const options = this.callOptions();
        return await withinBudget(what(contentType ? setHeaderOptions('Content-Type', contentType, options) : options), budgetMs > 0 ? Math.max(1, budgetMs - (Date.now() - started)) : 0, this.server);
      } catch (err) {
        const e = err as { code?: unknown; headers?: Record<string, string> };
        let waitMs: number | undefined;
        if (e.code === 429 && throttled < MAX_THROTTLE_RETRIES) {
          waitMs = retryDelayMs(throttled++, e.headers?.['retry-after']);
          this.log(1, `throttled by the API server (429), retrying in ${waitMs} ms`);
        } else if (idempotent && networkRetries < MAX_NETWORK_RETRIES && isTransientNetworkError(err)) {
          waitMs = retryDelayMs(networkRetries++);
          this.log(1, `connection to the API server failed (${(err as Error).message}), retrying in ${waitMs} ms`);
        }
        if (waitMs === undefined || (budgetMs > 0 && Date.now() - started + waitMs > budgetMs)) throw toCliError(err, this.server);
        await sleep(waitMs);
      }
    }
  }

  /** Lists Pods page by page (limit/continue), so a 5,000-Node cluster is never one giant response. */
  async listPods(namespace: string, labelSelector: string, fieldSelector?: string): Promise<V1Pod[]> {
    return this.listAll((page, options) => this.core.listNamespacedPod({ namespace, labelSelector, ...(fieldSelector ? { fieldSelector } : {}), ...page }, options));
  }

  async listAllPods(labelSelector: string): Promise<V1Pod[]> {
    return this.listAll((page, options) => this.core.listPodForAllNamespaces({ labelSelector, ...page }, options));
  }

  /** Follows limit/continue until the last page. */
  private async listAll<T>(
    list: (page: { limit: number; _continue?: string }, options: ConfigurationOptions) => Promise<{ items: T[]; metadata?: { _continue?: string } }>,
  ): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined;
    do {
      const page = await this.call((options) => list({ limit: PAGE_SIZE, _continue: next }, options));
      items.push(...page.items);
      next = page.metadata?._continue || undefined;
    } while (next);
    return items;
  }

  async listNamespaces(labelSelector?: string): Promise<string[]> {
    const list = await this.call((options) => this.core.listNamespace({ limit: PAGE_SIZE, labelSelector }, options));
    return list.items.map((n) => n.metadata?.name ?? '').filter(Boolean);
  }

  async readNamespace(name: string): Promise<V1Namespace> {
    return this.call((options) => this.core.readNamespace({ name }, options));
  }

  async createNamespace(body: V1Namespace): Promise<V1Namespace> {
    return this.call((options) => this.core.createNamespace({ body }, options));
  }

  async deleteNamespace(name: string): Promise<void> {
    await this.call((options) => this.core.deleteNamespace({ name, propagationPolicy: 'Background' }, options));
  }

  async createPod(namespace: string, body: V1Pod): Promise<V1Pod> {
    return this.call((options) => this.core.createNamespacedPod({ namespace, body }, options));
  }

  async deletePod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<void> {
    await this.call((options) => this.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds }, options));
  }

  /** A short-lived token for a ServiceAccount (TokenRequest), as antctl gets one for "antctl". */
  async requestServiceAccountToken(namespace: string, name: string, seconds: number): Promise<string> {
    const answer = await this.call((options) =>
      this.core.createNamespacedServiceAccountToken({ name, namespace, body: { spec: { audiences: [], expirationSeconds: seconds } } }, options),
    );
    const token = answer.status?.token;
    if (!token) throw new CliError(`TokenRequest for serviceaccount ${namespace}/${name} returned no token`);
    return token;
  }

  /** The last lines a container logged; with `previous`, those of its previous (terminated) instance. */
  async readPodLog(namespace: string, name: string, container: string, tailLines: number, previous = false): Promise<string> {
    return this.call((options) => this.core.readNamespacedPodLog({ name, namespace, container, tailLines, ...(previous ? { previous: true } : {}) }, options));
  }

  async readPod(namespace: string, name: string): Promise<V1Pod> {
    return this.call((options) => this.core.readNamespacedPod({ name, namespace }, options));
  }

  /** A cluster-scoped resource of an aggregated or custom API group (e.g. stats.antrea.io multicastgroups). */
  async listClusterObjects<T>(group: string, version: string, plural: string): Promise<T[]> {
    const list = await this.call((options) => this.custom.listClusterCustomObject({ group, version, plural }, options));
    // An untyped answer is checked here: a proxy's 200 HTML page is not an empty list.
    const items = (list as { items?: unknown } | undefined)?.items;
    if (!list || typeof list !== 'object' || !Array.isArray(items)) throw new CliError(`the server's answer to LIST ${plural}.${group} is not a list: ${describeAnswer(list)}`);
    return items as T[];
  }

  async getClusterObject<T>(group: string, version: string, plural: string, name: string): Promise<T> {
    const object = await this.call((options) => this.custom.getClusterCustomObject({ group, version, plural, name }, options));
    if (!object || typeof object !== 'object' || Array.isArray(object)) throw new CliError(`the server's answer to GET ${plural}.${group}/${name} is not an object: ${describeAnswer(object)}`);
    return object as T;
  }

  async readConfigMap(namespace: string, name: string): Promise<V1ConfigMap> {
    return this.call((options) => this.core.readNamespacedConfigMap({ name, namespace }, options));
  }

  async createConfigMap(namespace: string, body: V1ConfigMap): Promise<V1ConfigMap> {
    return this.call((options) => this.core.createNamespacedConfigMap({ namespace, body }, options));
  }

  async replaceConfigMap(namespace: string, name: string, body: V1ConfigMap): Promise<V1ConfigMap> {
    return this.call((options) => this.core.replaceNamespacedConfigMap({ name, namespace, body }, options));
  }

  /** A JSON merge patch; with metadata.resourceVersion in the body the server refuses a stale write (409). */
  async mergePatchConfigMap(namespace: string, name: string, body: object): Promise<V1ConfigMap> {
    return this.call((options) => this.core.patchNamespacedConfigMap({ name, namespace, body }, options), PatchStrategy.MergePatch);
  }

  async readDaemonSet(namespace: string, name: string): Promise<V1DaemonSet> {
    return this.call((options) => this.apps.readNamespacedDaemonSet({ name, namespace }, options));
  }

  async readDeployment(namespace: string, name: string): Promise<V1Deployment> {
    return this.call((options) => this.apps.readNamespacedDeployment({ name, namespace }, options));
  }

  async patchWorkload(kind: 'daemonset' | 'deployment', namespace: string, name: string, body: object): Promise<void> {
    if (kind === 'daemonset') {
      await this.call((options) => this.apps.patchNamespacedDaemonSet({ name, namespace, body }, options), PatchStrategy.StrategicMergePatch);
    } else {
      await this.call((options) => this.apps.patchNamespacedDeployment({ name, namespace, body }, options), PatchStrategy.StrategicMergePatch);
    }
  }

  async createDaemonSet(namespace: string, body: V1DaemonSet): Promise<V1DaemonSet> {
    return this.call((options) => this.apps.createNamespacedDaemonSet({ namespace, body }, options));
  }

  async replaceDaemonSet(namespace: string, name: string, body: V1DaemonSet): Promise<V1DaemonSet> {
    return this.call((options) => this.apps.replaceNamespacedDaemonSet({ name, namespace, body }, options));
  }

  async listNodes(labelSelector = ''): Promise<V1Node[]> {
    return this.listAll((page, options) => this.core.listNode({ labelSelector, ...page }, options));
  }

  /** Whether a CustomResourceDefinition is installed (404 is "no"; other errors are errors). */
  async hasCrd(name: string): Promise<boolean> {
    try {
      await this.call((options) => this.extensions.readCustomResourceDefinition({ name }, options));
      return true;
    } catch (err) {
      if (err instanceof CliError && /\(NotFound\)/.test(err.message)) return false;
      throw err;
    }
  }

  async getNamespacedObject<T>(group: string, version: string, namespace: string, plural: string, name: string): Promise<T> {
    return (await this.call((options) => this.custom.getNamespacedCustomObject({ group, version, namespace, plural, name }, options))) as T;
  }

  async createNamespacedObject<T>(group: string, version: string, namespace: string, plural: string, body: object): Promise<T> {
    return (await this.call((options) => this.custom.createNamespacedCustomObject({ group, version, namespace, plural, body }, options))) as T;
  }

  async mergePatchNamespacedObject<T>(group: string, version: string, namespace: string, plural: string, name: string, body: object): Promise<T> {
    return (await this.call(
      (options) => this.custom.patchNamespacedCustomObject({ group, version, namespace, plural, name, body }, options),
      PatchStrategy.MergePatch,
    )) as T;
  }

  /**
   * Runs argv in a container (no shell: the argument array is passed as is) and waits for its exit
   * status. The signal (a Node's deadline) ends the exec wherever it is; see execInContainer.
   */
  async exec(namespace: string, pod: string, container: string, argv: string[], control: number | ExecControl = {}, stream?: ExecStream): Promise<ExecResult> {
    const options = typeof control === 'number' ? {} : control;
    const parents = [options.signal, stream?.signal].filter((s): s is AbortSignal => s !== undefined);
    // One signal ends the exec: the deadline in ms, the caller's signal or the stream's.
    const deadline = nodeDeadline(typeof control === 'number' ? control : 0, parents.length > 1 ? AbortSignal.any(parents) : parents[0]);
    this.log(6, `exec ${namespace}/${pod} -c ${container} -- ${argv.join(' ')}`);
    try {
      this.endpoint ??= execEndpoint(this.kc, (await this.kc.sharedAgent()) ?? (await this.proxyAgent()), await this.kc.execDialer(), this.kc.impersonateGroups);
      return await execInContainer(this.endpoint, namespace, pod, container, argv, {
        signal: deadline.signal,
        onStdout: stream?.onStdout,
        onThrottle: (waitMs) => {
          this.log(1, `exec throttled by the API server (429), retrying in ${waitMs} ms`);
          options.onThrottle?.(waitMs);
        },
      });
    } finally {
      deadline.release();
    }
  }

  /** client-node's agent for a cluster behind a proxy (no shared TLS context there). */
  private async proxyAgent(): Promise<HttpAgent> {
    const opts: { agent?: HttpAgent } = {};
    await KubeConfig.prototype.applyToHTTPSOptions.call(this.kc, opts);
    return opts.agent!;
  }
}

function describeAnswer(answer: unknown): string {
  if (typeof answer === 'string') return describeUnexpected(answer);
  if (answer === undefined || answer === null) return 'no body';
  return describeUnexpected(JSON.stringify(answer) ?? String(answer));
}

/**
 * The request timeout bounds the whole call, not only the HTTP exchange: a kubeconfig credential
 * plugin (users[].exec) that never answers must not hang mcastctl. budgetMs 0: no limit.
 */
function withinBudget<T>(call: Promise<T>, budgetMs: number, server: string): Promise<T> {
  if (!(budgetMs > 0) || !Number.isFinite(budgetMs)) return call;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UnreachableError(`Unable to connect to the server: request to ${hostOf(server)} timed out`)), budgetMs);
    timer.unref();
  });
  call.catch(() => {});
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}

/** The most characters of a body -v 8 logs, as kubectl cuts its "Response Body" at that level. */
const MAX_LOGGED_BODY_CHARS = 1024;

/**
 * A request or response body for the -v 8 log: credentials redacted (the value of any JSON field
 * whose name says token, password or secret, and Bearer tokens), one line, control characters
 * escaped, at most MAX_LOGGED_BODY_CHARS characters with the cut counted.
 */
export function bodyForLog(body: string): string {
  const redacted = body
    .replace(/("[^"]*(?:token|password|secret)[^"]*"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, '$1"<redacted>"')
    .replace(/(Bearer\s+)[^\s"]+/gi, '$1<redacted>');
  return boundedLine(redacted.replace(/\n/g, ' '), MAX_LOGGED_BODY_CHARS);
}
