import { parseIpMrouteJson, parseIpMrouteText, parseProcMroute, type MrouteEntry } from '../antrea/mroute-parser.js';
import type { Exec } from '../context.js';

/**
 * Reads a Node's multicast routes through its agent Pod (host network namespace): `ip -j -s mroute`,
 * else `ip -s mroute` for an iproute2 without JSON, else /proc for an image without iproute2.
 */
export async function readMroutes(exec: Exec): Promise<MrouteEntry[]> {
  try {
    return parseIpMrouteJson(await exec(['ip', '-j', '-s', 'mroute']));
  } catch (jsonError) {
    const message = (jsonError as Error).message;
    if (!/Option "-j" is unknown|not JSON|executable file not found/.test(message)) throw jsonError;
    if (!/executable file not found/.test(message)) {
      try {
        return parseIpMrouteText(await exec(['ip', '-s', 'mroute']));
      } catch (textError) {
        if (!/executable file not found/.test((textError as Error).message)) throw textError;
      }
    }
    return parseProcMroute(await exec(['cat', '/proc/net/ip_mr_vif', '/proc/net/ip_mr_cache']));
  }
}
