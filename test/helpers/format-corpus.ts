import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

