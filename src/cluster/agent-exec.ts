import { AGENT_CONTAINER, type AntreaPod } from './agent-discovery.js';
import { fanOut } from './fan-out.js';
import type { KubeClient } from './kube-client.js';

export interface NodeAnswer<T> {
  pod: AntreaPod;
  value: T;
}

export interface NodeFailure {
  /** The Node name, or the Pod's name when it is not per-Node (the controller). */
  who: string;
  reason: string;
}

export interface FanOutResult<T> {
  answers: NodeAnswer<T>[];
  failures: NodeFailure[];
}

/** Runs argv in one Antrea container; a non-zero exit becomes an error carrying the tool's own message. */
export async function execChecked(client: KubeClient, pod: AntreaPod, container: string, argv: string[], deadlineMs: number): Promise<string> {
  if (!pod.ready) throw new Error(pod.notReadyReason ?? `Pod ${pod.name} is not ready`);
  const result = await client.exec(pod.namespace, pod.name, container, argv, deadlineMs);
  if (result.exitCode !== 0) {
    const said = result.stderr.trim().split('\n')[0] || result.stdout.trim().split('\n')[0] || 'no output';
    throw new Error(`"${argv.join(' ')}" exited with code ${result.exitCode}: ${said}`);
  }
  return result.stdout;
}

/**
 * Runs argv in every agent with bounded concurrency and a per-Node deadline; parses each answer.
 * Each Node succeeds or fails on its own, so one dead Node never hides the others' answers.
 */
export async function execOnAgents<T>(
  client: KubeClient,
  agents: AntreaPod[],
  argv: string[],
  options: { deadlineMs: number; concurrency: number },
  parse: (stdout: string) => T,
): Promise<FanOutResult<T>> {
  const settled = await fanOut(agents, options.concurrency, async (pod) =>
    parse(await execChecked(client, pod, AGENT_CONTAINER, argv, options.deadlineMs)),
  );
  const answers: NodeAnswer<T>[] = [];
  const failures: NodeFailure[] = [];
  settled.forEach((s, i) => {
    if (s.ok) answers.push({ pod: agents[i], value: s.value });
    else failures.push({ who: agents[i].node, reason: s.error.message });
  });
  return { answers, failures };
}
