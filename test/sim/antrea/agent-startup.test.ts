import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { setConfKeys } from '../cluster.js';
import { startAgent } from './agent-startup.js';
import { profileFor } from './releases.js';

const manifestConf = (file: string) => (parse(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'antrea', file), 'utf8')).data as Record<string, string>)['antrea-agent.conf'];
const V2_7 = manifestConf('antrea-config-v2.7.0.yml');
const V1_12 = manifestConf('antrea-config-v1.12.0.yml');
const fatal = (version: string, conf: string, os: 'linux' | 'windows' = 'linux') => {
  const r = startAgent(profileFor(version), conf, os);
  return r.ok ? undefined : r.fatal;
};

describe('antrea-agent start-up per release', () => {
  it('the upstream manifests start, with multicast running where the release runs it by default', () => {
    const r = startAgent(profileFor('v2.7.0'), setConfKeys(V2_7, { 'multicast.enable': true }));
    expect(r.ok && r.settings.multicastRunning).toBe(true);
    const off = startAgent(profileFor('v2.7.0'), V2_7);
    expect(off.ok && off.settings.multicastRunning).toBe(false);
    const v112 = startAgent(profileFor('v1.12.0'), V1_12);
    expect(v112.ok && v112.settings.multicastRunning).toBe(false);
  });

  it('multicast with an encryption mode: refused from v2.0.0 (#5920), accepted by v1.15', () => {
    const conf = setConfKeys(V2_7, { 'multicast.enable': true, trafficEncryptionMode: 'ipsec' });
    expect(fatal('v2.0.0', conf)).toBe("Failed to validate: failed to validate multicast config: Multicast feature doesn't work with the current encryption mode 'IPsec'");
    expect(fatal('v2.0.0', setConfKeys(V2_7, { 'multicast.enable': false, trafficEncryptionMode: 'ipsec' }))).toBeUndefined();
  });

  it('multicast with networkPolicyOnly: refused from v2.5.0 (#7362), accepted by v2.4', () => {
    const conf = setConfKeys(V2_7, { 'multicast.enable': true, trafficEncapMode: 'networkPolicyOnly' });
    expect(fatal('v2.4.0', conf)).toBeUndefined();
    expect(fatal('v2.5.0', conf)).toBe("Failed to validate: failed to validate multicast config: Multicast feature doesn't work with the networkPolicyOnly mode");
  });

  it('Go durations and IGMP versions, when the gate is on', () => {
    expect(fatal('v2.7.0', setConfKeys(V2_7, { 'multicast.enable': true, 'multicast.igmpQueryInterval': '125' }))).toBe('Failed to validate: failed to validate multicast config: time: missing unit in duration "125"');
    expect(fatal('v2.7.0', setConfKeys(V2_7, { 'multicast.enable': true, 'multicast.igmpQueryInterval': '1x' }))).toBe('Failed to validate: failed to validate multicast config: time: unknown unit "x" in duration "1x"');
    const versions = (conf: string, list: string) => conf.replace('  igmpQueryVersions:\n  - 1\n  - 2\n  - 3\n', `  igmpQueryVersions: ${list}\n`);
    expect(fatal('v2.7.0', versions(setConfKeys(V2_7, { 'multicast.enable': true }), '[1, 4]'))).toBe('Failed to validate: failed to validate multicast config: igmpQueryVersions should be a subset of [1 2 3]');
    // Before v2.0 the checks run whenever the gate is on (Beta, on by default from v1.12), enable or not.
    expect(fatal('v1.12.0', versions(V1_12, '[4]'))).toBe('Failed to validate: failed to validate multicast config: igmpQueryVersions should be a subset of [1 2 3]');
  });

  it('unknown keys: fatal with yaml.v2 strict decoding up to v1.15, logged and ignored from v2.0', () => {
    // multicast.enable exists from v1.12: a v1.11 agent rejects it.
    const conf = setConfKeys(manifestConf('antrea-config-v1.11.0.yml'), { 'multicast.enable': true });
    const line = conf.split('\n').indexOf('  enable: true') + 1;
    expect(line).toBeGreaterThan(0);
    expect(fatal('v1.11.0', conf)).toBe(`Failed to complete: yaml: unmarshal errors:\n  line ${line}: field enable not found in type agent.MulticastConfig`);
    expect(fatal('v1.12.0', conf)).toBeUndefined();
    const lenient = startAgent(profileFor('v2.7.0'), `${V2_7}\nMulticast: true\n`);
    expect(lenient.ok).toBe(true);
    expect(lenient.logs.map((l) => `${l.file}] ${l.message}`)).toEqual([
      `decode.go:41] "Used lenient decoding as strict decoding failed" err=["line ${`${V2_7}\nMulticast: true\n`.split('\n').indexOf('Multicast: true') + 1}: field Multicast not found in type agent.AgentConfig"]`,
    ]);
  });

  it('feature gates: unknown and locked ones are fatal (component-base SetFromMap)', () => {
    expect(fatal('v2.7.0', setConfKeys(V2_7, { 'featureGates.Multicasting': true }))).toBe('Failed to complete: unrecognized feature gate: Multicasting');
    expect(fatal('v2.7.0', setConfKeys(V2_7, { 'featureGates.EndpointSlice': false }))).toBe('Failed to complete: cannot set feature gate EndpointSlice to false, feature is locked to true');
  });
});
