/**
 * The one write path to the antrea-config ConfigMap shared by "multicast enable|disable|rollback"
 * and "featuregate set": plan, show (dry run) or write with resourceVersion and a backup, restart
 * what must re-read its config, wait, and verify on every Node.
 */
import { createTwoFilesPatch } from 'diff';
import type { ReleaseVersion } from '../antrea/featuregate-catalogue.js';
import { applyPlan, CONTROLLER_CONF, type ConfData, type Plan } from '../antrea/multicast-plan.js';
import { execChannels, type AgentChannel } from '../cluster/agent-channel.js';
import { selectAgents } from '../cluster/agent-query.js';
import { ANTREA_CONFIG, BACKUP_CONFIG, readAntreaConfig, updateAntreaConfig, type ConfigData } from '../cluster/antrea-config-store.js';
import { detectAntreaVersion } from '../cluster/antrea-version.js';
import { tkgsManagement } from '../cluster/tkgs.js';
import { AGENT_DAEMONSET, CONTROLLER_DEPLOYMENT, rolloutRestart, waitForAgents } from '../cluster/rollout.js';
import { CliError, ExitCode, type ExitCodeValue } from '../errors.js';
import { reportFailure, warn } from '../output/diagnostics.js';
import type { CommandContext, KubeApi } from '../context.js';
import { askAgents, finish } from './ask-agents.js';
import { parseConcurrency, parseTimeout } from './options.js';

/** The options every write command shares. */
export interface WriteOptions {
  dryRun: boolean;
  restart: boolean;
  wait: boolean;
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
  timeout: string;
  concurrency: string;
  antreaVersion?: string | undefined;
}

export function parseWriteOptions(flags: WriteFlagValues): WriteOptions {
  return {
    dryRun: flags.dryRun === true,
    restart: flags.restart !== false,
    wait: flags.wait === true,
    timeoutMs: parseTimeout(flags.timeout),
    concurrency: parseConcurrency(flags.concurrency),
    antreaVersion: flags.antreaVersion,
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
  const update = await updateAntreaConfig(client, namespace, edit, { dryRun: options.dryRun === true });
  for (const line of describe) out(line);
  if (options.dryRun) {
    if (update.changed) ctx.stdout.write(unifiedDiff(update.before, update.after));
    out(update.changed ? `configmap/${ANTREA_CONFIG} would be patched (dry run: nothing was changed)` : `configmap/${ANTREA_CONFIG} unchanged (dry run)`);
    return ExitCode.OK;
  }
  if (!update.changed) {
    out(`configmap/${ANTREA_CONFIG} unchanged: it already says so`);
  } else {
    out(`configmap/${ANTREA_CONFIG} patched (resourceVersion ${update.resourceVersion}; previous data saved in configmap/${BACKUP_CONFIG})`);
    if (options.restart) {
      const targets: Array<['daemonset' | 'deployment', string]> = [['daemonset', AGENT_DAEMONSET]];
      if (update.before[CONTROLLER_CONF] !== update.after[CONTROLLER_CONF]) targets.push(['deployment', CONTROLLER_DEPLOYMENT]);
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
    } else {
      ctx.stderr.write(`Warning: agents read their config only at start: the change takes effect after "kubectl -n ${namespace} rollout restart daemonset/${AGENT_DAEMONSET}"${update.before[CONTROLLER_CONF] !== update.after[CONTROLLER_CONF] ? ` and "deployment/${CONTROLLER_DEPLOYMENT}"` : ''}\n`);
    }
  }
  if (!options.wait) return ExitCode.OK;
  await waitForAgents(client, namespace, options.timeoutMs);
  out(`daemonset.apps/${AGENT_DAEMONSET} rolled out: every agent Pod is ready`);
  if (!check) return ExitCode.OK;
  const agents = await selectAgents(client, namespace);
  const result = await askAgents(ctx, agents, execChannels(client, ctx.globals.nodeTimeoutMs), { concurrency: options.concurrency, machineFormat: true, what: 'the new state' }, check);
  const wrong = result.answers.filter((a) => a.value !== undefined);
  for (const w of wrong) reportFailure(ctx, w.pod.node, w.value!);
  const code = finish(ctx, result.failures, result.answers.length);
  if (wrong.length === 0 && code === ExitCode.OK) {
    out(`verified on ${result.answers.length} Node${result.answers.length === 1 ? '' : 's'}`);
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
 * Plans for the Antrea version the agents run (the oldest when they disagree), validates the plan
 * on the current data before anything is written, then applies it through applyConfigChange.
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
  let summary: string[] = [];
  const edit = (data: ConfigData) => {
    const planned = plan(detected.version, data as ConfData);
    summary = planned.summary;
    return applyPlan(planned, data as ConfData);
  };
  edit(current);
  return applyConfigChange(ctx, client, options, [`Antrea ${detected.text} (from ${detected.source}):`, ...summary.map((line) => `  ${line}`)], edit, check(detected.version));
}
