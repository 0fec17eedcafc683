import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AntctlParseError, parseFeatureGates } from '../../src/antrea/featuregates-parser.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'antrea', name), 'utf8');
type Response = { component: string; name: string; status: string; version: string };
const responses = (name: string) => JSON.parse(fixture(name)) as Response[];
const of = (rs: Response[], component: string) => rs.filter((r) => r.component === component).map(({ name, status, version }) => ({ name, status, version }));

describe('parseFeatureGates on antctl v1.14+ output (upstream test fixtures)', () => {
  it('reads the agent-mode table back into the JSON the agent served', () => {
    const parsed = parseFeatureGates(fixture('fixture-featuregates-expected-agent.txt'));
    expect(parsed.agent).toEqual(of(responses('fixture-featuregates-agent-response.json'), 'agent'));
    expect(parsed.controller).toBeUndefined();
  });

  it('reads the controller-mode table (agent and controller sections)', () => {
    const rs = responses('fixture-featuregates-controller-response.json');
    const parsed = parseFeatureGates(fixture('fixture-featuregates-expected-controller.txt'));
    expect(parsed.agent).toEqual(of(rs, 'agent'));
    expect(parsed.controller).toEqual(of(rs, 'controller'));
  });

  it('reads the Windows section', () => {
    const rs = responses('fixture-featuregates-controller-with-windows-response.json');
    const parsed = parseFeatureGates(fixture('fixture-featuregates-expected-controller-with-windows.txt'));
    expect(parsed.agentWindows).toEqual(of(rs, 'agent-windows'));
    expect(parsed.controller).toEqual(of(rs, 'controller'));
    expect(parsed.agent).toHaveLength(of(rs, 'agent').length);
  });
});

describe('parseFeatureGates on the fixed v1.5–v1.13 layout', () => {
  const pad = (a: string, b: string, c: string) => `${a.padEnd(25)}${b.padEnd(15)}${c.padEnd(10)}\n`;

  it('accepts trailing spaces, a glued long name, an empty GA version and the trailing blank line', () => {
    const text =
      'Antrea Agent Feature Gates\n' +
      pad('FEATUREGATE', 'STATUS', 'VERSION') +
      pad('AntreaProxy', 'Enabled', 'BETA') +
      pad('CleanupStaleUDPSvcConntrack', 'Disabled', 'ALPHA') +
      pad('NodePortLocal', 'Enabled', '') +
      pad('Multicast', 'Enabled', 'ALPHA') +
      '\n';
    expect(text).toContain('CleanupStaleUDPSvcConntrackDisabled');
    expect(parseFeatureGates(text).agent).toEqual([
      { name: 'AntreaProxy', status: 'Enabled', version: 'BETA' },
      { name: 'CleanupStaleUDPSvcConntrack', status: 'Disabled', version: 'ALPHA' },
      { name: 'NodePortLocal', status: 'Enabled', version: '' },
      { name: 'Multicast', status: 'Enabled', version: 'ALPHA' },
    ]);
  });
});

describe('parseFeatureGates on malformed input', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['empty output', '', /line 1: no "Antrea … Feature Gates" section/],
    ['a row before any title', 'Multicast   Enabled   BETA\n', /line 1: row before any/],
    ['a missing header', 'Antrea Agent Feature Gates\nMulticast   Enabled   BETA\n', /line 2: expected the header/],
    ['a row with neither a known status nor a known version', 'Antrea Agent Feature Gates\nFEATUREGATE   STATUS   VERSION\nMulticast     On       GAMMA\n', /line 3: not a feature gate row/],
    ['a title without header', 'Antrea Agent Feature Gates\n', /section title without a header/],
    ['an antctl error', 'Error: request to server failed: Unauthorized: unknown\n', /line 1: row before any/],
  ];
  it.each(cases)('%s is a clear error naming the line', (_name, text, message) => {
    expect(() => parseFeatureGates(text)).toThrow(AntctlParseError);
    expect(() => parseFeatureGates(text)).toThrow(message);
  });
});
