/**
 * iproute2's `ip [-s] [-j] mroute [show]` (ip/ipmroute.c) in the container's network namespace. The
 * image decides the iproute2 version (images/index.ts); the renderers in render/ print its format.
 */
import { describeImage } from '../images/index.js';
import { ipMroute, ipMrouteJson } from '../render/kernel-output.js';
import { fail, ok, type ProgramContext, type ShellResult } from './index.js';

export function ip(ctx: ProgramContext, args: string[]): ShellResult {
  const state = ctx.cluster.nodeState(ctx.runtime.node);
  const image = describeImage(ctx.image, state?.spec.agent?.tools ?? {});
  const hasJson = image.iproute2 !== '4.9';
  let json = false;
  let stats = false;
  let i = 0;
  for (; i < args.length && args[i].startsWith('-'); i++) {
    if ((args[i] === '-j' || args[i] === '-json') && !hasJson) return fail(`Option "${args[i]}" is unknown, try "ip -help".\n`, 255);
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
  const routes = ctx.runtime.hostNetwork ? ctx.cluster.dataplane.mroutes(ctx.runtime.node) : [];
  return ok(json ? ipMrouteJson(routes, stats) : ipMroute(routes, stats));
}
