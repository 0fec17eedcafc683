import { stringify as stringifyExact } from 'lossless-json';
import { stringify } from 'yaml';
import type { RunContext } from '../context.js';
import { UsageError } from '../errors.js';

export type StructuredFormat = 'json' | 'yaml';

/** The apiVersion of every document mcastctl prints. */
export const API_VERSION = 'mcastctl.antrea.io/v1alpha1';

export function parseOutputFormat<F extends string>(value: unknown, allowed: readonly F[]): F {
  const text = String(value ?? '');
  if ((allowed as readonly string[]).includes(text)) return text as F;
  throw new UsageError(`unable to match a printer suitable for the output format "${text}", allowed formats are: ${allowed.join(',')}`);
}

/**
 * JSON text of a document whose counters may be bigint: a bigint is printed as a JSON number token
 * with every digit (18446744073709551615, never 18446744073709552000); the rest as JSON.stringify.
 */
export function exactJson(value: unknown, indent?: number): string {
  return stringifyExact(value, null, indent) ?? 'null';
}

/**
 * The options of every YAML text mcastctl prints, as kubectl prints YAML (sigs.k8s.io/yaml marshals
 * through JSON): sequences unindented under their key, no line folding, and never an anchor or alias —
 * an object that occurs twice in the document (the same gates of every agent, a DaemonSet's selector
 * and template labels) is written out in full each time, so grep, awk and copy-paste see every value.
 */
const YAML_OUTPUT = { lineWidth: 0, indentSeq: false, aliasDuplicateObjects: false } as const;

/**
 * YAML text of a plain value (objects, arrays, strings, numbers, bigint, booleans, null), ending
 * with a newline, in kubectl's style (see YAML_OUTPUT): no anchors or aliases, bigint printed with
 * every digit. The one place mcastctl turns a value into YAML for output.
 */
export function toYaml(value: unknown): string {
  return stringify(value, YAML_OUTPUT);
}

/**
 * JSON indented by 2 like kubectl, YAML with kubectl's unindented sequences; both end with a newline.
 * bigint counters keep every digit in both (YAML prints them as plain integers).
 */
export function formatStructured(format: StructuredFormat, document: unknown): string {
  return format === 'json' ? `${exactJson(document, 2)}\n` : toYaml(document);
}

/** Lists shorter than this are printed in one piece. */
const STREAMED_LIST_LENGTH = 64;
/** Pieces are written to stdout in chunks of about this many characters. */
const WRITE_CHUNK = 64 * 1024;

/**
 * Prints the document exactly as formatStructured would (byte for byte), but a large top-level list
 * (agents of 5,000 Nodes, rows of a big table) one item at a time, in chunks: the whole text of a
 * large document is never held in memory at once.
 */
export function printStructured(ctx: RunContext, format: StructuredFormat, document: unknown): void {
  let pending = '';
  for (const piece of structuredPieces(format, document)) {
    pending += piece;
    if (pending.length >= WRITE_CHUNK) {
      ctx.stdout.write(pending);
      pending = '';
    }
  }
  if (pending) ctx.stdout.write(pending);
}

const indentLines = (text: string, by: string) => text.replace(/\n/g, `\n${by}`);

/** formatStructured's text in pieces; only a plain object with a long top-level list is split. */
export function* structuredPieces(format: StructuredFormat, document: unknown): Generator<string> {
  const plain = document !== null && typeof document === 'object' && Object.getPrototypeOf(document) === Object.prototype;
  const entries = plain ? Object.entries(document as Record<string, unknown>).filter(([, v]) => v !== undefined && typeof v !== 'function') : [];
  if (!entries.some(([, v]) => Array.isArray(v) && v.length >= STREAMED_LIST_LENGTH)) {
    yield formatStructured(format, document);
    return;
  }
  if (format === 'json') {
    yield '{\n';
    for (const [n, [key, value]] of entries.entries()) {
      const comma = n + 1 < entries.length ? ',' : '';
      if (Array.isArray(value) && value.length > 0) {
        yield `  ${JSON.stringify(key)}: [\n`;
        for (let i = 0; i < value.length; i++) yield `    ${indentLines(exactJson(value[i], 2), '    ')}${i + 1 < value.length ? ',' : ''}\n`;
        yield `  ]${comma}\n`;
      } else {
        yield `  ${JSON.stringify(key)}: ${indentLines(exactJson(value, 2), '  ')}${comma}\n`;
      }
    }
    yield '}\n';
    return;
  }
  for (const [key, value] of entries) {
    if (Array.isArray(value) && value.length > 0) {
      // The key as YAML writes it (quoted when it must be), then the items, unindented as kubectl's.
      yield toYaml({ [key]: null }).replace(/ null\n$/, '\n');
      for (const item of value) yield toYaml([item]);
    } else {
      yield toYaml({ [key]: value });
    }
  }
}
