// The release wizard's webview in real Chromium (playwright-core, Debian's /usr/bin/chromium): the page the host
// serves (same HTML and CSP, dist/webview.js, media/wizard.css) with a fake acquireVsCodeApi that records what the
// page posts and keeps its state across reloads. Host messages are real: a plan from previewRelease and an event
// stream recorded from runRelease, both against the sandbox's seed scenario.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { OkgClient } from '../../src/cluster/client.js';
import { previewRelease, runRelease } from '../../src/release/engine.js';
import type { ReleaseEvent, ReleasePlan, ReleaseResult } from '../../src/release/types.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import { PROTOCOL_VERSION, type HostMessage, type Target, type WebviewMessage } from '../../src/webview/protocol.js';
import { makeNonce, wizardHtml } from '../../src/wizard/html.js';

const CHROMIUM = process.env.OKG_CHROMIUM ?? '/usr/bin/chromium';
const ROOT = new URL('../../../', import.meta.url);
const NEW = SEED.newImage;
const OLD = SEED.image;

const SCOPE = 'sc2FuZGJveABkZWZhdWx0';
const TARGET: Target = {
  scope: SCOPE, scopeLabel: 'sandbox / default', namespace: SEED.namespace, name: SEED.gameServerSet, replicas: 3, readyReplicas: 3, rooms: 3,
  images: [{ container: SEED.container, image: OLD }], onDeleteInForce: true,
};
const OTHER: Target = { ...TARGET, name: 'lobby', images: [{ container: 'lobby', image: 'nginx:1.27' }, { container: 'sidecar', image: 'busybox:1.36' }], onDeleteInForce: false };

/** The seed release: a real plan and a real event stream (the sandbox is started once for the file). */
async function realRelease(): Promise<{ plan: ReleasePlan; events: ReleaseEvent[]; result: ReleaseResult }> {
  const sb = await startSandbox({ scenario: 'seed', readyAfterMs: 50, terminatingMs: 30 });
  const client = new OkgClient(sb.kubeConfig('admin'), { backoffMs: 20, attempts: 8 });
  try {
    const input = { namespace: SEED.namespace, gameServerSet: SEED.gameServerSet, images: [{ container: SEED.container, image: NEW }], add: 3, timeoutMs: 20_000 };
    const preview = await previewRelease(input, { client });
    assert.equal(preview.outcome, 'succeeded', preview.message);
    const events: ReleaseEvent[] = [];
    const result = await runRelease(input, { client, onEvent: e => { events.push(structuredClone(e)); } });
    assert.equal(result.outcome, 'succeeded', result.message);
    return { plan: preview.plan!, events, result };
  } finally {
    client.close();
    await sb.stop();
  }
}

function serve(): Promise<{ server: Server; origin: string }> {
  return new Promise(resolve => {
    const server = createServer((req, res) => {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(wizardHtml({ cspSource: origin, nonce: makeNonce(), scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/media/wizard.css` }));
        return;
      }
      const files: Record<string, string> = { '/dist/webview.js': 'text/javascript', '/media/wizard.css': 'text/css' };
      if (!files[path]) { res.writeHead(404); res.end(); return; }
      res.writeHead(200, { 'content-type': files[path] });
      res.end(readFileSync(new URL(`.${path}`, ROOT)));
    });
    server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

// Runs in the page before its scripts: the VS Code webview API as the page sees it.
function fakeVsCodeApi(): void {
  const w = window as unknown as { __posted: unknown[]; __violations: string[]; acquireVsCodeApi(): unknown };
  w.__posted = [];
  w.__violations = [];
  document.addEventListener('securitypolicyviolation', e => { w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`); });
  // Registered before the page's own listener: the test's sentinels stop here and never reach the page.
  const syncs = new Map<string, () => void>();
  (window as unknown as { __syncs: typeof syncs }).__syncs = syncs;
  window.addEventListener('message', e => {
    const token = (e.data as { __sync?: string } | null)?.__sync;
    if (typeof token !== 'string') return;
    e.stopImmediatePropagation();
    syncs.get(token)?.();
    syncs.delete(token);
  });
  w.acquireVsCodeApi = () => ({
    postMessage: (m: unknown) => { w.__posted.push(JSON.parse(JSON.stringify(m))); },
    getState: () => { const s = sessionStorage.getItem('okg-state'); return s ? JSON.parse(s) : undefined; },
    setState: (s: unknown) => { sessionStorage.setItem('okg-state', JSON.stringify(s)); },
  });
}

describe('release wizard: the webview in Chromium', function () {
  let browser: Browser;
  let server: Server;
  let origin: string;
  let page: Page;
  let real: Awaited<ReturnType<typeof realRelease>>;
  const pageErrors: string[] = [];

  before(async function () {
    assert.ok(existsSync(CHROMIUM), `Chromium is missing at ${CHROMIUM}: run node scripts/vscode-setup.mjs (npm test does)`);
    if (!existsSync(new URL('dist/webview.js', ROOT))) {
      const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
      assert.equal(r.status, 0, 'node scripts/build.mjs');
    }
    real = await realRelease();
    ({ server, origin } = await serve());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  beforeEach(async () => {
    const context = await browser.newContext();
    page = await context.newPage();
    pageErrors.length = 0;
    page.on('pageerror', e => pageErrors.push(e.message));
    await page.addInitScript(fakeVsCodeApi);
    await page.goto(origin);
  });

  afterEach(async () => {
    const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations).catch(() => []);
    assert.deepEqual(violations, [], 'no CSP violation');
    assert.deepEqual(pageErrors, [], 'no page error');
    await page.context().close();
  });

  const posted = (): Promise<WebviewMessage[]> => page.evaluate(() => (window as unknown as { __posted: WebviewMessage[] }).__posted);
  /** Posts a host message and resolves once the page has handled it (a sentinel queued after it has arrived). */
  const send = (m: unknown): Promise<void> => page.evaluate(msg => new Promise<void>(resolve => {
    const w = window as unknown as { __syncs: Map<string, () => void> };
    const token = `sync-${Math.random()}`;
    w.__syncs.set(token, resolve);
    window.postMessage(msg, '*');
    window.postMessage({ __sync: token }, '*');
  }), m);
  async function waitPosted<T extends WebviewMessage['type']>(type: T, nth = 0): Promise<Extract<WebviewMessage, { type: T }>> {
    for (let i = 0; i < 200; i++) {
      const found = (await posted()).filter(m => m.type === type);
      if (found[nth]) return found[nth] as Extract<WebviewMessage, { type: T }>;
      await page.waitForTimeout(20);
    }
    throw new Error(`the page did not post ${type}`);
  }
  const text = (sel: string): Promise<string> => page.locator(sel).innerText();
  const step = (): Promise<string | undefined> => page.evaluate(() => document.body.dataset.step);
  const focused = (): Promise<string> => page.evaluate(() => document.activeElement?.id ?? '');
  async function init(extra: Partial<Extract<HostMessage, { type: 'init' }>> = {}): Promise<void> {
    await waitPosted('ready');
    await send({ type: 'init', version: PROTOCOL_VERSION, targets: [TARGET, OTHER], select: { scope: SCOPE, name: SEED.gameServerSet }, ...extra } satisfies HostMessage);
    await page.locator('#gss').waitFor();
  }
  /** A request the form made (not a resume). */
  function fromForm<M extends WebviewMessage>(m: M): Extract<M, { input: unknown }> {
    assert.ok('input' in m, `not a form request: ${JSON.stringify(m)}`);
    return m as Extract<M, { input: unknown }>;
  }
  /** Mouse-free path to the preview (clicks on buttons; typing in fields). */
  async function toPreview(image = NEW): Promise<Extract<WebviewMessage, { type: 'preview'; input: unknown }>> {
    await page.click('#next');
    await page.fill('#image-0', image);
    await page.click('#next');
    await page.click('#next');
    return fromForm(await waitPosted('preview'));
  }
  const previewResult = (seq: number): HostMessage => ({ type: 'preview-result', seq, ok: true, message: real.result.message, plan: real.plan });

  it('says ready first and nothing else until the host answers', async () => {
    await waitPosted('ready');
    const all = await posted();
    assert.deepEqual(all, [{ type: 'ready', version: PROTOCOL_VERSION }]);
    assert.equal(await page.locator('h1').innerText(), 'Release New Version');
    // The page's stylesheet loaded from the resource origin (the CSP allows it, theme variables in use).
    assert.ok(await page.evaluate(() => Array.from(document.styleSheets).some(s => s.href?.endsWith('/media/wizard.css'))));
  });

  it('step 1: the GameServerSet from the tree is selected, with its images, replicas and a warning when OnDelete is not in force', async () => {
    await init();
    assert.equal(await page.locator('#gss option:checked').innerText(), 'minecraft (3 rooms)');
    assert.match(await text('#gss-details'), /Replicas\s+3 \(3 ready\)/);
    assert.ok((await text('#gss-details')).includes(`minecraft=${OLD}`));
    assert.equal(await page.locator('#gss optgroup').getAttribute('label'), 'sandbox / default');
    await page.selectOption('#gss', '1');
    assert.match(await text('#gss-details'), /OnDelete is not in force/);
    await page.click('#next');
    assert.equal(await step(), 'images');
    // One field per container, each with its current image.
    assert.equal(await page.locator('label[for=image-0]').innerText(), 'New image for container lobby');
    assert.equal(await page.locator('label[for=image-1]').innerText(), 'New image for container sidecar');
    assert.equal(await text('#image-1-hint'), 'Current: busybox:1.36');
    assert.equal(await page.inputValue('#image-1'), 'busybox:1.36');
  });

  it('step 2: images are validated as you type; unchanged images and bad references keep the wizard on the step', async () => {
    await init();
    await page.click('#next');
    assert.equal(await text('#image-0-hint'), `Current: ${OLD}`);
    assert.equal(await page.inputValue('#image-0'), OLD);
    await page.fill('#image-0', 'registry.example.com/Team/game:1.2');
    assert.match(await text('#image-0-msg'), /not a valid image reference/);
    assert.equal(await page.getAttribute('#image-0', 'aria-invalid'), 'true');
    assert.ok((await page.getAttribute('#image-0', 'aria-describedby'))?.includes('image-0-msg'));
    await page.click('#next');
    assert.equal(await step(), 'images');
    assert.equal(await focused(), 'image-0');
    await page.fill('#image-0', 'game: 1.2');
    assert.match(await text('#image-0-msg'), /contains white space/);
    await page.fill('#image-0', '');
    assert.match(await text('#image-0-msg'), /Enter an image reference/);
    await page.fill('#image-0', OLD);
    assert.equal(await text('#image-0-msg'), '');
    await page.click('#next');
    assert.match(await text('#images-msg'), /Change the image of at least one container/);
    assert.equal(await step(), 'images');
    await page.fill('#image-0', NEW);
    assert.equal(await page.getAttribute('#image-0', 'aria-invalid'), null);
    await page.click('#next');
    assert.equal(await step(), 'rooms');
  });

  it('step 3: new rooms, ready count, timeout and reclaim mode; ready above new rooms is refused inline; the preview request carries the input', async () => {
    await init();
    await page.click('#next');
    await page.fill('#image-0', NEW);
    await page.click('#next');
    assert.equal(await page.inputValue('#add'), '3', 'defaults to the current replicas');
    await page.fill('#ready', '5');
    assert.match(await text('#ready-msg'), /ready count \(5\) is more than the 3 new rooms/);
    await page.fill('#add', '0');
    assert.match(await text('#add-msg'), /whole number from 1 to 1000/);
    await page.fill('#add', '6');
    assert.equal(await text('#ready-msg'), '', 'ready re-checked when new rooms change');
    await page.fill('#timeout', 'soon');
    assert.match(await text('#timeout-msg'), /is not a duration/);
    await page.fill('#timeout', '48h');
    assert.match(await text('#timeout-msg'), /from 1s to 24h/);
    await page.click('#next');
    assert.equal(await step(), 'rooms');
    assert.equal(await focused(), 'timeout');
    assert.equal((await posted()).filter(m => m.type === 'preview').length, 0);
    await page.fill('#timeout', '90s');
    await page.check('#reclaim-scale-down');
    assert.equal(await page.locator('#fix').count(), 0, 'the OnDelete fix is only offered when needed');
    await page.click('#next');
    const req = await waitPosted('preview');
    assert.deepEqual(req, {
      type: 'preview', seq: req.seq, scope: SCOPE,
      input: { namespace: 'default', gameServerSet: 'minecraft', images: [{ container: 'minecraft', image: NEW }], add: 6, ready: 5, timeoutMs: 90_000, reclaim: 'scale-down' },
    });
    assert.equal(await step(), 'preview');
    assert.match(await text('#step'), /Planning the release/);
    // A refused preview shows the engine's sentence.
    await send({ type: 'preview-result', seq: req.seq, ok: false, message: 'GameServerSet minecraft is locked by release rel-1 of ops@host (pid 7) (at step mark)' });
    assert.match(await text('#plan-error'), /is locked by release rel-1/);
  });

  it('step 4: the preview of the seed plan shows every room, the protected one and why, the predicted table and the Argo export', async () => {
    await init();
    const req = await toPreview();
    // An answer to an older request is ignored.
    await send({ ...previewResult(req.seq), seq: req.seq + 7 });
    assert.match(await text('#step'), /Planning/);
    await send(previewResult(req.seq));
    await page.locator('#rooms-table').waitFor();
    const rows = await page.locator('#rooms-table tbody tr').evaluateAll(trs => trs.map(tr => Array.from(tr.children).map(c => (c as HTMLElement).innerText)));
    assert.deepEqual(rows, [
      ['minecraft-0', 'old', 'Ready', 'Allocated', `minecraft=${OLD}`, 'protected', 'Allocated'],
      ['minecraft-1', 'old', 'Ready', 'None', `minecraft=${OLD}`, 'retire', 'idle (None) and not on the new image'],
      ['minecraft-2', 'old', 'Ready', 'None', `minecraft=${OLD}`, 'retire', 'idle (None) and not on the new image'],
      ['minecraft-3', 'new (to create)', '—', 'None', `minecraft=${NEW}`, 'create', ''],
      ['minecraft-4', 'new (to create)', '—', 'None', `minecraft=${NEW}`, 'create', ''],
      ['minecraft-5', 'new (to create)', '—', 'None', `minecraft=${NEW}`, 'create', ''],
    ]);
    const predicted = await page.locator('#predicted-table tbody tr').evaluateAll(trs => trs.map(tr => Array.from(tr.children).map(c => (c as HTMLElement).innerText).join(' ')));
    assert.deepEqual(predicted, [
      `minecraft-0 Ready Allocated minecraft=${OLD}`,
      `minecraft-1 Ready WaitToBeDeleted minecraft=${OLD}`,
      `minecraft-2 Ready WaitToBeDeleted minecraft=${OLD}`,
      `minecraft-3 Ready None minecraft=${NEW}`,
      `minecraft-4 Ready None minecraft=${NEW}`,
      `minecraft-5 Ready None minecraft=${NEW}`,
    ]);
    assert.match(await text('#plan-summary'), /Replicas 3 → 6 \(3 new rooms\); wait for 3 new-version rooms Ready; retire 2 idle old rooms; 1 room protected; reclaim: none/);
    assert.equal(await page.locator('#plan-steps li').count(), 8);
    assert.equal(await page.locator('th[scope=col]').first().innerText(), 'Room');
    await page.click('#export');
    assert.deepEqual(await waitPosted('export-argo'), { type: 'export-argo', seq: req.seq });
    await send({ type: 'notice', level: 'info', message: 'The Argo Workflow is open in an editor (kubectl create -f it).' });
    assert.match(await text('#status'), /Argo Workflow is open/);
    await page.click('#run');
    const run = await waitPosted('run');
    assert.deepEqual(run, { type: 'run', scope: SCOPE, input: req.input });
  });

  it('steps 5 and 6: progress from a real event stream (steps, rooms turning Ready, marks, warnings), then the summary', async () => {
    await init();
    const req = await toPreview();
    await send(previewResult(req.seq));
    await page.click('#run');
    await waitPosted('run');
    await send({ type: 'run-started', scope: SCOPE, input: req.input });
    assert.equal(await step(), 'run');
    assert.equal(await focused(), 'step-title');
    const events = real.events;
    const upTo = (pred: (e: ReleaseEvent) => boolean) => events.findIndex(pred);
    const readyAt = upTo(e => e.type === 'step-done' && e.step === 'wait-ready');
    for (const e of events.slice(0, readyAt)) await send({ type: 'event', event: e });
    const states = () => page.locator('#run-steps li').evaluateAll(lis => lis.map(li => `${li.getAttribute('data-step')} ${li.querySelector('.badge')?.textContent}`));
    assert.deepEqual(await states(), ['lock done', 'patch-image done', 'wait-generation done', 'scale done', 'wait-ready running', 'mark pending', 'reclaim pending', 'unlock pending']);
    assert.equal(await text('#ready-count'), 'New-version rooms Ready: 3 of 3');
    assert.match(await text('#status'), /wait until at least 3 new-version rooms are Ready: 3 of 3 new-version rooms Ready/);
    for (const e of events.slice(readyAt)) await send({ type: 'event', event: e });
    await send({ type: 'event', event: { type: 'warning', message: 'OKG also removed minecraft-9 (they were ranked ahead of the marked rooms)' } });
    assert.deepEqual(await states(), ['lock done', 'patch-image done', 'wait-generation done', 'scale done', 'wait-ready done', 'mark done', 'reclaim skipped', 'unlock done']);
    const marks = await page.locator('#marks-table tbody tr').evaluateAll(trs => trs.map(tr => (tr as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
    assert.deepEqual(marks, ['minecraft-1 None → WaitToBeDeleted changed', 'minecraft-2 None → WaitToBeDeleted changed']);
    assert.match(await text('#run-warnings'), /OKG also removed minecraft-9/);
    await send({ type: 'run-result', result: { outcome: 'succeeded', message: real.result.message, id: real.result.id, summary: real.result.summary } });
    assert.equal(await step(), 'result');
    assert.equal(await text('#outcome'), `The release succeeded (${real.result.id}).`);
    const summary = await text('#summary');
    assert.match(summary, /Rooms retired\s+minecraft-1, minecraft-2/);
    assert.match(summary, /Final replicas\s+6/);
    await page.click('#new');
    assert.equal(await step(), 'target');
    assert.equal((await posted()).at(-1)?.type, 'refresh');
  });

  it('cancel: before a run it closes the wizard; during a run it asks the host to cancel, then shows the cancelled result', async () => {
    await init();
    await page.click('#cancel');
    assert.deepEqual((await posted()).at(-1), { type: 'close' });
    const req = await (async () => { await page.click('#next'); await page.fill('#image-0', NEW); await page.click('#next'); await page.click('#next'); return fromForm(await waitPosted('preview')); })();
    await send(previewResult(req.seq));
    await page.click('#run');
    await send({ type: 'run-started', scope: SCOPE, input: req.input });
    for (const e of real.events.slice(0, 6)) await send({ type: 'event', event: e });
    await page.click('#cancel');
    assert.deepEqual((await posted()).at(-1), { type: 'cancel' });
    assert.equal(await page.locator('#cancel').isDisabled(), true);
    assert.equal(await text('#cancel'), 'Cancelling…');
    await send({ type: 'event', event: { type: 'failed', id: 'rel-x', step: 'wait-ready', outcome: 'cancelled', message: 'cancelled at step wait-ready; the cluster is consistent and a rerun resumes from here' } });
    await send({ type: 'run-result', result: { outcome: 'cancelled', step: 'wait-ready', id: 'rel-x', message: 'cancelled at step wait-ready; the cluster is consistent and a rerun resumes from here' } });
    assert.equal(await text('#outcome'), 'The release was cancelled (rel-x).');
    assert.match(await text('#step'), /Choose this GameServerSet again to resume/);
  });

  it('offers an interrupted release for resume: who made it and what it will do; the resume names the record, never its inputs', async () => {
    const id = 'rel-20260101T000000Z-ab12';
    const input = { namespace: 'default', gameServerSet: 'minecraft', images: [{ container: 'minecraft', image: NEW }], add: 3, timeoutMs: 600_000, retireOpsStates: ['None'], reclaim: 'none' as const, fixUpdateStrategy: false };
    const offer = { id, step: 'mark' as const, state: 'cancelled' as const, holder: 'ops@host (pid 7)', mine: true, startedAt: '2026-01-01T00:00:00.000Z', message: 'cancelled at step mark', input };
    await init({ targets: [{ ...TARGET, interrupted: offer }] });
    assert.match(await text('#resume-offer'), /Release rel-20260101T000000Z-ab12 of ops@host \(pid 7\) was cancelled at step mark: cancelled at step mark/);
    assert.match(await text('#resume-made'), /Made by ops@host \(pid 7\) \(you, on this machine\), started 2026-01-01T00:00:00.000Z/);
    const does = await page.locator('#resume-does li').allInnerTexts();
    assert.deepEqual(does, [`Set the image minecraft=${NEW}.`, 'Add 3 new rooms.', 'Wait until every new room is Ready.', 'Retire idle old rooms whose opsState is None.',
      'Leave the retired rooms for the scaler (no reclaim).', 'Wait at most 10m at each step.']);
    assert.equal(await page.locator('#resume-concerns').count(), 0, 'nothing to check: made here, with the defaults');
    await page.click('#resume');
    const req = await waitPosted('preview');
    assert.deepEqual(req, { type: 'preview', seq: req.seq, scope: SCOPE, resume: { gameServerSet: 'minecraft', id } });
    await send({ ...previewResult(req.seq), plan: { ...real.plan, resumes: id } });
    assert.match(await text('#resumes'), /This resumes release rel-20260101T000000Z-ab12/);
    assert.equal(await text('#run'), 'Resume Release');
    await page.click('#run');
    assert.deepEqual(await waitPosted('run'), { type: 'run', scope: SCOPE, resume: { gameServerSet: 'minecraft', id } });

    // Someone else's record, with inputs the form never produces: the offer says what to check first.
    await page.click('#back');
    assert.equal(await step(), 'target');
    await send({ type: 'targets', targets: [{ ...TARGET, interrupted: { ...offer, mine: false, holder: 'alice@elsewhere (pid 9)',
      input: { ...input, retireOpsStates: ['None', 'Playing'], reclaim: 'kill' as const, fixUpdateStrategy: true } } }] } satisfies HostMessage);
    const concerns = await page.locator('#resume-concerns li').allInnerTexts();
    assert.deepEqual(concerns, [
      'It was made by alice@elsewhere (pid 9), not by you on this machine.',
      'It retires rooms in opsState None, Playing: the wizard only ever retires None.',
      'It sets the retired rooms to Kill: OKG deletes them at once.',
      'It changes the update strategy of the GameServerSet (drops rollingUpdate).',
    ]);
    assert.match(await text('#resume-concerns'), /VS Code asks you to confirm/);
    assert.ok((await page.locator('#resume-does li').allInnerTexts()).includes('Retire idle old rooms whose opsState is None or Playing.'));
  });

  it('is fully usable with the keyboard alone: Tab, typing and Enter from the first step to the run request', async () => {
    await init();
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'gss');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'next');
    await page.keyboard.press('Enter');
    assert.equal(await step(), 'images');
    assert.equal(await focused(), 'step-title', 'focus moves to the new step');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'image-0');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(NEW);
    await page.keyboard.press('Enter');
    assert.equal(await step(), 'rooms');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'add');
    await page.keyboard.press('Tab');
    await page.keyboard.type('2');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'timeout');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'reclaim-none');
    await page.keyboard.press('ArrowDown');
    assert.equal(await focused(), 'reclaim-scale-down');
    assert.equal(await page.isChecked('#reclaim-scale-down'), true);
    await page.keyboard.press('Enter');
    const req = fromForm(await waitPosted('preview'));
    assert.equal(req.input.ready, 2);
    assert.equal(req.input.reclaim, 'scale-down');
    await send(previewResult(req.seq));
    await page.locator('#run').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'run', 'the primary action comes first');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'export');
    await page.keyboard.press('Enter');
    await waitPosted('export-argo');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(), 'run');
    await page.keyboard.press('Enter');
    assert.deepEqual(fromForm(await waitPosted('run')).input, req.input);
    // Every control has an accessible name.
    const unnamed = await page.evaluate(() => Array.from(document.querySelectorAll('input, select, button')).filter(el => {
      const id = el.id;
      return !(el.textContent?.trim() || el.getAttribute('aria-label') || (id && document.querySelector(`label[for="${id}"]`)));
    }).length);
    assert.equal(unnamed, 0);
  });

  it('rejects malformed host messages (ignored and reported by path) and never renders text as HTML', async () => {
    await waitPosted('ready');
    const evil = '<img src=x onerror="window.__pwned=1">';
    const bad: unknown[] = [
      { type: 'init', version: PROTOCOL_VERSION, targets: [{ ...TARGET, name: evil }] },
      { type: 'init', version: PROTOCOL_VERSION, targets: [{ ...TARGET, images: [{ container: 'minecraft', image: `${OLD}" onerror="x` }] }] },
      { type: 'html', html: evil },
      'init',
      null,
      { type: 'event', event: { type: 'room-changed', step: 'mark', room: evil, from: 'None', to: 'WaitToBeDeleted', result: 'changed' } },
      { type: 'preview-result', seq: 0, ok: true, message: 'x', plan: { ...real.plan, rooms: [{ ...real.plan.rooms[0], name: evil }] } },
      { type: 'preview-result', seq: 0, ok: true, message: 'x' },
      { type: 'run-result', result: { outcome: 'pwned', message: evil } },
      { type: 'notice', level: 'info', message: 42 },
    ];
    for (const m of bad) await send(m);
    await page.waitForTimeout(100);
    const rejected = (await posted()).filter((m): m is Extract<WebviewMessage, { type: 'rejected' }> => m.type === 'rejected');
    assert.equal(rejected.length, bad.length);
    assert.match(rejected[0].reason, /^message\.targets\[0\]\.name: not a Kubernetes name$/);
    assert.match(rejected[5].reason, /^message\.event\.room: not a Kubernetes name$/);
    assert.match(rejected[6].reason, /^message\.plan\.rooms\[0\]\.name/);
    for (const r of rejected) assert.ok(!r.reason.includes('<img') && !r.reason.includes('onerror'), r.reason);
    assert.equal(await page.locator('#gss').count(), 0, 'nothing was rendered from the rejected init');
    // Valid messages whose free text looks like markup are shown as text.
    await init();
    await send({ type: 'notice', level: 'error', message: `bad: ${evil}` });
    assert.equal(await text('#alert'), `bad: ${evil}`);
    await send({ type: 'targets', targets: [TARGET], error: evil });
    await page.click('#next');
    await page.click('#cancel').catch(() => undefined);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    // An inline script is refused by the CSP (only the nonce'd bundle runs).
    await page.evaluate(() => { const s = document.createElement('script'); s.textContent = 'window.__pwned = 2'; document.body.append(s); });
    await page.waitForTimeout(100);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations.splice(0));
    assert.ok(violations.some(v => v.startsWith('script-src')), violations.join(', '));
  });

  it('restores its state when the webview is reloaded (hidden and shown again): the step, the typed values, a running release', async () => {
    await init();
    await page.click('#next');
    await page.fill('#image-0', `${NEW}-rc1`);
    await page.click('#next');
    await page.fill('#add', '4');
    await page.fill('#timeout', '5m');
    await page.reload();
    await waitPosted('ready');
    await send({ type: 'init', version: PROTOCOL_VERSION, targets: [TARGET, OTHER] } satisfies HostMessage);
    await page.locator('#add').waitFor();
    assert.equal(await step(), 'rooms');
    assert.equal(await page.inputValue('#add'), '4');
    assert.equal(await page.inputValue('#timeout'), '5m');
    await page.click('#back');
    assert.equal(await page.inputValue('#image-0'), `${NEW}-rc1`);

    // A release running in the host: after a reload, init replays its events.
    const input = { namespace: 'default', gameServerSet: 'minecraft', images: [{ container: 'minecraft', image: NEW }], add: 3 };
    const half = real.events.slice(0, real.events.findIndex(e => e.type === 'step-started' && e.step === 'mark'));
    await page.reload();
    await waitPosted('ready');
    await send({ type: 'init', version: PROTOCOL_VERSION, targets: [TARGET], run: { scope: SCOPE, input, events: half } } satisfies HostMessage);
    await page.locator('#run-steps').waitFor();
    assert.equal(await step(), 'run');
    assert.equal(await text('#ready-count'), 'New-version rooms Ready: 3 of 3');
    // And a host that lost the run (VS Code restarted) sends none: the page says so and starts over.
    await page.reload();
    await waitPosted('ready');
    await send({ type: 'init', version: PROTOCOL_VERSION, targets: [TARGET] } satisfies HostMessage);
    await page.locator('#gss').waitFor();
    assert.match(await text('#alert'), /not running in this window any more/);
  });
});
