/**
 * Forward proxies for tests of a kubeconfig's proxy-url: an HTTP CONNECT proxy and a SOCKS5 proxy
 * (RFC 1928, no authentication, CONNECT only). Each records the host:port its clients asked for.
 * Host names are resolved by the proxy through `hosts` (a name unknown to DNS stands for the API
 * server), so a client can only reach such a server through the proxy.
 */
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TestProxy {
  url: string;
  /** host:port of each tunnel asked for, in order (SOCKS5: the host as sent, a name or an address). */
  targets: string[];
  stop(): Promise<void>;
}

/** Pipes `client` to host:port once connected; `established` writes the proxy's success answer. */
function tunnel(client: Socket, host: string, port: number, hosts: Record<string, string>, established: () => void, head?: Buffer): Socket {
  const upstream = connect(port, hosts[host] ?? host, () => {
    established();
    if (head && head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());
  return upstream;
}

async function listening(server: Server | ReturnType<typeof createHttpServer>, scheme: string, targets: string[], sockets: Set<Socket>): Promise<TestProxy> {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    targets,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An HTTP proxy that answers CONNECT host:port with 200 and a tunnel, anything else with 405. */
export function startConnectProxy(hosts: Record<string, string> = {}): Promise<TestProxy> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    targets.push(target);
    const colon = target.lastIndexOf(':');
    const host = target.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    sockets.add(tunnel(client, host, Number(target.slice(colon + 1)), hosts, () => client.write('HTTP/1.1 200 Connection Established\r\n\r\n'), head));
  });
  return listening(server, 'http', targets, sockets);
}

/** A SOCKS5 proxy (RFC 1928): no authentication, CONNECT to an IPv4 address or a domain name. */
export function startSocks5Proxy(hosts: Record<string, string> = {}): Promise<TestProxy> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    let buffered = Buffer.alloc(0);
    let greeted = false;
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!greeted) {
        // VER NMETHODS METHODS...: choose 0x00, no authentication.
        if (buffered.length < 2 || buffered.length < 2 + buffered[1]!) return;
        buffered = buffered.subarray(2 + buffered[1]!);
        greeted = true;
        client.write(Buffer.from([5, 0]));
      }
      // VER CMD RSV ATYP DST.ADDR DST.PORT
      if (buffered.length < 5) return;
      const atyp = buffered[3]!;
      const addressEnd = atyp === 1 ? 8 : atyp === 3 ? 5 + buffered[4]! : atyp === 4 ? 20 : -1;
      if (addressEnd < 0 || buffered[1] !== 1) return void client.end(Buffer.from([5, 7, 0, 1, 0, 0, 0, 0, 0, 0]));
      if (buffered.length < addressEnd + 2) return;
      const host = atyp === 1 ? [...buffered.subarray(4, 8)].join('.') : atyp === 3 ? buffered.subarray(5, addressEnd).toString('latin1') : buffered.subarray(4, 20).toString('hex');
      const port = buffered.readUInt16BE(addressEnd);
      const rest = buffered.subarray(addressEnd + 2);
      client.off('data', onData);
      client.pause();
      targets.push(`${host}:${port}`);
      sockets.add(tunnel(client, host, port, hosts, () => client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0])), rest));
    };
    client.on('data', onData);
    client.on('error', () => client.destroy());
  });
  return listening(server, 'socks5', targets, sockets);
}
