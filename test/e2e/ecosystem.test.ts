import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool, KUBECTL, MCASTCTL, ROOT, run, startSim, type RunningSim } from '../helpers/sim.js';


const required = (tool: string) => hasTool(tool) || process.env.CI === 'true';

let sim: RunningSim;
let binDir: string;
const env = () => ({ PATH: `${binDir}:${process.env.PATH}`, KUBECONFIG: sim.kubeconfig, HOME: sim.dir });

beforeAll(async () => {
  sim = await startSim('default');
  binDir = mkdtempSync(join(tmpdir(), 'mcastctl-bin-'));
  symlinkSync(MCASTCTL, join(binDir, 'mcastctl'));
  symlinkSync(join(ROOT, 'bin', 'kubectl-antrea_multicast.js'), join(binDir, 'kubectl-antrea_multicast'));
  symlinkSync(join(ROOT, 'bin', 'kubectl_complete-antrea_multicast.js'), join(binDir, 'kubectl_complete-antrea_multicast'));
  mkdirSync(join(sim.dir, 'home'));
});
afterAll(async () => {
  await sim?.stop();
  rmSync(binDir, { recursive: true, force: true });
});

/** Single-quoted for a shell script: nothing inside is interpreted. */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** COMP_WORDS as bash builds them: blanks separate words, and "=" is a word of its own (COMP_WORDBREAKS). */
function bashWords(line: string): string[] {
  const words = line.split(' ').flatMap((w) => w.split(/(=)/).filter((p) => p !== ''));
  return line.endsWith(' ') ? [...words.filter((w) => w !== ''), ''] : words.filter((w) => w !== '');
}

describe('shell completion, run in the real shells', () => {
  /** Calls the completion function as bash does; compopt is recorded instead of applied. */
  const bashComplete = async (line: string, extraEnv: NodeJS.ProcessEnv = {}, cwd?: string) => {
    const words = bashWords(line);
    const script = `source <(mcastctl completion bash)
compopt() { echo "compopt $*"; }
COMP_LINE=${sq(line)}; COMP_POINT=\${#COMP_LINE}
COMP_WORDS=(${words.map(sq).join(' ')}); COMP_CWORD=${words.length - 1}
_mcastctl_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = await runIn(cwd, 'bash', ['-c', script], { ...env(), ...extraEnv });
    const lines = r.stdout.split('\n').filter(Boolean);
    return { reply: lines.filter((l) => !l.startsWith('compopt ')), compopt: lines.filter((l) => l.startsWith('compopt ')) };
  };
  const bash = async (line: string) => (await bashComplete(line)).reply;

  it.runIf(required('bash'))('bash completes commands, flags, -o values and Node names', async () => {
    expect(await bash('mcastctl g')).toEqual(['get']);
    expect(await bash('mcastctl get ')).toEqual(['featuregates', 'igmp', 'mroute', 'multicastgroups', 'podmulticaststats']);
    expect(await bash('mcastctl get mroute --gr')).toEqual(['--group']);
    expect(await bash('mcastctl get igmp -o j')).toEqual(['json', 'jsonpath=']);
    expect(await bash('mcastctl get mroute --node k8s')).toEqual(['k8s-node-1', 'k8s-node-2', 'k8s-node-3']);
    expect(await bash('mcastctl get podmulticaststats -n ')).toEqual(['default', 'kube-public', 'kube-system']);
    expect(await bash('mcastctl get podmulticaststats -n default vlc-r')).toEqual(['vlc-receiver-1', 'vlc-receiver-2']);
  });

  it.runIf(required('bash'))('bash completes --flag=value, with no space after jsonpath= and file names for --kubeconfig', async () => {
    expect(await bash('mcastctl get mroute --node=k8s-node-')).toEqual(['k8s-node-1', 'k8s-node-2', 'k8s-node-3']);
    expect(await bash('mcastctl get mroute --node=')).toEqual(['=k8s-node-1', '=k8s-node-2', '=k8s-node-3']);
    expect(await bash('mcastctl get igmp --output=c')).toEqual(['custom-columns=']);
    const jsonpath = await bashComplete('mcastctl get igmp -o jsonp');
    expect(jsonpath).toEqual({ reply: ['jsonpath='], compopt: ['compopt -o nospace'] });
    const dirs = await bashComplete(`mcastctl --kubeconfig ${sim.dir}/hom`);
    expect(dirs).toEqual({ reply: [`${sim.dir}/home`], compopt: ['compopt -o filenames'] });
    expect(await bash('mcastctl doctor --check igmp-')).toEqual(['igmp-limits']);
    expect(await bash('mcastctl featuregate set Multic')).toEqual(['Multicast=', 'Multicluster=']);
    expect(await bash('mcastctl help get mr')).toEqual(['mroute']);
  });

  it.runIf(required('bash'))('bash never runs a candidate: a context named $(touch pwned) is inserted quoted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcastctl-hostile-'));
    try {
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, hostileKubeconfig());
      const r = await bashComplete('mcastctl --context ', { KUBECONFIG: kubeconfig }, dir);
      expect(r.reply).toEqual(['\\$\\(touch\\ pwned\\)', 'sim\\;\\ touch\\ pwned2', 'safe']);
      expect(existsSync(join(dir, 'pwned'))).toBe(false);
      expect(existsSync(join(dir, 'pwned2'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** zsh's compadd stubbed: prints the candidates ("nospace:" when -S ''), then "desc:" lines. */
  const zsh = async (line: string, extraEnv: NodeJS.ProcessEnv = {}, cwd?: string) => {
    const script = `compadd() { local d= p=; while [[ $1 != -- ]]; do case $1 in -d) d=$2; shift;; -S) p=nospace:; shift;; esac; shift; done; shift; print -l -- "\${@/#/$p}"; [[ -n $d ]] && print -l -- "\${(@P)d/#/desc:}"; }; compdef() { :; }; _files() { print FILES; }
source <(mcastctl completion zsh)
words=(${line.split(' ').map(sq).join(' ')}); CURRENT=\${#words}
_mcastctl`;
    return (await runIn(cwd, 'zsh', ['-c', script], { ...env(), ...extraEnv })).stdout.trim().split('\n').filter(Boolean);
  };

  it.runIf(required('zsh'))('zsh completes through compadd, with descriptions', async () => {
    expect((await zsh('mcastctl multicast ')).filter((l) => !l.startsWith('desc:'))).toEqual(['disable', 'enable', 'rollback']);
    expect(await zsh('mcastctl igmp set-max 64 --node ')).toEqual(['k8s-node-1', 'k8s-node-2', 'k8s-node-3', 'desc:k8s-node-1', 'desc:k8s-node-2', 'desc:k8s-node-3']);
    expect(await zsh('mcastctl --kubeconfig ')).toEqual(['FILES']);
    expect(await zsh('mcastctl doctor --check igmp-')).toEqual([
      'igmp-limits',
      'desc:igmp-limits  -- Receivers stay within igmp_max_memberships on their Node (one agent socket, one membership per group and multicast interface)',
    ]);
    expect(await zsh('mcastctl get igmp -o jsonp')).toEqual(['nospace:jsonpath=', 'desc:jsonpath=']);
  });

  it.runIf(required('zsh'))('zsh never runs a candidate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcastctl-hostile-'));
    try {
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, hostileKubeconfig());
      expect((await zsh('mcastctl --context ', { KUBECONFIG: kubeconfig }, dir)).filter((l) => !l.startsWith('desc:'))).toEqual(['$(touch pwned)', 'sim; touch pwned2', 'safe']);
      expect(existsSync(join(dir, 'pwned'))).toBe(false);
      expect(existsSync(join(dir, 'pwned2'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const fish = async (line: string, extraEnv: NodeJS.ProcessEnv = {}, cwd?: string) =>
    (await runIn(cwd, 'fish', ['-c', `mcastctl completion fish | source; complete -C ${sq(line)}`], { ...env(), ...extraEnv })).stdout.trim().split('\n');

  it.runIf(required('fish'))('fish completes with complete -C, with descriptions', async () => {
    expect(await fish('mcastctl completion ')).toEqual(['bash', 'fish', 'zsh']);
    expect(await fish('mcastctl get featuregates --node k8s-node-')).toEqual(['k8s-node-1', 'k8s-node-2', 'k8s-node-3']);
    expect(await fish('mcastctl get mroute --node=k8s-node-')).toEqual(['--node=k8s-node-1', '--node=k8s-node-2', '--node=k8s-node-3']);
    expect(await fish('mcastctl g')).toEqual(['get\tDisplay multicast state from every Node']);
  });

  it.runIf(required('fish'))('fish never runs a candidate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcastctl-hostile-'));
    try {
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, hostileKubeconfig());
      expect(await fish('mcastctl --context ', { KUBECONFIG: kubeconfig }, dir)).toEqual(['$(touch pwned)', 'safe', 'sim; touch pwned2']);
      expect(existsSync(join(dir, 'pwned'))).toBe(false);
      expect(existsSync(join(dir, 'pwned2'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown shell is a usage error', async () => {
    expect(await run(process.execPath, [MCASTCTL, 'completion', 'tcsh'], env())).toEqual({ code: 2, stdout: '', stderr: 'error: unsupported shell "tcsh": use bash, zsh or fish\n' });
  });
});

/** A kubeconfig whose context names are shell code. */
function hostileKubeconfig(): string {
  const context = (name: string) => ({ name, context: { cluster: 'sim', user: 'sim' } });
  return JSON.stringify({
    'current-context': 'safe',
    clusters: [{ name: 'sim', cluster: { server: 'https://127.0.0.1:1' } }],
    users: [{ name: 'sim', user: { token: 'x' } }],
    contexts: [context('$(touch pwned)'), context('sim; touch pwned2'), context('safe')],
  });
}

/** run() in a working directory. */
function runIn(cwd: string | undefined, command: string, args: string[], runEnv: NodeJS.ProcessEnv) {
  return new Promise<{ stdout: string; stderr: string; code: number }>((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...runEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code: code ?? -1 }));
  });
}

describe('kubectl plugin', () => {
  it.runIf(KUBECTL !== undefined || process.env.CI === 'true')('kubectl finds it and it speaks as "kubectl antrea-multicast"', async () => {
    const kubectlBinary = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';
    const help = await run(existsSync(kubectlBinary) ? kubectlBinary : KUBECTL!, ['antrea-multicast', 'get', '--help'], env());
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n')[0]).toBe('Usage: kubectl antrea-multicast get [options] [command]');
    const bad = await run(existsSync(kubectlBinary) ? kubectlBinary : KUBECTL!, ['antrea-multicast', 'get', 'featuregates', '--bogus'], env());
    expect(bad).toEqual({ code: 2, stdout: '', stderr: "error: unknown option '--bogus'\nSee 'kubectl antrea-multicast get featuregates --help' for usage.\n" });
    const list = await run(existsSync(kubectlBinary) ? kubectlBinary : KUBECTL!, ['antrea-multicast', 'get', 'featuregates', '--node', 'k8s-node-1'], env());
    expect(list.stdout.split('\n')[0]).toBe('Antrea Agent Feature Gates');
  });
});

describe('kubectl plugin completion', () => {
  it.runIf(KUBECTL !== undefined || process.env.CI === 'true')('kubectl completes "kubectl antrea-multicast …" through kubectl_complete-antrea_multicast', async () => {
    const kubectlBinary = existsSync('/usr/lib/google-cloud-sdk/bin/kubectl.1.32') ? '/usr/lib/google-cloud-sdk/bin/kubectl.1.32' : KUBECTL!;
    const r = await run(kubectlBinary, ['__complete', 'antrea-multicast', 'get', 'm'], env());
    expect(r.stdout).toBe('mroute\tKernel multicast routes of every Node\nmulticastgroups\tMulticast groups and their member Pods (stats.antrea.io)\n:4\n');
    const nodes = await run(kubectlBinary, ['__complete', 'antrea-multicast', 'get', 'igmp', '--node', 'k8s-node-'], env());
    expect(nodes.stdout).toBe('k8s-node-1\nk8s-node-2\nk8s-node-3\n:4\n');
  });
});

describe('start-up stays light', () => {
  /** `file` and the files of the bundle it loads at start (static imports, re-exports, requires), transitively. */
  function loadedAtStart(file: string, seen = new Set<string>()): Set<string> {
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:\b(?:import|export)\s*(?:[^'"()]*?\bfrom\s*)?|\brequire\()\s*["'](\.\.?\/[^"']+)["']/g)) {
      const next = join(file, '..', m[1]);
      if (!seen.has(next)) loadedAtStart(next, seen);
    }
    return seen;
  }
  const textOf = (files: Set<string>) => [...files].map((f) => readFileSync(f, 'utf8')).join('\n');

  it('--help and --version load one file of the bundle: neither commander nor the command table', () => {
    const files = loadedAtStart(join(ROOT, 'bin', 'mcastctl.js'));
    expect([...files]).toEqual([join(ROOT, 'bin', 'mcastctl.js'), join(ROOT, 'dist', 'main.cjs')]);
    const text = textOf(files);
    for (const marker of ['commander.helpDisplayed', 'Display multicast state from every Node', 'KubeConfig']) {
      expect(text.includes(marker), `${marker} is loaded at start`).toBe(false);
    }
  });

  it('every other run, completion included, loads neither the Kubernetes client, ora nor execa at start', () => {
    const text = textOf(loadedAtStart(join(ROOT, 'dist', 'cli.js')));
    expect(text).toContain('commander.helpDisplayed');
    for (const marker of ['KubeConfig', 'CoreV1Api', 'cli-spinners', 'execa']) {
      expect(text.includes(marker), `${marker} is loaded at start`).toBe(false);
    }
  });
});
