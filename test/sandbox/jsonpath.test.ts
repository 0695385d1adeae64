// evalJsonPath beyond the golden printer-column table (golden.test.ts, made by client-go's JSONPath): the raw values
// it finds (the table sees them only through a column type), and how it refuses what it does not evaluate.
import { describe, it } from 'mocha';
import assert from 'node:assert/strict';
import { evalJsonPath } from '../../src/sandbox/jsonpath.js';

describe('evalJsonPath', () => {
  const gs = {
    spec: { opsState: 'None', containers: [{ name: 'minecraft', image: 'mc:1' }] },
    status: { currentState: 'Ready', replicas: 0, list: [1, 2] },
    metadata: { annotations: { 'game.kruise.io/x.y': 'v', plain: 'p' } },
  };

  it('finds values of any type, keeping falsy ones, and undefined for anything missing', () => {
    assert.equal(evalJsonPath(gs, '.status.replicas'), 0);
    assert.deepEqual(evalJsonPath(gs, '.status.list'), [1, 2]);
    assert.equal(evalJsonPath(gs, '$.spec.containers[-1].image'), 'mc:1');
    assert.equal(evalJsonPath(gs, '.metadata.annotations.game\\.kruise\\.io/x\\.y'), 'v');
    assert.equal(evalJsonPath(gs, ".metadata.annotations['plain']"), 'p');
    assert.equal(
      evalJsonPath(gs, ".metadata.annotations['game.kruise.io/x.y']"),
      undefined,
      "['k'] is .k: its dots still split",
    );
    assert.equal(evalJsonPath(gs, '.status.nope'), undefined);
    assert.equal(evalJsonPath(undefined, '.spec'), undefined);
  });

  it('refuses what kube refuses, and names what it does not support', () => {
    assert.throws(() => evalJsonPath(gs, '{.status.currentState}'), /braces/);
    assert.throws(() => evalJsonPath(gs, '.metadata.annotations["plain"]'), /invalid array index/);
    assert.throws(() => evalJsonPath(gs, '.spec.containers[0'), /unterminated array/);
    assert.throws(() => evalJsonPath(gs, '.spec.containers[*].name'), /not supported by the sandbox/);
    assert.throws(() => evalJsonPath(gs, '.spec..opsState'), /recursive descent .* not supported by the sandbox/);
  });
});
