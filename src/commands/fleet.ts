/**
 * One read command (or doctor) over several kubeconfig contexts at once: `--context a --context b`
 * or `--all-contexts`. The command runs once per context, concurrently and in-process, each run
 * with its own client (its own TLS context and connection pool) and its own captured output; the
 * outputs are then merged: tables gain a CLUSTER column first, JSON and YAML items a `cluster`
 * field, `-o name` lines a `CONTEXT/` prefix. A context that fails (unreachable, unauthorised)
 * is named on stderr and fails only its own rows.
 */
import { Writable } from 'node:stream';
import { parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import { parseAllDocuments } from 'yaml';
import { escapeControlCharacters } from '../bounded-text.js';
import type { CommandContext, GlobalOptions, OutputStream } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { API_VERSION, toYaml } from '../output/structured.js';
import { parseOutput } from '../output/list-printer.js';
import { renderJsonPath } from '../output/jsonpath-template.js';
import type { RunnableCommand } from './define-command.js';

/** The commands a fleet may run: every read and doctor, never a write. */
const FLEET_COMMANDS = /^(get [a-z]+|doctor)$/;
/** The commands that write to a cluster (or create workloads in it), as their refusal says. */
const CHANGES_A_CLUSTER = /^(multicast|featuregate|igmp set-max|probe)\b/;

/** A stream that keeps what is written, for merging. */
class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export interface ClusterRun {
  /** The kubeconfig context. */
  cluster: string;
  stdout: string;
  stderr: string;
  code: number;
}

export interface FleetInput {
  /** "get igmp", "doctor": for the allow-list and messages. */
  commandPath: string;
  command: RunnableCommand;
  args: string[];
  flagValues: Record<string, unknown>;
  globals: GlobalOptions;
  /** Makes the context of one run, for one kubeconfig context, with captured streams. */
  contextFor(globals: GlobalOptions, stdout: OutputStream, stderr: OutputStream): CommandContext;
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
}

/** The contexts a fleet run covers: every context of the kubeconfig, or those given, in order. */
export async function fleetContexts(globals: GlobalOptions, env: NodeJS.ProcessEnv): Promise<string[]> {
  const { kubeconfigFiles, mergeKubeconfigFiles } = await import('../cluster/kubeconfig.js');
  // Every context of the merged kubeconfig files, as kubectl config get-contexts lists them.
  const names = mergeKubeconfigFiles(kubeconfigFiles(globals, env).files).contexts.map((c) => c.name);
  if (!globals.allContexts) {
    // A name that is not there is a usage error before any request, as with one --context.
    const unknown = globals.contexts.find((c) => !names.includes(c));
    if (unknown !== undefined) throw new UsageError(`context "${unknown}" does not exist`);
    return globals.contexts;
  }
  if (names.length === 0) throw new UsageError('--all-contexts: the kubeconfig has no contexts');
  return names;
}

/**
 * Runs the command over every context and prints the merged output; returns 0 when every context
 * answered fully, 3 (PARTIAL) when some did, else the first failing context's exit code.
 */
export async function runFleet(input: FleetInput): Promise<number> {
  if (!FLEET_COMMANDS.test(input.commandPath)) {
    const what = CHANGES_A_CLUSTER.test(input.commandPath) ? 'changes a cluster' : 'works on one cluster';
    throw new UsageError(`"${input.commandPath}" ${what}: run it with one --context at a time (--all-contexts and repeated --context are for reads and doctor)`);
  }
  const contexts = [...new Set(await fleetContexts(input.globals, input.env))];
  const output = String(input.flagValues.output ?? 'table');
  // A bad -o is one usage error, not one per cluster.
  if ('output' in input.flagValues) parseOutput(input.flagValues.output);
  const noHeaders = input.flagValues.headers === false;
  // Each run prints its headers so columns can be found; --no-headers applies to the merged table.
  // A jsonpath template is applied to the merged List (it can then read each item's cluster): the
  // clusters print JSON.
  const flagValues = {
    ...input.flagValues,
    ...('headers' in input.flagValues ? { headers: true } : {}),
    ...(output.startsWith('jsonpath') ? { output: 'json' } : {}),
  };
  const runs = await Promise.all(
    contexts.map(async (cluster): Promise<ClusterRun> => {
      const out = new Capture();
      const err = new Capture();
      const ctx = input.contextFor({ ...input.globals, context: cluster, contexts: [cluster], allContexts: false }, out, err);
      let code: number;
      try {
        code = await input.command.execute(ctx, input.args, flagValues);
      } catch (e) {
        const { errorLine, CliError } = await import('../errors.js');
        err.write(`${errorLine(e)}\n`);
        code = e instanceof CliError ? e.exitCode : ExitCode.ERROR;
      }
      return { cluster, stdout: out.text, stderr: err.text, code };
    }),
  );
  input.stdout.write(mergeOutputs(runs, output, noHeaders));
  for (const run of runs) input.stderr.write(labelErrors(run));
  return fleetExitCode(runs);
}

/** Each stderr line of a run, naming its cluster: `error: cluster "a": node-b: no answer …`. */
export function labelErrors(run: ClusterRun): string {
  return run.stderr
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const m = /^(error|warning|W\d+|E\d+): (.*)$/.exec(l);
      const cluster = escapeControlCharacters(run.cluster);
      return m ? `${m[1]}: cluster "${cluster}": ${m[2]}\n` : `cluster "${cluster}": ${l}\n`;
    })
    .join('');
}

export function fleetExitCode(runs: ClusterRun[]): number {
  if (runs.every((r) => r.code === ExitCode.OK)) return ExitCode.OK;
  // A doctor finding (or any code other than a failure to answer) is the fleet's answer.
  const answered = runs.filter((r) => r.code === ExitCode.OK || r.code === ExitCode.PARTIAL || r.stdout !== '');
  if (answered.length === 0) return runs.find((r) => r.code !== ExitCode.OK)!.code;
  const findings = runs.map((r) => r.code).filter((c) => c !== ExitCode.OK && c !== ExitCode.PARTIAL && c !== ExitCode.ERROR);
  if (findings.length > 0 && answered.length === runs.length) return Math.max(...findings);
  return ExitCode.PARTIAL;
}

/** The merged stdout for the output format. */
export function mergeOutputs(runs: ClusterRun[], output: string, noHeaders: boolean): string {
  const answered = runs.filter((r) => r.stdout !== '');
  if (output === 'json') return mergeJson(answered);
  if (output === 'yaml') return mergeYaml(answered);
  if (output === 'name') return answered.map((r) => r.stdout.split('\n').filter(Boolean).map((l) => `${escapeControlCharacters(r.cluster)}/${l}\n`).join('')).join('');
  if (output.startsWith('jsonpath')) {
    const format = parseOutput(output);
    if (format.type !== 'jsonpath') throw new Error(`not a jsonpath output: ${output}`);
    return renderJsonPath(format.template, mergedDocument(answered, (text) => parseLossless(text, undefined, exactNumber) as Doc));
  }
  return mergeTables(answered, noHeaders);
}

type Doc = Record<string, unknown>;

/** A JSON number as the jsonpath printer takes it: an integer a double cannot hold stays exact (bigint). */
const exactNumber = (text: string): number | bigint => (/^-?\d+$/.test(text) && !Number.isSafeInteger(Number(text)) ? BigInt(text) : Number(text));

/** A document's items each with their cluster, or the whole document as one item. */
function itemsOf(cluster: string, doc: Doc): Doc[] {
  if (Array.isArray(doc.items)) return (doc.items as Doc[]).map((item) => ({ cluster, ...item }));
  const { apiVersion: _a, ...rest } = doc;
  return [{ cluster, ...rest }];
}

/** One List of every cluster's items; a document that is not a list becomes one item (kind kept). */
function mergedDocument(runs: ClusterRun[], parse: (text: string) => Doc): Doc {
  const docs = runs.map((r) => ({ cluster: r.cluster, doc: parse(r.stdout) }));
  const kinds = new Set(docs.map((d) => d.doc.kind));
  const listKind = docs.every((d) => Array.isArray(d.doc.items)) && kinds.size === 1 ? String([...kinds][0]) : 'List';
  return { apiVersion: API_VERSION, kind: listKind, items: docs.flatMap((d) => itemsOf(d.cluster, d.doc)) };
}

function mergeJson(runs: ClusterRun[]): string {
  // lossless-json keeps 64-bit counters exact through the merge.
  const doc = mergedDocument(runs, (text) => parseLossless(text) as Doc);
  return `${stringifyLossless(doc, null, 2)}\n`;
}

function mergeYaml(runs: ClusterRun[]): string {
  const doc = mergedDocument(runs, (text) => (parseAllDocuments(text, { intAsBigInt: true })[0]?.toJS() ?? {}) as Doc);
  return toYaml(doc);
}

/** Column start offsets of a kubectl-style header line (columns three or more spaces apart). */
function columnStarts(header: string): number[] {
  const starts = [0];
  for (const m of header.matchAll(/ {3,}(?=\S)/g)) starts.push(m.index! + m[0].length);
  return starts;
}

function cells(line: string, starts: number[]): string[] {
  return starts.map((s, i) => line.slice(s, i + 1 < starts.length ? starts[i + 1] : undefined).trimEnd());
}

/**
 * Tables of the same columns merge into one with CLUSTER first; anything after a table (doctor's
 * fixes) and any output that is not one table follows per cluster under a `cluster NAME:` line.
 */
function mergeTables(runs: ClusterRun[], noHeaders: boolean): string {
  const rows: string[][] = [];
  let header: string[] | undefined;
  const rest: string[] = [];
  for (const run of runs) {
    const blank = run.stdout.indexOf('\n\n');
    const table = blank >= 0 ? run.stdout.slice(0, blank + 1) : run.stdout;
    const after = blank >= 0 ? run.stdout.slice(blank + 2) : '';
    const lines = table.split('\n').filter((l) => l !== '');
    const isTable = lines.length > 0 && /^[A-Z][A-Z0-9/_-]*( {3,}[A-Z][A-Z0-9/_-]*)*$/.test(lines[0]);
    if (!isTable) {
      rest.push(`cluster ${escapeControlCharacters(run.cluster)}:\n${run.stdout}`);
      continue;
    }
    const starts = columnStarts(lines[0]);
    const these = cells(lines[0], starts);
    if (header && header.join('\t') !== these.join('\t')) {
      rest.push(`cluster ${escapeControlCharacters(run.cluster)}:\n${run.stdout}`);
      continue;
    }
    header = these;
    // Text mcastctl did not write: a context name cannot recolour the terminal or break the columns.
    const cluster = escapeControlCharacters(run.cluster);
    for (const line of lines.slice(1)) rows.push([cluster, ...cells(line, starts)]);
    if (after.trim() !== '') rest.push(`cluster ${cluster}:\n${after}`);
  }
  let text = '';
  if (header) {
    const all = noHeaders ? rows : [['CLUSTER', ...header], ...rows];
    const widths = all[0].map((_, j) => Math.max(...all.map((r) => (r[j] ?? '').length)));
    text = all.map((r) => r.map((c, j) => (j + 1 < r.length ? c.padEnd(widths[j]) : c)).join('   ').trimEnd()).join('\n');
    text += text ? '\n' : '';
  }
  return [text, ...rest].filter(Boolean).join('\n');
}

