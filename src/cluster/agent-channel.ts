/**
 * How mcastctl asks an agent what it knows: through exec of antctl in the agent container
 * (--transport exec, the default) or through the agent's own API (--transport api, or inside an
 * agent Pod). Both give the same values; kernel state (mroute, igmp) is only reachable by exec.
 */
import { parseFeatureGates, type FeatureGate, type FeatureGateSections } from '../antrea/featuregates-parser.js';
import { parsePodMulticastStatsJson, type PodMulticastStats } from '../antrea/podmulticaststats-parser.js';
import type { CommandContext } from '../commands/context.js';
import { CONTROLLER_CONTAINER, type AntreaPod } from './agent-discovery.js';
import { execChecked } from './agent-exec.js';
import { AgentApi } from './agent-api.js';
import type { KubeClient } from './kube-client.js';

export type Transport = 'exec' | 'api';
export type Exec = (argv: string[]) => Promise<string>;

export interface PodStatsQuery {
  namespace?: string;
  name?: string;
}

export interface AgentChannel {
  readonly transport: Transport;
  /** The agent's own gates; `text` is what antctl printed, when asked through antctl. */
  featureGates(pod: AntreaPod, exec: Exec): Promise<{ gates: FeatureGate[]; text?: string }>;
  podMulticastStats(pod: AntreaPod, query: PodStatsQuery, exec: Exec): Promise<PodMulticastStats[]>;
}

function agentSection(text: string): FeatureGate[] {
  try {
    const sections = parseFeatureGates(text);
    if (!sections.agent) throw new Error('no "Antrea Agent Feature Gates" section');
    return sections.agent;
  } catch (err) {
    throw new Error(`cannot read "antctl get featuregates" output: ${(err as Error).message}`);
  }
}

export const execChannel: AgentChannel = {
  transport: 'exec',
  async featureGates(_pod, exec) {
    const text = await exec(['antctl', 'get', 'featuregates']);
    return { gates: agentSection(text), text };
  },
  async podMulticastStats(_pod, query, exec) {
    const argv = ['antctl', 'get', 'podmulticaststats'];
    if (query.name) argv.push(query.name);
    if (query.namespace) argv.push('-n', query.namespace);
    return parsePodMulticastStatsJson(await exec([...argv, '-o', 'json']));
  },
};

interface GateJson {
  name?: string;
  status?: string;
  version?: string;
}

export function apiChannel(api: AgentApi): AgentChannel {
  return {
    transport: 'api',
    async featureGates(pod) {
      const body = await api.get(pod.node, '/featuregates');
      let parsed: GateJson[];
      try {
        parsed = JSON.parse(body) as GateJson[];
      } catch {
        throw new Error(`the agent's /featuregates is not JSON: ${JSON.stringify(body.slice(0, 80))}`);
      }
      return {
        gates: parsed.map((g) => {
          if (g.status !== 'Enabled' && g.status !== 'Disabled') throw new Error(`the agent's /featuregates has a gate with status ${JSON.stringify(g.status)}`);
          return { name: String(g.name), status: g.status, version: g.version ?? '' };
        }),
      };
    },
    async podMulticastStats(pod, query) {
      const params = new URLSearchParams();
      if (query.name) params.set('name', query.name);
      if (query.namespace) params.set('namespace', query.namespace);
      const search = params.toString();
      return parsePodMulticastStatsJson(await api.get(pod.node, `/podmulticaststats${search ? `?${search}` : ''}`));
    },
  };
}

/**
 * `antctl get featuregates` in the controller: its own gates, and the agent gates it computes from
 * the antrea-config ConfigMap (what agents would run if restarted now).
 */
export async function controllerFeatureGates(client: KubeClient, pod: AntreaPod, deadlineMs: number): Promise<FeatureGateSections> {
  const sections = parseFeatureGates(await execChecked(client, pod, CONTROLLER_CONTAINER, ['antctl', 'get', 'featuregates'], deadlineMs));
  if (!sections.controller) throw new Error('no "Antrea Controller Feature Gates" section in its output');
  return sections;
}

/** The channel for --transport. */
export async function openChannel(ctx: CommandContext, client: KubeClient): Promise<AgentChannel> {
  if (ctx.globals.transport === 'exec') return execChannel;
  const api = await AgentApi.forCluster(client, ctx.globals.antreaNamespace, { insecure: ctx.globals.insecureSkipTlsVerify, timeoutMs: ctx.globals.nodeTimeoutMs });
  return apiChannel(api);
}

/** Inside an antrea-agent container (POD_NAME antrea-agent-…), as antctl's agent mode detects it. */
export function inAgentPod(env: NodeJS.ProcessEnv): boolean {
  return (env.POD_NAME ?? '').startsWith('antrea-agent');
}
