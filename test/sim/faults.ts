/**
 * Injected faults, declared in a scenario's `faults:` list, applied by two middlewares: one in front
 * of every API request (api/server.ts), one in front of every exec session (api/exec.ts).
 *
 * Matching: `node` (exec into that Node's agent, or requests naming it), `path` (a regular expression
 * on the request path), `method`; `nth` fires from the N-th matching request on (1-based), `times`
 * limits how often it fires. A fault without `times` fires every time.
 */
import type { Fault, FaultKind } from './scenario.js';

export interface Where {
  node?: string;
  path?: string;
  method?: string;
}

/** What the API middleware does with a request. */
export type ApiFaultAction =
  | { kind: 'respond'; code: number; body?: string; contentType?: string; headers?: Record<string, string> }
  | { kind: 'drop' }
  | { kind: 'delete-node'; node: string };

/** What the exec middleware does with a session. */
export type ExecFaultAction =
  | { kind: 'hang' }
  | { kind: 'exit'; exitCode: number; stderr: string }
  | { kind: 'output'; stdout: Buffer; exitCode: number };

interface ActiveFault extends Fault {
  used: number;
  seen: number;
}

export class Faults {
  private readonly faults: ActiveFault[];

  constructor(faults: Fault[] = []) {
    this.faults = faults.map((f) => ({ ...f, used: 0, seen: 0 }));
  }

  /** Adds a fault while the simulator runs (tests that inject mid-run). */
  add(fault: Fault): void {
    this.faults.push({ ...fault, used: 0, seen: 0 });
  }

  private matches(f: ActiveFault, where: Where): boolean {
    return (
      (f.node === undefined || f.node === where.node) &&
      (f.path === undefined || (where.path !== undefined && new RegExp(f.path).test(where.path))) &&
      (f.method === undefined || f.method === where.method)
    );
  }

  /** The first fault of these kinds that fires here, counted as used. */
  take(kinds: FaultKind[], where: Where): Fault | undefined {
    for (const f of this.faults) {
      if (!kinds.includes(f.kind) || !this.matches(f, where)) continue;
      f.seen++;
      if (f.nth !== undefined && f.seen < f.nth) continue;
      if (f.times !== undefined && f.used >= f.times) continue;
      f.used++;
      return f;
    }
    return undefined;
  }

  /** Whether a standing fault of this kind applies (not counted). */
  active(kind: FaultKind, where: Where): boolean {
    return this.faults.some((f) => f.kind === kind && this.matches(f, where) && (f.times === undefined || f.used < f.times));
  }

  /**
   * The API middleware: waits for `slow` faults, then answers for 401/403/429/500/`status`, drops the
   * connection (`drop-connection`), or deletes a Node before answering (`delete-node`).
   */
  async apiRequest(where: Where): Promise<ApiFaultAction[]> {
    const slow = this.take(['slow'], where);
    if (slow) await delay(slow.delayMs ?? 500);
    const actions: ApiFaultAction[] = [];
    const deleteNode = this.take(['delete-node'], where);
    if (deleteNode?.targetNode) actions.push({ kind: 'delete-node', node: deleteNode.targetNode });
    if (this.take(['drop-connection'], where)) return [...actions, { kind: 'drop' }];
    const status = (code: number, reason: string, message: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...extra, code });
    if (this.take(['unauthorized'], where)) return [...actions, { kind: 'respond', code: 401, body: status(401, 'Unauthorized', 'Unauthorized') }];
    if (this.take(['forbidden'], where)) return [...actions, { kind: 'respond', code: 403, body: status(403, 'Forbidden', `${where.path} is forbidden: User "sim" cannot access this resource`) }];
    const throttle = this.take(['too-many-requests'], where);
    if (throttle) {
      const seconds = throttle.retryAfterSeconds ?? 1;
      return [...actions, { kind: 'respond', code: 429, headers: { 'Retry-After': String(seconds) }, body: status(429, 'TooManyRequests', 'Too many requests, please try again later.', { details: { retryAfterSeconds: seconds } }) }];
    }
    if (this.take(['server-error'], where)) return [...actions, { kind: 'respond', code: 500, body: status(500, 'InternalError', 'Internal error occurred: simulated server failure') }];
    const any = this.take(['status'], where);
    if (any) return [...actions, { kind: 'respond', code: any.code ?? 500, body: any.body ?? '', contentType: any.contentType ?? 'application/json', headers: any.headers }];
    return actions;
  }

  /** Milliseconds to hold a WebSocket upgrade (`slow-upgrade`), 0 for none. */
  upgradeDelay(where: Where): number {
    return this.take(['slow-upgrade'], where)?.delayMs ?? 0;
  }

  /**
   * The exec middleware, once the session is open: `exec-hang` never answers; `slow` (path "exec")
   * waits; `exec-exit` ends with a code; `exec-output` answers huge (`bytes`) or binary output.
   */
  async execSession(where: Where): Promise<ExecFaultAction | undefined> {
    if (this.take(['exec-hang'], where)) return { kind: 'hang' };
    const slow = this.take(['slow'], { ...where, path: 'exec' });
    if (slow) await delay(slow.delayMs ?? 500);
    const exit = this.take(['exec-exit'], where);
    if (exit) return { kind: 'exit', exitCode: exit.exitCode ?? 1, stderr: exit.stderr ?? 'simulated failure\n' };
    const output = this.take(['exec-output'], where);
    if (output) {
      let stdout: Buffer;
      if (output.binary) {
        stdout = Buffer.alloc(output.bytes ?? 4096);
        for (let i = 0; i < stdout.length; i++) stdout[i] = (i * 131 + 7) & 0xff;
      } else {
        stdout = Buffer.alloc(output.bytes ?? 10 * 1024 * 1024, output.fill ?? 'x');
      }
      return { kind: 'output', stdout, exitCode: output.exitCode ?? 0 };
    }
    return undefined;
  }
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
