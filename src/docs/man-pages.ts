/**
 * Man pages (roff, man(7) macros) generated from the command table: mcastctl.1 and one page per
 * command, with NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXAMPLES, EXIT STATUS and SEE ALSO.
 * Build-time only: the CLI never loads this module.
 */
import { commandTable, flagList, globalFlags, walkCommands, type CommandSpec, type FlagSpec } from '../commands/command-table.js';
import { exitCodeDescriptions } from '../errors.js';
import { VERSION } from '../version.js';

/** The pages' date: that of the release, so regenerating them gives the same bytes. */
export const MAN_DATE = '2026-11-23';

/** Escapes text for roff: backslashes, leading dots and quotes, and hyphens in option names. */
function esc(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

const pageName = (path: string[]) => path.join('-');

function flagBlock(flags: FlagSpec[]): string[] {
  return flags.flatMap((f) => {
    const def = typeof f.defaultValue === 'string' ? ` (default: ${f.defaultValue})` : '';
    return ['.TP', `.B ${esc(f.flags)}`, esc(`${f.description}${def}`)];
  });
}

/** One synopsis line per way to call the command: a command that runs itself and has subcommands (probe) has both. */
function synopsis(path: string[], spec: CommandSpec): string[] {
  const args = (spec.args ?? []).map((a) => (a.required ? a.name : `[${a.name}]`)).join(' ');
  const lines: string[] = [];
  if (spec.load || !spec.subcommands?.length) lines.push(`${path.join(' ')} ${args ? `${args} ` : ''}[options]`.replace(/\s+/g, ' ').trim());
  if (spec.subcommands?.length) lines.push(`${path.join(' ')} COMMAND [options]`);
  return lines;
}

/** The environment variables mcastctl reads (and the one it sets for credential plugins). */
export const ENVIRONMENT: ReadonlyArray<[string, string]> = [
  ['KUBECONFIG', 'A list of kubeconfig files separated by ":", merged as kubectl merges them (the first file that defines a name wins; files that do not exist are skipped). Ignored with --kubeconfig.'],
  ['HOME', 'Where ~/.kube/config is looked for when neither --kubeconfig nor KUBECONFIG is set.'],
  ['KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT', 'Inside a Pod without any kubeconfig: the API server, reached with the Pod\'s ServiceAccount.'],
  ['KUBERNETES_EXEC_INFO', 'Set by mcastctl for exec credential plugins of the kubeconfig: an ExecCredential with spec.interactive false, and spec.cluster when provideClusterInfo is true.'],
  ['NO_COLOR', 'Any value: never colour the output (as --no-color).'],
  ['TERM', 'dumb: no colour and no spinner.'],
  ['CI', 'Any value: no spinner.'],
  ['POD_NAME, NODE_NAME, POD_NAMESPACE', 'Inside an antrea-agent container (POD_NAME starting with antrea-agent), get featuregates and get podmulticaststats ask the local agent\'s API, as antctl in agent mode does.'],
  ['MCASTCTL_AGENT_API, MCASTCTL_AGENT_TOKEN_FILE', 'In an antrea-agent container: the local agent API address (default https://127.0.0.1:10350) and its loopback token file.'],
  ['MCASTCTL_DEBUG', 'Any value: print the stack trace of an unexpected error after its one-line message.'],
];

export function manPage(path: string[], spec: CommandSpec, date: string): string {
  const name = pageName(path);
  const lines: string[] = [
    `.TH ${name.toUpperCase().replace(/-/g, '\\-')} 1 "${date}" "mcastctl ${VERSION}" "User Commands"`,
    '.SH NAME',
    `${esc(name)} \\- ${esc(spec.summary)}`,
    '.SH SYNOPSIS',
    ...synopsis(path, spec).flatMap((line, i) => [...(i > 0 ? ['.br'] : []), `.B ${esc(line)}`]),
    '.SH DESCRIPTION',
    esc(spec.description),
  ];
  if (spec.subcommands?.length) {
    lines.push('.SH COMMANDS');
    for (const sub of spec.subcommands) lines.push('.TP', `.B ${esc(sub.name)}`, esc(sub.summary));
  }
  if (spec.args?.length) {
    lines.push('.SH ARGUMENTS');
    for (const a of spec.args) lines.push('.TP', `.B ${esc(a.name)}`, esc(a.description));
  }
  const own = flagList(spec === commandTable ? globalFlags : spec.flags);
  if (own.length) lines.push('.SH OPTIONS', ...flagBlock(own));
  if (spec !== commandTable) lines.push('.SH GLOBAL OPTIONS', ...flagBlock(flagList(globalFlags)));
  if (spec.examples?.length) {
    lines.push('.SH EXAMPLES');
    // The first example follows the heading directly: a paragraph macro there is redundant.
    spec.examples.forEach((e, i) => lines.push(...(i > 0 ? ['.PP'] : []), '.nf', '.RS 4', esc(e), '.RE', '.fi'));
  }
  lines.push('.SH ENVIRONMENT');
  for (const [name, text] of ENVIRONMENT) lines.push('.TP', `.B ${esc(name)}`, esc(text));
  lines.push('.SH EXIT STATUS');
  for (const [code, text] of exitCodeDescriptions) lines.push('.TP', `.B ${code}`, esc(text));
  const related = [...walkCommands()]
    .filter(([p, s]) => s !== spec && (s.load || p.length === 1))
    .map(([p]) => `.BR ${esc(pageName(p))} (1)`);
  lines.push('.SH SEE ALSO', ...related.map((r, i) => (i < related.length - 1 ? `${r},` : r)));
  return `${lines.join('\n')}\n`;
}

/** Every page, by file name: the root page and one per command that runs something. */
export function allManPages(date: string): Map<string, string> {
  const pages = new Map<string, string>();
  for (const [path, spec] of walkCommands()) {
    if (path.length === 1 || spec.load) pages.set(`${pageName(path)}.1`, manPage(path, spec, date));
  }
  return pages;
}
