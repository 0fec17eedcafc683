/**
 * Asking many agents at once: which agents, bounded concurrency, and a failing Node recorded with
 * its reason instead of stopping the others.
 */
import type { KubeApi, Progress } from '../context.js';
import { CliError } from '../errors.js';
import type { AgentChannel, AgentChannels } from './agent-channel.js';
import { discoverAgentOn, discoverAgents, type AntreaPod } from './agent-discovery.js';
import { nodeDeadline, type NodeFailure } from './agent-exec.js';
import { AdaptiveLimit, fanOut } from './fan-out.js';

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
  if (node === undefined) return discoverAgents(client, namespace);
  // Only that Node's agent Pod is listed, whatever the size of the cluster.
  const pod = await discoverAgentOn(client, namespace, node);
  if (!pod) throw new CliError(`no antrea-agent Pod runs on Node "${node}"`);
  return [pod];
}

/** Up to this many Nodes named, each agent Pod is listed on its own (fieldSelector), not all of them. */
const FIELD_SELECTED_NODES = 8;

/** The agent Pods of the named Nodes only, one small LIST each (fieldSelector spec.nodeName), sorted by Node. */
async function agentsOn(client: KubeApi, namespace: string, nodes: string[]): Promise<AntreaPod[]> {
  const found = await Promise.all([...new Set(nodes)].map((node) => discoverAgentOn(client, namespace, node)));
  return found.filter((a): a is AntreaPod => a !== undefined).sort((a, b) => a.node.localeCompare(b.node));
}

/**
 * The agents on the chosen Nodes: `nodes` (each must run an agent, else CliError naming the
 * missing ones) and/or the Nodes matching the label `selector` (one LIST of Nodes); all agents
 * when neither is given. Sorted by Node name.
 */
export async function selectAgentsOn(client: KubeApi, namespace: string, choice: { nodes?: string[]; selector?: string }): Promise<AntreaPod[]> {
  const [agents, labelled] = await Promise.all([
    choice.nodes && choice.nodes.length <= FIELD_SELECTED_NODES ? agentsOn(client, namespace, choice.nodes) : discoverAgents(client, namespace),
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
  /** The most Nodes asked at once (--concurrency); fewer while the server throttles or slows. */
  concurrency: number;
  /** One Node's deadline for all its work (--node-timeout, 0: none). */
  nodeTimeoutMs?: number;
  /** Ends every Node's work at once (the run's deadline). */
  signal?: AbortSignal;
  /** What is read, for the progress line ("multicast routes"). */
  what: string;
  progress?: Progress;
}

/**
 * Asks every agent through its channel, at most `concurrency` at once and fewer while the server
 * throttles (429) or slows down (see AdaptiveLimit). Each Node has one deadline for all of its
 * work (nodeTimeoutMs): when it passes, the exec in flight is aborted and the Node is a failure
 * ("no answer within …"), whatever it was doing. `ask` turns one agent's answers into a value; a
 * Node whose `ask` throws is a failure with its reason, except a CliError, which ends the whole
 * query (it concerns the run, not the Node).
 */
export async function queryAgents<T>(agents: AntreaPod[], channels: AgentChannels, options: QueryOptions, ask: (agent: AgentChannel) => Promise<T>): Promise<QueryResult<T>> {
  let done = 0;
  const limit = new AdaptiveLimit(options.concurrency);
  const settled = await fanOut(agents, limit, async (pod) => {
    const deadline = nodeDeadline(options.nodeTimeoutMs ?? 0, options.signal);
    try {
      const channel = channels(pod, { signal: deadline.signal, onThrottle: (waitMs) => limit.throttled(waitMs) });
      // The Node's answer or its deadline, whichever comes first, ends the Node's work.
      return await untilAborted(ask(channel), deadline.signal);
    } finally {
      deadline.release();
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

/** The work's outcome, or the signal's reason as soon as it aborts (for work other than exec, e.g. agent API or log reads). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
