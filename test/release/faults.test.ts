// A flaky API (5xx, 429, 409 conflicts, latency, watch streams cut every second) must not change the outcome.
import * as assert from 'node:assert/strict';
import { runRelease } from '../../src/release/engine.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { client, gssObject, seedInput, SEED_FINAL, startWorld, strip, table } from './helpers.js';

describe('release engine under API faults', function () {
  this.timeout(90_000);
  let sb: Sandbox | undefined;
  afterEach(async () => {
    await sb?.stop();
    sb = undefined;
  });

  it('5xx, 429, conflicts, latency and watch drops: the release still converges to the same table', async () => {
    sb = await startWorld({ labelSyncLagMs: 300 });
    sb.server.setFaults({
      errorRate: 0.15,
      errorCodes: [500, 503, 429],
      retryAfterSeconds: 0,
      conflictRate: 0.2,
      latencyMs: [0, 25],
      watchCutSeconds: 1,
    });
    const c = client(sb);
    const r = await runRelease(seedInput({ reclaim: 'scale-down' }), { client: c });
    sb.server.setFaults(undefined);
    assert.equal(r.outcome, 'succeeded', r.message);
    assert.deepEqual(strip(table(sb)), [SEED_FINAL[0], ...SEED_FINAL.slice(3)]);
    assert.equal(gssObject(sb).spec.replicas, 4);
    const failed = sb.server.writeLog().filter(w => w.user === 'admin' && w.code >= 400);
    assert.ok(failed.length > 0, 'faults were injected into the release writes');
  });

  it('watch drops alone (every second) during a slow readiness wait', async () => {
    sb = await startWorld({ room: (_ns, n) => (/-[345]$/.test(n) ? { readyAfterMs: 2500 } : undefined) });
    sb.server.setFaults({ watchCutSeconds: 1 });
    const r = await runRelease(seedInput(), { client: client(sb) });
    sb.server.setFaults(undefined);
    assert.equal(r.outcome, 'succeeded', r.message);
    assert.deepEqual(strip(table(sb)), SEED_FINAL);
  });
});
