export type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };

/** How long a halving of the limit holds before the next signal may halve it again. */
const BACKOFF_WINDOW_MS = 250;
/**
 * Latency this many times the best seen so far, and at least STRAIN_MARGIN_MS above it, counts as
 * the server straining (a few milliseconds of jitter on fast answers is not strain).
 */
const STRAIN_FACTOR = 3;
const STRAIN_MARGIN_MS = 250;
/** Samples before the best latency is trusted. */
const WARM_UP_SAMPLES = 8;

/**
 * How many tasks may run at once, adapting to the server: it starts at the bound (`--concurrency`),
 * halves on a 429 and pauses new starts for the server's Retry-After (API Priority and Fairness
 * rejects with 429 when a priority level's queues are full), shrinks by a quarter when task
 * latency climbs past STRAIN_FACTOR times the best seen (never below a quarter of the bound for
 * latency alone), and grows back by one per `current` healthy completions (additive increase),
 * never above the bound.
 */
export class AdaptiveLimit {
  current: number;
  /** Epoch ms before which no new task starts (a Retry-After in force). */
  pausedUntil = 0;
  private lastBackoff = -Infinity;
  private best = Infinity;
  private smoothed = 0;
  private samples = 0;
  private healthy = 0;

  constructor(readonly max: number) {
    this.current = max;
  }

  /** The server answered 429 and asked to wait waitMs. */
  throttled(waitMs: number, now = Date.now()): void {
    this.pausedUntil = Math.max(this.pausedUntil, now + waitMs);
    this.backOff(0.5, now);
  }

  /** A task finished after latencyMs. */
  observe(latencyMs: number, now = Date.now()): void {
    this.samples++;
    this.smoothed = this.samples === 1 ? latencyMs : this.smoothed * 0.8 + latencyMs * 0.2;
    if (this.samples >= WARM_UP_SAMPLES / 2) this.best = Math.min(this.best, this.smoothed);
    if (this.samples >= WARM_UP_SAMPLES && this.smoothed > this.best * STRAIN_FACTOR && this.smoothed - this.best > STRAIN_MARGIN_MS) {
      this.backOff(0.75, now, Math.ceil(this.max / 4));
      return;
    }
    if (this.current < this.max && ++this.healthy >= this.current) {
      this.healthy = 0;
      this.current++;
    }
  }

  private backOff(factor: number, now: number, floor = 1): void {
    if (now - this.lastBackoff < BACKOFF_WINDOW_MS) return;
    this.lastBackoff = now;
    this.healthy = 0;
    this.current = Math.max(Math.min(floor, this.current), 1, Math.floor(this.current * factor));
  }
}

/**
 * Runs task over items with at most `limit` in flight (a number, or an AdaptiveLimit that moves
 * with the server's answers), results in input order. A failing or slow item never stops the
 * others: each result is settled on its own.
 */
export function fanOut<I, T>(items: readonly I[], limit: number | AdaptiveLimit, task: (item: I, index: number) => Promise<T>): Promise<Settled<T>[]> {
  const bound = typeof limit === 'number' ? { current: Math.max(1, limit), pausedUntil: 0, observe: () => {} } : limit;
  const results: Settled<T>[] = new Array(items.length);
  let next = 0;
  let inFlight = 0;
  let done = 0;
  let waking: NodeJS.Timeout | undefined;
  return new Promise((resolve) => {
    const pump = () => {
      if (done === items.length) return resolve(results);
      const pause = bound.pausedUntil - Date.now();
      if (pause > 0) {
        waking ??= setTimeout(() => {
          waking = undefined;
          pump();
        }, pause);
        return;
      }
      while (next < items.length && inFlight < bound.current) start(next++);
    };
    const start = (index: number) => {
      inFlight++;
      const started = Date.now();
      let settled: Settled<T>;
      Promise.resolve()
        .then(() => task(items[index], index))
        .then(
          (value) => void (settled = { ok: true, value }),
          (error: unknown) => void (settled = { ok: false, error: error instanceof Error ? error : new Error(String(error)) }),
        )
        .then(() => {
          results[index] = settled;
          inFlight--;
          done++;
          bound.observe(Date.now() - started);
          pump();
        });
    };
    pump();
  });
}
