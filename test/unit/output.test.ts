import { describe, expect, it } from 'vitest';
import { rateBetween } from '../../src/antrea/podmulticaststats-parser.js';
import { igmpStatus } from '../../src/antrea/igmp-limits.js';
import { renderJsonPath } from '../../src/output/jsonpath-template.js';
import { formatList, parseOutput, renderTable, type ListSpec } from '../../src/output/list-printer.js';

const plain = { warn: (t: string) => `!${t}`, bad: (t: string) => t, good: (t: string) => t };

describe('renderTable (kubectl layout)', () => {
  it('uppercases headers, separates by three spaces, leaves no trailing space, shows <none>', () => {
    expect(renderTable(['name', 'Value'], [['a', '1'], ['longer-name', '']], false)).toBe('NAME          VALUE\na             1\nlonger-name   <none>\n');
    expect(renderTable(['NAME', 'VALUE'], [['a', '1']], true)).toBe('a   1\n');
  });

  it('escapes terminal control characters and cuts a cell at a newline', () => {
    expect(renderTable(['X'], [['\x1b[31mred\r'], ['two\nlines']], true)).toBe('\\u001b[31mred\\r\ntwo\n');
  });
});

describe('formatList', () => {
  const spec: ListSpec<{ n: string; v: number }> = {
    kind: 'ThingList',
    columns: [{ header: 'N', value: (i) => i.n }, { header: 'V', value: (i) => String(i.v), wide: true }],
    name: (i) => `thing/${i.n}`,
    toJson: (i) => ({ n: i.n, v: i.v }),
    alert: (i) => i.v > 1,
  };
  const items = [{ n: 'a', v: 1 }, { n: 'b', v: 2 }];
  const fmt = (o: string) => formatList(spec, items, parseOutput(o), { noHeaders: false, paint: plain, emptyMessage: 'none' }, () => {});

  it('hides wide columns unless -o wide and paints alert rows', () => {
    expect(fmt('table')).toBe('N\na\n!b\n');
    expect(fmt('wide')).toBe('N   V\na   1\n!b   2\n');
  });

  it('wraps items in a versioned list for json, yaml and jsonpath', () => {
    expect(JSON.parse(fmt('json'))).toEqual({ apiVersion: 'mcastctl.antrea.io/v1alpha1', kind: 'ThingList', items: [{ n: 'a', v: 1 }, { n: 'b', v: 2 }] });
    expect(fmt('yaml')).toBe('apiVersion: mcastctl.antrea.io/v1alpha1\nkind: ThingList\nitems:\n- n: a\n  v: 1\n- n: b\n  v: 2\n');
    expect(fmt('jsonpath={.items[*].n}')).toBe('a b');
    expect(fmt('name')).toBe('thing/a\nthing/b\n');
    expect(fmt('custom-columns=NAME:.n,MISSING:.x')).toBe('NAME   MISSING\na      <none>\nb      <none>\n');
  });

  it('reports an empty table through the callback only', () => {
    const said: string[] = [];
    expect(formatList(spec, [], parseOutput('table'), { noHeaders: false, paint: plain, emptyMessage: 'No resources found' }, (m) => said.push(m))).toBe('');
    expect(said).toEqual(['No resources found']);
  });
});

describe('kubectl JSONPath templates', () => {
  const doc = { items: [{ name: 'a', tags: ['x', 'y'] }, { name: 'b', tags: [] }] };
  it('supports range/end, string literals and lists', () => {
    expect(renderJsonPath('{range .items[*]}{.name}{"\\t"}{.tags}{"\\n"}{end}', doc)).toBe('a\t["x","y"]\nb\t[]\n');
    expect(renderJsonPath('names: {.items[*].name}', doc)).toBe('names: a b');
  });
  it('explains a broken template', () => {
    expect(() => renderJsonPath('{.items[*].name', doc)).toThrow('error parsing jsonpath {.items[*].name, unclosed action');
    expect(() => renderJsonPath('{range .items[*]}{.name}', doc)).toThrow('{range} without {end}');
  });
});

describe('rates and IGMP status', () => {
  it('computes packets per second, and a reset instead of a negative rate', () => {
    expect(rateBetween(undefined, { at: 1000, inbound: 5n, outbound: 0n }, 'inbound')).toEqual({ kind: 'unknown' });
    expect(rateBetween({ at: 0, inbound: 100n, outbound: 0n }, { at: 2000, inbound: 300n, outbound: 0n }, 'inbound')).toEqual({ kind: 'rate', perSecond: 100 });
    expect(rateBetween({ at: 0, inbound: 300n, outbound: 0n }, { at: 2000, inbound: 10n, outbound: 0n }, 'inbound')).toEqual({ kind: 'reset' });
  });
  it('marks a Node at or over igmp_max_memberships', () => {
    expect(igmpStatus(20, 5, 5, 1)).toBe('OK');
    expect(igmpStatus(20, 20, 20, 1)).toBe('AT LIMIT');
    expect(igmpStatus(20, 20, 21, 1)).toBe('OVER LIMIT');
    expect(igmpStatus(20, 3, null, 21)).toBe('OVER LIMIT');
  });
});
