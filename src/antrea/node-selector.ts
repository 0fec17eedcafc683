/** A kubectl label selector turned into node affinity terms (what a DaemonSet can be restricted with). */
export interface MatchExpression {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export function selectorToMatchExpressions(selector: string): MatchExpression[] {
  const requirements = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return requirements
    .map((r) => r.trim())
    .filter((r) => r !== '')
    .map((r) => {
      let m: RegExpExecArray | null;
      if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(r))) {
        return { key: m[1], operator: m[2] === 'in' ? 'In' : 'NotIn', values: m[3].split(',').map((v) => v.trim()) } as MatchExpression;
      }
      if ((m = /^([\w./-]+)\s*!=\s*([\w.-]*)$/.exec(r))) return { key: m[1], operator: 'NotIn', values: [m[2]] } as MatchExpression;
      if ((m = /^([\w./-]+)\s*==?\s*([\w.-]*)$/.exec(r))) return { key: m[1], operator: 'In', values: [m[2]] } as MatchExpression;
      if ((m = /^!([\w./-]+)$/.exec(r))) return { key: m[1], operator: 'DoesNotExist' } as MatchExpression;
      if ((m = /^([\w./-]+)$/.exec(r))) return { key: m[1], operator: 'Exists' } as MatchExpression;
      throw new Error(`unable to parse requirement "${r}" of the label selector`);
    });
}
