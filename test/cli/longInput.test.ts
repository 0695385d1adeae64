// Input echoed in an error is cut to about 120 characters: a 10,000-character value given to any flag of
// `okg release`, `okg mark` or `okg` itself gives one short line (the start of the value and its length).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { markCommand } from '../../src/cli/markCommand.js';
import { releaseCommand } from '../../src/cli/releaseCommand.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { GSS, NEW, NS, startWorld } from '../release/helpers.js';
import { runVerb, type Verb } from './run.js';

const LONG = 10_000;
/** A 10,000-character image reference (too long, and its tag is too long). */
const IMAGE = `registry.example.com/game:${'a'.repeat(LONG - 26)}`;
const X = 'x'.repeat(LONG);

const run = runVerb;

describe('okg: long input is clipped in errors', function () {
  this.timeout(60_000);
  let sb: Sandbox;
  let kc: string;
  before(async () => {
    sb = await startWorld();
    kc = sb.kubeconfigPath('admin');
  });
  after(async () => {
    await sb?.stop();
  });

  const release = (...a: string[]) => ['-n', NS, '--gss', GSS, '--add', '3', '--kubeconfig', kc, ...a];
  const mark = (...a: string[]) => ['-n', NS, '--gss', GSS, '--kubeconfig', kc, ...a];
  const cases: [string, Verb, () => string[], number][] = [
    ['release --image C=<10,000-character image>', releaseCommand, () => release('--image', `minecraft=${IMAGE}`), 2],
    ['release --image <10,000 characters without "=">', releaseCommand, () => release('--image', X), 2],
    [
      'release --add <10,000 characters>',
      releaseCommand,
      () => [...release('--image', `minecraft=${NEW}`).filter(a => a !== '3' && a !== '--add'), '--add', X],
      2,
    ],
    [
      'release --timeout <10,000 characters>',
      releaseCommand,
      () => release('--image', `minecraft=${NEW}`, '--timeout', X),
      2,
    ],
    [
      'release --reclaim <10,000 characters>',
      releaseCommand,
      () => release('--image', `minecraft=${NEW}`, '--reclaim', X),
      2,
    ],
    [
      'release -n <10,000 characters>',
      releaseCommand,
      () => ['-n', X, '--gss', GSS, '--add', '3', '--image', `minecraft=${NEW}`, '--kubeconfig', kc],
      2,
    ],
    [
      'release --gss <10,000 characters>',
      releaseCommand,
      () => ['-n', NS, '--gss', X, '--add', '3', '--image', `minecraft=${NEW}`, '--kubeconfig', kc],
      2,
    ],
    ['release -o <10,000 characters>', releaseCommand, () => release('--image', `minecraft=${NEW}`, '-o', X), 2],
    [
      'release --take-over <10,000 characters>',
      releaseCommand,
      () => release('--image', `minecraft=${NEW}`, '--take-over', X),
      2,
    ],
    ['release --<10,000-character flag>', releaseCommand, () => release('--image', `minecraft=${NEW}`, `--${X}`), 2],
    [
      'mark --select-image C=<10,000-character image>',
      markCommand,
      () => mark('--select-image', `minecraft=${IMAGE}`, '--set-opsstate', 'WaitToBeDeleted'),
      2,
    ],
    [
      'mark --select-ids <10,000 characters>',
      markCommand,
      () => mark('--select-ids', X, '--set-opsstate', 'WaitToBeDeleted'),
      2,
    ],
    [
      'mark --select-state <10,000 characters>',
      markCommand,
      () => mark('--select-state', X, '--set-opsstate', 'WaitToBeDeleted'),
      2,
    ],
    [
      'mark --set-deletion-priority <10,000 characters>',
      markCommand,
      () => mark('--all', '--set-deletion-priority', X),
      2,
    ],
    [
      'mark --concurrency <10,000 characters>',
      markCommand,
      () => mark('--all', '--set-opsstate', 'None', '--concurrency', X),
      2,
    ],
    [
      'mark --gss <10,000 characters>',
      markCommand,
      () => ['-n', NS, '--gss', X, '--all', '--set-opsstate', 'None', '--kubeconfig', kc],
      2,
    ],
  ];

  for (const [name, cmd, argv, code] of cases) {
    it(`${name}: one short line naming the length`, async () => {
      sb.server.clearWriteLog();
      const r = await run(cmd, argv());
      assert.equal(r.code, code, r.err.join('\n').slice(0, 500));
      assert.equal(r.err.length, 1);
      assert.ok(r.err[0].length < 400, `${r.err[0].length} characters: ${r.err[0].slice(0, 300)}…`);
      assert.match(r.err[0], /… \(\d{5} characters\)/);
      assert.deepEqual(
        sb.server.writeLog().filter(w => w.user !== 'controller'),
        [],
      );
    });
  }

  it('okg <10,000-character command>: one short line, exit 2', () => {
    const r = spawnSync(process.execPath, [join('out', 'src', 'cli', 'main.js'), X], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr.slice(0, 300));
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.ok(lines[0].length < 400, lines[0].slice(0, 300));
    assert.match(lines[0], /^okg: unknown command "x{120}… \(10000 characters\)"; run okg --help$/);
  });
});
