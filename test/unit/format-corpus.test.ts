import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseFeatureGates } from '../../src/antrea/featuregates-parser.js';
import { parseProcNetIgmp } from '../../src/antrea/igmp-parser.js';
import { parseIpMrouteJson, parseIpMrouteText, parseProcMroute, type MrouteEntry } from '../../src/antrea/mroute-parser.js';
import { parsePodMulticastStatsJson } from '../../src/antrea/podmulticaststats-parser.js';

/** The format corpus: one file per (tool, version, variant), see test/fixtures/formats/corpus.json. */
export const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'formats');

export interface CorpusEntry {
  file: string;
  tool: string;
  version: string;
  variant: string;
  argv: string[] | null;
  parser: 'ip-mroute-text' | 'ip-mroute-json' | 'proc-mroute' | 'proc-igmp' | 'antctl-featuregates' | 'podmulticaststats-json' | 'none';
  provenance: string;
  jsonOption?: 'unknown-option' | 'text' | 'json';
  exitCode?: number;
  expect?: unknown;
}

export const corpus: CorpusEntry[] = JSON.parse(readFileSync(join(CORPUS_DIR, 'corpus.json'), 'utf8')) as CorpusEntry[];
export const corpusText = (entry: CorpusEntry) => readFileSync(join(CORPUS_DIR, entry.file), 'utf8');

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
