/**
 * How mcastctl asks an agent what it knows: through exec of antctl in the agent container
 * (--transport exec, the default) or through the agent's own API (--transport api, or inside an
 * agent Pod). Both give the same values; kernel state (mroute, igmp) is only reachable by exec.
 */
import { KNOWN_STATUSES, KNOWN_VERSIONS, parseFeatureGates, type FeatureGate, type FeatureGateSections } from '../antrea/featuregates-parser.js';
import { parsePodMulticastStatsJson, type PodMulticastStats } from '../antrea/podmulticaststats-parser.js';
import type { Exec, ExecControl, ExecResult, KubeApi, RunContext } from '../context.js';
import { AGENT_CONTAINER, CONTROLLER_CONTAINER, type AntreaPod } from './agent-discovery.js';
import { execChecked } from './agent-exec.js';
import { AgentApi } from './agent-api.js';

export type Transport = 'exec' | 'api';

export interface PodStatsQuery {
  namespace?: string;
  name?: string;
}

/** The way to one agent: everything mcastctl asks an antrea-agent goes through its channel. */
export interface AgentChannel {
  readonly pod: AntreaPod;
  readonly transport: Transport;
  /** Runs argv in the agent container (host network): kernel state (mroute, igmp) is only reachable this way. */
  exec: Exec;
  /** The same, resolving with stdout, stderr and exit code whatever the exit code (see node-gather). */
  run(argv: string[]): Promise<ExecResult>;
  /**
   * The agent's own gates; `text` is what antctl printed, when asked through antctl; `warnings` what
   * was read leniently (unknown status, version, column or section).
   */
  featureGates(): Promise<{ gates: FeatureGate[]; text?: string; warnings: string[] }>;
  /** `note` receives what was read leniently (an unknown field, kept as an extra). */
  podMulticastStats(query: PodStatsQuery, note?: (message: string) => void): Promise<PodMulticastStats[]>;
}

/**
 * Opens the channel to one agent Pod (cheap: nothing is sent until a method is called). `node`
 * carries that Node's deadline signal for all of its execs (see queryAgents); without it each
 * exec has --node-timeout on its own.
 */
export type AgentChannels = (pod: AntreaPod, node?: ExecControl) => AgentChannel;

function agentSection(text: string): { gates: FeatureGate[]; warnings: string[] } {
  try {
    const sections = parseFeatureGates(text);
    if (!sections.agent) throw new Error('no "Antrea Agent Feature Gates" section');
    // Every agent since v1.5 lists Multicast: a table without it was cut short (or is not antctl's).
    if (!sections.agent.some((g) => g.name === 'Multicast')) throw new Error(`the agent table has no Multicast row (${sections.agent.length} rows): cut short?`);
    return { gates: sections.agent, warnings: sections.warnings };
  } catch (err) {
    throw new Error(`cannot read "antctl get featuregates" output: ${(err as Error).message}`);
  }
}

/** argv in the agent container of pod, with the Node's deadline (a signal, or ms per exec); a non-zero exit rejects. */
export function agentExec(client: KubeApi, pod: AntreaPod, deadline: number | ExecControl): Exec {
  return (argv) => execChecked(client, pod, AGENT_CONTAINER, argv, deadline);
}

/** argv in the agent container of pod, with the Node's deadline, resolving whatever the exit code. */
export function agentRun(client: KubeApi, pod: AntreaPod, deadline: number | ExecControl): (argv: string[]) => Promise<ExecResult> {
  return async (argv) => {
    if (!pod.ready) throw new Error(pod.notReadyReason ?? `Pod ${pod.name} is not ready`);
    return client.exec(pod.namespace, pod.name, AGENT_CONTAINER, argv, deadline);
  };
}

/** antctl's argv for `get featuregates`, as the exec channel runs it. */
export const ANTCTL_FEATUREGATES = ['antctl', 'get', 'featuregates'];

/** antctl's argv for `get podmulticaststats` (JSON), as the exec channel runs it. */
export function antctlPodMulticastStats(query: PodStatsQuery): string[] {
  const argv = ['antctl', 'get', 'podmulticaststats'];
  if (query.name) argv.push(query.name);
  if (query.namespace) argv.push('-n', query.namespace);
  return [...argv, '-o', 'json'];
}

/** The antctl channel of one agent over `exec` (a real exec, or one answering from gathered output). */
export function execChannel(pod: AntreaPod, exec: Exec, run: (argv: string[]) => Promise<ExecResult>): AgentChannel {
  return {
    pod,
    transport: 'exec',
    exec,
    run,
    async featureGates() {
      const text = await exec(ANTCTL_FEATUREGATES);
      return { ...agentSection(text), text };
    },
    async podMulticastStats(query, note) {
      return parsePodMulticastStatsJson(await exec(antctlPodMulticastStats(query)), note);
    },
  };
}

/** The same channel, its exec (and so its antctl calls) answered by `exec` instead. */
export function withExec(channel: AgentChannel, exec: Exec): AgentChannel {
  return channel.transport === 'exec' ? execChannel(channel.pod, exec, channel.run) : { ...channel, exec };
}

/** Agents asked through antctl run by exec in their container (--transport exec). */
export function execChannels(client: KubeApi, deadlineMs: number): AgentChannels {
  return (pod, node) => execChannel(pod, agentExec(client, pod, node ?? deadlineMs), agentRun(client, pod, node ?? deadlineMs));
}

interface GateJson {
  name?: string;
  status?: string;
  version?: string;
}

/**
 * Agents asked through their own API (--transport api, or the local agent inside an agent Pod);
 * `execFor` reaches their container for kernel state, absent where there is no Kubernetes API.
 */
export function apiChannels(api: AgentApi, client?: KubeApi, deadlineMs = 0): AgentChannels {
  const noExec = () => Promise.reject(new Error('exec needs the Kubernetes API'));
  return (pod, node) => ({
    pod,
    transport: 'api',
    exec: client ? agentExec(client, pod, node ?? deadlineMs) : noExec,
    run: client ? agentRun(client, pod, node ?? deadlineMs) : noExec,
    async featureGates() {
      const body = await api.get(pod.node, '/featuregates');
      let parsed: GateJson[];
      try {
        parsed = JSON.parse(body) as GateJson[];
      } catch {
        throw new Error(`the agent's /featuregates is not JSON: ${JSON.stringify(body.slice(0, 80))}`);
      }
      if (!Array.isArray(parsed)) throw new Error(`the agent's /featuregates is not a JSON list: ${JSON.stringify(body.slice(0, 80))}`);
      const warnings: string[] = [];
      const gates = parsed.map((g) => {
        if (typeof g?.name !== 'string' || typeof g.status !== 'string' || g.status === '') {
          throw new Error(`the agent's /featuregates has an entry without name or status: ${JSON.stringify(g)}`);
        }
        const version = g.version ?? '';
        if (!KNOWN_STATUSES.has(g.status)) warnings.push(`gate ${g.name}: unknown status "${g.status}", read as sent`);
        if (!KNOWN_VERSIONS.has(version)) warnings.push(`gate ${g.name}: unknown version "${version}", read as sent`);
        return { name: g.name, status: g.status, version };
      });
      return { gates, warnings };
    },
    async podMulticastStats(query, note) {
      const params = new URLSearchParams();
      if (query.name) params.set('name', query.name);
      if (query.namespace) params.set('namespace', query.namespace);
      const search = params.toString();
      return parsePodMulticastStatsJson(await api.get(pod.node, `/podmulticaststats${search ? `?${search}` : ''}`), note);
    },
  });
}

/**
 * `antctl get featuregates` in the controller: its own gates, and the agent gates it computes from
 * the antrea-config ConfigMap (what agents would run if restarted now).
 */
export async function controllerFeatureGates(client: KubeApi, pod: AntreaPod, deadlineMs: number): Promise<FeatureGateSections> {
  const sections = parseFeatureGates(await execChecked(client, pod, CONTROLLER_CONTAINER, ['antctl', 'get', 'featuregates'], deadlineMs));
  if (!sections.controller) throw new Error('no "Antrea Controller Feature Gates" section in its output');
  return sections;
}

/** The channels --transport selects. */
export async function openChannels(ctx: RunContext, client: KubeApi): Promise<AgentChannels> {
  const deadlineMs = ctx.globals.nodeTimeoutMs;
  if (ctx.globals.transport === 'exec') return execChannels(client, deadlineMs);
  const api = await AgentApi.forCluster(client, ctx.globals.antreaNamespace, { insecure: ctx.globals.agentInsecureSkipTlsVerify, timeoutMs: deadlineMs, deadlineAt: ctx.globals.runDeadlineAt });
  return apiChannels(api, client, deadlineMs);
}

/** Inside an antrea-agent container: the local agent through its API, and the Pod that stands for it. */
export function localAgentChannel(ctx: RunContext): AgentChannel {
  const { api, node } = AgentApi.local(ctx.env, ctx.globals.nodeTimeoutMs, ctx.globals.runDeadlineAt);
  const pod: AntreaPod = { name: ctx.env.POD_NAME ?? '', namespace: ctx.env.POD_NAMESPACE ?? ctx.globals.antreaNamespace, node, ready: true };
  return apiChannels(api)(pod);
}

/** Inside an antrea-agent container (POD_NAME antrea-agent-…), as antctl's agent mode detects it. */
export function inAgentPod(env: NodeJS.ProcessEnv): boolean {
  return (env.POD_NAME ?? '').startsWith('antrea-agent');
}
