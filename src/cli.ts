import { Writable } from 'node:stream';
import { Command, CommanderError, Option } from 'commander';
import { commandTable, flagList, globalFlags, walkCommands, type CommandSpec, type FlagSet, type FlagSpec } from './commands/command-table.js';
import type { FlagValues } from './commands/define-command.js';
import type { CommandContext, GlobalOptions, KubeApi, RunContext, Streams } from './context.js';
import { parseDuration } from './duration.js';
import { CliError, ExitCode, UsageError, errorLine, exitCodeDescriptions } from './errors.js';
import { notFlagLike } from './flag-values.js';
import { encodeArtifact, type PrecomputedArtifact, type PrecomputedOutputs } from './precomputed-help.js';
import { BINARY_NAMES, programNameFor } from './program-name.js';
import { VERSION } from './version.js';

export { VERSION, programNameFor };

export interface CliIo extends Streams {
  /** The Kubernetes API for a run; by default the client of the kubeconfig's selected context. Tests pass a fake. */
  cluster?: (ctx: RunContext) => Promise<KubeApi>;
}

function toOption(flag: FlagSpec, global = false, programName = 'mcastctl'): Option {
  const option = new Option(flag.flags, helpTextFor(flag.description, programName));
  if (flag.defaultValue !== undefined) option.default(flag.defaultValue);
  if (Array.isArray(flag.completes) && !flag.completes.some((c) => c.endsWith('='))) option.choices(flag.completes as string[]);
  const name = option.long ?? option.short ?? flag.flags;
  const checked = (value: string) => notFlagLike(value, name, { allowEmpty: global });
  if (flag.repeatable) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), checked(value)]);
  else if (option.required && !option.argChoices) option.argParser(checked);
  return option;
}

/** The exit codes, numbers aligned and each text wrapped at HELP_WIDTH under its own start. */
function exitCodesHelp(): string {
  const codeWidth = Math.max(...exitCodeDescriptions.map(([code]) => String(code).length));
  const lines = exitCodeDescriptions.map(([code, text]) => {
    const lead = `  ${String(code).padStart(codeWidth)}  `;
    const out: string[] = [];
    let line = lead;
    for (const word of text.split(' ')) {
      if (line.length > lead.length && line.length + 1 + word.length > HELP_WIDTH) {
        out.push(line);
        line = ' '.repeat(lead.length) + word;
      } else line += line.length > lead.length ? ` ${word}` : word;
    }
    return [...out, line].join('\n');
  });
  return `\nExit status:\n${lines.join('\n')}\n`;
}

/** One raw value per key of `flags`, read from commander's options by each flag's attribute name. */
function flagValues<F extends FlagSet>(command: Command, flags: F): FlagValues<F> {
  const parsed = command.opts<Record<string, unknown>>();
  const values: Record<string, unknown> = {};
  for (const [key, flag] of Object.entries(flags)) values[key] = parsed[new Option(flag.flags).attributeName()];
  return values as FlagValues<F>;
}

function readGlobals(root: Command): GlobalOptions {
  const o = flagValues(root, globalFlags);
  const verbosity = Number(o.v.replace(/^=/, ''));
  if (!Number.isInteger(verbosity) || verbosity < 0) throw new UsageError(`invalid log level "${o.v}" for -v: use a number such as 6`);
  const namespace = o.antreaNamespace;
  if (namespace === '') throw new UsageError('--antrea-namespace must not be empty');
  return {
    kubeconfig: o.kubeconfig,
    context: o.context?.[0],
    contexts: o.context ?? [],
    allContexts: o.allContexts === true,
    requestTimeoutMs: parseDuration(o.requestTimeout, '--request-timeout'),
    nodeTimeoutMs: parseDuration(o.nodeTimeout, '--node-timeout'),
    ...runDeadline(parseDuration(o.deadline, '--deadline')),
    antreaNamespace: namespace,
    verbosity,
    color: o.color !== false,
    // commander has already checked the value against the flag's choices.
    transport: o.transport === 'api' ? 'api' : 'exec',
    insecureSkipTlsVerify: o.insecureSkipTlsVerify === true,
    agentInsecureSkipTlsVerify: o.agentInsecureSkipTlsVerify === true,
    server: o.server,
    token: o.token,
    as: o.as,
    asGroups: o.asGroup ?? [],
    user: o.user,
    cluster: o.cluster,
    certificateAuthority: o.certificateAuthority,
  };
}

/** --deadline counts from the start of the run. */
function runDeadline(ms: number): Pick<GlobalOptions, 'runDeadlineAt'> {
  return ms > 0 ? { runDeadlineAt: Date.now() + ms } : {};
}

/** The context of one run; the cluster client is created on first use and then shared. */
export function commandContext(io: CliIo, programName: string, globals: GlobalOptions): CommandContext {
  const { cluster, ...streams } = io;
  const run: RunContext = { ...streams, programName, globals };
  let client: Promise<KubeApi> | undefined;
  const connect = cluster ?? (async (c: RunContext) => (await import('./cluster/kube-client.js')).openCluster(c));
  return { ...run, cluster: () => (client ??= connect(run)) };
}

/** cobra's wording, which kubectl prints: the typed word, the command path, then close matches. */
class UnknownCommandError extends UsageError {
  constructor(typed: string, commandPath: string, candidates: string[]) {
    const suggestions = suggestionsFor(typed, candidates);
    super(`unknown command "${typed}" for "${commandPath}"${suggestions.length ? `\n\nDid you mean this?\n${suggestions.map((s) => `\t${s}`).join('\n')}` : ''}`);
  }
}

/** cobra's SuggestionsFor: a Levenshtein distance of at most 2 (ignoring case), or a prefix. */
export function suggestionsFor(typed: string, candidates: string[]): string[] {
  const lower = typed.toLowerCase();
  return candidates.filter((name) => levenshtein(lower, name.toLowerCase()) <= 2 || name.toLowerCase().startsWith(lower));
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

const visibleNames = (cmd: Command) => cmd.commands.map((c) => c.name());

/** kubectl get's "You must specify the type of resource to get", for every group command, with the subcommands to choose from. */
class MissingSubcommandError extends UsageError {
  constructor(spec: CommandSpec, readonly commandPath: string, names: string[]) {
    const what = spec.name === 'get' ? 'the type of resource to get' : `a subcommand of "${commandPath}"`;
    super(`You must specify ${what}: one of ${names.join(', ')}`);
  }
}

/** The command path a usage error points to for help: "mcastctl get mroute", as kubectl names the subcommand. */
const commandPathOf = (cmd: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
};

const usageHint = (commandPath: string) => `See '${commandPath} --help' for usage.`;

/** "help get mroute": the help of that command, or the unknown-command error for the first word that names none. */
function helpFor(root: Command, programName: string, words: string[]): Command {
  let target = root;
  const path = [programName];
  for (const word of words) {
    const next = target.commands.find((c) => c.name() === word);
    if (!next) throw new UnknownCommandError(word, path.join(' '), visibleNames(target));
    target = next;
    path.push(word);
  }
  return target;
}

/** "mcastctl" where a text says to run it: followed by one of its commands or a flag. */
const COMMAND_LINE_MENTION = new RegExp(`(?<![\\w./=-])mcastctl(?= (?:-|(?:${(commandTable.subcommands ?? []).map((c) => c.name).join('|')})\\b))`, 'g');

/**
 * A help text of the command table as this run's program would have it: every command line in it
 * ("mcastctl help get mroute", "source <(mcastctl completion bash)") names `programName` ("kubectl
 * antrea-multicast" for the kubectl plugin, whose install has no mcastctl binary). The product's
 * name elsewhere ("mcastctl reads …", a label value, a ConfigMap name) stays.
 */
export function helpTextFor(text: string, programName: string): string {
  return programName === 'mcastctl' ? text : text.replace(COMMAND_LINE_MENTION, programName);
}

function buildCommand(spec: CommandSpec, io: CliIo, programName: string, root: () => Command, result: { code: number }, path: string[] = [programName]): Command {
  const plugin = programName !== 'mcastctl' ? spec.asPlugin : undefined;
  const cmd = new Command(spec.name).description(plugin?.description ?? helpTextFor(spec.description, programName)).summary(helpTextFor(spec.summary, programName));
  for (const arg of spec.args ?? []) {
    const name = `${arg.name}${arg.variadic ? '...' : ''}`;
    cmd.argument(arg.required ? `<${name}>` : `[${name}]`, helpTextFor(arg.description, programName));
  }
  for (const flag of flagList(spec.flags)) cmd.addOption(toOption(flag, false, programName));
  if (spec.examples?.length) {
    // Every example is a command line: one that starts with the program names this run's.
    const examples = (plugin?.examples ?? spec.examples.map((e) => helpTextFor(e.replace(/^mcastctl/, programName), programName))).map((e) => `  ${e}`).join('\n');
    cmd.addHelpText('after', `\nExamples:\n${examples}\n${exitCodesHelp()}`);
  }
  for (const sub of spec.subcommands ?? []) cmd.addCommand(buildCommand(sub, io, programName, root, result, [...path, sub.name]));
  if (spec.name === 'help' && path.length === 2) {
    cmd.action((_words: unknown, _opts: unknown, self: Command) => {
      helpFor(root(), programName, self.args).outputHelp();
    });
  } else if (spec.load) {
    const load = spec.load;
    cmd.action(async (...params: unknown[]) => {
      const self = params[params.length - 1] as Command;
      const args = self.args;
      const globals = readGlobals(root());
      const command = await load();
      const values = flagValues(self, spec.flags ?? {});
      if (globals.allContexts || globals.contexts.length > 1) {
        const { runFleet } = await import('./commands/fleet.js');
        const commandPath = [self.parent?.parent ? self.parent.name() : '', self.name()].filter(Boolean).join(' ');
        result.code = await runFleet({
          commandPath, command, args, flagValues: values, globals, stdout: io.stdout, stderr: io.stderr, env: io.env,
          contextFor: (g, stdout, stderr) => commandContext({ ...io, stdout, stderr }, programName, g),
        });
        return;
      }
      const ctx = commandContext(io, programName, globals);
      result.code = await command.execute(ctx, args, values);
    });
  } else if (spec.subcommands?.length) {
    // A word that names no subcommand reaches this action (not commander's "too many arguments").
    cmd.allowExcessArguments(true);
    cmd.action((_opts: unknown, self: Command) => {
      const typed = self.args[0];
      if (typed !== undefined) throw new UnknownCommandError(typed, path.join(' '), visibleNames(self));
      // Only the bare program prints its help; a group without its subcommand is a usage error, so a
      // script whose resource word went missing fails instead of "succeeding" with a help text.
      if (path.length === 1) self.outputHelp();
      else throw new MissingSubcommandError(spec, path.join(' '), visibleNames(self));
    });
  }
  return cmd;
}

/**
 * Help is wrapped at 80 columns whatever the terminal, as kubectl's (cobra's) help: commander
 * would wrap at the terminal's width, so the same command printed different text in a terminal
 * and in a pipe, and the build's stored help (renderPrecomputedArtifact) could differ from what
 * commander prints. commander's help is never styled (no colour): the text is the same in both.
 */
const HELP_WIDTH = 80;

/** Runs mcastctl with the given arguments (without node and script) and returns its exit code. */
export async function runCli(args: string[], io: CliIo, argv0 = 'mcastctl'): Promise<number> {
  const programName = programNameFor(argv0);
  if (args[0] === '__complete') {
    const [{ complete, formatCompletion }, { dynamicCompleter }] = await Promise.all([import('./commands/completion-engine.js'), import('./commands/complete-dynamic.js')]);
    const completion = await complete(args.slice(1), dynamicCompleter(io)).catch(() => ({ candidates: [], directive: 4 }));
    io.stdout.write(formatCompletion(completion));
    return ExitCode.OK;
  }
  const result = { code: ExitCode.OK as number };
  let program!: Command;
  program = buildCommand(commandTable, io, programName, () => program, result);
  program.name(programName).version(VERSION, '--version', 'Print the version of this program.');
  program.helpCommand(false);
  for (const flag of flagList(globalFlags)) program.addOption(toOption(flag, true, programName));
  program.showSuggestionAfterError(true);
  const writeErr = (s: string) => io.stderr.write(s);
  program.configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr, outputError: () => {} });
  const applyToAll = (c: Command) => {
    // The command that refused the arguments rides along on the error, for the help hint.
    c.exitOverride((err) => {
      throw Object.assign(err, { commandPath: commandPathOf(c) });
    });
    c.configureHelp({ showGlobalOptions: true, helpWidth: HELP_WIDTH });
    c.configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr, outputError: () => {} });
    c.commands.forEach(applyToAll);
  };
  applyToAll(program);
  try {
    await program.parseAsync(args, { from: 'user' });
    return result.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.OK;
      const message = err.message.replace(/^error: /, '');
      io.stderr.write(`error: ${message}\n${usageHint((err as CommanderError & { commandPath?: string }).commandPath ?? programName)}\n`);
      return ExitCode.USAGE;
    }
    if (err instanceof MissingSubcommandError) {
      io.stderr.write(`error: ${err.message}\n${usageHint(err.commandPath)}\n`);
      return ExitCode.USAGE;
    }
    io.stderr.write(err instanceof UnknownCommandError ? `error: ${err.message}\n` : `${errorLine(err)}\n`);
    if (err instanceof CliError) return err.exitCode;
    if (io.env.MCASTCTL_DEBUG) io.stderr.write(`${(err as Error).stack}\n`);
    return ExitCode.ERROR;
  }
}

/** Runs the CLI in-process and returns what it printed on stdout; throws unless it exited 0 with an empty stderr. */
async function printedBy(args: string[], argv0: string): Promise<string> {
  const printed = { stdout: '', stderr: '' };
  const collector = (key: keyof typeof printed) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        printed[key] += chunk.toString();
        done();
      },
    });
  const code = await runCli(args, { stdout: collector('stdout'), stderr: collector('stderr'), env: {} }, argv0);
  if (code !== ExitCode.OK || printed.stderr !== '') throw new Error(`${argv0} ${args.join(' ')} exited ${code}: ${printed.stderr}`);
  return printed.stdout;
}

/**
 * What `npm run build` stores as dist/help.json for the bundle whose digest is `build`: every help
 * text and the version, rendered by running the CLI itself (`<path> --help` for every command of
 * the table, under each program name, and `--version`), in the stored form, so that a run asking
 * only for them prints them without loading the CLI (see precomputed-help.ts). Throws when one of
 * those runs does not succeed.
 */
export async function renderPrecomputedArtifact(build: string): Promise<PrecomputedArtifact> {
  const help: PrecomputedOutputs['help'] = {};
  for (const binary of BINARY_NAMES) {
    const texts: Record<string, string> = {};
    for (const [path] of walkCommands()) {
      const words = path.slice(1);
      texts[words.join(' ')] = await printedBy([...words, '--help'], binary);
    }
    help[programNameFor(binary)] = texts;
  }
  return encodeArtifact({ version: await printedBy(['--version'], BINARY_NAMES[0]), help }, build);
}
