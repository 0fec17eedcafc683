import { isIPv4 } from 'node:net';
import { parseIpMrouteJson, parseIpMrouteText, parseProcMroute, type MrouteEntry } from '../antrea/mroute-parser.js';
import { UsageError } from '../errors.js';
import { paintFor } from '../output/colors.js';
import { isMachineFormat, parseOutput, printList, type ListSpec } from '../output/list-printer.js';
import { KubeClient } from '../cluster/kube-client.js';
import { concurrencyOf, finish, queryAgents, selectAgents } from './agent-query.js';
import type { CommandContext } from './context.js';

export interface NodeMroute extends MrouteEntry {
  node: string;
}

const count = (n: number | null) => (n === null ? '<unknown>' : String(n));
const oifText = (e: MrouteEntry) => e.oifs.map((o) => (o.ttl !== undefined ? `${o.name}(ttl ${o.ttl})` : o.name)).join(',');

const listSpec: ListSpec<NodeMroute> = {
  kind: 'MrouteList',
  columns: [
    { header: 'NODE', value: (r) => r.node },
    { header: 'SOURCE', value: (r) => r.source },
    { header: 'GROUP', value: (r) => r.group },
    { header: 'IIF', value: (r) => r.iif ?? 'unresolved' },
    { header: 'OIFS', value: oifText },
    { header: 'STATE', value: (r) => r.state },
    { header: 'PACKETS', value: (r) => count(r.packets) },
    { header: 'BYTES', value: (r) => count(r.bytes) },
    { header: 'WRONG-IIF', value: (r) => count(r.wrongIf), wide: true },
    { header: 'AGE', value: (r) => (r.age === null ? '<unknown>' : `${r.age.toFixed(2)}s`), wide: true },
  ],
  name: (r) => `mroute/${r.node}/${r.source},${r.group}`,
  toJson: (r) => ({ node: r.node, source: r.source, group: r.group, iif: r.iif, oifs: r.oifs, state: r.state, packets: r.packets, bytes: r.bytes, wrongIf: r.wrongIf, age: r.age }),
  alert: (r) => r.state === 'unresolved' || (r.wrongIf ?? 0) > 0,
};

/**
 * Reads a Node's multicast routes through its agent Pod (host network namespace): `ip -j -s mroute`,
 * else `ip -s mroute` for an iproute2 without JSON, else /proc for an image without iproute2.
 */
export async function readMroutes(exec: (argv: string[]) => Promise<string>): Promise<MrouteEntry[]> {
  try {
    return parseIpMrouteJson(await exec(['ip', '-j', '-s', 'mroute']));
  } catch (jsonError) {
    const message = (jsonError as Error).message;
    if (!/Option "-j" is unknown|not JSON|executable file not found/.test(message)) throw jsonError;
    if (!/executable file not found/.test(message)) {
      try {
        return parseIpMrouteText(await exec(['ip', '-s', 'mroute']));
      } catch (textError) {
        if (!/executable file not found/.test((textError as Error).message)) throw textError;
      }
    }
    return parseProcMroute(await exec(['cat', '/proc/net/ip_mr_vif', '/proc/net/ip_mr_cache']));
  }
}

interface Options {
  node?: string;
  group?: string;
  source?: string;
  output: string;
  headers: boolean;
  concurrency: string;
}

export async function run(ctx: CommandContext, _args: string[], options: Record<string, unknown>): Promise<number> {
  const opts = options as unknown as Options;
  const format = parseOutput(opts.output);
  const concurrency = concurrencyOf(options);
  for (const [flag, value] of [['--group', opts.group], ['--source', opts.source]] as const) {
    if (value !== undefined && !isIPv4(value)) throw new UsageError(`invalid IPv4 address "${value}" for ${flag}`);
  }
  const client = await KubeClient.connect(ctx);
  const agents = await selectAgents(ctx, client, opts.node);
  const result = await queryAgents(ctx, client, agents, { concurrency, machineFormat: isMachineFormat(format), what: 'multicast routes' }, (exec) => readMroutes(exec));
  // iproute2 6.1 cannot filter mroutes by address, so filters apply here.
  const rows: NodeMroute[] = result.answers
    .flatMap(({ pod, value }) => value.map((e) => ({ ...e, node: pod.node })))
    .filter((r) => (opts.group === undefined || r.group === opts.group) && (opts.source === undefined || r.source === opts.source))
    .sort((a, b) => a.node.localeCompare(b.node) || a.group.localeCompare(b.group, 'en', { numeric: true }) || a.source.localeCompare(b.source, 'en', { numeric: true }));
  printList(ctx, listSpec, rows, format, { noHeaders: opts.headers === false, paint: await paintFor(ctx, ctx.stdout), emptyMessage: 'No resources found' });
  return finish(ctx, result.failures, result.answers.length);
}
