/**
 * `ip [-s] [-j] mroute [show table all]` as each iproute2 release prints it, transcribed from
 * iproute2/iproute2 ip/ipmroute.c print_mroute at the tags named below, and ip/ip.c for `-j`.
 *
 * - v4.9.0:  `fprintf(fp, "%-32s Iif: ", "(%s, %s)")`, iif `"%-10s "` or `"unresolved "`,
 *            `"Oifs: "`, each oif `"%s"` + `"(ttl %d) "` or `" "`; with -s `"%s  %"PRIu64" packets,
 *            %"PRIu64" bytes"` (_SL_ = "\n"), `", %"PRIu64" arrived on wrong iif."` when non-zero,
 *            `", Age %4i.%.2i"`; then "\n".
 * - v4.11.0: `" State: %s"` (resolved|unresolved, RTNH_F_UNRESOLVED) after the oifs.
 * - v4.14.0: `" Table: %s"` last, when the dump was not filtered by table (`show table all`).
 * - v4.15.0: `" offload"` after State (RTNH_F_OFFLOAD).
 * - v4.17.0: `"(%s,%s)"`, Age `", Age %.2f"`, and -j: json_writer objects with src, dst, iif,
 *            multipath [{oif, ttl>1}], state, offload (null), packets, bytes, wrong_if (non-zero),
 *            expires (%g), table; compact, "\n" after the closing "]".
 * - ip/ip.c: `-json` is an option from v4.13.0; before, `Option "-j" is unknown, try "ip -help".`
 *   on stderr and exit(-1) (255). v4.13–v4.16 accept -j but mroute still prints text.
 * The kernel sends RTA_MULTIPATH, RTA_MFC_STATS and RTA_EXPIRES only for resolved entries
 * (net/ipv4/ipmr.c ipmr_fill_mroute: an unresolved cache entry returns -ENOENT before them).
 */
import { cFixed, cG, padLeftAligned } from './c-format.js';

export type Iproute2Version = readonly [major: number, minor: number];

export interface MfcRoute {
  source: string;
  group: string;
  /** Input interface name; undefined while the entry is unresolved. */
  iif?: string;
  oifs: Array<{ name: string; ttl: number }>;
  packets: bigint;
  bytes: bigint;
  wrongIf: bigint;
  /** Time since the entry last matched a packet, in microseconds (RTA_EXPIRES, from jiffies). */
  ageMicroseconds: number;
  offload?: boolean;
}

export interface MrouteRequest {
  stats: boolean;
  json: boolean;
  /** `show table all`: every table, each entry naming its table. */
  tableAll: boolean;
}

export interface ProgramOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const atLeast = (v: Iproute2Version, major: number, minor: number) => v[0] > major || (v[0] === major && v[1] >= minor);
const TABLE_NAME = 'default';

function textEntry(r: MfcRoute, version: Iproute2Version, request: MrouteRequest): string {
  const modern = atLeast(version, 4, 17);
  let out = padLeftAligned(modern ? `(${r.source},${r.group})` : `(${r.source}, ${r.group})`, 32) + ' Iif: ';
  out += r.iif !== undefined ? `${padLeftAligned(r.iif, 10)} ` : 'unresolved ';
  if (r.iif !== undefined && r.oifs.length > 0) {
    out += 'Oifs: ';
    for (const o of r.oifs) out += o.ttl > 1 ? `${o.name}(ttl ${o.ttl}) ` : `${o.name} `;
  }
  if (atLeast(version, 4, 11)) out += ` State: ${r.iif !== undefined ? 'resolved' : 'unresolved'}`;
  if (atLeast(version, 4, 15) && r.offload) out += ' offload';
  if (request.stats && r.iif !== undefined) {
    out += `\n  ${r.packets} packets, ${r.bytes} bytes`;
    if (r.wrongIf !== 0n) out += `, ${r.wrongIf} arrived on wrong iif.`;
    const seconds = Math.trunc(r.ageMicroseconds / 1e6);
    const hundredths = Math.trunc((r.ageMicroseconds % 1e6) / 10000);
    out += modern ? `, Age ${cFixed(r.ageMicroseconds / 1e6, 2)}` : `, Age ${String(seconds).padStart(4)}.${String(hundredths).padStart(2, '0')}`;
  }
  if (atLeast(version, 4, 14) && request.tableAll) out += ` Table: ${TABLE_NAME}`;
  return `${out}\n`;
}

function jsonEntry(r: MfcRoute, request: MrouteRequest): string {
  const fields = [`"src":"${r.source}"`, `"dst":"${r.group}"`, `"iif":"${r.iif ?? 'unresolved'}"`];
  if (r.iif !== undefined) fields.push(`"multipath":[${r.oifs.map((o) => `{"oif":"${o.name}"${o.ttl > 1 ? `,"ttl":${o.ttl}` : ''}}`).join(',')}]`);
  fields.push(`"state":"${r.iif !== undefined ? 'resolved' : 'unresolved'}"`);
  if (r.offload) fields.push('"offload":null');
  if (request.stats && r.iif !== undefined) {
    fields.push(`"packets":${r.packets}`, `"bytes":${r.bytes}`);
    if (r.wrongIf !== 0n) fields.push(`"wrong_if":${r.wrongIf}`);
    fields.push(`"expires":${cG(r.ageMicroseconds / 1e6)}`);
  }
  if (request.tableAll) fields.push(`"table":"${TABLE_NAME}"`);
  return `{${fields.join(',')}}`;
}

/** The output of one `ip mroute` request on this iproute2 (routes in kernel dump order). */
export function renderIpMroute(routes: MfcRoute[], version: Iproute2Version, request: MrouteRequest): ProgramOutput {
  if (request.json && !atLeast(version, 4, 13)) return { stdout: '', stderr: 'Option "-j" is unknown, try "ip -help".\n', exitCode: 255 };
  if (request.json && atLeast(version, 4, 17)) return { stdout: `[${routes.map((r) => jsonEntry(r, request)).join(',')}]\n`, stderr: '', exitCode: 0 };
  return { stdout: routes.map((r) => textEntry(r, version, request)).join(''), stderr: '', exitCode: 0 };
}

/**
 * Reads an `ip` argv for `mroute`: `ip [-s] [-j] [-p] mroute [show|list [table all]]`. Undefined for
 * anything else (the caller answers as ip does for other objects).
 */
export function mrouteRequestOf(argv: string[]): MrouteRequest | undefined {
  const at = argv.indexOf('mroute');
  if (argv[0] !== 'ip' || at < 0) return undefined;
  const options = argv.slice(1, at);
  if (!options.every((o) => ['-s', '-j', '-stats', '-json', '-statistics'].includes(o))) return undefined;
  const rest = argv.slice(at + 1);
  const tableAll = rest.join(' ') === 'show table all' || rest.join(' ') === 'list table all';
  if (rest.length > 0 && !tableAll && !(rest.length === 1 && ['show', 'list'].includes(rest[0]))) return undefined;
  return { stats: options.some((o) => o.startsWith('-s')), json: options.some((o) => o.startsWith('-j')), tableAll };
}
