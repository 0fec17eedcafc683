/** Antrea release versions as the simulator models them (image tags such as "v2.7.0"). */
export interface Release {
  major: number;
  minor: number;
  patch: number;
}

/** Parses "v2.7.0", "2.7.0-dev" or an image reference such as "antrea/antrea-agent-ubuntu:v1.11.2"; undefined if none. */
export function parseRelease(text: string): Release | undefined {
  const m = /v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.split(':').pop() ?? text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

export function compareRelease(a: Release, b: Release): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** Whether `version` is `major.minor.0` or newer. */
export const atLeast = (version: Release, major: number, minor: number): boolean => compareRelease(version, { major, minor, patch: 0 }) >= 0;

export const releaseTag = (r: Release): string => `v${r.major}.${r.minor}.${r.patch}`;
