/**
 * The feature gates Antrea's components report: the agent's own /featuregates (its live gates), and
 * the controller's computed agent and controller sections (pkg/apiserver/handlers/featuregates/handler.go:
 * agent statuses from the ConfigMap's antrea-agent.conf, defaulting to the controller's own live value;
 * controller statuses from antrea-controller.conf from v1.14, from the controller's live gates before).
 */
import { parse } from 'yaml';
import type { GateRow } from '../render/antctl-output.js';
import { gateVersion, type ReleaseProfile } from './releases.js';

const gatesOfConf = new Map<string, Record<string, boolean>>();

/** The featureGates map of a conf (yaml.v3 Unmarshal into map[string]bool); {} when absent or unparsable. */
export function confFeatureGates(conf: string): Record<string, boolean> {
  let known = gatesOfConf.get(conf);
  if (!known) {
    try {
      known = ((parse(conf) ?? {}).featureGates ?? {}) as Record<string, boolean>;
    } catch {
      known = {};
    }
    gatesOfConf.set(conf, known);
  }
  return known;
}

function rows(profile: ReleaseProfile, names: string[], enabled: (name: string) => boolean): GateRow[] {
  return names
    .map((name) => profile.gates.find((g) => g.name === name))
    .filter((g) => g !== undefined)
    .map((g) => ({ name: g.name, status: enabled(g.name) ? 'Enabled' : 'Disabled', version: gateVersion(profile, g) }));
}

/** The agent's own /featuregates rows from the gates its process runs. */
export function agentGateRows(profile: ReleaseProfile, live: Map<string, boolean>): GateRow[] {
  return rows(profile, profile.agentReported, (n) => live.get(n) === true);
}

/**
 * The controller's agent and controller sections, given the ConfigMap now and the controller's start-up
 * conf; from v1.14 also the Windows agents' section ('agent-windows') when a Windows agent conf is given
 * (pkg/apiserver/handlers/featuregates/handler.go v1.14.0 … v2.7.0: the newest antrea-windows-config*
 * ConfigMap's antrea-agent.conf; gates of AgentGates that features.SupportedOnWindows, sorted by name,
 * a gate missing from the conf shown with the controller's own value).
 */
export function controllerGateRows(
  profile: ReleaseProfile,
  configMap: { agentConf: string; controllerConf: string; windowsAgentConf?: string },
  controllerStartedConf: string,
): { agent: GateRow[]; controller: GateRow[]; 'agent-windows'?: GateRow[] } {
  const own = confFeatureGates(controllerStartedConf);
  const live = (name: string) => own[name] ?? profile.gates.find((g) => g.name === name)!.default;
  const cmAgent = confFeatureGates(configMap.agentConf);
  const cmController = confFeatureGates(configMap.controllerConf);
  // The Windows section came with the same v1.14.0 handler that reads antrea-controller.conf.
  const windows = profile.controllerSectionFromConfigMap && configMap.windowsAgentConf !== undefined ? confFeatureGates(configMap.windowsAgentConf) : undefined;
  return {
    agent: rows(profile, profile.agentSection, (n) => cmAgent[n] ?? live(n)),
    controller: rows(profile, profile.controllerSection, (n) => (profile.controllerSectionFromConfigMap ? (cmController[n] ?? live(n)) : live(n))),
    ...(windows ? { 'agent-windows': rows(profile, profile.agentSection.filter((n) => !profile.unsupportedOnWindows.includes(n)), (n) => windows[n] ?? live(n)) } : {}),
  };
}
