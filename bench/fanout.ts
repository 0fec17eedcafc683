/**
 * npm run bench: times `mcastctl get podmulticaststats -A` against a shell loop of `kubectl exec`
 * and against `xargs -P8 kubectl exec`, on simulated clusters of 10, 100 and 500 agents whose execs
 * each take 20–50 ms, all in one run; then mcastctl's peak RSS at 1,000 agents.
 * BENCH_SIZES=10,100 narrows the run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SimApiServer } from '../test/sim/api-server.js';
import type { Scenario } from '../test/sim/scenario.js';

const root = resolve(import.meta.dirname, '..');
const kubectlBinary = ['/usr/lib/google-cloud-sdk/bin/kubectl.1.32', '/usr/bin/kubectl'].find((p) => existsSync(p));
const sizes = (process.env.BENCH_SIZES ?? '10,100,500').split(',').map(Number);

function scenarioOf(count: number): Scenario {
  const nodes = Array.from({ length: count }, (_, i) => `node-${String(i + 1).padStart(4, '0')}`);
  return {
    antreaVersion: 'v2.7.0',
    config: { agent: { 'multicast.enable': true } },
    nodes: nodes.map((name, i) => ({ name, internalIP: `172.18.${Math.floor(i / 250)}.${(i % 250) + 2}` })),
    workloads: nodes.map((node, i) => ({ name: `receiver-${i + 1}`, namespace: 'media', node, inbound: 1000 + i, outbound: 0, groups: ['239.255.12.42'] })),
    execLatencyMs: [20, 50],
  };
}

interface Timed {
  seconds: number;
  stdout: string;
  stderr: string;
  code: number;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv, stdinFile?: string): Promise<Timed> {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('error', fail);
    child.on('close', (code) => done({ seconds: Number(process.hrtime.bigint() - started) / 1e9, stdout, stderr, code: code ?? -1 }));
    void stdinFile;
  });
}

const mcastctlArgs = (extra: string[] = []) => [join(root, 'bin', 'mcastctl.js'), 'get', 'podmulticaststats', '-A', '-o', 'name', ...extra];
const maxRss = (stderr: string) => Number(/max-rss-kb=(\d+)/.exec(stderr)?.[1] ?? NaN) / 1024;

async function withCluster<T>(count: number, body: (server: SimApiServer, kubeconfig: string, dir: string) => Promise<T>): Promise<T> {
  const server = new SimApiServer(scenarioOf(count));
  await server.start();
  const dir = mkdtempSync(join(tmpdir(), 'mcastctl-bench-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfig());
  try {
    return await body(server, kubeconfig, dir);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: string[][] = [['agents', 'mcastctl s', 'kubectl loop s', 'xargs -P8 s', 'vs loop', 'vs xargs', 'mcastctl max RSS MB']];
for (const count of sizes) {
  const row = await withCluster(count, async (server, kubeconfig, dir) => {
    const env = { KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'cache') };
    const podsFile = join(dir, 'pods.txt');
    writeFileSync(podsFile, [...server.cluster.agents.values()].map((a) => `${a.podName}\n`).join(''));
    const ours = await timed(process.execPath, ['--import', join(root, 'bench', 'report-max-rss.mjs'), ...mcastctlArgs()], env);
    const listed = ours.stdout.trim().split('\n').length;
    if (ours.code !== 0 || listed !== count) throw new Error(`mcastctl failed at ${count} agents (exit ${ours.code}, ${listed} Pods): ${ours.stderr}`);
    const exec = `"${kubectlBinary}" exec -n kube-system "$pod" -c antrea-agent -- antctl get podmulticaststats -o json`;
    // The Pod names come from a file, never from the script text.
    const loop = await timed('bash', ['-c', `while read -r pod; do ${exec} >/dev/null || exit 1; done < "$0"`, podsFile], env);
    const xargs = await timed('bash', ['-c', `xargs -P8 -I{} "${kubectlBinary}" exec -n kube-system {} -c antrea-agent -- antctl get podmulticaststats -o json < "$0" >/dev/null`, podsFile], env);
    if (loop.code !== 0 || xargs.code !== 0) throw new Error(`kubectl baseline failed: ${loop.stderr}${xargs.stderr}`);
    return [String(count), ours.seconds.toFixed(2), loop.seconds.toFixed(2), xargs.seconds.toFixed(2), `${(loop.seconds / ours.seconds).toFixed(1)}x`, `${(xargs.seconds / ours.seconds).toFixed(1)}x`, maxRss(ours.stderr).toFixed(0)];
  });
  rows.push(row);
  process.stderr.write(`${row.join('  ')}\n`);
}

// doctor asks every agent several things (gates, podmulticaststats probe, conf, IGMP, mroutes, logs).
const doctor500 = sizes.includes(500)
  ? await withCluster(500, async (_server, kubeconfig) => {
      const ours = await timed(process.execPath, [join(root, 'bin', 'mcastctl.js'), 'doctor', '-o', 'json'], { KUBECONFIG: kubeconfig });
      const checks = JSON.parse(ours.stdout).items.length;
      if (checks !== 15) throw new Error(`doctor failed at 500 agents (exit ${ours.code}): ${ours.stderr}`);
      return ours.seconds;
    })
  : undefined;

const rss1000 = await withCluster(1000, async (_server, kubeconfig) => {
  const ours = await timed(process.execPath, ['--import', join(root, 'bench', 'report-max-rss.mjs'), ...mcastctlArgs()], { KUBECONFIG: kubeconfig });
  if (ours.code !== 0) throw new Error(`mcastctl failed at 1000 agents: ${ours.stderr}`);
  return { seconds: ours.seconds, rss: maxRss(ours.stderr) };
});

const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
process.stdout.write(`\nmcastctl get podmulticaststats -A vs kubectl exec per agent (exec latency 20-50 ms, ${kubectlBinary})\n`);
for (const r of rows) process.stdout.write(`${r.map((c, j) => c.padEnd(widths[j])).join('   ').trimEnd()}\n`);
process.stdout.write(`\n1000 agents: mcastctl ${rss1000.seconds.toFixed(2)} s, peak RSS ${rss1000.rss.toFixed(0)} MB (goal <= 200 MB)\n`);
process.stdout.write('Goals at 500 agents: >= 30x the loop, >= 4x xargs -P8.\n');
if (doctor500 !== undefined) process.stdout.write(`mcastctl doctor at 500 agents (every check, same fan-out bounds): ${doctor500.toFixed(2)} s\n`);
