// The emulator's work queue: foreground work keeps it busy (settled() waits for it); background work — the endless
// back-offs of failing rooms — runs all the same but never keeps it busy, unless foreground work joins it.
import * as assert from 'node:assert/strict';
import { WorkQueue } from '../../../src/sandbox/okg/queue.js';

const tick = (ms = 5): Promise<void> => new Promise(r => setTimeout(r, ms));

describe('okg emulator work queue', () => {
  it('a background timer and its run do not keep the queue busy; the run still happens', async () => {
    const ran: string[] = [];
    let release: () => void = () => undefined;
    const q = new WorkQueue(async k => {
      ran.push(k);
      await new Promise<void>(r => {
        release = r;
      });
    });
    const mark = q.lastActivity;
    q.addAfter('kubelet|ns/a', 1, true);
    assert.equal(q.idle(), true);
    while (ran.length === 0) await tick();
    assert.equal(q.idle(), true, 'a background run is not foreground work');
    assert.equal(q.lastActivity, mark, 'nor activity');
    release();
    q.stop();
  });

  it('foreground work is waited for; a foreground add to a background timer makes it foreground', async () => {
    const ran: string[] = [];
    const q = new WorkQueue(async k => {
      ran.push(k);
      await tick(1);
    });
    q.addAfter('k', 30, true);
    q.addAfter('k', 60);
    assert.equal(q.idle(), false, 'the earlier (background) timer now stands for foreground work');
    await q.whenIdle();
    assert.deepEqual(ran, ['k']);
    q.add('x');
    assert.equal(q.idle(), false);
    await q.whenIdle();
    assert.deepEqual(ran, ['k', 'x']);
    q.stop();
  });

  it('a key added in the foreground while it runs in the background runs again, in the foreground', async () => {
    const ran: string[] = [];
    let release: () => void = () => undefined;
    const q = new WorkQueue(async k => {
      ran.push(k);
      if (ran.length === 1)
        await new Promise<void>(r => {
          release = r;
        });
    });
    q.add('k', true);
    while (ran.length === 0) await tick();
    q.add('k');
    assert.equal(q.idle(), false);
    const idle = q.whenIdle();
    release();
    await idle;
    assert.deepEqual(ran, ['k', 'k']);
    q.stop();
  });
});
