/**
 * mcastctl probe: proves multicast delivery end to end with real Pods, as antctl check installation
 * proves unicast: a random test Namespace, mcjoin Pods pinned to their Nodes, the paths of
 * Antrea's multicast e2e tests run one sender at a time, a verdict per receiver with the evidence
 * from the agents, and one teardown that always runs (success, failure, timeout, SIGINT, SIGTERM).
 */
import { parse as parseYaml } from 'yaml';
import { parseMcjoinOutput } from '../antrea/mcjoin.js';
import { buildProbePlan, canonicalEncapMode, GRACE_MS, PlanError, SETTLE_MS, START_SLACK_MS, type ClusterFacts, type ProbePhase, type ProbePlan } from '../antrea/probe-plan.js';
import { failingNodes, judgePath, skippedResult, type NodeObservation, type PathResult, type PhaseOutcome, type PodCounters, type ProgramRun } from '../antrea/probe-verdict.js';
import { openChannels, type AgentChannels } from '../cluster/agent-channel.js';
import { discoverAgents, type AntreaPod } from '../cluster/agent-discovery.js';
import { queryAgents } from '../cluster/agent-query.js';
import { readAntreaConfig } from '../cluster/antrea-config-store.js';
import { readNodeIgmp } from '../cluster/node-igmp.js';
import { readMroutes } from '../cluster/node-mroutes.js';
import { Aborted, ProbeWorkload, type RunningPod } from '../cluster/probe-workload.js';
import type { CommandContext, KubeApi, Progress } from '../context.js';
import { CliError, ExitCode, UsageError } from '../errors.js';
import { paintFor } from '../output/colors.js';
import { warn } from '../output/diagnostics.js';
import { formatProbeReport } from '../output/probe-report.js';
import { startProgress } from '../output/progress.js';
import { flagsOf } from './command-table.js';
import { defineCommand } from './define-command.js';
import { parseProbeFlags, type ProbeCommandOptions } from './probe-options.js';

export const command = defineCommand({
  flags: flagsOf.probe,
  parse: ({ flags }) => parseProbeFlags(flags),
  run: runProbe,
});

/** How long the teardown waits for the Namespace to be gone. */
const NAMESPACE_GONE_MS = 120_000;
/** How long receivers may take to print that they joined before the sender starts anyway. */
const JOIN_WAIT_MS = 20_000;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new Aborted(String(signal.reason)));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(new Aborted(String(signal.reason)))), { once: true });
  });

/** The exit status of a process ended by a signal, as shells report it. */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export async function runProbe(ctx: CommandContext, opts: ProbeCommandOptions): Promise<number> {
  const machine = opts.output !== 'table';
  const controller = new AbortController();
  const { signal } = controller;
  let interrupted: string | undefined;
  let namespace: string | undefined;
  const onSignal = (name: NodeJS.Signals) => {
    if (interrupted) {
      // A second interrupt during the teardown: leave now, and say what may be left.
      ctx.stderr.write(`error: interrupted again; ${namespace ? `namespace ${namespace} may be left behind: remove it with "${ctx.programName} probe cleanup"` : 'nothing was created'}\n`);
      process.exit(SIGNAL_EXIT[name]);
    }
    interrupted = name;
    controller.abort(`interrupted (${name})`);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const s of signals) process.on(s, onSignal);
  const timer = setTimeout(() => controller.abort(`the probe did not finish within ${opts.timeoutText}`), opts.timeoutMs);
  const progress = await startProgress(ctx, 'Reading the cluster…', machine);
  const client = await ctx.cluster();
  const workload = new ProbeWorkload(client);
  try {
    const plan = await planProbe(ctx, client, opts);
    namespace = plan.namespace;
    progress.update(`Creating namespace ${plan.namespace} and ${plan.pods.length} Pods…`);
    if (signal.aborted) throw new Aborted(String(signal.reason));
    await workload.createNamespace(plan);
    if (signal.aborted) throw new Aborted(String(signal.reason));
    await workload.createPods(plan, Math.ceil(opts.timeoutMs / 1000) + 60);
    progress.update(`Waiting for ${plan.pods.length} Pods to run…`);
    const running = await workload.waitForPods(plan, signal);
    const results = await runPhases(ctx, client, workload, plan, running, signal, progress);
    const skipped = plan.skipped.map((s) => skippedResult(s, s.path === 'from-external', s.path === 'to-external'));
    const paths = [...results, ...skipped];
    const failing = failingNodes(paths);
    progress.stop();
    const report = {
      namespace: plan.namespace, group: plan.group, port: plan.port, count: plan.count, intervalMs: plan.intervalMs, image: plan.image,
      encapMode: plan.encapMode, paths, failingNodes: failing, kept: opts.keep,
    };
    ctx.stdout.write(formatProbeReport(report, opts.output, await paintFor(ctx, ctx.stdout)));
    if (failing.length > 0) {
      ctx.stderr.write(`error: multicast was not delivered to ${failing.length === 1 ? 'Node' : 'Nodes'} ${failing.join(', ')} (see EVIDENCE)\n`);
      return ExitCode.PROBE_FAILED;
    }
    return ExitCode.OK;
  } catch (err) {
    progress.stop();
    if (err instanceof Aborted || signal.aborted) {
      if (interrupted) {
        ctx.stderr.write(`error: interrupted (${interrupted}); cleaning up\n`);
        return SIGNAL_EXIT[interrupted];
      }
      throw new CliError(String(signal.reason ?? (err as Error).message));
    }
    throw err;
  } finally {
    clearTimeout(timer);
    if (namespace) await teardown(ctx, workload, namespace, opts.keep, machine);
    for (const s of signals) process.off(s, onSignal);
  }
}

/** Reads the Nodes, agents and encap mode, and builds the plan (every flag checked against them). */
async function planProbe(ctx: CommandContext, client: KubeApi, opts: ProbeCommandOptions): Promise<ProbePlan & { encapMode: string }> {
  const antreaNamespace = ctx.globals.antreaNamespace;
  const [agents, nodes, config] = await Promise.all([discoverAgents(client, antreaNamespace), client.listNodes(), readAntreaConfig(client, antreaNamespace)]);
  const agentConf = (parseYaml(config.data?.['antrea-agent.conf'] ?? '') ?? {}) as { trafficEncapMode?: string };
  const facts: ClusterFacts = {
    encapMode: canonicalEncapMode(String(agentConf.trafficEncapMode ?? 'encap')),
    nodes: nodes.map((n) => {
      const name = n.metadata?.name ?? '';
      return {
        name,
        os: n.metadata?.labels?.['kubernetes.io/os'] ?? n.status?.nodeInfo?.operatingSystem ?? 'linux',
        agentReady: agents.some((a) => a.node === name && a.ready),
      };
    }),
  };
  try {
    return { ...buildProbePlan(facts, opts), encapMode: facts.encapMode };
  } catch (err) {
    if (err instanceof PlanError) throw err.message.startsWith('--') ? new UsageError(err.message) : new CliError(err.message);
    throw err;
  }
}

async function runPhases(
  ctx: CommandContext,
  client: KubeApi,
  workload: ProbeWorkload,
  plan: ProbePlan & { encapMode: string },
  pods: Map<string, RunningPod>,
  signal: AbortSignal,
  progress: Progress,
): Promise<PathResult[]> {
  const agents = await discoverAgents(client, ctx.globals.antreaNamespace);
  const channels = await openChannels(ctx, client);
  const results: PathResult[] = [];
  for (const [index, phase] of plan.phases.entries()) {
    const label = plan.phases.length > 1 ? `Phase ${index + 1}/${plan.phases.length}: ` : '';
    const nodes = [...new Set([phase.paths[0].from, ...phase.paths.map((p) => p.to)])];
    const involved = agents.filter((a) => nodes.includes(a.node));
    const before = await observe(ctx, channels, involved, plan, phase, 'before');
    progress.update(`${label}${phase.receivers.length} receiver${phase.receivers.length === 1 ? '' : 's'} joining ${plan.group}…`);
    const outcome = await runPhase(workload, plan, phase, pods, signal, () => progress.update(`${label}sending ${plan.count} packets to ${plan.group}:${plan.port}…`));
    progress.update(`${label}reading the agents of ${involved.length} Nodes…`);
    const after = await observe(ctx, channels, involved, plan, phase, 'after');
    for (const node of nodes) {
      const b = before.get(node);
      const a = after.get(node);
      outcome.nodes.set(node, { ...a, before: b?.after, multicastRunning: a?.multicastRunning ?? b?.multicastRunning });
    }
    results.push(...phase.paths.map((p) => judgePath(p, { ...outcome, encapMode: plan.encapMode })));
  }
  return results;
}

/**
 * Starts every receiver, waits until each printed that it joined (or ended), lets the agents see
 * the IGMP reports, runs the sender, and waits for everyone's statistics.
 */
async function runPhase(workload: ProbeWorkload, plan: ProbePlan, phase: ProbePhase, pods: Map<string, RunningPod>, signal: AbortSignal, sending: () => void): Promise<PhaseOutcome> {
  const receiverDeadlineMs = (START_SLACK_MS + SETTLE_MS + plan.count * plan.intervalMs + GRACE_MS) * 2 + 10_000;
  const runs = new Map<string, Promise<ProgramRun>>();
  const joined: Promise<void>[] = [];
  for (const receiver of phase.receivers) {
    let markJoined!: () => void;
    joined.push(new Promise<void>((resolve) => (markJoined = resolve)));
    const run = program(workload, plan.namespace, receiver, phase.receiverArgv, receiverDeadlineMs, signal, (out) => {
      if (/Joining \(/.test(out)) markJoined();
    });
    run.finally(() => markJoined()).catch(() => undefined);
    runs.set(receiver, run);
  }
  // Wait for every receiver to join, but not forever; the wait's timer must not outlive it.
  const joinWait = new AbortController();
  await Promise.race([Promise.all(joined), sleep(JOIN_WAIT_MS, AbortSignal.any([signal, joinWait.signal])).catch(() => undefined)]);
  joinWait.abort();
  if (signal.aborted) throw new Aborted(String(signal.reason));
  await sleep(SETTLE_MS, signal);
  sending();
  const senderRun = await program(workload, plan.namespace, phase.sender, phase.senderArgv, plan.count * plan.intervalMs + GRACE_MS + 30_000, signal);
  const receivers = new Map<string, { node: string; hostNetwork: boolean; run: ProgramRun }>();
  for (const [name, run] of runs) {
    const pod = plan.pods.find((p) => p.name === name)!;
    receivers.set(name, { node: pod.node, hostNetwork: pod.hostNetwork, run: await run });
  }
  const senderPod = plan.pods.find((p) => p.name === phase.sender)!;
  return {
    group: plan.group,
    encapMode: '',
    sender: { pod: senderPod.name, node: senderPod.node, ip: pods.get(senderPod.name)?.ip, hostNetwork: senderPod.hostNetwork, run: senderRun },
    receivers,
    nodes: new Map(),
  };
}

/** One mcjoin run: its parsed output, or why it did not run; Aborted propagates. */
async function program(workload: ProbeWorkload, namespace: string, pod: string, argv: string[], deadlineMs: number, signal: AbortSignal, onStdout?: (text: string) => void): Promise<ProgramRun> {
  try {
    const result = await workload.exec(namespace, pod, argv, { deadlineMs, signal, onStdout });
    if (result.exitCode !== 0 && !/Total: \d+ packets/.test(result.stdout)) {
      const said = (result.stderr.trim() || result.stdout.trim()).split('\n')[0];
      const report = parseMcjoinOutput(result.stdout, result.stderr);
      if (report.error) return { report, exitCode: result.exitCode };
      return { failure: `"${argv.join(' ')}" exited with code ${result.exitCode}${said ? `: ${said}` : ''}` };
    }
    return { report: parseMcjoinOutput(result.stdout, result.stderr), exitCode: result.exitCode };
  } catch (err) {
    if (err instanceof Aborted) throw err;
    return { failure: (err as Error).message };
  }
}

const MULTICAST_OFF = /Multicast is not enabled/;

/**
 * What the agents of the phase's Nodes say: podmulticaststats of the probe's Pods (before and
 * after), and after the phase the multicast routes and IGMP memberships. A Node that cannot be read
 * simply has no observation: evidence is only what was seen.
 */
async function observe(
  ctx: CommandContext,
  channels: AgentChannels,
  agents: AntreaPod[],
  plan: ProbePlan,
  phase: ProbePhase,
  when: 'before' | 'after',
): Promise<Map<string, NodeObservation>> {
  const receiverNodes = new Set(phase.paths.map((p) => p.to));
  const senderNode = phase.paths[0].from;
  const result = await queryAgents(agents.filter((a) => a.ready), channels, { concurrency: 16, what: 'probe evidence' }, async (agent) => {
    const { pod, exec } = agent;
    const seen: NodeObservation = {};
    try {
      const stats = await agent.podMulticastStats({ namespace: plan.namespace });
      seen.after = new Map<string, PodCounters>(stats.filter((s) => s.namespace === plan.namespace).map((s) => [s.name, { inbound: s.inbound, outbound: s.outbound }]));
      seen.multicastRunning = true;
    } catch (err) {
      if (!MULTICAST_OFF.test((err as Error).message)) throw err;
      seen.multicastRunning = false;
    }
    if (when === 'after') {
      if (pod.node === senderNode || receiverNodes.has(pod.node)) seen.mroutes = await readMroutes(exec).catch(() => undefined);
      if (receiverNodes.has(pod.node)) seen.igmp = await readNodeIgmp(exec).catch(() => undefined);
    }
    return seen;
  });
  for (const f of result.failures) warn(ctx, `${f.who}: cannot read the agent (${f.reason})`);
  return new Map(result.answers.map((a) => [a.pod.node, a.value]));
}

/** Deletes the Namespace and waits until it is gone, or with --keep says how to remove it. */
async function teardown(ctx: CommandContext, workload: ProbeWorkload, namespace: string, keep: boolean, machine: boolean): Promise<void> {
  if (keep) {
    ctx.stderr.write(`Namespace ${namespace} was kept for debugging. Remove it with:\n  kubectl delete namespace ${namespace}\nor every probe leftover with:\n  ${ctx.programName} probe cleanup\n`);
    return;
  }
  const progress = await startProgress(ctx, `Deleting namespace ${namespace}…`, machine);
  try {
    await workload.deleteNamespace(namespace);
    if (!(await workload.waitForNamespaceGone(namespace, NAMESPACE_GONE_MS))) {
      warn(ctx, `namespace ${namespace} is still terminating after ${NAMESPACE_GONE_MS / 1000}s; "${ctx.programName} probe cleanup" removes it later`);
    }
  } catch (err) {
    ctx.stderr.write(`error: cannot delete namespace ${namespace}: ${(err as Error).message}; remove it with "${ctx.programName} probe cleanup"\n`);
  } finally {
    progress.stop();
  }
}
