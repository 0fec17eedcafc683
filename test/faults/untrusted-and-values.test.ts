/**
 * The pure pieces behind the fault matrix: bounded untrusted text, flag values, version strings,
 * durations a timer can hold, retry delays, JSONPath syntax, the backup history, linear tables.
 */
import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import { parseRelease } from '../../src/antrea/featuregate-catalogue.js';
import { boundedLine, describeUnexpected } from '../../src/bounded-text.js';
import { changedSince, readHistory, sha256, withEntry, MAX_BACKUPS, type BackupEntry } from '../../src/cluster/antrea-config-store.js';
import { antreaVersionValue } from '../../src/cluster/antrea-version.js';
import { isTransientNetworkError, retryDelayMs, toCliError } from '../../src/cluster/api-errors.js';
import { MAX_DURATION_MS, parseDuration } from '../../src/duration.js';
import { errorLine, ExitCode } from '../../src/errors.js';
import { multicastGroupValue, notFlagLike } from '../../src/flag-values.js';
import { parseOutput, renderTable } from '../../src/output/list-printer.js';

describe('untrusted text is bounded', () => {
  it('keeps one line, escapes control characters and says how much was cut', () => {
    expect(boundedLine('a\x1b[31mb\r\u0000c')).toBe('a\\u001b[31mb\\r\\u0000c');
    // The reported exec stderr: ESC is escaped as BEL is, and C1 CSI and bidi overrides too.
    expect(boundedLine('\u001b[2J\u0007evil\nsecond line\n')).toBe('\\u001b[2J\\u0007evil… (13 more characters, 2 more lines)');
    expect(boundedLine('\u009b2J\u202eevil\ttab')).toBe('\\u009b2J\\u202eevil\\ttab');
    expect(boundedLine('first\nsecond\nthird')).toBe('first… (13 more characters, 2 more lines)');
    const huge = 'x'.repeat(10 * 1024 * 1024);
    expect(boundedLine(huge)).toBe(`${'x'.repeat(400)}… (${huge.length - 400} more characters)`);
    expect(errorLine(new Error(huge)).length).toBeLessThan(2100);
  });

  it('describes HTML, binary and empty output instead of quoting it', () => {
    expect(describeUnexpected('<!DOCTYPE html><html><body>502 Bad Gateway</body></html>')).toBe('an HTML page (56 bytes)');
    expect(describeUnexpected('\u0000\u0001\u0002ELF')).toBe('binary output (6 bytes)');
    expect(describeUnexpected('')).toBe('empty output');
  });

  it('an API error body that is not a Status is described, not printed whole', () => {
    const err = toCliError({ code: 502, body: `<html>${'y'.repeat(100000)}</html>` }, 'https://127.0.0.1:6443');
    expect(err.message).toBe('Error from server (BadGateway): the server answered an HTML page (100013 bytes)');
  });
});

describe('flag values', () => {
  it('a multicast group must be in 224.0.0.0/4', () => {
    expect(multicastGroupValue('239.255.12.42', '--group')).toBe('239.255.12.42');
    expect(() => multicastGroupValue('10.0.0.1', '--group')).toThrow('invalid multicast group "10.0.0.1" for --group: not a multicast address (224.0.0.0/4, such as 239.255.12.42)');
    expect(() => multicastGroupValue('240.0.0.1', '--group')).toThrow('not a multicast address');
    expect(() => multicastGroupValue('239.1.1', '--group')).toThrow('expected an IPv4 address');
  });

  it('a value that is a flag is refused', () => {
    expect(() => notFlagLike('--output=yaml', '--namespace')).toThrow('flag needs an argument: --namespace was given "--output=yaml", which is a flag');
    expect(notFlagLike('kube-system', '--namespace')).toBe('kube-system');
    expect(notFlagLike('=json', '--output')).toBe('json');
    expect(() => notFlagLike('', '--node')).toThrow('flag needs a non-empty value: --node');
    expect(() => notFlagLike('=', '--namespace')).toThrow('flag needs a non-empty value: --namespace');
    expect(notFlagLike('', '--context', { allowEmpty: true })).toBe('');
  });

  it('versions: the whole tag must be a version', () => {
    expect(parseRelease('v2.7.0')).toEqual({ major: 2, minor: 7, patch: 0 });
    expect(parseRelease('v2.7.0-5b2b4bd')).toEqual({ major: 2, minor: 7, patch: 0 });
    expect(parseRelease('antrea/antrea-agent-ubuntu:v1.11.2')).toEqual({ major: 1, minor: 11, patch: 2 });
    expect(parseRelease('registry:5000/antrea/antrea-agent-ubuntu:v1.12.1@sha256:0123')).toEqual({ major: 1, minor: 12, patch: 1 });
    expect(parseRelease('devel-1.2.3')).toBeUndefined();
    expect(parseRelease('banana')).toBeUndefined();
    expect(parseRelease('antrea/antrea-agent-ubuntu:latest')).toBeUndefined();
    expect(() => antreaVersionValue('banana')).toThrow(expect.objectContaining({ exitCode: ExitCode.USAGE, message: 'invalid --antrea-version "banana": expected a version such as v2.7.0' }));
  });

  it('durations longer than a timer holds are refused, not overflowed to 1 ms', () => {
    expect(parseDuration('596h', '--node-timeout')).toBe(596 * 3_600_000);
    expect(() => parseDuration('600h', '--node-timeout')).toThrow('invalid duration "600h" for --node-timeout: at most 596h31m23.647s (or 0 for no limit)');
    expect(() => parseDuration('99999999999', '--request-timeout')).toThrow('at most');
    expect(MAX_DURATION_MS).toBe(2147483647);
  });

  it('custom-columns and jsonpath syntax is checked before anything runs', () => {
    expect(() => parseOutput('custom-columns=A:.items[(')).toThrow('error parsing jsonpath {.items[(}: unclosed "("');
    expect(() => parseOutput('custom-columns=A:.a]')).toThrow('unexpected "]"');
    expect(() => parseOutput('jsonpath={.items[*}')).toThrow('error parsing jsonpath');
    expect(() => parseOutput("custom-columns=A:.items[?(@.name=='x')]")).not.toThrow();
    expect(parseOutput('jsonpath={range .items[*]}{.name}{end}')).toEqual({ type: 'jsonpath', template: '{range .items[*]}{.name}{end}' });
  });
});

describe('retries', () => {
  it('Retry-After is honoured with ±20 % jitter and capped; backoff doubles', () => {
    expect(retryDelayMs(0, '2', () => 0)).toBe(1600);
    expect(retryDelayMs(0, '2', () => 1)).toBe(2400);
    expect(retryDelayMs(0, '3600', () => 0.5)).toBe(10_000);
    expect(retryDelayMs(0, undefined, () => 0.5)).toBe(200);
    expect(retryDelayMs(3, undefined, () => 0.5)).toBe(1600);
  });

  it('connection resets are transient; HTTP statuses and timeouts are not', () => {
    expect(isTransientNetworkError(Object.assign(new Error('request to https://x failed, reason: socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientNetworkError({ code: 500, message: 'HTTP-Code: 500' })).toBe(false);
    expect(isTransientNetworkError({ name: 'AbortError', message: 'The operation was aborted' })).toBe(false);
  });
});

describe('backup history', () => {
  const entry = (id: string, saved: Record<string, string | null>, written?: Record<string, string | null>): BackupEntry => ({ id, savedAt: id, sourceResourceVersion: '1', saved, ...(written ? { written } : {}) });

  it('a new backup never removes the earlier ones (up to the cap)', () => {
    let history: BackupEntry[] = [];
    for (let i = 0; i < MAX_BACKUPS + 3; i++) history = withEntry(history, entry(`2026010${String(i).padStart(2, '0')}`, { k: `v${i}` }));
    expect(history.length).toBe(MAX_BACKUPS);
    expect(history[history.length - 1].saved.k).toBe(`v${MAX_BACKUPS + 2}`);
    expect(withEntry(history, entry(history[0].id, { k: 'replaced' })).length).toBe(MAX_BACKUPS);
  });

  it('knows whether antrea-config still holds what a change wrote', () => {
    const e = entry('1', { 'antrea-agent.conf': 'old' }, { 'antrea-agent.conf': sha256('new') });
    expect(changedSince(e, { 'antrea-agent.conf': 'new' })).toEqual([]);
    expect(changedSince(e, { 'antrea-agent.conf': 'new\n# appended by another writer\n' })).toEqual(['antrea-agent.conf']);
  });

  it('reads a backup saved before the history existed as one entry', () => {
    const legacy = readHistory({ metadata: { annotations: { 'mcastctl.antrea.io/saved-at': '2026-11-01T10:00:00.000Z' } }, data: { 'antrea-agent.conf': 'a' } });
    expect(legacy).toEqual([{ id: '20261101T100000000Z', savedAt: '2026-11-01T10:00:00.000Z', sourceResourceVersion: '', saved: { 'antrea-agent.conf': 'a' } }]);
  });
});

describe('tables', () => {
  it('the linear printer lays out exactly as cli-table3 did, wide characters included', () => {
    const rows = [['k8s-node-1', '239.1.1.1', '日本語'], ['n', '', 'x'], ['a-much-longer-node-name', '10.0.0.1', 'ü']];
    const table = new Table({
      chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '   ' },
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
      wordWrap: false,
    });
    table.push(['NODE', 'GROUP', 'NAME'], ...rows.map((r) => r.map((c) => (c === '' ? '<none>' : c))));
    const expected = `${table.toString().split('\n').map((l) => l.trimEnd()).join('\n')}\n`;
    expect(renderTable(['node', 'group', 'name'], rows, false)).toBe(expected);
  });
});
