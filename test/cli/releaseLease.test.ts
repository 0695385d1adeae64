// `okg release` after an interrupted run: a run killed on another machine is taken over only with --take-over
// naming its holder (a wrong name changes nothing); a run killed on this host is taken over at once, saying once
// that its process is gone; a failure names its step once.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { releaseCommand } from '../../src/cli/releaseCommand.js';
import { runRelease } from '../../src/release/engine.js';
import type { Holder } from '../../src/release/record.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import {
  client,
  GSS,
  mortal,
  NS,
  record,
  seedInput,
  SEED_FINAL,
  startWorld,
  strip,
  table,
} from '../release/helpers.js';
import { clientWrites, runVerb, seedRelease } from './run.js';

/** A first run of the seed release (the same inputs as the CLI's) that "crashes" at the start of mark. */
async function crashedRun(sb: Sandbox, holder: Partial<Holder>): Promise<string> {
  const m = mortal(client(sb));
  const r = await runRelease(seedInput(), {
    client: m.client,
    holder,
    onEvent: e => {
      if (e.type === 'step-started' && e.step === 'mark') m.kill();
    },
  });
  assert.equal(r.outcome, 'failed', r.message);
  assert.equal(record(sb).current?.outcome, undefined, 'the crashed run still holds its lease');
  return r.id!;
}

/** The pid of a process that has exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', '']);
    p.on('error', reject);
    p.on('exit', () => resolve(p.pid!));
  });
}

const okg = (argv: string[]) => runVerb(releaseCommand, argv);

describe('okg release: an interrupted run and its lease', function () {
  this.timeout(60_000);
  let sb: Sandbox | undefined;
  afterEach(async () => {
    await sb?.stop();
    sb = undefined;
  });

  const args = (s: Sandbox, ...extra: string[]) => [...seedRelease(s.kubeconfigPath('admin')), ...extra];

  it('killed on another machine: refused naming the holder; --take-over with a wrong name changes nothing; the right name resumes to the seed table', async () => {
    sb = await startWorld();
    const id = await crashedRun(sb, { id: 'a1b2c3', user: 'alice', host: 'ops-box', pid: 4242 });

    sb.server.clearWriteLog();
    const plain = await okg(args(sb));
    assert.equal(plain.code, 1, plain.err.join('\n'));
    assert.equal(plain.err.length, 1, plain.err.join(' | '));
    assert.match(plain.err[0], new RegExp(`locked by release ${id} of alice@ops-box \\(pid 4242\\)`));
    assert.match(plain.err[0], /--take-over alice@ops-box/, 'says how to take it over');
    assert.deepEqual(clientWrites(sb), []);

    for (const wrong of ['bob@ops-box', 'alice@elsewhere', 'ffffff']) {
      const r = await okg(args(sb, '--take-over', wrong));
      assert.equal(r.code, 1, r.err.join('\n'));
      assert.equal(r.err.length, 1, r.err.join(' | '));
      assert.match(
        r.err[0],
        new RegExp(
          `--take-over ${wrong}: .*held by alice@ops-box \\(pid 4242\\).*not by ${wrong}; nothing was changed`,
        ),
      );
      assert.deepEqual(clientWrites(sb), [], `no write for --take-over ${wrong}`);
    }
    assert.equal(record(sb).current?.holder.id, 'a1b2c3');

    const taken = await okg(args(sb, '--take-over', 'alice@ops-box'));
    assert.equal(taken.code, 0, taken.err.join('\n'));
    const text = taken.out.join('\n');
    assert.match(text, new RegExp(`took over release ${id} from alice@ops-box \\(pid 4242\\)`));
    assert.match(text, new RegExp(`release ${id} succeeded`), 'the same release resumed');
    assert.deepEqual(strip(table(sb)), SEED_FINAL);
    assert.equal(record(sb).history[0].id, id);
    assert.equal(record(sb).history[0].outcome, 'succeeded');
  });

  it('--take-over by holder id works too, and is refused when no release holds the lease', async () => {
    sb = await startWorld();
    await crashedRun(sb, { id: 'a1b2c3', user: 'alice', host: 'ops-box', pid: 4242 });
    const taken = await okg(args(sb, '--take-over', 'a1b2c3'));
    assert.equal(taken.code, 0, taken.err.join('\n'));
    assert.deepEqual(strip(table(sb)), SEED_FINAL);

    sb.server.clearWriteLog();
    const again = await okg(args(sb, '--take-over', 'a1b2c3'));
    assert.equal(again.code, 1, again.err.join('\n'));
    assert.equal(again.err.length, 1);
    assert.match(again.err[0], /--take-over a1b2c3: no release holds the lease on minecraft; nothing was changed/);
    assert.deepEqual(clientWrites(sb), []);
  });

  it('killed on this host: the rerun takes over at once and says once that its process is gone (not "expired")', async () => {
    sb = await startWorld();
    const pid = await deadPid();
    const id = await crashedRun(sb, { id: 'd4e5f6', user: 'alice', host: hostname(), pid });
    const r = await okg(args(sb));
    assert.equal(r.code, 0, r.err.join('\n'));
    const lines = [...r.out, ...r.err];
    const about = lines.filter(l => /took over|taking .*over|expired|process .* gone/.test(l));
    assert.deepEqual(about.length, 1, about.join('\n'));
    assert.match(
      about[0],
      new RegExp(
        `took over release ${id} from alice@${hostname().replace(/[.]/g, '\\.')} \\(pid ${pid}\\) \\(its process ${pid} on this host is gone\\)`,
      ),
    );
    assert.ok(!lines.some(l => /expired/.test(l)), lines.join('\n'));
    assert.deepEqual(strip(table(sb)), SEED_FINAL);
  });

  it('a failure names its step once: "failed at step patch-image: …", not twice', async () => {
    sb = await startWorld();
    const ac = new AbortController();
    const first = await runRelease(seedInput(), {
      client: client(sb),
      signal: ac.signal,
      onEvent: e => {
        if (e.type === 'step-started' && e.step === 'patch-image') ac.abort(new Error('operator cancelled'));
      },
    });
    assert.equal(first.outcome, 'cancelled', first.message);
    // someone else changes the image meanwhile: the resumed release must not overwrite it
    await client(sb).patchGameServerSet(NS, GSS, [
      {
        op: 'replace',
        path: '/spec/gameServerTemplate/spec/containers/0/image',
        value: 'registry.example.com/other:9',
      },
    ]);
    const r = await okg(args(sb));
    assert.equal(r.code, 1);
    assert.equal(r.err.length, 1, r.err.join('\n'));
    assert.match(
      r.err[0],
      new RegExp(
        `^okg: release ${first.id} failed at step patch-image: the image of container "minecraft" changed to registry\\.example\\.com/other:9 since the release started; not overwritten$`,
      ),
    );
    assert.equal(r.err[0].split('at step').length, 2, `"at step" once: ${r.err[0]}`);
  });
});
