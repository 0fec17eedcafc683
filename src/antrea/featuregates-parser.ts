/**
 * Parser of `antctl get featuregates` output. antctl has no -o for this command, so its table is
 * the only interface. Two layouts exist: v1.5–v1.13 print fixed "%-25s%-15s%-10s" columns (a name of
 * 25+ characters runs straight into STATUS, lines end in spaces, rows unsorted); v1.14+ pad each
 * column to its widest cell plus 5 and sort rows. Both are accepted.
 */

export type GateStatus = 'Enabled' | 'Disabled';

export interface FeatureGate {
  name: string;
  status: GateStatus;
  /** ALPHA, BETA, GA or DEPRECATED; empty when a v1.x server omitted GA's empty pre-release. */
  version: string;
}

export interface FeatureGateSections {
  agent?: FeatureGate[];
  agentWindows?: FeatureGate[];
  controller?: FeatureGate[];
}

export const SECTION_TITLES = {
  agent: 'Antrea Agent Feature Gates',
  agentWindows: 'Antrea Agent Feature Gates (Windows)',
  controller: 'Antrea Controller Feature Gates',
} as const;

const VERSIONS = new Set(['ALPHA', 'BETA', 'GA', 'DEPRECATED', '']);

export class AntctlParseError extends Error {
  constructor(
    readonly lineNumber: number,
    readonly line: string,
    reason: string,
  ) {
    super(`line ${lineNumber}: ${reason}: ${JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line)}`);
    this.name = 'AntctlParseError';
  }
}

function parseRow(line: string, lineNumber: number): FeatureGate {
  const tokens = line.trim().split(/\s+/);
  let name: string;
  let status: string;
  let version: string;
  if ((tokens.length === 3 || tokens.length === 2) && (tokens[1] === 'Enabled' || tokens[1] === 'Disabled')) {
    [name, status, version = ''] = tokens;
  } else {
    // A name of 25+ characters in the fixed layout is glued to its status: "CleanupStaleUDPSvcConntrackDisabled  ALPHA".
    const glued = /^(\S+?)(Enabled|Disabled)(?:\s+(\S+))?$/.exec(line.trim());
    if (!glued) throw new AntctlParseError(lineNumber, line, 'not a feature gate row (expected NAME STATUS VERSION)');
    [, name, status, version = ''] = glued;
  }
  if (!VERSIONS.has(version)) throw new AntctlParseError(lineNumber, line, `unknown feature gate version "${version}"`);
  return { name, status: status as GateStatus, version };
}

export function parseFeatureGates(text: string): FeatureGateSections {
  const sections: FeatureGateSections = {};
  let current: FeatureGate[] | undefined;
  let expectHeader = false;
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '') return;
    const section = (Object.keys(SECTION_TITLES) as Array<keyof typeof SECTION_TITLES>).find((k) => SECTION_TITLES[k] === trimmed);
    if (section) {
      if (sections[section]) throw new AntctlParseError(lineNumber, line, 'section printed twice');
      current = sections[section] = [];
      expectHeader = true;
      return;
    }
    if (expectHeader) {
      if (!/^FEATUREGATE\s+STATUS\s+VERSION$/.test(trimmed)) throw new AntctlParseError(lineNumber, line, 'expected the header FEATUREGATE STATUS VERSION');
      expectHeader = false;
      return;
    }
    if (!current) throw new AntctlParseError(lineNumber, line, 'row before any "Antrea … Feature Gates" title');
    current.push(parseRow(line, lineNumber));
  });
  if (expectHeader) throw new AntctlParseError(lines.length, '', 'section title without a header');
  if (!sections.agent && !sections.agentWindows && !sections.controller) {
    throw new AntctlParseError(1, lines[0] ?? '', 'no "Antrea … Feature Gates" section in the output');
  }
  return sections;
}
