import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** A 64-bit counter: exact as bigint (how the loader reads scenario files); a number from TypeScript callers. */
export type Counter = bigint | number;

/** A simulated cluster, as written in test/sim/scenarios/*.yaml. */
export interface Scenario {
  antreaVersion: string;
  /** The API server's /version minor; /usr/bin/kubectl picks its binary from it. */
  kubernetesMinor?: number;
  token?: string;
  config?: {
    /** A file in test/fixtures/antrea; default: the manifest of the nearest release. */
    manifest?: string;
    /** Dotted keys set in antrea-agent.conf / antrea-controller.conf before the cluster starts. */
    agent?: Record<string, unknown>;
    controller?: Record<string, unknown>;
    /** Dotted keys set in antrea-windows-config's antrea-agent.conf (clusters with Windows Nodes). */
    windowsAgent?: Record<string, unknown>;
  };
  nodes: ScenarioNode[];
  /** Namespaces besides default, kube-system, kube-public and the workloads' (e.g. a TKGs vSphere Namespace). */
  namespaces?: string[];
  /** Pods of ordinary workloads, stored as Pods running the given image (default busybox). */
  workloads?: ScenarioWorkload[];
  faults?: Fault[];
  /** Extra agents with generated names, for benchmarks: count and a name prefix. */
  generatedNodes?: { count: number; prefix: string; template?: Partial<ScenarioNode> };
  /** Milliseconds a restarted agent takes to become ready. */
  agentStartMs?: number;
  /** A TKGs workload cluster (or its Supervisor): the AntreaConfig CRD, markers, existing AntreaConfigs. */
  tkgs?: { crd?: boolean; configMapLabels?: Record<string, string>; antreaConfigs?: Array<Record<string, any>> };
  /**
   * Serve each agent's own API (/featuregates, /podmulticaststats) over HTTPS on the Node's
   * InternalIP, which must then be a loopback address such as 127.0.1.1.
   */
  agentApi?: boolean;
  /** Every exec takes between these many milliseconds (a real kubelet round trip), e.g. [20, 50]. */
  execLatencyMs?: [number, number];
  /** Milliseconds between two restarts of a crash-looping container (the kubelet's back-off, shortened). */
  crashLoopRestartMs?: number;
  /**
   * Milliseconds an (S,G) route the agent added may route no packet before the agent deletes it
   * (antrea pkg/agent/multicast mcast_route_linux.go mRouteTimeout at v2.7.0: 10 minutes); shorten for tests.
   */
  mrouteTimeoutMs?: number;
  /** Captured real outputs replayed for an exact argv received by an agent container. */
  execOverrides?: ExecOverride[];
  /** The directory of the scenario file: execOverrides' relative stdoutFile paths start there. */
  scenarioDir?: string;
}

export interface ExecOverride {
  /** Only exec into this Node's agent; every Node when absent. */
  node?: string;
  /** The exact argv the agent container receives. */
  argv: string[];
  /** A file with the captured stdout, relative to the scenario file or absolute; or `stdout` inline. */
  stdoutFile?: string;
  stdout?: string;
  stderr?: string;
  /** Default 0. */
  exitCode?: number;
}

export interface ScenarioNode {
  name: string;
  /** Backed by a real network namespace of the multicast lab: kernel reads and sysctl writes are real. */
  lab?: boolean;
  labels?: Record<string, string>;
  /** A second InternalIP (dual stack), or the only one when internalIP is absent (IPv6 only). */
  internalIPv6?: string;
  internalIP?: string;
  kernelVersion?: string;
  osImage?: string;
  os?: 'linux' | 'windows';
  podCIDR?: string;
  agent?: {
    ready?: boolean;
    restarts?: number;
    /** Gates this agent runs whatever the ConfigMap says (an agent started from an older config). */
    featureGates?: Record<string, boolean>;
    /** Agent image tag, when it differs from the cluster's Antrea version (mid-upgrade). */
    version?: string;
    /** Lines the antrea-agent container logged (GET pods/log). */
    logs?: string[];
    /** What the agent image ships: an old iproute2 without -j, or no iproute2 at all. */
    tools?: { ip?: boolean; ipJson?: boolean; iproute2?: string };
  };
  kernel?: {
    igmpMaxMemberships?: number;
    transportInterface?: string;
    joinedGroups?: Record<string, string[]>;
    mroutes?: Array<{
      source: string;
      group: string;
      iif?: string;
      oifs?: Array<string | { name: string; ttl?: number }>;
      /** u64 kernel counters: YAML integers are read exactly (bigint), numbers are accepted too. */
      packets?: Counter;
      bytes?: Counter;
      wrongIf?: Counter;
      age?: number;
    }>;
  };
}

export interface ScenarioWorkload {
  name: string;
  namespace: string;
  node: string;
  /** Container image; its programs are what exec runs (test/sim/images). Default "busybox:1.36". */
  image?: string;
  ip?: string;
  /** u64 counters antrea-agent reports; YAML integers are read exactly (bigint). */
  inbound?: Counter;
  outbound?: Counter;
  /** Packets per second added to the counters while the simulator runs (for --watch). */
  inboundRate?: number;
  outboundRate?: number;
  /**
   * Groups this Pod sends to, at `sendRate` packets per second (default 100) of `packetBytes` bytes
   * (default 1368): the dataplane derives routes, deliveries and counters from them.
   */
  sends?: string[];
  sendRate?: number;
  packetBytes?: number;
  groups?: string[];
}

export type FaultKind =
  | 'exec-hang'
  | 'exec-exit'
  | 'forbidden'
  | 'too-many-requests'
  | 'server-error'
  | 'slow'
  | 'agent-not-ready'
  | 'unauthorized'
  /** The next write of a matching object (path "configmaps/antrea-config") races a concurrent writer: 409. */
  | 'conflict'
  /** This Node's agent comes back from a restart still running its old config. */
  | 'stale-config'
  /** Answer `code` with `body` (and `contentType`, `headers`) instead of the real answer. */
  | 'status'
  /** Destroy the connection without an answer. */
  | 'drop-connection'
  /** Hold the WebSocket upgrade of an exec for `delayMs`. */
  | 'slow-upgrade'
  /** Delete Node `targetNode` (and its Pods) when the matching request arrives, then answer it. */
  | 'delete-node'
  /** The exec answers `bytes` bytes of `fill` (default 10 MiB of "x"), or binary bytes with `binary: true`. */
  | 'exec-output';

export interface Fault {
  kind: FaultKind;
  /** Limit to exec into this Node's agent (or to requests about it); absent: every request. */
  node?: string;
  /** Limit API faults to request paths matching this regular expression. */
  path?: string;
  /** Limit to this HTTP method. */
  method?: string;
  exitCode?: number;
  stderr?: string;
  /** For "conflict": the data keys the concurrent writer sets before the 409. */
  concurrentData?: Record<string, string>;
  retryAfterSeconds?: number;
  delayMs?: number;
  /** Apply only this many times, then behave normally. */
  times?: number;
  /** Fire from the N-th matching request on (1-based). */
  nth?: number;
  /** For "status". */
  code?: number;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** For "delete-node". */
  targetNode?: string;
  /** For "exec-output". */
  bytes?: number;
  fill?: string;
  binary?: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));
export const SCENARIO_DIR = join(here, 'scenarios');
export const FIXTURE_DIR = join(here, '..', 'fixtures', 'antrea');

/** The top-level keys of a scenario file (the fields of Scenario): any other key is a typo. */
const SCENARIO_KEYS: ReadonlySet<string> = new Set<keyof Scenario>([
  'antreaVersion', 'kubernetesMinor', 'token', 'config', 'nodes', 'namespaces', 'workloads', 'faults', 'generatedNodes',
  'agentStartMs', 'tkgs', 'agentApi', 'execLatencyMs', 'crashLoopRestartMs', 'mrouteTimeoutMs', 'execOverrides', 'scenarioDir',
]);

/** A scenario that cannot be loaded: its message is one line, for `error: ...`. */
export class ScenarioError extends Error {}

/** The names of the scenarios in test/sim/scenarios, sorted. */
export function scenarioNames(): string[] {
  return readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort();
}

/**
 * Reads a scenario: a name in test/sim/scenarios, or a path to a .yaml file. Integers of counters stay
 * exact (bigint). Throws ScenarioError for an unknown name, a missing file or an unknown top-level key.
 */
export function loadScenario(pathOrName: string): Scenario {
  const named = !(isAbsolute(pathOrName) || pathOrName.includes('/') || pathOrName.endsWith('.yaml'));
  const path = named ? join(SCENARIO_DIR, `${pathOrName}.yaml`) : pathOrName;
  if (!existsSync(path)) {
    throw new ScenarioError(named ? `unknown scenario "${pathOrName}"; scenarios: ${scenarioNames().join(', ')} (or a path to a .yaml)` : `scenario file "${path}" does not exist`);
  }
  // intAsBigInt: a u64 counter such as 18446744073709551615 must not be rounded through a double.
  const doc: unknown = parse(readFileSync(path, 'utf8'), { intAsBigInt: true });
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new ScenarioError(`scenario ${path}: not a mapping of scenario keys`);
  const unknown = Object.keys(doc).filter((k) => !SCENARIO_KEYS.has(k));
  if (unknown.length > 0) {
    throw new ScenarioError(`scenario ${path}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; known keys: ${[...SCENARIO_KEYS].join(', ')}`);
  }
  const scenario = exactCounters(doc, []) as Scenario;
  scenario.scenarioDir ??= dirname(path);
  return scenario;
}

/** Whether the value at `path` is a u64 counter (kept as bigint); every other integer becomes a number. */
function isCounter(path: string[]): boolean {
  const key = path[path.length - 1];
  if (path.includes('mroutes')) return key === 'packets' || key === 'bytes' || key === 'wrongIf';
  return path[0] === 'workloads' && path.length === 3 && (key === 'inbound' || key === 'outbound');
}

/** The parsed document with bigints only where counters are (see isCounter). */
function exactCounters(value: unknown, path: string[]): unknown {
  if (typeof value === 'bigint') return isCounter(path) ? value : Number(value);
  if (Array.isArray(value)) return value.map((v, i) => exactCounters(v, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, exactCounters(v, [...path, k])]));
  }
  return value;
}
