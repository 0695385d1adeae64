// Sandbox-only behaviour of the API server: garbage collection, the write log, fault injection and expired
// continue tokens. The wire behaviour shared with kube-apiserver (Status bodies, patches, subresources, paging,
// watch, tables) is checked against both worlds by test/controlplane/wire.ts.
import { strict as assert } from 'node:assert';
import { after, before, beforeEach, describe, it } from 'mocha';
import { startSandboxServer, type SandboxServer } from '../../src/sandbox/server.js';
import { http, gs, pod, GSS_PATH, GS_PATH, POD_PATH, type Reply } from '../helpers/sandboxHttp.js';
import { eventually } from '../helpers/kubectl.js';

type Obj = {
  metadata: {
    name: string;
    uid: string;
    resourceVersion: string;
    generation?: number;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
  };
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
};
const obj = (r: Reply) => r.body as Obj;

describe('sandbox API server', () => {
  let server: SandboxServer;
  let admin: ReturnType<typeof http>;

  before(async () => {
    server = await startSandboxServer();
    admin = http(server);
  });
  after(async () => {
    await server.close();
  });
  beforeEach(async () => {
    for (const p of [GSS_PATH, GS_PATH]) await admin('DELETE', p);
    await admin('DELETE', `${POD_PATH}?gracePeriodSeconds=0`);
    server.clearWriteLog();
    server.setFaults(undefined);
  });

  describe('list', () => {
    beforeEach(async () => {
      for (let i = 0; i < 7; i++)
        await admin('POST', GS_PATH, gs(`room-${i}`, { 'game.kruise.io/owner-gss': i < 4 ? 'a' : 'b' }));
    });

    it('expires continue tokens older than the retained history with 410', async () => {
      const r = (await admin('GET', `${GS_PATH}?limit=2`)).body as { metadata: { continue: string } };
      await admin('PATCH', `${GS_PATH}/room-0`, { spec: { opsState: 'x' } });
      server.store.compact();
      const old = await admin('GET', `${GS_PATH}?limit=2&continue=${encodeURIComponent(r.metadata.continue)}`);
      assert.equal(old.status, 410);
      assert.equal((old.body as { reason: string }).reason, 'Expired');
    });
  });

  describe('delete and garbage collection', () => {
    it('deletes a GameServer with its Pod (ownerReference), after the Pod is finally removed', async () => {
      const p = obj(await admin('POST', POD_PATH, pod('minecraft-0', 'sandbox-node')));
      await admin('POST', GS_PATH, gs('minecraft-0', {}, p.metadata.uid));
      const graceful = obj(await admin('DELETE', `${POD_PATH}/minecraft-0`));
      assert.ok(graceful.metadata.deletionTimestamp, 'a pod on a node is deleted gracefully');
      assert.equal(
        (await admin('GET', `${GS_PATH}/minecraft-0`)).status,
        200,
        'the GameServer stays while the pod terminates',
      );
      await admin('DELETE', `${POD_PATH}/minecraft-0?gracePeriodSeconds=0`);
      assert.equal((await admin('GET', `${POD_PATH}/minecraft-0`)).status, 404);
      await eventually(
        async () => (await admin('GET', `${GS_PATH}/minecraft-0`)).status === 404,
        5000,
        'garbage collection',
      );
    });

    it('deletes an unscheduled pod at once and orphans dependents on request', async () => {
      const p = obj(await admin('POST', POD_PATH, pod('minecraft-1')));
      await admin('POST', GS_PATH, gs('minecraft-1', {}, p.metadata.uid));
      await admin('DELETE', `${POD_PATH}/minecraft-1`, { propagationPolicy: 'Orphan' });
      assert.equal((await admin('GET', `${POD_PATH}/minecraft-1`)).status, 404);
      await eventually(
        async () => {
          const g = await admin('GET', `${GS_PATH}/minecraft-1`);
          return (
            g.status === 200 && !(g.body as { metadata: { ownerReferences?: unknown[] } }).metadata.ownerReferences
          );
        },
        5000,
        'orphaning',
      );
    });
  });

  describe('write log', () => {
    it('records every mutating request with user, verb and outcome, and no reads', async () => {
      await admin('POST', GS_PATH, gs('w'));
      await admin('GET', `${GS_PATH}/w`);
      await http(server, 'viewer')('PATCH', `${GS_PATH}/w`, { spec: { opsState: 'x' } });
      await admin('PATCH', `${GS_PATH}/w`, { spec: { opsState: 'Maintaining' } });
      const log = server.writeLog().map(e => `${e.user} ${e.verb} ${e.resource} ${e.name ?? ''} ${e.code}`);
      assert.deepEqual(log, [
        'admin create gameservers  201',
        'viewer patch gameservers w 403',
        'admin patch gameservers w 200',
      ]);
    });

    it('does not persist dry-run writes', async () => {
      const r = await admin('POST', `${GS_PATH}?dryRun=All`, gs('dry'));
      assert.equal(r.status, 201);
      assert.equal((await admin('GET', `${GS_PATH}/dry`)).status, 404);
      assert.equal(server.writeLog()[0].dryRun, true);
    });
  });

  describe('fault injection', () => {
    it('fails requests with 429 and Retry-After when asked, but never the OKG controller', async () => {
      server.setFaults({ errorRate: 1, errorCodes: [429], retryAfterSeconds: 2 });
      const r = await admin('GET', GS_PATH);
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '2');
      assert.equal(r.text, 'Too many requests, please try again later.\n');
      assert.equal((await http(server, 'controller')('GET', GS_PATH)).status, 200);
    });

    it('injects 409 conflicts on writes', async () => {
      await admin('POST', GS_PATH, gs('f'));
      server.setFaults({ conflictRate: 1 });
      const r = await admin('PATCH', `${GS_PATH}/f`, { spec: { opsState: 'Maintaining' } });
      assert.equal(r.status, 409);
      server.setFaults(undefined);
      assert.equal(obj(await admin('GET', `${GS_PATH}/f`)).spec.opsState, 'None');
    });

    it('adds latency', async () => {
      server.setFaults({ latencyMs: 150 });
      const t = Date.now();
      await admin('GET', GS_PATH);
      assert.ok(Date.now() - t >= 140);
    });
  });
});
