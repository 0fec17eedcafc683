/**
 * iproute2's `ip [-s] [-j] mroute [show [table all]]` in the container's network namespace. The image
 * decides the iproute2 version (images/index.ts); render/iproute2-mroute.ts prints that version's format.
 */
import { describeImage } from '../images/index.js';
import { mrouteRequestOf, renderIpMroute, type Iproute2Version } from '../render/iproute2-mroute.js';
import { mfcRoutes } from '../render/kernel-output.js';
import { fail, type ProgramContext, type ShellResult } from './index.js';

const OPTIONS = ['-j', '-json', '-s', '-stats', '-statistics', '-p', '-pretty', '-4'];

export function ip(ctx: ProgramContext, args: string[]): ShellResult {
  const state = ctx.cluster.nodeState(ctx.runtime.node);
  const version = (describeImage(ctx.image, state?.spec.agent?.tools ?? {}).iproute2 ?? '6.1').split('.').map(Number) as unknown as Iproute2Version;
  let i = 0;
  for (; i < args.length && args[i].startsWith('-'); i++) {
    if (!OPTIONS.includes(args[i])) return fail(`Option "${args[i]}" is unknown, try "ip -help".\n`, 255);
  }
  const [object, ...rest] = args.slice(i);
  if (object !== 'mroute' && object !== 'mr' && object !== 'mrou') return fail(`Object "${object ?? ''}" is unknown, try "ip help".\n`, 255);
  const options = args.slice(0, i).filter((o) => !['-p', '-pretty', '-4'].includes(o));
  const request = mrouteRequestOf(['ip', ...options, 'mroute', ...rest]);
  if (!request) {
    const filters = rest[0] === 'show' || rest[0] === 'list' ? rest.slice(1) : rest;
    // iproute2 rejects an address filter of "ip mroute show" that is not a prefix.
    const value = filters[0] === 'from' || filters[0] === 'to' ? (filters[1] ?? '') : filters[0];
    return fail(`Error: ??? prefix is expected rather than "${value}".\n`, 1);
  }
  const routes = ctx.runtime.hostNetwork ? ctx.cluster.dataplane.mroutes(ctx.runtime.node) : [];
  return renderIpMroute(mfcRoutes(routes), version, request);
}
