import { parseFeatureGates } from '../antrea/featuregates-parser.js';
import { applyPlan, planFeatureGate, type ConfData } from '../antrea/multicast-plan.js';
import { readAntreaConfig } from '../cluster/antrea-config-store.js';
import { detectAntreaVersion } from '../cluster/antrea-version.js';
import { KubeClient } from '../cluster/kube-client.js';
import { tkgsManagement } from '../cluster/tkgs.js';
import { parseDuration } from '../duration.js';
import { CliError, UsageError } from '../errors.js';
import { warn } from '../output/diagnostics.js';
import { applyConfigChange, type WriteOptions } from './config-change.js';
import type { CommandContext } from './context.js';

export async function run(ctx: CommandContext, args: string[], options: Record<string, unknown>): Promise<number> {
  const opts = options as unknown as WriteOptions & { antreaVersion?: string };
  const m = /^([A-Za-z][A-Za-z0-9]*)=(true|false)$/.exec(args[0] ?? '');
  if (!m) throw new UsageError(`expected NAME=true or NAME=false, got "${args[0] ?? ''}"`);
  const [, name, valueText] = m;
  const value = valueText === 'true';
  parseDuration(opts.timeout, '--timeout');
  const client = await KubeClient.connect(ctx);
  const why = await tkgsManagement(client, await readAntreaConfig(client, ctx.globals.antreaNamespace));
  if (why) throw new CliError(`this cluster looks managed by a vSphere Supervisor (TKGs): ${why}; the Supervisor reverts direct edits of antrea-config, change its AntreaConfig instead (for Multicast: ${ctx.programName} multicast enable --tkgs)`);
  const detected = await detectAntreaVersion(client, ctx.globals.antreaNamespace, opts.antreaVersion);
  if (detected.seen.length > 1) warn(ctx, `agents run different Antrea versions (${detected.seen.join(', ')}): writing what ${detected.text} understands`);
  let summary: string[] = [];
  const edit = (data: Record<string, string>) => {
    const plan = planFeatureGate(detected.version, name, value, data as ConfData);
    summary = plan.summary;
    return applyPlan(plan, data as ConfData);
  };
  edit({ ...((await readAntreaConfig(client, ctx.globals.antreaNamespace)).data ?? {}) });
  const expected = value ? 'Enabled' : 'Disabled';
  return applyConfigChange(ctx, client, opts, [`Antrea ${detected.text} (from ${detected.source}):`, ...summary.map((s) => `  ${s}`)], edit, async (exec) => {
    const gate = parseFeatureGates(await exec(['antctl', 'get', 'featuregates'])).agent?.find((g) => g.name === name);
    if (!gate) return undefined; // a controller-only gate: agents do not report it
    return gate.status === expected ? undefined : `${name} is ${gate.status} after the restart, expected ${expected}`;
  });
}
