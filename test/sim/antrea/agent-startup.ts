/**
 * What antrea-agent does with its antrea-agent.conf when it starts (cmd/antrea-agent/main.go:
 * opts.complete, then opts.validate, each failure a klog.Fatalf that exits the container with 255),
 * per release. Every rule names the upstream file and tag it was read from.
 */
import { isMap, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { atLeast } from '../version.js';
import type { ReleaseProfile } from './releases.js';

export interface LogRecord {
  /** klog severity letter. */
  level: 'I' | 'W' | 'E' | 'F';
  /** Source file and line klog prints in the header. */
  file: string;
  message: string;
}

/** The configuration an agent process runs with, after a successful start. */
export interface AgentSettings {
  /** Every gate of the release with its live value (defaults, then the conf's featureGates). */
  gates: Map<string, boolean>;
  multicastEnable: boolean;
  /** Whether the multicast controller runs (cmd/antrea-agent/agent.go multicastEnabled). */
  multicastRunning: boolean;
  trafficEncapMode: string;
  trafficEncryptionMode: string;
  multicastInterfaces: string[];
  transportInterface?: string;
  igmpQueryInterval?: string;
}

export type StartResult = { ok: true; settings: AgentSettings; logs: LogRecord[] } | { ok: false; logs: LogRecord[]; fatal: string };

type Json = Record<string, any>;

/** The container's path of the conf (build/yamls: mountPath /etc/antrea/antrea-agent.conf, subPath). */
export const AGENT_CONF_PATH = '/etc/antrea/antrea-agent.conf';

// pkg/agent/config/traffic_encap_mode.go and traffic_encryption_mode.go (v1.5.0 … v2.7.0): EqualFold matches.
const ENCAP_MODES = ['encap', 'noEncap', 'hybrid', 'networkPolicyOnly'];
const ENCRYPTION_MODES = ['None', 'IPsec', 'WireGuard'];
const fold = (modes: string[], value: string) => modes.find((m) => m.toLowerCase() === value.toLowerCase());

/**
 * Go's time.ParseDuration error for `text`, or undefined when it parses (Go's time/format.go, Go 1.21+).
 */
export function goDurationError(text: string): string | undefined {
  const quoted = JSON.stringify(text);
  if (text === '0' || text === '+0' || text === '-0') return undefined;
  if (text === '') return `time: invalid duration ${quoted}`;
  let rest = text.replace(/^[-+]/, '');
  if (rest === '') return `time: invalid duration ${quoted}`;
  while (rest !== '') {
    const number = /^(\d*)(\.\d*)?/.exec(rest)!;
    if (number[0] === '' || number[0] === '.') return `time: invalid duration ${quoted}`;
    rest = rest.slice(number[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === '') return `time: missing unit in duration ${quoted}`;
    if (!['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h'].includes(unit)) return `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`;
    rest = rest.slice(unit.length);
  }
  return undefined;
}

/**
 * Unknown fields of the conf, as yaml.v2 (UnmarshalStrict) and yaml.v3 (KnownFields) name them:
 * "line N: field X not found in type agent.T", checked against the release's pkg/config/agent/config.go.
 */
function unknownFields(profile: ReleaseProfile, root: YamlNode | null, lines: LineCounter): string[] {
  const errors: string[] = [];
  const fieldsOf = (type: string): Record<string, string> => {
    const own = { ...(profile.agentConfigTypes[type] ?? {}) };
    const inline = own['<inline>'];
    delete own['<inline>'];
    return inline ? { ...fieldsOf(inline), ...own } : own;
  };
  const walk = (node: YamlNode | null | undefined, type: string) => {
    if (!node || !isMap(node)) return;
    const fields = fieldsOf(type);
    for (const pair of node.items) {
      const key = pair.key as YamlNode;
      const name = isScalar(key) ? String(key.value) : String(key);
      const fieldType = fields[name];
      if (fieldType === undefined) {
        const line = key.range ? lines.linePos(key.range[0]).line : 0;
        errors.push(`line ${line}: field ${name} not found in type agent.${type}`);
      } else if (fieldType !== 'value' && fieldType !== 'map' && profile.agentConfigTypes[fieldType]) {
        walk(pair.value as YamlNode, fieldType);
      }
    }
  };
  walk(root, 'AgentConfig');
  return errors;
}

const complete = (profile: ReleaseProfile, message: string): StartResult & { ok: false } => ({
  ok: false,
  fatal: `Failed to complete: ${message}`,
  logs: [{ level: 'F', file: `main.go:${profile.logLines['main.go/Failed to complete']}`, message: `Failed to complete: ${message}` }],
});
const validate = (profile: ReleaseProfile, message: string): StartResult & { ok: false } => ({
  ok: false,
  fatal: `Failed to validate: ${message}`,
  logs: [{ level: 'F', file: `main.go:${profile.logLines['main.go/Failed to validate']}`, message: `Failed to validate: ${message}` }],
});

/**
 * Starts an agent of `profile`'s release on a Node of `os` with `conf` (the text of antrea-agent.conf):
 * the settings it runs with, or the fatal log line it exits with.
 */
export function startAgent(profile: ReleaseProfile, conf: string, os: 'linux' | 'windows' = 'linux'): StartResult {
  // Thousands of agents start from the same conf text: decode it once per release and OS.
  let known = startedBefore.get(profile);
  if (!known) startedBefore.set(profile, (known = new Map()));
  const key = `${os}\u0000${conf}`;
  let result = known.get(key);
  if (!result) known.set(key, (result = decodeAndStart(profile, conf, os)));
  return structuredClone(result);
}

const startedBefore = new WeakMap<ReleaseProfile, Map<string, StartResult>>();

function decodeAndStart(profile: ReleaseProfile, conf: string, os: 'linux' | 'windows'): StartResult {
  const logs: LogRecord[] = [];
  const lines = new LineCounter();
  const doc = parseDocument(conf, { lineCounter: lines, uniqueKeys: false });
  if (doc.errors.length > 0) {
    // The yaml library's message, not yaml.v2's or yaml.v3's exact words (those differ per parser).
    const cause = `yaml: ${doc.errors[0].message.split('\n')[0]}`;
    return complete(profile, profile.strictDecoding ? cause : `failed to decode config file ${AGENT_CONF_PATH}: ${cause}`);
  }
  const unknown = unknownFields(profile, doc.contents as YamlNode | null, lines);
  if (unknown.length > 0) {
    // v1.x: options.go loadConfigFromFile returns yaml.UnmarshalStrict's error (v1.11.0 line 157).
    if (profile.strictDecoding) return complete(profile, `yaml: unmarshal errors:\n  ${unknown.join('\n  ')}`);
    // v2.0.0+: pkg/util/yaml/decode.go UnmarshalLenient logs the strict errors and decodes leniently.
    logs.push({
      level: 'I', file: `decode.go:${profile.logLines['decode.go/Used lenient decoding']}`,
      message: `"Used lenient decoding as strict decoding failed" err=[${unknown.map((e) => JSON.stringify(e)).join(' ')}]`,
    });
  }
  const config = (doc.toJS() ?? {}) as Json;
  const configured = (config.featureGates ?? {}) as Record<string, unknown>;

  // options.go complete(): features.DefaultMutableFeatureGate.SetFromMap(o.config.FeatureGates)
  // (k8s.io/component-base/featuregate/feature_gate.go SetFromMap).
  // pkg/features/antrea_features.go init(): on Windows, unsupported features default to false (v1.12.0 … v2.7.0).
  const gates = new Map(profile.gates.map((g) => [g.name, os === 'windows' && profile.unsupportedOnWindows.includes(g.name) ? false : g.default]));
  for (const [name, value] of Object.entries(configured)) {
    const spec = profile.gates.find((g) => g.name === name);
    if (!spec) return complete(profile, `unrecognized feature gate: ${name}`);
    if (spec.lockToDefault && value !== spec.default) return complete(profile, `cannot set feature gate ${name} to ${String(value)}, feature is locked to ${String(spec.default)}`);
    gates.set(name, value === true);
  }

  const multicast = (config.multicast ?? {}) as Json;
  const encapText = String(config.trafficEncapMode ?? '') || 'encap';
  const encryptionText = String(config.trafficEncryptionMode ?? '') || 'none';
  // options.go validateK8sNodeOptions (v1.11.0 lines 456–463, v2.7.0 lines 604–616).
  const encryption = fold(ENCRYPTION_MODES, encryptionText);
  if (!encryption) return validate(profile, `TrafficEncryptionMode ${encryptionText} is unknown`);
  const encap = fold(ENCAP_MODES, encapText);
  if (!encap) return validate(profile, `TrafficEncapMode ${encapText} is unknown`);

  // options_windows.go checkUnsupportedFeatures (v1.11.0 line 32, v2.7.0): enabled gates that Windows does not support.
  if (os === 'windows') {
    const unsupported = Object.entries(configured).filter(([n, v]) => v === true && profile.unsupportedOnWindows.includes(n)).map(([n]) => n);
    if (encap === 'networkPolicyOnly') unsupported.push(`TrafficEncapMode: ${encap}`);
    if (encryption !== 'None') unsupported.push(`TrafficEncryptionMode: ${encryption}`);
    if (unsupported.length > 0) return validate(profile, `unsupported features on Windows: {${unsupported.join(', ')}}`);
  }

  // options.go validateMulticastConfig, wrapped as "failed to validate multicast config: %v".
  const gateOn = gates.get('Multicast') === true;
  const enable = multicast.enable === true;
  const checked = profile.multicastNeedsEnable && atLeast(profile.release, 2, 0) ? gateOn && enable : gateOn;
  if (checked) {
    const refuse = (why: string) => validate(profile, `failed to validate multicast config: ${why}`);
    // v2.0.0 line 330 (#5920): no multicast with WireGuard or IPsec.
    if (atLeast(profile.release, 2, 0) && encryption !== 'None') return refuse(`Multicast feature doesn't work with the current encryption mode '${encryption}'`);
    // v2.5.0 line 357 (#7362): no multicast in networkPolicyOnly mode.
    if (atLeast(profile.release, 2, 5) && encap === 'networkPolicyOnly') return refuse(`Multicast feature doesn't work with the networkPolicyOnly mode`);
    // v1.11.0 line 282, v2.7.0 line 368: time.ParseDuration(igmpQueryInterval) when set.
    if (multicast.igmpQueryInterval !== undefined && multicast.igmpQueryInterval !== null && String(multicast.igmpQueryInterval) !== '') {
      const error = goDurationError(String(multicast.igmpQueryInterval));
      if (error) return refuse(error);
    }
    // v1.12.0 line 293: igmpQueryVersions must be a subset of defaultIGMPQueryVersions [1 2 3].
    if (atLeast(profile.release, 1, 12) && Array.isArray(multicast.igmpQueryVersions) && multicast.igmpQueryVersions.some((v: unknown) => ![1, 2, 3].includes(v as number))) {
      return refuse('igmpQueryVersions should be a subset of [1 2 3]');
    }
  }
  const multicastRunning = os === 'linux' && gateOn && (!profile.multicastNeedsEnable || enable);
  return {
    ok: true,
    logs,
    settings: {
      gates,
      multicastEnable: enable,
      multicastRunning,
      trafficEncapMode: encap,
      trafficEncryptionMode: encryption,
      multicastInterfaces: ((multicast.multicastInterfaces ?? config.multicastInterfaces ?? []) as unknown[]).filter((i): i is string => typeof i === 'string' && i !== ''),
      transportInterface: config.transportInterface as string | undefined,
      igmpQueryInterval: multicast.igmpQueryInterval as string | undefined,
    },
  };
}

/** A klog text line (k8s.io/klog/v2 formatHeader: Lmmdd hh:mm:ss.uuuuuu, thread id %7d, file:line]). */
export function klogLine(record: LogRecord, at: Date, pid = 1): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())} ${p(at.getUTCHours())}:${p(at.getUTCMinutes())}:${p(at.getUTCSeconds())}.${p(at.getUTCMilliseconds() * 1000, 6)}`;
  return `${record.level}${stamp} ${String(pid).padStart(7)} ${record.file}] ${record.message}`;
}
