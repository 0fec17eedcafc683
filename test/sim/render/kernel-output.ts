/**
 * The simulated kernel's multicast state and its outputs: `ip mroute` of an image's iproute2 and the
 * /proc files, printed by the renderers transcribed from upstream (iproute2-mroute.ts, proc-net.ts).
 */
import type { MfcRoute } from './iproute2-mroute.js';
import { renderIpMrCache, renderIpMrVif, renderProcNetIgmp, type VifRow } from './proc-net.js';

export interface Oif {
  name: string;
  ttl?: number;
}

export interface MrouteEntry {
  source: string;
  group: string;
  /** Input interface; absent for an unresolved entry. */
  iif?: string;
  oifs: Oif[];
  /** Exact u64 counters. */
  packets: bigint;
  bytes: bigint;
  wrongIf: bigint;
  age: number;
}

export interface Vif {
  name: string;
  ifindex: number;
  bytesIn: bigint;
  pktsIn: bigint;
  bytesOut: bigint;
  pktsOut: bigint;
}

export interface IgmpDevice {
  name: string;
  ifindex: number;
  /** Groups joined on the device, besides 224.0.0.1 which every device holds. */
  groups: string[];
}

/** The dataplane's routes as the kernel dumps them (exact counters, RTA_EXPIRES in microseconds). */
export function mfcRoutes(entries: MrouteEntry[]): MfcRoute[] {
  return entries.map((e) => ({
    source: e.source,
    group: e.group,
    iif: e.iif,
    oifs: e.oifs.map((o) => ({ name: o.name, ttl: o.ttl ?? 1 })),
    packets: e.packets,
    bytes: e.bytes,
    wrongIf: e.wrongIf,
    ageMicroseconds: Math.round(e.age * 1e6),
  }));
}

const vifRows = (vifs: Vif[]): VifRow[] =>
  vifs.map((v) => ({ name: v.name, bytesIn: v.bytesIn, pktsIn: v.pktsIn, bytesOut: v.bytesOut, pktsOut: v.pktsOut, flags: 0x8, local: v.ifindex, remote: 0 }));

export function procIpMrCache(entries: MrouteEntry[], vifs: Vif[]): string {
  return renderIpMrCache(mfcRoutes(entries), vifRows(vifs));
}

/** VIFs as an mrouter with VIFF_USE_IFINDEX registers them (smcroute, Antrea): Local holds the ifindex. */
export function procIpMrVif(vifs: Vif[]): string {
  return renderIpMrVif(vifRows(vifs));
}

/** Every device also holds 224.0.0.1 (joined first when the device came up, so printed last). */
export function procNetIgmp(devices: IgmpDevice[]): string {
  return renderProcNetIgmp(
    devices.map((d) => ({
      ifindex: d.ifindex,
      name: d.name,
      querier: 'V3',
      groups: [...d.groups, '224.0.0.1'].map((group) => ({ group, users: 1, timerRunning: false, timer: 0, reporter: 0 })),
    })),
  );
}
