// The kubeconfig as kubectl reads it: $KUBECONFIG merged first-wins with missing files skipped,
// the connection flags, exec credential plugins, the TLS handshake timeout, and every broken
// kubeconfig a usage error (exit 2) before the first request.
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultProxy } from '../faults/fault-proxy.js';
import { KUBECTL, mcastctl, run, startSim, testPki, type RunningSim } from '../helpers/sim.js';

let sim: RunningSim;
let server: string;
let caData: string;
let token: string;
let home: string;

const IGMP_HEADER = 'NODE         MAX-MEMBERSHIPS   JOINED   WANTED   MAX-PER-POD   HEADROOM   STATUS';

beforeAll(async () => {
  sim = await startSim('default');
  const config = parse(readFileSync(sim.kubeconfig, 'utf8'));
  server = config.clusters[0].cluster.server;
  caData = config.clusters[0].cluster['certificate-authority-data'];
  token = config.users[0].user.token;
  home = join(sim.dir, 'home');
  mkdirSync(home);
});
afterAll(async () => {
  await sim?.stop();
});

/** A kubeconfig file in the test's directory. */
function kubeconfig(name: string, doc: object): string {
  const file = join(sim.dir, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

const cluster = (name: string, clusterServer: string, extra: object = {}) => ({ name, cluster: { server: clusterServer, 'certificate-authority-data': caData, ...extra } });
const user = (name: string, userToken: string) => ({ name, user: { token: userToken } });
const context = (name: string, clusterName: string, userName: string) => ({ name, context: { cluster: clusterName, user: userName } });

/** mcastctl with only the given kubeconfig sources: no ~/.kube/config, no inherited KUBECONFIG. */
const mc = (args: string[], env: NodeJS.ProcessEnv = {}) => mcastctl(undefined, args, { HOME: home, ...env });

describe('$KUBECONFIG merged as kubectl merges it', () => {
  it('skips a file that does not exist', async () => {
    const r = await mc(['get', 'igmp', '--no-headers'], { KUBECONFIG: `${join(sim.dir, 'absent')}:${sim.kubeconfig}` });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^k8s-node-1 /);
  });

  it('takes the first definition of a cluster name, and the first current-context', async () => {
    const good = kubeconfig('first.yaml', { 'current-context': 'sim', clusters: [cluster('sim', server)], users: [user('sim', token)], contexts: [context('sim', 'sim', 'sim')] });
    const refused = kubeconfig('second.yaml', {
      'current-context': 'other',
      clusters: [cluster('sim', 'https://127.0.0.1:1')],
      users: [user('sim', 'wrong')],
      contexts: [context('sim', 'sim', 'sim'), context('other', 'sim', 'sim')],
    });
    const first = await mc(['get', 'igmp'], { KUBECONFIG: `${good}:${refused}` });
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n')[0]).toBe(IGMP_HEADER);
    // The other order: the refused server's definition wins, as it does for kubectl.
    const second = await mc(['get', 'igmp'], { KUBECONFIG: `${refused}:${good}` });
    expect(second).toEqual({ code: 5, stdout: '', stderr: 'error: The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?\n' });
  });

  it.runIf(KUBECTL !== undefined)('kubectl agrees on both orders', async () => {
    const good = join(sim.dir, 'first.yaml');
    const refused = join(sim.dir, 'second.yaml');
    const kubectl = (order: string) => run(KUBECTL!, ['get', 'nodes', '-o', 'name'], { HOME: home, KUBECONFIG: order, KUBECACHEDIR: join(sim.dir, 'cache') });
    expect((await kubectl(`${join(sim.dir, 'absent')}:${good}:${refused}`)).code).toBe(0);
    expect((await kubectl(`${refused}:${good}`)).stderr).toMatch(/127\.0\.0\.1:1 was refused/);
  });
});

describe('the connection flags', () => {
  it('--server, --token and --certificate-authority need no kubeconfig at all', async () => {
    const ca = join(sim.dir, 'ca.crt');
    writeFileSync(ca, Buffer.from(caData, 'base64'));
    const r = await mc(['get', 'igmp', '--server', server, '--token', token, '--certificate-authority', ca]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(IGMP_HEADER);
  });

  it('--insecure-skip-tls-verify is the API server\'s, as kubectl\'s: no CA needed', async () => {
    const r = await mc(['get', 'igmp', '-s', server, '--token', token, '--insecure-skip-tls-verify']);
    expect(r.code).toBe(0);
    const unverified = await mc(['get', 'igmp', '-s', server, '--token', token]);
    expect(unverified.code).toBe(5);
    expect(unverified.stderr).toMatch(/^error: Unable to connect to the server: .*certificate/);
  });

  it('--token replaces the kubeconfig user\'s token', async () => {
    const wrong = kubeconfig('wrong-token.yaml', { 'current-context': 'sim', clusters: [cluster('sim', server)], users: [user('sim', 'wrong')], contexts: [context('sim', 'sim', 'sim')] });
    expect((await mc(['get', 'igmp'], { KUBECONFIG: wrong })).code).toBe(4);
    expect((await mc(['get', 'igmp', '--token', token], { KUBECONFIG: wrong })).code).toBe(0);
  });

  it('--user and --cluster pick other entries of the kubeconfig', async () => {
    const file = kubeconfig('choices.yaml', {
      'current-context': 'sim',
      clusters: [cluster('refused', 'https://127.0.0.1:1'), cluster('sim', server)],
      users: [user('wrong', 'wrong'), user('right', token)],
      contexts: [context('sim', 'refused', 'wrong')],
    });
    expect((await mc(['get', 'igmp'], { KUBECONFIG: file })).code).toBe(5);
    expect((await mc(['get', 'igmp', '--cluster', 'sim'], { KUBECONFIG: file })).code).toBe(4);
    expect((await mc(['get', 'igmp', '--cluster', 'sim', '--user', 'right'], { KUBECONFIG: file })).code).toBe(0);
    expect(await mc(['get', 'igmp', '--user', 'nobody'], { KUBECONFIG: file })).toEqual({ code: 2, stdout: '', stderr: 'error: auth info "nobody" does not exist\n' });
  });

  it('--as and each --as-group are sent as their own impersonation headers', async () => {
    const seen: IncomingMessage['headersDistinct'][] = [];
    const api = createHttpServer((req, res) => {
      seen.push(req.headersDistinct);
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'pods is forbidden: User "alice" cannot list resource "pods"' }));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    try {
      const port = (api.address() as { port: number }).port;
      const r = await mc(['get', 'igmp', '--server', `http://127.0.0.1:${port}`, '--token', token, '--as', 'alice', '--as-group', 'ops', '--as-group', 'net admins']);
      expect(r).toEqual({ code: 4, stdout: '', stderr: 'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods"\n' });
      expect(seen[0]['impersonate-user']).toEqual(['alice']);
      expect(seen[0]['impersonate-group']).toEqual(['ops', 'net admins']);
      expect(seen[0].authorization).toEqual([`Bearer ${token}`]);
    } finally {
      api.close();
    }
    expect(await mc(['get', 'igmp', '-s', server, '--as-group', 'ops'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: requesting uid, groups or user-extra for mcastctl without impersonating a user\n',
    });
  });
});

describe('a kubeconfig user\'s impersonation (as, as-uid, as-groups, as-user-extra)', () => {
  const impersonating = {
    token: 'TOKEN',
    as: 'jane',
    'as-groups': ['ops', 'net-admins'],
    'as-uid': '1234',
    'as-user-extra': { scopes: ['view', 'edit'], 'Example.org/Team': ['a b'] },
  };

  /** Runs a client through a recording proxy in front of the simulator; the Impersonate-* lines of each request, by name (stable). */
  async function impersonationSent(client: (kubeconfigFile: string) => Promise<{ code: number }>, userEntry: object) {
    const proxy = new FaultProxy(sim.server.port, testPki(), sim.server.token);
    await proxy.start();
    try {
      const file = kubeconfig(`impersonating-${proxy.port}.yaml`, {
        'current-context': 'sim',
        clusters: [cluster('sim', `https://127.0.0.1:${proxy.port}`)],
        users: [{ name: 'sim', user: { ...userEntry, token } }],
        contexts: [context('sim', 'sim', 'sim')],
      });
      expect((await client(file)).code).toBe(0);
      return proxy.log.map((request) => {
        const lines: Array<[string, string]> = [];
        for (let i = 0; i < request.rawHeaders.length; i += 2) lines.push([request.rawHeaders[i]!, request.rawHeaders[i + 1]!]);
        const impersonation = lines.filter(([name]) => /^impersonate-/i.test(name));
        return { upgrade: request.upgrade, path: request.path, impersonation: impersonation.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) };
      });
    } finally {
      await proxy.stop();
    }
  }

  const KUBECTL_SENDS: Array<[string, string]> = [
    ['Impersonate-Extra-Example.org%2fteam', 'a b'],
    ['Impersonate-Extra-Scopes', 'view'],
    ['Impersonate-Extra-Scopes', 'edit'],
    ['Impersonate-Group', 'ops'],
    ['Impersonate-Group', 'net-admins'],
    ['Impersonate-Uid', '1234'],
    ['Impersonate-User', 'jane'],
  ];

  it('every API request and the exec upgrade carry them, as kubectl 1.32 sends them', async () => {
    const seen = await impersonationSent((file) => mc(['get', 'featuregates', '--node', 'k8s-node-1'], { KUBECONFIG: file }), impersonating);
    expect(seen.some((r) => r.upgrade)).toBe(true);
    expect(seen.some((r) => !r.upgrade)).toBe(true);
    for (const request of seen) expect(request.impersonation, request.path).toEqual(KUBECTL_SENDS);
  });

  it.runIf(KUBECTL !== undefined)('kubectl sends the same lines (get and exec)', async () => {
    const kubectlRun = (args: string[]) => (file: string) => run(KUBECTL!, args, { HOME: home, KUBECONFIG: file, KUBECACHEDIR: join(sim.dir, 'kube-cache-imp') });
    for (const args of [['get', 'pods', '-n', 'kube-system'], ['exec', '-n', 'kube-system', 'ds/antrea-agent', '-c', 'antrea-agent', '--', 'true']]) {
      const seen = await impersonationSent(kubectlRun(args), impersonating);
      expect(seen.length).toBeGreaterThan(0);
      for (const request of seen) expect(request.impersonation, request.path).toEqual(KUBECTL_SENDS);
    }
  });

  it('--as replaces the user and --as-group the groups; the uid and extras stay, as with kubectl', async () => {
    const seen = await impersonationSent((file) => mc(['get', 'igmp', '--node', 'k8s-node-1', '--as', 'bob', '--as-group', 'x'], { KUBECONFIG: file }), impersonating);
    const expected = [
      ['Impersonate-Extra-Example.org%2fteam', 'a b'],
      ['Impersonate-Extra-Scopes', 'view'],
      ['Impersonate-Extra-Scopes', 'edit'],
      ['Impersonate-Group', 'x'],
      ['Impersonate-Uid', '1234'],
      ['Impersonate-User', 'bob'],
    ];
    for (const request of seen) expect(request.impersonation, request.path).toEqual(expected);
  });

  it('groups, a uid or extras without a user to impersonate are refused before any request (exit 2)', async () => {
    const file = kubeconfig('impersonating-no-user.yaml', {
      'current-context': 'sim',
      clusters: [cluster('sim', server)],
      users: [{ name: 'sim', user: { token, 'as-uid': '1234' } }],
      contexts: [context('sim', 'sim', 'sim')],
    });
    // kubectl 1.32: the same line (its exit code is 1).
    expect(await mc(['get', 'igmp'], { KUBECONFIG: file })).toEqual({ code: 2, stdout: '', stderr: 'error: requesting uid, groups or user-extra for sim without impersonating a user\n' });
    const malformed = kubeconfig('impersonating-malformed.yaml', {
      'current-context': 'sim',
      clusters: [cluster('sim', server)],
      users: [{ name: 'sim', user: { token, as: 'jane', 'as-groups': 'ops' } }],
      contexts: [context('sim', 'sim', 'sim')],
    });
    expect(await mc(['get', 'igmp'], { KUBECONFIG: malformed })).toEqual({ code: 2, stdout: '', stderr: `error: invalid kubeconfig ${malformed}: users[0].user: as-groups must be a list of strings\n` });
  });
});

describe('exec credential plugins', () => {
  it('get KUBERNETES_EXEC_INFO as client-go sets it, with the cluster when provideClusterInfo', async () => {
    const seenFile = join(sim.dir, 'exec-info.json');
    const plugin = join(sim.dir, 'credential-plugin');
    writeFileSync(
      plugin,
      `#!${process.execPath}\nrequire('fs').writeFileSync(${JSON.stringify(seenFile)}, process.env.KUBERNETES_EXEC_INFO ?? 'unset');\n` +
        `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: ${JSON.stringify(token)} } }));\n`,
    );
    chmodSync(plugin, 0o755);
    const file = kubeconfig('exec.yaml', {
      'current-context': 'sim',
      clusters: [cluster('sim', server)],
      users: [{ name: 'sim', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never', provideClusterInfo: true } } }],
      contexts: [context('sim', 'sim', 'sim')],
    });
    const r = await mc(['get', 'igmp'], { KUBECONFIG: file });
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(seenFile, 'utf8'))).toEqual({
      kind: 'ExecCredential',
      apiVersion: 'client.authentication.k8s.io/v1',
      spec: { cluster: { server, 'certificate-authority-data': caData }, interactive: false },
    });
  });
});

describe('a failing exec credential plugin, in client-go\'s words (exit 4: no credentials)', () => {
  const withPlugin = (name: string, command: string, args: string[] = []) =>
    kubeconfig(name, {
      'current-context': 'sim',
      clusters: [cluster('sim', server)],
      users: [{ name: 'sim', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command, args, interactiveMode: 'Never' } } }],
      contexts: [context('sim', 'sim', 'sim')],
    });

  it('names the plugin, its exit code and what it said; a missing plugin is "not found"; bad stdout is a decoding error', async () => {
    const failing = withPlugin('plugin-fails.yaml', '/bin/sh', ['-c', 'echo not-json; echo oops >&2; exit 3']);
    expect(await mc(['get', 'igmp'], { KUBECONFIG: failing })).toEqual({
      code: 4,
      stdout: '',
      stderr: 'error: Unable to connect to the server: getting credentials: exec: executable /bin/sh failed with exit code 3: oops\n',
    });
    const missing = withPlugin('plugin-missing.yaml', '/nonexistent/plugin');
    expect(await mc(['get', 'igmp'], { KUBECONFIG: missing })).toEqual({
      code: 4,
      stdout: '',
      stderr: 'error: Unable to connect to the server: getting credentials: exec: executable /nonexistent/plugin not found\n',
    });
    const garbled = withPlugin('plugin-garbled.yaml', '/bin/sh', ['-c', 'echo not-json']);
    const r = await mc(['get', 'igmp'], { KUBECONFIG: garbled });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error: Unable to connect to the server: getting credentials: decoding stdout: .+\n$/);
  });
});

describe('a credential that cannot be sent is named, never printed (exit 2)', () => {
  const SECRET = 'secr3t-very-long-token-value';
  const withUser = (name: string, userEntry: object) =>
    kubeconfig(name, { 'current-context': 'sim', clusters: [cluster('sim', server)], users: [{ name: 'sim', user: userEntry }], contexts: [context('sim', 'sim', 'sim')] });
  const refused = (header: string) => ({ code: 2, stdout: '', stderr: `error: invalid header field value for "${header}"\n` });

  it('a bearer token with a control character, from --token, the kubeconfig, its tokenFile or a credential plugin', async () => {
    // kubectl 1.32: "Unable to connect to the server: net/http: invalid header field value for \"Authorization\"".
    expect(await mc(['get', 'igmp', '--token', `${SECRET}\u0001`], { KUBECONFIG: sim.kubeconfig })).toEqual(refused('Authorization'));
    expect(await mc(['doctor'], { KUBECONFIG: withUser('token-ctl.yaml', { token: `${SECRET}\u0001` }) })).toEqual(refused('Authorization'));
    writeFileSync(join(sim.dir, 'token-ctl'), `${SECRET}\u0001x\n`);
    // A relative tokenFile is found next to the kubeconfig, as clientcmd resolves it.
    expect(await mc(['get', 'igmp'], { KUBECONFIG: withUser('token-file-ctl.yaml', { tokenFile: 'token-ctl' }) })).toEqual(refused('Authorization'));
    const plugin = join(sim.dir, 'plugin-ctl');
    writeFileSync(plugin, `#!/bin/sh\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${SECRET}\\\\u0001"}}'\n`);
    chmodSync(plugin, 0o755);
    const viaPlugin = withUser('plugin-ctl.yaml', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } });
    expect(await mc(['get', 'igmp'], { KUBECONFIG: viaPlugin })).toEqual(refused('Authorization'));
  });

  it('an impersonated user or group with a line break', async () => {
    expect(await mc(['get', 'igmp', '--as', 'a\r\nX-Evil: 1'], { KUBECONFIG: sim.kubeconfig })).toEqual(refused('Impersonate-User'));
    expect(await mc(['get', 'igmp', '--as', 'jane', '--as-group', 'ops\n'], { KUBECONFIG: sim.kubeconfig })).toEqual(refused('Impersonate-Group'));
  });

  it('a tokenFile: trimmed as clientcmd trims it; an unreadable one in Go\'s words', async () => {
    writeFileSync(join(sim.dir, 'token-good'), `${token}\n`);
    const good = await mc(['get', 'igmp'], { KUBECONFIG: withUser('token-file-good.yaml', { tokenFile: join(sim.dir, 'token-good') }) });
    expect(good.code).toBe(0);
    expect(good.stdout.split('\n')[0]).toBe(IGMP_HEADER);
    const missing = join(sim.dir, 'no-such-token');
    expect(await mc(['get', 'igmp'], { KUBECONFIG: withUser('token-file-missing.yaml', { tokenFile: missing }) })).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: open ${missing}: no such file or directory\n`,
    });
  });

  it('a credential plugin\'s stdout that is not JSON is never quoted', async () => {
    const plugin = withUser('plugin-quoted.yaml', { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/bin/echo', args: [SECRET], interactiveMode: 'Never' } });
    const r = await mc(['get', 'igmp'], { KUBECONFIG: plugin });
    expect(r).toEqual({ code: 4, stdout: '', stderr: 'error: Unable to connect to the server: getting credentials: decoding stdout: Unexpected token \'s\' is not valid JSON\n' });
  });

  it('basic auth is base64: a control character in the password is sent encoded, never printed', async () => {
    const r = await mc(['get', 'igmp'], { KUBECONFIG: withUser('basic-ctl.yaml', { username: 'admin', password: `${SECRET}\u0001` }) });
    expect(r).toEqual({ code: 4, stdout: '', stderr: 'error: You must be logged in to the server (the server has asked for the client to provide credentials)\n' });
  });
});

describe('TLS handshake timeout', () => {
  it('a server that accepts TCP but never speaks TLS fails after 10 s, as kubectl does (exit 5)', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createTcpServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const started = Date.now();
      const r = await mc(['get', 'igmp', '--server', `https://127.0.0.1:${port}`, '--token', 'x', '--insecure-skip-tls-verify']);
      const elapsed = Date.now() - started;
      expect(r).toEqual({ code: 5, stdout: '', stderr: 'error: Unable to connect to the server: net/http: TLS handshake timeout\n' });
      expect(elapsed).toBeGreaterThanOrEqual(10_000);
      expect(elapsed).toBeLessThan(25_000);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  }, 40_000);
});

describe('a broken kubeconfig is a usage error (exit 2) before any request', () => {
  const single = (name: string, clusterEntry: object, userEntry: object = user('sim', token)) =>
    kubeconfig(name, { 'current-context': 'sim', clusters: [clusterEntry], users: [userEntry], contexts: [context('sim', 'sim', 'sim')] });

  it('no kubeconfig at all', async () => {
    expect(await mc(['get', 'igmp'], { KUBECONFIG: join(sim.dir, 'absent') })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: invalid configuration: no configuration has been provided: pass --kubeconfig, set KUBECONFIG or create ~/.kube/config (or give --server)\n',
    });
  });

  it('an empty kubeconfig file is an empty config, as clientcmd reads it; a directory is Go\'s "is a directory"', async () => {
    const empty = join(sim.dir, 'empty.kc');
    writeFileSync(empty, '');
    const none = 'error: invalid configuration: no configuration has been provided: pass --kubeconfig, set KUBECONFIG or create ~/.kube/config (or give --server)\n';
    expect(await mc(['--kubeconfig', empty, 'get', 'igmp'], {})).toEqual({ code: 2, stdout: '', stderr: none });
    expect(await mc(['get', 'igmp'], { KUBECONFIG: empty })).toEqual({ code: 2, stdout: '', stderr: none });
    expect(await mc(['--kubeconfig', sim.dir, 'get', 'igmp'], {})).toEqual({ code: 2, stdout: '', stderr: `error: read ${sim.dir}: is a directory\n` });
  });

  it('a server that is not a URL', async () => {
    const file = single('bad-url.yaml', { name: 'sim', cluster: { server: 'https://[::1', 'certificate-authority-data': caData } });
    expect(await mc(['get', 'igmp'], { KUBECONFIG: file })).toEqual({ code: 2, stdout: '', stderr: 'error: invalid configuration: cluster "sim" has an invalid server URL "https://[::1"\n' });
  });

  it('a CA file that does not exist', async () => {
    const missing = join(sim.dir, 'no-such-ca.crt');
    const file = single('missing-ca.yaml', { name: 'sim', cluster: { server, 'certificate-authority': missing } });
    expect(await mc(['get', 'igmp'], { KUBECONFIG: file })).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: unable to read certificate-authority ${missing} for sim due to open ${missing}: no such file or directory\n`,
    });
  });

  it('garbage client-key-data', async () => {
    const pki = parse(readFileSync(sim.kubeconfig, 'utf8'));
    const certData = pki.clusters[0].cluster['certificate-authority-data'];
    const file = single('garbage-key.yaml', cluster('sim', server), { name: 'sim', user: { 'client-certificate-data': certData, 'client-key-data': Buffer.from('not a key').toString('base64') } });
    expect(await mc(['get', 'igmp'], { KUBECONFIG: file })).toEqual({ code: 2, stdout: '', stderr: 'error: tls: failed to find any PEM data in key input\n' });
  });

  it('garbage certificate-authority-data', async () => {
    const file = single('garbage-ca.yaml', { name: 'sim', cluster: { server, 'certificate-authority-data': Buffer.from('garbage').toString('base64') } });
    expect(await mc(['get', 'igmp'], { KUBECONFIG: file })).toEqual({ code: 2, stdout: '', stderr: 'error: unable to load root certificates: unable to parse bytes as PEM block\n' });
  });
});
