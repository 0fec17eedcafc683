// Each renderer, fed the state a corpus file records, prints that file byte for byte. The corpus
// (test/fixtures/formats) is built independently from the same upstream printf formats.
import { describe, expect, it } from 'vitest';
import { corpus, corpusText, type CorpusEntry } from '../../helpers/format-corpus.js';
import { renderAntctlFeatureGates, renderPodStatsApiBody, renderPodStatsJson, renderPodStatsTable, type GateEntry } from './antctl.js';
import { cFixed, cG } from './c-format.js';
import { mrouteRequestOf, renderIpMroute, type MfcRoute } from './iproute2-mroute.js';
import { renderIpMrCache, renderIpMrVif, renderProcNetIgmp, type IgmpDeviceRow, type VifRow } from './proc-net.js';

interface ExpectedRoute {
  source: string;
  group: string;
  iif: string | null;
  oifs: Array<{ name: string; ttl?: number }>;
  offload: boolean;
  packets: string | null;
  bytes: string | null;
  wrongIf: string | null;
  age: number | null;
}

const routesOf = (entry: CorpusEntry): MfcRoute[] =>
  (entry.expect as ExpectedRoute[]).map((e) => ({
    source: e.source,
    group: e.group,
    iif: e.iif ?? undefined,
    oifs: e.oifs.map((o) => ({ name: o.name, ttl: o.ttl ?? 1 })),
    packets: BigInt(e.packets ?? 0),
    bytes: BigInt(e.bytes ?? 0),
    wrongIf: BigInt(e.wrongIf ?? 0),
    ageMicroseconds: Math.round((e.age ?? 0) * 1e6),
    offload: e.offload,
  }));

const versionOf = (entry: CorpusEntry) => entry.version.replace(/^v/, '').split('.').map(Number) as unknown as readonly [number, number];

describe('C printf conversions', () => {
  it('%.2f rounds the exact binary value half to even, %g keeps 6 significant digits', () => {
    expect([0.02, 13.25, 120.5, 0.125, 0.375, 2.675].map((v) => cFixed(v, 2))).toEqual(['0.02', '13.25', '120.50', '0.12', '0.38', '2.67']);
    expect([0, 0.02, 13.25, 120.5, 1234567, 0.00001].map(cG)).toEqual(['0', '0.02', '13.25', '120.5', '1.23457e+06', '1e-05']);
  });
});

describe('ip mroute renderers equal the corpus byte for byte', () => {
  const files = corpus.filter((e) => e.tool === 'iproute2' && e.file !== 'iproute2/v6.1.0/verbatim-ip-j-mroute.json');
  it.each(files.map((e) => [e.file, e] as const))('%s', (_file, entry) => {
    const request = mrouteRequestOf(entry.argv!)!;
    const out = renderIpMroute(routesOf(entry.exitCode ? corpus.find((e) => e.version === entry.version && e.file.endsWith('/ip-s-mroute.txt'))! : entry), versionOf(entry), request);
    if (entry.exitCode) expect(out).toEqual({ stdout: '', stderr: corpusText(entry), exitCode: entry.exitCode });
    else expect(out).toEqual({ stdout: corpusText(entry), stderr: '', exitCode: 0 });
  });

  it('reads the argv forms an agent is asked', () => {
    expect(mrouteRequestOf(['ip', '-j', '-s', 'mroute'])).toEqual({ stats: true, json: true, tableAll: false });
    expect(mrouteRequestOf(['ip', 'mroute', 'show', 'table', 'all'])).toEqual({ stats: false, json: false, tableAll: true });
    expect(mrouteRequestOf(['ip', '-s', 'route'])).toBeUndefined();
  });
});

describe('/proc renderers equal the corpus byte for byte', () => {
  // The VIF table and IGMP memberships the corpus files were built from (construct.py).
  const vifs: VifRow[] = [
    { name: 'antrea-gw0', bytesIn: 40446n, pktsIn: 27n, bytesOut: 0n, pktsOut: 0n, flags: 8, local: 4, remote: 0 },
    { name: 'eth0', bytesIn: 0n, pktsIn: 0n, bytesOut: 40446n, pktsOut: 27n, flags: 8, local: 5, remote: 0 },
    { name: 'eth1', bytesIn: 0n, pktsIn: 0n, bytesOut: 0n, pktsOut: 0n, flags: 8, local: 6, remote: 0 },
  ];
  it('ip_mr_vif + ip_mr_cache', () => {
    const entry = corpus.find((e) => e.parser === 'proc-mroute')!;
    expect(renderIpMrVif(vifs) + renderIpMrCache(routesOf(entry), vifs)).toBe(corpusText(entry));
  });
  it('igmp', () => {
    const entry = corpus.find((e) => e.parser === 'proc-igmp')!;
    const g = (group: string, users = 1, timer = 0) => ({ group, users, timerRunning: timer > 0, timer, reporter: 0 });
    const devices: IgmpDeviceRow[] = [
      { ifindex: 1, name: 'lo', querier: 'V3', groups: [g('224.0.0.1')] },
      { ifindex: 4, name: 'antrea-gw0', querier: 'V2', groups: [g('239.255.12.42', 1, 0x1f4), g('224.0.0.1')] },
      { ifindex: 5, name: 'eth0', querier: 'V3', groups: [g('239.255.12.43', 2), g('239.255.12.42'), g('224.0.0.1')] },
      { ifindex: 7, name: 'antrea-tun0', querier: 'V3', groups: [g('224.0.0.1')] },
    ];
    expect(renderProcNetIgmp(devices)).toBe(corpusText(entry));
  });
});

describe('antctl renderers equal the corpus byte for byte', () => {
  const featuregates = corpus.filter((e) => e.parser === 'antctl-featuregates');
  it.each(featuregates.map((e) => [e.file, e] as const))('%s', (_file, entry) => {
    const sections = entry.expect as Record<'agent' | 'agentWindows' | 'controller', Array<Omit<GateEntry, 'component'>> | undefined>;
    const gates: GateEntry[] = [
      ...(sections.agent ?? []).map((g) => ({ component: 'agent', ...g })),
      ...(sections.agentWindows ?? []).map((g) => ({ component: 'agent-windows', ...g })),
      ...(sections.controller ?? []).map((g) => ({ component: 'controller', ...g })),
    ];
    expect(renderAntctlFeatureGates(gates, versionOf(entry))).toBe(corpusText(entry));
  });

  const podstats = corpus.filter((e) => e.parser === 'podmulticaststats-json');
  it.each(podstats.map((e) => [e.file, e] as const))('%s', (_file, entry) => {
    const entries = (entry.expect as Array<{ namespace: string; name: string; inbound: string; outbound: string }>).map((s) => ({
      name: s.name, podNamespace: s.namespace, inbound: s.inbound, outbound: s.outbound,
    }));
    expect(entry.argv ? renderPodStatsJson(entries) : renderPodStatsApiBody(entries)).toBe(corpusText(entry));
  });

  it('the podmulticaststats table as antctl prints it (TKGs blog, Antrea 1.9, trailing spaces restored)', () => {
    const table = renderPodStatsTable([
      { name: 'mcreceiver', podNamespace: 'default', inbound: '827309', outbound: '0' },
      { name: 'secretgen-controller-75d88bc999-m7zkh', podNamespace: 'secretgen-controller', inbound: '0', outbound: '0' },
      { name: 'metrics-server-588ff6d9b4-tlwpm', podNamespace: 'kube-system', inbound: '0', outbound: '0' },
    ]);
    expect(table).toBe(
      'NAMESPACE            NAME                                  INBOUND OUTBOUND\n' +
        'default              mcreceiver                            827309  0       \n' +
        'kube-system          metrics-server-588ff6d9b4-tlwpm       0       0       \n' +
        'secretgen-controller secretgen-controller-75d88bc999-m7zkh 0       0       \n',
    );
  });
});
