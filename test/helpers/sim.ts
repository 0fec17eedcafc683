import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SimApiServer } from '../sim/api-server.js';
import { makeTestPki, type TestPki } from '../sim/certs.js';
import { loadScenario, type Scenario } from '../sim/scenario.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const MCASTCTL = join(ROOT, 'bin', 'mcastctl.js');

let sharedPki: TestPki | undefined;
/** One CA per test process: certificates are cheap but not free. */
export function testPki(): TestPki {
  sharedPki ??= makeTestPki();
  return sharedPki;
}

export interface RunningSim {
  server: SimApiServer;
  dir: string;
  kubeconfig: string;
  stop(): Promise<void>;
}

export async function startSim(scenario: Scenario | string, edit?: (s: Scenario) => void): Promise<RunningSim> {
  const loaded = typeof scenario === 'string' ? loadScenario(scenario) : structuredClone(scenario);
  edit?.(loaded);
  const server = new SimApiServer(loaded, { pki: testPki() });
  await server.start();
  const dir = mkdtempSync(join(tmpdir(), 'mcastctl-test-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfig());
  return {
    server,
    dir,
    kubeconfig,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ stdout, stderr, code: code ?? -1 });
    });
  });
}

/** mcastctl as a user runs it: the built bin, a child process, no TTY. */
export function mcastctl(sim: RunningSim | undefined, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return run(process.execPath, [MCASTCTL, ...args], { ...(sim ? { KUBECONFIG: sim.kubeconfig } : {}), ...env });
}

export const KUBECTL = ['/usr/lib/google-cloud-sdk/bin/kubectl.1.32', '/usr/bin/kubectl'].find((p) => existsSync(p));

/** The real kubectl as an independent client of the simulator. */
export function kubectl(sim: RunningSim, args: string[]): Promise<RunResult> {
  if (!KUBECTL) throw new Error('kubectl is not installed');
  return run(KUBECTL, args, { KUBECONFIG: sim.kubeconfig, KUBECACHEDIR: join(sim.dir, 'kube-cache') });
}

/** Whether a program is on PATH. */
export function hasTool(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$0"', tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
