import { parseIpMrouteJson, parseIpMrouteText, parseProcMroute, type MrouteEntry, type NoteSink } from '../antrea/mroute-parser.js';
import type { Exec } from '../context.js';

/** The reads behind readMroutes, in the order it tries them. */
export const MROUTE_READS = {
  json: ['ip', '-j', '-s', 'mroute'],
  text: ['ip', '-s', 'mroute'],
  proc: ['cat', '/proc/net/ip_mr_vif', '/proc/net/ip_mr_cache'],
};

/** What an image without iproute2 answers: the runtime's "executable file not found", or a shell's 127. */
const NO_IPROUTE2 = /executable file not found|exited with code 127/;

/**
 * Reads a Node's multicast routes through its agent Pod (host network namespace): `ip -j -s mroute`
 * (iproute2 4.17+ answers JSON; 4.13–4.16 accept -j but still print text, read as text), else
 * `ip -s mroute` for an iproute2 that does not know -j (before 4.13), else /proc for an image
 * without iproute2. `note` receives what was read leniently (unknown fields). Throws what exec
 * throws, or MrouteParseError naming the command and the line that cannot be read.
 */
export async function readMroutes(exec: Exec, note?: NoteSink): Promise<MrouteEntry[]> {
  let output: string;
  try {
    output = await exec(MROUTE_READS.json);
  } catch (jsonError) {
    const message = (jsonError as Error).message;
    if (!/Option "-j" is unknown/.test(message) && !NO_IPROUTE2.test(message)) throw jsonError;
    if (!NO_IPROUTE2.test(message)) {
      try {
        return parseIpMrouteText(await exec(MROUTE_READS.text), { command: 'ip -s mroute', note });
      } catch (textError) {
        if (!NO_IPROUTE2.test((textError as Error).message)) throw textError;
      }
    }
    return parseProcMroute(await exec(MROUTE_READS.proc));
  }
  return output.trimStart().startsWith('[')
    ? parseIpMrouteJson(output, { command: 'ip -j -s mroute', note })
    : parseIpMrouteText(output, { command: 'ip -j -s mroute', note });
}
