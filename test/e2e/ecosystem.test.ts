import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
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
});
afterAll(async () => {
  await sim?.stop();
  rmSync(binDir, { recursive: true, force: true });
});

describe('shell completion, run in the real shells', () => {
  const bash = async (line: string) => {
    const words = line.split(' ');
    const script = `source <(mcastctl completion bash)
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_mcastctl_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return (await run('bash', ['-c', script], env())).stdout.trim().split('\n').filter(Boolean);
  };

  it.runIf(required('bash'))('bash completes commands, flags, -o values and Node names', async () => {
    expect(await bash('mcastctl g')).toEqual(['get']);
    expect(await bash('mcastctl get ')).toEqual(['featuregates', 'igmp', 'mroute', 'multicastgroups', 'podmulticaststats']);
    expect(await bash('mcastctl get mroute --gr')).toEqual(['--group']);
    expect(await bash('mcastctl get igmp -o j')).toEqual(['json', 'jsonpath=']);
    expect(await bash('mcastctl get mroute --node k8s')).toEqual(['k8s-node-1', 'k8s-node-2', 'k8s-node-3']);
    expect(await bash('mcastctl get podmulticaststats -n ')).toEqual(['default', 'kube-public', 'kube-system']);
    expect(await bash('mcastctl get podmulticaststats -n default vlc-r')).toEqual(['vlc-receiver-1', 'vlc-receiver-2']);
  });

  it.runIf(required('zsh'))('zsh completes through compadd', async () => {
    const zsh = async (line: string) => {
      const script = `compadd() { shift; print -l -- "$@"; }; compdef() { :; }; _files() { print FILES; }
source <(mcastctl completion zsh)
words=(${line.split(' ').map((w) => `'${w}'`).join(' ')}); CURRENT=\${#words}
_mcastctl`;
      return (await run('zsh', ['-c', script], env())).stdout.trim().split('\n').filter(Boolean);
    };
    expect(await zsh('mcastctl multicast ')).toEqual(['disable', 'enable', 'rollback']);
    expect(await zsh('mcastctl igmp set-max 64 --node ')).toEqual(['k8s-node-1', 'k8s-node-2', 'k8s-node-3']);
    expect(await zsh('mcastctl --kubeconfig ')).toEqual(['FILES']);
  });

  it.runIf(required('fish'))('fish completes with complete -C', async () => {
    const fish = async (line: string) => (await run('fish', ['-c', `mcastctl completion fish | source; complete -C '${line}'`], env())).stdout.trim().split('\n');
    expect(await fish('mcastctl completion ')).toEqual(['bash', 'fish', 'zsh']);
    expect(await fish('mcastctl get featuregates --node k8s-node-')).toEqual(['k8s-node-1', 'k8s-node-2', 'k8s-node-3']);
  });

  it('an unknown shell is a usage error', async () => {
    expect(await run(process.execPath, [MCASTCTL, 'completion', 'tcsh'], env())).toEqual({ code: 2, stdout: '', stderr: 'error: unsupported shell "tcsh": use bash, zsh or fish\n' });
  });
});

describe('kubectl plugin', () => {
  it.runIf(KUBECTL !== undefined || process.env.CI === 'true')('kubectl finds it and it speaks as "kubectl antrea-multicast"', async () => {
    const kubectlBinary = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';
    const help = await run(existsSync(kubectlBinary) ? kubectlBinary : KUBECTL!, ['antrea-multicast', 'get', '--help'], env());
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n')[0]).toBe('Usage: kubectl antrea-multicast get [options] [command]');
    const bad = await run(existsSync(kubectlBinary) ? kubectlBinary : KUBECTL!, ['antrea-multicast', 'get', 'featuregates', '--bogus'], env());
    expect(bad).toEqual({ code: 2, stdout: '', stderr: "error: unknown option '--bogus'\nSee 'kubectl antrea-multicast --help' for usage.\n" });
    const list = await run(existsSync(kubectlBinary) ? kubectlBinary : KUBECTL!, ['antrea-multicast', 'get', 'featuregates', '--node', 'k8s-node-1'], env());
    expect(list.stdout.split('\n')[0]).toBe('Antrea Agent Feature Gates');
  });
});

describe('npm package', () => {
  it('npm pack ships only what runs, installs on a clean prefix and runs', async () => {
    const work = mkdtempSync(join(tmpdir(), 'mcastctl-pack-'));
    try {
      const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
      const files: string[] = packed[0].files.map((f: { path: string }) => f.path);
      expect(files.filter((f) => !/^(bin|dist|man|completions)\//.test(f)).sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
      expect(packed[0].size).toBeLessThan(3_000_000);
      const prefix = join(work, 'prefix');
      execFileSync('npm', ['install', '--global', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, join(work, packed[0].filename)], { stdio: 'ignore' });
      const version = await run(join(prefix, 'bin', 'mcastctl'), ['--version']);
      expect(version).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
      const plugin = await run(join(prefix, 'bin', 'kubectl-antrea_multicast'), ['--help']);
      expect(plugin.stdout.split('\n')[0]).toBe('Usage: kubectl antrea-multicast [options] [command]');
      const manDir = join(prefix, 'share', 'man', 'man1');
      expect(readdirSync(manDir).sort()).toEqual(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).man.map((m: string) => m.slice(4)).sort());
      if (hasTool('man')) expect(realpathSync((await run('man', ['-M', join(prefix, 'share', 'man'), '-w', 'mcastctl'])).stdout.trim())).toBe(realpathSync(join(manDir, 'mcastctl.1')));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('start-up stays light', () => {
  /** The chunks dist/main.js imports statically, transitively: what every start loads. */
  function eagerChunks(file = join(ROOT, 'dist', 'main.js'), seen = new Set<string>()): Set<string> {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^import\s*(?:[^'"]*from\s*)?["'](\.\/[^"']+)["'];?$/gm)) {
      const next = join(file, '..', m[1]);
      if (!seen.has(next)) {
        seen.add(next);
        eagerChunks(next, seen);
      }
    }
    return seen;
  }

  it('--help, --version and completion load neither the Kubernetes client, ora nor execa', () => {
    const eager = [...eagerChunks()].map((f) => readFileSync(f, 'utf8')).join('\n');
    const main = readFileSync(join(ROOT, 'dist', 'main.js'), 'utf8');
    for (const marker of ['KubeConfig', 'CoreV1Api', 'cli-spinners', 'execa']) {
      expect(main.includes(marker) || eager.includes(marker), `${marker} is loaded at start`).toBe(false);
    }
  });
});
