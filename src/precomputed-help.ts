/**
 * Help without the CLI: `npm run build` runs the real CLI once for every help text it can print (and
 * for --version) and stores them next to the bundle (dist/help.json); a run that only asks for one
 * of them prints the stored text instead of loading commander and the command table. A leaf
 * module: with the writer in output/ it is all such a run loads, so it imports nothing from src/
 * but the program name.
 */
import { readFileSync } from 'node:fs';
import { programNameFor } from './program-name.js';

/** What the build renders by running the CLI (renderPrecomputedArtifact in cli.ts). */
export interface PrecomputedOutputs {
  /** What `--version` prints, newline included. */
  version: string;
  /**
   * Per program name ("mcastctl", "kubectl antrea-multicast"), per command path ("" for the
   * program itself, "get mroute" for a subcommand): what `<path> --help` prints, byte for byte.
   */
  help: Record<string, Record<string, string>>;
}

/**
 * The stored file. Every help text repeats the global options and the exit codes, and both program
 * names print nearly the same texts: each text is kept as the indices of its lines in one table of
 * distinct lines, which keeps the file that such a start reads small (about a fifth).
 */
export interface PrecomputedArtifact {
  /** The digest of the bundle the texts were rendered from. */
  build: string;
  lines: string[];
  /** What --version prints, as indices into lines. */
  version: number[];
  /** Per program name, per command path: the help text as indices into lines. */
  help: Record<string, Record<string, number[]>>;
}

/** The outputs in the stored form, for the bundle whose digest is `build`. */
export function encodeArtifact(outputs: PrecomputedOutputs, build: string): PrecomputedArtifact {
  const lines: string[] = [];
  const indexOf = new Map<string, number>();
  const encode = (text: string) =>
    text.split('\n').map((line) => {
      let index = indexOf.get(line);
      if (index === undefined) indexOf.set(line, (index = lines.push(line) - 1));
      return index;
    });
  const help: PrecomputedArtifact['help'] = {};
  for (const [program, texts] of Object.entries(outputs.help)) {
    help[program] = Object.fromEntries(Object.entries(texts).map(([path, text]) => [path, encode(text)]));
  }
  return { build, lines, version: encode(outputs.version), help };
}

/** The text of `indices`, or undefined when they do not all name a line. */
function decode(lines: unknown, indices: unknown): string | undefined {
  if (!Array.isArray(lines) || !Array.isArray(indices)) return undefined;
  const text: string[] = [];
  for (const index of indices) {
    const line: unknown = Number.isInteger(index) ? lines[index] : undefined;
    if (typeof line !== 'string') return undefined;
    text.push(line);
  }
  return text.join('\n');
}

/** The artifact's file name, next to the bundle's entry (dist/main.cjs). */
export const PRECOMPUTED_ARTIFACT = 'help.json';

const HELP_FLAGS = new Set(['--help', '-h']);

/** Words that can only be command names: a flag, an empty word or one with a space is an argument commander must judge. */
const commandPathOf = (words: readonly string[]): string | undefined =>
  words.every((w) => /^[^\s-]\S*$/.test(w)) ? words.join(' ') : undefined;

/**
 * The command path a pure help request asks about: "" for no arguments, `--help`, `-h` and
 * `help`; "get mroute" for `help get mroute`, `get mroute --help` and `get mroute -h`. Anything
 * else (a flag or argument besides the one help flag, `--help` before the last word) returns
 * undefined: only the full CLI can say what that means. Whether the path names a command is the
 * caller's to check.
 */
function helpRequestPath(args: readonly string[]): string | undefined {
  if (args.length === 0) return '';
  if (args[0] === 'help') {
    const path = commandPathOf(args.slice(1));
    if (path !== undefined) return path;
  }
  return HELP_FLAGS.has(args[args.length - 1]) ? commandPathOf(args.slice(0, -1)) : undefined;
}

/**
 * What the CLI would print for `args` when that is stored: the help of a command path (see
 * helpRequestPath) or the version (`--version` alone). `argv0` is the script's path (program name,
 * see programNameFor), `artifact` the stored file's path and `build` the digest the bundle
 * carries. Returns undefined, and the caller must run the full CLI, when args ask for anything
 * else, the command path is unknown, or the file is missing, unreadable or from another build.
 * Never throws.
 */
export function precomputedOutput(args: readonly string[], argv0: string, artifact: string, build: string): string | undefined {
  const wantsVersion = args.length === 1 && args[0] === '--version';
  const path = wantsVersion ? undefined : helpRequestPath(args);
  if (!wantsVersion && path === undefined) return undefined;
  let stored: Partial<PrecomputedArtifact> | null;
  try {
    stored = JSON.parse(readFileSync(artifact, 'utf8'));
  } catch {
    return undefined;
  }
  if (stored?.build !== build) return undefined;
  if (path === undefined) return decode(stored.lines, stored.version);
  const texts = stored.help?.[programNameFor(argv0)];
  return texts && Object.hasOwn(texts, path) ? decode(stored.lines, texts[path]) : undefined;
}
