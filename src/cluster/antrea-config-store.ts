import type { V1ConfigMap } from '@kubernetes/client-node';
import { CliError, ExitCode } from '../errors.js';
import type { KubeApi } from '../context.js';

export const ANTREA_CONFIG = 'antrea-config';
export const BACKUP_CONFIG = 'antrea-config-mcastctl-backup';
export const SOURCE_VERSION_ANNOTATION = 'mcastctl.antrea.io/source-resource-version';
export const SAVED_AT_ANNOTATION = 'mcastctl.antrea.io/saved-at';
/** How often a write that met a concurrent writer (409) is re-read and re-applied. */
export const MAX_CONFLICT_RETRIES = 5;

export type ConfigData = Record<string, string>;

export interface ConfigUpdate {
  before: ConfigData;
  after: ConfigData;
  /** False when the edit changed nothing (then nothing was written). */
  changed: boolean;
  resourceVersion: string;
  attempts: number;
}

const isConflict = (err: unknown) => err instanceof CliError && err.httpStatus === 409;
const isNotFound = (err: unknown) => err instanceof CliError && err.httpStatus === 404;

export async function readAntreaConfig(client: KubeApi, namespace: string): Promise<V1ConfigMap> {
  try {
    return await client.readConfigMap(namespace, ANTREA_CONFIG);
  } catch (err) {
    if (isNotFound(err)) throw new CliError(`the ${ANTREA_CONFIG} ConfigMap was not found in namespace "${namespace}"; is Antrea installed there? (see --antrea-namespace)`);
    throw err;
  }
}

/** Saves the data about to be replaced, so "mcastctl multicast rollback" can restore it. */
async function saveBackup(client: KubeApi, namespace: string, current: V1ConfigMap, now: Date): Promise<void> {
  const body: V1ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: BACKUP_CONFIG,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'mcastctl' },
      annotations: { [SOURCE_VERSION_ANNOTATION]: current.metadata?.resourceVersion ?? '', [SAVED_AT_ANNOTATION]: now.toISOString() },
    },
    data: current.data ?? {},
  };
  try {
    await client.createConfigMap(namespace, body);
  } catch (err) {
    if (!(err instanceof CliError && err.httpStatus === 409)) throw err;
    const existing = await client.readConfigMap(namespace, BACKUP_CONFIG);
    await client.replaceConfigMap(namespace, BACKUP_CONFIG, { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata?.resourceVersion } });
  }
}

/**
 * Read, modify, write with the resourceVersion read: a concurrent change makes the server answer
 * 409, and then the ConfigMap is read again and the edit re-applied to what is there now, at most
 * MAX_CONFLICT_RETRIES times. Nothing is ever written blind, and the previous data is saved first.
 */
export async function updateAntreaConfig(
  client: KubeApi,
  namespace: string,
  edit: (data: ConfigData) => ConfigData,
  options: { dryRun: boolean; backup?: boolean; now?: () => Date },
): Promise<ConfigUpdate> {
  for (let attempt = 1; ; attempt++) {
    const current = await readAntreaConfig(client, namespace);
    const before = { ...(current.data ?? {}) };
    const after = edit(before);
    const changedKeys = Object.keys(after).filter((k) => after[k] !== before[k]);
    const resourceVersion = current.metadata?.resourceVersion ?? '';
    if (changedKeys.length === 0 || options.dryRun) return { before, after, changed: changedKeys.length > 0, resourceVersion, attempts: attempt };
    if (options.backup !== false) await saveBackup(client, namespace, current, (options.now ?? (() => new Date()))());
    try {
      const written = await client.mergePatchConfigMap(namespace, ANTREA_CONFIG, {
        metadata: { resourceVersion },
        data: Object.fromEntries(changedKeys.map((k) => [k, after[k]])),
      });
      return { before, after, changed: true, resourceVersion: written.metadata?.resourceVersion ?? '', attempts: attempt };
    } catch (err) {
      if (!isConflict(err) || attempt >= MAX_CONFLICT_RETRIES) {
        if (isConflict(err)) throw new CliError(`${ANTREA_CONFIG} kept changing under us (${attempt} conflicts); nothing was written, try again`, ExitCode.ERROR);
        throw err;
      }
    }
  }
}

export async function readBackup(client: KubeApi, namespace: string): Promise<V1ConfigMap> {
  try {
    return await client.readConfigMap(namespace, BACKUP_CONFIG);
  } catch (err) {
    if (isNotFound(err)) {
      throw new CliError(`no backup to roll back to: ConfigMap ${namespace}/${BACKUP_CONFIG} does not exist (mcastctl has not changed ${ANTREA_CONFIG} here)`);
    }
    throw err;
  }
}
