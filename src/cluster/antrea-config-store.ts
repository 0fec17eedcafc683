import { createHash } from 'node:crypto';
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

/** The JSON list of backups (oldest first) in the backup ConfigMap's annotations. */
export const HISTORY_ANNOTATION = 'mcastctl.antrea.io/history';
/** How many backups the history keeps; the oldest beyond it are dropped when a new one is saved. */
export const MAX_BACKUPS = 20;
/** The most bytes of saved data the backup ConfigMap holds (a ConfigMap holds at most 1 MiB). */
const MAX_BACKUP_BYTES = 768 * 1024;

/**
 * One saved state: what a write replaced. `saved` holds the values of the keys the write changed
 * before it (null: the key did not exist); `written` the sha256 of each value the write put there,
 * so a later rollback can tell whether antrea-config still holds exactly what that write wrote.
 */
export interface BackupEntry {
  /** Sortable UTC timestamp with milliseconds, e.g. 20261129T212300123Z; the name used by "rollback --to". */
  id: string;
  savedAt: string;
  /** antrea-config's resourceVersion the saved data was read at. */
  sourceResourceVersion: string;
  saved: Record<string, string | null>;
  /** Absent for a backup written by an mcastctl without history (all data saved, nothing known about the write). */
  written?: Record<string, string | null>;
}

export const backupId = (at: Date) => at.toISOString().replace(/[-:.]/g, '');

export function sha256(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : createHash('sha256').update(text).digest('hex');
}

/**
 * The history stored in the backup ConfigMap: data keys "<id>.<key>", a JSON index annotation.
 * A backup saved by an mcastctl without history (plain data, saved-at annotation) is read as one
 * entry with all its keys and no `written` hashes.
 */
export function readHistory(backup: V1ConfigMap | undefined): BackupEntry[] {
  if (!backup) return [];
  const data = backup.data ?? {};
  const annotations = backup.metadata?.annotations ?? {};
  const index = annotations[HISTORY_ANNOTATION];
  if (index === undefined) {
    const savedAt = annotations[SAVED_AT_ANNOTATION] ?? new Date(0).toISOString();
    return Object.keys(data).length === 0
      ? []
      : [{ id: backupId(new Date(savedAt)), savedAt, sourceResourceVersion: annotations[SOURCE_VERSION_ANNOTATION] ?? '', saved: { ...data } }];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(index);
  } catch {
    throw new CliError(`ConfigMap ${BACKUP_CONFIG} has an unreadable ${HISTORY_ANNOTATION} annotation; it was not written by mcastctl`);
  }
  if (!Array.isArray(parsed)) throw new CliError(`ConfigMap ${BACKUP_CONFIG}: ${HISTORY_ANNOTATION} is not a list`);
  return parsed.map((e: { id: string; savedAt: string; sourceResourceVersion?: string; keys: string[]; absent?: string[]; written?: Record<string, string | null> }) => ({
    id: String(e.id),
    savedAt: String(e.savedAt),
    sourceResourceVersion: e.sourceResourceVersion ?? '',
    saved: Object.fromEntries([
      ...(e.keys ?? []).map((k) => [k, data[`${e.id}.${k}`] ?? null] as const),
      ...(e.absent ?? []).map((k) => [k, null] as const),
    ]),
    written: e.written,
  }));
}

function historyBody(namespace: string, entries: BackupEntry[], resourceVersion?: string): V1ConfigMap {
  const data: Record<string, string> = {};
  const index = entries.map((e) => {
    const keys = Object.keys(e.saved).filter((k) => e.saved[k] !== null);
    for (const k of keys) data[`${e.id}.${k}`] = e.saved[k]!;
    return { id: e.id, savedAt: e.savedAt, sourceResourceVersion: e.sourceResourceVersion, keys, absent: Object.keys(e.saved).filter((k) => e.saved[k] === null), ...(e.written ? { written: e.written } : {}) };
  });
  const newest = entries[entries.length - 1];
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: BACKUP_CONFIG,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'mcastctl' },
      annotations: {
        [HISTORY_ANNOTATION]: JSON.stringify(index),
        [SOURCE_VERSION_ANNOTATION]: newest?.sourceResourceVersion ?? '',
        [SAVED_AT_ANNOTATION]: newest?.savedAt ?? '',
      },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data,
  };
}

const entryBytes = (e: BackupEntry) => Object.values(e.saved).reduce((n, v) => n + (v?.length ?? 0), 0);

/** The history with `entry` added (or replacing the one of the same id), trimmed to MAX_BACKUPS and MAX_BACKUP_BYTES; the newest is always kept. */
export function withEntry(history: BackupEntry[], entry: BackupEntry): BackupEntry[] {
  const next = [...history.filter((e) => e.id !== entry.id), entry].sort((a, b) => a.id.localeCompare(b.id));
  while (next.length > 1 && (next.length > MAX_BACKUPS || next.reduce((n, e) => n + entryBytes(e), 0) > MAX_BACKUP_BYTES)) next.shift();
  return next;
}

async function readBackupMap(client: KubeApi, namespace: string): Promise<V1ConfigMap | undefined> {
  try {
    return await client.readConfigMap(namespace, BACKUP_CONFIG);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Adds one entry to the history, never removing the earlier ones (beyond the caps): the backup of
 * a write that then fails stays beside the older backups, which stay restorable. Written with the
 * backup's resourceVersion; a concurrent history change is re-read and merged.
 */
async function saveBackup(client: KubeApi, namespace: string, entry: BackupEntry): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const existing = await readBackupMap(client, namespace);
    const body = historyBody(namespace, withEntry(readHistory(existing), entry), existing?.metadata?.resourceVersion);
    try {
      if (existing) await client.replaceConfigMap(namespace, BACKUP_CONFIG, body);
      else await client.createConfigMap(namespace, body);
      return;
    } catch (err) {
      if (!isConflict(err) || attempt >= MAX_CONFLICT_RETRIES) throw err;
    }
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
  const savedAt = (options.now ?? (() => new Date()))();
  for (let attempt = 1; ; attempt++) {
    const current = await readAntreaConfig(client, namespace);
    const before = { ...(current.data ?? {}) };
    const after = edit(before);
    // A key the edit removed counts too: the merge patch deletes it with null.
    const changedKeys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => after[k] !== before[k]);
    const resourceVersion = current.metadata?.resourceVersion ?? '';
    if (changedKeys.length === 0 || options.dryRun) return { before, after, changed: changedKeys.length > 0, resourceVersion, attempts: attempt };
    if (options.backup !== false) {
      // One entry per run (retries replace it): before-values of what changes, hashes of what is written.
      await saveBackup(client, namespace, {
        id: backupId(savedAt),
        savedAt: savedAt.toISOString(),
        sourceResourceVersion: resourceVersion,
        saved: Object.fromEntries(changedKeys.map((k) => [k, k in before ? before[k] : null])),
        written: Object.fromEntries(changedKeys.map((k) => [k, sha256(after[k])])),
      });
    }
    try {
      const written = await client.mergePatchConfigMap(namespace, ANTREA_CONFIG, {
        metadata: { resourceVersion },
        data: Object.fromEntries(changedKeys.map((k) => [k, k in after ? after[k] : null])),
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

/** The backup history, oldest first; [] when mcastctl never changed antrea-config here. */
export async function readBackupHistory(client: KubeApi, namespace: string): Promise<BackupEntry[]> {
  return readHistory(await readBackupMap(client, namespace));
}

/** The backup history, oldest first; throws CliError when there is none. */
export async function readBackups(client: KubeApi, namespace: string): Promise<BackupEntry[]> {
  const history = await readBackupHistory(client, namespace);
  if (history.length === 0) {
    throw new CliError(`no backup to roll back to: ConfigMap ${namespace}/${BACKUP_CONFIG} does not exist (mcastctl has not changed ${ANTREA_CONFIG} here)`);
  }
  return history;
}

/**
 * The keys whose current value is not what the entry's write put there: a change made since by
 * someone else (or a write that never landed). [] when antrea-config still holds exactly that
 * write's result, and for a backup without hashes (saved by an mcastctl without history).
 */
export function changedSince(entry: BackupEntry, current: ConfigData): string[] {
  if (!entry.written) return [];
  return Object.keys(entry.written).filter((k) => sha256(current[k]) !== entry.written![k]);
}
