/**
 * Antrea's feature gates per release, from pkg/features/antrea_features.go (DefaultAntreaFeatureGates,
 * AgentGates, ControllerGates) at tags v1.9.0, v1.11.0, v1.12.0 and v2.7.0 of antrea-io/antrea, and the
 * gate sets hard-coded in pkg/apiserver/handlers/featuregates/handler.go before v1.14.
 */

export type Stage = 'ALPHA' | 'BETA' | 'GA' | 'DEPRECATED';

export interface GateSpec {
  name: string;
  default: boolean;
  stage: Stage;
}

export interface Catalogue {
  release: string;
  gates: GateSpec[];
  /** Gates the agent's own /featuregates reports (before v1.14: every gate, unsorted). */
  agentReported: string[];
  /** Gates shown in the agent section computed by the controller. */
  agentGates: string[];
  /** Gates shown in the controller section. */
  controllerGates: string[];
}

const g = (name: string, def: boolean, stage: Stage): GateSpec => ({ name, default: def, stage });

const v1_9_gates = [
  g('AntreaPolicy', true, 'BETA'), g('AntreaProxy', true, 'BETA'), g('Egress', true, 'BETA'),
  g('EndpointSlice', false, 'ALPHA'), g('TopologyAwareHints', false, 'ALPHA'), g('Traceflow', true, 'BETA'),
  g('AntreaIPAM', false, 'ALPHA'), g('FlowExporter', false, 'ALPHA'), g('NetworkPolicyStats', true, 'BETA'),
  g('NodePortLocal', true, 'BETA'), g('NodeIPAM', false, 'ALPHA'), g('Multicast', false, 'ALPHA'),
  g('Multicluster', false, 'ALPHA'), g('SecondaryNetwork', false, 'ALPHA'), g('ServiceExternalIP', false, 'ALPHA'),
  g('TrafficControl', false, 'ALPHA'), g('IPsecCertAuth', false, 'ALPHA'), g('ExternalNode', false, 'ALPHA'),
];

const v1_11_gates = [
  ...v1_9_gates.map((s) => (s.name === 'EndpointSlice' ? g('EndpointSlice', true, 'BETA') : s)),
  g('SupportBundleCollection', false, 'ALPHA'), g('L7NetworkPolicy', false, 'ALPHA'),
];

const v1_12_promoted: Record<string, GateSpec> = {
  TopologyAwareHints: g('TopologyAwareHints', true, 'BETA'),
  NodeIPAM: g('NodeIPAM', true, 'BETA'),
  Multicast: g('Multicast', true, 'BETA'),
};
const v1_12_gates = v1_11_gates.map((s) => v1_12_promoted[s.name] ?? s);

const v1_agentGates = ['AntreaPolicy', 'AntreaProxy', 'Egress', 'EndpointSlice', 'Traceflow', 'FlowExporter', 'NetworkPolicyStats',
  'NodePortLocal', 'AntreaIPAM', 'Multicast', 'ServiceExternalIP', 'Multicluster'];
const v1_9_controllerGates = ['Traceflow', 'AntreaPolicy', 'Egress', 'NetworkPolicyStats', 'NodeIPAM', 'ServiceExternalIP'];

const v2_7_gates = [
  g('AdminNetworkPolicy', false, 'DEPRECATED'), g('AntreaIPAM', false, 'ALPHA'), g('AntreaNodeConfig', true, 'BETA'),
  g('AntreaPolicy', true, 'BETA'), g('AntreaProxy', true, 'GA'), g('BGPPolicy', false, 'ALPHA'),
  g('CleanupStaleUDPSvcConntrack', true, 'BETA'), g('ClusterNetworkPolicy', false, 'ALPHA'), g('Egress', true, 'BETA'),
  g('EgressSeparateSubnet', true, 'BETA'), g('EgressTrafficShaping', false, 'ALPHA'), g('EndpointSlice', true, 'GA'),
  g('ExternalNode', false, 'ALPHA'), g('FlowExporter', false, 'ALPHA'), g('IPsecCertAuth', false, 'ALPHA'),
  g('L7NetworkPolicy', false, 'ALPHA'), g('LoadBalancerModeDSR', false, 'ALPHA'), g('Multicast', true, 'BETA'),
  g('Multicluster', false, 'ALPHA'), g('NFTablesHostNetworkMode', false, 'ALPHA'), g('NetworkPolicyStats', true, 'BETA'),
  g('NodeIPAM', true, 'BETA'), g('NodeLatencyMonitor', false, 'ALPHA'), g('NodeNetworkPolicy', false, 'ALPHA'),
  g('NodePortLocal', true, 'GA'), g('PacketCapture', false, 'ALPHA'), g('PreferSameTrafficDistribution', false, 'ALPHA'),
  g('SecondaryNetwork', false, 'ALPHA'), g('ServiceExternalIP', true, 'BETA'), g('ServiceTrafficDistribution', true, 'GA'),
  g('SupportBundleCollection', false, 'ALPHA'), g('TopologyAwareHints', true, 'GA'), g('Traceflow', true, 'BETA'),
  g('TrafficControl', false, 'ALPHA'),
];
const v2_7_controllerGates = ['AdminNetworkPolicy', 'AntreaIPAM', 'AntreaPolicy', 'ClusterNetworkPolicy', 'Egress', 'IPsecCertAuth',
  'L7NetworkPolicy', 'Multicast', 'Multicluster', 'NetworkPolicyStats', 'NodeIPAM', 'ServiceExternalIP', 'SupportBundleCollection', 'Traceflow'];
const v2_7_agentGates = v2_7_gates
  .map((s) => s.name)
  .filter((n) => !['AdminNetworkPolicy', 'ClusterNetworkPolicy', 'NodeIPAM'].includes(n));

const names = (gates: GateSpec[]) => gates.map((s) => s.name);

const CATALOGUES: Catalogue[] = [
  { release: 'v1.9.0', gates: v1_9_gates, agentReported: names(v1_9_gates), agentGates: v1_agentGates, controllerGates: v1_9_controllerGates },
  { release: 'v1.11.0', gates: v1_11_gates, agentReported: names(v1_11_gates), agentGates: v1_agentGates, controllerGates: [...v1_9_controllerGates, 'Multicluster'] },
  {
    release: 'v1.12.0', gates: v1_12_gates, agentReported: names(v1_12_gates), agentGates: v1_agentGates,
    controllerGates: [...v1_9_controllerGates, 'Multicluster', 'Multicast'],
  },
  { release: 'v2.7.0', gates: v2_7_gates, agentReported: v2_7_agentGates, agentGates: v2_7_agentGates, controllerGates: v2_7_controllerGates },
];

export interface ReleaseVersion {
  major: number;
  minor: number;
  patch: number;
}

/**
 * Parses "v2.7.0", "2.7.0-dev", "v2.7.0-5b2b4bd" or an image reference such as
 * "antrea/antrea-agent-ubuntu:v1.11.2" (a digest after "@" is ignored). The whole tag must be a
 * version (semver with an optional "v", pre-release and build): "devel-1.2.3", "banana" or
 * "latest" are undefined, never read as the digits they contain.
 */
export function parseRelease(text: string): ReleaseVersion | undefined {
  const tag = text.trim().split('@')[0].split(/[:/]/).pop() ?? '';
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+][0-9A-Za-z.+-]*)?$/.exec(tag);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

export function compareRelease(a: ReleaseVersion, b: ReleaseVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export const atLeast = (version: ReleaseVersion, major: number, minor: number) => compareRelease(version, { major, minor, patch: 0 }) >= 0;

/** The catalogue of the newest catalogued release not newer than `version` (the oldest one for older versions). */
export function catalogueFor(version: ReleaseVersion): Catalogue {
  let chosen = CATALOGUES[0];
  for (const c of CATALOGUES) if (compareRelease(parseRelease(c.release)!, version) <= 0) chosen = c;
  return chosen;
}
