import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kubectl, KUBECTL, mcastctl, ROOT, startSim, type RunningSim } from '../helpers/sim.js';

// antctl's v2.7.0 defaults (DefaultAntreaFeatureGates, AgentGates, ControllerGates) with multicast.enable set.
const AGENT_V27 = `Antrea Agent Feature Gates
FEATUREGATE                       STATUS       VERSION
AntreaIPAM                        Disabled     ALPHA
AntreaNodeConfig                  Enabled      BETA
AntreaPolicy                      Enabled      BETA
AntreaProxy                       Enabled      GA
BGPPolicy                         Disabled     ALPHA
CleanupStaleUDPSvcConntrack       Enabled      BETA
Egress                            Enabled      BETA
EgressSeparateSubnet              Enabled      BETA
EgressTrafficShaping              Disabled     ALPHA
EndpointSlice                     Enabled      GA
ExternalNode                      Disabled     ALPHA
FlowExporter                      Disabled     ALPHA
IPsecCertAuth                     Disabled     ALPHA
L7NetworkPolicy                   Disabled     ALPHA
LoadBalancerModeDSR               Disabled     ALPHA
Multicast                         Enabled      BETA
Multicluster                      Disabled     ALPHA
NFTablesHostNetworkMode           Disabled     ALPHA
NetworkPolicyStats                Enabled      BETA
NodeLatencyMonitor                Disabled     ALPHA
NodeNetworkPolicy                 Disabled     ALPHA
NodePortLocal                     Enabled      GA
PacketCapture                     Disabled     ALPHA
PreferSameTrafficDistribution     Disabled     ALPHA
SecondaryNetwork                  Disabled     ALPHA
ServiceExternalIP                 Enabled      BETA
ServiceTrafficDistribution        Enabled      GA
SupportBundleCollection           Disabled     ALPHA
TopologyAwareHints                Enabled      GA
Traceflow                         Enabled      BETA
TrafficControl                    Disabled     ALPHA
`;

const CONTROLLER_V27 = `
Antrea Controller Feature Gates
FEATUREGATE                 STATUS       VERSION
AdminNetworkPolicy          Disabled     DEPRECATED
AntreaIPAM                  Disabled     ALPHA
AntreaPolicy                Enabled      BETA
ClusterNetworkPolicy        Disabled     ALPHA
Egress                      Enabled      BETA
IPsecCertAuth               Disabled     ALPHA
L7NetworkPolicy             Disabled     ALPHA
Multicast                   Enabled      BETA
Multicluster                Disabled     ALPHA
NetworkPolicyStats          Enabled      BETA
NodeIPAM                    Enabled      BETA
ServiceExternalIP           Enabled      BETA
SupportBundleCollection     Disabled     ALPHA
Traceflow                   Enabled      BETA
`;

// The v2.7.0 controller's Windows agents' section (pkg/apiserver/handlers/featuregates/handler.go:
// AgentGates that features.SupportedOnWindows, statuses from antrea-windows-config's antrea-agent.conf).
const WINDOWS_V27 = `
Antrea Agent Feature Gates (Windows)
FEATUREGATE                       STATUS       VERSION
AntreaPolicy                      Enabled      BETA
AntreaProxy                       Enabled      GA
EndpointSlice                     Enabled      GA
ExternalNode                      Disabled     ALPHA
NetworkPolicyStats                Enabled      BETA
NodePortLocal                     Enabled      GA
PreferSameTrafficDistribution     Disabled     ALPHA
ServiceTrafficDistribution        Enabled      GA
SupportBundleCollection           Disabled     ALPHA
TopologyAwareHints                Enabled      GA
Traceflow                         Enabled      BETA
TrafficControl                    Disabled     ALPHA
`;

const WINDOWS_MIXED = join(import.meta.dirname, 'scenarios', 'windows-mixed.yaml');

let sim: RunningSim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

describe('mcastctl get featuregates', () => {
  it('prints the agents\' and the controller\'s gates in antctl\'s layout', async () => {
    sim = await startSim('default');
    const r = await mcastctl(sim, ['get', 'featuregates']);
    expect(r).toEqual({ code: 0, stdout: AGENT_V27 + CONTROLLER_V27, stderr: '' });
  });

  it('marks a gate that differs on some Nodes and names them', async () => {
    sim = await startSim('default', (s) => {
      s.nodes[2].agent = { featureGates: { Multicast: false, Traceflow: false } };
    });
    const r = await mcastctl(sim, ['get', 'featuregates']);
    expect(r.code).toBe(0);
    const agentPart = r.stdout.split('\n\n')[0];
    expect(agentPart).toContain('\nMulticast                         Enabled*     BETA\n');
    expect(agentPart).toContain('\nTraceflow                         Enabled*     BETA\n');
    expect(agentPart.endsWith(
      '* Multicast is Disabled on 1 of 3 Nodes: k8s-node-3\n* Traceflow is Disabled on 1 of 3 Nodes: k8s-node-3',
    )).toBe(true);
  });

  it('--node prints that agent\'s antctl output byte for byte', async () => {
    sim = await startSim('default');
    const r = await mcastctl(sim, ['get', 'featuregates', '--node', 'k8s-node-2']);
    expect(r).toEqual({ code: 0, stdout: AGENT_V27, stderr: '' });
    if (KUBECTL) {
      const pod = sim.server.cluster.agents.get('k8s-node-2')!.podName;
      const direct = await kubectl(sim, ['exec', '-n', 'kube-system', pod, '-c', 'antrea-agent', '--', 'antctl', 'get', 'featuregates']);
      expect(r.stdout).toBe(direct.stdout);
    }
  });

  it('-o json gives every Node\'s gates, the controller\'s, divergences and failures', async () => {
    sim = await startSim('antrea-v1.9');
    const r = await mcastctl(sim, ['get', 'featuregates', '-o', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['apiVersion', 'kind', 'agents', 'controller', 'divergences', 'failures']);
    expect(doc.apiVersion).toBe('mcastctl.antrea.io/v1alpha1');
    expect(doc.kind).toBe('FeatureGateReport');
    const pods = Object.fromEntries([...sim.server.cluster.agents.values()].map((a) => [a.node.name, a.podName]));
    expect(doc.agents.map((a: { node: string; pod: string }) => [a.node, a.pod])).toEqual([
      ['tkgs-node-a', pods['tkgs-node-a']],
      ['tkgs-node-b', pods['tkgs-node-b']],
    ]);
    // v1.9 agents report every gate in source order, GA-less pre-release strings, Multicast on by config.
    expect(doc.agents[0].featureGates.slice(0, 3)).toEqual([
      { name: 'AntreaPolicy', status: 'Enabled', version: 'BETA' },
      { name: 'AntreaProxy', status: 'Enabled', version: 'BETA' },
      { name: 'Egress', status: 'Enabled', version: 'BETA' },
    ]);
    expect(doc.agents[0].featureGates).toContainEqual({ name: 'Multicast', status: 'Enabled', version: 'ALPHA' });
    expect(doc.agents[0].featureGates).toHaveLength(18);
    // Before v1.12 the controller section does not list Multicast at all.
    expect(doc.controller.featureGates.map((g: { name: string }) => g.name)).toEqual(['AntreaPolicy', 'Egress', 'Traceflow', 'NetworkPolicyStats', 'NodeIPAM', 'ServiceExternalIP']);
    expect(doc.divergences).toEqual([]);
    expect(doc.failures).toEqual([]);
  });

  it('prints the merged table in the layout of antctl v1.9, the release the agents run', async () => {
    sim = await startSim('antrea-v1.9');
    const r = await mcastctl(sim, ['get', 'featuregates']);
    expect(r.code).toBe(0);
    // "%-25s%-15s%-10s\n", fmt.Println after each section: a blank line after every section, the last too.
    expect(r.stdout.startsWith('Antrea Agent Feature Gates\nFEATUREGATE              STATUS         VERSION   \nAntreaIPAM               Disabled       ALPHA     \n')).toBe(true);
    expect(r.stdout).toContain('\nMulticast                Enabled        ALPHA     \n');
    expect(r.stdout).toContain('\nTrafficControl           Disabled       ALPHA     \n\nAntrea Controller Feature Gates\nFEATUREGATE              STATUS         VERSION   \n');
    // Controller rows sorted as the agent rows are.
    expect(r.stdout.endsWith('NodeIPAM                 Disabled       ALPHA     \nServiceExternalIP        Disabled       ALPHA     \nTraceflow                Enabled        BETA      \n\n')).toBe(true);
  });

  it('--transport api --node prints the agent in its release\'s layout, as antctl there does', async () => {
    sim = await startSim('agent-api', (s) => {
      s.antreaVersion = 'v1.9.0';
      s.config = { agent: { 'featureGates.Multicast': true } };
    });
    const r = await mcastctl(sim, ['--transport', 'api', '--agent-insecure-skip-tls-verify', 'get', 'featuregates', '--node', 'api-node-1']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual(['Antrea Agent Feature Gates', 'FEATUREGATE              STATUS         VERSION   ', 'AntreaPolicy             Enabled        BETA      ']);
    expect(lines.slice(1, -2).every((l) => l.length === 50)).toBe(true);
    expect(r.stdout.endsWith('\n\n')).toBe(true);
    // The same bytes antctl prints in that agent's container.
    const viaExec = await mcastctl(sim, ['get', 'featuregates', '--node', 'api-node-1']);
    expect(viaExec).toEqual({ code: 0, stdout: r.stdout, stderr: '' });
  });

  it('-o yaml carries the same document as -o json', async () => {
    sim = await startSim('default');
    const [json, yamlOut] = await Promise.all([mcastctl(sim, ['get', 'featuregates', '-o', 'json']), mcastctl(sim, ['get', 'featuregates', '-o', 'yaml'])]);
    const { parse } = await import('yaml');
    expect(parse(yamlOut.stdout)).toEqual(JSON.parse(json.stdout));
    expect(yamlOut.stdout.startsWith('apiVersion: mcastctl.antrea.io/v1alpha1\nkind: FeatureGateReport\nagents:\n- node: k8s-node-1\n')).toBe(true);
  });
});

describe('mcastctl get featuregates when some Nodes fail', () => {
  it('a Node whose agent is not ready: the others print, the failure is named, exit 3', async () => {
    sim = await startSim('default', (s) => {
      s.faults = [{ kind: 'agent-not-ready', node: 'k8s-node-2' }];
    });
    const pod = sim.server.cluster.agents.get('k8s-node-2')!.podName;
    const r = await mcastctl(sim, ['get', 'featuregates']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe(AGENT_V27 + CONTROLLER_V27);
    expect(r.stderr).toBe(`error: k8s-node-2: agent Pod ${pod} is not ready (CrashLoopBackOff)\n`);
  });

  it('an exec that hangs is abandoned at --node-timeout and never blocks the others', async () => {
    sim = await startSim('default', (s) => {
      s.faults = [{ kind: 'exec-hang', node: 'k8s-node-1' }];
    });
    const started = Date.now();
    const r = await mcastctl(sim, ['get', 'featuregates', '--node-timeout', '1500ms', '-o', 'json']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('error: k8s-node-1: no answer within 1.5s\n');
    const doc = JSON.parse(r.stdout);
    expect(doc.agents.map((a: { node: string }) => a.node)).toEqual(['k8s-node-2', 'k8s-node-3']);
    expect(doc.failures).toEqual([{ node: 'k8s-node-1', reason: 'no answer within 1.5s' }]);
  });

  it('an exec that exits non-zero reports the code and what the tool said', async () => {
    sim = await startSim('default', (s) => {
      s.faults = [{ kind: 'exec-exit', node: 'k8s-node-3', exitCode: 1, stderr: 'Error: request to server failed: Unauthorized: unknown\n' }];
    });
    const r = await mcastctl(sim, ['get', 'featuregates']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('error: k8s-node-3: "antctl get featuregates" exited with code 1: Error: request to server failed: Unauthorized: unknown\n');
  });

  it('exec forbidden on one Node (403) is that Node\'s failure', async () => {
    sim = await startSim('default', (s) => {
      s.faults = [{ kind: 'forbidden', node: 'k8s-node-2', path: '/exec$' }];
    });
    const r = await mcastctl(sim, ['get', 'featuregates']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('error: k8s-node-2: exec forbidden (403): the user may not create pods/exec\n');
  });

  it('every Node failing is an error (exit 1) with nothing on stdout but the controller', async () => {
    sim = await startSim('default', (s) => {
      s.faults = ['k8s-node-1', 'k8s-node-2', 'k8s-node-3'].map((node) => ({ kind: 'agent-not-ready' as const, node }));
    });
    const r = await mcastctl(sim, ['get', 'featuregates', '-o', 'json']);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(3);
  });
});

describe('mcastctl get featuregates on bad input and API faults', () => {
  it('403 on the Pod list: kubectl\'s wording, exit 4', async () => {
    sim = await startSim('default', (s) => {
      s.faults = [{ kind: 'forbidden', path: '/pods$' }];
    });
    const r = await mcastctl(sim, ['get', 'featuregates']);
    expect(r).toEqual({ code: 4, stdout: '', stderr: 'Error from server (Forbidden): /api/v1/namespaces/kube-system/pods is forbidden: User "sim" cannot access this resource\n' });
  });

  it('a wrong token (401): exit 4', async () => {
    sim = await startSim('default');
    writeFileSync(sim.kubeconfig, sim.server.kubeconfig({ token: 'stolen' }));
    const r = await mcastctl(sim, ['get', 'featuregates']);
    expect(r).toEqual({ code: 4, stdout: '', stderr: 'error: You must be logged in to the server (the server has asked for the client to provide credentials)\n' });
  });

  it('429 with Retry-After is retried and then succeeds', async () => {
    sim = await startSim('default', (s) => {
      s.faults = [{ kind: 'too-many-requests', path: '/pods$', retryAfterSeconds: 1, times: 2 }];
    });
    const r = await mcastctl(sim, ['get', 'featuregates']);
    expect(r).toEqual({ code: 0, stdout: AGENT_V27 + CONTROLLER_V27, stderr: '' });
    const throttled = sim.server.cluster.requestLog.filter((q) => q.status === 429);
    expect(throttled).toHaveLength(2);
  });

  it('500 on the Pod list: exit 1 with the server\'s Status', async () => {
    sim = await startSim('default', (s) => {
      s.faults = [{ kind: 'server-error', path: '/pods$' }];
    });
    const r = await mcastctl(sim, ['get', 'featuregates']);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'Error from server (InternalError): Internal error occurred: simulated server failure\n' });
  });

  it('a slow API server beyond --request-timeout: exit 5', async () => {
    sim = await startSim('default', (s) => {
      s.faults = [{ kind: 'slow', path: '/pods$', delayMs: 3000 }];
    });
    const r = await mcastctl(sim, ['get', 'featuregates', '--request-timeout', '500ms']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^error: Unable to connect to the server: request to 127\.0\.0\.1:\d+ timed out\n$/);
  });

  it('no agent Pods in the given namespace: exit 1', async () => {
    sim = await startSim('default');
    const r = await mcastctl(sim, ['get', 'featuregates', '--antrea-namespace', 'default']);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'error: no antrea-agent Pods found in namespace "default" (label app=antrea,component=antrea-agent); is Antrea installed there? (see --antrea-namespace)\n' });
  });

  it('an unknown Node for --node: exit 1', async () => {
    sim = await startSim('default');
    const r = await mcastctl(sim, ['get', 'featuregates', '--node', 'nope']);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'error: no antrea-agent Pod runs on Node "nope"\n' });
  });

  it('an unreachable server: exit 5', async () => {
    sim = await startSim('default');
    await sim.server.stop();
    const r = await mcastctl(sim, ['get', 'featuregates']);
    expect(r.code).toBe(5);
    expect(r.stderr).toBe(`error: The connection to the server 127.0.0.1:${sim.server.port} was refused - did you specify the right host or port?\n`);
    sim = undefined;
  });

  it('an invalid kubeconfig: exit 2', async () => {
    sim = await startSim('default');
    const bad = join(sim.dir, 'bad-kubeconfig');
    writeFileSync(bad, 'clusters: [this is: not valid\n');
    const r = await mcastctl(undefined, ['get', 'featuregates', '--kubeconfig', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: invalid kubeconfig ${bad}: .+\\n$`));
    const missing = await mcastctl(undefined, ['get', 'featuregates', '--kubeconfig', join(sim.dir, 'absent')]);
    expect(missing).toEqual({ code: 2, stdout: '', stderr: `error: stat ${join(sim.dir, 'absent')}: no such file or directory\n` });
  });

  it('an unknown context: exit 2', async () => {
    sim = await startSim('default');
    const r = await mcastctl(sim, ['get', 'featuregates', '--context', 'prod']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'error: context "prod" does not exist\n' });
  });

  it('a bad output format or flag value: exit 2', async () => {
    const r = await mcastctl(undefined, ['get', 'featuregates', '-o', 'wide']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: option '-o, --output <format>' argument 'wide' is invalid. Allowed choices are table, json, yaml.\nSee 'mcastctl get featuregates --help' for usage.\n");
    const t = await mcastctl(undefined, ['get', 'featuregates', '--node-timeout', 'soon']);
    expect(t).toEqual({ code: 2, stdout: '', stderr: 'error: invalid duration "soon" for --node-timeout: use a number with a unit such as 500ms, 5s, 2m or 1h\n' });
  });
});

describe('mcastctl get featuregates with a Windows Node', () => {
  it('prints the controller\'s "Antrea Agent Feature Gates (Windows)" section, and the note points at it', async () => {
    sim = await startSim(WINDOWS_MIXED);
    const r = await mcastctl(sim, ['get', 'featuregates']);
    expect(r).toEqual({
      code: 0,
      stdout: AGENT_V27 + WINDOWS_V27 + CONTROLLER_V27,
      stderr: 'Note: skipping 1 Windows Node (win-1): their gates are the controller\'s "Antrea Agent Feature Gates (Windows)" section\n',
    });
    if (KUBECTL) {
      // antctl in the controller, through an independent client, prints the same section.
      const pod = sim.server.cluster.controller.podName;
      const direct = await kubectl(sim, ['exec', '-n', 'kube-system', pod, '-c', 'antrea-controller', '--', 'antctl', 'get', 'featuregates']);
      expect(direct.stdout).toContain(WINDOWS_V27);
      // … byte for byte the corpus file constructed from antctl's printf formats at v2.7.0.
      expect(direct.stdout).toBe(readFileSync(join(ROOT, 'test', 'fixtures', 'formats', 'antctl', 'v2.7.0', 'featuregates-controller-with-windows.txt'), 'utf8'));
    }
  });

  it('-o json carries them as controller.windowsAgentFeatureGates, and the note names that field', async () => {
    sim = await startSim(WINDOWS_MIXED, (s) => {
      s.config = { ...s.config, windowsAgent: { 'featureGates.Traceflow': false } };
    });
    const r = await mcastctl(sim, ['get', 'featuregates', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('Note: skipping 1 Windows Node (win-1): their gates are the controller\'s windowsAgentFeatureGates\n');
    const doc = JSON.parse(r.stdout);
    expect(doc.agents.map((a: { node: string }) => a.node)).toEqual(['k8s-node-1', 'k8s-node-2']);
    const windows = doc.controller.windowsAgentFeatureGates as Array<{ name: string; status: string; version: string }>;
    expect(windows.map((g) => `${g.name} ${g.status} ${g.version}`).join('\n')).toBe(
      WINDOWS_V27.trim().split('\n').slice(2).map((l) => l.split(/\s+/).join(' ')).join('\n').replace('Traceflow Enabled BETA', 'Traceflow Disabled BETA'),
    );
  });

  it('when the controller reports no Windows section, the note says so instead of pointing at it', async () => {
    sim = await startSim(WINDOWS_MIXED);
    // Without an antrea-windows-config ConfigMap the controller has no Windows agents' gates to report.
    sim.server.cluster.store.delete('configmaps', 'kube-system', 'antrea-windows-config');
    for (const format of ['table', 'json'] as const) {
      const r = await mcastctl(sim, ['get', 'featuregates', '-o', format]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('Note: skipping 1 Windows Node (win-1): the antrea-controller reports no Windows agent gates (Antrea v1.14+ controllers report them from the antrea-windows-config ConfigMap)\n');
      if (format === 'table') expect(r.stdout).toBe(AGENT_V27 + CONTROLLER_V27);
      else expect(JSON.parse(r.stdout).controller).not.toHaveProperty('windowsAgentFeatureGates');
    }
  });

  it('when the controller does not answer, the note says so and the controller\'s failure is named', async () => {
    // Every exec fails (the simulator's exec faults reach the controller only when they name no Node).
    sim = await startSim(WINDOWS_MIXED, (s) => {
      s.faults = [{ kind: 'exec-exit', exitCode: 1, stderr: 'simulated failure\n' }];
    });
    const pod = sim.server.cluster.controller.podName;
    const r = await mcastctl(sim, ['get', 'featuregates']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe('Note: skipping 1 Windows Node (win-1): their gates come from the antrea-controller, which did not answer');
    expect(r.stderr).toContain(`antrea-controller (${pod})`);
  });
});
