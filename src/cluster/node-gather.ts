/**
 * Everything a command reads from one Node, in one exec: a small POSIX sh script made only of
 * fixed argument arrays (no input is ever interpolated), each command's stdout and stderr framed
 * by marker lines with its exit status. The readers (readNodeIgmp, readMroutes, the agent
 * channel's antctl calls) then run unchanged against a replaying Exec that answers from what was
 * gathered, so one exec per Node replaces one per check.
 */
import type { Exec, ExecResult } from '../context.js';
import { ANTCTL_FEATUREGATES, antctlPodMulticastStats, withExec, type AgentChannel, type Transport } from './agent-channel.js';
import { IGMP_READ } from './node-igmp.js';
import { MROUTE_READS } from './node-mroutes.js';
import { checkedOutput } from './agent-exec.js';

const BEGIN = '@@mcastctl-begin';
const EXIT = '@@mcastctl-exit';
/** The only characters a gathered argument may have: nothing a shell would expand or split. */
const PLAIN_WORD = /^[A-Za-z0-9_./=-]+$/;

const key = (argv: readonly string[]) => argv.join('\u0000');

/**
 * The script that runs each argv in turn: `echo BEGIN i` on stdout and stderr, the command, then
 * `echo EXIT i $?`. Throws when an argument is not a plain word (a programming error: these are
 * constants, never input).
 */
export function gatherScript(reads: readonly (readonly string[])[]): string {
  return reads
    .map((argv, i) => {
      for (const word of argv) if (!PLAIN_WORD.test(word)) throw new Error(`not a plain word in a gathered command: ${JSON.stringify(word)}`);
      return `echo ${BEGIN} ${i}; echo ${BEGIN} ${i} >&2; ${argv.join(' ')}; echo ${EXIT} ${i} $?`;
    })
    .join('\n');
}

/** Splits a stream into the text after each `BEGIN i` marker, by i (a command's last line may lack its newline). */
function sections(text: string): Map<number, string> {
  const found = new Map<number, string>();
  const marker = new RegExp(`${BEGIN} (\\d+)\\n`, 'g');
  const starts = [...text.matchAll(marker)];
  starts.forEach((m, n) => {
    const from = m.index! + m[0].length;
    const to = n + 1 < starts.length ? starts[n + 1].index! : text.length;
    found.set(Number(m[1]), text.slice(from, to));
  });
  return found;
}

/**
 * Reads the script's output back into one result per argv (same order as `reads`); an argv whose
 * exit marker is missing (the script was cut short) has no result. A command's output that does
 * not end in a newline is still separated from the marker after it.
 */
export function parseGathered(reads: readonly (readonly string[])[], stdout: string, stderr: string): (ExecResult | undefined)[] {
  const out = sections(stdout);
  const err = sections(stderr);
  return reads.map((_, i) => {
    const text = out.get(i);
    if (text === undefined) return undefined;
    const exit = new RegExp(`${EXIT} ${i} (\\d+)\\n?$`).exec(text);
    if (!exit) return undefined;
    return { stdout: text.slice(0, exit.index), stderr: err.get(i) ?? '', exitCode: Number(exit[1]) };
  });
}

/**
 * Runs every argv of `reads` in one exec through `run` (the agent container, with the Node's
 * deadline) and returns an Exec that answers those argv from the gathered output (a non-zero exit
 * rejects as execChecked does) and passes any other argv, or one the script could not answer, to
 * `direct`. When the script itself cannot run (no sh in the image), every read goes to `direct`;
 * any other failure of the exec (deadline, refused, Pod not ready) is the Node's and is thrown.
 */
export async function gatherOnce(run: (argv: string[]) => Promise<ExecResult>, reads: readonly (readonly string[])[], direct: Exec): Promise<Exec> {
  if (reads.length === 0) return direct;
  const ran = await run(['sh', '-c', gatherScript(reads)]).catch((err: Error) => {
    if (/executable file not found/.test(err.message)) return undefined;
    throw err;
  });
  const results = ran ? parseGathered(reads, ran.stdout, ran.stderr) : [];
  const answers = new Map(reads.map((argv, i) => [key(argv), results[i]]));
  return async (argv) => {
    const answer = answers.get(key(argv));
    return answer ? checkedOutput(argv, answer) : direct(argv);
  };
}

/** The agent's config as it started (the file the agent container mounts). */
export const AGENT_CONF_READ = ['cat', '/etc/antrea/antrea-agent.conf'];

/**
 * The reads behind doctor's per-Node facts (names as in antrea/doctor-checks: agentGates,
 * multicastProbe, startedConf, igmp, mroutes). antctl's answers are gathered only when the agent
 * is asked through exec; every fallback of readMroutes is gathered so none needs a second exec.
 */
export function nodeReadsFor(needs: ReadonlySet<string>, transport: Transport): string[][] {
  const reads: string[][] = [];
  if (transport === 'exec' && needs.has('agentGates')) reads.push(ANTCTL_FEATUREGATES);
  if (transport === 'exec' && needs.has('multicastProbe')) reads.push(antctlPodMulticastStats({}));
  if (needs.has('startedConf')) reads.push(AGENT_CONF_READ);
  if (needs.has('igmp')) reads.push(IGMP_READ);
  if (needs.has('mroutes')) reads.push(MROUTE_READS.json, MROUTE_READS.text, MROUTE_READS.proc);
  return reads;
}

/** The agent's channel with `reads` gathered in one exec: its exec and antctl calls answer from them. */
export async function gatherChannel(agent: AgentChannel, reads: readonly (readonly string[])[]): Promise<AgentChannel> {
  return withExec(agent, await gatherOnce((argv) => agent.run(argv), reads, agent.exec));
}
