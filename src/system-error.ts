import { getSystemErrorMap } from 'node:util';

/**
 * Go's os.PathError wording for a failed file operation, which kubectl and antctl print:
 * "open /var/run/x: no such file or directory", never Node's "ENOENT" codes. Takes any thrown
 * value; returns that text for a Node system error with a path, else the error's message.
 */
export function fileErrorText(err: unknown, path?: string): string {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error)) return String(err);
  if (typeof e.errno !== 'number' || e.code === undefined) return err.message;
  const op = e.syscall ?? 'open';
  const target = path ?? e.path;
  return `${op}${target !== undefined ? ` ${target}` : ''}: ${systemErrorDescription(e)}`;
}

/**
 * The C library's description of a Node system error (libuv's, which matches strerror's for file
 * errors), lower case as Go prints it: "connection refused" for ECONNREFUSED. Falls back to the
 * error's code, then its message.
 */
export function systemErrorDescription(e: Pick<NodeJS.ErrnoException, 'code' | 'errno' | 'message'>): string {
  // libuv words EISDIR "illegal operation on a directory"; strerror (and Go) say "is a directory".
  if (e.code === 'EISDIR') return 'is a directory';
  const known = typeof e.errno === 'number' ? getSystemErrorMap().get(e.errno) : [...getSystemErrorMap().values()].find(([name]) => name === e.code);
  return known ? known[1] : (e.code ?? e.message);
}

