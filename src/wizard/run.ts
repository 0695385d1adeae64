// A release the wizard runs: it belongs to the extension, not to a panel (closing the panel leaves it running, and
// a panel that (re)loads is replayed its events), holds its own reference to the namespace cache, cancels through
// an AbortController, and streams the engine's events to the panels through its RunFeed. WizardRuns holds the
// one run at a time.
import type { NamespaceCache } from '../cluster/cache.js';
import { runRelease } from '../release/engine.js';
import type { ReleaseInput } from '../release/types.js';
import type { HostMessage, RunResult, RunSnapshot } from '../webview/protocol.js';
import type { WizardLog, WizardScope } from './host.js';
import { RunFeed } from './runFeed.js';

/** A release started from the wizard. It belongs to the extension, not to a panel. */
export class WizardRun {
  /** What the panels are sent of it (batched progress) and replayed. */
  readonly feed: RunFeed;
  result?: RunResult;
  private readonly ac = new AbortController();
  private readonly listeners = new Set<(m: HostMessage) => void>();
  readonly finished: Promise<RunResult>;

  constructor(
    readonly scope: WizardScope,
    readonly input: ReleaseInput,
    cache: NamespaceCache,
    log: WizardLog,
  ) {
    // The run holds its own reference: a reload of the Game Servers view must not stop the cache it waits on.
    const held = cache.acquire();
    log.info(
      `release wizard: release of ${input.gameServerSet} in ${input.namespace} started (${input.images.map(c => `${c.container}=${c.image}`).join(', ')})`,
    );
    this.feed = new RunFeed(
      cache,
      input.gameServerSet,
      input.images,
      m => this.send(m),
      line => log.warn(line),
    );
    this.finished = runRelease(input, {
      client: scope.client,
      cache,
      signal: this.ac.signal,
      onEvent: e => this.feed.event(e),
    })
      .then(
        r => ({
          outcome: r.outcome,
          message: r.message,
          ...(r.id ? { id: r.id } : {}),
          ...(r.step ? { step: r.step } : {}),
          ...(r.summary ? { summary: r.summary } : {}),
        }),
        (e: unknown) => ({ outcome: 'failed' as const, message: e instanceof Error ? e.message : String(e) }),
      )
      .then(result => {
        this.feed.stop();
        this.result = result;
        (result.outcome === 'succeeded' ? log.info : log.warn).call(
          log,
          `release wizard: ${input.gameServerSet}: ${result.outcome}: ${result.message}`,
        );
        this.send({ type: 'run-result', result });
        return result;
      })
      .finally(() => held.release());
  }

  get running(): boolean {
    return !this.result;
  }

  cancel(reason = 'cancelled from the release wizard'): void {
    if (!this.ac.signal.aborted) this.ac.abort(new Error(reason));
  }

  snapshot(): RunSnapshot {
    return {
      scope: this.scope.id,
      input: this.input,
      ...this.feed.snapshot(),
      ...(this.result ? { result: this.result } : {}),
    };
  }

  subscribe(l: (m: HostMessage) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private send(m: HostMessage): void {
    for (const l of [...this.listeners]) l(m);
  }
}

/** The wizard's shared state across panels: the one release it runs at a time. */
export class WizardRuns {
  current?: WizardRun;
  /** Aborts a running release (extension shutdown). */
  dispose(): void {
    this.current?.cancel('VS Code is closing the extension');
  }
}
