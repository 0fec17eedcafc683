/**
 * Parsers of the kernel's IPv4 multicast routing table as an agent container can show it:
 * `ip -s mroute` (text), `ip -j -s mroute` (JSON) and /proc/net/ip_mr_cache with /proc/net/ip_mr_vif
 * (for images without a recent iproute2). Formats: iproute2 6.1 ip/ipmroute.c, net/ipv4/ipmr.c.
 */

export interface Oif {
  name: string;
  /** TTL threshold, shown by the kernel only when greater than 1. */
  ttl?: number;
}

export interface MrouteEntry {
  source: string;
  group: string;
  /** Input interface; null while the entry is unresolved (queued, waiting for the multicast router). */
  iif: string | null;
  oifs: Oif[];
  state: 'resolved' | 'unresolved';
  packets: number | null;
  bytes: number | null;
  wrongIf: number | null;
  /** Seconds since the entry last matched a packet. */
  age: number | null;
}

export class MrouteParseError extends Error {
  constructor(lineNumber: number, line: string, reason: string) {
    super(`line ${lineNumber}: ${reason}: ${JSON.stringify(line.length > 100 ? `${line.slice(0, 100)}…` : line)}`);
    this.name = 'MrouteParseError';
  }
}

const ROUTE_LINE = /^\((\d{1,3}(?:\.\d{1,3}){3}),(\d{1,3}(?:\.\d{1,3}){3})\)\s+Iif: (\S+)\s+(?:Oifs: (.*?))?\s*State: (resolved|unresolved)(?: Table: \S+)?\s*$/;
const STATS_LINE = /^\s+(\d+) packets, (\d+) bytes(?:, (\d+) arrived on wrong iif\.)?(?:, Age (\d+(?:\.\d+)?))?\s*$/;

function parseOifs(text: string | undefined): Oif[] {
  if (!text) return [];
  return [...text.matchAll(/([^\s(]+)(?:\(ttl (\d+)\))?/g)].map((m) => (m[2] ? { name: m[1], ttl: Number(m[2]) } : { name: m[1] }));
}

/** `ip mroute` or `ip -s mroute` text. */
export function parseIpMrouteText(text: string): MrouteEntry[] {
  const entries: MrouteEntry[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const route = ROUTE_LINE.exec(line);
    if (route) {
      const unresolved = route[5] === 'unresolved';
      entries.push({
        source: route[1], group: route[2], iif: unresolved ? null : route[3], oifs: parseOifs(route[4]), state: route[5] as MrouteEntry['state'],
        packets: null, bytes: null, wrongIf: null, age: null,
      });
      return;
    }
    const stats = STATS_LINE.exec(line);
    if (stats && entries.length > 0 && entries[entries.length - 1].packets === null) {
      const last = entries[entries.length - 1];
      last.packets = Number(stats[1]);
      last.bytes = Number(stats[2]);
      last.wrongIf = stats[3] ? Number(stats[3]) : 0;
      last.age = stats[4] !== undefined ? Number(stats[4]) : null;
      return;
    }
    throw new MrouteParseError(index + 1, line, 'not an "ip mroute" line');
  });
  return entries;
}

interface IpJsonRoute {
  src?: unknown;
  dst?: unknown;
  iif?: unknown;
  multipath?: Array<{ oif?: unknown; ttl?: unknown }>;
  state?: unknown;
  packets?: unknown;
  bytes?: unknown;
  wrong_if?: unknown;
  expires?: unknown;
}

const numberOrNull = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** `ip -j [-s] mroute`. */
export function parseIpMrouteJson(text: string): MrouteEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new MrouteParseError(1, text.split('\n')[0] ?? '', `not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new MrouteParseError(1, text.split('\n')[0] ?? '', 'expected a JSON array of routes');
  return (parsed as IpJsonRoute[]).map((r, i) => {
    if (typeof r !== 'object' || r === null || typeof r.src !== 'string' || typeof r.dst !== 'string' || typeof r.iif !== 'string') {
      throw new MrouteParseError(1, JSON.stringify(r), `route ${i + 1} lacks src, dst or iif`);
    }
    const unresolved = r.state === 'unresolved';
    const stats = r.packets !== undefined;
    return {
      source: r.src, group: r.dst, iif: unresolved ? null : r.iif,
      oifs: (r.multipath ?? []).map((o) => (typeof o.ttl === 'number' ? { name: String(o.oif), ttl: o.ttl } : { name: String(o.oif) })),
      state: unresolved ? 'unresolved' : 'resolved',
      packets: numberOrNull(r.packets), bytes: numberOrNull(r.bytes), wrongIf: stats ? (numberOrNull(r.wrong_if) ?? 0) : null, age: numberOrNull(r.expires),
    };
  });
}

/** An address printed by the kernel with %08X from a __be32 on a little-endian host (x86, arm64). */
export function fromKernelHex(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

const VIF_HEADER = /^Interface\s+BytesIn\s+PktsIn\s+BytesOut\s+PktsOut\s+Flags\s+Local\s+Remote\s*$/;
const CACHE_HEADER = /^Group\s+Origin\s+Iif\s+Pkts\s+Bytes\s+Wrong\s+Oifs\s*$/;

/**
 * `cat /proc/net/ip_mr_vif /proc/net/ip_mr_cache` (both files, in that order): VIF numbers are
 * turned into interface names.
 */
export function parseProcMroute(text: string): MrouteEntry[] {
  const lines = text.split('\n');
  const vifNames = new Map<number, string>();
  const entries: MrouteEntry[] = [];
  let section: 'none' | 'vif' | 'cache' = 'none';
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    if (VIF_HEADER.test(line)) return void (section = 'vif');
    if (CACHE_HEADER.test(line)) return void (section = 'cache');
    if (section === 'vif') {
      const m = /^\s*(\d+)\s+(\S+)\s+\d+\s+\d+\s+\d+\s+\d+\s+[0-9A-F]{5}\s+[0-9A-F]{8}\s+[0-9A-F]{8}\s*$/.exec(line);
      if (!m) throw new MrouteParseError(index + 1, line, 'not an ip_mr_vif row');
      vifNames.set(Number(m[1]), m[2]);
      return;
    }
    if (section === 'cache') {
      const m = /^([0-9A-F]{8}) ([0-9A-F]{8}) (-?\d+)\s+(\d+)\s+(\d+)\s+(\d+)((?:\s+\d+:\d+)*)\s*$/.exec(line);
      if (!m) throw new MrouteParseError(index + 1, line, 'not an ip_mr_cache row');
      const iifIndex = Number(m[3]);
      const unresolved = iifIndex < 0;
      const vifName = (i: number) => vifNames.get(i) ?? `vif${i}`;
      entries.push({
        source: fromKernelHex(m[2]), group: fromKernelHex(m[1]), iif: unresolved ? null : vifName(iifIndex),
        oifs: [...m[7].matchAll(/(\d+):(\d+)/g)].map((o) => (Number(o[2]) > 1 ? { name: vifName(Number(o[1])), ttl: Number(o[2]) } : { name: vifName(Number(o[1])) })),
        state: unresolved ? 'unresolved' : 'resolved',
        packets: Number(m[4]), bytes: Number(m[5]), wrongIf: Number(m[6]), age: null,
      });
      return;
    }
    throw new MrouteParseError(index + 1, line, 'expected the /proc/net/ip_mr_vif or ip_mr_cache header');
  });
  return entries;
}
