/**
 * The kinds of real output that were misread, each on the exact lines reported: iproute2 before
 * 4.17, offload and Table:, 64-bit counters, and antctl output with something unknown in it.
 */
import { describe, expect, it } from 'vitest';
import { parseFeatureGates } from '../../src/antrea/featuregates-parser.js';
import { MrouteParseError, parseIpMrouteJson, parseIpMrouteText } from '../../src/antrea/mroute-parser.js';
import { parsePodMulticastStatsJson } from '../../src/antrea/podmulticaststats-parser.js';
import { mrouteListSpec, type NodeMroute } from '../../src/commands/get-mroute.js';
import { podStatsSpec, type PodStatsRow } from '../../src/commands/get-podmulticaststats.js';
import { formatList, parseOutput } from '../../src/output/list-printer.js';

const plain = { warn: (t: string) => t, bad: (t: string) => t, good: (t: string) => t };
const print = <T>(spec: Parameters<typeof formatList<T>>[0], rows: T[], output: string) =>
  formatList(spec, rows, parseOutput(output), { noHeaders: false, paint: plain, emptyMessage: 'none' }, () => {});

describe('ip -s mroute of iproute2 before 4.17', () => {
  it('reads "(S, G)" with a comma and a space, and Age padded as %4i.%.2i (iproute2 4.9)', () => {
    const text = '(10.10.0.5, 239.255.12.42)       Iif: antrea-gw0 Oifs: eth0 \n  15230 packets, 20833640 bytes, Age    0.02\n';
    expect(parseIpMrouteText(text)).toEqual([
      {
        source: '10.10.0.5', group: '239.255.12.42', iif: 'antrea-gw0', oifs: [{ name: 'eth0' }], state: 'resolved', offload: false, table: null,
        packets: 15230n, bytes: 20833640n, wrongIf: 0n, age: 0.02,
      },
    ]);
  });

  it('reads entries without State: (before 4.11): unresolved from the Iif', () => {
    const [entry] = parseIpMrouteText('(10.10.0.9, 239.1.1.1)           Iif: unresolved \n');
    expect(entry).toMatchObject({ source: '10.10.0.9', group: '239.1.1.1', iif: null, state: 'unresolved', packets: null });
  });

  it('keeps offload (4.15+) in text and in JSON', () => {
    const [text] = parseIpMrouteText('(10.10.0.5,239.255.12.44)        Iif: swp1       Oifs: swp2 swp3  State: resolved offload\n');
    expect(text).toMatchObject({ oifs: [{ name: 'swp2' }, { name: 'swp3' }], state: 'resolved', offload: true });
    const [json] = parseIpMrouteJson('[{"src":"10.10.0.5","dst":"239.255.12.44","iif":"swp1","multipath":[{"oif":"swp2"},{"oif":"swp3"}],"state":"resolved","offload":null}]\n');
    expect(json).toMatchObject({ offload: true });
  });

  it('keeps the table of `ip mroute show table all` in text (after the counters) and in JSON', () => {
    const [text] = parseIpMrouteText('(10.10.0.5,239.255.12.42)        Iif: antrea-gw0 Oifs: eth0  State: resolved\n  15230 packets, 20833640 bytes, Age 0.02 Table: default\n');
    expect(text).toMatchObject({ table: 'default', packets: 15230n, age: 0.02 });
    const [json] = parseIpMrouteJson('[{"src":"10.10.0.5","dst":"239.255.12.42","iif":"antrea-gw0","multipath":[{"oif":"eth0"}],"state":"resolved","packets":15230,"bytes":20833640,"expires":0.02,"table":"default"}]');
    expect(json).toMatchObject({ table: 'default' });
  });

  it('keeps an unknown word with a note, and names the command and the line it cannot read', () => {
    const notes: string[] = [];
    const [entry] = parseIpMrouteText('(10.10.0.5,239.255.12.42)        Iif: antrea-gw0 Oifs: eth0  State: resolved rtx\n', { note: (m) => notes.push(m) });
    expect(entry.extra).toEqual({ rtx: true });
    expect(notes).toEqual(['"ip -s mroute" line 1: unknown field "rtx" kept as an extra']);
    expect(() => parseIpMrouteText('(10.10.0.5,239.255.12.42)        Iif: antrea-gw0\nRTNETLINK answers: Operation not supported\n')).toThrow(
      new MrouteParseError('ip -s mroute', 2, 'RTNETLINK answers: Operation not supported', 'not an "ip mroute" line'),
    );
  });

  it('keeps an unknown JSON key as an extra, with a note', () => {
    const notes: string[] = [];
    const [entry] = parseIpMrouteJson('[{"src":"10.10.0.5","dst":"239.255.12.42","iif":"antrea-gw0","multipath":[],"state":"resolved","lastuse":7}]', { note: (m) => notes.push(m) });
    expect(entry.extra).toEqual({ lastuse: 7n });
    expect(notes).toEqual(['"ip -j -s mroute" route 1: unknown field "lastuse" kept as an extra']);
  });
});

describe('64-bit counters stay exact in every output format', () => {
  const MAX = '18446744073709551615';
  const route: NodeMroute = {
    node: 'k8s-node-1', source: '172.18.0.3', group: '239.255.12.43', iif: 'eth0', oifs: [{ name: 'antrea-gw0' }], state: 'resolved', offload: false, table: null,
    ...(() => {
      const [e] = parseIpMrouteJson(`[{"src":"172.18.0.3","dst":"239.255.12.43","iif":"eth0","multipath":[{"oif":"antrea-gw0"}],"state":"resolved","packets":${MAX},"bytes":9007199254740993,"expires":13.25}]`);
      return { packets: e.packets, bytes: e.bytes, wrongIf: e.wrongIf, age: e.age };
    })(),
  };

  it('get mroute: table, wide, JSON (a number token), YAML, jsonpath, custom-columns', () => {
    expect(route.packets).toBe(18446744073709551615n);
    expect(print(mrouteListSpec, [route], 'table')).toContain(`${MAX}   9007199254740993`);
    expect(print(mrouteListSpec, [route], 'wide')).toContain(`${MAX}   9007199254740993   0`);
    expect(print(mrouteListSpec, [route], 'json')).toContain(`"packets": ${MAX},\n      "bytes": 9007199254740993,`);
    expect(print(mrouteListSpec, [route], 'yaml')).toContain(`packets: ${MAX}\n  bytes: 9007199254740993\n`);
    expect(print(mrouteListSpec, [route], 'jsonpath={.items[0].packets}')).toBe(MAX);
    expect(print(mrouteListSpec, [route], 'jsonpath={.items[0]}')).toContain(`"packets":${MAX}`);
    expect(print(mrouteListSpec, [route], 'custom-columns=PACKETS:.packets,BYTES:.bytes')).toBe(`PACKETS                BYTES\n${MAX}   9007199254740993\n`);
  });

  it('get podmulticaststats: the agent\'s decimal strings, exact in every format', () => {
    const [stats] = parsePodMulticastStatsJson(`[{"name":"vlc-sender","podNamespace":"media","inbound":"0","outbound":"${MAX}"}]\n`);
    const row: PodStatsRow = { ...stats, node: 'k8s-node-1' };
    expect(print(podStatsSpec(false), [row], 'table')).toBe(`NAMESPACE   NAME         NODE         INBOUND   OUTBOUND\nmedia       vlc-sender   k8s-node-1   0         ${MAX}\n`);
    expect(print(podStatsSpec(false), [row], 'json')).toContain(`"outbound": ${MAX}\n`);
    expect(print(podStatsSpec(false), [row], 'yaml')).toContain(`outbound: ${MAX}\n`);
    expect(print(podStatsSpec(false), [row], 'jsonpath={.items[*].outbound}')).toBe(MAX);
    expect(print(podStatsSpec(false), [row], 'custom-columns=OUT:.outbound')).toBe(`OUT\n${MAX}\n`);
  });
});

describe('antctl get featuregates with something unknown in it', () => {
  const header = 'Antrea Agent Feature Gates\nFEATUREGATE              STATUS         VERSION   \n';

  it('reads an extra column with a warning', () => {
    const parsed = parseFeatureGates('Antrea Agent Feature Gates\nFEATUREGATE     STATUS       VERSION     SINCE\nMulticast       Enabled      BETA        v1.12\n');
    expect(parsed.agent).toEqual([{ name: 'Multicast', status: 'Enabled', version: 'BETA' }]);
    expect(parsed.warnings).toEqual(['line 2: extra header column "SINCE" ignored', 'line 3: 1 extra column ignored: "Multicast       Enabled      BETA        v1.12"']);
  });

  it('reads an unknown VERSION and an unknown STATUS as printed, with warnings', () => {
    const parsed = parseFeatureGates(`${header}Multicast                Enabled        PREVIEW   \nEgress                   Locked         GA        \n`);
    expect(parsed.agent).toEqual([
      { name: 'Multicast', status: 'Enabled', version: 'PREVIEW' },
      { name: 'Egress', status: 'Locked', version: 'GA' },
    ]);
    expect(parsed.warnings).toEqual([
      'line 3: unknown feature gate version "PREVIEW", read as printed: "Multicast                Enabled        PREVIEW"',
      'line 4: unknown feature gate status "Locked", read as printed: "Egress                   Locked         GA"',
    ]);
  });

  it('reads an unknown section title with a warning', () => {
    const parsed = parseFeatureGates(`${header}Multicast                Enabled        BETA      \n\nAntrea Flow Aggregator Feature Gates\nFEATUREGATE     STATUS       VERSION\nFoo             Disabled     ALPHA\n`);
    expect(parsed.agent).toEqual([{ name: 'Multicast', status: 'Enabled', version: 'BETA' }]);
    expect(parsed.other).toEqual([{ title: 'Antrea Flow Aggregator Feature Gates', featureGates: [{ name: 'Foo', status: 'Disabled', version: 'ALPHA' }] }]);
    expect(parsed.warnings).toEqual(['line 5: unknown section "Antrea Flow Aggregator Feature Gates", read as printed']);
  });

  it('reads GA with an empty VERSION (before v1.14) and a 25+ character name glued to its status', () => {
    const parsed = parseFeatureGates(`${header}AntreaProxy              Enabled                  \nCleanupStaleUDPSvcConntrackDisabled       ALPHA     \n`);
    expect(parsed.agent).toEqual([
      { name: 'AntreaProxy', status: 'Enabled', version: '' },
      { name: 'CleanupStaleUDPSvcConntrack', status: 'Disabled', version: 'ALPHA' },
    ]);
    expect(parsed.warnings).toEqual([]);
  });
});
