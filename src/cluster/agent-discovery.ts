import type { V1Pod } from '@kubernetes/client-node';
import { CliError, ExitCode } from '../errors.js';
import type { KubeApi } from '../context.js';

export const AGENT_SELECTOR = 'app=antrea,component=antrea-agent';
export const AGENT_CONTAINER = 'antrea-agent';
export const CONTROLLER_CONTAINER = 'antrea-controller';

export interface AntreaPod {
  name: string;
  namespace: string;
  node: string;
  ready: boolean;
  /** Container restarts of the Pod. */
  restarts?: number;
  /** Why the Pod cannot be asked anything, when it cannot. */
  notReadyReason?: string;
  /**
   * The Node's OS as the Pod's nodeSelector says: upstream's antrea-agent-windows DaemonSet
   * (build/yamls/antrea-windows.yml) selects kubernetes.io/os: windows and carries the same labels.
   */
  os?: 'linux' | 'windows';
}

/** Whether a Pod was made for a Windows Node (its nodeSelector), not a multicast agent. */
export function isWindowsPod(pod: V1Pod): boolean {
  return pod.spec?.nodeSelector?.['kubernetes.io/os'] === 'windows';
}

function describe(pod: V1Pod): AntreaPod {
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const phase = pod.status?.phase ?? 'Unknown';
  const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting?.reason;
  return {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? '',
    node: pod.spec?.nodeName ?? '<unscheduled>',
    ready: ready && phase === 'Running',
    restarts: (pod.status?.containerStatuses ?? []).reduce((sum, c) => sum + (c.restartCount ?? 0), 0),
    notReadyReason: ready && phase === 'Running' ? undefined : `agent Pod ${pod.metadata?.name} is not ready (${waiting ?? phase})`,
    os: isWindowsPod(pod) ? 'windows' : 'linux',
  };
}

/** One LIST of the antrea-agent Pods (paginated), sorted by Node name. */
export async function discoverAgents(client: KubeApi, namespace: string): Promise<AntreaPod[]> {
  const pods = await client.listPods(namespace, AGENT_SELECTOR);
  if (pods.length === 0) {
    throw new CliError(`no antrea-agent Pods found in namespace "${namespace}" (label ${AGENT_SELECTOR}); is Antrea installed there? (see --antrea-namespace)`, ExitCode.ERROR);
  }
  return pods.map(describe).sort((a, b) => a.node.localeCompare(b.node));
}

/** The agents and the controller in one LIST (label app=antrea), for commands that need both. */
export async function discoverAntrea(client: KubeApi, namespace: string): Promise<{ agents: AntreaPod[]; controller?: AntreaPod }> {
  const pods = await client.listPods(namespace, 'app=antrea,component in (antrea-agent,antrea-controller)');
  const component = (p: (typeof pods)[number]) => p.metadata?.labels?.component;
  const agents = pods.filter((p) => component(p) === 'antrea-agent').map(describe).sort((a, b) => a.node.localeCompare(b.node));
  if (agents.length === 0) {
    throw new CliError(`no antrea-agent Pods found in namespace "${namespace}" (label ${AGENT_SELECTOR}); is Antrea installed there? (see --antrea-namespace)`, ExitCode.ERROR);
  }
  const controllers = pods.filter((p) => component(p) === 'antrea-controller').map(describe);
  return { agents, controller: controllers.find((p) => p.ready) ?? controllers[0] };
}

/**
 * The agent Pod on one Node, asking only for it (fieldSelector spec.nodeName, as kubectl's
 * --field-selector does), so one Node's question costs one small LIST at any cluster size.
 * Returns undefined when no agent Pod runs there.
 */
export async function discoverAgentOn(client: KubeApi, namespace: string, node: string): Promise<AntreaPod | undefined> {
  const pods = await client.listPods(namespace, AGENT_SELECTOR, `spec.nodeName=${escapeFieldValue(node)}`);
  const agents = pods.map(describe).filter((a) => a.node === node);
  return agents.find((a) => a.ready) ?? agents[0];
}

/** A field selector value with \\, "," and "=" escaped (k8s.io/apimachinery/pkg/fields EscapeValue). */
function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}
