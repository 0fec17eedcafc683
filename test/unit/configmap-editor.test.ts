import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffLines } from 'diff';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfEditError, confKeyPaths, editConf } from '../../src/antrea/configmap-editor.js';
import { catalogueFor, parseRelease } from '../../src/antrea/featuregate-catalogue.js';
import { applyPlan, planFeatureGate, planMulticast, type ConfData } from '../../src/antrea/multicast-plan.js';

const manifest = (version: string): ConfData => {
  const cm = parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'antrea', `antrea-config-${version}.yml`), 'utf8'));
  return { 'antrea-agent.conf': cm.data['antrea-agent.conf'], 'antrea-controller.conf': cm.data['antrea-controller.conf'] };
};

/** The lines removed and added between two texts: everything else must be byte-identical. */
function lineChanges(before: string, after: string): { removed: string[]; added: string[] } {
  const removed: string[] = [];
  const added: string[] = [];
  for (const part of diffLines(before, after)) {
    const lines = part.value.replace(/\n$/, '').split('\n');
    if (part.removed) removed.push(...lines);
    if (part.added) added.push(...lines);
  }
  return { removed, added };
}

const enable = (version: string, options = {}) => {
  const data = manifest(version);
  return { data, next: applyPlan(planMulticast(parseRelease(version)!, true, options, data), data) };
};

describe('enabling multicast on the real manifests changes only the lines it must', () => {
  it.each(['v1.9.0', 'v1.11.0'])('%s: adds the alpha gate under its commented template in both confs', (version) => {
    const { data, next } = enable(version);
    for (const file of ['antrea-agent.conf', 'antrea-controller.conf'] as const) {
      expect(lineChanges(data[file], next[file])).toEqual({ removed: [], added: ['  Multicast: true'] });
      expect(next[file]).toContain('# Enable multicast traffic.\n#  Multicast: false\n  Multicast: true\n');
    }
  });

  it.each(['v1.9.0', 'v1.11.0'])('%s: writes no key that release does not know (strict parsing)', (version) => {
    const { data, next } = enable(version, { interfaces: ['eth0'], igmpQueryInterval: '10s' });
    const gates = catalogueFor(parseRelease(version)!).gates.map((g) => `featureGates.${g.name}`);
    for (const file of ['antrea-agent.conf', 'antrea-controller.conf'] as const) {
      const known = new Set([...confKeyPaths(data[file]), 'featureGates', ...gates]);
      const unknown = [...confKeyPaths(next[file])].filter((k) => !known.has(k));
      expect(unknown).toEqual([]);
    }
    expect(confKeyPaths(next['antrea-agent.conf']).has('multicast.enable')).toBe(false);
    expect(lineChanges(data['antrea-agent.conf'], next['antrea-agent.conf'])).toEqual({
      removed: ['  multicastInterfaces:', '  igmpQueryInterval: "125s"'],
      added: ['  Multicast: true', '  multicastInterfaces: [eth0]', '  igmpQueryInterval: "10s"'],
    });
  });

  it.each(['v1.12.0', 'v2.7.0'])('%s: flips multicast.enable only; the controller conf is untouched', (version) => {
    const { data, next } = enable(version);
    expect(lineChanges(data['antrea-agent.conf'], next['antrea-agent.conf'])).toEqual({ removed: ['  enable: false'], added: ['  enable: true'] });
    expect(next['antrea-controller.conf']).toBe(data['antrea-controller.conf']);
  });

  it('v2.7.0: the multicast options rewrite only their own lines', () => {
    const { data, next } = enable('v2.7.0', { interfaces: ['eth0', 'eth1'], igmpQueryInterval: '10s', igmpQueryVersions: [2, 3] });
    expect(lineChanges(data['antrea-agent.conf'], next['antrea-agent.conf'])).toEqual({
      removed: ['  enable: false', '  multicastInterfaces:', '  - 1', '  igmpQueryInterval: "125s"'],
      added: ['  enable: true', '  multicastInterfaces: [eth0, eth1]', '  igmpQueryInterval: "10s"'],
    });
    expect(parse(next['antrea-agent.conf']).multicast).toEqual({ enable: true, multicastInterfaces: ['eth0', 'eth1'], igmpQueryVersions: [2, 3], igmpQueryInterval: '10s' });
  });

  it('is idempotent, and disabling v2.7.0 again gives back the upstream text byte for byte', () => {
    const { data, next } = enable('v2.7.0');
    expect(applyPlan(planMulticast(parseRelease('v2.7.0')!, true, {}, next), next)).toEqual(next);
    expect(applyPlan(planMulticast(parseRelease('v2.7.0')!, false, {}, next), next)).toEqual(data);
  });

  it('v1.12+: an explicit Multicast: false gate is switched on too', () => {
    const data = manifest('v2.7.0');
    data['antrea-agent.conf'] = editConf(data['antrea-agent.conf'], [{ path: ['featureGates', 'Multicast'], value: false }]);
    const plan = planMulticast(parseRelease('v2.7.0')!, true, {}, data);
    expect(plan.summary).toEqual([
      'set multicast.enable: true in antrea-agent.conf (Antrea v2.7.0: the Multicast feature gate is beta and on by default)',
      'set featureGates.Multicast: true in antrea-agent.conf (it was explicitly false)',
    ]);
    expect(parse(applyPlan(plan, data)['antrea-agent.conf']).featureGates).toEqual({ Multicast: true });
  });
});

describe('what a release cannot take is refused before anything is written', () => {
  it('igmpQueryVersions before v1.12', () => {
    expect(() => planMulticast(parseRelease('v1.11.0')!, true, { igmpQueryVersions: [3] }, manifest('v1.11.0'))).toThrow(
      '--igmp-query-versions needs Antrea v1.12 or later: v1.11.0 agents parse their config strictly and would not start with an unknown key',
    );
  });
  it('multicast before v1.5', () => {
    expect(() => planMulticast(parseRelease('v1.4.0')!, true, {}, manifest('v1.9.0'))).toThrow('Antrea v1.4.0 has no multicast support');
  });
  it('an unknown gate lists the known ones', () => {
    expect(() => planFeatureGate(parseRelease('v1.9.0')!, 'Multicst', true, manifest('v1.9.0'))).toThrow(
      /^unknown feature gate "Multicst" for Antrea v1\.9\.0; known gates: AntreaIPAM, AntreaPolicy, AntreaProxy, Egress, .*TrafficControl$/,
    );
  });
  it('featuregate set writes where the release\'s components know the gate', () => {
    const data = manifest('v2.7.0');
    const next = applyPlan(planFeatureGate(parseRelease('v2.7.0')!, 'NetworkPolicyStats', false, data), data);
    expect(lineChanges(data['antrea-agent.conf'], next['antrea-agent.conf']).added).toEqual(['  NetworkPolicyStats: false']);
    expect(lineChanges(data['antrea-controller.conf'], next['antrea-controller.conf']).added).toEqual(['  NetworkPolicyStats: false']);
    const agentOnly = applyPlan(planFeatureGate(parseRelease('v2.7.0')!, 'BGPPolicy', true, data), data);
    expect(agentOnly['antrea-controller.conf']).toBe(data['antrea-controller.conf']);
  });
});

describe('editConf', () => {
  it('adds a second gate next to the first and keeps YAML valid', () => {
    const text = 'featureGates:\n# one\n#  A: false\n# two\n#  B: true\n\nother: 1\n';
    const once = editConf(text, [{ path: ['featureGates', 'B'], value: false }]);
    expect(once).toBe('featureGates:\n# one\n#  A: false\n# two\n#  B: true\n  B: false\n\nother: 1\n');
    const twice = editConf(once, [{ path: ['featureGates', 'A'], value: true }]);
    expect(twice).toBe('featureGates:\n# one\n#  A: false\n  A: true\n# two\n#  B: true\n  B: false\n\nother: 1\n');
    expect(parse(twice)).toEqual({ featureGates: { A: true, B: false }, other: 1 });
  });
  it('refuses to edit what is not YAML or not a map', () => {
    expect(() => editConf('a: [1\n', [{ path: ['a'], value: 1 }])).toThrow(ConfEditError);
    expect(() => editConf('a: 1\n', [{ path: ['a', 'b'], value: 1 }])).toThrow('"a" is not a map, cannot add "b" to it');
    expect(() => editConf('a: 1\n', [{ path: ['x', 'b'], value: 1 }])).toThrow('the config has no "x" section to add "b" to');
  });
});
