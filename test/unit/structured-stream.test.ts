import { describe, expect, it } from 'vitest';
import { formatStructured, structuredPieces, toYaml } from '../../src/output/structured.js';

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

  it('never writes an anchor or alias for a value shared by several places, in one piece or streamed', () => {
    const shared = [{ name: 'Multicast', status: 'Enabled', version: 'BETA' }];
    const labels = { app: 'x' };
    for (const agents of [3, 100]) {
      const document = { agents: Array.from({ length: agents }, (_, i) => ({ node: `node-${i}`, featureGates: shared, selector: labels, labels })) };
      const whole = formatStructured('yaml', document);
      expect([...structuredPieces('yaml', document)].join('')).toBe(whole);
      expect(whole).not.toMatch(/[&*]a\d/);
      expect(whole.split('- name: Multicast\n').length - 1).toBe(agents);
      expect(whole).toContain('- node: node-1\n  featureGates:\n  - name: Multicast\n    status: Enabled\n    version: BETA\n  selector:\n    app: x\n  labels:\n    app: x\n');
    }
    expect(toYaml({ matchLabels: labels, template: { labels } })).toBe('matchLabels:\n  app: x\ntemplate:\n  labels:\n    app: x\n');
  });
});
