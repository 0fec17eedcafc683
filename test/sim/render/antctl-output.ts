/**
 * What antctl prints, byte for byte, at a given Antrea release: the sources are
 * pkg/antctl/raw/featuregates/command.go (v1.9.0, v1.12.0, v2.7.0) and pkg/antctl/output/output.go.
 */
import { stringify } from 'yaml';


export interface GateRow {
  name: string;
  status: 'Enabled' | 'Disabled';
  version: string;
}

export type Component = 'agent' | 'agent-windows' | 'controller';

const TITLES: Record<Component, string> = {
  agent: 'Antrea Agent Feature Gates',
  'agent-windows': 'Antrea Agent Feature Gates (Windows)',
  controller: 'Antrea Controller Feature Gates',
};

const goPad = (text: string, width: number) => text.padEnd(width);

function fixedSection(title: string, rows: GateRow[]): string {
  const line = (a: string, b: string, c: string) => `${goPad(a, 25)}${goPad(b, 15)}${goPad(c, 10)}\n`;
  return `${title}\n${line('FEATUREGATE', 'STATUS', 'VERSION')}${rows.map((r) => line(r.name, r.status, r.version)).join('')}`;
}

function dynamicSection(component: Component, rows: GateRow[]): string {
  const nameWidth = Math.max('FEATUREGATE'.length, ...rows.map((r) => r.name.length)) + 5;
  const statusWidth = Math.max('STATUS'.length, ...rows.map((r) => r.status.length)) + 5;
  const line = (a: string, b: string, c: string) => `${goPad(a, nameWidth)}${goPad(b, statusWidth)}${c}\n`;
  const lead = component === 'agent' ? '' : '\n';
  return `${lead}${TITLES[component]}\n${line('FEATUREGATE', 'STATUS', 'VERSION')}${rows.map((r) => line(r.name, r.status, r.version)).join('')}`;
}

/** The table layouts of `antctl get featuregates` across releases (see ReleaseProfile.featureGatesLayout). */
export type FeatureGatesLayout = 'fixed-println-after' | 'fixed-blank-before-controller' | 'dynamic';

/** `antctl get featuregates` for the given sections (only non-empty ones are printed, as antctl does). */
export function renderFeatureGates(layout: FeatureGatesLayout, sections: Partial<Record<Component, GateRow[]>>): string {
  const present = (['agent', 'agent-windows', 'controller'] as Component[]).filter((c) => (sections[c]?.length ?? 0) > 0);
  if (layout === 'dynamic') return present.map((c) => dynamicSection(c, sections[c]!)).join('');
  if (layout === 'fixed-blank-before-controller') {
    // v1.10–v1.13: a fmt.Println() before the controller section only.
    return present.map((c) => (c === 'controller' && present.length > 1 ? '\n' : '') + fixedSection(TITLES[c], sections[c]!)).join('');
  }
  // v1.5–v1.9: fmt.Println(section) puts a blank line after every section.
  return present.map((c) => `${fixedSection(TITLES[c], sections[c]!)}\n`).join('');
}

export interface MulticastResponse {
  name: string;
  podNamespace: string;
  inbound: string;
  outbound: string;
}

/** antctl's TableOutputForGetCommands: rows sorted as strings, one space between columns, cells padded. */
export function renderMulticastTable(rows: MulticastResponse[]): string {
  if (rows.length === 0) return '\n';
  const header = ['NAMESPACE', 'NAME', 'INBOUND', 'OUTBOUND'];
  const body = rows
    .map((r) => [r.podNamespace, r.name, r.inbound, r.outbound].map((c) => (c === '' ? '<NONE>' : c)))
    .sort((a, b) => {
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
      return 0;
    });
  const all = [header, ...body];
  const widths = header.map((_, j) => Math.max(...all.map((r) => r[j].length)) + (j === 0 ? 0 : 1));
  return all.map((r) => r.map((c, j) => goPad((j === 0 ? '' : ' ') + c, widths[j])).join('') + '\n').join('');
}

export function renderMulticastJson(rows: MulticastResponse[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/** yaml.v3 of the JSON-decoded value: keys sorted, numeric-looking strings quoted. */
export function renderMulticastYaml(rows: MulticastResponse[]): string {
  if (rows.length === 0) return '[]\n';
  const sorted = rows.map((r) => Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1))));
  return stringify(sorted, { defaultStringType: 'PLAIN', defaultKeyType: 'PLAIN' });
}
