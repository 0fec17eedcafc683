/** /proc/net/igmp (net/ipv4/igmp.c igmp_mc_seq_show) and the igmp_max_memberships sysctl. */
import { fromKernelHex } from './mroute-parser.js';

export const ALL_HOSTS_GROUP = '224.0.0.1';

export interface IgmpDevice {
  index: number;
  name: string;
  groups: string[];
}

export class IgmpParseError extends Error {
  constructor(lineNumber: number, line: string, reason: string) {
    super(`line ${lineNumber}: ${reason}: ${JSON.stringify(line)}`);
    this.name = 'IgmpParseError';
  }
}

export function parseProcNetIgmp(text: string): IgmpDevice[] {
  const devices: IgmpDevice[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    if (index === 0 || /^Idx\s+Device/.test(line)) {
      if (!/^Idx\s+Device\s*:\s*Count\s+Querier\s+Group\s+Users\s+Timer\s+Reporter\s*$/.test(line)) {
        throw new IgmpParseError(index + 1, line, 'expected the /proc/net/igmp header');
      }
      return;
    }
    const device = /^(\d+)\t(\S+)\s*:\s*(\d+)\s+(V\d)\s*$/.exec(line);
    if (device) return void devices.push({ index: Number(device[1]), name: device[2], groups: [] });
    const group = /^\t+([0-9A-F]{8})\s+(\d+)\s+\d+:[0-9A-F]{8}\s+\d+\s*$/.exec(line);
    if (group && devices.length > 0) return void devices[devices.length - 1].groups.push(fromKernelHex(group[1]));
    throw new IgmpParseError(index + 1, line, 'not a /proc/net/igmp row');
  });
  return devices;
}

/** Memberships the Node holds, not counting 224.0.0.1 (every interface joins it) or loopback. */
export function countMemberships(devices: IgmpDevice[]): { count: number; groups: string[] } {
  const groups = new Set<string>();
  let count = 0;
  for (const d of devices) {
    if (d.name === 'lo') continue;
    for (const g of d.groups) {
      if (g === ALL_HOSTS_GROUP) continue;
      count++;
      groups.add(g);
    }
  }
  return { count, groups: [...groups].sort() };
}

export function parseSysctlInteger(text: string, key: string): number {
  const value = text.trim();
  if (!/^-?\d+$/.test(value)) throw new Error(`${key}: expected an integer, got ${JSON.stringify(value.split('\n')[0])}`);
  return Number(value);
}
