/** Parsers of flag values shared by several commands; each throws UsageError naming the flag. */
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';

export function parsePositiveInt(value: unknown, flag: string, max = 2 ** 31 - 1): number {
  const text = String(value);
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new UsageError(`invalid value "${text}" for ${flag}: must be an integer from 1 to ${max}`);
  }
  return n;
}

/** --concurrency: how many Nodes are asked at once, 1 to 1000. */
export function parseConcurrency(value: string): number {
  return parsePositiveInt(value, '--concurrency', 1000);
}

/** --timeout of the write commands, in milliseconds. */
export function parseTimeout(value: string): number {
  return parseDuration(value, '--timeout');
}
