/**
 * /proc files of the kernel's multicast state, transcribed from torvalds/linux (formats unchanged
 * from v4.9 to v6.x):
 * - net/ipv4/ipmr.c ipmr_vif_seq_show: header
 *   "Interface      BytesIn  PktsIn  BytesOut PktsOut Flags Local    Remote\n", rows
 *   "%2td %-10s %8ld %7ld  %8ld %7ld %05X %08X %08X\n";
 * - net/ipv4/ipmr.c ipmr_mfc_seq_show: header "Group    Origin   Iif     Pkts    Bytes    Wrong Oifs\n",
 *   rows "%08X %08X %-3hd" (group, origin as __be32, parent VIF; -1 when unresolved), then
 *   " %8lu %8lu %8lu" (zeros for the unresolved queue), then " %2d:%-3d" per oif with ttl < 255;
 * - net/ipv4/igmp.c igmp_mc_seq_show: header "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n",
 *   per device "%d\t%-10s: %5d %7s\n", per group "\t\t\t\t%08X %5d %d:%08lX\t\t%d\n".
 * Addresses are printed from their network-order value on a little-endian host.
 */
import { be32Hex, hex8, padLeftAligned, padRightAligned } from './c-format.js';
import type { MfcRoute } from './iproute2-mroute.js';

export interface VifRow {
  name: string;
  bytesIn: bigint;
  pktsIn: bigint;
  bytesOut: bigint;
  pktsOut: bigint;
  /** VIFF_* flags; 0x8 = VIFF_USE_IFINDEX, then `local` is the ifindex. */
  flags: number;
  local: number;
  remote: number;
}

export function renderIpMrVif(vifs: VifRow[]): string {
  let out = 'Interface      BytesIn  PktsIn  BytesOut PktsOut Flags Local    Remote\n';
  vifs.forEach((v, index) => {
    out += `${padRightAligned(String(index), 2)} ${padLeftAligned(v.name, 10)} ${padRightAligned(String(v.bytesIn), 8)} ${padRightAligned(String(v.pktsIn), 7)}  `;
    out += `${padRightAligned(String(v.bytesOut), 8)} ${padRightAligned(String(v.pktsOut), 7)} ${v.flags.toString(16).toUpperCase().padStart(5, '0')} ${hex8(v.local)} ${hex8(v.remote)}\n`;
  });
  return out;
}

/** Routes in kernel order (the resolved hash table, then the unresolved queue); VIF numbers from `vifs`. */
export function renderIpMrCache(routes: MfcRoute[], vifs: VifRow[]): string {
  const vifIndex = (name: string) => vifs.findIndex((v) => v.name === name);
  let out = 'Group    Origin   Iif     Pkts    Bytes    Wrong Oifs\n';
  for (const r of routes) {
    out += `${be32Hex(r.group)} ${be32Hex(r.source)} ${padLeftAligned(String(r.iif !== undefined ? vifIndex(r.iif) : -1), 3)}`;
    if (r.iif !== undefined) {
      out += ` ${padRightAligned(String(r.packets), 8)} ${padRightAligned(String(r.bytes), 8)} ${padRightAligned(String(r.wrongIf), 8)}`;
      for (const o of r.oifs) out += ` ${padRightAligned(String(vifIndex(o.name)), 2)}:${padLeftAligned(String(o.ttl), 3)}`;
    } else {
      out += ` ${padRightAligned('0', 8)} ${padRightAligned('0', 8)} ${padRightAligned('0', 8)}`;
    }
    out += '\n';
  }
  return out;
}

export interface IgmpDeviceRow {
  ifindex: number;
  name: string;
  /** "V1", "V2" or "V3": the IGMP version of the querier heard on the device. */
  querier: string;
  groups: Array<{ group: string; users: number; timerRunning: boolean; timer: number; reporter: number }>;
}

export function renderProcNetIgmp(devices: IgmpDeviceRow[]): string {
  let out = 'Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n';
  for (const d of devices) {
    out += `${d.ifindex}\t${padLeftAligned(d.name, 10)}: ${padRightAligned(String(d.groups.length), 5)} ${padRightAligned(d.querier, 7)}\n`;
    for (const g of d.groups) out += `\t\t\t\t${be32Hex(g.group)} ${padRightAligned(String(g.users), 5)} ${g.timerRunning ? 1 : 0}:${hex8(g.timerRunning ? g.timer : 0)}\t\t${g.reporter}\n`;
  }
  return out;
}
