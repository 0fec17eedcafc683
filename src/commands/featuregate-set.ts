import { catalogueFor } from '../antrea/featuregate-catalogue.js';
import { planFeatureGate } from '../antrea/multicast-plan.js';
import { UsageError } from '../errors.js';
import { flagsOf } from './command-table.js';
import { applyVersionedPlan, parseWriteOptions, type WriteOptions } from './config-change.js';
import { defineCommand } from './define-command.js';

export interface FeatureGateSetOptions extends WriteOptions {
  name: string;
  value: boolean;
}

export const command = defineCommand({
  flags: flagsOf.featuregateSet,
  parse({ args, flags }): FeatureGateSetOptions {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(true|false)$/.exec(args[0] ?? '');
    if (!m) throw new UsageError(`expected NAME=true or NAME=false, got "${args[0] ?? ''}"`);
    return { ...parseWriteOptions(flags), name: m[1], value: m[2] === 'true' };
  },
  async run(ctx, opts) {
    const { name, value } = opts;
    const client = await ctx.cluster();
    const expected = value ? 'Enabled' : 'Disabled';
    return applyVersionedPlan(
      ctx, client, opts, `${ctx.programName} multicast enable --tkgs --tkgs-cluster CLUSTER --namespace VSPHERE_NAMESPACE (the AntreaConfig's Multicast gate)`,
      (version, data) => planFeatureGate(version, name, value, data),
      (version) => async (agent) => {
        const gate = (await agent.featureGates()).gates.find((g) => g.name === name);
        if (!gate) {
          // A controller-only gate is not reported by agents; a gate the release's agents report must be there.
          if (catalogueFor(version).agentReported.includes(name)) return `${name} is missing from the agent's feature gate table`;
          return undefined;
        }
        return gate.status === expected ? undefined : `${name} is ${gate.status} after the restart, expected ${expected}`;
      },
    );
  },
});
