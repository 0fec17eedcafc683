/**
 * Who a run acts as when it impersonates: client-go's rest.ImpersonationConfig, filled from the
 * kubeconfig user's `as`, `as-uid`, `as-groups` and `as-user-extra` (clientcmd api.AuthInfo
 * Impersonate, ImpersonateUID, ImpersonateGroups, ImpersonateUserExtra) and overridden by --as and
 * --as-group as clientcmd's ConfigOverrides do. Sent as client-go's impersonating round tripper
 * sends it (k8s.io/client-go/transport/round_trippers.go).
 */
import { UsageError } from '../errors.js';

export interface Impersonation {
  /** Impersonate-User; nothing is impersonated without it. */
  user?: string;
  /** Impersonate-Uid. */
  uid?: string;
  /** One Impersonate-Group line each, in order. */
  groups: string[];
  /** One Impersonate-Extra-<key> line per value, keys in the kubeconfig's order. */
  extra: Array<[key: string, values: string[]]>;
}

export const NO_IMPERSONATION: Impersonation = { groups: [], extra: [] };

/** A YAML mapping as parsed: a plain object that is not a list. */
const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The impersonation a kubeconfig user entry asks for. `user` is the entry's `user` mapping as the
 * YAML failsafe schema reads it (every scalar a string, as Go reads these string fields); `where`
 * names the entry for errors. Throws UsageError for a field of the wrong shape, as clientcmd's
 * decoding fails on it.
 */
export function impersonationOf(user: unknown, where: string): Impersonation {
  if (!isMapping(user)) return NO_IMPERSONATION;
  const text = (key: string): string | undefined => {
    const value = user[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw new UsageError(`${where}: ${key} must be a string`);
    return value;
  };
  const strings = (value: unknown, key: string): string[] => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new UsageError(`${where}: ${key} must be a list of strings`);
    return value as string[];
  };
  const extraField = user['as-user-extra'];
  if (extraField !== undefined && extraField !== null && !isMapping(extraField)) throw new UsageError(`${where}: as-user-extra must map keys to lists of strings`);
  const extra = Object.entries(extraField ?? {}).map(([key, values]): [string, string[]] => [key, strings(values, `as-user-extra.${key}`)]);
  const uid = text('as-uid');
  const impersonated = text('as');
  return { ...(impersonated ? { user: impersonated } : {}), ...(uid ? { uid } : {}), groups: strings(user['as-groups'], 'as-groups'), extra };
}

/**
 * The kubeconfig's impersonation with kubectl's flags applied: --as replaces the user, --as-group
 * (when given) replaces the groups; the uid and extras stay (clientcmd merges ConfigOverrides
 * field by field). `userName` names the kubeconfig user in the error. Throws clientcmd's
 * UsageError when a uid, groups or extras are asked for without a user to impersonate.
 */
export function withImpersonationFlags(fromKubeconfig: Impersonation, as: string | undefined, asGroups: string[], userName: string): Impersonation {
  const merged: Impersonation = {
    ...fromKubeconfig,
    ...(as ? { user: as } : {}),
    ...(asGroups.length > 0 ? { groups: asGroups } : {}),
  };
  if (!merged.user && (merged.uid || merged.groups.length > 0 || merged.extra.length > 0)) {
    throw new UsageError(`requesting uid, groups or user-extra for ${userName} without impersonating a user`);
  }
  return merged;
}

/** RFC 7230 token characters: what a header name may hold unescaped. */
const TOKEN_CHAR = /[!#$&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * A user-extra key as a header name suffix, as client-go's headerKeyEscape writes it: every byte
 * that is not a token character, and '%', percent-encoded (RFC 3986 section 2.1, upper-case hex).
 */
function escapeExtraKey(key: string): string {
  let escaped = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const char = String.fromCharCode(byte);
    escaped += byte < 0x80 && TOKEN_CHAR.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return escaped;
}

/**
 * Go's textproto.CanonicalMIMEHeaderKey, which net/http applies to every header name it sends:
 * upper case at the start and after each '-', lower case elsewhere ("Impersonate-Extra-Scopes",
 * "Impersonate-Extra-Example.org%2fteam").
 */
function canonicalHeaderName(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

/**
 * The request headers of an impersonation, as kubectl sends them: Impersonate-User,
 * Impersonate-Uid, one Impersonate-Group line per group (a comma-joined value would be read as one
 * group) and one Impersonate-Extra-<escaped key> line per value. Empty without a user. An array
 * value is one header line per element.
 */
export function impersonationHeaders(impersonation: Impersonation): Record<string, string | string[]> {
  if (!impersonation.user) return {};
  const headers: Record<string, string | string[]> = { 'Impersonate-User': impersonation.user };
  if (impersonation.uid) headers['Impersonate-Uid'] = impersonation.uid;
  if (impersonation.groups.length > 0) headers['Impersonate-Group'] = impersonation.groups;
  for (const [key, values] of impersonation.extra) {
    if (values.length === 0) continue;
    const name = canonicalHeaderName(`Impersonate-Extra-${escapeExtraKey(key)}`);
    const previous = headers[name];
    // Two keys that differ only in case are one header, as in Go's http.Header.
    headers[name] = previous === undefined ? [...values] : [...(Array.isArray(previous) ? previous : [previous]), ...values];
  }
  return headers;
}
