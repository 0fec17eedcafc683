/**
 * The name a run goes by. A leaf module: the start-up path reads it before anything else is loaded.
 */

/**
 * The name users typed, from the path of the script node runs (process.argv[1]): as a kubectl
 * plugin the binary is kubectl-antrea_multicast, and the user typed "kubectl antrea-multicast".
 * Returns "mcastctl" for anything else.
 */
export function programNameFor(argv0: string): string {
  const base = argv0.split(/[\\/]/).pop() ?? '';
  return base.startsWith('kubectl-antrea_multicast') ? 'kubectl antrea-multicast' : 'mcastctl';
}

/** The executables that run mcastctl's commands (package.json "bin", without the completion helper), mcastctl first. */
export const BINARY_NAMES = ['mcastctl', 'kubectl-antrea_multicast'] as const;
