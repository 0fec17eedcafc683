/**
 * antctl of the container's Antrea release: in an agent container it talks to that agent (agent
 * mode), in the controller container to the controller (pkg/antctl: mode chosen by the component
 * the binary runs in). Outputs come from render/antctl-output.ts.
 */
import { agentGateRows } from '../antrea/featuregates.js';
import { profileFor } from '../antrea/releases.js';
import { describeImage } from '../images/index.js';
import { renderFeatureGates, renderMulticastJson, renderMulticastTable, renderMulticastYaml } from '../render/antctl-output.js';
import { fail, ok, type ProgramContext, type ShellResult } from './index.js';

export function antctl(ctx: ProgramContext, args: string[]): ShellResult {
  const { cluster, runtime } = ctx;
  const container = runtime.containers.find((c) => c.name === ctx.containerName);
  const agent = container?.agent;
  const image = describeImage(ctx.image);
  const profile = profileFor(image.release ?? cluster.release);
  const controllerMode = image.kind === 'antrea-controller';
  const [verb, resource, ...rest] = args;
  if (verb === 'get' && resource === 'featuregates') {
    if (rest.length > 0) return fail(`Error: unknown flag: ${rest[0]}\n`);
    if (controllerMode) return ok(renderFeatureGates(profile.featureGatesLayout, cluster.controllerGateSections()));
    if (!agent) return fail('Error: request to server failed: connection refused\n');
    // The agent's own handler answers component "agent" on Windows too (pkg/agent/apiserver/handlers/featuregates, v2.7.0).
    return ok(renderFeatureGates(profile.featureGatesLayout, { agent: agentGateRows(agent.profile, agent.settings.gates) }));
  }
  if (verb === 'get' && resource === 'podmulticaststats') {
    if (controllerMode || !agent) return ok('Get the status or resource of a topic\n\nUsage:\n  antctl get [command]\n');
    let namespace = '';
    let output = 'table';
    const positional: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i];
      if (a === '-n' || a === '--namespace') namespace = rest[++i] ?? '';
      else if (a.startsWith('--namespace=')) namespace = a.slice(12);
      else if (a === '-o' || a === '--output') output = rest[++i] ?? '';
      else if (a.startsWith('--output=')) output = a.slice(9);
      else if (a.startsWith('-')) return fail(`Error: unknown flag: ${a}\n`);
      else positional.push(a);
    }
    if (positional.length > 1) return fail(`Error: accepts at most 1 arg(s), received ${positional.length}\n`);
    if (!agent.settings.multicastRunning) return fail('Error: request to server failed: Service Unavailable: Multicast is not enabled\n');
    const name = positional[0] ?? '';
    if (name && !namespace) return fail('Error: request to server failed: Service Unavailable: name option should be used with namespace option\n');
    let rows = cluster.dataplane.podStats(runtime.node);
    if (name) {
      rows = rows.filter((r) => r.name === name && r.podNamespace === namespace);
      if (rows.length === 0) return fail('Error: request to server failed: Not Found: the server could not find the requested resource\n');
    } else if (namespace) rows = rows.filter((r) => r.podNamespace === namespace);
    switch (output) {
      case 'table': return ok(renderMulticastTable(rows));
      case 'json': return ok(renderMulticastJson(rows));
      case 'yaml': return ok(renderMulticastYaml(rows));
      default: return fail(`Error: unsupported format type: ${output}\n`);
    }
  }
  return fail(`Error: unknown command "${verb ?? ''}" for "antctl"\nRun 'antctl --help' for usage.\n`);
}
