// The client CPU one exec cannot go below: a new TLS connection (one shared SecureContext, the
// session resumed and set once, as mcastctl's exec dialer does) carrying one small HTTP request,
// with nothing else in the process. Every exec is its own WebSocket connection, so this is paid
// per agent. Usage: node bench/tls-floor.mjs KUBECONFIG CONNECTIONS; prints ms per connection.
import { readFileSync } from 'node:fs';
import { TLSSocket, connect, createSecureContext } from 'node:tls';
import { parse } from 'yaml';

const [file, count = '500'] = process.argv.slice(2);
const config = parse(readFileSync(file, 'utf8'));
const cluster = config.clusters[0].cluster;
const token = config.users[0].user.token;
const url = new URL(cluster.server);
const secureContext = createSecureContext({ ca: Buffer.from(cluster['certificate-authority-data'], 'base64') });
let session;
const get = () =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), secureContext });
    if (session) TLSSocket.prototype.setSession.call(socket, session);
    socket.on('session', (s) => (session = s));
    socket.write(`GET /version HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`);
    socket.on('data', () => {});
    socket.on('end', resolve);
    socket.on('error', reject);
  });
await get(); // the first, full handshake: its session is resumed by the others
const n = Number(count);
const before = process.cpuUsage();
for (let i = 0; i < n; i += 16) await Promise.all(Array.from({ length: Math.min(16, n - i) }, get));
const used = process.cpuUsage(before);
process.stdout.write(`${((used.user + used.system) / 1000 / n).toFixed(3)}\n`);
