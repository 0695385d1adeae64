import * as assert from 'node:assert/strict';
import { runRelease } from '../../src/release/engine.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { client, collect, seedInput, SEED_FINAL, startWorld, strip, table } from './helpers.js';

describe('release engine: the seed', function () {
  let sb: Sandbox;
  beforeEach(async () => { sb = await startWorld(); });
  afterEach(async () => { await sb?.stop(); });

  it('ends with the seed table', async () => {
    const c = client(sb);
    const { events, onEvent } = collect();
    const r = await runRelease(seedInput(), { client: c, onEvent });
    for (const e of events) console.log(JSON.stringify(e).slice(0, 200));
    assert.equal(r.outcome, 'succeeded', r.message);
    assert.deepEqual(strip(table(sb)), SEED_FINAL);
    console.log(r.summary, Object.fromEntries(c.requests));
  });
});
