/**
 * Bounds for text mcastctl did not write itself: what a tool printed in a container, an API
 * server's error body, a kubeconfig value. Such text is capped before it is kept or printed, so one
 * hostile or broken Node cannot fill memory or write a 10 MB line to a terminal.
 */

/** The most bytes of one exec stream (stdout or stderr) kept in memory: `ip -s mroute` of 100k routes fits. */
export const MAX_TOOL_OUTPUT_BYTES = 32 * 1024 * 1024;
/** The most characters of untrusted text quoted in one diagnostic line. */
export const MAX_MESSAGE_CHARS = 400;

/**
 * Every character that can move the cursor, recolour or clear a terminal, or reorder what it shows:
 * C0 (ESC, BEL, CR, NUL, …), DEL, C1 (CSI 0x9b, …) and the Unicode bidirectional overrides.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Untrusted text made inert for a terminal, the one escaper every printed path uses: TAB, LF and
 * CR become "\t", "\n" and "\r", every other control character (ESC included, so nothing looks
 * like an escape sequence) "\uXXXX", as JSON writes them. Not cut; printable text is unchanged.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * One printable line of at most `max` characters from untrusted text: only the first line is kept,
 * its control characters are escaped (escapeControlCharacters), and a cut is marked with how much
 * was left out. Returns '' for empty input.
 */
export function boundedLine(text: string, max = MAX_MESSAGE_CHARS): string {
  const newline = text.search(/[\n\f\v\u2028\u2029]/);
  const first = newline >= 0 ? text.slice(0, newline) : text;
  const rest = text.length - first.length;
  const head = first.length > max ? first.slice(0, max) : first;
  const printable = escapeControlCharacters(head);
  const cut = first.length - head.length + rest;
  if (cut === 0) return printable;
  return `${printable}… (${cut} more characters${rest > 0 ? `, ${text.split('\n').length - 1} more lines` : ''})`;
}

/** Whether bytes look like text a command-line tool prints (UTF-8 without NUL or other binary control bytes). */
export function looksBinary(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000e-\u001a\u001c-\u001f]|\ufffd/.test(text.slice(0, 65536));
}

/**
 * A short description of output that is not what was expected, for a Node's failure line: says
 * when it is HTML, binary or huge instead of quoting it.
 */
export function describeUnexpected(text: string): string {
  const trimmed = text.trimStart();
  if (text.length === 0) return 'empty output';
  if (looksBinary(text)) return `binary output (${Buffer.byteLength(text)} bytes)`;
  if (/^<(!doctype html|html|head|body)\b/i.test(trimmed)) return `an HTML page (${Buffer.byteLength(text)} bytes)`;
  return JSON.stringify(boundedLine(trimmed, 80));
}

