/**
 * A real multicast network in Linux network namespaces, one per simulated Node (see README "The
 * multicast lab"): a node namespace with br-int, antrea-gw0 and a transport interface eth0, an
 * smcrouted multicast router, two Pods and an external host. Every command is an argument array.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const LAB_GROUP = '239.255.12.42';
export const JOINER_SCRIPT = join(import.meta.dirname, 'agent-joiner.py');

export interface LabNode {
  /** The simulated Node's name. */
  name: string;
  index: number;
  ns: { node: string; ext: string; podA: string; podB: string };
  podA: string;
  podB: string;
  gateway: string;
  transport: string;
  external: string;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

/** Why the lab cannot run here, or undefined when it can. */
export async function labPrerequisites(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'the multicast lab needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'the multicast lab needs root (ip netns add)';
  for (const tool of ['ip', 'smcrouted', 'iperf', 'python3', 'sysctl']) {
    try {
      await run('sh', ['-c', 'command -v "$0"', tool]);
    } catch {
      return `the multicast lab needs ${tool} (apt-get install iproute2 smcroute iperf python3 procps)`;
    }
  }
  const probe = `mclprobe${process.pid}`;
  try {
    await ip('netns', 'add', probe);
    await ip('netns', 'del', probe);
  } catch (err) {
    return `ip netns add fails here: ${(err as Error).message.split('\n')[0]}`;
  }
  return undefined;
}

export class MulticastLab {
  readonly prefix: string;
  readonly dir: string;
  readonly nodes = new Map<string, LabNode>();
  private readonly children = new Set<ChildProcess>();
  private readonly namespaces: string[] = [];

  constructor(prefix = `mcl${process.pid % 100000}${Math.floor(Math.random() * 1000)}`) {
    this.prefix = prefix;
    this.dir = mkdtempSync(join(tmpdir(), `mcastctl-lab-${prefix}-`));
  }

  /** Builds one Node's namespaces, links, addresses and routes (lab notes §2), then its router. */
  async addNode(name: string): Promise<LabNode> {
    const index = this.nodes.size + 1;
    const base = `${this.prefix}-${index}`;
    const node: LabNode = {
      name, index,
      ns: { node: `${base}-node`, ext: `${base}-ext`, podA: `${base}-pa`, podB: `${base}-pb` },
      podA: `10.10.${index}.5`, podB: `10.10.${index}.6`, gateway: `10.10.${index}.1`, transport: `172.18.${index}.2`, external: `172.18.${index}.3`,
    };
    const { node: n, ext, podA, podB } = node.ns;
    for (const ns of [n, ext, podA, podB]) {
      await ip('netns', 'add', ns);
      this.namespaces.push(ns);
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    await ip('-n', n, 'link', 'add', 'br-int', 'type', 'bridge', 'mcast_snooping', '0');
    await ip('-n', n, 'link', 'add', 'antrea-gw0', 'type', 'veth', 'peer', 'name', 'gw0-br');
    await ip('-n', n, 'link', 'set', 'gw0-br', 'master', 'br-int');
    await ip('-n', n, 'addr', 'add', `${node.gateway}/24`, 'dev', 'antrea-gw0');
    await ip('-n', n, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ext);
    await ip('-n', n, 'addr', 'add', `${node.transport}/24`, 'dev', 'eth0');
    await ip('-n', ext, 'addr', 'add', `${node.external}/24`, 'dev', 'eth0');
    for (const [veth, pod, address] of [['vetha', podA, node.podA], ['vethb', podB, node.podB]] as const) {
      await ip('-n', n, 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod);
      await ip('-n', n, 'link', 'set', veth, 'master', 'br-int');
      await ip('-n', pod, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    }
    for (const link of ['br-int', 'antrea-gw0', 'gw0-br', 'eth0', 'vetha', 'vethb']) await ip('-n', n, 'link', 'set', link, 'up');
    for (const ns of [ext, podA, podB]) await ip('-n', ns, 'link', 'set', 'eth0', 'up');
    await ip('-n', podA, 'route', 'add', 'default', 'via', node.gateway);
    await ip('-n', podB, 'route', 'add', 'default', 'via', node.gateway);
    await ip('-n', ext, 'route', 'add', 'default', 'via', node.transport);
    // rp_filter would drop routed multicast from sources the node cannot route back to (lab notes, pitfall 3).
    await run('ip', ['netns', 'exec', n, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']);
    this.nodes.set(name, node);
    await this.startRouter(node);
    return node;
  }

  /**
   * smcrouted with its own identity, socket and PID file (parallel labs must not share them), static
   * (S,G) routes pod A → eth0 and eth0 → antrea-gw0, and a join on eth0 as antrea-agent makes.
   */
  private async startRouter(node: LabNode): Promise<void> {
    const conf = join(this.dir, `${node.index}-smcroute.conf`);
    const socket = join(this.dir, `${node.index}-smcroute.sock`);
    writeFileSync(
      conf,
      [
        'phyint antrea-gw0 enable',
        'phyint eth0 enable',
        `mgroup from eth0 group ${LAB_GROUP}`,
        `mroute from antrea-gw0 source ${node.podA} group ${LAB_GROUP} to eth0`,
        `mroute from eth0 source ${node.external} group ${LAB_GROUP} to antrea-gw0`,
        '',
      ].join('\n'),
    );
    const router = this.spawn(node.ns.node, ['smcrouted', '-n', '-N', '-f', conf, '-i', `${this.prefix}-${node.index}`, '-u', socket, '-P', join(this.dir, `${node.index}-smcroute.pid`), '-l', 'info']);
    let log = '';
    router.stdout?.on('data', (c: Buffer) => (log += c));
    router.stderr?.on('data', (c: Buffer) => (log += c));
    const deadline = Date.now() + 5000;
    while (!(existsSync(socket) && /Ready/.test(log))) {
      if (Date.now() > deadline || router.exitCode !== null) throw new Error(`smcrouted did not start in ${node.ns.node}: ${log.trim()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** A network namespace made by an extension of the lab (Pods, an underlay), deleted at teardown. */
  adopt(namespace: string): void {
    this.namespaces.push(namespace);
  }

  /** A long-running process inside a namespace, stopped at teardown. */
  spawn(ns: string, argv: string[], options: { stdin?: boolean } = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** Receivers in pod B and on the external host (iperf joins the group). */
  startReceivers(node: LabNode): void {
    this.spawn(node.ns.podB, ['iperf', '-s', '-u', '-B', LAB_GROUP]);
    this.spawn(node.ns.ext, ['iperf', '-s', '-u', '-B', LAB_GROUP]);
  }

  /** Pod A streams to the group with TTL 6 (TTL 1 would never leave the Node). */
  async send(node: LabNode, seconds: number): Promise<void> {
    await run('ip', ['netns', 'exec', node.ns.podA, 'iperf', '-c', LAB_GROUP, '-u', '-T', '6', '-t', String(seconds), '-b', '200k']);
  }

  /** Runs one command in a Node's namespace (as the agent Pod would in the host network namespace). */
  async exec(nodeName: string, argv: string[]): Promise<CommandResult> {
    const node = this.nodes.get(nodeName);
    if (!node) throw new Error(`no lab node ${nodeName}`);
    try {
      const { stdout, stderr } = await run('ip', ['netns', 'exec', node.ns.node, ...argv], { timeout: 10_000 });
      return { stdout, stderr, exitCode: 0 };
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; code?: number | string };
      return { stdout: e.stdout ?? '', stderr: e.stderr ?? String(err), exitCode: typeof e.code === 'number' ? e.code : 127 };
    }
  }

  pids(): number[] {
    return [...this.children].map((c) => c.pid).filter((p): p is number => p !== undefined);
  }

  /** Stops every process, waits for them, deletes every namespace (and so every link) and the run dir. */
  async teardown(): Promise<void> {
    const waiting = [...this.children].map((c) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve()))));
    for (const c of this.children) c.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const c of this.children) c.kill('SIGKILL');
    }, 2000);
    await Promise.all(waiting);
    clearTimeout(timer);
    for (const ns of this.namespaces.splice(0).reverse()) {
      // Processes started inside without us (none expected) would keep a namespace busy.
      const { stdout } = await run('ip', ['netns', 'pids', ns]).catch(() => ({ stdout: '' }));
      for (const pid of stdout.split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await ip('netns', 'del', ns).catch(() => undefined);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Namespaces of this lab prefix still present (should be none after teardown). */
export async function leftoverNamespaces(prefix: string): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout.split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(`${prefix}-`));
}
