import { CHECKS, type AgentFacts, type CheckResult, type DoctorFacts, type Fact, type NodeFacts } from '../antrea/doctor-checks.js';
import { controllerFeatureGates, execChannels, openChannels } from '../cluster/agent-channel.js';
import { AGENT_CONTAINER, discoverAntrea, type AntreaPod } from '../cluster/agent-discovery.js';
import { fanOut } from '../cluster/fan-out.js';
import { tkgsManagement } from '../cluster/tkgs.js';
import type { NodeFailure } from '../cluster/agent-exec.js';
import type { CommandContext, KubeApi } from '../context.js';
import type { Settled } from '../cluster/fan-out.js';
import { readAntreaConfig } from '../cluster/antrea-config-store.js';
import { detectAntreaVersion } from '../cluster/antrea-version.js';
import { listMulticastGroupsWithNodes } from '../cluster/multicast-groups-api.js';
import { readNodeIgmp } from '../cluster/node-igmp.js';
import { readMroutes } from '../cluster/node-mroutes.js';
import { AGENT_CONF_READ, gatherChannel, nodeReadsFor } from '../cluster/node-gather.js';
import { ExitCode, UsageError } from '../errors.js';
import { paintFor } from '../output/colors.js';
import { warn } from '../output/diagnostics.js';
import { parseOutput, printList, type ListSpec, type OutputFormat } from '../output/list-printer.js';
import { askAgents, finish } from './ask-agents.js';
import { flagsOf } from './command-table.js';
import { defineCommand } from './define-command.js';
import { parseConcurrency } from './options.js';
import { multicastAgents } from './windows-agents.js';

const LOG_LINES = 500;

export interface DoctorOptions {
  /** The checks to run: all, or the one --check names. */
  checks: typeof CHECKS;
  format: OutputFormat;
  noHeaders: boolean;
  concurrency: number;
}

const listSpec: ListSpec<CheckResult> = {
  kind: 'DoctorCheckList',
  columns: [
    { header: 'CHECK', value: (r) => r.name },
    { header: 'STATUS', value: (r) => r.status },
    { header: 'NODES', value: (r) => (r.nodes.length === 0 ? '-' : r.nodes.length > 3 ? `${r.nodes.slice(0, 3).join(',')} + ${r.nodes.length - 3} more` : r.nodes.join(',')) },
    { header: 'MESSAGE', value: (r) => r.message },
  ],
  name: (r) => `check/${r.name}`,
  toJson: (r) => ({
    // Every field in every record (null or [] when empty): scripts read them without testing for presence.
    name: r.name, status: r.status, nodes: r.nodes, message: r.message, fix: r.fix ?? null, command: r.command ?? null,
    unanswered: r.unanswered ?? [], source: CHECKS.find((c) => c.name === r.name)!.source,
  }),
  alert: (r) => r.status !== 'PASS',
};

export const command = defineCommand({
  flags: flagsOf.doctor,
  parse({ flags }): DoctorOptions {
    const format = parseOutput(flags.output);
    const concurrency = parseConcurrency(flags.concurrency);
    // --check is repeatable and takes comma lists: every name given runs, none is silently dropped.
    const names = flags.check?.flatMap((value) => value.split(',')).map((name) => name.trim());
    const unknown = names?.find((name) => !CHECKS.some((c) => c.name === name));
    if (unknown !== undefined) throw new UsageError(`unknown check "${unknown}"; checks: ${CHECKS.map((c) => c.name).join(', ')}`);
    const checks = names === undefined ? CHECKS : CHECKS.filter((c) => names.includes(c.name));
    return { checks, format, noHeaders: flags.headers === false, concurrency };
  },
  run,
});

async function run(ctx: CommandContext, opts: DoctorOptions): Promise<number> {
  const { format, concurrency, checks: selected } = opts;
function unwrap<T>(settled: Settled<T>): T {
  if (!settled.ok) throw settled.error;
  return settled.value;
}

  const needs = new Set<Fact>(selected.flatMap((c) => c.needs));

  const client = await ctx.cluster();
  const namespace = ctx.globals.antreaNamespace;
  const [{ agents: allAgents, controller }, cm, version] = await Promise.all([
    discoverAntrea(client, namespace),
    readAntreaConfig(client, namespace),
    detectAntreaVersion(client, namespace),
  ]);
  const agents = multicastAgents(ctx, allAgents);
  // Fixes on a Supervisor-managed cluster go through its AntreaConfig.
  const tkgsPromise = tkgsManagement(client, cm).catch(() => undefined);
  const failures: NodeFailure[] = [];
  const deadlineMs = ctx.globals.nodeTimeoutMs;

  // Started now, awaited after the agents answered: settled at once so a failure while the agents
  // are still being asked is never an unhandled rejection; rethrown where it is awaited.
  const nodesPromise: Promise<Settled<NodeFacts[]>> = needs.has('nodes')
    ? client.listNodes().then((list) =>
        list.map((n) => ({
          name: n.metadata?.name ?? '',
          os: n.status?.nodeInfo?.operatingSystem ?? n.metadata?.labels?.['kubernetes.io/os'] ?? 'linux',
          kernelVersion: n.status?.nodeInfo?.kernelVersion ?? '',
          osImage: n.status?.nodeInfo?.osImage ?? '',
          addresses: (n.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address),
        })),
      ).then(
        (value): Settled<NodeFacts[]> => ({ ok: true, value }),
        (error: Error): Settled<NodeFacts[]> => ({ ok: false, error }),
      )
    : Promise.resolve({ ok: true, value: [] });
  const groupsPromise = needs.has('groups')
    ? listMulticastGroupsWithNodes(client).catch((err: Error) => {
        warn(ctx, `cannot read multicastgroups (stats.antrea.io): ${err.message}`);
        return undefined;
      })
    : Promise.resolve(undefined);
  const controllerPromise =
    needs.has('controllerGates') && controller
      ? controllerFeatureGates(client, controller, deadlineMs)
          .then((sections) => ({ agentGates: sections.agent ?? [], controllerGates: sections.controller ?? [] }))
          .catch((err: Error) => {
            failures.push({ who: `antrea-controller (${controller.name})`, reason: err.message });
            return undefined;
          })
      : Promise.resolve(undefined);

  // The logs are read while the agents are asked: the two fan-outs wait on different things.
  // (readAgentLogs settles every read itself: it never rejects.)
  const logsPromise = needs.has('logs') ? readAgentLogs(client, agents, concurrency) : Promise.resolve(new Map<string, string>());

  // Kernel state and logs need the exec channel whatever --transport says.
  const channels = needs.has('agentGates') || needs.has('multicastProbe') ? await openChannels(ctx, client) : execChannels(client, deadlineMs);
  const ready = agents.filter((a) => a.ready);
  const reads = nodeReadsFor(needs, ctx.globals.transport);
  const perAgent = await askAgents(ctx, ready, channels, { concurrency, machineFormat: format.type !== 'table', what: 'multicast facts' }, async (direct) => {
    // Everything the checks read from this Node, in one exec.
    const agent = await gatherChannel(direct, reads);
    const { exec } = agent;
    const facts: Partial<AgentFacts> = {};
    if (needs.has('agentGates')) facts.gates = (await agent.featureGates()).gates;
    if (needs.has('multicastProbe')) {
      try {
        await agent.podMulticastStats({});
        facts.multicastRunning = true;
      } catch (err) {
        if (!/Multicast is not enabled/.test((err as Error).message)) throw err;
        facts.multicastRunning = false;
      }
    }
    if (needs.has('startedConf')) facts.startedConf = await exec(AGENT_CONF_READ);
    if (needs.has('igmp')) {
      const { limit, joined } = await readNodeIgmp(exec);
      facts.igmp = { limit, joined };
    }
    if (needs.has('mroutes')) facts.mroutes = await readMroutes(exec);
    return facts;
  });
  failures.push(...perAgent.failures);
  const logs = await logsPromise;
  const answered = new Map(perAgent.answers.map((a) => [a.pod.node, a.value]));
  const failed = new Map(perAgent.failures.map((x) => [x.who, x.reason]));
  const facts: DoctorFacts = {
    namespace,
    version: version.version,
    versionText: version.text,
    agentConfText: cm.data?.['antrea-agent.conf'] ?? '',
    controllerConfText: cm.data?.['antrea-controller.conf'] ?? '',
    nodes: unwrap(await nodesPromise),
    agents: agents.map((a) => ({
      node: a.node, pod: a.name, ready: a.ready, restarts: a.restarts ?? 0, ...answered.get(a.node),
      answered: answered.has(a.node),
      ...(answered.has(a.node) ? {} : { unansweredReason: a.ready ? (failed.get(a.node) ?? 'no answer') : (a.notReadyReason ?? 'not ready') }),
      ...(logs.has(a.node) ? { logs: logs.get(a.node) } : {}),
    })),
    controller: await controllerPromise,
    groups: await groupsPromise,
    tkgs: await tkgsPromise,
  };
  const results = selected.map((c) => c.run(facts));
  // The Nodes (and controller) that did not answer, as stderr names them, in the document too.
  const unanswered = [...failures].sort((a, b) => a.who.localeCompare(b.who)).map((f) => ({ node: f.who, reason: f.reason }));
  printList(ctx, listSpec, results, format, { noHeaders: opts.noHeaders, paint: await paintFor(ctx, ctx.stdout), emptyMessage: 'No checks', extra: { failures: unanswered } });
  if (format.type === 'table' || format.type === 'wide') {
    const toFix = results.filter((r) => r.status !== 'PASS' && r.fix);
    if (toFix.length > 0) {
      ctx.stdout.write('\nTo fix:\n');
      for (const r of toFix) ctx.stdout.write(`  ${r.name}: ${r.fix}${r.command ? `\n    $ ${r.command}` : ''}\n`);
    }
  }
  const collected = finish(ctx, failures, perAgent.answers.length);
  if (results.some((r) => r.status === 'FAIL')) return ExitCode.CHECK_FAILED;
  if (results.some((r) => r.status === 'UNKNOWN')) return ExitCode.CHECK_UNKNOWN;
  return collected === ExitCode.OK ? ExitCode.OK : ExitCode.PARTIAL;
}

/**
 * The antrea-agent container's log of every agent, ready or not (a crash-looping agent's last
 * words are what matter): the current container's and, after a restart, the previous one's
 * (previous=true). An unreadable log is left out.
 */
async function readAgentLogs(client: KubeApi, agents: AntreaPod[], concurrency: number): Promise<Map<string, string>> {
  const settled = await fanOut(agents, concurrency, async (pod) => {
    const read = (previous: boolean) => client.readPodLog(pod.namespace, pod.name, AGENT_CONTAINER, LOG_LINES, previous).catch(() => undefined);
    const [current, previous] = await Promise.all([read(false), (pod.restarts ?? 0) > 0 || !pod.ready ? read(true) : Promise.resolve(undefined)]);
    if (current === undefined && previous === undefined) throw new Error('log unreadable');
    return [previous, current].filter((t) => t !== undefined).join('\n');
  });
  return new Map(settled.flatMap((s, i) => (s.ok ? [[agents[i].node, s.value] as [string, string]] : [])));
}


