import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import type { GlobalOptions } from '../context.js';
import { UsageError } from '../errors.js';

/**
 * Loads the kubeconfig the way kubectl does: --kubeconfig, else $KUBECONFIG (first file's
 * current-context wins), else ~/.kube/config, else in-cluster. --context overrides the context.
 */
export function loadKubeConfig(globals: GlobalOptions, env: NodeJS.ProcessEnv): KubeConfig {
  const kc = new SharedAgentKubeConfig();
  try {
    if (globals.kubeconfig) {
      if (!existsSync(globals.kubeconfig)) throw new UsageError(`stat ${globals.kubeconfig}: no such file or directory`);
      kc.loadFromFile(globals.kubeconfig);
    } else {
      const saved = process.env.KUBECONFIG;
      if (env.KUBECONFIG !== undefined) process.env.KUBECONFIG = env.KUBECONFIG;
      try {
        kc.loadFromDefault(undefined, true);
      } finally {
        if (saved === undefined) delete process.env.KUBECONFIG;
        else process.env.KUBECONFIG = saved;
      }
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const source = globals.kubeconfig ?? env.KUBECONFIG ?? '~/.kube/config';
    const reason = (err as Error).message.split('\n')[0];
    if (/^Duplicate (cluster|user|context)/.test(reason)) {
      throw new UsageError(`invalid kubeconfig ${source}: ${reason} (two files in KUBECONFIG define the same name)`);
    }
    throw new UsageError(`invalid kubeconfig ${source}: ${reason}`);
  }
  if (globals.context) {
    if (!kc.getContextObject(globals.context)) throw new UsageError(`context "${globals.context}" does not exist`);
    kc.setCurrentContext(globals.context);
  }
  const current = kc.getCurrentContext();
  if (!current || !kc.getContextObject(current)) {
    throw new UsageError('no current context is set in the kubeconfig: use --context or "kubectl config use-context"');
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new UsageError(`context "${current}" names no cluster with a server address`);
  return kc;
}

/**
 * client-node builds a new HTTPS agent for every WebSocket (every exec), so each exec pays a full
 * TLS handshake. Reusing the first agent lets TLS sessions resume across the hundreds of execs of
 * a fan-out; credentials and CA are the same for all of them.
 */
class SharedAgentKubeConfig extends KubeConfig {
  private sharedAgent: unknown;

  override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    const withAgent = opts as { agent?: unknown };
    this.sharedAgent ??= withAgent.agent;
    withAgent.agent = this.sharedAgent;
  }
}
