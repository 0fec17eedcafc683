import type { Json } from './status.js';

type Fail = (code: number, message: string) => Error;

/** RFC 7386 JSON merge patch; for the maps and objects mcastctl and kubectl patch, strategic merge is the same. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Json = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [key, value] of Object.entries(patch as Json)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

const unescape = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');

/** RFC 6902 JSON patch: add, remove, replace, test (what clients send for ConfigMaps). */
export function jsonPatch(target: Json, operations: Json[], fail: Fail): Json {
  const doc = structuredClone(target);
  for (const op of operations) {
    const tokens = String(op.path ?? '').split('/').slice(1).map(unescape);
    const last = tokens.pop();
    let parent: any = doc;
    for (const t of tokens) {
      if (parent === null || typeof parent !== 'object' || !(t in parent)) throw fail(422, `jsonpatch ${op.op} operation does not apply: doc is missing path: "${op.path}"`);
      parent = parent[t];
    }
    if (last === undefined) throw fail(422, `jsonpatch: invalid path "${op.path}"`);
    switch (op.op) {
      case 'add':
      case 'replace':
        if (op.op === 'replace' && !(last in parent)) throw fail(422, `jsonpatch replace operation does not apply: doc is missing key: ${op.path}`);
        if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), op.op === 'replace' ? 1 : 0, op.value);
        else parent[last] = op.value;
        break;
      case 'remove':
        if (!(last in parent)) throw fail(422, `jsonpatch remove operation does not apply: doc is missing key: ${op.path}`);
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete parent[last];
        break;
      case 'test':
        if (JSON.stringify(parent[last]) !== JSON.stringify(op.value)) throw fail(422, `testing value ${op.path} failed`);
        break;
      default:
        throw fail(422, `Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

export function applyPatch(current: Json, contentType: string, body: string, fail: Fail): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw fail(400, 'error decoding patch: invalid JSON');
  }
  const type = contentType.split(';')[0].trim();
  if (type === 'application/json-patch+json') {
    if (!Array.isArray(parsed)) throw fail(400, 'json patch must be an array of operations');
    return jsonPatch(current, parsed as Json[], fail);
  }
  if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') {
    return mergePatch(current, parsed) as Json;
  }
  throw fail(415, `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
}
