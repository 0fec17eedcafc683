import type { AgentChannel, AgentChannels } from '../cluster/agent-channel.js';
import type { AntreaPod } from '../cluster/agent-discovery.js';
import { queryAgents, type QueryResult } from '../cluster/agent-query.js';
import { runDeadlineSignal, type NodeFailure } from '../cluster/agent-exec.js';
import type { RunContext } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { reportFailure } from '../output/diagnostics.js';
import { startProgress } from '../output/progress.js';

export interface AskOptions {
  concurrency: number;
  /** No spinner with a machine format (or a --watch). */
  machineFormat: boolean;
  /** What is read, for the progress line ("multicast routes"). */
  what: string;
}

/** queryAgents with a spinner on a terminal's stderr while the Nodes answer. */
export async function askAgents<T>(ctx: RunContext, agents: AntreaPod[], channels: AgentChannels, options: AskOptions, ask: (agent: AgentChannel) => Promise<T>): Promise<QueryResult<T>> {
  const at = ctx.globals.runDeadlineAt;
  const run = at === undefined ? undefined : runDeadlineSignal(at);
  const progress = await startProgress(ctx, `Reading ${options.what} from ${agents.length} Node${agents.length === 1 ? '' : 's'}…`, options.machineFormat);
  try {
    return await queryAgents(agents, channels, { concurrency: options.concurrency, nodeTimeoutMs: ctx.globals.nodeTimeoutMs, signal: run?.signal, what: options.what, progress }, ask);
  } finally {
    run?.release();
    progress.stop();
  }
}

/** Failures to stderr (sorted by Node), then the exit code: 0, 3 when some Nodes answered, 1 when none did. */
/**
 * kubectl's "No resources found" for an empty answer, or '' when no Node answered at all: then the
 * table is not empty, it is unknown, and the failures say why.
 */
export function emptyMessageFor(result: { answers: unknown[]; failures: unknown[] }, message = 'No resources found'): string {
  return result.answers.length === 0 && result.failures.length > 0 ? '' : message;
}

export function finish(ctx: RunContext, failures: NodeFailure[], answered: number): ExitCodeValue {
  for (const f of [...failures].sort((a, b) => a.who.localeCompare(b.who))) reportFailure(ctx, f.who, f.reason);
  if (failures.length === 0) return ExitCode.OK;
  return answered > 0 ? ExitCode.PARTIAL : ExitCode.ERROR;
}
