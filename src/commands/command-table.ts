/**
 * The one declarative description of mcastctl's commands. The commander program, --help,
 * shell completions and man pages are all derived from this table; nothing here loads a heavy
 * module: each runnable command names a lazy loader of its implementation.
 */
import type { CommandContext } from './context.js';

export interface FlagSpec {
  /** commander syntax, e.g. "-n, --namespace <name>" or "--no-headers". */
  flags: string;
  description: string;
  defaultValue?: string | boolean;
  /** What a shell may complete for the value. */
  completes?: 'nodes' | 'namespaces' | 'pods' | 'files' | 'contexts' | readonly string[];
}

export interface ArgSpec {
  name: string;
  description: string;
  required: boolean;
  completes?: FlagSpec['completes'];
}

export type CommandAction = (ctx: CommandContext, args: string[], options: Record<string, unknown>) => Promise<number>;

export interface CommandSpec {
  name: string;
  summary: string;
  description: string;
  args?: ArgSpec[];
  flags?: FlagSpec[];
  examples?: string[];
  subcommands?: CommandSpec[];
  load?: () => Promise<{ run: CommandAction }>;
}

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export const LIST_OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml', 'name', 'jsonpath=', 'custom-columns='] as const;

const listOutputFlags: FlagSpec[] = [
  {
    flags: '-o, --output <format>',
    description: 'Output format: table, wide, json, yaml, name, jsonpath=TEMPLATE or custom-columns=SPEC.',
    defaultValue: 'table',
  },
  { flags: '--no-headers', description: 'Do not print headers (table, wide and custom-columns output).' },
];
const concurrencyFlag: FlagSpec = { flags: '--concurrency <n>', description: 'How many Nodes to query at once.', defaultValue: '16' };
const nodeFlag: FlagSpec = { flags: '--node <name>', description: 'Only this Node.', completes: 'nodes' };

export const globalFlags: FlagSpec[] = [
  { flags: '--kubeconfig <path>', description: 'Path to the kubeconfig file to use for CLI requests.', completes: 'files' },
  { flags: '--context <name>', description: 'The name of the kubeconfig context to use.', completes: 'contexts' },
  {
    flags: '--request-timeout <duration>',
    description: 'The length of time to wait before giving up on a single API request (e.g. 1s, 2m). "0" means no timeout.',
    defaultValue: '0',
  },
  {
    flags: '--node-timeout <duration>',
    description: 'Deadline for each Node\'s answer (one exec in an antrea-agent Pod); a slower Node is reported as failed.',
    defaultValue: '30s',
  },
  {
    flags: '--antrea-namespace <name>',
    description: 'The namespace where Antrea runs.',
    defaultValue: 'kube-system',
    completes: 'namespaces',
  },
  { flags: '-v, --v <level>', description: 'Number for the log level verbosity (6 logs requests, 8 adds bodies).', defaultValue: '0' },
  { flags: '--no-color', description: 'Never colour the output (also: NO_COLOR=1).' },
];

export const commandTable: CommandSpec = {
  name: 'mcastctl',
  summary: 'Inspect and manage Antrea multicast across a Kubernetes cluster',
  description:
    'mcastctl reads the multicast state of every Node of a cluster that runs the Antrea CNI, ' +
    'through the antrea-agent Pods, and shows it in one place.',
  subcommands: [
    {
      name: 'get',
      summary: 'Display multicast state from every Node',
      description: 'Display multicast-related state gathered from the antrea-agent Pods of every Node.',
      subcommands: [
        {
          name: 'featuregates',
          summary: 'Print the Antrea feature gates of every agent and of the controller',
          description:
            'Runs "antctl get featuregates" in every antrea-agent Pod and in the antrea-controller Pod, and ' +
            'prints them in antctl\'s layout. The agent section shows the gates most Nodes run; a gate marked ' +
            'with "*" differs on some Nodes, which are listed below the table (typically Nodes whose agent was ' +
            'not restarted after a change of the antrea-config ConfigMap). With --node, prints that Node\'s ' +
            'gates exactly as antctl prints them there.',
          flags: [
            { flags: '--node <name>', description: 'Show the gates of this Node\'s agent only, verbatim.', completes: 'nodes' },
            {
              flags: '-o, --output <format>',
              description: 'Output format: table, json or yaml.',
              defaultValue: 'table',
              completes: OUTPUT_FORMATS,
            },
            { flags: '--concurrency <n>', description: 'How many Nodes to query at once.', defaultValue: '16' },
          ],
          examples: [
            'mcastctl get featuregates',
            'mcastctl get featuregates --node k8s-node-2',
            'mcastctl get featuregates -o json',
          ],
          load: () => import('./get-featuregates.js'),
        },
        {
          name: 'podmulticaststats',
          summary: 'Multicast packet counters of every Pod, from every Node',
          description:
            'Runs "antctl get podmulticaststats -o json" in the antrea-agent of every relevant Node (only the ' +
            'Node of POD when a name is given) and merges the answers. Counters are packets. With --watch, the ' +
            'table is redrawn every --interval with packets per second; a counter that went backwards (the agent ' +
            'restarted) shows "reset", never a negative rate.',
          args: [{ name: 'POD', description: 'Only this Pod (in --namespace).', required: false, completes: 'pods' }],
          flags: [
            { flags: '-n, --namespace <namespace>', description: 'Only Pods of this namespace (default: the context\'s namespace).', completes: 'namespaces' },
            { flags: '-A, --all-namespaces', description: 'Pods of every namespace.' },
            { flags: '-l, --selector <selector>', description: 'Only Pods matching this label selector (e.g. app=vlc).' },
            nodeFlag,
            ...listOutputFlags,
            { flags: '-w, --watch', description: 'Redraw every --interval with packet rates.' },
            { flags: '--interval <duration>', description: 'Time between two samples with --watch.', defaultValue: '2s' },
            { flags: '--count <n>', description: 'With --watch, stop after this many samples.' },
            concurrencyFlag,
          ],
          examples: [
            'mcastctl get podmulticaststats -A',
            'mcastctl get podmulticaststats vlc-receiver-1 -n default',
            'mcastctl get podmulticaststats -n default -l app=vlc --watch --interval 5s',
            'mcastctl get podmulticaststats -A -o custom-columns=POD:.name,IN:.inbound',
          ],
          load: () => import('./get-podmulticaststats.js'),
        },
        {
          name: 'mroute',
          summary: 'Kernel multicast routes of every Node',
          description:
            'Reads each Node\'s IPv4 multicast routing table through its antrea-agent Pod (host network): ' +
            '"ip -j -s mroute", or "ip -s mroute" with an older iproute2, or /proc/net/ip_mr_cache and ip_mr_vif ' +
            'without iproute2. Unresolved entries and packets that arrived on the wrong interface are highlighted. ' +
            'Address filters are applied by mcastctl.',
          flags: [
            nodeFlag,
            { flags: '--group <address>', description: 'Only routes of this multicast group.' },
            { flags: '--source <address>', description: 'Only routes from this source.' },
            ...listOutputFlags,
            concurrencyFlag,
          ],
          examples: ['mcastctl get mroute', 'mcastctl get mroute --group 239.255.12.42 -o wide', 'mcastctl get mroute --node k8s-node-1 -o json'],
          load: () => import('./get-mroute.js'),
        },
        {
          name: 'multicastgroups',
          summary: 'Multicast groups and their member Pods (stats.antrea.io)',
          description:
            'Lists the stats.antrea.io/v1alpha1 MulticastGroup resource served by antrea-controller: each group ' +
            'and the Pods that joined it. -o wide lists every member and the Node it runs on. The data can lag ' +
            'by up to a minute (agents report every 60s) and needs the NetworkPolicyStats feature gate.',
          args: [{ name: 'GROUP', description: 'Only this group (an IPv4 address).', required: false }],
          flags: [...listOutputFlags],
          examples: ['mcastctl get multicastgroups', 'mcastctl get multicastgroups 239.255.12.42 -o wide'],
          load: () => import('./get-multicastgroups.js'),
        },
        {
          name: 'igmp',
          summary: 'IGMP membership limits and usage of every Node',
          description:
            'For every Node: net.ipv4.igmp_max_memberships, the memberships held (from /proc/net/igmp, without ' +
            '224.0.0.1), the groups its receiver Pods joined (WANTED, from multicastgroups), the most groups one ' +
            'Pod joined, and the headroom. The antrea-agent joins every group of its local receivers from one ' +
            'socket, so a Node whose receivers want more groups than the limit (20 by default) silently misses the ' +
            'rest: such rows read AT LIMIT or OVER LIMIT. Raise the limit with "mcastctl igmp set-max".',
          flags: [nodeFlag, ...listOutputFlags, concurrencyFlag],
          examples: ['mcastctl get igmp', 'mcastctl get igmp --node k8s-node-2 -o yaml'],
          load: () => import('./get-igmp.js'),
        },
      ],
    },
  ],
};

/** Yields every command with its path from the root, depth first. */
export function* walkCommands(spec: CommandSpec = commandTable, path: string[] = []): Generator<[string[], CommandSpec]> {
  const here = [...path, spec.name];
  yield [here, spec];
  for (const sub of spec.subcommands ?? []) yield* walkCommands(sub, here);
}
