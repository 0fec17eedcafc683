import type { CommandContext, GlobalOptions } from '../context.js';
import type { Completer } from './completion-engine.js';

/** Globals a completion needs, read from the words typed so far. */
function globalsFrom(words: string[]): Pick<GlobalOptions, 'kubeconfig' | 'context' | 'cluster' | 'user' | 'server' | 'token'> {
  const value = (flag: string) => {
    const at = words.findIndex((w) => w === flag || w.startsWith(`${flag}=`));
    if (at < 0) return undefined;
    return words[at].includes('=') ? words[at].slice(flag.length + 1) : words[at + 1];
  };
  return {
    kubeconfig: value('--kubeconfig'),
    context: value('--context'),
    cluster: value('--cluster'),
    user: value('--user'),
    server: value('--server') ?? value('-s'),
    token: value('--token'),
  };
}

/** Names from the current context, with a short deadline: a TAB press must not hang. */
export function dynamicCompleter(ctx: Pick<CommandContext, 'env' | 'stderr' | 'stdout'>): Completer {
  return async (kind, { words, namespace }) => {
    if (kind === 'contexts' || kind === 'clusters' || kind === 'users') {
      // Names in the kubeconfig files, merged as kubectl merges them: no API request.
      const { kubeconfigFiles, mergeKubeconfigFiles } = await import('../cluster/kubeconfig.js');
      const merged = mergeKubeconfigFiles(kubeconfigFiles(globalsFrom(words), ctx.env).files);
      return (kind === 'contexts' ? merged.contexts : kind === 'clusters' ? merged.clusters : merged.users).map((c) => c.name);
    }
    const { openCluster } = await import('../cluster/kube-client.js');
    const globals: GlobalOptions = {
      ...globalsFrom(words),
      contexts: [],
      allContexts: false,
      requestTimeoutMs: 3000,
      nodeTimeoutMs: 3000,
      antreaNamespace: 'kube-system',
      verbosity: 0,
      color: false,
      transport: 'exec',
      insecureSkipTlsVerify: words.includes('--insecure-skip-tls-verify'),
      agentInsecureSkipTlsVerify: false,
    };
    const client = openCluster({ ...ctx, programName: 'mcastctl', globals });
    switch (kind) {
      case 'nodes':
        return (await client.listNodes()).map((n) => n.metadata?.name ?? '').filter(Boolean);
      case 'namespaces':
        return (await client.listNamespaces()).sort();
      case 'pods':
        return (await client.listPods(namespace ?? client.defaultNamespace, '')).map((p) => p.metadata?.name ?? '').filter(Boolean);
    }
  };
}
