/**
 * The one declarative description of mcastctl's commands. The commander program, --help,
 * shell completions and man pages are all derived from this table; nothing here loads a heavy
 * module: each runnable command names a lazy loader of its implementation.
 */
import {
  booleanFlag,
  defaultedFlag,
  listFlag,
  negatedFlag,
  valueFlag,
  type Completes,
  type FlagSet,
  type FlagSpec,
  type RunnableCommand,
} from './define-command.js';

export type { FlagSpec, FlagSet } from './define-command.js';

export interface ArgSpec {
  name: string;
  description: string;
  required: boolean;
  /** Takes every remaining word. */
  variadic?: boolean;
  completes?: Completes;
}

export interface CommandSpec {
  name: string;
  summary: string;
  description: string;
  args?: ArgSpec[];
  /** The flags of a runnable command; its module's defineCommand receives this same object. */
  flags?: FlagSet;
  examples?: string[];
  /**
   * The description and examples when run as the kubectl plugin ("kubectl antrea-multicast"), for
   * a command whose advice differs there; written for the plugin as they stand. Without it, the
   * command lines of description and examples name the plugin (see helpTextFor in cli.ts).
   */
  asPlugin?: { description: string; examples: string[] };
  subcommands?: CommandSpec[];
  load?: () => Promise<RunnableCommand>;
}

/** The flags of a command (or the global flags) in the order they were declared. */
export function flagList(flags: FlagSet | undefined): FlagSpec[] {
  return Object.values(flags ?? {});
}

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export const LIST_OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml', 'name', 'jsonpath=', 'custom-columns='] as const;

const listOutputFlags = {
  output: defaultedFlag(
    '-o, --output <format>',
    'Output format: table, wide, json, yaml, name, jsonpath=TEMPLATE or custom-columns=SPEC.',
    'table',
    { completes: LIST_OUTPUT_FORMATS },
  ),
  headers: negatedFlag('--no-headers', 'Do not print headers (table, wide and custom-columns output).'),
};
const concurrencyFlag = { concurrency: defaultedFlag('--concurrency <n>', 'How many Nodes to query at once.', '64') };
const nodeFlags = {
  node: listFlag('--node <name>', 'Only this Node (repeatable).', { completes: 'nodes' }),
  selector: valueFlag('-l, --selector <selector>', 'Only Nodes whose labels match this selector (e.g. multicast=receivers; supports =, ==, !=, in, notin, !key).'),
};
const sortByFlag = {
  sortBy: valueFlag('--sort-by <jsonpath>', 'Sort the items by this JSONPath of their -o json form, e.g. .node or {.packets} (numbers numerically, text in natural order).'),
};
/** -w/--watch for a list: in a pipe one valid stream (a table header once, JSON objects one after another, YAML documents separated by ---). */
const watchFlags = (what: string) => ({
  watch: booleanFlag('-w, --watch', `Print again every --interval (${what}); on a terminal the screen is redrawn.`),
  // No commander default: parse must see whether --interval was given, to refuse it without --watch.
  interval: valueFlag('--interval <duration>', 'With --watch, the time between two samples (default: 2s).'),
  count: valueFlag('--count <n>', 'With --watch, stop after this many samples.'),
});

const writeFlags = {
  dryRun: booleanFlag('--dry-run', 'Print what would change (a unified diff of each config file) and change nothing.'),
  restart: booleanFlag('--restart', 'Rollout-restart the agents (and the controller when its config changed) so the change takes effect (default).'),
  // commander keeps one value for --restart and --no-restart: `restart` is false after --no-restart.
  noRestart: booleanFlag('--no-restart', 'Only change the ConfigMap; restart later.'),
  wait: booleanFlag('--wait', 'Wait until the restarted agents are ready, then verify the new state on every Node; agents that crash-loop get the previous config back.'),
  rollback: negatedFlag('--no-rollback', 'With --wait: report agents that crash-loop after the change, but leave the change in place.'),
  // No commander default: parse must see whether --timeout was given, to refuse it without --wait.
  timeout: valueFlag('--timeout <duration>', 'With --wait, how long to wait for the rollout (default: 5m).'),
  antreaVersion: valueFlag('--antrea-version <version>', 'The Antrea version to write for, instead of the one the agents report.'),
  ...concurrencyFlag,
};
const { antreaVersion: _versionOverride, ...rollbackFlags } = writeFlags;

export const flagsOf = {
  getFeaturegates: {
    node: listFlag('--node <name>', 'Only this Node\'s agent (repeatable); with one --node its gates are printed verbatim, as antctl prints them there.', { completes: 'nodes' }),
    selector: nodeFlags.selector,
    output: defaultedFlag('-o, --output <format>', 'Output format: table, json or yaml.', 'table', { completes: OUTPUT_FORMATS }),
    ...concurrencyFlag,
  },
  getPodmulticaststats: {
    namespace: valueFlag('-n, --namespace <namespace>', 'Only Pods of this namespace (default: the context\'s namespace).', { completes: 'namespaces' }),
    allNamespaces: booleanFlag('-A, --all-namespaces', 'Pods of every namespace.'),
    selector: valueFlag('-l, --selector <selector>', 'Only Pods matching this label selector (e.g. app=vlc).'),
    node: nodeFlags.node,
    nodeSelector: valueFlag('--node-selector <selector>', 'Only Pods on Nodes whose labels match this selector.'),
    ...listOutputFlags,
    ...sortByFlag,
    ...watchFlags('with packet rates'),
    ...concurrencyFlag,
  },
  getMroute: {
    ...nodeFlags,
    group: valueFlag('--group <address>', 'Only routes of this multicast group.'),
    source: valueFlag('--source <address>', 'Only routes from this source.'),
    ...listOutputFlags,
    ...sortByFlag,
    ...watchFlags('packet and byte counters move'),
    ...concurrencyFlag,
  },
  getMulticastgroups: { ...listOutputFlags, ...sortByFlag, ...watchFlags('members come and go') },
  getIgmp: { ...nodeFlags, ...listOutputFlags, ...sortByFlag, ...watchFlags('memberships change'), ...concurrencyFlag },
  doctor: {
    check: listFlag('--check <names>', 'Run only these checks (comma-separated or repeated).', { completes: 'checks' }),
    ...listOutputFlags,
    ...concurrencyFlag,
  },
  completion: {},
  probe: {
    group: valueFlag('--group <address>', 'The multicast group to probe (default: a random group in 239.255.0.0/16).'),
    port: defaultedFlag('--port <n>', 'The UDP port.', '1234'),
    from: valueFlag('--from <node>', 'The sender\'s Node (default: the first Linux Node with a ready agent).', { completes: 'nodes' }),
    to: listFlag('--to <nodes>', 'The receivers\' Nodes, comma-separated or repeated (default: every Linux Node with a ready agent).', { completes: 'nodes' }),
    external: booleanFlag('--external', 'Also prove Pod to external host: a hostNetwork receiver on each other target Node (not in encap mode).'),
    fromExternal: booleanFlag('--from-external', 'Also prove external host to Pods: a hostNetwork sender on --from (not in encap mode).'),
    count: defaultedFlag('--count <n>', 'Packets the sender sends.', '10'),
    interval: defaultedFlag('--interval <duration>', 'Time between two packets.', '500ms'),
    image: defaultedFlag('--image <image>', 'The mcjoin image (for a mirrored registry).', 'antrea/mcjoin:v2.9'),
    timeout: defaultedFlag('--timeout <duration>', 'Give up (and clean up) after this long.', '2m'),
    keep: booleanFlag('--keep', 'Keep the Namespace and its Pods for debugging; prints how to remove them.'),
    output: defaultedFlag('-o, --output <format>', 'Output format: table, json or yaml.', 'table', { completes: OUTPUT_FORMATS }),
  },
  probeCleanup: {},
  version: {
    client: booleanFlag('--client', 'Print the client version only; do not contact the cluster.'),
    output: valueFlag('-o, --output <format>', 'Output format: json or yaml (default: text).', { completes: ['json', 'yaml'] }),
  },
  multicastSwitch: {
    ...writeFlags,
    interfaces: valueFlag('--interfaces <names>', 'Set multicast.multicastInterfaces (comma-separated; v1.7+).'),
    igmpQueryInterval: valueFlag('--igmp-query-interval <duration>', 'Set multicast.igmpQueryInterval, e.g. 125s (v1.7+).'),
    igmpQueryVersions: valueFlag('--igmp-query-versions <list>', 'Set multicast.igmpQueryVersions, a subset of 1,2,3 (v1.12+).'),
    tkgs: booleanFlag('--tkgs', 'vSphere with Tanzu: change the Supervisor\'s AntreaConfig instead of antrea-config.'),
    tkgsCluster: valueFlag('--tkgs-cluster <name>', 'With --tkgs: the workload cluster (AntreaConfig <name>-antrea-package).'),
    namespace: valueFlag('--namespace <namespace>', 'With --tkgs: the vSphere Namespace of the cluster.'),
  },
  multicastRollback: {
    ...rollbackFlags,
    to: valueFlag('--to <id>', 'Restore this backup of the history (an ID shown by --list).'),
    force: booleanFlag('--force', 'Restore even though antrea-config changed since the backup was saved (that later change is lost).'),
    list: booleanFlag('--list', 'List the backups, newest first, and whether antrea-config still holds what each change wrote.'),
  },
  featuregateSet: writeFlags,
  igmpSetMax: {
    node: listFlag('--node <name>', 'A Node to change (repeatable).', { completes: 'nodes' }),
    selector: valueFlag('-l, --selector <selector>', 'The Nodes matching this label selector.'),
    allNodes: booleanFlag('--all-nodes', 'Every Node with an antrea-agent.'),
    allowDecrease: booleanFlag('--allow-decrease', 'Allow lowering the value.'),
    dryRun: booleanFlag('--dry-run', 'Show what would change and change nothing.'),
    persist: booleanFlag('--persist', 'Also apply a DaemonSet that sets the value again after every Node reboot.'),
    ...listOutputFlags,
    ...concurrencyFlag,
  },
} satisfies Record<string, FlagSet>;

export const globalFlags = {
  kubeconfig: valueFlag('--kubeconfig <path>', 'Path to the kubeconfig file to use for CLI requests.', { completes: 'files' }),
  context: listFlag('--context <name>', 'The name of the kubeconfig context to use; repeated, a read or doctor runs over each (a CLUSTER column).', { completes: 'contexts' }),
  allContexts: booleanFlag('--all-contexts', 'Run a read or doctor over every context of the kubeconfig at once (a CLUSTER column; a cluster that fails fails only its rows).'),
  requestTimeout: defaultedFlag(
    '--request-timeout <duration>',
    'The length of time to wait before giving up on a single API request (e.g. 1s, 2m). "0" means no timeout.',
    '0',
  ),
  nodeTimeout: defaultedFlag(
    '--node-timeout <duration>',
    'Deadline for each Node\'s answer (all of its execs together); a slower Node\'s work is ended and it is reported as failed.',
    '30s',
  ),
  deadline: defaultedFlag(
    '--deadline <duration>',
    'Deadline for the whole run (e.g. 1m): every API request and exec still running then is ended, the antrea-controller\'s too; Nodes that have not answered are reported as failed, and what answered is printed. "0" means none.',
    '0',
  ),
  antreaNamespace: defaultedFlag('--antrea-namespace <name>', 'The namespace where Antrea runs.', 'kube-system', { completes: 'namespaces' }),
  transport: defaultedFlag(
    '--transport <kind>',
    'How agents are asked for feature gates and Pod statistics: exec (antctl in the agent Pod) or api (the agent\'s own API, with an antctl ServiceAccount token).',
    'exec',
    { completes: ['exec', 'api'] },
  ),
  cluster: valueFlag('--cluster <name>', 'The name of the kubeconfig cluster to use.', { completes: 'clusters' }),
  user: valueFlag('--user <name>', 'The name of the kubeconfig user to use.', { completes: 'users' }),
  server: valueFlag('-s, --server <address>', 'The address and port of the Kubernetes API server.'),
  token: valueFlag('--token <token>', 'Bearer token for authentication to the API server.'),
  as: valueFlag('--as <user>', 'Username to impersonate for the operation. User could be a regular user or a service account in a namespace.'),
  asGroup: listFlag('--as-group <group>', 'Group to impersonate for the operation, this flag can be repeated to specify multiple groups.'),
  certificateAuthority: valueFlag('--certificate-authority <path>', 'Path to a cert file for the certificate authority.', { completes: 'files' }),
  insecureSkipTlsVerify: booleanFlag(
    '--insecure-skip-tls-verify',
    'If true, the server\'s certificate will not be checked for validity. This will make your HTTPS connections insecure.',
  ),
  agentInsecureSkipTlsVerify: booleanFlag(
    '--agent-insecure-skip-tls-verify',
    'With --transport api: do not verify the agents\' certificates (use only for agents without apiCABundle). Never applies to the API server.',
  ),
  v: defaultedFlag('-v, --v <level>', 'Number for the log level verbosity (6 logs requests, 8 adds bodies).', '0'),
  color: negatedFlag('--no-color', 'Never colour the output (also: NO_COLOR=1).'),
} satisfies FlagSet;

export const commandTable: CommandSpec = {
  name: 'mcastctl',
  summary: 'Inspect and manage Antrea multicast across a Kubernetes cluster',
  description:
    'mcastctl reads the multicast state of every Node of a cluster that runs the Antrea CNI, ' +
    'through the antrea-agent Pods, and shows it in one place.',
  examples: [
    'mcastctl doctor',
    'mcastctl get featuregates',
    'mcastctl get mroute --node k8s-node-1 --node k8s-node-2 -o wide',
    'mcastctl get igmp -l multicast=receivers --sort-by .headroom',
    'mcastctl get podmulticaststats -A --watch',
    'mcastctl multicast enable --dry-run',
    'mcastctl --context prod --as admin get multicastgroups -o json',
  ],
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
          flags: flagsOf.getFeaturegates,
          examples: [
            'mcastctl get featuregates',
            'mcastctl get featuregates --node k8s-node-2',
            'mcastctl get featuregates -o json',
          ],
          load: async () => (await import('./get-featuregates.js')).command,
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
          flags: flagsOf.getPodmulticaststats,
          examples: [
            'mcastctl get podmulticaststats -A',
            'mcastctl get podmulticaststats vlc-receiver-1 -n default',
            'mcastctl get podmulticaststats -n default -l app=vlc --watch --interval 5s',
            'mcastctl get podmulticaststats -A -o custom-columns=POD:.name,IN:.inbound',
          ],
          load: async () => (await import('./get-podmulticaststats.js')).command,
        },
        {
          name: 'mroute',
          summary: 'Kernel multicast routes of every Node',
          description:
            'Reads each Node\'s IPv4 multicast routing table through its antrea-agent Pod (host network): ' +
            '"ip -j -s mroute", or "ip -s mroute" with an older iproute2, or /proc/net/ip_mr_cache and ip_mr_vif ' +
            'without iproute2. Unresolved entries and packets that arrived on the wrong interface are highlighted. ' +
            'Address filters are applied by mcastctl.',
          flags: flagsOf.getMroute,
          examples: ['mcastctl get mroute', 'mcastctl get mroute --group 239.255.12.42 -o wide', 'mcastctl get mroute --node k8s-node-1 -o json'],
          load: async () => (await import('./get-mroute.js')).command,
        },
        {
          name: 'multicastgroups',
          summary: 'Multicast groups and their member Pods (stats.antrea.io)',
          description:
            'Lists the stats.antrea.io/v1alpha1 MulticastGroup resource served by antrea-controller: each group ' +
            'and the Pods that joined it. -o wide lists every member and the Node it runs on. The data can lag ' +
            'by up to a minute (agents report every 60s) and needs the NetworkPolicyStats feature gate.',
          args: [{ name: 'GROUP', description: 'Only this group (an IPv4 address).', required: false }],
          flags: flagsOf.getMulticastgroups,
          examples: ['mcastctl get multicastgroups', 'mcastctl get multicastgroups 239.255.12.42 -o wide'],
          load: async () => (await import('./get-multicastgroups.js')).command,
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
          flags: flagsOf.getIgmp,
          examples: ['mcastctl get igmp', 'mcastctl get igmp --node k8s-node-2 -o yaml'],
          load: async () => (await import('./get-igmp.js')).command,
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
        'igmp_max_memberships limit, traffic without receivers and unresolved routes, and whether antrea-config ' +
        'passes the running release\'s start-up rules. Each check reads PASS, WARN, FAIL or UNKNOWN with the ' +
        'Nodes concerned and the fix, with the command that applies it where one exists; a check that ' +
        'lacks the evidence of some Node is UNKNOWN, never PASS, unless the others already fail it. Exits 6 when a check FAILs, else 7 when one is UNKNOWN.',
      flags: flagsOf.doctor,
      examples: ['mcastctl doctor', 'mcastctl doctor --check igmp-limits', 'mcastctl doctor --check igmp-limits,agents-ready', 'mcastctl doctor -o json'],
      load: async () => (await import('./doctor.js')).command,
    },
    {
      name: 'probe',
      summary: 'Prove multicast delivery end to end with test Pods',
      description:
        'Creates Namespace mcastctl-probe-<random> (labelled app.kubernetes.io/managed-by=mcastctl), a receiver Pod ' +
        'on every target Node and a sender Pod on --from, all running the mcjoin image Antrea\'s multicast e2e tests ' +
        'use, pinned with nodeName. The sender sends --count packets every --interval; each receiver reports what ' +
        'arrived. Paths: Pod to Pod on the same Node (local-pods) and across Nodes (inter-node-pods); with --external ' +
        'a hostNetwork receiver as the external host (to-external), with --from-external a hostNetwork sender ' +
        '(from-external), both only outside encap mode. Prints PATH, FROM, TO, SENT, RECEIVED, LOSS, VERDICT and the ' +
        'EVIDENCE that explains a failure (multicast off on an agent, no (S,G) route on the sender\'s Node, a Node at ' +
        'igmp_max_memberships, a group in 224.0.0.0/24, podmulticaststats deltas). The Namespace is always deleted ' +
        'and waited for (also on failure, timeout, SIGINT and SIGTERM) unless --keep. Exits 11 when a path did not ' +
        'deliver every packet, naming the Nodes.',
      flags: flagsOf.probe,
      examples: [
        'mcastctl probe',
        'mcastctl probe --from k8s-node-1 --to k8s-node-2,k8s-node-3 --count 20 --interval 100ms',
        'mcastctl probe --external --from-external -o json',
        'mcastctl probe cleanup',
      ],
      load: async () => (await import('./probe.js')).command,
      subcommands: [
        {
          name: 'cleanup',
          summary: 'Delete every Namespace and Pod a probe left behind',
          description: 'Deletes every Namespace and Pod labelled app.kubernetes.io/managed-by=mcastctl,app.kubernetes.io/component=multicast-probe (left by --keep or by a probe that was killed) and waits until they are gone.',
          flags: flagsOf.probeCleanup,
          examples: ['mcastctl probe cleanup'],
          load: async () => (await import('./probe-cleanup.js')).command,
        },
      ],
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
      flags: flagsOf.completion,
      examples: ['mcastctl completion bash > /etc/bash_completion.d/mcastctl', 'source <(mcastctl completion zsh)', 'mcastctl completion fish | source'],
      // The scripts complete the mcastctl command; kubectl completes its plugins itself.
      asPlugin: {
        description:
          'Prints a completion script for the shell, for the mcastctl command. As a kubectl plugin, "kubectl ' +
          'antrea-multicast" is completed by kubectl\'s own completion (kubectl 1.26 or later), which runs ' +
          'kubectl_complete-antrea_multicast, installed with the plugin: bash: source <(kubectl completion bash); ' +
          'zsh: source <(kubectl completion zsh); fish: kubectl completion fish | source.',
        examples: ['source <(kubectl completion bash)', 'source <(kubectl completion zsh)', 'kubectl completion fish | source'],
      },
      load: async () => (await import('./completion.js')).command,
    },
    {
      name: 'version',
      summary: 'Print the client version and the Antrea versions running in the cluster',
      description:
        'Prints mcastctl\'s version, then the Antrea versions the cluster runs: the controller\'s (AntreaControllerInfo, ' +
        'else its image tag) and the agents\' (AntreaAgentInfo of every Node, else the agent image tag), each distinct ' +
        'agent version with the Nodes that run it. With --client, the cluster is not contacted.',
      flags: flagsOf.version,
      examples: ['mcastctl version', 'mcastctl version --client', 'mcastctl version -o json'],
      load: async () => (await import('./version.js')).command,
    },
    {
      name: 'help',
      summary: 'Help about any command',
      description: 'Prints the help of a command: "mcastctl help get mroute" is "mcastctl get mroute --help".',
      args: [{ name: 'COMMAND', description: 'The command path, e.g. "get mroute".', required: false, variadic: true, completes: 'commands' }],
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
            'antrea-controller.conf; from v1.12 sets multicast.enable: true in antrea-agent.conf. The edited config is ' +
            'checked with the running release\'s start-up rules first: what its agents would reject (crash loop) is ' +
            'refused before anything is written (exit 8), misplaced keys are moved where the release reads them. When ' +
            'the ConfigMap already says so but agents run something else, they are restarted (exit 9 with --no-restart). ' +
            '--wait undoes a change the agents crash-loop on (exit 10). The ConfigMap is written with its ' +
            'resourceVersion (a concurrent change is re-read and the edit re-applied), the previous data is saved in ' +
            'ConfigMap antrea-config-mcastctl-backup first, and "multicast rollback" restores it. On a vSphere with ' +
            'Tanzu (TKGs) cluster the Supervisor reverts such edits: use --tkgs against the Supervisor.',
          flags: flagsOf.multicastSwitch,
          examples: [
            'mcastctl multicast enable --dry-run',
            'mcastctl multicast enable --wait',
            'mcastctl multicast enable --interfaces eth0,eth1 --igmp-query-interval 60s',
            'mcastctl multicast enable --tkgs --tkgs-cluster mccluster --namespace mcast',
          ],
          load: async () => (await import('./multicast.js')).enable,
        },
        {
          name: 'disable',
          summary: 'Switch multicast off (version-aware), restart and verify',
          description: 'The reverse of "multicast enable": the gate (before v1.12) or multicast.enable (v1.12+) set to false.',
          flags: flagsOf.multicastSwitch,
          examples: ['mcastctl multicast disable --dry-run', 'mcastctl multicast disable --wait'],
          load: async () => (await import('./multicast.js')).disable,
        },
        {
          name: 'rollback',
          summary: 'Restore antrea-config as it was before mcastctl last changed it',
          description:
            'Every change saves what it replaces in ConfigMap antrea-config-mcastctl-backup, a history of the last ' +
            '20 backups (a change that then failed to write keeps the older ones). Rollback restores the backup of ' +
            'the change that produced what antrea-config holds now (the data it replaces is saved in turn, so a ' +
            'second rollback undoes the first), then restarts the agents. If antrea-config changed since (another ' +
            'writer), rollback prints the diff it would drop and refuses, unless --force.',
          flags: flagsOf.multicastRollback,
          examples: ['mcastctl multicast rollback --dry-run', 'mcastctl multicast rollback --wait', 'mcastctl multicast rollback --list', 'mcastctl multicast rollback --to 20261129T212300123Z'],
          load: async () => (await import('./multicast.js')).rollback,
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
          args: [{ name: 'NAME=BOOL', description: 'e.g. Multicast=true', required: true, completes: 'gates' }],
          flags: flagsOf.featuregateSet,
          examples: ['mcastctl featuregate set Multicast=true --wait', 'mcastctl featuregate set NetworkPolicyStats=true --dry-run'],
          load: async () => (await import('./featuregate-set.js')).command,
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
          flags: flagsOf.igmpSetMax,
          examples: [
            'mcastctl igmp set-max 64 --node k8s-node-2',
            'mcastctl igmp set-max 64 --all-nodes --dry-run',
            'mcastctl igmp set-max 128 -l multicast=receivers --persist',
          ],
          load: async () => (await import('./igmp-set-max.js')).command,
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
