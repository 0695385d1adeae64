// The release wizard's webview in real Chromium (playwright-core, Debian's /usr/bin/chromium): the page the host
// serves (same HTML and CSP, dist/webview.js, media/wizard.css) with a fake acquireVsCodeApi that records what the
// page posts and keeps its state across reloads. Host messages are real: a plan from previewRelease and an event
// stream recorded from runRelease and what the host's feed (src/wizard/runFeed.ts) made of it, both against the
// sandbox's seed scenario. `wizardPage()` registers the suite's
// hooks (no CSP violation and no page error after each test) and gives the helpers to speak for the host.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { NamespaceCache } from '../../src/cluster/cache.js';
import { OkgClient } from '../../src/cluster/client.js';
import { previewRelease, runRelease } from '../../src/release/engine.js';
import type { ReleaseEvent, ReleasePlan, ReleaseResult } from '../../src/release/types.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import { toFeed, type FeedEvent } from '../../src/webview/feed.js';
import {
  PROTOCOL_VERSION,
  type HostMessage,
  type ProgressMessage,
  type Target,
  type WebviewMessage,
} from '../../src/webview/protocol.js';
import { RunFeed, type FeedSnapshot } from '../../src/wizard/runFeed.js';
import { THEMES } from './themes.js';
import { makeNonce, wizardHtml } from '../../src/wizard/html.js';

const CHROMIUM = process.env.OKG_CHROMIUM ?? '/usr/bin/chromium';
const ROOT = new URL('../../../', import.meta.url);
export const NEW = SEED.newImage;
export const OLD = SEED.image;

export const SCOPE = 'sc2FuZGJveABkZWZhdWx0';
export const TARGET: Target = {
  scope: SCOPE,
  scopeLabel: 'sandbox / default',
  namespace: SEED.namespace,
  name: SEED.gameServerSet,
  replicas: 3,
  readyReplicas: 3,
  rooms: 3,
  images: [{ container: SEED.container, image: OLD }],
  onDeleteInForce: true,
};
export const OTHER: Target = {
  ...TARGET,
  name: 'lobby',
  images: [
    { container: 'lobby', image: 'nginx:1.27' },
    { container: 'sidecar', image: 'busybox:1.36' },
  ],
  onDeleteInForce: false,
};

/** The seed release: a real plan, its events as the host sends them, the host's messages and final snapshot. */
async function realRelease(): Promise<{
  plan: ReleasePlan;
  events: FeedEvent[];
  messages: ProgressMessage[];
  snapshot: FeedSnapshot;
  result: ReleaseResult;
}> {
  const sb = await startSandbox({ scenario: 'seed', readyAfterMs: 50, terminatingMs: 30 });
  const client = new OkgClient(sb.kubeConfig('admin'), { backoffMs: 20, attempts: 8 });
  const cache = new NamespaceCache(client, SEED.namespace).retain();
  try {
    await cache.start();
    const input = {
      namespace: SEED.namespace,
      gameServerSet: SEED.gameServerSet,
      images: [{ container: SEED.container, image: NEW }],
      add: 3,
      timeoutMs: 20_000,
    };
    const preview = await previewRelease(input, { client, cache });
    assert.equal(preview.outcome, 'succeeded', preview.message);
    const events: FeedEvent[] = [];
    const messages: ProgressMessage[] = [];
    const feed = new RunFeed(
      cache,
      SEED.gameServerSet,
      input.images,
      m => {
        messages.push(structuredClone(m));
      },
      line => {
        throw new Error(line);
      },
    );
    const result = await runRelease(input, {
      client,
      cache,
      onEvent: (e: ReleaseEvent) => {
        if (e.type !== 'room-waiting') events.push(toFeed(structuredClone(e)));
        feed.event(e);
      },
    });
    feed.stop();
    assert.equal(result.outcome, 'succeeded', result.message);
    return { plan: preview.plan!, events, messages, snapshot: feed.snapshot(), result };
  } finally {
    await cache.release();
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
        res.end(
          wizardHtml({
            cspSource: origin,
            nonce: makeNonce(),
            scriptUri: `${origin}/dist/webview.js`,
            styleUri: `${origin}/media/wizard.css`,
          }),
        );
        return;
      }
      const files: Record<string, string> = { '/dist/webview.js': 'text/javascript', '/media/wizard.css': 'text/css' };
      if (!files[path]) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': files[path] });
      res.end(readFileSync(new URL(`.${path}`, ROOT)));
    });
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    );
  });
}

// Runs in the page before its scripts: the VS Code webview API as the page sees it.
function fakeVsCodeApi(): void {
  const w = window as unknown as { __posted: unknown[]; __violations: string[]; acquireVsCodeApi(): unknown };
  w.__posted = [];
  w.__violations = [];
  document.addEventListener('securitypolicyviolation', e => {
    w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
  });
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
    postMessage: (m: unknown) => {
      w.__posted.push(JSON.parse(JSON.stringify(m)));
    },
    getState: () => {
      const s = sessionStorage.getItem('okg-state');
      return s ? JSON.parse(s) : undefined;
    },
    setState: (s: unknown) => {
      const json = JSON.stringify(s);
      const c = window as unknown as { __saves: { count: number; bytes: number } };
      c.__saves = { count: (c.__saves?.count ?? 0) + 1, bytes: json.length };
      sessionStorage.setItem('okg-state', json);
    },
  });
}

export function wizardPage() {
  let browser: Browser;
  let server: Server;
  let origin: string;
  let page: Page;
  let real: Awaited<ReturnType<typeof realRelease>>;
  const pageErrors: string[] = [];

  before(async function () {
    assert.ok(
      existsSync(CHROMIUM),
      `Chromium is missing at ${CHROMIUM}: run node scripts/vscode-setup.mjs (npm test does)`,
    );
    if (!existsSync(new URL('dist/webview.js', ROOT))) {
      const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
      assert.equal(r.status, 0, 'node scripts/build.mjs');
    }
    real = await realRelease();
    ({ server, origin } = await serve());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
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
    const violations = await page
      .evaluate(() => (window as unknown as { __violations: string[] }).__violations)
      .catch(() => []);
    assert.deepEqual(violations, [], 'no CSP violation');
    assert.deepEqual(pageErrors, [], 'no page error');
    await page.context().close();
  });

  const posted = (): Promise<WebviewMessage[]> =>
    page.evaluate(() => (window as unknown as { __posted: WebviewMessage[] }).__posted);
  /** Posts a host message and resolves once the page has handled it (a sentinel queued after it has arrived). */
  const send = (m: unknown): Promise<void> =>
    page.evaluate(
      msg =>
        new Promise<void>(resolve => {
          const w = window as unknown as { __syncs: Map<string, () => void> };
          const token = `sync-${Math.random()}`;
          w.__syncs.set(token, resolve);
          window.postMessage(msg, '*');
          window.postMessage({ __sync: token }, '*');
        }),
      m,
    );
  async function waitPosted<T extends WebviewMessage['type']>(
    type: T,
    nth = 0,
  ): Promise<Extract<WebviewMessage, { type: T }>> {
    for (let i = 0; i < 200; i++) {
      const found = (await posted()).filter(m => m.type === type);
      if (found[nth]) return found[nth] as Extract<WebviewMessage, { type: T }>;
      await page.waitForTimeout(20);
    }
    throw new Error(`the page did not post ${type}`);
  }
  /** Gives the page a real theme's workbench variables (through the CSSOM: the CSP refuses style attributes). */
  const theme = (name: 'dark' | 'light'): Promise<void> =>
    page.evaluate(
      ([vars, n]) => {
        for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
        document.body.classList.add(`vscode-${n}`);
      },
      [THEMES[name], name] as const,
    );
  /** axe-core's serious and critical violations on the page as it is now ("rule: target, …"). */
  async function axe(): Promise<string[]> {
    if (!(await page.evaluate(() => 'axe' in window)))
      await page.evaluate(readFileSync(new URL('node_modules/axe-core/axe.min.js', ROOT), 'utf8'));
    return page.evaluate(async () => {
      const r = await (
        window as unknown as {
          axe: {
            run(
              c: Document,
              o: object,
            ): Promise<{ violations: { id: string; impact?: string; nodes: { target: unknown[] }[] }[] }>;
          };
        }
      ).axe.run(document, { resultTypes: ['violations'] });
      return r.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(
          v =>
            `${v.id} (${v.impact}): ${v.nodes
              .slice(0, 5)
              .map(n => n.target.join(' '))
              .join(', ')}`,
        );
    });
  }
  const text = (sel: string): Promise<string> => page.locator(sel).innerText();
  const step = (): Promise<string | undefined> => page.evaluate(() => document.body.dataset.step);
  const focused = (): Promise<string> => page.evaluate(() => document.activeElement?.id ?? '');
  async function init(extra: Partial<Extract<HostMessage, { type: 'init' }>> = {}): Promise<void> {
    await waitPosted('ready');
    await send({
      type: 'init',
      version: PROTOCOL_VERSION,
      targets: [TARGET, OTHER],
      select: { scope: SCOPE, name: SEED.gameServerSet },
      ...extra,
    } satisfies HostMessage);
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
  const previewResult = (seq: number): HostMessage => ({
    type: 'preview-result',
    seq,
    ok: true,
    message: real.result.message,
    plan: real.plan,
  });

  return {
    get page(): Page {
      return page;
    },
    get real() {
      return real;
    },
    posted,
    send,
    waitPosted,
    text,
    step,
    focused,
    init,
    fromForm,
    toPreview,
    previewResult,
    theme,
    axe,
  };
}
