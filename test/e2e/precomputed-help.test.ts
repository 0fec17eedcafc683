// Help without the CLI: the build stores every help text in dist/help.json and a run that only asks
// for help prints it without loading commander. What it prints must be exactly what commander
// prints, for every command and both program names; anything else must still reach commander.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { walkCommands } from '../../src/commands/command-table.js';
import { PRECOMPUTED_ARTIFACT, precomputedOutput, type PrecomputedArtifact } from '../../src/precomputed-help.js';
import { BINARY_NAMES, programNameFor } from '../../src/program-name.js';
import { hasTool, ROOT, run, type RunResult } from '../helpers/sim.js';

const ARTIFACT = join(ROOT, 'dist', PRECOMPUTED_ARTIFACT);
const artifact = (): PrecomputedArtifact => JSON.parse(readFileSync(ARTIFACT, 'utf8'));
const commandPaths = [...walkCommands()].map(([path]) => path.slice(1));

/** Every way to ask for the help of `path`. */
const spellingsOf = (path: string[]): string[][] => [
  [...path, '--help'],
  [...path, '-h'],
  ['help', ...path],
  ...(path.length === 0 ? [[]] : []),
];

async function inProcess(args: string[], argv0: string): Promise<RunResult> {
  const printed = { stdout: '', stderr: '' };
  const into = (key: keyof typeof printed) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        printed[key] += chunk.toString();
        done();
      },
    });
  const code = await runCli(args, { stdout: into('stdout'), stderr: into('stderr'), env: {} }, argv0);
  return { code, ...printed };
}

/** A copy of the installed layout (bin/, dist/, package.json) whose dist/help.json `edit` replaces (undefined: removes). */
function installedCopy(parent: string, name: string, edit: (stored: string) => string | undefined): string {
  const dir = join(parent, name);
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  const edited = edit(readFileSync(ARTIFACT, 'utf8'));
  rmSync(join(dir, 'dist', PRECOMPUTED_ARTIFACT));
  if (edited !== undefined) writeFileSync(join(dir, 'dist', PRECOMPUTED_ARTIFACT), edited);
  return dir;
}

const runBin = (dir: string, binary: string, args: string[]) => run(process.execPath, [join(dir, 'bin', `${binary}.js`), ...args]);

/** Runs `task` on every item, two at a time (the machine is shared), keeping the order. */
async function eachTwoAtATime<T, R>(items: T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += 2) results.push(...(await Promise.all(items.slice(i, i + 2).map(task))));
  return results;
}

let work: string;
/** No dist/help.json: every run is commander's. */
let commanderOnly: string;
/** Every stored line starts with "stored> ": shows which runs print the stored text. */
let marked: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mcastctl-help-'));
  commanderOnly = installedCopy(work, 'commander-only', () => undefined);
  marked = installedCopy(work, 'marked', (stored) => {
    const parsed: PrecomputedArtifact = JSON.parse(stored);
    return JSON.stringify({ ...parsed, lines: parsed.lines.map((line) => `stored> ${line}`) });
  });
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the stored help', () => {
  it('holds every command path of the table under both program names, and the version', () => {
    const stored = artifact();
    expect(Object.keys(stored.help).sort()).toEqual(['kubectl antrea-multicast', 'mcastctl']);
    for (const texts of Object.values(stored.help)) expect(Object.keys(texts)).toEqual(commandPaths.map((p) => p.join(' ')));
    expect(precomputedOutput(['--version'], 'mcastctl', ARTIFACT, stored.build)).toBe('0.1.0\n');
  });

  it('is, for every command, spelling and program name, byte for byte what commander prints', async () => {
    const { build } = artifact();
    for (const binary of BINARY_NAMES) {
      for (const path of commandPaths) {
        for (const args of spellingsOf(path)) {
          const commander = await inProcess(args, binary);
          expect(commander.code).toBe(0);
          expect(commander.stderr).toBe('');
          expect(precomputedOutput(args, `/usr/local/bin/${binary}`, ARTIFACT, build), `${binary} ${args.join(' ')}`).toBe(commander.stdout);
        }
      }
    }
  });

  it('the installed binaries print it exactly as the same binaries without it (commander) do', async () => {
    const cases = BINARY_NAMES.flatMap((binary) => commandPaths.map((path) => ({ binary, args: [...path, '--help'] })));
    const fast = await eachTwoAtATime(cases, ({ binary, args }) => runBin(ROOT, binary, args));
    const commander = await eachTwoAtATime(cases, ({ binary, args }) => runBin(commanderOnly, binary, args));
    cases.forEach(({ binary, args }, i) => {
      expect(commander[i].code, `${binary} ${args.join(' ')}`).toBe(0);
      expect(commander[i].stdout.startsWith(`Usage: ${[programNameFor(binary), ...args.slice(0, -1)].join(' ')} [options]`)).toBe(true);
      expect(fast[i], `${binary} ${args.join(' ')}`).toEqual(commander[i]);
    });
  });

  it('is what a pure help request prints, nothing else is', async () => {
    const storedText = (binary: string, path: string) => {
      const stored = JSON.parse(readFileSync(join(marked, 'dist', PRECOMPUTED_ARTIFACT), 'utf8')) as PrecomputedArtifact;
      return stored.help[programNameFor(binary)][path].map((i) => stored.lines[i]).join('\n');
    };
    for (const [args, path] of [[[], ''], [['--help'], ''], [['-h'], ''], [['help'], ''], [['help', 'get', 'mroute'], 'get mroute'], [['get', 'mroute', '-h'], 'get mroute'], [['help', 'help'], 'help'], [['probe', 'cleanup', '--help'], 'probe cleanup']] as const) {
      expect(await runBin(marked, 'mcastctl', [...args]), args.join(' ')).toEqual({ code: 0, stdout: storedText('mcastctl', path), stderr: '' });
    }
    expect(await runBin(marked, 'kubectl-antrea_multicast', ['get', '--help'])).toEqual({ code: 0, stdout: storedText('kubectl-antrea_multicast', 'get'), stderr: '' });
    expect((await runBin(marked, 'mcastctl', ['--version'])).stdout).toBe('stored> 0.1.0\nstored> ');
  });
});

describe('anything but a pure help request', () => {
  it('reaches commander: the same output and exit code as without the stored help', async () => {
    const notPure = [
      ['gte'],
      ['get', 'mroutes', '--help'],
      ['get', 'featuregates', '--help', 'extra'],
      ['get', '--help', 'mroute'],
      ['--help', 'get'],
      ['-h', '-h'],
      ['help', 'get', 'mrout'],
      ['help', 'get', '--help'],
      ['help', 'help', 'help'],
      ['--context', 'prod', '--help'],
      ['get', 'mroute', '--bogus', '--help'],
      ['get', 'podmulticaststats', 'vlc-1', '--help'],
      ['get mroute', '--help'],
      ['', '--help'],
      ['get', '--version'],
      ['--version', '--help'],
      ['version', '--client'],
      ['get'],
      ['__complete', 'get', 'm'],
    ];
    const viaMarked = await eachTwoAtATime(notPure, (args) => runBin(marked, 'mcastctl', args));
    const viaCommander = await eachTwoAtATime(notPure, (args) => runBin(commanderOnly, 'mcastctl', args));
    notPure.forEach((args, i) => {
      expect(viaMarked[i], JSON.stringify(args)).toEqual(viaCommander[i]);
      expect(viaMarked[i].stdout, JSON.stringify(args)).not.toContain('stored> ');
    });
    // As before the stored help existed:
    expect(viaMarked[0]).toEqual({ code: 2, stdout: '', stderr: 'error: unknown command "gte" for "mcastctl"\n\nDid you mean this?\n\tget\n' });
    expect(viaMarked[6]).toEqual({ code: 2, stdout: '', stderr: 'error: unknown command "mrout" for "mcastctl get"\n\nDid you mean this?\n\tmroute\n' });
    expect(viaMarked[8]).toEqual({ code: 2, stdout: '', stderr: 'error: unknown command "help" for "mcastctl help"\n' });
    expect(viaMarked[17].code).toBe(2);
  });
});

describe('without usable stored help', () => {
  it('a missing, unreadable, corrupt or other build\'s file gives commander\'s help, the same text', async () => {
    const copies = [
      commanderOnly,
      installedCopy(work, 'corrupt', (stored) => stored.slice(0, stored.length / 2)),
      installedCopy(work, 'other-build', (stored) => JSON.stringify({ ...JSON.parse(stored), build: '0'.repeat(32), lines: ['Usage: wrong'] })),
      installedCopy(work, 'wrong-shape', (stored) => JSON.stringify({ ...JSON.parse(stored), lines: 'Usage: wrong' })),
      installedCopy(work, 'unreadable', () => undefined),
    ];
    mkdirSync(join(copies[4], 'dist', PRECOMPUTED_ARTIFACT));
    const expected = await runBin(ROOT, 'mcastctl', ['get', 'igmp', '--help']);
    expect(expected.code).toBe(0);
    for (const dir of copies) expect(await runBin(dir, 'mcastctl', ['get', 'igmp', '--help']), dir).toEqual(expected);
    expect(await runBin(copies[2], 'mcastctl', ['--version'])).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('running from source (no build) is commander\'s help, the same text', async () => {
    const fromSource = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main.ts'), 'help', 'multicast', 'enable']);
    expect(fromSource).toEqual(await runBin(ROOT, 'mcastctl', ['help', 'multicast', 'enable']));
  });
});

describe.runIf(hasTool('script'))('on a terminal', () => {
  /** `args` on a pseudo-terminal `cols` wide; the terminal's CRLF read back as LF. */
  const inTerminal = async (dir: string, args: string[], cols: number) => {
    const command = [process.execPath, join(dir, 'bin', 'mcastctl.js'), ...args].map((a) => `'${a}'`).join(' ');
    const r = await run('script', ['-qfec', `stty cols ${cols} rows 40; ${command}`, '/dev/null'], { TERM: 'xterm' });
    return { ...r, stdout: r.stdout.replace(/\r\n/g, '\n') };
  };

  it('help is wrapped at 80 columns, not at the terminal\'s width, so the stored text is what commander prints there too', async () => {
    const piped = await runBin(ROOT, 'mcastctl', ['get', 'mroute', '--help']);
    for (const cols of [200, 60]) {
      const commander = await inTerminal(commanderOnly, ['get', 'mroute', '--help'], cols);
      expect(commander.code).toBe(0);
      expect(commander.stdout).toBe(piped.stdout);
      expect((await inTerminal(ROOT, ['get', 'mroute', '--help'], cols)).stdout).toBe(piped.stdout);
    }
  });
});
