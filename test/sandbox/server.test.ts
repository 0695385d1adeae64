// Wire-level behaviour of the sandbox API server, compared with what kube-apiserver answers.
import { strict as assert } from 'node:assert';
import { after, before, beforeEach, describe, it } from 'mocha';
import { startSandboxServer, type SandboxServer } from '../../src/sandbox/server.js';
import { http, gss, gs, pod, GSS_PATH, GS_PATH, POD_PATH, type Reply } from '../helpers/sandboxHttp.js';
import { eventually } from '../helpers/kubectl.js';

type Obj = { metadata: { name: string; uid: string; resourceVersion: string; generation?: number; deletionTimestamp?: string; labels?: Record<string, string> }; spec: Record<string, unknown>; status?: Record<string, unknown> };
const obj = (r: Reply) => r.body as Obj;
const msg = (r: Reply) => (r.body as { message: string }).message;

describe('sandbox API server', () => {
  let server: SandboxServer;
  let admin: ReturnType<typeof http>;

  before(async () => { server = await startSandboxServer(); admin = http(server); });
  after(async () => { await server.close(); });
  beforeEach(async () => {
    for (const p of [GSS_PATH, GS_PATH]) await admin('DELETE', p);
    await admin('DELETE', `${POD_PATH}?gracePeriodSeconds=0`);
    server.clearWriteLog();
    server.setFaults(undefined);
  });

  describe('discovery', () => {
    it('serves /version, /api and /apis with the OKG group', async () => {
      assert.equal(((await admin('GET', '/version')).body as { major: string }).major, '1');
      assert.deepEqual(((await admin('GET', '/api')).body as { versions: string[] }).versions, ['v1']);
      const groups = ((await admin('GET', '/apis')).body as { groups: { name: string }[] }).groups.map(g => g.name);
      assert.ok(groups.includes('game.kruise.io') && groups.includes('apps.kruise.io') && groups.includes('authorization.k8s.io'));
    });

    it('lists GameServerSets with short name gss and the scale and status subresources', async () => {
      const list = (await admin('GET', '/apis/game.kruise.io/v1alpha1')).body as { resources: { name: string; shortNames?: string[]; kind: string; group?: string }[] };
      const gssEntry = list.resources.find(r => r.name === 'gameserversets');
      assert.deepEqual(gssEntry?.shortNames, ['gss']);
      assert.equal(list.resources.find(r => r.name === 'gameserversets/scale')?.kind, 'Scale');
      assert.equal(list.resources.find(r => r.name === 'gameserversets/scale')?.group, 'autoscaling');
      assert.ok(list.resources.some(r => r.name === 'gameservers/status'));
      assert.ok(!list.resources.some(r => r.name === 'gameservers/scale'));
    });
  });

  describe('authentication and authorization', () => {
    it('answers 401 Unauthorized without a valid token', async () => {
      const r = await http(server, null)('GET', GSS_PATH);
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    });

    it('forbids the operator to patch a GameServerSet with an RBAC-style message and writes nothing', async () => {
      await admin('POST', GSS_PATH, gss('minecraft'));
      server.clearWriteLog();
      const r = await http(server, 'operator')('PATCH', `${GSS_PATH}/minecraft`, { spec: { replicas: 6 } });
      assert.equal(r.status, 403);
      assert.equal(msg(r), 'gameserversets.game.kruise.io "minecraft" is forbidden: User "okg-operator" cannot patch resource "gameserversets" in API group "game.kruise.io" in the namespace "default"');
      assert.equal((r.body as { reason: string }).reason, 'Forbidden');
      assert.equal(obj(await admin('GET', `${GSS_PATH}/minecraft`)).spec.replicas, 3);
      assert.deepEqual(server.writeLog().map(e => e.code), [403]);
    });

    it('forbids the viewer every write and names the collection for list-level verbs', async () => {
      const r = await http(server, 'viewer')('POST', GS_PATH, gs('x'));
      assert.equal(r.status, 403);
      assert.equal(msg(r), 'gameservers.game.kruise.io is forbidden: User "okg-viewer" cannot create resource "gameservers" in API group "game.kruise.io" in the namespace "default"');
    });

    it('answers SelfSubjectAccessReview truthfully, matching what a real write would get', async () => {
      const review = async (user: 'operator' | 'viewer' | 'admin', verb: string, resource: string, subresource = '') => {
        const r = await http(server, user)('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
          apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { namespace: 'default', verb, group: 'game.kruise.io', resource, subresource } },
        });
        assert.equal(r.status, 201);
        return (r.body as { status: { allowed: boolean } }).status.allowed;
      };
      assert.equal(await review('operator', 'patch', 'gameserversets'), false);
      assert.equal(await review('operator', 'patch', 'gameserversets', 'scale'), false);
      assert.equal(await review('operator', 'patch', 'gameservers'), true);
      assert.equal(await review('viewer', 'patch', 'gameservers'), false);
      assert.equal(await review('viewer', 'list', 'gameservers'), true);
      assert.equal(await review('admin', 'update', 'gameserversets', 'scale'), true);
    });
  });

  describe('validation from the CRD schema', () => {
    it('rejects a negative replicas with 422 and the field', async () => {
      const r = await admin('POST', GSS_PATH, gss('bad', -1));
      assert.equal(r.status, 422);
      assert.equal((r.body as { reason: string }).reason, 'Invalid');
      assert.equal(msg(r), 'GameServerSet.game.kruise.io "bad" is invalid: [spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0, .spec.replicas: Invalid value: -1: should be a non-negative integer]');
      assert.equal((await admin('GET', `${GSS_PATH}/bad`)).status, 404);
    });

    it('requires replicas', async () => {
      const body = gss('bad') as { spec: Record<string, unknown> };
      delete body.spec.replicas;
      const r = await admin('POST', GSS_PATH, body);
      assert.equal(r.status, 422);
      assert.match(msg(r), /spec\.replicas: Required value/);
    });

    it('rejects an invalid name', async () => {
      const r = await admin('POST', GSS_PATH, gss('Bad_Name'));
      assert.equal(r.status, 422);
      assert.match(msg(r), /metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    });

    it('answers 404 for a missing namespace and 409 AlreadyExists for a duplicate', async () => {
      const body = gss('x') as { metadata: { namespace?: string } };
      delete body.metadata.namespace;
      const r = await admin('POST', '/apis/game.kruise.io/v1alpha1/namespaces/nope/gameserversets', body);
      assert.equal(r.status, 404);
      assert.equal(msg(r), 'namespaces "nope" not found');
      await admin('POST', GSS_PATH, gss('dup'));
      const d = await admin('POST', GSS_PATH, gss('dup'));
      assert.equal(d.status, 409);
      assert.equal(msg(d), 'gameserversets.game.kruise.io "dup" already exists');
    });
  });

  describe('metadata as a cluster sets it', () => {
    it('sets uid, resourceVersion, generation 1 and creationTimestamp; resourceVersions grow globally', async () => {
      const a = obj(await admin('POST', GSS_PATH, gss('a')));
      const b = obj(await admin('POST', GS_PATH, gs('b')));
      assert.match(a.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.equal(a.metadata.generation, 1);
      assert.ok(Number(b.metadata.resourceVersion) > Number(a.metadata.resourceVersion));
      assert.match((a.metadata as unknown as { creationTimestamp: string }).creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    });

    it('bumps generation on spec changes only; status and labels leave it', async () => {
      await admin('POST', GSS_PATH, gss('g'));
      const labelled = obj(await admin('PATCH', `${GSS_PATH}/g`, { metadata: { labels: { team: 'a' } } }));
      assert.equal(labelled.metadata.generation, 1);
      const status = obj(await admin('PATCH', `${GSS_PATH}/g/status`, { status: { replicas: 3, currentReplicas: 3, readyReplicas: 0, availableReplicas: 0, updatedReplicas: 0 } }));
      assert.equal(status.metadata.generation, 1);
      assert.equal(status.status?.currentReplicas, 3);
      const spec = obj(await admin('PATCH', `${GSS_PATH}/g`, { spec: { replicas: 5 } }));
      assert.equal(spec.metadata.generation, 2);
      assert.equal(spec.status?.currentReplicas, 3, 'the main resource keeps the stored status');
    });

    it('ignores status in main-resource writes and spec in status writes', async () => {
      await admin('POST', GSS_PATH, gss('s'));
      const main = obj(await admin('PATCH', `${GSS_PATH}/s`, { status: { replicas: 99 } }));
      assert.equal(main.status, undefined);
      const st = obj(await admin('PATCH', `${GSS_PATH}/s/status`, { spec: { replicas: 42 }, status: { replicas: 3, currentReplicas: 0, readyReplicas: 0, availableReplicas: 0, updatedReplicas: 0 } }));
      assert.equal(st.spec.replicas, 3);
    });

    it('does not bump resourceVersion for a write that changes nothing', async () => {
      const created = obj(await admin('POST', GS_PATH, gs('noop')));
      const same = obj(await admin('PATCH', `${GS_PATH}/noop`, { spec: { opsState: 'None' } }));
      assert.equal(same.metadata.resourceVersion, created.metadata.resourceVersion);
    });
  });

  describe('optimistic concurrency', () => {
    it('answers 409 Conflict to a PUT with a stale resourceVersion', async () => {
      const created = obj(await admin('POST', GS_PATH, gs('c')));
      await admin('PATCH', `${GS_PATH}/c`, { spec: { opsState: 'Allocated' } });
      const r = await admin('PUT', `${GS_PATH}/c`, { ...gs('c'), metadata: { ...created.metadata } });
      assert.equal(r.status, 409);
      assert.equal(msg(r), 'Operation cannot be fulfilled on gameservers.game.kruise.io "c": the object has been modified; please apply your changes to the latest version and try again');
      assert.equal((r.body as { reason: string }).reason, 'Conflict');
    });

    it('treats metadata.resourceVersion in a merge patch as a precondition', async () => {
      const created = obj(await admin('POST', GS_PATH, gs('m')));
      await admin('PATCH', `${GS_PATH}/m`, { spec: { opsState: 'Allocated' } });
      const r = await admin('PATCH', `${GS_PATH}/m`, { metadata: { resourceVersion: created.metadata.resourceVersion }, spec: { opsState: 'WaitToBeDeleted' } });
      assert.equal(r.status, 409);
      assert.equal(obj(await admin('GET', `${GS_PATH}/m`)).spec.opsState, 'Allocated');
    });

    it('fails a JSON Patch whose test op does not hold with 422, changing nothing', async () => {
      await admin('POST', GS_PATH, gs('t'));
      await admin('PATCH', `${GS_PATH}/t`, { spec: { opsState: 'Allocated' } });
      const r = await admin('PATCH', `${GS_PATH}/t`, [
        { op: 'test', path: '/spec/opsState', value: 'None' },
        { op: 'replace', path: '/spec/opsState', value: 'WaitToBeDeleted' },
      ], { 'Content-Type': 'application/json-patch+json' });
      assert.equal(r.status, 422);
      assert.equal((r.body as { reason: string }).reason, 'Invalid');
      assert.equal(msg(r), 'the server rejected our request due to an error in our request');
      assert.deepEqual((r.body as { details: unknown }).details, {});
      assert.equal(obj(await admin('GET', `${GS_PATH}/t`)).spec.opsState, 'Allocated');
    });

    it('applies a JSON Patch whose test op holds', async () => {
      await admin('POST', GS_PATH, gs('t2'));
      const r = await admin('PATCH', `${GS_PATH}/t2`, [
        { op: 'test', path: '/spec/opsState', value: 'None' },
        { op: 'replace', path: '/spec/opsState', value: 'WaitToBeDeleted' },
      ], { 'Content-Type': 'application/json-patch+json' });
      assert.equal(r.status, 200);
      assert.equal(obj(r).spec.opsState, 'WaitToBeDeleted');
    });

    it('refuses strategic merge patch on custom resources with 415', async () => {
      await admin('POST', GS_PATH, gs('smp'));
      const r = await admin('PATCH', `${GS_PATH}/smp`, { spec: { opsState: 'x' } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
      assert.equal(r.status, 415);
      assert.match(msg(r), /^the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json/);
    });
  });

  describe('scale subresource', () => {
    it('reads and patches replicas through autoscaling/v1 Scale', async () => {
      await admin('POST', GSS_PATH, gss('sc'));
      await admin('PATCH', `${GSS_PATH}/sc/status`, { status: { replicas: 3, currentReplicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3, labelSelector: 'game.kruise.io/owner-gss=sc' } });
      const s = (await admin('GET', `${GSS_PATH}/sc/scale`)).body as { kind: string; spec: { replicas: number }; status: { replicas: number; selector: string } };
      assert.equal(s.kind, 'Scale');
      assert.equal(s.spec.replicas, 3);
      assert.equal(s.status.selector, 'game.kruise.io/owner-gss=sc');
      const p = await admin('PATCH', `${GSS_PATH}/sc/scale`, { spec: { replicas: 6 } });
      assert.equal(p.status, 200);
      const after = obj(await admin('GET', `${GSS_PATH}/sc`));
      assert.equal(after.spec.replicas, 6);
      assert.equal(after.metadata.generation, 2);
    });
  });

  describe('list', () => {
    beforeEach(async () => {
      for (let i = 0; i < 7; i++) await admin('POST', GS_PATH, gs(`room-${i}`, { 'game.kruise.io/owner-gss': i < 4 ? 'a' : 'b' }));
    });

    it('filters by labelSelector and fieldSelector metadata.name', async () => {
      const a = (await admin('GET', `${GS_PATH}?labelSelector=${encodeURIComponent('game.kruise.io/owner-gss=a')}`)).body as { items: Obj[] };
      assert.deepEqual(a.items.map(i => i.metadata.name), ['room-0', 'room-1', 'room-2', 'room-3']);
      const one = (await admin('GET', `${GS_PATH}?fieldSelector=metadata.name%3Droom-5`)).body as { items: Obj[] };
      assert.deepEqual(one.items.map(i => i.metadata.name), ['room-5']);
      const bad = await admin('GET', `${GS_PATH}?fieldSelector=spec.opsState%3DNone`);
      assert.equal(bad.status, 400);
    });

    it('pages with limit and continue, counting what remains', async () => {
      const names: string[] = [];
      let cont = '';
      let pages = 0;
      do {
        const r = (await admin('GET', `${GS_PATH}?limit=3${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`)).body as { items: Obj[]; metadata: { continue?: string; remainingItemCount?: number } };
        names.push(...r.items.map(i => i.metadata.name));
        if (pages === 0) assert.equal(r.metadata.remainingItemCount, 4);
        cont = r.metadata.continue ?? '';
        pages++;
      } while (cont);
      assert.equal(pages, 3);
      assert.deepEqual(names, ['room-0', 'room-1', 'room-2', 'room-3', 'room-4', 'room-5', 'room-6']);
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
      assert.equal((await admin('GET', `${GS_PATH}/minecraft-0`)).status, 200, 'the GameServer stays while the pod terminates');
      await admin('DELETE', `${POD_PATH}/minecraft-0?gracePeriodSeconds=0`);
      assert.equal((await admin('GET', `${POD_PATH}/minecraft-0`)).status, 404);
      await eventually(async () => (await admin('GET', `${GS_PATH}/minecraft-0`)).status === 404, 5000, 'garbage collection');
    });

    it('deletes an unscheduled pod at once and orphans dependents on request', async () => {
      const p = obj(await admin('POST', POD_PATH, pod('minecraft-1')));
      await admin('POST', GS_PATH, gs('minecraft-1', {}, p.metadata.uid));
      await admin('DELETE', `${POD_PATH}/minecraft-1`, { propagationPolicy: 'Orphan' });
      assert.equal((await admin('GET', `${POD_PATH}/minecraft-1`)).status, 404);
      await eventually(async () => {
        const g = await admin('GET', `${GS_PATH}/minecraft-1`);
        return g.status === 200 && !(g.body as { metadata: { ownerReferences?: unknown[] } }).metadata.ownerReferences;
      }, 5000, 'orphaning');
    });

    it('checks delete preconditions', async () => {
      await admin('POST', GS_PATH, gs('pre'));
      const r = await admin('DELETE', `${GS_PATH}/pre`, { preconditions: { resourceVersion: '1' } });
      assert.equal(r.status, 409);
      assert.match(msg(r), /^Operation cannot be fulfilled on GameServer\.game\.kruise\.io "pre": the ResourceVersion in the precondition \(1\) does not match the ResourceVersion in record \(\d+\)\. The object might have been modified$/);
    });
  });

  describe('write log', () => {
    it('records every mutating request with user, verb and outcome, and no reads', async () => {
      await admin('POST', GS_PATH, gs('w'));
      await admin('GET', `${GS_PATH}/w`);
      await http(server, 'viewer')('PATCH', `${GS_PATH}/w`, { spec: { opsState: 'x' } });
      await admin('PATCH', `${GS_PATH}/w`, { spec: { opsState: 'Maintaining' } });
      const log = server.writeLog().map(e => `${e.user} ${e.verb} ${e.resource} ${e.name ?? ''} ${e.code}`);
      assert.deepEqual(log, ['admin create gameservers  201', 'viewer patch gameservers w 403', 'admin patch gameservers w 200']);
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

  describe('table printing', () => {
    it('prints GameServers with the CRD printer columns', async () => {
      await admin('POST', GS_PATH, gs('tbl'));
      await admin('PATCH', `${GS_PATH}/tbl/status`, { status: { currentState: 'Ready', deletionPriority: 0, updatePriority: 0 } });
      const r = (await admin('GET', GS_PATH, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' })).body as {
        kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[]; object: { kind: string } }[] };
      assert.equal(r.kind, 'Table');
      assert.deepEqual(r.columnDefinitions.map(c => c.name), ['Name', 'STATE', 'OPSSTATE', 'DP', 'UP', 'AGE']);
      assert.deepEqual(r.rows[0].cells.slice(0, 5), ['tbl', 'Ready', 'None', '0', '0']);
      assert.match(String(r.rows[0].cells[5]), /^\d+s$/);
      assert.equal(r.rows[0].object.kind, 'PartialObjectMetadata');
    });
  });
});
