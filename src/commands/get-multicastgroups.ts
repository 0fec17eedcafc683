import { isIPv4 } from 'node:net';
import { formatPodList, type MulticastGroup } from '../antrea/multicast-groups.js';
import { KubeClient } from '../cluster/kube-client.js';
import { getMulticastGroup, listMulticastGroups, resolveMemberNodes } from '../cluster/multicast-groups-api.js';
import { ExitCode, UsageError } from '../errors.js';
import { paintFor } from '../output/colors.js';
import { parseOutput, printList, type ListSpec } from '../output/list-printer.js';
import type { CommandContext } from './context.js';

const listSpec = (wide: boolean): ListSpec<MulticastGroup> => ({
  kind: 'MulticastGroupList',
  columns: [
    { header: 'GROUP', value: (g) => g.group },
    // -o wide lists every member and, in the same order, the Node of each.
    { header: 'PODS', value: (g) => (wide ? g.pods.map((p) => `${p.namespace}/${p.name}`).join(',') || '<none>' : formatPodList(g.pods)) },
    { header: 'NODES', value: (g) => g.pods.map((p) => p.node ?? '<unknown>').join(',') || '<none>', wide: true },
  ],
  name: (g) => `multicastgroup.stats.antrea.io/${g.group}`,
  toJson: (g) => ({ group: g.group, pods: g.pods }),
});

interface Options {
  output: string;
  headers: boolean;
}

export async function run(ctx: CommandContext, args: string[], options: Record<string, unknown>): Promise<number> {
  const opts = options as unknown as Options;
  const format = parseOutput(opts.output);
  const name = args[0];
  if (name !== undefined && !isIPv4(name)) throw new UsageError(`invalid multicast group "${name}": expected an IPv4 address such as 239.255.12.42`);
  const client = await KubeClient.connect(ctx);
  const groups = name !== undefined ? [await getMulticastGroup(client, name)] : await listMulticastGroups(client);
  groups.sort((a, b) => a.group.localeCompare(b.group, 'en', { numeric: true }));
  for (const g of groups) g.pods.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  if (format.type !== 'table') await resolveMemberNodes(client, groups);
  printList(ctx, listSpec(format.type === 'wide'), groups, format, { noHeaders: opts.headers === false, paint: await paintFor(ctx, ctx.stdout), emptyMessage: 'No resources found' });
  return ExitCode.OK;
}
