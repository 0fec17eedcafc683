import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario, scenarioNames } from './scenario.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = join(ROOT, 'test', 'sim', 'main.ts');
const work = mkdtempSync(join(tmpdir(), 'mcastctl-sim-main-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `npm run sim -- ...args` in `work`, until it exits or has printed its export line. */
function sim(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; stop(): Promise<void> }> {
  const child = spawn(TSX, [MAIN, ...args], { cwd: work });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  return new Promise((done) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('export KUBECONFIG=')) done({ code: null, stdout, stderr, stop });
    });
    void exited.then((code) => done({ code, stdout, stderr, stop }));
  });
}

describe('npm run sim', () => {
  it('an unknown scenario name is one error line naming the scenarios, exit 2', async () => {
    const r = await sim('nosuch');
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: `error: unknown scenario "nosuch"; scenarios: ${scenarioNames().join(', ')} (or a path to a .yaml)\n` });
    expect(scenarioNames()).toContain('default');
  });

  it('a scenario file with an unknown top-level key is refused naming the key, exit 2', async () => {
    const file = join(work, 'typo.yaml');
    writeFileSync(file, 'antreaVersion: v2.7.0\nnodes: [{ name: a }]\nfault: [{ kind: exec-hang }]\n');
    const r = await sim(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: scenario ${file}: unknown key "fault"; known keys: antreaVersion, .*\\bfaults\\b.*\\n$`));
  });

  it('two sims at once write two kubeconfigs, each pointing at its own server; stopping removes its own', async () => {
    const first = await sim('default');
    const second = await sim('default');
    try {
      const path = (out: string) => /export KUBECONFIG=(.*)\n/.exec(out)![1];
      const url = (out: string) => /listening on (\S+)\n/.exec(out)![1];
      expect(path(first.stdout)).not.toBe(path(second.stdout));
      expect(path(first.stdout)).toBe(join(work, '.sim', `default-${new URL(url(first.stdout)).port}.kubeconfig`));
      const { readFileSync } = await import('node:fs');
      expect(readFileSync(path(first.stdout), 'utf8')).toContain(`server: ${url(first.stdout)}`);
      expect(readFileSync(path(second.stdout), 'utf8')).toContain(`server: ${url(second.stdout)}`);
      await first.stop();
      expect(readdirSync(join(work, '.sim'))).toEqual([path(second.stdout).split('/').pop()]);
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});

describe('every scenario in the repository loads (no unknown key)', () => {
  const e2e = join(ROOT, 'test', 'e2e', 'scenarios');
  const files = [...scenarioNames(), ...readdirSync(e2e).filter((f) => f.endsWith('.yaml')).map((f) => join(e2e, f))];
  it.each(files)('%s', (name) => {
    expect(loadScenario(name).nodes.length).toBeGreaterThan(0);
  });
});
