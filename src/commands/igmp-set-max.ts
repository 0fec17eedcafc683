import type { V1DaemonSet } from '@kubernetes/client-node';
import { selectorToMatchExpressions, type MatchExpression } from '../antrea/node-selector.js';
import type { AntreaPod } from '../cluster/agent-discovery.js';
import { IGMP_SYSCTL_KEY as SYSCTL_KEY, readNodeIgmp } from '../cluster/node-igmp.js';
import { AGENT_DAEMONSET } from '../cluster/rollout.js';
import { CliError, ExitCode, UsageError } from '../errors.js';
import { paintFor } from '../output/colors.js';
import { warn } from '../output/diagnostics.js';
import { isMachineFormat, parseOutput, printList, type ListSpec, type OutputFormat } from '../output/list-printer.js';
import { execChannels } from '../cluster/agent-channel.js';
import { selectAgents } from '../cluster/agent-query.js';
import type { CommandContext, KubeApi } from '../context.js';
import { askAgents, finish, emptyMessageFor } from './ask-agents.js';
import { flagsOf } from './command-table.js';
import { defineCommand } from './define-command.js';
import { parseConcurrency, parsePositiveInt } from './options.js';
import { multicastAgents } from './windows-agents.js';
import { toYaml } from '../output/structured.js';

export const PERSIST_DAEMONSET = 'mcastctl-igmp-max-memberships';
const MAX_INT32 = 2 ** 31 - 1;

export type SetResult = 'changed' | 'unchanged' | 'would change' | 'refused' | 'failed';

export interface NodeChange {
  node: string;
  before: number;
  after: number;
  result: SetResult;
  detail?: string;
}

const listSpec: ListSpec<NodeChange> = {
  kind: 'IgmpMaxMembershipsChangeList',
  columns: [
    { header: 'NODE', value: (r) => r.node },
    { header: 'BEFORE', value: (r) => String(r.before) },
    { header: 'AFTER', value: (r) => String(r.after) },
    { header: 'RESULT', value: (r) => (r.detail ? `${r.result} (${r.detail})` : r.result) },
  ],
  name: (r) => `node/${r.node}`,
  toJson: (r) => ({ node: r.node, before: r.before, after: r.after, result: r.result, ...(r.detail ? { detail: r.detail } : {}) }),
  alert: (r) => r.result === 'refused' || r.result === 'failed',
};

export interface SetMaxOptions {
  /** The new net.ipv4.igmp_max_memberships. */
  target: number;
  /** Exactly one of: these Nodes, a Node label selector (with its parsed terms), every Node. */
  nodes?: string[];
  selector?: { text: string; terms: MatchExpression[] };
  allNodes: boolean;
  allowDecrease: boolean;
  dryRun: boolean;
  persist: boolean;
  format: OutputFormat;
  noHeaders: boolean;
  concurrency: number;
}

export const command = defineCommand({
  flags: flagsOf.igmpSetMax,
  parse({ args, flags }): SetMaxOptions {
    const target = parsePositiveInt(args[0], 'N', MAX_INT32);
    const format = parseOutput(flags.output);
    const concurrency = parseConcurrency(flags.concurrency);
    const choices = [flags.node !== undefined, flags.selector !== undefined, flags.allNodes === true].filter(Boolean).length;
    if (choices !== 1) throw new UsageError('choose the Nodes with exactly one of --node NAME (repeatable), -l/--selector SELECTOR or --all-nodes');
    let selector: SetMaxOptions['selector'];
    if (flags.selector !== undefined) {
      try {
        selector = { text: flags.selector, terms: selectorToMatchExpressions(flags.selector) };
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
    return {
      target, nodes: flags.node, selector, allNodes: flags.allNodes === true, allowDecrease: flags.allowDecrease === true,
      dryRun: flags.dryRun === true, persist: flags.persist === true, format, noHeaders: flags.headers === false, concurrency,
    };
  },
  run,
});

async function run(ctx: CommandContext, opts: SetMaxOptions): Promise<number> {
  const { target, format } = opts;
  const client = await ctx.cluster();
  const found = await selectAgents(client, ctx.globals.antreaNamespace);
  // Windows Nodes have no igmp_max_memberships sysctl and no multicast agent: never written.
  const windowsNamed = (opts.nodes ?? []).filter((n) => found.some((a) => a.node === n && a.os === 'windows'));
  if (windowsNamed.length > 0) throw new CliError(`${windowsNamed.join(', ')}: Windows Node${windowsNamed.length > 1 ? 's' : ''}: Antrea runs no multicast there and Windows has no ${SYSCTL_KEY}`);
  let agents: AntreaPod[] = found;
  if (opts.nodes) {
    const wanted = opts.nodes;
    const missing = wanted.filter((n) => !agents.some((a) => a.node === n));
    if (missing.length > 0) throw new CliError(`no antrea-agent Pod runs on Node${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')}`);
    agents = agents.filter((a) => wanted.includes(a.node));
  } else if (opts.selector !== undefined) {
    const names = new Set((await client.listNodes(opts.selector.text)).map((n) => n.metadata?.name));
    agents = agents.filter((a) => names.has(a.node));
    if (agents.length === 0) throw new CliError(`no Node with an antrea-agent Pod matches the selector "${opts.selector.text}"`);
  }
  agents = multicastAgents(ctx, agents);
  const channels = execChannels(client, ctx.globals.nodeTimeoutMs);
  const result = await askAgents(ctx, agents, channels, { concurrency: opts.concurrency, machineFormat: isMachineFormat(format), what: SYSCTL_KEY }, async ({ pod, exec }) => {
    const { limit: before, joined } = await readNodeIgmp(exec);
    if (target < joined) warn(ctx, `${pod.node} holds ${joined} IGMP memberships, more than ${target}: joins past the limit fail with ENOBUFS`);
    if (before === target) return { node: pod.node, before, after: before, result: 'unchanged' } as NodeChange;
    if (target < before && !opts.allowDecrease) {
      return { node: pod.node, before, after: before, result: 'refused', detail: `would lower it; use --allow-decrease` } as NodeChange;
    }
    if (opts.dryRun) return { node: pod.node, before, after: before, result: 'would change', detail: `to ${target}` } as NodeChange;
    await exec(['sysctl', '-w', `${SYSCTL_KEY}=${target}`]);
    const after = (await readNodeIgmp(exec)).limit;
    if (after !== target) return { node: pod.node, before, after, result: 'failed', detail: `read back ${after}` } as NodeChange;
    return { node: pod.node, before, after, result: 'changed' } as NodeChange;
  });
  const rows = result.answers.map((a) => a.value).sort((a, b) => a.node.localeCompare(b.node));
  printList(ctx, listSpec, rows, format, { noHeaders: opts.noHeaders, paint: await paintFor(ctx, ctx.stdout), emptyMessage: emptyMessageFor(result) });
  let code: number = finish(ctx, result.failures, result.answers.length);
  if (rows.some((r) => r.result === 'refused' || r.result === 'failed')) code = Math.max(code, ExitCode.ERROR);
  if (opts.persist) code = Math.max(code, await persist(ctx, client, opts));
  return code;
}

/**
 * The sysctl does not survive a reboot. --persist applies a small DaemonSet whose privileged,
 * host-network init container sets it again every time its Pod starts on a Node (after every boot).
 */
export function persistDaemonSet(namespace: string, image: string, target: number, nodes: string[] | undefined, selector: MatchExpression[] | undefined): V1DaemonSet {
  const terms: MatchExpression[] = [...(selector ?? []), ...(nodes ? [{ key: 'kubernetes.io/hostname', operator: 'In' as const, values: [...nodes].sort() }] : [])];
  const labels = { app: 'mcastctl', component: 'igmp-max-memberships' };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: PERSIST_DAEMONSET, namespace, labels: { ...labels, 'app.kubernetes.io/managed-by': 'mcastctl' } },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          hostNetwork: true,
          priorityClassName: 'system-node-critical',
          tolerations: [{ operator: 'Exists' }],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          ...(terms.length > 0 ? { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: terms }] } } } } : {}),
          initContainers: [
            { name: 'set-igmp-max-memberships', image, command: ['sysctl', '-w', `${SYSCTL_KEY}=${target}`], securityContext: { privileged: true } },
          ],
          containers: [{ name: 'idle', image, command: ['sleep', 'infinity'], resources: { requests: { cpu: '1m', memory: '8Mi' } } }],
        },
      },
    },
  };
}

async function persist(ctx: CommandContext, client: KubeApi, opts: SetMaxOptions): Promise<number> {
  const { target } = opts;
  const namespace = ctx.globals.antreaNamespace;
  // The agent image has sysctl and is already on every Node.
  const agentDs = await client.readDaemonSet(namespace, AGENT_DAEMONSET);
  const image = agentDs.spec?.template.spec?.containers.find((c) => c.name === 'antrea-agent')?.image;
  if (!image) throw new CliError(`cannot find the antrea-agent image in daemonset/${AGENT_DAEMONSET}`);
  const body = persistDaemonSet(namespace, image, target, opts.nodes, opts.selector?.terms);
  if (opts.dryRun) {
    ctx.stdout.write(`daemonset.apps/${PERSIST_DAEMONSET} would be applied (dry run: nothing was changed):\n${toYaml(body)}`);
    return ExitCode.OK;
  }
  try {
    await client.createDaemonSet(namespace, body);
    ctx.stdout.write(`daemonset.apps/${PERSIST_DAEMONSET} created: ${SYSCTL_KEY}=${target} is set again whenever a selected Node starts\n`);
  } catch (err) {
    if ((err as CliError).httpStatus !== 409) throw err;
    const existing = await client.readDaemonSet(namespace, PERSIST_DAEMONSET);
    await client.replaceDaemonSet(namespace, PERSIST_DAEMONSET, { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata?.resourceVersion } });
    ctx.stdout.write(`daemonset.apps/${PERSIST_DAEMONSET} configured: ${SYSCTL_KEY}=${target}\n`);
  }
  return ExitCode.OK;
}
