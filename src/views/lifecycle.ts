// Lifetimes of the glue's parts, one way everywhere (after microsoft/vscode-pull-request-github's
// src/common/lifecycle.ts): whatever a part starts (a listener, a timer, a cache reference) is registered
// once and disposed with the part, in reverse order. No `vscode` import: vscode.Disposable fits IDisposable.

export interface IDisposable {
  dispose(): unknown;
}

/** A disposable that runs `fn` once. */
export function toDisposable(fn: () => unknown): IDisposable {
  let done = false;
  return {
    dispose: () => {
      if (!done) {
        done = true;
        fn();
      }
    },
  };
}

/** Disposes every item, last first; one failing item does not keep the others alive. */
export function disposeAll(items: IDisposable[]): void {
  const errors: unknown[] = [];
  while (items.length) {
    try {
      items.pop()!.dispose();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length) throw new AggregateError(errors, `${errors.length} parts failed to shut down`);
}

/** A set of disposables owned together. Adding to a disposed store disposes the item at once. */
export class DisposableStore implements IDisposable {
  private readonly items: IDisposable[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  add<T extends IDisposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  /** Disposes what the store holds now and keeps it usable (for parts that restart, e.g. a reconnect). */
  clear(): void {
    disposeAll(this.items);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeAll(this.items);
  }
}

/** Base class for a part that owns disposables: `register` them, and `dispose()` ends them all. */
export abstract class Disposable implements IDisposable {
  private readonly store = new DisposableStore();

  protected get isDisposed(): boolean {
    return this.store.isDisposed;
  }

  protected register<T extends IDisposable>(item: T): T {
    return this.store.add(item);
  }

  dispose(): void {
    this.store.dispose();
  }
}
