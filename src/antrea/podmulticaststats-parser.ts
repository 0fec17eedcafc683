/**
 * `antctl get podmulticaststats -o json` and the agent's `/podmulticaststats`:
 * [{name, podNamespace, inbound, outbound}] with the counters as decimal strings of uint64 packet
 * counts (antrea pkg/agent/apis/types.go MulticastResponse, handler
 * pkg/agent/apiserver/handlers/multicast/handler.go, strconv.FormatUint; v1.7.0 … v2.7.0).
 * Counters are read as bigint: a uint64 beyond 2^53 stays exact.
 */
import { parseExactJson } from './mroute-parser.js';
import { describeUnexpected } from '../bounded-text.js';

export interface PodMulticastStats {
  namespace: string;
  name: string;
  /** Packets, exact. */
  inbound: bigint;
  outbound: bigint;
  /** Fields this parser does not know, kept as sent. */
  extra?: Record<string, unknown>;
}

const KNOWN_KEYS = new Set(['name', 'podNamespace', 'inbound', 'outbound']);

/**
 * Reads the JSON list. Throws an Error naming the entry when a counter is not a decimal string
 * (a number token is accepted too, exactly); unknown keys are kept in `extra` and passed to `note`.
 */
export function parsePodMulticastStatsJson(text: string, note?: (message: string) => void): PodMulticastStats[] {
  let parsed: unknown;
  try {
    parsed = parseExactJson(text);
  } catch (err) {
    throw new Error(`"antctl get podmulticaststats -o json" printed no JSON (${(err as Error).message}): ${describeUnexpected(text)}`);
  }
  if (!Array.isArray(parsed)) throw new Error('"antctl get podmulticaststats -o json" printed no JSON list');
  return parsed.map((item: Record<string, unknown>, index) => {
    // omitempty never drops a FormatUint string, but an absent counter reads as 0 as antctl shows it.
    const counter = (key: 'inbound' | 'outbound'): bigint => {
      const v = item?.[key] ?? '0';
      if (typeof v === 'bigint' && v >= 0n) return v;
      if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new Error(`entry ${index + 1}: ${key} is ${typeof v === 'bigint' ? v : JSON.stringify(v)}, not a decimal counter`);
      return BigInt(v);
    };
    if (typeof item?.name !== 'string' || typeof item?.podNamespace !== 'string') {
      throw new Error(`entry ${index + 1}: name and podNamespace are required: ${JSON.stringify(item, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
    }
    const stats: PodMulticastStats = { namespace: item.podNamespace, name: item.name, inbound: counter('inbound'), outbound: counter('outbound') };
    for (const key of Object.keys(item)) {
      if (KNOWN_KEYS.has(key)) continue;
      stats.extra = { ...(stats.extra ?? {}), [key]: item[key] };
      note?.(`podmulticaststats entry ${index + 1}: unknown field "${key}" kept as an extra`);
    }
    return stats;
  });
}

export interface Sample {
  at: number;
  inbound: bigint;
  outbound: bigint;
}

export type Rate = { kind: 'rate'; perSecond: number } | { kind: 'reset' } | { kind: 'unknown' };

/** Packets per second between two samples; a counter that went backwards (agent restart) is a reset, never negative. */
export function rateBetween(previous: Sample | undefined, current: Sample, key: 'inbound' | 'outbound'): Rate {
  if (!previous || current.at <= previous.at) return { kind: 'unknown' };
  const delta = current[key] - previous[key];
  if (delta < 0n) return { kind: 'reset' };
  return { kind: 'rate', perSecond: Number(delta) / ((current.at - previous.at) / 1000) };
}
