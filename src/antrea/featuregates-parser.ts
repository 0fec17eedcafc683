/**
 * Parser of `antctl get featuregates` output. antctl has no -o for this command, so its table is
 * the only interface. Two layouts exist: v1.5–v1.13 print fixed "%-25s%-15s%-10s" columns (a name of
 * 25+ characters runs straight into STATUS, lines end in spaces, rows unsorted); v1.14+ pad each
 * column to its widest cell plus 5 and sort rows. Both are accepted.
 */

export type GateStatus = 'Enabled' | 'Disabled';

export interface FeatureGate {
  name: string;
  /** "Enabled" or "Disabled"; any other value an antctl printed is kept as printed (with a warning). */
  status: string;
  /** ALPHA, BETA, GA or DEPRECATED; empty when a pre-v1.14 server omitted GA's empty pre-release. */
  version: string;
}

export interface FeatureGateSections {
  agent?: FeatureGate[];
  agentWindows?: FeatureGate[];
  controller?: FeatureGate[];
  /** Sections whose title this parser does not know, in the order printed. */
  other?: Array<{ title: string; featureGates: FeatureGate[] }>;
  /** What was read leniently (unknown status, version, column or section), one line each. */
  warnings: string[];
}

export const SECTION_TITLES = {
  agent: 'Antrea Agent Feature Gates',
  agentWindows: 'Antrea Agent Feature Gates (Windows)',
  controller: 'Antrea Controller Feature Gates',
} as const;

export const KNOWN_STATUSES: ReadonlySet<string> = new Set(['Enabled', 'Disabled']);
/** k8s featuregate pre-release names as antctl prints them ('' = GA before v1.14). */
export const KNOWN_VERSIONS: ReadonlySet<string> = new Set(['ALPHA', 'BETA', 'GA', 'DEPRECATED', '']);

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

const GATE_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * One row of either layout. A name of 25+ characters in the fixed layout is glued to its status
 * ("CleanupStaleUDPSvcConntrackDisabled  ALPHA"). An unknown status or version, or an extra column,
 * is read with a warning; a row with neither a known status nor a known version is not a row.
 */
function parseRow(line: string, lineNumber: number, warnings: string[]): FeatureGate {
  const tokens = line.trim().split(/\s+/);
  let name = tokens[0];
  let rest = tokens.slice(1);
  if (!KNOWN_STATUSES.has(rest[0] ?? '')) {
    const glued = /^([A-Za-z][A-Za-z0-9]*?)(Enabled|Disabled)$/.exec(name);
    if (glued) {
      name = glued[1];
      rest = [glued[2], ...rest];
    }
  }
  const [status = '', version = '', ...extra] = rest;
  const statusKnown = KNOWN_STATUSES.has(status);
  const versionKnown = KNOWN_VERSIONS.has(version) && (version !== '' || statusKnown);
  if (!GATE_NAME.test(name) || status === '' || (!statusKnown && !versionKnown)) {
    throw new AntctlParseError(lineNumber, line, 'not a feature gate row (expected NAME STATUS VERSION)');
  }
  const quoted = JSON.stringify(line.trimEnd());
  if (!statusKnown) warnings.push(`line ${lineNumber}: unknown feature gate status "${status}", read as printed: ${quoted}`);
  if (!KNOWN_VERSIONS.has(version)) warnings.push(`line ${lineNumber}: unknown feature gate version "${version}", read as printed: ${quoted}`);
  if (extra.length > 0) warnings.push(`line ${lineNumber}: ${extra.length} extra column${extra.length === 1 ? '' : 's'} ignored: ${quoted}`);
  return { name, status, version };
}

/**
 * Reads `antctl get featuregates` of antctl v1.5 … v2.7 (both layouts, every section, blank lines
 * anywhere). Returns the sections found and the warnings of what was read leniently. Throws
 * AntctlParseError (with the line number and text) for a line that is no title, header or row.
 */
export function parseFeatureGates(text: string): FeatureGateSections {
  const sections: FeatureGateSections = { warnings: [] };
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
    if (/^Antrea\b.*\bFeature Gates\b/.test(trimmed)) {
      current = [];
      (sections.other ??= []).push({ title: trimmed, featureGates: current });
      sections.warnings.push(`line ${lineNumber}: unknown section "${trimmed}", read as printed`);
      expectHeader = true;
      return;
    }
    if (expectHeader) {
      const header = /^FEATUREGATE\s+STATUS\s+VERSION(\s+\S.*)?$/.exec(trimmed);
      if (!header) throw new AntctlParseError(lineNumber, line, 'expected the header FEATUREGATE STATUS VERSION');
      if (header[1]) sections.warnings.push(`line ${lineNumber}: extra header column${header[1].trim().includes(' ') ? 's' : ''} "${header[1].trim()}" ignored`);
      expectHeader = false;
      return;
    }
    if (!current) throw new AntctlParseError(lineNumber, line, 'row before any "Antrea … Feature Gates" title');
    current.push(parseRow(line, lineNumber, sections.warnings));
  });
  if (expectHeader) throw new AntctlParseError(lines.length, '', 'section title without a header');
  if (!sections.agent && !sections.agentWindows && !sections.controller && !sections.other) {
    throw new AntctlParseError(1, lines[0] ?? '', 'no "Antrea … Feature Gates" section in the output');
  }
  return sections;
}
