import type { V1Deployment } from '@kubernetes/client-node';
import { AGENT_DAEMONSET, CONTROLLER_DEPLOYMENT } from '../cluster/rollout.js';
import type { KubeApi } from '../context.js';
import { CliError } from '../errors.js';
import { API_VERSION, parseOutputFormat, printStructured, type StructuredFormat } from '../output/structured.js';
import { VERSION } from '../version.js';
import { flagsOf } from './command-table.js';
import { defineCommand } from './define-command.js';

export interface VersionOptions {
  clientOnly: boolean;
  /** Text (kubectl's "Client Version: …" lines) unless json or yaml. */
  format: 'text' | StructuredFormat;
}

/** One Antrea version as found, with where it was read. */
interface FoundVersion {
  version: string;
  /** "AntreaControllerInfo", "AntreaAgentInfo" or "image" (the tag of the Deployment's or DaemonSet's image). */
  source: string;
}

export interface AntreaVersions {
  controller: FoundVersion | null;
  /** Each distinct agent version and the Nodes running it (all Nodes, when read from the image). */
  agents: Array<FoundVersion & { nodes: string[] }>;
}

/** Like every -o json|yaml document of mcastctl, versioned (kubectl's own version document has no kind). */
const VERSION_DOCUMENT = { apiVersion: API_VERSION, kind: 'Version' } as const;

export const command = defineCommand({
  flags: flagsOf.version,
  parse({ flags }): VersionOptions {
    const format = flags.output === undefined ? 'text' : parseOutputFormat(flags.output, ['json', 'yaml'] as const);
    return { clientOnly: flags.client === true, format };
  },
  async run(ctx, opts) {
    const clientVersion = { version: `v${VERSION}`, nodeVersion: process.version, platform: `${process.platform}/${process.arch}` };
    if (opts.clientOnly) {
      if (opts.format === 'text') ctx.stdout.write(`Client Version: ${clientVersion.version}\n`);
      else printStructured(ctx, opts.format, { ...VERSION_DOCUMENT, clientVersion });
      return 0;
    }
    // As kubectl: the client version is printed before the cluster is asked, so it shows even when that fails.
    if (opts.format === 'text') ctx.stdout.write(`Client Version: ${clientVersion.version}\n`);
    const antrea = await readAntreaVersions(await ctx.cluster(), ctx.globals.antreaNamespace);
    if (opts.format !== 'text') {
      printStructured(ctx, opts.format, { ...VERSION_DOCUMENT, clientVersion, antreaVersion: antrea });
      return 0;
    }
    ctx.stdout.write(`Antrea Controller Version: ${antrea.controller ? antrea.controller.version : '<not found>'}\n`);
    const agents =
      antrea.agents.length === 1
        ? antrea.agents[0].version
        : antrea.agents.map((a) => `${a.version} (${a.nodes.length} Node${a.nodes.length === 1 ? '' : 's'})`).join(', ') || '<not found>';
    ctx.stdout.write(`Antrea Agent Version: ${agents}\n`);
    return 0;
  },
});

const imageTag = (image: string | undefined) => (image && /:[^/]+$/.test(image) ? image.slice(image.lastIndexOf(':') + 1) : undefined);

/** A 404 (the CRD is not installed) or 403 means "read it elsewhere"; anything else is an error. */
function absent(err: unknown): boolean {
  return err instanceof CliError && (err.httpStatus === 404 || err.httpStatus === 403);
}

/**
 * The versions Antrea reports of itself: AntreaControllerInfo "antrea-controller" and the
 * AntreaAgentInfo of each Node (crd.antrea.io/v1beta1, written by the controller and each agent,
 * antrea pkg/monitor), else the image tags of the controller Deployment and the agent DaemonSet.
 * Versions are printed as found, never normalised.
 */
export async function readAntreaVersions(client: KubeApi, namespace: string): Promise<AntreaVersions> {
  const [controller, agents] = await Promise.all([readControllerVersion(client, namespace), readAgentVersions(client, namespace)]);
  return { controller, agents };
}

async function readControllerVersion(client: KubeApi, namespace: string): Promise<FoundVersion | null> {
  try {
    const info = await client.getClusterObject<{ version?: string }>('crd.antrea.io', 'v1beta1', 'antreacontrollerinfos', 'antrea-controller');
    if (info.version) return { version: info.version, source: 'AntreaControllerInfo' };
  } catch (err) {
    if (!absent(err)) throw err;
  }
  let deployment: V1Deployment;
  try {
    deployment = await client.readDeployment(namespace, CONTROLLER_DEPLOYMENT);
  } catch (err) {
    if (absent(err)) return null;
    throw err;
  }
  const tag = imageTag(deployment.spec?.template.spec?.containers.find((c) => c.name === 'antrea-controller')?.image);
  return tag ? { version: tag, source: 'image' } : null;
}

async function readAgentVersions(client: KubeApi, namespace: string): Promise<AntreaVersions['agents']> {
  try {
    const infos = await client.listClusterObjects<{ metadata?: { name?: string }; nodeRef?: { name?: string }; version?: string }>('crd.antrea.io', 'v1beta1', 'antreaagentinfos');
    const byVersion = new Map<string, string[]>();
    for (const info of infos) {
      if (!info.version) continue;
      byVersion.set(info.version, [...(byVersion.get(info.version) ?? []), info.nodeRef?.name ?? info.metadata?.name ?? '']);
    }
    if (byVersion.size > 0) {
      return [...byVersion]
        .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
        .map(([version, nodes]) => ({ version, source: 'AntreaAgentInfo', nodes: nodes.sort() }));
    }
  } catch (err) {
    if (!absent(err)) throw err;
  }
  try {
    const ds = await client.readDaemonSet(namespace, AGENT_DAEMONSET);
    const tag = imageTag(ds.spec?.template.spec?.containers.find((c) => c.name === 'antrea-agent')?.image);
    return tag ? [{ version: tag, source: 'image', nodes: [] }] : [];
  } catch (err) {
    if (absent(err)) return [];
    throw err;
  }
}
