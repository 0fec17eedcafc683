import { formatPodList, type MulticastGroup } from '../antrea/multicast-groups.js';
import { getMulticastGroup, listMulticastGroups, resolveMemberNodes } from '../cluster/multicast-groups-api.js';
import { CliError, ExitCode } from '../errors.js';
import { multicastGroupValue } from '../flag-values.js';
import { paintFor } from '../output/colors.js';
import { parseOutput, printList, type ListSpec, type OutputFormat } from '../output/list-printer.js';
import { flagsOf } from './command-table.js';
import { defineCommand } from './define-command.js';

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

export interface MulticastGroupsOptions {
  /** Only this group. */
  group?: string;
  format: OutputFormat;
  noHeaders: boolean;
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
    return { group, format: parseOutput(flags.output), noHeaders: flags.headers === false };
  },
  async run(ctx, opts) {
    const client = await ctx.cluster();
    const groups = opts.group !== undefined ? [await getMulticastGroup(client, opts.group)] : await listMulticastGroups(client);
    if (opts.group !== undefined && groups[0].group === '') throw statsGateOff(opts.group, ctx.programName);
    groups.sort((a, b) => a.group.localeCompare(b.group, 'en', { numeric: true }));
    for (const g of groups) g.pods.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
    if (opts.format.type !== 'table') await resolveMemberNodes(client, groups);
    printList(ctx, listSpec(opts.format.type === 'wide'), groups, opts.format, { noHeaders: opts.noHeaders, paint: await paintFor(ctx, ctx.stdout), emptyMessage: 'No resources found' });
    return ExitCode.OK;
  },
});
