/**
 * antctl's outputs per release, transcribed from antrea-io/antrea:
 * - `antctl get featuregates`, pkg/antctl/raw/featuregates/command.go:
 *   v1.5.0–v1.9.x: entries with component "agent" form the agent section, every other one the
 *   controller section; each section is `fmt.Println(output(...))`: title, `"%-25s%-15s%-10s\n"`
 *   header and rows, then Println's own "\n" (a blank line after every section);
 *   v1.10.0–v1.13.x: same columns, written to cmd.OutOrStdout(), one `fmt.Println()` before the
 *   controller section only;
 *   v1.14.0+: components agent, agent-windows, controller (others dropped); "\n" before the Windows
 *   and Controller titles; `fmt.Sprintf("%%-%ds%%-%ds%%-s\n", maxNameLen+5, maxStatusLen+5)`.
 *   Rows in the order the server sent them.
 * - `antctl get podmulticaststats -o json` (pkg/antctl/output): json.NewEncoder(...).Encode(list)
 *   then json.Indent(prefix "", indent "  "); the agent's /podmulticaststats body
 *   (pkg/agent/apiserver/handlers/multicast/handler.go): json.NewEncoder(w).Encode(list), compact.
 * - the antctl table (output.TableOutputForGetCommands): body rows sorted by every column as
 *   strings, empty cells `<NONE>`, column widths max(header, cells) and +1 for every column but the
 *   first, each cell after the first prefixed by " ", every line padded to full width.
 */
import { padLeftAligned } from './c-format.js';

export interface GateEntry {
  component: string;
  name: string;
  status: string;
  version: string;
}

export type AntctlRelease = readonly [major: number, minor: number];
const atLeast = (r: AntctlRelease, major: number, minor: number) => r[0] > major || (r[0] === major && r[1] >= minor);

function fixedSection(title: string, gates: GateEntry[]): string {
  const row = (a: string, b: string, c: string) => `${padLeftAligned(a, 25)}${padLeftAligned(b, 15)}${padLeftAligned(c, 10)}\n`;
  return `${title}\n${row('FEATUREGATE', 'STATUS', 'VERSION')}${gates.map((g) => row(g.name, g.status, g.version)).join('')}`;
}

function paddedSection(title: string, gates: GateEntry[]): string {
  const nameWidth = Math.max('FEATUREGATE'.length, ...gates.map((g) => g.name.length)) + 5;
  const statusWidth = Math.max('STATUS'.length, ...gates.map((g) => g.status.length)) + 5;
  const row = (a: string, b: string, c: string) => `${padLeftAligned(a, nameWidth)}${padLeftAligned(b, statusWidth)}${c}\n`;
  return `${title}\n${row('FEATUREGATE', 'STATUS', 'VERSION')}${gates.map((g) => row(g.name, g.status, g.version)).join('')}`;
}

/** What `antctl get featuregates` of `release` prints for the server's response `gates`. */
export function renderAntctlFeatureGates(gates: GateEntry[], release: AntctlRelease): string {
  const agent = gates.filter((g) => g.component === 'agent');
  if (!atLeast(release, 1, 14)) {
    const controller = gates.filter((g) => g.component !== 'agent');
    let out = '';
    if (!atLeast(release, 1, 10)) {
      if (agent.length > 0) out += `${fixedSection('Antrea Agent Feature Gates', agent)}\n`;
      if (controller.length > 0) out += `${fixedSection('Antrea Controller Feature Gates', controller)}\n`;
      return out;
    }
    if (agent.length > 0) out += fixedSection('Antrea Agent Feature Gates', agent);
    if (controller.length > 0) out += `\n${fixedSection('Antrea Controller Feature Gates', controller)}`;
    return out;
  }
  const windows = gates.filter((g) => g.component === 'agent-windows');
  const controller = gates.filter((g) => g.component === 'controller');
  let out = '';
  if (agent.length > 0) out += paddedSection('Antrea Agent Feature Gates', agent);
  if (windows.length > 0) out += `\n${paddedSection('Antrea Agent Feature Gates (Windows)', windows)}`;
  if (controller.length > 0) out += `\n${paddedSection('Antrea Controller Feature Gates', controller)}`;
  return out;
}

export interface PodStatsEntry {
  name: string;
  podNamespace: string;
  /** strconv.FormatUint of the packet counters. */
  inbound: string;
  outbound: string;
}

const jsonFields = (p: PodStatsEntry) => [['name', p.name], ['podNamespace', p.podNamespace], ['inbound', p.inbound], ['outbound', p.outbound]].filter(([, v]) => v !== '');

/** The agent's /podmulticaststats body (compact, "\n"-terminated; omitempty drops empty strings). */
export function renderPodStatsApiBody(entries: PodStatsEntry[]): string {
  return `[${entries.map((p) => `{${jsonFields(p).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`).join(',')}]\n`;
}

/** `antctl get podmulticaststats -o json`. */
export function renderPodStatsJson(entries: PodStatsEntry[]): string {
  if (entries.length === 0) return '[]\n';
  const objects = entries.map((p) => `  {\n${jsonFields(p).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n  }`);
  return `[\n${objects.join(',\n')}\n]\n`;
}

/** `antctl get podmulticaststats` (table). An empty list prints one empty line. */
export function renderPodStatsTable(entries: PodStatsEntry[]): string {
  if (entries.length === 0) return '\n';
  const header = ['NAMESPACE', 'NAME', 'INBOUND', 'OUTBOUND'];
  const body = entries
    .map((p) => [p.podNamespace, p.name, p.inbound, p.outbound].map((c) => (c === '' ? '<NONE>' : c)))
    .sort((a, b) => {
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
      return 0;
    });
  const rows = [header, ...body];
  const widths = header.map((_, j) => Math.max(...rows.map((r) => r[j].length)) + (j === 0 ? 0 : 1));
  return rows.map((r) => `${r.map((c, j) => padLeftAligned(j === 0 ? c : ` ${c}`, widths[j])).join('')}\n`).join('');
}
