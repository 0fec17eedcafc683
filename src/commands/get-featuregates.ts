import { SECTION_TITLES, type FeatureGate } from '../antrea/featuregates-parser.js';
import { summariseAgentGates, type NodeGates } from '../antrea/featuregates-summary.js';
import { escapeControlCharacters } from '../bounded-text.js';
import { controllerFeatureGates, inAgentPod, localAgentChannel, openChannels } from '../cluster/agent-channel.js';
import { selectAgentsOn } from '../cluster/agent-query.js';
import { discoverAgentOn, discoverAntrea, type AntreaPod } from '../cluster/agent-discovery.js';
import { detectAntreaVersion } from '../cluster/antrea-version.js';
import { parseRelease } from '../antrea/featuregate-catalogue.js';
import type { NodeFailure } from '../cluster/agent-exec.js';
import type { CommandContext, KubeApi } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { paintFor } from '../output/colors.js';
import { warn } from '../output/diagnostics.js';
import { byName, gateLayoutFor, gateLayoutOf, printGateSections, printVerbatim, renderGateSections, type GateLayout, type GateSection } from '../output/featuregates-table.js';
import { API_VERSION, parseOutputFormat, printStructured } from '../output/structured.js';
import { askAgents, finish } from './ask-agents.js';
import { flagsOf } from './command-table.js';
import { defineCommand } from './define-command.js';
import { parseConcurrency } from './options.js';
import { noteSkippedWindows } from './windows-agents.js';
import { parseNodeSelection, type NodeSelection } from './read-options.js';

const FORMATS = ['table', 'json', 'yaml'] as const;

type Format = (typeof FORMATS)[number];

export interface FeatureGatesOptions extends NodeSelection {
  format: Format;
  concurrency: number;
}

export const command = defineCommand({
  flags: flagsOf.getFeaturegates,
  parse({ flags }): FeatureGatesOptions {
    return { ...parseNodeSelection(flags), format: parseOutputFormat(flags.output, FORMATS), concurrency: parseConcurrency(flags.concurrency) };
  },
  run: (ctx, opts) => (inAgentPod(ctx.env) ? runInAgentPod(ctx, opts.format) : runAgainstCluster(ctx, opts)),
});

async function runAgainstCluster(ctx: CommandContext, opts: FeatureGatesOptions): Promise<number> {
  const { format, concurrency } = opts;
  const client = await ctx.cluster();
  const namespace = ctx.globals.antreaNamespace;
  const deadlineMs = ctx.globals.nodeTimeoutMs;
  // One Node named: only its agent Pod is listed (not every agent of the cluster), and its gates
  // are printed exactly as antctl prints them there.
  if (opts.nodes?.length === 1 && opts.selector === undefined) {
    const pod = await discoverAgentOn(client, namespace, opts.nodes[0]);
    if (!pod) throw new CliError(`no antrea-agent Pod runs on Node "${opts.nodes[0]}"`);
    const channels = await openChannels(ctx, client);
    let answer: Awaited<ReturnType<ReturnType<typeof channels>['featureGates']>>;
    try {
      answer = await channels(pod).featureGates();
    } catch (err) {
      throw err instanceof CliError ? err : new CliError(`${pod.node}: ${(err as Error).message}`);
    }
    for (const w of answer.warnings) warn(ctx, `${pod.node}: ${w}`);
    if (format === 'table') {
      // antctl's own bytes when antctl answered; the layout of the agent's release when its API did.
      const text = answer.text ?? renderGateSections([{ title: SECTION_TITLES.agent, featureGates: answer.gates }], await paintFor(ctx, ctx.stdout), await releaseLayout(client, namespace, pod.node));
      printVerbatim(ctx, text);
    } else {
      printStructured(ctx, format, { apiVersion: API_VERSION, kind: 'NodeFeatureGates', node: pod.node, pod: pod.name, featureGates: answer.gates });
    }
    return ExitCode.OK;
  }

  const [{ agents: everyAgent, controller: controllerPod }, chosen] = await Promise.all([
    discoverAntrea(client, namespace),
    opts.nodes || opts.selector !== undefined ? selectAgentsOn(client, namespace, opts) : Promise.resolve(undefined),
  ]);
  const allAgents = chosen ? everyAgent.filter((a) => chosen.some((c) => c.name === a.name)) : everyAgent;
  // The controller's section still prints; say why no agent section does, as kubectl says "No resources found".
  if (opts.selector !== undefined && allAgents.length === 0) ctx.stderr.write(`No antrea-agent Pod runs on a Node matching the selector "${escapeControlCharacters(opts.selector)}"\n`);
  const channels = await openChannels(ctx, client);
  const sharedGates = new Map<string, FeatureGate[]>();
  let layoutSample: string | undefined;
  const [agentResult, controller] = await Promise.all([
    askAgents(ctx, allAgents.filter((a) => a.os !== 'windows'), channels, { concurrency, machineFormat: format !== 'table', what: 'feature gates' }, async (agent) => {
      // Only the parsed gates are kept per agent (not antctl's text), and agents that run the same
      // gates share one list: memory grows with the distinct answers, not with the Nodes.
      const { gates, warnings, text } = await agent.featureGates();
      // One antctl text whose layout is known is kept, in case the release cannot be read.
      if (layoutSample === undefined && text !== undefined && gateLayoutOf(text)) layoutSample = text;
      const key = JSON.stringify(gates);
      const same = sharedGates.get(key) ?? gates;
      sharedGates.set(key, same);
      return { gates: same, warnings };
    }),
    readControllerGates(client, namespace, controllerPod, deadlineMs),
  ]);
  // Windows agents are not asked (Multicast is unsupported there); where their gates are shown is
  // known only now, from what the controller answered.
  noteSkippedWindows(ctx, allAgents.filter((a) => a.os === 'windows'), windowsGatesWhere(controller, format));
  const failures: NodeFailure[] = [...agentResult.failures];
  for (const a of agentResult.answers) for (const w of a.value.warnings) warn(ctx, `${a.pod.node}: ${w}`);
  const nodes: NodeGates[] = agentResult.answers.map((a) => ({ node: a.pod.node, pod: a.pod.name, featureGates: a.value.gates }));
  if ('failure' in controller) failures.push(controller.failure);
  else for (const w of controller.warnings) warn(ctx, `${controller.pod}: ${w}`);

  if (nodes.length > 0 || 'featureGates' in controller) {
    const summary = summariseAgentGates(nodes);
    const controllerGates = 'featureGates' in controller ? controller.featureGates : undefined;
    const windowsGates = 'featureGates' in controller ? controller.agentWindows : undefined;
    if (format === 'table') {
      // antctl's sections and order: agents, Windows agents (the controller's view, v1.14+), controller.
      const sections: GateSection[] = [];
      if (nodes.length > 0) sections.push({ title: SECTION_TITLES.agent, featureGates: summary.featureGates, divergences: summary.divergences });
      if (windowsGates) sections.push({ title: SECTION_TITLES.agentWindows, featureGates: byName(windowsGates) });
      if (controllerGates) sections.push({ title: SECTION_TITLES.controller, featureGates: byName(controllerGates) });
      const layout = await releaseLayout(client, namespace, undefined, layoutSample === undefined ? [] : [layoutSample]);
      printGateSections(ctx, sections, await paintFor(ctx, ctx.stdout), layout);
    } else {
      printStructured(ctx, format, {
        apiVersion: API_VERSION,
        kind: 'FeatureGateReport',
        agents: [...nodes].sort((a, b) => a.node.localeCompare(b.node)),
        controller:
          'featureGates' in controller
            ? { pod: controller.pod, featureGates: controller.featureGates, ...(controller.agentWindows ? { windowsAgentFeatureGates: controller.agentWindows } : {}) }
            : null,
        divergences: summary.divergences,
        failures: [...failures].sort((a, b) => a.who.localeCompare(b.who)).map((f) => ({ node: f.who, reason: f.reason })),
      });
    }
  }
  return finish(ctx, failures, nodes.length);
}

/** Inside an agent container: this agent's gates from its API, as antctl's agent mode prints them. */
async function runInAgentPod(ctx: CommandContext, format: Format): Promise<number> {
  const agent = localAgentChannel(ctx);
  const { node, name } = agent.pod;
  let gates: FeatureGate[];
  try {
    gates = (await agent.featureGates()).gates;
  } catch (err) {
    throw new CliError(`local agent: ${(err as Error).message}`);
  }
  if (format === 'table') printVerbatim(ctx, renderGateSections([{ title: SECTION_TITLES.agent, featureGates: gates }], await paintFor(ctx, ctx.stdout)));
  else printStructured(ctx, format, { apiVersion: API_VERSION, kind: 'NodeFeatureGates', node, pod: name, featureGates: gates });
  return ExitCode.OK;
}

/**
 * The table layout of the release the agents run (antctl's own, see GateLayout): the release of the
 * Node's AntreaAgentInfo for one Node, else the cluster's agent release, else the layout of what
 * antctl printed, else v1.14+.
 */
async function releaseLayout(client: KubeApi, namespace: string, node?: string, captured: string[] = []): Promise<GateLayout> {
  if (node !== undefined) {
    try {
      const version = parseRelease((await client.getClusterObject<{ version?: string }>('crd.antrea.io', 'v1beta1', 'antreaagentinfos', node)).version ?? '');
      if (version) return gateLayoutFor(version);
    } catch {
      // No AntreaAgentInfo for this Node: the cluster's release decides.
    }
  }
  try {
    return gateLayoutFor((await detectAntreaVersion(client, namespace)).version);
  } catch {
    for (const text of captured) {
      const layout = gateLayoutOf(text);
      if (layout) return layout;
    }
    return 'v1.14';
  }
}

/**
 * Where the skipped Windows agents' gates are, as the note says it: the controller's Windows section
 * when it sent one (v1.14+ controllers compute it from the newest antrea-windows-config ConfigMap,
 * pkg/apiserver/handlers/featuregates/handler.go), else plainly that it is not there and why.
 */
function windowsGatesWhere(controller: ControllerGates, format: Format): string {
  if ('failure' in controller) return 'their gates come from the antrea-controller, which did not answer';
  if (controller.agentWindows) {
    return format === 'table' ? 'their gates are the controller\'s "Antrea Agent Feature Gates (Windows)" section' : 'their gates are the controller\'s windowsAgentFeatureGates';
  }
  return 'the antrea-controller reports no Windows agent gates (Antrea v1.14+ controllers report them from the antrea-windows-config ConfigMap)';
}

type ControllerGates = { pod: string; featureGates: FeatureGate[]; agentWindows?: FeatureGate[]; warnings: string[] } | { failure: NodeFailure };

/**
 * The controller prints its own section, the Windows agents' section (v1.14+, from the newest
 * antrea-windows-config ConfigMap) and an agent section computed from the ConfigMap (not used here).
 */
async function readControllerGates(client: KubeApi, namespace: string, pod: AntreaPod | undefined, deadlineMs: number): Promise<ControllerGates> {
  if (!pod) return { failure: { who: 'antrea-controller', reason: `no antrea-controller Pod found in namespace "${namespace}"` } };
  try {
    const sections = await controllerFeatureGates(client, pod, deadlineMs);
    return { pod: pod.name, featureGates: sections.controller!, warnings: sections.warnings, ...(sections.agentWindows ? { agentWindows: sections.agentWindows } : {}) };
  } catch (err) {
    if (err instanceof CliError) throw err;
    return { failure: { who: `antrea-controller (${pod.name})`, reason: (err as Error).message } };
  }
}
