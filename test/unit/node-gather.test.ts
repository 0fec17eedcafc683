import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExecResult } from '../../src/context.js';
import { gatherOnce, gatherScript, parseGathered } from '../../src/cluster/node-gather.js';

const dir = mkdtempSync(join(tmpdir(), 'mcastctl-gather-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The script run by the real /bin/sh, as a container would run `sh -c SCRIPT`. */
function sh(script: string): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', script], (error, stdout, stderr) => resolve({ stdout, stderr, exitCode: error ? Number(error.code) : 0 }));
  });
}

describe('gathering a Node\'s reads in one exec', () => {
  const conf = join(dir, 'agent.conf');
  const partial = join(dir, 'no-newline');
  writeFileSync(conf, 'multicast:\n  enable: true\n');
  writeFileSync(partial, 'last line without newline');
  const reads = [['cat', conf], ['cat', join(dir, 'missing')], ['cat', partial], ['cat', conf, partial]];

  it('real sh: each read gets its own stdout, stderr and exit code, newline or not', async () => {
    const ran = await sh(gatherScript(reads));
    expect(ran.exitCode).toBe(0);
    expect(parseGathered(reads, ran.stdout, ran.stderr)).toEqual([
      { stdout: 'multicast:\n  enable: true\n', stderr: '', exitCode: 0 },
      { stdout: '', stderr: `cat: ${join(dir, 'missing')}: No such file or directory\n`, exitCode: 1 },
      { stdout: 'last line without newline', stderr: '', exitCode: 0 },
      { stdout: 'multicast:\n  enable: true\nlast line without newline', stderr: '', exitCode: 0 },
    ]);
  });

  it('answers the gathered reads without another exec, and asks directly for anything else', async () => {
    const scripts: string[][] = [];
    const direct: string[][] = [];
    const exec = await gatherOnce(
      (argv) => {
        scripts.push(argv);
        return sh(argv[2]);
      },
      reads,
      async (argv) => {
        direct.push(argv);
        return 'direct answer\n';
      },
    );
    expect(await exec(['cat', conf])).toBe('multicast:\n  enable: true\n');
    await expect(exec(['cat', join(dir, 'missing')])).rejects.toThrow(`"cat ${join(dir, 'missing')}" exited with code 1: cat: ${join(dir, 'missing')}: No such file or directory`);
    expect(await exec(['ip', 'mroute'])).toBe('direct answer\n');
    expect(scripts).toHaveLength(1);
    expect(scripts[0].slice(0, 2)).toEqual(['sh', '-c']);
    expect(direct).toEqual([['ip', 'mroute']]);
  });

  it('a script cut short leaves the unanswered reads to a direct exec', async () => {
    const stdout = '@@mcastctl-begin 0\nfirst\n@@mcastctl-exit 0 0\n@@mcastctl-begin 1\nhalf of the sec';
    const results = parseGathered(reads.slice(0, 2), stdout, '@@mcastctl-begin 0\n@@mcastctl-begin 1\n');
    expect(results).toEqual([{ stdout: 'first\n', stderr: '', exitCode: 0 }, undefined]);
  });

  it('an image without sh is asked read by read; a deadline is the Node\'s failure', async () => {
    const noShell = await gatherOnce(() => Promise.reject(new Error('exec: "sh": executable file not found in $PATH')), reads, async () => 'direct\n');
    expect(await noShell(['cat', conf])).toBe('direct\n');
    await expect(gatherOnce(() => Promise.reject(new Error('no answer within 2s')), reads, async () => 'direct\n')).rejects.toThrow('no answer within 2s');
  });

  it('refuses to build a script from anything but plain words', () => {
    expect(() => gatherScript([['cat', '/etc/x; rm -rf /']])).toThrow('not a plain word');
    expect(() => gatherScript([['echo', '$(id)']])).toThrow('not a plain word');
  });
});
