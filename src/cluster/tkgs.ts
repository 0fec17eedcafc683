import type { V1ConfigMap } from '@kubernetes/client-node';
import type { KubeApi } from '../context.js';

export const ANTREACONFIG_GROUP = 'cni.tanzu.vmware.com';
export const ANTREACONFIG_VERSION = 'v1alpha1';
export const ANTREACONFIG_PLURAL = 'antreaconfigs';
export const ANTREACONFIG_CRD = `${ANTREACONFIG_PLURAL}.${ANTREACONFIG_GROUP}`;

const SUPERVISOR_MARKERS = /^(kapp\.k14s\.io|tkg\.tanzu\.vmware\.com|run\.tanzu\.vmware\.com)\//;

/**
 * Why this antrea-config looks managed by a vSphere Supervisor (TKGs), which reverts direct edits;
 * undefined when it does not.
 */
export async function tkgsManagement(client: KubeApi, configMap: V1ConfigMap): Promise<string | undefined> {
  const keys = [...Object.keys(configMap.metadata?.labels ?? {}), ...Object.keys(configMap.metadata?.annotations ?? {})];
  const marker = keys.find((k) => SUPERVISOR_MARKERS.test(k));
  if (marker) return `the ConfigMap carries the Supervisor's marker "${marker}"`;
  try {
    if (await client.hasCrd(ANTREACONFIG_CRD)) return `the ${ANTREACONFIG_CRD} CustomResourceDefinition is installed`;
  } catch (err) {
    // Not allowed to read CRDs: the ConfigMap's own markers are all there is to go on.
    if ((err as { httpStatus?: number }).httpStatus !== 403) throw err;
  }
  return undefined;
}

export const antreaConfigName = (cluster: string) => `${cluster}-antrea-package`;
