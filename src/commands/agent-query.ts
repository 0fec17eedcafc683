import { AGENT_CONTAINER, discoverAgents, type AntreaPod } from '../cluster/agent-discovery.js';
import { execChecked, type NodeFailure } from '../cluster/agent-exec.js';
import { fanOut } from '../cluster/fan-out.js';
import type { KubeClient } from '../cluster/kube-client.js';
import { CliError, ExitCode, type ExitCodeValue } from '../errors.js';
import { reportFailure } from '../output/diagnostics.js';
import { startProgress } from '../output/progress.js';
import type { CommandContext } from './context.js';
import { parsePositiveInt } from './options.js';

export interface AgentAnswer<T> {
  pod: AntreaPod;
  value: T;
}

export interface QueryResult<T> {
  answers: AgentAnswer<T>[];
  failures: NodeFailure[];
}

/** The agents to ask: all of them, or the one on --node. */
export async function selectAgents(ctx: CommandContext, client: KubeClient, node?: string): Promise<AntreaPod[]> {
  const agents = await discoverAgents(client, ctx.globals.antreaNamespace);
  if (node === undefined) return agents;
  const pod = agents.find((a) => a.node === node);
  if (!pod) throw new CliError(`no antrea-agent Pod runs on Node "${node}"`);
  return [pod];
}

/**
 * Asks every agent with bounded concurrency and a per-Node deadline. `ask` runs the agent's
 * commands (argument arrays) through `exec` and turns their output into a value; a failing Node
 * is recorded with its reason and never stops the others.
 */
export async function queryAgents<T>(
  ctx: CommandContext,
  /** Absent inside an agent Pod, where only the local agent API is asked. */
  client: KubeClient | undefined,
  agents: AntreaPod[],
  options: { concurrency: number; machineFormat: boolean; what: string },
  ask: (exec: (argv: string[]) => Promise<string>, pod: AntreaPod) => Promise<T>,
): Promise<QueryResult<T>> {
  const progress = await startProgress(ctx, `Reading ${options.what} from ${agents.length} Node${agents.length === 1 ? '' : 's'}…`, options.machineFormat);
  let done = 0;
  try {
    const settled = await fanOut(agents, options.concurrency, async (pod) => {
      try {
        const exec = (argv: string[]) =>
          client ? execChecked(client, pod, AGENT_CONTAINER, argv, ctx.globals.nodeTimeoutMs) : Promise.reject(new Error('exec needs the Kubernetes API'));
        return await ask(exec, pod);
      } finally {
        progress.update(`Reading ${options.what}: ${++done}/${agents.length} Nodes answered…`);
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
  } finally {
    progress.stop();
  }
}

/** Failures to stderr, then the exit code: 0, 3 when some Nodes answered, 1 when none did. */
export function finish(ctx: CommandContext, failures: NodeFailure[], answered: number): ExitCodeValue {
  for (const f of [...failures].sort((a, b) => a.who.localeCompare(b.who))) reportFailure(ctx, f.who, f.reason);
  if (failures.length === 0) return ExitCode.OK;
  return answered > 0 ? ExitCode.PARTIAL : ExitCode.ERROR;
}

export function concurrencyOf(options: Record<string, unknown>): number {
  return parsePositiveInt(options.concurrency, '--concurrency', 1000);
}

