// Every corpus file through the whole CLI, in-process: a fake cluster whose agent container is an
// "image" answering each argv with what that tool version prints (the corpus file), and anything it
// does not ship with the runtime's "executable file not found".
import { Writable } from 'node:stream';
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parseFeatureGates, SECTION_TITLES } from '../../src/antrea/featuregates-parser.js';
import { runCli } from '../../src/cli.js';
import type { ExecResult, KubeApi } from '../../src/context.js';
import { byName, gateLayoutFor, renderGateSections, type GateSection } from '../../src/output/featuregates-table.js';
import { parseRelease } from '../../src/antrea/featuregate-catalogue.js';
import { corpus, corpusText, type CorpusEntry } from '../helpers/format-corpus.js';

type Image = Map<string, ExecResult>;

function capture(): Writable & { text: () => string } {
  const chunks: string[] = [];
  return Object.assign(
    new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString());
        done();
      },
    }),
    { text: () => chunks.join('') },
  );
}

const pod = (name: string, node: string, component: string): V1Pod => ({
  metadata: { name, namespace: 'kube-system', labels: { app: 'antrea', component } },
  spec: { nodeName: node, containers: [] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [] },
});

const NOT_FOUND = (argv: string[]): ExecResult => ({
  stdout: '',
  stderr: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown`,
  exitCode: 127,
});

/** One Node (k8s-node-1) whose agent container is `agent`, a controller Pod whose container is `controller`. */
function cluster(agent: Image, options: { controller?: Image; antreaVersion?: string; clusterObject?: unknown } = {}): KubeApi {
  const unused = () => Promise.reject(new Error('not used by this test'));
  const answer = (image: Image | undefined, argv: string[]) => image?.get(argv.join(' ')) ?? NOT_FOUND(argv);
  return {
    server: 'https://fake.invalid',
    defaultNamespace: 'default',
    listPods: async (namespace, selector) => {
      if (namespace !== 'kube-system') return [];
      const pods = [pod('antrea-agent-x7k2p', 'k8s-node-1', 'antrea-agent'), pod('antrea-controller-5c9f7', 'k8s-node-1', 'antrea-controller')];
      return pods.filter((p) => selector.includes(p.metadata!.labels!.component));
    },
    listClusterObjects: (async (group: string) => (group === 'crd.antrea.io' && options.antreaVersion ? [{ version: options.antreaVersion }] : [])) as KubeApi['listClusterObjects'],
    getClusterObject: (async () => {
      if (options.clusterObject === undefined) throw new Error('not found');
      return options.clusterObject;
    }) as KubeApi['getClusterObject'],
    exec: async (_ns, name, _container, argv) => answer(name.startsWith('antrea-agent') ? agent : options.controller, argv),
    listAllPods: unused, listNamespaces: unused, listNodes: unused, requestServiceAccountToken: unused, readPodLog: unused, readPod: unused,
    readConfigMap: unused, createConfigMap: unused, replaceConfigMap: unused, mergePatchConfigMap: unused, readDaemonSet: unused, readDeployment: unused,
    patchWorkload: unused, createDaemonSet: unused, replaceDaemonSet: unused, hasCrd: unused, getNamespacedObject: unused, createNamespacedObject: unused,
    mergePatchNamespacedObject: unused, readNamespace: unused, createNamespace: unused, deleteNamespace: unused, createPod: unused, deletePod: unused,
  } as KubeApi;
}

async function mcastctl(args: string[], api: KubeApi) {
  const stdout = capture();
  const stderr = capture();
  const code = await runCli(args, { stdout, stderr, env: {}, cluster: async () => api });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', exitCode: 0 });
const find = (version: string, file: string) => corpus.find((e) => e.version === version && e.file.endsWith(`/${file}`));

/** The agent image of an iproute2 version: what `ip -j -s mroute` and `ip -s mroute` print there. */
function iproute2Image(version: string): Image {
  const image: Image = new Map([['ip -s mroute', ok(corpusText(find(version, 'ip-s-mroute.txt')!))]]);
  const j = corpus.find((e) => e.version === version && e.argv?.join(' ') === 'ip -j -s mroute' && !e.file.includes('offload') && !e.file.includes('verbatim'))!;
  image.set('ip -j -s mroute', j.exitCode ? { stdout: '', stderr: corpusText(j), exitCode: j.exitCode } : ok(corpusText(j)));
  return image;
}

const routeSort = <T extends { group: string; source: string }>(routes: T[]) =>
  [...routes].sort((a, b) => a.group.localeCompare(b.group, 'en', { numeric: true }) || a.source.localeCompare(b.source, 'en', { numeric: true }));

describe('every corpus file through the CLI', () => {
  const iproute2 = [...new Set(corpus.filter((e) => e.tool === 'iproute2' && !e.file.includes('verbatim')).map((e) => e.version))];

  it.each(iproute2)('get mroute -o json on an image with iproute2 %s: every field, counters exact', async (version) => {
    const r = await mcastctl(['get', 'mroute', '-o', 'json'], cluster(iproute2Image(version)));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // The numbers stay JSON number tokens with every digit.
    expect(r.stdout).toContain('"packets": 18446744073709551615,');
    expect(r.stdout).toContain('"bytes": 9007199254740993,');
    const items = JSON.parse(r.stdout.replace(/: (\d{16,})/g, ': "$1"')).items as Array<Record<string, unknown>>;
    const expected = routeSort((find(version, 'ip-s-mroute.txt')!.expect as Array<Record<string, unknown> & { group: string; source: string }>).map((e) => ({ node: 'k8s-node-1', ...e })));
    const toText = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? String(v) : v);
    expect(items.map((i) => ({ ...i, packets: toText(i.packets), bytes: toText(i.bytes), wrongIf: toText(i.wrongIf) }))).toEqual(expected);
  });

  it('get mroute on an image with iproute2 4.9 (no -j) prints the right table', async () => {
    const r = await mcastctl(['get', 'mroute', '-o', 'wide'], cluster(iproute2Image('v4.9.0')));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'NODE         SOURCE       GROUP           IIF          OIFS                      STATE        PACKETS                BYTES              WRONG-IIF   AGE',
        'k8s-node-1   10.10.0.9    239.1.1.1       unresolved   <none>                    unresolved   <unknown>              <unknown>          <unknown>   <unknown>',
        'k8s-node-1   10.10.0.5    239.255.0.1     antrea-gw0   eth0(ttl 3),eth1(ttl 3)   resolved     0                      0                  0           120.50s',
        'k8s-node-1   10.10.0.5    239.255.12.42   antrea-gw0   eth0                      resolved     15230                  20833640           0           0.02s',
        'k8s-node-1   172.18.0.3   239.255.12.43   eth0         antrea-gw0                resolved     18446744073709551615   9007199254740993   12          13.25s',
        '',
      ].join('\n'),
    );
  });

  it('get mroute on an image without iproute2 reads /proc', async () => {
    const proc = corpus.find((e) => e.parser === 'proc-mroute')!;
    const r = await mcastctl(['get', 'mroute', '-o', 'json'], cluster(new Map([['cat /proc/net/ip_mr_vif /proc/net/ip_mr_cache', ok(corpusText(proc))]])));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"packets": 18446744073709551615,');
    expect(JSON.parse(r.stdout).items).toHaveLength(4);
  });

  it.each(corpus.filter((e) => e.argv?.join(' ') === 'antctl get podmulticaststats -o json').map((e) => [e.file, e] as const))(
    'get podmulticaststats -A -o json with %s: exact counters',
    async (_file, entry) => {
      const r = await mcastctl(['get', 'podmulticaststats', '-A', '-o', 'json'], cluster(new Map([['antctl get podmulticaststats -o json', ok(corpusText(entry))]])));
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('"outbound": 18446744073709551615\n');
      expect(r.stdout).toContain('"inbound": 9007199254740993,');
    },
  );

  const featuregates = corpus.filter((e) => e.parser === 'antctl-featuregates' && e.variant.includes('agent mode'));
  it.each(featuregates.map((e) => [e.file, e] as const))('get featuregates --node with %s prints antctl\'s own bytes', async (_file, entry) => {
    const r = await mcastctl(['get', 'featuregates', '--node', 'k8s-node-1'], cluster(new Map([['antctl get featuregates', ok(corpusText(entry))]])));
    expect(r).toEqual({ code: 0, stdout: corpusText(entry), stderr: '' });
  });

  it.each(featuregates.map((e) => [e.file, e] as const))('get featuregates with %s merges into the layout of that release', async (_file, entry: CorpusEntry) => {
    const controllerFile = corpus.find((e) => e.version === entry.version && e.parser === 'antctl-featuregates' && e.variant.includes('controller mode'));
    const api = cluster(new Map([['antctl get featuregates', ok(corpusText(entry))]]), {
      antreaVersion: entry.version,
      controller: controllerFile ? new Map([['antctl get featuregates', ok(corpusText(controllerFile))]]) : undefined,
    });
    const r = await mcastctl(['get', 'featuregates'], api);
    const agent = parseFeatureGates(corpusText(entry)).agent!;
    const controller = controllerFile ? parseFeatureGates(corpusText(controllerFile)) : undefined;
    const sections: GateSection[] = [{ title: SECTION_TITLES.agent, featureGates: byName(agent) }];
    if (controller?.agentWindows) sections.push({ title: SECTION_TITLES.agentWindows, featureGates: byName(controller.agentWindows) });
    if (controller?.controller) sections.push({ title: SECTION_TITLES.controller, featureGates: byName(controller.controller) });
    const plain = { warn: (t: string) => t, bad: (t: string) => t, good: (t: string) => t };
    expect(r.stdout).toBe(renderGateSections(sections, plain, gateLayoutFor(parseRelease(entry.version)!)));
    expect(r.code).toBe(controllerFile ? 0 : 3);
    if (controllerFile?.file.endsWith('featuregates-controller-with-windows.txt')) {
      // v2.7 agents with the default ConfigMap: exactly what antctl prints in the controller Pod.
      expect(r.stdout).toBe(corpusText(controllerFile));
    }
  });
});

describe('what mcastctl does not know is kept, and said with -v', () => {
  it('an unknown podmulticaststats field: a -v note naming the Node, the values still exact', async () => {
    const body = '[{"name":"rx","podNamespace":"media","inbound":"18446744073709551615","outbound":"0","inboundBytes":"42"}]\n';
    const api = cluster(new Map([['antctl get podmulticaststats -o json', ok(body)]]));
    const quiet = await mcastctl(['get', 'podmulticaststats', '-A', '-o', 'json'], api);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toContain('"inbound": 18446744073709551615,');
    const verbose = await mcastctl(['get', 'podmulticaststats', '-A', '-o', 'json', '-v', '1'], api);
    expect(verbose.stderr).toMatch(/^I \S+ k8s-node-1: podmulticaststats entry 1: unknown field "inboundBytes" kept as an extra\n$/);
  });

  it('an unknown VERSION in the controller\'s antctl output: read, with a warning naming the Pod', async () => {
    const agent = corpus.find((e) => e.file === 'antctl/v2.7.0/featuregates-agent.txt')!;
    const controllerText = 'Antrea Controller Feature Gates\nFEATUREGATE     STATUS      VERSION\nMulticast       Enabled     PREVIEW\n';
    const api = cluster(new Map([['antctl get featuregates', ok(corpusText(agent))]]), { antreaVersion: 'v2.7.0', controller: new Map([['antctl get featuregates', ok(controllerText)]]) });
    const r = await mcastctl(['get', 'featuregates'], api);
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('\nAntrea Controller Feature Gates\nFEATUREGATE     STATUS      VERSION\nMulticast       Enabled     PREVIEW\n')).toBe(true);
    expect(r.stderr).toBe('Warning: antrea-controller-5c9f7: line 3: unknown feature gate version "PREVIEW", read as printed: "Multicast       Enabled     PREVIEW"\n');
  });
});

describe('get multicastgroups G when the controller\'s stats gates are off', () => {
  it('says so on stderr with the fix: exit 1, nothing on stdout', async () => {
    // pkg/apiserver/registry/stats/multicastgroup/rest.go Get: an empty MulticastGroup, no error.
    const empty = { kind: 'MulticastGroup', apiVersion: 'stats.antrea.io/v1alpha1', metadata: { creationTimestamp: null }, pods: null };
    const r = await mcastctl(['get', 'multicastgroups', '239.255.12.42'], cluster(new Map(), { clusterObject: empty }));
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: multicast group "239.255.12.42": the antrea-controller answered with an empty MulticastGroup, which it does when its ' +
        'NetworkPolicyStats or Multicast feature gate is off; turn them on with "mcastctl featuregate set NetworkPolicyStats=true" and ' +
        '"mcastctl featuregate set Multicast=true" (see "mcastctl get featuregates")\n',
    });
  });
});
