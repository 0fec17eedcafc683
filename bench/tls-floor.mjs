// The client CPU one exec cannot go below: a new TLS connection (resumed session, one shared
// SecureContext) carrying one small HTTPS request. Every exec is its own WebSocket connection, so
// this is paid per agent. Usage: node bench/tls-floor.mjs KUBECONFIG CONNECTIONS; prints ms per connection.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { createSecureContext } from 'node:tls';
import { parse } from 'yaml';

const [file, count = '500'] = process.argv.slice(2);
const config = parse(readFileSync(file, 'utf8'));
const cluster = config.clusters[0].cluster;
const token = config.users[0].user.token;
const url = new URL(cluster.server);
const secureContext = createSecureContext({ ca: Buffer.from(cluster['certificate-authority-data'], 'base64') });
const agent = new Agent({ keepAlive: false, secureContext, maxCachedSessions: 100 });
const get = () =>
  new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: '/version', agent, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
await get(); // the first, full handshake: its session is resumed by the others
const n = Number(count);
const before = process.cpuUsage();
for (let i = 0; i < n; i += 16) await Promise.all(Array.from({ length: Math.min(16, n - i) }, get));
const used = process.cpuUsage(before);
process.stdout.write(`${((used.user + used.system) / 1000 / n).toFixed(3)}\n`);
