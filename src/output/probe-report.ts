/**
 * What `mcastctl probe` prints: one row per path (PATH, FROM, TO, SENT, RECEIVED, LOSS, VERDICT,
 * EVIDENCE) in kubectl's table layout, or one MulticastProbe document for -o json/yaml.
 */
import type { PathResult } from '../antrea/probe-verdict.js';
import type { Paint } from './colors.js';
import { renderTable } from './list-printer.js';
import { API_VERSION, formatStructured, type StructuredFormat } from './structured.js';

export interface ProbeReport {
  namespace: string;
  group: string;
  port: number;
  count: number;
  intervalMs: number;
  image: string;
  encapMode: string;
  paths: PathResult[];
  failingNodes: string[];
  /** Whether the Namespace was left in place (--keep). */
  kept: boolean;
}

const endpoint = (node: string, hostNetwork: boolean) => (node === '' ? '-' : hostNetwork ? `${node} (host)` : node);
const count = (n: number | null) => (n === null ? '-' : String(n));

export function probeTable(report: ProbeReport, paint: Paint): string {
  const rows = report.paths.map((p) => [
    p.path,
    endpoint(p.from, p.fromHostNetwork),
    endpoint(p.to, p.toHostNetwork),
    count(p.sent),
    count(p.received),
    p.lossPercent === null ? '-' : `${p.lossPercent}%`,
    p.verdict,
    p.evidence.length === 0 ? '-' : p.evidence.join('; '),
  ]);
  const text = renderTable(['PATH', 'FROM', 'TO', 'SENT', 'RECEIVED', 'LOSS', 'VERDICT', 'EVIDENCE'], rows, false);
  const lines = text.split('\n');
  report.paths.forEach((p, i) => {
    if (p.verdict !== 'delivered' && p.verdict !== 'skipped') lines[i + 1] = paint.warn(lines[i + 1]);
  });
  return lines.join('\n');
}

export function probeDocument(report: ProbeReport): Record<string, unknown> {
  return {
    apiVersion: API_VERSION,
    kind: 'MulticastProbe',
    namespace: report.namespace,
    kept: report.kept,
    group: report.group,
    port: report.port,
    count: report.count,
    intervalMs: report.intervalMs,
    image: report.image,
    trafficEncapMode: report.encapMode,
    delivered: report.failingNodes.length === 0,
    failingNodes: report.failingNodes,
    paths: report.paths.map((p) => ({
      path: p.path,
      from: { node: p.from, hostNetwork: p.fromHostNetwork, ...(p.sender ? { pod: p.sender } : {}) },
      to: { node: p.to, hostNetwork: p.toHostNetwork, ...(p.receiver ? { pod: p.receiver } : {}) },
      sent: p.sent,
      received: p.received,
      lossPercent: p.lossPercent,
      verdict: p.verdict,
      evidence: p.evidence,
      podMulticastStats: { senderOutbound: p.senderOutbound, receiverInbound: p.receiverInbound },
    })),
  };
}

export function formatProbeReport(report: ProbeReport, format: 'table' | StructuredFormat, paint: Paint): string {
  return format === 'table' ? probeTable(report, paint) : formatStructured(format, probeDocument(report));
}
