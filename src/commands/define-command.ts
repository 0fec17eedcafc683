/**
 * How a command is declared: its flags once (in the command table), a pure `parse` that turns the
 * raw flag values into a typed options object (every flag validated before any request, kubectl's
 * Complete/Validate), and `run`, which gets only that object and the context. Light: the command
 * table imports this module at every start.
 */
import type { CommandContext } from '../context.js';

/** What a shell completes: names from the cluster or kubeconfig, files, command names, or a fixed list. */
export type Completes = 'nodes' | 'namespaces' | 'pods' | 'files' | 'contexts' | 'clusters' | 'users' | 'commands' | 'checks' | 'gates' | readonly string[];

/** One flag. T is the raw value commander hands over (a phantom type: never set at run time). */
export interface FlagSpec<T = unknown> {
  /** commander syntax, e.g. "-n, --namespace <name>" or "--no-headers". */
  flags: string;
  description: string;
  defaultValue?: string;
  /** The flag may be given several times; the values are collected in a list. */
  repeatable?: boolean;
  /** What a shell may complete for the value. */
  completes?: Completes;
  readonly rawValue?: T;
}

/** Flags by the name their raw value has in FlagValues. */
export type FlagSet = Record<string, FlagSpec>;

export type FlagValues<F extends FlagSet> = { [K in keyof F]: F[K] extends FlagSpec<infer T> ? T : never };

type FlagExtras = Pick<FlagSpec, 'completes'>;

/** A switch: true when given, undefined when not ("--no-x" switches are false when given, true when not). */
export function booleanFlag(flags: string, description: string): FlagSpec<boolean | undefined> {
  return { flags, description };
}

/** "--no-x": true unless given. */
export function negatedFlag(flags: string, description: string): FlagSpec<boolean> {
  return { flags, description };
}

/** A flag with a value, undefined when not given. */
export function valueFlag(flags: string, description: string, extras: FlagExtras = {}): FlagSpec<string | undefined> {
  return { flags, description, ...extras };
}

/** A flag with a value and a default. */
export function defaultedFlag(flags: string, description: string, defaultValue: string, extras: FlagExtras = {}): FlagSpec<string> {
  return { flags, description, defaultValue, ...extras };
}

/** A flag that may be repeated; undefined when never given. */
export function listFlag(flags: string, description: string, extras: FlagExtras = {}): FlagSpec<string[] | undefined> {
  return { flags, description, repeatable: true, ...extras };
}

export interface CommandInput<F extends FlagSet> {
  /** Positional arguments, as typed. */
  args: string[];
  flags: FlagValues<F>;
}

export interface CommandDefinition<F extends FlagSet, O> {
  /** The same object as the command table's `flags` for this command (a test checks it). */
  flags: F;
  /** Validates every flag and argument and returns the typed options; throws UsageError. No I/O. */
  parse(input: CommandInput<F>): O;
  /** Does the work; returns the exit code. */
  run(ctx: CommandContext, options: O): Promise<number>;
}

/** What the CLI runs: parse, then run, from raw values keyed as in `flags`. */
export interface RunnableCommand {
  readonly flags: FlagSet;
  execute(ctx: CommandContext, args: string[], flagValues: Record<string, unknown>): Promise<number>;
}

export function defineCommand<F extends FlagSet, O>(definition: CommandDefinition<F, O>): CommandDefinition<F, O> & RunnableCommand {
  return {
    ...definition,
    execute(ctx, args, flagValues) {
      // The CLI reads one value per key of `flags`, of the kind each FlagSpec declares.
      return definition.run(ctx, definition.parse({ args, flags: flagValues as FlagValues<F> }));
    },
  };
}
