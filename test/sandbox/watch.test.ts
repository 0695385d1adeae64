// Sandbox-only watch behaviour: closing the server, and client-node informers through injected drops and 410s.
// Watch semantics shared with kube-apiserver (replay, synthetic ADDED, 410 Expired, bookmarks, selector
// transitions) are checked against both worlds by test/controlplane/wire.ts.
import { strict as assert } from 'node:assert';
import { after, before, beforeEach, describe, it } from 'mocha';
import { KubeConfig, CustomObjectsApi, makeInformer, type KubernetesObject } from '@kubernetes/client-node';
import { startSandboxServer, type SandboxServer } from '../../src/sandbox/server.js';
import { parseFaults } from '../../src/sandbox/faults.js';
import { http, gs, open, GS_PATH } from '../helpers/sandboxHttp.js';
import { eventually } from '../helpers/kubectl.js';

interface Event {
  type: string;
  object: {
    kind?: string;
    code?: number;
    reason?: string;
    message?: string;
    metadata?: { name?: string; resourceVersion?: string };
  };
}

/** Opens a raw watch and collects events until `stop()`. */
function rawWatch(server: SandboxServer, query: string): { events: Event[]; stop: () => void; done: Promise<void> } {
  const events: Event[] = [];
  const ctl = new AbortController();
  const done = (async () => {
    try {
      const res = await open(
        server,
        'GET',
        `${GS_PATH}?watch=true&${query}`,
        { Authorization: `Bearer ${server.tokens.admin}` },
        undefined,
        ctl.signal,
      );
      let buf = '';
      for await (const chunk of res as AsyncIterable<Buffer>) {
        buf += Buffer.from(chunk).toString('utf8');
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buf.slice(0, nl)) as Event);
          buf = buf.slice(nl + 1);
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return { events, stop: () => ctl.abort(), done };
}

describe('sandbox watch', () => {
  let server: SandboxServer;
  let admin: ReturnType<typeof http>;
  before(async () => {
    server = await startSandboxServer({ bookmarkIntervalMs: 100 });
    admin = http(server);
  });
  after(async () => {
    await server.close();
  });
  beforeEach(async () => {
    await admin('DELETE', GS_PATH);
    server.setFaults(undefined);
  });

  it('stops writing to watches once the server closes (no write after end)', async () => {
    const other = await startSandboxServer();
    const otherAdmin = http(other);
    await otherAdmin('POST', GS_PATH, gs('c-0'));
    const w = rawWatch(other, '');
    await eventually(() => w.events.length >= 1, 5000, 'the first event');
    await other.close();
    other.registry.patch(
      other.resource('gameservers'),
      'default',
      'c-0',
      'application/merge-patch+json',
      { spec: { opsState: 'Maintaining' } },
      '',
    );
    await w.done;
    assert.equal(w.events.length, 1);
  });

  it('watch-delay: a write is answered before its watch event arrives, and events keep their order', async () => {
    assert.deepEqual(parseFaults('watch-delay=300'), { watchDelayMs: 300 });
    await admin('POST', GS_PATH, gs('d-0'));
    server.setFaults({ watchDelayMs: 300 });
    const w = rawWatch(server, `resourceVersion=${server.store.currentRv()}`);
    await new Promise(r => setTimeout(r, 50)); // the watch is open
    for (const o of ['Allocated', 'WaitToBeDeleted', 'Kill'])
      await admin('PATCH', `${GS_PATH}/d-0`, { spec: { opsState: o } });
    assert.equal(w.events.length, 0, 'the answers came first');
    await eventually(() => w.events.length === 3, 5000, 'the delayed events');
    w.stop();
    assert.deepEqual(
      w.events.map(e => (e.object as { spec?: { opsState?: string } }).spec?.opsState),
      ['Allocated', 'WaitToBeDeleted', 'Kill'],
    );
  });

  it('keeps a client-node informer consistent through watch cuts and 410s', async function () {
    this.timeout(60_000);
    server.setFaults({ watchCutSeconds: 0.3 });
    const kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfigPath('admin'));
    const api = kc.makeApiClient(CustomObjectsApi);
    const informer = makeInformer<KubernetesObject & { spec?: { opsState?: string } }>(
      kc,
      GS_PATH,
      () =>
        api.listNamespacedCustomObject({
          group: 'game.kruise.io',
          version: 'v1alpha1',
          namespace: 'default',
          plural: 'gameservers',
        }) as never,
    );
    informer.on('error', () => {
      setTimeout(() => {
        void informer.start().catch(() => undefined);
      }, 50);
    });
    await informer.start();
    const opsStates = ['None', 'Allocated', 'WaitToBeDeleted', 'Maintaining'];
    for (let i = 0; i < 20; i++) await admin('POST', GS_PATH, gs(`i-${i}`));
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 20; i += 2)
        await admin('PATCH', `${GS_PATH}/i-${i}`, { spec: { opsState: opsStates[(round + i) % 4] } });
      if (round === 2) server.store.compact(); // the informer's next resume hits 410 and must re-list
      await admin('DELETE', `${GS_PATH}/i-${19 - round}`);
      await new Promise(r => setTimeout(r, 150));
    }
    const truth = () => {
      const m = new Map<string, string>();
      for (const o of server.store.list(server.resource('gameservers'), 'default'))
        m.set(o.metadata.name!, `${o.metadata.resourceVersion}`);
      return m;
    };
    await eventually(
      () => {
        const cached = new Map(
          informer.list('default').map(o => [o.metadata!.name!, `${o.metadata!.resourceVersion}`]),
        );
        const t = truth();
        return cached.size === t.size && [...t].every(([k, v]) => cached.get(k) === v);
      },
      20_000,
      'the informer cache to equal the server',
    );
    await informer.stop();
  });
});
