import type { Progress, RunContext } from '../context.js';

const silent: Progress = { update: () => {}, stop: () => {} };

/** A run shorter than this shows no progress line at all: no flicker for quick answers. */
export const PROGRESS_AFTER_MS = 1000;

/**
 * A progress line (spinner) on stderr, only for a person at a terminal — never in a pipe, in CI or
 * with machine formats — and only once the work has taken PROGRESS_AFTER_MS; it then shows the
 * latest text given to update().
 */
export async function startProgress(ctx: RunContext, text: string, machineFormat: boolean): Promise<Progress> {
  // A terminal that reports no width (a pty nobody sized) cannot be redrawn line by line.
  const columns = (ctx.stderr as { columns?: number }).columns ?? 0;
  if (machineFormat || ctx.stderr.isTTY !== true || columns <= 0 || ctx.env.CI || ctx.env.NO_COLOR !== undefined || ctx.env.TERM === 'dumb') return silent;
  let latest = text;
  let stopped = false;
  let spinner: { text: string; stop(): void } | undefined;
  const timer = setTimeout(() => {
    void import('ora').then(({ default: ora }) => {
      if (!stopped) spinner = ora({ text: latest, stream: ctx.stderr, discardStdin: false }).start();
    });
  }, PROGRESS_AFTER_MS);
  timer.unref();
  return {
    update(t) {
      latest = t;
      if (spinner) spinner.text = t;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      spinner?.stop();
    },
  };
}
