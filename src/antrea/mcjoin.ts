/**
 * mcjoin, the multicast sender/receiver of the antrea/mcjoin image that Antrea's multicast e2e
 * tests run (test/e2e/multicast_test.go, image antrea/mcjoin:v2.9): the argument arrays mcastctl
 * probe runs and a parser of what mcjoin v2.9 prints with -o ("old", plain output).
 *
 * Output format, from troglobit/mcjoin v2.9:
 * - src/receiver.c join_group(): `Joining (%s,%s) on %s, ifindex: %d, sd: %d` (source "*").
 *   A failed join goes to stderr: `Failed %s group (%s,%s) on sd %d ... %d: %s` (v2.9 passes
 *   src, grp, "joining", so it reads "Failed * group (G,joining) on sd 3 ... 105: No buffer space
 *   available"), then stdout `Failed initializing receiver, return code 1, aborting.`, exit 1.
 * - src/sender.c send_socket(): `Sending IPv%s multicast on %s addr, %s ifindex: %d, sd: %d`.
 * - src/screen.c progress(): with -o every timer tick with traffic prints "." every sixth tick and
 *   one of ".oOOo." followed by a backspace, on the same line as what follows.
 * - src/mcjoin.c show_stats(), on exit (deadline -W, -c reached, SIGINT/SIGTERM):
 *   `%-*s: invalid %-5zu delay %-5zu gaps %-5zu reorder %-5zu dupes %-5zu bytes %-13zu packets %-8zu`
 *   per group ("S,G" with "*" for any source), then `\nTotal: %zu packets`, then `Uptime: %s`.
 */

/** How long one probe packet is apart, at least: mcjoin -f takes whole milliseconds. */
export const MIN_INTERVAL_MS = 1;
/** The TTL Antrea's e2e tests send with (-t 3): TTL 1 never leaves the sender's Node through its multicast router. */
export const PROBE_TTL = 3;

export interface McjoinGroupStats {
  /** "*" when any source was joined. */
  source: string;
  group: string;
  invalid: number;
  delayed: number;
  gaps: number;
  reordered: number;
  duplicates: number;
  bytes: number;
  packets: number;
}

export interface McjoinReport {
  /** From the "Joining (S,G) on IFACE" line (receiver) or "Sending ... on IFACE addr, A" (sender). */
  interface?: string;
  /** The sender's source address, as mcjoin chose it. */
  address?: string;
  joined: boolean;
  /** The "Total: N packets" line; absent when mcjoin did not get to print its statistics. */
  total?: number;
  groups: McjoinGroupStats[];
  /** The first error mcjoin printed (stderr first), when it printed one. */
  error?: string;
}

/**
 * The receiver: joins GROUP and counts what arrives on PORT until the deadline (-W seconds), then
 * prints its statistics and exits 0.
 */
export function receiverArgv(group: string, port: number, deadlineSeconds: number): string[] {
  return ['mcjoin', '-o', '-p', String(port), '-W', String(deadlineSeconds), group];
}

/**
 * The sender: COUNT packets to GROUP:PORT, one every intervalMs, with TTL 3 as Antrea's e2e tests
 * send (-t 3); exits after the last one (or at the -W deadline) with its statistics.
 */
export function senderArgv(group: string, port: number, count: number, intervalMs: number, deadlineSeconds: number): string[] {
  return ['mcjoin', '-f', String(intervalMs), '-o', '-p', String(port), '-s', '-t', String(PROBE_TTL), '-c', String(count), '-W', String(deadlineSeconds), group];
}

const STATS_LINE = /(\S+),(\S+): invalid (\d+)\s+delay (\d+)\s+gaps (\d+)\s+reorder (\d+)\s+dupes (\d+)\s+bytes (\d+)\s+packets (\d+)/;

/** Removes the progress spinner mcjoin -o draws with backspaces: "x\b" is nothing. */
function withoutSpinner(text: string): string {
  let out = text;
  for (;;) {
    const next = out.replace(/[^\n\b]\x08/g, '');
    if (next === out) return out.replace(/\x08/g, '');
    out = next;
  }
}

/**
 * Reads what one mcjoin v2.9 run printed with -o. Takes stdout and stderr as text; returns what
 * it joined or sent from, its statistics (absent when it did not print them) and its first error
 * line. Never throws: a run that printed nothing usable has joined false and no total.
 */
export function parseMcjoinOutput(stdout: string, stderr = ''): McjoinReport {
  const text = withoutSpinner(stdout);
  const report: McjoinReport = { joined: false, groups: [] };
  const joining = /Joining \((\S+),(\S+)\) on (\S+), ifindex: \d+, sd: \d+/.exec(text);
  if (joining) {
    report.joined = true;
    report.interface = joining[3];
  }
  const sending = /Sending IPv4 multicast on (\S+) addr, (\S+) ifindex: \d+, sd: \d+/.exec(text);
  if (sending) {
    report.interface = sending[1];
    report.address = sending[2];
  }
  for (const line of text.split('\n')) {
    const m = STATS_LINE.exec(line);
    if (!m) continue;
    const n = (i: number) => Number(m[i]);
    report.groups.push({ source: m[1].replace(/^\.+/, ''), group: m[2], invalid: n(3), delayed: n(4), gaps: n(5), reordered: n(6), duplicates: n(7), bytes: n(8), packets: n(9) });
  }
  const total = /^Total: (\d+) packets$/m.exec(text);
  if (total) report.total = Number(total[1]);
  const failed = /^(Failed .*|.*is not a valid multicast group|Interface .* has no IPv4 address.*|No outbound interface available.*)$/m;
  const error = failed.exec(withoutSpinner(stderr)) ?? failed.exec(text);
  if (error) {
    report.error = error[1].trim();
    if (/^Failed \S+ group/.test(report.error)) report.joined = false;
  }
  return report;
}

/** Whole seconds for mcjoin -W, at least 1. */
export function deadlineSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
