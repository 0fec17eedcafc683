import type { Progress, RunContext } from '../context.js';

const silent: Progress = { update: () => {}, stop: () => {} };

/** A spinner on stderr, only for a person at a terminal: never in a pipe, in CI or with machine formats. */
export async function startProgress(ctx: RunContext, text: string, machineFormat: boolean): Promise<Progress> {
  // A terminal that reports no width (a pty nobody sized) cannot be redrawn line by line.
  const columns = (ctx.stderr as { columns?: number }).columns ?? 0;
  if (machineFormat || ctx.stderr.isTTY !== true || columns <= 0 || ctx.env.CI || ctx.env.NO_COLOR !== undefined || ctx.env.TERM === 'dumb') return silent;
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream: ctx.stderr, discardStdin: false }).start();
  return { update: (t) => void (spinner.text = t), stop: () => void spinner.stop() };
}
