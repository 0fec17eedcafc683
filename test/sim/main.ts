/**
 * npm run sim [-- SCENARIO] : starts the simulated Antrea cluster on a free loopback port, writes a
 * kubeconfig and prints its path; runs until interrupted.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SimApiServer } from './api-server.js';
import { loadScenario } from './scenario.js';

const scenarioName = process.argv[2] ?? 'default';
const server = new SimApiServer(loadScenario(scenarioName));
await server.start(Number(process.env.SIM_PORT ?? 0));
const dir = resolve('.sim');
mkdirSync(dir, { recursive: true });
const kubeconfig = join(dir, 'kubeconfig');
// The kubeconfig holds the cluster's bearer token: readable by its owner only, even if it existed.
writeFileSync(kubeconfig, server.kubeconfig(), { mode: 0o600 });
chmodSync(kubeconfig, 0o600);
process.stdout.write(`Simulated Antrea cluster "${scenarioName}" listening on ${server.url}\n`);
process.stdout.write(`export KUBECONFIG=${kubeconfig}\n`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
