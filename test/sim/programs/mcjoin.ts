/**
 * mcjoin v2.9 (troglobit/mcjoin, the program of the antrea/mcjoin:v2.9 image Antrea's multicast e2e
 * tests run), as it behaves on a pipe: options of src/mcjoin.c main() (getopt
 * "b:c:df:hi:jl:op:st:vw:W:"), the receiver of src/receiver.c and the sender of src/sender.c, the
 * progress of src/screen.c progress() (with -o only: without it, a pipe turns the display off) and
 * the statistics of show_stats() at exit. Packets go through the cluster's delivery model
 * (test/sim/multicast-delivery.ts); on a lab-backed Node the real program runs in the lab instead.
 */
import { deliveryOf, type Listener } from '../multicast-delivery.js';
import { fail, type ProgramContext, type ShellResult } from './index.js';

const VERSION = '2.9';
const DEFAULT_GROUP = '225.1.2.3';
const DEFAULT_PORT = 1234;
const WITH_VALUE = new Set(['b', 'c', 'f', 'i', 'l', 'p', 't', 'w', 'W']);
const FLAGS = new Set(['d', 'h', 'j', 'o', 's', 'v']);

interface Options {
  bytes: number;
  count: number;
  periodMs: number;
  iface?: string;
  port: number;
  ttl: number;
  sender: boolean;
  plain: boolean;
  waitSeconds: number;
  deadlineSeconds: number;
  group: string;
  version: boolean;
}

/** getopt(3) as glibc runs it: options may follow operands; "-p1234" and "-p 1234" alike. */
function parseArgs(args: string[]): Options | string {
  const o: Record<string, string> = {};
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (WITH_VALUE.has(c)) {
        const value = a.slice(j + 1) || args[++i];
        if (value === undefined) return `mcjoin: option requires an argument -- '${c}'\n`;
        o[c] = value;
        break;
      }
      if (!FLAGS.has(c)) return `mcjoin: invalid option -- '${c}'\n`;
      o[c] = '';
    }
  }
  // atoi(): leading digits, else 0.
  const int = (key: string, fallback: number) => (o[key] === undefined ? fallback : Number(/^\s*[-+]?\d+/.exec(o[key])?.[0] ?? 0));
  return {
    bytes: int('b', 100), count: int('c', 0), periodMs: int('f', 100), iface: o.i, port: int('p', DEFAULT_PORT), ttl: int('t', 1),
    sender: 's' in o, plain: 'o' in o, waitSeconds: int('w', 0), deadlineSeconds: int('W', 0), group: operands[0] ?? DEFAULT_GROUP, version: 'v' in o,
  };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

export async function mcjoin(ctx: ProgramContext, args: string[]): Promise<ShellResult> {
  const opts = parseArgs(args);
  if (typeof opts === 'string') return fail(opts, 1);
  if (opts.version) return { stdout: `${VERSION}\n`, stderr: '', exitCode: 0 };
  const { cluster, runtime } = ctx;
  const node = cluster.nodeState(runtime.node);
  const pod = cluster.store.get('pods', runtime.namespace, runtime.name);
  const ip: string = runtime.hostNetwork ? (node?.spec.internalIP ?? '') : (pod?.status?.podIP ?? '');
  if (node?.spec.lab && ctx.lab?.runInPod) {
    return ctx.lab.runInPod(runtime.node, { namespace: runtime.namespace, name: runtime.name, hostNetwork: runtime.hostNetwork, ip }, ['mcjoin', ...args], { stdout: ctx.stdout, signal: ctx.signal });
  }
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(opts.group)) return fail(`${opts.group} is not a valid multicast group\n`, 1, usage());

  let stdout = '';
  const write = (text: string) => (ctx.stdout ? ctx.stdout(text) : (stdout += text));
  let ticks = 0;
  // src/screen.c progress(): "." every sixth call, then one of ".oOOo." and a backspace.
  const progress = () => {
    if (!opts.plain) return;
    write(`${ticks % 6 === 0 ? '.' : ''}${'.oOOo.'[ticks % 6]}\b`);
    ticks++;
  };
  const transport = node?.spec.kernel?.transportInterface ?? 'eth0';
  const iface = opts.iface ?? (runtime.hostNetwork ? transport : 'eth0');
  const ifindex = runtime.hostNetwork ? 4 : 2;
  const stats = { packets: 0, bytes: 0 };
  const gone = () => ctx.signal?.aborted === true || cluster.kubelet.runtime(runtime.namespace, runtime.name) !== runtime;
  if (opts.waitSeconds > 0) await sleep(opts.waitSeconds * 1000, ctx.signal);
  const end = opts.deadlineSeconds > 0 ? Date.now() + opts.deadlineSeconds * 1000 : Infinity;
  const delivery = deliveryOf(cluster);

  if (opts.sender) {
    write(`Sending IPv4 multicast on ${iface} addr, ${ip} ifindex: ${ifindex}, sd: 3\n`);
    for (;;) {
      await sleep(Math.max(1, Math.min(opts.periodMs, end - Date.now())), ctx.signal);
      if (gone() || Date.now() >= end) break;
      delivery.send({ runtime, ip }, opts.group, opts.port, opts.ttl, opts.bytes);
      stats.packets++;
      stats.bytes += opts.bytes;
      progress();
      if (opts.count > 0 && stats.packets >= opts.count) break;
    }
  } else {
    write(`Joining (*,${opts.group}) on ${iface}, ifindex: ${ifindex}, sd: 3\n`);
    // One socket per group: only a limit of 0 refuses the first join (net/ipv4/igmp.c ip_mc_join_group).
    const limit = runtime.hostNetwork ? (node?.sysctl.igmpMaxMemberships ?? 20) : runtime.sysctl.igmpMaxMemberships;
    if (limit < 1) {
      return {
        stdout: ctx.stdout ? (write('Failed initializing receiver, return code 1, aborting.\n'), '') : `${stdout}Failed initializing receiver, return code 1, aborting.\n`,
        stderr: `Failed * group (${opts.group},joining) on sd 3 ... 105: No buffer space available\n`,
        exitCode: 1,
      };
    }
    let wake: (() => void) | undefined;
    const listener: Listener = {
      runtime, ip, group: opts.group, port: opts.port,
      onPacket: (bytes) => {
        stats.packets++;
        stats.bytes += bytes;
        progress();
        if (opts.count > 0 && stats.packets >= opts.count) wake?.();
      },
    };
    delivery.listen(listener);
    try {
      while (!gone() && Date.now() < end && !(opts.count > 0 && stats.packets >= opts.count)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.max(1, Math.min(100, end - Date.now())));
        });
      }
    } finally {
      delivery.unlisten(listener);
    }
  }
  const sg = `*,${opts.group}`;
  write(`${sg}: invalid ${pad(0, 5)} delay ${pad(0, 5)} gaps ${pad(0, 5)} reorder ${pad(0, 5)} dupes ${pad(0, 5)} bytes ${pad(stats.bytes, 13)} packets ${pad(stats.packets, 8)}\n`);
  write(`\nTotal: ${stats.packets} packets\n`);
  write(`Uptime: ${uptime(Math.floor(Date.now() / 1000))}\n`);
  write('\n');
  return { stdout, stderr: '', exitCode: 0 };
}

const pad = (n: number, width: number) => String(n).padEnd(width);

/** With -o, mcjoin never sets its start time: Uptime counts from the epoch (src/mcjoin.c uptime()). */
function uptime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d}d ${two(h)}h ${two(m)}m ${two(s)}s`;
}

function usage(): string {
  return 'Usage: mcjoin [-dhjosv] [-c COUNT] [-f MSEC ][-i IFACE] [-l LEVEL] [-p PORT]\n              [-r SEC] [-t TTL] [-w SEC]\n              [[SOURCE,]GROUP0 .. [SOURCE,]GROUPN | [SOURCE,]GROUP+NUM]\n';
}
