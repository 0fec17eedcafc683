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
  /** The flag may be given several times; the values are collected in a list. */
  repeatable?: boolean;
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
    completes: LIST_OUTPUT_FORMATS,
  },
  { flags: '--no-headers', description: 'Do not print headers (table, wide and custom-columns output).' },
];
const concurrencyFlag: FlagSpec = { flags: '--concurrency <n>', description: 'How many Nodes to query at once.', defaultValue: '16' };
const nodeFlag: FlagSpec = { flags: '--node <name>', description: 'Only this Node.', completes: 'nodes' };

const writeFlags: FlagSpec[] = [
  { flags: '--dry-run', description: 'Print what would change (a unified diff of each config file) and change nothing.' },
  { flags: '--restart', description: 'Rollout-restart the agents (and the controller when its config changed) so the change takes effect (default).' },
  { flags: '--no-restart', description: 'Only change the ConfigMap; restart later.' },
  { flags: '--wait', description: 'Wait until the restarted agents are ready, then verify the new state on every Node.' },
  { flags: '--timeout <duration>', description: 'How long --wait waits for the rollout.', defaultValue: '5m' },
  { flags: '--antrea-version <version>', description: 'The Antrea version to write for, instead of the one the agents report.' },
  concurrencyFlag,
];

const multicastFlags: FlagSpec[] = [
  ...writeFlags,
  { flags: '--interfaces <names>', description: 'Set multicast.multicastInterfaces (comma-separated; v1.7+).' },
  { flags: '--igmp-query-interval <duration>', description: 'Set multicast.igmpQueryInterval, e.g. 125s (v1.7+).' },
  { flags: '--igmp-query-versions <list>', description: 'Set multicast.igmpQueryVersions, a subset of 1,2,3 (v1.12+).' },
  { flags: '--tkgs', description: 'vSphere with Tanzu: change the Supervisor\'s AntreaConfig instead of antrea-config.' },
  { flags: '--cluster <name>', description: 'With --tkgs: the workload cluster (AntreaConfig <name>-antrea-package).' },
  { flags: '--namespace <namespace>', description: 'With --tkgs: the vSphere Namespace of the cluster.' },
];

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
  {
    flags: '--transport <kind>',
    description: 'How agents are asked for feature gates and Pod statistics: exec (antctl in the agent Pod) or api (the agent\'s own API, with an antctl ServiceAccount token).',
    defaultValue: 'exec',
    completes: ['exec', 'api'],
  },
  { flags: '--insecure-skip-tls-verify', description: 'With --transport api: do not verify the agents\' certificates (use only for agents without apiCABundle).' },
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
    {
      name: 'doctor',
      summary: 'Check every documented multicast pitfall across the cluster',
      description:
        'Checks, across the cluster, every way Antrea multicast is known to fail silently: how multicast is ' +
        'switched on for the running version, agents not restarted after a ConfigMap change, NetworkPolicyStats, ' +
        'traffic and encryption modes, FlexibleIPAM, Node kernels, Windows and IPv6 Nodes, OS images whose ' +
        'agents cannot open the multicast socket, agents not ready, 224.0.0.0/24 groups, receivers at the ' +
        'igmp_max_memberships limit, traffic without receivers and unresolved routes. Each check reads PASS, ' +
        'WARN or FAIL with the Nodes concerned and the fix, with the mcastctl command that applies it where one ' +
        'exists. Exits 6 when a check FAILs.',
      flags: [
        { flags: '--check <name>', description: 'Run only this check.' },
        ...listOutputFlags,
        concurrencyFlag,
      ],
      examples: ['mcastctl doctor', 'mcastctl doctor --check igmp-limits', 'mcastctl doctor -o json'],
      load: () => import('./doctor.js'),
    },
    {
      name: 'completion',
      summary: 'Print a shell completion script (bash, zsh or fish)',
      description:
        'Prints a completion script for the shell. It completes commands, flags and -o values at once, and ' +
        'Node, namespace and Pod names from the current context. bash: source <(mcastctl completion bash); ' +
        'zsh: source <(mcastctl completion zsh); fish: mcastctl completion fish | source. The same scripts are ' +
        'in completions/ for packagers.',
      args: [{ name: 'SHELL', description: 'bash, zsh or fish.', required: true, completes: ['bash', 'zsh', 'fish'] }],
      examples: ['mcastctl completion bash > /etc/bash_completion.d/mcastctl', 'source <(mcastctl completion zsh)', 'mcastctl completion fish | source'],
      load: () => import('./completion.js'),
    },
    {
      name: 'multicast',
      summary: 'Switch Antrea multicast on or off across the cluster',
      description:
        'Changes the antrea-config ConfigMap the way the running Antrea version needs it, keeping every comment ' +
        'of the file, then restarts the agents so they read it.',
      subcommands: [
        {
          name: 'enable',
          summary: 'Switch multicast on (version-aware), restart and verify',
          description:
            'Before Antrea v1.12, sets the alpha feature gate Multicast in antrea-agent.conf and (from v1.7) ' +
            'antrea-controller.conf; from v1.12 sets multicast.enable: true in antrea-agent.conf. Never writes a key ' +
            'the running version does not know (v1.x agents would crash-loop). The ConfigMap is written with its ' +
            'resourceVersion (a concurrent change is re-read and the edit re-applied), the previous data is saved in ' +
            'ConfigMap antrea-config-mcastctl-backup first, and "multicast rollback" restores it. On a vSphere with ' +
            'Tanzu (TKGs) cluster the Supervisor reverts such edits: use --tkgs against the Supervisor.',
          flags: multicastFlags,
          examples: [
            'mcastctl multicast enable --dry-run',
            'mcastctl multicast enable --wait',
            'mcastctl multicast enable --interfaces eth0,eth1 --igmp-query-interval 60s',
            'mcastctl multicast enable --tkgs --cluster mccluster --namespace mcast',
          ],
          load: async () => ({ run: (await import('./multicast.js')).runEnable }),
        },
        {
          name: 'disable',
          summary: 'Switch multicast off (version-aware), restart and verify',
          description: 'The reverse of "multicast enable": the gate (before v1.12) or multicast.enable (v1.12+) set to false.',
          flags: multicastFlags,
          examples: ['mcastctl multicast disable --dry-run', 'mcastctl multicast disable --wait'],
          load: async () => ({ run: (await import('./multicast.js')).runDisable }),
        },
        {
          name: 'rollback',
          summary: 'Restore antrea-config as it was before mcastctl last changed it',
          description:
            'Writes back the data saved in ConfigMap antrea-config-mcastctl-backup by the last change (the data it ' +
            'replaces is saved in turn, so a second rollback undoes the first), then restarts the agents.',
          flags: writeFlags.filter((f) => !f.flags.startsWith('--antrea-version')),
          examples: ['mcastctl multicast rollback --dry-run', 'mcastctl multicast rollback --wait'],
          load: async () => ({ run: (await import('./multicast.js')).runRollback }),
        },
      ],
    },
    {
      name: 'featuregate',
      summary: 'Change Antrea feature gates',
      description: 'Changes feature gates in the antrea-config ConfigMap, validated against the running Antrea version.',
      subcommands: [
        {
          name: 'set',
          summary: 'Set one feature gate (NAME=true|false) where the running version knows it',
          description:
            'Sets featureGates.NAME in antrea-agent.conf and/or antrea-controller.conf, wherever the running Antrea ' +
            'version\'s agent or controller knows the gate; an unknown gate is refused with the list of known ones. ' +
            'Written, backed up, restarted and verified like "multicast enable". Multicast before v1.12 is set in ' +
            'both files as "multicast enable" does.',
          args: [{ name: 'NAME=BOOL', description: 'e.g. Multicast=true', required: true }],
          flags: writeFlags,
          examples: ['mcastctl featuregate set Multicast=true --wait', 'mcastctl featuregate set NetworkPolicyStats=true --dry-run'],
          load: () => import('./featuregate-set.js'),
        },
      ],
    },
    {
      name: 'igmp',
      summary: 'Change IGMP settings of Nodes',
      description: 'Changes kernel IGMP settings on Nodes through their privileged, host-network antrea-agent Pods.',
      subcommands: [
        {
          name: 'set-max',
          summary: 'Raise net.ipv4.igmp_max_memberships on Nodes',
          description:
            'Writes net.ipv4.igmp_max_memberships on each selected Node with "sysctl -w" in its antrea-agent Pod, ' +
            'reads it back and prints NODE, BEFORE, AFTER and RESULT. Never lowers a value unless --allow-decrease; ' +
            'warns when N is below the memberships a Node already holds. Running it twice changes nothing the ' +
            'second time. The value is lost at reboot: --persist applies DaemonSet mcastctl-igmp-max-memberships, ' +
            'which sets it again whenever its Pod starts on a Node.',
          args: [{ name: 'N', description: 'The new limit, an integer from 1 to 2147483647.', required: true }],
          flags: [
            { flags: '--node <name>', description: 'A Node to change (repeatable).', repeatable: true, completes: 'nodes' },
            { flags: '-l, --selector <selector>', description: 'The Nodes matching this label selector.' },
            { flags: '--all-nodes', description: 'Every Node with an antrea-agent.' },
            { flags: '--allow-decrease', description: 'Allow lowering the value.' },
            { flags: '--dry-run', description: 'Show what would change and change nothing.' },
            { flags: '--persist', description: 'Also apply a DaemonSet that sets the value again after every Node reboot.' },
            ...listOutputFlags,
            concurrencyFlag,
          ],
          examples: [
            'mcastctl igmp set-max 64 --node k8s-node-2',
            'mcastctl igmp set-max 64 --all-nodes --dry-run',
            'mcastctl igmp set-max 128 -l multicast=receivers --persist',
          ],
          load: () => import('./igmp-set-max.js'),
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
