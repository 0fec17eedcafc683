/**
 * Types shared by every layer: the command context, the global options and the Kubernetes API as
 * commands use it. This module imports nothing from src/ (types of the client library only), so
 * cluster/, output/, antrea/ and commands/ may all depend on it without a cycle.
 */
import type { Writable } from 'node:stream';
import type { V1ConfigMap, V1DaemonSet, V1Deployment, V1Namespace, V1Node, V1Pod } from '@kubernetes/client-node';

export interface GlobalOptions {
  kubeconfig?: string;
  /** The context a run uses (the first --context; absent: the kubeconfig's current context). */
  context?: string;
  /** Every --context given, in order; more than one runs a read over each (see commands/fleet). */
  contexts: string[];
  /** --all-contexts: a read over every context of the kubeconfig. */
  allContexts: boolean;
  requestTimeoutMs: number;
  nodeTimeoutMs: number;
  /** --deadline: epoch ms by which every Node's work ends (absent: none). */
  runDeadlineAt?: number;
  antreaNamespace: string;
  verbosity: number;
  color: boolean;
  /** How agents are asked what they know: exec of antctl, or their own API. */
  transport: 'exec' | 'api';
  /** kubectl's --insecure-skip-tls-verify: do not verify the API server's certificate. */
  insecureSkipTlsVerify: boolean;
  /** Skip TLS verification of agent APIs (--transport api), never of the API server. */
  agentInsecureSkipTlsVerify: boolean;
  /** kubectl's connection flags, each overriding the kubeconfig (clientcmd.ConfigOverrides). */
  server?: string;
  token?: string;
  /** Impersonate this user (Impersonate-User). */
  as?: string;
  /** Impersonate these groups (one Impersonate-Group header each). */
  asGroups?: string[];
  /** The kubeconfig user (auth info) to use instead of the context's. */
  user?: string;
  /** The kubeconfig cluster to use instead of the context's. */
  cluster?: string;
  /** A CA file for the API server, instead of the kubeconfig's. */
  certificateAuthority?: string;
}

export type OutputStream = Writable & { isTTY?: boolean };

/** The process's streams and environment: all output/ needs to print. */
export interface Streams {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
}

/** Streams plus the parsed global flags: what cluster/ and output/ need from a run. */
export interface RunContext extends Streams {
  /** "mcastctl" or "kubectl antrea-multicast", for messages that name the command. */
  programName: string;
  globals: GlobalOptions;
}

/** Everything a command needs from its surroundings, so tests can run commands in-process. */
export interface CommandContext extends RunContext {
  /**
   * The Kubernetes API of the selected context. The kubeconfig is read on the first call (and
   * its errors thrown there), never before; later calls return the same client. Tests pass a fake.
   */
  cluster(): Promise<KubeApi>;
}

/** The outcome of one command run in a container. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** How a long-running exec is watched and stopped. */
export interface ExecStream {
  signal?: AbortSignal;
  /** Called with each piece of stdout as it arrives. */
  onStdout?: (chunk: string) => void;
}

/** What ends an exec (a Node's deadline), and who hears that the server throttled it (429) and for how long. */
export interface ExecControl {
  signal?: AbortSignal;
  onThrottle?: (waitMs: number) => void;
}

/** Runs an argument array in one agent's container and resolves with its stdout (a non-zero exit rejects). */
export type Exec = (argv: string[]) => Promise<string>;

/**
 * The Kubernetes API calls mcastctl makes. Every method throws a CliError worded as kubectl
 * words it (with the exit code of its class); lists are complete (paginated internally).
 */
export interface KubeApi {
  /** The API server URL of the current context. */
  readonly server: string;
  /** The namespace of the current context, as kubectl uses it when -n is not given. */
  readonly defaultNamespace: string;
  /** fieldSelector as kubectl's --field-selector (e.g. spec.nodeName=n1, values escaped). */
  listPods(namespace: string, labelSelector: string, fieldSelector?: string): Promise<V1Pod[]>;
  listAllPods(labelSelector: string): Promise<V1Pod[]>;
  /** Names of the Namespaces (only those matching labelSelector when given). */
  listNamespaces(labelSelector?: string): Promise<string[]>;
  readNamespace(name: string): Promise<V1Namespace>;
  createNamespace(body: V1Namespace): Promise<V1Namespace>;
  /** Deletes a Namespace and, in the background, everything in it (404 when it is gone). */
  deleteNamespace(name: string): Promise<void>;
  createPod(namespace: string, body: V1Pod): Promise<V1Pod>;
  deletePod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<void>;
  listNodes(labelSelector?: string): Promise<V1Node[]>;
  requestServiceAccountToken(namespace: string, name: string, seconds: number): Promise<string>;
  readPodLog(namespace: string, name: string, container: string, tailLines: number, previous?: boolean): Promise<string>;
  readPod(namespace: string, name: string): Promise<V1Pod>;
  listClusterObjects<T>(group: string, version: string, plural: string): Promise<T[]>;
  getClusterObject<T>(group: string, version: string, plural: string, name: string): Promise<T>;
  readConfigMap(namespace: string, name: string): Promise<V1ConfigMap>;
  createConfigMap(namespace: string, body: V1ConfigMap): Promise<V1ConfigMap>;
  replaceConfigMap(namespace: string, name: string, body: V1ConfigMap): Promise<V1ConfigMap>;
  mergePatchConfigMap(namespace: string, name: string, body: object): Promise<V1ConfigMap>;
  readDaemonSet(namespace: string, name: string): Promise<V1DaemonSet>;
  readDeployment(namespace: string, name: string): Promise<V1Deployment>;
  patchWorkload(kind: 'daemonset' | 'deployment', namespace: string, name: string, body: object): Promise<void>;
  createDaemonSet(namespace: string, body: V1DaemonSet): Promise<V1DaemonSet>;
  replaceDaemonSet(namespace: string, name: string, body: V1DaemonSet): Promise<V1DaemonSet>;
  hasCrd(name: string): Promise<boolean>;
  getNamespacedObject<T>(group: string, version: string, namespace: string, plural: string, name: string): Promise<T>;
  createNamespacedObject<T>(group: string, version: string, namespace: string, plural: string, body: object): Promise<T>;
  mergePatchNamespacedObject<T>(group: string, version: string, namespace: string, plural: string, name: string, body: object): Promise<T>;
  /**
   * Runs argv in a container (no shell) and waits for its exit status: at most deadlineMs (0: no
   * deadline), or until control.signal aborts (which ends the exec in flight). With `stream`,
   * onStdout sees the output as it arrives and an aborted stream.signal ends the session too (the
   * promise rejects with the signal's reason).
   */
  exec(namespace: string, pod: string, container: string, argv: string[], control: number | ExecControl, stream?: ExecStream): Promise<ExecResult>;
}

/** A spinner (or nothing, off a terminal) showing how far a fan-out got. */
export interface Progress {
  update(text: string): void;
  stop(): void;
}
