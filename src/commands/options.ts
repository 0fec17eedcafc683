import { UsageError } from '../errors.js';

export function parsePositiveInt(value: unknown, flag: string, max = 2 ** 31 - 1): number {
  const text = String(value);
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new UsageError(`invalid value "${text}" for ${flag}: must be an integer from 1 to ${max}`);
  }
  return n;
}
