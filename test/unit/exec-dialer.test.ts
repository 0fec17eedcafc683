/**
 * The exec WebSocket written by hand over the run's dialer, against a raw TCP server that answers
 * byte for byte what each case needs (a real API server's answers, and broken ones).
 */
import { createHash } from 'node:crypto';
import { Agent } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecDialer, type ExecEndpoint } from '../../src/cluster/connection.js';
import { execInContainer } from '../../src/cluster/exec-socket.js';
import { USER_AGENT } from '../../src/version.js';
import { testPki } from '../helpers/sim.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

interface Seen {
  request: string;
  clientBytes: Buffer[];
}

/** Serves each connection with `answer(socket, key, seen)` once the request head has arrived. */
async function serve(answer: (socket: Socket, key: string, seen: Seen) => void): Promise<{ endpoint: ExecEndpoint; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((socket) => {
    let head = '';
    const s: Seen = { request: '', clientBytes: [] };
    seen.push(s);
    socket.on('data', (chunk: Buffer) => {
      if (s.request) return void s.clientBytes.push(chunk);
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      s.request = head.slice(0, end + 4);
      answer(socket, /sec-websocket-key: (\S+)/i.exec(s.request)![1], s);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  const port = (server!.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}/prefix`;
  return {
    seen,
    endpoint: {
      base: base.replace(/^http/, 'ws'),
      agent: new Agent(),
      dialer: new ExecDialer(base, undefined, 10_000),
      headers: async () => ({ Authorization: 'Bearer t0ken', 'Impersonate-User': 'jane', 'Impersonate-Group': ['ops', 'net admins'] }),
    },
  };
}

const accept = (key: string) => createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
const switching = (key: string, protocol = 'v5.channel.k8s.io') =>
  `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`;
const binary = (payload: Buffer) => Buffer.concat([Buffer.from([0x82, payload.length]), payload]);
const channel = (n: number, text: string) => binary(Buffer.concat([Buffer.from([n]), Buffer.from(text)]));

describe('exec over the dialer', () => {
  it('sends one upgrade request with every credential header, reads the channels, echoes the close', async () => {
    const { endpoint, seen } = await serve((socket, key) => {
      socket.write(switching(key));
      socket.write(Buffer.concat([channel(1, 'out'), Buffer.from([0x89, 0x01, 0x70]), channel(2, 'err'), channel(3, '{"metadata":{},"status":"Success"}')]));
      socket.write(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
      setTimeout(() => socket.end(), 50);
    });
    const result = await execInContainer(endpoint, 'kube-system', 'antrea-agent-x', 'antrea-agent', ['antctl', 'get', 'featuregates']);
    expect(result).toEqual({ stdout: 'out', stderr: 'err', exitCode: 0 });
    const request = seen[0].request.replace(/Sec-WebSocket-Key: \S+/, 'Sec-WebSocket-Key: KEY');
    const port = (server!.address() as { port: number }).port;
    expect(request).toBe(
      `GET /prefix/api/v1/namespaces/kube-system/pods/antrea-agent-x/exec?container=antrea-agent&stdout=true&stderr=true&command=antctl&command=get&command=featuregates HTTP/1.1\r\n` +
        `Host: 127.0.0.1:${port}\r\nUser-Agent: ${USER_AGENT}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: KEY\r\n` +
        `Sec-WebSocket-Protocol: v5.channel.k8s.io, v4.channel.k8s.io\r\nAuthorization: Bearer t0ken\r\nImpersonate-User: jane\r\nImpersonate-Group: ops\r\nImpersonate-Group: net admins\r\n\r\n`,
    );
    await new Promise((done) => setTimeout(done, 100));
    // A pong with the ping's payload, then a close echoing 1000, both masked as a client's must be.
    const unmask = (f: Buffer) => [f[0], f[1] & 0x7f, ...[...f.subarray(6)].map((b, i) => b ^ f[2 + (i & 3)])];
    const sent = Buffer.concat(seen[0].clientBytes);
    expect(unmask(sent.subarray(0, 7))).toEqual([0x8a, 1, 0x70]);
    expect(unmask(sent.subarray(7, 15))).toEqual([0x88, 2, 0x03, 0xe8]);
  });

  it('a v4 server: the exit code from NonZeroExitCode, the session ended by the server closing', async () => {
    const { endpoint } = await serve((socket, key) => {
      socket.write(switching(key, 'v4.channel.k8s.io'));
      socket.end(channel(3, JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } })));
    });
    await expect(execInContainer(endpoint, 'ns', 'p', 'c', ['false'])).resolves.toEqual({ stdout: '', stderr: '', exitCode: 3 });
  });

  it('a 429 with a chunked Status body is retried after Retry-After; a 403 is worded as before', async () => {
    let calls = 0;
    const { endpoint } = await serve((socket, key) => {
      calls++;
      if (calls === 1) {
        const body = '{"kind":"Status","message":"too many requests, please try again later"}';
        socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
      } else {
        socket.write(switching(key));
        socket.end(channel(3, '{"status":"Success"}'));
      }
    });
    const waits: number[] = [];
    await expect(execInContainer(endpoint, 'ns', 'p', 'c', ['true'], { onThrottle: (ms) => waits.push(ms) })).resolves.toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(waits).toEqual([0]);
    const refused = await serve((socket) => socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'));
    await expect(execInContainer(refused.endpoint, 'ns', 'p', 'c', ['true'])).rejects.toThrow('exec forbidden (403): the user may not create pods/exec');
  });

  it('fails a 101 that is not the WebSocket asked for, and a server that hangs up before answering', async () => {
    const cases: Array<[(socket: Socket, key: string) => void, string]> = [
      [(s) => s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: wrong\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n'), 'Invalid Sec-WebSocket-Accept header'],
      [(s, key) => s.write(switching(key).replace('Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n', '')), 'Server sent no subprotocol'],
      [(s, key) => s.write(switching(key, 'base64.channel.k8s.io')), 'Server sent an invalid subprotocol'],
      [(s) => s.destroy(), 'socket hang up'],
      [(s) => s.end('<html>not http</html>\r\n\r\n'), 'the server did not answer HTTP'],
      [(s, key) => s.write(Buffer.concat([Buffer.from(switching(key)), Buffer.from([0x82, 0x81, 0, 0, 0, 0, 1])])), 'Invalid WebSocket frame: the server masked a frame'],
      [(s, key) => s.end(Buffer.concat([Buffer.from(switching(key)), channel(1, 'partial output')])), 'the exec session closed without an exit status'],
      // What ws refused, refused too: a repeated subprotocol, an extension never offered, a 1-byte close body, a bad header name, bare LF.
      [(s, key) => s.write(switching(key).replace('\r\n\r\n', '\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n')), 'Server sent an invalid subprotocol'],
      [(s, key) => s.write(switching(key).replace('\r\n\r\n', '\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n')), 'Server sent a Sec-WebSocket-Extensions header but no extension was requested'],
      [(s, key) => s.write(Buffer.concat([Buffer.from(switching(key)), Buffer.from([0x88, 0x01, 0x03])])), 'Invalid WebSocket frame: invalid payload length 1'],
      [(s, key) => s.write(switching(key).replace('Upgrade: websocket', 'Upgrade : websocket')), 'Parse Error: Invalid header field char'],
      [(s) => s.write('HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\n\n'), 'Parse Error: Missing expected CR after response line'],
      [(s) => s.write(`HTTP/1.1 101 Switching Protocols\r\nX-Big: ${'x'.repeat(17 * 1024)}\r\n\r\n`), 'Parse Error: Header overflow'],
      // An exit status whose code is not a number is no exit code, never success.
      [(s, key) => s.end(Buffer.concat([Buffer.from(switching(key)), channel(3, JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '' }] } }))])), 'the exec status has no readable exit code: ""'],
      [(s, key) => s.end(Buffer.concat([Buffer.from(switching(key)), channel(3, JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: 'abc' }] } }))])), 'the exec status has no readable exit code: "abc"'],
      // One message over the output bound, in the wording of the bound.
      [(s, key) => { const h = Buffer.alloc(10); h[0] = 0x82; h[1] = 127; h.writeBigUInt64BE(BigInt(40 * 1024 * 1024), 2); s.write(Buffer.concat([Buffer.from(switching(key)), h])); }, 'the command printed more than 32 MiB'],
    ];
    for (const [answer, message] of cases) {
      const { endpoint } = await serve(answer);
      await expect(execInContainer(endpoint, 'ns', 'p', 'c', ['true'])).rejects.toThrow(message);
      await new Promise<void>((done) => server!.close(() => done()));
      server = undefined;
    }
  });

  it('skips informational answers before the 101, as node\'s http client does', async () => {
    const { endpoint } = await serve((socket, key) => {
      socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n');
      socket.end(Buffer.concat([Buffer.from(switching(key)), channel(1, 'ok'), channel(3, '{"status":"Success"}')]));
    });
    await expect(execInContainer(endpoint, 'ns', 'p', 'c', ['true'])).resolves.toEqual({ stdout: 'ok', stderr: '', exitCode: 0 });
  });

  it('reads a chunked refusal to its end whatever its last chunk looks like, with the connection kept open', async () => {
    const message = '{"kind":"Status","message":"etcd is on fire"}';
    const size = Buffer.byteLength(message).toString(16);
    for (const ending of ['0\r\n\r\n', '0;x=1\r\n\r\n', '000\r\n\r\n', '0\r\nX-T: 1\r\n\r\n']) {
      const { endpoint } = await serve((socket) => socket.write(`HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n${size}\r\n${message}\r\n${ending}`));
      const started = Date.now();
      await expect(execInContainer(endpoint, 'ns', 'p', 'c', ['true'], { signal: AbortSignal.timeout(5000) })).rejects.toThrow('exec refused by the server (500): etcd is on fire');
      expect(Date.now() - started).toBeLessThan(2000);
      await new Promise<void>((done) => server!.close(() => done()));
      server = undefined;
    }
  });

  it('does not keep a connection the server never closes after the close handshake', async () => {
    const serverSide: Socket[] = [];
    const { endpoint } = await serve((socket, key) => {
      serverSide.push(socket);
      socket.write(Buffer.concat([Buffer.from(switching(key)), channel(3, '{"status":"Success"}'), Buffer.from([0x88, 0x02, 0x03, 0xe8])]));
    });
    (server as unknown as { allowHalfOpen: boolean }).allowHalfOpen = true;
    const clientSide: Socket[] = [];
    const dialer = endpoint.dialer!;
    const dial = dialer.dial.bind(dialer);
    dialer.dial = () => {
      const socket = dial();
      clientSide.push(socket);
      return socket;
    };
    await Promise.all(Array.from({ length: 5 }, () => execInContainer(endpoint, 'ns', 'p', 'c', ['true'])));
    expect(clientSide.map((s) => s.destroyed)).toEqual([false, false, false, false, false]);
    await new Promise((done) => setTimeout(done, 1500));
    expect(clientSide.map((s) => s.destroyed)).toEqual([true, true, true, true, true]);
    for (const socket of serverSide) socket.destroy();
  });

  it('refuses a credential with a line break before connecting: no header can be smuggled', async () => {
    const { endpoint, seen } = await serve((s) => s.destroy());
    endpoint.headers = async () => ({ Authorization: 'Bearer a\r\nX-Evil: 1' });
    await expect(execInContainer(endpoint, 'ns', 'p', 'c', ['true'])).rejects.toThrow('Invalid character in header content ["Authorization"]');
    expect(seen).toEqual([]);
  });

  it('a deadline ends an upgrade the server never answers', async () => {
    const { endpoint } = await serve(() => {});
    const started = Date.now();
    await expect(execInContainer(endpoint, 'ns', 'p', 'c', ['true'], { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a fan-out over TLS does one full handshake: the others wait for its session and resume it', async () => {
    const pki = testPki();
    let full = 0;
    let resumed = 0;
    const tlsServer = createTlsServer({ cert: pki.certPem, key: pki.keyPem }, (socket: TLSSocket) => {
      if (socket.isSessionReused()) resumed++;
      else full++;
      let head = '';
      socket.on('data', (chunk: Buffer) => {
        head += chunk.toString('latin1');
        const key = /sec-websocket-key: (\S+)/i.exec(head)?.[1];
        if (!key || !head.includes('\r\n\r\n')) return;
        socket.end(Buffer.concat([Buffer.from(switching(key)), channel(3, '{"status":"Success"}')]));
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((done) => tlsServer.listen(0, '127.0.0.1', done));
    try {
      const base = `https://127.0.0.1:${(tlsServer.address() as { port: number }).port}`;
      const endpoint: ExecEndpoint = {
        base: base.replace(/^http/, 'ws'),
        agent: new Agent(),
        dialer: new ExecDialer(base, { secureContext: createSecureContext({ ca: pki.caPem }) }, 10_000),
        headers: async () => ({}),
      };
      const results = await Promise.all(Array.from({ length: 16 }, () => execInContainer(endpoint, 'ns', 'p', 'c', ['true'])));
      expect(results.every((r) => r.exitCode === 0)).toBe(true);
      expect({ full, resumed }).toEqual({ full: 1, resumed: 15 });
    } finally {
      await new Promise<void>((done) => tlsServer.close(() => done()));
    }
  });
});
