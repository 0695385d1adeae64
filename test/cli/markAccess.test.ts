// `okg mark` checks access before the first write: a read-only user gets one line naming what is denied, exit 1,
// and not a single write reaches the API server (the sandbox's write log); a dry run needs no write access.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'mocha';
import { markCommand } from '../../src/cli/markCommand.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import { opsState } from '../helpers/seed.js';
import { runVerb } from './run.js';

const run = (argv: string[]) => runVerb(markCommand, argv);

describe('okg mark: access is checked before the first write', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  const workflow = [
    '-n',
    'default',
    '--gss',
    'minecraft',
    '--select-opsstate',
    'None',
    '--select-not-image',
    `minecraft=${SEED.newImage}`,
    '--set-opsstate',
    'WaitToBeDeleted',
  ];

  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed', readyAfterMs: 50 });
  });
  after(async () => {
    await sandbox?.stop();
  });

  it('a read-only user: one line, exit 1, zero writes, rooms unchanged', async () => {
    sandbox.server.clearWriteLog();
    const r = await run([...workflow, '--kubeconfig', sandbox.kubeconfigPath('viewer')]);
    assert.equal(r.code, 1, r.err.join('\n'));
    assert.deepEqual(r.out, [], 'no per-room lines');
    assert.equal(r.err.length, 1, r.err.join('\n'));
    assert.match(r.err[0], /^okg: you may not patch gameservers\.game\.kruise\.io in namespace "default"/);
    assert.match(r.err[0], /nothing was changed/);
    assert.deepEqual(
      sandbox.server.writeLog().filter(w => w.user === 'viewer'),
      [],
      'no write reached the API server',
    );
    assert.deepEqual(
      ['minecraft-1', 'minecraft-2'].map(n => opsState(sandbox, n)),
      ['None', 'None'],
    );
  });

  it('a read-only user may still dry-run (nothing is written either way)', async () => {
    sandbox.server.clearWriteLog();
    const r = await run([...workflow, '--dry-run', '--kubeconfig', sandbox.kubeconfigPath('viewer')]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.match(r.out.at(-1)!, /dry run \(nothing written\): minecraft: 2 of 3 rooms selected; 2 would change/);
    assert.deepEqual(
      sandbox.server.writeLog().filter(w => w.user === 'viewer'),
      [],
    );
  });
});
