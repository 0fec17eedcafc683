#!/usr/bin/env node
/**
 * Transcribes, from a git checkout of antrea-io/antrea, the data the simulated agents need per release
 * into test/fixtures/antrea/upstream-releases.json:
 * - pkg/features/antrea_features.go: DefaultAntreaFeatureGates (default, PreRelease, LockToDefault),
 *   AgentGates / ControllerGates (v1.14+), unsupportedFeaturesOnWindows;
 * - pkg/apiserver/handlers/featuregates/handler.go (before v1.14): the hard-coded agentGates / controllerGates;
 * - pkg/config/agent/config.go: every struct's yaml keys (what yaml.v2 UnmarshalStrict accepts);
 * - cmd/antrea-agent/main.go, pkg/util/yaml/decode.go: the source lines of the start-up log calls (klog prints file:line).
 * Usage: node transcribe-upstream.mjs /path/to/antrea > test/fixtures/antrea/upstream-releases.json
 */
import { execFileSync } from 'node:child_process';

const repo = process.argv[2];
const TAGS = ['v1.5.0', 'v1.6.0', 'v1.7.0', 'v1.8.0', 'v1.9.0', 'v1.10.0', 'v1.11.0', 'v1.12.0', 'v1.13.0', 'v1.14.0', 'v1.15.0',
  'v2.0.0', 'v2.1.0', 'v2.2.0', 'v2.3.0', 'v2.4.0', 'v2.5.0', 'v2.6.0', 'v2.7.0'];
const show = (tag, path) => {
  try { return execFileSync('git', ['-C', repo, 'show', `${tag}:${path}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }); } catch { return ''; }
};
/** The text from `start` (a regular expression ending with its opening bracket) to the matching bracket. */
const block = (text, start) => {
  const m = new RegExp(start).exec(text);
  if (!m) return '';
  let depth = 0;
  for (let i = m.index + m[0].length - 1; i < text.length; i++) {
    if (text[i] === '{' || text[i] === '(') depth++;
    if (text[i] === '}' || text[i] === ')') { depth--; if (depth === 0) return text.slice(m.index + m[0].length, i); }
  }
  return '';
};
const stripComments = (t) => t.replace(/\/\/.*$/gm, '');
const STAGE = { Alpha: 'ALPHA', Beta: 'BETA', GA: 'GA', Deprecated: 'DEPRECATED' };

const out = { provenance: 'antrea-io/antrea: pkg/features/antrea_features.go, pkg/apiserver/handlers/featuregates/handler.go, pkg/config/agent/config.go at each tag below; transcribed by test/sim/antrea/transcribe-upstream.mjs', releases: {} };
for (const tag of TAGS) {
  const features = show(tag, 'pkg/features/antrea_features.go');
  const names = {};
  for (const m of features.matchAll(/^\s*(\w+)\s+featuregate\.Feature\s*=\s*"([^"]+)"/gm)) names[m[1]] = m[2];
  const gates = [];
  for (const m of stripComments(block(features, 'DefaultAntreaFeatureGates = map\\[featuregate\\.Feature\\]featuregate\\.FeatureSpec\\{')).matchAll(/^\s*(\w+):\s*\{([^}]*)\}/gm)) {
    const spec = m[2];
    gates.push({
      name: names[m[1]] ?? m[1],
      default: /Default:\s*true/.test(spec),
      stage: STAGE[/PreRelease:\s*featuregate\.(\w+)/.exec(spec)?.[1]] ?? 'GA',
      ...(/LockToDefault:\s*true/.test(spec) ? { lockToDefault: true } : {}),
    });
  }
  const set = (name) => [...stripComments(block(features, `${name} = sets\\.New(?:\\[featuregate\\.Feature\\])?\\(`)).matchAll(/(\w+)/g)].map((m) => names[m[1]] ?? m[1]);
  let agentGates = set('AgentGates');
  let controllerGates = set('ControllerGates');
  let gateSetsFrom = 'pkg/features/antrea_features.go';
  if (agentGates.length === 0) {
    const handler = show(tag, 'pkg/apiserver/handlers/featuregates/handler.go');
    const line = (v) => new RegExp(`var ${v} = sets\\.New(?:String|\\[string\\])\\(([^)]*)\\)`).exec(handler.replace(/\n\s*/g, ' '))?.[1] ?? '';
    agentGates = [...line('agentGates').matchAll(/"(\w+)"/g)].map((m) => m[1]);
    controllerGates = [...line('controllerGates').matchAll(/"(\w+)"/g)].map((m) => m[1]);
    gateSetsFrom = 'pkg/apiserver/handlers/featuregates/handler.go';
  }
  const unsupportedOnWindows = [...stripComments(block(features, 'unsupportedFeaturesOnWindows = map\\[featuregate\\.Feature\\]struct\\{\\}\\{')).matchAll(/^\s*(\w+):\s*\{\}/gm)].map((m) => names[m[1]] ?? m[1]);

  const config = show(tag, 'pkg/config/agent/config.go');
  const types = {};
  for (const m of config.matchAll(/^type (\w+) struct \{/gm)) {
    const body = stripComments(block(config.slice(m.index), `type ${m[1]} struct \\{`));
    const fields = {};
    for (const f of body.matchAll(/^\s*(\w+)\s+([\w.*[\]]+)\s+`yaml:"([^"]*)"`/gm)) {
      const [key, ...opts] = f[3].split(',');
      const type = f[2].replace(/^[*[\]]+/, '');
      if (opts.includes('inline')) fields['<inline>'] = type;
      else fields[key || f[1].toLowerCase()] = f[2].startsWith('map[') ? 'map' : /^[A-Z]\w*$/.test(type) ? type : 'value';
    }
    types[m[1]] = fields;
  }
  const lineOf = (text, needle) => text.split('\n').findIndex((l) => l.includes(needle)) + 1 || undefined;
  const main = show(tag, 'cmd/antrea-agent/main.go');
  const decode = show(tag, 'pkg/util/yaml/decode.go');
  const logLines = {
    'main.go/Failed to complete': lineOf(main, 'klog.Fatalf("Failed to complete'),
    'main.go/Failed to validate': lineOf(main, 'klog.Fatalf("Failed to validate'),
    ...(decode ? { 'decode.go/Used lenient decoding': lineOf(decode, 'klog.InfoS("Used lenient decoding as strict decoding failed", "err", e.Errors)') } : {}),
  };
  out.releases[tag] = { logLines, gates, agentGates, controllerGates, gateSetsFrom, unsupportedOnWindows, agentConfigTypes: types };
}
process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
