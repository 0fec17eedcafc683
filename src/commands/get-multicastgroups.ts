import { formatPodList, type MulticastGroup } from '../antrea/multicast-groups.js';
import { getMulticastGroup, listMulticastGroups, resolveMemberNodes } from '../cluster/multicast-groups-api.js';
import { CliError, ExitCode } from '../errors.js';
import { multicastGroupValue } from '../flag-values.js';
import { paintFor } from '../output/colors.js';
import { formatList, type ListSpec } from '../output/list-printer.js';
import { writeFrame } from '../output/watch-screen.js';
import { flagsOf } from './command-table.js';
import { defineCommand } from './define-command.js';
import { parseListOutput, parseWatch, repeatSamples, type ListOutput, type WatchOptions } from './read-options.js';

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

export interface MulticastGroupsOptions extends ListOutput, WatchOptions {
  /** Only this group. */
  group?: string;
}

/**
 * antrea-controller answers GET multicastgroups/G with an empty MulticastGroup (no error) when its
 * Multicast gate is off, and before v1.14 also when its NetworkPolicyStats gate is off
 * (pkg/apiserver/registry/stats/multicastgroup/rest.go Get, v1.7.0–v1.13 and v1.14+).
 */
function statsGateOff(group: string, programName: string): CliError {
  return new CliError(
    `multicast group "${group}": the antrea-controller answered with an empty MulticastGroup, which it does when its ` +
      `NetworkPolicyStats or Multicast feature gate is off; turn them on with "${programName} featuregate set NetworkPolicyStats=true" ` +
      `and "${programName} featuregate set Multicast=true" (see "${programName} get featuregates")`,
  );
}

export const command = defineCommand({
  flags: flagsOf.getMulticastgroups,
  parse({ args, flags }): MulticastGroupsOptions {
    const group = args[0];
    if (group !== undefined) multicastGroupValue(group, 'GROUP');
    return { group, ...parseListOutput(flags), ...parseWatch(flags) };
  },
  async run(ctx, opts) {
    const client = await ctx.cluster();
    const paint = await paintFor(ctx, ctx.stdout);
    return repeatSamples(ctx, opts, async (frame) => {
      const groups = opts.group !== undefined ? [await getMulticastGroup(client, opts.group)] : await listMulticastGroups(client);
      if (opts.group !== undefined && groups[0].group === '') throw statsGateOff(opts.group, ctx.programName);
      groups.sort((a, b) => a.group.localeCompare(b.group, 'en', { numeric: true }));
      for (const g of groups) g.pods.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
      if (opts.format.type !== 'table') await resolveMemberNodes(client, groups);
      const options = { noHeaders: opts.noHeaders, paint, emptyMessage: 'No resources found', sortBy: opts.sortBy, frame };
      writeFrame(ctx, formatList(listSpec(opts.format.type === 'wide'), groups, opts.format, options, (m) => ctx.stderr.write(`${m}\n`)), opts.watch);
      return ExitCode.OK;
    });
  },
});
