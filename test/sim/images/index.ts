/**
 * Container images and the programs each ships. Exec runs a program only if the target container's
 * image has it; anything else is the runtime's "executable file not found" (see api/exec.ts).
 *
 * To add a program: write it in test/sim/programs/, then list it in the images that ship it below.
 * To add an image: add an entry to IMAGE_KINDS (matched on the image reference).
 */
import { parseRelease, type Release } from '../version.js';

export type ProgramName = 'antctl' | 'ip' | 'cat' | 'sysctl' | 'sh' | 'true' | 'echo' | 'hostname' | 'sleep' | (string & {});

export type ImageKind = 'antrea-agent' | 'antrea-agent-windows' | 'antrea-controller' | 'workload';

export interface ImageDescription {
  kind: ImageKind;
  /** The Antrea release of an Antrea image. */
  release?: Release;
  os: 'linux' | 'windows';
  /** Programs on $PATH (Windows: what CreateProcess finds). */
  programs: Set<ProgramName>;
  /** The iproute2 release the image ships, when it has `ip`; selects the renderer's format. */
  iproute2?: string;
}

/**
 * The iproute2 of the antrea-agent-ubuntu image: build/images/base/Dockerfile builds from ubuntu:22.04
 * (iproute2 5.15) for v1.x and v2.x releases alike. Scenarios pick other versions per Node
 * (agent.tools) to model older distribution images.
 */
export const AGENT_IPROUTE2 = '5.15';

const LINUX_AGENT_PROGRAMS = ['antctl', 'ip', 'cat', 'sysctl', 'sh', 'bash', 'true', 'echo', 'hostname', 'sleep'];
// busybox 1.36: sh, cat, echo, true, hostname, sleep, sysctl are applets; `ip` is too, without `mroute`.
const BUSYBOX_PROGRAMS = ['sh', 'cat', 'echo', 'true', 'hostname', 'sleep', 'sysctl'];

const cache = new Map<string, ImageDescription>();

/** What an image reference is and which programs it ships. Unknown images behave as busybox. */
export function describeImage(image: string, options: { ip?: boolean; ipJson?: boolean } = {}): ImageDescription {
  const key = `${image}|${options.ip ?? ''}|${options.ipJson ?? ''}`;
  const known = cache.get(key);
  if (known) return known;
  let description: ImageDescription;
  const release = parseRelease(image);
  if (/antrea\/antrea-windows|antrea-agent-windows/.test(image)) {
    // Windows hostProcess image: antctl.exe and antrea-agent.exe; no Linux userland.
    description = { kind: 'antrea-agent-windows', release, os: 'windows', programs: new Set(['antctl']) };
  } else if (/antrea\/antrea-(agent|ubuntu)/.test(image)) {
    const programs = new Set(LINUX_AGENT_PROGRAMS);
    if (options.ip === false) programs.delete('ip');
    // An iproute2 older than 4.13 has no -j (ip/ip.c gained "-json" in v4.13.0).
    description = { kind: 'antrea-agent', release, os: 'linux', programs, iproute2: options.ip === false ? undefined : options.ipJson === false ? '4.9' : AGENT_IPROUTE2 };
  } else if (/antrea\/antrea-controller/.test(image)) {
    description = { kind: 'antrea-controller', release, os: 'linux', programs: new Set(['antctl', 'cat', 'sh', 'bash', 'true', 'echo', 'hostname', 'sleep']) };
  } else {
    description = { kind: 'workload', os: 'linux', programs: new Set(BUSYBOX_PROGRAMS) };
  }
  cache.set(key, description);
  return description;
}

/** Registers extra programs for images matching `pattern` (e.g. a probe image's mcjoin). */
export function addProgramsToImage(pattern: RegExp, programs: ProgramName[]): void {
  EXTRA.push({ pattern, programs });
  cache.clear();
}

const EXTRA: Array<{ pattern: RegExp; programs: ProgramName[] }> = [];

export function programsOf(image: string, options: { ip?: boolean; ipJson?: boolean } = {}): Set<ProgramName> {
  const base = describeImage(image, options).programs;
  const extra = EXTRA.filter((e) => e.pattern.test(image)).flatMap((e) => e.programs);
  return extra.length === 0 ? base : new Set([...base, ...extra]);
}
