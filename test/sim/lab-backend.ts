/**
 * Which commands exec into a lab-backed Node's agent runs for real, inside that Node's network
 * namespace: only reads of the multicast state and the igmp_max_memberships sysctl. Everything
 * else (antctl) stays simulated.
 */
export interface LabBackend {
  has(node: string): boolean;
  exec(node: string, argv: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }>;
  /**
   * Runs a workload Pod's program for real: in a network namespace of its own wired to the Node's
   * bridge (created on first use, IP returned by podIP), or the Node's namespace for hostNetwork Pods.
   */
  runInPod?(node: string, pod: { namespace: string; name: string; hostNetwork: boolean; ip: string }, argv: string[], options: { stdout?: (chunk: string) => void; signal?: AbortSignal }): Promise<{ stdout: string; stderr: string; exitCode: number }>;
}

const READABLE = new Set(['/proc/net/ip_mr_cache', '/proc/net/ip_mr_vif', '/proc/net/igmp', '/proc/sys/net/ipv4/igmp_max_memberships']);
const SYSCTL_KEY = 'net.ipv4.igmp_max_memberships';

export function runsInLab(argv: string[]): boolean {
  const [program, ...args] = argv;
  switch (program) {
    case 'ip': {
      const options = args.slice(0, -1);
      const object = args[args.length - 1];
      const showForm = args.length >= 2 && args[args.length - 2] === 'mroute' && object === 'show';
      return (object === 'mroute' && options.every((o) => ['-j', '-s', '-p', '-4'].includes(o))) || (showForm && args.slice(0, -2).every((o) => ['-j', '-s', '-p', '-4'].includes(o)));
    }
    case 'cat':
      return args.length > 0 && args.every((f) => READABLE.has(f));
    case 'sysctl':
      return (
        (args.length === 1 && args[0] === SYSCTL_KEY) ||
        (args.length === 2 && args[0] === '-n' && args[1] === SYSCTL_KEY) ||
        (args.length === 2 && args[0] === '-w' && new RegExp(`^${SYSCTL_KEY.replace(/\./g, '\\.')}=-?\\d+$`).test(args[1]))
      );
    default:
      return false;
  }
}
