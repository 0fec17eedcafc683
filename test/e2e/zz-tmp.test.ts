import { it } from 'vitest';
import { mcastctl, startSim } from '../helpers/sim.js';
it('show', async () => {
  const sim = await startSim('antrea-v1.9');
  const r = await mcastctl(sim, ['--transport', 'api', '--agent-insecure-skip-tls-verify', 'get', 'featuregates', '--node', 'tkgs-node-a']);
  console.log(r.code, r.stderr, r.stdout.slice(0, 300));
}, 60000);
