import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countMemberships, IgmpParseError, parseProcNetIgmp, parseSysctlInteger } from '../../src/antrea/igmp-parser.js';
import { fromKernelHex, MrouteParseError, parseIpMrouteJson, parseIpMrouteText, parseProcMroute } from '../../src/antrea/mroute-parser.js';
import { procNetIgmp } from '../sim/render/kernel-output.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'kernel', name), 'utf8');
const entry = (e: Partial<ReturnType<typeof parseIpMrouteText>[number]>) => ({
  iif: 'antrea-gw0', oifs: [], state: 'resolved', offload: false, table: null, packets: null, bytes: null, wrongIf: null, age: null, ...e,
});

describe('ip mroute text', () => {
  it('reads ip -s mroute with counters in both directions', () => {
    expect(parseIpMrouteText(fixture('ip-s-mroute.txt'))).toEqual([
      entry({ source: '10.10.1.5', group: '239.255.12.43', oifs: [{ name: 'eth0' }], packets: 54n, bytes: 80892n, wrongIf: 0n, age: 0.05 }),
      entry({ source: '172.18.0.3', group: '239.255.12.43', iif: 'eth0', oifs: [{ name: 'antrea-gw0' }], packets: 29n, bytes: 43442n, wrongIf: 0n, age: 0.01 }),
    ]);
  });

  it('reads every line shape: no Oifs, unresolved, ttl thresholds, (*,G), Table suffix, wrong iif', () => {
    expect(parseIpMrouteText(fixture('ip-mroute-variants.txt'))).toEqual([
      entry({ source: '10.10.1.5', group: '239.255.12.43', oifs: [{ name: 'eth0' }] }),
      entry({ source: '10.10.1.5', group: '239.1.1.1' }),
      entry({ source: '10.10.1.5', group: '239.1.1.1', iif: null, state: 'unresolved' }),
      entry({ source: '10.10.1.5', group: '239.255.12.43', oifs: [{ name: 'eth0', ttl: 3 }, { name: 'eth1', ttl: 3 }] }),
      entry({ source: '0.0.0.0', group: '239.255.12.43', oifs: [{ name: 'eth0' }] }),
      entry({ source: '10.10.1.5', group: '239.255.12.43', oifs: [{ name: 'eth0' }], table: 'default', packets: 12n, bytes: 17976n, wrongIf: 12n, age: 0.01 }),
    ]);
  });

  it('reads an empty table', () => {
    expect(parseIpMrouteText('')).toEqual([]);
  });

  it('names the line it cannot read', () => {
    expect(() => parseIpMrouteText('(10.10.1.5,239.1.1.1)  Iif: eth0  State: resolved\nError: ??? prefix is expected\n')).toThrow(
      new MrouteParseError('ip -s mroute', 2, 'Error: ??? prefix is expected', 'not an "ip mroute" line'),
    );
    expect(() => parseIpMrouteText('(10.10.1.5,239.1.1)  Iif: eth0  State: resolved')).toThrow(/^"ip -s mroute" line 1: not an "ip mroute" line/);
  });
});

describe('ip -j mroute', () => {
  it('reads unresolved entries, empty multipath, wrong_if and ttl', () => {
    expect(parseIpMrouteJson(fixture('ip-j-mroute.json'))).toEqual([
      entry({ source: '10.10.1.5', group: '239.1.1.1', iif: null, state: 'unresolved' }),
      entry({ source: '10.10.1.5', group: '239.1.1.1', packets: 21n, bytes: 31458n, wrongIf: 0n, age: 0.02 }),
      entry({ source: '172.18.0.3', group: '239.255.12.43', oifs: [{ name: 'eth0' }], packets: 12n, bytes: 17976n, wrongIf: 12n, age: 0.01 }),
      entry({ source: '10.10.1.5', group: '239.255.12.43', oifs: [{ name: 'eth0', ttl: 3 }, { name: 'eth1', ttl: 3 }] }),
    ]);
  });

  it('rejects malformed JSON with a clear reason', () => {
    expect(() => parseIpMrouteJson('Option "-j" is unknown, try "ip -help".')).toThrow(/^"ip -j -s mroute" line 1: not JSON/);
    expect(() => parseIpMrouteJson('{"src":"1.2.3.4"}')).toThrow(/expected a JSON array of routes/);
    expect(() => parseIpMrouteJson('[{"dst":"239.1.1.1"}]')).toThrow(/route 1: lacks src, dst or iif/);
  });
});

describe('/proc/net/ip_mr_vif + ip_mr_cache', () => {
  it('decodes little-endian hex addresses and VIF numbers', () => {
    expect(fromKernelHex('2B0CFFEF')).toBe('239.255.12.43');
    expect(fromKernelHex('05010A0A')).toBe('10.10.1.5');
    expect(parseProcMroute(fixture('proc-ip-mr-vif-and-cache.txt'))).toEqual([
      entry({ source: '10.10.1.5', group: '239.255.12.43', oifs: [{ name: 'eth0' }], packets: 54n, bytes: 80892n, wrongIf: 0n }),
      entry({ source: '172.18.0.3', group: '239.255.12.43', iif: 'eth0', oifs: [{ name: 'antrea-gw0' }], packets: 29n, bytes: 43442n, wrongIf: 0n }),
      entry({ source: '10.10.1.5', group: '239.1.1.1', iif: null, state: 'unresolved' }),
    ]);
  });

  it('names a malformed row', () => {
    const text = 'Group    Origin   Iif     Pkts    Bytes    Wrong Oifs\n2B0CFFEF 05010A0A zero 1 2 3\n';
    expect(() => parseProcMroute(text)).toThrow(/^"cat \/proc\/net\/ip_mr_vif \/proc\/net\/ip_mr_cache" line 2: not an ip_mr_cache row/);
    expect(() => parseProcMroute('cat: /proc/net/ip_mr_vif: No such file or directory\n')).toThrow(/^"cat \/proc\/net\/ip_mr_vif \/proc\/net\/ip_mr_cache" line 1: expected the \/proc\/net\/ip_mr_vif/);
  });
});

describe('/proc/net/igmp', () => {
  it('reads devices and groups, counting memberships without 224.0.0.1 and lo', () => {
    const devices = parseProcNetIgmp(fixture('proc-net-igmp.txt'));
    expect(devices.map((d) => d.name)).toEqual(['lo', 'br-int', 'gw0-br', 'antrea-gw0', 'eth0', 'vetha', 'vethb']);
    expect(devices[4].groups).toEqual(['239.255.12.43', '224.0.0.1']);
    expect(countMemberships(devices)).toEqual({ count: 1, groups: ['239.255.12.43'] });
  });

  it('rejects what is not /proc/net/igmp', () => {
    expect(() => parseProcNetIgmp('20\n')).toThrow(IgmpParseError);
    expect(() => parseProcNetIgmp('Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\ngarbage\n')).toThrow(/^line 2: not a \/proc\/net\/igmp row/);
  });

  it('reads the sysctl value strictly', () => {
    expect(parseSysctlInteger('20\n', 'net.ipv4.igmp_max_memberships')).toBe(20);
    expect(() => parseSysctlInteger('cat: x: No such file', 'net.ipv4.igmp_max_memberships')).toThrow('net.ipv4.igmp_max_memberships: expected an integer, got "cat: x: No such file"');
  });
});

describe('the simulator prints what the parsers read', () => {
  it('igmp', () => {
    expect(countMemberships(parseProcNetIgmp(procNetIgmp([{ name: 'eth0', ifindex: 5, groups: ['239.1.1.1', '239.1.1.2'] }])))).toEqual({ count: 2, groups: ['239.1.1.1', '239.1.1.2'] });
  });
});
