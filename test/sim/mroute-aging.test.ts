import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcastctl, startSim, type RunningSim } from '../helpers/sim.js';

// The agent deletes (S,G) routes that routed nothing for mRouteTimeout (antrea v2.7.0
// pkg/agent/multicast/mcast_route_linux.go); the scenario shortens it to 8 s.
describe('idle (S,G) routes age out', () => {
  let sim: RunningSim;
  beforeAll(async () => {
    sim = await startSim('default', (s) => (s.mrouteTimeoutMs = 8000));
  });
  afterAll(async () => sim?.stop());

  const routes = () => [...sim.server.cluster.agents.keys()].sort().map((n) => sim.server.cluster.dataplane.mroutes(n).map((r) => `${r.source} ${r.group} ${r.iif}`).sort());

  it('routes of a finished probe are gone after the timeout; the running sender keeps its own', async () => {
    const before = routes();
    const r = await mcastctl(sim, ['probe', '--count', '2', '--timeout', '20s']);
    expect(r.code).toBe(0);
    const during = routes();
    expect(during.flat().length).toBeGreaterThan(before.flat().length);
    await new Promise((done) => setTimeout(done, 9000));
    expect(routes()).toEqual(before);
  });
});
