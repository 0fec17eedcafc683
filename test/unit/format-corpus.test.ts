import { describe, expect, it } from 'vitest';
import { parseFeatureGates, SECTION_TITLES } from '../../src/antrea/featuregates-parser.js';
import { parseProcNetIgmp } from '../../src/antrea/igmp-parser.js';
import { parseIpMrouteJson, parseIpMrouteText, parseProcMroute, type MrouteEntry } from '../../src/antrea/mroute-parser.js';
import { corpus, corpusText, type CorpusEntry } from '../helpers/format-corpus.js';
import { parsePodMulticastStatsJson } from '../../src/antrea/podmulticaststats-parser.js';
import { parseRelease } from '../../src/antrea/featuregate-catalogue.js';
import { gateLayoutFor, gateLayoutOf, renderGateSections } from '../../src/output/featuregates-table.js';

/** Counters as decimal strings, as corpus.json records them (JSON has no bigint). */
export function plainRoutes(entries: MrouteEntry[]) {
  return entries.map((e) => ({
    source: e.source, group: e.group, iif: e.iif, oifs: e.oifs, state: e.state, offload: e.offload, table: e.table,
    packets: e.packets?.toString() ?? null, bytes: e.bytes?.toString() ?? null, wrongIf: e.wrongIf?.toString() ?? null, age: e.age,
  }));
}

function parsed(entry: CorpusEntry, text: string): unknown {
  switch (entry.parser) {
    case 'ip-mroute-text':
      return plainRoutes(parseIpMrouteText(text));
    case 'ip-mroute-json':
      return plainRoutes(parseIpMrouteJson(text));
    case 'proc-mroute':
      return plainRoutes(parseProcMroute(text));
    case 'proc-igmp':
      return parseProcNetIgmp(text);
    case 'antctl-featuregates': {
      const { warnings, ...sections } = parseFeatureGates(text);
      expect(warnings).toEqual([]);
      return sections;
    }
    case 'podmulticaststats-json':
      return parsePodMulticastStatsJson(text).map((s) => ({ namespace: s.namespace, name: s.name, inbound: s.inbound.toString(), outbound: s.outbound.toString() }));
    default:
      return undefined;
  }
}

describe('format corpus', () => {
  it('covers every supported tool version', () => {
    const versions = (tool: string) => new Set(corpus.filter((e) => e.tool === tool).map((e) => e.version));
    expect([...versions('iproute2')]).toEqual(expect.arrayContaining(['v4.9.0', 'v4.11.0', 'v4.14.0', 'v4.15.0', 'v4.17.0', 'v6.1.0', 'v7.1.0']));
    expect([...versions('antctl')]).toEqual(expect.arrayContaining(['v1.5.0', 'v1.9.0', 'v1.12.0', 'v1.13.0', 'v2.7.0']));
    for (const e of corpus) expect(e.provenance, e.file).toMatch(/^(constructed from|verbatim)/);
  });

  it.each(corpus.filter((e) => e.parser !== 'none').map((e) => [e.file, e] as const))('%s is read exactly', (_file, entry) => {
    expect(parsed(entry, corpusText(entry))).toEqual(entry.expect);
  });
});

describe('antctl featuregates layouts', () => {
  const plain = { warn: (t: string) => t, bad: (t: string) => t, good: (t: string) => t };
  const files = corpus.filter((e) => e.parser === 'antctl-featuregates');
  it.each(files.map((e) => [e.file, e] as const))('%s is rendered back byte for byte in its release\'s layout', (_file, entry) => {
    const text = corpusText(entry);
    const parsed = parseFeatureGates(text);
    const sections = (['agent', 'agentWindows', 'controller'] as const)
      .filter((k) => parsed[k])
      .map((k) => ({ title: SECTION_TITLES[k], featureGates: parsed[k]! }));
    const layout = gateLayoutFor(parseRelease(entry.version)!);
    expect(gateLayoutOf(text)).toBe(layout);
    expect(renderGateSections(sections, plain, layout)).toBe(text);
  });
});
