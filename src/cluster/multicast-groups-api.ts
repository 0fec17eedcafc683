import { toMulticastGroup, type MulticastGroup, type MulticastGroupObject } from '../antrea/multicast-groups.js';
import type { KubeApi } from '../context.js';

const GROUP = 'stats.antrea.io';
const VERSION = 'v1alpha1';
const PLURAL = 'multicastgroups';

export async function listMulticastGroups(client: KubeApi): Promise<MulticastGroup[]> {
  return (await client.listClusterObjects<MulticastGroupObject>(GROUP, VERSION, PLURAL)).map(toMulticastGroup);
}

export async function getMulticastGroup(client: KubeApi, name: string): Promise<MulticastGroup> {
  return toMulticastGroup(await client.getClusterObject<MulticastGroupObject>(GROUP, VERSION, PLURAL, name));
}

/** Every group, with the Node of each member filled in. */
export async function listMulticastGroupsWithNodes(client: KubeApi): Promise<MulticastGroup[]> {
  const groups = await listMulticastGroups(client);
  await resolveMemberNodes(client, groups);
  return groups;
}

/** Fills in each member's Node with one Pod LIST per namespace that has members. */
export async function resolveMemberNodes(client: KubeApi, groups: MulticastGroup[]): Promise<void> {
  const namespaces = new Set(groups.flatMap((g) => g.pods.map((p) => p.namespace)));
  const nodeOf = new Map<string, string>();
  for (const namespace of namespaces) {
    for (const pod of await client.listPods(namespace, '')) {
      if (pod.spec?.nodeName) nodeOf.set(`${namespace}/${pod.metadata?.name}`, pod.spec.nodeName);
    }
  }
  for (const g of groups) for (const p of g.pods) p.node = nodeOf.get(`${p.namespace}/${p.name}`) ?? null;
}
