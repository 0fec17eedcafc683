import type { Writable } from 'node:stream';

export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  requestTimeoutMs: number;
  nodeTimeoutMs: number;
  antreaNamespace: string;
  verbosity: number;
  color: boolean;
  /** How agents are asked what they know: exec of antctl, or their own API. */
  transport: 'exec' | 'api';
  /** Skip TLS verification of agent APIs (never of the Kubernetes API server). */
  insecureSkipTlsVerify: boolean;
}

/** Everything a command needs from its surroundings, so tests can run commands in-process. */
export interface CommandContext {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** "mcastctl" or "kubectl antrea-multicast", for messages that name the command. */
  programName: string;
  globals: GlobalOptions;
}
