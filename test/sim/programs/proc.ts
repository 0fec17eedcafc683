/**
 * Reading the kernel through /proc and sysctl (procps sysctl, coreutils/busybox cat), in the network
 * namespace of the container: the Node's for hostNetwork Pods (the agent), the Pod's own otherwise.
 */
import { AGENT_CONF_PATH } from '../antrea/agent-startup.js';
import { procIpMrCache, procIpMrVif, procNetIgmp } from '../render/kernel-output.js';
import { fail, ok, type ProgramContext, type ShellResult } from './index.js';

const IGMP_SYSCTL = 'net.ipv4.igmp_max_memberships';
const IGMP_PROC = '/proc/sys/net/ipv4/igmp_max_memberships';

/** The sysctls of the container's network namespace. */
function netns(ctx: ProgramContext): { igmpMaxMemberships: number } {
  return ctx.runtime.hostNetwork ? ctx.cluster.nodeState(ctx.runtime.node)!.sysctl : ctx.runtime.sysctl;
}

function file(ctx: ProgramContext, path: string): string | undefined {
  const { cluster, runtime } = ctx;
  const container = runtime.containers.find((c) => c.name === ctx.containerName);
  const dataplane = cluster.dataplane;
  const node = runtime.node;
  const host = runtime.hostNetwork;
  switch (path) {
    case '/proc/net/ip_mr_cache': return procIpMrCache(host ? dataplane.mroutes(node) : [], host ? dataplane.vifs(node) : []);
    case '/proc/net/ip_mr_vif': return procIpMrVif(host ? dataplane.vifs(node) : []);
    case '/proc/net/igmp': return procNetIgmp(host ? dataplane.igmpDevices(node) : [{ name: 'lo', ifindex: 1, groups: [] }, { name: 'eth0', ifindex: 2, groups: [] }]);
    case IGMP_PROC: return `${netns(ctx).igmpMaxMemberships}\n`;
    case AGENT_CONF_PATH: return container?.agent?.startedConf;
    case '/etc/antrea/antrea-controller.conf': return container?.controllerConf;
    case '/etc/hostname': return `${host ? node : runtime.name}\n`;
    default: return undefined;
  }
}

export function cat(ctx: ProgramContext, files: string[]): ShellResult {
  let stdout = '';
  for (const path of files) {
    const text = file(ctx, path);
    if (text === undefined) return fail(`cat: ${path}: No such file or directory\n`, 1, stdout);
    stdout += text;
  }
  return ok(stdout);
}

export function sysctl(ctx: ProgramContext, args: string[]): ShellResult {
  let valueOnly = false;
  let write = false;
  const keys: string[] = [];
  for (const a of args) {
    if (a === '-n') valueOnly = true;
    else if (a === '-w') write = true;
    else if (a.startsWith('-')) return fail(`sysctl: unknown option '${a}'\n`, 255);
    else keys.push(a);
  }
  const values = netns(ctx);
  let stdout = '';
  for (const item of keys) {
    const [key, value] = item.split('=', 2);
    const normalised = key.replace(/\//g, '.');
    if (normalised !== IGMP_SYSCTL) return fail(`sysctl: cannot stat /proc/sys/${normalised.replace(/\./g, '/')}: No such file or directory\n`, 255, stdout);
    if (value !== undefined) {
      if (!write) return fail(`sysctl: "${item}" must be of the form name=value\n`, 255, stdout);
      if (!/^-?\d+$/.test(value.trim()) || Math.abs(Number(value)) > 2 ** 31 - 1) return fail(`sysctl: setting key "${IGMP_SYSCTL}": Invalid argument\n`, 255, stdout);
      values.igmpMaxMemberships = Number(value);
    }
    stdout += valueOnly ? `${values.igmpMaxMemberships}\n` : `${IGMP_SYSCTL} = ${values.igmpMaxMemberships}\n`;
  }
  return ok(stdout);
}
