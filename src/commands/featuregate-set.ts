import { planFeatureGate } from '../antrea/multicast-plan.js';
import { execChannel } from '../cluster/agent-channel.js';
import { KubeClient } from '../cluster/kube-client.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { applyVersionedPlan, type WriteOptions } from './config-change.js';
import type { CommandContext } from './context.js';

export async function run(ctx: CommandContext, args: string[], options: Record<string, unknown>): Promise<number> {
  const opts = options as unknown as WriteOptions & { antreaVersion?: string };
  const m = /^([A-Za-z][A-Za-z0-9]*)=(true|false)$/.exec(args[0] ?? '');
  if (!m) throw new UsageError(`expected NAME=true or NAME=false, got "${args[0] ?? ''}"`);
  const [, name, valueText] = m;
  const value = valueText === 'true';
  parseDuration(opts.timeout, '--timeout');
  const client = await KubeClient.connect(ctx);
  const expected = value ? 'Enabled' : 'Disabled';
  return applyVersionedPlan(
    ctx, client, opts, `${ctx.programName} multicast enable --tkgs --cluster CLUSTER --namespace VSPHERE_NAMESPACE (the AntreaConfig's Multicast gate)`,
    (version, data) => planFeatureGate(version, name, value, data),
    () => async (exec, pod) => {
      const gate = (await execChannel.featureGates(pod, exec)).gates.find((g) => g.name === name);
      if (!gate) return undefined; // a controller-only gate: agents do not report it
      return gate.status === expected ? undefined : `${name} is ${gate.status} after the restart, expected ${expected}`;
    },
  );
}
