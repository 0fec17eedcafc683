import { renderMulticastJson, renderMulticastTable, renderMulticastYaml } from './antctl-output.js';
import type { AgentRuntime, SimCluster } from './cluster-state.js';
import { ipMroute, ipMrouteJson, procIpMrCache, procIpMrVif, procNetIgmp } from './kernel-output.js';

export interface ShellResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The container runtime could not start the process at all (kubectl: "Internal error occurred"). */
export class RuntimeExecError extends Error {}

const ok = (stdout: string): ShellResult => ({ stdout, stderr: '', exitCode: 0 });
const fail = (stderr: string, exitCode = 1, stdout = ''): ShellResult => ({ stdout, stderr, exitCode });

export interface ExecTarget {
  cluster: SimCluster;
  /** The agent whose container this is; absent for the controller. */
  agent?: AgentRuntime;
  container: string;
}

const IGMP_SYSCTL = 'net.ipv4.igmp_max_memberships';
const IGMP_PROC = '/proc/sys/net/ipv4/igmp_max_memberships';

function antctl(target: ExecTarget, args: string[]): ShellResult {
  const { cluster, agent } = target;
  const [verb, resource, ...rest] = args;
  if (verb === 'get' && resource === 'featuregates') {
    if (rest.length > 0) return fail(`Error: unknown flag: ${rest[0]}\n`);
    return ok(agent ? cluster.agentFeatureGatesOutput(agent) : cluster.controllerFeatureGatesOutput());
  }
  if (verb === 'get' && resource === 'podmulticaststats') {
    if (!agent) return ok('Get the status or resource of a topic\n\nUsage:\n  antctl get [command]\n');
    let namespace = '';
    let output = 'table';
    const positional: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i];
      if (a === '-n' || a === '--namespace') namespace = rest[++i] ?? '';
      else if (a.startsWith('--namespace=')) namespace = a.slice(12);
      else if (a === '-o' || a === '--output') output = rest[++i] ?? '';
      else if (a.startsWith('--output=')) output = a.slice(9);
      else if (a.startsWith('-')) return fail(`Error: unknown flag: ${a}\n`);
      else positional.push(a);
    }
    if (positional.length > 1) return fail(`Error: accepts at most 1 arg(s), received ${positional.length}\n`);
    if (!cluster.multicastRunning(agent)) return fail('Error: request to server failed: Service Unavailable: Multicast is not enabled\n');
    const name = positional[0] ?? '';
    if (name && !namespace) return fail('Error: request to server failed: Service Unavailable: name option should be used with namespace option\n');
    let rows = cluster.podStats(agent);
    if (name) {
      rows = rows.filter((r) => r.name === name && r.podNamespace === namespace);
      if (rows.length === 0) return fail('Error: request to server failed: Not Found: the server could not find the requested resource\n');
    } else if (namespace) rows = rows.filter((r) => r.podNamespace === namespace);
    switch (output) {
      case 'table': return ok(renderMulticastTable(rows));
      case 'json': return ok(renderMulticastJson(rows));
      case 'yaml': return ok(renderMulticastYaml(rows));
      default: return fail(`Error: unsupported format type: ${output}\n`);
    }
  }
  return fail(`Error: unknown command "${verb ?? ''}" for "antctl"\nRun 'antctl --help' for usage.\n`);
}

function ip(target: ExecTarget, args: string[]): ShellResult {
  const { cluster, agent } = target;
  if (!agent) return fail('Object "mroute" is unknown, try "ip help".\n', 255);
  let json = false;
  let stats = false;
  let i = 0;
  const tools = agent.node.agent?.tools;
  for (; i < args.length && args[i].startsWith('-'); i++) {
    if ((args[i] === '-j' || args[i] === '-json') && tools?.ipJson === false) return fail(`Option "${args[i]}" is unknown, try "ip -help".\n`, 255);
    if (args[i] === '-j' || args[i] === '-json') json = true;
    else if (args[i] === '-s' || args[i] === '-stats' || args[i] === '-statistics') stats = true;
    else if (args[i] === '-p' || args[i] === '-pretty' || args[i] === '-4') continue;
    else return fail(`Option "${args[i]}" is unknown, try "ip -help".\n`, 255);
  }
  const [object, ...rest] = args.slice(i);
  if (object !== 'mroute' && object !== 'mr' && object !== 'mrou') return fail(`Object "${object ?? ''}" is unknown, try "ip help".\n`, 255);
  const filters = rest[0] === 'show' || rest[0] === 'list' ? rest.slice(1) : rest;
  if (filters.length > 0) {
    // iproute2 6.1 rejects every address filter of "ip mroute show".
    const value = filters[0] === 'from' || filters[0] === 'to' ? (filters[1] ?? '') : filters[0];
    return fail(`Error: ??? prefix is expected rather than "${value}".\n`, 1);
  }
  const routes = cluster.mroutes(agent);
  return ok(json ? ipMrouteJson(routes, stats) : ipMroute(routes, stats));
}

function cat(target: ExecTarget, files: string[]): ShellResult {
  const { cluster, agent } = target;
  let stdout = '';
  for (const file of files) {
    let text: string | undefined;
    if (agent) {
      if (file === '/proc/net/ip_mr_cache') text = procIpMrCache(cluster.mroutes(agent), cluster.vifs(agent));
      else if (file === '/proc/net/ip_mr_vif') text = procIpMrVif(cluster.vifs(agent));
      else if (file === '/proc/net/igmp') text = procNetIgmp(cluster.igmpDevices(agent));
      else if (file === IGMP_PROC) text = `${agent.sysctl.igmpMaxMemberships}\n`;
      else if (file === '/etc/antrea/antrea-agent.conf') text = agent.startedConf;
    } else if (file === '/etc/antrea/antrea-controller.conf') text = cluster.controller.startedConf;
    if (text === undefined) return fail(`cat: ${file}: No such file or directory\n`, 1, stdout);
    stdout += text;
  }
  return ok(stdout);
}

function sysctl(target: ExecTarget, args: string[]): ShellResult {
  const { agent } = target;
  let valueOnly = false;
  let write = false;
  const keys: string[] = [];
  for (const a of args) {
    if (a === '-n') valueOnly = true;
    else if (a === '-w') write = true;
    else if (a.startsWith('-')) return fail(`sysctl: unknown option '${a}'\n`, 255);
    else keys.push(a);
  }
  let stdout = '';
  for (const item of keys) {
    const [key, value] = item.split('=', 2);
    const normalised = key.replace(/\//g, '.');
    if (!agent || normalised !== IGMP_SYSCTL) return fail(`sysctl: cannot stat /proc/sys/${normalised.replace(/\./g, '/')}: No such file or directory\n`, 255, stdout);
    if (value !== undefined) {
      if (!write) return fail(`sysctl: "${item}" must be of the form name=value\n`, 255, stdout);
      if (!/^-?\d+$/.test(value.trim()) || Math.abs(Number(value)) > 2 ** 31 - 1) {
        return fail(`sysctl: setting key "${IGMP_SYSCTL}": Invalid argument\n`, 255, stdout);
      }
      agent.sysctl.igmpMaxMemberships = Number(value);
    }
    const current = agent.sysctl.igmpMaxMemberships;
    stdout += valueOnly ? `${current}\n` : `${IGMP_SYSCTL} = ${current}\n`;
  }
  return ok(stdout);
}

/** Splits a sh -c script into commands and words: enough shell for "a; b", quotes and exit N. */
function shell(target: ExecTarget, script: string): ShellResult {
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  for (const command of script.split(/;|&&|\n/).map((c) => c.trim()).filter(Boolean)) {
    const words = [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
    if (words[0] === 'exit') return { stdout, stderr, exitCode: Number(words[1] ?? exitCode) };
    if (words[0] === 'echo') {
      stdout += `${words.slice(1).join(' ')}\n`;
      exitCode = 0;
      continue;
    }
    if (words[0] === 'echo-err') {
      stderr += `${words.slice(1).join(' ')}\n`;
      continue;
    }
    const result = runArgv(target, words, true);
    stdout += result.stdout;
    stderr += result.stderr;
    exitCode = result.exitCode;
  }
  return { stdout, stderr, exitCode };
}

/** Runs one argv in the container. Without a shell, an unknown program is a runtime error, as with containerd. */
export function runArgv(target: ExecTarget, argv: string[], underShell = false): ShellResult {
  const program = (argv[0] ?? '').split('/').pop() ?? '';
  const args = argv.slice(1);
  switch (program) {
    case 'antctl': return antctl(target, args);
    case 'ip':
      if (target.agent?.node.agent?.tools?.ip === false) return missing(argv, underShell);
      return ip(target, args);
    case 'cat': return cat(target, args);
    case 'sysctl': return sysctl(target, args);
    case 'true': return ok('');
    case 'sh':
    case 'bash':
      if (args[0] === '-c' && args[1] !== undefined) return shell(target, args[1]);
      return fail(`${program}: only "-c SCRIPT" is supported here\n`, 2);
    default:
      return missing(argv, underShell);
  }
}

function missing(argv: string[], underShell: boolean): ShellResult {
  if (underShell) return fail(`sh: 1: ${argv[0]}: not found\n`, 127);
  throw new RuntimeExecError(
    `error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown`,
  );
}
