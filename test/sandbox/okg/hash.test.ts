// The controllers' status comparison without building strings (sameCanonicalJson) answers exactly what comparing
// canonical JSON texts answered: key order ignored, undefined members dropped, undefined and null alike elsewhere.
import * as assert from 'node:assert/strict';
import { canonicalJson, sameCanonicalJson } from '../../../src/sandbox/okg/hash.js';

const VALUES: unknown[] = [
  undefined,
  null,
  0,
  1,
  -0,
  NaN,
  '',
  '0',
  'null',
  '{}',
  true,
  false,
  [],
  [null],
  [undefined],
  [1, 2],
  [2, 1],
  {},
  { a: undefined },
  { a: null },
  { a: 1 },
  { a: 1, b: undefined },
  { b: 2, a: 1 },
  { a: 1, b: 2 },
  { a: { x: [1, { y: 'z' }] } },
  { a: { x: [1, { y: 'z', w: undefined }] } },
  { a: { x: [1, { y: 'Z' }] } },
  { conditions: [{ type: 'Ready', status: 'True' }], phase: 'Running' },
  { phase: 'Running', conditions: [{ status: 'True', type: 'Ready' }] },
  { phase: 'Running', conditions: [{ status: 'False', type: 'Ready' }] },
];

describe('okg emulator canonical JSON comparison', () => {
  it('sameCanonicalJson(a, b) is canonicalJson(a) === canonicalJson(b) for every pair', () => {
    let equalPairs = 0;
    for (const a of VALUES)
      for (const b of VALUES) {
        const want = canonicalJson(a) === canonicalJson(b);
        if (want) equalPairs++;
        assert.equal(sameCanonicalJson(a, b), want, `${canonicalJson(a)} vs ${canonicalJson(b)}`);
      }
    // Not only the diagonal: reordered keys, dropped undefined members and undefined-as-null compare equal.
    assert.ok(equalPairs > VALUES.length, `${equalPairs} equal pairs`);
  });
});
