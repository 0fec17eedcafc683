/**
 * The one write path to the antrea-config ConfigMap shared by "multicast enable|disable|rollback"
 * and "featuregate set": plan, show (dry run) or write with resourceVersion and a backup, restart
 * what must re-read its config, wait, and verify on every Node.
 */
import { createTwoFilesPatch } from 'diff';
import type { ReleaseVersion } from '../antrea/featuregate-catalogue.js';
import { applyPlan, CONTROLLER_CONF, planRelocations, preflight, type ConfData, type Plan } from '../antrea/multicast-plan.js';
import { describeFinding, releaseProfile, type Finding } from '../antrea/release.js';
import { restartBaseline, type CrashingAgent } from '../cluster/agent-crash.js';
import { execChannels, type AgentChannel } from '../cluster/agent-channel.js';
import { selectAgents } from '../cluster/agent-query.js';
import { ANTREA_CONFIG, BACKUP_CONFIG, readAntreaConfig, updateAntreaConfig, type ConfigData } from '../cluster/antrea-config-store.js';
import { antreaVersionValue, detectAntreaVersion } from '../cluster/antrea-version.js';
import { tkgsManagement } from '../cluster/tkgs.js';
import { AGENT_DAEMONSET, CONTROLLER_DEPLOYMENT, rolloutRestart, waitForAgents } from '../cluster/rollout.js';
import { CliError, ExitCode, UsageError, type ExitCodeValue } from '../errors.js';
import { reportFailure, warn } from '../output/diagnostics.js';
import type { CommandContext, KubeApi } from '../context.js';
import { askAgents, finish } from './ask-agents.js';
import { parseConcurrency, parseTimeout } from './options.js';

/** The options every write command shares. */
export interface WriteOptions {
  dryRun: boolean;
  restart: boolean;
  wait: boolean;
  /** False with --no-rollback: a crash loop seen by --wait is reported but not undone. */
  rollback: boolean;
  /** How long --wait waits for the rollout, in milliseconds. */
  timeoutMs: number;
  concurrency: number;
  /** --antrea-version, when given: the version to write for. */
  antreaVersion?: string;
}

/** The raw values of the shared write flags (see writeFlags in the command table). */
interface WriteFlagValues {
  dryRun: boolean | undefined;
  restart: boolean | undefined;
  wait: boolean | undefined;
  rollback?: boolean | undefined;
  timeout?: string | undefined;
  concurrency: string;
  antreaVersion?: string | undefined;
}

export function parseWriteOptions(flags: WriteFlagValues): WriteOptions {
  // They shape what --wait does; without it either would be silently ignored.
  if (flags.wait !== true) {
    if (flags.timeout !== undefined) throw new UsageError('--timeout is used with --wait');
    if (flags.rollback === false) throw new UsageError('--no-rollback is used with --wait');
  }
  return {
    dryRun: flags.dryRun === true,
    restart: flags.restart !== false,
    wait: flags.wait === true,
    rollback: flags.rollback !== false,
    timeoutMs: parseTimeout(flags.timeout ?? '5m'),
    concurrency: parseConcurrency(flags.concurrency),
    antreaVersion: flags.antreaVersion === undefined ? undefined : (antreaVersionValue(flags.antreaVersion), flags.antreaVersion),
  };
}

/** What one Node must report after the change; returns a reason when it does not. */
export type NodeCheck = (agent: AgentChannel) => Promise<string | undefined>;

export function unifiedDiff(before: ConfigData, after: ConfigData): string {
  return Object.keys(after)
    .filter((k) => before[k] !== after[k])
    .map((k) => createTwoFilesPatch(`a/${k}`, `b/${k}`, before[k] ?? '', after[k], undefined, undefined, { context: 3 }).replace(/^=+\n/, ''))
    .join('');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The Linux agents: Windows agents (same labels, another DaemonSet) run no multicast and are left alone. */
async function linuxAgents(client: KubeApi, namespace: string) {
  return (await selectAgents(client, namespace)).filter((a) => a.os !== 'windows');
}

/**
 * Asks the Linux agents what they run: the ready ones where `check` finds something other than
 * what was asked (behind), and those that could not be asked (not ready, exec failed) with why.
 */
async function whatAgentsRun(ctx: CommandContext, client: KubeApi, options: WriteOptions, check: NodeCheck) {
  const agents = await linuxAgents(client, ctx.globals.antreaNamespace);
  const result = await askAgents(ctx, agents.filter((a) => a.ready), execChannels(client, ctx.globals.nodeTimeoutMs), { concurrency: options.concurrency, machineFormat: true, what: 'what the agents run' }, check);
  const byNode = (a: { node: string }, b: { node: string }) => a.node.localeCompare(b.node);
  return {
    total: agents.length,
    behind: result.answers.filter((a) => a.value !== undefined).map((a) => ({ node: a.pod.node, reason: a.value! })).sort(byNode),
    unasked: [...agents.filter((a) => !a.ready).map((a) => ({ node: a.node, reason: a.notReadyReason ?? 'not ready' })), ...result.failures.map((f) => ({ node: f.who, reason: f.reason }))].sort(byNode),
  };
}

async function restartAll(client: KubeApi, namespace: string, controllerToo: boolean, out: (line: string) => void): Promise<void> {
  const targets: Array<['daemonset' | 'deployment', string]> = [['daemonset', AGENT_DAEMONSET]];
  if (controllerToo) targets.push(['deployment', CONTROLLER_DEPLOYMENT]);
  for (const [kind, name] of targets) {
    try {
      await rolloutRestart(client, kind, namespace, name, new Date());
      out(`${kind}.apps/${name} restarted`);
    } catch (err) {
      throw new CliError(
        `the ConfigMap was changed, but restarting ${kind}/${name} failed (${(err as Error).message}); the change takes effect only after: kubectl -n ${namespace} rollout restart ${kind}/${name}`,
      );
    }
  }
}

/**
 * The agents crash-looped with the new config: name each Node with its fatal log line, then,
 * unless --no-rollback, write back the data this change replaced (only the keys it changed, with
 * resourceVersion), restart, and wait for the agents to be ready again. Returns ROLLED_BACK.
 */
async function undoCrashLoop(
  ctx: CommandContext, client: KubeApi, options: WriteOptions, before: ConfigData, changedKeys: string[], crashing: CrashingAgent[], out: (line: string) => void,
): Promise<ExitCodeValue> {
  const namespace = ctx.globals.antreaNamespace;
  for (const c of crashing) reportFailure(ctx, c.node, `agent Pod ${c.pod} crash-loops with the new config (${plural(c.restarts, 'restart')}): ${c.fatalLine}`);
  const nodes = crashing.map((c) => c.node).join(', ');
  if (!options.rollback) {
    ctx.stderr.write(`error: ${plural(crashing.length, 'agent')} crash-loop after the change (${nodes}); it is left in place (--no-rollback): undo it with "${ctx.programName} multicast rollback --wait"\n`);
    return ExitCode.ROLLED_BACK;
  }
  const restore = Object.fromEntries(changedKeys.map((k) => [k, before[k]]));
  const undone = await updateAntreaConfig(client, namespace, (data) => ({ ...data, ...restore }), { dryRun: false, backup: false });
  out(`configmap/${ANTREA_CONFIG} rolled back to the data it had before this change (resourceVersion ${undone.resourceVersion})`);
  const baseline = await restartBaseline(client, namespace);
  await restartAll(client, namespace, changedKeys.includes(CONTROLLER_CONF), out);
  const stillCrashing = await waitForAgents(client, namespace, options.timeoutMs, undefined, baseline);
  for (const c of stillCrashing) reportFailure(ctx, c.node, `agent Pod ${c.pod} still crash-loops after the rollback: ${c.fatalLine}`);
  if (stillCrashing.length === 0) out(`daemonset.apps/${AGENT_DAEMONSET} rolled out: every agent Pod is ready again`);
  ctx.stderr.write(`error: ${plural(crashing.length, 'agent')} crash-looped after the change (${nodes}): it was rolled back\n`);
  return ExitCode.ROLLED_BACK;
}

/** "runs" for one agent, "run" for several. */
const runVerb = (count: number) => (count === 1 ? 'runs' : 'run');

export async function applyConfigChange(
  ctx: CommandContext,
  client: KubeApi,
  options: WriteOptions,
  describe: string[],
  edit: (data: ConfigData) => ConfigData,
  check?: NodeCheck,
): Promise<ExitCodeValue> {
  const namespace = ctx.globals.antreaNamespace;
  const out = (line: string) => ctx.stdout.write(`${line}\n`);
  // Restart counts before anything restarts: a later crash is judged against them.
  const baseline = options.wait && !options.dryRun ? await restartBaseline(client, namespace) : undefined;
  const update = await updateAntreaConfig(client, namespace, edit, { dryRun: options.dryRun === true });
  for (const line of describe) out(line);
  if (options.dryRun) {
    if (update.changed) ctx.stdout.write(unifiedDiff(update.before, update.after));
    if (update.changed || !check) {
      out(update.changed ? `configmap/${ANTREA_CONFIG} would be patched (dry run: nothing was changed)` : `configmap/${ANTREA_CONFIG} unchanged (dry run)`);
      return ExitCode.OK;
    }
    // Unchanged: the real run would still restart agents that run something else; reading them changes nothing.
    const { behind, unasked } = await whatAgentsRun(ctx, client, options, check);
    if (unasked.length > 0) warn(ctx, `could not ask ${plural(unasked.length, 'agent')} what they run: ${unasked.map((u) => `${u.node} (${u.reason})`).join(', ')}`);
    if (behind.length === 0) {
      out(`configmap/${ANTREA_CONFIG} unchanged (dry run)`);
      return ExitCode.OK;
    }
    const where = behind.map((b) => `${b.node} (${b.reason})`).join(', ');
    out(`configmap/${ANTREA_CONFIG} unchanged (dry run): it already says so, but ${plural(behind.length, 'agent')} ${runVerb(behind.length)} something else: ${where}`);
    if (!options.restart) {
      ctx.stderr.write(`error: a restart is due: ${plural(behind.length, 'agent')} ${runVerb(behind.length)} something else than the ConfigMap says: ${where}; run: kubectl -n ${namespace} rollout restart daemonset/${AGENT_DAEMONSET}\n`);
      return ExitCode.RESTART_DUE;
    }
    out(`daemonset.apps/${AGENT_DAEMONSET} would be restarted (dry run: nothing was changed)`);
    return ExitCode.OK;
  }
  const changedKeys = Object.keys(update.after).filter((k) => update.after[k] !== update.before[k]);
  let restarted = false;
  if (!update.changed) {
    // The ConfigMap already says so; what counts is what the agents run (they read it only at start).
    if (!check) {
      out(`configmap/${ANTREA_CONFIG} unchanged: it already says so`);
      return ExitCode.OK;
    }
    const { total, behind, unasked } = await whatAgentsRun(ctx, client, options, check);
    if (behind.length === 0) {
      if (unasked.length === 0) {
        out(`configmap/${ANTREA_CONFIG} unchanged: it already says so, and every agent runs it`);
        return ExitCode.OK;
      }
      // No evidence from these agents: say so, never "every agent runs it".
      out(`configmap/${ANTREA_CONFIG} unchanged: it already says so; ${total - unasked.length} of ${plural(total, 'agent')} answered and run it`);
      for (const u of unasked) reportFailure(ctx, u.node, u.reason);
      return total - unasked.length > 0 ? ExitCode.PARTIAL : ExitCode.ERROR;
    }
    if (unasked.length > 0) warn(ctx, `could not ask ${plural(unasked.length, 'agent')} what they run: ${unasked.map((u) => `${u.node} (${u.reason})`).join(', ')}`);
    const where = behind.map((b) => `${b.node} (${b.reason})`).join(', ');
    if (!options.restart) {
      out(`configmap/${ANTREA_CONFIG} unchanged: it already says so`);
      ctx.stderr.write(`error: a restart is due: ${plural(behind.length, 'agent')} ${runVerb(behind.length)} something else than the ConfigMap says: ${where}; run: kubectl -n ${namespace} rollout restart daemonset/${AGENT_DAEMONSET}\n`);
      return ExitCode.RESTART_DUE;
    }
    out(`configmap/${ANTREA_CONFIG} unchanged: it already says so, but ${plural(behind.length, 'agent')} ${runVerb(behind.length)} something else: ${where}`);
    await restartAll(client, namespace, false, out);
    restarted = true;
  } else {
    out(`configmap/${ANTREA_CONFIG} patched (resourceVersion ${update.resourceVersion}; previous data saved in configmap/${BACKUP_CONFIG})`);
    if (options.restart) {
      await restartAll(client, namespace, changedKeys.includes(CONTROLLER_CONF), out);
      restarted = true;
    } else {
      ctx.stderr.write(`Warning: agents read their config only at start: the change takes effect after "kubectl -n ${namespace} rollout restart daemonset/${AGENT_DAEMONSET}"${changedKeys.includes(CONTROLLER_CONF) ? ` and "deployment/${CONTROLLER_DEPLOYMENT}"` : ''}\n`);
    }
  }
  if (!options.wait) return ExitCode.OK;
  const crashing = await waitForAgents(client, namespace, options.timeoutMs, undefined, restarted ? baseline : undefined);
  if (crashing.length > 0) return undoCrashLoop(ctx, client, options, update.before, changedKeys, crashing, out);
  out(`daemonset.apps/${AGENT_DAEMONSET} rolled out: every agent Pod is ready`);
  if (!check) return ExitCode.OK;
  const agents = await linuxAgents(client, namespace);
  const result = await askAgents(ctx, agents, execChannels(client, ctx.globals.nodeTimeoutMs), { concurrency: options.concurrency, machineFormat: true, what: 'the new state' }, check);
  const wrong = result.answers.filter((a) => a.value !== undefined);
  for (const w of wrong) reportFailure(ctx, w.pod.node, w.value!);
  const code = finish(ctx, result.failures, result.answers.length);
  if (wrong.length === 0 && code === ExitCode.OK) {
    out(`verified on ${plural(result.answers.length, 'Node')}`);
    return ExitCode.OK;
  }
  return ExitCode.ERROR;
}


/** A direct edit of a Supervisor-managed antrea-config would be reverted: refuse, and say what works. */
export async function refuseIfTkgs(ctx: CommandContext, client: KubeApi, supported: string): Promise<ConfigData> {
  const current = await readAntreaConfig(client, ctx.globals.antreaNamespace);
  const why = await tkgsManagement(client, current);
  if (why) {
    throw new CliError(
      `this cluster looks managed by a vSphere Supervisor (TKGs): ${why}. The Supervisor reverts direct edits of antrea-config; ` +
        `change its AntreaConfig instead, against the Supervisor's context: ${supported}`,
    );
  }
  return { ...(current.data ?? {}) };
}

/**
 * Plans for the Antrea version the agents run (the oldest when they disagree): first moves keys
 * the release reads elsewhere, then the change; the pre-flight checks the result with the
 * release's rules (multicast-plan.ts preflight) and refuses before anything is written, dry run
 * included. Then applies it through applyConfigChange.
 */
export async function applyVersionedPlan(
  ctx: CommandContext,
  client: KubeApi,
  options: WriteOptions,
  tkgsAlternative: string,
  plan: (version: ReleaseVersion, data: ConfData) => Plan,
  check: (version: ReleaseVersion) => NodeCheck,
): Promise<ExitCodeValue> {
  const current = await refuseIfTkgs(ctx, client, tkgsAlternative);
  const detected = await detectAntreaVersion(client, ctx.globals.antreaNamespace, options.antreaVersion);
  if (detected.seen.length > 1) warn(ctx, `agents run different Antrea versions (${detected.seen.join(', ')}): writing what ${detected.text} understands`);
  const profile = releaseProfile(detected.version);
  let summary: string[] = [];
  let letThrough: Finding[] = [];
  const edit = (data: ConfigData) => {
    const relocations = planRelocations(profile, data as ConfData);
    const relocated = applyPlan(relocations, data as ConfData);
    const planned = plan(detected.version, relocated);
    summary = [...relocations.summary, ...planned.summary];
    const after = applyPlan(planned, relocated);
    letThrough = preflight(profile, data as ConfData, after);
    return after;
  };
  edit(current);
  for (const f of letThrough) warn(ctx, `already in antrea-config: ${describeFinding(profile, f)}`);
  return applyConfigChange(ctx, client, options, [`Antrea ${detected.text} (from ${detected.source}):`, ...summary.map((line) => `  ${line}`)], edit, check(detected.version));
}
