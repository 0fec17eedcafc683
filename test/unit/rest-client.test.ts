// KubeClient's own REST requests against a tiny local HTTPS API server: the exact requests it
// sends (paths, queries, headers, bodies), how it reads answers that are not what it asked for,
// and the error each failure becomes.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GlobalOptions } from '../../src/context.js';
import { AuthError, CliError, UnreachableError } from '../../src/errors.js';
import { toCliError } from '../../src/cluster/api-errors.js';
import { openCluster, type KubeClient } from '../../src/cluster/kube-client.js';
import { ApiStatusError, apiPath, encodeQuery } from '../../src/cluster/rest.js';
import { testPki } from '../helpers/sim.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headersDistinct'];
  body: string;
}

/** What the server does with one request: answer, or close the connection without a word. */
type Reply = { status: number; body?: string | Buffer; headers?: Record<string, string> } | 'reset' | 'hang';

let server: Server;
let port = 0;
let dir: string;
const seen: Seen[] = [];
let replies: Reply[] = [];
let proxy: ReturnType<typeof createHttpServer>;
const tunnels: string[] = [];

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({ status, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });
const status = (code: number, reason: string, message: string): Reply => json(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
const HTML = '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>\n';

beforeAll(async () => {
  const pki = testPki();
  server = createServer({ cert: pki.certPem, key: pki.keyPem }, (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headersDistinct, body: Buffer.concat(chunks).toString() });
      const reply = replies.shift() ?? status(500, 'InternalError', 'no reply scripted');
      if (reply === 'hang') return;
      if (reply === 'reset') return req.socket.destroy();
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  dir = mkdtempSync(join(tmpdir(), 'mcastctl-rest-'));
  const ca = Buffer.from(pki.caPem).toString('base64');
  writeFileSync(
    join(dir, 'token.kubeconfig'),
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority-data': ca } }],
      users: [
        { name: 'u', user: { token: 'secret-token' } },
        { name: 'basic', user: { username: 'admin', password: 'p4ss' } },
      ],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u', namespace: 'media' } }],
    }),
  );
  // An HTTP proxy that tunnels CONNECT to this server, as a proxy-url in a kubeconfig names one.
  proxy = createHttpServer();
  proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  writeFileSync(
    join(dir, 'proxied.kubeconfig'),
    JSON.stringify({
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority-data': ca, 'proxy-url': `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` } }],
      users: [{ name: 'u', user: { token: 'secret-token' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    }),
  );
});

afterAll(async () => {
  proxy.closeAllConnections();
  proxy.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
  replies = [];
});

function client(globals: Partial<GlobalOptions> = {}): { kube: KubeClient; log: () => string } {
  const lines: string[] = [];
  const stderr = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const all: GlobalOptions = {
    kubeconfig: join(dir, 'token.kubeconfig'),
    contexts: [],
    allContexts: false,
    requestTimeoutMs: 5000,
    nodeTimeoutMs: 5000,
    antreaNamespace: 'kube-system',
    verbosity: 0,
    color: false,
    transport: 'exec',
    insecureSkipTlsVerify: false,
    agentInsecureSkipTlsVerify: false,
    ...globals,
  };
  const kube = openCluster({ stdout: new Writable({ write: (_c, _e, done) => done() }), stderr, env: {}, programName: 'mcastctl', globals: all });
  return { kube, log: () => lines.join('').replace(/^I \S+ /gm, 'I ').replaceAll(String(port), 'PORT') };
}

const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
};

describe('query and path encoding', () => {
  it('encodes as a URL searchParams does, leaving out undefined values and keeping empty ones', () => {
    expect(encodeQuery([['continue', undefined], ['labelSelector', 'app=antrea,component=antrea-agent'], ['fieldSelector', 'spec.nodeName=a b'], ['limit', 500]])).toBe(
      '?labelSelector=app%3Dantrea%2Ccomponent%3Dantrea-agent&fieldSelector=spec.nodeName%3Da+b&limit=500',
    );
    expect(encodeQuery([['labelSelector', '']])).toBe('?labelSelector=');
    expect(encodeQuery([])).toBe('');
    expect(apiPath`/api/v1/namespaces/${'a/b'}/pods/${'x y'}`).toBe('/api/v1/namespaces/a%2Fb/pods/x%20y');
  });
});

describe('lists', () => {
  it('follows metadata.continue with the same selectors, and returns the API\'s JSON objects as they are', async () => {
    const pod = (name: string) => ({ metadata: { name, creationTimestamp: '2026-11-30T00:00:00Z', somethingNew: { kept: true } }, spec: { nodeName: 'n 1' } });
    replies = [
      json(200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '7', continue: 'tok/1=' }, items: [pod('a'), pod('b')] }),
      json(200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items: [pod('c')] }),
    ];
    const pods = await client().kube.listPods('kube-system', 'app=antrea,component=antrea-agent', 'spec.nodeName=n 1');
    expect(pods).toEqual([pod('a'), pod('b'), pod('c')]);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /api/v1/namespaces/kube-system/pods?fieldSelector=spec.nodeName%3Dn+1&labelSelector=app%3Dantrea%2Ccomponent%3Dantrea-agent&limit=500',
      'GET /api/v1/namespaces/kube-system/pods?continue=tok%2F1%3D&fieldSelector=spec.nodeName%3Dn+1&labelSelector=app%3Dantrea%2Ccomponent%3Dantrea-agent&limit=500',
    ]);
  });

  it('sends an empty labelSelector of listNodes, and asks every namespace for listAllPods', async () => {
    replies = [json(200, { items: [] }), json(200, { items: [{ metadata: { name: 'p' } }] })];
    const { kube } = client();
    expect(await kube.listNodes()).toEqual([]);
    expect(await kube.listAllPods('app=x')).toEqual([{ metadata: { name: 'p' } }]);
    expect(seen.map((s) => s.url)).toEqual(['/api/v1/nodes?labelSelector=&limit=500', '/api/v1/pods?labelSelector=app%3Dx&limit=500']);
  });

  it('a 200 answer that is not a list is an error naming the request, its body described', async () => {
    const { kube } = client();
    replies = [{ status: 200, body: HTML, headers: { 'Content-Type': 'text/html' } }];
    const html = await rejection(kube.listPods('kube-system', 'app=antrea'));
    expect(html).toBeInstanceOf(CliError);
    expect(html.message).toBe("the server's answer to GET /api/v1/namespaces/kube-system/pods is not a list: an HTML page (106 bytes)");
    expect((html as CliError).exitCode).toBe(1);
    replies = [json(200, { kind: 'Status' })];
    expect((await rejection(kube.listNodes())).message).toBe('the server\'s answer to GET /api/v1/nodes is not a list: "{\\"kind\\":\\"Status\\"}"');
    replies = [{ status: 200, body: '{"items": [', headers: { 'Content-Type': 'application/json' } }];
    expect((await rejection(kube.listNodes())).message).toBe("the server's answer to GET /api/v1/nodes is not valid JSON: Unexpected end of JSON input");
    replies = [{ status: 200, body: '', headers: { 'Content-Type': 'application/json' } }];
    expect((await rejection(kube.readConfigMap('kube-system', 'antrea-config'))).message).toBe(
      "the server's answer to GET /api/v1/namespaces/kube-system/configmaps/antrea-config is not valid JSON: Unexpected end of JSON input",
    );
    replies = [{ status: 200, body: HTML, headers: { 'Content-Type': 'text/html' } }];
    expect((await rejection(kube.listClusterObjects('stats.antrea.io', 'v1alpha1', 'multicastgroups'))).message).toBe(
      "the server's answer to LIST multicastgroups.stats.antrea.io is not a list: an HTML page (106 bytes)",
    );
  });

  it('reads a gzip-encoded answer', async () => {
    replies = [{ status: 200, body: gzipSync(JSON.stringify({ items: [{ metadata: { name: 'n1' } }] })), headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' } }];
    expect(await client().kube.listNodes('kubernetes.io/os=linux')).toEqual([{ metadata: { name: 'n1' } }]);
    expect(seen[0]!.headers['accept-encoding']).toEqual(['gzip']);
  });
});

describe('errors', () => {
  it('hands toCliError the status, the body text and lower-case headers', async () => {
    const { kube } = client();
    replies = [status(404, 'NotFound', 'configmaps "antrea-config" not found')];
    const notFound = await rejection(kube.readConfigMap('kube-system', 'antrea-config'));
    expect(notFound.message).toBe('Error from server (NotFound): configmaps "antrea-config" not found');
    expect((notFound as CliError).httpStatus).toBe(404);
    replies = [{ status: 502, body: HTML, headers: { 'Content-Type': 'text/html' } }];
    expect((await rejection(kube.readConfigMap('kube-system', 'antrea-config'))).message).toBe('Error from server (BadGateway): the server answered an HTML page (106 bytes)');
    replies = [status(403, 'Forbidden', 'configmaps "antrea-config" is forbidden')];
    const forbidden = await rejection(kube.mergePatchConfigMap('kube-system', 'antrea-config', {}));
    expect(forbidden).toBeInstanceOf(AuthError);
    expect(forbidden.message).toBe('Error from server (Forbidden): configmaps "antrea-config" is forbidden');
    replies = [{ status: 401, body: '' }];
    expect((await rejection(kube.readPod('media', 'p'))).message).toBe('error: You must be logged in to the server (the server has asked for the client to provide credentials)');

    const err = new ApiStatusError(429, '{"kind":"Status","reason":"TooManyRequests","message":"slow down"}', { 'retry-after': '2' });
    expect([err.code, err.body, err.headers['retry-after']]).toEqual([429, '{"kind":"Status","reason":"TooManyRequests","message":"slow down"}', '2']);
    expect(toCliError(err, 'https://127.0.0.1:1').message).toBe('Error from server (TooManyRequests): slow down');
  });

  it('a 404 of a CustomResourceDefinition is "not installed", a 500 is an error', async () => {
    const { kube } = client();
    replies = [status(404, 'NotFound', 'customresourcedefinitions.apiextensions.k8s.io "antreaconfigs.cni.tanzu.vmware.com" not found')];
    expect(await kube.hasCrd('antreaconfigs.cni.tanzu.vmware.com')).toBe(false);
    expect(seen[0]!.url).toBe('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/antreaconfigs.cni.tanzu.vmware.com');
    replies = [status(500, 'InternalError', 'etcd is down')];
    expect((await rejection(kube.hasCrd('x'))).message).toBe('Error from server (InternalError): etcd is down');
  });

  it('retries a 429 after its Retry-After, and a reset read; never a reset write', async () => {
    const { kube } = client();
    replies = [status(429, 'TooManyRequests', 'slow down'), json(200, { metadata: { name: 'c' }, data: {} })];
    (replies[0] as { headers: Record<string, string> }).headers['Retry-After'] = '0';
    expect(await kube.readConfigMap('kube-system', 'c')).toEqual({ metadata: { name: 'c' }, data: {} });
    expect(seen).toHaveLength(2);

    seen.length = 0;
    replies = ['reset', json(200, { metadata: { name: 'c' } })];
    expect(await kube.readConfigMap('kube-system', 'c')).toEqual({ metadata: { name: 'c' } });
    expect(seen).toHaveLength(2);

    seen.length = 0;
    replies = ['reset', json(201, { metadata: { name: 'c' } })];
    const write = await rejection(kube.createConfigMap('kube-system', { metadata: { name: 'c' } }));
    expect(write).toBeInstanceOf(UnreachableError);
    expect(write.message).toBe('Unable to connect to the server: socket hang up');
    expect(seen).toHaveLength(1);
  });

  it('a server that does not answer within --request-timeout is a timeout (exit 5)', async () => {
    replies = ['hang'];
    const started = Date.now();
    const err = await rejection(client({ requestTimeoutMs: 300 }).kube.readNamespace('media'));
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err.message).toBe(`Unable to connect to the server: request to 127.0.0.1:${port} timed out`);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('what is sent', () => {
  it('credentials, impersonation, Accept and User-Agent on every request', async () => {
    replies = [json(200, { items: [] })];
    await client({ as: 'alice', asGroups: ['ops', 'net admins'] }).kube.listNamespaces('team=a');
    expect(seen[0]!.url).toBe('/api/v1/namespaces?labelSelector=team%3Da&limit=500');
    const h = seen[0]!.headers;
    expect([h.authorization, h['impersonate-user'], h['impersonate-group'], h.accept, h['user-agent'], h['content-type']]).toEqual([
      ['Bearer secret-token'],
      ['alice'],
      ['ops', 'net admins'],
      ['application/json'],
      [`mcastctl/0.1.0 (${process.platform}/${process.arch})`],
      undefined,
    ]);
    replies = [json(200, { metadata: { name: 'media' } })];
    await client({ user: 'basic' }).kube.readNamespace('media');
    expect(seen[1]!.headers.authorization).toEqual([`Basic ${Buffer.from('admin:p4ss').toString('base64')}`]);
  });

  it('patches with their content types, writes as JSON, deletes with their query', async () => {
    const { kube } = client();
    replies = [json(200, {}), json(200, {}), json(200, {}), json(201, {}), json(200, {}), json(200, {}), json(201, { status: { token: 'tok' } })];
    await kube.mergePatchConfigMap('kube-system', 'antrea-config', { metadata: { resourceVersion: '5' }, data: { a: 'b' } });
    await kube.patchWorkload('daemonset', 'kube-system', 'antrea-agent', { spec: { template: { metadata: { annotations: { x: 'y' } } } } });
    await kube.mergePatchNamespacedObject('cni.tanzu.vmware.com', 'v1alpha1', 'ns', 'antreaconfigs', 'c1-antrea-package', { spec: {} });
    await kube.createPod('p-ns', { metadata: { name: 'p' } });
    await kube.deleteNamespace('p-ns');
    await kube.deletePod('p-ns', 'p', 0);
    expect(await kube.requestServiceAccountToken('kube-system', 'antctl', 600)).toBe('tok');
    expect(seen.map((s) => [s.method, s.url, s.headers['content-type']?.[0], s.body])).toEqual([
      ['PATCH', '/api/v1/namespaces/kube-system/configmaps/antrea-config', 'application/merge-patch+json', '{"metadata":{"resourceVersion":"5"},"data":{"a":"b"}}'],
      ['PATCH', '/apis/apps/v1/namespaces/kube-system/daemonsets/antrea-agent', 'application/strategic-merge-patch+json', '{"spec":{"template":{"metadata":{"annotations":{"x":"y"}}}}}'],
      ['PATCH', '/apis/cni.tanzu.vmware.com/v1alpha1/namespaces/ns/antreaconfigs/c1-antrea-package', 'application/merge-patch+json', '{"spec":{}}'],
      ['POST', '/api/v1/namespaces/p-ns/pods', 'application/json', '{"metadata":{"name":"p"}}'],
      ['DELETE', '/api/v1/namespaces/p-ns?propagationPolicy=Background', undefined, ''],
      ['DELETE', '/api/v1/namespaces/p-ns/pods/p?gracePeriodSeconds=0', undefined, ''],
      ['POST', '/api/v1/namespaces/kube-system/serviceaccounts/antctl/token', 'application/json', '{"spec":{"audiences":[],"expirationSeconds":600}}'],
    ]);
  });

  it('reads a container log as text, whatever its Content-Type', async () => {
    replies = [{ status: 200, body: '{"not":"parsed"}\nline 2\n', headers: { 'Content-Type': 'application/json' } }];
    expect(await client().kube.readPodLog('kube-system', 'antrea-agent-x', 'antrea-agent', 50, true)).toBe('{"not":"parsed"}\nline 2\n');
    expect(seen[0]!.url).toBe('/api/v1/namespaces/kube-system/pods/antrea-agent-x/log?container=antrea-agent&previous=true&tailLines=50');
  });

  it('-v 6 logs each request and status, -v 8 their bodies', async () => {
    replies = [json(200, { metadata: { name: 'antrea-config' }, data: { token: 'x' } })];
    const v8 = client({ verbosity: 8 });
    await v8.kube.mergePatchConfigMap('kube-system', 'antrea-config', { data: { password: 'p' } });
    expect(v8.log()).toBe(
      [
        'I PATCH https://127.0.0.1:PORT/api/v1/namespaces/kube-system/configmaps/antrea-config',
        'I Request Body: {"data":{"password":"<redacted>"}}',
        'I Response Status: 200',
        'I Response Body: {"metadata":{"name":"antrea-config"},"data":{"token":"<redacted>"}}',
        '',
      ].join('\n'),
    );
    replies = [json(200, { items: [] })];
    const v6 = client({ verbosity: 6 });
    await v6.kube.listNodes();
    expect(v6.log()).toBe('I GET https://127.0.0.1:PORT/api/v1/nodes?labelSelector=&limit=500\nI Response Status: 200\n');
  });

  it('behind a proxy-url: through the proxy\'s tunnel, with the same credentials and one header line per group', async () => {
    replies = [json(200, { items: [{ metadata: { name: 'n1' } }] }), json(200, { items: [] })];
    const { kube } = client({ kubeconfig: join(dir, 'proxied.kubeconfig'), as: 'alice', asGroups: ['ops', 'net admins'] });
    expect(await kube.listNodes()).toEqual([{ metadata: { name: 'n1' } }]);
    expect(await kube.listAllPods('app=x')).toEqual([]);
    expect(tunnels.length).toBeGreaterThan(0);
    expect(tunnels.every((t) => t === `127.0.0.1:${port}`)).toBe(true);
    expect(seen.map((s) => [s.url, s.headers.authorization, s.headers['impersonate-user'], s.headers['impersonate-group']])).toEqual([
      ['/api/v1/nodes?labelSelector=&limit=500', ['Bearer secret-token'], ['alice'], ['ops', 'net admins']],
      ['/api/v1/pods?labelSelector=app%3Dx&limit=500', ['Bearer secret-token'], ['alice'], ['ops', 'net admins']],
    ]);
  });
});
