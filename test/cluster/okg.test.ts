// OKG's scale-down order as the product predicts it (API.md §6): the views and the release plan share it.
import { strict as assert } from 'node:assert';
import { describe, it } from 'mocha';
import { deletionPriorityOf, isPodReady, scaleDownOrder, scaleDownRank } from '../../src/cluster/okg.js';
import { isRecord, plural } from '../../src/cluster/util.js';

describe('OKG scale-down order (§6)', () => {
  it('ranks Kill > WaitToBeDeleted > None/custom > Allocated > Maintaining', () => {
    assert.deepEqual(
      ['Maintaining', 'Allocated', 'None', 'Busy', 'WaitToBeDeleted', 'Kill'].map(scaleDownRank),
      [-2, -1, 0, 0, 1, 100],
    );
  });

  it('then higher deletion priority (Atoi; "10%" counts as 0), then the highest ordinal', () => {
    const rooms = [
      { name: 'a-0', opsState: 'None', deletionPriority: '0', ordinal: 0 },
      { name: 'a-1', opsState: 'None', deletionPriority: '5', ordinal: 1 },
      { name: 'a-2', opsState: 'Allocated', deletionPriority: '100', ordinal: 2 },
      { name: 'a-3', opsState: 'WaitToBeDeleted', deletionPriority: '0', ordinal: 3 },
      { name: 'a-4', opsState: 'None', deletionPriority: '10%', ordinal: 4 },
      { name: 'a-5', opsState: 'Maintaining', deletionPriority: '0', ordinal: 5 },
    ];
    assert.deepEqual(
      scaleDownOrder(rooms).map(r => r.name),
      ['a-3', 'a-1', 'a-4', 'a-0', 'a-2', 'a-5'],
    );
    assert.equal(deletionPriorityOf('10%'), 0);
    assert.equal(deletionPriorityOf(7), 7);
  });
});

describe('shared helpers', () => {
  it('a Pod is Ready only when its Ready condition is True', () => {
    assert.equal(
      isPodReady({
        status: {
          conditions: [
            { type: 'ContainersReady', status: 'True' },
            { type: 'Ready', status: 'True' },
          ],
        },
      }),
      true,
    );
    assert.equal(
      isPodReady({
        status: {
          conditions: [
            { type: 'Ready', status: 'False' },
            { type: 'ContainersReady', status: 'True' },
          ],
        },
      }),
      false,
    );
    assert.equal(isPodReady({ status: {} }), false);
    assert.equal(isPodReady({}), false);
  });

  it('isRecord: a JSON object, not null or an array', () => {
    assert.deepEqual([{}, { a: 1 }, null, [], 'x', 1, undefined].map(isRecord), [
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('plural: the count with the singular for one, else the plural', () => {
    assert.deepEqual(
      [0, 1, 2].map(n => plural(n, 'room')),
      ['0 rooms', '1 room', '2 rooms'],
    );
    assert.equal(plural(3, 'replica set', 'replica sets'), '3 replica sets');
    assert.equal(plural(1, 'child', 'children'), '1 child');
    assert.equal(plural(2, 'child', 'children'), '2 children');
  });
});
