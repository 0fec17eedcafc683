// mcastctl probe in-process against a fake Kubernetes API: the orchestration (Namespace, Pods,
// mcjoin runs, agent reads, teardown) without a simulator. Delivery is decided by the fake from
// one rule: a receiver on a Node whose agent runs no multicast gets nothing from another Node.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { V1Namespace, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import type { ExecResult, ExecStream, KubeApi } from '../../src/context.js';
import { CliError } from '../../src/errors.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'mcjoin');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

function capture(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join('') });
}

const notFound = () => Object.assign(new CliError('Error from server (NotFound): not found'), { httpStatus: 404 });

interface Fake {
  api: KubeApi;
  namespaces: Map<string, V1Namespace>;
  pods: Map<string, V1Pod>;
  execs: string[][];
  deleted: string[];
}

/** nodes: name → whether its agent runs multicast. */
function fakeCluster(nodes: Record<string, boolean>, hooks: { onReceiverStart?: () => void; podStatus?: (pod: V1Pod) => V1Pod['status'] } = {}): Fake {
  const namespaces = new Map<string, V1Namespace>();
  const pods = new Map<string, V1Pod>();
  const execs: string[][] = [];
  const deleted: string[] = [];
  const sent = new Map<string, number>();
  const unused = () => Promise.reject(new Error('not used by probe'));
  const agent = (node: string): V1Pod => ({
    metadata: { name: `antrea-agent-${node}`, namespace: 'kube-system', labels: { app: 'antrea', component: 'antrea-agent' } },
    spec: { nodeName: node, containers: [] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [] },
  });
  const podOn = (name: string) => [...pods.values()].find((p) => p.metadata?.name === name)!;
  const api: KubeApi = {
    server: 'https://fake.invalid',
    defaultNamespace: 'default',
    listPods: async (namespace) => (namespace === 'kube-system' ? Object.keys(nodes).map(agent) : [...pods.values()].filter((p) => p.metadata?.namespace === namespace)),
    listAllPods: async () => [...pods.values()],
    listNamespaces: async () => [...namespaces.keys()],
    readNamespace: async (name) => namespaces.get(name) ?? Promise.reject(notFound()),
    createNamespace: async (body) => (namespaces.set(body.metadata!.name!, body), body),
    deleteNamespace: async (name) => {
      if (!namespaces.delete(name)) throw notFound();
      deleted.push(name);
      for (const [key, p] of pods) if (p.metadata?.namespace === name) pods.delete(key);
    },
    createPod: async (namespace, body) => {
      const ip = `10.10.${Object.keys(nodes).indexOf(body.spec!.nodeName!)}.${pods.size + 10}`;
      const running: V1Pod['status'] = { phase: 'Running', podIP: ip, containerStatuses: [{ name: 'mcjoin', ready: true, image: '', imageID: '', restartCount: 0 }] };
      const pod: V1Pod = { ...body, status: hooks.podStatus?.(body) ?? running };
      pods.set(`${namespace}/${body.metadata!.name}`, pod);
      return pod;
    },
    deletePod: unused,
    listNodes: async () => Object.keys(nodes).map((name) => ({ metadata: { name, labels: { 'kubernetes.io/os': 'linux' } } })),
    requestServiceAccountToken: unused,
    readPodLog: unused,
    readPod: unused,
    listClusterObjects: unused,
    getClusterObject: unused,
    readConfigMap: async () => ({ data: { 'antrea-agent.conf': 'multicast:\n  enable: true\n' } }),
    createConfigMap: unused,
    replaceConfigMap: unused,
    mergePatchConfigMap: unused,
    readDaemonSet: unused,
    readDeployment: unused,
    patchWorkload: unused,
    createDaemonSet: unused,
    replaceDaemonSet: unused,
    hasCrd: unused,
    getNamespacedObject: unused,
    createNamespacedObject: unused,
    mergePatchNamespacedObject: unused,
    async exec(namespace, pod, container, argv, _deadline, stream?: ExecStream): Promise<ExecResult> {
      execs.push([namespace, pod, container, ...argv]);
      if (namespace === 'kube-system') {
        const node = pod.replace('antrea-agent-', '');
        if (argv[0] === 'antctl') {
          if (!nodes[node]) return { stdout: '', stderr: 'Error: Multicast is not enabled', exitCode: 1 };
          const rows = [...pods.values()].filter((p) => p.spec?.nodeName === node && !p.spec?.hostNetwork).map((p) => {
            const name = p.metadata!.name!;
            const out = name.startsWith('sender') ? (sent.get(name) ?? 0) : 0;
            const inbound = name.startsWith('receiver') ? (sent.get('sender-n1') ?? 0) : 0;
            return { name, podNamespace: p.metadata!.namespace, inbound: String(inbound), outbound: String(out) };
          });
          return { stdout: JSON.stringify(rows), stderr: '', exitCode: 0 };
        }
        if (argv[0] === 'ip') return { stdout: '[]\n', stderr: '', exitCode: 0 };
        return { stdout: '20\nIdx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n', stderr: '', exitCode: 0 };
      }
      const self = podOn(pod);
      if (argv.includes('-s')) {
        sent.set(pod, 10);
        return { stdout: fixture('sender-v2.9-10.txt'), stderr: '', exitCode: 0 };
      }
      const joined = 'Joining (*,239.255.77.1) on eth0, ifindex: 2, sd: 3\n';
      stream?.onStdout?.(joined);
      hooks.onReceiverStart?.();
      if (stream?.signal?.aborted) throw new Error(String(stream.signal.reason));
      // Wait for the sender, as a receiver does until its deadline.
      await new Promise((r) => setTimeout(r, 2500));
      const senderNode = 'n1';
      const delivered = self.spec!.nodeName === senderNode || (nodes[senderNode] && nodes[self.spec!.nodeName!]);
      return { stdout: delivered ? fixture('receiver-v2.9-10-of-10.txt') : fixture('receiver-v2.9-none.txt'), stderr: '', exitCode: 0 };
    },
  };
  return { api, namespaces, pods, execs, deleted };
}

async function probe(fake: Fake, args: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await runCli(['probe', '--group', '239.255.77.1', ...args], { stdout, stderr, env: {}, cluster: async () => fake.api });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('mcastctl probe in-process', () => {
  it('delivered on every path: exit 0, table, Pods pinned and labelled, Namespace deleted', async () => {
    const fake = fakeCluster({ n1: true, n2: true });
    const r = await probe(fake, []);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'PATH              FROM   TO   SENT   RECEIVED   LOSS   VERDICT     EVIDENCE',
        'local-pods        n1     n1   10     10         0%     delivered   -',
        'inter-node-pods   n1     n2   10     10         0%     delivered   -',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
    expect(fake.deleted).toHaveLength(1);
    expect(fake.deleted[0]).toMatch(/^mcastctl-probe-[a-z0-9]{5}$/);
    expect(fake.namespaces.size).toBe(0);
    expect(fake.pods.size).toBe(0);
    const mcjoinRuns = fake.execs.filter((e) => e[2] === 'mcjoin').map((e) => e.slice(1));
    expect(mcjoinRuns).toEqual([
      ['receiver-n1', 'mcjoin', 'mcjoin', '-o', '-p', '1234', '-W', '10', '239.255.77.1'],
      ['receiver-n2', 'mcjoin', 'mcjoin', '-o', '-p', '1234', '-W', '10', '239.255.77.1'],
      ['sender-n1', 'mcjoin', 'mcjoin', '-f', '500', '-o', '-p', '1234', '-s', '-t', '3', '-c', '10', '-W', '6', '239.255.77.1'],
    ]);
  });

  it('a Node whose agent runs no multicast: exit 11, the Node named with the evidence, nothing left', async () => {
    const fake = fakeCluster({ n1: true, n2: false });
    const r = await probe(fake, ['-o', 'json']);
    expect(r.code).toBe(11);
    expect(r.stderr).toBe('error: multicast was not delivered to Node n2 (see EVIDENCE)\n');
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ kind: 'MulticastProbe', delivered: false, failingNodes: ['n2'], trafficEncapMode: 'encap' });
    expect(doc.paths[1]).toEqual({
      path: 'inter-node-pods',
      from: { node: 'n1', hostNetwork: false, pod: 'sender-n1' },
      to: { node: 'n2', hostNetwork: false, pod: 'receiver-n2' },
      sent: 10, received: 0, lossPercent: 100, verdict: 'failed',
      evidence: ['multicast is not running in the antrea-agent on n2 (receiver\'s Node)', 'no mroute for (10.10.0.10,239.255.77.1) on n1 (sender\'s Node)', 'podmulticaststats: sender-n1 outbound +10'],
      podMulticastStats: { senderOutbound: 10, receiverInbound: null },
    });
    expect(fake.namespaces.size).toBe(0);
    expect(fake.pods.size).toBe(0);
  });

  it('SIGINT while the receivers listen: exit 130 and the Namespace is deleted', async () => {
    let sent = false;
    const fake = fakeCluster({ n1: true, n2: true }, {
      onReceiverStart: () => {
        if (!sent) setTimeout(() => process.emit('SIGINT', 'SIGINT'), 50);
        sent = true;
      },
    });
    const r = await probe(fake, ['-o', 'json']);
    expect(r.stderr).toBe('error: interrupted (SIGINT); cleaning up\n');
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: interrupted (SIGINT); cleaning up\n');
    expect(fake.deleted).toHaveLength(1);
    expect(fake.namespaces.size).toBe(0);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('SIGTERM while the receivers listen: exit 143 and the Namespace is deleted', async () => {
    let sent = false;
    const fake = fakeCluster({ n1: true, n2: true }, {
      onReceiverStart: () => {
        if (!sent) setTimeout(() => process.emit('SIGTERM', 'SIGTERM'), 50);
        sent = true;
      },
    });
    const r = await probe(fake, []);
    expect(r).toEqual({ code: 143, stdout: '', stderr: 'error: interrupted (SIGTERM); cleaning up\n' });
    expect(fake.deleted).toHaveLength(1);
    expect(fake.namespaces.size).toBe(0);
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });

  it('--timeout: gives up, says so, exit 1, and deletes the Namespace', async () => {
    const fake = fakeCluster({ n1: true, n2: true });
    const r = await probe(fake, ['--timeout', '1500ms']);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'error: the probe did not finish within 1500ms\n' });
    expect(fake.deleted).toHaveLength(1);
    expect(fake.namespaces.size).toBe(0);
  });

  it('a Pod that cannot start (image pull) ends the probe naming the Pod, the Node and the reason; nothing left', async () => {
    const fake = fakeCluster({ n1: true, n2: true }, {
      podStatus: (pod) => ({
        phase: 'Pending',
        containerStatuses: [{ name: 'mcjoin', ready: false, image: 'mirror.invalid/mcjoin:v2.9', imageID: '', restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${pod.spec!.containers[0].image}"` } } }],
      }),
    });
    const r = await probe(fake, ['--image', 'mirror.invalid/mcjoin:v2.9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: Pod sender-n1 on n1: ImagePullBackOff (Back-off pulling image "mirror.invalid/mcjoin:v2.9")\n');
    expect(fake.namespaces.size).toBe(0);
    expect(fake.execs.filter((e) => e[2] === 'mcjoin')).toEqual([]);
  });

  it('--keep leaves the Namespace and says how to remove it; probe cleanup removes it', async () => {
    const fake = fakeCluster({ n1: true, n2: true });
    const r = await probe(fake, ['--to', 'n1', '--keep']);
    expect(r.code).toBe(0);
    const [ns] = fake.namespaces.keys();
    expect(r.stderr).toBe(`Namespace ${ns} was kept for debugging. Remove it with:\n  kubectl delete namespace ${ns}\nor every probe leftover with:\n  mcastctl probe cleanup\n`);
    expect(fake.namespaces.get(ns)!.metadata!.labels).toEqual({ 'app.kubernetes.io/managed-by': 'mcastctl', 'app.kubernetes.io/component': 'multicast-probe' });
    const stdout = capture();
    const code = await runCli(['probe', 'cleanup'], { stdout, stderr: capture(), env: {}, cluster: async () => fake.api });
    expect(code).toBe(0);
    expect(stdout.text()).toBe(`namespace/${ns} deleted\n`);
    expect(fake.namespaces.size).toBe(0);
  });

  it('bad flags fail before the cluster is asked', async () => {
    const fake = fakeCluster({ n1: true });
    for (const [args, message] of [
      [['--port', '0'], 'error: invalid value "0" for --port: must be an integer from 1 to 65535\n'],
      [['--interval', 'soon'], 'error: invalid duration "soon" for --interval: use a number with a unit such as 500ms, 5s, 2m or 1h\n'],
      [['-o', 'wide'], 'error: option \'-o, --output <format>\' argument \'wide\' is invalid. Allowed choices are table, json, yaml.\nSee \'mcastctl probe --help\' for usage.\n'],
    ] as const) {
      const r = await probe(fake, [...args]);
      expect(r).toEqual({ code: 2, stdout: '', stderr: message });
    }
    const r = await probe(fake, ['--from', 'n9']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'error: --from: Node "n9" not found\n' });
    expect(fake.execs).toEqual([]);
  });
});
