// The golden tables on the wire: patches that Go's libraries refuse whatever the document (decode errors, panics)
// sent to the sandbox API server, which must answer them as kube-apiserver does — 400 with the library's text,
// or the generic 500 of a handler that panicked. See golden.test.ts for the tables themselves.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'mocha';
import { startSandboxServer, type SandboxServer } from '../../src/sandbox/server.js';
import { http, gs, GS_PATH } from '../helpers/sandboxHttp.js';

interface PatchResult {
  name: string;
  result?: unknown;
  status?: number;
  message?: string;
  panic?: boolean;
}
interface Case {
  name: string;
  doc: unknown;
  patch: unknown;
}

const read = (path: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../test/sandbox/golden/${path}`, import.meta.url), 'utf8'));
const corpus = read('corpus.json') as { jsonPatch: Case[]; mergePatch: Case[] };
const golden = (table: string): Map<string, PatchResult> =>
  new Map((read(`${table}.json`) as { cases: PatchResult[] }).cases.map(c => [c.name, c]));

// Refused by Go before or without looking at the document (the one on the wire is a GameServer).
const docIndependent = (c: Case, want: PatchResult): boolean =>
  want.status === 400 ||
  (want.panic === true && (c.name.includes('root') || JSON.stringify(c.patch).includes('"path":""')));

describe('golden tables on the wire: refused patches', () => {
  let server: SandboxServer;
  let admin: ReturnType<typeof http>;
  before(async () => {
    server = await startSandboxServer();
    admin = http(server);
    assert.equal((await admin('POST', GS_PATH, gs('room'))).status, 201);
  });
  after(async () => {
    await server.close();
  });

  async function check(type: string, table: string, cases: Case[]): Promise<number> {
    const want = golden(table);
    let checked = 0;
    for (const c of cases) {
      const w = want.get(c.name);
      if (!w || w.result !== undefined || !docIndependent(c, w)) continue;
      const r = await admin('PATCH', `${GS_PATH}/room`, JSON.stringify(c.patch), { 'Content-Type': type });
      if (w.panic) {
        assert.deepEqual(
          { status: r.status, text: r.text, type: r.headers.get('content-type') },
          {
            status: 500,
            text: 'This request caused apiserver to panic. Look in the logs for details.\n',
            type: 'text/plain; charset=utf-8',
          },
          c.name,
        );
      } else {
        assert.deepEqual(
          { status: r.status, message: (r.body as { message?: string } | undefined)?.message },
          { status: w.status, message: w.message },
          c.name,
        );
      }
      checked++;
    }
    return checked;
  }

  it('answers JSON Patches Go refuses with 400 and its text, and those it panics on with the generic 500', async () => {
    const n = await check('application/json-patch+json', 'jsonpatch', corpus.jsonPatch);
    assert.ok(n >= 10, `checked ${n} cases`);
  });

  it('answers merge patches Go refuses with 400 and its text', async () => {
    const n = await check('application/merge-patch+json', 'mergepatch', corpus.mergePatch);
    assert.ok(n >= 5, `checked ${n} cases`);
  });
});
