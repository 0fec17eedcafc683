import { groupDemandByNode } from '../antrea/multicast-groups.js';
import { listMulticastGroupsWithNodes } from '../cluster/multicast-groups-api.js';
import { readNodeIgmp } from '../cluster/node-igmp.js';
import { paintFor } from '../output/colors.js';
import { warn } from '../output/diagnostics.js';
import { isMachineFormat, parseOutput, printList, type ListSpec } from '../output/list-printer.js';
import { KubeClient } from '../cluster/kube-client.js';
import { concurrencyOf, finish, queryAgents, selectAgents } from './agent-query.js';
import type { CommandContext } from './context.js';

export type IgmpStatus = 'OK' | 'AT LIMIT' | 'OVER LIMIT';

export interface NodeIgmp {
  node: string;
  limit: number;
  /** Memberships held on the Node's interfaces, without 224.0.0.1. */
  joined: number;
  joinedGroups: string[];
  /** Distinct groups the Node's receiver Pods joined (what the agent must join); null if unknown. */
  wanted: number | null;
  /** The most groups any one receiver Pod on the Node joined; null if unknown. */
  maxPerPod: number | null;
  headroom: number;
  status: IgmpStatus;
}

/** A socket holds at most igmp_max_memberships groups: at the limit, the next join fails with ENOBUFS. */
export function igmpStatus(limit: number, joined: number, wanted: number | null, maxPerPod: number | null): IgmpStatus {
  if ((wanted ?? 0) > limit || (maxPerPod ?? 0) > limit) return 'OVER LIMIT';
  if (joined >= limit || (wanted ?? 0) >= limit || (maxPerPod ?? 0) >= limit) return 'AT LIMIT';
  return 'OK';
}

const unknown = (n: number | null) => (n === null ? '<unknown>' : String(n));

const listSpec: ListSpec<NodeIgmp> = {
  kind: 'NodeIgmpList',
  columns: [
    { header: 'NODE', value: (r) => r.node },
    { header: 'MAX-MEMBERSHIPS', value: (r) => String(r.limit) },
    { header: 'JOINED', value: (r) => String(r.joined) },
    { header: 'WANTED', value: (r) => unknown(r.wanted) },
    { header: 'MAX-PER-POD', value: (r) => unknown(r.maxPerPod) },
    { header: 'HEADROOM', value: (r) => String(r.headroom) },
    { header: 'STATUS', value: (r) => r.status },
    { header: 'GROUPS', value: (r) => r.joinedGroups.join(','), wide: true },
  ],
  name: (r) => `node/${r.node}`,
  toJson: (r) => ({ ...r }),
  alert: (r) => r.status !== 'OK',
};

interface Options {
  node?: string;
  output: string;
  headers: boolean;
  concurrency: string;
}

export async function run(ctx: CommandContext, _args: string[], options: Record<string, unknown>): Promise<number> {
  const opts = options as unknown as Options;
  const format = parseOutput(opts.output);
  const concurrency = concurrencyOf(options);
  const client = await KubeClient.connect(ctx);
  const agents = await selectAgents(ctx, client, opts.node);
  const demandPromise = listMulticastGroupsWithNodes(client).then(groupDemandByNode).catch((err: Error) => {
    warn(ctx, `cannot read multicastgroups (stats.antrea.io), WANTED and MAX-PER-POD are unknown: ${err.message}`);
    return undefined;
  });
  const result = await queryAgents(ctx, client, agents, { concurrency, machineFormat: isMachineFormat(format), what: 'IGMP memberships' }, (exec) => readNodeIgmp(exec));
  const demand = await demandPromise;
  const rows: NodeIgmp[] = result.answers.map(({ pod, value }) => {
    const wanted = demand ? (demand.get(pod.node)?.groups.size ?? 0) : null;
    const maxPerPod = demand ? (demand.get(pod.node)?.maxPerPod ?? 0) : null;
    return {
      node: pod.node, limit: value.limit, joined: value.joined, joinedGroups: value.groups, wanted, maxPerPod,
      headroom: value.limit - Math.max(value.joined, wanted ?? 0, maxPerPod ?? 0),
      status: igmpStatus(value.limit, value.joined, wanted, maxPerPod),
    };
  });
  printList(ctx, listSpec, rows, format, { noHeaders: opts.headers === false, paint: await paintFor(ctx, ctx.stdout), emptyMessage: 'No resources found' });
  return finish(ctx, result.failures, result.answers.length);
}
