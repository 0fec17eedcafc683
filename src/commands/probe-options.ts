/**
 * The flags of `mcastctl probe`, validated into one typed object before any request (kubectl's
 * Complete/Validate): every value is checked here, the Nodes later against the cluster.
 */
import { parseOutputFormat, type StructuredFormat } from '../output/structured.js';
import { DEFAULT_IMAGE, isMulticastGroup, randomGroup, randomSuffix, type ProbeOptions } from '../antrea/probe-plan.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import type { flagsOf } from './command-table.js';
import type { FlagValues } from './define-command.js';
import { parsePositiveInt } from './options.js';

/** The plan's options plus what only the command needs (deadline, teardown, output). */
export interface ProbeCommandOptions extends ProbeOptions {
  timeoutMs: number;
  /** --timeout as typed, for messages. */
  timeoutText: string;
  keep: boolean;
  output: 'table' | StructuredFormat;
}

export type ProbeFlags = FlagValues<typeof flagsOf.probe>;

/** Checks every flag of probe; throws UsageError with the flag's name. No I/O. */
export function parseProbeFlags(flags: ProbeFlags, random: () => number = Math.random): ProbeCommandOptions {
  const group = flags.group ?? randomGroup(random);
  if (!isMulticastGroup(group)) throw new UsageError(`invalid value "${group}" for --group: must be an IPv4 multicast group (224.0.0.0/4), e.g. 239.255.12.42`);
  const port = parsePositiveInt(flags.port, '--port', 65535);
  const count = parsePositiveInt(flags.count, '--count', 100_000);
  const intervalMs = parseDuration(String(flags.interval), '--interval');
  if (intervalMs < 1 || intervalMs % 1 !== 0) throw new UsageError(`invalid value "${flags.interval}" for --interval: must be at least 1ms, in whole milliseconds`);
  const timeoutMs = parseDuration(String(flags.timeout), '--timeout');
  if (timeoutMs <= 0) throw new UsageError(`invalid value "${flags.timeout}" for --timeout: must be a positive duration such as 2m`);
  const to = flags.to === undefined ? undefined : flags.to.flatMap((v) => v.split(',')).map((v) => v.trim());
  if (to?.some((n) => n === '')) throw new UsageError('invalid value for --to: a Node name is empty');
  if (flags.from === '') throw new UsageError('invalid value for --from: the Node name is empty');
  const image = String(flags.image);
  if (image.trim() === '' || /\s/.test(image)) throw new UsageError(`invalid value "${image}" for --image: must be an image reference such as ${DEFAULT_IMAGE}`);
  return {
    group, port, count, intervalMs, timeoutMs, timeoutText: String(flags.timeout), image, to, from: flags.from,
    external: flags.external === true, fromExternal: flags.fromExternal === true, keep: flags.keep === true,
    output: parseOutputFormat(flags.output, ['table', 'json', 'yaml'] as const),
    suffix: randomSuffix(random),
  };
}
