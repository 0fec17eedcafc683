/**
 * npm run bench: every scale and start-up goal of mcastctl, each measured in this one run against
 * its baseline on the same machine, then a table saying which goals are met.
 *
 * - `get featuregates -o json` at 1,000 and 5,000 agents: client CPU per agent and peak RSS.
 * - `get podmulticaststats -A` at 500 agents (every exec 20–50 ms) against a shell loop of
 *   `kubectl exec` and against `xargs -P8 kubectl exec`.
 * - `doctor` at 500 agents (every exec 20–50 ms).
 * - `get featuregates --node X` and `--help` against a bare `node -e 0` (medians).
 *
 * The simulated API server runs in this process, on the same cores as mcastctl: its CPU is not
 * counted in mcastctl's, but it competes for the machine. BENCH_QUICK=1 shrinks every size;
 * BENCH_ONLY=scale,fanout,startup picks parts.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SimApiServer } from '../test/sim/api-server.js';
import type { Scenario } from '../test/sim/scenario.js';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'mcastctl.js');
const usageReporter = join(root, 'bench', 'report-usage.mjs');
const kubectlBinary = ['/usr/lib/google-cloud-sdk/bin/kubectl.1.32', '/usr/bin/kubectl'].find((p) => existsSync(p));
const quick = process.env.BENCH_QUICK === '1';
const large = quick ? [200, 500] : [1000, 5000];
const fanOutSize = quick ? 100 : 500;
const startRuns = quick ? 5 : 15;
/** BENCH_ONLY=scale,fanout,startup runs only those parts. */
const only = new Set((process.env.BENCH_ONLY ?? 'scale,fanout,startup').split(','));

function scenarioOf(count: number, execLatencyMs?: [number, number]): Scenario {
  const nodes = Array.from({ length: count }, (_, i) => `node-${String(i + 1).padStart(4, '0')}`);
  return {
    antreaVersion: 'v2.7.0',
    config: { agent: { 'multicast.enable': true } },
    nodes: nodes.map((name, i) => ({ name, internalIP: `172.18.${Math.floor(i / 250)}.${(i % 250) + 2}` })),
    workloads: nodes.map((node, i) => ({ name: `receiver-${i + 1}`, namespace: 'media', node, inbound: 1000 + i, outbound: 0, groups: ['239.255.12.42'] })),
    ...(execLatencyMs ? { execLatencyMs } : {}),
  };
}

interface Timed {
  seconds: number;
  stdout: string;
  stderr: string;
  code: number;
  rssMb: number;
  cpuMs: number;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('error', fail);
    child.on('close', (code) => {
      const usage = /max-rss-kb=(\d+) cpu-us=(\d+)/.exec(stderr);
      done({
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr,
        code: code ?? -1,
        rssMb: usage ? Number(usage[1]) / 1024 : NaN,
        cpuMs: usage ? Number(usage[2]) / 1000 : NaN,
      });
    });
  });
}

const mcastctl = (args: string[], env: NodeJS.ProcessEnv) => timed(process.execPath, ['--import', usageReporter, bin, ...args], env);

async function withCluster<T>(scenario: Scenario, body: (server: SimApiServer, env: NodeJS.ProcessEnv, dir: string) => Promise<T>): Promise<T> {
  const server = new SimApiServer(scenario);
  await server.start();
  const dir = mkdtempSync(join(tmpdir(), 'mcastctl-bench-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfig());
  try {
    return await body(server, { KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'cache') }, dir);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function check(what: string, ran: Timed, ok: boolean): void {
  if (ran.code !== 0 || !ok) throw new Error(`${what} failed (exit ${ran.code}): ${ran.stderr.slice(0, 2000)}`);
}

const median = (v: number[]) => {
  const sorted = [...v].sort((a, b) => a - b);
  return (sorted[Math.floor((sorted.length - 1) / 2)] + sorted[Math.ceil((sorted.length - 1) / 2)]) / 2;
};

/** Median wall time of each command after 2 warm-up runs; the commands alternate so load hits all alike. */
async function startTimes(commands: Record<string, [string, string[], NodeJS.ProcessEnv]>): Promise<Record<string, number>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < startRuns + 2; i++) {
    for (const [name, [cmd, args, env]] of Object.entries(commands)) {
      const ran = await timed(cmd, args, env);
      if (ran.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${ran.code}): ${ran.stderr}`);
      if (i >= 2) times[name].push(ran.seconds * 1000);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

interface Goal {
  work: string;
  measured: string;
  goal: string;
  met: boolean;
}
const goals: Goal[] = [];
const log = (line: string) => process.stderr.write(`${line}\n`);

// 1. The fleet-wide read at scale: client CPU per agent and peak RSS (execs answer at once, so
//    the CPU is mcastctl's own work: TLS, WebSocket, parsing, printing).
for (const count of only.has('scale') ? large : []) {
  const result = await withCluster(scenarioOf(count), async (_server, env) => {
    if (count === large[0]) {
      const floor = await timed(process.execPath, [join(root, 'bench', 'tls-floor.mjs'), env.KUBECONFIG!, '500'], {});
      check('TLS floor', floor, true);
      const ms = Number(floor.stdout.trim());
      log(`one resumed TLS connection with one request: ${ms.toFixed(3)} ms client CPU`);
      goals.push({ work: 'floor (not a goal): one new TLS connection, session resumed, one request', measured: `${ms.toFixed(3)} ms client CPU`, goal: '-', met: true });
    }
    const ran = await mcastctl(['get', 'featuregates', '-o', 'json'], env);
    check(`get featuregates at ${count} agents`, ran, JSON.parse(ran.stdout).agents?.length === count);
    return ran;
  });
  const perAgent = result.cpuMs / count;
  log(`get featuregates -o json, ${count} agents: ${result.seconds.toFixed(2)} s, CPU ${result.cpuMs.toFixed(0)} ms (${perAgent.toFixed(3)} ms/agent), peak RSS ${result.rssMb.toFixed(0)} MB`);
  goals.push({ work: `get featuregates -o json, ${count} agents: CPU per agent`, measured: `${perAgent.toFixed(3)} ms (${result.seconds.toFixed(1)} s wall)`, goal: '<= 0.5 ms', met: perAgent <= 0.5 });
  goals.push({ work: `get featuregates -o json, ${count} agents: peak RSS`, measured: `${result.rssMb.toFixed(0)} MB`, goal: '<= 200 MB', met: result.rssMb <= 200 });
}

// 2. Fan-out against kubectl, every exec 20-50 ms as a kubelet round trip.
if (only.has('fanout')) await withCluster(scenarioOf(fanOutSize, [20, 50]), async (server, env, dir) => {
  const podsFile = join(dir, 'pods.txt');
  writeFileSync(podsFile, [...server.cluster.agents.values()].map((a) => `${a.podName}\n`).join(''));
  const ours = await mcastctl(['get', 'podmulticaststats', '-A', '-o', 'name'], env);
  check('get podmulticaststats -A', ours, ours.stdout.trim().split('\n').length === fanOutSize);
  log(`get podmulticaststats -A, ${fanOutSize} agents: ${ours.seconds.toFixed(2)} s`);
  if (!kubectlBinary) throw new Error('kubectl is not installed');
  const exec = `"${kubectlBinary}" exec -n kube-system "$pod" -c antrea-agent -- antctl get podmulticaststats -o json`;
  // The Pod names come from a file, never from the script text.
  const loop = await timed('bash', ['-c', `while read -r pod; do ${exec} >/dev/null || exit 1; done < "$0"`, podsFile], env);
  check('kubectl exec loop', loop, true);
  log(`kubectl exec loop: ${loop.seconds.toFixed(2)} s`);
  const xargs = await timed('bash', ['-c', `xargs -P8 -I{} "${kubectlBinary}" exec -n kube-system {} -c antrea-agent -- antctl get podmulticaststats -o json < "$0" >/dev/null`, podsFile], env);
  check('xargs -P8 kubectl exec', xargs, true);
  log(`xargs -P8 kubectl exec: ${xargs.seconds.toFixed(2)} s`);
  const vsLoop = loop.seconds / ours.seconds;
  const vsXargs = xargs.seconds / ours.seconds;
  goals.push({ work: `get podmulticaststats -A, ${fanOutSize} agents vs kubectl exec loop`, measured: `${vsLoop.toFixed(1)}x (${ours.seconds.toFixed(2)} s vs ${loop.seconds.toFixed(1)} s)`, goal: '>= 30x', met: vsLoop >= 30 });
  goals.push({ work: `get podmulticaststats -A, ${fanOutSize} agents vs xargs -P8`, measured: `${vsXargs.toFixed(1)}x (${ours.seconds.toFixed(2)} s vs ${xargs.seconds.toFixed(1)} s)`, goal: '>= 10x', met: vsXargs >= 10 });

  const doctor = await mcastctl(['doctor', '-o', 'json'], env);
  check('doctor', { ...doctor, code: doctor.code === 4 ? 0 : doctor.code }, (JSON.parse(doctor.stdout).items ?? []).length > 0);
  log(`doctor, ${fanOutSize} agents: ${doctor.seconds.toFixed(2)} s`);
  goals.push({ work: `doctor, ${fanOutSize} agents`, measured: `${doctor.seconds.toFixed(2)} s`, goal: '<= 3 s', met: doctor.seconds <= 3 });
});

// 3. Start-up: one Node's gates and --help against a bare node.
if (only.has('startup')) await withCluster(scenarioOf(3), async (_server, env) => {
  const t = await startTimes({
    node: [process.execPath, ['-e', '0'], {}],
    help: [process.execPath, [bin, '--help'], {}],
    one: [process.execPath, [bin, 'get', 'featuregates', '--node', 'node-0002'], env],
  });
  log(`node -e 0 ${t.node.toFixed(0)} ms, --help ${t.help.toFixed(0)} ms, get featuregates --node ${t.one.toFixed(0)} ms`);
  goals.push({ work: 'get featuregates --node X vs node -e 0', measured: `${(t.one / t.node).toFixed(2)}x (${t.one.toFixed(0)} ms vs ${t.node.toFixed(0)} ms)`, goal: '<= 2.5x', met: t.one / t.node <= 2.5 });
  goals.push({ work: '--help vs node -e 0', measured: `${(t.help / t.node).toFixed(2)}x (${t.help.toFixed(0)} ms vs ${t.node.toFixed(0)} ms)`, goal: '<= 1.2x', met: t.help / t.node <= 1.2 });
});

const rows = [['work', 'measured', 'goal', 'met'], ...goals.map((g) => [g.work, g.measured, g.goal, g.goal === '-' ? '-' : g.met ? 'yes' : 'NO'])];
const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
process.stdout.write(`\nmcastctl goals (Node ${process.version}, simulator on the same cores${quick ? ', BENCH_QUICK sizes' : ''})\n`);
for (const r of rows) process.stdout.write(`${r.map((c, j) => c.padEnd(widths[j])).join('   ').trimEnd()}\n`);
const scored = goals.filter((g) => g.goal !== '-');
const missed = scored.filter((g) => !g.met).length;
process.stdout.write(missed === 0 ? 'every goal met\n' : `${missed} of ${scored.length} goals NOT met\n`);
