import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { editConf } from '../../src/antrea/configmap-editor.js';
import { parseRelease } from '../../src/antrea/featuregate-catalogue.js';
import { checkConfigs, multicastRuns, multicastSettings, parseGoDuration, releaseProfile } from '../../src/antrea/release.js';

const profile = (v: string) => releaseProfile(parseRelease(v)!);
const upstream = (v: string) => parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'antrea', `antrea-config-${v}.yml`), 'utf8')).data as Record<string, string>;
const rules = (v: string, agent: string) => checkConfigs(profile(v), { 'antrea-agent.conf': agent }).map((f) => `${f.severity} ${f.rule} ${f.line ?? '-'}`);

describe('parseGoDuration (Go time.ParseDuration)', () => {
  it.each([
    ['125s', 125e9], ['1m30s', 90e9], ['1.5h', 5400e9], ['.5s', 0.5e9], ['5.s', 5e9], ['0', 0], ['-2m', -120e9], ['+3ms', 3e6], ['10µs', 10e3], ['10μs', 10e3], ['7us', 7e3], ['0s', 0],
  ])('%s = %d ns', (text, ns) => expect(parseGoDuration(text)).toBe(ns));

  it.each([
    ['', 'time: invalid duration ""'], ['5', 'time: missing unit in duration "5"'], ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['.s', 'time: invalid duration ".s"'], ['s', 'time: invalid duration "s"'], ['1h 2m', 'time: unknown unit "h " in duration "1h 2m"'],
  ])('%j is refused: %s', (text, message) => expect(() => parseGoDuration(text)).toThrow(message));
});

describe('release profiles', () => {
  it('the switch, strictness and FlexibleIPAM support change where upstream changed them', () => {
    expect(['v1.5.0', 'v1.11.4', 'v1.12.0', 'v1.15.2', 'v2.0.0', 'v2.7.0', 'v2.8.1'].map((v) => {
      const p = profile(v);
      return `${v} ${p.catalogued} ${p.multicastSwitch} ${p.controllerGateNeeded} ${p.strictDecoding} ${p.flexibleIpamSupported}`;
    })).toEqual([
      'v1.5.0 v1.5.0 gate false true false',
      'v1.11.4 v1.11.4 gate true true false',
      'v1.12.0 v1.12.0 enable false true false',
      'v1.15.2 v1.15.2 enable false true true',
      'v2.0.0 v2.0.0 enable false false true',
      'v2.7.0 v2.7.0 enable false false true',
      'v2.8.1 v2.7.0 enable false false true',
    ]);
  });

  it.each(['v1.9.0', 'v1.11.0', 'v1.12.0', 'v2.7.0'])('the upstream %s ConfigMap has no finding, multicast off as shipped', (v) => {
    expect(checkConfigs(profile(v), upstream(v))).toEqual([]);
    expect(multicastRuns(profile(v), multicastSettings(profile(v), parse(upstream(v)['antrea-agent.conf'])))).toBe(false);
  });

  it('unknown fields are fatal up to v1.15 and ignored from v2.0; wrong types are fatal everywhere', () => {
    const agent = 'featureGates:\n  Multicast: true\nmulticast:\n  enable: true\ntunnelPort: "x"\n';
    expect(rules('v1.11.0', agent)).toEqual(['fatal unknown-field 4', 'fatal field-type 5']);
    expect(rules('v1.15.0', agent)).toEqual(['fatal field-type 5']);
    expect(rules('v2.0.0', agent + 'madeUp: 1\n')).toEqual(['fatal field-type 5']);
  });

  it('a gate pasted at the top level is fatal on v1.x with its relocation, and ignored on v2.x', () => {
    const found = checkConfigs(profile('v1.11.0'), { 'antrea-agent.conf': 'featureGates:\nMulticast: true\n' });
    expect(found.map((f) => [f.rule, f.line, f.relocate])).toEqual([['unknown-field', 2, { from: ['Multicast'], to: ['featureGates', 'Multicast'] }]]);
    expect(rules('v2.7.0', 'featureGates:\nMulticast: true\n')).toEqual([]);
  });

  it('validateMulticastConfig: encryption (v2.0), networkPolicyOnly (v2.5), igmpQueryVersions (v1.12) and the interval', () => {
    const on = (extra: string) => `multicast:\n  enable: true\n${extra}`;
    expect(rules('v2.7.0', on('trafficEncryptionMode: ipsec\n'))).toEqual(['fatal multicast-encryption 3']);
    expect(rules('v1.15.0', on('trafficEncryptionMode: ipsec\n'))).toEqual(['unsupported multicast-encryption 3']);
    expect(rules('v2.7.0', 'multicast:\n  enable: false\ntrafficEncryptionMode: ipsec\n')).toEqual([]);
    expect(rules('v2.5.0', on('trafficEncapMode: NetworkPolicyOnly\n'))).toEqual(['fatal multicast-network-policy-only 3']);
    expect(rules('v2.4.0', on('trafficEncapMode: networkPolicyOnly\n'))).toEqual(['unsupported multicast-network-policy-only 3']);
    expect(rules('v2.7.0', on('  igmpQueryVersions: [1, 4]\n'))).toEqual(['fatal igmp-query-versions 3']);
    expect(rules('v2.7.0', on('  igmpQueryInterval: 5\n'))).toEqual(['fatal igmp-query-interval 3']);
    expect(rules('v2.7.0', on('  igmpQueryInterval: "-1s"\n'))).toEqual(['ineffective igmp-query-interval-positive 3']);
    // v1.12–v1.15 validate whenever the gate is on (default on), enable or not.
    expect(rules('v1.12.0', 'multicast:\n  igmpQueryVersions: [4]\n')).toEqual(['fatal igmp-query-versions 2']);
    expect(rules('v2.0.0', 'multicast:\n  igmpQueryVersions: [4]\n')).toEqual([]);
    expect(rules('v2.7.0', 'trafficEncapMode: tunnel\n')).toEqual(['fatal traffic-encap-mode 1']);
  });

  it('documented limitations: multicastInterfaces in encap mode; FlexibleIPAM before v1.15, and its interfaces after', () => {
    const on = 'multicast:\n  enable: true\n  multicastInterfaces: [eth1]\n';
    expect(rules('v2.7.0', on)).toEqual(['unsupported multicast-interfaces-encap 3']);
    expect(rules('v2.7.0', `${on}trafficEncapMode: hybrid\n`)).toEqual([]);
    const flexible = 'featureGates:\n  AntreaIPAM: true\nenableBridgingMode: true\ntrafficEncapMode: noEncap\nnoSNAT: true\nmulticast:\n  enable: true\n';
    expect(rules('v1.14.0', flexible)).toEqual(['unsupported multicast-flexible-ipam 3']);
    expect(rules('v1.15.0', flexible)).toEqual([]);
    expect(rules('v1.15.0', `${flexible}  multicastInterfaces: [eth1]\n`)).toEqual(['unsupported multicast-flexible-ipam 8']);
  });

  it('gates locked in a patch release (v2.5.3 locked TopologyAwareHints) are judged at that patch', () => {
    expect(rules('v2.5.0', 'featureGates:\n  TopologyAwareHints: false\n')).toEqual([]);
    expect(rules('v2.5.3', 'featureGates:\n  TopologyAwareHints: false\n')).toEqual(['fatal feature-gate-locked 2']);
  });

  it('unknown and locked gates', () => {
    expect(rules('v2.7.0', 'featureGates:\n  L7FlowExporter: true\n  EndpointSlice: false\n  Egress: "yes"\n')).toEqual(['fatal feature-gate-unknown 2', 'fatal feature-gate-locked 3', 'fatal field-type 4']);
    expect(rules('v2.5.0', 'featureGates:\n  L7FlowExporter: true\n')).toEqual([]);
  });

  it('YAML that does not parse names its line', () => {
    expect(checkConfigs(profile('v2.7.0'), { 'antrea-agent.conf': 'a: 1\nb: [\n' }).map((f) => [f.rule, f.line])).toEqual([['yaml', 3]]);
  });
});

describe('the editor removes a key with its lines only', () => {
  it('a top-level scalar, a block list, a nested key', () => {
    const text = '# head\nfeatureGates:\n#  Multicast: false\nMulticast: true\nlist:\n  - a\n  - b\n\nmulticast:\n  enable: true\n  x: 1\n';
    expect(editConf(text, [{ path: ['Multicast'], remove: true }])).toBe('# head\nfeatureGates:\n#  Multicast: false\nlist:\n  - a\n  - b\n\nmulticast:\n  enable: true\n  x: 1\n');
    expect(editConf(text, [{ path: ['list'], remove: true }])).toBe('# head\nfeatureGates:\n#  Multicast: false\nMulticast: true\n\nmulticast:\n  enable: true\n  x: 1\n');
    expect(editConf(text, [{ path: ['multicast', 'enable'], remove: true }, { path: ['featureGates', 'Multicast'], value: true }])).toBe(
      '# head\nfeatureGates:\n#  Multicast: false\n  Multicast: true\nMulticast: true\nlist:\n  - a\n  - b\n\nmulticast:\n  x: 1\n',
    );
    expect(editConf(text, [{ path: ['absent'], remove: true }])).toBe(text);
  });
});
