/**
 * kubectl's JSONPath (k8s.io/client-go/util/jsonpath, parser.go and jsonpath.go), as `-o jsonpath=`,
 * custom-columns and --sort-by use it with AllowMissingKeys: a template of literal text and
 * {actions}; an action is {range PATH}…{end}, a "string literal", or a path of fields (.name,
 * ['name'], \.-escaped dots), `..` (recursive descent), [*] and .*, indexes and slices
 * ([0], [-1], [1:3], [::2]), unions ([0,2], ['name','node']) and filters ([?(@.x == "y")], with
 * == != < > <= >= or existence). A union yields all results of its first member, then of the next
 * (client-go evalUnion); results of one action print space-separated; a missing key yields nothing.
 */
import { CliError, UsageError } from '../errors.js';
import { exactJson } from './structured.js';

type Literal = { kind: 'literal'; value: string | number | boolean };
type PathNode =
  | { kind: 'field'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'recursive' }
  | { kind: 'index'; start?: number; end?: number; step?: number; single: boolean }
  | { kind: 'union'; branches: PathNode[][] }
  | { kind: 'filter'; left: PathNode[]; op?: string; right?: PathNode[] | Literal };

type Token = { kind: 'text'; text: string } | { kind: 'expr'; path: PathNode[] } | { kind: 'range'; path: PathNode[] } | { kind: 'end' };

class PathSyntaxError extends Error {}

/** client-go fails a template on an index past the end, even with AllowMissingKeys. */
class OutOfBounds extends Error {}

const IDENTIFIER_END = /[.[\s]/;

/** Parses one path ("{.items[*].name}" without braces); throws PathSyntaxError. */
function parsePath(text: string): PathNode[] {
  let s = text.trim();
  if (s.startsWith('$') || s.startsWith('@')) s = s.slice(1);
  const nodes: PathNode[] = [];
  let i = 0;
  const readIdentifier = (): string => {
    let name = '';
    while (i < s.length && !IDENTIFIER_END.test(s[i])) {
      if (s[i] === '\\' && s[i + 1] === '.') {
        name += '.';
        i += 2;
        continue;
      }
      name += s[i++];
    }
    return name;
  };
  while (i < s.length) {
    if (s.startsWith('..', i)) {
      nodes.push({ kind: 'recursive' });
      i += 2;
      if (s[i] === '*') {
        nodes.push({ kind: 'wildcard' });
        i++;
      } else if (s[i] !== '[') {
        const name = readIdentifier();
        if (!name) throw new PathSyntaxError('expected a field name after ".."');
        nodes.push({ kind: 'field', name });
      }
      continue;
    }
    if (s[i] === '.') {
      i++;
      if (s[i] === '*') {
        nodes.push({ kind: 'wildcard' });
        i++;
        continue;
      }
      const name = readIdentifier();
      if (name) nodes.push({ kind: 'field', name });
      else if (i < s.length && s[i] !== '[') throw new PathSyntaxError(`unrecognized character in action: ${JSON.stringify(s[i])}`);
      continue;
    }
    if (s[i] === '[') {
      const close = matchingBracket(s, i);
      nodes.push(parseBracket(s.slice(i + 1, close).trim()));
      i = close + 1;
      continue;
    }
    if (/\s/.test(s[i])) throw new PathSyntaxError(`unexpected space in path ${JSON.stringify(text)}`);
    // client-go accepts a bare field name at the start ("{items}" is "{.items}") only in
    // custom-columns/sort-by's relaxed form, which the callers add a dot to.
    throw new PathSyntaxError(`unrecognized character in action: ${JSON.stringify(s[i])}`);
  }
  return nodes;
}

function matchingBracket(s: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let j = open; j < s.length; j++) {
    const c = s[j];
    if (quote) {
      if (c === '\\') j++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth === 0) {
        if (c !== ']') throw new PathSyntaxError('unbalanced parentheses');
        return j;
      }
    }
  }
  throw new PathSyntaxError('unterminated array');
}

/** Splits on commas outside quotes, brackets and parentheses. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let j = 0; j < s.length; j++) {
    const c = s[j];
    if (quote) {
      if (c === '\\') j++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, j));
      start = j + 1;
    }
  }
  parts.push(s.slice(start));
  return parts.map((p) => p.trim());
}

function unquote(s: string): string | undefined {
  if (s.length >= 2 && (s[0] === "'" || s[0] === '"') && s[s.length - 1] === s[0]) return s.slice(1, -1);
  return undefined;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };

/** A "…" or '…' text literal of a template, with Go's common escapes. */
function textLiteral(body: string): string | undefined {
  const inner = unquote(body);
  return inner === undefined ? undefined : inner.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c);
}

function parseBracket(body: string): PathNode {
  if (body === '*') return { kind: 'wildcard' };
  if (body.startsWith('?')) {
    const inner = body.slice(1).trim();
    if (!inner.startsWith('(') || !inner.endsWith(')')) throw new PathSyntaxError(`invalid filter ${JSON.stringify(body)}`);
    return parseFilter(inner.slice(1, -1).trim());
  }
  const parts = splitTopLevel(body);
  if (parts.length > 1) return { kind: 'union', branches: parts.map((p) => [parseBracket(p)]) };
  // client-go reads a quoted member as a path: ['metadata.name'] is .metadata.name (escape a dot
  // that belongs to a key: ['kubernetes\\.io/hostname']).
  const quoted = unquote(body);
  if (quoted !== undefined) return { kind: 'union', branches: [parsePath(`.${quoted}`)] };
  const m = /^(-?\d*)(?::(-?\d*)(?::(-?\d*))?)?$/.exec(body);
  if (!m || body === '') throw new PathSyntaxError(`invalid array index ${JSON.stringify(body)}`);
  const num = (t: string | undefined) => (t === undefined || t === '' ? undefined : Number(t));
  if (!body.includes(':')) return { kind: 'index', start: num(m[1]), single: true };
  const step = num(m[3]);
  if (step === 0) throw new PathSyntaxError('step cannot be 0');
  return { kind: 'index', start: num(m[1]), end: num(m[2]), step, single: false };
}

const OPERATORS = ['==', '!=', '<=', '>=', '<', '>'];

function parseFilter(expr: string): PathNode {
  let quote: string | undefined;
  for (let j = 0; j < expr.length; j++) {
    const c = expr[j];
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    const op = OPERATORS.find((o) => expr.startsWith(o, j));
    if (op) return { kind: 'filter', left: parseOperand(expr.slice(0, j)), op, right: parseOperandOrLiteral(expr.slice(j + op.length)) };
  }
  return { kind: 'filter', left: parseOperand(expr) };
}

function parseOperand(text: string): PathNode[] {
  const t = text.trim();
  if (!t.startsWith('@') && !t.startsWith('$')) throw new PathSyntaxError(`invalid filter operand ${JSON.stringify(t)}`);
  return parsePath(t);
}

function parseOperandOrLiteral(text: string): PathNode[] | Literal {
  const t = text.trim();
  const quoted = unquote(t);
  if (quoted !== undefined) return { kind: 'literal', value: quoted };
  if (/^-?\d+(\.\d+)?$/.test(t)) return { kind: 'literal', value: Number(t) };
  if (t === 'true' || t === 'false') return { kind: 'literal', value: t === 'true' };
  return parseOperand(t);
}

// ---- evaluation --------------------------------------------------------------------------------

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function step(values: unknown[], node: PathNode): unknown[] {
  const out: unknown[] = [];
  switch (node.kind) {
    case 'field':
      for (const v of values) if (isObject(v) && Object.prototype.hasOwnProperty.call(v, node.name)) out.push(v[node.name]);
      return out;
    case 'wildcard':
      for (const v of values) {
        if (Array.isArray(v)) out.push(...v);
        else if (isObject(v)) out.push(...Object.values(v));
      }
      return out;
    case 'recursive':
      for (const v of values) descend(v, out);
      return out;
    case 'index':
      for (const v of values) {
        if (!Array.isArray(v)) continue;
        const len = v.length;
        const norm = (n: number) => (n < 0 ? n + len : n);
        if (node.single) {
          const at = norm(node.start ?? 0);
          if (at < 0 || at >= len) throw new OutOfBounds(`array index out of bounds: index ${node.start}, length ${len}`);
          out.push(v[at]);
          continue;
        }
        const stride = node.step ?? 1;
        const clamp = (n: number) => Math.min(Math.max(n, 0), len);
        const from = clamp(norm(node.start ?? 0));
        const to = clamp(norm(node.end ?? len));
        for (let k = from; k < to; k += Math.abs(stride)) out.push(v[k]);
      }
      return out;
    case 'union':
      for (const branch of node.branches) out.push(...evaluate(branch, values));
      return out;
    case 'filter':
      for (const v of values) {
        const elements = Array.isArray(v) ? v : isObject(v) ? Object.values(v) : [];
        for (const e of elements) if (matches(node, e)) out.push(e);
      }
      return out;
  }
}

function descend(v: unknown, out: unknown[]): void {
  out.push(v);
  if (Array.isArray(v)) for (const e of v) descend(e, out);
  else if (isObject(v)) for (const e of Object.values(v)) descend(e, out);
}

function evaluate(path: PathNode[], values: unknown[]): unknown[] {
  return path.reduce(step, values);
}

function comparable(v: unknown): number | string | boolean | undefined {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return undefined;
}

function matches(filter: Extract<PathNode, { kind: 'filter' }>, element: unknown): boolean {
  const left = evaluate(filter.left, [element]);
  if (!filter.op) return left.length > 0 && left[0] !== null && left[0] !== false;
  const rights = filter.right && 'kind' in filter.right && filter.right.kind === 'literal' ? [filter.right.value] : evaluate(filter.right as PathNode[], [element]);
  if (left.length === 0 || rights.length === 0) return false;
  const a = comparable(left[0]);
  const b = comparable(rights[0]);
  if (a === undefined || b === undefined) return false;
  switch (filter.op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    default:
      if (typeof a !== typeof b || typeof a === 'boolean') return false;
      return filter.op === '<' ? a < b : filter.op === '>' ? a > b : filter.op === '<=' ? a <= b : a >= b;
  }
}

// ---- templates ---------------------------------------------------------------------------------

function parseAction(template: string, body: string): Token {
  try {
    if (body === 'end') return { kind: 'end' };
    if (body.startsWith('range ')) return { kind: 'range', path: parsePath(body.slice(6)) };
    const text = textLiteral(body);
    if (text !== undefined) return { kind: 'text', text };
    return { kind: 'expr', path: parsePath(body) };
  } catch (err) {
    if (err instanceof PathSyntaxError || err instanceof SyntaxError) throw new UsageError(`error parsing jsonpath ${template}, ${err.message}`);
    throw err;
  }
}

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      tokens.push({ kind: 'text', text: template.slice(i) });
      break;
    }
    if (open > i) tokens.push({ kind: 'text', text: template.slice(i, open) });
    let close = -1;
    let quote: string | undefined;
    for (let j = open + 1; j < template.length; j++) {
      const c = template[j];
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '}') {
        close = j;
        break;
      }
    }
    if (close < 0) throw new UsageError(`error parsing jsonpath ${template}, unclosed action`);
    tokens.push(parseAction(template, template.slice(open + 1, close).trim()));
    i = close + 1;
  }
  checkNesting(tokens);
  return tokens;
}

function checkNesting(tokens: Token[]): void {
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'range') depth++;
    if (t.kind === 'end' && --depth < 0) throw new UsageError('error parsing jsonpath: {end} without {range}');
  }
  if (depth > 0) throw new UsageError('error parsing jsonpath: {range} without {end}');
}

/**
 * Refuses a path kubectl's JSONPath parser (k8s.io/client-go/util/jsonpath/parser.go) refuses:
 * unbalanced [ ] or ( ), an unterminated quoted string, an empty subscript. Throws UsageError.
 */
export function checkPathSyntax(path: string): void {
  const fail = (why: string) => {
    throw new UsageError(`error parsing jsonpath {${path}}: ${why}`);
  };
  const open: string[] = [];
  let quote: string | undefined;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '[' || c === '(') {
      if (c === '[' && path[i + 1] === ']') fail('empty subscript "[]"');
      open.push(c === '[' ? ']' : ')');
    } else if (c === ']' || c === ')') {
      if (open.pop() !== c) fail(`unexpected "${c}" at character ${i + 1}`);
    }
  }
  if (quote) fail('unterminated quoted string');
  if (open.length > 0) fail(`unclosed "${open[open.length - 1] === ']' ? '[' : '('}"`);
}

/** Checks every path of a template (checkPathSyntax, then the full parse) without evaluating it. Throws UsageError. */
export function checkTemplateSyntax(template: string): void {
  for (const m of template.matchAll(/\{([^{}]*)\}/g)) {
    const body = m[1].trim();
    if (body === 'end' || textLiteral(body) !== undefined) continue;
    checkPathSyntax(body.startsWith('range ') ? body.slice(6).trim() : body);
  }
  tokenize(template);
}

/**
 * A printed value: strings as they are, objects and lists as compact JSON with keys sorted (as Go's
 * encoding/json prints a map) and exact 64-bit counters.
 */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return exactJson(sortedKeys(value));
  return String(value);
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedKeys(value[k])]));
}

function execute(tokens: Token[], context: unknown): string {
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === 'text') out += token.text;
    else if (token.kind === 'expr') out += evaluate(token.path, [context]).map(formatValue).join(' ');
    else if (token.kind === 'range') {
      let depth = 1;
      let j = i + 1;
      for (; j < tokens.length; j++) {
        const t = tokens[j];
        if (t.kind === 'range') depth++;
        if (t.kind === 'end' && --depth === 0) break;
      }
      const body = tokens.slice(i + 1, j);
      for (const item of evaluate(token.path, [context])) out += execute(body, item);
      i = j;
    }
  }
  return out;
}

/** A parsed template, checked once (parse errors are UsageErrors) and applied to many documents. */
export interface JsonPathTemplate {
  render(document: unknown): string;
}

export function parseJsonPathTemplate(template: string): JsonPathTemplate {
  const tokens = tokenize(template);
  return {
    render(document) {
      try {
        return execute(tokens, document);
      } catch (err) {
        if (err instanceof OutOfBounds) throw new CliError(`error executing jsonpath ${JSON.stringify(template)}: Error executing template: ${err.message}`);
        throw err;
      }
    },
  };
}

export function renderJsonPath(template: string, document: unknown): string {
  return parseJsonPathTemplate(template).render(document);
}

/**
 * kubectl's RelaxedJSONPathExpression for custom-columns and --sort-by: "{.a.b}", ".a.b" and "a.b"
 * are the same path. Returns the path's evaluator; throws UsageError naming `what` on bad syntax.
 */
export function parseRelaxedPath(expression: string, what: string): (document: unknown) => unknown[] {
  let body = expression.trim();
  if (body.startsWith('{') && body.endsWith('}')) body = body.slice(1, -1).trim();
  if (body !== '' && !/^[.[$@]/.test(body)) body = `.${body}`;
  checkPathSyntax(body);
  let path: PathNode[];
  try {
    path = parsePath(body);
  } catch (err) {
    if (err instanceof PathSyntaxError) throw new UsageError(`${what} ${JSON.stringify(expression)}: error parsing jsonpath: ${err.message}`);
    throw err;
  }
  return (document) => {
    try {
      return evaluate(path, [document]);
    } catch (err) {
      if (err instanceof OutOfBounds) return [];
      throw err;
    }
  };
}

/** Evaluates one path against a document (the relaxed forms accepted). */
export function evaluatePath(path: string, context: unknown): unknown[] {
  return parseRelaxedPath(path, 'jsonpath')(context);
}
