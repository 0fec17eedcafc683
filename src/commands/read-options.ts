/**
 * The options every read command shares, parsed once: which Nodes (--node, repeatable, and
 * -l/--selector on Node labels), the list output (-o, --no-headers, --sort-by) and --watch.
 */
import { selectorToMatchExpressions } from '../antrea/node-selector.js';
import type { RunContext } from '../context.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { parseOutput, parseSortBy, type OutputFormat, type SortBy } from '../output/list-printer.js';
import { streamFrame } from '../output/watch-screen.js';
import { parsePositiveInt } from './options.js';

export interface NodeSelection {
  /** Only these Nodes (--node, repeatable). */
  nodes?: string[];
  /** Only Nodes whose labels match (a kubectl label selector). */
  selector?: string;
}

/** Validates the selector's syntax before any request. */
export function parseNodeSelection(flags: { node?: string[]; selector?: string }, selectorFlag = '-l/--selector'): NodeSelection {
  return { nodes: flags.node ? [...new Set(flags.node)] : undefined, selector: parseLabelSelector(flags.selector, selectorFlag) };
}

/**
 * A label selector flag (of Nodes or of Pods), checked before any request: the API server would
 * answer a selector it cannot parse with nothing at all, which reads as "No resources found".
 * Returns the selector as given; throws UsageError naming `flag`.
 */
export function parseLabelSelector(selector: string | undefined, flag: string): string | undefined {
  if (selector === undefined) return undefined;
  try {
    selectorToMatchExpressions(selector);
  } catch (err) {
    throw new UsageError(`invalid ${flag} "${selector}": ${(err as Error).message}`);
  }
  return selector;
}

export interface ListOutput {
  format: OutputFormat;
  noHeaders: boolean;
  sortBy?: SortBy;
}

export function parseListOutput(flags: { output: string; headers: boolean; sortBy?: string }): ListOutput {
  return { format: parseOutput(flags.output), noHeaders: flags.headers === false, sortBy: parseSortBy(flags.sortBy) };
}

export interface WatchOptions {
  watch: boolean;
  intervalMs: number;
  /** How many samples: 1 without --watch; --count, or unbounded, with it. */
  samples: number;
}

export function parseWatch(flags: { watch?: boolean; interval?: string; count?: string }): WatchOptions {
  const watch = flags.watch === true;
  // Both shape the samples of a watch; either without --watch would be silently ignored.
  for (const [flag, value] of [['--interval', flags.interval], ['--count', flags.count]] as const) {
    if (value !== undefined && !watch) throw new UsageError(`${flag} is used with --watch`);
  }
  const intervalMs = parseDuration(flags.interval ?? '2s', '--interval');
  if (watch && intervalMs < 100) throw new UsageError('--interval must be at least 100ms');
  const samples = flags.count !== undefined ? parsePositiveInt(flags.count, '--count') : watch ? Infinity : 1;
  return { watch, intervalMs, samples };
}

/**
 * Takes opts.samples samples, --interval apart; `sample` prints one (given the frame number for
 * formatList: 0 on a terminal, where every frame is redrawn whole) and returns its exit code.
 * Returns the worst exit code seen.
 */
export async function repeatSamples(ctx: RunContext, opts: WatchOptions, sample: (frame: number) => Promise<number>): Promise<number> {
  let exitCode = 0;
  for (let index = 0; index < opts.samples; index++) {
    if (index > 0) await new Promise((resolve) => setTimeout(resolve, opts.intervalMs));
    exitCode = Math.max(exitCode, await sample(streamFrame(ctx, index)));
  }
  return exitCode;
}
