import { describe, it } from 'mocha';
import assert from 'node:assert/strict';
import { evalJsonPath } from '../../src/sandbox/jsonpath.js';

describe('evalJsonPath', () => {
  const gs = {
    spec: { opsState: 'None', containers: [{ name: 'minecraft', image: 'mc:1' }] },
    status: { currentState: 'Ready', networkStatus: { currentNetworkState: 'Ready' }, replicas: 0 },
    metadata: { annotations: { 'game.kruise.io/x.y': 'v' } },
  };

  it('follows dotted fields', () => {
    assert.equal(evalJsonPath(gs, '.spec.opsState'), 'None');
    assert.equal(evalJsonPath(gs, '.status.networkStatus.currentNetworkState'), 'Ready');
    assert.equal(evalJsonPath(gs, '{.status.currentState}'), 'Ready');
    assert.equal(evalJsonPath(gs, '$.status.currentState'), 'Ready');
  });

  it('indexes arrays and quoted keys', () => {
    assert.equal(evalJsonPath(gs, '.spec.containers[0].image'), 'mc:1');
    assert.equal(evalJsonPath(gs, '.spec.containers[-1].name'), 'minecraft');
    assert.equal(evalJsonPath(gs, ".metadata.annotations['game.kruise.io/x.y']"), 'v');
    assert.equal(evalJsonPath(gs, '.metadata.annotations["game.kruise.io/x.y"]'), 'v');
  });

  it('returns undefined for anything missing, but keeps falsy values', () => {
    assert.equal(evalJsonPath(gs, '.status.replicas'), 0);
    assert.equal(evalJsonPath(gs, '.status.nope'), undefined);
    assert.equal(evalJsonPath(gs, '.spec.containers[3].name'), undefined);
    assert.equal(evalJsonPath(gs, '.spec.opsState.x'), undefined);
    assert.equal(evalJsonPath(gs, '.spec[0]'), undefined);
    assert.equal(evalJsonPath(undefined, '.spec'), undefined);
  });

  it('rejects syntax outside the subset', () => {
    assert.throws(() => evalJsonPath(gs, '.spec.containers[*].name'), /unsupported subscript/);
    assert.throws(() => evalJsonPath(gs, '.spec..x'), /empty field name/);
  });
});
