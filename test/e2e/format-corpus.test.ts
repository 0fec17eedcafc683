// Every corpus file replayed by the simulator (scenario key execOverrides) and read by mcastctl end
// to end: what a Node whose image ships that tool version prints, mcastctl reads exactly.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecOverride } from '../sim/scenario.js';
import { corpus, CORPUS_DIR, corpusText, type CorpusEntry } from '../helpers/format-corpus.js';
import { mcastctl, startSim, type RunningSim } from '../helpers/sim.js';

let sim: RunningSim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const NODE = 'k8s-node-1';
const replay = (entry: CorpusEntry, argv = entry.argv!): ExecOverride =>
  entry.exitCode ? { node: NODE, argv, stderr: corpusText(entry), exitCode: entry.exitCode } : { node: NODE, argv, stdoutFile: join(CORPUS_DIR, entry.file) };
const find = (version: string, file: string) => corpus.find((e) => e.version === version && e.file.endsWith(`/${file}`))!;

/** What the agent image of this iproute2 answers to the two commands mcastctl may run. */
function iproute2Overrides(version: string): ExecOverride[] {
  const j = corpus.find((e) => e.version === version && e.argv?.join(' ') === 'ip -j -s mroute' && !e.file.includes('offload') && !e.file.includes('verbatim'))!;
  return [replay(j), replay(find(version, 'ip-s-mroute.txt'))];
}

describe('the format corpus through the simulator and mcastctl', () => {
  const versions = [...new Set(corpus.filter((e) => e.tool === 'iproute2' && !e.file.includes('verbatim')).map((e) => e.version))];

  it.each(versions)('get mroute -o json on a Node with iproute2 %s: every field, 64-bit counters as exact number tokens', async (version) => {
    sim = await startSim('default', (s) => {
      s.execOverrides = iproute2Overrides(version);
    });
    const r = await mcastctl(sim, ['get', 'mroute', '--node', NODE, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"packets": 18446744073709551615,\n      "bytes": 9007199254740993,\n');
    const items = JSON.parse(r.stdout.replace(/: (\d{16,})/g, ': "$1"')).items as Array<Record<string, unknown>>;
    const text = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? String(v) : v);
    const expected = (find(version, 'ip-s-mroute.txt').expect as Array<Record<string, unknown> & { group: string; source: string }>)
      .map((e) => ({ node: NODE, ...e }))
      .sort((a, b) => a.group.localeCompare(b.group, 'en', { numeric: true }) || a.source.localeCompare(b.source, 'en', { numeric: true }));
    expect(items.map((i) => ({ ...i, packets: text(i.packets), bytes: text(i.bytes), wrongIf: text(i.wrongIf) }))).toEqual(expected);
  });

  it('get mroute on a Node whose image has iproute2 4.9 (no -j) prints the right table', async () => {
    sim = await startSim('default', (s) => {
      s.execOverrides = iproute2Overrides('v4.9.0');
    });
    const r = await mcastctl(sim, ['get', 'mroute', '--node', NODE]);
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'NODE         SOURCE       GROUP           IIF          OIFS                      STATE        PACKETS                BYTES\n' +
        'k8s-node-1   10.10.0.9    239.1.1.1       unresolved   <none>                    unresolved   <unknown>              <unknown>\n' +
        'k8s-node-1   10.10.0.5    239.255.0.1     antrea-gw0   eth0(ttl 3),eth1(ttl 3)   resolved     0                      0\n' +
        'k8s-node-1   10.10.0.5    239.255.12.42   antrea-gw0   eth0                      resolved     15230                  20833640\n' +
        'k8s-node-1   172.18.0.3   239.255.12.43   eth0         antrea-gw0                resolved     18446744073709551615   9007199254740993\n',
    });
  });

  it('a 64-bit counter survives every output format byte for byte', async () => {
    sim = await startSim('default', (s) => {
      s.execOverrides = iproute2Overrides('v7.1.0');
    });
    const MAX = '18446744073709551615';
    const out = async (...format: string[]) => (await mcastctl(sim, ['get', 'mroute', '--node', NODE, '--group', '239.255.12.43', ...format])).stdout;
    expect(await out()).toContain(` ${MAX}   9007199254740993\n`);
    expect(await out('-o', 'wide')).toContain(` ${MAX}   9007199254740993   12          13.25s\n`);
    expect(await out('-o', 'json')).toContain(`"packets": ${MAX},`);
    expect(await out('-o', 'yaml')).toContain(`packets: ${MAX}\n`);
    expect(await out('-o', 'jsonpath={.items[0].packets}')).toBe(MAX);
    expect(await out('-o', 'custom-columns=PACKETS:.packets,BYTES:.bytes')).toBe(`PACKETS                BYTES\n${MAX}   9007199254740993\n`);
  });

  it('get mroute on a Node without iproute2 reads /proc', async () => {
    const proc = corpus.find((e) => e.parser === 'proc-mroute')!;
    sim = await startSim('default', (s) => {
      s.execOverrides = [
        { node: NODE, argv: ['ip', '-j', '-s', 'mroute'], stderr: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "ip": executable file not found in $PATH: unknown', exitCode: 127 },
        replay(proc),
      ];
    });
    const r = await mcastctl(sim, ['get', 'mroute', '--node', NODE, '-o', 'json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`"packets": 18446744073709551615,`);
  });

  const agentGates = corpus.filter((e) => e.parser === 'antctl-featuregates' && e.variant.includes('agent mode'));
  it.each(agentGates.map((e) => [e.file, e] as const))('get featuregates --node with %s prints antctl\'s own bytes', async (_file, entry) => {
    sim = await startSim('default', (s) => {
      s.execOverrides = [replay(entry)];
    });
    const r = await mcastctl(sim, ['get', 'featuregates', '--node', NODE]);
    expect(r).toEqual({ code: 0, stdout: corpusText(entry), stderr: '' });
  });

  const podstats = corpus.filter((e) => e.argv?.join(' ') === 'antctl get podmulticaststats -o json');
  it.each(podstats.map((e) => [e.file, e] as const))('get podmulticaststats -A with %s keeps the counters exact', async (_file, entry) => {
    sim = await startSim('default', (s) => {
      s.execOverrides = [replay(entry)];
    });
    const r = await mcastctl(sim, ['get', 'podmulticaststats', '-A', '--node', NODE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'NAMESPACE                NAME               NODE         INBOUND            OUTBOUND\n' +
        'default                  mcreceiver         k8s-node-1   827309             0\n' +
        'media                    vlc-sender         k8s-node-1   0                  18446744073709551615\n' +
        'testmulticast-vw7gx5b9   test3-receiver-2   k8s-node-1   9007199254740993   30\n',
    );
  });
});
