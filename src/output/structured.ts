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
 * JSON indented by 2 like kubectl, YAML with kubectl's unindented sequences; both end with a newline.
 * bigint counters keep every digit in both (YAML prints them as plain integers).
 */
export function formatStructured(format: StructuredFormat, document: unknown): string {
  return format === 'json' ? `${exactJson(document, 2)}\n` : stringify(document, { lineWidth: 0, indentSeq: false });
}

export function printStructured(ctx: RunContext, format: StructuredFormat, document: unknown): void {
  ctx.stdout.write(formatStructured(format, document));
}
