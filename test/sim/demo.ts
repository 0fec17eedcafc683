/**
 * npm run demo: starts the simulated cluster (scenario "default"), runs mcastctl's commands against
 * it as a user would, prints what they print, and stops the cluster.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { labPrerequisites, MulticastLab } from '../lab/lab.js';
import { SimApiServer } from './api-server.js';
import { loadScenario } from './scenario.js';

const root = resolve(import.meta.dirname, '..', '..');
const scenarioName = process.argv[2] ?? 'default';
const scenario = loadScenario(scenarioName);
// With root and the lab's tools, the first Node is a real multicast network in network namespaces.
const labMissing = await labPrerequisites();
let lab: MulticastLab | undefined;
if (!labMissing) {
  lab = new MulticastLab();
  const node = await lab.addNode(scenario.nodes[0].name);
  lab.startReceivers(node);
  scenario.nodes[0] = { ...scenario.nodes[0], lab: true };
  await lab.send(node, 1);
}
const server = new SimApiServer(scenario, lab ? { lab: { has: (n) => lab!.nodes.has(n), exec: (n, argv) => lab!.exec(n, argv) } } : {});
await server.start();
const dir = mkdtempSync(join(tmpdir(), 'mcastctl-demo-'));
const kubeconfig = join(dir, 'kubeconfig');
writeFileSync(kubeconfig, server.kubeconfig(), { mode: 0o600 });

const commands: string[][] = [
  ['get', 'featuregates'],
  ['get', 'featuregates', '--node', 'k8s-node-2'],
  ['get', 'podmulticaststats', '-A'],
  ['get', 'multicastgroups', '-o', 'wide'],
  ['get', 'mroute'],
  ['get', 'igmp'],
  ['multicast', 'disable', '--dry-run'],
  ['igmp', 'set-max', '64', '--all-nodes'],
  ['get', 'igmp', '-o', 'json'],
  ['doctor'],
  // Proves delivery with real Pods: a sender on k8s-node-1, a receiver on every Node.
  ['probe', '--group', '239.255.12.99', '--count', '5', '--interval', '200ms'],
];

process.stdout.write(`# Simulated Antrea cluster "${scenarioName}" at ${server.url}\n`);
process.stdout.write(
  lab
    ? `# ${scenario.nodes[0].name} is backed by a real multicast network in network namespaces (lab ${lab.prefix}): its mroutes, IGMP memberships and igmp_max_memberships are the kernel's\n`
    : `# every Node is simulated (the real-kernel lab needs ${labMissing?.replace(/^the multicast lab needs /, '')})\n`,
);
let failed = 0;
try {
  for (const args of commands) {
    process.stdout.write(`\n$ mcastctl ${args.join(' ')}\n`);
    // The simulator serves from this process, so mcastctl must run as an asynchronous child.
    const result = await runAsync(args);
    process.stdout.write(result.stdout);
    if (result.stderr) process.stdout.write(result.stderr);
    if (result.code !== 0) {
      process.stdout.write(`[exit status ${result.code}]\n`);
      failed++;
    }
  }
} finally {
  await server.stop();
  await lab?.teardown();
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;

function runAsync(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'mcastctl.js'), ...args], { env: { ...process.env, KUBECONFIG: kubeconfig } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('close', (code) => done({ stdout, stderr, code: code ?? 1 }));
  });
}
