// A write to stdout that fails: lost output is an error (one line, exit 1), a reader that went
// away is not (exit 0, nothing said); the same for the stored help and the full CLI.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCASTCTL, run, startSim, type RunningSim } from '../helpers/sim.js';

let sim: RunningSim;
beforeAll(async () => {
  sim = await startSim('default');
});
afterAll(async () => {
  await sim.stop();
});

/** mcastctl with its stdout on /dev/full, where every write fails with ENOSPC. */
function intoFullDevice(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const full = openSync('/dev/full', 'w');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MCASTCTL, ...args], { env: { PATH: process.env.PATH, KUBECONFIG: sim.kubeconfig }, stdio: ['ignore', full, 'pipe'] });
    closeSync(full);
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const FAST_PATH = [['--help'], ['help', 'get'], ['get', 'igmp', '--help'], ['--version']];
/** Runs of the full CLI: a cluster command, one without a cluster, and help that is not stored (a flag before --help). */
const FULL_CLI = [['get', 'igmp', '-o', 'json'], ['get', 'igmp'], ['completion', 'bash'], ['--request-timeout', '5s', '--help']];

describe('stdout that cannot be written (a full disk)', () => {
  for (const args of [...FAST_PATH, ...FULL_CLI]) {
    it(`mcastctl ${args.join(' ')} >/dev/full: one error line, exit 1`, async () => {
      expect(await intoFullDevice(args)).toEqual({ code: 1, stderr: 'error: write /dev/stdout: no space left on device\n' });
    });
  }
});

describe('a reader that goes away (| head -c1)', () => {
  for (const args of [...FAST_PATH, ...FULL_CLI]) {
    it(`mcastctl ${args.join(' ')} | head -c1: quiet, exit 0`, async () => {
      const r = await run('bash', ['-c', '"$@" | head -c1; exit "${PIPESTATUS[0]}"', 'bash', process.execPath, MCASTCTL, ...args], { KUBECONFIG: sim.kubeconfig });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toHaveLength(1);
    });
  }
});
