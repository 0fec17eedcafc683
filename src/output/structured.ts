import { stringify } from 'yaml';
import type { CommandContext } from '../commands/context.js';
import { UsageError } from '../errors.js';

export type StructuredFormat = 'json' | 'yaml';

export function parseOutputFormat<F extends string>(value: unknown, allowed: readonly F[]): F {
  const text = String(value ?? '');
  if ((allowed as readonly string[]).includes(text)) return text as F;
  throw new UsageError(`unable to match a printer suitable for the output format "${text}", allowed formats are: ${allowed.join(',')}`);
}

/** JSON indented by 2 like kubectl, YAML through the yaml package; both end with a newline. */
export function printStructured(ctx: CommandContext, format: StructuredFormat, document: unknown): void {
  if (format === 'json') {
    ctx.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return;
  }
  ctx.stdout.write(stringify(document, { lineWidth: 0, indentSeq: false }));
}
