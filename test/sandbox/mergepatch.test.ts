import { describe, it } from 'mocha';
import assert from 'node:assert/strict';
import { applyMergePatch, mergePatchDecodeError } from '../../src/sandbox/mergepatch.js';

describe('applyMergePatch', () => {
  // RFC 7386 appendix A (the rows kube agrees with).
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  cases.forEach(([doc, patch, want], i) => {
    it(`RFC 7386 example ${i + 1}`, () => assert.deepEqual(applyMergePatch(doc, patch), want));
  });

  it('merges spec.replicas into a GameServerSet without touching the rest', () => {
    const gss = { spec: { replicas: 3, updateStrategy: { type: 'OnDelete' } }, metadata: { labels: { a: '1' } } };
    const out = applyMergePatch(gss, { spec: { replicas: 5 }, metadata: { labels: { a: null, b: '2' } } });
    assert.deepEqual(out, {
      spec: { replicas: 5, updateStrategy: { type: 'OnDelete' } },
      metadata: { labels: { b: '2' } },
    });
  });

  it('never mutates its inputs', () => {
    const doc = { spec: { a: { x: 1 } } };
    const patch = { spec: { a: { y: 2 }, b: { z: [1] } } };
    const out = applyMergePatch(doc, patch) as { spec: { b: { z: number[] } } };
    assert.deepEqual(doc, { spec: { a: { x: 1 } } });
    out.spec.b.z.push(2);
    assert.deepEqual(patch.spec.b.z, [1]);
  });

  it('keeps evanphx v4 quirks: nulls inside objects in a newly set array are pruned', () => {
    assert.deepEqual(applyMergePatch({}, { a: [{ x: null, y: 1 }, null] }), { a: [{ y: 1 }, null] });
    // ...but not when the array replaces an existing object
    assert.deepEqual(applyMergePatch({ a: { k: 1 } }, { a: [{ x: null }] }), { a: [{ x: null }] });
  });

  it('reports the 400 kube gives for non-object patches', () => {
    assert.equal(mergePatchDecodeError({ a: 1 }), undefined);
    assert.equal(mergePatchDecodeError(null), 'Invalid JSON Patch');
    assert.equal(
      mergePatchDecodeError([1]),
      'error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}',
    );
    assert.equal(
      mergePatchDecodeError(true),
      'error decoding patch: json: cannot unmarshal bool into Go value of type map[string]interface {}',
    );
  });
});
