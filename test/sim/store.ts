/**
 * The simulated API server's storage: objects by resource, each with a resourceVersion from one
 * cluster-wide counter (as etcd's revision), optimistic concurrency (409 on a stale write), and watch
 * events for controllers and for `?watch=true` clients.
 */
import { EventEmitter } from 'node:events';
import { alreadyExists, conflict, notFound, type Json } from './api/status.js';

export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  type: WatchType;
  resource: string;
  object: Json;
}

/** RFC 3339 without fractions, as the API server writes timestamps. */
export const timestamp = (at = new Date()): string => at.toISOString().replace(/\.\d+Z$/, 'Z');

export class Store {
  private rv = 1000;
  private uid = 0;
  private readonly byResource = new Map<string, Map<string, Json>>();
  private readonly events = new EventEmitter().setMaxListeners(0);
  /** Bumped by every write: lists and indexes built from the store are valid while it stays the same. */
  private writes = 0;
  private readonly sortedLists = new Map<string, { at: number; objects: Json[] }>();

  get generation(): number {
    return this.writes;
  }

  /** The live map of one resource, keyed "namespace/name" (or "name" for cluster-scoped objects). */
  resource(name: string): Map<string, Json> {
    let objects = this.byResource.get(name);
    if (!objects) this.byResource.set(name, (objects = new Map()));
    return objects;
  }

  /** Takes the next resourceVersion. */
  nextRv(): string {
    return String(++this.rv);
  }

  /** The newest resourceVersion handed out (a list's metadata.resourceVersion). */
  currentRv(): string {
    return String(this.rv);
  }

  newUid(): string {
    const n = (++this.uid).toString(16).padStart(12, '0');
    return `5a1e0000-0000-4000-8000-${n}`;
  }

  static key(namespace: string | undefined, name: string): string {
    return namespace ? `${namespace}/${name}` : name;
  }

  get(resource: string, namespace: string | undefined, name: string): Json | undefined {
    return this.resource(resource).get(Store.key(namespace, name));
  }

  /** Objects of a resource, optionally in one namespace, in key order (as etcd lists them). */
  list(resource: string, namespace?: string): Json[] {
    // Sorted once per write, not once per call: thousands of execs each look their agent up.
    const cacheKey = `${resource}\u0000${namespace ?? ''}`;
    const cached = this.sortedLists.get(cacheKey);
    if (cached?.at === this.writes) return [...cached.objects];
    const all = [...this.resource(resource).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);
    const objects = namespace ? all.filter((o) => o.metadata?.namespace === namespace) : all;
    this.sortedLists.set(cacheKey, { at: this.writes, objects });
    return [...objects];
  }

  /** Stores a new object; fills uid, creationTimestamp, resourceVersion. Throws 409 AlreadyExists. */
  create(resource: string, object: Json, group = ''): Json {
    const { namespace, name } = object.metadata;
    const key = Store.key(namespace, name);
    const objects = this.resource(resource);
    if (objects.has(key)) throw alreadyExists(resource, name, group);
    object.metadata = { ...object.metadata, uid: object.metadata.uid ?? this.newUid(), creationTimestamp: object.metadata.creationTimestamp ?? timestamp(), resourceVersion: this.nextRv() };
    objects.set(key, object);
    this.writes++;
    this.emit({ type: 'ADDED', resource, object });
    return object;
  }

  /**
   * Replaces an object. A `next.metadata.resourceVersion` other than the stored one is a 409; an
   * unchanged object keeps its resourceVersion (kubectl then prints "(no change)").
   */
  update(resource: string, next: Json, group = ''): Json {
    const { namespace, name } = next.metadata;
    const key = Store.key(namespace, name);
    const current = this.resource(resource).get(key);
    if (!current) throw notFound(resource, name, group);
    const requested = next.metadata.resourceVersion;
    if (requested !== undefined && requested !== current.metadata.resourceVersion) throw conflict(resource, name);
    next.metadata = { ...next.metadata, uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp };
    const { resourceVersion: _a, ...nextMeta } = next.metadata;
    const { resourceVersion: _b, ...currentMeta } = current.metadata;
    if (JSON.stringify({ ...next, metadata: nextMeta }) === JSON.stringify({ ...current, metadata: currentMeta })) {
      next.metadata.resourceVersion = current.metadata.resourceVersion;
      this.resource(resource).set(key, next);
      this.writes++;
      return next;
    }
    next.metadata.resourceVersion = this.nextRv();
    this.resource(resource).set(key, next);
    this.writes++;
    this.emit({ type: 'MODIFIED', resource, object: next });
    return next;
  }

  /** Changes an object in place through `edit` and stores it as a new version (server-side writes). */
  mutate(resource: string, namespace: string | undefined, name: string, edit: (o: Json) => void): Json | undefined {
    const current = this.get(resource, namespace, name);
    if (!current) return undefined;
    const next = structuredClone(current);
    edit(next);
    delete next.metadata.resourceVersion;
    return this.update(resource, next);
  }

  delete(resource: string, namespace: string | undefined, name: string, group = ''): Json {
    const key = Store.key(namespace, name);
    const objects = this.resource(resource);
    const current = objects.get(key);
    if (!current) throw notFound(resource, name, group);
    objects.delete(key);
    this.writes++;
    const object = { ...current, metadata: { ...current.metadata, resourceVersion: this.nextRv() } };
    this.emit({ type: 'DELETED', resource, object });
    return object;
  }

  /** Calls `listener` for every change from now on; returns the function that stops it. */
  watch(listener: (event: WatchEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  private emit(event: WatchEvent): void {
    this.events.emit('event', event);
  }
}
