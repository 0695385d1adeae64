// What the API server does to stay cheap at 10,000 rooms without changing what clients see: a merge patch copies only
// what it changes and never the object it started from; the controller's plain-HTTP door answers nobody else; a
// write's answer and its watch event carry the same bytes.
import { strict as assert } from 'node:assert';
import { request } from 'node:http';
import { after, before, describe, it } from 'mocha';
import { startSandboxServer, type SandboxServer } from '../../src/sandbox/server.js';
import type { KubeObject } from '../../src/sandbox/types.js';
import { gs, http, open, pod, GS_PATH, POD_PATH } from '../helpers/sandboxHttp.js';

/** A GET on the controller's plain-HTTP door with `token` (none: no Authorization header). */
function plainGet(server: SandboxServer, path: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.controllerUrl}${path}`,
      { headers: token ? { Authorization: `Bearer ${token}` } : {} },
      res => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('sandbox API server at scale', () => {
  let server: SandboxServer;
  let admin: ReturnType<typeof http>;
  const stored = (plural: string, name: string): KubeObject =>
    server.store.get(server.resource(plural), 'default', name)!;

  before(async () => {
    server = await startSandboxServer();
    admin = http(server);
  });
  after(async () => {
    await server.close();
  });

  it('a merge patch leaves the stored object it started from as it was, and shares what it did not change', async () => {
    assert.equal((await admin('POST', POD_PATH, pod('p-scale'))).status, 201);
    const before = stored('pods', 'p-scale');
    const text = JSON.stringify(before);
    const patched = await admin('PATCH', `${POD_PATH}/p-scale`, { metadata: { labels: { room: 'busy' } } });
    assert.equal(patched.status, 200);
    const after = stored('pods', 'p-scale');
    assert.equal(after.metadata.labels?.room, 'busy');
    assert.equal(JSON.stringify(before), text, 'the previous version is untouched');
    assert.equal(after.spec, before.spec, 'the spec the patch did not reach is shared, not copied');

    assert.equal((await admin('POST', GS_PATH, gs('g-scale'))).status, 201);
    const gsBefore = stored('gameservers', 'g-scale');
    const gsText = JSON.stringify(gsBefore);
    const r = await admin('PATCH', `${GS_PATH}/g-scale`, { metadata: { labels: { a: 'b' } } });
    assert.equal(r.status, 200);
    assert.equal(stored('gameservers', 'g-scale').metadata.labels?.a, 'b');
    assert.equal(JSON.stringify(gsBefore), gsText, 'a custom resource through defaulting and pruning: untouched too');
  });

  it("the controller's plain-HTTP door answers the controller's token and no other", async () => {
    assert.match(server.controllerUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await plainGet(server, POD_PATH, server.tokens.controller), 200);
    assert.equal(await plainGet(server, POD_PATH, server.tokens.admin), 401);
    assert.equal(await plainGet(server, POD_PATH), 401);
    assert.equal(await plainGet(server, POD_PATH, 'not-a-token'), 401);
  });

  it("a write's answer and its watch event carry the same object bytes", async () => {
    assert.equal((await admin('POST', POD_PATH, pod('p-wire'))).status, 201);
    const rv = stored('pods', 'p-wire').metadata.resourceVersion;
    const stream = await open(server, 'GET', `${POD_PATH}?watch=true&resourceVersion=${rv}`, {
      Authorization: `Bearer ${server.tokens.admin}`,
    });
    const lines: string[] = [];
    let buf = '';
    const got = new Promise<void>(resolve =>
      stream.on('data', (c: Buffer) => {
        buf += c.toString();
        const i = buf.indexOf('\n');
        if (i >= 0) {
          lines.push(buf.slice(0, i));
          resolve();
        }
      }),
    );
    const answer = await open(
      server,
      'PATCH',
      `${POD_PATH}/p-wire`,
      {
        Authorization: `Bearer ${server.tokens.admin}`,
        'Content-Type': 'application/merge-patch+json',
      },
      JSON.stringify({ metadata: { labels: { x: 'y' } } }),
    );
    let answerText = '';
    for await (const c of answer) answerText += (c as Buffer).toString();
    await got;
    stream.destroy();
    assert.equal(lines[0], `{"type":"MODIFIED","object":${answerText}}`);
  });
});
