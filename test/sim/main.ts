/**
 * npm run sim [-- SCENARIO] : starts the simulated Antrea cluster on a free loopback port, writes a
 * kubeconfig of its own (.sim/<scenario>-<port>.kubeconfig, so two sims never share one) and prints its
 * path; runs until interrupted. A scenario that cannot be loaded is one `error:` line and exit 2.
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SimApiServer } from './api-server.js';
import { loadScenario, ScenarioError, type Scenario } from './scenario.js';

const scenarioName = process.argv[2] ?? 'default';
let scenario: Scenario;
try {
  scenario = loadScenario(scenarioName);
} catch (err) {
  if (!(err instanceof ScenarioError)) throw err;
  process.stderr.write(`error: ${err.message}\n`);
  process.exit(2);
}
const server = new SimApiServer(scenario);
await server.start(Number(process.env.SIM_PORT ?? 0));
const dir = resolve('.sim');
mkdirSync(dir, { recursive: true });
const kubeconfig = join(dir, `${basename(scenarioName, '.yaml')}-${new URL(server.url).port}.kubeconfig`);
// The kubeconfig holds the cluster's bearer token: readable by its owner only, even if it existed.
writeFileSync(kubeconfig, server.kubeconfig(), { mode: 0o600 });
chmodSync(kubeconfig, 0o600);
process.stdout.write(`Simulated Antrea cluster "${scenarioName}" listening on ${server.url}\n`);
process.stdout.write(`export KUBECONFIG=${kubeconfig}\n`);
const stop = async () => {
  rmSync(kubeconfig, { force: true });
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
