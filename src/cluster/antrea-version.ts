import { compareRelease, parseRelease, type ReleaseVersion } from '../antrea/featuregate-catalogue.js';
import { CliError, UsageError } from '../errors.js';
import { AGENT_DAEMONSET } from './rollout.js';
import type { KubeApi } from '../context.js';

export interface DetectedVersion {
  version: ReleaseVersion;
  text: string;
  /** Where it was read: "AntreaAgentInfo", "agent image" or "--antrea-version". */
  source: string;
  /** Distinct versions seen when agents disagree (mid-upgrade). */
  seen: string[];
}

const show = (v: ReleaseVersion) => `v${v.major}.${v.minor}.${v.patch}`;

/** The value of --antrea-version: a release such as v2.7.0 or 2.7.0 ("banana", "devel-1.2.3" are refused). Throws UsageError. */
export function antreaVersionValue(value: string, flag = '--antrea-version'): ReleaseVersion {
  const version = parseRelease(value);
  if (!version || !/^v?\d/.test(value.trim())) throw new UsageError(`invalid ${flag} "${value}": expected a version such as v2.7.0`);
  return version;
}

/**
 * The Antrea release the agents run: AntreaAgentInfo.version of every Node, else the agent image
 * tag. When agents disagree the oldest wins: a key it does not know would crash it.
 */
export async function detectAntreaVersion(client: KubeApi, namespace: string, override?: string): Promise<DetectedVersion> {
  if (override !== undefined) {
    const version = antreaVersionValue(override);
    return { version, text: show(version), source: '--antrea-version', seen: [show(version)] };
  }
  let versions: ReleaseVersion[] = [];
  let source = 'AntreaAgentInfo';
  try {
    const infos = await client.listClusterObjects<{ version?: string }>('crd.antrea.io', 'v1beta1', 'antreaagentinfos');
    versions = infos.map((i) => parseRelease(i.version ?? '')).filter((v): v is ReleaseVersion => v !== undefined);
  } catch (err) {
    if (!(err instanceof CliError) || (err.httpStatus !== 404 && err.httpStatus !== 403)) throw err;
  }
  if (versions.length === 0) {
    source = 'agent image';
    const ds = await client.readDaemonSet(namespace, AGENT_DAEMONSET);
    const image = ds.spec?.template.spec?.containers.find((c) => c.name === 'antrea-agent')?.image ?? '';
    const version = parseRelease(image.split('@')[0].includes(':') ? image : '');
    if (!version) throw new CliError(`cannot tell which Antrea version runs here (no AntreaAgentInfo, agent image "${image}"); pass --antrea-version`);
    versions = [version];
  }
  const sorted = [...versions].sort(compareRelease);
  const seen = [...new Set(sorted.map(show))];
  return { version: sorted[0], text: show(sorted[0]), source, seen };
}
