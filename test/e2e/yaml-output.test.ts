// Every YAML mcastctl prints is YAML as kubectl prints it: no anchors, no aliases. A value shared by
// several places of a document (the same gates on every agent, a DaemonSet's selector and template
// labels) is written out in full at each place, so grep, awk, a naive reader and copy-paste see it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, visit, type Document } from 'yaml';
import { walkCommands } from '../../src/commands/command-table.js';
import { mcastctl, startSim, type RunningSim } from '../helpers/sim.js';

/** Anchors (&a1) and aliases (*a1) of a YAML text, found by the yaml parser and by the text. */
function anchorsAndAliases(text: string): string[] {
  const found: string[] = [];
  for (const doc of parseAllDocuments(text) as Document[]) {
    expect(doc.errors).toEqual([]);
    visit(doc, {
      Alias: (_key, node) => void found.push(`*${node.source}`),
      Node: (_key, node) => void (node.anchor ? found.push(`&${node.anchor}`) : undefined),
    });
  }
  for (const m of text.matchAll(/(?:^|[\s:\-[,])([&*][A-Za-z0-9_-]+)(?=\s|$)/gm)) found.push(`text ${m[1]}`);
  return found;
}

/** Every command with -o yaml, and how it runs on the demo cluster (write commands as a dry run). */
const YAML_RUNS: Record<string, string[][]> = {
  'get featuregates': [['get', 'featuregates'], ['get', 'featuregates', '--node', 'k8s-node-2']],
  'get podmulticaststats': [['get', 'podmulticaststats', '-A'], ['get', 'podmulticaststats', '-A', '-w', '--interval', '100ms', '--count', '2']],
  'get mroute': [['get', 'mroute']],
  'get multicastgroups': [['get', 'multicastgroups'], ['get', 'multicastgroups', '-w', '--interval', '100ms', '--count', '2']],
  'get igmp': [['get', 'igmp'], ['get', 'igmp', '-w', '--interval', '100ms', '--count', '2']],
  doctor: [['doctor']],
  probe: [['probe', '--group', '239.255.77.2', '--count', '2', '--interval', '100ms']],
  version: [['version']],
  'igmp set-max': [['igmp', 'set-max', '64', '--node', 'k8s-node-2', '--dry-run']],
};

let sim: RunningSim;
beforeAll(async () => {
  sim = await startSim('default');
});
afterAll(async () => {
  await sim?.stop();
});

describe('YAML output has no anchors or aliases', () => {
  it('covers every command that has -o yaml', () => {
    const withYaml = [...walkCommands()]
      .filter(([, spec]) => Object.values(spec.flags ?? {}).some((f) => /--output\b/.test(f.flags) && (f.completes as readonly string[] | undefined)?.includes('yaml')))
      .map(([path]) => path.slice(1).join(' '));
    expect(withYaml.sort()).toEqual(Object.keys(YAML_RUNS).sort());
  });

  for (const [command, runs] of Object.entries(YAML_RUNS)) {
    it(`mcastctl ${command} -o yaml`, { timeout: 120_000 }, async () => {
      for (const args of runs) {
        const r = await mcastctl(sim, [...args, '-o', 'yaml']);
        expect(r.stdout, `${args.join(' ')}: ${r.stderr}`).not.toBe('');
        expect(anchorsAndAliases(r.stdout), args.join(' ')).toEqual([]);
      }
    });
  }

  it('get featuregates -o yaml prints every agent\'s gates in full: the same document as -o json', async () => {
    const yaml = await mcastctl(sim, ['get', 'featuregates', '-o', 'yaml']);
    const json = await mcastctl(sim, ['get', 'featuregates', '-o', 'json']);
    expect(yaml.code).toBe(0);
    expect(json.code).toBe(0);
    const doc = parse(yaml.stdout);
    expect(doc).toEqual(JSON.parse(json.stdout));
    expect(doc.agents.map((a: { node: string }) => a.node)).toEqual(['k8s-node-1', 'k8s-node-2', 'k8s-node-3']);
    // Each agent's block lists its gates (the reported output had `featureGates: *a1` for node 2 and 3).
    const blocks = yaml.stdout.split(/^- node: /m).slice(1);
    expect(blocks).toHaveLength(3);
    for (const block of blocks) expect(block).toMatch(/\n {2}featureGates:\n {2}- name: AntreaIPAM\n {4}status: Disabled\n {4}version: ALPHA\n/);
  });

  it('igmp set-max --persist --dry-run prints a DaemonSet whose selector and template labels are both written out', async () => {
    const writes = () => sim.server.cluster.requestLog.filter((q) => q.method !== 'GET').length;
    const writesBefore = writes();
    const r = await mcastctl(sim, ['igmp', 'set-max', '64', '--node', 'k8s-node-2', '--persist', '--dry-run']);
    expect(r.code).toBe(0);
    const [table, manifest] = r.stdout.split('daemonset.apps/mcastctl-igmp-max-memberships would be applied (dry run: nothing was changed):\n');
    expect(table).toBe('NODE         BEFORE   AFTER   RESULT\nk8s-node-2   20       64      would change (to 64)\n');
    expect(anchorsAndAliases(manifest)).toEqual([]);
    const labels = '      app: mcastctl\n      component: igmp-max-memberships\n';
    expect(manifest).toContain(`spec:\n  selector:\n    matchLabels:\n${labels}  template:\n    metadata:\n      labels:\n  ${labels.replace(/\n(?!$)/g, '\n  ')}    spec:\n`);
    const ds = parse(manifest);
    expect(ds.spec.selector.matchLabels).toEqual({ app: 'mcastctl', component: 'igmp-max-memberships' });
    expect(ds.spec.template.metadata.labels).toEqual(ds.spec.selector.matchLabels);
    expect(writes()).toBe(writesBefore);
  });
});
