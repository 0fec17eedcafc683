/**
 * Issue cases of "nothing lost": the backup survives every failure path of a write, rollback never
 * drops a concurrent writer's change, doctor never dies with a stack dump, usage errors exit 2.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mcastctl, startSim, testPki, type RunningSim } from '../helpers/sim.js';
import { FaultProxy, type FaultRule } from './fault-proxy.js';
import type { Fault } from '../sim/scenario.js';

let sim: RunningSim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const cm = () => sim!.server.cluster.antreaConfig;
const dataOf = () => structuredClone(cm().data) as Record<string, string>;
/** Faults in the simulator itself (each limited by `times`, so later commands run clean). */
const faults = (...list: Fault[]) => {
  for (const f of list) sim!.server.cluster.faults.add(f);
};
const oneLine = (stderr: string) => expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);

/** Runs mcastctl through a fault proxy with these rules; the simulator itself keeps running. */
async function throughProxy(rules: FaultRule[], args: string[]) {
  const proxy = new FaultProxy(sim!.server.port, testPki(), sim!.server.token);
  await proxy.start();
  proxy.add(...rules);
  const kubeconfig = join(sim!.dir, `proxy-${proxy.port}`);
  writeFileSync(kubeconfig, proxy.kubeconfig(readFileSync(sim!.kubeconfig, 'utf8')), { mode: 0o600 });
  try {
    return await mcastctl(undefined, args, { KUBECONFIG: kubeconfig });
  } finally {
    await proxy.stop();
  }
}

describe('a failed write never loses the last good config', () => {
  const cases: Array<[string, Fault | 'kill', number, RegExp]> = [
    ['409 five times', { kind: 'conflict', path: '^configmaps/antrea-config$', times: 5 }, 1, /^error: antrea-config kept changing under us \(5 conflicts\); nothing was written, try again$/],
    ['403 on the PATCH', { kind: 'forbidden', method: 'PATCH', path: '/configmaps/antrea-config$', times: 1 }, 4, /^Error from server \(Forbidden\): /],
    ['500 on the PATCH', { kind: 'server-error', method: 'PATCH', path: '/configmaps/antrea-config$', times: 1 }, 1, /^Error from server \(InternalError\): /],
    ['the API server gone just before the PATCH', 'kill', 5, /^(error: )?Unable to connect to the server: /],
  ];
  it.each(cases)('%s: rollback still restores the data before "featuregate set"', async (_name, fault, code, message) => {
    sim = await startSim('default');
    const original = dataOf();
    expect((await mcastctl(sim, ['featuregate', 'set', 'Egress=false', '--no-restart'])).code).toBe(0);
    const afterSet = dataOf();
    expect(afterSet).not.toEqual(original);

    const args = ['multicast', 'disable', '--no-restart'];
    if (fault !== 'kill') faults(fault);
    const failed = fault === 'kill' ? await throughProxy([{ method: 'PATCH', path: /\/configmaps\/antrea-config$/, action: { kind: 'kill' } }], args) : await mcastctl(sim, args);
    expect(failed.code).toBe(code);
    oneLine(failed.stderr);
    expect(failed.stderr.trim()).toMatch(message);
    expect(dataOf()).toEqual(afterSet);

    const list = await mcastctl(sim, ['multicast', 'rollback', '--list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+SAVED-AT\s+KEYS\s+CURRENT$/);
    expect(list.stdout).toMatch(/^\d{8}T\d{9}Z +\S+ +antrea-agent\.conf +no\n\d{8}T\d{9}Z +\S+ +antrea-agent\.conf,antrea-controller\.conf +yes\n$/m);

    const rollback = await mcastctl(sim, ['multicast', 'rollback', '--no-restart']);
    expect(rollback.code).toBe(0);
    expect(dataOf()).toEqual(original);
  }, 60_000);
});

describe('rollback and a concurrent writer', () => {
  it('a 409 whose writer appended a line: rollback refuses, shows the line, keeps it; --force restores', async () => {
    sim = await startSim('default');
    const original = dataOf();
    expect((await mcastctl(sim, ['featuregate', 'set', 'Egress=false', '--no-restart'])).code).toBe(0);
    const appended = `${cm().data['antrea-agent.conf']}# added by another writer\n`;
    faults({ kind: 'conflict', path: '^configmaps/antrea-config$', times: 1, concurrentData: { 'antrea-agent.conf': appended } });
    const r = await mcastctl(sim, ['multicast', 'rollback', '--no-restart']);
    expect(r.code).toBe(1);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/^error: antrea-config changed since mcastctl saved backup \d{8}T\d{9}Z \(antrea-agent\.conf no longer holds what that change wrote\): rolling back would drop the later change shown above; nothing was written\. Restore anyway with --to \d{8}T\d{9}Z --force, or see --list\n$/);
    expect(r.stdout).toContain('-# added by another writer\n');
    expect(cm().data['antrea-agent.conf']).toBe(appended);

    const id = /--to (\S+)/.exec(r.stderr)![1];
    const forced = await mcastctl(sim, ['multicast', 'rollback', '--to', id, '--force', '--no-restart']);
    expect(forced.code).toBe(0);
    expect(dataOf()).toEqual(original);
  }, 60_000);

  it('a change made outside mcastctl is never dropped by a plain rollback', async () => {
    sim = await startSim('default');
    expect((await mcastctl(sim, ['featuregate', 'set', 'Egress=false', '--no-restart'])).code).toBe(0);
    cm().data['antrea-agent.conf'] += '# edited by hand\n';
    const r = await mcastctl(sim, ['multicast', 'rollback', '--no-restart']);
    expect(r.code).toBe(1);
    expect(cm().data['antrea-agent.conf']).toMatch(/# edited by hand\n$/);
  }, 30_000);
});

describe('rollback --list', () => {
  it('on a cluster mcastctl never changed: "No backups found" on stderr, exit 0', async () => {
    sim = await startSim('read-commands');
    const list = await mcastctl(sim, ['multicast', 'rollback', '--list']);
    expect(list).toMatchObject({ code: 0, stdout: '', stderr: 'No backups found in configmap/antrea-config-mcastctl-backup (mcastctl has not changed antrea-config in namespace kube-system).\n' });
    // rollback itself still has nothing to restore: that is an error.
    expect((await mcastctl(sim, ['multicast', 'rollback', '--no-restart'])).code).toBe(1);
  });

  it('after disable/enable alternated 11 times, CURRENT is yes on one row only: the backup rollback restores', async () => {
    sim = await startSim('read-commands');
    for (let i = 0; i < 11; i++) {
      expect((await mcastctl(sim, ['multicast', 'disable', '--no-restart'])).code).toBe(0);
      expect((await mcastctl(sim, ['multicast', 'enable', '--no-restart'])).code).toBe(0);
    }
    const list = await mcastctl(sim, ['multicast', 'rollback', '--list']);
    expect(list.code).toBe(0);
    const rows = list.stdout.trimEnd().split('\n').slice(1);
    expect(rows).toHaveLength(20);
    expect(rows.map((r) => r.split(/ +/)[3])).toEqual(['yes', ...Array(19).fill('no')]);
  }, 120_000);
});

describe('rollback after a write that never landed', () => {
  it('says there is nothing to roll back, truly, and changes nothing', async () => {
    sim = await startSim('default');
    const original = dataOf();
    faults({ kind: 'forbidden', method: 'PATCH', path: '/configmaps/antrea-config$', times: 1 });
    expect((await mcastctl(sim, ['multicast', 'disable', '--no-restart'])).code).toBe(4);
    const r = await mcastctl(sim, ['multicast', 'rollback', '--no-restart']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: nothing to roll back: the change after backup \d{8}T\d{9}Z was never written, and antrea-config still holds what that backup saved \(see --list\)\n$/);
    expect(dataOf()).toEqual(original);
  }, 30_000);
});

describe('a hanging credential plugin', () => {
  it('is bounded by --request-timeout: exit 5, one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcastctl-plugin-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1', 'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]',
        'users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: sleep, args: ["30"], interactiveMode: Never}}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]', 'current-context: x', '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const started = Date.now();
    const r = await mcastctl(undefined, ['--request-timeout', '2s', 'get', 'mroute'], { KUBECONFIG: kubeconfig });
    expect(Date.now() - started).toBeLessThan(2000 + 1000 + 5000);
    expect(r).toEqual({ code: 5, stdout: '', stderr: 'error: Unable to connect to the server: request to 127.0.0.1:1 timed out\n' });
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);
});

describe('no crash dump', () => {
  it('doctor while GET /api/v1/nodes answers 500 and one Node is slow: one line, exit 1', async () => {
    sim = await startSim('default');
    faults({ kind: 'server-error', method: 'GET', path: '^/api/v1/nodes$', times: 1 }, { kind: 'slow', node: 'k8s-node-2', path: 'exec', delayMs: 1500 });
    const r = await mcastctl(sim, ['doctor']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error from server (InternalError): Internal error occurred: simulated server failure\n');
  }, 30_000);

  it('the API server killed mid-doctor: one line, exit 5', async () => {
    sim = await startSim('default');
    const r = await throughProxy([{ node: 'k8s-node-2', upgrade: true, action: { kind: 'kill' } }], ['doctor']);
    // The code says how far doctor got before the server died: unreachable (5), or with what it had
    // read by then, the Nodes that could not answer named (3), their checks UNKNOWN (7).
    expect([1, 3, 5, 7]).toContain(r.code);
    expect(r.stderr).not.toContain('Node.js');
    for (const line of r.stderr.split('\n').filter(Boolean)) expect(line).toMatch(/^(error: |Error from server|Unable to connect|The connection to the server|Warning: )/);
  }, 30_000);
});

describe('flag values are usage errors (exit 2) before anything is sent', () => {
  it.each([
    [['multicast', 'enable', '--antrea-version', 'banana'], 'error: invalid --antrea-version "banana": expected a version such as v2.7.0'],
    [['featuregate', 'set', 'Multicast=true', '--antrea-version', 'devel-1.2.3'], 'error: invalid --antrea-version "devel-1.2.3": expected a version such as v2.7.0'],
    [['get', 'mroute', '--group', '10.0.0.1'], 'error: invalid multicast group "10.0.0.1" for --group: not a multicast address (224.0.0.0/4, such as 239.255.12.42)'],
    [['get', 'multicastgroups', '10.0.0.1'], 'error: invalid multicast group "10.0.0.1" for GROUP: not a multicast address (224.0.0.0/4, such as 239.255.12.42)'],
    [['get', 'podmulticaststats', '-n', '--output=yaml'], 'error: flag needs an argument: --namespace was given "--output=yaml", which is a flag'],
    [['get', 'mroute', '-o', 'custom-columns=A:.items[('], 'error: error parsing jsonpath {.items[(}: unclosed "("'],
    [['get', 'mroute', '--node='], 'error: flag needs a non-empty value: --node'],
    [['get', 'podmulticaststats', '-n='], 'error: flag needs a non-empty value: --namespace'],
    [['--node-timeout', '600h', 'get', 'mroute'], 'error: invalid duration "600h" for --node-timeout: at most 596h31m23.647s (or 0 for no limit)'],
    [['--request-timeout', '9999999999', 'get', 'mroute'], 'error: invalid duration "9999999999" for --request-timeout: at most 596h31m23.647s (or 0 for no limit)'],
  ])('%j', async (args, stderr) => {
    const r = await mcastctl(undefined, args, { KUBECONFIG: '/nonexistent' });
    expect(r).toEqual({ code: 2, stdout: '', stderr: `${stderr}\n` });
  });
});
