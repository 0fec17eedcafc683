/** `antctl get podmulticaststats -o json`: [{name, podNamespace, inbound, outbound}], counters as strings. */

export interface PodMulticastStats {
  namespace: string;
  name: string;
  inbound: number;
  outbound: number;
}

export function parsePodMulticastStatsJson(text: string): PodMulticastStats[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`"antctl get podmulticaststats -o json" printed no JSON (${(err as Error).message}): ${JSON.stringify(text.split('\n')[0])}`);
  }
  if (!Array.isArray(parsed)) throw new Error('"antctl get podmulticaststats -o json" printed no JSON list');
  return parsed.map((item: Record<string, unknown>, index) => {
    const counter = (key: 'inbound' | 'outbound') => {
      const v = item?.[key] ?? '0';
      if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new Error(`entry ${index + 1}: ${key} is ${JSON.stringify(v)}, not a decimal counter`);
      return Number(v);
    };
    if (typeof item?.name !== 'string' || typeof item?.podNamespace !== 'string') {
      throw new Error(`entry ${index + 1}: name and podNamespace are required: ${JSON.stringify(item)}`);
    }
    return { namespace: item.podNamespace, name: item.name, inbound: counter('inbound'), outbound: counter('outbound') };
  });
}

export interface Sample {
  at: number;
  inbound: number;
  outbound: number;
}

export type Rate = { kind: 'rate'; perSecond: number } | { kind: 'reset' } | { kind: 'unknown' };

/** Packets per second between two samples; a counter that went backwards (agent restart) is a reset, never negative. */
export function rateBetween(previous: Sample | undefined, current: Sample, key: 'inbound' | 'outbound'): Rate {
  if (!previous || current.at <= previous.at) return { kind: 'unknown' };
  const delta = current[key] - previous[key];
  if (delta < 0) return { kind: 'reset' };
  return { kind: 'rate', perSecond: delta / ((current.at - previous.at) / 1000) };
}
