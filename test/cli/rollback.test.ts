// `okg rollback` end to end against the sandbox: the seed release rolled back (text and json), the dry run, and
// bad inputs, each refused with one line, the right exit code and no write at all.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { rollbackCommand } from '../../src/cli/rollbackCommand.js';
import { runRelease } from '../../src/release/engine.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { client, GSS, gssObject, NS, record, seedInput, startWorld, strip, table } from '../release/helpers.js';
import { mergePatch, SEED_FIRST } from '../release/rollbackHelpers.js';
import { clientWrites, runVerb } from './run.js';

const okg = (argv: string[]) => runVerb(rollbackCommand, argv);

describe('okg rollback (CLI)', function () {
  this.timeout(60_000);
  let sb: Sandbox | undefined;
  afterEach(async () => {
    await sb?.stop();
    sb = undefined;
  });

  it("rolls back the seed release: the seed's first table, exit 0; a rerun has nothing to do", async () => {
    sb = await startWorld();
    const rel = await runRelease(seedInput(), { client: client(sb) });
    assert.equal(rel.outcome, 'succeeded', rel.message);
    const kc = sb.kubeconfigPath('admin');
    const r = await okg(['-n', NS, '--gss', GSS, '--kubeconfig', kc, '--release', rel.id!]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(r.err, []);
    assert.ok(
      r.out.some(l => l.startsWith(`rollback ${NS}/${GSS}: release ${rel.id} (succeeded at step unlock)`)),
      r.out.join('\n'),
    );
    assert.ok(
      r.out.some(l => /minecraft-1: WaitToBeDeleted → None changed/.test(l)),
      r.out.join('\n'),
    );
    assert.ok(
      r.out.some(l =>
        /^rollback rb-\S+ succeeded: 2 old room\(s\) restored \(minecraft-1, minecraft-2\), 0 gone, 3 new room\(s\) retired \(minecraft-3, minecraft-4, minecraft-5\), 0 left alone; 3 replicas/.test(
          l,
        ),
      ),
      r.out.join('\n'),
    );
    assert.deepEqual(strip(table(sb)), SEED_FIRST);
    assert.equal(gssObject(sb).spec.replicas, 3);
    assert.equal(record(sb).history[0].kind, 'rollback');
    sb.server.clearWriteLog();
    const again = await okg(['-n', NS, '--gss', GSS, '--kubeconfig', kc, '-o', 'json']);
    assert.equal(again.code, 0, again.err.join('\n'));
    const j = JSON.parse(again.out.join('\n')) as { outcome: string; message: string };
    assert.equal(j.outcome, 'succeeded');
    assert.match(j.message, new RegExp(`release ${rel.id} was already rolled back \\(rb-`));
    assert.deepEqual(clientWrites(sb), []);
  });

  it('--dry-run prints the room table and the predicted table and writes nothing; -o json runs it', async () => {
    sb = await startWorld();
    const rel = await runRelease(seedInput(), { client: client(sb) });
    assert.equal(rel.outcome, 'succeeded', rel.message);
    const kc = sb.kubeconfigPath('admin');
    sb.server.clearWriteLog();
    const dry = await okg(['-n', NS, '--gss', GSS, '--kubeconfig', kc, '--dry-run']);
    assert.equal(dry.code, 0, dry.err.join('\n'));
    assert.deepEqual(clientWrites(sb), []);
    const text = dry.out.join('\n');
    assert.match(text, /minecraft-1 +old +Ready +WaitToBeDeleted +1\.12\.2 +restore → None \(marked by release rel-/);
    assert.match(text, /minecraft-3 +new +Ready +None +1\.12\.2-new +retire/);
    assert.match(text, /minecraft-0 +old +Ready +Allocated +1\.12\.2 +protected \(Allocated\)/);
    const predicted = text.slice(text.indexOf('predicted after the rollback:'));
    assert.deepEqual(
      predicted
        .split('\n')
        .slice(2, 5)
        .map(l => l.trim().split(/ +/).slice(0, 3).join(' ')),
      ['minecraft-0 Ready Allocated', 'minecraft-1 Ready None', 'minecraft-2 Ready None'],
    );
    assert.equal(predicted.split('\n').filter(l => /^\s+minecraft-/.test(l)).length, 3);
    assert.match(text, /dry run: nothing was changed/);
    const run = await okg(['-n', NS, '--gss', GSS, '--kubeconfig', kc, '-o', 'json']);
    assert.equal(run.code, 0, run.err.join('\n'));
    const j = JSON.parse(run.out.join('\n')) as {
      outcome: string;
      summary: { restored: string[]; finalReplicas: number };
      events: { type: string }[];
    };
    assert.equal(j.outcome, 'succeeded');
    assert.deepEqual(j.summary.restored, ['minecraft-1', 'minecraft-2']);
    assert.equal(j.summary.finalReplicas, 3);
    assert.equal(j.events[j.events.length - 1].type, 'done');
  });

  describe('bad input: one line, exit code, zero writes', () => {
    let world: Sandbox;
    let kc: string;
    before(async () => {
      world = await startWorld();
      const rel = await runRelease(seedInput(), { client: client(world) });
      assert.equal(rel.outcome, 'succeeded', rel.message);
      kc = world.kubeconfigPath('admin');
    });
    after(async () => {
      await world?.stop();
    });

    const cases: [string, () => string[], number, RegExp][] = [
      ['missing --gss', () => ['-n', NS, '--kubeconfig', kc], 2, /--gss is required/],
      [
        'invalid GameServerSet name',
        () => ['-n', NS, '--gss', 'Mine_craft', '--kubeconfig', kc],
        2,
        /not a valid Kubernetes name/,
      ],
      [
        'invalid namespace name',
        () => ['-n', 'Default_NS', '--gss', GSS, '--kubeconfig', kc],
        2,
        /not a valid namespace name|not a valid Kubernetes name/,
      ],
      ['timeout format', () => ['-n', NS, '--gss', GSS, '--timeout', '10x', '--kubeconfig', kc], 2, /not a duration/],
      [
        'timeout too short',
        () => ['-n', NS, '--gss', GSS, '--timeout', '10ms', '--kubeconfig', kc],
        2,
        /from 1s to 24h/,
      ],
      [
        '--release not an id',
        () => ['-n', NS, '--gss', GSS, '--release', 'yesterday', '--kubeconfig', kc],
        2,
        /"yesterday" is not a release id/,
      ],
      [
        '--release empty',
        () => ['-n', NS, '--gss', GSS, '--release', ' ', '--kubeconfig', kc],
        2,
        /--release needs a release id/,
      ],
      [
        '--release very long',
        () => ['-n', NS, '--gss', GSS, '--release', `rel-${'x'.repeat(5000)}`, '--kubeconfig', kc],
        2,
        /is not a release id/,
      ],
      ['output typo', () => ['-n', NS, '--gss', GSS, '-o', 'yaml', '--kubeconfig', kc], 2, /-o must be one of/],
      ['unknown flag', () => ['-n', NS, '--gss', GSS, '--force', '--kubeconfig', kc], 2, /unknown flag --force/],
      ['positional argument', () => ['-n', NS, '--gss', GSS, 'now', '--kubeconfig', kc], 2, /unexpected argument/],
      [
        '--dry-run with a value',
        () => ['-n', NS, '--gss', GSS, '--dry-run=yes', '--kubeconfig', kc],
        2,
        /takes no value/,
      ],
      [
        'missing GameServerSet',
        () => ['-n', NS, '--gss', 'nope', '--kubeconfig', kc],
        1,
        /GameServerSet "nope" does not exist in namespace "default"/,
      ],
      [
        'missing namespace',
        () => ['-n', 'nope', '--gss', GSS, '--kubeconfig', kc],
        1,
        /namespace "nope" does not exist/,
      ],
      [
        '--release names another release',
        () => ['-n', NS, '--gss', GSS, '--release', 'rel-20200101T000000Z-abcd', '--kubeconfig', kc],
        1,
        /the last release of minecraft is rel-\S+, not rel-20200101T000000Z-abcd/,
      ],
      [
        'read-only user',
        () => ['-n', NS, '--gss', GSS, '--kubeconfig', world.kubeconfigPath('viewer')],
        1,
        /you may not patch gameserversets/,
      ],
      [
        'missing kubeconfig file',
        () => ['-n', NS, '--gss', GSS, '--kubeconfig', join(tmpdir(), 'okg-nope', 'nope.yaml')],
        1,
        /does not exist/,
      ],
      [
        'unknown context',
        () => ['-n', NS, '--gss', GSS, '--kubeconfig', kc, '--context', 'prod'],
        1,
        /context "prod" is not in the kubeconfig/,
      ],
    ];

    for (const [name, args, code, re] of cases) {
      it(name, async () => {
        world.server.clearWriteLog();
        const r = await okg(args());
        assert.equal(r.code, code, `${r.err.join('\n')}${r.out.join('\n')}`);
        assert.equal(r.err.length, 1, r.err.join('\n'));
        assert.ok(!r.err[0].includes('\n'));
        assert.match(r.err[0], re);
        assert.ok(r.err[0].length < 400, r.err[0]);
        assert.deepEqual(clientWrites(world), []);
      });
    }
  });

  it('a room lost to OKG (allocated while OKG removed it by a stale pod label) is reported and exits 3', async () => {
    // A long label lag and a slow termination: the matchmaker's Allocated lands while OKG removes the room by its label.
    sb = await startWorld({ labelSyncLagMs: 1500, terminatingMs: 1500 });
    const rel = await runRelease(seedInput(), { client: client(sb) });
    assert.equal(rel.outcome, 'succeeded', rel.message);
    const s = sb;
    const gs = (n: string) => s.server.store.get(s.server.resource('gameservers'), NS, n);
    const running = okg(['-n', NS, '--gss', GSS, '--kubeconfig', sb.kubeconfigPath('admin')]);
    await sb.waitFor(
      () => gssObject(s).spec.replicas === 3 && !!gs('minecraft-5'),
      30_000,
      'the rollback to lower replicas',
    );
    await mergePatch(sb, 'GameServer', 'minecraft-5', { spec: { opsState: 'Allocated' } });
    const r = await running;
    assert.equal(r.code, 3, r.out.join('\n'));
    assert.ok(
      r.err.some(l => /^okg: rollback rb-\S+ finished with a loss: .*LOST \(minecraft-5 \(Allocated/.test(l)),
      r.err.join('\n'),
    );
    assert.ok(
      r.out.some(l => /^warning: OKG removed .*minecraft-5 \(Allocated/.test(l)),
      r.out.join('\n'),
    );
    assert.equal(record(sb).history[0].outcome, 'lost');
    assert.match(
      record(sb).history[0].message ?? '',
      /^rollback rb-\S+ of release rel-\S+ finished with losses: OKG removed minecraft-5 \(Allocated/,
    );
  });

  it('nothing recorded: exit 1, one line, zero writes', async () => {
    sb = await startWorld();
    sb.server.clearWriteLog();
    const r = await okg(['-n', NS, '--gss', GSS, '--kubeconfig', sb.kubeconfigPath('admin')]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.err, [
      'okg: no release is recorded on GameServerSet minecraft (annotation okg-ops/release); nothing to roll back',
    ]);
    assert.deepEqual(clientWrites(sb), []);
  });
});
