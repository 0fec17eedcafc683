import type { AntreaPod } from './agent-discovery.js';
import type { KubeApi } from '../context.js';

export interface NodeFailure {
  /** The Node name, or the Pod's name when it is not per-Node (the controller). */
  who: string;
  reason: string;
}

/** Runs argv in one Antrea container; a non-zero exit becomes an error carrying the tool's own message. */
export async function execChecked(client: KubeApi, pod: AntreaPod, container: string, argv: string[], deadlineMs: number): Promise<string> {
  if (!pod.ready) throw new Error(pod.notReadyReason ?? `Pod ${pod.name} is not ready`);
  const result = await client.exec(pod.namespace, pod.name, container, argv, deadlineMs);
  if (result.exitCode !== 0) {
    const said = result.stderr.trim().split('\n')[0] || result.stdout.trim().split('\n')[0] || 'no output';
    throw new Error(`"${argv.join(' ')}" exited with code ${result.exitCode}: ${said}`);
  }
  return result.stdout;
}

