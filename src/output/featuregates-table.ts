import type { RunContext } from '../context.js';
import type { FeatureGate } from '../antrea/featuregates-parser.js';
import type { Divergence } from '../antrea/featuregates-summary.js';
import type { Paint } from './colors.js';

export const DIVERGENCE_MARK = '*';

export interface GateSection {
  title: string;
  featureGates: FeatureGate[];
  divergences?: Divergence[];
}

/**
 * Renders sections in antctl's v1.14+ layout: each column padded to its widest cell plus 5, VERSION
 * unpadded (no trailing spaces), a blank line before every section but the first. A diverging gate's
 * status carries "*", explained by one line per gate under its section.
 */
export function renderGateSections(sections: GateSection[], paint: Paint): string {
  const out: string[] = [];
  sections.forEach((section, index) => {
    if (index > 0) out.push('');
    out.push(section.title);
    const diverging = new Set(section.divergences?.map((d) => d.name));
    const rows = section.featureGates.map((g) => [g.name, diverging.has(g.name) ? `${g.status}${DIVERGENCE_MARK}` : g.status, g.version || 'GA']);
    const nameWidth = Math.max('FEATUREGATE'.length, ...rows.map((r) => r[0].length)) + 5;
    const statusWidth = Math.max('STATUS'.length, ...rows.map((r) => r[1].length)) + 5;
    const line = (cells: string[]) => `${cells[0].padEnd(nameWidth)}${cells[1].padEnd(statusWidth)}${cells[2]}`;
    out.push(line(['FEATUREGATE', 'STATUS', 'VERSION']));
    for (const row of rows) {
      const text = line(row);
      out.push(row[1].endsWith(DIVERGENCE_MARK) ? paint.warn(text) : text);
    }
    for (const d of section.divergences ?? []) {
      const other = d.majority === 'Enabled' ? 'Disabled' : 'Enabled';
      out.push(paint.warn(`${DIVERGENCE_MARK} ${d.name} is ${other} on ${d.nodes.length} of ${d.total} Nodes: ${d.nodes.join(', ')}`));
    }
  });
  return `${out.join('\n')}\n`;
}

export function printGateSections(ctx: RunContext, sections: GateSection[], paint: Paint): void {
  ctx.stdout.write(renderGateSections(sections, paint));
}

/** antctl's own bytes, as the agent printed them. */
export function printVerbatim(ctx: RunContext, text: string): void {
  ctx.stdout.write(text);
}
