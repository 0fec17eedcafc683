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
 * The iproute2 of the antrea-agent-ubuntu image of a release: build/images/ovs/Dockerfile and
 * base/Dockerfile build FROM ubuntu:20.04 up to v1.9.0, ubuntu:22.04 from v1.10.0, ubuntu:24.04 from
 * v2.2.0 (antrea-io/antrea at those tags); Ubuntu ships iproute2 5.5.0 (focal), 5.15.0 (jammy) and
 * 6.1.0 (noble). A scenario picks another per Node with agent.tools.iproute2 (or ipJson: false: 4.9).
 */
export function agentIproute2(release: Release | undefined): string {
  if (!release) return '6.1';
  if (release.major < 1 || (release.major === 1 && release.minor < 10)) return '5.5';
  if (release.major < 2 || (release.major === 2 && release.minor < 2)) return '5.15';
  return '6.1';
}

const LINUX_AGENT_PROGRAMS = ['antctl', 'ip', 'cat', 'sysctl', 'sh', 'bash', 'true', 'echo', 'hostname', 'sleep'];
// busybox 1.36: sh, cat, echo, true, hostname, sleep, sysctl are applets; `ip` is too, without `mroute`.
const BUSYBOX_PROGRAMS = ['sh', 'cat', 'echo', 'true', 'hostname', 'sleep', 'sysctl'];

/** A Node's variations of its agent image (scenario agent.tools). */
export interface ImageOptions {
  /** false: no iproute2 at all. */
  ip?: boolean;
  /** false: an iproute2 without -j (4.9). */
  ipJson?: boolean;
  /** The iproute2 release, e.g. "4.11" or "7.1". */
  iproute2?: string;
}

const cache = new Map<string, ImageDescription>();

/** What an image reference is and which programs it ships. Unknown images behave as busybox. */
export function describeImage(image: string, options: ImageOptions = {}): ImageDescription {
  const key = `${image}|${options.ip ?? ''}|${options.ipJson ?? ''}|${options.iproute2 ?? ''}`;
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
    // iproute2 before 4.13 has no -j (ip/ip.c gained "-json" in v4.13.0): ipJson: false is 4.9.
    const iproute2 = options.ip === false ? undefined : (options.iproute2 ?? (options.ipJson === false ? '4.9' : agentIproute2(release)));
    description = { kind: 'antrea-agent', release, os: 'linux', programs, iproute2 };
  } else if (/antrea\/antrea-controller/.test(image)) {
    description = { kind: 'antrea-controller', release, os: 'linux', programs: new Set(['antctl', 'cat', 'sh', 'bash', 'true', 'echo', 'hostname', 'sleep']) };
  } else if (/(^|\/)mcjoin(:|@|$)/.test(image)) {
    // antrea/mcjoin (Antrea's multicast e2e image): mcjoin on an Alpine base (busybox applets).
    description = { kind: 'workload', os: 'linux', programs: new Set([...BUSYBOX_PROGRAMS, 'mcjoin']) };
  } else {
    description = { kind: 'workload', os: 'linux', programs: new Set(BUSYBOX_PROGRAMS) };
  }
  cache.set(key, description);
  return description;
}

/**
 * Whether a registry has the image: Antrea's images (antrea/*, mcjoin), busybox, and images given
 * programs with addProgramsToImage. Any other image cannot be pulled (the kubelet's ErrImagePull);
 * a scenario's workloads declare the images they run.
 */
export function isKnownImage(image: string): boolean {
  return /(^|\/)antrea\/|(^|\/)mcjoin(:|@|$)|(^|\/)busybox(:|@|$)/.test(image) || EXTRA.some((e) => e.pattern.test(image));
}

/** Registers extra programs for images matching `pattern` (e.g. a probe image's mcjoin). */
export function addProgramsToImage(pattern: RegExp, programs: ProgramName[]): void {
  EXTRA.push({ pattern, programs });
  cache.clear();
}

const EXTRA: Array<{ pattern: RegExp; programs: ProgramName[] }> = [];

export function programsOf(image: string, options: ImageOptions = {}): Set<ProgramName> {
  const base = describeImage(image, options).programs;
  const extra = EXTRA.filter((e) => e.pattern.test(image)).flatMap((e) => e.programs);
  return extra.length === 0 ? base : new Set([...base, ...extra]);
}
