// The protected-context rule in the CLI (issue 14): on a context matching OKG_PROTECTED_CONTEXTS or
// --protected-contexts, okg mark / okg release / okg rollback refuse without --yes when there is no terminal (one line,
// exit 2, zero writes on the sandbox's write log), ask for the set's name on a terminal, and run with --yes.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import { markCommand } from '../../src/cli/markCommand.js';
import { protectedGate } from '../../src/cli/protected.js';

describe('okg: protected contexts', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let kubeconfig: string;
  let admin: string;
  const writes = () => sandbox.server.writeLog().filter(e => e.user !== 'controller');
  const mark = () => [
    '-n',
    'default',
    '--gss',
    'minecraft',
    '--select-ids',
    '2',
    '--set-opsstate',
    'Maintaining',
    '--kubeconfig',
    kubeconfig,
  ];
  // No terminal here (spawnSync pipes stdin). The gate runs before any request; a command that got past it
  // would wait on this blocked process's sandbox, so the timeout turns that into a failure, not a hang.
  const cli = (argv: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [join('out', 'src', 'cli', 'main.js'), ...argv], {
      encoding: 'utf8',
      timeout: 15_000,
      env: { ...process.env, OKG_PROTECTED_CONTEXTS: '', ...env },
    });

  // A run that gets past the gate needs this process's sandbox to answer: spawned without blocking.
  const cliRuns = (argv: string[], env: Record<string, string> = {}) =>
    new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
      const p = spawn(process.execPath, [join('out', 'src', 'cli', 'main.js'), ...argv], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, OKG_PROTECTED_CONTEXTS: '', ...env },
      });
      let stderr = '';
      p.stderr.on('data', d => (stderr += d));
      p.on('error', reject);
      p.on('close', status => resolve({ status, stderr }));
    });

  before(async () => {
    sandbox = await startSandbox({ scenario: 'seed', readyAfterMs: 50 });
    kubeconfig = sandbox.kubeconfigPath('operator');
    admin = sandbox.kubeconfigPath('admin');
  });
  after(async () => {
    await sandbox?.stop();
  });

  it('okg mark on a protected context without --yes and without a terminal: one line, exit 2, zero writes', () => {
    sandbox.server.clearWriteLog();
    for (const r of [
      cli(['mark', ...mark(), '--protected-contexts', '*sandbox*']),
      cli(['mark', ...mark()], { OKG_PROTECTED_CONTEXTS: 'prod-*, okg-*' }),
    ]) {
      assert.equal(r.status, 2, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(
        lines[0],
        /^okg: context okg-sandbox\S* is protected \(.+\); okg mark writes to it only with --yes or the set name typed on a terminal; nothing was changed$/,
      );
    }
    assert.deepEqual(writes(), []);
  });

  // Flags with which okg release (and then okg rollback) really runs and writes: so a refusal is the gate's.
  const release = () => [
    'release',
    '-n',
    'default',
    '--gss',
    'minecraft',
    '--image',
    `${SEED.container}=${SEED.newImage}`,
    '--add',
    '1',
    '--kubeconfig',
    admin,
  ];
  const rollback = () => ['rollback', '-n', 'default', '--gss', 'minecraft', '--kubeconfig', admin];
  const refusal = (command: string) =>
    new RegExp(
      `^okg: context okg-sandbox\\S* is protected \\(\\*sandbox\\*\\); okg ${command} writes to it only with --yes or the set name typed on a terminal; nothing was changed$`,
    );

  it('okg release and okg rollback on a protected context without --yes: refused, zero writes; with --yes they run', async () => {
    sandbox.server.clearWriteLog();
    const refused = cli([...release(), '--protected-contexts=*sandbox*']);
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr.trim(), refusal('release'));
    assert.equal(refused.stdout, '', 'not even the plan: nothing was read');
    assert.deepEqual(writes(), []);
    const ran = await cliRuns([...release(), '--protected-contexts=*sandbox*', '--yes']);
    assert.equal(ran.status, 0, ran.stderr);
    assert.ok(writes().length > 0, 'the same flags with --yes release');

    sandbox.server.clearWriteLog();
    const noRollback = cli(rollback(), { OKG_PROTECTED_CONTEXTS: '*sandbox*' });
    assert.equal(noRollback.status, 2, noRollback.stderr);
    assert.match(noRollback.stderr.trim(), refusal('rollback'));
    assert.deepEqual(writes(), []);
    const rolled = await cliRuns([...rollback(), '--yes'], { OKG_PROTECTED_CONTEXTS: '*sandbox*' });
    assert.equal(rolled.status, 0, rolled.stderr);
    assert.ok(writes().length > 0, 'the same flags with --yes roll back');
  });

  it('on a terminal asks for the set name: a wrong name refuses, the right one runs', async () => {
    const err: string[] = [];
    const questions: string[] = [];
    const wrong = await protectedGate('mark', [...mark(), '--protected-contexts', '*sandbox*'], {
      err: l => err.push(l),
      isTTY: true,
      ask: async q => {
        questions.push(q);
        return 'minecraf';
      },
    });
    assert.equal(wrong.code, 2);
    assert.match(questions[0], /is protected; type the GameServerSet's name \(minecraft\) to run okg mark: $/);
    assert.match(
      err[0],
      /^okg: "minecraf" is not minecraft; okg mark did not run on protected context \S+; nothing was changed$/,
    );
    const right = await protectedGate('mark', [...mark(), '--protected-contexts', '*sandbox*'], {
      err: l => err.push(l),
      isTTY: true,
      ask: async () => 'minecraft',
    });
    assert.equal(right.code, undefined);
    assert.deepEqual(right.argv, mark(), 'its own flag is taken out; the command parses the rest strictly');
  });

  it('with --yes (or an unprotected context) the command runs and writes', async () => {
    sandbox.server.clearWriteLog();
    const unprotected = await protectedGate('mark', [...mark(), '--protected-contexts', 'prod-*'], {
      err: () => undefined,
      isTTY: false,
    });
    assert.equal(unprotected.code, undefined);
    const gate = await protectedGate('mark', [...mark(), '--protected-contexts', '*sandbox*', '--yes'], {
      err: () => undefined,
      isTTY: false,
    });
    assert.equal(gate.code, undefined);
    const out: string[] = [];
    assert.equal(
      await markCommand(
        gate.argv,
        l => out.push(l),
        () => undefined,
      ),
      0,
      out.join('\n'),
    );
    assert.equal(writes().length, 1);
  });
});
