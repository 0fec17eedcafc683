import { boundedLine } from './bounded-text.js';
import { fileErrorText } from './system-error.js';

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
  [ExitCode.AUTH, 'unauthorized or forbidden, or no credentials (an exec credential plugin failed)'],
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

/** Exit 2: a bad flag, flag value or argument, an unreadable kubeconfig, an unknown context. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.USAGE);
    this.name = 'UsageError';
  }
}

/** Exit 4: the API server refused the credentials (401) or the permission (403). */
export class AuthError extends CliError {
  constructor(message: string, httpStatus?: number) {
    super(message, ExitCode.AUTH);
    this.name = 'AuthError';
    this.httpStatus = httpStatus;
  }
}

/** Exit 5: the API server could not be reached, dropped the connection, or did not answer in time. */
export class UnreachableError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.UNREACHABLE);
    this.name = 'UnreachableError';
  }
}

/**
 * A command run in a container failed in a way that yields no exit code (not found, refused, timed
 * out, output too large). It fails one Node, never the whole command.
 */
export class ExecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecError';
  }
}

/** The longest error line mcastctl prints: messages quote untrusted text, which is cut before this. */
const MAX_ERROR_LINE = 2000;

/** Formats any error as the single line mcastctl prints on stderr (control characters escaped, length capped). */
export function errorLine(err: unknown): string {
  // A file error nobody wrapped reads as Go's "open PATH: no such file or directory", not "ENOENT: …".
  const message = err instanceof Error ? (typeof (err as NodeJS.ErrnoException).path === 'string' ? fileErrorText(err) : err.message) : String(err);
  const firstLine = boundedLine(message.trim(), MAX_ERROR_LINE);
  if (/^(error: |Error from server)/.test(firstLine)) return firstLine;
  return `error: ${firstLine}`;
}

/** The exit code of any error: its class's, or 1. */
export function exitCodeOf(err: unknown): ExitCodeValue {
  return err instanceof CliError ? err.exitCode : ExitCode.ERROR;
}
