import { rateBetween, type PodMulticastStats, type Rate, type Sample } from '../antrea/podmulticaststats-parser.js';
import { inAgentPod, localAgentChannel, openChannels, type AgentChannels, type PodStatsQuery } from '../cluster/agent-channel.js';
import type { AntreaPod } from '../cluster/agent-discovery.js';
import { selectAgentsOn } from '../cluster/agent-query.js';
import type { CommandContext } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { paintFor } from '../output/colors.js';
import { note } from '../output/diagnostics.js';
import { formatList, isMachineFormat, type ListSpec } from '../output/list-printer.js';
import { writeFrame } from '../output/watch-screen.js';
import { askAgents, finish, emptyMessageFor } from './ask-agents.js';
import { flagsOf } from './command-table.js';
import { defineCommand } from './define-command.js';
import { parseConcurrency } from './options.js';
import { parseLabelSelector, parseListOutput, parseNodeSelection, parseWatch, repeatSamples, type ListOutput, type NodeSelection, type WatchOptions } from './read-options.js';
import { multicastAgents } from './windows-agents.js';

export interface PodStatsRow extends PodMulticastStats {
  node: string;
  inboundRate?: Rate;
  outboundRate?: Rate;
}

const rateText = (r: Rate | undefined) => (!r || r.kind === 'unknown' ? '-' : r.kind === 'reset' ? 'reset' : r.perSecond.toFixed(1));
const rateJson = (r: Rate | undefined) => (!r || r.kind === 'unknown' ? null : r.kind === 'reset' ? 'reset' : Number(r.perSecond.toFixed(3)));

export function podStatsSpec(watching: boolean): ListSpec<PodStatsRow> {
  return {
    kind: 'PodMulticastStatsList',
    columns: [
      { header: 'NAMESPACE', value: (r) => r.namespace },
      { header: 'NAME', value: (r) => r.name },
      { header: 'NODE', value: (r) => r.node },
      { header: 'INBOUND', value: (r) => String(r.inbound) },
      { header: 'OUTBOUND', value: (r) => String(r.outbound) },
      ...(watching
        ? [
            { header: 'INBOUND/S', value: (r: PodStatsRow) => rateText(r.inboundRate) },
            { header: 'OUTBOUND/S', value: (r: PodStatsRow) => rateText(r.outboundRate) },
          ]
        : []),
    ],
    name: (r) => `pod/${r.name}`,
    toJson: (r) => ({
      namespace: r.namespace, name: r.name, node: r.node, inbound: r.inbound, outbound: r.outbound,
      ...(watching ? { inboundPerSecond: rateJson(r.inboundRate), outboundPerSecond: rateJson(r.outboundRate) } : {}),
    }),
    alert: watching ? (r) => r.inboundRate?.kind === 'reset' || r.outboundRate?.kind === 'reset' : undefined,
  };
}

export interface PodStatsOptions extends ListOutput, WatchOptions {
  /** Only this Pod (in namespace). */
  podName?: string;
  namespace?: string;
  allNamespaces: boolean;
  /** Pod label selector (-l). */
  selector?: string;
  /** The Nodes asked: --node (repeatable) and --node-selector. */
  nodeSelection: NodeSelection;
  concurrency: number;
}

export const command = defineCommand({
  flags: flagsOf.getPodmulticaststats,
  parse({ args, flags }): PodStatsOptions {
    const podName = args[0];
    if (podName && flags.allNamespaces) throw new UsageError('a Pod name cannot be used with --all-namespaces');
    if (podName && flags.selector) throw new UsageError('a Pod name cannot be used with --selector');
    if (flags.namespace === '') throw new UsageError('--namespace must not be empty');
    return {
      ...parseListOutput(flags),
      ...parseWatch(flags),
      podName,
      namespace: flags.namespace,
      allNamespaces: flags.allNamespaces === true,
      selector: parseLabelSelector(flags.selector, '-l/--selector'),
      nodeSelection: parseNodeSelection({ node: flags.node, selector: flags.nodeSelector }, '--node-selector'),
      concurrency: parseConcurrency(flags.concurrency),
    };
  },
  run: (ctx, opts) => (inAgentPod(ctx.env) ? runInAgentPod(ctx, opts) : runAgainstCluster(ctx, opts)),
});

/** Inside an agent container only this Node's agent is asked, through its API. */
function runInAgentPod(ctx: CommandContext, opts: PodStatsOptions): Promise<number> {
  if (opts.selector || opts.nodeSelection.selector) throw new UsageError('--selector needs the Kubernetes API; inside an agent Pod only this Node\'s agent is asked');
  const agent = localAgentChannel(ctx);
  const namespace = opts.allNamespaces ? undefined : (opts.namespace ?? (opts.podName ? 'default' : undefined));
  return sampleLoop(ctx, opts, { targets: async () => [agent.pod], channels: () => agent, query: { namespace, name: opts.podName }, namespace });
}

async function runAgainstCluster(ctx: CommandContext, opts: PodStatsOptions): Promise<number> {
  const { podName } = opts;
  const client = await ctx.cluster();
  const namespace = opts.allNamespaces ? undefined : (opts.namespace ?? client.defaultNamespace);
  const query: PodStatsQuery = { namespace, name: podName };
  let onNodes: Set<string | undefined> | undefined;
  let wanted: Set<string> | undefined;
  if (podName) {
    const pod = await client.readPod(namespace!, podName);
    onNodes = new Set([pod.spec?.nodeName]);
  } else if (opts.selector) {
    const pods = namespace ? await client.listPods(namespace, opts.selector) : await client.listAllPods(opts.selector);
    wanted = new Set(pods.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`));
    onNodes = new Set(pods.map((p) => p.spec?.nodeName));
  }
  // Agents are looked up again for every sample: a rollout restart replaces their Pods. Windows
  // agents are skipped with one note, on the first sample only.
  let noted = false;
  const targets = async () => {
    const found = await selectAgentsOn(client, ctx.globals.antreaNamespace, opts.nodeSelection);
    const linux = noted ? found.filter((a) => a.os !== 'windows') : multicastAgents(ctx, found);
    noted = true;
    const agents = linux.filter((a) => !onNodes || onNodes.has(a.node));
    if (podName && agents.length === 0) {
      const narrowed = opts.nodeSelection.nodes || opts.nodeSelection.selector;
      throw new CliError(`Pod ${namespace}/${podName} runs where no antrea-agent Pod was found${narrowed ? ' (see --node and --node-selector)' : ''}`);
    }
    return agents;
  };
  const channels = await openChannels(ctx, client);
  return sampleLoop(ctx, opts, { targets, channels, query, wanted, namespace });
}

interface SampleSource {
  /** The agents to ask, looked up again for every sample. */
  targets: () => Promise<AntreaPod[]>;
  channels: AgentChannels;
  query: PodStatsQuery;
  /** Only these namespace/name keys (a --selector), when set. */
  wanted?: Set<string>;
  /** The namespace asked, for "No resources found in … namespace." */
  namespace?: string;
}

/** Takes opts.samples samples (one without --watch), each from every target agent, and prints them. */
async function sampleLoop(ctx: CommandContext, opts: PodStatsOptions, source: SampleSource): Promise<number> {
  const { format, watch } = opts;
  const listSpec = podStatsSpec(watch);
  const paint = await paintFor(ctx, ctx.stdout);
  const emptyMessage = source.namespace ? `No resources found in ${source.namespace} namespace.` : 'No resources found';
  const previous = new Map<string, Sample>();
  return repeatSamples(ctx, opts, async (frame) => {
    const what = { concurrency: opts.concurrency, machineFormat: isMachineFormat(format) || watch, what: 'Pod multicast statistics' };
    const result = await askAgents(ctx, await source.targets(), source.channels, what, async (agent) => {
      const stats = await agent.podMulticastStats(source.query, (m) => note(ctx, `${agent.pod.node}: ${m}`));
      return { at: Date.now(), stats };
    });
    const rows: PodStatsRow[] = [];
    for (const { pod, value } of result.answers) {
      for (const s of value.stats) {
        const key = `${s.namespace}/${s.name}`;
        if (source.wanted && !source.wanted.has(key)) continue;
        const current: Sample = { at: value.at, inbound: s.inbound, outbound: s.outbound };
        const row: PodStatsRow = { ...s, node: pod.node };
        if (watch) {
          row.inboundRate = rateBetween(previous.get(key), current, 'inbound');
          row.outboundRate = rateBetween(previous.get(key), current, 'outbound');
          previous.set(key, current);
        }
        rows.push(row);
      }
    }
    rows.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
    const text = formatList(listSpec, rows, format, { noHeaders: opts.noHeaders, paint, emptyMessage: emptyMessageFor(result, emptyMessage), sortBy: opts.sortBy, frame }, (m) => ctx.stderr.write(`${m}\n`));
    writeFrame(ctx, text, watch);
    return finish(ctx, result.failures, result.answers.length);
  });
}
