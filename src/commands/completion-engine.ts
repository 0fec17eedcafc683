/**
 * Shell completion answers, computed from the command table. The shell scripts (and kubectl, for
 * the plugin, through kubectl_complete-antrea_multicast) send the words typed so far to the hidden
 * "__complete" command, which answers in cobra's protocol: one candidate a line, optionally
 * "\t" and a description, then ":<directive>". Static answers (commands, flags, -o values, doctor
 * checks, gate names) never load the Kubernetes client; Node, namespace and Pod names are asked of
 * the current context, briefly; context, cluster and user names are read from the kubeconfig.
 */
import { commandTable, flagList, globalFlags, type CommandSpec, type FlagSpec } from './command-table.js';
import type { Completes } from './define-command.js';

/** cobra's ShellCompDirective bits (spf13/cobra completions.go). */
export const Directive = {
  /** Let the shell complete file names. */
  Default: 0,
  NoSpace: 2,
  NoFileComp: 4,
} as const;

export interface Candidate {
  value: string;
  description?: string;
}

export interface Completion {
  candidates: Candidate[];
  directive: number;
}

interface ParsedFlag {
  spec: FlagSpec;
  names: string[];
  takesValue: boolean;
}

function parseFlag(spec: FlagSpec): ParsedFlag {
  const names = spec.flags.split(/[ ,]+/).filter((p) => p.startsWith('-'));
  return { spec, names, takesValue: /[<[]/.test(spec.flags) };
}

/** The first sentence of a help text: enough for a completion menu. */
function short(text: string): string {
  const end = text.search(/\.(\s|$)/);
  return (end > 0 ? text.slice(0, end) : text).replace(/\s+/g, ' ').trim();
}

export type DynamicKind = 'nodes' | 'namespaces' | 'pods' | 'contexts' | 'clusters' | 'users';
export type Completer = (kind: DynamicKind, context: { words: string[]; namespace?: string }) => Promise<string[]>;

const none: Completion = { candidates: [], directive: Directive.NoFileComp };

/** The candidates for the last word of `words` (the words after the program name, the last one partial). */
export async function complete(words: string[], dynamic: Completer): Promise<Completion> {
  const current = words[words.length - 1] ?? '';
  const before = words.slice(0, -1);
  let command: CommandSpec = commandTable;
  const flags = flagList(globalFlags).map(parseFlag);
  const positionals: string[] = [];
  let positional = 0;
  let namespace: string | undefined;
  let expecting: ParsedFlag | undefined;
  for (const word of before) {
    if (expecting) {
      if (expecting.names.includes('--namespace')) namespace = word;
      expecting = undefined;
      continue;
    }
    if (word.startsWith('-')) {
      const [name, value] = splitFlag(word);
      const flag = flags.find((f) => f.names.includes(name));
      if (flag?.takesValue && value === undefined) expecting = flag;
      if (flag?.names.includes('--namespace') && value !== undefined) namespace = value;
      continue;
    }
    const sub = command.subcommands?.find((c) => c.name === word);
    if (sub && positional === 0) {
      command = sub;
      flags.push(...flagList(sub.flags).map(parseFlag));
    } else {
      positional++;
      positionals.push(word);
    }
  }
  const matching = (candidates: Candidate[]) => candidates.filter((c) => c.value.startsWith(current));
  if (expecting) return valueCandidates(expecting.spec.completes, current, '', words, namespace, dynamic, positionals);
  if (current.startsWith('-')) {
    const [name, value] = splitFlag(current);
    if (value !== undefined) {
      // --flag=value: the value completed, the "--flag=" kept in front of it.
      const flag = flags.find((f) => f.names.includes(name));
      if (!flag?.takesValue) return none;
      return valueCandidates(flag.spec.completes, value, `${name}=`, words, namespace, dynamic, positionals);
    }
    const all = new Map<string, string>();
    for (const f of flags) for (const n of f.names) if (n.startsWith('--')) all.set(n, short(f.spec.description));
    all.set('--help', 'Display help for the command');
    const candidates = [...all].sort(([a], [b]) => a.localeCompare(b)).map(([value, description]) => ({ value, description }));
    return { candidates: matching(candidates), directive: Directive.NoFileComp };
  }
  if (command.subcommands?.length && positional === 0) {
    return { candidates: matching(command.subcommands.map((c) => ({ value: c.name, description: c.summary })).sort((a, b) => a.value.localeCompare(b.value))), directive: Directive.NoFileComp };
  }
  const arg = command.args?.[Math.min(positional, (command.args?.length ?? 1) - 1)];
  if (arg && (positional < (command.args?.length ?? 0) || arg.variadic)) return valueCandidates(arg.completes, current, '', words, namespace, dynamic, positionals);
  return none;
}

function splitFlag(word: string): [string, string | undefined] {
  const at = word.indexOf('=');
  return at < 0 ? [word, undefined] : [word.slice(0, at), word.slice(at + 1)];
}

async function valueCandidates(
  completes: Completes | undefined,
  current: string,
  prefix: string,
  words: string[],
  namespace: string | undefined,
  dynamic: Completer,
  positionals: string[],
): Promise<Completion> {
  if (completes === undefined) return none;
  if (completes === 'files') {
    // The shell completes file names; a "--flag=" prefix is not part of a file name.
    return { candidates: [], directive: Directive.Default };
  }
  let values: Candidate[];
  if (Array.isArray(completes)) values = completes.map((value) => ({ value }));
  else if (completes === 'commands') values = commandsAt(positionals);
  else if (completes === 'checks') values = await doctorChecks();
  else if (completes === 'gates') values = await gateAssignments(current);
  else values = (await dynamic(completes as DynamicKind, { words, namespace }).catch(() => [] as string[])).map((value) => ({ value }));
  const candidates = values.filter((c) => c.value.startsWith(current)).map((c) => ({ ...c, value: `${prefix}${c.value}` }));
  return { candidates, directive: Directive.NoFileComp };
}

/** "help get m…": the commands below the words already typed after "help". */
function commandsAt(typed: string[]): Candidate[] {
  let spec: CommandSpec = commandTable;
  for (const word of typed) {
    const next = spec.subcommands?.find((c) => c.name === word);
    if (!next) return [];
    spec = next;
  }
  return (spec.subcommands ?? []).map((c) => ({ value: c.name, description: c.summary }));
}

async function doctorChecks(): Promise<Candidate[]> {
  const { CHECKS } = await import('../antrea/doctor-checks.js');
  return CHECKS.map((c) => ({ value: c.name, description: c.summary }));
}

/** featuregate set: a gate name followed by "=", then true or false. */
async function gateAssignments(current: string): Promise<Candidate[]> {
  const { catalogueFor, parseRelease } = await import('../antrea/featuregate-catalogue.js');
  const at = current.indexOf('=');
  if (at >= 0) return ['true', 'false'].map((v) => ({ value: `${current.slice(0, at)}=${v}` }));
  const newest = catalogueFor(parseRelease('v999.0.0')!);
  return newest.gates.map((g) => ({ value: `${g.name}=`, description: `${g.stage}, default ${g.default ? 'on' : 'off'}` }));
}

/** cobra's wire format: "value\tdescription" lines, then ":directive". Tabs and newlines inside a field are flattened. */
export function formatCompletion(completion: Completion): string {
  const clean = (s: string) => s.replace(/[\t\r\n]+/g, ' ');
  const lines = completion.candidates.map((c) => (c.description ? `${clean(c.value)}\t${clean(c.description)}` : clean(c.value)));
  return `${lines.map((l) => `${l}\n`).join('')}:${completion.directive}\n`;
}
