import { UsageError } from './errors.js';

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a kubectl-style duration ("500ms", "2s", "1m30s", or a bare number of seconds).
 * "0" means no limit and is returned as 0. Returns milliseconds; throws UsageError for any other text
 * or for more than MAX_DURATION_MS, which a timer could not hold.
 */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return inRange(Math.round(Number(trimmed) * 1000), text, flag);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const consumed = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || consumed !== trimmed) {
    throw new UsageError(`invalid duration "${text}" for ${flag}: use a number with a unit such as 500ms, 5s, 2m or 1h`);
  }
  return inRange(Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * unitMs[p[2]], 0)), text, flag);
}

/** The longest delay a Node.js timer holds (2^31-1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

function inRange(ms: number, text: string, flag: string): number {
  if (!Number.isSafeInteger(ms) || ms > MAX_DURATION_MS) {
    throw new UsageError(`invalid duration "${text}" for ${flag}: at most ${formatDuration(MAX_DURATION_MS)} (or 0 for no limit)`);
  }
  return ms;
}

/**
 * A duration of `ms` milliseconds as Go's time.Duration.String() prints it (and so kubectl):
 * "1ms", "1.5s", "1m30s", "1h0m0s".
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return `${hours > 0 ? `${hours}h` : ''}${hours > 0 || minutes > 0 ? `${minutes}m` : ''}${seconds}s`;
}
