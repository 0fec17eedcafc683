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
  // Refuse before any Node is written: a --persist that would drop an earlier value changes nothing.
  if (opts.persist) {
    const plan = await planPersistFor(ctx, client, opts);
    if (plan.action === 'refuse') throw new CliError(plan.reason);
  }
  const channels = execChannels(client, ctx.globals.nodeTimeoutMs);
  const result = await askAgents(ctx, agents, channels, { concurrency: opts.concurrency, machineFormat: isMachineFormat(format), what: SYSCTL_KEY }, async ({ pod, exec }) => {
    const { limit: before, joined } = await readNodeIgmp(exec);
    if (target < joined) warn(ctx, `${pod.node} holds ${joined} IGMP memberships, more than ${target}: joins past the limit fail with ENOBUFS`);
    if (before === target) return { node: pod.node, before, after: before, result: 'unchanged' } as NodeChange;
    if (target < before && !opts.allowDecrease) {
      return { node: pod.node, before, after: before, result: 'refused', detail: `would lower it; use --allow-decrease` } as NodeChange;
    }
    if (opts.dryRun) return { node: pod.node, before, after: target, result: 'would change', detail: `to ${target}` } as NodeChange;
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

type NodeSelectorTerm = { matchExpressions?: MatchExpression[] };

/** The nodeSelectorTerms of a persist DaemonSet; undefined when it runs on every Linux Node. */
function termsOf(ds: V1DaemonSet): NodeSelectorTerm[] | undefined {
  return ds.spec?.template.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms as NodeSelectorTerm[] | undefined;
}

/** The value a persist DaemonSet sets, read from its init container's `sysctl -w KEY=N`. */
function persistedValueOf(ds: V1DaemonSet): number | undefined {
  const arg = ds.spec?.template.spec?.initContainers?.[0]?.command?.find((a) => a.startsWith(`${SYSCTL_KEY}=`));
  return arg === undefined ? undefined : Number(arg.slice(SYSCTL_KEY.length + 1));
}

const sameTerm = (a: NodeSelectorTerm, b: NodeSelectorTerm) => JSON.stringify(a) === JSON.stringify(b);

/** Where the persist DaemonSet must go: the body to apply, or why nothing is applied. */
export type PersistPlan =
  | { action: 'create' | 'configure'; body: V1DaemonSet }
  | { action: 'unchanged' }
  | { action: 'refuse'; reason: string };

/**
 * Decides how `--persist` applies `wanted` (built by persistDaemonSet for this run) given the
 * `existing` DaemonSet, so that nothing persisted before is lost. nodeSelectorTerms are ORed, so
 * the same value on another selection adds this run's term to the earlier ones; a selection already
 * covered is unchanged. A different value is applied only when it covers every Node the existing
 * one covers (then the earlier value is superseded, not lost on some Nodes); otherwise it is
 * refused: one DaemonSet holds one value, and replacing it would stop persisting the earlier value
 * on Nodes this run does not name.
 */
export function planPersist(existing: V1DaemonSet | undefined, wanted: V1DaemonSet, target: number): PersistPlan {
  if (!existing) return { action: 'create', body: wanted };
  const before = termsOf(existing);
  const mine = termsOf(wanted);
  const value = persistedValueOf(existing);
  if (value === target) {
    // No terms means every Linux Node: it already covers any selection.
    if (before === undefined) return image(existing) === image(wanted) ? { action: 'unchanged' } : { action: 'configure', body: wanted };
    if (mine === undefined) return { action: 'configure', body: wanted };
    const merged = [...before, ...mine.filter((t) => !before.some((b) => sameTerm(b, t)))];
    if (merged.length === before.length && image(existing) === image(wanted)) return { action: 'unchanged' };
    return { action: 'configure', body: withTerms(wanted, merged) };
  }
  const covers = mine === undefined || (before !== undefined && before.every((b) => mine.some((t) => sameTerm(b, t))));
  if (covers) return { action: 'configure', body: wanted };
  const where = before === undefined ? 'every Linux Node' : before.map(describeTerm).join(' or ');
  return {
    action: 'refuse',
    reason: `daemonset.apps/${PERSIST_DAEMONSET} already persists ${SYSCTL_KEY}=${value ?? '?'} on ${where}; ` +
      `replacing it with ${target} would drop that on Nodes this run does not select. Persist ${target} on the same Nodes ` +
      `(or with --all-nodes), or delete the DaemonSet first`,
  };
}

const image = (ds: V1DaemonSet) => ds.spec?.template.spec?.initContainers?.[0]?.image;

function withTerms(ds: V1DaemonSet, terms: NodeSelectorTerm[]): V1DaemonSet {
  const spec = ds.spec!.template.spec!;
  return {
    ...ds,
    spec: { ...ds.spec!, template: { ...ds.spec!.template, spec: { ...spec, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms as never } } } } } },
  };
}

function describeTerm(term: NodeSelectorTerm): string {
  return (term.matchExpressions ?? []).map((e) => `${e.key} ${e.operator}${e.values ? ` (${e.values.join(', ')})` : ''}`).join(', ');
}

/** Reads the persist DaemonSet and the agent image, and plans the apply (see planPersist). */
async function planPersistFor(ctx: CommandContext, client: KubeApi, opts: SetMaxOptions): Promise<PersistPlan> {
  const namespace = ctx.globals.antreaNamespace;
  // The agent image has sysctl and is already on every Node.
  const agentDs = await client.readDaemonSet(namespace, AGENT_DAEMONSET);
  const agentImage = agentDs.spec?.template.spec?.containers.find((c) => c.name === 'antrea-agent')?.image;
  if (!agentImage) throw new CliError(`cannot find the antrea-agent image in daemonset/${AGENT_DAEMONSET}`);
  const wanted = persistDaemonSet(namespace, agentImage, opts.target, opts.nodes, opts.selector?.terms);
  let existing: V1DaemonSet | undefined;
  try {
    existing = await client.readDaemonSet(namespace, PERSIST_DAEMONSET);
  } catch (err) {
    if (!(err instanceof CliError) || err.httpStatus !== 404) throw err;
  }
  return planPersist(existing, wanted, opts.target);
}

async function persist(ctx: CommandContext, client: KubeApi, opts: SetMaxOptions): Promise<number> {
  const { target } = opts;
  const namespace = ctx.globals.antreaNamespace;
  // Read-modify-write: a concurrent apply between the read and the write is a 409; plan again.
  for (let attempt = 0; ; attempt++) {
    const plan = await planPersistFor(ctx, client, opts);
    if (plan.action === 'refuse') throw new CliError(plan.reason);
    if (plan.action === 'unchanged') {
      ctx.stdout.write(`daemonset.apps/${PERSIST_DAEMONSET} unchanged${opts.dryRun ? ' (dry run)' : ''}: it already persists ${SYSCTL_KEY}=${target} on the selected Nodes\n`);
      return ExitCode.OK;
    }
    if (opts.dryRun) {
      ctx.stdout.write(`daemonset.apps/${PERSIST_DAEMONSET} would be applied (dry run: nothing was changed):\n${toYaml(plan.body)}`);
      return ExitCode.OK;
    }
    try {
      if (plan.action === 'create') {
        await client.createDaemonSet(namespace, plan.body);
        ctx.stdout.write(`daemonset.apps/${PERSIST_DAEMONSET} created: ${SYSCTL_KEY}=${target} is set again whenever a selected Node starts\n`);
      } else {
        const existing = await client.readDaemonSet(namespace, PERSIST_DAEMONSET);
        await client.replaceDaemonSet(namespace, PERSIST_DAEMONSET, { ...plan.body, metadata: { ...plan.body.metadata, resourceVersion: existing.metadata?.resourceVersion } });
        ctx.stdout.write(`daemonset.apps/${PERSIST_DAEMONSET} configured: ${SYSCTL_KEY}=${target}\n`);
      }
      return ExitCode.OK;
    } catch (err) {
      if (!(err instanceof CliError) || err.httpStatus !== 409 || attempt >= 4) throw err;
    }
  }
}
