import { HttpStatus, type Json } from './status.js';

type Token = 'id' | 'in' | 'notin' | '!' | '!=' | '=' | '==' | '>' | '<' | '(' | ')' | ',' | 'end';
type Requirement = { key: string; op: 'exists' | '!' | 'in' | 'notin' | '=' | '!=' | '>' | '<'; values: string[] };

const SYMBOLS = new Set(['!', '!=', '=', '==', '>', '<', '(', ')', ',']);
const isSymbolChar = (c: string) => '=!(),><'.includes(c);

/**
 * The tokens of a label selector as apimachinery's lexer (k8s.io/apimachinery pkg/labels/selector.go,
 * v0.32.0) reads them: symbols are the longest known prefix; an identifier runs to a blank or a symbol;
 * "in"/"notin" are keywords only where an operator is expected (the parser decides).
 */
function lex(selector: string): Array<{ tok: Token; lit: string }> {
  const tokens: Array<{ tok: Token; lit: string }> = [];
  let i = 0;
  while (i < selector.length) {
    const c = selector[i];
    if (/\s/.test(c)) { i++; continue; }
    if (isSymbolChar(c)) {
      let lit = c;
      while (i + lit.length < selector.length && SYMBOLS.has(lit + selector[i + lit.length])) lit += selector[i + lit.length];
      tokens.push({ tok: lit as Token, lit });
      i += lit.length;
      continue;
    }
    let j = i;
    while (j < selector.length && !/\s/.test(selector[j]) && !isSymbolChar(selector[j])) j++;
    tokens.push({ tok: 'id', lit: selector.slice(i, j) });
    i = j;
  }
  tokens.push({ tok: 'end', lit: '' });
  return tokens;
}

/**
 * Parses a label selector as apimachinery's Parser does (pkg/labels/selector.go v0.32.0: parse,
 * parseRequirement, parseKeyAndInferOperator, parseOperator, parseValues, parseIdentifiersList,
 * parseExactValue), with its error messages. Throws Error with the message kube-apiserver answers
 * in a 400 BadRequest.
 */
export function parseLabelSelector(selector: string): Requirement[] {
  const tokens = lex(selector);
  let at = 0;
  const peek = () => tokens[at];
  const next = () => tokens[Math.min(at++, tokens.length - 1)];
  const valueTok = (t: { tok: Token; lit: string }): Token => (t.tok === 'in' || t.tok === 'notin' ? 'id' : t.tok);
  const fail = (message: string): never => { throw new Error(message); };
  const requirement = (): Requirement => {
    let t = next();
    let op: Requirement['op'] = 'exists';
    if (t.tok === '!') { op = '!'; t = next(); }
    if (t.tok !== 'id') fail(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    if (peek().tok === 'end' || peek().tok === ',') return { key, op, values: [] };
    if (op === '!') fail(`found '${peek().lit}', expected: ',' or 'end of string'`);
    const o = next();
    const keyword = o.tok === 'id' && (o.lit === 'in' || o.lit === 'notin') ? o.lit : o.tok;
    switch (keyword) {
      case 'in': case 'notin': return { key, op: keyword, values: values() };
      case '=': case '==': return { key, op: '=', values: [exactValue()] };
      case '!=': case '>': case '<': return { key, op: keyword, values: [exactValue()] };
      default: return fail(`found '${o.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  };
  const exactValue = (): string => {
    if (peek().tok === 'end' || peek().tok === ',') return '';
    const t = next();
    return valueTok(t) === 'id' ? t.lit : fail(`found '${t.lit}', expected: identifier`);
  };
  const values = (): string[] => {
    const open = next();
    if (open.tok !== '(') fail(`found '${open.lit}' expected: '('`);
    const first = peek();
    if (first.tok === ')') { next(); return ['']; }
    if (valueTok(first) !== 'id' && first.tok !== ',') fail(`found '${first.lit}', expected: ',', ')' or identifier`);
    const list = new Set<string>();
    for (;;) {
      const t = next();
      if (valueTok(t) === 'id') {
        list.add(t.lit);
        const after = peek();
        if (after.tok === ',') continue;
        if (after.tok === ')') break;
        fail(`found '${after.lit}', expected: ',' or ')'`);
      } else if (t.tok === ',') {
        if (list.size === 0) list.add('');
        if (peek().tok === ')') { list.add(''); break; }
        if (peek().tok === ',') { next(); list.add(''); }
      } else {
        fail(`found '${t.lit}', expected: ',', or identifier`);
      }
    }
    const close = next();
    if (close.tok !== ')') fail(`found '${first.lit}', expected: ')'`);
    return [...list];
  };
  const requirements: Requirement[] = [];
  for (;;) {
    const t = peek();
    if (t.tok === 'end') return requirements;
    if (valueTok(t) !== 'id' && t.tok !== '!') fail(`found '${t.lit}', expected: !, identifier, or 'end of string'`);
    try {
      requirements.push(requirement());
    } catch (err) {
      throw new Error(`unable to parse requirement: ${(err as Error).message}`);
    }
    const sep = next();
    if (sep.tok === 'end') return requirements;
    if (sep.tok !== ',') fail(`found '${sep.lit}', expected: ',' or 'end of string'`);
    if (valueTok(peek()) !== 'id' && peek().tok !== '!') fail(`found '${peek().lit}', expected: identifier after ','`);
  }
}

function matches(labels: Record<string, string>, r: Requirement): boolean {
  const has = r.key in labels;
  const value = labels[r.key];
  switch (r.op) {
    case 'exists': return has;
    case '!': return !has;
    case 'in': return has && r.values.includes(value);
    case 'notin': return !has || !r.values.includes(value);
    case '=': return has && value === r.values[0];
    case '!=': return !has || value !== r.values[0];
    case '>': return has && Number.parseInt(value, 10) > Number.parseInt(r.values[0], 10);
    case '<': return has && Number.parseInt(value, 10) < Number.parseInt(r.values[0], 10);
  }
}

/**
 * A predicate over labels for a Kubernetes label selector (a=b, a==b, a!=b, a, !a, a in (x,y),
 * a notin (x,y), a>1, a<1). Throws HttpStatus 400 BadRequest with apimachinery's parse error, as
 * kube-apiserver answers a malformed labelSelector.
 */
export function labelSelector(selector: string): (labels: Record<string, string> | undefined) => boolean {
  let requirements: Requirement[];
  try {
    requirements = parseLabelSelector(selector);
  } catch (err) {
    throw new HttpStatus(400, 'BadRequest', (err as Error).message);
  }
  return (labels = {}) => requirements.every((r) => matches(labels, r));
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
