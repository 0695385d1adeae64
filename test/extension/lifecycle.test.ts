// The glue's one lifecycle helper (src/views/lifecycle.ts): what a part registers is disposed once, last
// first, even when one of them throws; a store that is already disposed disposes what it is given.
import assert from 'node:assert/strict';
import { Disposable, DisposableStore, disposeAll, toDisposable } from '../../src/views/lifecycle.js';

describe('extension: lifecycle helper', () => {
  it('toDisposable runs its function once', () => {
    let n = 0;
    const d = toDisposable(() => {
      n++;
    });
    d.dispose();
    d.dispose();
    assert.equal(n, 1);
  });

  it('a store disposes last first, keeps going past a failure, and disposes late additions at once', () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => order.push('first')));
    store.add(
      toDisposable(() => {
        order.push('failing');
        throw new Error('boom');
      }),
    );
    store.add(toDisposable(() => order.push('last')));
    assert.throws(() => store.dispose(), /boom/);
    assert.deepEqual(order, ['last', 'failing', 'first']);
    assert.equal(store.isDisposed, true);
    store.add(toDisposable(() => order.push('late')));
    assert.deepEqual(order.at(-1), 'late');
    store.dispose();
    assert.equal(order.length, 4, 'disposing again does nothing');
  });

  it('clear() ends what a store holds and keeps it usable; disposeAll reports every failure', () => {
    const store = new DisposableStore();
    let n = 0;
    store.add(
      toDisposable(() => {
        n++;
      }),
    );
    store.clear();
    store.add(
      toDisposable(() => {
        n++;
      }),
    );
    assert.equal(n, 1);
    store.dispose();
    assert.equal(n, 2);
    const failing = (m: string) =>
      toDisposable(() => {
        throw new Error(m);
      });
    assert.throws(
      () => disposeAll([failing('a'), failing('b')]),
      (e: AggregateError) => e.errors.length === 2,
    );
  });

  it('the base class disposes what a part registered, once', () => {
    let n = 0;
    class Part extends Disposable {
      constructor() {
        super();
        this.register(
          toDisposable(() => {
            n++;
          }),
        );
      }
      get disposed() {
        return this.isDisposed;
      }
    }
    const p = new Part();
    p.dispose();
    p.dispose();
    assert.equal(n, 1);
    assert.equal(p.disposed, true);
  });
});
