import { countMemberships, parseProcNetIgmp, parseSysctlInteger } from '../antrea/igmp-parser.js';
import type { Exec } from '../context.js';

export const IGMP_MAX_MEMBERSHIPS = '/proc/sys/net/ipv4/igmp_max_memberships';
export const IGMP_SYSCTL_KEY = 'net.ipv4.igmp_max_memberships';

export interface NodeIgmpState {
  limit: number;
  /** Memberships held on the Node's interfaces, without 224.0.0.1 and loopback. */
  joined: number;
  groups: string[];
}

/** The one read behind readNodeIgmp. */
export const IGMP_READ = ['cat', IGMP_MAX_MEMBERSHIPS, '/proc/net/igmp'];

/** The limit and the memberships of a Node, read through its agent Pod in one exec. */
export async function readNodeIgmp(exec: Exec): Promise<NodeIgmpState> {
  const text = await exec(IGMP_READ);
  const newline = text.indexOf('\n');
  const limit = parseSysctlInteger(text.slice(0, newline), IGMP_SYSCTL_KEY);
  try {
    const { count, groups } = countMemberships(parseProcNetIgmp(text.slice(newline + 1)));
    return { limit, joined: count, groups };
  } catch (err) {
    throw new Error(`/proc/net/igmp: ${(err as Error).message}`);
  }
}
