/**
 * The kernel's multicast state as iproute2 6.1 and /proc print it (ip/ipmroute.c, net/ipv4/ipmr.c,
 * net/ipv4/igmp.c); shapes observed on this machine's kernel are recorded in the project's lab notes.
 */

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
  packets: number;
  bytes: number;
  wrongIf: number;
  age: number;
}

export interface Vif {
  name: string;
  ifindex: number;
  bytesIn: number;
  pktsIn: number;
  bytesOut: number;
  pktsOut: number;
}

export interface IgmpDevice {
  name: string;
  ifindex: number;
  /** Groups joined on the device, besides 224.0.0.1 which every device holds. */
  groups: string[];
}

/** An IPv4 address as the kernel prints a __be32 with %08X on a little-endian host. */
export function hexBe32(address: string): string {
  return address
    .split('.')
    .map((o) => Number(o).toString(16).toUpperCase().padStart(2, '0'))
    .reverse()
    .join('');
}

const resolved = (e: MrouteEntry) => e.iif !== undefined;

function oifText(o: Oif): string {
  return o.ttl !== undefined && o.ttl > 1 ? `${o.name}(ttl ${o.ttl}) ` : `${o.name} `;
}

export function ipMroute(entries: MrouteEntry[], withStats: boolean): string {
  return entries
    .map((e) => {
      let line = `${`(${e.source},${e.group})`.padEnd(32)} Iif: `;
      line += resolved(e) ? `${e.iif!.padEnd(10)} ` : 'unresolved ';
      if (resolved(e) && e.oifs.length > 0) line += `Oifs: ${e.oifs.map(oifText).join('')}`;
      line += ` State: ${resolved(e) ? 'resolved' : 'unresolved'}\n`;
      if (withStats) {
        line += `  ${e.packets} packets, ${e.bytes} bytes`;
        if (e.wrongIf > 0) line += `, ${e.wrongIf} arrived on wrong iif.`;
        line += `, Age ${e.age.toFixed(2)}\n`;
      }
      return line;
    })
    .join('');
}

export function ipMrouteJson(entries: MrouteEntry[], withStats: boolean): string {
  const rows = entries.map((e) => {
    const row: Record<string, unknown> = { src: e.source, dst: e.group, iif: e.iif ?? 'unresolved' };
    if (resolved(e)) row.multipath = e.oifs.map((o) => (o.ttl !== undefined && o.ttl > 1 ? { oif: o.name, ttl: o.ttl } : { oif: o.name }));
    row.state = resolved(e) ? 'resolved' : 'unresolved';
    if (withStats) {
      row.packets = e.packets;
      row.bytes = e.bytes;
      if (e.wrongIf > 0) row.wrong_if = e.wrongIf;
      row.expires = Number(e.age.toFixed(2));
    }
    return row;
  });
  return `${JSON.stringify(rows)}\n`;
}

export function procIpMrCache(entries: MrouteEntry[], vifs: Vif[]): string {
  const header = 'Group    Origin   Iif     Pkts    Bytes    Wrong Oifs\n';
  return (
    header +
    entries
      .map((e) => {
        const iifIndex = resolved(e) ? vifs.findIndex((v) => v.name === e.iif) : -1;
        let row = `${hexBe32(e.group)} ${hexBe32(e.source)} ${String(iifIndex).padEnd(3)}`;
        if (!resolved(e)) return `${row} ${'0'.padStart(8)} ${'0'.padStart(8)} ${'0'.padStart(8)}\n`;
        row += ` ${String(e.packets).padStart(8)} ${String(e.bytes).padStart(8)} ${String(e.wrongIf).padStart(8)}`;
        for (const o of e.oifs) row += ` ${String(vifs.findIndex((v) => v.name === o.name)).padStart(2)}:${String(o.ttl ?? 1).padEnd(3)}`;
        return `${row}\n`;
      })
      .join('')
  );
}

export function procIpMrVif(vifs: Vif[]): string {
  const header = 'Interface      BytesIn  PktsIn  BytesOut PktsOut Flags Local    Remote\n';
  return (
    header +
    vifs
      .map(
        (v, i) =>
          `${String(i).padStart(2)} ${v.name.padEnd(10)} ${String(v.bytesIn).padStart(8)} ${String(v.pktsIn).padStart(7)}  ` +
          `${String(v.bytesOut).padStart(8)} ${String(v.pktsOut).padStart(7)} 00008 ${v.ifindex.toString(16).toUpperCase().padStart(8, '0')} 00000000\n`,
      )
      .join('')
  );
}

export function procNetIgmp(devices: IgmpDevice[]): string {
  let text = 'Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n';
  for (const d of devices) {
    const groups = [...d.groups, '224.0.0.1'];
    text += `${d.ifindex}\t${d.name.padEnd(10)}: ${String(groups.length).padStart(5)} ${'V3'.padStart(7)}\n`;
    for (const group of groups) text += `\t\t\t\t${hexBe32(group)} ${String(1).padStart(5)} 0:00000000\t\t0\n`;
  }
  return text;
}
