import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyForLog } from '../../src/cluster/kube-client.js';
import { MCASTCTL, run, startSim, type RunningSim } from '../helpers/sim.js';

// `script` gives mcastctl a real pseudo-terminal: what a person at a terminal sees.
let sim: RunningSim;
beforeAll(async () => {
  sim = await startSim('read-commands');
});
afterAll(async () => sim?.stop());

const inTerminal = (args: string[], env: NodeJS.ProcessEnv = {}, size = 'cols 120 rows 40') =>
  run('script', ['-qfec', `stty ${size}; ${[process.execPath, MCASTCTL, ...args].map((a) => `'${a}'`).join(' ')}`, '/dev/null'], { KUBECONFIG: sim.kubeconfig, TERM: 'xterm', ...env }, 20_000);
const YELLOW = '\x1b[33m';

describe('colour and spinners', () => {
  it('colours rows that need attention at a terminal only', async () => {
    const tty = await inTerminal(['get', 'igmp']);
    expect(tty.stdout).toContain(`${YELLOW}node-b   20`);
    const piped = await run(process.execPath, [MCASTCTL, 'get', 'igmp'], { KUBECONFIG: sim.kubeconfig, TERM: 'xterm' });
    expect(piped.stdout).not.toContain('\x1b[');
  });

  it('never colours with NO_COLOR, --no-color or a machine format', async () => {
    for (const [args, env] of [[['get', 'igmp'], { NO_COLOR: '1' }], [['get', 'igmp', '--no-color'], {}], [['get', 'igmp', '-o', 'json'], {}]] as const) {
      const r = await inTerminal([...args], env);
      expect(r.stdout).not.toContain(YELLOW);
    }
  });

  it('shows a progress line on a terminal once the Nodes take over a second, never in CI', async () => {
    const quick = await inTerminal(['get', 'mroute'], { CI: '' });
    expect(quick.code).toBe(0);
    expect(quick.stdout).not.toContain('Reading multicast routes');
    sim.server.cluster.scenario.execLatencyMs = [1500, 1500];
    const spinning = await inTerminal(['get', 'mroute'], { CI: '' }).finally(() => {
      sim.server.cluster.scenario.execLatencyMs = undefined;
    });
    expect(spinning.stdout).toContain('Reading multicast routes');
    const ci = await inTerminal(['get', 'mroute'], { CI: 'true' });
    expect(ci.stdout).not.toContain('Reading multicast routes');
    // A pseudo-terminal nobody sized has no width to redraw in: no spinner, and no hang.
    const unsized = await inTerminal(['get', 'mroute'], { CI: '' }, 'cols 0 rows 0');
    expect(unsized.code).toBe(0);
    expect(unsized.stdout).not.toContain('Reading multicast routes');
  });
});

describe('help', () => {
  it('is wrapped at 80 columns on a terminal of any width, as in a pipe', async () => {
    const piped = await run(process.execPath, [MCASTCTL, 'get', 'mroute', '--help']);
    for (const size of ['cols 200 rows 40', 'cols 60 rows 40']) {
      const tty = await inTerminal(['get', 'mroute', '--help'], {}, size);
      expect(tty.code).toBe(0);
      expect(tty.stdout.replace(/\r\n/g, '\n')).toBe(piped.stdout);
    }
    // Every line but the example command lines fits, the exit codes' descriptions included.
    const examples = piped.stdout.slice(piped.stdout.indexOf('\nExamples:'), piped.stdout.indexOf('\nExit status:'));
    const long = piped.stdout.split('\n').filter((line) => line.length > 80 && !examples.includes(line));
    expect(long).toEqual([]);
    expect(piped.stdout).toContain('   4  unauthorized or forbidden, or no credentials (an exec credential plugin\n      failed)\n');
  });
});

describe('-v', () => {
  it('-v 6 logs each request on stderr, stdout unchanged', async () => {
    const quiet = await run(process.execPath, [MCASTCTL, 'get', 'igmp', '-o', 'name'], { KUBECONFIG: sim.kubeconfig });
    const loud = await run(process.execPath, [MCASTCTL, '-v', '6', 'get', 'igmp', '-o', 'name'], { KUBECONFIG: sim.kubeconfig });
    expect(loud.stdout).toBe(quiet.stdout);
    expect(loud.stderr).toMatch(/^I \S+ GET https:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/kube-system\/pods\?/m);
    expect(loud.stderr).toMatch(/^I \S+ exec kube-system\/antrea-agent-\w+ -c antrea-agent -- cat \/proc\/sys\/net\/ipv4\/igmp_max_memberships \/proc\/net\/igmp$/m);
    expect(loud.stderr).not.toContain('Response Body:');
  });

  it('-v 8 adds each response body, one bounded line, stdout unchanged', async () => {
    const quiet = await run(process.execPath, [MCASTCTL, 'get', 'igmp', '-o', 'name'], { KUBECONFIG: sim.kubeconfig });
    const loud = await run(process.execPath, [MCASTCTL, '-v', '8', 'get', 'igmp', '-o', 'name'], { KUBECONFIG: sim.kubeconfig });
    expect(loud.code).toBe(0);
    expect(loud.stdout).toBe(quiet.stdout);
    const bodies = loud.stderr.split('\n').filter((l) => / Response Body: /.test(l));
    expect(bodies.length).toBeGreaterThan(0);
    expect(bodies.some((l) => l.includes('"kind":"PodList"'))).toBe(true);
    for (const line of bodies) expect(line.length).toBeLessThan(1200);
  });

  it('-v 8 bodies never show a credential', () => {
    expect(bodyForLog('{"status":{"token":"eyJhbGciOi.secret"},"data":{"password":"hunter2"},"note":"Bearer abc.def"}')).toBe(
      '{"status":{"token":"<redacted>"},"data":{"password":"<redacted>"},"note":"Bearer <redacted>"}',
    );
    expect(bodyForLog(`{"a":"${'x'.repeat(2000)}"}`)).toMatch(/^\{"a":"x{1018}… \(984 more characters\)$/);
  });
});
