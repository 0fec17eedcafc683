/**
 * Shell completion answers, computed from the command table. The shell scripts send the words typed
 * so far to the hidden "__complete" command; static answers (commands, flags, -o values) never load
 * the Kubernetes client; Node, namespace and Pod names are asked of the current context, briefly.
 */
import { commandTable, flagList, globalFlags, type CommandSpec, type FlagSpec } from './command-table.js';

export const FILES_DIRECTIVE = '__files__';

interface ParsedFlag {
  spec: FlagSpec;
  names: string[];
  takesValue: boolean;
}

function parseFlag(spec: FlagSpec): ParsedFlag {
  const names = spec.flags.split(/[ ,]+/).filter((p) => p.startsWith('-'));
  return { spec, names, takesValue: /[<[]/.test(spec.flags) };
}

export type Completer = (kind: 'nodes' | 'namespaces' | 'pods' | 'contexts', context: { words: string[]; namespace?: string }) => Promise<string[]>;

/** The candidates for the last word of `words` (words after the program name). */
export async function complete(words: string[], dynamic: Completer): Promise<string[]> {
  const current = words[words.length - 1] ?? '';
  const before = words.slice(0, -1);
  let command: CommandSpec = commandTable;
  const flags = flagList(globalFlags).map(parseFlag);
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
      const flag = flags.find((f) => f.names.includes(word.split('=')[0]));
      if (flag?.takesValue && !word.includes('=')) expecting = flag;
      continue;
    }
    const sub = command.subcommands?.find((c) => c.name === word);
    if (sub) {
      command = sub;
      flags.push(...flagList(sub.flags).map(parseFlag));
    } else {
      positional++;
    }
  }
  const matching = (candidates: string[]) => candidates.filter((c) => c.startsWith(current));
  if (expecting) return valueCandidates(expecting.spec, current, words, namespace, dynamic);
  if (current.startsWith('-')) return matching([...new Set([...flags.flatMap((f) => f.names.filter((n) => n.startsWith('--'))), '--help'])].sort());
  if (command.subcommands?.length) return matching(command.subcommands.map((c) => c.name).sort());
  const arg = command.args?.[positional];
  if (arg?.completes) return valueCandidates({ flags: arg.name, description: '', completes: arg.completes }, current, words, namespace, dynamic);
  return [];
}

async function valueCandidates(spec: FlagSpec, current: string, words: string[], namespace: string | undefined, dynamic: Completer): Promise<string[]> {
  const completes = spec.completes;
  if (completes === undefined) return [];
  if (completes === 'files') return [FILES_DIRECTIVE];
  const list = Array.isArray(completes) ? [...completes] : await dynamic(completes as 'nodes', { words, namespace }).catch(() => []);
  return list.filter((c) => c.startsWith(current));
}
