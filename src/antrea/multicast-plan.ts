/**
 * What switching multicast on or off, or setting a feature gate, writes at each Antrea release
 * (the rules themselves are in release.ts), and the pre-flight every write passes: the edited
 * confs are checked with the running release's rules and a config its agents would reject is
 * refused before anything is written. Keys the release reads elsewhere are moved there first.
 */
import { CliError, ExitCode, UsageError } from '../errors.js';
import { editConf, readConfValue, type ConfEdit, type ConfValue } from './configmap-editor.js';
import { atLeast, catalogueFor, type ReleaseVersion } from './featuregate-catalogue.js';
import { AGENT_CONF, checkConfigs, CONTROLLER_CONF, describeFinding, releaseProfile, type ConfName, type Finding, type ReleaseProfile } from './release.js';

export { AGENT_CONF, CONTROLLER_CONF, type ConfName };

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
  const profile = releaseProfile(version);
  const agent: ConfEdit[] = [];
  const controller: ConfEdit[] = [];
  const summary: string[] = [];
  const v = versionText(version);

  if (profile.multicastSwitch === 'enable') {
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
    if (profile.controllerGateNeeded) {
      controller.push(gateEdit('Multicast', enable));
      summary.push(`set featureGates.Multicast: ${enable} in ${CONTROLLER_CONF} (needed from v1.7 for the multicast group API)`);
    }
  }

  if (options.interfaces !== undefined) {
    if (profile.keyKind(AGENT_CONF, ['multicast', 'multicastInterfaces']) === undefined) throw new UsageError(`--interfaces needs Antrea v1.7 or later (the multicast section does not exist in ${v})`);
    agent.push({ path: ['multicast', 'multicastInterfaces'], value: options.interfaces });
    summary.push(`set multicast.multicastInterfaces: [${options.interfaces.join(', ')}] in ${AGENT_CONF}`);
  }
  if (options.igmpQueryInterval !== undefined) {
    if (profile.keyKind(AGENT_CONF, ['multicast', 'igmpQueryInterval']) === undefined) throw new UsageError(`--igmp-query-interval needs Antrea v1.7 or later (not known to ${v})`);
    agent.push({ path: ['multicast', 'igmpQueryInterval'], value: options.igmpQueryInterval });
    summary.push(`set multicast.igmpQueryInterval: "${options.igmpQueryInterval}" in ${AGENT_CONF}`);
  }
  if (options.igmpQueryVersions !== undefined) {
    if (profile.keyKind(AGENT_CONF, ['multicast', 'igmpQueryVersions']) === undefined) {
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
  if (name === 'Multicast' && releaseProfile(version).multicastSwitch === 'gate') return planMulticast(version, value, {}, data);
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

/**
 * Keys this release reads elsewhere (a gate pasted at the top level, top-level multicastInterfaces
 * after v2.0, multicast.enable before v1.12), moved to where it reads them: one removal and, unless
 * the destination already has a value, one set. Returns the plan that does it (empty when nothing
 * is misplaced), to run before any other plan.
 */
export function planRelocations(profile: ReleaseProfile, data: ConfData): Plan {
  const changes: ConfChange[] = [];
  const summary: string[] = [];
  for (const finding of checkConfigs(profile, data)) {
    if (!finding.relocate) continue;
    const { from, to } = finding.relocate;
    const value = readConfValue(data[finding.file], from) as ConfValue | null | undefined;
    const edits: ConfEdit[] = [{ path: from, remove: true }];
    const existing = readConfValue(data[finding.file], to);
    if (existing === undefined || existing === null) {
      if (value !== undefined && value !== null) edits.push({ path: to, value });
    }
    let change = changes.find((c) => c.file === finding.file);
    if (!change) changes.push((change = { file: finding.file, edits: [] }));
    change.edits.push(...edits);
    summary.push(
      `move ${from.join('.')}${value === undefined || value === null ? '' : `: ${JSON.stringify(value)}`} to ${to.join('.')} in ${finding.file} (${finding.message}; ${finding.source})`,
    );
  }
  return { changes, summary };
}

/**
 * The write pre-flight. Takes the release and the confs before and after the edit. Throws a
 * CliError (exit code REFUSED) naming the first finding that blocks the write: any "fatal" finding
 * in the edited confs (the agents or the controller would not start: crash loop), or an
 * "unsupported"/"ineffective" one the edit introduces. Returns the findings it lets through
 * (present before the edit), for a warning.
 */
export function preflight(profile: ReleaseProfile, before: ConfData, after: ConfData): Finding[] {
  const found = checkConfigs(profile, after);
  const already = new Set(checkConfigs(profile, before).map((f) => `${f.file} ${f.rule}`));
  const blocking = found.find((f) => !f.relocate && (f.severity === 'fatal' || !already.has(`${f.file} ${f.rule}`)));
  if (blocking) throw new CliError(`refusing to change antrea-config: ${describeFinding(profile, blocking)}`, ExitCode.REFUSED);
  return found.filter((f) => !f.relocate);
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
