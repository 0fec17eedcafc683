/**
 * What antctl prints, byte for byte, at a given Antrea release, in the simulator's terms; the formats
 * themselves are in render/antctl.ts (pkg/antctl/raw/featuregates/command.go, pkg/antctl/output).
 */
import { stringify } from 'yaml';
import { renderAntctlFeatureGates, renderPodStatsJson, renderPodStatsTable, type AntctlRelease } from './antctl.js';

export interface GateRow {
  name: string;
  status: 'Enabled' | 'Disabled';
  version: string;
}

export type Component = 'agent' | 'agent-windows' | 'controller';


/** The table layouts of `antctl get featuregates` across releases (see ReleaseProfile.featureGatesLayout). */
export type FeatureGatesLayout = 'fixed-println-after' | 'fixed-blank-before-controller' | 'dynamic';

/** A release whose antctl prints each layout (render/antctl.ts decides by release). */
const LAYOUT_RELEASE: Record<FeatureGatesLayout, AntctlRelease> = { 'fixed-println-after': [1, 9], 'fixed-blank-before-controller': [1, 10], dynamic: [1, 14] };

/** `antctl get featuregates` for the given sections (only non-empty ones are printed, as antctl does). */
export function renderFeatureGates(layout: FeatureGatesLayout, sections: Partial<Record<Component, GateRow[]>>): string {
  const gates = (['agent', 'agent-windows', 'controller'] as Component[]).flatMap((component) => (sections[component] ?? []).map((g) => ({ component, ...g })));
  return renderAntctlFeatureGates(gates, LAYOUT_RELEASE[layout]);
}

export interface MulticastResponse {
  name: string;
  podNamespace: string;
  inbound: string;
  outbound: string;
}

/** antctl's TableOutputForGetCommands (render/antctl.ts). */
export const renderMulticastTable = (rows: MulticastResponse[]): string => renderPodStatsTable(rows);

/** antctl -o json (render/antctl.ts). */
export const renderMulticastJson = (rows: MulticastResponse[]): string => renderPodStatsJson(rows);

/** yaml.v3 of the JSON-decoded value: keys sorted, numeric-looking strings quoted. */
export function renderMulticastYaml(rows: MulticastResponse[]): string {
  if (rows.length === 0) return '[]\n';
  const sorted = rows.map((r) => Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1))));
  return stringify(sorted, { defaultStringType: 'PLAIN', defaultKeyType: 'PLAIN' });
}
