/**
 * mcastctl probe cleanup: removes what any probe left behind (a probe killed before its teardown,
 * or run with --keep): every Namespace and Pod labelled app.kubernetes.io/managed-by=mcastctl and
 * app.kubernetes.io/component=multicast-probe, each waited for until it is gone.
 */
import { COMPONENT_LABEL, PROBE_SELECTOR } from '../antrea/probe-plan.js';
import { ProbeWorkload } from '../cluster/probe-workload.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../errors.js';
import { warn } from '../output/diagnostics.js';
import { flagsOf } from './command-table.js';
import { defineCommand } from './define-command.js';

export const PROBE_LEFTOVERS = `${PROBE_SELECTOR},${COMPONENT_LABEL}=multicast-probe`;
const GONE_MS = 120_000;

export const command = defineCommand({
  flags: flagsOf.probeCleanup,
  parse: () => ({}),
  run: (ctx) => runProbeCleanup(ctx),
});

export async function runProbeCleanup(ctx: CommandContext): Promise<number> {
  const client = await ctx.cluster();
  const workload = new ProbeWorkload(client);
  const namespaces = (await client.listNamespaces(PROBE_LEFTOVERS)).sort();
  // Pods carrying the label outside those Namespaces (copied or moved by hand) go too.
  const strayPods = (await client.listAllPods(PROBE_LEFTOVERS)).filter((p) => !namespaces.includes(p.metadata?.namespace ?? ''));
  for (const pod of strayPods) {
    await workload.deletePod(pod.metadata!.namespace!, pod.metadata!.name!);
    ctx.stdout.write(`pod/${pod.metadata!.name} deleted (namespace ${pod.metadata!.namespace})\n`);
  }
  let code: number = ExitCode.OK;
  for (const name of namespaces) {
    await workload.deleteNamespace(name);
    if (await workload.waitForNamespaceGone(name, GONE_MS)) ctx.stdout.write(`namespace/${name} deleted\n`);
    else {
      warn(ctx, `namespace ${name} is still terminating after ${GONE_MS / 1000}s`);
      code = ExitCode.ERROR;
    }
  }
  if (namespaces.length === 0 && strayPods.length === 0) ctx.stderr.write('No probe leftovers found\n');
  return code;
}
