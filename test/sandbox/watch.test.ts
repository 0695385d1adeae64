// Watch semantics and client-node informers against the sandbox, through injected drops and 410s.
import { strict as assert } from 'node:assert';
import { after, before, beforeEach, describe, it } from 'mocha';
import { KubeConfig, CustomObjectsApi, makeInformer, type KubernetesObject } from '@kubernetes/client-node';
import { startSandboxServer, type SandboxServer } from '../../src/sandbox/server.js';
import { http, gs, open, GS_PATH } from '../helpers/sandboxHttp.js';
import { eventually } from '../helpers/kubectl.js';

interface Event { type: string; object: { kind?: string; code?: number; reason?: string; message?: string; metadata?: { name?: string; resourceVersion?: string } } }

/** Opens a raw watch and collects events until `stop()`. */
function rawWatch(server: SandboxServer, query: string): { events: Event[]; stop: () => void; done: Promise<void> } {
  const events: Event[] = [];
  const ctl = new AbortController();
  const done = (async () => {
    try {
      const res = await open(server, 'GET', `${GS_PATH}?watch=true&${query}`, { Authorization: `Bearer ${server.tokens.admin}` }, undefined, ctl.signal);
      let buf = '';
      for await (const chunk of res as AsyncIterable<Buffer>) {
        buf += Buffer.from(chunk).toString('utf8');
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) { events.push(JSON.parse(buf.slice(0, nl)) as Event); buf = buf.slice(nl + 1); }
      }
    } catch { /* aborted */ }
  })();
  return { events, stop: () => ctl.abort(), done };
}

describe('sandbox watch', () => {
  let server: SandboxServer;
  let admin: ReturnType<typeof http>;
  before(async () => { server = await startSandboxServer({ bookmarkIntervalMs: 100 }); admin = http(server); });
  after(async () => { await server.close(); });
  beforeEach(async () => { await admin('DELETE', GS_PATH); server.setFaults(undefined); });

  it('replays changes after a resourceVersion, then streams new ones', async () => {
    const first = (await admin('POST', GS_PATH, gs('w-0'))).body as Event['object'];
    await admin('POST', GS_PATH, gs('w-1'));
    const w = rawWatch(server, `resourceVersion=${first.metadata!.resourceVersion}`);
    await admin('PATCH', `${GS_PATH}/w-0`, { spec: { opsState: 'Allocated' } });
    await eventually(() => w.events.length >= 2, 5000, 'events');
    w.stop();
    assert.deepEqual(w.events.map(e => `${e.type} ${e.object.metadata?.name}`), ['ADDED w-1', 'MODIFIED w-0']);
  });

  it('sends synthetic ADDED events for existing objects when no resourceVersion is given', async () => {
    await admin('POST', GS_PATH, gs('s-0'));
    const w = rawWatch(server, '');
    await eventually(() => w.events.length >= 1, 5000, 'ADDED');
    w.stop();
    assert.equal(w.events[0].type, 'ADDED');
  });

  it('answers a too-old resourceVersion with an ERROR event carrying 410 Expired', async () => {
    await admin('POST', GS_PATH, gs('o-0'));
    server.store.compact();
    await admin('PATCH', `${GS_PATH}/o-0`, { spec: { opsState: 'x' } });
    const w = rawWatch(server, 'resourceVersion=2');
    await w.done;
    assert.equal(w.events.length, 1);
    assert.equal(w.events[0].type, 'ERROR');
    assert.equal(w.events[0].object.code, 410);
    assert.equal(w.events[0].object.reason, 'Expired');
    assert.match(w.events[0].object.message!, /^too old resource version: 2 \(\d+\)$/);
  });

  it('sends bookmarks when allowed', async () => {
    const w = rawWatch(server, `allowWatchBookmarks=true&resourceVersion=${server.store.currentRv()}`);
    await eventually(() => w.events.some(e => e.type === 'BOOKMARK'), 5000, 'a bookmark');
    w.stop();
    const b = w.events.find(e => e.type === 'BOOKMARK')!;
    assert.equal(b.object.kind, 'GameServer');
    assert.ok(Number(b.object.metadata?.resourceVersion) > 0);
  });

  it('turns label-selector (un)matching into ADDED and DELETED', async () => {
    await admin('POST', GS_PATH, gs('l-0', { pool: 'a' }));
    const w = rawWatch(server, `labelSelector=pool%3Db&resourceVersion=${server.store.currentRv()}`);
    await admin('PATCH', `${GS_PATH}/l-0`, { metadata: { labels: { pool: 'b' } } });
    await admin('PATCH', `${GS_PATH}/l-0`, { metadata: { labels: { pool: 'c' } } });
    await eventually(() => w.events.length >= 2, 5000, 'events');
    w.stop();
    assert.deepEqual(w.events.map(e => e.type), ['ADDED', 'DELETED']);
  });

  it('stops writing to watches once the server closes (no write after end)', async () => {
    const other = await startSandboxServer();
    const otherAdmin = http(other);
    await otherAdmin('POST', GS_PATH, gs('c-0'));
    const w = rawWatch(other, '');
    await eventually(() => w.events.length >= 1, 5000, 'the first event');
    await other.close();
    other.registry.patch(other.resource('gameservers'), 'default', 'c-0', 'application/merge-patch+json', { spec: { opsState: 'Maintaining' } }, '');
    await w.done;
    assert.equal(w.events.length, 1);
  });

  it('keeps a client-node informer consistent through watch cuts and 410s', async function () {
    this.timeout(60_000);
    server.setFaults({ watchCutSeconds: 0.3 });
    const kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfigPath('admin'));
    const api = kc.makeApiClient(CustomObjectsApi);
    const informer = makeInformer<KubernetesObject & { spec?: { opsState?: string } }>(kc, GS_PATH,
      () => api.listNamespacedCustomObject({ group: 'game.kruise.io', version: 'v1alpha1', namespace: 'default', plural: 'gameservers' }) as never);
    informer.on('error', () => { setTimeout(() => { void informer.start().catch(() => undefined); }, 50); });
    await informer.start();
    const opsStates = ['None', 'Allocated', 'WaitToBeDeleted', 'Maintaining'];
    for (let i = 0; i < 20; i++) await admin('POST', GS_PATH, gs(`i-${i}`));
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 20; i += 2) await admin('PATCH', `${GS_PATH}/i-${i}`, { spec: { opsState: opsStates[(round + i) % 4] } });
      if (round === 2) server.store.compact(); // the informer's next resume hits 410 and must re-list
      await admin('DELETE', `${GS_PATH}/i-${19 - round}`);
      await new Promise(r => setTimeout(r, 150));
    }
    const truth = () => {
      const m = new Map<string, string>();
      for (const o of server.store.list(server.resource('gameservers'), 'default')) m.set(o.metadata.name!, `${o.metadata.resourceVersion}`);
      return m;
    };
    await eventually(() => {
      const cached = new Map(informer.list('default').map(o => [o.metadata!.name!, `${o.metadata!.resourceVersion}`]));
      const t = truth();
      return cached.size === t.size && [...t].every(([k, v]) => cached.get(k) === v);
    }, 20_000, 'the informer cache to equal the server');
    await informer.stop();
  });
});
