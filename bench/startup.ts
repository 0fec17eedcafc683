/**
 * Start-up cost, in one run: `mcastctl --help` against a bare `node -e 0`, and one
 * `mcastctl get featuregates` against `kubectl get pods -n kube-system` on the same simulated cluster.
 * Goals: --help <= 1.3x bare node; a single get <= 3x kubectl.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SimApiServer } from '../test/sim/api-server.js';
import { loadScenario } from '../test/sim/scenario.js';

const root = resolve(import.meta.dirname, '..');
const kubectlBinary = ['/usr/lib/google-cloud-sdk/bin/kubectl.1.32', '/usr/bin/kubectl'].find((p) => existsSync(p));
const runs = Number(process.env.BENCH_RUNS ?? 15);

function timeOnce(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('close', (code) => (code === 0 ? done(Number(process.hrtime.bigint() - started) / 1e6) : fail(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${stderr}`))));
  });
}

/** Median wall time of each command over `runs` runs, after 2 warm-up runs; the commands alternate. */
async function measure(commands: Record<string, [string, string[], NodeJS.ProcessEnv?]>): Promise<Record<string, number>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < runs + 2; i++) {
    for (const [name, [cmd, args, env]] of Object.entries(commands)) {
      const ms = await timeOnce(cmd, args, env);
      if (i >= 2) times[name].push(ms);
    }
  }
  // The median: one start slowed by the machine's other work should not move the ratio.
  const median = (v: number[]) => {
    const sorted = [...v].sort((a, b) => a - b);
    return (sorted[Math.floor((sorted.length - 1) / 2)] + sorted[Math.ceil((sorted.length - 1) / 2)]) / 2;
  };
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

const bin = join(root, 'bin', 'mcastctl.js');
const help = await measure({ node: [process.execPath, ['-e', '0']], help: [process.execPath, [bin, '--help']], version: [process.execPath, [bin, '--version']] });

const server = new SimApiServer(loadScenario('default'));
await server.start();
const dir = mkdtempSync(join(tmpdir(), 'mcastctl-startup-'));
const kubeconfig = join(dir, 'kubeconfig');
writeFileSync(kubeconfig, server.kubeconfig());
let get: Record<string, number> = {};
try {
  if (!kubectlBinary) throw new Error('kubectl is not installed');
  const env = { KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'cache') };
  get = await measure({ kubectl: [kubectlBinary, ['get', 'pods', '-n', 'kube-system'], env], get: [process.execPath, [bin, 'get', 'featuregates'], env] });
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
writeFileSync(1, [
  `\nstart-up, median of ${runs} runs each (Node ${process.version})`,
  `node -e 0                        ${help.node.toFixed(0)} ms`,
  `mcastctl --help                  ${help.help.toFixed(0)} ms   ${(help.help / help.node).toFixed(2)}x bare node (goal <= 1.3x)`,
  `mcastctl --version               ${help.version.toFixed(0)} ms   ${(help.version / help.node).toFixed(2)}x bare node`,
  `kubectl get pods -n kube-system  ${get.kubectl.toFixed(0)} ms`,
  `mcastctl get featuregates        ${get.get.toFixed(0)} ms   ${(get.get / get.kubectl).toFixed(2)}x kubectl (goal <= 3x)`,
  '',
].join('\n'));
