import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mcastctl, startSim, type RunningSim } from '../helpers/sim.js';

const sims: RunningSim[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

/** A kubeconfig with one context per cluster; a cluster given as a URL only is one nobody serves. */
function fleetKubeconfig(dir: string, clusters: Array<[name: string, sim: RunningSim | string]>, current: string): string {
  const lines = ['apiVersion: v1', 'kind: Config', `current-context: ${current}`, 'clusters:'];
  for (const [name, sim] of clusters) {
    const server = typeof sim === 'string' ? sim : sim.server.url;
    const ca = Buffer.from((typeof sim === 'string' ? sims[0] : sim).server.pki.caPem).toString('base64');
    lines.push(`- name: ${name}`, '  cluster:', `    server: ${server}`, `    certificate-authority-data: ${ca}`);
  }
  lines.push('contexts:');
  for (const [name] of clusters) lines.push(`- name: ${name}`, `  context: {cluster: ${name}, user: ${name}}`);
  lines.push('users:');
  for (const [name, sim] of clusters) lines.push(`- name: ${name}`, `  user: {token: ${typeof sim === 'string' ? 'none' : sim.server.token}}`);
  const path = join(dir, 'fleet-kubeconfig');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function twoClusters(secondDown: boolean) {
  const east = await startSim('read-commands');
  sims.push(east);
  let west: RunningSim | string = 'https://127.0.0.1:9';
  if (!secondDown) {
    west = await startSim('read-commands', (s) => {
      s.nodes = s.nodes.slice(0, 1).map((n) => ({ ...n, name: 'west-1' }));
    });
    sims.push(west);
  }
  return fleetKubeconfig(east.dir, [['east', east], ['west', west]], 'east');
}

describe('--all-contexts and repeated --context', () => {
  it('merges every cluster into one table with a CLUSTER column, and JSON items with a cluster field', async () => {
    const kubeconfig = await twoClusters(false);
    const r = await mcastctl(undefined, ['get', 'igmp', '--all-contexts', '--kubeconfig', kubeconfig]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CLUSTER {3}NODE {3,}MAX-MEMBERSHIPS /);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['east node-a', 'east node-b', 'east node-c', 'west west-1']);
    // Every row's cells start where the header's do.
    const starts = [...lines[0].matchAll(/(?:^| {3})(\S)/g)].map((m) => m.index! + m[0].length - 1);
    for (const line of lines.slice(1)) for (const s of starts) expect(line[s - 1] === undefined || line[s - 1] === ' ').toBe(true);

    const json = await mcastctl(undefined, ['get', 'igmp', '--context', 'west', '--context', 'east', '-o', 'json', '--kubeconfig', kubeconfig]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.items.map((i: { cluster: string; node: string }) => `${i.cluster}/${i.node}`)).toEqual(['west/west-1', 'east/node-a', 'east/node-b', 'east/node-c']);
  });

  it('one cluster down: it is named, its rows are missing, the other cluster prints; exit 3', async () => {
    const kubeconfig = await twoClusters(true);
    const r = await mcastctl(undefined, ['get', 'igmp', '--all-contexts', '--kubeconfig', kubeconfig, '--request-timeout', '5s']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('error: cluster "west": The connection to the server 127.0.0.1:9 was refused - did you specify the right host or port?\n');
    expect(r.stdout.split('\n')[0]).toMatch(/^CLUSTER {3}NODE/);
    expect(r.stdout).toContain('east      node-a');
    expect(r.stdout).not.toContain('west');

    const doctor = await mcastctl(undefined, ['doctor', '--all-contexts', '--kubeconfig', kubeconfig, '-o', 'json']);
    expect(doctor.stderr).toMatch(/^error: cluster "west": /);
    const checks = JSON.parse(doctor.stdout).items as Array<{ cluster: string }>;
    expect(checks.length).toBeGreaterThan(0);
    expect(new Set(checks.map((c) => c.cluster))).toEqual(new Set(['east']));
  });

  it('a context name with control characters is printed escaped: CLUSTER cells, -o name prefixes, error lines', async () => {
    const east = await startSim('read-commands');
    sims.push(east);
    const evil = 'ev\x1b[31mil\ttab';
    const shown = 'ev\\u001b[31mil\\ttab';
    // JSON's string is YAML's double-quoted scalar: the kubeconfig carries the raw characters.
    const kubeconfig = fleetKubeconfig(east.dir, [[JSON.stringify(evil), east], [JSON.stringify(`${evil}-down`), 'https://127.0.0.1:9']], JSON.stringify(evil));
    const table = await mcastctl(undefined, ['get', 'igmp', '--all-contexts', '--kubeconfig', kubeconfig, '--request-timeout', '5s']);
    expect(table.code).toBe(3);
    expect(table.stdout.split('\n')[1]).toMatch(/^ev\\u001b\[31mil\\ttab {3}node-a {3,}/);
    expect(table.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f]/);
    expect(table.stderr).toBe(`error: cluster "${shown}-down": The connection to the server 127.0.0.1:9 was refused - did you specify the right host or port?\n`);
    const names = await mcastctl(undefined, ['get', 'igmp', '--all-contexts', '--kubeconfig', kubeconfig, '--request-timeout', '5s', '-o', 'name']);
    expect(names.stdout.split('\n')[0]).toBe(`${shown}/node/node-a`);
    // JSON keeps the name exact: it is data, escaped by JSON itself.
    const json = await mcastctl(undefined, ['get', 'igmp', '--all-contexts', '--kubeconfig', kubeconfig, '--request-timeout', '5s', '-o', 'json']);
    expect(JSON.parse(json.stdout).items[0].cluster).toBe(evil);
  });

  it('refuses a write over several contexts, before any request', async () => {
    const kubeconfig = await twoClusters(true);
    const r = await mcastctl(undefined, ['multicast', 'enable', '--all-contexts', '--kubeconfig', kubeconfig]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: "multicast enable" changes a cluster: run it with one --context at a time (--all-contexts and repeated --context are for reads and doctor)\n');
    // version only reads, but one cluster at a time: it is not said to change one.
    const version = await mcastctl(undefined, ['version', '--all-contexts', '--kubeconfig', kubeconfig]);
    expect(version).toEqual({ code: 2, stdout: '', stderr: 'error: "version" works on one cluster: run it with one --context at a time (--all-contexts and repeated --context are for reads and doctor)\n' });
  });

  it('-o jsonpath reads the merged List, cluster field included, and a bad -o is one usage error', async () => {
    const kubeconfig = await twoClusters(false);
    const r = await mcastctl(undefined, ['get', 'igmp', '--all-contexts', '--kubeconfig', kubeconfig, '-o', 'jsonpath={range .items[*]}{.cluster}/{.node} {end}']);
    expect(r).toEqual({ code: 0, stdout: 'east/node-a east/node-b east/node-c west/west-1 ', stderr: '' });
    const bad = await mcastctl(undefined, ['get', 'igmp', '--all-contexts', '--kubeconfig', kubeconfig, '-o', 'bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('an unknown name among repeated --context is a usage error before any request, as one --context is', async () => {
    const kubeconfig = await twoClusters(true);
    const r = await mcastctl(undefined, ['get', 'igmp', '--context', 'east', '--context', 'nope', '--kubeconfig', kubeconfig]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'error: context "nope" does not exist\n' });
  });
});
