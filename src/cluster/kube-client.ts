// This module is reached only from lazily loaded commands, so --help never loads it. Of
// client-node only KubeConfig runs (kubeconfig.ts): requests are sent by rest.ts and answers are
// the API's JSON as is (client-node's generated deserializer cost ~0.3 ms of CPU per listed Pod,
// and its model classes over 1 MB to compile at start); the V1 types are compile-time only.
import type { V1ConfigMap, V1DaemonSet, V1Deployment, V1Namespace, V1Node, V1Pod } from '@kubernetes/client-node';
import type { ExecControl, ExecResult, ExecStream, KubeApi, RunContext } from '../context.js';
import { boundedLine, describeUnexpected } from '../bounded-text.js';
import { CliError, ExecError, UnreachableError } from '../errors.js';
import { USER_AGENT } from '../version.js';
import { hostOf, isTransientNetworkError, retryDelayMs, toCliError } from './api-errors.js';
import { nodeDeadline, RUN_DEADLINE_REASON, runDeadlineSignal } from './agent-exec.js';
import { execEndpoint, type ExecEndpoint } from './connection.js';
import { execInContainer } from './exec-socket.js';
import { loadKubeConfig, type SharedAgentKubeConfig } from './kubeconfig.js';
import { ApiStatusError, apiPath, encodeQuery, decodeAnswer, sendRest, type Query, type RestAnswer } from './rest.js';

/** How often a request answered 429 Too Many Requests is retried, honouring Retry-After. */
const MAX_THROTTLE_RETRIES = 4;
/** How often an idempotent read whose connection was reset or refused is retried (kubectl's client-go retries these too). */
const MAX_NETWORK_RETRIES = 3;
const PAGE_SIZE = 500;
const MERGE_PATCH = 'application/merge-patch+json';
const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';

export { ExecError };

/** The client of the context the global flags select; reads the kubeconfig, sends nothing yet. */
export function openCluster(ctx: RunContext): KubeClient {
  return new KubeClient(loadKubeConfig(ctx.globals, ctx.env), ctx);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One API request as KubeClient.request sends it. */
interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below the server URL, values percent-encoded (apiPath). */
  path: string;
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  /** Of the body; application/json when not given. */
  contentType?: string;
}

interface List<T> {
  items?: T[];
  metadata?: { continue?: string };
}

/** The Kubernetes API as mcastctl uses it: timeouts, 429 retries and kubectl-worded errors in one place. */
export class KubeClient implements KubeApi {
  readonly server: string;
  /** The namespace of the current context, as kubectl uses it when -n is not given. */
  readonly defaultNamespace: string;
  private endpoint: ExecEndpoint | undefined;
  private deadline: AbortSignal | undefined;

  constructor(
    readonly kc: SharedAgentKubeConfig,
    private readonly ctx: RunContext,
  ) {
    this.server = kc.getCurrentCluster()?.server ?? '';
    this.defaultNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
  }

  /**
   * The run's --deadline as a signal, made on first use; undefined without one. Every API call
   * and exec of the run ends there, whichever command sent it (the controller's exec included).
   */
  private runDeadline(): AbortSignal | undefined {
    const at = this.ctx.globals.runDeadlineAt;
    if (at !== undefined) this.deadline ??= runDeadlineSignal(at).signal;
    return this.deadline;
  }

  private log(level: number, line: string): void {
    if (this.ctx.globals.verbosity >= level) this.ctx.stderr.write(`I ${new Date().toISOString()} ${line}\n`);
  }

  /**
   * Runs one API call with the request timeout. A 429 is retried as the server asks (Retry-After,
   * capped, with jitter) at most MAX_THROTTLE_RETRIES times; a reset or refused connection is
   * retried with jittered backoff only when `idempotent` (reads), at most MAX_NETWORK_RETRIES
   * times, and never past the request timeout nor the run's --deadline. Throws a CliError of the
   * class the failure belongs to; at the run's deadline an UnreachableError saying so.
   */
  private async call<T>(what: () => Promise<T>, idempotent: boolean): Promise<T> {
    const started = Date.now();
    const budgetMs = this.ctx.globals.requestTimeoutMs;
    const deadlineAt = this.ctx.globals.runDeadlineAt;
    const pastDeadline = () => new UnreachableError(`Unable to connect to the server: ${RUN_DEADLINE_REASON}`);
    let throttled = 0;
    let networkRetries = 0;
    for (;;) {
      try {
        const timeoutMs = budgetMs > 0 ? Math.max(1, budgetMs - (Date.now() - started)) : 0;
        const untilDeadlineMs = deadlineAt === undefined ? 0 : Math.max(1, deadlineAt - Date.now());
        if (untilDeadlineMs > 0 && (timeoutMs === 0 || untilDeadlineMs < timeoutMs)) return await withinBudget(what(), untilDeadlineMs, pastDeadline);
        return await withinBudget(what(), timeoutMs, () => new UnreachableError(`Unable to connect to the server: request to ${hostOf(this.server)} timed out`));
      } catch (err) {
        if (this.runDeadline()?.aborted) throw pastDeadline();
        const e = err as { code?: unknown; headers?: Record<string, string> };
        let waitMs: number | undefined;
        if (e.code === 429 && throttled < MAX_THROTTLE_RETRIES) {
          waitMs = retryDelayMs(throttled++, e.headers?.['retry-after']);
          this.log(1, `throttled by the API server (429), retrying in ${waitMs} ms`);
        } else if (idempotent && networkRetries < MAX_NETWORK_RETRIES && isTransientNetworkError(err)) {
          waitMs = retryDelayMs(networkRetries++);
          this.log(1, `connection to the API server failed (${(err as Error).message}), retrying in ${waitMs} ms`);
        }
        const resumeAt = waitMs === undefined ? undefined : Date.now() + waitMs;
        if (resumeAt === undefined || (budgetMs > 0 && resumeAt - started > budgetMs) || (deadlineAt !== undefined && resumeAt > deadlineAt)) {
          throw toCliError(err, this.server, this.kc.getCurrentCluster()?.proxyUrl);
        }
        await sleep(Math.max(0, resumeAt - Date.now()));
      }
    }
  }

  /**
   * Sends one request (one attempt) with the user's credentials on the run's agent and reads the
   * whole answer; logs it at -v 6 (method, URL, status) and -v 8 (bodies). Resolves with a 2xx
   * answer; throws ApiStatusError for any other status, node's error for a failed connection, and
   * an AbortError when the request timeout (--request-timeout) or the run's --deadline passes.
   */
  private async send(request: ApiRequest, accept: string): Promise<RestAnswer> {
    const endpoint = await this.connection();
    const headers: Record<string, string | string[]> = { Accept: accept, 'Accept-Encoding': 'gzip', 'User-Agent': USER_AGENT, ...(await endpoint.headers()) };
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    if (body !== undefined) headers['Content-Type'] = request.contentType ?? 'application/json';
    const url = new URL(`${this.server}${request.path}${encodeQuery(request.query)}`);
    const timeoutMs = this.ctx.globals.requestTimeoutMs;
    const verbosity = this.ctx.globals.verbosity;
    this.log(6, `${request.method} ${url.href}`);
    if (body && verbosity >= 8) this.log(8, `Request Body: ${bodyForLog(body)}`);
    const signals = [...(timeoutMs > 0 ? [AbortSignal.timeout(timeoutMs)] : []), ...(this.runDeadline() ? [this.runDeadline()!] : [])];
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const answer = await sendRest(url, { method: request.method, headers, body, agent: endpoint.agent, ...(signal ? { signal } : {}) });
    this.log(6, `Response Status: ${answer.status}`);
    if (verbosity >= 8) this.log(8, `Response Body: ${bodyForLog(answer.text)}`);
    if (answer.status < 200 || answer.status > 299) throw new ApiStatusError(answer.status, answer.text, answer.headers);
    return answer;
  }

  /** The JSON answer of one call (retried and timed as call() says); reads are idempotent. */
  private request<T>(request: ApiRequest): Promise<T> {
    return this.call(async () => decodeAnswer(await this.send(request, 'application/json'), request.method, request.path) as T, request.method === 'GET');
  }

  /** One object (GET, create, replace, patch): a JSON answer that is not an object is an error. */
  private async object<T>(request: ApiRequest): Promise<T> {
    const answer = await this.request<unknown>(request);
    if (!answer || typeof answer !== 'object' || Array.isArray(answer)) {
      throw new CliError(`the server's answer to ${request.method} ${request.path} is not an object: ${describeAnswer(answer)}`);
    }
    return answer as T;
  }

  /**
   * How API requests and execs reach the server, made on first use: the run's shared agent (behind
   * a proxy-url, the proxy's agent), exec's dialer, and the credential and impersonation headers.
   */
  private async connection(): Promise<ExecEndpoint> {
    // Building the shared agent runs the credential plugin the first time: its failure is worded.
    const shared = await this.kc.sharedAgent().catch((err: unknown) => {
      throw this.kc.credentialError(err);
    });
    this.endpoint ??= execEndpoint(this.kc, shared ?? (await this.kc.proxyAgent()), await this.kc.execDialer(), this.kc.impersonation);
    return this.endpoint;
  }

  /** Lists Pods page by page (limit/continue), so a 5,000-Node cluster is never one giant response. */
  async listPods(namespace: string, labelSelector: string, fieldSelector?: string): Promise<V1Pod[]> {
    return this.listAll<V1Pod>(apiPath`/api/v1/namespaces/${namespace}/pods`, [
      ['fieldSelector', fieldSelector || undefined],
      ['labelSelector', labelSelector],
    ]);
  }

  async listAllPods(labelSelector: string): Promise<V1Pod[]> {
    return this.listAll<V1Pod>('/api/v1/pods', [['labelSelector', labelSelector]]);
  }

  /**
   * Follows metadata.continue until the last page, PAGE_SIZE items a page. `selectors` are sent
   * after `continue` and before `limit`. Throws a CliError when a page is not a list.
   */
  private async listAll<T>(path: string, selectors: Query): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined;
    do {
      const page = await this.list<T>(path, [['continue', next], ...selectors, ['limit', PAGE_SIZE]]);
      for (const item of page.items) items.push(item);
      next = page.metadata?.continue || undefined;
    } while (next);
    return items;
  }

  /** One page of a list: an answer without an items array is an error, not an empty list. */
  private async list<T>(path: string, query: Query): Promise<List<T> & { items: T[] }> {
    const page = await this.request<List<T> | null>({ method: 'GET', path, query });
    if (!page || typeof page !== 'object' || !Array.isArray(page.items)) throw new CliError(`the server's answer to GET ${path} is not a list: ${describeAnswer(page)}`);
    return page as List<T> & { items: T[] };
  }

  async listNamespaces(labelSelector?: string): Promise<string[]> {
    const list = await this.list<V1Namespace>('/api/v1/namespaces', [
      ['labelSelector', labelSelector],
      ['limit', PAGE_SIZE],
    ]);
    return list.items.map((n) => n.metadata?.name ?? '').filter(Boolean);
  }

  async readNamespace(name: string): Promise<V1Namespace> {
    return this.object({ method: 'GET', path: apiPath`/api/v1/namespaces/${name}` });
  }

  async createNamespace(body: V1Namespace): Promise<V1Namespace> {
    return this.object({ method: 'POST', path: '/api/v1/namespaces', body });
  }

  async deleteNamespace(name: string): Promise<void> {
    await this.object({ method: 'DELETE', path: apiPath`/api/v1/namespaces/${name}`, query: [['propagationPolicy', 'Background']] });
  }

  async createPod(namespace: string, body: V1Pod): Promise<V1Pod> {
    return this.object({ method: 'POST', path: apiPath`/api/v1/namespaces/${namespace}/pods`, body });
  }

  async deletePod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<void> {
    await this.object({ method: 'DELETE', path: apiPath`/api/v1/namespaces/${namespace}/pods/${name}`, query: [['gracePeriodSeconds', gracePeriodSeconds]] });
  }

  /** A short-lived token for a ServiceAccount (TokenRequest), as antctl gets one for "antctl". */
  async requestServiceAccountToken(namespace: string, name: string, seconds: number): Promise<string> {
    const answer = await this.object<{ status?: { token?: unknown } }>({
      method: 'POST',
      path: apiPath`/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
      body: { spec: { audiences: [], expirationSeconds: seconds } },
    });
    const token = answer.status?.token;
    if (!token || typeof token !== 'string') throw new CliError(`TokenRequest for serviceaccount ${namespace}/${name} returned no token`);
    return token;
  }

  /** The last lines a container logged; with `previous`, those of its previous (terminated) instance. The log is text, whatever its Content-Type. */
  async readPodLog(namespace: string, name: string, container: string, tailLines: number, previous = false): Promise<string> {
    const request: ApiRequest = {
      method: 'GET',
      path: apiPath`/api/v1/namespaces/${namespace}/pods/${name}/log`,
      query: [
        ['container', container],
        ['previous', previous ? true : undefined],
        ['tailLines', tailLines],
      ],
    };
    return this.call(async () => (await this.send(request, 'text/plain, */*')).text, true);
  }

  async readPod(namespace: string, name: string): Promise<V1Pod> {
    return this.object({ method: 'GET', path: apiPath`/api/v1/namespaces/${namespace}/pods/${name}` });
  }

  /** A cluster-scoped resource of an aggregated or custom API group (e.g. stats.antrea.io multicastgroups). */
  async listClusterObjects<T>(group: string, version: string, plural: string): Promise<T[]> {
    const list = await this.request<unknown>({ method: 'GET', path: apiPath`/apis/${group}/${version}/${plural}` });
    // An answer that parses is still checked: a JSON document that is not a list is no empty list.
    const items = (list as { items?: unknown } | undefined)?.items;
    if (!list || typeof list !== 'object' || !Array.isArray(items)) throw new CliError(`the server's answer to LIST ${plural}.${group} is not a list: ${describeAnswer(list)}`);
    return items as T[];
  }

  async getClusterObject<T>(group: string, version: string, plural: string, name: string): Promise<T> {
    const object = await this.request<unknown>({ method: 'GET', path: apiPath`/apis/${group}/${version}/${plural}/${name}` });
    if (!object || typeof object !== 'object' || Array.isArray(object)) throw new CliError(`the server's answer to GET ${plural}.${group}/${name} is not an object: ${describeAnswer(object)}`);
    return object as T;
  }

  async readConfigMap(namespace: string, name: string): Promise<V1ConfigMap> {
    return this.object({ method: 'GET', path: apiPath`/api/v1/namespaces/${namespace}/configmaps/${name}` });
  }

  async createConfigMap(namespace: string, body: V1ConfigMap): Promise<V1ConfigMap> {
    return this.object({ method: 'POST', path: apiPath`/api/v1/namespaces/${namespace}/configmaps`, body });
  }

  async replaceConfigMap(namespace: string, name: string, body: V1ConfigMap): Promise<V1ConfigMap> {
    return this.object({ method: 'PUT', path: apiPath`/api/v1/namespaces/${namespace}/configmaps/${name}`, body });
  }

  /** A JSON merge patch; with metadata.resourceVersion in the body the server refuses a stale write (409). */
  async mergePatchConfigMap(namespace: string, name: string, body: object): Promise<V1ConfigMap> {
    return this.object({ method: 'PATCH', path: apiPath`/api/v1/namespaces/${namespace}/configmaps/${name}`, body, contentType: MERGE_PATCH });
  }

  async readDaemonSet(namespace: string, name: string): Promise<V1DaemonSet> {
    return this.object({ method: 'GET', path: apiPath`/apis/apps/v1/namespaces/${namespace}/daemonsets/${name}` });
  }

  async readDeployment(namespace: string, name: string): Promise<V1Deployment> {
    return this.object({ method: 'GET', path: apiPath`/apis/apps/v1/namespaces/${namespace}/deployments/${name}` });
  }

  /** A strategic merge patch of a DaemonSet or Deployment (a restart annotation, say). */
  async patchWorkload(kind: 'daemonset' | 'deployment', namespace: string, name: string, body: object): Promise<void> {
    const plural = kind === 'daemonset' ? 'daemonsets' : 'deployments';
    await this.object({ method: 'PATCH', path: apiPath`/apis/apps/v1/namespaces/${namespace}/${plural}/${name}`, body, contentType: STRATEGIC_MERGE_PATCH });
  }

  async createDaemonSet(namespace: string, body: V1DaemonSet): Promise<V1DaemonSet> {
    return this.object({ method: 'POST', path: apiPath`/apis/apps/v1/namespaces/${namespace}/daemonsets`, body });
  }

  async replaceDaemonSet(namespace: string, name: string, body: V1DaemonSet): Promise<V1DaemonSet> {
    return this.object({ method: 'PUT', path: apiPath`/apis/apps/v1/namespaces/${namespace}/daemonsets/${name}`, body });
  }

  async listNodes(labelSelector = ''): Promise<V1Node[]> {
    return this.listAll<V1Node>('/api/v1/nodes', [['labelSelector', labelSelector]]);
  }

  /** Whether a CustomResourceDefinition is installed (404 is "no"; other errors are errors). */
  async hasCrd(name: string): Promise<boolean> {
    try {
      await this.object({ method: 'GET', path: apiPath`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}` });
      return true;
    } catch (err) {
      if (err instanceof CliError && /\(NotFound\)/.test(err.message)) return false;
      throw err;
    }
  }

  async getNamespacedObject<T>(group: string, version: string, namespace: string, plural: string, name: string): Promise<T> {
    return this.object({ method: 'GET', path: apiPath`/apis/${group}/${version}/namespaces/${namespace}/${plural}/${name}` });
  }

  async createNamespacedObject<T>(group: string, version: string, namespace: string, plural: string, body: object): Promise<T> {
    return this.object({ method: 'POST', path: apiPath`/apis/${group}/${version}/namespaces/${namespace}/${plural}`, body });
  }

  async mergePatchNamespacedObject<T>(group: string, version: string, namespace: string, plural: string, name: string, body: object): Promise<T> {
    return this.object({ method: 'PATCH', path: apiPath`/apis/${group}/${version}/namespaces/${namespace}/${plural}/${name}`, body, contentType: MERGE_PATCH });
  }

  /**
   * Runs argv in a container (no shell: the argument array is passed as is) and waits for its exit
   * status. The signal (a Node's deadline), `control` in ms and the run's --deadline each end the
   * exec wherever it is (see execInContainer); an ExecError names which.
   */
  async exec(namespace: string, pod: string, container: string, argv: string[], control: number | ExecControl = {}, stream?: ExecStream): Promise<ExecResult> {
    const options = typeof control === 'number' ? {} : control;
    const parents = [options.signal, stream?.signal, this.runDeadline()].filter((s): s is AbortSignal => s !== undefined);
    // One signal ends the exec: the deadline in ms, the caller's signal, the stream's or the run's.
    const deadline = nodeDeadline(typeof control === 'number' ? control : 0, parents.length > 1 ? AbortSignal.any(parents) : parents[0]);
    this.log(6, `exec ${namespace}/${pod} -c ${container} -- ${argv.join(' ')}`);
    try {
      return await execInContainer(await this.connection(), namespace, pod, container, argv, {
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


}

function describeAnswer(answer: unknown): string {
  if (typeof answer === 'string') return describeUnexpected(answer);
  if (answer === undefined || answer === null) return 'no body';
  return describeUnexpected(JSON.stringify(answer) ?? String(answer));
}

/**
 * The request timeout (or the run's deadline) bounds the whole call, not only the HTTP exchange: a
 * kubeconfig credential plugin (users[].exec) that never answers must not hang mcastctl. budgetMs
 * 0: no limit; past it the call rejects with what `timedOut` makes.
 */
function withinBudget<T>(call: Promise<T>, budgetMs: number, timedOut: () => Error): Promise<T> {
  if (!(budgetMs > 0) || !Number.isFinite(budgetMs)) return call;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), budgetMs);
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
