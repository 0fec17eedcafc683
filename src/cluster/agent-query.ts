/**
 * Asking many agents at once: which agents, bounded concurrency, and a failing Node recorded with
 * its reason instead of stopping the others.
 */
import type { KubeApi, Progress } from '../context.js';
import { CliError } from '../errors.js';
import type { AgentChannel, AgentChannels } from './agent-channel.js';
import { discoverAgents, type AntreaPod } from './agent-discovery.js';
import type { NodeFailure } from './agent-exec.js';
import { fanOut } from './fan-out.js';

export interface AgentAnswer<T> {
  pod: AntreaPod;
  value: T;
}

export interface QueryResult<T> {
  answers: AgentAnswer<T>[];
  failures: NodeFailure[];
}

/** The agents to ask: all of them (sorted by Node), or the one on `node`; throws CliError when none runs there. */
export async function selectAgents(client: KubeApi, namespace: string, node?: string): Promise<AntreaPod[]> {
  const agents = await discoverAgents(client, namespace);
  if (node === undefined) return agents;
  const pod = agents.find((a) => a.node === node);
  if (!pod) throw new CliError(`no antrea-agent Pod runs on Node "${node}"`);
  return [pod];
}

/**
 * The agents on the chosen Nodes: `nodes` (each must run an agent, else CliError naming the
 * missing ones) and/or the Nodes matching the label `selector` (one LIST of Nodes); all agents
 * when neither is given. Sorted by Node name.
 */
export async function selectAgentsOn(client: KubeApi, namespace: string, choice: { nodes?: string[]; selector?: string }): Promise<AntreaPod[]> {
  const [agents, labelled] = await Promise.all([
    discoverAgents(client, namespace),
    choice.selector !== undefined ? client.listNodes(choice.selector) : Promise.resolve(undefined),
  ]);
  let chosen = agents;
  if (choice.nodes) {
    const wanted = choice.nodes;
    const missing = wanted.filter((n) => !agents.some((a) => a.node === n));
    if (missing.length > 0) throw new CliError(`no antrea-agent Pod runs on Node${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')}`);
    chosen = chosen.filter((a) => wanted.includes(a.node));
  }
  if (labelled) {
    const names = new Set(labelled.map((n) => n.metadata?.name));
    chosen = chosen.filter((a) => names.has(a.node));
  }
  return chosen;
}

export interface QueryOptions {
  concurrency: number;
  /** What is read, for the progress line ("multicast routes"). */
  what: string;
  progress?: Progress;
}

/**
 * Asks every agent through its channel with at most `concurrency` in flight. `ask` turns one
 * agent's answers into a value; a Node whose `ask` throws is a failure with its reason, except a
 * CliError, which ends the whole query (it concerns the run, not the Node).
 */
export async function queryAgents<T>(agents: AntreaPod[], channels: AgentChannels, options: QueryOptions, ask: (agent: AgentChannel) => Promise<T>): Promise<QueryResult<T>> {
  let done = 0;
  const settled = await fanOut(agents, options.concurrency, async (pod) => {
    try {
      return await ask(channels(pod));
    } finally {
      options.progress?.update(`Reading ${options.what}: ${++done}/${agents.length} Nodes answered…`);
    }
  });
  const answers: AgentAnswer<T>[] = [];
  const failures: NodeFailure[] = [];
  settled.forEach((s, i) => {
    if (s.ok) answers.push({ pod: agents[i], value: s.value });
    else if (s.error instanceof CliError) throw s.error;
    else failures.push({ who: agents[i].node, reason: s.error.message });
  });
  return { answers, failures };
}
