// The message contract's validators and the wizard's form checks, in plain Node (no browser), plus the rule
// that the webview bundle is browser-only: no node module reaches dist/webview.js. The compile-time half of
// the contract (types derived from the schemas, one handler per message type) is protocol.types.ts.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readHostMessage, readWebviewMessage, type HostMessage } from '../../src/webview/protocol.js';
import { dispatch, type Handlers } from '../../src/webview/schema.js';
import { parseDuration, validateInput } from '../../src/release/validate.js';
import {
  addProblem,
  changedImages,
  failFastProblem,
  imageProblem,
  readyProblem,
  settleProblem,
  timeoutProblem,
  toInput,
} from '../../src/webview/form.js';

const input = {
  namespace: 'default',
  gameServerSet: 'minecraft',
  images: [{ container: 'minecraft', image: 'game:2' }],
  add: 3,
  timeoutMs: 600_000,
  reclaim: 'none',
};
const webviewProblem = (m: unknown) => {
  const r = readWebviewMessage(m);
  return r.ok ? undefined : r.problem;
};
const hostProblem = (m: unknown) => {
  const r = readHostMessage(m);
  return r.ok ? undefined : r.problem;
};
const target = {
  scope: 's1',
  scopeLabel: 'ctx / default',
  namespace: 'default',
  name: 'minecraft',
  replicas: 3,
  readyReplicas: 3,
  rooms: 3,
  images: input.images,
  onDeleteInForce: true,
};

describe('release wizard: message contract and form checks', () => {
  it('accepts the webview messages of the contract and names the path of anything else, never the value', () => {
    for (const m of [
      { type: 'ready', version: 3 },
      { type: 'refresh' },
      { type: 'preview', seq: 1, scope: 's1', input },
      { type: 'run', scope: 's1', input },
      { type: 'preview', seq: 1, scope: 's1', resume: { gameServerSet: 'minecraft', id: 'rel-20260101T000000Z-ab12' } },
      { type: 'run', scope: 's1', resume: { gameServerSet: 'minecraft', id: 'rel-20260101T000000Z-ab12' } },
      { type: 'cancel' },
      { type: 'export-argo', seq: 2 },
      { type: 'close' },
      { type: 'rejected', reason: 'message.x: missing' },
    ]) {
      assert.equal(webviewProblem(m), undefined, JSON.stringify(m));
    }
    const cases: [unknown, string][] = [
      [undefined, 'message: not an object'],
      [{ type: 'eval' }, 'message.type: unknown message type'],
      [{ type: 'toString' }, 'message.type: unknown message type'],
      [
        { type: 'preview', seq: 1, scope: 's1', input: { ...input, gameServerSet: '<b>x</b>' } },
        'message.input.gameServerSet: not a Kubernetes name',
      ],
      [{ type: 'preview', seq: 1, scope: 's 1', input }, 'message.scope: not an id'],
      [
        { type: 'run', scope: 's1', input: { ...input, add: 2.5 } },
        'message.input.add: not a whole number from 1 to 1000',
      ],
      [
        { type: 'run', scope: 's1', input: { ...input, reclaim: 'all' } },
        'message.input.reclaim: not one of none, scale-down, kill',
      ],
      [
        { type: 'run', scope: 's1', input: { ...input, images: [{ container: 'Main', image: 'x' }] } },
        'message.input.images[0].container: not a container name',
      ],
      [{ type: 'run', scope: 's1', input: { ...input, images: [] } }, 'message.input.images: fewer than 1 items'],
      [{ type: 'export-argo' }, 'message.seq: missing'],
      [
        { type: 'preview', seq: 1, scope: 's1', resume: { gameServerSet: 'minecraft', id: 'bad id' } },
        'message.resume.id: not an id',
      ],
    ];
    for (const [m, why] of cases) assert.equal(webviewProblem(m), why);
  });

  it('refuses keys the contract does not name, at every level, naming a hostile key by position only', () => {
    assert.equal(webviewProblem({ type: 'cancel', force: true }), 'message.force: not allowed');
    assert.equal(
      webviewProblem({
        type: 'preview',
        seq: 1,
        scope: 's1',
        input: { ...input, images: [{ ...input.images[0], pullPolicy: 'Always' }] },
      }),
      'message.input.images[0].pullPolicy: not allowed',
    );
    assert.equal(
      webviewProblem(JSON.parse('{"type":"refresh","__proto__":{"x":1}}')),
      'message: has a key that is not allowed',
    );
    assert.equal(webviewProblem({ type: 'refresh', '<img src=x>': 1 }), 'message: has a key that is not allowed');
    assert.equal(
      hostProblem({ type: 'targets', targets: [{ ...target, html: '<b>' }] }),
      'message.targets[0].html: not allowed',
    );
    assert.equal(
      hostProblem({ type: 'progress', events: [{ type: 'warning', message: 'w', level: 'x' }] }),
      'message.events[0].level: not allowed',
    );
    assert.equal(
      hostProblem({ type: 'preview-result', seq: 1, ok: false, message: 'm', plan: {} }),
      'message.ok: not true',
    );
  });

  it('the webview may only ask for what its form offers: no retire states, no replicas, no timeout beyond 24h, not both a form and a resume', () => {
    // Without this, ["None","Playing"] made the preview retire a room in the custom opsState Playing.
    assert.equal(
      webviewProblem({
        type: 'preview',
        seq: 1,
        scope: 's1',
        input: { ...input, retireOpsStates: ['None', 'Playing'] },
      }),
      'message.input.retireOpsStates: not allowed',
    );
    assert.equal(
      webviewProblem({ type: 'run', scope: 's1', input: { ...input, retireOpsStates: ['None', 'Playing'] } }),
      'message.input.retireOpsStates: not allowed',
    );
    assert.equal(
      webviewProblem({ type: 'run', scope: 's1', input: { ...input, replicas: 9 } }),
      'message.input.replicas: not allowed',
    );
    assert.equal(
      webviewProblem({ type: 'run', scope: 's1', input: { ...input, timeoutMs: 48 * 3600_000 } }),
      'message.input.timeoutMs: not a whole number from 1000 to 86400000',
    );
    const { add: _add, ...noAdd } = input;
    assert.equal(webviewProblem({ type: 'run', scope: 's1', input: noAdd }), 'message.input.add: missing');
    assert.equal(
      webviewProblem({ type: 'run', scope: 's1', input, resume: { gameServerSet: 'minecraft', id: 'rel-1' } }),
      'message.resume: not allowed',
    );
    // A resume names a release; its inputs come from the record, never from the webview.
    assert.equal(
      webviewProblem({ type: 'run', scope: 's1', resume: { gameServerSet: 'minecraft', id: 'rel-1', input } }),
      'message.resume.input: not allowed',
    );
  });

  it('checks host messages deeply (plans, events, targets, the resume offer)', () => {
    assert.equal(hostProblem({ type: 'init', version: 3, targets: [] }), undefined);
    assert.equal(
      hostProblem({ type: 'progress', events: [{ type: 'warning', message: '<img src=x>' }] }),
      undefined,
      'free text is text',
    );
    assert.equal(
      hostProblem({
        type: 'progress',
        events: [{ type: 'step-started', step: 'rm -rf', index: 1, total: 8, title: 't' }],
      }),
      'message.events[0].step: not one of lock, patch-image, wait-generation, scale, wait-ready, mark, reclaim, unlock',
    );
    assert.equal(hostProblem({ type: 'preview-result', seq: 1, ok: true, message: 'm' }), 'message.plan: missing');
    assert.equal(
      hostProblem({ type: 'notice', level: 'info', message: 'x'.repeat(9000) }),
      'message.message: longer than 8192 characters',
    );
    assert.equal(
      hostProblem({
        type: 'progress',
        events: [{ type: 'failed', id: '', step: 'lock', outcome: 'failed', message: 'no' }],
      }),
      undefined,
    );
    assert.equal(
      hostProblem({
        type: 'progress',
        events: [
          {
            type: 'done',
            id: 'rel-1',
            summary: { retired: ['<x>'], skipped: [], reclaimed: 0, finalReplicas: 1, requests: 1 },
          },
        ],
      }),
      'message.events[0].summary.retired[0]: not a Kubernetes name',
    );
    assert.equal(
      hostProblem({
        type: 'progress',
        events: [],
        rooms: [{ name: 'm-1', version: 'old', state: 'Ready', opsState: 'None', html: '<b>' }],
      }),
      'message.rooms[0].html: not allowed',
    );
    assert.equal(
      hostProblem({
        type: 'progress',
        events: [{ type: 'step-progress', step: 'mark', message: 'm', rooms: ['<x>'] }],
      }),
      'message.events[0].rooms[0]: not a Kubernetes name',
    );
    assert.equal(
      hostProblem({
        type: 'progress',
        events: [],
        sample: { t: 0, old: 1, newReady: 0, newNotReady: 0, marked: 0, reclaimed: -1 },
      }),
      'message.sample.reclaimed: not a whole number from 0 to 1000000',
    );
    const offer = {
      id: 'rel-1',
      step: 'mark',
      state: 'cancelled',
      holder: 'alice@elsewhere (pid 7)',
      mine: false,
      startedAt: '2026-01-01T00:00:00.000Z',
      input: { ...input, retireOpsStates: ['None', 'Playing'] },
    };
    assert.equal(
      hostProblem({ type: 'targets', targets: [{ ...target, interrupted: offer }] }),
      undefined,
      'the host shows a record with its own inputs',
    );
    const { mine: _mine, ...noMine } = offer;
    assert.equal(
      hostProblem({ type: 'targets', targets: [{ ...target, interrupted: noMine }] }),
      'message.targets[0].interrupted.mine: missing',
    );
  });

  it('dispatch calls the one handler of the message type, with that message', () => {
    const seen: string[] = [];
    const handlers: Handlers<HostMessage, number> = {
      init: m => m.targets.length,
      targets: m => m.targets.length,
      select: m => m.name.length,
      'preview-result': m => m.seq,
      'rollback-preview-result': m => m.seq,
      'run-started': () => 1,
      progress: m => {
        seen.push(...m.events.map(e => e.type));
        return 2;
      },
      'run-result': () => 3,
      notice: m => m.message.length,
    };
    const r = readHostMessage({ type: 'progress', events: [{ type: 'warning', message: 'w' }] });
    assert.ok(r.ok);
    assert.equal(dispatch(handlers, r.message), 2);
    assert.deepEqual(seen, ['warning']);
    assert.equal(dispatch(handlers, { type: 'notice', level: 'info', message: 'four' }), 4);
  });

  it('form checks: images, counts, ready ≤ new rooms, durations; the engine input of a valid form passes the contract', () => {
    assert.equal(imageProblem('registry.example.com/team/game:1.2.3'), undefined);
    assert.match(imageProblem('Game:1') ?? '', /not a valid image reference/);
    assert.match(imageProblem('') ?? '', /Enter an image reference/);
    const current = [
      { container: 'a', image: 'game:1' },
      { container: 'b', image: 'side:1' },
    ];
    assert.deepEqual(changedImages(current, { a: 'docker.io/library/game:1', b: 'side:2' }), [
      { container: 'b', image: 'side:2' },
    ]);
    assert.match(String(changedImages(current, {})), /at least one container/);
    assert.equal(addProblem('3'), undefined);
    assert.ok(addProblem('1001') && addProblem('-1') && addProblem('2x'));
    assert.equal(readyProblem('', '3'), undefined);
    assert.equal(
      readyProblem('4', '3'),
      'The ready count (4) is more than the 3 new rooms; at most 3 new-version rooms can be Ready.',
    );
    assert.equal(timeoutProblem('1h30m'), undefined);
    assert.match(timeoutProblem('500ms') ?? '', /from 1s to 24h/);
    const form = {
      scope: 's',
      name: 'minecraft',
      images: { a: 'game:2' },
      add: '2',
      ready: '',
      timeout: '90s',
      settle: '1.5s',
      failFast: '0',
      reclaim: 'kill' as const,
      fixUpdateStrategy: true,
    };
    const made = toInput(form, 'default', current);
    assert.deepEqual(made, {
      namespace: 'default',
      gameServerSet: 'minecraft',
      images: [{ container: 'a', image: 'game:2' }],
      add: 2,
      timeoutMs: 90_000,
      settleMs: 1500,
      failFastAfterMs: 0,
      reclaim: 'kill',
      fixUpdateStrategy: true,
    });
    assert.equal(webviewProblem({ type: 'run', scope: 's', input: made }), undefined);
    assert.equal(
      webviewProblem({
        type: 'run',
        scope: 's',
        input: toInput(
          { ...form, add: '1000', ready: '1000', timeout: '24h', settle: '10m', failFast: '24h' },
          'default',
          current,
        ),
      }),
      undefined,
      "the form's bounds are the contract's",
    );
    assert.equal(toInput({ ...form, ready: '3' }, 'default', current), undefined);
    assert.equal(toInput({ ...form, settle: '11m' }, 'default', current), undefined);
    assert.equal(toInput({ ...form, failFast: 'soon' }, 'default', current), undefined);
  });

  it('the settle window and stop-early fields accept exactly what the engine (and so the CLI) accepts', () => {
    const base = {
      namespace: 'default',
      gameServerSet: 'minecraft',
      images: [{ container: 'a', image: 'game:2' }],
      add: 1,
    };
    const engineTakes = (key: 'settleMs' | 'failFastAfterMs', text: string): boolean => {
      const ms = parseDuration(text);
      if (typeof ms === 'string') return false;
      try {
        validateInput({ ...base, [key]: ms });
        return true;
      } catch {
        return false;
      }
    };
    for (const t of [
      '0',
      '2',
      '2s',
      '500ms',
      '1.5s',
      '10m',
      '10m1s',
      '11m',
      '24h',
      '24h1s',
      '25h',
      'soon',
      '',
      '-1s',
    ]) {
      assert.equal(settleProblem(t) === undefined, engineTakes('settleMs', t), `settle "${t}"`);
      assert.equal(failFastProblem(t) === undefined, engineTakes('failFastAfterMs', t), `fail-fast "${t}"`);
    }
    assert.equal(settleProblem('11m'), 'The settle window must be from 0 (no wait) to 10 min.');
    assert.equal(failFastProblem('25h'), 'The stop-early grace period must be from 0 (off) to 24h.');
    assert.match(settleProblem('soon') ?? '', /^"soon" is not a duration/i);
  });

  it('the webview bundle imports no node module, needs no eval, and stays within its 150 KB budget', function () {
    const bundle = new URL('../../../dist/webview.js', import.meta.url);
    assert.ok(existsSync(bundle), 'dist/webview.js is missing: run node scripts/build.mjs (npm test does)');
    const js = readFileSync(bundle, 'utf8');
    assert.doesNotMatch(js, /\brequire\(|from ?["']node:|process\.|Buffer\./);
    assert.doesNotMatch(js, /\beval\(|new Function\(/, 'the CSP allows no eval');
    // The size of the built file (scripts/build.mjs fails above it too): not a timing, a budget.
    const kb = statSync(bundle).size / 1024;
    assert.ok(kb <= 150, `dist/webview.js is ${kb.toFixed(1)} KB, over its 150 KB budget`);
  });
});
