/**
 * Comment-preserving edits of the YAML documents held in the antrea-config ConfigMap
 * (antrea-agent.conf, antrea-controller.conf). The yaml package's Document API finds where each
 * node lies in the source; the edit then replaces or inserts only those characters, so every
 * comment, blank line and key order of the upstream manifest stays byte for byte, and only the
 * changed lines differ. Every edit is verified by parsing the result again.
 */
import { isDeepStrictEqual } from 'node:util';
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type Scalar } from 'yaml';

export type ConfValue = boolean | number | string | Array<number | string>;

/** Sets `path` to `value`, or, with `remove`, deletes the key at `path` with its value's lines. */
export type ConfEdit =
  | {
      /** e.g. ["featureGates", "Multicast"] or ["multicast", "enable"]. */
      path: string[];
      value: ConfValue;
    }
  | { path: string[]; remove: true };

export class ConfEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfEditError';
  }
}

function parse(text: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new ConfEditError(`the config is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  return doc;
}

const PLAIN_SAFE = /^[A-Za-z0-9_./-]+$/;

function renderScalar(value: boolean | number | string, like?: Scalar): string {
  if (typeof value !== 'string') return String(value);
  if (like?.type === 'QUOTE_DOUBLE' || !PLAIN_SAFE.test(value) || /^(true|false|null|~|yes|no|on|off|\d.*)$/i.test(value)) return JSON.stringify(value);
  if (like?.type === 'QUOTE_SINGLE') return `'${value}'`;
  return value;
}

const renderFlow = (value: ConfValue, like?: Scalar) =>
  Array.isArray(value) ? `[${value.map((v) => renderScalar(v)).join(', ')}]` : renderScalar(value, like);

const lineStart = (text: string, offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
const lineEnd = (text: string, offset: number) => {
  const end = text.indexOf('\n', offset);
  return end < 0 ? text.length : end;
};
const columnOf = (text: string, offset: number) => offset - lineStart(text, offset);

/** The pair holding `path` in the document, with the pair that follows it among its siblings. */
function findPair(doc: Document, path: string[]): { pair: Pair<Scalar, Node | null>; next?: Pair<Scalar, Node | null> } | undefined {
  let map: unknown = doc.contents;
  for (let i = 0; i < path.length; i++) {
    if (!isMap(map)) return undefined;
    const items = map.items as Array<Pair<Scalar, Node | null>>;
    const index = items.findIndex((p) => isPair(p) && isScalar(p.key) && p.key.value === path[i]);
    if (index < 0) return undefined;
    if (i === path.length - 1) return { pair: items[index], next: items[index + 1] };
    map = items[index].value;
  }
  return undefined;
}

function replaceExisting(text: string, pair: Pair<Scalar, Node | null>, value: ConfValue): string {
  const node = pair.value;
  const keyEnd = pair.key.range![1];
  if (node === null || (isScalar(node) && node.range![0] === node.range![1])) {
    // "key:" with an empty value: the value goes right after the colon.
    const colon = text.indexOf(':', keyEnd);
    return `${text.slice(0, colon + 1)} ${renderFlow(value)}${text.slice(colon + 1)}`;
  }
  const [start, end] = node.range!;
  if (isScalar(node)) return `${text.slice(0, start)}${renderFlow(value, node)}${text.slice(end)}`;
  if (isSeq(node) && Array.isArray(value) && node.flow !== true && value.length > 0 && node.items.length > 0) {
    // A block sequence's range runs on over the blank lines after it: end at its last item instead.
    const lastItem = node.items[node.items.length - 1] as Node;
    const indent = ' '.repeat(columnOf(text, start));
    const block = value.map((v) => `- ${renderScalar(v)}`).join(`\n${indent}`);
    return `${text.slice(0, start)}${block}${text.slice(lastItem.range![1])}`;
  }
  return `${text.slice(0, start)}${renderFlow(value)}${text.slice(end)}`;
}

/**
 * Inserts "key: value" into the map at `parentPath`. A commented template line for the key
 * ("#  Multicast: true", how the manifest lists every gate) is the preferred place: the new line
 * goes right below it. Otherwise it goes after the map's last entry, or right below "parent:"
 * when the map is still empty (a key followed only by comments parses as null).
 */
function insertKey(text: string, doc: Document, parentPath: string[], key: string, value: ConfValue): string {
  const parent = findPair(doc, parentPath);
  if (!parent) throw new ConfEditError(`the config has no "${parentPath.join('.')}" section to add "${key}" to`);
  const { pair, next } = parent;
  const parentIndent = columnOf(text, pair.key.range![0]);
  const parentLineEnd = lineEnd(text, pair.key.range![1]);
  const regionEnd = next ? lineStart(text, next.key.range![0]) : text.length;
  let indent = parentIndent + 2;
  let insertAt = parentLineEnd;
  if (isMap(pair.value) && pair.value.items.length > 0) {
    const items = pair.value.items as Array<Pair<Scalar, Node | null>>;
    indent = columnOf(text, items[0].key.range![0]);
    const last = items[items.length - 1];
    insertAt = lineEnd(text, (last.value?.range ?? last.key.range)![1] - 1);
  } else if (pair.value !== null && !(isScalar(pair.value) && pair.value.value === null)) {
    throw new ConfEditError(`"${parentPath.join('.')}" is not a map, cannot add "${key}" to it`);
  }
  const region = text.slice(parentLineEnd, regionEnd);
  const template = new RegExp(`^[ \\t]*#[ \\t]*${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:.*$`, 'm').exec(region);
  if (template) insertAt = parentLineEnd + template.index + template[0].length;
  const line = `${' '.repeat(indent)}${key}: ${renderFlow(value)}`;
  if (insertAt >= text.length && !text.endsWith('\n')) return `${text}\n${line}`;
  return `${text.slice(0, insertAt)}\n${line}${text.slice(insertAt)}`;
}

/** Where a node's text ends: a block collection ends with its last item, not the blank lines after it. */
function nodeEnd(node: Node | null | undefined, fallback: number): number {
  if (!node) return fallback;
  if ((isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0) {
    const last = node.items[node.items.length - 1] as Node | Pair<Node, Node | null>;
    return isPair(last) ? nodeEnd(last.value as Node | null, (last.key as Node).range![1]) : nodeEnd(last, fallback);
  }
  return node.range ? node.range[1] : fallback;
}

/** Deletes the lines of `path`'s key and value; nothing else moves. */
function removeKey(text: string, path: string[]): string {
  const found = findPair(parse(text), path);
  if (!found) return text;
  const { pair } = found;
  const keyStart = pair.key.range![0];
  const start = lineStart(text, keyStart);
  if (text.slice(start, keyStart).trim() !== '') throw new ConfEditError(`cannot remove ${path.join('.')}: it shares its line with other content`);
  const end = lineEnd(text, nodeEnd(pair.value, pair.key.range![1]) - 1);
  const next = `${text.slice(0, start)}${text.slice(Math.min(end + 1, text.length))}`;
  if (parse(next).hasIn(path)) throw new ConfEditError(`removing ${path.join('.')} did not take`);
  return next;
}

function applyOne(text: string, edit: ConfEdit): string {
  if ('remove' in edit) return removeKey(text, edit.path);
  const doc = parse(text);
  const found = findPair(doc, edit.path);
  const next = found ? replaceExisting(text, found.pair, edit.value) : insertKey(text, doc, edit.path.slice(0, -1), edit.path[edit.path.length - 1], edit.value);
  const check = parse(next).getIn(edit.path);
  const plain = (v: unknown) => (v && typeof v === 'object' && 'toJSON' in v ? (v as { toJSON(): unknown }).toJSON() : v);
  if (!isDeepStrictEqual(plain(check), edit.value)) {
    throw new ConfEditError(`setting ${edit.path.join('.')} did not take (read back ${JSON.stringify(plain(check))})`);
  }
  return next;
}

/** Applies the edits in order; an edit that sets what is already there changes nothing. */
export function editConf(text: string, edits: ConfEdit[]): string {
  let current = text;
  for (const edit of edits) {
    if ('remove' in edit ? !parse(current).hasIn(edit.path) : isDeepStrictEqual(readConfValue(current, edit.path), edit.value)) continue;
    current = applyOne(current, edit);
  }
  return current;
}

export function readConfValue(text: string, path: string[]): unknown {
  const value = parse(text).getIn(path);
  return value && typeof value === 'object' && 'toJSON' in value ? (value as { toJSON(): unknown }).toJSON() : value;
}

/** Every key path of the parsed document ("multicast.enable", "featureGates.Multicast", …). */
export function confKeyPaths(text: string): Set<string> {
  const paths = new Set<string>();
  const walk = (value: unknown, prefix: string) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    for (const [k, v] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${k}` : k;
      paths.add(path);
      walk(v, path);
    }
  };
  walk(parse(text).toJS(), '');
  return paths;
}
