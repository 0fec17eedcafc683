/**
 * Reading klog output (k8s.io/klog/v2 header "Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg"), as
 * the antrea-agent writes it.
 */

/**
 * The last fatal line of a log ("F1129 21:00:00.000000 1 main.go:50] …") joined with the lines its
 * message runs on to (yaml.v2's "unmarshal errors:" list: "  line 322: field Multicast not found in
 * type agent.AgentConfig"), each trimmed and separated by one space; else the last error-looking line;
 * undefined when there is none. Takes the log text (several containers' logs may be concatenated).
 */
export function fatalLineOf(log: string): string | undefined {
  const lines = log.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  const header = /^[IWEF]\d{4} /;
  const last = lines.map((l, i) => (/^F\d{4} /.test(l) ? i : -1)).filter((i) => i >= 0).pop();
  if (last !== undefined) {
    let end = last + 1;
    while (end < lines.length && !header.test(lines[end])) end++;
    return lines.slice(last, end).map((l, i) => (i === 0 ? l : l.trim())).join(' ');
  }
  const errors = lines.filter((l) => /^E\d{4} |error|failed/i.test(l));
  return errors[errors.length - 1];
}
