import { describe, expect, it } from 'vitest';
import { formatStructured, structuredPieces } from '../../src/output/structured.js';

const gates = (n: number) => [{ name: `Gate${n}`, status: n % 2 ? 'Enabled' : 'Disabled', version: 'BETA' }];
const report = (agents: number) => ({
  apiVersion: 'mcastctl.antrea.io/v1alpha1',
  kind: 'FeatureGateReport',
  agents: Array.from({ length: agents }, (_, i) => ({ node: `node-${i}`, pod: `antrea-agent-${i}`, featureGates: gates(i), counters: { inbound: 18446744073709551615n, empty: [] } })),
  controller: null,
  'odd key: yes': [],
  divergences: [],
  failures: [{ node: 'node-x', reason: 'no answer within 2s\nsecond line "quoted"' }],
});

describe('streamed JSON and YAML', () => {
  it('prints a long list in pieces, byte for byte what one piece would be', () => {
    for (const format of ['json', 'yaml'] as const) {
      const document = report(100);
      const pieces = [...structuredPieces(format, document)];
      expect(pieces.length).toBeGreaterThan(100);
      expect(pieces.join('')).toBe(formatStructured(format, document));
    }
  });

  it('prints a short document in one piece', () => {
    expect([...structuredPieces('json', report(3))]).toEqual([formatStructured('json', report(3))]);
  });
});
