import { escapeControlCharacters } from '../bounded-text.js';
import stringWidth from 'string-width';
import type { RunContext } from '../context.js';
import { UsageError } from '../errors.js';
import type { Paint } from './colors.js';
import { checkTemplateSyntax, formatValue, parseRelaxedPath, renderJsonPath } from './jsonpath-template.js';
import { API_VERSION, formatStructured } from './structured.js';

export type OutputFormat =
  | { type: 'table' | 'wide' | 'json' | 'yaml' | 'name' }
  | { type: 'jsonpath'; template: string }
  | { type: 'custom-columns'; columns: Array<{ header: string; path: string; values: (item: unknown) => unknown[] }> };

export function parseOutput(value: unknown): OutputFormat {
  const text = String(value ?? 'table');
  if (['table', 'wide', 'json', 'yaml', 'name'].includes(text)) return { type: text as 'table' };
  if (text.startsWith('jsonpath=')) {
    const template = text.slice('jsonpath='.length);
    if (!template) throw new UsageError('jsonpath template format specified but no template given');
    checkTemplateSyntax(template);
    return { type: 'jsonpath', template };
  }
  if (text.startsWith('custom-columns=')) {
    const spec = text.slice('custom-columns='.length);
    const columns = spec.split(',').map((part) => {
      const at = part.indexOf(':');
      if (at <= 0 || at === part.length - 1) throw new UsageError(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
      const path = part.slice(at + 1);
      // kubectl's RelaxedJSONPathExpression: ".name", "{.name}" and "name" are one column.
      return { header: part.slice(0, at), path, values: parseRelaxedPath(path, 'custom-columns') };
    });
    return { type: 'custom-columns', columns };
  }
  throw new UsageError(
    `unable to match a printer suitable for the output format "${text}", allowed formats are: custom-columns,json,jsonpath,name,table,wide,yaml`,
  );
}

export const isMachineFormat = (f: OutputFormat) => f.type !== 'table' && f.type !== 'wide';

export interface Column<T> {
  header: string;
  value: (item: T) => string;
  /** Shown only with -o wide. */
  wide?: boolean;
  /** Whether a row deserves attention (coloured on a terminal). */
  alert?: (item: T) => boolean;
}

export interface ListSpec<T> {
  /** e.g. "PodMulticastStatsList". */
  kind: string;
  columns: Column<T>[];
  /** -o name: "resource/name". */
  name: (item: T) => string;
  /** The item as printed by -o json/yaml and seen by jsonpath and custom-columns. */
  toJson: (item: T) => Record<string, unknown>;
  /** Rows that need attention are coloured with paint.warn on a terminal. */
  alert?: (item: T) => boolean;
}

/** Terminal safety: a newline ends the cell, every control character is escaped (escapeControlCharacters). */
function cell(text: string): string {
  return escapeControlCharacters(text.split(/[\n\f]/)[0]);
}

/**
 * kubectl's layout: uppercase headers, columns three spaces apart, no borders, no trailing spaces.
 * Linear in rows: one pass measures each column (display width, East Asian wide characters count
 * 2), one pass pads; each line is built once. Returns the whole text, "" for no rows.
 */
export function renderTable(headers: string[], rows: string[][], noHeaders: boolean): string {
  const lines: string[][] = noHeaders ? [] : [headers.map((h) => h.toUpperCase())];
  for (const row of rows) lines.push(row.map((c) => (c === '' ? '<none>' : cell(c))));
  if (lines.length === 0) return '';
  const columns = Math.max(...lines.map((l) => l.length));
  const widths = new Array<number>(columns).fill(0);
  const cellWidths = lines.map((line) =>
    line.map((text, i) => {
      const w = displayWidth(text);
      if (w > widths[i]) widths[i] = w;
      return w;
    }),
  );
  let out = '';
  lines.forEach((line, n) => {
    let text = '';
    for (let i = 0; i < columns; i++) {
      const value = line[i] ?? '';
      text += i === 0 ? value : `   ${value}`;
      if (i < columns - 1) text += ' '.repeat(widths[i] - (cellWidths[n][i] ?? 0));
    }
    out += `${text.trimEnd()}\n`;
  });
  return out;
}

/** Columns a cell takes on a terminal; ASCII (the common case) without the Unicode tables. */
function displayWidth(text: string): number {
  return /^[\x20-\x7e]*$/.test(text) ? text.length : stringWidth(text);
}

/** The -o json/yaml document of a list; `extra` fields (e.g. a command's failures) follow the items. */
export function listDocument<T>(spec: ListSpec<T>, items: T[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: API_VERSION, kind: spec.kind, items: items.map(spec.toJson), ...extra };
}

export interface PrintOptions {
  noHeaders: boolean;
  paint: Paint;
  /** "No resources found…" goes to stderr, as kubectl does, for an empty table; '' for none. */
  emptyMessage: string;
  /** Fields of the -o json/yaml/jsonpath document besides apiVersion, kind and items. */
  extra?: Record<string, unknown>;
  /** --sort-by: items ordered by this path of their JSON (see parseSortBy). */
  sortBy?: SortBy;
  /**
   * The sample's number in a --watch stream, 0 for the first. Later frames continue one stream:
   * no table header again, a "---" before each further YAML document, no repeated empty message.
   */
  frame?: number;
}

/** --sort-by as kubectl applies it: a relaxed JSONPath into each item, natural order. */
export interface SortBy {
  expression: string;
  /** The expression in kubectl's braced form, "{.node}", as its errors print it. */
  field: string;
  key: (item: unknown) => unknown[];
}

export function parseSortBy(expression: string | undefined): SortBy | undefined {
  if (expression === undefined) return undefined;
  if (expression.trim() === '') throw new UsageError('--sort-by needs a JSONPath expression such as .node or {.packets}');
  let body = expression.trim();
  if (body.startsWith('{') && body.endsWith('}')) body = body.slice(1, -1).trim();
  if (!/^[.[$@]/.test(body)) body = `.${body}`;
  return { expression, field: `{${body}}`, key: parseRelaxedPath(expression, '--sort-by') };
}

/**
 * kubectl's sortorder.NaturalLess for strings (digit runs compare as numbers), numeric order for
 * numbers; a missing value sorts first. Stable: equal keys keep their order.
 */
export function compareSortKeys(a: unknown, b: unknown): number {
  if (a === undefined || a === null) return b === undefined || b === null ? 0 : -1;
  if (b === undefined || b === null) return 1;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return a < b ? -1 : a > b ? 1 : 0;
  return naturalCompare(formatValue(a), formatValue(b));
}

function naturalCompare(a: string, b: string): number {
  const chunks = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const x = chunks(a);
  const y = chunks(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === q) continue;
    const pn = /^\d/.test(p);
    const qn = /^\d/.test(q);
    if (pn && qn) {
      const d = BigInt(p) - BigInt(q);
      if (d !== 0n) return d < 0n ? -1 : 1;
      return p.length - q.length;
    }
    return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

export function sortItems<T>(spec: ListSpec<T>, items: T[], sortBy: SortBy | undefined): T[] {
  if (!sortBy) return items;
  const keyed = items.map((item) => {
    const values = sortBy.key(spec.toJson(item));
    return { item, found: values.length > 0, key: values[0] };
  });
  // kubectl's SortObjects: a path that no item has is a typo, not an order (sorter.go, "fieldFoundOnce").
  if (keyed.length > 0 && !keyed.some((k) => k.found)) throw new Error(`couldn't find any field with path ${JSON.stringify(sortBy.field)} in the list of objects`);
  return keyed.sort((p, q) => compareSortKeys(p.key, q.key)).map((k) => k.item);
}

export function printList<T>(ctx: RunContext, spec: ListSpec<T>, items: T[], format: OutputFormat, options: PrintOptions): void {
  ctx.stdout.write(formatList(spec, items, format, options, (m) => ctx.stderr.write(`${m}\n`)));
}

export function formatList<T>(spec: ListSpec<T>, unsorted: T[], format: OutputFormat, options: PrintOptions, onEmpty: (message: string) => void): string {
  const items = sortItems(spec, unsorted, options.sortBy);
  const continuation = (options.frame ?? 0) > 0;
  // A later frame of a watch keeps the header's column widths (it is laid out with the header,
  // which is then dropped), so its rows line up under the header printed once at the top.
  const table = (headers: string[], rows: string[][]) => {
    const text = renderTable(headers, rows, options.noHeaders);
    return continuation && !options.noHeaders ? text.slice(text.indexOf('\n') + 1) : text;
  };
  const noHeaders = options.noHeaders || continuation;
  switch (format.type) {
    case 'json':
      return formatStructured(format.type, listDocument(spec, items, options.extra));
    case 'yaml':
      return `${continuation ? '---\n' : ''}${formatStructured(format.type, listDocument(spec, items, options.extra))}`;
    case 'name':
      return items.map((i) => `${spec.name(i)}\n`).join('');
    case 'jsonpath':
      return renderJsonPath(format.template, listDocument(spec, items, options.extra));
    case 'custom-columns': {
      const rows = items.map((item) => {
        const json = spec.toJson(item);
        return format.columns.map((c) => {
          const values = c.values(json);
          return values.length === 0 ? '<none>' : values.map(formatValue).join(',');
        });
      });
      return table(format.columns.map((c) => c.header), rows);
    }
    default: {
      if (items.length === 0) {
        if (!continuation && options.emptyMessage) onEmpty(options.emptyMessage);
        return '';
      }
      const columns = spec.columns.filter((c) => format.type === 'wide' || !c.wide);
      const text = table(columns.map((c) => c.header), items.map((i) => columns.map((c) => c.value(i))));
      if (!spec.alert) return text;
      const lines = text.split('\n');
      const offset = noHeaders ? 0 : 1;
      items.forEach((item, index) => {
        if (spec.alert!(item)) lines[index + offset] = options.paint.warn(lines[index + offset]);
      });
      return lines.join('\n');
    }
  }
}
