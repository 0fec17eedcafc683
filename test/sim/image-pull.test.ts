import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL, kubectl, mcastctl, startSim, type RunningSim } from '../helpers/sim.js';

// An image no registry has never runs: the kubelet reports ErrImagePull, then ImagePullBackOff.
describe.runIf(KUBECTL !== undefined || process.env.CI === 'true')('a Pod of an image that exists nowhere', () => {
  let sim: RunningSim;
  beforeAll(async () => {
    sim = await startSim('default');
  });
  afterAll(async () => sim?.stop());

  const waiting = async () => {
    const r = await kubectl(sim, ['get', 'pod', 'ghost', '-n', 'pull-test', '-o', 'jsonpath={.status.phase} {.status.containerStatuses[0].ready} {.status.containerStatuses[0].started} {.status.containerStatuses[0].state.waiting.reason}|{.status.containerStatuses[0].state.waiting.message}']);
    return r.stdout;
  };

  it('waits in ErrImagePull, then ImagePullBackOff, never Running; a known image runs', async () => {
    expect((await kubectl(sim, ['create', 'namespace', 'pull-test'])).code).toBe(0);
    const node = [...sim.server.cluster.agents.keys()].sort()[0];
    const run = (name: string, image: string) => kubectl(sim, ['run', name, '-n', 'pull-test', '--image', image, '--restart=Never', `--overrides={"spec":{"nodeName":"${node}"}}`]);
    expect((await run('ghost', 'nosuch/image:1')).code).toBe(0);
    // Read at once from the store: the back-off starts 2 s after the failed pull.
    const first = sim.server.cluster.store.get('pods', 'pull-test', 'ghost')!.status;
    const s0 = first.containerStatuses[0];
    expect(`${first.phase} ${s0.ready} ${s0.started} ${s0.state.waiting.reason}|${s0.state.waiting.message}`).toBe(
      'Pending false false ErrImagePull|failed to pull and unpack image "docker.io/nosuch/image:1": failed to resolve reference "docker.io/nosuch/image:1": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
    );
    expect((await run('box', 'busybox:1.36')).code).toBe(0);
    await new Promise((done) => setTimeout(done, 3000));
    expect(await waiting()).toBe('Pending false false ImagePullBackOff|Back-off pulling image "nosuch/image:1"');
    const exec = await kubectl(sim, ['exec', 'ghost', '-n', 'pull-test', '--', 'true']);
    expect(exec.code).not.toBe(0);
    const box = await kubectl(sim, ['get', 'pod', 'box', '-n', 'pull-test', '-o', 'jsonpath={.status.phase} {.status.containerStatuses[0].ready}']);
    expect(box.stdout).toBe('Running true');
  });

  it('mcastctl probe --image of such an image takes its "cannot be pulled" path', async () => {
    const r = await mcastctl(sim, ['probe', '--image', 'nosuch/image:1', '--count', '2', '--timeout', '20s']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: Pod (sender|receiver)-k8s-node-\d on k8s-node-\d: (ErrImagePull|ImagePullBackOff) \((failed to pull and unpack image "docker\.io\/nosuch\/image:1"|Back-off pulling image "nosuch\/image:1")/);
  });
});
