/**
 * Table output is linear in rows: renders `get mroute`-shaped tables of 1,000 / 10,000 / 100,000 rows
 * with mcastctl's table printer and, as the baseline in the same run, the same rows as -o json
 * (JSON.stringify, which is linear). Prints the time per row of each and the growth factor from
 * 10k to 100k rows (10 = linear; the O(n²) printer it replaced gave ~100 and took 28 s for 16k rows).
 *
 *   npx tsx bench/table-rows.ts
 */
import { formatList, type ListSpec } from '../src/output/list-printer.js';

interface Row {
  node: string;
  source: string;
  group: string;
  iif: string;
  oifs: string;
  state: string;
  packets: string;
  bytes: string;
}

const spec: ListSpec<Row> = {
  kind: 'MrouteList',
  columns: [
    { header: 'NODE', value: (r) => r.node },
    { header: 'SOURCE', value: (r) => r.source },
    { header: 'GROUP', value: (r) => r.group },
    { header: 'IIF', value: (r) => r.iif },
    { header: 'OIFS', value: (r) => r.oifs },
    { header: 'STATE', value: (r) => r.state },
    { header: 'PACKETS', value: (r) => r.packets },
    { header: 'BYTES', value: (r) => r.bytes },
  ],
  name: (r) => `mroute/${r.node}/${r.source},${r.group}`,
  toJson: (r) => ({ ...r }),
  alert: (r) => r.state === 'unresolved',
};

const rows = (n: number): Row[] =>
  Array.from({ length: n }, (_, i) => ({
    node: 'k8s-node-1',
    source: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    group: `239.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    iif: i % 7 === 0 ? 'unresolved' : 'antrea-gw0',
    oifs: 'eth0,antrea-gw0',
    state: i % 7 === 0 ? 'unresolved' : 'resolved',
    packets: String(i * 13),
    bytes: String(i * 13 * 1316),
  }));

const plain = { warn: (t: string) => t, bad: (t: string) => t, good: (t: string) => t };
const time = (work: () => string): number => {
  const started = process.hrtime.bigint();
  const text = work();
  if (text.length === 0) throw new Error('nothing rendered');
  return Number(process.hrtime.bigint() - started) / 1e6;
};

const results: Array<{ n: number; tableMs: number; jsonMs: number }> = [];
for (const n of [1_000, 10_000, 100_000]) {
  const data = rows(n);
  const tableMs = time(() => formatList(spec, data, { type: 'table' }, { noHeaders: false, paint: plain, emptyMessage: '' }, () => {}));
  const jsonMs = time(() => JSON.stringify({ items: data.map(spec.toJson) }));
  results.push({ n, tableMs, jsonMs });
  process.stdout.write(`${String(n).padStart(7)} rows: table ${tableMs.toFixed(0).padStart(6)} ms (${((tableMs * 1000) / n).toFixed(2)} µs/row), -o json baseline ${jsonMs.toFixed(0).padStart(5)} ms, table/json ${(tableMs / jsonMs).toFixed(1)}×\n`);
}
const growth = results[2].tableMs / results[1].tableMs;
process.stdout.write(`growth 10k → 100k rows: ${growth.toFixed(1)}× (linear: ~10×) — ${growth < 20 ? 'goal met: linear' : 'NOT linear'}\n`);
