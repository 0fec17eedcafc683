import { igmpStatus, type IgmpStatus } from '../antrea/igmp-limits.js';
import { parse } from 'yaml';
import { groupDemandByNode } from '../antrea/multicast-groups.js';
import { AGENT_CONF, membershipsPerGroup, multicastSettings, releaseProfile } from '../antrea/release.js';
import { readAntreaConfig } from '../cluster/antrea-config-store.js';
import { detectAntreaVersion } from '../cluster/antrea-version.js';
import { execChannels } from '../cluster/agent-channel.js';
import { selectAgentsOn } from '../cluster/agent-query.js';
import { listMulticastGroupsWithNodes } from '../cluster/multicast-groups-api.js';
import { readNodeIgmp } from '../cluster/node-igmp.js';
import { paintFor } from '../output/colors.js';
import { warn } from '../output/diagnostics.js';
import { formatList, isMachineFormat, type ListSpec } from '../output/list-printer.js';
import { writeFrame } from '../output/watch-screen.js';
import { askAgents, emptyMessageFor, finish } from './ask-agents.js';
import { flagsOf } from './command-table.js';
import { defineCommand } from './define-command.js';
import { parseConcurrency } from './options.js';
import { parseListOutput, parseNodeSelection, parseWatch, repeatSamples, type ListOutput, type NodeSelection, type WatchOptions } from './read-options.js';
import { multicastAgents } from './windows-agents.js';

export interface NodeIgmp {
  node: string;
  limit: number;
  /** Memberships held on the Node's interfaces, without 224.0.0.1. */
  joined: number;
  joinedGroups: string[];
  /**
   * Memberships the agent must hold for the Node's receivers: distinct groups × its multicast
   * interfaces (multicastInterfaces plus the transport interface), all on its one socket; null if unknown.
   */
  wanted: number | null;
  /** Distinct groups the Node's receiver Pods joined; null if unknown. */
  wantedGroups: number | null;
  /** The most groups any one receiver Pod on the Node joined; null if unknown. */
  maxPerPod: number | null;
  headroom: number;
  status: IgmpStatus;
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

export interface IgmpOptions extends NodeSelection, ListOutput, WatchOptions {
  concurrency: number;
}

export const command = defineCommand({
  flags: flagsOf.getIgmp,
  parse({ flags }): IgmpOptions {
    return { ...parseNodeSelection(flags), ...parseListOutput(flags), ...parseWatch(flags), concurrency: parseConcurrency(flags.concurrency) };
  },
  async run(ctx, opts) {
    const client = await ctx.cluster();
    const paint = await paintFor(ctx, ctx.stdout);
    let sampled = 0;
    return repeatSamples(ctx, opts, async (frame) => {
      // Agents are looked up for every sample (a rollout replaces them); Windows ones are named once.
      const found = await selectAgentsOn(client, ctx.globals.antreaNamespace, opts);
      const agents = sampled++ === 0 ? multicastAgents(ctx, found) : found.filter((a) => a.os !== 'windows');
      const demandPromise = listMulticastGroupsWithNodes(client).then(groupDemandByNode).catch((err: Error) => {
        warn(ctx, `cannot read multicastgroups (stats.antrea.io), WANTED and MAX-PER-POD are unknown: ${err.message}`);
        return undefined;
      });
      // How many memberships one group costs the agent: one per multicast interface (release.ts).
      const perGroupPromise = Promise.all([readAntreaConfig(client, ctx.globals.antreaNamespace), detectAntreaVersion(client, ctx.globals.antreaNamespace)])
        .then(([cm, detected]) => {
          const profile = releaseProfile(detected.version);
          return membershipsPerGroup(multicastSettings(profile, (parse(cm.data?.[AGENT_CONF] ?? '') ?? {}) as Record<string, unknown>));
        })
        .catch((err: Error) => {
          warn(ctx, `cannot read the multicast interfaces from antrea-config, WANTED is unknown: ${err.message.split('\n')[0]}`);
          return undefined;
        });
      const channels = execChannels(client, ctx.globals.nodeTimeoutMs);
      const result = await askAgents(ctx, agents, channels, { concurrency: opts.concurrency, machineFormat: isMachineFormat(opts.format) || opts.watch, what: 'IGMP memberships' }, (agent) =>
        readNodeIgmp(agent.exec),
      );
      const demand = await demandPromise;
      const perGroup = await perGroupPromise;
      const rows: NodeIgmp[] = result.answers.map(({ pod, value }) => {
        const wantedGroups = demand ? (demand.get(pod.node)?.groups.size ?? 0) : null;
        const wanted = wantedGroups !== null && perGroup !== undefined ? wantedGroups * perGroup : null;
        const maxPerPod = demand ? (demand.get(pod.node)?.maxPerPod ?? 0) : null;
        return {
          node: pod.node, limit: value.limit, joined: value.joined, joinedGroups: value.groups, wanted, wantedGroups, maxPerPod,
          headroom: value.limit - Math.max(value.joined, wanted ?? 0, maxPerPod ?? 0),
          status: igmpStatus(value.limit, value.joined, wanted, maxPerPod),
        };
      });
      const text = formatList(listSpec, rows, opts.format, { noHeaders: opts.noHeaders, paint, emptyMessage: emptyMessageFor(result), sortBy: opts.sortBy, frame }, (m) =>
        ctx.stderr.write(`${m}\n`),
      );
      writeFrame(ctx, text, opts.watch);
      return finish(ctx, result.failures, result.answers.length);
    });
  },
});
