import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL, kubectl, startSim, type RunningSim } from '../helpers/sim.js';

const U64_MAX = '18446744073709551615';
// 2^53 + 1: the first integer a double cannot hold.
const ABOVE_DOUBLE = '9007199254740993';

// A u64 counter read from a scenario file reaches every output with its exact digits, as a kernel and
// antctl print them (print_u64 / %PRIu64 in iproute2, %lu in ipmr.c, Go's uint64 in antctl).
describe.runIf(KUBECTL !== undefined || process.env.CI === 'true')('64-bit counters from a scenario file', () => {
  let sim: RunningSim;
  let dir: string;
  let agent: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcastctl-u64-'));
    const file = join(dir, 'u64.yaml');
    writeFileSync(file, [
      'antreaVersion: v2.7.0',
      'config: { agent: { multicast.enable: true } }',
      'nodes:',
      '  - name: node-a',
      '    internalIP: 172.18.0.2',
      '    kernel:',
      '      mroutes:',
      `        - { source: 10.10.0.5, group: 239.255.12.42, iif: antrea-gw0, oifs: [eth0], packets: ${U64_MAX}, bytes: ${ABOVE_DOUBLE}, age: 0.05 }`,
      'workloads:',
      `  - { name: big-sender, namespace: media, node: node-a, ip: 10.10.0.5, inbound: ${ABOVE_DOUBLE}, outbound: ${U64_MAX} }`,
      '',
    ].join('\n'));
    sim = await startSim(file);
    agent = sim.server.cluster.agentPod('node-a')!.metadata.name;
  });
  afterAll(async () => {
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const exec = (...argv: string[]) => kubectl(sim, ['exec', '-n', 'kube-system', agent, '-c', 'antrea-agent', '--', ...argv]);

  it('ip -s -j mroute prints the exact digits', async () => {
    const r = await exec('ip', '-s', '-j', 'mroute');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`"packets":${U64_MAX},"bytes":${ABOVE_DOUBLE}`);
  });

  it('ip -s mroute text prints the exact digits', async () => {
    const r = await exec('ip', '-s', 'mroute');
    expect(r.stdout).toContain(`  ${U64_MAX} packets, ${ABOVE_DOUBLE} bytes`);
  });

  it('/proc/net/ip_mr_cache prints the exact digits', async () => {
    const r = await exec('cat', '/proc/net/ip_mr_cache');
    expect(r.stdout.split('\n')[1].split(/\s+/).slice(3, 5)).toEqual([U64_MAX, ABOVE_DOUBLE]);
  });

  it('antctl get podmulticaststats -o json prints the exact digits as strings', async () => {
    const r = await exec('antctl', 'get', 'podmulticaststats', '-o', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toContainEqual({ name: 'big-sender', podNamespace: 'media', inbound: ABOVE_DOUBLE, outbound: U64_MAX });
  });
});
