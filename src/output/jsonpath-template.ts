import { JSONPath } from 'jsonpath-plus';
import { UsageError } from '../errors.js';
import { exactJson } from './structured.js';

/**
 * kubectl's JSONPath templates: literal text with {expressions}, {range EXPR}…{end} and {"\n"}
 * string literals. Path evaluation itself is jsonpath-plus's; this file only handles the template.
 */
type Token = { kind: 'text'; text: string } | { kind: 'expr'; path: string } | { kind: 'range'; path: string } | { kind: 'end' };

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
    let inString = false;
    for (let j = open + 1; j < template.length; j++) {
      if (template[j] === '"' && template[j - 1] !== '\\') inString = !inString;
      if (!inString && template[j] === '}') {
        close = j;
        break;
      }
    }
    if (close < 0) throw new UsageError(`error parsing jsonpath ${template}, unclosed action`);
    const body = template.slice(open + 1, close).trim();
    if (body === 'end') tokens.push({ kind: 'end' });
    else if (body.startsWith('range ')) tokens.push({ kind: 'range', path: body.slice(6).trim() });
    else if (/^".*"$/s.test(body)) tokens.push({ kind: 'text', text: JSON.parse(body) as string });
    else tokens.push({ kind: 'expr', path: body });
    i = close + 1;
  }
  return tokens;
}

/**
 * Refuses a path kubectl's JSONPath parser (k8s.io/client-go/util/jsonpath/parser.go) refuses:
 * unbalanced [ ] or ( ), an unterminated quoted string, an empty subscript. jsonpath-plus alone
 * accepts some of these and silently matches nothing. Throws UsageError.
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

/** Checks every expression of a template (see checkPathSyntax) without evaluating it. Throws UsageError. */
export function checkTemplateSyntax(template: string): void {
  const tokens = tokenize(template);
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'expr' || t.kind === 'range') checkPathSyntax(t.path);
    if (t.kind === 'range') depth++;
    if (t.kind === 'end' && --depth < 0) throw new UsageError('error parsing jsonpath: {end} without {range}');
  }
  if (depth > 0) throw new UsageError('error parsing jsonpath: {range} without {end}');
}

export function evaluatePath(path: string, context: unknown): unknown[] {
  const normalised = path === '' || path === '.' || path === '@' ? '$' : path.startsWith('.') || path.startsWith('[') ? `$${path}` : path.replace(/^@/, '$');
  if (!normalised.startsWith('$')) throw new UsageError(`error parsing jsonpath {${path}}: paths start with "." (for example {.items[*].name})`);
  try {
    return JSONPath({ path: normalised, json: context as object, wrap: true }) as unknown[];
  } catch (err) {
    throw new UsageError(`error parsing jsonpath {${path}}: ${(err as Error).message}`);
  }
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  // exactJson: a bigint counter inside an object keeps every digit.
  if (typeof value === 'object') return exactJson(value);
  return String(value);
}

function execute(tokens: Token[], context: unknown): string {
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === 'text') out += token.text;
    else if (token.kind === 'expr') out += evaluatePath(token.path, context).map(formatValue).join(' ');
    else if (token.kind === 'end') throw new UsageError('error parsing jsonpath: {end} without {range}');
    else {
      let depth = 1;
      let j = i + 1;
      for (; j < tokens.length; j++) {
        const t = tokens[j];
        if (t.kind === 'range') depth++;
        if (t.kind === 'end' && --depth === 0) break;
      }
      if (j >= tokens.length) throw new UsageError('error parsing jsonpath: {range} without {end}');
      const body = tokens.slice(i + 1, j);
      for (const item of evaluatePath(token.path, context)) out += execute(body, item);
      i = j;
    }
  }
  return out;
}

export function renderJsonPath(template: string, document: unknown): string {
  return execute(tokenize(template), document);
}
