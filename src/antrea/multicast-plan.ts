/**
 * What switching multicast on or off means at each Antrea release (docs/multicast-guide.md,
 * pkg/features/antrea_features.go, pkg/config/agent/config.go):
 * - v1.5–v1.6: alpha gate "Multicast", in antrea-agent.conf only;
 * - v1.7–v1.11: alpha gate, in antrea-agent.conf and antrea-controller.conf; a "multicast:" section
 *   with multicastInterfaces and igmpQueryInterval;
 * - v1.12+: beta gate on by default; the switch is multicast.enable in antrea-agent.conf;
 *   igmpQueryVersions exists.
 * v1.x agents and controllers parse their config strictly: a key the release does not know makes
 * them crash-loop, so a plan never writes one.
 */
import { CliError, UsageError } from '../errors.js';
import { editConf, readConfValue, type ConfEdit } from './configmap-editor.js';
import { atLeast, catalogueFor, type ReleaseVersion } from './featuregate-catalogue.js';

export const AGENT_CONF = 'antrea-agent.conf';
export const CONTROLLER_CONF = 'antrea-controller.conf';
export type ConfName = typeof AGENT_CONF | typeof CONTROLLER_CONF;

export interface MulticastOptions {
  interfaces?: string[];
  igmpQueryInterval?: string;
  igmpQueryVersions?: number[];
}

export interface ConfChange {
  file: ConfName;
  edits: ConfEdit[];
}

export interface Plan {
  changes: ConfChange[];
  /** One line per action, for the user. */
  summary: string[];
}

export type ConfData = Record<ConfName, string>;

const versionText = (v: ReleaseVersion) => `v${v.major}.${v.minor}.${v.patch}`;

function gateEdit(name: string, value: boolean): ConfEdit {
  return { path: ['featureGates', name], value };
}

export function planMulticast(version: ReleaseVersion, enable: boolean, options: MulticastOptions, data: ConfData): Plan {
  if (!atLeast(version, 1, 5)) throw new CliError(`Antrea ${versionText(version)} has no multicast support (it arrived as an alpha feature in v1.5.0)`);
  const agent: ConfEdit[] = [];
  const controller: ConfEdit[] = [];
  const summary: string[] = [];
  const v = versionText(version);

  if (atLeast(version, 1, 12)) {
    agent.push({ path: ['multicast', 'enable'], value: enable });
    summary.push(`set multicast.enable: ${enable} in ${AGENT_CONF} (Antrea ${v}: the Multicast feature gate is beta and on by default)`);
    if (enable) {
      // An explicit "Multicast: false" left in a conf would keep multicast off despite enable: true.
      for (const [file, edits] of [[AGENT_CONF, agent], [CONTROLLER_CONF, controller]] as const) {
        if (readConfValue(data[file], ['featureGates', 'Multicast']) === false) {
          edits.push(gateEdit('Multicast', true));
          summary.push(`set featureGates.Multicast: true in ${file} (it was explicitly false)`);
        }
      }
    }
  } else {
    agent.push(gateEdit('Multicast', enable));
    summary.push(`set featureGates.Multicast: ${enable} in ${AGENT_CONF} (Antrea ${v}: Multicast is an alpha feature gate)`);
    if (atLeast(version, 1, 7)) {
      controller.push(gateEdit('Multicast', enable));
      summary.push(`set featureGates.Multicast: ${enable} in ${CONTROLLER_CONF} (needed from v1.7 for the multicast group API)`);
    }
  }

  if (options.interfaces !== undefined) {
    if (!atLeast(version, 1, 7)) throw new UsageError(`--interfaces needs Antrea v1.7 or later (the multicast section does not exist in ${v})`);
    agent.push({ path: ['multicast', 'multicastInterfaces'], value: options.interfaces });
    summary.push(`set multicast.multicastInterfaces: [${options.interfaces.join(', ')}] in ${AGENT_CONF}`);
  }
  if (options.igmpQueryInterval !== undefined) {
    if (!atLeast(version, 1, 7)) throw new UsageError(`--igmp-query-interval needs Antrea v1.7 or later (not known to ${v})`);
    agent.push({ path: ['multicast', 'igmpQueryInterval'], value: options.igmpQueryInterval });
    summary.push(`set multicast.igmpQueryInterval: "${options.igmpQueryInterval}" in ${AGENT_CONF}`);
  }
  if (options.igmpQueryVersions !== undefined) {
    if (!atLeast(version, 1, 12)) {
      throw new UsageError(`--igmp-query-versions needs Antrea v1.12 or later: ${v} agents parse their config strictly and would not start with an unknown key`);
    }
    agent.push({ path: ['multicast', 'igmpQueryVersions'], value: options.igmpQueryVersions });
    summary.push(`set multicast.igmpQueryVersions: [${options.igmpQueryVersions.join(', ')}] in ${AGENT_CONF}`);
  }
  const changes: ConfChange[] = [{ file: AGENT_CONF, edits: agent }];
  if (controller.length > 0) changes.push({ file: CONTROLLER_CONF, edits: controller });
  return { changes, summary };
}

/** `featuregate set NAME=BOOL`: written where that release's agent and/or controller know the gate. */
export function planFeatureGate(version: ReleaseVersion, name: string, value: boolean, data: ConfData): Plan {
  const catalogue = catalogueFor(version);
  const known = catalogue.gates.map((g) => g.name);
  if (!known.includes(name)) {
    throw new UsageError(`unknown feature gate "${name}" for Antrea ${versionText(version)}; known gates: ${[...known].sort().join(', ')}`);
  }
  if (name === 'Multicast' && !atLeast(version, 1, 12)) return planMulticast(version, value, {}, data);
  const changes: ConfChange[] = [];
  const summary: string[] = [];
  if (catalogue.agentGates.includes(name) || !catalogue.controllerGates.includes(name)) {
    changes.push({ file: AGENT_CONF, edits: [gateEdit(name, value)] });
    summary.push(`set featureGates.${name}: ${value} in ${AGENT_CONF}`);
  }
  if (catalogue.controllerGates.includes(name)) {
    changes.push({ file: CONTROLLER_CONF, edits: [gateEdit(name, value)] });
    summary.push(`set featureGates.${name}: ${value} in ${CONTROLLER_CONF}`);
  }
  return { changes, summary };
}

/** The confs after the plan; a file whose edits change nothing is left as it was. */
export function applyPlan(plan: Plan, data: ConfData): ConfData {
  const next = { ...data };
  for (const change of plan.changes) {
    if (next[change.file] === undefined) throw new CliError(`the antrea-config ConfigMap has no "${change.file}" key`);
    next[change.file] = editConf(next[change.file], change.edits);
  }
  return next;
}
