import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { fatalLineOf, isCrashLooping } from '../../src/cluster/agent-crash.js';

const pod = (name: string, status: Record<string, unknown>): V1Pod => ({ metadata: { name }, status: { containerStatuses: [{ name: 'antrea-agent', image: 'x', imageID: 'x', ready: false, restartCount: 0, ...status }] } }) as V1Pod;

describe('fatalLineOf', () => {
  it('klog\'s fatal line with the lines its message continues on (yaml.v2 unmarshal errors)', () => {
    const log = 'I1129 21:00:00.000000       1 log_file.go:93] Set log file max size to 104857600\nF1129 21:00:00.100000       1 main.go:47] Failed to complete: yaml: unmarshal errors:\n  line 321: field enable not found in type agent.MulticastConfig\n';
    expect(fatalLineOf(log)).toBe('F1129 21:00:00.100000       1 main.go:47] Failed to complete: yaml: unmarshal errors: line 321: field enable not found in type agent.MulticastConfig');
  });

  it('without a fatal line, the last error line; nothing when there is none', () => {
    expect(fatalLineOf('I1129 a\nE1129 21:00:00.000000 1 x.go:1] "Failed" err="boom"\nI1129 b\n')).toBe('E1129 21:00:00.000000 1 x.go:1] "Failed" err="boom"');
    expect(fatalLineOf('I1129 all good\n')).toBeUndefined();
  });
});

describe('isCrashLooping', () => {
  it('a new Pod in CrashLoopBackOff, or restarted since the baseline, crash-loops; one already failing before is not blamed', () => {
    const backOff = { state: { waiting: { reason: 'CrashLoopBackOff' } }, restartCount: 2 };
    expect(isCrashLooping(pod('new', backOff), new Map())).toBe(true);
    expect(isCrashLooping(pod('old', backOff), new Map([['old', { restarts: 1, ready: false }]]))).toBe(false);
    expect(isCrashLooping(pod('was-ready', { state: { running: {} }, restartCount: 1, lastState: { terminated: { exitCode: 255 } } }), new Map([['was-ready', { restarts: 0, ready: true }]]))).toBe(true);
    expect(isCrashLooping(pod('starting', { state: { waiting: { reason: 'ContainerCreating' } } }), new Map())).toBe(false);
    expect(isCrashLooping(pod('ready', { ready: true, state: { running: {} } }), new Map())).toBe(false);
  });
});
