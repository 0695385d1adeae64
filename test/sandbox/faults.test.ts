// The sandbox under faults (`okg sandbox --faults …`): faults are for the clients under test. The sandbox's own
// scenario loader and the OKG emulator must never meet them, or the sandbox fails to start (a bare 503) or its
// emulated controllers fall behind.
import { strict as assert } from 'node:assert';
import { describe, it } from 'mocha';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import { startSandboxServer } from '../../src/sandbox/server.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import type { SandboxUser } from '../../src/sandbox/auth.js';
import { gs, http, open, GS_PATH } from '../helpers/sandboxHttp.js';

const gsReady = (items: { status?: { currentState?: string } }[]): number =>
  items.filter(o => o.status?.currentState === 'Ready').length;

describe('the sandbox under faults', function () {
  this.timeout(180_000);

  it('starts every time with error-rate=0.5 (10 starts of the seed scenario)', async () => {
    for (let i = 0; i < 10; i++) {
      const s = await startSandbox({ scenario: 'seed', faults: { errorRate: 0.5 }, readyAfterMs: 20 });
      await s.stop();
    }
  });

  it('still fails the admin requests of a client under test once it has started', async () => {
    // random() = 0 draws a fault for every request that can get one.
    const s = await startSandbox({
      scenario: 'seed',
      faults: { errorRate: 0.5, errorCodes: [503] },
      random: () => 0,
      readyAfterMs: 20,
    });
    try {
      const gss = s.server.resource('gameservers');
      const rooms = s.server.store.list(gss, SEED.namespace) as { status?: { currentState?: string } }[];
      assert.equal(gsReady(rooms), SEED.replicas, 'the seed scenario was loaded in full');
      const r = await http(s.server, 'admin')('GET', GS_PATH);
      assert.equal(r.status, 503, 'the admin of the client under test meets the injected fault');
      assert.equal((await http(s.server, 'controller')('GET', GS_PATH)).status, 200, 'the emulator does not');
    } finally {
      await s.stop();
    }
  });

  it("cuts the watches of clients under test, never the OKG emulator's", async () => {
    const server = await startSandboxServer({ faults: { watchCutSeconds: 0.2 } });
    try {
      // A raw watch as `user`: `opened` once the server answered, `ended` when the stream closes, `text` so far.
      const watch = (user: SandboxUser) => {
        const ctl = new AbortController();
        let text = '';
        let onData = (): void => undefined;
        let markOpened = (): void => undefined;
        const opened = new Promise<void>(r => {
          markOpened = r;
        });
        const ended = (async () => {
          try {
            const res = await open(
              server,
              'GET',
              `${GS_PATH}?watch=true`,
              { Authorization: `Bearer ${server.tokens[user]}` },
              undefined,
              ctl.signal,
            );
            markOpened();
            for await (const chunk of res as AsyncIterable<Buffer>) {
              text += Buffer.from(chunk).toString('utf8');
              onData();
            }
          } catch {
            /* cut or aborted */
          }
          markOpened();
          return 'ended' as const;
        })();
        const saw = (s: string) =>
          new Promise<'saw'>(r => {
            onData = () => {
              if (text.includes(s)) r('saw');
            };
            onData();
          });
        return { opened, ended, saw, abort: () => ctl.abort() };
      };
      // The emulator's watch opens first: a cut of it (same delay) would come before the client's.
      const controller = watch('controller');
      await controller.opened;
      const admin = watch('admin');
      await admin.ended;
      const seen = controller.saw('after-the-cut');
      // Written in process: a request now could pick the pooled socket the cut is destroying.
      server.registry.create(server.resource('gameservers'), 'default', gs('after-the-cut'));
      assert.equal(
        await Promise.race([seen, controller.ended]),
        'saw',
        "the emulator's watch outlived the client's cut and saw the next event",
      );
      controller.abort();
      await controller.ended;
    } finally {
      await server.close();
    }
  });
});
