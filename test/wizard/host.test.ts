// The release wizard's host side with the `vscode` stub (test/extension/stub, webview panels in webview.ts):
// the ready handshake, the CSP, validation of what the webview sends, previews and releases against a sandbox
// streamed to the panel, cancel, hide/show replay, the serializer, and the Argo export in an untitled editor;
// what the webview may ask for (only what its form offers) and the question before resuming someone else's
// release or one with inputs beyond the wizard's defaults.
import assert from 'node:assert/strict';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { runRelease } from '../../src/release/engine.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import type { NamespaceCache } from '../../src/cluster/cache.js';
import type { OkgClient } from '../../src/cluster/client.js';
import { PROTOCOL_VERSION, type HostMessage, type Interrupted, type Target, type WebviewMessage } from '../../src/webview/protocol.js';
import type { ReleaseEvent } from '../../src/release/types.js';
import type * as StubModule from '../extension/stub/vscode.js';
import type * as RegisterModule from '../../src/wizard/register.js';
import { NS, GSS, NEW, OLD, SEED_FINAL, startWorld, strip, table } from '../release/helpers.js';
import { SEED } from '../../src/sandbox/scenarios.js';

// `vscode` must resolve to the stub before the wizard's modules load: register the hook, then import them.
let stub: typeof StubModule;
let wizard: typeof RegisterModule;
let cacheMod: typeof import('../../src/cluster/cache.js');
let clientMod: typeof import('../../src/cluster/client.js');

type Panel = StubModule.FakePanel;

interface World { sb: Sandbox; client: OkgClient; cache: NamespaceCache; scope: RegisterModule.WizardScope }

async function world(opts: Parameters<typeof startWorld>[0] = {}): Promise<World> {
  const sb = await startWorld(opts);
  const client = new clientMod.OkgClient(sb.kubeConfig('admin'), { backoffMs: 20, attempts: 8 });
  const cache = new cacheMod.NamespaceCache(client, NS).retain();
  await cache.start();
  const scope = { id: wizard.scopeId('sandbox', NS), label: `sandbox / ${NS}`, namespace: NS, client, cache: async () => cache };
  return { sb, client, cache, scope };
}

async function stop(w: World | undefined): Promise<void> {
  await w?.cache.release();
  w?.client.close();
  await w?.sb.stop();
}

function logger() {
  const lines: string[] = [];
  return { lines, info: (m: string) => { lines.push(`[info] ${m}`); }, warn: (m: string) => { lines.push(`[warn] ${m}`); }, error: (m: string) => { lines.push(`[error] ${m}`); } };
}

const posted = (p: Panel) => p.webview.posted as HostMessage[];
const send = (p: Panel, m: WebviewMessage | unknown) => p.webview.send(m);

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 10));
  }
}

function message<T extends HostMessage['type']>(p: Panel, type: T, from = 0): Extract<HostMessage, { type: T }> | undefined {
  return posted(p).slice(from).find((m): m is Extract<HostMessage, { type: T }> => m.type === type);
}

/** The seed's rooms turn Ready at once; new ones take two minutes, so a release waits at wait-ready. */
const slowNewRooms = { room: (_ns: string, name: string) => (/-[3-9]$/.test(name) ? { readyAfterMs: 120_000 } : undefined) };

const seedInput = { namespace: NS, gameServerSet: GSS, images: [{ container: SEED.container, image: NEW }], add: 3, timeoutMs: 20_000, reclaim: 'none' as const };
/** The seed release as the form asks for it. */
const seedRelease = (scope: string, extra: Record<string, unknown> = {}) => ({ scope, input: { ...seedInput, ...extra } });

/** Writes to the cluster by anyone but the emulated OKG controller (which keeps creating pods and turning rooms Ready). */
const ourWrites = (sb: Sandbox): number => sb.server.writeLog().filter(e => e.user !== 'controller').length;

/** An unconditional merge patch, as a matchmaker or `kubectl patch --type=merge` sends. */
function mergePatch(sb: Sandbox, name: string, body: Record<string, unknown>): Promise<unknown> {
  const api = KubernetesObjectApi.makeApiClient(sb.kubeConfig('admin'));
  return api.patch({ apiVersion: 'game.kruise.io/v1alpha1', kind: 'GameServer', metadata: { name, namespace: NS }, ...body } as KubernetesObject,
    undefined, undefined, 'allocator', undefined, PatchStrategy.MergePatch);
}

/** A release of `input` by someone else (alice on another machine), cancelled once it waits for rooms: its record stays for resume. */
async function someoneElsesCancelledRelease(w: World, input: Record<string, unknown>): Promise<string> {
  const ac = new AbortController();
  const r = await runRelease(input as never, {
    client: w.client, cache: w.cache, signal: ac.signal, holder: { user: 'alice', host: 'elsewhere.example' },
    onEvent: e => { if (e.type === 'step-started' && e.step === 'wait-ready') ac.abort(new Error('stopped by the test')); },
  });
  assert.equal(r.outcome, 'cancelled', r.message);
  return r.id!;
}

describe('release wizard: host side (vscode stub)', function () {
  let w: World | undefined;
  let disposables: { dispose(): unknown }[] = [];
  let log: ReturnType<typeof logger>;

  before(async () => {
    await import('../extension/stub/register.js');
    stub = await import('../extension/stub/vscode.js');
    wizard = await import('../../src/wizard/register.js');
    cacheMod = await import('../../src/cluster/cache.js');
    clientMod = await import('../../src/cluster/client.js');
  });

  afterEach(async () => {
    for (const p of stub.webviews.panels) p.dispose();
    for (const d of disposables.splice(0)) d.dispose();
    stub.webviews.reset();
    stub.ui.reset();
    await stop(w);
    w = undefined;
  });

  /** The resume offer on the seed set, once the record has reached the cache (the wizard asks again until it has). */
  async function offered(p: Panel): Promise<Interrupted> {
    for (let i = 0; ; i++) {
      const at = posted(p).length;
      send(p, { type: 'refresh' });
      const t = await until(() => message(p, 'targets', at), 'targets');
      const offer = t.targets.find(x => x.name === GSS)?.interrupted;
      if (offer) return offer;
      if (i > 200) throw new Error('the release record never reached the wizard');
      await new Promise(r => setTimeout(r, 20));
    }
  }

  function register(scopes: () => Promise<RegisterModule.WizardScope[]>): void {
    log = logger();
    const context = stub.extensionContext();
    const w = wizard.createReleaseWizard(context as never, { scopes, log: log as never });
    disposables = [...w.disposables, stub.commands.registerCommand(wizard.RELEASE_COMMAND, w.open)];
  }

  async function openFromTree(): Promise<Panel> {
    // The tree passes its node: { kind: 'gss', conn, namespace, gss }.
    await stub.commands.executeCommand('okg.release', { kind: 'gss', conn: { id: 'sandbox' }, namespace: NS, gss: { name: GSS } });
    assert.equal(stub.webviews.panels.length, 1);
    return stub.webviews.panels[0];
  }

  /** A release whose new rooms take long to turn Ready, started from the tree and waiting at wait-ready. */
  async function runUntilWaitReady(): Promise<{ p: Panel; scope: RegisterModule.WizardScope }> {
    w = await world(slowNewRooms);
    const scope = w.scope;
    register(async () => [scope]);
    const p = await openFromTree();
    send(p, { type: 'ready', version: PROTOCOL_VERSION });
    await until(() => message(p, 'init'), 'init');
    send(p, { type: 'run', ...seedRelease(scope.id) });
    await until(() => posted(p).find(m => m.type === 'event' && m.event.type === 'step-started' && m.event.step === 'wait-ready'), 'wait-ready');
    return { p, scope };
  }

  it('opens a panel with a nonce CSP (default-src none), resources limited to dist and media, and says nothing before ready', async () => {
    w = await world();
    const scope = w.scope;
    register(async () => [scope]);
    const p = await openFromTree();
    assert.equal(p.viewType, 'okg.releaseWizard');
    const opts = p.webview.options as { enableScripts?: boolean; localResourceRoots?: { toString(): string }[] };
    assert.equal(opts.enableScripts, true);
    assert.deepEqual(opts.localResourceRoots?.map(u => u.toString()), ['file:/okg-ops/dist', 'file:/okg-ops/media']);
    const html = p.webview.html;
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1].replace(/&#39;|&quot;/g, "'") ?? '';
    assert.match(csp, /default-src 'none'/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce && nonce.length >= 16, csp);
    assert.ok(html.includes(`<script nonce="${nonce}" src="https://webview.test/okg-ops/dist/webview.js">`), html);
    assert.ok(!/<script(?![^>]*nonce=)/.test(html), 'every script tag carries the nonce');
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    // Requests before the handshake are ignored (and logged); nothing is posted.
    send(p, { type: 'refresh' });
    send(p, { type: 'run', ...seedRelease(scope.id) });
    await new Promise(r => setTimeout(r, 100));
    assert.deepEqual(posted(p), []);
    assert.ok(log.lines.some(l => /came before the webview was ready/.test(l)), log.lines.join('\n'));
    // Reopening the command reveals the same panel.
    await stub.commands.executeCommand('okg.release');
    assert.equal(stub.webviews.panels.length, 1);
    assert.equal(p.revealed, 1);
    assert.deepEqual(posted(p), []);
    // The handshake: init with the sets the explorer shows, the tree's set selected.
    send(p, { type: 'ready', version: PROTOCOL_VERSION });
    const init = await until(() => message(p, 'init'), 'init');
    assert.equal(posted(p)[0].type, 'init');
    assert.deepEqual(init.select, { scope: scope.id, name: GSS });
    assert.deepEqual(init.targets.map((t: Target) => [t.name, t.namespace, t.replicas, t.rooms, t.images, t.onDeleteInForce, t.interrupted]),
      [[GSS, NS, 3, 3, [{ container: SEED.container, image: OLD }], true, undefined]]);
  });

  it('ignores malformed messages from the webview and logs them without their content', async () => {
    w = await world();
    const scope = w.scope;
    register(async () => [scope]);
    const p = await openFromTree();
    send(p, { type: 'ready', version: PROTOCOL_VERSION });
    await until(() => message(p, 'init'), 'init');
    const before = posted(p).length;
    const secret = 'SECRET<img src=x onerror=alert(1)>';
    const bad: unknown[] = [
      null, 42, 'ready', [], { type: secret }, { type: 'preview' },
      { type: 'preview', seq: 1, scope: scope.id, input: { namespace: NS, gameServerSet: secret, images: [{ container: SEED.container, image: NEW }], add: 3 } },
      { type: 'preview', seq: 1, scope: scope.id, input: { namespace: NS, gameServerSet: GSS, images: [{ container: SEED.container, image: `${NEW} ${secret}` }], add: 3 } },
      { type: 'run', scope: scope.id, input: { namespace: NS, gameServerSet: GSS, images: 'nginx', add: 3 } },
      { type: 'run', scope: scope.id, input: { namespace: NS, gameServerSet: GSS, images: [], add: 1.5 } },
      { type: 'export-argo', seq: -1 },
      { type: 'rejected', reason: 7 },
      { type: 'ready', version: '1' },
    ];
    for (const m of bad) send(p, m);
    send(p, { type: 'rejected', reason: `message.targets[0].name: not a Kubernetes name ${secret}` });
    send(p, { type: 'rejected', reason: secret });
    await new Promise(r => setTimeout(r, 200));
    assert.equal(posted(p).length, before, 'nothing answered');
    const warnings = log.lines.filter(l => l.includes('malformed'));
    assert.equal(warnings.length, bad.length + 2, log.lines.join('\n'));
    assert.ok(log.lines.some(l => l.endsWith('malformed message from the host (at message.targets[0].name)')), log.lines.join('\n'));
    for (const l of log.lines) {
      assert.ok(!l.includes('SECRET') && !l.includes('<img'), `log echoes content: ${l}`);
    }
    assert.deepEqual(w.sb.server.writeLog(), [], 'no write reached the cluster');
    // A scope the explorer does not show is refused with a sentence, not run.
    send(p, { type: 'run', ...seedRelease('sunknown') });
    const notice = await until(() => message(p, 'notice', before), 'notice');
    assert.equal(notice.level, 'error');
    assert.match(notice.message, /no longer shown/);
  });

  it('previews, exports the Argo Workflow to an untitled YAML editor, runs the seed release and streams its events', async () => {
    w = await world();
    const scope = w.scope;
    register(async () => [scope]);
    const p = await openFromTree();
    send(p, { type: 'ready', version: PROTOCOL_VERSION });
    await until(() => message(p, 'init'), 'init');
    send(p, { type: 'preview', seq: 1, ...seedRelease(scope.id) });
    const preview = await until(() => message(p, 'preview-result'), 'preview');
    assert.equal(preview.ok, true, preview.message);
    assert.ok(preview.ok);
    assert.deepEqual(preview.plan.rooms.map(r => `${r.name} ${r.action}${r.reason ? ` ${r.reason}` : ''}`),
      ['minecraft-0 protected Allocated', 'minecraft-1 retire', 'minecraft-2 retire', 'minecraft-3 create', 'minecraft-4 create', 'minecraft-5 create']);
    assert.deepEqual(preview.plan.predicted.map(r => ({ name: r.name, state: r.state, opsState: r.opsState, image: r.images[0].image })), SEED_FINAL);

    send(p, { type: 'export-argo', seq: 1 });
    await until(() => stub.ui.shownDocuments[0], 'the Argo document');
    const doc = stub.ui.shownDocuments[0];
    assert.equal(doc.languageId, 'yaml');
    assert.equal(doc.uri.scheme, 'untitled');
    assert.match(doc.getText(), /^apiVersion: argoproj\.io\/v1alpha1\nkind: Workflow\n/);
    assert.ok(doc.getText().includes(NEW));
    // An export for an older preview is refused.
    send(p, { type: 'export-argo', seq: 0 });
    assert.match((await until(() => message(p, 'notice', posted(p).length - 1)?.level === 'error' ? message(p, 'notice', posted(p).length - 1) : undefined, 'refusal')).message, /no current preview/);

    const from = posted(p).length;
    send(p, { type: 'run', ...seedRelease(scope.id) });
    const result = await until(() => message(p, 'run-result', from), 'the release to finish', 30_000);
    assert.equal(result.result.outcome, 'succeeded', result.result.message);
    assert.deepEqual(result.result.summary?.retired, ['minecraft-1', 'minecraft-2']);
    assert.deepEqual(strip(table(w.sb)), SEED_FINAL);
    const after = posted(p).slice(from);
    assert.equal(after[0].type, 'run-started');
    const events = after.filter((m): m is Extract<HostMessage, { type: 'event' }> => m.type === 'event').map(m => m.event);
    assert.deepEqual(events.filter(e => e.type === 'step-started').map(e => e.type === 'step-started' && e.step),
      ['lock', 'patch-image', 'wait-generation', 'scale', 'wait-ready', 'mark', 'reclaim', 'unlock']);
    assert.deepEqual(events.filter(e => e.type === 'room-changed').map(e => e.type === 'room-changed' && `${e.room} ${e.from}→${e.to} ${e.result}`),
      ['minecraft-1 None→WaitToBeDeleted changed', 'minecraft-2 None→WaitToBeDeleted changed']);
    assert.ok(events.some(e => e.type === 'step-progress' && e.step === 'wait-ready' && e.done === 3 && e.of === 3));
    assert.equal(events[events.length - 1].type, 'done');
    assert.equal(after[after.length - 1].type, 'run-result', 'the result comes after every event');
    assert.ok(log.lines.some(l => /\[info\] release wizard: minecraft: succeeded/.test(l)), log.lines.join('\n'));
  });

  it('cancel aborts the running release; a reloaded webview gets the run replayed; reopening offers the resume', async () => {
    // Rooms take long to turn Ready, so the release waits at wait-ready until cancelled.
    const { p, scope } = await runUntilWaitReady();

    // Hidden: the webview is torn down, nothing is posted; shown again and ready: init replays the run.
    p.setVisible(false);
    const hiddenAt = posted(p).length;
    await new Promise(r => setTimeout(r, 100));
    p.setVisible(true);
    assert.equal(posted(p).length, hiddenAt);
    send(p, { type: 'ready', version: PROTOCOL_VERSION });
    const replay = await until(() => message(p, 'init', hiddenAt), 'init after show');
    assert.ok(replay.run && !replay.run.result);
    assert.ok(replay.run.events.some((e: ReleaseEvent) => e.type === 'step-started' && e.step === 'wait-ready'));
    // A second run while one is running is refused.
    send(p, { type: 'run', ...seedRelease(scope.id) });
    assert.match((await until(() => message(p, 'notice', hiddenAt), 'refusal')).message, /already running/);

    send(p, { type: 'cancel' });
    const result = await until(() => message(p, 'run-result'), 'cancelled result');
    assert.equal(result.result.outcome, 'cancelled', result.result.message);
    assert.equal(result.result.step, 'wait-ready');
    const failed = posted(p).find(m => m.type === 'event' && m.event.type === 'failed');
    assert.ok(failed && failed.type === 'event' && failed.event.type === 'failed' && failed.event.outcome === 'cancelled');

    // The webview asks for the sets again: the interrupted release is offered for resume with its inputs.
    const at = posted(p).length;
    const offer = await offered(p);
    assert.equal(offer.state, 'cancelled');
    assert.equal(offer.step, 'wait-ready');
    assert.equal(offer.mine, true, 'made by this user on this machine');
    assert.match(offer.holder, /@/);
    assert.deepEqual(offer.input.images, [{ container: SEED.container, image: NEW }]);
    assert.equal(offer.input.add, 3);
    // The resume names the record; the host previews the record's own inputs.
    send(p, { type: 'preview', seq: 5, scope: scope.id, resume: { gameServerSet: GSS, id: offer.id } });
    const plan = await until(() => message(p, 'preview-result', at), 'resume preview');
    assert.ok(plan.ok, plan.message);
    assert.equal(plan.plan.resumes, result.result.id);
    // Made here with the wizard's defaults: it resumes without a question.
    const runAt = posted(p).length;
    send(p, { type: 'run', scope: scope.id, resume: { gameServerSet: GSS, id: offer.id } });
    const started = await until(() => message(p, 'run-started', runAt), 'the resumed run');
    assert.deepEqual(started.input, offer.input);
    assert.deepEqual(stub.ui.prompts.filter(x => x.kind === 'warning'), []);
    await until(() => posted(p).slice(runAt).find(m => m.type === 'event' && m.event.type === 'step-started' && m.event.step === 'wait-ready'), 'wait-ready again');
    send(p, { type: 'cancel' });
    assert.equal((await until(() => message(p, 'run-result', runAt), 'cancelled again')).result.outcome, 'cancelled');
  });

  it('the webview cannot widen what is retired: retire states (or replicas) from the webview are refused; a room in a custom opsState stays protected', async () => {
    w = await world();
    const { sb, cache, scope } = w;
    await mergePatch(sb, 'minecraft-1', { spec: { opsState: 'Playing' } });
    await until(() => cache.rooms(GSS).find(r => r.name === 'minecraft-1' && r.opsState === 'Playing'), 'the cache to see Playing');
    register(async () => [scope]);
    const p = await openFromTree();
    send(p, { type: 'ready', version: PROTOCOL_VERSION });
    await until(() => message(p, 'init'), 'init');
    const writes = ourWrites(sb);
    // Before the fix these were accepted: the preview retired minecraft-1 (Playing), which the CLI protects.
    send(p, { type: 'preview', seq: 1, ...seedRelease(scope.id, { retireOpsStates: ['None', 'Playing'] }) });
    send(p, { type: 'run', ...seedRelease(scope.id, { retireOpsStates: ['None', 'Playing'] }) });
    send(p, { type: 'run', ...seedRelease(scope.id, { replicas: 9 }) });
    send(p, { type: 'preview', seq: 2, ...seedRelease(scope.id) });
    const answer = await until(() => message(p, 'preview-result'), 'the form\'s preview');
    assert.equal(answer.seq, 2, 'the widened preview got no answer');
    assert.ok(answer.ok, answer.message);
    assert.deepEqual(answer.plan.rooms.filter(r => r.name === 'minecraft-1' || r.name === 'minecraft-2').map(r => `${r.name} ${r.action}${r.reason ? ` ${r.reason}` : ''}`),
      ['minecraft-1 protected custom opsState Playing', 'minecraft-2 retire']);
    assert.equal(message(p, 'run-started'), undefined, 'nothing ran');
    assert.equal(ourWrites(sb), writes, 'nothing was written');
    const refused = log.lines.filter(l => l.includes('malformed message from the webview'));
    assert.deepEqual(refused.map(l => /\((message[^)]*)\)$/.exec(l)?.[1]),
      ['message.input.retireOpsStates: not allowed', 'message.input.retireOpsStates: not allowed', 'message.input.replicas: not allowed']);
  });

  it('asks before resuming a release someone else made with inputs the wizard never produces; on yes it replays the recorded inputs as they are', async () => {
    w = await world(slowNewRooms);
    const cur = w;
    const recorded = { ...seedInput, retireOpsStates: ['None', 'Playing'] };
    const id = await someoneElsesCancelledRelease(cur, recorded);
    register(async () => [cur.scope]);
    const p = await openFromTree();
    send(p, { type: 'ready', version: PROTOCOL_VERSION });
    await until(() => message(p, 'init'), 'init');
    const offer = await offered(p);
    assert.equal(offer.id, id);
    assert.equal(offer.mine, false);
    assert.match(offer.holder, /^alice@elsewhere\.example \(pid \d+\)$/);
    assert.deepEqual(offer.input.retireOpsStates, ['None', 'Playing']);
    const ref = { gameServerSet: GSS, id };

    // An id that is not the recorded one is refused (the webview cannot name inputs of its own).
    let at = posted(p).length;
    send(p, { type: 'run', scope: cur.scope.id, resume: { gameServerSet: GSS, id: 'rel-20200101T000000Z-0000' } });
    assert.match((await until(() => message(p, 'notice', at), 'refusal')).message, /is no longer the unfinished release recorded on minecraft/);

    // Declined: nothing is written.
    const writes = ourWrites(cur.sb);
    stub.ui.answers.push(stub.cancel);
    at = posted(p).length;
    send(p, { type: 'run', scope: cur.scope.id, resume: ref });
    assert.match((await until(() => message(p, 'notice', at), 'not resumed')).message, /was not resumed; nothing was changed/);
    const asked = stub.ui.prompts.filter(x => x.kind === 'warning');
    assert.equal(asked.length, 1);
    assert.equal(asked[0].text, `Resume release ${id} of minecraft with its recorded inputs?`);
    const opts = asked[0].options as { modal?: boolean; detail?: string };
    assert.equal(opts.modal, true);
    assert.match(opts.detail ?? '', /It was made by alice@elsewhere\.example/);
    assert.match(opts.detail ?? '', /It retires rooms in opsState None, Playing/);
    assert.match(opts.detail ?? '', /- Retire idle old rooms whose opsState is None or Playing\./);
    assert.equal(message(p, 'run-started', at), undefined);
    assert.equal(ourWrites(cur.sb), writes, 'nothing was written');

    // Confirmed: the run replays the record's inputs, not anything the webview sent.
    stub.ui.answers.push(stub.button('Resume Release'));
    at = posted(p).length;
    send(p, { type: 'run', scope: cur.scope.id, resume: ref });
    const started = await until(() => message(p, 'run-started', at), 'the resumed run');
    assert.deepEqual(started.input, { ...recorded, fixUpdateStrategy: false });
    await until(() => posted(p).slice(at).find(m => m.type === 'event' && m.event.type === 'step-started' && m.event.step === 'wait-ready'), 'wait-ready');
    send(p, { type: 'cancel' });
    const done = await until(() => message(p, 'run-result', at), 'cancelled');
    assert.equal(done.result.outcome, 'cancelled');
    assert.equal(done.result.id, id, 'the same release, resumed');
  });

  it('a form run equal to someone else\'s recorded release resumes it, so it asks too', async () => {
    w = await world(slowNewRooms);
    const cur = w;
    const id = await someoneElsesCancelledRelease(cur, seedInput);
    register(async () => [cur.scope]);
    const p = await openFromTree();
    send(p, { type: 'ready', version: PROTOCOL_VERSION });
    await until(() => message(p, 'init'), 'init');
    assert.equal((await offered(p)).id, id);
    const writes = ourWrites(cur.sb);
    stub.ui.answers.push(stub.cancel);
    const at = posted(p).length;
    send(p, { type: 'run', ...seedRelease(cur.scope.id) });
    assert.match((await until(() => message(p, 'notice', at), 'not resumed')).message, new RegExp(`Release ${id} was not resumed`));
    const asked = stub.ui.prompts.filter(x => x.kind === 'warning');
    assert.equal(asked.length, 1);
    assert.match((asked[0].options as { detail?: string }).detail ?? '', /It was made by alice@elsewhere\.example/);
    assert.equal(ourWrites(cur.sb), writes, 'nothing was written');
  });

  it('closing the panel leaves the release running in the background and says so; the serializer restores a panel', async () => {
    const { p } = await runUntilWaitReady();
    stub.ui.answers.push(stub.button('Cancel Release'));
    send(p, { type: 'close' });
    assert.equal(p.disposed, true);
    const prompt = await until(() => stub.ui.prompts.find(x => x.kind === 'info'), 'the background notice');
    assert.match(prompt.text ?? '', /release of minecraft continues in the background/);
    assert.deepEqual(prompt.buttons, ['Show', 'Cancel Release']);

    // The serializer (after a window reload) attaches a host to the restored panel: same CSP, same handshake.
    const serializer = stub.webviews.serializers.get('okg.releaseWizard');
    assert.ok(serializer);
    const restored = new stub.FakePanel('okg.releaseWizard', 'Release New Version');
    await serializer.deserializeWebviewPanel(restored, { v: 1, step: 'rooms' });
    assert.match(restored.webview.html, /default-src 'none'/);
    assert.equal((restored.webview.options as { enableScripts?: boolean }).enableScripts, true);
    assert.deepEqual(restored.webview.posted, []);
    send(restored, { type: 'ready', version: PROTOCOL_VERSION });
    const init = await until(() => message(restored, 'init'), 'init of the restored panel');
    // The background run was cancelled from the notice; the restored panel shows its result.
    assert.ok(init.run);
    const done = init.run.result ?? (await until(() => message(restored, 'run-result'), 'result')).result;
    assert.equal(done.outcome, 'cancelled');
    restored.dispose();
  });
});
