import { parseRelease, type ReleaseVersion } from '../antrea/featuregate-catalogue.js';
import { planMulticast, type MulticastOptions } from '../antrea/multicast-plan.js';
import { describeFinding, multicastFindings, parseGoDuration, releaseProfile, SOURCES, type MulticastSettings } from '../antrea/release.js';
import { CATALOGUED_TAGS } from '../antrea/release-data.js';
import { parsePodMulticastStatsJson } from '../antrea/podmulticaststats-parser.js';
import { ANTREA_CONFIG, BACKUP_CONFIG, changedSince, readBackupHistory, readBackups, type BackupEntry, type ConfigData } from '../cluster/antrea-config-store.js';
import { ANTREACONFIG_GROUP, ANTREACONFIG_PLURAL, ANTREACONFIG_VERSION, antreaConfigName } from '../cluster/tkgs.js';
import { CliError, ExitCode, UsageError } from '../errors.js';
import { warn } from '../output/diagnostics.js';
import type { CommandContext, KubeApi } from '../context.js';
import { flagsOf } from './command-table.js';
import { applyConfigChange, applyVersionedPlan, parseWriteOptions, refuseIfTkgs, unifiedDiff, type NodeCheck, type WriteOptions } from './config-change.js';
import { defineCommand, type CommandInput } from './define-command.js';
import { renderTable } from '../output/list-printer.js';
import { toYaml } from '../output/structured.js';

type SwitchInput = CommandInput<typeof flagsOf.multicastSwitch>;

export interface SwitchOptions extends WriteOptions {
  /** What is written besides the switch itself. */
  multicast: MulticastOptions;
  /** With --tkgs: the workload cluster's AntreaConfig and its vSphere Namespace. */
  tkgs?: { cluster: string; namespace: string };
}

function parseSwitch({ flags }: SwitchInput): SwitchOptions {
  const multicast = multicastOptions(flags);
  const write = parseWriteOptions(flags);
  if (!flags.tkgs) {
    if (flags.tkgsCluster || flags.namespace) throw new UsageError('--tkgs-cluster and --namespace are used with --tkgs');
    return { ...write, multicast };
  }
  if (!flags.tkgsCluster || !flags.namespace) throw new UsageError('--tkgs needs --tkgs-cluster NAME and --namespace VSPHERE_NAMESPACE');
  if (multicast.igmpQueryVersions) throw new UsageError('--igmp-query-versions has no AntreaConfig field (cni.tanzu.vmware.com/v1alpha1)');
  return { ...write, multicast, tkgs: { cluster: flags.tkgsCluster, namespace: flags.namespace } };
}

function multicastOptions(opts: SwitchInput['flags']): MulticastOptions {
  const result: MulticastOptions = {};
  if (opts.interfaces !== undefined) {
    const names = opts.interfaces.split(',').map((s) => s.trim()).filter(Boolean);
    if (names.length === 0 || names.some((n) => !/^[A-Za-z0-9_.:@-]{1,15}$/.test(n))) throw new UsageError(`invalid --interfaces "${opts.interfaces}": a comma-separated list of interface names`);
    result.interfaces = names;
  }
  if (opts.igmpQueryInterval !== undefined) {
    // As the agent reads it: Go's time.ParseDuration, and positive (the group timeout is 3 × it).
    let ns: number;
    try {
      ns = parseGoDuration(opts.igmpQueryInterval);
    } catch (err) {
      throw new UsageError(`invalid --igmp-query-interval "${opts.igmpQueryInterval}": ${(err as Error).message} (a Go duration such as 125s, 2m or 1m30s; ${SOURCES.igmpQueryInterval})`);
    }
    if (ns <= 0) throw new UsageError(`invalid --igmp-query-interval "${opts.igmpQueryInterval}": it must be positive: the agent times group members out after 3 × it (${SOURCES.igmpQueryIntervalPositive})`);
    result.igmpQueryInterval = opts.igmpQueryInterval;
  }
  if (opts.igmpQueryVersions !== undefined) {
    const versions = opts.igmpQueryVersions.split(',').map((s) => s.trim());
    if (versions.length === 0 || versions.some((v) => !['1', '2', '3'].includes(v))) {
      throw new UsageError(`invalid --igmp-query-versions "${opts.igmpQueryVersions}": a subset of 1,2,3`);
    }
    result.igmpQueryVersions = [...new Set(versions.map(Number))].sort();
  }
  return result;
}

/** Whether multicast runs on a Node, asked the most reliable way for the release. */
function multicastCheck(version: ReleaseVersion, enable: boolean): NodeCheck {
  const expected = enable ? 'enabled' : 'disabled';
  const profile = releaseProfile(version);
  return async (agent) => {
    let running: boolean;
    if (profile.multicastSwitch === 'enable') {
      // From v1.12 the gate reads Enabled everywhere; the agent API answers 503 when multicast is off.
      try {
        // Parsed, not only run: an agent answering HTML or garbage has not shown multicast running.
        parsePodMulticastStatsJson(await agent.exec(['antctl', 'get', 'podmulticaststats', '-o', 'json']));
        running = true;
      } catch (err) {
        if (!/Multicast is not enabled/.test((err as Error).message)) throw err;
        running = false;
      }
    } else {
      const gate = (await agent.featureGates()).gates.find((g) => g.name === 'Multicast');
      running = gate?.status === 'Enabled';
    }
    return running === enable ? undefined : `multicast is ${running ? 'enabled' : 'disabled'} there, expected ${expected}`;
  };
}

/** The AntreaConfig fields (cni.tanzu.vmware.com/v1alpha1 spec.antrea.config) as the agent settings they render to. */
function tkgsSettings(profile: ReturnType<typeof releaseProfile>, config: Record<string, any>): MulticastSettings {
  const gates = (config.featureGates ?? {}) as Record<string, unknown>;
  const gate = typeof gates.Multicast === 'boolean' ? gates.Multicast : profile.multicastGateDefault;
  return {
    gate,
    // The schema has no multicast.enable: judge the gate as the switch it is meant to be.
    enable: profile.multicastSwitch === 'enable' ? gate : undefined,
    encapMode: String(config.trafficEncapMode ?? 'encap'),
    encryptionMode: String(config.trafficEncryptionMode ?? 'None').replace(/^none$/i, 'None').replace(/^wireguard$/i, 'WireGuard').replace(/^ipsec$/i, 'IPsec'),
    interfaces: Array.isArray(config.multicastInterfaces) ? config.multicastInterfaces.map(String) : [],
    igmpQueryInterval: typeof config.multicast?.igmpQueryInterval === 'string' ? config.multicast.igmpQueryInterval : undefined,
    flexibleIpam: config.enableBridgingMode === true && gates.AntreaIPAM === true,
  };
}

/**
 * The pre-flight of --tkgs: the AntreaConfig after the patch, judged with the rules of
 * --antrea-version (else the newest release described), refused when the patch brings a finding.
 */
function tkgsPreflight(opts: { antreaVersion?: string }, existing: Record<string, any>, patch: Record<string, any>): void {
  const version = opts.antreaVersion !== undefined ? parseRelease(opts.antreaVersion) : parseRelease(CATALOGUED_TAGS[CATALOGUED_TAGS.length - 1]);
  if (!version) throw new UsageError(`invalid --antrea-version "${opts.antreaVersion}": expected a version such as v2.7.0`);
  const profile = releaseProfile(version);
  const merged = {
    ...existing, ...patch,
    featureGates: { ...(existing.featureGates ?? {}), ...(patch.featureGates ?? {}) },
    multicast: { ...(existing.multicast ?? {}), ...(patch.multicast ?? {}) },
  };
  const before = new Set(multicastFindings(profile, tkgsSettings(profile, existing)).map((f) => f.rule));
  const blocking = multicastFindings(profile, tkgsSettings(profile, merged)).find((f) => f.severity === 'fatal' || !before.has(f.rule));
  if (blocking) {
    throw new CliError(`refusing to change the AntreaConfig: ${describeFinding(profile, blocking).replace(/antrea-agent\.conf( line \d+)?/, 'spec.antrea.config')}`, ExitCode.REFUSED);
  }
}

async function runTkgs(ctx: CommandContext, client: KubeApi, enable: boolean, opts: SwitchOptions, tkgs: { cluster: string; namespace: string }): Promise<number> {
  const options = opts.multicast;
  const name = antreaConfigName(tkgs.cluster);
  const config: Record<string, unknown> = { featureGates: { Multicast: enable } };
  if (options.interfaces) config.multicastInterfaces = options.interfaces;
  if (options.igmpQueryInterval) config.multicast = { igmpQueryInterval: options.igmpQueryInterval };
  const patch = { spec: { antrea: { config } } };
  const out = (line: string) => ctx.stdout.write(`${line}\n`);
  let existing: Record<string, unknown> | undefined;
  try {
    existing = await client.getNamespacedObject(ANTREACONFIG_GROUP, ANTREACONFIG_VERSION, tkgs.namespace, ANTREACONFIG_PLURAL, name);
  } catch (err) {
    if ((err as CliError).httpStatus !== 404) throw err;
  }
  const kindName = `antreaconfig.${ANTREACONFIG_GROUP}/${name}`;
  tkgsPreflight(opts, (existing as { spec?: { antrea?: { config?: Record<string, unknown> } } } | undefined)?.spec?.antrea?.config ?? {}, config);
  if (opts.dryRun) {
    out(`${kindName} in namespace ${tkgs.namespace} would be ${existing ? 'patched' : 'created'} with (dry run: nothing was changed):`);
    ctx.stdout.write(toYaml(patch));
    return ExitCode.OK;
  }
  if (existing) {
    await client.mergePatchNamespacedObject(ANTREACONFIG_GROUP, ANTREACONFIG_VERSION, tkgs.namespace, ANTREACONFIG_PLURAL, name, patch);
    out(`${kindName} patched in namespace ${tkgs.namespace}: featureGates.Multicast=${enable}`);
  } else {
    const body = { apiVersion: `${ANTREACONFIG_GROUP}/${ANTREACONFIG_VERSION}`, kind: 'AntreaConfig', metadata: { name, namespace: tkgs.namespace }, ...patch };
    await client.createNamespacedObject(ANTREACONFIG_GROUP, ANTREACONFIG_VERSION, tkgs.namespace, ANTREACONFIG_PLURAL, body);
    out(`${kindName} created in namespace ${tkgs.namespace} (there was none): featureGates.Multicast=${enable}`);
  }
  out(`The Supervisor renders it into cluster ${tkgs.cluster}'s antrea-config and restarts Antrea there.`);
  warn(ctx, 'the AntreaConfig schema has only the Multicast feature gate: on clusters running Antrea v1.12 or later, multicast.enable must also be true there');
  return ExitCode.OK;
}

async function enableOrDisable(ctx: CommandContext, enable: boolean, opts: SwitchOptions): Promise<number> {
  const client = await ctx.cluster();
  if (opts.tkgs) return runTkgs(ctx, client, enable, opts, opts.tkgs);
  const verb = enable ? 'enable' : 'disable';
  return applyVersionedPlan(
    ctx, client, opts, `${ctx.programName} multicast ${verb} --tkgs --tkgs-cluster CLUSTER --namespace VSPHERE_NAMESPACE`,
    (version, data) => planMulticast(version, enable, opts.multicast, data),
    (version) => multicastCheck(version, enable),
  );
}

export const enable = defineCommand({ flags: flagsOf.multicastSwitch, parse: parseSwitch, run: (ctx, opts) => enableOrDisable(ctx, true, opts) });

export const disable = defineCommand({ flags: flagsOf.multicastSwitch, parse: parseSwitch, run: (ctx, opts) => enableOrDisable(ctx, false, opts) });

interface RollbackOptions extends WriteOptions {
  to?: string;
  force?: boolean;
  list?: boolean;
}

/** The data with the entry's saved values put back (a key that did not exist is removed). */
function restored(entry: BackupEntry, data: ConfigData): ConfigData {
  const next = { ...data };
  for (const [key, value] of Object.entries(entry.saved)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/**
 * Restores a backup of the history: by default the one saved by the write that produced what
 * antrea-config holds now. When antrea-config changed since that write (another writer, even
 * during a 409 retry), rollback refuses with a diff of what it would drop, unless --force.
 */
async function runRollback(ctx: CommandContext, opts: RollbackOptions): Promise<number> {
  const client = await ctx.cluster();
  const namespace = ctx.globals.antreaNamespace;
  const current = await refuseIfTkgs(ctx, client, `${ctx.programName} multicast enable|disable --tkgs --tkgs-cluster CLUSTER --namespace VSPHERE_NAMESPACE`);
  if (opts.list) {
    // An empty history is an empty list, as an empty get is: not an error.
    const all = await readBackupHistory(client, namespace);
    if (all.length === 0) {
      ctx.stderr.write(`No backups found in configmap/${BACKUP_CONFIG} (mcastctl has not changed ${ANTREA_CONFIG} in namespace ${namespace}).\n`);
      return ExitCode.OK;
    }
    // CURRENT is yes on one row only: the backup a plain rollback restores, the newest whose change
    // produced what antrea-config holds now (an alternating enable/disable matches every other one).
    const producing = [...all].reverse().find((e) => changedSince(e, current).length === 0);
    const rows = [...all].reverse().map((e) => [e.id, e.savedAt, Object.keys(e.saved).sort().join(','), e === producing ? 'yes' : 'no']);
    ctx.stdout.write(renderTable(['ID', 'SAVED-AT', 'KEYS', 'CURRENT'], rows, false));
    return ExitCode.OK;
  }
  const history = await readBackups(client, namespace);
  let entry: BackupEntry | undefined;
  if (opts.to !== undefined) {
    entry = history.find((e) => e.id === opts.to);
    if (!entry) throw new CliError(`no backup "${opts.to}" in configmap/${BACKUP_CONFIG}; backups: ${history.map((e) => e.id).join(', ')}`);
  } else {
    entry = [...history].reverse().find((e) => changedSince(e, current).length === 0);
    if (!entry && opts.force) entry = history[history.length - 1];
  }
  const refuse = (chosen: BackupEntry | undefined, data: ConfigData): never => {
    const target = chosen ?? history[history.length - 1];
    const changed = changedSince(target, data);
    const diff = unifiedDiff(data, restored(target, data));
    if (diff === '') {
      // antrea-config still holds what the backup saved: the write after it never landed.
      throw new CliError(`nothing to roll back: the change after backup ${target.id} was never written, and ${ANTREA_CONFIG} still holds what that backup saved (see --list)`);
    }
    ctx.stdout.write(diff);
    throw new CliError(
      `${ANTREA_CONFIG} changed since mcastctl saved backup ${target.id} (${changed.join(', ')} no longer ${changed.length === 1 ? 'holds' : 'hold'} what that change wrote): ` +
        `rolling back would drop the later change shown above; nothing was written. Restore anyway with --to ${target.id} --force, or see --list`,
    );
  };
  if (!entry) return refuse(undefined, current);
  const chosen = entry;
  // Checked again on every (re-)read: a change that lands between the read and the write is never dropped.
  const edit = (data: ConfigData) => {
    if (!opts.force && changedSince(chosen, data).length > 0) refuse(chosen, data);
    return restored(chosen, data);
  };
  edit(current);
  return applyConfigChange(ctx, client, opts, [`restoring antrea-config as saved at ${chosen.savedAt}:`], edit);
}

export const rollback = defineCommand({
  flags: flagsOf.multicastRollback,
  parse: ({ flags }): RollbackOptions => {
    if (flags.to !== undefined && !/^\d{8}T\d{9}Z$/.test(flags.to)) throw new UsageError(`invalid --to "${flags.to}": a backup ID such as 20261129T212300123Z (see --list)`);
    return { ...parseWriteOptions(flags), to: flags.to, force: flags.force === true, list: flags.list === true };
  },
  run: runRollback,
});
