import type { MrouteEntry } from '../antrea/mroute-parser.js';
import { execChannels } from '../cluster/agent-channel.js';
import { selectAgentsOn } from '../cluster/agent-query.js';
import { readMroutes } from '../cluster/node-mroutes.js';
import { ipv4Value, multicastGroupValue } from '../flag-values.js';
import { paintFor } from '../output/colors.js';
import { note } from '../output/diagnostics.js';
import { formatList, isMachineFormat, type ListSpec } from '../output/list-printer.js';
import { writeFrame } from '../output/watch-screen.js';
import { askAgents, emptyMessageFor, finish } from './ask-agents.js';
import { flagsOf } from './command-table.js';
import { defineCommand } from './define-command.js';
import { parseConcurrency } from './options.js';
import { parseListOutput, parseNodeSelection, parseWatch, repeatSamples, type ListOutput, type NodeSelection, type WatchOptions } from './read-options.js';
import { multicastAgents } from './windows-agents.js';

export interface NodeMroute extends MrouteEntry {
  node: string;
}

const count = (n: bigint | null) => (n === null ? '<unknown>' : n.toString());
const oifText = (e: MrouteEntry) => e.oifs.map((o) => (o.ttl !== undefined ? `${o.name}(ttl ${o.ttl})` : o.name)).join(',');

export const mrouteListSpec: ListSpec<NodeMroute> = {
  kind: 'MrouteList',
  columns: [
    { header: 'NODE', value: (r) => r.node },
    { header: 'SOURCE', value: (r) => r.source },
    { header: 'GROUP', value: (r) => r.group },
    { header: 'IIF', value: (r) => r.iif ?? 'unresolved' },
    { header: 'OIFS', value: oifText },
    { header: 'STATE', value: (r) => r.state },
    { header: 'PACKETS', value: (r) => count(r.packets) },
    { header: 'BYTES', value: (r) => count(r.bytes) },
    { header: 'WRONG-IIF', value: (r) => count(r.wrongIf), wide: true },
    { header: 'AGE', value: (r) => (r.age === null ? '<unknown>' : `${r.age.toFixed(2)}s`), wide: true },
  ],
  name: (r) => `mroute/${r.node}/${r.source},${r.group}`,
  toJson: (r) => ({
    node: r.node, source: r.source, group: r.group, iif: r.iif, oifs: r.oifs, state: r.state, offload: r.offload, table: r.table,
    packets: r.packets, bytes: r.bytes, wrongIf: r.wrongIf, age: r.age, ...(r.extra ? { extra: r.extra } : {}),
  }),
  alert: (r) => r.state === 'unresolved' || (r.wrongIf ?? 0n) > 0n,
};

export interface MrouteOptions extends NodeSelection, ListOutput, WatchOptions {
  group?: string;
  source?: string;
  concurrency: number;
}

export const command = defineCommand({
  flags: flagsOf.getMroute,
  parse({ flags }): MrouteOptions {
    if (flags.group !== undefined) multicastGroupValue(flags.group, '--group');
    if (flags.source !== undefined) ipv4Value(flags.source, '--source');
    return {
      ...parseNodeSelection(flags),
      ...parseListOutput(flags),
      ...parseWatch(flags),
      group: flags.group,
      source: flags.source,
      concurrency: parseConcurrency(flags.concurrency),
    };
  },
  async run(ctx, opts) {
    const client = await ctx.cluster();
    const channels = execChannels(client, ctx.globals.nodeTimeoutMs);
    const paint = await paintFor(ctx, ctx.stdout);
    let sampled = 0;
    return repeatSamples(ctx, opts, async (frame) => {
      // Agents are looked up for every sample (a rollout replaces them); Windows ones are named once.
      const found = await selectAgentsOn(client, ctx.globals.antreaNamespace, opts);
      const agents = sampled++ === 0 ? multicastAgents(ctx, found) : found.filter((a) => a.os !== 'windows');
      const what = { concurrency: opts.concurrency, machineFormat: isMachineFormat(opts.format) || opts.watch, what: 'multicast routes' };
      const result = await askAgents(ctx, agents, channels, what, (agent) => readMroutes(agent.exec, (m) => note(ctx, `${agent.pod.node}: ${m}`)));
      // iproute2 6.1 cannot filter mroutes by address, so filters apply here.
      const rows: NodeMroute[] = result.answers
        .flatMap(({ pod, value }) => value.map((e) => ({ ...e, node: pod.node })))
        .filter((r) => (opts.group === undefined || r.group === opts.group) && (opts.source === undefined || r.source === opts.source))
        .sort((a, b) => a.node.localeCompare(b.node) || a.group.localeCompare(b.group, 'en', { numeric: true }) || a.source.localeCompare(b.source, 'en', { numeric: true }));
      const text = formatList(mrouteListSpec, rows, opts.format, { noHeaders: opts.noHeaders, paint, emptyMessage: emptyMessageFor(result), sortBy: opts.sortBy, frame }, (m) =>
        ctx.stderr.write(`${m}\n`),
      );
      writeFrame(ctx, text, opts.watch);
      return finish(ctx, result.failures, result.answers.length);
    });
  },
});
