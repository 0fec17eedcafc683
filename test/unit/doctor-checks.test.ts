/**
 * doctor's checks as pure functions: each reads only the facts it declares (doctor gathers only
 * those for --check), and a PASS on some Nodes is never a PASS for Nodes that gave no evidence.
 */
import { describe, expect, it } from 'vitest';
import { AGENT_FACTS, CHECKS, type AgentFacts, type DoctorFacts, type Fact } from '../../src/antrea/doctor-checks.js';
import { parseRelease } from '../../src/antrea/featuregate-catalogue.js';

const CONF = 'multicast:\n  enable: true\n';
const gates = [
  { name: 'Multicast', status: 'Enabled', version: 'BETA' },
  { name: 'NetworkPolicyStats', status: 'Enabled', version: 'BETA' },
];
const FATAL = 'F1129 22:48:13.097000       1 main.go:47] Failed to complete: yaml: unmarshal errors:';
const CONTINUATION = '  line 322: field Multicast not found in type agent.AgentConfig';

const healthyAgent = (node: string): AgentFacts => ({
  node, pod: `antrea-agent-${node}`, ready: true, restarts: 0, answered: true,
  gates, multicastRunning: true, startedConf: CONF, igmp: { limit: 20, joined: 1 }, mroutes: [],
  logs: 'I1129 22:48:13.000000       1 agent.go:100] "Started multicast controller"\n',
});

function cluster(agents: AgentFacts[]): DoctorFacts {
  return {
    namespace: 'kube-system', version: parseRelease('v2.7.0')!, versionText: 'v2.7.0', agentConfText: CONF, controllerConfText: '',
    nodes: agents.map((a) => ({ name: a.node, os: 'linux', kernelVersion: '5.15.0-91-generic', osImage: 'Ubuntu 22.04.3 LTS', addresses: ['172.18.0.2'] })),
    agents, controller: { agentGates: gates, controllerGates: gates }, groups: [],
  };
}

/** What doctor gathers when only `needs` are asked for (the ConfigMap and the agent Pods are always read). */
function gatheredFor(f: DoctorFacts, needs: Fact[]): DoctorFacts {
  const has = (x: Fact) => needs.includes(x);
  return {
    ...f,
    nodes: has('nodes') ? f.nodes : [],
    controller: has('controllerGates') ? f.controller : undefined,
    groups: has('groups') ? f.groups : undefined,
    agents: f.agents.map((a) => ({
      node: a.node, pod: a.pod, ready: a.ready, restarts: a.restarts, answered: a.answered,
      ...(a.unansweredReason ? { unansweredReason: a.unansweredReason } : {}),
      ...(has('agentGates') && a.gates ? { gates: a.gates } : {}),
      ...(has('multicastProbe') && a.multicastRunning !== undefined ? { multicastRunning: a.multicastRunning } : {}),
      ...(has('startedConf') && a.startedConf !== undefined ? { startedConf: a.startedConf } : {}),
      ...(has('igmp') && a.igmp ? { igmp: a.igmp } : {}),
      ...(has('mroutes') && a.mroutes ? { mroutes: a.mroutes } : {}),
      ...(has('logs') && a.logs !== undefined ? { logs: a.logs } : {}),
    })),
  };
}

const crashLooping: AgentFacts = {
  node: 'k8s-node-2', pod: 'antrea-agent-x7k2p', ready: false, restarts: 5, answered: false, unansweredReason: 'not ready (CrashLoopBackOff)',
  logs: `${FATAL}\n${CONTINUATION}\n`,
};

describe('each check reads only the facts it declares', () => {
  for (const check of CHECKS) {
    it(`${check.name}: --check ${check.name} gives what the full doctor gives`, () => {
      const all = cluster([healthyAgent('k8s-node-1'), crashLooping]);
      expect(check.run(gatheredFor(all, check.needs))).toEqual(check.run(all));
    });
  }

  it('agents-ready quotes the fatal line with its continuation and names the Pod to read', () => {
    const result = CHECKS.find((c) => c.name === 'agents-ready')!.run(gatheredFor(cluster([healthyAgent('k8s-node-1'), crashLooping]), ['logs']));
    expect(result).toEqual({
      name: 'agents-ready', status: 'FAIL', nodes: ['k8s-node-2'],
      message: `1 agent Pod is not ready: k8s-node-2: ${FATAL} line 322: field Multicast not found in type agent.AgentConfig`,
      fix: 'read the log of each agent Pod that is not ready (antrea-agent-x7k2p)',
      command: 'kubectl -n kube-system logs antrea-agent-x7k2p -c antrea-agent --previous',
    });
  });
});

describe('partial evidence is never a PASS', () => {
  it('one Node healthy, one silent: every check with per-Node evidence is UNKNOWN naming the silent Node', () => {
    const silent: AgentFacts = { node: 'k8s-node-2', pod: 'antrea-agent-b', ready: true, restarts: 0, answered: false, unansweredReason: 'no answer within 3s' };
    const f = cluster([healthyAgent('k8s-node-1'), silent]);
    const perNode = CHECKS.filter((c) => c.needs.some((x) => AGENT_FACTS.includes(x) || x === 'logs') && c.name !== 'agents-ready');
    expect(perNode.map((c) => c.name).sort()).toEqual(['config-applied', 'groups-without-receivers', 'igmp-limits', 'multicast-enabled', 'networkpolicystats', 'os-image', 'unresolved-routes']);
    for (const check of perNode) {
      const result = check.run(f);
      expect(result.status, check.name).toBe('UNKNOWN');
      expect(result.message, check.name).toMatch(/; no answer from k8s-node-2$/);
      expect(result.message, check.name).not.toMatch(/every (Node|agent)/);
      expect(result.unanswered, check.name).toEqual([{ node: 'k8s-node-2', reason: expect.any(String) }]);
    }
    // Every Node answered: the same checks PASS.
    const answered = cluster([healthyAgent('k8s-node-1'), healthyAgent('k8s-node-2')]);
    for (const check of perNode) expect(check.run(answered).status, check.name).toBe('PASS');
  });
});
