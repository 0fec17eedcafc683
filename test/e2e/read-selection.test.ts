// Every read command: Nodes chosen by repeated --node and by label, --watch streams that parse,
// --sort-by, and JSONPath / custom-columns with kubectl's syntax.
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcastctl, startSim, type RunningSim } from '../helpers/sim.js';

let sim: RunningSim;
beforeAll(async () => {
  sim = await startSim('default');
});
afterAll(async () => {
  await sim?.stop();
});

const IGMP_HEADER = 'NODE         MAX-MEMBERSHIPS   JOINED   WANTED   MAX-PER-POD   HEADROOM   STATUS';
const IGMP_ROW = {
  1: 'k8s-node-1   20                0        0        0             20         OK',
  2: 'k8s-node-2   20                1        1        1             19         OK',
  3: 'k8s-node-3   20                1        1        1             19         OK',
};

describe('choosing Nodes', () => {
  it('two --node flags ask both Nodes', async () => {
    expect(await mcastctl(sim, ['get', 'igmp', '--node', 'k8s-node-1', '--node', 'k8s-node-3'])).toEqual({
      code: 0,
      stdout: `${IGMP_HEADER}\n${IGMP_ROW[1]}\n${IGMP_ROW[3]}\n`,
      stderr: '',
    });
    const routes = await mcastctl(sim, ['get', 'mroute', '--node', 'k8s-node-2', '--node', 'k8s-node-3', '-o', 'name']);
    expect(routes.stdout).toBe('mroute/k8s-node-2/10.10.0.5,239.255.12.42\nmroute/k8s-node-3/10.10.0.5,239.255.12.42\n');
  });

  it('-l selects Nodes by label', async () => {
    expect(await mcastctl(sim, ['get', 'igmp', '-l', 'kubernetes.io/hostname in (k8s-node-2,k8s-node-3)'])).toEqual({
      code: 0,
      stdout: `${IGMP_HEADER}\n${IGMP_ROW[2]}\n${IGMP_ROW[3]}\n`,
      stderr: '',
    });
    expect(await mcastctl(sim, ['get', 'mroute', '-l', 'kubernetes.io/hostname=nowhere'])).toEqual({ code: 0, stdout: '', stderr: 'No resources found\n' });
    // featuregates still prints the controller's section, and says why there is no agents' section.
    const gates = await mcastctl(sim, ['get', 'featuregates', '-l', 'nosuch=x']);
    expect(gates.code).toBe(0);
    expect(gates.stdout).toMatch(/^Antrea Controller Feature Gates\n/);
    expect(gates.stderr).toBe('No antrea-agent Pod runs on a Node matching the selector "nosuch=x"\n');
  });

  it('get featuregates with two --node flags merges those agents only', async () => {
    const r = await mcastctl(sim, ['get', 'featuregates', '--node', 'k8s-node-1', '--node', 'k8s-node-2', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).agents.map((a: { node: string }) => a.node)).toEqual(['k8s-node-1', 'k8s-node-2']);
  });

  it('a Node without an agent and a broken selector are errors', async () => {
    expect(await mcastctl(sim, ['get', 'igmp', '--node', 'k8s-node-1', '--node', 'nope'])).toEqual({ code: 1, stdout: '', stderr: 'error: no antrea-agent Pod runs on Node "nope"\n' });
    const bad = await mcastctl(sim, ['get', 'mroute', '-l', 'a in (b']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: invalid -l\/--selector "a in \(b": /);
  });

  it('a broken Pod selector or --node-selector of podmulticaststats is refused (exit 2), not "No resources found"', async () => {
    for (const [flag, shown, value, requirement] of [
      ['-l', '-l/--selector', 'bad selector!!', 'bad selector!!'],
      ['-l', '-l/--selector', 'app in (a', 'app in'],
      ['--node-selector', '--node-selector', 'bad selector!!', 'bad selector!!'],
    ]) {
      const r = await mcastctl(sim, ['get', 'podmulticaststats', '-A', flag, value]);
      expect(r).toEqual({ code: 2, stdout: '', stderr: `error: invalid ${shown} "${value}": unable to parse requirement "${requirement}" of the label selector\n` });
    }
  });
});

describe('--watch in a pipe is one valid stream', () => {
  const watch = (args: string[]) => mcastctl(sim, ['get', 'igmp', '--watch', '--interval', '200ms', '--count', '3', ...args]);

  it('-o yaml: documents separated by ---', async () => {
    const r = await watch(['-o', 'yaml']);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.stdout);
    expect(docs).toHaveLength(3);
    for (const doc of docs) {
      expect(doc.errors).toEqual([]);
      expect(doc.toJS().kind).toBe('NodeIgmpList');
      expect(doc.toJS().items).toHaveLength(3);
    }
  });

  it('-o json: one JSON object after another', async () => {
    const r = await watch(['-o', 'json']);
    const objects = r.stdout.split(/(?<=^\})\n/m).filter((t) => t.trim() !== '');
    expect(objects).toHaveLength(3);
    for (const text of objects) expect(JSON.parse(text).kind).toBe('NodeIgmpList');
  });

  it('a table: the header once, then the rows of every sample', async () => {
    const r = await watch([]);
    // Later samples keep the header's column widths.
    expect(r.stdout).toBe(`${IGMP_HEADER}\n${[1, 2, 3].map(() => `${IGMP_ROW[1]}\n${IGMP_ROW[2]}\n${IGMP_ROW[3]}\n`).join('')}`);
  });
});

describe('--sort-by', () => {
  it('orders by a number of the -o json form, ascending', async () => {
    const r = await mcastctl(sim, ['get', 'mroute', '--sort-by', '{.packets}', '-o', 'custom-columns=NODE:.node,PACKETS:.packets']);
    expect(r.stdout).toBe('NODE         PACKETS\nk8s-node-3   15225\nk8s-node-2   15228\nk8s-node-1   15230\n');
  });

  it('accepts kubectl\'s relaxed form and rejects a broken path', async () => {
    expect((await mcastctl(sim, ['get', 'igmp', '--sort-by', 'joined', '-o', 'name'])).stdout).toBe('node/k8s-node-1\nnode/k8s-node-2\nnode/k8s-node-3\n');
    const bad = await mcastctl(sim, ['get', 'igmp', '--sort-by', '.items[(']);
    expect(bad).toEqual({ code: 2, stdout: '', stderr: 'error: error parsing jsonpath {.items[(}: unclosed "("\n' });
  });

  it('refuses a path no item has, as kubectl does, instead of printing unsorted', async () => {
    for (const [args, field] of [[['get', 'igmp', '--sort-by', '.nosuch'], '{.nosuch}'], [['get', 'mroute', '--sort-by', 'nosuch', '-o', 'json'], '{.nosuch}'], [['get', 'igmp', '--sort-by', '{.node.x}'], '{.node.x}']] as const) {
      expect(await mcastctl(sim, [...args])).toEqual({ code: 1, stdout: '', stderr: `error: couldn't find any field with path "${field}" in the list of objects\n` });
    }
  });
});

describe('--interval and --count shape a watch', () => {
  it('either without --watch is refused (exit 2), not silently ignored', async () => {
    expect(await mcastctl(sim, ['get', 'igmp', '--interval', '1s'])).toEqual({ code: 2, stdout: '', stderr: 'error: --interval is used with --watch\n' });
    expect(await mcastctl(sim, ['get', 'igmp', '--count', '3'])).toEqual({ code: 2, stdout: '', stderr: 'error: --count is used with --watch\n' });
    expect(await mcastctl(sim, ['get', 'mroute', '--interval', '1s'])).toEqual({ code: 2, stdout: '', stderr: 'error: --interval is used with --watch\n' });
  });
});

describe('jsonpath and custom-columns', () => {
  it('a union lists each member over all items, as client-go does', async () => {
    const r = await mcastctl(sim, ['get', 'igmp', '-o', "jsonpath={.items[*]['node','limit']}"]);
    expect(r).toEqual({ code: 0, stdout: 'k8s-node-1 k8s-node-2 k8s-node-3 20 20 20', stderr: '' });
    const ranged = await mcastctl(sim, ['get', 'igmp', '-o', 'jsonpath={range .items[?(@.joined>0)]}{.node}{"\\n"}{end}']);
    expect(ranged.stdout).toBe('k8s-node-2\nk8s-node-3\n');
  });

  it('custom-columns take {.x}, .x and x', async () => {
    const r = await mcastctl(sim, ['get', 'igmp', '-o', 'custom-columns=NODE:{.node},LIMIT:.limit,JOINED:joined']);
    expect(r.stdout).toBe('NODE         LIMIT   JOINED\nk8s-node-1   20      0\nk8s-node-2   20      1\nk8s-node-3   20      1\n');
  });

  it('a broken custom-columns path is a usage error before any request', async () => {
    expect(await mcastctl(undefined, ['get', 'igmp', '-o', 'custom-columns=A:.items[('])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: error parsing jsonpath {.items[(}: unclosed "("\n',
    });
  });
});
