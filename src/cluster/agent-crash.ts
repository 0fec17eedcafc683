/**
 * Agents that exit instead of starting: what `--wait` watches for after a config change, and
 * where doctor reads a not-ready agent's last words.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { AGENT_CONTAINER, AGENT_SELECTOR, isWindowsPod } from './agent-discovery.js';
import type { KubeApi } from '../context.js';
import { fatalLineOf } from '../antrea/klog.js';

export { fatalLineOf };

export interface CrashingAgent {
  node: string;
  pod: string;
  restarts: number;
  /** The fatal line of its log (current container, else the previous one), or why none was read. */
  fatalLine: string;
}

/** The Linux agent Pods before a change, by name: their restarts and readiness, what a later crash is judged against. */
export type RestartBaseline = Map<string, { restarts: number; ready: boolean }>;

const agentStatus = (pod: V1Pod) => pod.status?.containerStatuses?.find((c) => c.name === AGENT_CONTAINER);

export async function restartBaseline(client: KubeApi, namespace: string): Promise<RestartBaseline> {
  const pods = await client.listPods(namespace, AGENT_SELECTOR);
  return new Map(pods.filter((p) => !isWindowsPod(p)).map((p) => [p.metadata?.name ?? '', { restarts: agentStatus(p)?.restartCount ?? 0, ready: agentStatus(p)?.ready === true }]));
}

/**
 * Whether the antrea-agent container of a Pod exits instead of starting: not ready, and waiting in
 * CrashLoopBackOff, or terminated, or restarted more often than `baseline` knew (a new Pod: 0).
 * A Pod that was already not ready before the change is not blamed on it (the rollout replaces it).
 */
export function isCrashLooping(pod: V1Pod, baseline: RestartBaseline): boolean {
  const status = agentStatus(pod);
  if (!status || status.ready) return false;
  const known = baseline.get(pod.metadata?.name ?? '');
  if (known && !known.ready) return false;
  const restarts = status.restartCount ?? 0;
  const before = known?.restarts ?? 0;
  if (status.state?.waiting?.reason === 'CrashLoopBackOff') return true;
  if (status.state?.terminated && status.state.terminated.exitCode !== 0) return true;
  return restarts > before && status.lastState?.terminated !== undefined;
}

const LOG_TAIL = 200;

/** The fatal line of a crashing agent: its current container's log, then the previous one's (previous=true). */
export async function readFatalLine(client: KubeApi, namespace: string, pod: string): Promise<string> {
  const reasons: string[] = [];
  for (const previous of [false, true]) {
    try {
      const line = fatalLineOf(await client.readPodLog(namespace, pod, AGENT_CONTAINER, LOG_TAIL, previous));
      if (line) return line;
    } catch (err) {
      reasons.push(`${previous ? 'previous' : 'current'} log unreadable: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return reasons.length > 0 ? reasons.join('; ') : 'no fatal line in its current or previous log';
}

/** The crash-looping Linux agents now, each with its fatal log line, sorted by Node. */
export async function findCrashingAgents(client: KubeApi, namespace: string, baseline: RestartBaseline): Promise<CrashingAgent[]> {
  const pods = (await client.listPods(namespace, AGENT_SELECTOR)).filter((p) => !isWindowsPod(p) && isCrashLooping(p, baseline));
  const crashing = await Promise.all(
    pods.map(async (p) => ({
      node: p.spec?.nodeName ?? '<unscheduled>',
      pod: p.metadata?.name ?? '',
      restarts: agentStatus(p)?.restartCount ?? 0,
      fatalLine: await readFatalLine(client, namespace, p.metadata?.name ?? ''),
    })),
  );
  return crashing.sort((a, b) => a.node.localeCompare(b.node));
}
