// mcastctl's JSONPath against kubectl's own, on the same document: client-go's semantics
// (unions, slices, filters, recursive descent, escaped keys, range) are what users expect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderJsonPath } from '../../src/output/jsonpath-template.js';
import { KUBECTL, kubectl, startSim, type RunningSim } from '../helpers/sim.js';

const TEMPLATES = [
  "{.items[*]['metadata.name','kind']}",
  "{.items[*].metadata['name','uid']}",
  '{.items[0:2].metadata.name}',
  '{.items[-1:].metadata.name}',
  '{.items[::2].metadata.name}',
  '{.items[0,2].metadata.name}',
  '{.items[-1].metadata.name}',
  "{.items[?(@.metadata.name=='k8s-node-2')].status.nodeInfo.osImage}",
  "{.items[0].status.addresses[?(@.type!='Hostname')].address}",
  "{..addresses[?(@.type=='InternalIP')].address}",
  '{.items[0].metadata.labels.kubernetes\\.io/hostname}',
  "{.items[1].metadata.labels['kubernetes\\.io/os']}",
  "{range .items[*]}{.metadata.name}{'\\t'}{.status.nodeInfo.kernelVersion}{\"\\n\"}{end}",
  '{range .items[*]}[{range .status.addresses[*]}{.type}={.address},{end}]{end}',
  '{.items[*].metadata.missing}',
  '{.items[0].metadata.labels}',
  '{.items[*].status.addresses[*].type}',
  'nodes: {.items[*].metadata.name} ({.kind})',
  '{.items[0].status.conditions}',
];

let sim: RunningSim;
beforeAll(async () => {
  sim = await startSim('default');
});
afterAll(async () => {
  await sim?.stop();
});

describe.runIf(KUBECTL !== undefined)('JSONPath as kubectl evaluates it', () => {
  it.each(TEMPLATES)('%s', async (template) => {
    const list = JSON.parse((await kubectl(sim, ['get', 'nodes', '-o', 'json'])).stdout);
    const expected = await kubectl(sim, ['get', 'nodes', '-o', `jsonpath=${template}`]);
    expect(expected.code).toBe(0);
    expect(renderJsonPath(template, list)).toBe(expected.stdout);
  });

  it('an index past the end fails as it does in kubectl', async () => {
    const list = JSON.parse((await kubectl(sim, ['get', 'nodes', '-o', 'json'])).stdout);
    const expected = await kubectl(sim, ['get', 'nodes', '-o', 'jsonpath={.items[5].metadata.name}']);
    expect(expected.stderr.split('\n')[0]).toBe(
      'error: error executing jsonpath "{.items[5].metadata.name}": Error executing template: array index out of bounds: index 5, length 3. Printing more information for debugging the template:',
    );
    expect(() => renderJsonPath('{.items[5].metadata.name}', list)).toThrow('error executing jsonpath "{.items[5].metadata.name}": Error executing template: array index out of bounds: index 5, length 3');
  });
});
