// The engine's input checks cut echoed input to about 120 characters (src/cluster/clip.ts): a 10,000-character
// image, name or opsState is refused with one short line that says how long it was.
import * as assert from 'node:assert/strict';
import { clip } from '../../src/cluster/clip.js';
import { runRelease } from '../../src/release/engine.js';
import { validateInput } from '../../src/release/validate.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { client, seedInput, startWorld } from './helpers.js';

const X = 'x'.repeat(10_000);

describe("clip and the engine's input checks", () => {
  it('clip keeps short text, cuts long text to its start plus the length', () => {
    assert.equal(clip('minecraft'), 'minecraft');
    assert.equal(clip('a'.repeat(120)), 'a'.repeat(120));
    assert.equal(clip('a'.repeat(121)), `${'a'.repeat(120)}… (121 characters)`);
    assert.equal(clip('abcdef', 3), 'abc… (6 characters)');
  });

  const cases: [string, () => unknown][] = [
    [
      'a 10,000-character image',
      () =>
        validateInput(
          seedInput({
            images: [{ container: 'minecraft', image: `registry.example.com/game:${'a'.repeat(10_000 - 26)}` }],
          }),
        ),
    ],
    [
      'a 3,000-character image that is not a reference (echoed)',
      () =>
        validateInput(
          seedInput({ images: [{ container: 'minecraft', image: `Registry.example.com/${'A'.repeat(3000)}` }] }),
        ),
    ],
    ['a 10,000-character namespace', () => validateInput(seedInput({ namespace: X }))],
    ['a 10,000-character GameServerSet name', () => validateInput(seedInput({ gameServerSet: X }))],
    [
      'a 10,000-character container name',
      () => validateInput(seedInput({ images: [{ container: X, image: 'nginx:1' }] })),
    ],
    ['a 10,000-character opsState to retire', () => validateInput(seedInput({ retireOpsStates: [X] }))],
    ['a 10,000-character --take-over holder', () => validateInput(seedInput({ takeOver: X }))],
  ];
  for (const [name, f] of cases) {
    it(`${name}: one short line`, () => {
      assert.throws(f, (e: Error) => {
        assert.ok(!e.message.includes('\n'));
        assert.ok(e.message.length < 300, `${e.message.length} characters: ${e.message.slice(0, 300)}`);
        return true;
      });
    });
  }

  describe('against the sandbox', function () {
    this.timeout(60_000);
    let sb: Sandbox;
    before(async () => {
      sb = await startWorld();
    });
    after(async () => {
      await sb?.stop();
    });

    it('runRelease with a 4,000-character image that is not a reference: refused (usage) with one short line, zero writes', async () => {
      sb.server.clearWriteLog();
      const image = `registry.example.com/Game/${'a'.repeat(4000)}`; // not a reference, and short enough to be echoed
      const r = await runRelease(seedInput({ images: [{ container: 'minecraft', image }] }), { client: client(sb) });
      assert.equal(r.outcome, 'refused');
      assert.equal(r.usage, true);
      assert.ok(r.message.length < 300, r.message.slice(0, 300));
      assert.match(r.message, /…/, 'the image is echoed cut');
      assert.deepEqual(
        sb.server.writeLog().filter(w => w.user !== 'controller'),
        [],
      );
    });
  });
});
