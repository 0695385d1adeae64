// What the wizard runs: a release (WizardRun) or the rollback of the last one (WizardRollback). Either belongs to the
// extension, not to a panel (closing the panel leaves it running, and a panel that (re)loads is replayed its events),
// holds its own reference to the namespace cache, cancels through an AbortController, and streams the engine's
// events to the panels through one RunFeed. Each write is logged as its kubectl line (the audit trail; a patch too
// long for a line goes to a file in `patchDir`, which the line names). WizardRuns holds the one run at a time.
import type { NamespaceCache } from '../cluster/cache.js';
import type { ContainerImage } from '../cluster/okg.js';
import { auditWrites } from '../release/audit.js';
import { runRelease } from '../release/engine.js';
import { runRollback } from '../release/rollback.js';
import type { RollbackEvent } from '../release/rollbackTypes.js';
import type { ReleaseEvent, ReleaseInput } from '../release/types.js';
import type { FeedEvent, RollbackFeedEvent } from '../webview/feed.js';
import type { HostMessage, RollbackTarget, RunResult, RunSnapshot } from '../webview/protocol.js';
import type { WizardLog, WizardScope } from './host.js';
import { RunFeed } from './runFeed.js';

type Onward = (e: ReleaseEvent | RollbackEvent) => void;

/** The machinery a release and a rollback share: the feed, the result, cancel, the panels that listen. */
abstract class WizardOperation {
  /** What the panels are sent of it (batched progress) and replayed. */
  readonly feed: RunFeed;
  result?: RunResult;
  protected readonly ac = new AbortController();
  private readonly listeners = new Set<(m: HostMessage) => void>();
  finished!: Promise<RunResult>;

  constructor(
    readonly scope: WizardScope,
    /** The set it changes. */
    readonly gameServerSet: string,
    /** "release" or "rollback", for the operator's messages. */
    readonly what: 'release' | 'rollback',
    images: ContainerImage[],
    private readonly cache: NamespaceCache,
    protected readonly log: WizardLog,
    private readonly patchDir?: string,
  ) {
    this.feed = new RunFeed(
      cache,
      gameServerSet,
      images,
      m => this.send(m),
      line => log.warn(line),
      undefined,
      what,
    );
  }

  /** The engine's context: the scope's client, each accepted write logged as its kubectl line (the audit trail). */
  protected engineContext(onEvent: Onward) {
    return {
      client: auditWrites(this.scope.client, line => this.log.info(line), this.patchDir),
      cache: this.cache,
      signal: this.ac.signal,
      onEvent,
    };
  }

  /** Runs `work` (the engine call), holding the cache, then records and sends the result. */
  protected start(work: (onEvent: Onward) => Promise<RunResult>): void {
    // The run holds its own reference: a reload of the Game Servers view must not stop the cache it waits on.
    const held = this.cache.acquire();
    this.finished = work(e => this.feed.event(e))
      .catch((e: unknown) => ({ outcome: 'failed' as const, message: e instanceof Error ? e.message : String(e) }))
      .then(result => {
        this.feed.stop();
        this.result = result;
        (result.outcome === 'succeeded' ? this.log.info : this.log.warn).call(
          this.log,
          `release wizard: ${this.what === 'rollback' ? 'rollback of ' : ''}${this.gameServerSet}: ${result.outcome}: ${result.message}`,
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

  abstract snapshot(): RunSnapshot;

  subscribe(l: (m: HostMessage) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private send(m: HostMessage): void {
    for (const l of [...this.listeners]) l(m);
  }
}

/** A release started from the wizard. */
export class WizardRun extends WizardOperation {
  constructor(
    scope: WizardScope,
    readonly input: ReleaseInput,
    cache: NamespaceCache,
    log: WizardLog,
    patchDir?: string,
  ) {
    super(scope, input.gameServerSet, 'release', input.images, cache, log, patchDir);
    log.info(
      `release wizard: release of ${input.gameServerSet} in ${input.namespace} started (${input.images.map(c => `${c.container}=${c.image}`).join(', ')})`,
    );
    this.start(async onEvent => {
      const r = await runRelease(input, this.engineContext(onEvent));
      return {
        outcome: r.outcome,
        message: r.message,
        ...(r.id ? { id: r.id } : {}),
        ...(r.step ? { step: r.step } : {}),
        ...(r.summary ? { summary: r.summary } : {}),
        ...(r.suggest ? { suggest: r.suggest } : {}),
      };
    });
  }

  snapshot(): RunSnapshot {
    const { events, ...rest } = this.feed.snapshot();
    return {
      scope: this.scope.id,
      input: this.input,
      events: events as FeedEvent[],
      ...rest,
      ...(this.result ? { result: this.result } : {}),
    };
  }
}

/** The rollback of the release a wizard run ran, started from the wizard's result. */
export class WizardRollback extends WizardOperation {
  constructor(
    scope: WizardScope,
    readonly target: RollbackTarget,
    /** The images of the release rolled back (its rooms are the "new" ones in the room list). */
    releaseImages: ContainerImage[],
    timeoutMs: number,
    cache: NamespaceCache,
    log: WizardLog,
    patchDir?: string,
  ) {
    super(scope, target.gameServerSet, 'rollback', releaseImages, cache, log, patchDir);
    log.info(`release wizard: rollback of release ${target.release} of ${target.gameServerSet} started`);
    const input = {
      namespace: target.namespace,
      gameServerSet: target.gameServerSet,
      release: target.release,
      timeoutMs,
    };
    this.start(async onEvent => {
      const r = await runRollback(input, this.engineContext(onEvent));
      return {
        outcome: r.outcome,
        message: r.message,
        ...(r.id ? { id: r.id } : {}),
        ...(r.step ? { step: r.step } : {}),
        ...(r.summary ? { rolledBack: r.summary } : {}),
      };
    });
  }

  snapshot(): RunSnapshot {
    const { events, ...rest } = this.feed.snapshot();
    return {
      scope: this.scope.id,
      rollback: this.target,
      events: events as RollbackFeedEvent[],
      ...rest,
      ...(this.result ? { result: this.result } : {}),
    };
  }
}

/** The wizard's shared state across panels: the one release (or rollback) it runs at a time. */
export class WizardRuns {
  current?: WizardRun | WizardRollback;
  /** Aborts a running release (extension shutdown). */
  dispose(): void {
    this.current?.cancel('VS Code is closing the extension');
  }
}
