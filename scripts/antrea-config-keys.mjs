#!/usr/bin/env node
/**
 * Extracts the keys antrea-agent and antrea-controller accept in their config file from
 * pkg/config/{agent,controller}/config.go of an antrea-io/antrea checkout, per tag:
 *   node scripts/antrea-config-keys.mjs /path/to/antrea.git v1.11.0 v1.12.0 …
 * Prints JSON { tag: { agent: Tree, controller: Tree, gates: [{ name, default, locked }] } }
 * (gates from DefaultAntreaFeatureGates in pkg/features/antrea_features.go). A Tree maps a YAML key to its scalar kind
 * ("bool", "int", "string", "strings", "ints", or "scalar" for any other), "map" (free-form keys, e.g. featureGates), a nested Tree, or
 * ["list", Tree] (a list of objects). yaml.v2 (v1.x) names a field without a yaml tag by its
 * lower-cased Go name, which is how componentbaseconfig.ClientConnectionConfiguration decodes.
 */
import { execFileSync } from 'node:child_process';

const args = process.argv.slice(2);
const asTs = args[0] === '--ts';
const [repo, ...tags] = asTs ? args.slice(1) : args;
const show = (tag, path) => execFileSync('git', ['--git-dir', repo, 'show', `${tag}:${path}`], { encoding: 'utf8', maxBuffer: 1 << 24 });
const CLIENT_CONNECTION = { kubeconfig: 'string', acceptcontenttypes: 'string', contenttype: 'string', qps: 'scalar', burst: 'int' };

function structs(source) {
  const out = new Map();
  const re = /^type (\w+) struct \{\n([\s\S]*?)^\}/gm;
  for (const m of source.matchAll(re)) {
    const fields = [];
    for (const line of m[2].split('\n')) {
      const f = /^\s*(\w+)\s+([^\s`]+)\s*`[^`]*yaml:"([^",]*)(,[^"]*)?"[^`]*`/.exec(line);
      if (f) fields.push({ name: f[1], type: f[2], key: f[3], inline: (f[4] ?? '').includes('inline') });
    }
    out.set(m[1], fields);
  }
  return out;
}

/** The YAML shape a Go field type decodes: "bool", "int", "string", "strings", "ints" or "scalar". */
function goKind(t) {
  if (t === 'bool') return 'bool';
  if (/^u?int(8|16|32|64)?$/.test(t)) return 'int';
  if (t === 'string') return 'string';
  if (t === '[]string') return 'strings';
  if (/^\[\]u?int(8|16|32|64)?$/.test(t)) return 'ints';
  return 'scalar';
}

function tree(all, typeName) {
  const result = {};
  for (const f of all.get(typeName)) {
    const t = f.type.replace(/^\*/, '');
    let node;
    if (t.startsWith('map[')) node = 'map';
    else if (t === 'componentbaseconfig.ClientConnectionConfiguration') node = CLIENT_CONNECTION;
    else if (t.startsWith('[]') && all.has(t.slice(2).replace(/^\*/, ''))) node = ['list', tree(all, t.slice(2).replace(/^\*/, ''))];
    else if (all.has(t)) node = tree(all, t);
    else node = goKind(t);
    if (f.inline && typeof node === 'object' && !Array.isArray(node)) Object.assign(result, node);
    else result[f.key || f.name.toLowerCase()] = node;
  }
  return result;
}

/** Every gate of DefaultAntreaFeatureGates: name, default, and whether it is locked to its default. */
function gates(source) {
  const names = new Map([...source.matchAll(/^\s*(\w+)\s+featuregate\.Feature\s*=\s*"(\w+)"/gm)].map((m) => [m[1], m[2]]));
  const table = /DefaultAntreaFeatureGates = map\[featuregate\.Feature\]featuregate\.FeatureSpec\{([\s\S]*?)\n\t\}/.exec(source)[1];
  return [...table.matchAll(/^\s*(\w+):\s*\{([^}]*)\}/gm)].map((m) => ({
    name: names.get(m[1]) ?? m[1],
    default: /Default:\s*true/.test(m[2]),
    locked: /LockToDefault:\s*true/.test(m[2]),
  }));
}

const out = {};
for (const tag of tags) {
  out[tag] = {
    agent: tree(structs(show(tag, 'pkg/config/agent/config.go')), 'AgentConfig'),
    controller: tree(structs(show(tag, 'pkg/config/controller/config.go')), 'ControllerConfig'),
    gates: gates(show(tag, 'pkg/features/antrea_features.go')),
  };
}
/** "a.b" paths with their kind; list items as "a[].b". */
function flatten(node, prefix = '') {
  return Object.entries(node).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value)) return [[path, 'list'], ...flatten(value[1], `${path}[]`)];
    if (typeof value === 'object') return [[path, 'object'], ...flatten(value, path)];
    return [[path, value]];
  });
}

/** One row per (path, kind) with the first and last tag that has it (runs of consecutive tags). */
function ranges(perTag) {
  const rows = [];
  const open = new Map();
  tags.forEach((tag, i) => {
    const here = new Set(perTag(out[tag]).map(([p, k]) => `${p} ${k}`));
    for (const id of here) if (!open.has(id)) open.set(id, i);
    for (const [id, start] of [...open]) {
      if (here.has(id)) continue;
      rows.push([id, start, i - 1]);
      open.delete(id);
    }
  });
  for (const [id, start] of open) rows.push([id, start, tags.length - 1]);
  return rows
    .sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1])
    .map(([id, start, end]) => {
      const [path, kind] = id.split(' ');
      return `  [${JSON.stringify(path)}, ${JSON.stringify(kind)}, ${JSON.stringify(tags[start])}${end === tags.length - 1 ? '' : `, ${JSON.stringify(tags[end])}`}],`;
    });
}

if (asTs) {
  const header = [
    '// Generated by scripts/antrea-config-keys.mjs --ts from antrea-io/antrea at tags',
    `// ${tags.join(' ')}:`,
    '// pkg/config/agent/config.go (AgentConfig), pkg/config/controller/config.go (ControllerConfig) and',
    '// pkg/features/antrea_features.go (DefaultAntreaFeatureGates). Do not edit by hand.',
    '// Each row: [key path, kind, first tag that has it, last tag that has it (absent: still there)].',
    '',
    "export type KeyRow = [path: string, kind: string, since: string, until?: string];",
    '',
    `export const CATALOGUED_TAGS = ${JSON.stringify(tags)};`,
    '',
  ];
  const gateRows = ranges((r) => r.gates.map((g) => [g.name, g.locked ? `locked-${g.default}` : 'gate'])).map((row) => row);
  process.stdout.write([
    ...header,
    'export const AGENT_CONFIG_KEYS: KeyRow[] = [', ...ranges((r) => flatten(r.agent)), '];', '',
    'export const CONTROLLER_CONFIG_KEYS: KeyRow[] = [', ...ranges((r) => flatten(r.controller)), '];', '',
    '/** Feature gate names; kind "gate", or "locked-true"/"locked-false" when locked to that default. */',
    'export const FEATURE_GATES: KeyRow[] = [', ...gateRows, '];', '',
  ].join('\n'));
} else {
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}
