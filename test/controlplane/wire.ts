// Wire-level assertions shared by both worlds: each `it` runs against the sandbox and against kube-apiserver.
// Where the two differ on purpose, `expected[world]` names both answers, and docs/controlplane.md says why.
import { strict as assert } from 'node:assert';
import { beforeEach, describe, it } from 'mocha';
import { gss, gs, pod } from '../helpers/sandboxHttp.js';
import { eventually } from '../helpers/kubectl.js';
import { http, rawWatch, GSS_PATH, GS_PATH, POD_PATH, type Reply } from './http.js';
import type { World } from './world.js';

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
const msg = (r: Reply) => (r.body as { message: string }).message;
const reason = (r: Reply) => (r.body as { reason: string }).reason;

/** Registers the shared wire suite; `world()` is the started world (set in the caller's `before`). */
export function describeWire(world: () => World): void {
  let admin: ReturnType<typeof http>;

  beforeEach(async () => {
    admin = http(world());
    for (const p of [GSS_PATH, GS_PATH]) await admin('DELETE', p);
    await admin('DELETE', `${POD_PATH}?gracePeriodSeconds=0`);
    await eventually(
      async () => ((await admin('GET', GS_PATH)).body as { items: unknown[] }).items.length === 0,
      10_000,
      'an empty namespace',
    );
    await world().clearWrites?.();
  });

  describe('discovery', () => {
    it('serves /version, /api and /apis with the OKG group', async () => {
      const v = (await admin('GET', '/version')).body as { major: string; minor: string; gitVersion: string };
      assert.equal(v.major, '1');
      assert.deepEqual(((await admin('GET', '/api')).body as { versions: string[] }).versions, ['v1']);
      const groups = ((await admin('GET', '/apis')).body as { groups: { name: string }[] }).groups.map(g => g.name);
      assert.ok(
        groups.includes('game.kruise.io') &&
          groups.includes('apps.kruise.io') &&
          groups.includes('authorization.k8s.io'),
        groups.join(),
      );
    });

    it('lists GameServerSets with short name gss and the scale and status subresources', async () => {
      const list = (await admin('GET', '/apis/game.kruise.io/v1alpha1')).body as {
        resources: { name: string; shortNames?: string[]; kind: string; group?: string }[];
      };
      assert.deepEqual(list.resources.find(r => r.name === 'gameserversets')?.shortNames, ['gss']);
      assert.equal(list.resources.find(r => r.name === 'gameserversets/scale')?.kind, 'Scale');
      assert.equal(list.resources.find(r => r.name === 'gameserversets/scale')?.group, 'autoscaling');
      assert.ok(list.resources.some(r => r.name === 'gameservers/status'));
      assert.ok(!list.resources.some(r => r.name === 'gameservers/scale'));
    });

    it('answers an unknown path with plain-text 404 page not found', async () => {
      const r = await admin('GET', '/apis/nope.example.com/v1/things');
      assert.equal(r.status, 404);
      assert.equal(r.text, '404 page not found\n');
    });
  });

  describe('authentication and authorization', () => {
    it('answers 401 Unauthorized to an unknown token', async () => {
      const r = await http(world(), { token: 'not-a-token' })('GET', GSS_PATH);
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
    });

    it('without a token: the sandbox answers 401, kube-apiserver (anonymous auth on, its default) 403 for system:anonymous', async () => {
      const r = await http(world(), null)('GET', GSS_PATH);
      if (world().name === 'sandbox') {
        assert.equal(r.status, 401);
      } else {
        assert.equal(r.status, 403);
        assert.equal(
          msg(r),
          'gameserversets.game.kruise.io is forbidden: User "system:anonymous" cannot list resource "gameserversets" in API group "game.kruise.io" in the namespace "default"',
        );
      }
    });

    it('forbids the operator to patch a GameServerSet with the RBAC message and writes nothing', async () => {
      await admin('POST', GSS_PATH, gss('minecraft'));
      await world().clearWrites?.();
      const r = await http(world(), 'operator')('PATCH', `${GSS_PATH}/minecraft`, { spec: { replicas: 6 } });
      assert.equal(r.status, 403);
      assert.equal(
        msg(r),
        'gameserversets.game.kruise.io "minecraft" is forbidden: User "okg-operator" cannot patch resource "gameserversets" in API group "game.kruise.io" in the namespace "default"',
      );
      assert.equal(reason(r), 'Forbidden');
      assert.deepEqual((r.body as { details: unknown }).details, {
        name: 'minecraft',
        group: 'game.kruise.io',
        kind: 'gameserversets',
      });
      assert.equal(obj(await admin('GET', `${GSS_PATH}/minecraft`)).spec.replicas, 3);
      if (world().writes)
        assert.deepEqual(
          (await world().writes!()).map(e => `${e.user} ${e.verb} ${e.code}`),
          ['operator patch 403'],
        );
    });

    it('forbids the viewer every write and names the collection for list-level verbs', async () => {
      const r = await http(world(), 'viewer')('POST', GS_PATH, gs('x'));
      assert.equal(r.status, 403);
      assert.equal(
        msg(r),
        'gameservers.game.kruise.io is forbidden: User "okg-viewer" cannot create resource "gameservers" in API group "game.kruise.io" in the namespace "default"',
      );
    });

    it('answers SelfSubjectAccessReview truthfully', async () => {
      const review = async (
        user: 'operator' | 'viewer' | 'admin',
        verb: string,
        resource: string,
        subresource = '',
      ) => {
        const r = await http(world(), user)('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
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
    it('rejects a negative replicas with 422 naming both rules, writing nothing', async () => {
      const r = await admin('POST', GSS_PATH, gss('bad', -1));
      assert.equal(r.status, 422);
      assert.equal(reason(r), 'Invalid');
      assert.equal(
        msg(r),
        'GameServerSet.game.kruise.io "bad" is invalid: [spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0, .spec.replicas: Invalid value: -1: should be a non-negative integer]',
      );
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

    it('rejects a wrongly typed opsState patch with 422', async () => {
      await admin('POST', GS_PATH, gs('typed'));
      const r = await admin('PATCH', `${GS_PATH}/typed`, { spec: { opsState: 7 } });
      assert.equal(r.status, 422);
      assert.equal(
        msg(r),
        'GameServer.game.kruise.io "typed" is invalid: spec.opsState: Invalid value: "integer": spec.opsState in body must be of type string: "integer"',
      );
    });

    it('refuses a custom resource of another kind with 422 naming the kind sent', async () => {
      const r = await admin('POST', GS_PATH, { ...gs('km'), kind: 'Pod' });
      assert.equal(r.status, 422);
      assert.equal(msg(r), 'Pod.game.kruise.io "km" is invalid: kind: Invalid value: "Pod": must be GameServer');
    });

    it('requires a resourceVersion to PUT a custom resource, naming the resource', async () => {
      await admin('POST', GS_PATH, gs('put'));
      const r = await admin('PUT', `${GS_PATH}/put`, gs('put'));
      assert.equal(r.status, 422);
      assert.equal(
        msg(r),
        'gameservers.game.kruise.io "put" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update',
      );
      assert.equal((r.body as { details: { kind: string } }).details.kind, 'gameservers');
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
    it('sets uid, resourceVersion, generation 1 and creationTimestamp; resourceVersions grow', async () => {
      const a = obj(await admin('POST', GSS_PATH, gss('a')));
      const b = obj(await admin('POST', GS_PATH, gs('b')));
      assert.match(a.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.equal(a.metadata.generation, 1);
      assert.ok(Number(b.metadata.resourceVersion) > Number(a.metadata.resourceVersion));
      assert.match(
        (a.metadata as unknown as { creationTimestamp: string }).creationTimestamp,
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
      );
    });

    it('bumps generation on spec changes only; status and labels leave it', async () => {
      await admin('POST', GSS_PATH, gss('g'));
      const labelled = obj(await admin('PATCH', `${GSS_PATH}/g`, { metadata: { labels: { team: 'a' } } }));
      assert.equal(labelled.metadata.generation, 1);
      const status = obj(
        await admin('PATCH', `${GSS_PATH}/g/status`, {
          status: { replicas: 3, currentReplicas: 3, readyReplicas: 0, availableReplicas: 0, updatedReplicas: 0 },
        }),
      );
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
      const st = obj(
        await admin('PATCH', `${GSS_PATH}/s/status`, {
          spec: { replicas: 42 },
          status: { replicas: 3, currentReplicas: 0, readyReplicas: 0, availableReplicas: 0, updatedReplicas: 0 },
        }),
      );
      assert.equal(st.spec.replicas, 3);
    });

    it('does not bump resourceVersion for a write that changes nothing', async () => {
      const created = obj(await admin('POST', GS_PATH, gs('noop')));
      const same = obj(await admin('PATCH', `${GS_PATH}/noop`, { spec: { opsState: 'None' } }));
      assert.equal(same.metadata.resourceVersion, created.metadata.resourceVersion);
    });
  });

  describe('optimistic concurrency and conditional writes', () => {
    it('answers 409 Conflict to a PUT with a stale resourceVersion', async () => {
      const created = obj(await admin('POST', GS_PATH, gs('c')));
      await admin('PATCH', `${GS_PATH}/c`, { spec: { opsState: 'Allocated' } });
      const r = await admin('PUT', `${GS_PATH}/c`, { ...gs('c'), metadata: { ...created.metadata } });
      assert.equal(r.status, 409);
      assert.equal(
        msg(r),
        'Operation cannot be fulfilled on gameservers.game.kruise.io "c": the object has been modified; please apply your changes to the latest version and try again',
      );
      assert.equal(reason(r), 'Conflict');
    });

    it('treats metadata.resourceVersion in a merge patch as a precondition', async () => {
      const created = obj(await admin('POST', GS_PATH, gs('m')));
      await admin('PATCH', `${GS_PATH}/m`, { spec: { opsState: 'Allocated' } });
      const r = await admin('PATCH', `${GS_PATH}/m`, {
        metadata: { resourceVersion: created.metadata.resourceVersion },
        spec: { opsState: 'WaitToBeDeleted' },
      });
      assert.equal(r.status, 409);
      assert.equal(obj(await admin('GET', `${GS_PATH}/m`)).spec.opsState, 'Allocated');
    });

    it('fails a JSON Patch whose test op does not hold with 422 and exactly this body, changing nothing', async () => {
      await admin('POST', GS_PATH, gs('t'));
      await admin('PATCH', `${GS_PATH}/t`, { spec: { opsState: 'Allocated' } });
      const before = obj(await admin('GET', `${GS_PATH}/t`)).metadata.resourceVersion;
      const r = await admin(
        'PATCH',
        `${GS_PATH}/t`,
        [
          { op: 'test', path: '/spec/opsState', value: 'None' },
          { op: 'replace', path: '/spec/opsState', value: 'WaitToBeDeleted' },
        ],
        { 'Content-Type': 'application/json-patch+json' },
      );
      assert.equal(r.status, 422);
      assert.deepEqual(r.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server rejected our request due to an error in our request',
        reason: 'Invalid',
        details: {},
        code: 422,
      });
      const after = obj(await admin('GET', `${GS_PATH}/t`));
      assert.equal(after.spec.opsState, 'Allocated');
      assert.equal(after.metadata.resourceVersion, before);
    });

    it('fails a JSON Patch on a missing path with the same 422', async () => {
      await admin('POST', GS_PATH, gs('t3'));
      const r = await admin('PATCH', `${GS_PATH}/t3`, [{ op: 'replace', path: '/spec/nothing/here', value: 1 }], {
        'Content-Type': 'application/json-patch+json',
      });
      assert.equal(r.status, 422);
      assert.equal(msg(r), 'the server rejected our request due to an error in our request');
    });

    it('applies a JSON Patch whose test op holds', async () => {
      await admin('POST', GS_PATH, gs('t2'));
      const r = await admin(
        'PATCH',
        `${GS_PATH}/t2`,
        [
          { op: 'test', path: '/spec/opsState', value: 'None' },
          { op: 'replace', path: '/spec/opsState', value: 'WaitToBeDeleted' },
        ],
        { 'Content-Type': 'application/json-patch+json' },
      );
      assert.equal(r.status, 200);
      assert.equal(obj(r).spec.opsState, 'WaitToBeDeleted');
    });

    it('refuses strategic merge patch on custom resources with 415', async () => {
      await admin('POST', GS_PATH, gs('smp'));
      const r = await admin(
        'PATCH',
        `${GS_PATH}/smp`,
        { spec: { opsState: 'x' } },
        { 'Content-Type': 'application/strategic-merge-patch+json' },
      );
      assert.equal(r.status, 415);
      assert.match(
        msg(r),
        /^the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json/,
      );
    });

    it('checks delete preconditions', async () => {
      await admin('POST', GS_PATH, gs('pre'));
      const r = await admin('DELETE', `${GS_PATH}/pre`, { preconditions: { resourceVersion: '1' } });
      assert.equal(r.status, 409);
      assert.match(
        msg(r),
        /^Operation cannot be fulfilled on GameServer\.game\.kruise\.io "pre": the ResourceVersion in the precondition \(1\) does not match the ResourceVersion in record \(\d+\)\. The object might have been modified$/,
      );
    });

    it('answers a deleted custom resource with a Success Status', async () => {
      await admin('POST', GS_PATH, gs('del'));
      const r = await admin('DELETE', `${GS_PATH}/del`);
      assert.equal(r.status, 200);
      const b = r.body as {
        kind: string;
        status: string;
        details: { name: string; group: string; kind: string; uid: string };
      };
      assert.equal(b.kind, 'Status');
      assert.equal(b.status, 'Success');
      assert.deepEqual(
        { ...b.details, uid: undefined },
        { name: 'del', group: 'game.kruise.io', kind: 'gameservers', uid: undefined },
      );
    });
  });

  describe('scale subresource', () => {
    it('reads and patches replicas through autoscaling/v1 Scale', async () => {
      await admin('POST', GSS_PATH, gss('sc'));
      await admin('PATCH', `${GSS_PATH}/sc/status`, {
        status: {
          replicas: 3,
          currentReplicas: 3,
          readyReplicas: 3,
          availableReplicas: 3,
          updatedReplicas: 3,
          labelSelector: 'game.kruise.io/owner-gss=sc',
        },
      });
      const s = (await admin('GET', `${GSS_PATH}/sc/scale`)).body as {
        kind: string;
        apiVersion: string;
        spec: { replicas: number };
        status: { replicas: number; selector: string };
      };
      assert.equal(s.kind, 'Scale');
      assert.equal(s.apiVersion, 'autoscaling/v1');
      assert.equal(s.spec.replicas, 3);
      assert.equal(s.status.selector, 'game.kruise.io/owner-gss=sc');
      const p = await admin('PATCH', `${GSS_PATH}/sc/scale`, { spec: { replicas: 6 } });
      assert.equal(p.status, 200);
      const after = obj(await admin('GET', `${GSS_PATH}/sc`));
      assert.equal(after.spec.replicas, 6);
      assert.equal(after.metadata.generation, 2);
    });

    it('rejects a negative scale with 422', async () => {
      await admin('POST', GSS_PATH, gss('neg'));
      const r = await admin('PATCH', `${GSS_PATH}/neg/scale`, { spec: { replicas: -1 } });
      assert.equal(r.status, 422);
      assert.equal(
        msg(r),
        'GameServerSet.game.kruise.io "neg" is invalid: [spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0, .spec.replicas: Invalid value: -1: should be a non-negative integer]',
      );
      assert.equal(obj(await admin('GET', `${GSS_PATH}/neg`)).spec.replicas, 3);
    });
  });

  describe('Advanced StatefulSet (schemaless CRD with a scale subresource)', () => {
    const ASTS = '/apis/apps.kruise.io/v1beta1/namespaces/default/statefulsets';
    it('keeps unknown fields and refuses a negative scale with the scale rule only', async () => {
      await admin('DELETE', `${ASTS}/asts-neg`);
      const created = await admin('POST', ASTS, {
        apiVersion: 'apps.kruise.io/v1beta1',
        kind: 'StatefulSet',
        metadata: { name: 'asts-neg' },
        spec: { replicas: 1, anything: { kept: true } },
      });
      assert.equal(created.status, 201, created.text);
      assert.deepEqual(obj(created).spec.anything, { kept: true });
      const r = await admin('PATCH', `${ASTS}/asts-neg/scale`, { spec: { replicas: -1 } });
      assert.equal(r.status, 422);
      assert.equal(
        msg(r),
        'StatefulSet.apps.kruise.io "asts-neg" is invalid: .spec.replicas: Invalid value: -1: should be a non-negative integer',
      );
      assert.equal((await admin('DELETE', `${ASTS}/asts-neg`)).status, 200);
    });
  });

  describe('list', () => {
    beforeEach(async () => {
      for (let i = 0; i < 7; i++)
        await admin('POST', GS_PATH, gs(`room-${i}`, { 'game.kruise.io/owner-gss': i < 4 ? 'a' : 'b' }));
    });

    it('filters by labelSelector and fieldSelector metadata.name; refuses other fields with 400', async () => {
      const a = (await admin('GET', `${GS_PATH}?labelSelector=${encodeURIComponent('game.kruise.io/owner-gss=a')}`))
        .body as { items: Obj[] };
      assert.deepEqual(
        a.items.map(i => i.metadata.name),
        ['room-0', 'room-1', 'room-2', 'room-3'],
      );
      const one = (await admin('GET', `${GS_PATH}?fieldSelector=metadata.name%3Droom-5`)).body as { items: Obj[] };
      assert.deepEqual(
        one.items.map(i => i.metadata.name),
        ['room-5'],
      );
      const bad = await admin('GET', `${GS_PATH}?fieldSelector=spec.opsState%3DNone`);
      assert.equal(bad.status, 400);
      assert.equal(msg(bad), 'field label not supported: spec.opsState');
    });

    it('treats a negative limit as no limit', async () => {
      const r = await admin('GET', `${GS_PATH}?limit=-1`);
      assert.equal(r.status, 200);
      assert.equal((r.body as { items: unknown[] }).items.length, 7);
    });

    it('pages with limit and continue, counting what remains', async () => {
      const names: string[] = [];
      let cont = '';
      let pages = 0;
      do {
        const r = (await admin('GET', `${GS_PATH}?limit=3${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`))
          .body as { items: Obj[]; metadata: { continue?: string; remainingItemCount?: number } };
        names.push(...r.items.map(i => i.metadata.name));
        if (pages === 0) assert.equal(r.metadata.remainingItemCount, 4);
        cont = r.metadata.continue ?? '';
        pages++;
      } while (cont);
      assert.equal(pages, 3);
      assert.deepEqual(names, ['room-0', 'room-1', 'room-2', 'room-3', 'room-4', 'room-5', 'room-6']);
    });
  });

  describe('dry run', () => {
    it('does not persist dry-run writes, and the write is recorded as a dry run', async () => {
      const r = await admin('POST', `${GS_PATH}?dryRun=All`, gs('dry'));
      assert.equal(r.status, 201);
      assert.equal((await admin('GET', `${GS_PATH}/dry`)).status, 404);
      if (world().writes)
        assert.deepEqual(
          (await world().writes!()).filter(w => w.user === 'admin' && w.verb === 'create').map(w => w.dryRun),
          [true],
        );
    });
  });

  describe('watch', () => {
    it('replays changes after a resourceVersion, then streams new ones', async () => {
      const first = obj(await admin('POST', GS_PATH, gs('w-0')));
      await admin('POST', GS_PATH, gs('w-1'));
      const w = rawWatch(world(), GS_PATH, `resourceVersion=${first.metadata.resourceVersion}`);
      await admin('PATCH', `${GS_PATH}/w-0`, { spec: { opsState: 'Allocated' } });
      await eventually(() => w.events.length >= 2, 5000, 'events');
      w.stop();
      assert.deepEqual(
        w.events.map(e => `${e.type} ${e.object.metadata?.name}`),
        ['ADDED w-1', 'MODIFIED w-0'],
      );
    });

    it('sends synthetic ADDED events for existing objects when no resourceVersion is given', async () => {
      await admin('POST', GS_PATH, gs('s-0'));
      const w = rawWatch(world(), GS_PATH, '');
      await eventually(() => w.events.length >= 1, 5000, 'ADDED');
      w.stop();
      assert.equal(w.events[0].type, 'ADDED');
      assert.equal(w.events[0].object.metadata?.name, 's-0');
    });

    it('answers a too-old resourceVersion with HTTP 200 and one ERROR event carrying 410 Expired', async () => {
      await admin('POST', GS_PATH, gs('o-0'));
      world().compact?.(); // kube: resourceVersion 2 is older than the watch cache's window anyway
      await admin('PATCH', `${GS_PATH}/o-0`, { spec: { opsState: 'x' } });
      const w = rawWatch(world(), GS_PATH, 'resourceVersion=2');
      assert.equal(await w.status, 200);
      await w.done;
      assert.equal(w.events.length, 1);
      assert.equal(w.events[0].type, 'ERROR');
      assert.equal(w.events[0].object.code, 410);
      assert.equal(w.events[0].object.reason, 'Expired');
      assert.match(w.events[0].object.message!, /^too old resource version: 2 \(\d+\)$/);
    });

    it('ends the initial events of sendInitialEvents=true with a k8s.io/initial-events-end bookmark', async () => {
      await admin('POST', GS_PATH, gs('b-0'));
      await admin('POST', GS_PATH, gs('b-1'));
      const w = rawWatch(
        world(),
        GS_PATH,
        'sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true',
      );
      await eventually(() => w.events.some(e => e.type === 'BOOKMARK'), 5000, 'the initial-events-end bookmark');
      w.stop();
      assert.deepEqual(
        w.events.map(e => e.type),
        ['ADDED', 'ADDED', 'BOOKMARK'],
      );
      const b = w.events[2];
      assert.equal(b.object.kind, 'GameServer');
      assert.equal(b.object.metadata?.annotations?.['k8s.io/initial-events-end'], 'true');
      assert.ok(Number(b.object.metadata?.resourceVersion) > 0);
    });

    it('sends a bookmark carrying the resourceVersion of changes the watcher did not see (kube: before the watch timeout)', async function () {
      this.timeout(20_000);
      const created = obj(await admin('POST', GS_PATH, gs('p-0')));
      const w = rawWatch(
        world(),
        GS_PATH,
        `labelSelector=pool%3Dnone&allowWatchBookmarks=true&timeoutSeconds=4&resourceVersion=${created.metadata.resourceVersion}`,
      );
      await new Promise(r => setTimeout(r, 200));
      const changed = obj(await admin('PATCH', `${GS_PATH}/p-0`, { spec: { opsState: 'Allocated' } }));
      await eventually(
        () =>
          w.events.some(
            e =>
              e.type === 'BOOKMARK' &&
              Number(e.object.metadata?.resourceVersion) >= Number(changed.metadata.resourceVersion),
          ),
        8000,
        'a bookmark past the unseen change',
      );
      w.stop();
      assert.ok(
        w.events.every(e => e.type === 'BOOKMARK'),
        JSON.stringify(w.events.map(e => e.type)),
      );
      assert.equal(w.events[0].object.kind, 'GameServer');
    });

    it('ends the synthetic ADDED events of a watch without resourceVersion with an initial-events-end bookmark', async () => {
      await admin('POST', GS_PATH, gs('n-0'));
      const w = rawWatch(world(), GS_PATH, 'allowWatchBookmarks=true&timeoutSeconds=2');
      await w.done;
      const seen = w.events.map(e =>
        `${e.type} ${e.object.metadata?.name ?? ''} ${e.object.metadata?.annotations?.['k8s.io/initial-events-end'] ?? ''}`.trim(),
      );
      assert.deepEqual(seen.slice(0, 2), ['ADDED n-0', 'BOOKMARK  true']);
      // Difference (docs/controlplane.md): kube sends a periodic bookmark only once the resource's resourceVersion
      // moved past what the watcher saw; the sandbox sends one every bookmarkIntervalMs even on a quiet resource.
      const rv = w.events[1].object.metadata?.resourceVersion;
      if (world().name === 'kube-apiserver') assert.equal(seen.length, 2, seen.join());
      else
        assert.ok(
          w.events.slice(2).every(e => e.type === 'BOOKMARK' && e.object.metadata?.resourceVersion === rv),
          seen.join(),
        );
    });

    it('turns label-selector (un)matching into ADDED and DELETED', async () => {
      const created = obj(await admin('POST', GS_PATH, gs('l-0', { pool: 'a' })));
      const w = rawWatch(
        world(),
        GS_PATH,
        `labelSelector=pool%3Db&resourceVersion=${created.metadata.resourceVersion}`,
      );
      await admin('PATCH', `${GS_PATH}/l-0`, { metadata: { labels: { pool: 'b' } } });
      await admin('PATCH', `${GS_PATH}/l-0`, { metadata: { labels: { pool: 'c' } } });
      await eventually(() => w.events.length >= 2, 5000, 'events');
      w.stop();
      assert.deepEqual(
        w.events.map(e => e.type),
        ['ADDED', 'DELETED'],
      );
    });
  });

  describe('table printing', () => {
    it('prints GameServers with the CRD printer columns', async () => {
      await admin('POST', GS_PATH, gs('tbl'));
      await admin('PATCH', `${GS_PATH}/tbl/status`, {
        status: { currentState: 'Ready', deletionPriority: 0, updatePriority: 0 },
      });
      const r = (
        await admin('GET', GS_PATH, undefined, {
          Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
        })
      ).body as {
        kind: string;
        apiVersion: string;
        columnDefinitions: { name: string; type: string }[];
        rows: { cells: unknown[]; object: { kind: string; apiVersion: string } }[];
      };
      assert.equal(r.kind, 'Table');
      assert.equal(r.apiVersion, 'meta.k8s.io/v1');
      assert.deepEqual(
        r.columnDefinitions.map(c => c.name),
        ['Name', 'STATE', 'OPSSTATE', 'DP', 'UP', 'AGE'],
      );
      assert.deepEqual(r.rows[0].cells.slice(0, 5), ['tbl', 'Ready', 'None', '0', '0']);
      assert.match(String(r.rows[0].cells[5]), /^\d+s$/);
      assert.equal(r.rows[0].object.kind, 'PartialObjectMetadata');
      assert.equal(r.rows[0].object.apiVersion, 'meta.k8s.io/v1');
    });
  });

  describe('pods', () => {
    it('deletes an unscheduled pod at once and a pod on a node gracefully', async () => {
      await admin('POST', POD_PATH, pod('loose'));
      const loose = await admin('DELETE', `${POD_PATH}/loose`);
      assert.equal(loose.status, 200);
      assert.equal((await admin('GET', `${POD_PATH}/loose`)).status, 404);
      await admin('POST', POD_PATH, pod('placed', 'okg-node'));
      const placed = obj(await admin('DELETE', `${POD_PATH}/placed`));
      assert.ok(placed.metadata.deletionTimestamp, 'a pod on a node is deleted gracefully');
      assert.equal((await admin('GET', `${POD_PATH}/placed`)).status, 200);
      await admin('DELETE', `${POD_PATH}/placed?gracePeriodSeconds=0`);
      assert.equal((await admin('GET', `${POD_PATH}/placed`)).status, 404);
    });
  });
}
