/**
 * Programs that run inside simulated containers. A program gets the container it runs in (its Pod,
 * image and Node) and its arguments, and answers stdout, stderr and an exit code. Which programs a
 * container has is decided by its image (test/sim/images).
 *
 * To add a program: write `(ctx, args) => ShellResult` in a file here and register it in PROGRAMS.
 */
import type { PodRuntime } from '../controllers/kubelet.js';
import type { SimCluster } from '../cluster.js';
import { programsOf } from '../images/index.js';
import type { LabBackend } from '../lab-backend.js';
import { antctl } from './antctl.js';
import { ip } from './iproute2.js';
import { mcjoin } from './mcjoin.js';
import { cat, sysctl } from './proc.js';

export interface ShellResult {
  stdout: string | Buffer;
  stderr: string;
  exitCode: number;
}

export interface ProgramContext {
  cluster: SimCluster;
  runtime: PodRuntime;
  containerName: string;
  image: string;
  /** Output written as the program runs (an exec session forwards it at once); else only the result counts. */
  stdout?: (chunk: string) => void;
  /** Aborted when the exec session closes before the program ends. */
  signal?: AbortSignal;
  /** The real network namespaces behind lab-backed Nodes, for programs that use the network. */
  lab?: LabBackend;
}

/** A program answers at once, or (a long-running one, such as mcjoin) later. */
export type Program = (ctx: ProgramContext, args: string[]) => ShellResult | Promise<ShellResult>;

/** The container runtime could not start the process at all (kubectl: "Internal error occurred"). */
export class RuntimeExecError extends Error {}

export const ok = (stdout: string): ShellResult => ({ stdout, stderr: '', exitCode: 0 });
export const fail = (stderr: string, exitCode = 1, stdout = ''): ShellResult => ({ stdout, stderr, exitCode });

const PROGRAMS: Record<string, Program> = {
  antctl,
  ip,
  cat,
  sysctl,
  true: () => ok(''),
  echo: (_ctx, args) => ok(`${args.join(' ')}\n`),
  hostname: (ctx) => ok(`${ctx.runtime.hostNetwork ? ctx.runtime.node : ctx.runtime.name}\n`),
  sleep: () => ok(''),
  mcjoin,
  sh: (ctx, args) => shell(ctx, args, 'sh'),
  bash: (ctx, args) => shell(ctx, args, 'bash'),
};

/** Registers a program (e.g. a probe's multicast sender/receiver); list it in an image too. */
export function registerProgram(name: string, program: Program): void {
  PROGRAMS[name] = program;
}

/**
 * A small POSIX shell for `sh -c SCRIPT`: commands separated by `;`, newlines, `&&` and `||`; single
 * and double quotes; `$?`; `exit N`; redirections `>&2`, `1>&2`, `2>&1`, `2>/dev/null`, `>/dev/null`.
 */
async function shell(ctx: ProgramContext, args: string[], name: string): Promise<ShellResult> {
  if (args[0] !== '-c' || args[1] === undefined) return fail(`${name}: only "-c SCRIPT" is supported here\n`, 2);
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  const steps = [...args[1].matchAll(/((?:'[^']*'|"[^"]*"|\d?>&\d|[^;&|\n])+)(;|\n|&&|\|\||$)/g)].map((m) => ({ command: m[1].trim(), then: m[2] }));
  let skip = false;
  for (const { command, then } of steps) {
    if (command !== '' && !skip) {
      const tokens = [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? { word: m[1], quoted: true } : { word: m[2] ?? m[3], quoted: m[2] !== undefined }));
      const words: string[] = [];
      let out: 'stdout' | 'stderr' | 'null' = 'stdout';
      let err: 'stdout' | 'stderr' | 'null' = 'stderr';
      for (const t of tokens) {
        const w = t.word.replace(/\$\?/g, String(exitCode));
        if (!t.quoted && (w === '>&2' || w === '1>&2')) out = 'stderr';
        else if (!t.quoted && w === '2>&1') err = out;
        else if (!t.quoted && (w === '>/dev/null' || w === '1>/dev/null')) out = 'null';
        else if (!t.quoted && w === '2>/dev/null') err = 'null';
        else words.push(w);
      }
      if (words[0] === 'exit') return { stdout, stderr, exitCode: Number(words[1] ?? exitCode) };
      const result = await runProgram(ctx, words, true);
      const emit = (to: 'stdout' | 'stderr' | 'null', text: string) => {
        if (to === 'stdout') stdout += text;
        else if (to === 'stderr') stderr += text;
      };
      emit(out, result.stdout.toString());
      emit(err, result.stderr);
      exitCode = result.exitCode;
    }
    skip = (then === '&&' && exitCode !== 0) || (then === '||' && exitCode === 0);
  }
  return { stdout, stderr, exitCode };
}

/**
 * Runs one argv in a container. A program the image does not ship is, without a shell, the runtime's
 * error (RuntimeExecError); under `sh -c` the shell's "not found", exit 127.
 */
export function runProgram(ctx: ProgramContext, argv: string[], underShell = false): ShellResult | Promise<ShellResult> {
  const name = (argv[0] ?? '').split('/').pop() ?? '';
  const state = ctx.cluster.nodeState(ctx.runtime.node);
  const shipped = programsOf(ctx.image, state?.spec.agent?.tools ?? {});
  const program = PROGRAMS[name];
  if (!shipped.has(name) || !program || (name === 'echo' && underShell === false && !shipped.has('echo'))) {
    if (underShell) return fail(/busybox/.test(ctx.image) ? `sh: ${argv[0]}: not found\n` : `sh: 1: ${argv[0]}: not found\n`, 127);
    throw new RuntimeExecError(missingExecutable(ctx, argv[0] ?? ''));
  }
  return program(ctx, argv.slice(1));
}

/**
 * The runtime's answer to an executable that is not there: runc through containerd on Linux
 * (observed: "OCI runtime exec failed: … executable file not found in $PATH"), hcsshim on Windows
 * (CreateProcess: "The system cannot find the file specified.", as reported in lensapp/lens#1056).
 */
function missingExecutable(ctx: ProgramContext, program: string): string {
  const id = ctx.runtime.uid.replace(/-/g, '');
  if (ctx.cluster.nodeState(ctx.runtime.node)?.os === 'windows') {
    return `error executing command in container: failed to exec in container: failed to start exec "${id}": container ${id} encountered an error during hcs::System::CreateProcess: failure in a Windows system call: The system cannot find the file specified. (0x2): unknown`;
  }
  return `error executing command in container: failed to exec in container: failed to start exec "${id}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${program}": executable file not found in $PATH: unknown`;
}
