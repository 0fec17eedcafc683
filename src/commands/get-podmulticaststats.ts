import { rateBetween, type PodMulticastStats, type Rate, type Sample } from '../antrea/podmulticaststats-parser.js';
import { AgentApi } from '../cluster/agent-api.js';
import { apiChannel, inAgentPod, openChannel, type AgentChannel, type PodStatsQuery } from '../cluster/agent-channel.js';
import type { AntreaPod } from '../cluster/agent-discovery.js';
import { parseDuration } from '../duration.js';
import { CliError, ExitCode, UsageError } from '../errors.js';
import { paintFor } from '../output/colors.js';
import { formatList, isMachineFormat, parseOutput, type ListSpec } from '../output/list-printer.js';
import { writeFrame } from '../output/watch-screen.js';
import { KubeClient } from '../cluster/kube-client.js';
import { concurrencyOf, finish, queryAgents, selectAgents } from './agent-query.js';
import type { CommandContext } from './context.js';
import { parsePositiveInt } from './options.js';

export interface PodStatsRow extends PodMulticastStats {
  node: string;
  inboundRate?: Rate;
  outboundRate?: Rate;
}

const rateText = (r: Rate | undefined) => (!r || r.kind === 'unknown' ? '-' : r.kind === 'reset' ? 'reset' : r.perSecond.toFixed(1));
const rateJson = (r: Rate | undefined) => (!r || r.kind === 'unknown' ? null : r.kind === 'reset' ? 'reset' : Number(r.perSecond.toFixed(3)));

function spec(watching: boolean): ListSpec<PodStatsRow> {
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

interface Options {
  namespace?: string;
  allNamespaces?: boolean;
  node?: string;
  selector?: string;
  output: string;
  headers: boolean;
  concurrency: string;
  watch?: boolean;
  interval: string;
  count?: string;
}

export async function run(ctx: CommandContext, args: string[], options: Record<string, unknown>): Promise<number> {
  const opts = options as unknown as Options;
  const format = parseOutput(opts.output);
  concurrencyOf(options); // a bad --concurrency fails before any request
  const podName = args[0];
  if (podName && opts.allNamespaces) throw new UsageError('a Pod name cannot be used with --all-namespaces');
  if (podName && opts.selector) throw new UsageError('a Pod name cannot be used with --selector');
  if (opts.namespace === '') throw new UsageError('--namespace must not be empty');
  const intervalMs = parseDuration(opts.interval, '--interval');
  if (opts.watch && intervalMs < 100) throw new UsageError('--interval must be at least 100ms');
  const samples = opts.count !== undefined ? parsePositiveInt(opts.count, '--count') : opts.watch ? Infinity : 1;
  if (opts.count !== undefined && !opts.watch) throw new UsageError('--count is used with --watch');

  if (inAgentPod(ctx.env)) {
    if (opts.selector) throw new UsageError('--selector needs the Kubernetes API; inside an agent Pod only this Node\'s agent is asked');
    const { api, node } = AgentApi.local(ctx.env, ctx.globals.nodeTimeoutMs);
    const pod: AntreaPod = { name: ctx.env.POD_NAME ?? '', namespace: '', node, ready: true };
    const namespace = opts.allNamespaces ? undefined : (opts.namespace ?? (podName ? 'default' : undefined));
    return sampleLoop(ctx, undefined, opts, format, samples, intervalMs, async () => [pod], apiChannel(api), { namespace, name: podName }, undefined, namespace);
  }
  const client = await KubeClient.connect(ctx);
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
  // Agents are looked up again for every sample: a rollout restart replaces their Pods.
  const targets = async () => {
    const agents = (await selectAgents(ctx, client, opts.node)).filter((a) => !onNodes || onNodes.has(a.node));
    if (podName && agents.length === 0) {
      throw new CliError(`Pod ${namespace}/${podName} runs where no antrea-agent Pod was found${opts.node ? ' (see --node)' : ''}`);
    }
    return agents;
  };

  const channel = await openChannel(ctx, client);
  return sampleLoop(ctx, client, opts, format, samples, intervalMs, targets, channel, query, wanted, namespace);
}

/** Takes `samples` samples (one without --watch), each from every target agent, and prints them. */
async function sampleLoop(
  ctx: CommandContext,
  client: KubeClient | undefined,
  opts: Options,
  format: ReturnType<typeof parseOutput>,
  samples: number,
  intervalMs: number,
  targets: () => Promise<AntreaPod[]>,
  channel: AgentChannel,
  query: PodStatsQuery,
  wanted: Set<string> | undefined,
  namespace: string | undefined,
): Promise<number> {
  const concurrency = concurrencyOf(opts as unknown as Record<string, unknown>);
  const listSpec = spec(opts.watch === true);
  const paint = await paintFor(ctx, ctx.stdout);
  const emptyMessage = namespace ? `No resources found in ${namespace} namespace.` : 'No resources found';
  const previous = new Map<string, Sample>();
  let exitCode: number = ExitCode.OK;
  for (let sample = 0; sample < samples; sample++) {
    if (sample > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const result = await queryAgents(ctx, client, await targets(), { concurrency, machineFormat: isMachineFormat(format) || opts.watch === true, what: 'Pod multicast statistics' }, async (exec, pod) => {
      const stats = await channel.podMulticastStats(pod, query, exec);
      return { at: Date.now(), stats };
    });
    const rows: PodStatsRow[] = [];
    for (const { pod, value } of result.answers) {
      for (const s of value.stats) {
        const key = `${s.namespace}/${s.name}`;
        if (wanted && !wanted.has(key)) continue;
        const current: Sample = { at: value.at, inbound: s.inbound, outbound: s.outbound };
        const row: PodStatsRow = { ...s, node: pod.node };
        if (opts.watch) {
          row.inboundRate = rateBetween(previous.get(key), current, 'inbound');
          row.outboundRate = rateBetween(previous.get(key), current, 'outbound');
          previous.set(key, current);
        }
        rows.push(row);
      }
    }
    rows.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
    const text = formatList(listSpec, rows, format, { noHeaders: opts.headers === false, paint, emptyMessage }, (m) => ctx.stderr.write(`${m}\n`));
    if (opts.watch) writeFrame(ctx, text, sample);
    else ctx.stdout.write(text);
    exitCode = Math.max(exitCode, finish(ctx, result.failures, result.answers.length));
  }
  return exitCode;
}
