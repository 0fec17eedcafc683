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
