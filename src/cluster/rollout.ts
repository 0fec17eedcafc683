import { CliError } from '../errors.js';
import { findCrashingAgents, type CrashingAgent, type RestartBaseline } from './agent-crash.js';
import { discoverAgents } from './agent-discovery.js';
import type { KubeApi } from '../context.js';

export const AGENT_DAEMONSET = 'antrea-agent';
export const CONTROLLER_DEPLOYMENT = 'antrea-controller';
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/**
 * What `kubectl rollout restart` does: a new template annotation, so every Pod is replaced. The
 * timestamp keeps milliseconds: two changes within one second must still restart twice.
 */
export async function rolloutRestart(client: KubeApi, kind: 'daemonset' | 'deployment', namespace: string, name: string, now: Date): Promise<void> {
  await client.patchWorkload(kind, namespace, name, { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: now.toISOString() } } } } });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** "; not ready: k8s-node-2 (CrashLoopBackOff), …" naming the Nodes whose agent is not Ready, or "" when all are (or the list fails). */
async function notReadyNodes(client: KubeApi, namespace: string): Promise<string> {
  try {
    const notReady = (await discoverAgents(client, namespace)).filter((a) => !a.ready);
    if (notReady.length === 0) return '';
    const named = notReady.slice(0, 10).map((a) => `${a.node} (${/\(([^)]*)\)$/.exec(a.notReadyReason ?? '')?.[1] ?? 'not ready'})`);
    return `; agents not ready on ${named.join(', ')}${notReady.length > 10 ? ` and ${notReady.length - 10} more Nodes` : ''}`;
  } catch {
    return '';
  }
}

/**
 * Waits until the agent DaemonSet rolled out and every agent Pod is ready, at most timeoutMs.
 * With a baseline of restart counts, stops as soon as an agent exits instead of starting
 * (agent-crash.ts) and returns the crash-looping agents with their fatal log lines; returns []
 * when every agent is ready. Throws a CliError when the time is up.
 */
export async function waitForAgents(client: KubeApi, namespace: string, timeoutMs: number, pollMs = 500, baseline?: RestartBaseline): Promise<CrashingAgent[]> {
  const deadline = Date.now() + timeoutMs;
  let state = 'no status yet';
  while (Date.now() < deadline) {
    if (baseline) {
      const crashing = await findCrashingAgents(client, namespace, baseline);
      if (crashing.length > 0) return crashing;
    }
    const ds = await client.readDaemonSet(namespace, AGENT_DAEMONSET);
    const s = ds.status;
    const desired = s?.desiredNumberScheduled ?? 0;
    const rolled = (s?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 0) && (s?.updatedNumberScheduled ?? 0) === desired && (s?.numberAvailable ?? 0) === desired;
    state = `${s?.updatedNumberScheduled ?? 0} of ${desired} updated, ${s?.numberAvailable ?? 0} available`;
    if (rolled) {
      const agents = await discoverAgents(client, namespace);
      if (agents.every((a) => a.ready)) return [];
      state = `${agents.filter((a) => !a.ready).length} agent Pods not ready`;
    }
    await sleep(pollMs);
  }
  throw new CliError(`timed out waiting for daemonset/${AGENT_DAEMONSET} to roll out (${state})${await notReadyNodes(client, namespace)}`);
}
