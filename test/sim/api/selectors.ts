import type { Json } from './status.js';

/** Kubernetes label selectors: a=b, a==b, a!=b, a, !a, a in (x,y), a notin (x,y). */
export function matchesLabelSelector(labels: Record<string, string> = {}, selector: string): boolean {
  const requirements = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return requirements.every((raw) => {
    const r = raw.trim();
    if (r === '') return true;
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(r))) {
      const values = m[3].split(',').map((v) => v.trim());
      const has = m[1] in labels && values.includes(labels[m[1]]);
      return m[2] === 'in' ? has : !has;
    }
    if ((m = /^([\w./-]+)\s*!=\s*(\S*)$/.exec(r))) return labels[m[1]] !== m[2];
    if ((m = /^([\w./-]+)\s*==?\s*(\S*)$/.exec(r))) return labels[m[1]] === m[2];
    if ((m = /^!([\w./-]+)$/.exec(r))) return !(m[1] in labels);
    return r in labels;
  });
}

const FIELDS: Record<string, (pod: Json) => string> = {
  'metadata.name': (p) => p.metadata.name,
  'metadata.namespace': (p) => p.metadata.namespace,
  'spec.nodeName': (p) => p.spec.nodeName,
  'status.phase': (p) => p.status.phase,
};

export function matchesFieldSelector(pod: Json, selector: string): boolean {
  return selector
    .split(',')
    .filter((r) => r.trim() !== '')
    .every((r) => {
      const m = /^([\w.]+)\s*(!=|==|=)\s*(.*)$/.exec(r.trim());
      if (!m || !FIELDS[m[1]]) return false;
      const value = FIELDS[m[1]](pod);
      return m[2] === '!=' ? value !== m[3] : value === m[3];
    });
}
