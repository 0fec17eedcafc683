import { UsageError } from './errors.js';

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a kubectl-style duration ("500ms", "2s", "1m30s", or a bare number of seconds).
 * "0" means no limit and is returned as 0.
 */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const consumed = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || consumed !== trimmed) {
    throw new UsageError(`invalid duration "${text}" for ${flag}: use a number with a unit such as 500ms, 5s, 2m or 1h`);
  }
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * unitMs[p[2]], 0));
}
