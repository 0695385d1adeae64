// The wizard's host at 1,000 rooms (the sandbox's scale scenario, one set): the release's events reach the panel
// in batches (far fewer messages than rooms, however many events the engine emits), none is dropped as too long
// (the mark step's line that names every pending room arrives summarised, its rooms as data), the rooms and the
// counts over time arrive with them, every audit line stays runnable (the record's long patches go to files beside
// the log), and a webview that reloads is replayed a compact run. Shared set-up: harness.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '../../src/webview/protocol.js';
import { events, hostHarness, message, posted, send, until } from './harness.js';

const ROOMS = 1000;
const NS = 'games-0';
const SET = 'fleet-000';
const NEW = 'registry.example.com/games/fleet-000:2.0.0';

describe('release wizard: host side at 1,000 rooms', function () {
  this.timeout(300_000);
  const h = hostHarness();

  it('a 1,000-room release: fewer messages than rooms, none too long to send, rooms and counts included, a compact replay', async () => {
    const w = await h.world(
      { scenario: 'scale', scale: { gameServerSets: 1, rooms: ROOMS, namespaces: 1 }, readyAfterMs: 50 },
      NS,
    );
    assert.equal(w.cache.rooms(SET).length, ROOMS);
    const p = await h.readyPanel(w);
    const from = posted(p).length;
    send(p, {
      type: 'run',
      scope: w.scope.id,
      input: {
        namespace: NS,
        gameServerSet: SET,
        images: [{ container: 'game', image: NEW }],
        add: 100,
        timeoutMs: 240_000,
        reclaim: 'none',
      },
    });
    const result = await until(() => message(p, 'run-result', from), 'the release to finish', 240_000);
    assert.equal(result.result.outcome, 'succeeded', result.result.message);
    assert.equal(result.result.summary?.retired.length, ROOMS, 'every old room was idle and is retired');

    // Nothing was refused on the way (before the fix: "not sending an invalid event message").
    assert.deepEqual(
      h.log.lines.filter(l => /not sending|cannot show/.test(l)),
      [],
    );
    const progress = posted(p)
      .slice(from)
      .filter(m => m.type === 'progress');
    const sent = events(p, from);
    const marks = sent.filter(e => e.type === 'room-changed' && e.step === 'mark');
    assert.equal(marks.length, ROOMS, 'one room-changed event per marked room');
    // Before the fix: one message per event, two per marked room plus one per change of the Ready count (> 2,100).
    assert.ok(progress.length < ROOMS, `${progress.length} progress messages for ${ROOMS} rooms`);
    const written = sent.filter(
      e => e.type === 'step-progress' && e.step === 'mark' && / rooms written$/.test(e.message),
    );
    assert.ok(
      written.length < ROOMS / 4,
      `${written.length} "N of M rooms written" lines (a later one replaces the ones before it in a batch)`,
    );
    // The line naming every pending room: summarised, its rooms as data.
    const settle = sent.find(
      e => e.type === 'step-progress' && e.message.startsWith('waiting for OKG to show the marks on the pods'),
    );
    assert.ok(settle && settle.type === 'step-progress', "the mark step's wait for the pod labels was sent");
    assert.match(
      settle.message,
      /^waiting for OKG to show the marks on the pods: 1,000 rooms; first 20: fleet-000-\d+, /,
    );
    assert.equal(settle.rooms?.length, ROOMS);
    assert.ok(JSON.stringify(progress).length / progress.length < 64_000, 'messages stay small on average');

    // The rooms (the 1,000 old ones marked, the 100 new ones Ready) and the counts over time, as the host saw them.
    const rooms = new Map<string, { version: string; state: string; opsState: string }>();
    for (const m of progress) for (const r of m.rooms ?? []) rooms.set(r.name, r);
    assert.equal(rooms.size, ROOMS + 100, 'every room reached the panel');
    const last = progress.filter(m => m.sample).at(-1)?.sample;
    assert.deepEqual(
      last && {
        old: last.old,
        marked: last.marked,
        newReady: last.newReady,
        newNotReady: last.newNotReady,
        reclaimed: last.reclaimed,
      },
      { old: 0, marked: ROOMS, newReady: 100, newNotReady: 0, reclaimed: 0 },
    );

    // The audit trail: one kubectl line per write, each one a shell can run (Linux takes at most 128 KiB per
    // argument). The record's writes at this size (its test op and its new text) go to files beside the log.
    const trail = h.log.lines.filter(l => l.startsWith('[info] kubectl patch '));
    assert.ok(trail.length > ROOMS, `${trail.length} kubectl lines`);
    const long = trail.filter(l => Buffer.byteLength(l) > 64 * 1024);
    assert.deepEqual(
      long.map(l => `${l.slice(0, 120)}… (${Buffer.byteLength(l)} bytes)`),
      [],
      'no line too long for a shell',
    );
    const files = trail.map(l => /--patch-file (\S+)$/.exec(l)?.[1]).filter((f): f is string => !!f);
    assert.ok(files.length >= 1, 'the record writes name their patch files');
    for (const f of files) {
      assert.ok(f.startsWith(join(tmpdir(), 'okg-ops-stub-log', 'patches')), `beside the log: ${f}`);
      const ops = JSON.parse(readFileSync(f, 'utf8')) as { op: string }[];
      assert.equal(ops[0].op, 'test', `a conditional patch: ${f}`);
    }

    // A webview that reloads gets the run replayed compactly: each step's last progress line only, every room once.
    const at = posted(p).length;
    send(p, { type: 'ready', version: PROTOCOL_VERSION });
    const replay = await until(() => message(p, 'init', at), 'the replay');
    assert.ok(replay.run?.result);
    assert.equal(replay.run.rooms.length, ROOMS + 100);
    assert.ok(replay.run.rooms.filter(r => r.version === 'old').every(r => r.opsState === 'WaitToBeDeleted'));
    assert.ok(
      replay.run.events.length < sent.length,
      `${replay.run.events.length} events replayed of ${sent.length} sent`,
    );
    assert.equal(replay.run.events.filter(e => e.type === 'step-progress' && e.step === 'mark').length, 1);
    assert.ok(replay.run.samples.length >= 2 && replay.run.samples.length <= 600);
  });
});
