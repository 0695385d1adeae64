// The audit trail (issue 14 §4): every write of the seed release (with reclaim) and of its rollback is reported
// as one kubectl line with --context and the exact patch, in the order the server took them (the sandbox's write
// log), and each line, run by the real kubectl (a shell, as an operator pastes it) with --dry-run=server at the
// moment of its write, is accepted.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import type { JsonPatchOp, OkgClient } from '../../src/cluster/client.js';
import { auditWrites, kubectlPatch, patchFiles, type AuditedWrite } from '../../src/release/audit.js';
import { runRelease } from '../../src/release/engine.js';
import { runRollback } from '../../src/release/rollback.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { KUBECTL } from '../helpers/kubectl.js';
import { client, GSS, NS, seedInput, startWorld } from './helpers.js';

/** Runs one shell line (as pasted into a terminal) with KUBECTL for `kubectl`. */
function shell(line: string, kubeconfig: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('sh', ['-c', line.replace(/^kubectl /, `${KUBECTL} `)], {
      env: { ...process.env, KUBECONFIG: kubeconfig },
    });
    let stderr = '';
    p.stderr.on('data', d => (stderr += d));
    p.on('error', reject);
    p.on('close', code => resolve({ code: code ?? -1, stderr }));
  });
}

/** `c` whose patches are first run by kubectl as the trail renders them, with --dry-run=server. */
function checkedByKubectl(c: OkgClient, kubeconfig: string, checked: { line: string; code: number; stderr: string }[]) {
  const check =
    (kind: 'gs' | 'gss', patch: OkgClient['patchGameServer']): OkgClient['patchGameServer'] =>
    async (namespace, name, ops, signal) => {
      const line = kubectlPatch(kind, name, namespace, ops, c.kc.getCurrentContext());
      checked.push({ line, ...(await shell(`${line} --dry-run=server`, kubeconfig)) });
      return patch.call(c, namespace, name, ops, signal);
    };
  const gs = check('gs', c.patchGameServer);
  const gss = check('gss', c.patchGameServerSet);
  return new Proxy(c, {
    get: (t, p) =>
      p === 'patchGameServer'
        ? gs
        : p === 'patchGameServerSet'
          ? gss
          : typeof Reflect.get(t, p) === 'function'
            ? (Reflect.get(t, p) as () => unknown).bind(t)
            : Reflect.get(t, p),
  });
}

const LINE = /^kubectl patch (gs|gss) (\S+) -n default --context okg-sandbox --type=json -p '\[.*\]'$/;
const replaces = (w: AuditedWrite, path: RegExp) =>
  w.ops.find((o: JsonPatchOp) => o.op === 'replace' && path.test(o.path));

describe('release: the audit trail as kubectl lines (seed sandbox, real kubectl)', function () {
  this.timeout(120_000);
  let sb: Sandbox;
  let c: OkgClient;
  before(async () => {
    sb = await startWorld();
    c = client(sb);
  });
  after(async () => {
    c?.close();
    await sb?.stop();
  });

  /** The trail of one run, the kubectl checks, and the run's accepted writes from the sandbox's log. */
  async function audited(run: (c: OkgClient) => Promise<{ outcome: string; message: string }>) {
    sb.server.clearWriteLog();
    const trail: { line: string; w: AuditedWrite }[] = [];
    const checked: { line: string; code: number; stderr: string }[] = [];
    const kubeconfig = sb.kubeconfigPath('admin');
    const r = await run(auditWrites(checkedByKubectl(c, kubeconfig, checked), (line, w) => trail.push({ line, w })));
    assert.equal(r.outcome, 'succeeded', r.message);
    const log = sb.server.writeLog().filter(e => e.user !== 'controller');
    const accepted = log.filter(e => !e.dryRun && e.code < 300);
    assert.deepEqual(
      trail.map(t => `${t.w.kind === 'gs' ? 'gameservers' : 'gameserversets'}/${t.w.name}`),
      accepted.map(e => `${e.resource}/${e.name}`),
      'one line per accepted write, in the order the server took them',
    );
    for (const t of trail) assert.match(t.line, LINE);
    assert.deepEqual(
      checked.map(k => k.line),
      trail.map(t => t.line),
      'the lines kubectl ran are the lines printed',
    );
    for (const k of checked) assert.equal(k.code, 0, `kubectl refused: ${k.line.slice(0, 200)}…\n${k.stderr}`);
    assert.equal(log.filter(e => e.dryRun && e.code === 200).length, checked.length, 'each dry run reached the server');
    return trail.map(t => t.w);
  }

  it('the seed release: the lease and record, the image, the scale, each mark, the reclaim', async () => {
    const ws = await audited(cl => runRelease(seedInput({ reclaim: 'scale-down' }), { client: cl }));
    const record = /^\/metadata\/annotations(\/okg-ops~1release)?$/;
    assert.ok(
      ws[0].kind === 'gss' && ws[0].ops.some(o => o.op === 'add' && record.test(o.path)),
      'first the lease: the record added',
    );
    assert.ok(
      ws.every(w => w.ops[0].op === 'test'),
      'every write is conditional',
    );
    const image = ws.findIndex(w => replaces(w, /\/containers\/0\/image$/));
    assert.ok(image > 0, 'the image patch');
    assert.equal(replaces(ws[image], /\/image$/)!.value, seedInput().images[0].image);
    const scales = ws.filter(w => replaces(w, /^\/spec\/replicas$/)).map(w => replaces(w, /replicas/)!.value);
    assert.deepEqual(scales, [6, 4], 'the scale up by 3, then the reclaim of the 2 marked rooms');
    const marks = ws.filter(w => w.kind === 'gs');
    assert.deepEqual(marks.map(w => w.name).sort(), ['minecraft-1', 'minecraft-2'], 'never the Allocated room');
    for (const m of marks)
      assert.deepEqual(
        m.ops.map(o => `${o.op} ${o.path} ${String(o.value)}`).filter(s => s.includes('opsState')),
        ['test /spec/opsState None', 'replace /spec/opsState WaitToBeDeleted'],
      );
    const last = ws[ws.length - 1];
    assert.ok(last.kind === 'gss' && replaces(last, record), 'last the record: finished, lease let go');
  });

  it('its rollback: the record, the image back, the new rooms marked, the replicas', async () => {
    const ws = await audited(cl => runRollback({ namespace: NS, gameServerSet: GSS }, { client: cl }));
    const image = ws.find(w => replaces(w, /\/containers\/0\/image$/));
    assert.ok(image, 'the image patch back');
    assert.ok(ws.filter(w => w.kind === 'gs').length >= 1, 'the idle new rooms marked');
    assert.ok(
      ws.some(w => replaces(w, /^\/spec\/replicas$/)),
      'the replicas',
    );
  });
});

describe('release: an audit line for a patch too long for a shell argument (the record at ~1,000 rooms)', function () {
  this.timeout(60_000);
  let sb: Sandbox;
  before(async () => {
    sb = await startWorld();
  });
  after(async () => {
    await sb?.stop();
  });

  it('reads the patch from a file beside the log, and a shell runs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'okg-audit-test-'));
    // A record-sized annotation: 1,000 retired rooms of ~150 bytes each, larger than Linux's 128 KiB per argument.
    const value = JSON.stringify(
      Array.from({ length: 1000 }, (_, i) => ({
        name: `minecraft-${i}`,
        uid: `uid-${'x'.repeat(100)}-${i}`,
        opsState: 'None',
      })),
    );
    const ops: JsonPatchOp[] = [
      { op: 'test', path: '/metadata/name', value: GSS },
      { op: 'add', path: '/metadata/annotations', value: { 'okg-ops/big': value } },
    ];
    assert.ok(value.length > 128 * 1024, `a patch over 128 KiB (${value.length} bytes)`);
    const line = kubectlPatch('gss', GSS, NS, ops, 'okg-sandbox', patchFiles(dir));
    sb.server.clearWriteLog();
    const r = await shell(`${line} --dry-run=server`, sb.kubeconfigPath('admin')).catch((e: Error) => ({
      code: -1,
      stderr: `the shell could not be started: ${e.message}`,
    }));
    assert.equal(r.code, 0, `kubectl refused: ${line.slice(0, 300)}\n${r.stderr}`);
    assert.equal(
      sb.server.writeLog().filter(e => e.dryRun && e.code === 200).length,
      1,
      'the dry run reached the server',
    );
    assert.ok(line.length < 1024, `a short line: ${line.slice(0, 300)}`);
    const file = /--patch-file (\S+)$/.exec(line)?.[1] ?? '';
    assert.ok(file.startsWith(dir), `the line names a file in the log's folder: ${line}`);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), ops, 'the file holds the exact patch');
  });

  it('keeps a short patch inline', () => {
    const line = kubectlPatch('gs', 'minecraft-1', NS, [{ op: 'replace', path: '/spec/opsState', value: 'None' }]);
    assert.match(line, / -p '\[\{"op":"replace","path":"\/spec\/opsState","value":"None"\}\]'$/);
  });
});
