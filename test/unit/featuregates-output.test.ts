import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFeatureGates, SECTION_TITLES } from '../../src/antrea/featuregates-parser.js';
import { summariseAgentGates } from '../../src/antrea/featuregates-summary.js';
import { renderGateSections } from '../../src/output/featuregates-table.js';

const plain = { warn: (t: string) => t, bad: (t: string) => t, good: (t: string) => t };
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'antrea', name), 'utf8');

describe('renderGateSections', () => {
  it('pads exactly as antctl v1.14+ does (upstream expected output, byte for byte)', () => {
    const expected = fixture('fixture-featuregates-expected-controller.txt');
    const parsed = parseFeatureGates(expected);
    const text = renderGateSections(
      [
        { title: SECTION_TITLES.agent, featureGates: parsed.agent! },
        { title: SECTION_TITLES.controller, featureGates: parsed.controller! },
      ],
      plain,
    );
    expect(text).toBe(expected);
  });

  it('marks a diverging gate and names its Nodes under the section', () => {
    const gate = (status: 'Enabled' | 'Disabled') => [{ name: 'Multicast', status, version: 'BETA' }, { name: 'Egress', status: 'Enabled' as const, version: 'BETA' }];
    const summary = summariseAgentGates([
      { node: 'n3', pod: 'a3', featureGates: gate('Disabled') },
      { node: 'n1', pod: 'a1', featureGates: gate('Enabled') },
      { node: 'n2', pod: 'a2', featureGates: gate('Enabled') },
    ]);
    expect(summary.divergences).toEqual([{ name: 'Multicast', majority: 'Enabled', nodes: ['n3'], total: 3 }]);
    expect(renderGateSections([{ title: SECTION_TITLES.agent, ...summary }], plain)).toBe(
      'Antrea Agent Feature Gates\n' +
        'FEATUREGATE     STATUS       VERSION\n' +
        'Egress          Enabled      BETA\n' +
        'Multicast       Enabled*     BETA\n' +
        '* Multicast is Disabled on 1 of 3 Nodes: n3\n',
    );
  });

  it('breaks a tie towards the first Node by name', () => {
    const summary = summariseAgentGates([
      { node: 'b', pod: 'p', featureGates: [{ name: 'Multicast', status: 'Disabled', version: 'BETA' }] },
      { node: 'a', pod: 'p', featureGates: [{ name: 'Multicast', status: 'Enabled', version: 'BETA' }] },
    ]);
    expect(summary.featureGates[0].status).toBe('Enabled');
    expect(summary.divergences[0].nodes).toEqual(['b']);
  });
});
