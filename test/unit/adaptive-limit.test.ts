import { describe, expect, it } from 'vitest';
import { AdaptiveLimit, fanOut } from '../../src/cluster/fan-out.js';

describe('adaptive fan-out', () => {
  it('starts at the bound; a 429 halves it and pauses new starts for Retry-After', () => {
    const limit = new AdaptiveLimit(64);
    expect(limit.current).toBe(64);
    limit.throttled(2000, 10_000);
    expect(limit.current).toBe(32);
    expect(limit.pausedUntil).toBe(12_000);
    // A burst of 429s within one window halves once.
    limit.throttled(1000, 10_100);
    expect(limit.current).toBe(32);
    limit.throttled(1000, 10_400);
    expect(limit.current).toBe(16);
  });

  it('millisecond jitter on fast answers is not strain; a sustained climb shrinks it, never below a quarter', () => {
    const limit = new AdaptiveLimit(64);
    let now = 0;
    for (let i = 0; i < 50; i++) limit.observe(i % 2 ? 2 : 30, (now += 10));
    expect(limit.current).toBe(64);
    for (let i = 0; i < 200; i++) limit.observe(2000, (now += 300));
    expect(limit.current).toBe(16);
  });

  it('grows back by one per `current` healthy answers, up to the bound', () => {
    const limit = new AdaptiveLimit(8);
    limit.throttled(0, 0);
    expect(limit.current).toBe(4);
    for (let i = 0; i < 4; i++) limit.observe(5, 1000 + i);
    expect(limit.current).toBe(5);
    for (let i = 0; i < 100; i++) limit.observe(5, 2000 + i);
    expect(limit.current).toBe(8);
  });

  it('never runs more at once than the limit allows, and keeps input order', async () => {
    const limit = new AdaptiveLimit(3);
    let running = 0;
    let most = 0;
    const results = await fanOut([5, 1, 4, 2, 3, 0, 6], limit, async (ms, i) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      if (i === 3) throw new Error('two fails');
      return ms * 10;
    });
    expect(most).toBe(3);
    expect(results.map((r) => (r.ok ? r.value : r.error.message))).toEqual([50, 10, 40, 'two fails', 30, 0, 60]);
  });
});
