import type { RunContext } from '../context.js';

export interface Paint {
  warn(text: string): string;
  bad(text: string): string;
  good(text: string): string;
}

const plain: Paint = { warn: (t) => t, bad: (t) => t, good: (t) => t };

/**
 * Colour only for a person at a terminal: never in a pipe, with NO_COLOR, TERM=dumb or --no-color,
 * and never in machine formats (callers do not ask for a Paint there).
 */
export async function paintFor(ctx: RunContext, stream: RunContext['stdout']): Promise<Paint> {
  const env = ctx.env;
  const wanted = ctx.globals.color && stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  if (!wanted) return plain;
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level: 1 });
  return { warn: (t) => chalk.yellow(t), bad: (t) => chalk.red(t), good: (t) => chalk.green(t) };
}
