import { describe, expect, it } from 'vitest';
import { MAX_DURATION_MS, formatDuration, parseDuration } from '../../src/duration.js';

describe('formatDuration', () => {
  it("prints as Go's time.Duration.String()", () => {
    expect([1, 500, 1000, 1500, 12_000, 90_000, 3_600_000, MAX_DURATION_MS].map(formatDuration)).toEqual(['1ms', '500ms', '1s', '1.5s', '12s', '1m30s', '1h0m0s', '596h31m23.647s']);
  });

  it('reads back what parseDuration reads', () => {
    for (const text of ['1ms', '1.5s', '1m30s', '2h0m0s']) expect(formatDuration(parseDuration(text, '--x'))).toBe(text);
  });
});
