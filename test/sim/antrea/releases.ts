/**
 * One profile per Antrea release, transcribed from antrea-io/antrea independently of mcastctl.
 *
 * Data (feature gates, the gate sets of each component, the agent config's yaml keys, the source lines
 * of the start-up log calls) come from test/fixtures/antrea/upstream-releases.json, which
 * test/sim/antrea/transcribe-upstream.mjs extracted from the tags listed there. The behaviour below
 * cites the file and tag it was read from. A release between two transcribed tags uses the newest
 * transcribed tag not newer than it (patch releases change none of this).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { atLeast, compareRelease, parseRelease, releaseTag, type Release } from '../version.js';

export type Stage = 'ALPHA' | 'BETA' | 'GA' | 'DEPRECATED';

export interface GateSpec {
  name: string;
  default: boolean;
  stage: Stage;
  /** GA gates that can no longer be switched (component-base featuregate LockToDefault). */
  lockToDefault?: boolean;
}

interface TranscribedRelease {
  logLines: Record<string, number | undefined>;
  gates: GateSpec[];
  agentGates: string[];
  controllerGates: string[];
  gateSetsFrom: string;
  unsupportedOnWindows: string[];
  agentConfigTypes: Record<string, Record<string, string>>;
}

const UPSTREAM = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'antrea', 'upstream-releases.json'), 'utf8')) as {
  releases: Record<string, TranscribedRelease>;
};
const TAGS = Object.keys(UPSTREAM.releases).sort((a, b) => compareRelease(parseRelease(a)!, parseRelease(b)!));

/** How `antctl get featuregates` lays out its table (pkg/antctl/raw/featuregates/command.go). */
export type FeatureGatesLayout =
  /** v1.5–v1.9: `%-25s%-15s%-10s`, fmt.Println(section) after every section. */
  | 'fixed-println-after'
  /** v1.10–v1.13: `%-25s%-15s%-10s`, a blank line before the controller section only. */
  | 'fixed-blank-before-controller'
  /** v1.14+: columns as wide as the longest value + 5, sections sorted, GA shown as "GA". */
  | 'dynamic';

export interface ReleaseProfile {
  /** The release the component runs (an image tag). */
  release: Release;
  /** The transcribed upstream tag this profile reads. */
  source: string;
  /** DefaultAntreaFeatureGates in source order (pkg/features/antrea_features.go). */
  gates: GateSpec[];
  /**
   * Gates the agent's own /featuregates answers (pkg/agent/apiserver/handlers/featuregates/handler.go):
   * before v1.14 every gate of the map (Go map order: the simulator uses source order), from v1.14 the
   * AgentGates set, sorted by name.
   */
  agentReported: string[];
  /** Gates in the agent and controller sections the controller computes (source order before v1.14). */
  agentSection: string[];
  controllerSection: string[];
  /** v1.14+: the controller reads antrea-controller.conf for its section; before, its own live gates. */
  controllerSectionFromConfigMap: boolean;
  /** v1.14+: rows sorted by name, VERSION "GA" for GA gates (features.GetVersion). */
  sortedRows: boolean;
  featureGatesLayout: FeatureGatesLayout;
  /** unsupportedFeaturesOnWindows of pkg/features/antrea_features.go. */
  unsupportedOnWindows: string[];
  /**
   * How multicast is switched on (cmd/antrea-agent/agent.go): the Multicast gate alone before v1.12
   * (v1.11.0 line 147), the gate AND multicast.enable from v1.12.0 (line 147).
   */
  multicastNeedsEnable: boolean;
  /**
   * cmd/antrea-agent/options.go loadConfigFromFile: gopkg.in/yaml.v2 UnmarshalStrict up to v1.15.x (an
   * unknown field is fatal), pkg/util/yaml UnmarshalLenient from v2.0.0 (logged, then ignored).
   */
  strictDecoding: boolean;
  agentConfigTypes: Record<string, Record<string, string>>;
  logLines: Record<string, number | undefined>;
}

const profiles = new Map<string, ReleaseProfile>();

/** The profile of a release (for example "v2.7.0" or an image tag); throws on text with no version. */
export function profileFor(version: string | Release): ReleaseProfile {
  const release = typeof version === 'string' ? parseRelease(version) : version;
  if (!release) throw new Error(`not an Antrea version: "${String(version)}"`);
  const key = releaseTag(release);
  let profile = profiles.get(key);
  if (profile) return profile;
  let source = TAGS[0];
  for (const tag of TAGS) if (compareRelease(parseRelease(tag)!, release) <= 0) source = tag;
  const t = UPSTREAM.releases[source];
  const modern = atLeast(release, 1, 14);
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  profile = {
    release,
    source,
    gates: t.gates,
    agentReported: modern ? [...t.agentGates].sort(byName) : t.gates.map((g) => g.name),
    // v1.14+ handler: for each gate of DefaultAntreaFeatureGates in AgentGates/ControllerGates, then sorted.
    agentSection: modern ? [...t.agentGates].sort(byName) : t.gates.map((g) => g.name).filter((n) => t.agentGates.includes(n)),
    controllerSection: modern ? [...t.controllerGates].sort(byName) : t.gates.map((g) => g.name).filter((n) => t.controllerGates.includes(n)),
    controllerSectionFromConfigMap: modern,
    sortedRows: modern,
    featureGatesLayout: modern ? 'dynamic' : atLeast(release, 1, 10) ? 'fixed-blank-before-controller' : 'fixed-println-after',
    unsupportedOnWindows: t.unsupportedOnWindows,
    multicastNeedsEnable: atLeast(release, 1, 12),
    strictDecoding: !atLeast(release, 2, 0),
    agentConfigTypes: t.agentConfigTypes,
    logLines: t.logLines,
  };
  profiles.set(key, profile);
  return profile;
}

/** The VERSION cell of a gate: the raw PreRelease before v1.14 (empty for GA), features.GetVersion after. */
export function gateVersion(profile: ReleaseProfile, gate: GateSpec): string {
  return gate.stage === 'GA' && !profile.sortedRows ? '' : gate.stage;
}
