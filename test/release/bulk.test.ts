// Bulk changes against the sandbox (real HTTPS API + OKG emulator, no mocks): conditional writes, the
// allocation race with a matchmaker, partial failures, dry runs and cancellation, checked on the write log.
import { strict as assert } from 'node:assert';
import { after, afterEach, before, describe, it } from 'mocha';
import { restoreSeed } from '../helpers/seed.js';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { OkgClient } from '../../src/cluster/client.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { createObject, seedGameServerSet } from '../../src/sandbox/scenarios.js';
import { applyToRooms, summarize, validateChange, type RoomResult } from '../../src/release/bulk.js';
import { selectRooms } from '../../src/release/selection.js';
import { listRooms } from '../../src/release/selectionRooms.js';

const NS = 'default';
const ARENA = 'arena';
const ARENA_ROOMS = 40;

describe('release/bulk against the sandbox', function () {
  this.timeout(120_000);
  let sandbox: Sandbox;
  let operator: OkgClient;
  let admin: CustomObjectsApi;

  const spec = (name: string) =>
    sandbox.server.store.get(sandbox.server.resource('gameservers'), NS, name)?.spec as
      Record<string, unknown> | undefined;
  const opsState = (name: string) => spec(name)?.opsState;
  const operatorWrites = () => sandbox.server.writeLog().filter(e => e.user === 'operator');
  /** An unconditional JSON merge patch, as open-match-director and `kubectl patch --type=merge` send. */
  const mergePatch = (name: string, body: object) =>
    admin.patchNamespacedCustomObject(
      { group: 'game.kruise.io', version: 'v1alpha1', namespace: NS, plural: 'gameservers', name, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  const setOps = (name: string, value: string) => mergePatch(name, { spec: { opsState: value } });

  async function resetArena(): Promise<void> {
    sandbox.server.setFaults(undefined);
    for (let i = 0; i < ARENA_ROOMS; i++)
      if (opsState(`${ARENA}-${i}`) !== 'None') await setOps(`${ARENA}-${i}`, 'None');
    sandbox.server.clearWriteLog();
  }

  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed', readyAfterMs: 50 });
    operator = new OkgClient(sandbox.kubeConfig('operator'), { backoffMs: 20 });
    admin = sandbox.kubeConfig('admin').makeApiClient(CustomObjectsApi);
    // A bigger set, created the way kubectl apply would.
    const arena = seedGameServerSet() as { metadata: { name: string }; spec: { replicas: number } };
    arena.metadata.name = ARENA;
    arena.spec.replicas = ARENA_ROOMS;
    await createObject(sandbox.kubeConfig('admin'), arena);
    await sandbox.waitFor(
      () =>
        sandbox.server.store
          .list(sandbox.server.resource('gameservers'), NS)
          .filter(
            g =>
              g.metadata.labels?.['game.kruise.io/owner-gss'] === ARENA &&
              (g.status as { currentState?: string } | undefined)?.currentState === 'Ready',
          ).length === ARENA_ROOMS,
      60_000,
      'the arena rooms to be Ready',
    );
    sandbox.server.clearWriteLog();
  });
  after(async () => {
    await sandbox?.stop();
  });
  afterEach(() => restoreSeed(sandbox, setOps));

  it('validateChange: one line per problem, label-value rules for opsState and priorities', () => {
    assert.deepEqual(validateChange({ opsState: 'WaitToBeDeleted', deletionPriority: 10, updatePriority: '3' }), []);
    assert.deepEqual(validateChange({ opsState: 'Busy.v2_x-1' }), []);
    const cases: [Parameters<typeof validateChange>[0], RegExp][] = [
      [{}, /sets nothing/],
      [{ opsState: '' }, /opsState is empty/],
      [{ opsState: 'a'.repeat(64) }, /64 characters.*at most 63/],
      [{ opsState: 'Wait To Be Deleted' }, /not a valid label value/],
      [{ opsState: '-None' }, /not a valid label value/],
      [{ opsState: 'kill' }, /differs from OKG's "Kill" only in case/],
      [{ deletionPriority: '10%' }, /percentage.*gs-delete-priority/],
      [{ updatePriority: -1 }, /negative/],
      [{ deletionPriority: 1.5 }, /not a whole number/],
      [{ deletionPriority: '2147483648' }, /larger than/],
    ];
    for (const [change, re] of cases) {
      const reasons = validateChange(change);
      assert.equal(reasons.length, 1, JSON.stringify({ change, reasons }));
      assert.match(reasons[0], re);
    }
  });

  it('marks only the selected rooms, one conditional JSON Patch each', async () => {
    const rooms = await listRooms(operator, NS, 'minecraft');
    const selected = selectRooms(rooms, { opsStates: ['None'] });
    assert.deepEqual(
      selected.map(r => r.name),
      ['minecraft-1', 'minecraft-2'],
    );
    const seen: RoomResult[] = [];
    const results = await applyToRooms(
      operator,
      selected,
      { opsState: 'WaitToBeDeleted' },
      { onResult: r => seen.push(r) },
    );
    assert.deepEqual(
      results.map(({ patch: _p, ...r }) => r),
      [
        { name: 'minecraft-1', outcome: 'changed', from: { opsState: 'None' }, to: { opsState: 'WaitToBeDeleted' } },
        { name: 'minecraft-2', outcome: 'changed', from: { opsState: 'None' }, to: { opsState: 'WaitToBeDeleted' } },
      ],
    );
    assert.equal(seen.length, 2);
    const log = operatorWrites();
    assert.deepEqual(log.map(e => [e.verb, e.name, e.code]).sort(), [
      ['patch', 'minecraft-1', 200],
      ['patch', 'minecraft-2', 200],
    ]);
    for (const e of log) {
      const room = selected.find(r => r.name === e.name)!;
      assert.equal(e.contentType, 'application/json-patch+json');
      assert.deepEqual(results.find(r => r.name === e.name)?.patch, e.body, 'the result carries what was sent');
      assert.deepEqual(e.body, [
        { op: 'test', path: '/spec/opsState', value: 'None' },
        { op: 'test', path: '/metadata/uid', value: room.uid },
        { op: 'replace', path: '/spec/opsState', value: 'WaitToBeDeleted' },
      ]);
    }
    assert.deepEqual(['minecraft-0', 'minecraft-1', 'minecraft-2'].map(opsState), [
      'Allocated',
      'WaitToBeDeleted',
      'WaitToBeDeleted',
    ]);
  });

  it('rooms already at the target are unchanged and get no request', async () => {
    await setOps('minecraft-2', 'WaitToBeDeleted');
    sandbox.server.clearWriteLog();
    const rooms = (await listRooms(operator, NS, 'minecraft')).filter(r => r.name !== 'minecraft-0');
    const results = await applyToRooms(operator, rooms, { opsState: 'WaitToBeDeleted' });
    assert.deepEqual(
      results.map(r => [r.name, r.outcome]),
      [
        ['minecraft-1', 'changed'],
        ['minecraft-2', 'unchanged'],
      ],
    );
    assert.deepEqual(
      operatorWrites().map(e => e.name),
      ['minecraft-1'],
    );
    const fresh = (await listRooms(operator, NS, 'minecraft')).filter(r => r.name !== 'minecraft-0');
    const before = operator.requestCount();
    assert.deepEqual(
      (await applyToRooms(operator, fresh, { opsState: 'WaitToBeDeleted' })).map(r => r.outcome),
      ['unchanged', 'unchanged'],
    );
    assert.equal(operator.requestCount(), before, 'no request at all');
    // With the stale view, minecraft-1 still looks None: one refused write, one read, then "unchanged".
    const stale = await applyToRooms(operator, rooms, { opsState: 'WaitToBeDeleted' });
    assert.deepEqual(
      stale.map(r => [r.outcome, r.reason]),
      [
        ['unchanged', 'it already had the new values when re-read'],
        ['unchanged', undefined],
      ],
    );
  });

  it('a room allocated after selection is skipped, with what it is now, and not overwritten', async () => {
    const selected = selectRooms(await listRooms(operator, NS, 'minecraft'), { opsStates: ['None'] });
    await setOps('minecraft-1', 'Allocated'); // the matchmaker, between selection and write
    sandbox.server.clearWriteLog();
    const gets = operator.requests.get('get gameservers') ?? 0;
    const results = await applyToRooms(operator, selected, { opsState: 'WaitToBeDeleted', deletionPriority: 5 });
    assert.equal(results[0].name, 'minecraft-1');
    assert.equal(results[0].outcome, 'skipped');
    assert.match(results[0].reason!, /^Allocated now \(was None at selection\); not overwritten$/);
    assert.equal(results[1].outcome, 'changed');
    assert.deepEqual(results[1].to, { opsState: 'WaitToBeDeleted', deletionPriority: 5 });
    assert.equal(opsState('minecraft-1'), 'Allocated');
    assert.equal(spec('minecraft-1')?.deletionPriority, 0);
    assert.equal(opsState('minecraft-2'), 'WaitToBeDeleted');
    assert.equal(spec('minecraft-2')?.deletionPriority, 5);
    assert.deepEqual(
      operatorWrites()
        .map(e => [e.name, e.code])
        .sort(),
      [
        ['minecraft-1', 422],
        ['minecraft-2', 200],
      ],
    );
    assert.equal((operator.requests.get('get gameservers') ?? 0) - gets, 1, 'one read, after the refusal only');
  });

  it('tests what each room really stores: a priority stored as "3", a networkDisabled absent (as real OKG creates it), written at once', async () => {
    await mergePatch('minecraft-1', { spec: { deletionPriority: '3' } });
    assert.equal(spec('minecraft-2')?.networkDisabled, undefined, 'OKG creates GameServers without networkDisabled');
    sandbox.server.clearWriteLog();
    const selected = selectRooms(await listRooms(operator, NS, 'minecraft'), { names: ['minecraft-1', 'minecraft-2'] });
    const r1 = await applyToRooms(operator, selected.slice(0, 1), { deletionPriority: 7 });
    assert.deepEqual(
      r1.map(r => r.outcome),
      ['changed'],
    );
    assert.equal(spec('minecraft-1')?.deletionPriority, 7);
    const r2 = await applyToRooms(operator, selected.slice(1), { networkDisabled: true });
    assert.deepEqual(
      r2.map(r => r.outcome),
      ['changed'],
    );
    assert.equal(spec('minecraft-2')?.networkDisabled, true);
    const log = operatorWrites();
    assert.deepEqual(
      log.map(e => [e.name, e.code]),
      [
        ['minecraft-1', 200],
        ['minecraft-2', 200],
      ],
      'no 422 and no re-read',
    );
    assert.deepEqual((log[0].body as object[])[0], { op: 'test', path: '/spec/deletionPriority', value: '3' });
    const ops2 = log[1].body as { op: string; path: string }[];
    assert.ok(
      ops2.some(o => o.op === 'test' && o.path === '/metadata/resourceVersion'),
      'absence is guarded by the resourceVersion',
    );
    assert.ok(ops2.some(o => o.op === 'add' && o.path === '/spec/networkDisabled'));
    await mergePatch('minecraft-1', { spec: { deletionPriority: 0 } });
    await mergePatch('minecraft-2', { spec: { networkDisabled: null } });
  });

  it('a value re-stored with another JSON type after selection ("3" → 3, absent → false) is re-read once and written conditionally', async () => {
    await mergePatch('minecraft-1', { spec: { deletionPriority: '3' } });
    const selected = selectRooms(await listRooms(operator, NS, 'minecraft'), { names: ['minecraft-1', 'minecraft-2'] });
    // Someone rewrites the same values in another form: the rooms did not change in meaning, only in representation.
    await mergePatch('minecraft-1', { spec: { deletionPriority: 3 } });
    await mergePatch('minecraft-2', { spec: { networkDisabled: false } });
    sandbox.server.clearWriteLog();
    const r1 = await applyToRooms(operator, selected.slice(0, 1), { deletionPriority: 7 });
    assert.deepEqual(
      r1.map(r => r.outcome),
      ['changed'],
    );
    const r2 = await applyToRooms(operator, selected.slice(1), { networkDisabled: true });
    assert.deepEqual(
      r2.map(r => r.outcome),
      ['changed'],
    );
    assert.equal(spec('minecraft-2')?.networkDisabled, true);
    const log = operatorWrites();
    assert.deepEqual(
      log.map(e => [e.name, e.code]),
      [
        ['minecraft-1', 422],
        ['minecraft-1', 200],
        ['minecraft-2', 422],
        ['minecraft-2', 200],
      ],
    );
    assert.deepEqual((log[1].body as object[])[0], { op: 'test', path: '/spec/deletionPriority', value: 3 });
    const retry2 = log[3].body as { op: string; path: string; value?: unknown }[];
    assert.ok(
      retry2.some(o => o.op === 'test' && o.path === '/spec/networkDisabled' && o.value === false),
      'the retry tests the value now stored',
    );
    assert.ok(retry2.some(o => o.op === 'replace' && o.path === '/spec/networkDisabled'));
    // the result carries the patch the server accepted (the extension logs it as its kubectl equivalent)
    assert.deepEqual(r2[0].patch, log[3].body);
    await mergePatch('minecraft-1', { spec: { deletionPriority: 0 } });
    await mergePatch('minecraft-2', { spec: { networkDisabled: null } });
  });

  it('dry run writes nothing and reports what would change', async () => {
    const rooms = await listRooms(operator, NS, 'minecraft');
    const before = operator.requestCount();
    const results = await applyToRooms(operator, rooms, { opsState: 'Maintaining' }, { dryRun: true });
    assert.deepEqual(
      results.map(r => [r.name, r.outcome, r.from?.opsState]),
      [
        ['minecraft-0', 'changed', 'Allocated'],
        ['minecraft-1', 'changed', 'None'],
        ['minecraft-2', 'changed', 'None'],
      ],
    );
    assert.ok(results.every(r => r.reason === 'dry run: not written'));
    assert.equal(operator.requestCount(), before);
    assert.deepEqual(operatorWrites(), []);
  });

  it('a cancelled batch writes nothing more and reports the rest skipped', async () => {
    const rooms = await listRooms(operator, NS, 'minecraft');
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    const results = await applyToRooms(
      operator,
      rooms.slice(1),
      { opsState: 'WaitToBeDeleted' },
      { signal: ac.signal },
    );
    assert.deepEqual(
      results.map(r => [r.outcome, r.reason]),
      [
        ['skipped', 'cancelled before it was written'],
        ['skipped', 'cancelled before it was written'],
      ],
    );
    assert.deepEqual(operatorWrites(), []);
  });

  it('an invalid change throws before any write', async () => {
    const rooms = await listRooms(operator, NS, 'minecraft');
    await assert.rejects(applyToRooms(operator, rooms, { opsState: 'kill' }), /only in case/);
    assert.deepEqual(operatorWrites(), []);
  });

  describe(`the allocation race (${ARENA_ROOMS} rooms, latency 5-30 ms, a matchmaker writing Allocated unconditionally)`, () => {
    /** Allocates rooms from the end of its stale list (where the batch arrives last), `parallel` at a time. */
    async function matchmaker(names: string[], parallel: number, allocated: Set<string>): Promise<void> {
      const queue = [...names];
      await Promise.all(
        Array.from({ length: parallel }, async () => {
          for (let n = queue.shift(); n; n = queue.shift()) {
            await setOps(n, 'Allocated');
            allocated.add(n);
          }
        }),
      );
    }

    it('no room the matchmaker allocated ends up WaitToBeDeleted (3 rounds)', async () => {
      let skippedTotal = 0;
      for (let round = 0; round < 3; round++) {
        await resetArena();
        const rooms = selectRooms(await listRooms(operator, NS, ARENA), { opsStates: ['None'] });
        assert.equal(rooms.length, ARENA_ROOMS);
        const targets = rooms
          .filter((_, i) => i % 2 === round % 2)
          .map(r => r.name)
          .reverse();
        sandbox.server.setFaults({ latencyMs: [5, 30] });
        const allocated = new Set<string>();
        const [results] = await Promise.all([
          applyToRooms(operator, rooms, { opsState: 'WaitToBeDeleted' }, { concurrency: 6 }),
          matchmaker(targets, 3, allocated),
        ]);
        sandbox.server.setFaults(undefined);

        assert.equal(allocated.size, targets.length);
        for (const n of allocated)
          assert.equal(opsState(n), 'Allocated', `round ${round}: ${n} was allocated and must stay Allocated`);
        const counts = summarize(results);
        assert.equal(counts.failed + counts.unchanged, 0, JSON.stringify(results.filter(r => r.outcome === 'failed')));
        for (const r of results) {
          if (r.outcome === 'skipped') {
            assert.ok(allocated.has(r.name), `${r.name} skipped but never allocated`);
            assert.match(r.reason!, /^Allocated now \(was None at selection\)/);
          } else {
            assert.equal(opsState(r.name), allocated.has(r.name) ? 'Allocated' : 'WaitToBeDeleted', r.name);
          }
        }
        const refused = operatorWrites()
          .filter(e => e.code === 422)
          .map(e => e.name)
          .sort();
        assert.deepEqual(
          refused,
          results
            .filter(r => r.outcome === 'skipped')
            .map(r => r.name)
            .sort(),
          'each skip is one refused conditional patch',
        );
        assert.ok(operatorWrites().every(e => e.verb === 'patch' && e.contentType === 'application/json-patch+json'));
        skippedTotal += counts.skipped;
      }
      assert.ok(skippedTotal > 0, 'the race window was hit at least once (otherwise this test proves nothing)');
    });

    it('control: the same race with unconditional marking (as a naive tool does) loses allocations', async () => {
      await resetArena();
      const rooms = await listRooms(operator, NS, ARENA);
      const targets = rooms
        .filter((_, i) => i % 2 === 0)
        .map(r => r.name)
        .reverse();
      sandbox.server.setFaults({ latencyMs: [5, 30] });
      const allocated = new Set<string>();
      const naive = async () => {
        const queue = rooms.map(r => r.name);
        const ops = operator.kc.makeApiClient(CustomObjectsApi);
        await Promise.all(
          Array.from({ length: 6 }, async () => {
            for (let n = queue.shift(); n; n = queue.shift()) {
              await ops.patchNamespacedCustomObject(
                {
                  group: 'game.kruise.io',
                  version: 'v1alpha1',
                  namespace: NS,
                  plural: 'gameservers',
                  name: n,
                  body: { spec: { opsState: 'WaitToBeDeleted' } },
                },
                setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
              );
            }
          }),
        );
      };
      await Promise.all([naive(), matchmaker(targets, 3, allocated)]);
      sandbox.server.setFaults(undefined);
      const lost = [...allocated].filter(n => opsState(n) === 'WaitToBeDeleted');
      assert.ok(lost.length > 0, 'the unconditional write should overwrite at least one allocation');
      await resetArena();
    });
  });

  describe('partial failures', () => {
    it('transient 500s are retried; rooms that still fail are reported and the batch continues', async () => {
      await resetArena();
      const rooms = await listRooms(operator, NS, ARENA);
      const impatient = new OkgClient(sandbox.kubeConfig('operator'), { attempts: 2, backoffMs: 5 });
      sandbox.server.setFaults({ errorRate: 0.5, errorCodes: [500] });
      const results = await applyToRooms(impatient, rooms, { opsState: 'WaitToBeDeleted' }, { concurrency: 8 });
      sandbox.server.setFaults(undefined);
      assert.equal(results.length, ARENA_ROOMS);
      const counts = summarize(results);
      assert.equal(counts.changed + counts.failed, ARENA_ROOMS, JSON.stringify(counts));
      assert.ok(counts.failed > 0 && counts.changed > 0, JSON.stringify(counts));
      const log = operatorWrites();
      for (const r of results) {
        const attempts = log.filter(e => e.name === r.name);
        if (r.outcome === 'failed') {
          assert.match(
            r.reason!,
            /failed to patch gameservers\.game\.kruise\.io "arena-\d+" in namespace "default" \(500/,
          );
          assert.equal(attempts.length, 2, `${r.name}: tried twice`);
          assert.equal(opsState(r.name), 'None');
        } else {
          assert.equal(opsState(r.name), 'WaitToBeDeleted');
          assert.equal(attempts.at(-1)?.code, 200);
        }
      }
      assert.ok(
        log.some(e => e.code === 500) &&
          results.some(r => r.outcome === 'changed' && log.filter(e => e.name === r.name).length === 2),
        'some rooms succeeded on the retry',
      );

      // Running the same selection again finishes the job: changed rooms are unchanged now, failed ones get written.
      sandbox.server.clearWriteLog();
      const again = await applyToRooms(
        operator,
        selectRooms(await listRooms(operator, NS, ARENA), { opsStates: ['None'] }),
        { opsState: 'WaitToBeDeleted' },
      );
      assert.equal(again.length, counts.failed);
      assert.ok(again.every(r => r.outcome === 'changed'));
      await resetArena();
    });

    it('409 conflicts are retried: the patch stays guarded by its test ops', async () => {
      await resetArena();
      const rooms = await listRooms(operator, NS, ARENA);
      sandbox.server.setFaults({ conflictRate: 0.3 });
      const results = await applyToRooms(operator, rooms, { opsState: 'WaitToBeDeleted' });
      sandbox.server.setFaults(undefined);
      const log = operatorWrites();
      assert.ok(
        log.some(e => e.code === 409),
        'conflicts were injected',
      );
      for (const r of results) {
        if (r.outcome === 'failed') assert.match(r.reason!, /409 Conflict/);
        else assert.equal(r.outcome, 'changed');
      }
      assert.ok(summarize(results).changed >= 30, JSON.stringify(summarize(results)));
      await resetArena();
    });
  });
});
