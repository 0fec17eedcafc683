import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startConnectProxy, startSocks5Proxy, type TestProxy } from '../helpers/proxies.js';
import { mcastctl, startSim, type RunningSim } from '../helpers/sim.js';

let sim: RunningSim | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.stop();
  await sim?.stop();
  sim = proxy = undefined;
});

/** A name no resolver knows: only the test's proxies map it to the simulator. */
const API_HOST = 'apiserver.mcastctl.invalid';

/** The simulator's kubeconfig with its server named API_HOST, reached through proxyUrl. */
function proxiedKubeconfig(s: RunningSim, proxyUrl: string): string {
  const file = join(s.dir, 'proxied.kubeconfig');
  const text = s.server
    .kubeconfig()
    .replace(/ server: https:\/\/127\.0\.0\.1:(\d+)/, ` server: https://${API_HOST}:$1\n    proxy-url: ${proxyUrl}\n    tls-server-name: localhost`);
  writeFileSync(file, text);
  return file;
}

const execs = (s: RunningSim) => s.server.cluster.requestLog.filter((q) => q.path.includes('/exec?') && q.status === 101);

describe('a kubeconfig cluster with a proxy-url', () => {
  for (const [kind, start] of [
    ['an HTTP CONNECT proxy', startConnectProxy],
    ['a SOCKS5 proxy (the proxy resolves the server name, as Go\'s dialer lets it)', startSocks5Proxy],
  ] as const) {
    it(`get featuregates: API calls and the agents' and controller's execs all go through ${kind}`, async () => {
      sim = await startSim('default');
      const direct = await mcastctl(sim, ['get', 'featuregates']);
      const directExecs = execs(sim).length;
      proxy = await start({ [API_HOST]: '127.0.0.1' });
      const r = await mcastctl(sim, ['--kubeconfig', proxiedKubeconfig(sim, proxy.url), 'get', 'featuregates']);
      expect(r).toEqual({ code: 0, stdout: direct.stdout, stderr: '' });
      // Three agents and the controller; the server name resolves nowhere but in the proxy, so
      // each exec (its own connection) and the API calls were tunnelled.
      expect(execs(sim).length - directExecs).toBe(4);
      expect(proxy.targets.length).toBeGreaterThanOrEqual(5);
      expect(new Set(proxy.targets)).toEqual(new Set([`${API_HOST}:${sim.server.port}`]));
    });
  }

  it('an unreachable proxy: one line naming the proxy, exit 5 (unreachable)', async () => {
    sim = await startSim('default');
    proxy = await startConnectProxy();
    const deadUrl = proxy.url;
    await proxy.stop();
    proxy = undefined;
    const kubeconfig = proxiedKubeconfig(sim, deadUrl);
    const port = new URL(deadUrl).port;
    for (const args of [['get', 'featuregates'], ['doctor']]) {
      const r = await mcastctl(sim, ['--kubeconfig', kubeconfig, ...args]);
      // kubectl 1.32 prints "The connection to the server apiserver.mcastctl.invalid:PORT was refused"
      // and, at -v 6, Go's error that this line quotes.
      expect({ ...r, stdout: '' }).toEqual({
        code: 5,
        stdout: '',
        stderr: `error: Unable to connect to the server: proxyconnect tcp: dial tcp 127.0.0.1:${port}: connect: connection refused\n`,
      });
    }
    const socks = await mcastctl(sim, ['--kubeconfig', proxiedKubeconfig(sim, `socks5://127.0.0.1:${port}`), 'get', 'featuregates']);
    expect(socks).toEqual({ code: 5, stdout: '', stderr: `error: Unable to connect to the server: proxyconnect tcp: dial tcp 127.0.0.1:${port}: connect: connection refused\n` });
    const unknown = await mcastctl(sim, ['--kubeconfig', proxiedKubeconfig(sim, 'http://proxy.mcastctl.invalid:3128'), 'get', 'featuregates']);
    expect(unknown).toEqual({ code: 5, stdout: '', stderr: 'error: Unable to connect to the server: proxyconnect tcp: dial tcp: lookup proxy.mcastctl.invalid: no such host\n' });
  });

  it('a proxy that refuses the CONNECT is named with its answer, not taken for the API server\'s', async () => {
    sim = await startSim('default');
    const { createServer } = await import('node:http');
    const refusing = createServer();
    refusing.on('connect', (_req, socket: import('node:net').Socket) => socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'));
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const port = (refusing.address() as import('node:net').AddressInfo).port;
    try {
      const r = await mcastctl(sim, ['--kubeconfig', proxiedKubeconfig(sim, `http://user:secret@127.0.0.1:${port}`), 'get', 'featuregates']);
      expect(r).toEqual({ code: 5, stdout: '', stderr: `error: Unable to connect to the server: proxyconnect tcp: the proxy 127.0.0.1:${port} answered 403 Forbidden\n` });
    } finally {
      refusing.close();
    }
  });
});
