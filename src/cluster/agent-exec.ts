import type { AntreaPod } from './agent-discovery.js';
import { formatDuration } from '../duration.js';
import { ExecError } from '../errors.js';
import type { ExecControl, ExecResult, KubeApi } from '../context.js';

export interface NodeFailure {
  /** The Node name, or the Pod's name when it is not per-Node (the controller). */
  who: string;
  reason: string;
}

/** The longest delay a Node.js timer holds (2^31-1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A deadline as a signal, and how to release its timer once the work is done. */
export interface Deadline {
  signal: AbortSignal;
  /** Stops the timer (the work finished first); the signal stays as it is. */
  release(): void;
}

/**
 * One deadline for one Node's whole work (every exec it needs), started when that work starts:
 * after `ms` (0: none) the signal aborts with "no answer within …", which ends whatever exec is in
 * flight. A parent signal (the run's deadline, or the end of the command) aborts it too.
 */
export function nodeDeadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  const onParent = () => controller.abort(parent!.reason);
  if (parent?.aborted) onParent();
  else parent?.addEventListener('abort', onParent, { once: true });
  const timer =
    ms > 0 ? setTimeout(() => controller.abort(new ExecError(`no answer within ${formatDuration(ms)}`)), Math.min(ms, MAX_TIMER_MS)) : undefined;
  return {
    signal: controller.signal,
    release() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}

/** Why work still running at the run's --deadline failed. */
export const RUN_DEADLINE_REASON = 'no answer before the run\'s --deadline';

/**
 * The run's --deadline (epoch ms) as a signal whose reason (an ExecError) names it. Its timer does
 * not hold the process open: a deadline only ends work, it is never work itself.
 */
export function runDeadlineSignal(at: number): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new ExecError(RUN_DEADLINE_REASON)), Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS));
  timer.unref();
  return { signal: controller.signal, release: () => clearTimeout(timer) };
}

/**
 * Runs argv in one Antrea container and returns its stdout; a non-zero exit becomes an error
 * carrying the tool's own message. `control` is the Node's deadline signal (see nodeDeadline) and
 * throttling listener, or a number of milliseconds for a lone exec (0: none).
 */
export async function execChecked(client: KubeApi, pod: AntreaPod, container: string, argv: string[], control: number | ExecControl): Promise<string> {
  if (!pod.ready) throw new Error(pod.notReadyReason ?? `Pod ${pod.name} is not ready`);
  return checkedOutput(argv, await client.exec(pod.namespace, pod.name, container, argv, control));
}

/** The stdout of a command that exited 0; otherwise throws with its exit code and the first line it said. */
export function checkedOutput(argv: readonly string[], result: ExecResult): string {
  if (result.exitCode !== 0) {
    const said = result.stderr.trim().split('\n')[0] || result.stdout.trim().split('\n')[0] || 'no output';
    throw new Error(`"${argv.join(' ')}" exited with code ${result.exitCode}: ${said}`);
  }
  return result.stdout;
}
