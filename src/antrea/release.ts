/**
 * Antrea's rules in one place: for each release, how multicast is switched on, which config keys
 * and feature gates its agent and controller know, how they decode their config, what they refuse
 * at start-up and what the multicast guide documents as unsupported. The plan builder, the write
 * pre-flight, `--wait` verification and doctor all read this module.
 *
 * Every rule names its upstream source (antrea-io/antrea, file and tag). The key and gate tables
 * are generated from the sources (src/antrea/release-data.ts, scripts/antrea-config-keys.mjs).
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { atLeast, compareRelease, parseRelease, type ReleaseVersion } from './featuregate-catalogue.js';
import { AGENT_CONFIG_KEYS, CATALOGUED_TAGS, CONTROLLER_CONFIG_KEYS, FEATURE_GATES, type KeyRow } from './release-data.js';

export const AGENT_CONF = 'antrea-agent.conf';
export const CONTROLLER_CONF = 'antrea-controller.conf';
export type ConfName = typeof AGENT_CONF | typeof CONTROLLER_CONF;

/**
 * What a finding means for the cluster: "fatal" — the agent (or controller) of this release exits
 * at start-up and crash-loops; "unsupported" — it starts, but the multicast guide or the code says
 * multicast does not work so; "ineffective" — it starts, but the setting does not do what it says.
 */
export type Severity = 'fatal' | 'unsupported' | 'ineffective';

export interface Finding {
  /** A stable rule name, e.g. "multicast-encryption". */
  rule: string;
  severity: Severity;
  file: ConfName;
  /** 1-based line in the conf, when the finding is about one line. */
  line?: number;
  /** What is wrong, in the words of the agent's own log line when it has one. */
  message: string;
  /** What to do instead. */
  fix: string;
  /**
   * For a multicast rule: what it means while the config keeps multicast off (nothing is broken
   * yet; switching multicast on would hit it), instead of `message`, which says what agents running
   * multicast do or log.
   */
  whenOff?: string;
  /** Upstream file and tag(s) the rule is read from. */
  source: string;
  /** For a key the release reads elsewhere: where it belongs (the pre-flight moves it there). */
  relocate?: { from: string[]; to: string[] };
}

export interface ReleaseProfile {
  version: ReleaseVersion;
  /** "v2.7.0" */
  text: string;
  /** The catalogued tag whose keys and gates describe this release (the newest not newer than it; every tag v1.5.0 … v2.7.0 is catalogued). */
  catalogued: string;
  /** How multicast is switched on: the alpha gate (before v1.12) or multicast.enable (v1.12+). */
  multicastSwitch: 'gate' | 'enable';
  /** v1.7–v1.11: the controller needs the gate too (the multicast group API). */
  controllerGateNeeded: boolean;
  /** Default of the Multicast feature gate. */
  multicastGateDefault: boolean;
  /** v1.x decodes its config with yaml.v2 UnmarshalStrict: an unknown field is fatal. */
  strictDecoding: boolean;
  /** v1.15+: multicast works with FlexibleIPAM (docs/multicast-guide.md, PR #4922). */
  flexibleIpamSupported: boolean;
  /** Whether this release knows a key path of a conf file, and its kind. */
  keyKind(file: ConfName, path: string[]): string | undefined;
  /** Feature gates this release knows: name → "gate" or "locked-true"/"locked-false". */
  gates: Map<string, string>;
}

export const SOURCES = {
  strictDecoding: 'cmd/antrea-agent/options.go loadConfigFromFile (yaml.UnmarshalStrict, v1.5.0–v1.15.2; UnmarshalLenient from v2.0.0), pkg/config/agent/config.go at the tag',
  strictDecodingController: 'cmd/antrea-controller/options.go loadConfigFromFile (yaml.UnmarshalStrict, v1.5.0–v1.15.2), pkg/config/controller/config.go at the tag',
  lenientDecoding: 'pkg/util/yaml/decode.go UnmarshalLenient (v2.0.0+): type errors and malformed YAML stay fatal',
  featureGates: 'cmd/antrea-agent/options.go complete (features.DefaultMutableFeatureGate.SetFromMap), pkg/features/antrea_features.go at the tag',
  multicastSwitch: 'docs/multicast-guide.md v1.12.0 ("Starting from v1.12.0 … set the multicast.enable flag to true"); cmd/antrea-agent/agent.go (multicast runs iff the Multicast gate and multicast.enable)',
  encryption: 'cmd/antrea-agent/options.go validateMulticastConfig, v2.0.0+ (antrea-io/antrea #5916, #5920)',
  networkPolicyOnly: 'cmd/antrea-agent/options.go validateMulticastConfig, v2.5.0+ (antrea-io/antrea #7362); docs/multicast-guide.md v2.7.0',
  igmpQueryInterval: 'cmd/antrea-agent/options.go validateMulticastConfig (time.ParseDuration, v1.7.0+)',
  igmpQueryIntervalPositive: 'pkg/agent/multicast/mcast_controller.go v2.7.0 (mcastGroupTimeout = 3 × queryInterval; wait.NonSlidingUntil every queryInterval)',
  igmpQueryVersions: 'cmd/antrea-agent/options.go validateMulticastConfig ("igmpQueryVersions should be a subset of [1 2 3]", v1.12.0+)',
  encapInterfaces: 'docs/multicast-guide.md v1.14.0–v2.7.0, Limitations/Encap mode ("multicastInterfaces is not supported with encap mode")',
  flexibleIpam: 'docs/multicast-guide.md v1.15.0+, Limitations/Antrea FlexibleIPAM (PR #4922: supported from v1.15; multicastInterfaces is not)',
  encapModeUnknown: 'cmd/antrea-agent/options.go validate ("TrafficEncapMode %s is unknown"), pkg/agent/config/traffic_encap_mode.go',
  encryptionModeUnknown: 'cmd/antrea-agent/options.go validate ("TrafficEncryptionMode %s is unknown"), pkg/agent/config/traffic_encryption_mode.go',
  topLevelInterfaces: 'pkg/config/agent/config.go: top-level multicastInterfaces deprecated in v1.7.0, removed in v2.0.0 (#5158), where lenient decoding ignores it',
} as const;

const show = (v: ReleaseVersion) => `v${v.major}.${v.minor}.${v.patch}`;

function rowsFor(rows: KeyRow[], tag: string): Map<string, string> {
  const at = parseRelease(tag)!;
  const result = new Map<string, string>();
  for (const [path, kind, since, until] of rows) {
    if (compareRelease(parseRelease(since)!, at) > 0) continue;
    if (until !== undefined && compareRelease(parseRelease(until)!, at) < 0) continue;
    result.set(path, kind);
  }
  return result;
}

/**
 * The profile of an Antrea release. Releases older than v1.5.0 have no multicast; releases newer
 * than the newest catalogued tag are described by that tag. Throws nothing.
 */
export function releaseProfile(version: ReleaseVersion): ReleaseProfile {
  let catalogued = CATALOGUED_TAGS[0];
  for (const tag of CATALOGUED_TAGS) if (compareRelease(parseRelease(tag)!, version) <= 0) catalogued = tag;
  const keys = { [AGENT_CONF]: rowsFor(AGENT_CONFIG_KEYS, catalogued), [CONTROLLER_CONF]: rowsFor(CONTROLLER_CONFIG_KEYS, catalogued) };
  const modern = atLeast(version, 1, 12);
  return {
    version,
    text: show(version),
    catalogued,
    multicastSwitch: modern ? 'enable' : 'gate',
    controllerGateNeeded: !modern && atLeast(version, 1, 7),
    multicastGateDefault: modern,
    strictDecoding: !atLeast(version, 2, 0),
    flexibleIpamSupported: atLeast(version, 1, 15),
    keyKind: (file, path) => keys[file].get(path.join('.')),
    gates: rowsFor(FEATURE_GATES, catalogued),
  };
}

/** What a conf says about multicast, with the agent's defaults filled in. */
export interface MulticastSettings {
  gate: boolean;
  /** multicast.enable (v1.12+); undefined before. */
  enable?: boolean;
  /** Canonical names, as the agent prints them: "encap", "noEncap", "hybrid", "networkPolicyOnly". */
  encapMode: string;
  /** "None", "IPsec", "WireGuard" (the agent's spelling, as in its log line). */
  encryptionMode: string;
  interfaces: string[];
  igmpQueryInterval?: string;
  igmpQueryVersions?: unknown[];
  /** enableBridgingMode with AntreaIPAM: Antrea FlexibleIPAM. */
  flexibleIpam: boolean;
  transportInterface?: string;
}

const ENCAP_MODES = ['encap', 'noEncap', 'hybrid', 'networkPolicyOnly'];
const ENCRYPTION_MODES = ['None', 'IPsec', 'WireGuard'];
/** Go's strings.EqualFold lookup of pkg/agent/config, returning the canonical spelling. */
const canonical = (modes: string[], value: string) => modes.find((m) => m.toLowerCase() === value.toLowerCase());

type Conf = Record<string, unknown>;
const objectAt = (conf: Conf, key: string): Conf => {
  const value = conf[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Conf) : {};
};

/** The multicast-relevant settings of a parsed antrea-agent.conf, defaults applied as the agent does. */
export function multicastSettings(profile: ReleaseProfile, agent: Conf): MulticastSettings {
  const gates = objectAt(agent, 'featureGates');
  const multicast = objectAt(agent, 'multicast');
  const gate = typeof gates.Multicast === 'boolean' ? gates.Multicast : profile.multicastGateDefault;
  const encryption = agent.trafficEncryptionMode === undefined || agent.trafficEncryptionMode === null || agent.trafficEncryptionMode === ''
    ? (profile.strictDecoding && agent.enableIPSecTunnel === true ? 'IPsec' : 'None')
    : String(agent.trafficEncryptionMode);
  const encap = agent.trafficEncapMode === undefined || agent.trafficEncapMode === null || agent.trafficEncapMode === '' ? 'encap' : String(agent.trafficEncapMode);
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  const interfaces = list(multicast.multicastInterfaces).length > 0 || !profile.strictDecoding ? list(multicast.multicastInterfaces) : list(agent.multicastInterfaces);
  const ipamGate = typeof gates.AntreaIPAM === 'boolean' ? gates.AntreaIPAM : false;
  return {
    gate,
    enable: profile.multicastSwitch === 'enable' ? multicast.enable === true : undefined,
    encapMode: canonical(ENCAP_MODES, encap) ?? encap,
    encryptionMode: canonical(ENCRYPTION_MODES, encryption) ?? encryption,
    interfaces,
    // A string field: yaml decodes any scalar into it (5 becomes "5", which ParseDuration refuses).
    igmpQueryInterval: ['string', 'number', 'boolean'].includes(typeof multicast.igmpQueryInterval) && multicast.igmpQueryInterval !== '' ? String(multicast.igmpQueryInterval) : undefined,
    igmpQueryVersions: Array.isArray(multicast.igmpQueryVersions) ? multicast.igmpQueryVersions : undefined,
    flexibleIpam: agent.enableBridgingMode === true && ipamGate,
    transportInterface: typeof agent.transportInterface === 'string' && agent.transportInterface !== '' ? agent.transportInterface : undefined,
  };
}

/**
 * Memberships the agent holds per group with local receivers: one per multicast interface, the
 * configured multicastInterfaces plus the transport interface, all joined from its one socket
 * (cmd/antrea-agent/agent.go: sets.New(append(MulticastInterfaces, transport interface)...);
 * pkg/agent/multicast/mcast_route.go multicastInterfacesJoinMgroup). An unnamed transport
 * interface is counted as one more unless the list names it.
 */
export function membershipsPerGroup(s: MulticastSettings): number {
  const names = new Set(s.interfaces);
  if (s.transportInterface !== undefined) names.add(s.transportInterface);
  else names.add('\0transport');
  return names.size;
}

/** Whether the agents of this release run multicast with these settings (cmd/antrea-agent/agent.go). */
export function multicastRuns(profile: ReleaseProfile, s: MulticastSettings): boolean {
  return profile.multicastSwitch === 'enable' ? s.gate && s.enable === true : s.gate;
}

/**
 * Whether validateMulticastConfig runs its checks: whenever the gate is on in v1.7–v1.15, only
 * with the gate and multicast.enable from v2.0.0 (cmd/antrea-agent/options.go at those tags).
 */
function multicastValidated(profile: ReleaseProfile, s: MulticastSettings): boolean {
  if (!atLeast(profile.version, 1, 7)) return false;
  return atLeast(profile.version, 2, 0) ? s.gate && s.enable === true : s.gate;
}

const UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/**
 * Go's time.ParseDuration: "[-+]" then one or more "<decimal><unit>" ("1h30m", "1.5s", ".5ms"),
 * or "0". Returns nanoseconds; throws an Error with Go's message (`time: invalid duration "x"`,
 * `time: missing unit in duration "x"`, `time: unknown unit "d" in duration "x"`).
 */
export function parseGoDuration(text: string): number {
  const quoted = JSON.stringify(text);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`time: invalid duration ${quoted}`);
  let total = 0;
  while (rest !== '') {
    const number = /^(\d*)(\.(\d*))?/.exec(rest)!;
    if (number[0] === '' || number[0] === '.' || (number[1] === '' && (number[3] ?? '') === '')) throw new Error(`time: invalid duration ${quoted}`);
    rest = rest.slice(number[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === '') throw new Error(`time: missing unit in duration ${quoted}`);
    if (!(unit in UNITS)) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    rest = rest.slice(unit.length);
    total += Number(`${number[1] || '0'}.${number[3] || '0'}`) * UNITS[unit];
    if (total > 9223372036854775807) throw new Error(`time: invalid duration ${quoted}`);
  }
  return sign * total;
}

/** The multicast rules of validateMulticastConfig and the guide's limitations, on settings already read. */
export function multicastFindings(profile: ReleaseProfile, s: MulticastSettings, lineOf: (path: string[]) => number | undefined = () => undefined): Finding[] {
  const findings: Finding[] = [];
  const file = AGENT_CONF;
  const v = profile.text;
  const add = (f: Omit<Finding, 'file'>) => findings.push({ file, ...f });
  const validated = multicastValidated(profile, s);
  const runs = multicastRuns(profile, s);
  // From the release that validates a rule, it is fatal whenever validateMulticastConfig runs;
  // before, the agent starts and multicast just does not work: unsupported when multicast runs.
  const encryptionFatal = atLeast(profile.version, 2, 0);
  if ((encryptionFatal ? validated : runs) && s.encryptionMode !== 'None' && canonical(ENCRYPTION_MODES, s.encryptionMode)) {
    add({
      rule: 'multicast-encryption', severity: encryptionFatal ? 'fatal' : 'unsupported', line: lineOf(['trafficEncryptionMode']),
      message: encryptionFatal
        ? `failed to validate multicast config: Multicast feature doesn't work with the current encryption mode '${s.encryptionMode}'`
        : `multicast does not work with trafficEncryptionMode ${s.encryptionMode} (no tunnel port for it; v2.0+ agents refuse to start)`,
      whenOff: encryptionFatal
        ? `multicast cannot be switched on while trafficEncryptionMode is ${s.encryptionMode}: Antrea ${v} agents refuse to start with both`
        : `multicast would not work if switched on while trafficEncryptionMode is ${s.encryptionMode} (no tunnel port for it; v2.0+ agents refuse to start with both)`,
      fix: 'set trafficEncryptionMode: none in antrea-agent.conf, or keep multicast off', source: SOURCES.encryption,
    });
  }
  const npoFatal = atLeast(profile.version, 2, 5);
  if ((npoFatal ? validated : runs) && s.encapMode === 'networkPolicyOnly') {
    add({
      rule: 'multicast-network-policy-only', severity: npoFatal ? 'fatal' : 'unsupported', line: lineOf(['trafficEncapMode']),
      message: npoFatal ? "failed to validate multicast config: Multicast feature doesn't work with the networkPolicyOnly mode" : 'multicast does not work in networkPolicyOnly mode (v2.5+ agents refuse to start)',
      whenOff: npoFatal
        ? `multicast cannot be switched on in networkPolicyOnly mode: Antrea ${v} agents refuse to start with both`
        : 'multicast would not work if switched on in networkPolicyOnly mode (v2.5+ agents refuse to start with both)',
      fix: 'multicast needs trafficEncapMode encap, noEncap or hybrid', source: SOURCES.networkPolicyOnly,
    });
  }
  if (validated && s.igmpQueryInterval !== undefined) {
    try {
      if (parseGoDuration(s.igmpQueryInterval) <= 0) {
        add({
          rule: 'igmp-query-interval-positive', severity: 'ineffective', line: lineOf(['multicast', 'igmpQueryInterval']),
          message: `multicast.igmpQueryInterval "${s.igmpQueryInterval}" is not positive: the agent times group members out after 3 × it, so every membership expires at once`,
          fix: 'use a positive interval such as "125s" (the default)', source: SOURCES.igmpQueryIntervalPositive,
        });
      }
    } catch (err) {
      add({
        rule: 'igmp-query-interval', severity: 'fatal', line: lineOf(['multicast', 'igmpQueryInterval']),
        message: `failed to validate multicast config: ${(err as Error).message}`,
        fix: 'use a Go duration such as "125s", "2m" or "1m30s" (units ns, us, ms, s, m, h)', source: SOURCES.igmpQueryInterval,
      });
    }
  }
  if (validated && atLeast(profile.version, 1, 12) && s.igmpQueryVersions !== undefined && s.igmpQueryVersions.some((x) => ![1, 2, 3].includes(x as number))) {
    add({
      rule: 'igmp-query-versions', severity: 'fatal', line: lineOf(['multicast', 'igmpQueryVersions']),
      message: 'failed to validate multicast config: igmpQueryVersions should be a subset of [1 2 3]',
      fix: 'list only IGMP versions 1, 2 and 3', source: SOURCES.igmpQueryVersions,
    });
  }
  if (runs && s.interfaces.length > 0 && s.encapMode === 'encap') {
    add({
      rule: 'multicast-interfaces-encap', severity: 'unsupported', line: lineOf(['multicast', 'multicastInterfaces']),
      message: `multicast.multicastInterfaces (${s.interfaces.join(', ')}) is not supported in encap mode: multicast packets are SNATed and forwarded to the transport interface only`,
      whenOff: `multicast.multicastInterfaces (${s.interfaces.join(', ')}) would not be used if multicast were switched on in encap mode: multicast packets are SNATed and forwarded to the transport interface only`,
      fix: 'leave multicastInterfaces empty in encap mode, or use noEncap or hybrid mode', source: SOURCES.encapInterfaces,
    });
  }
  if (runs && s.flexibleIpam) {
    if (!profile.flexibleIpamSupported) {
      add({
        rule: 'multicast-flexible-ipam', severity: 'unsupported', line: lineOf(['enableBridgingMode']),
        message: `multicast does not work with Antrea FlexibleIPAM (AntreaIPAM with enableBridgingMode) before v1.15 (this cluster: ${v})`,
        whenOff: `multicast would not work if switched on with Antrea FlexibleIPAM (AntreaIPAM with enableBridgingMode) before v1.15 (this cluster: ${v})`,
        fix: 'upgrade Antrea to v1.15 or later, or turn FlexibleIPAM off', source: SOURCES.flexibleIpam,
      });
    } else if (s.interfaces.length > 0) {
      add({
        rule: 'multicast-flexible-ipam', severity: 'unsupported', line: lineOf(['multicast', 'multicastInterfaces']),
        message: `multicast.multicastInterfaces (${s.interfaces.join(', ')}) is not supported with Antrea FlexibleIPAM: multicast packets go to the uplink interface only`,
        whenOff: `multicast.multicastInterfaces (${s.interfaces.join(', ')}) would not be used if multicast were switched on with Antrea FlexibleIPAM: multicast packets go to the uplink interface only`,
        fix: 'leave multicastInterfaces empty with FlexibleIPAM', source: SOURCES.flexibleIpam,
      });
    }
  }
  return findings;
}

/** A parsed conf with the line of each key path. */
interface ParsedConf {
  doc: Document;
  lineAtOffset(offset: number): number;
  value: Conf;
  lineOf(path: string[]): number | undefined;
}

function parseConf(text: string): ParsedConf | { error: string; line?: number } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    return { error: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''), line: e.linePos?.[0]?.line };
  }
  const value = doc.toJS() as unknown;
  const lineOf = (path: string[]) => {
    const node = doc.getIn(path.slice(0, -1), true) as Node | undefined;
    const parent = path.length === 1 ? doc.contents : node;
    if (!isMap(parent)) return undefined;
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]) as Pair<Node> | undefined;
    return pair?.key?.range ? lineCounter.linePos(pair.key.range[0]).line : undefined;
  };
  return { doc, lineAtOffset: (offset) => lineCounter.linePos(offset).line, value: value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Conf) : {}, lineOf };
}

const YAML11_BOOLS = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;

/** Whether a YAML node decodes into a Go field of this kind (null decodes into anything). */
function fitsKind(node: unknown, kind: string): boolean {
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return true;
  const scalar = isScalar(node);
  switch (kind) {
    case 'bool':
      return scalar && (typeof node.value === 'boolean' || (typeof node.value === 'string' && node.type === 'PLAIN' && YAML11_BOOLS.test(node.value)));
    case 'int':
      return scalar && typeof node.value === 'number' && Number.isInteger(node.value);
    case 'string':
    case 'scalar':
      return scalar;
    case 'strings':
      return isSeq(node) && node.items.every((i) => isScalar(i));
    case 'ints':
      return isSeq(node) && node.items.every((i) => isScalar(i) && typeof i.value === 'number' && Number.isInteger(i.value));
    case 'object':
    case 'map':
      return isMap(node);
    case 'list':
      return isSeq(node);
    default:
      return true;
  }
}

const GO_KIND: Record<string, string> = { bool: 'bool', int: 'int', string: 'string', strings: '[]string', ints: '[]int', object: 'a map', map: 'a map', list: 'a list' };

/** Unknown fields (strict releases) and wrongly typed values (every release), walking the document. */
function decodingFindings(profile: ReleaseProfile, file: ConfName, parsed: ParsedConf, lineCounterLine: (offset: number) => number): Finding[] {
  const findings: Finding[] = [];
  const component = file === AGENT_CONF ? 'agent' : 'controller';
  const lineAt = (pair: Pair) => ((pair.key as Node | null)?.range ? lineCounterLine((pair.key as Node).range![0]) : undefined);
  const gateFindings = (gates: YAMLMap) => {
    for (const pair of gates.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const line = lineAt(pair);
      const gate = profile.gates.get(key);
      if (gate === undefined) {
        findings.push({
          rule: 'feature-gate-unknown', severity: 'fatal', file, line, message: `unrecognized feature gate: ${key}`,
          fix: `remove featureGates.${key}: Antrea ${profile.text} has no such gate`, source: SOURCES.featureGates,
        });
      } else if (!fitsKind(pair.value, 'bool')) {
        findings.push({ rule: 'field-type', severity: 'fatal', file, line, message: `featureGates.${key} is not a bool`, fix: `write featureGates.${key}: true or false`, source: SOURCES.featureGates });
      } else if (gate.startsWith('locked-') && isScalar(pair.value) && pair.value.value !== null && String(pair.value.value) !== gate.slice('locked-'.length)) {
        findings.push({
          rule: 'feature-gate-locked', severity: 'fatal', file, line,
          message: `cannot set feature gate ${key} to ${String(pair.value.value)}, feature is locked to ${gate.slice('locked-'.length)}`,
          fix: `remove featureGates.${key}`, source: SOURCES.featureGates,
        });
      }
    }
  };
  const walk = (node: unknown, path: string[], keyPath: string[]) => {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const line = lineAt(pair);
      const dotted = [...keyPath, key];
      const kind = profile.keyKind(file, dotted);
      if (kind === undefined) {
        if (!profile.strictDecoding) continue;
        const isGate = keyPath.length === 0 && profile.gates.has(key);
        const topInterfaces = file === AGENT_CONF && dotted.join('.') === 'multicast.enable' && profile.multicastSwitch === 'gate';
        findings.push({
          rule: 'unknown-field', severity: 'fatal', file, line,
          message: `${component}s of Antrea ${profile.text} decode ${file} strictly: field ${dotted.join('.')} is unknown to them`,
          fix: isGate ? `put it under featureGates: (featureGates.${key})` : topInterfaces ? 'before v1.12 the Multicast feature gate switches multicast on: featureGates.Multicast' : `remove ${dotted.join('.')}`,
          source: file === AGENT_CONF ? SOURCES.strictDecoding : SOURCES.strictDecodingController,
          relocate: isGate ? { from: dotted, to: ['featureGates', key] } : topInterfaces ? { from: dotted, to: ['featureGates', 'Multicast'] } : undefined,
        });
        continue;
      }
      if (!fitsKind(pair.value, kind)) {
        findings.push({
          rule: 'field-type', severity: 'fatal', file, line,
          message: `${dotted.join('.')} must be ${GO_KIND[kind] ?? kind}: the ${component} cannot decode ${file}`,
          fix: `write ${dotted.join('.')} as ${GO_KIND[kind] ?? kind}`, source: profile.strictDecoding ? SOURCES.strictDecoding : SOURCES.lenientDecoding,
        });
        continue;
      }
      if (dotted.length === 1 && key === 'featureGates' && isMap(pair.value)) gateFindings(pair.value);
      if (kind === 'object') walk(pair.value, [...path, key], dotted);
      if (kind === 'list' && isSeq(pair.value)) for (const item of pair.value.items) walk(item, [...path, key], [...dotted.slice(0, -1), `${key}[]`]);
    }
  };
  walk(parsed.doc.contents, [], []);
  return findings;
}

/**
 * Every finding for the confs of the antrea-config ConfigMap under this release: YAML that does
 * not parse, unknown fields (strict releases), wrong types, unknown or locked feature gates,
 * unknown traffic modes, validateMulticastConfig and the guide's multicast limitations, and keys
 * the release reads elsewhere (with `relocate`). Takes the conf texts (a missing one is skipped);
 * returns the findings in file order. Throws nothing.
 */
export function checkConfigs(profile: ReleaseProfile, data: Partial<Record<ConfName, string>>): Finding[] {
  const findings: Finding[] = [];
  for (const file of [AGENT_CONF, CONTROLLER_CONF] as const) {
    const text = data[file];
    if (text === undefined) continue;
    const parsed = parseConf(text);
    if ('error' in parsed) {
      findings.push({
        rule: 'yaml', severity: 'fatal', file, line: parsed.line, message: `${file} is not valid YAML: ${parsed.error}`,
        fix: `correct ${file} in the antrea-config ConfigMap`, source: profile.strictDecoding ? SOURCES.strictDecoding : SOURCES.lenientDecoding,
      });
      continue;
    }
    findings.push(...decodingFindings(profile, file, parsed, parsed.lineAtOffset));
    if (file !== AGENT_CONF) continue;
    const conf = parsed.value;
    for (const [key, modes, rule, source, label] of [
      ['trafficEncapMode', ENCAP_MODES, 'traffic-encap-mode', SOURCES.encapModeUnknown, 'TrafficEncapMode'],
      ['trafficEncryptionMode', ENCRYPTION_MODES, 'traffic-encryption-mode', SOURCES.encryptionModeUnknown, 'TrafficEncryptionMode'],
    ] as const) {
      const value = conf[key];
      if (typeof value === 'string' && value !== '' && !canonical([...modes], value)) {
        findings.push({ rule, severity: 'fatal', file, line: parsed.lineOf([key]), message: `${label} ${value} is unknown`, fix: `use one of ${modes.join(', ')}`, source });
      }
    }
    if (!profile.strictDecoding && Array.isArray(conf.multicastInterfaces) && conf.multicastInterfaces.length > 0 && profile.keyKind(file, ['multicastInterfaces']) === undefined) {
      const nested = objectAt(conf, 'multicast').multicastInterfaces;
      findings.push({
        rule: 'multicast-interfaces-top-level', severity: 'ineffective', file, line: parsed.lineOf(['multicastInterfaces']),
        message: `top-level multicastInterfaces is ignored by Antrea ${profile.text} agents (removed in v2.0.0): it belongs under multicast:`,
        fix: 'set multicast.multicastInterfaces instead', source: SOURCES.topLevelInterfaces,
        relocate: Array.isArray(nested) && nested.length > 0 ? undefined : { from: ['multicastInterfaces'], to: ['multicast', 'multicastInterfaces'] },
      });
    }
    findings.push(...multicastFindings(profile, multicastSettings(profile, conf), parsed.lineOf));
  }
  return findings;
}

/** The one line that names a finding: file, line, what the agents say, the fix and the source. */
export function describeFinding(profile: ReleaseProfile, f: Finding): string {
  const who = f.severity === 'fatal' ? `Antrea ${profile.text} ${f.file === AGENT_CONF ? 'agents' : 'controller'} would not start` : f.severity === 'unsupported' ? `unsupported on Antrea ${profile.text}` : `ineffective on Antrea ${profile.text}`;
  return `${who}: ${f.file}${f.line ? ` line ${f.line}` : ''}: ${f.message}; fix: ${f.fix} [${f.rule}: ${f.source}]`;
}
