// The message contract's validators and the wizard's form checks, in plain Node (no browser), plus the rule
// that the webview bundle is browser-only: no node module reaches dist/webview.js.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { hostMessageProblem, isReleaseEvent, webviewMessageProblem } from '../../src/webview/protocol.js';
import { addProblem, changedImages, imageProblem, readyProblem, timeoutProblem, toInput } from '../../src/webview/form.js';

const input = { namespace: 'default', gameServerSet: 'minecraft', images: [{ container: 'minecraft', image: 'game:2' }], add: 3 };

describe('release wizard: message contract and form checks', () => {
  it('accepts the webview messages of the contract and names the path of anything else, never the value', () => {
    for (const m of [{ type: 'ready', version: 1 }, { type: 'refresh' }, { type: 'preview', seq: 1, scope: 's1', input }, { type: 'run', scope: 's1', input },
      { type: 'cancel' }, { type: 'export-argo', seq: 2 }, { type: 'close' }, { type: 'rejected', reason: 'message.x: missing' }]) {
      assert.equal(webviewMessageProblem(m), undefined, JSON.stringify(m));
    }
    const cases: [unknown, string][] = [
      [undefined, 'message: not an object'],
      [{ type: 'eval' }, 'message.type: unknown message type'],
      [{ type: 'toString' }, 'message.type: unknown message type'],
      [{ type: 'preview', seq: 1, scope: 's1', input: { ...input, gameServerSet: '<b>x</b>' } }, 'message.input.gameServerSet: not a Kubernetes name'],
      [{ type: 'preview', seq: 1, scope: 's 1', input }, 'message.scope: not an id'],
      [{ type: 'run', scope: 's1', input: { ...input, add: 2.5 } }, 'message.input.add: not a whole number from 1 to 1000000'],
      [{ type: 'run', scope: 's1', input: { ...input, reclaim: 'all' } }, 'message.input.reclaim: not one of none, scale-down, kill'],
      [{ type: 'run', scope: 's1', input: { ...input, images: [{ container: 'Main', image: 'x' }] } }, 'message.input.images[0].container: not a container name'],
      [{ type: 'export-argo' }, 'message.seq: missing'],
    ];
    for (const [m, why] of cases) assert.equal(webviewMessageProblem(m), why);
  });

  it('checks host messages deeply (plans, events, targets)', () => {
    assert.equal(hostMessageProblem({ type: 'init', version: 1, targets: [] }), undefined);
    assert.equal(hostMessageProblem({ type: 'event', event: { type: 'warning', message: '<img src=x>' } }), undefined, 'free text is text');
    assert.equal(hostMessageProblem({ type: 'event', event: { type: 'step-started', step: 'rm -rf', index: 1, total: 8, title: 't' } }), 'message.event.step: not one of lock, patch-image, wait-generation, scale, wait-ready, mark, reclaim, unlock');
    assert.equal(hostMessageProblem({ type: 'preview-result', seq: 1, ok: true, message: 'm' }), 'message.plan: missing');
    assert.equal(hostMessageProblem({ type: 'notice', level: 'info', message: 'x'.repeat(9000) }), 'message.message: longer than 8192 characters');
    assert.ok(isReleaseEvent({ type: 'failed', id: '', step: 'lock', outcome: 'failed', message: 'no' }));
    assert.ok(!isReleaseEvent({ type: 'done', id: 'rel-1', summary: { retired: ['<x>'], skipped: [], reclaimed: 0, finalReplicas: 1, requests: 1 } }));
  });

  it('form checks: images, counts, ready ≤ new rooms, durations; the engine input of a valid form', () => {
    assert.equal(imageProblem('registry.example.com/team/game:1.2.3'), undefined);
    assert.match(imageProblem('Game:1') ?? '', /not a valid image reference/);
    assert.match(imageProblem('') ?? '', /Enter an image reference/);
    const current = [{ container: 'a', image: 'game:1' }, { container: 'b', image: 'side:1' }];
    assert.deepEqual(changedImages(current, { a: 'docker.io/library/game:1', b: 'side:2' }), [{ container: 'b', image: 'side:2' }]);
    assert.match(String(changedImages(current, {})), /at least one container/);
    assert.equal(addProblem('3'), undefined);
    assert.ok(addProblem('1001') && addProblem('-1') && addProblem('2x'));
    assert.equal(readyProblem('', '3'), undefined);
    assert.equal(readyProblem('4', '3'), 'The ready count (4) is more than the 3 new rooms; at most 3 new-version rooms can be Ready.');
    assert.equal(timeoutProblem('1h30m'), undefined);
    assert.match(timeoutProblem('500ms') ?? '', /from 1s to 24h/);
    const form = { scope: 's', name: 'minecraft', images: { a: 'game:2' }, add: '2', ready: '', timeout: '90s', reclaim: 'kill' as const, fixUpdateStrategy: false };
    assert.deepEqual(toInput(form, 'default', current), { namespace: 'default', gameServerSet: 'minecraft', images: [{ container: 'a', image: 'game:2' }], add: 2, timeoutMs: 90_000, reclaim: 'kill' });
    assert.equal(toInput({ ...form, ready: '3' }, 'default', current), undefined);
  });

  it('the webview bundle imports no node module', function () {
    const bundle = new URL('../../../dist/webview.js', import.meta.url);
    assert.ok(existsSync(bundle), 'dist/webview.js is missing: run node scripts/build.mjs (npm test does)');
    const js = readFileSync(bundle, 'utf8');
    assert.doesNotMatch(js, /\brequire\(|from ?["']node:|process\.|Buffer\./);
  });
});
