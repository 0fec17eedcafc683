/**
 * Exit codes of mcastctl. One table, documented in README and in every --help.
 * New codes may only refine paths that already failed.
 */
export const ExitCode = {
  OK: 0,
  /** Any failure not listed below (server errors, no agents found, a remote command failed). */
  ERROR: 1,
  /** Bad flags or arguments, unreadable kubeconfig, unknown context. */
  USAGE: 2,
  /** Some Nodes answered and some did not: results are printed, failures listed on stderr. */
  PARTIAL: 3,
  /** The API server refused the credentials (401) or the permission (403). */
  AUTH: 4,
  /** The API server could not be reached or did not answer in time. */
  UNREACHABLE: 5,
  /** mcastctl doctor: at least one check FAILed. */
  CHECK_FAILED: 6,
  /** mcastctl doctor: no check FAILed, but at least one had no evidence (UNKNOWN). */
  CHECK_UNKNOWN: 7,
  /** A write refused before anything was written: the agents of the running Antrea release would reject the edited config, or do not support it. */
  REFUSED: 8,
  /** Nothing to write, but agents do not run what the ConfigMap says and --no-restart was given: a restart is due. */
  RESTART_DUE: 9,
  /** --wait saw the restarted agents crash-loop: the change was rolled back (or left in place with --no-rollback). */
  ROLLED_BACK: 10,
  /** mcastctl probe: at least one multicast path did not deliver every packet (the Nodes are named on stderr). */
  PROBE_FAILED: 11,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeDescriptions: ReadonlyArray<[ExitCodeValue, string]> = [
  [ExitCode.OK, 'success'],
  [ExitCode.ERROR, 'error (server error, no agents found, remote command failed)'],
  [ExitCode.USAGE, 'usage error (bad flag or argument, invalid kubeconfig, unknown context)'],
  [ExitCode.PARTIAL, 'partial result: some Nodes failed, the others were printed'],
  [ExitCode.AUTH, 'unauthorized or forbidden'],
  [ExitCode.UNREACHABLE, 'API server unreachable or timed out'],
  [ExitCode.CHECK_FAILED, 'doctor: at least one check failed'],
  [ExitCode.CHECK_UNKNOWN, 'doctor: no check failed, but at least one is UNKNOWN (no agent answered for it)'],
  [ExitCode.REFUSED, 'refused before writing: the running Antrea release\'s agents would reject or not support the edited config'],
  [ExitCode.RESTART_DUE, 'the ConfigMap already says so, but agents run something else and --no-restart was given'],
  [ExitCode.ROLLED_BACK, '--wait saw the agents crash-loop after the change: it was rolled back (or left, with --no-rollback)'],
  [ExitCode.PROBE_FAILED, 'probe: multicast was not delivered on at least one path'],
];

/** An error meant for the user: its message is printed as one line, prefixed "error: " unless kubectl words it otherwise. */
export class CliError extends Error {
  /** The API server's HTTP status, when the error is its answer. */
  httpStatus?: number;

  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.ERROR,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.USAGE);
    this.name = 'UsageError';
  }
}

/** Formats any error as the single line mcastctl prints on stderr. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const firstLine = message.split('\n')[0].trim();
  if (/^(error: |Error from server)/.test(firstLine)) return firstLine;
  return `error: ${firstLine}`;
}
