/**
 * The lab behind `mcastctl probe`: the Pods a probe creates on lab-backed Nodes become real network
 * namespaces wired to their Node's br-int, running the mcjoin of test/lab/mcjoin.py; the Nodes are
 * joined by an underlay (the Node network of a noEncap cluster: a bridge and an interface ul0 on
 * each Node); smcrouted routes a local sender's group from antrea-gw0 to the underlay, and each
 * Node's "agent" joins the group of its local receivers on ul0 from one socket
 * (test/lab/lab-agent.py) and, once joined, routes it in from ul0 to antrea-gw0. So a Node at
 * igmp_max_memberships misses the group because the kernel refused the join, and a removed route
 * really stops the traffic.
 * Every command is an argument array.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { LabBackend } from '../sim/lab-backend.js';
import { LAB_GROUP, type LabNode, type MulticastLab } from './lab.js';

const run = promisify(execFile);
export const MCJOIN_SCRIPT = join(import.meta.dirname, 'mcjoin.py');
const AGENT_SCRIPT = join(import.meta.dirname, 'lab-agent.py');
export const UNDERLAY_INTERFACE = 'ul0';

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

interface LabPod {
  ns: string;
  ip: string;
}

export class ProbeLab {
  private readonly pods = new Map<string, LabPod>();
  private readonly agents = new Map<string, { process: ChildProcess; answers: string[]; waiters: Array<() => void> }>();
  private podCount = 0;
  readonly underlay: string;

  constructor(
    readonly lab: MulticastLab,
    readonly group: string,
  ) {
    this.underlay = `${lab.prefix}-ul`;
  }

  /** The underlay between the Nodes, their routes for the probe's group and their agents' sockets. */
  async connect(): Promise<void> {
    const { lab } = this;
    await ip('netns', 'add', this.underlay);
    lab.adopt(this.underlay);
    await ip('-n', this.underlay, 'link', 'set', 'lo', 'up');
    await ip('-n', this.underlay, 'link', 'add', 'br-ul', 'type', 'bridge', 'mcast_snooping', '0');
    await ip('-n', this.underlay, 'link', 'set', 'br-ul', 'up');
    for (const node of lab.nodes.values()) {
      const port = `ul${node.index}`;
      await ip('-n', node.ns.node, 'link', 'add', UNDERLAY_INTERFACE, 'type', 'veth', 'peer', 'name', port, 'netns', this.underlay);
      await ip('-n', this.underlay, 'link', 'set', port, 'master', 'br-ul');
      await ip('-n', this.underlay, 'link', 'set', port, 'up');
      await ip('-n', node.ns.node, 'addr', 'add', `172.31.0.${node.index}/24`, 'dev', UNDERLAY_INTERFACE);
      await ip('-n', node.ns.node, 'link', 'set', UNDERLAY_INTERFACE, 'up');
      await this.routeGroup(node);
      const agent = lab.spawn(node.ns.node, ['python3', AGENT_SCRIPT], { stdin: true });
      const state = { process: agent, answers: [] as string[], waiters: [] as Array<() => void> };
      createInterface({ input: agent.stdout! }).on('line', (line) => {
        state.answers.push(line);
        for (const w of state.waiters.splice(0)) w();
      });
      this.agents.set(node.name, state);
    }
  }

  /**
   * smcrouted of the Node with the underlay as a VIF and the (*,G) route of local senders out to it,
   * reloaded in place. The route in from the underlay is the agent's: added once it joined the group.
   */
  private async routeGroup(node: LabNode): Promise<void> {
    const conf = join(this.lab.dir, `${node.index}-smcroute.conf`);
    writeFileSync(
      conf,
      [
        'phyint antrea-gw0 enable',
        'phyint eth0 enable',
        `phyint ${UNDERLAY_INTERFACE} enable`,
        `mgroup from eth0 group ${LAB_GROUP}`,
        `mroute from antrea-gw0 source ${node.podA} group ${LAB_GROUP} to eth0`,
        `mroute from eth0 source ${node.external} group ${LAB_GROUP} to antrea-gw0`,
        `mroute from antrea-gw0 group ${this.group} to ${UNDERLAY_INTERFACE}`,
        '',
      ].join('\n'),
    );
    await this.smcroutectl(node, ['reload']);
  }

  async smcroutectl(node: LabNode, args: string[]): Promise<string> {
    const { stdout } = await run('smcroutectl', ['-i', `${this.lab.prefix}-${node.index}`, '-u', join(this.lab.dir, `${node.index}-smcroute.sock`), ...args]);
    return stdout;
  }

  /** What the Node's agent answers to one command: "join IFACE GROUP" or "leave IFACE GROUP". */
  async agentSays(nodeName: string, command: string): Promise<string> {
    const agent = this.agents.get(nodeName)!;
    const before = agent.answers.length;
    agent.process.stdin!.write(`${command}\n`);
    while (agent.answers.length === before) await new Promise<void>((resolve) => agent.waiters.push(resolve));
    return agent.answers[before];
  }

  /** The network namespace of a Pod: created on first use with the Pod's IP, wired to br-int. */
  private async podNamespace(node: LabNode, key: string, address: string): Promise<LabPod> {
    const known = this.pods.get(key);
    if (known) return known;
    const index = ++this.podCount;
    const ns = `${this.lab.prefix}-p${index}`;
    await ip('netns', 'add', ns);
    this.lab.adopt(ns);
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
    await ip('-n', node.ns.node, 'link', 'add', `vp${index}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    await ip('-n', node.ns.node, 'link', 'set', `vp${index}`, 'master', 'br-int');
    await ip('-n', node.ns.node, 'link', 'set', `vp${index}`, 'up');
    await ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    await ip('-n', ns, 'link', 'set', 'eth0', 'up');
    await ip('-n', ns, 'route', 'add', 'default', 'via', node.gateway);
    const pod = { ns, ip: address };
    this.pods.set(key, pod);
    return pod;
  }

  /** The LabBackend of the simulator: the lab's reads of Node state, and probe Pods run for real. */
  backend(): LabBackend {
    const { lab } = this;
    return {
      has: (n) => lab.nodes.has(n),
      exec: (n, argv) => lab.exec(n, argv),
      runInPod: async (nodeName, pod, argv, options) => {
        const node = lab.nodes.get(nodeName)!;
        const ns = pod.hostNetwork ? node.ns.node : (await this.podNamespace(node, `${pod.namespace}/${pod.name}`, pod.ip)).ns;
        const receiver = !argv.includes('-s');
        const group = argv[argv.length - 1];
        // The agent learns a Pod receiver from its IGMP report and joins the group on the underlay.
        // Like Antrea's agent, it routes the group in from the underlay only once it joined it there: a
        // join refused at igmp_max_memberships (ENOBUFS, from the kernel) leaves the Node without it.
        const joined = receiver && !pod.hostNetwork ? await this.agentSays(nodeName, `join ${UNDERLAY_INTERFACE} ${group}`) : undefined;
        if (joined?.startsWith('joined')) await this.smcroutectl(node, ['add', UNDERLAY_INTERFACE, group, 'antrea-gw0']);
        try {
          return await this.runProgram(ns, ['python3', MCJOIN_SCRIPT, ...argv.slice(1)], options);
        } finally {
          if (joined?.startsWith('joined')) {
            await this.agentSays(nodeName, `leave ${UNDERLAY_INTERFACE} ${group}`);
            await this.smcroutectl(node, ['remove', UNDERLAY_INTERFACE, group]).catch(() => undefined);
          }
        }
      },
    };
  }

  private runProgram(ns: string, argv: string[], options: { stdout?: (chunk: string) => void; signal?: AbortSignal }): Promise<{ stdout: string; stderr: string; exitCode: number }> {
    return new Promise((resolve) => {
      const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (options.stdout ? options.stdout(c.toString()) : (stdout += c)));
      child.stderr.on('data', (c: Buffer) => (stderr += c));
      const stop = () => child.kill('SIGTERM');
      options.signal?.addEventListener('abort', stop, { once: true });
      child.on('close', (code) => {
        options.signal?.removeEventListener('abort', stop);
        resolve({ stdout, stderr, exitCode: code ?? 1 });
      });
    });
  }
}
