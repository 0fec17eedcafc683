import type { FeatureGate } from '../antrea/featuregates-parser.js';
import type { Divergence } from '../antrea/featuregates-summary.js';
import type { RunContext } from '../context.js';
import type { Paint } from './colors.js';

export const DIVERGENCE_MARK = '*';

export interface GateSection {
  title: string;
  featureGates: FeatureGate[];
  divergences?: Divergence[];
}

/**
 * The table layouts of `antctl get featuregates` (antrea-io/antrea pkg/antctl/raw/featuregates/command.go):
 * - `v1.5`  (antctl v1.5–v1.9): `"%-25s%-15s%-10s\n"`, each section printed with fmt.Println, so a
 *   blank line follows every section, the last one included;
 * - `v1.10` (antctl v1.10–v1.13): the same columns, one fmt.Println() between the sections only;
 * - `v1.14` (antctl v1.14+, PR #5314): each column padded to its widest cell + 5, VERSION unpadded,
 *   "\n" before the Windows and Controller sections.
 * Before v1.14 a GA gate has an empty VERSION (the raw k8s pre-release of GA is "").
 */
export type GateLayout = 'v1.5' | 'v1.10' | 'v1.14';

/** The layout antctl of this Antrea release prints. */
export function gateLayoutFor(version: { major: number; minor: number }): GateLayout {
  if (version.major > 1 || version.minor >= 14) return 'v1.14';
  return version.minor >= 10 ? 'v1.10' : 'v1.5';
}

/**
 * The layout of a captured `antctl get featuregates` output: the fixed header
 * `"FEATUREGATE              STATUS         VERSION   "` means v1.5–v1.13, then a trailing blank line
 * tells v1.5–v1.9 apart. Undefined when the text has no header.
 */
export function gateLayoutOf(text: string): GateLayout | undefined {
  const header = text.split('\n').find((l) => l.startsWith('FEATUREGATE'));
  if (header === undefined) return undefined;
  if (header !== 'FEATUREGATE              STATUS         VERSION   ') return 'v1.14';
  return text.endsWith('\n\n') ? 'v1.5' : 'v1.10';
}

/** Go's sort by name (byte order), as the servers sort since v1.14. */
export function byName(gates: FeatureGate[]): FeatureGate[] {
  return [...gates].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Renders sections exactly as antctl of `layout` prints them (see GateLayout). mcastctl's only
 * addition: a diverging gate's status carries "*", explained by one line per gate under its section.
 */
export function renderGateSections(sections: GateSection[], paint: Paint, layout: GateLayout = 'v1.14'): string {
  let out = '';
  sections.forEach((section, index) => {
    if (index > 0 && layout !== 'v1.5') out += '\n';
    out += `${section.title}\n`;
    const diverging = new Set(section.divergences?.map((d) => d.name));
    const rows = section.featureGates.map((g) => [
      g.name,
      diverging.has(g.name) ? `${g.status}${DIVERGENCE_MARK}` : g.status,
      layout === 'v1.14' ? g.version || 'GA' : g.version === 'GA' ? '' : g.version,
    ]);
    let line: (cells: string[]) => string;
    if (layout === 'v1.14') {
      const nameWidth = Math.max('FEATUREGATE'.length, ...rows.map((r) => r[0].length)) + 5;
      const statusWidth = Math.max('STATUS'.length, ...rows.map((r) => r[1].length)) + 5;
      line = (cells) => `${cells[0].padEnd(nameWidth)}${cells[1].padEnd(statusWidth)}${cells[2]}`;
    } else {
      line = (cells) => `${cells[0].padEnd(25)}${cells[1].padEnd(15)}${cells[2].padEnd(10)}`;
    }
    out += `${line(['FEATUREGATE', 'STATUS', 'VERSION'])}\n`;
    for (const row of rows) {
      const text = line(row);
      out += `${row[1].endsWith(DIVERGENCE_MARK) ? paint.warn(text) : text}\n`;
    }
    for (const d of section.divergences ?? []) {
      out += `${paint.warn(`${DIVERGENCE_MARK} ${d.name} is ${d.majority === 'Enabled' ? 'Disabled' : d.majority === 'Disabled' ? 'Enabled' : `not ${d.majority}`} on ${d.nodes.length} of ${d.total} Nodes: ${d.nodes.join(', ')}`)}\n`;
    }
    if (layout === 'v1.5') out += '\n';
  });
  return out;
}

export function printGateSections(ctx: RunContext, sections: GateSection[], paint: Paint, layout?: GateLayout): void {
  ctx.stdout.write(renderGateSections(sections, paint, layout));
}

/** antctl's own bytes, as the agent printed them. */
export function printVerbatim(ctx: RunContext, text: string): void {
  ctx.stdout.write(text);
}
