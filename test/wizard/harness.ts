// The release wizard's host side under test: the `vscode` stub (test/extension/stub, webview panels in
// webview.ts), a sandbox world per test with the explorer's shared cache, the wizard registered as the
// extension does, and helpers to speak for the webview and read what the host posted.
import assert from 'node:assert/strict';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import type { NamespaceCache } from '../../src/cluster/cache.js';
import type { OkgClient } from '../../src/cluster/client.js';
import { runRelease } from '../../src/release/engine.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import type { FeedEvent } from '../../src/webview/feed.js';
import {
  PROTOCOL_VERSION,
  type HostMessage,
  type Interrupted,
  type WebviewMessage,
} from '../../src/webview/protocol.js';
import type * as RegisterModule from '../../src/wizard/register.js';
import type * as StubModule from '../extension/stub/vscode.js';
import { GSS, NEW, NS, startWorld } from '../release/helpers.js';

export type Panel = StubModule.FakePanel;
export type Stub = typeof StubModule;
export interface World {
  sb: Sandbox;
  client: OkgClient;
  cache: NamespaceCache;
  scope: RegisterModule.WizardScope;
}

export const posted = (p: Panel): HostMessage[] => p.webview.posted as HostMessage[];
export const send = (p: Panel, m: WebviewMessage | unknown): void => p.webview.send(m);

export async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 10));
  }
}

/** The engine events the host sent in its progress messages (from message index `from` on), in order. */
export function events(p: Panel, from = 0): FeedEvent[] {
  return posted(p)
    .slice(from)
    .flatMap(m => (m.type === 'progress' ? (m.events as FeedEvent[]) : []));
}

/** The first release run-started message the host posted (from index `from` on). */
export function releaseStarted(p: Panel, from = 0): Extract<HostMessage, { input: unknown }> | undefined {
  return posted(p)
    .slice(from)
    .find((m): m is Extract<HostMessage, { input: unknown }> => m.type === 'run-started' && 'input' in m);
}

/** The first event the host sent (from message index `from` on) that `pred` accepts. */
export function sentEvent(p: Panel, pred: (e: FeedEvent) => boolean, from = 0): FeedEvent | undefined {
  return events(p, from).find(pred);
}

/** The first message of `type` the host posted (from index `from` on). */
export function message<T extends HostMessage['type']>(
  p: Panel,
  type: T,
  from = 0,
): Extract<HostMessage, { type: T }> | undefined {
  return posted(p)
    .slice(from)
    .find((m): m is Extract<HostMessage, { type: T }> => m.type === type);
}

/** The seed's rooms turn Ready at once; new ones take two minutes, so a release waits at wait-ready. */
export const slowNewRooms = {
  room: (_ns: string, name: string) => (/-[3-9]$/.test(name) ? { readyAfterMs: 120_000 } : undefined),
};

export const seedInput = {
  namespace: NS,
  gameServerSet: GSS,
  images: [{ container: SEED.container, image: NEW }],
  add: 3,
  timeoutMs: 20_000,
  reclaim: 'none' as const,
};
/** The seed release as the form asks for it. */
export const seedRelease = (scope: string, extra: Record<string, unknown> = {}) => ({
  scope,
  input: { ...seedInput, ...extra },
});

/** Writes to the cluster by anyone but the emulated OKG controller (which keeps creating pods and turning rooms Ready). */
export const ourWrites = (sb: Sandbox): number => sb.server.writeLog().filter(e => e.user !== 'controller').length;

/** An unconditional merge patch of a GameServer, as a matchmaker or `kubectl patch --type=merge` sends. */
export function mergePatch(sb: Sandbox, name: string, body: Record<string, unknown>): Promise<unknown> {
  const api = KubernetesObjectApi.makeApiClient(sb.kubeConfig('admin'));
  return api.patch(
    {
      apiVersion: 'game.kruise.io/v1alpha1',
      kind: 'GameServer',
      metadata: { name, namespace: NS },
      ...body,
    } as KubernetesObject,
    undefined,
    undefined,
    'allocator',
    undefined,
    PatchStrategy.MergePatch,
  );
}

/** A release of `input` by someone else (alice on another machine), cancelled once it waits for rooms: its record stays for resume. */
export async function someoneElsesCancelledRelease(w: World, input: Record<string, unknown>): Promise<string> {
  const ac = new AbortController();
  const r = await runRelease(input as never, {
    client: w.client,
    cache: w.cache,
    signal: ac.signal,
    holder: { user: 'alice', host: 'elsewhere.example' },
    onEvent: e => {
      if (e.type === 'step-started' && e.step === 'wait-ready') ac.abort(new Error('stopped by the test'));
    },
  });
  assert.equal(r.outcome, 'cancelled', r.message);
  return r.id!;
}

function logger() {
  const lines: string[] = [];
  return {
    lines,
    info: (m: string) => {
      lines.push(`[info] ${m}`);
    },
    warn: (m: string) => {
      lines.push(`[warn] ${m}`);
    },
    error: (m: string) => {
      lines.push(`[error] ${m}`);
    },
  };
}

/** Registers the suite's hooks (load the stub first, clean up after each test) and gives the per-test helpers. */
export function hostHarness() {
  // `vscode` must resolve to the stub before the wizard's modules load: register the hook, then import them.
  let stub: Stub;
  let wizard: typeof RegisterModule;
  let cacheMod: typeof import('../../src/cluster/cache.js');
  let clientMod: typeof import('../../src/cluster/client.js');
  let current: World | undefined;
  let disposables: { dispose(): unknown }[] = [];
  let log = logger();

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
    await current?.cache.release();
    current?.client.close();
    await current?.sb.stop();
    current = undefined;
  });

  const h = {
    get stub(): Stub {
      return stub;
    },
    /** The wizard's log lines of the current test. */
    get log() {
      return log;
    },

    /** A sandbox (seed scenario unless told) with a client, a started shared cache of `ns` and the wizard scope over them; stopped after the test. */
    async world(opts: Parameters<typeof startWorld>[0] = {}, ns: string = NS): Promise<World> {
      const sb = await startWorld(opts);
      const client = new clientMod.OkgClient(sb.kubeConfig('admin'), { backoffMs: 20, attempts: 8 });
      const cache = new cacheMod.NamespaceCache(client, ns).retain();
      await cache.start();
      const scope = {
        id: wizard.scopeId('sandbox', ns),
        label: `sandbox / ${ns}`,
        context: 'sandbox',
        namespace: ns,
        client,
        cache: async () => cache,
      };
      current = { sb, client, cache, scope };
      return current;
    },

    register(scopes: () => Promise<RegisterModule.WizardScope[]>): void {
      log = logger();
      const context = stub.extensionContext();
      const w = wizard.createReleaseWizard(context as never, { scopes, log: log as never });
      disposables = [...w.disposables, stub.commands.registerCommand(wizard.RELEASE_COMMAND, w.open)];
    },

    async openFromTree(): Promise<Panel> {
      // The tree passes its node: { kind: 'gss', conn, namespace, gss }.
      await stub.commands.executeCommand('okg.release', {
        kind: 'gss',
        conn: { id: 'sandbox' },
        namespace: NS,
        gss: { name: GSS },
      });
      assert.equal(stub.webviews.panels.length, 1);
      return stub.webviews.panels[0];
    },

    /** A panel for `w` past the handshake (init received). */
    async readyPanel(w: World): Promise<Panel> {
      h.register(async () => [w.scope]);
      const p = await h.openFromTree();
      send(p, { type: 'ready', version: PROTOCOL_VERSION });
      await until(() => message(p, 'init'), 'init');
      return p;
    },

    /** A release whose new rooms take long to turn Ready, started from the tree and waiting at wait-ready. */
    async runUntilWaitReady(): Promise<{ p: Panel; scope: RegisterModule.WizardScope }> {
      const w = await h.world(slowNewRooms);
      const p = await h.readyPanel(w);
      send(p, { type: 'run', ...seedRelease(w.scope.id) });
      await until(() => sentEvent(p, e => e.type === 'step-started' && e.step === 'wait-ready'), 'wait-ready');
      return { p, scope: w.scope };
    },

    /** The resume offer on the seed set, once the record has reached the cache (the wizard asks again until it has). */
    async offered(p: Panel): Promise<Interrupted> {
      for (let i = 0; ; i++) {
        const at = posted(p).length;
        send(p, { type: 'refresh' });
        const t = await until(() => message(p, 'targets', at), 'targets');
        const offer = t.targets.find(x => x.name === GSS)?.interrupted;
        if (offer) return offer;
        if (i > 200) throw new Error('the release record never reached the wizard');
        await new Promise(r => setTimeout(r, 20));
      }
    },
  };
  return h;
}
