import { describe, it } from 'mocha';
import assert from 'node:assert/strict';
import { applyJsonPatch, JsonPatchError } from '../../src/sandbox/jsonpatch.js';

function fails(doc: unknown, patch: unknown, message: string, kind: 'malformed' | 'failed' = 'failed'): void {
  assert.throws(
    () => applyJsonPatch(doc, patch),
    (e: unknown) => {
      assert.ok(e instanceof JsonPatchError, String(e));
      assert.equal(e.message, message);
      assert.equal(e.kind, kind);
      return true;
    },
  );
}

describe('applyJsonPatch: RFC 6902 appendix A', () => {
  it('A.1 adds an object member', () => {
    assert.deepEqual(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }]), {
      baz: 'qux',
      foo: 'bar',
    });
  });
  it('A.2 adds an array element', () => {
    assert.deepEqual(applyJsonPatch({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }]), {
      foo: ['bar', 'qux', 'baz'],
    });
  });
  it('A.3 removes an object member', () => {
    assert.deepEqual(applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }]), { foo: 'bar' });
  });
  it('A.4 removes an array element', () => {
    assert.deepEqual(applyJsonPatch({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }]), {
      foo: ['bar', 'baz'],
    });
  });
  it('A.5 replaces a value', () => {
    assert.deepEqual(applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }]), {
      baz: 'boo',
      foo: 'bar',
    });
  });
  it('A.6 moves a value', () => {
    const doc = { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } };
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }]), {
      foo: { bar: 'baz' },
      qux: { corge: 'grault', thud: 'fred' },
    });
  });
  it('A.7 moves an array element', () => {
    assert.deepEqual(
      applyJsonPatch({ foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }]),
      {
        foo: ['all', 'cows', 'eat', 'grass'],
      },
    );
  });
  it('A.8 tests a value (success)', () => {
    const doc = { baz: 'qux', foo: ['a', 2, 'c'] };
    const patch = [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ];
    assert.deepEqual(applyJsonPatch(doc, patch), doc);
  });
  it('A.9 tests a value (error)', () => {
    fails({ baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }], 'testing value /baz failed: test failed');
  });
  it('A.10 adds a nested member object', () => {
    assert.deepEqual(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }]), {
      foo: 'bar',
      child: { grandchild: {} },
    });
  });
  it('A.11 ignores unrecognized members of an operation', () => {
    assert.deepEqual(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }]), {
      foo: 'bar',
      baz: 'qux',
    });
  });
  it('A.12 refuses to add to a nonexistent target', () => {
    fails(
      { foo: 'bar' },
      [{ op: 'add', path: '/baz/bat', value: 'qux' }],
      'add operation does not apply: doc is missing path: "/baz/bat": missing value',
    );
  });
  it('A.14 decodes ~01 as ~1, not /', () => {
    assert.deepEqual(applyJsonPatch({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }]), {
      '/': 9,
      '~1': 10,
    });
  });
  it('A.15 does not equate a string and a number', () => {
    fails({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }], 'testing value /~01 failed: test failed');
  });
  it('A.16 adds an array value', () => {
    assert.deepEqual(applyJsonPatch({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }]), {
      foo: ['bar', ['abc', 'def']],
    });
  });
});

describe('applyJsonPatch: kube-apiserver (evanphx/json-patch v4.12.0) behaviour', () => {
  const gs = {
    metadata: { name: 'minecraft-0' },
    spec: { opsState: 'None', containers: [{ name: 'a' }, { name: 'b' }] },
  };

  it('test then replace of opsState (the optimistic pattern the extension uses)', () => {
    const out = applyJsonPatch(gs, [
      { op: 'test', path: '/spec/opsState', value: 'None' },
      { op: 'replace', path: '/spec/opsState', value: 'Maintaining' },
    ]);
    assert.deepEqual((out as { spec: { opsState: string } }).spec.opsState, 'Maintaining');
    fails(
      gs,
      [
        { op: 'test', path: '/spec/opsState', value: 'Kill' },
        { op: 'replace', path: '/spec/opsState', value: 'Maintaining' },
      ],
      'testing value /spec/opsState failed: test failed',
    );
  });

  it('never mutates the input document or patch values', () => {
    const doc = structuredClone(gs);
    const value = { name: 'c' };
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/spec/containers/-', value },
      { op: 'remove', path: '/metadata/name' },
    ]) as { spec: { containers: { name: string }[] } };
    assert.deepEqual(doc, gs);
    out.spec.containers[2].name = 'changed';
    assert.equal(value.name, 'c');
  });

  it('replace of a missing object key adds it (v4.12.0 does not check objects)', () => {
    assert.deepEqual(applyJsonPatch({ spec: {} }, [{ op: 'replace', path: '/spec/opsState', value: 'Kill' }]), {
      spec: { opsState: 'Kill' },
    });
  });

  it('replace with a missing parent or array index fails', () => {
    fails(
      {},
      [{ op: 'replace', path: '/spec/opsState', value: 1 }],
      'replace operation does not apply: doc is missing path: /spec/opsState: missing value',
    );
    fails(
      { a: [1] },
      [{ op: 'replace', path: '/a/3', value: 1 }],
      'replace operation does not apply: doc is missing key: /a/3: missing value',
    );
  });

  it('remove of a missing key or index fails with the wrapped cause', () => {
    fails(
      { spec: {} },
      [{ op: 'remove', path: '/spec/x' }],
      "error in remove for path: '/spec/x': Unable to remove nonexistent key: x: missing value",
    );
    fails(
      { a: [1] },
      [{ op: 'remove', path: '/a/1' }],
      "error in remove for path: '/a/1': Unable to access invalid index: 1: invalid index referenced",
    );
    fails(
      { a: [1] },
      [{ op: 'remove', path: '/a/-' }],
      `error in remove for path: '/a/-': strconv.Atoi: parsing "-": invalid syntax`,
    );
    fails(
      {},
      [{ op: 'remove', path: '/x/y' }],
      'remove operation does not apply: doc is missing path: "/x/y": missing value',
    );
  });

  it('array indices: "-" appends, negative counts from the end, bad ones fail', () => {
    assert.deepEqual(applyJsonPatch({ a: [1, 2] }, [{ op: 'add', path: '/a/-1', value: 9 }]), { a: [1, 2, 9] });
    assert.deepEqual(applyJsonPatch({ a: [1, 2] }, [{ op: 'remove', path: '/a/-1' }]), { a: [1] });
    assert.deepEqual(applyJsonPatch({ a: [1, 2] }, [{ op: 'add', path: '/a/2', value: 3 }]), { a: [1, 2, 3] });
    fails(
      { a: [1] },
      [{ op: 'add', path: '/a/5', value: 0 }],
      "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced",
    );
    fails(
      { a: [1] },
      [{ op: 'add', path: '/a/x', value: 0 }],
      `error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax`,
    );
  });

  it('JSON pointer escapes ~0 and ~1 in keys', () => {
    const doc = { metadata: { annotations: { 'game.kruise.io/a~b': 'x' } } };
    const out = applyJsonPatch(doc, [
      { op: 'replace', path: '/metadata/annotations/game.kruise.io~1a~0b', value: 'y' },
    ]);
    assert.deepEqual(out, { metadata: { annotations: { 'game.kruise.io/a~b': 'y' } } });
  });

  it('test compares deeply and treats an absent key like null', () => {
    const doc = { spec: { ports: [{ name: 'mc', port: 25565 }], labels: { a: '1', b: '2' } } };
    applyJsonPatch(doc, [
      { op: 'test', path: '/spec/ports', value: [{ port: 25565, name: 'mc' }] },
      { op: 'test', path: '/spec/labels', value: { b: '2', a: '1' } },
      { op: 'test', path: '/spec/missing', value: null },
    ]);
    fails(
      doc,
      [{ op: 'test', path: '/spec/labels', value: { a: '1' } }],
      'testing value /spec/labels failed: test failed',
    );
    fails(
      doc,
      [{ op: 'test', path: '/spec/ports/0/port', value: 25566 }],
      'testing value /spec/ports/0/port failed: test failed',
    );
    fails(
      doc,
      [{ op: 'test', path: '/nope/x', value: 1 }],
      'test operation does not apply: is missing path: /nope/x: missing value',
    );
    fails(doc, [{ op: 'test', path: '/spec/labels' }], 'testing value /spec/labels failed: test failed');
  });

  it('copy and move', () => {
    const doc = { spec: { a: { x: 1 } } };
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'copy', from: '/spec/a', path: '/spec/b' }]), {
      spec: { a: { x: 1 }, b: { x: 1 } },
    });
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'copy', from: '/spec/none', path: '/spec/b' }]), {
      spec: { a: { x: 1 }, b: null },
    });
    fails(
      doc,
      [{ op: 'move', from: '/spec/none', path: '/spec/b' }],
      "error in move for path: 'none': Unable to remove nonexistent key: none: missing value",
    );
    fails(
      doc,
      [{ op: 'move', from: '/spec/a', path: '/spec/a/x' }],
      'move operation does not apply: doc is missing destination path: /spec/a/x: missing value',
    );
    fails(
      doc,
      [{ op: 'copy', path: '/spec/b' }],
      'copy operation failed to decode from: operation, missing from field: missing value',
    );
    fails(
      doc,
      [{ op: 'move', from: '/x/y', path: '/spec/b' }],
      'move operation does not apply: doc is missing from path: /x/y: missing value',
    );
  });

  it('copy is limited to 3 MiB of accumulated copies', () => {
    const big = 'x'.repeat(1024 * 1024);
    const ops = [0, 1, 2, 3].map(i => ({ op: 'copy', from: '/big', path: `/c${i}` }));
    fails(
      { big },
      ops,
      'Unable to complete the copy, the accumulated size increase of copy is 3145734, exceeding the limit 3145728',
    );
  });

  it('missing or unknown op and missing path fail at apply time (422)', () => {
    fails({}, [{ path: '/a', value: 1 }], 'Unexpected kind: unknown');
    fails({}, [null], 'Unexpected kind: unknown');
    fails({}, [{ op: 'merge', path: '/a' }], 'Unexpected kind: merge');
    fails({}, [{ op: 'add', value: 1 }], 'add operation failed to decode path: missing value');
    fails(
      {},
      [{ op: 'replace', value: 1 }],
      'replace operation failed to decode path: operation missing path field: missing value',
    );
    fails(
      {},
      [{ op: 'add', path: '', value: {} }],
      'add operation does not apply: doc is missing path: "": missing value',
    );
  });

  it('replace of the root swaps the document; add without value stores null', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }]), { b: 2 });
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: 5 }]), { a: 1 });
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'add', path: '/b' }]), { a: 1, b: null });
  });

  it('an undecodable patch is malformed (400) with the decoder message', () => {
    fails(
      {},
      { op: 'add' },
      'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp',
      'malformed',
    );
    fails(
      {},
      'x',
      'error decoding patch: json: cannot unmarshal string into Go value of type []handlers.jsonPatchOp',
      'malformed',
    );
    fails(
      {},
      [1],
      'error decoding patch: json: cannot unmarshal number into Go value of type handlers.jsonPatchOp',
      'malformed',
    );
    fails(
      {},
      [{ op: 'add', path: 5 }],
      'error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.path of type string',
      'malformed',
    );
    fails(
      {},
      [{ op: true }],
      'error decoding patch: json: cannot unmarshal bool into Go struct field jsonPatchOp.op of type string',
      'malformed',
    );
    assert.deepEqual(applyJsonPatch({ a: 1 }, null), { a: 1 });
    assert.deepEqual(applyJsonPatch({ a: 1 }, []), { a: 1 });
  });
});
