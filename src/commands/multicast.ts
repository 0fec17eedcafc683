import { stringify } from 'yaml';
import { atLeast, type ReleaseVersion } from '../antrea/featuregate-catalogue.js';
import { planMulticast, type MulticastOptions } from '../antrea/multicast-plan.js';
import { execChannel } from '../cluster/agent-channel.js';
import { readBackup } from '../cluster/antrea-config-store.js';
import { KubeClient } from '../cluster/kube-client.js';
import { ANTREACONFIG_GROUP, ANTREACONFIG_PLURAL, ANTREACONFIG_VERSION, antreaConfigName } from '../cluster/tkgs.js';
import { parseDuration } from '../duration.js';
import { CliError, ExitCode, UsageError } from '../errors.js';
import { warn } from '../output/diagnostics.js';
import { applyConfigChange, applyVersionedPlan, refuseIfTkgs, type NodeCheck, type WriteOptions } from './config-change.js';
import type { CommandContext } from './context.js';

interface Options extends WriteOptions {
  interfaces?: string;
  igmpQueryInterval?: string;
  igmpQueryVersions?: string;
  antreaVersion?: string;
  tkgs?: boolean;
  cluster?: string;
  namespace?: string;
}

function multicastOptions(opts: Options): MulticastOptions {
  const result: MulticastOptions = {};
  if (opts.interfaces !== undefined) {
    const names = opts.interfaces.split(',').map((s) => s.trim()).filter(Boolean);
    if (names.length === 0 || names.some((n) => !/^[A-Za-z0-9_.:@-]{1,15}$/.test(n))) throw new UsageError(`invalid --interfaces "${opts.interfaces}": a comma-separated list of interface names`);
    result.interfaces = names;
  }
  if (opts.igmpQueryInterval !== undefined) {
    parseDuration(opts.igmpQueryInterval, '--igmp-query-interval');
    if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(opts.igmpQueryInterval)) throw new UsageError(`invalid --igmp-query-interval "${opts.igmpQueryInterval}": a duration with a unit such as 125s or 1m`);
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
  return async (exec, pod) => {
    let running: boolean;
    if (atLeast(version, 1, 12)) {
      // From v1.12 the gate reads Enabled everywhere; the agent API answers 503 when multicast is off.
      try {
        await exec(['antctl', 'get', 'podmulticaststats', '-o', 'json']);
        running = true;
      } catch (err) {
        if (!/Multicast is not enabled/.test((err as Error).message)) throw err;
        running = false;
      }
    } else {
      const gate = (await execChannel.featureGates(pod, exec)).gates.find((g) => g.name === 'Multicast');
      running = gate?.status === 'Enabled';
    }
    return running === enable ? undefined : `multicast is ${running ? 'enabled' : 'disabled'} after the restart, expected ${expected}`;
  };
}

async function runTkgs(ctx: CommandContext, client: KubeClient, enable: boolean, opts: Options, options: MulticastOptions): Promise<number> {
  if (!opts.cluster || !opts.namespace) throw new UsageError('--tkgs needs --cluster NAME and --namespace VSPHERE_NAMESPACE');
  if (options.igmpQueryVersions) throw new UsageError('--igmp-query-versions has no AntreaConfig field (cni.tanzu.vmware.com/v1alpha1)');
  const name = antreaConfigName(opts.cluster);
  const config: Record<string, unknown> = { featureGates: { Multicast: enable } };
  if (options.interfaces) config.multicastInterfaces = options.interfaces;
  if (options.igmpQueryInterval) config.multicast = { igmpQueryInterval: options.igmpQueryInterval };
  const patch = { spec: { antrea: { config } } };
  const out = (line: string) => ctx.stdout.write(`${line}\n`);
  let existing: Record<string, unknown> | undefined;
  try {
    existing = await client.getNamespacedObject(ANTREACONFIG_GROUP, ANTREACONFIG_VERSION, opts.namespace, ANTREACONFIG_PLURAL, name);
  } catch (err) {
    if ((err as CliError).httpStatus !== 404) throw err;
  }
  const kindName = `antreaconfig.${ANTREACONFIG_GROUP}/${name}`;
  if (opts.dryRun) {
    out(`${kindName} in namespace ${opts.namespace} would be ${existing ? 'patched' : 'created'} with (dry run: nothing was changed):`);
    ctx.stdout.write(stringify(patch));
    return ExitCode.OK;
  }
  if (existing) {
    await client.mergePatchNamespacedObject(ANTREACONFIG_GROUP, ANTREACONFIG_VERSION, opts.namespace, ANTREACONFIG_PLURAL, name, patch);
    out(`${kindName} patched in namespace ${opts.namespace}: featureGates.Multicast=${enable}`);
  } else {
    const body = { apiVersion: `${ANTREACONFIG_GROUP}/${ANTREACONFIG_VERSION}`, kind: 'AntreaConfig', metadata: { name, namespace: opts.namespace }, ...patch };
    await client.createNamespacedObject(ANTREACONFIG_GROUP, ANTREACONFIG_VERSION, opts.namespace, ANTREACONFIG_PLURAL, body);
    out(`${kindName} created in namespace ${opts.namespace} (there was none): featureGates.Multicast=${enable}`);
  }
  out(`The Supervisor renders it into cluster ${opts.cluster}'s antrea-config and restarts Antrea there.`);
  warn(ctx, 'the AntreaConfig schema has only the Multicast feature gate: on clusters running Antrea v1.12 or later, multicast.enable must also be true there');
  return ExitCode.OK;
}

async function enableOrDisable(ctx: CommandContext, enable: boolean, options: Record<string, unknown>): Promise<number> {
  const opts = options as unknown as Options;
  const mcOptions = multicastOptions(opts);
  parseDuration(opts.timeout, '--timeout');
  const client = await KubeClient.connect(ctx);
  if (opts.tkgs) return runTkgs(ctx, client, enable, opts, mcOptions);
  if (opts.cluster || opts.namespace) throw new UsageError('--cluster and --namespace are used with --tkgs');
  const verb = enable ? 'enable' : 'disable';
  return applyVersionedPlan(
    ctx, client, opts, `${ctx.programName} multicast ${verb} --tkgs --cluster CLUSTER --namespace VSPHERE_NAMESPACE`,
    (version, data) => planMulticast(version, enable, mcOptions, data),
    (version) => multicastCheck(version, enable),
  );
}

export async function runEnable(ctx: CommandContext, _args: string[], options: Record<string, unknown>): Promise<number> {
  return enableOrDisable(ctx, true, options);
}

export async function runDisable(ctx: CommandContext, _args: string[], options: Record<string, unknown>): Promise<number> {
  return enableOrDisable(ctx, false, options);
}

export async function runRollback(ctx: CommandContext, _args: string[], options: Record<string, unknown>): Promise<number> {
  const opts = options as unknown as WriteOptions;
  parseDuration(opts.timeout, '--timeout');
  const client = await KubeClient.connect(ctx);
  await refuseIfTkgs(ctx, client, `${ctx.programName} multicast enable|disable --tkgs --cluster CLUSTER --namespace VSPHERE_NAMESPACE`);
  const backup = await readBackup(client, ctx.globals.antreaNamespace);
  const saved = backup.data ?? {};
  const when = backup.metadata?.annotations?.['mcastctl.antrea.io/saved-at'] ?? 'an unknown time';
  return applyConfigChange(ctx, client, opts, [`restoring antrea-config as saved at ${when}:`], (data) => ({ ...data, ...saved }));
}

