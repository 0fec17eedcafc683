/**
 * The kubeconfig as kubectl reads it (client-go clientcmd, ClientConfigLoadingRules and
 * DirectClientConfig): which files, how they merge, which flags override what, and which mistakes
 * are caught before the first request. Parsing of each file is @kubernetes/client-node's.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import type { Cluster, Context, User } from '@kubernetes/client-node';
// From its own module: the package's index would load every part of client-node with it.
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { parse as parseYaml } from 'yaml';
import type { GlobalOptions } from '../context.js';
import { boundedLine } from '../bounded-text.js';
import { AuthError, UsageError } from '../errors.js';
import { fileErrorText } from '../system-error.js';
import { sharedConnectionsFor, type ExecDialer } from './connection.js';
import { impersonationOf, NO_IMPERSONATION, withImpersonationFlags, type Impersonation } from './impersonation.js';

/** client-go's http.Transport TLSHandshakeTimeout (k8s.io/apimachinery/pkg/util/net.SetTransportDefaults). */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface ExecConfig {
  apiVersion?: string;
  command?: string;
  args?: string[];
  env?: Array<{ name: string; value: string }> | null;
  provideClusterInfo?: boolean;
  interactiveMode?: string;
}

/**
 * The files kubectl reads, in precedence order: --kubeconfig alone (it must exist); else every
 * file of $KUBECONFIG (a path list; duplicates dropped, missing files skipped); else
 * ~/.kube/config when it exists. `explicit` tells whether the user named them.
 */
export function kubeconfigFiles(globals: Pick<GlobalOptions, 'kubeconfig'>, env: NodeJS.ProcessEnv): { files: string[]; explicit: boolean } {
  if (globals.kubeconfig) {
    if (!existsSync(globals.kubeconfig)) throw new UsageError(`stat ${globals.kubeconfig}: no such file or directory`);
    return { files: [globals.kubeconfig], explicit: true };
  }
  if (env.KUBECONFIG) {
    const listed = [...new Set(env.KUBECONFIG.split(delimiter).filter(Boolean))];
    return { files: listed.filter((f) => existsSync(f)), explicit: false };
  }
  const home = env.HOME ?? homedir();
  const recommended = join(home, '.kube', 'config');
  return { files: existsSync(recommended) ? [recommended] : [], explicit: false };
}

/**
 * Merges kubeconfig files as clientcmd does: for clusters, users and contexts the first file that
 * defines a name wins; current-context is the first one set. Relative paths in a file are
 * resolved against its directory. `userFields` holds, per user name, what client-node does not
 * read of that user (see UserFields). Throws UsageError naming the file that does not parse or
 * the user entry whose fields are malformed.
 */
export function mergeKubeconfigFiles(files: string[]): {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string;
  userFields: Map<string, UserFields>;
} {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  const userFields = new Map<string, UserFields>();
  let currentContext = '';
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(fileErrorText(err, file));
    }
    // clientcmd reads an empty file as an empty config, not as an error.
    if (text.trim() === '') continue;
    const one = new KubeConfig();
    try {
      // The text already read, not the file again: loadFromFile is loadFromString of a second read
      // plus makePathsAbsolute.
      one.loadFromString(text);
      one.makePathsAbsolute(dirname(file));
    } catch (err) {
      throw new UsageError(`invalid kubeconfig ${file}: ${(err as Error).message.split('\n')[0]}`);
    }
    for (const c of one.clusters) if (!clusters.has(c.name)) clusters.set(c.name, c);
    const fields = userFieldsIn(text, file);
    for (const u of one.users) {
      if (users.has(u.name)) continue;
      users.set(u.name, u);
      userFields.set(u.name, fields.get(u.name) ?? { impersonation: NO_IMPERSONATION });
    }
    for (const c of one.contexts) if (!contexts.has(c.name)) contexts.set(c.name, c);
    currentContext ||= one.currentContext ?? '';
  }
  return { clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext, userFields };
}

/** What client-node 1.4.0 does not read of a kubeconfig user (clientcmd api.AuthInfo). */
export interface UserFields {
  /** as, as-uid, as-groups, as-user-extra (client-node reads only `as`). */
  impersonation: Impersonation;
  /** tokenFile, absolute (client-node reads a "token-file" key kubectl never writes). */
  tokenFile?: string;
}

/**
 * Per user name, the UserFields of a kubeconfig file's users. Read from the file itself with the
 * YAML failsafe schema (every scalar a string, as Go decodes these string fields, so `as-uid: 0123`
 * stays "0123"); only when the text mentions such a field. A relative tokenFile is resolved
 * against the file's directory, as clientcmd resolves it.
 */
function userFieldsIn(text: string, file: string): Map<string, UserFields> {
  const found = new Map<string, UserFields>();
  if (!/["']?(as|as-uid|as-groups|as-user-extra|tokenFile)["']?\s*:/.test(text)) return found;
  let doc: unknown;
  try {
    doc = parseYaml(text, { schema: 'failsafe' });
  } catch (err) {
    throw new UsageError(`invalid kubeconfig ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const users = (doc as { users?: unknown } | null)?.users;
  if (!Array.isArray(users)) return found;
  users.forEach((entry: { name?: unknown; user?: { tokenFile?: unknown } } | null, i) => {
    const name = entry?.name;
    if (typeof name !== 'string' || found.has(name)) return;
    const where = `invalid kubeconfig ${file}: users[${i}].user`;
    const tokenFile = entry?.user?.tokenFile;
    if (tokenFile !== undefined && tokenFile !== null && typeof tokenFile !== 'string') throw new UsageError(`${where}: tokenFile must be a string`);
    found.set(name, { impersonation: impersonationOf(entry?.user, where), ...(tokenFile ? { tokenFile: resolve(dirname(file), tokenFile) } : {}) });
  });
  return found;
}

/**
 * The KubeConfig of the selected context with kubectl's connection flags applied
 * (clientcmd.ConfigOverrides): --context, --cluster, --user, --server, --certificate-authority,
 * --insecure-skip-tls-verify, --token, --as, --as-group (over the user's as, as-uid, as-groups and
 * as-user-extra: see impersonation.ts). Falls back to the in-cluster
 * ServiceAccount when no file exists and nothing was named. Every error is a UsageError (exit 2),
 * thrown before any request: no configuration, unknown names, a server that is not a URL,
 * unreadable or unparsable CA, client certificate or key.
 */
export function loadKubeConfig(globals: GlobalOptions, env: NodeJS.ProcessEnv): SharedAgentKubeConfig {
  const { files, explicit } = kubeconfigFiles(globals, env);
  const merged = mergeKubeconfigFiles(files);
  const kc = new SharedAgentKubeConfig();
  if (merged.contexts.length === 0 && merged.clusters.length === 0 && !explicit && !globals.server && inCluster(env)) {
    kc.loadFromCluster();
    kc.impersonation = withImpersonationFlags(NO_IMPERSONATION, globals.as, globals.asGroups ?? [], kc.getCurrentUser()?.name ?? '');
    const cluster = kc.getCurrentCluster();
    if (cluster && env.KUBERNETES_SERVICE_HOST) {
      const host = env.KUBERNETES_SERVICE_HOST.includes(':') ? `[${env.KUBERNETES_SERVICE_HOST}]` : env.KUBERNETES_SERVICE_HOST;
      (cluster as { server: string }).server = `https://${host}:${env.KUBERNETES_SERVICE_PORT}`;
    }
    return kc;
  }

  const contextName = globals.context ?? merged.currentContext;
  let context: Context | undefined;
  if (contextName) {
    context = merged.contexts.find((c) => c.name === contextName);
    if (!context && globals.context) throw new UsageError(`context "${globals.context}" does not exist`);
  }
  if (!context && !globals.server && !globals.cluster) {
    if (merged.clusters.length === 0 && merged.contexts.length === 0 && merged.users.length === 0) {
      throw new UsageError(
        'invalid configuration: no configuration has been provided: pass --kubeconfig, set KUBECONFIG or create ~/.kube/config (or give --server)',
      );
    }
    throw new UsageError(
      contextName
        ? `invalid configuration: context "${contextName}" was not found in ${files.join(', ')}`
        : 'no current context is set in the kubeconfig: use --context or "kubectl config use-context"',
    );
  }

  const clusterName = globals.cluster ?? context?.cluster ?? '';
  const found = merged.clusters.find((c) => c.name === clusterName);
  if (!found && globals.cluster && !globals.server) throw new UsageError(`invalid configuration: no server found for cluster "${globals.cluster}"`);
  const cluster = applyClusterOverrides(found ?? { name: clusterName || 'mcastctl', server: '', skipTLSVerify: false }, globals);

  const userName = globals.user ?? context?.user ?? '';
  const foundUser = merged.users.find((u) => u.name === userName);
  if (!foundUser && globals.user) throw new UsageError(`auth info "${globals.user}" does not exist`);
  const fields = merged.userFields.get(userName);
  const user = applyUserOverrides(foundUser ?? { name: userName || 'mcastctl' }, globals, cluster, fields?.tokenFile);
  kc.impersonation = withImpersonationFlags(fields?.impersonation ?? NO_IMPERSONATION, globals.as, globals.asGroups ?? [], user.name);
  // client-go's SOCKS5 dialer (Go's net/http, golang.org/x/net/internal/socks) lets the proxy
  // resolve the server's host name, which may be known only behind it; socks-proxy-agent does that
  // only for socks5h. Changed after the credential plugin's KUBERNETES_EXEC_INFO, which carries
  // the kubeconfig's own proxy-url.
  if (cluster.proxyUrl && /^socks5:/i.test(cluster.proxyUrl)) (cluster as { proxyUrl?: string }).proxyUrl = cluster.proxyUrl.replace(/^socks5:/i, 'socks5h:');

  const selected: Context = { name: context?.name ?? 'mcastctl', cluster: cluster.name, user: user.name, namespace: context?.namespace };
  kc.loadFromOptions({
    clusters: [cluster, ...merged.clusters.filter((c) => c.name !== cluster.name)],
    users: [user, ...merged.users.filter((u) => u.name !== user.name)],
    contexts: [selected, ...merged.contexts.filter((c) => c.name !== selected.name)],
    currentContext: selected.name,
  });
  validateCredentials(cluster, user);
  return kc;
}

function inCluster(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && existsSync(join(SERVICE_ACCOUNT_DIR, 'token')));
}

function applyClusterOverrides(found: Cluster, globals: GlobalOptions): Cluster {
  const cluster: { -readonly [K in keyof Cluster]: Cluster[K] } = { ...found };
  if (globals.server) cluster.server = globals.server;
  if (globals.certificateAuthority) {
    cluster.caFile = globals.certificateAuthority;
    cluster.caData = undefined;
  }
  if (globals.insecureSkipTlsVerify) {
    if (globals.certificateAuthority) throw new UsageError('specifying a root certificates file with the insecure flag is not allowed');
    // clientcmd: an --insecure-skip-tls-verify override without a CA override clears the CA.
    cluster.skipTLSVerify = true;
    cluster.caFile = undefined;
    cluster.caData = undefined;
  }
  if (!cluster.server) throw new UsageError(`invalid configuration: no server found for cluster "${cluster.name}"`);
  cluster.server = normalisedServer(cluster);
  return cluster;
}

/**
 * clientcmd accepts a server without a scheme ("host:6443"): https when TLS is configured, else
 * http. A plain http server (kubectl proxy) needs no TLS settings; client-node only builds an
 * http agent for a cluster marked skipTLSVerify, which then changes nothing on the wire.
 */
function normalisedServer(cluster: { -readonly [K in keyof Cluster]: Cluster[K] }): string {
  const text = cluster.server.trim();
  const hasTls = Boolean(cluster.caData || cluster.caFile || cluster.skipTLSVerify);
  const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `${hasTls ? 'https' : 'http'}://${text}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new UsageError(`invalid configuration: cluster "${cluster.name}" has an invalid server URL "${cluster.server}"`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname) {
    throw new UsageError(`invalid configuration: cluster "${cluster.name}" has an invalid server URL "${cluster.server}": expected https://HOST[:PORT]`);
  }
  if (url.protocol === 'http:') cluster.skipTLSVerify = true;
  return candidate.replace(/\/+$/, '');
}

function applyUserOverrides(found: User, globals: GlobalOptions, cluster: Cluster, tokenFile: string | undefined): User {
  const user: { -readonly [K in keyof User]: User[K] } = { ...found };
  // clientcmd: a token (flag or kubeconfig) wins over the tokenFile, whose content is trimmed.
  if (!globals.token && !user.token && tokenFile) {
    try {
      user.token = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new UsageError(fileErrorText(err, tokenFile));
    }
  }
  if (globals.token) {
    // A bearer token from the flag is what is sent: client-go skips exec plugins and auth
    // providers when the request already carries an Authorization header.
    user.token = globals.token;
    user.exec = undefined;
    user.authProvider = undefined;
    user.username = undefined;
    user.password = undefined;
  }
  if (globals.as) user.impersonateUser = globals.as;
  if (user.exec) user.exec = withExecInfo(user.exec as ExecConfig, cluster);
  return user;
}

/**
 * KUBERNETES_EXEC_INFO for a credential plugin, as client-go's exec authenticator encodes it
 * (k8s.io/client-go/plugin/pkg/client/auth/exec/exec.go): an ExecCredential of the plugin's
 * apiVersion with spec.interactive (always false here: the plugin gets no terminal) and, when the
 * kubeconfig says provideClusterInfo, spec.cluster.
 */
export function execInfo(exec: ExecConfig, cluster: Cluster): string {
  const clusterInfo = exec.provideClusterInfo
    ? {
        server: cluster.server,
        ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}),
        ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
        ...(caBytes(cluster) ? { 'certificate-authority-data': caBytes(cluster)!.toString('base64') } : {}),
        ...(cluster.proxyUrl ? { 'proxy-url': cluster.proxyUrl } : {}),
      }
    : undefined;
  return JSON.stringify({
    kind: 'ExecCredential',
    apiVersion: exec.apiVersion ?? 'client.authentication.k8s.io/v1beta1',
    spec: { ...(clusterInfo ? { cluster: clusterInfo } : {}), interactive: false },
  });
}

function withExecInfo(exec: ExecConfig, cluster: Cluster): ExecConfig {
  const env = (exec.env ?? []).filter((e) => e.name !== 'KUBERNETES_EXEC_INFO');
  // client-node passes process.env plus these entries to the plugin.
  return { ...exec, env: [...env, { name: 'KUBERNETES_EXEC_INFO', value: execInfo(exec, cluster) }] };
}

function caBytes(cluster: Cluster): Buffer | undefined {
  if (cluster.caData) return Buffer.from(cluster.caData, 'base64');
  if (cluster.caFile && existsSync(cluster.caFile)) return readFileSync(cluster.caFile);
  return undefined;
}

/** Reads a file the kubeconfig names, in clientcmd's wording when it cannot. */
function readNamed(what: string, file: string, owner: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`unable to read ${what} ${file} for ${owner} due to ${fileErrorText(err, file)}`);
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The CA, client certificate and key must be readable and parse, as Go's crypto/tls requires. */
function validateCredentials(cluster: Cluster, user: User): void {
  const ca = cluster.caFile ? readNamed('certificate-authority', cluster.caFile, cluster.name) : cluster.caData ? Buffer.from(cluster.caData, 'base64') : undefined;
  if (ca) {
    const blocks = ca.toString('latin1').match(PEM_CERTIFICATE) ?? [];
    if (blocks.length === 0 || blocks.some((b) => !parses(() => new X509Certificate(b)))) {
      throw new UsageError('unable to load root certificates: unable to parse bytes as PEM block');
    }
  }
  const cert = user.certFile ? readNamed('client-cert', user.certFile, user.name) : user.certData ? Buffer.from(user.certData, 'base64') : undefined;
  const key = user.keyFile ? readNamed('client-key', user.keyFile, user.name) : user.keyData ? Buffer.from(user.keyData, 'base64') : undefined;
  if (cert) {
    const blocks = cert.toString('latin1').match(PEM_CERTIFICATE) ?? [];
    if (blocks.length === 0) throw new UsageError('tls: failed to find any PEM data in certificate input');
    if (!parses(() => new X509Certificate(blocks[0]!))) throw new UsageError('tls: failed to parse certificate');
  }
  if (key) {
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key.toString('latin1'))) throw new UsageError('tls: failed to find any PEM data in key input');
    if (!parses(() => createPrivateKey(key))) throw new UsageError('tls: failed to parse private key');
  }
  if (cert && !key) throw new UsageError(`client-key-data or client-key must be specified for ${user.name} to use the clientCert authentication method.`);
  if (key && !cert) throw new UsageError(`client-cert-data or client-cert must be specified for ${user.name} to use the clientCert authentication method.`);
}

function parses(attempt: () => unknown): boolean {
  try {
    attempt();
    return true;
  } catch {
    return false;
  }
}

/**
 * client-node builds a new HTTPS agent (and so a new TLS context and a full handshake) for every
 * API call and every WebSocket. This kubeconfig hands out one shared agent instead (see
 * sharedConnectionsFor): one SecureContext with the CA, client certificate and key, kept-alive API
 * connections, TLS sessions resumed across the execs of a fan-out, TLS handshakes bounded as
 * client-go bounds them. Clusters reached through a proxy (proxy-url) keep client-node's proxy
 * agents.
 */
export class SharedAgentKubeConfig extends KubeConfig {
  private agent: HttpAgent | undefined;
  private dialer: ExecDialer | undefined;
  private proxied: HttpAgent | undefined;

  /** The last exec credential plugin run: its command and how it ended, for client-go's wording of a failure. */
  private plugin: { command: string; exitCode: number | null; stderr: string } | undefined;

  /** Who the run acts as: the kubeconfig user's impersonation with --as and --as-group applied (set by loadKubeConfig). */
  impersonation: Impersonation = NO_IMPERSONATION;

  constructor() {
    super();
    // client-node rejects a failed plugin with only its stderr; its exit code is seen here first.
    type ExecFn = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;
    // client-node 1.4.0 keeps its authenticators private: reached by name and checked at run time.
    const authenticators: unknown = Reflect.get(this, 'authenticators');
    const execAuth = Array.isArray(authenticators)
      ? authenticators.find((a): a is { execFn?: ExecFn } => typeof a === 'object' && a !== null && 'execFn' in a)
      : undefined;
    if (execAuth) {
      execAuth.execFn = (command, args = [], options = {}) => {
        const child = spawn(command, args, options);
        const run = { command, exitCode: null as number | null, stderr: '' };
        this.plugin = run;
        child.stderr?.on('data', (chunk: Buffer | string) => (run.stderr += String(chunk)));
        child.on('close', (code: number | null) => (run.exitCode = code));
        return child;
      };
    }
  }

  /**
   * Adds the current user's credentials (token, exec plugin, auth provider) to `opts.headers`, and
   * nothing else: the TLS material is in the shared agent already. Throws credentialError's wording
   * of a failed plugin. client-node 1.4.0 keeps this step private (applyAuthorizationHeader).
   */
  async applyCredentials(opts: { headers: Record<string, string> }): Promise<void> {
    const apply: unknown = Reflect.get(this, 'applyAuthorizationHeader');
    if (typeof apply !== 'function') throw new Error('this @kubernetes/client-node has no applyAuthorizationHeader');
    const applyHeader = apply as (this: KubeConfig, o: { headers: Record<string, string> }) => Promise<void>;
    await applyHeader.call(this, opts).catch((err: unknown) => {
      throw this.credentialError(err);
    });
  }

  /**
   * client-go's wording of a credential plugin that failed ("getting credentials: exec: executable X
   * failed with exit code 3"), an AuthError (exit 4: no credentials to send); any other error as is.
   */
  credentialError(err: unknown): unknown {
    const run = this.plugin;
    if (!run || !this.getCurrentUser()?.exec) return err;
    const e = err as NodeJS.ErrnoException;
    const prefix = `Unable to connect to the server: getting credentials: `;
    if (e.code === 'ENOENT' && e.syscall?.startsWith('spawn')) return new AuthError(`${prefix}exec: executable ${run.command} not found`);
    if (run.exitCode !== null && run.exitCode !== 0) {
      const said = boundedLine(run.stderr.trim());
      return new AuthError(`${prefix}exec: executable ${run.command} failed with exit code ${run.exitCode}${said ? `: ${said}` : ''}`);
    }
    // V8 quotes the start of what it could not parse: the plugin's stdout, which holds a credential.
    if (err instanceof SyntaxError) return new AuthError(`${prefix}decoding stdout: ${boundedLine(err.message.replace(/, ".*"(\.\.\.)? is not valid JSON$/s, ' is not valid JSON'))}`);
    return err;
  }

  /** The run's agent for the current cluster, built on first use; undefined behind a proxy. */
  async sharedAgent(): Promise<HttpAgent | undefined> {
    await this.buildConnections();
    return this.agent;
  }

  /** The run's exec connections to the current cluster (sharing the agent's TLS context); undefined behind a proxy. */
  async execDialer(): Promise<ExecDialer | undefined> {
    await this.buildConnections();
    return this.dialer;
  }

  private async buildConnections(): Promise<void> {
    const cluster = this.getCurrentCluster();
    if (!cluster || cluster.proxyUrl || this.agent) return;
    const tls: Parameters<KubeConfig['applyToHTTPSOptions']>[0] = {};
    await super.applyToHTTPSOptions(tls);
    const { agent, dialer } = sharedConnectionsFor(cluster.server, tls as Parameters<typeof sharedConnectionsFor>[1], TLS_HANDSHAKE_TIMEOUT_MS);
    this.agent = agent;
    this.dialer = dialer;
  }

  /**
   * client-node's agent for a cluster behind a proxy-url (no shared TLS context there: the proxy
   * agent makes its own connections), made once. Throws credentialError's wording of a failed
   * credential plugin.
   */
  async proxyAgent(): Promise<HttpAgent> {
    if (!this.proxied) {
      const opts: { agent?: HttpAgent } = {};
      await this.applyToHTTPSOptions(opts).catch((err: unknown) => {
        throw this.credentialError(err);
      });
      this.proxied = opts.agent!;
    }
    return this.proxied;
  }
}

