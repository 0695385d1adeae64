// reclaimableNow, the pure decision of which marked rooms may be reclaimed by lowering replicas now: only rooms
// marked in spec and pod label, at the head of OKG's scale-down order as the pod labels rank it (API.md §6, §8.5).
import * as assert from 'node:assert/strict';
import { LABEL_POD_DELETE_PRIORITY, LABEL_POD_OPS_STATE, type RawObject } from '../../src/cluster/okg.js';
import { reclaimableNow, type ReclaimView } from '../../src/release/reclaimable.js';

const gs = (name: string, opsState: string, uid = `uid-${name}`): RawObject => ({
  metadata: { name, uid },
  spec: { opsState },
});
const pod = (name: string, label: string, o: { priority?: string; deleting?: boolean } = {}): RawObject => ({
  metadata: {
    name,
    labels: { [LABEL_POD_OPS_STATE]: label, ...(o.priority ? { [LABEL_POD_DELETE_PRIORITY]: o.priority } : {}) },
    ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
  },
});

/** A set of rooms `name: opsState` (spec and label alike unless `label` says otherwise); ours are `marked`. */
function view(rooms: [string, string, string?][], marked: string[], changed: Record<string, string> = {}): ReclaimView {
  return {
    gameServers: rooms.map(([n, spec]) => gs(n, spec)),
    pods: rooms.map(([n, spec, label]) => pod(n, label ?? spec)),
    marked: new Map(marked.map(n => [n, `uid-${n}`])),
    changedAfterMark: n => changed[n],
  };
}

describe('reclaimableNow (which marked rooms may be reclaimed now)', () => {
  it("the seed: both marked idle rooms, confirmed in spec and label, lead OKG's order → both", () => {
    const d = reclaimableNow(
      view(
        [
          ['minecraft-0', 'Allocated'],
          ['minecraft-1', 'WaitToBeDeleted'],
          ['minecraft-2', 'WaitToBeDeleted'],
          ['minecraft-3', 'None'],
        ],
        ['minecraft-1', 'minecraft-2'],
      ),
    );
    assert.deepEqual(d, { lagging: false, rooms: ['minecraft-1', 'minecraft-2'], notMarked: [] });
  });

  it("a pod label that does not show its GameServer's mark yet → lagging (OKG's order is unknown)", () => {
    assert.deepEqual(
      reclaimableNow(
        view(
          [
            ['minecraft-1', 'WaitToBeDeleted', 'None'],
            ['minecraft-2', 'WaitToBeDeleted'],
          ],
          ['minecraft-1', 'minecraft-2'],
        ),
      ),
      { lagging: true },
    );
  });

  it('lagging also for a room that is not ours: a stale Kill label on another room ranks it first', () => {
    assert.deepEqual(
      reclaimableNow(
        view(
          [
            ['minecraft-1', 'WaitToBeDeleted'],
            ['minecraft-4', 'None', 'Kill'],
          ],
          ['minecraft-1'],
        ),
      ),
      { lagging: true },
    );
  });

  it('a label lagging on a terminating pod does not count (OKG does not rank it)', () => {
    const v = view([['minecraft-1', 'WaitToBeDeleted']], ['minecraft-1']);
    v.gameServers = [...v.gameServers, gs('minecraft-4', 'WaitToBeDeleted')];
    v.pods = [...v.pods, pod('minecraft-4', 'None', { deleting: true })];
    assert.deepEqual(reclaimableNow(v), { lagging: false, rooms: ['minecraft-1'], notMarked: [] });
  });

  it('a marked room that changed after marking is not reclaimed, even if it shows WaitToBeDeleted again, and is reported', () => {
    const d = reclaimableNow(
      view(
        [
          ['minecraft-1', 'WaitToBeDeleted'],
          ['minecraft-2', 'WaitToBeDeleted'],
          ['minecraft-3', 'None'],
        ],
        ['minecraft-1', 'minecraft-2'],
        { 'minecraft-2': 'Allocated' },
      ),
    );
    assert.equal(d.lagging, false);
    if (d.lagging) return;
    assert.deepEqual(d.notMarked, ['minecraft-2 (WaitToBeDeleted; was Allocated after marking)']);
    // minecraft-2 ranks ahead of minecraft-1 (same rank, higher ordinal) and is not confirmed: it holds minecraft-1 back
    assert.deepEqual(d.rooms, []);
    assert.deepEqual(d.held, {
      rooms: ['minecraft-1'],
      blocker: { name: 'minecraft-2', opsState: 'WaitToBeDeleted', changedAfterMark: 'Allocated' },
    });
  });

  it('a marked room that is Allocated now is not reclaimed and ranks behind: the others still go', () => {
    const d = reclaimableNow(
      view(
        [
          ['minecraft-1', 'WaitToBeDeleted'],
          ['minecraft-2', 'Allocated'],
        ],
        ['minecraft-1', 'minecraft-2'],
      ),
    );
    assert.deepEqual(d, { lagging: false, rooms: ['minecraft-1'], notMarked: ['minecraft-2 (Allocated)'] });
  });

  it('a room marked by someone else ranked between ours: replicas are lowered only by the confirmed head', () => {
    // OKG's order: minecraft-5 (ours), minecraft-3 (not ours), minecraft-1 (ours) — WaitToBeDeleted, highest ordinal first
    const d = reclaimableNow(
      view(
        [
          ['minecraft-1', 'WaitToBeDeleted'],
          ['minecraft-3', 'WaitToBeDeleted'],
          ['minecraft-5', 'WaitToBeDeleted'],
        ],
        ['minecraft-1', 'minecraft-5'],
      ),
    );
    assert.deepEqual(d, {
      lagging: false,
      rooms: ['minecraft-5'],
      notMarked: [],
      held: { rooms: ['minecraft-1'], blocker: { name: 'minecraft-3', opsState: 'WaitToBeDeleted' } },
    });
  });

  it('deletion priority from the pod label ranks within an opsState: a higher one not ours goes first and holds all back', () => {
    const v = view(
      [
        ['minecraft-1', 'WaitToBeDeleted'],
        ['minecraft-2', 'WaitToBeDeleted'],
      ],
      ['minecraft-2'],
    );
    v.pods = [pod('minecraft-1', 'WaitToBeDeleted', { priority: '10' }), pod('minecraft-2', 'WaitToBeDeleted')];
    assert.deepEqual(reclaimableNow(v), {
      lagging: false,
      rooms: [],
      notMarked: [],
      held: { rooms: ['minecraft-2'], blocker: { name: 'minecraft-1', opsState: 'WaitToBeDeleted' } },
    });
  });

  it('a room re-created under the same name (another uid) is not ours: neither reclaimed nor reported', () => {
    const v = view(
      [
        ['minecraft-1', 'WaitToBeDeleted'],
        ['minecraft-2', 'None'],
      ],
      ['minecraft-1', 'minecraft-2'],
    );
    v.gameServers = [gs('minecraft-1', 'WaitToBeDeleted'), gs('minecraft-2', 'None', 'uid-new')];
    assert.deepEqual(reclaimableNow(v), { lagging: false, rooms: ['minecraft-1'], notMarked: [] });
  });

  it('a marked room whose pod is terminating or missing is not confirmed', () => {
    const v = view(
      [
        ['minecraft-1', 'WaitToBeDeleted'],
        ['minecraft-2', 'WaitToBeDeleted'],
      ],
      ['minecraft-1', 'minecraft-2'],
    );
    v.pods = [pod('minecraft-1', 'WaitToBeDeleted', { deleting: true })];
    assert.deepEqual(reclaimableNow(v), {
      lagging: false,
      rooms: [],
      notMarked: ['minecraft-1 (WaitToBeDeleted)', 'minecraft-2 (WaitToBeDeleted)'],
    });
  });

  it('idle None rooms rank behind the marks and hold nothing back', () => {
    const d = reclaimableNow(
      view(
        [
          ['minecraft-1', 'WaitToBeDeleted'],
          ['minecraft-9', 'None'],
          ['minecraft-8', 'None'],
        ],
        ['minecraft-1'],
      ),
    );
    assert.deepEqual(d, { lagging: false, rooms: ['minecraft-1'], notMarked: [] });
  });
});
