/**
 * Parsers of the kernel's IPv4 multicast routing table as an agent container can show it:
 * `ip [-s] [-j] mroute` of every iproute2 from 4.9 to 7.x (text and JSON) and
 * /proc/net/ip_mr_cache with /proc/net/ip_mr_vif (for images without iproute2).
 *
 * Formats (iproute2 ip/ipmroute.c print_mroute, read at each tag):
 * - v4.9–v4.10: `"(%s, %s)"` padded `%-32s`, ` Iif: `, iif `%-10s `, `Oifs: ` + `name ` or
 *   `name(ttl N) `; no State; `-s` adds `"\n  %llu packets, %llu bytes"`, `", %llu arrived on wrong
 *   iif."` when non-zero, and `", Age %4i.%.2i"` (seconds padded to 4).
 * - v4.11: `" State: resolved|unresolved"` after the oifs.
 * - v4.14: `" Table: %s"` at the end of the entry (after the counters with -s) with `show table all`.
 * - v4.15: `" offload"` after State when the route is offloaded.
 * - v4.17+: `"(%s,%s)"` without the space, Age `%.2f`, and `-j` JSON: src, dst, iif, multipath
 *   [{oif[, ttl]}], state, offload (null), packets, bytes, wrong_if, expires (%g), table.
 *   iproute2 4.13–4.16 accept `-j` but print mroutes as text.
 * Counters are u64 (`%llu` / jsonw_u64): they are read as bigint, never as a float.
 * Kernel: net/ipv4/ipmr.c ipmr_mfc_seq_show / ipmr_vif_seq_show (formats quoted below).
 */
import { isInteger, parse as parseLossless } from 'lossless-json';

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
  /** Forwarded in hardware (iproute2 4.15+ prints "offload"; the kernel flag RTNH_F_OFFLOAD). */
  offload: boolean;
  /** The multicast routing table, printed by iproute2 4.14+ with `ip mroute show table all`. */
  table: string | null;
  /** u64 counters, exact; null when the output had none (no -s, unresolved entry). */
  packets: bigint | null;
  bytes: bigint | null;
  wrongIf: bigint | null;
  /** Seconds since the entry last matched a packet (iproute2 prints it as Age, JSON "expires"). */
  age: number | null;
  /** Fields this parser does not know, kept as printed (JSON key → value, text token → true). */
  extra?: Record<string, unknown>;
}

/** A note about something read leniently (an unknown field): shown with -v. */
export type NoteSink = (message: string) => void;

export class MrouteParseError extends Error {
  constructor(
    readonly command: string,
    readonly lineNumber: number,
    readonly line: string,
    reason: string,
  ) {
    super(`"${command}" line ${lineNumber}: ${reason}: ${JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line)}`);
    this.name = 'MrouteParseError';
  }
}

// iproute2 prints "unknown" for a missing RTA_SRC/RTA_DST.
const ADDRESS = String.raw`(\d{1,3}(?:\.\d{1,3}){3}|unknown)`;
const ROUTE_HEAD = new RegExp(String.raw`^\(${ADDRESS}, ?${ADDRESS}\) *Iif: (\S+)(.*)$`);
const STATS_HEAD = /^ {2}(\d+) packets, (\d+) bytes(?:, (\d+) arrived on wrong iif\.)?(?:, Age +(\d+\.\d+))?(.*)$/;
const TOKEN = /State: (\S+)|Table: (\S+)|Oifs:|([^\s(]+)\(ttl (\d+)\)|(\S+)/g;

function addExtra(entry: MrouteEntry, key: string, value: unknown): void {
  entry.extra = { ...(entry.extra ?? {}), [key]: value };
}

/** Reads the words after the counters (`Table: NAME`; anything else is kept as an extra). */
function readTail(entry: MrouteEntry, tail: string, note: NoteSink | undefined, where: string): void {
  for (const m of tail.matchAll(TOKEN)) {
    if (m[2] !== undefined) entry.table = m[2];
    else {
      addExtra(entry, m[0], true);
      note?.(`${where}: unknown field "${m[0]}" kept as an extra`);
    }
  }
}

/**
 * `ip mroute` / `ip -s mroute` text of iproute2 4.9 … 7.x (and `ip -j` of 4.13–4.16, which prints text).
 * Returns the entries in the order printed. Throws MrouteParseError naming the command and the
 * line that is neither a route nor its counters; unknown words on a line are kept in `extra` and noted.
 */
export function parseIpMrouteText(text: string, options: { command?: string; note?: NoteSink } = {}): MrouteEntry[] {
  const command = options.command ?? 'ip -s mroute';
  const entries: MrouteEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const where = `"${command}" line ${index + 1}`;
    const route = ROUTE_HEAD.exec(line);
    if (route) {
      const [, source, group, iifText, rest] = route;
      const entry: MrouteEntry = {
        source, group, iif: iifText === 'unresolved' ? null : iifText, oifs: [], state: iifText === 'unresolved' ? 'unresolved' : 'resolved',
        offload: false, table: null, packets: null, bytes: null, wrongIf: null, age: null,
      };
      let inOifs = false;
      let afterState = false;
      for (const m of rest.matchAll(TOKEN)) {
        if (m[1] !== undefined) {
          if (m[1] !== 'resolved' && m[1] !== 'unresolved') throw new MrouteParseError(command, index + 1, line, `unknown route state "${m[1]}"`);
          entry.state = m[1];
          inOifs = false;
          afterState = true;
        } else if (m[2] !== undefined) {
          entry.table = m[2];
          inOifs = false;
        } else if (m[0] === 'Oifs:') {
          inOifs = true;
        } else if (inOifs) {
          entry.oifs.push(m[4] !== undefined ? { name: m[3], ttl: Number(m[4]) } : { name: m[5] });
        } else if (afterState && m[5] === 'offload') {
          entry.offload = true;
        } else {
          addExtra(entry, m[0], true);
          options.note?.(`${where}: unknown field "${m[0]}" kept as an extra`);
        }
      }
      entries.push(entry);
      return;
    }
    const stats = STATS_HEAD.exec(line);
    const last = entries[entries.length - 1];
    if (stats && last && last.packets === null) {
      last.packets = BigInt(stats[1]);
      last.bytes = BigInt(stats[2]);
      last.wrongIf = stats[3] !== undefined ? BigInt(stats[3]) : 0n;
      last.age = stats[4] !== undefined ? Number(stats[4]) : null;
      readTail(last, stats[5], options.note, where);
      return;
    }
    throw new MrouteParseError(command, index + 1, line, stats ? 'counters without a route above them' : 'not an "ip mroute" line');
  });
  return entries;
}

const KNOWN_JSON_KEYS = new Set(['src', 'dst', 'iif', 'multipath', 'state', 'offload', 'packets', 'bytes', 'wrong_if', 'expires', 'table']);

/** JSON with every integer kept exact: integers become bigint, other numbers float. */
export function parseExactJson(text: string): unknown {
  return parseLossless(text, null, (value: string) => (isInteger(value) ? BigInt(value) : Number.parseFloat(value)));
}

function counter(value: unknown, key: string, fail: (reason: string) => never): bigint | null {
  if (value === undefined) return null;
  if (typeof value === 'bigint' && value >= 0n) return value;
  return fail(`"${key}" is ${String(value)}, not a counter`);
}

/**
 * `ip -j [-s] mroute` (iproute2 4.17+): a JSON array of routes. Integers are read exactly (bigint).
 * Unknown keys are kept in `extra` and noted; a route without src, dst or iif is an error.
 */
export function parseIpMrouteJson(text: string, options: { command?: string; note?: NoteSink } = {}): MrouteEntry[] {
  const command = options.command ?? 'ip -j -s mroute';
  let parsed: unknown;
  try {
    parsed = parseExactJson(text);
  } catch (err) {
    throw new MrouteParseError(command, 1, text.split('\n')[0] ?? '', `not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new MrouteParseError(command, 1, text.split('\n')[0] ?? '', 'expected a JSON array of routes');
  return parsed.map((item: unknown, i) => {
    const r = item as Record<string, unknown>;
    const fail = (reason: string): never => {
      throw new MrouteParseError(command, 1, JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)), `route ${i + 1}: ${reason}`);
    };
    if (typeof r !== 'object' || r === null || typeof r.src !== 'string' || typeof r.dst !== 'string' || typeof r.iif !== 'string') fail('lacks src, dst or iif');
    const state = r.state ?? (r.iif === 'unresolved' ? 'unresolved' : 'resolved');
    if (state !== 'resolved' && state !== 'unresolved') fail(`unknown route state ${JSON.stringify(state)}`);
    const multipath = r.multipath ?? [];
    if (!Array.isArray(multipath)) fail('"multipath" is not a list');
    const entry: MrouteEntry = {
      source: r.src as string,
      group: r.dst as string,
      iif: state === 'unresolved' ? null : (r.iif as string),
      oifs: (multipath as Array<Record<string, unknown>>).map((o) => (o.ttl !== undefined ? { name: String(o.oif), ttl: Number(o.ttl) } : { name: String(o.oif) })),
      state: state as MrouteEntry['state'],
      offload: 'offload' in r,
      table: typeof r.table === 'string' ? r.table : null,
      packets: counter(r.packets, 'packets', fail),
      bytes: counter(r.bytes, 'bytes', fail),
      wrongIf: null,
      age: typeof r.expires === 'number' ? r.expires : typeof r.expires === 'bigint' ? Number(r.expires) : null,
    };
    // wrong_if is printed only when non-zero; with counters present its absence means 0.
    entry.wrongIf = counter(r.wrong_if, 'wrong_if', fail) ?? (entry.packets !== null ? 0n : null);
    for (const key of Object.keys(r)) {
      if (KNOWN_JSON_KEYS.has(key)) continue;
      addExtra(entry, key, r[key]);
      options.note?.(`"${command}" route ${i + 1}: unknown field "${key}" kept as an extra`);
    }
    return entry;
  });
}

/** An address printed by the kernel with %08X from a __be32 on a little-endian host (x86, arm64). */
export function fromKernelHex(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

// ipmr_vif_seq_show: "Interface      BytesIn  PktsIn  BytesOut PktsOut Flags Local    Remote\n",
// rows "%2td %-10s %8ld %7ld  %8ld %7ld %05X %08X %08X\n" (counters are signed longs there).
const VIF_HEADER = /^Interface\s+BytesIn\s+PktsIn\s+BytesOut\s+PktsOut\s+Flags\s+Local\s+Remote\s*$/;
const VIF_ROW = /^\s*(\d+)\s+(\S+)\s+-?\d+\s+-?\d+\s+-?\d+\s+-?\d+\s+[0-9A-F]{5}\s+[0-9A-F]{8}\s+[0-9A-F]{8}\s*$/;
// ipmr_mfc_seq_show: "Group    Origin   Iif     Pkts    Bytes    Wrong Oifs\n", rows "%08X %08X %-3hd",
// then " %8lu %8lu %8lu" (zeros for unresolved entries, iif -1), then " %2d:%-3d" per oif.
const CACHE_HEADER = /^Group\s+Origin\s+Iif\s+Pkts\s+Bytes\s+Wrong\s+Oifs\s*$/;
const CACHE_ROW = /^([0-9A-F]{8}) ([0-9A-F]{8}) (-?\d+)\s+(\d+)\s+(\d+)\s+(\d+)((?:\s+\d+:\d+)*)\s*$/;

/**
 * `cat /proc/net/ip_mr_vif /proc/net/ip_mr_cache` (both files, in that order): VIF numbers are
 * turned into interface names. Unresolved rows (iif -1) carry no counters in the kernel: null here.
 */
export function parseProcMroute(text: string, options: { command?: string } = {}): MrouteEntry[] {
  const command = options.command ?? 'cat /proc/net/ip_mr_vif /proc/net/ip_mr_cache';
  const vifNames = new Map<number, string>();
  const entries: MrouteEntry[] = [];
  let section: 'none' | 'vif' | 'cache' = 'none';
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    if (VIF_HEADER.test(line)) return void (section = 'vif');
    if (CACHE_HEADER.test(line)) return void (section = 'cache');
    if (section === 'vif') {
      const m = VIF_ROW.exec(line);
      if (!m) throw new MrouteParseError(command, index + 1, line, 'not an ip_mr_vif row');
      vifNames.set(Number(m[1]), m[2]);
      return;
    }
    if (section === 'cache') {
      const m = CACHE_ROW.exec(line);
      if (!m) throw new MrouteParseError(command, index + 1, line, 'not an ip_mr_cache row');
      const iifIndex = Number(m[3]);
      const unresolved = iifIndex < 0;
      const vifName = (i: number) => vifNames.get(i) ?? `vif${i}`;
      entries.push({
        source: fromKernelHex(m[2]), group: fromKernelHex(m[1]), iif: unresolved ? null : vifName(iifIndex),
        oifs: [...m[7].matchAll(/(\d+):(\d+)/g)].map((o) => (Number(o[2]) > 1 ? { name: vifName(Number(o[1])), ttl: Number(o[2]) } : { name: vifName(Number(o[1])) })),
        state: unresolved ? 'unresolved' : 'resolved',
        offload: false,
        // /proc shows only the default table (ipmr_get_table(net, RT_TABLE_DEFAULT)).
        table: null,
        packets: unresolved ? null : BigInt(m[4]), bytes: unresolved ? null : BigInt(m[5]), wrongIf: unresolved ? null : BigInt(m[6]), age: null,
      });
      return;
    }
    throw new MrouteParseError(command, index + 1, line, 'expected the /proc/net/ip_mr_vif or ip_mr_cache header');
  });
  return entries;
}
