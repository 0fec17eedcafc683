import { SECTION_TITLES, type FeatureGate } from '../antrea/featuregates-parser.js';
import { summariseAgentGates, type NodeGates } from '../antrea/featuregates-summary.js';
import { AgentApi } from '../cluster/agent-api.js';
import { apiChannel, controllerFeatureGates, inAgentPod, openChannel } from '../cluster/agent-channel.js';
import { AGENT_CONTAINER, discoverAntrea, type AntreaPod } from '../cluster/agent-discovery.js';
import { execChecked, type NodeFailure } from '../cluster/agent-exec.js';
import { KubeClient } from '../cluster/kube-client.js';
import { CliError, ExitCode } from '../errors.js';
import { paintFor } from '../output/colors.js';
import { printGateSections, printVerbatim, renderGateSections } from '../output/featuregates-table.js';
import { API_VERSION, parseOutputFormat, printStructured } from '../output/structured.js';
import type { CommandContext } from './context.js';
import { concurrencyOf, finish, queryAgents } from './agent-query.js';

const FORMATS = ['table', 'json', 'yaml'] as const;

interface Options {
  node?: string;
  output: string;
  concurrency: string;
}

export async function run(ctx: CommandContext, _args: string[], options: Record<string, unknown>): Promise<number> {
  const opts = options as unknown as Options;
  const format = parseOutputFormat(opts.output, FORMATS);
  const concurrency = concurrencyOf(options);
  if (inAgentPod(ctx.env)) return runInAgentPod(ctx, format);
  const client = await KubeClient.connect(ctx);
  const namespace = ctx.globals.antreaNamespace;
  const deadlineMs = ctx.globals.nodeTimeoutMs;
  const { agents: allAgents, controller: controllerPod } = await discoverAntrea(client, namespace);
  const channel = await openChannel(ctx, client);

  if (opts.node !== undefined) {
    const pod = allAgents.find((a) => a.node === opts.node);
    if (!pod) throw new CliError(`no antrea-agent Pod runs on Node "${opts.node}"`);
    let answer: Awaited<ReturnType<typeof channel.featureGates>>;
    try {
      answer = await channel.featureGates(pod, (argv) => execChecked(client, pod, AGENT_CONTAINER, argv, deadlineMs));
    } catch (err) {
      throw err instanceof CliError ? err : new CliError(`${pod.node}: ${(err as Error).message}`);
    }
    if (format === 'table') {
      // antctl's own bytes when antctl answered; its layout when the agent API did.
      printVerbatim(ctx, answer.text ?? renderGateSections([{ title: SECTION_TITLES.agent, featureGates: answer.gates }], await paintFor(ctx, ctx.stdout)));
    } else {
      printStructured(ctx, format, { apiVersion: API_VERSION, kind: 'NodeFeatureGates', node: pod.node, pod: pod.name, featureGates: answer.gates });
    }
    return ExitCode.OK;
  }

  const [agentResult, controller] = await Promise.all([
    queryAgents(ctx, client, allAgents, { concurrency, machineFormat: format !== 'table', what: 'feature gates' }, (exec, pod) => channel.featureGates(pod, exec)),
    readControllerGates(client, namespace, controllerPod, deadlineMs),
  ]);
  const failures: NodeFailure[] = [...agentResult.failures];
  const nodes: NodeGates[] = agentResult.answers.map((a) => ({ node: a.pod.node, pod: a.pod.name, featureGates: a.value.gates }));
  if ('failure' in controller) failures.push(controller.failure);

  if (nodes.length > 0 || 'featureGates' in controller) {
    const summary = summariseAgentGates(nodes);
    const controllerGates = 'featureGates' in controller ? controller.featureGates : undefined;
    if (format === 'table') {
      const sections = [];
      if (nodes.length > 0) sections.push({ title: SECTION_TITLES.agent, featureGates: summary.featureGates, divergences: summary.divergences });
      if (controllerGates) sections.push({ title: SECTION_TITLES.controller, featureGates: controllerGates });
      printGateSections(ctx, sections, await paintFor(ctx, ctx.stdout));
    } else {
      printStructured(ctx, format, {
        apiVersion: API_VERSION,
        kind: 'FeatureGateReport',
        agents: [...nodes].sort((a, b) => a.node.localeCompare(b.node)),
        controller: 'featureGates' in controller ? { pod: controller.pod, featureGates: controller.featureGates } : null,
        divergences: summary.divergences,
        failures: [...failures].sort((a, b) => a.who.localeCompare(b.who)).map((f) => ({ node: f.who, reason: f.reason })),
      });
    }
  }
  return finish(ctx, failures, nodes.length);
}

/** Inside an agent container: this agent's gates from its API, as antctl's agent mode prints them. */
async function runInAgentPod(ctx: CommandContext, format: (typeof FORMATS)[number]): Promise<number> {
  const { api, node } = AgentApi.local(ctx.env, ctx.globals.nodeTimeoutMs);
  const pod: AntreaPod = { name: ctx.env.POD_NAME ?? '', namespace: ctx.env.POD_NAMESPACE ?? ctx.globals.antreaNamespace, node, ready: true };
  let gates: FeatureGate[];
  try {
    gates = (await apiChannel(api).featureGates(pod, async () => '')).gates;
  } catch (err) {
    throw new CliError(`local agent: ${(err as Error).message}`);
  }
  if (format === 'table') printVerbatim(ctx, renderGateSections([{ title: SECTION_TITLES.agent, featureGates: gates }], await paintFor(ctx, ctx.stdout)));
  else printStructured(ctx, format, { apiVersion: API_VERSION, kind: 'NodeFeatureGates', node, pod: pod.name, featureGates: gates });
  return ExitCode.OK;
}

type ControllerGates = { pod: string; featureGates: FeatureGate[] } | { failure: NodeFailure };

/** The controller prints its own section (and an agent section computed from the ConfigMap, not used here). */
async function readControllerGates(client: KubeClient, namespace: string, pod: AntreaPod | undefined, deadlineMs: number): Promise<ControllerGates> {
  if (!pod) return { failure: { who: 'antrea-controller', reason: `no antrea-controller Pod found in namespace "${namespace}"` } };
  try {
    return { pod: pod.name, featureGates: (await controllerFeatureGates(client, pod, deadlineMs)).controller! };
  } catch (err) {
    if (err instanceof CliError) throw err;
    return { failure: { who: `antrea-controller (${pod.name})`, reason: (err as Error).message } };
  }
}
