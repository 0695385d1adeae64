// `okg mark` against the sandbox (seed): the workflow's gs-update step done safely, dry run, JSON, a room
// allocated mid-run (exit 1), and bad input — exit 2 with one line and zero writes on the write log.
import { strict as assert } from 'node:assert';
import { after, afterEach, before, describe, it } from 'mocha';
import { opsState as seedOpsState, restoreSeed } from '../helpers/seed.js';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { SEED } from '../../src/sandbox/scenarios.js';
import { markCommand, MARK_HELP } from '../../src/cli/markCommand.js';
import { CONFLICT_ATTEMPTS } from '../../src/release/bulk.js';
import { runVerb } from './run.js';

const run = (argv: string[]) => runVerb(markCommand, argv);

describe('okg mark', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let kc: string[];
  let controller: CustomObjectsApi;
  const opsState = (name: string) => seedOpsState(sandbox, name);
  const operatorWrites = () => sandbox.server.writeLog().filter(e => e.user === 'operator');
  const setOps = (name: string, value: string) =>
    controller.patchNamespacedCustomObject(
      {
        group: 'game.kruise.io',
        version: 'v1alpha1',
        namespace: 'default',
        plural: 'gameservers',
        name,
        body: { spec: { opsState: value } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
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
    kc = ['--kubeconfig', sandbox.kubeconfigPath('operator')];
    // Not subject to fault injection: plays the matchmaker in the mid-run test.
    controller = sandbox.kubeConfig('controller').makeApiClient(CustomObjectsApi);
  });
  after(async () => {
    await sandbox?.stop();
  });
  afterEach(() => restoreSeed(sandbox, setOps));

  it('the seed workflow step: idle old-version rooms become WaitToBeDeleted, the Allocated one is untouched', async () => {
    const r = await run([...workflow, ...kc]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(
      r.out.map(l => l.split(/\s{3,}/)),
      [
        ['NAME', 'RESULT', 'DETAIL'],
        ['minecraft-1', 'changed', 'opsState None → WaitToBeDeleted'],
        ['minecraft-2', 'changed', 'opsState None → WaitToBeDeleted'],
      ].concat([[r.out.at(-1)!]]),
    );
    assert.equal(r.out.at(-1), 'minecraft: 2 of 3 rooms selected; 2 changed, 0 unchanged, 0 skipped, 0 failed');
    assert.deepEqual(r.err, []);
    assert.deepEqual(['minecraft-0', 'minecraft-1', 'minecraft-2'].map(opsState), [
      'Allocated',
      'WaitToBeDeleted',
      'WaitToBeDeleted',
    ]);
    assert.deepEqual(
      operatorWrites()
        .map(e => [e.verb, e.name, e.code])
        .sort(),
      [
        ['patch', 'minecraft-1', 200],
        ['patch', 'minecraft-2', 200],
      ],
    );

    const again = await run([...workflow, ...kc]);
    assert.equal(again.code, 0);
    assert.equal(again.out.at(-1), 'minecraft: 0 of 3 rooms selected; 0 changed, 0 unchanged, 0 skipped, 0 failed');
  });

  it('--dry-run writes nothing and says what would change', async () => {
    const r = await run([...workflow, '--set-deletion-priority', '10', '--dry-run', ...kc]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.match(r.out[1], /^minecraft-1\s+would change\s+opsState None → WaitToBeDeleted, deletionPriority 0 → 10$/);
    assert.equal(
      r.out.at(-1),
      'dry run (nothing written): minecraft: 2 of 3 rooms selected; 2 would change, 0 unchanged, 0 skipped, 0 failed',
    );
    assert.deepEqual(operatorWrites(), []);
    assert.equal(opsState('minecraft-1'), 'None');
  });

  it('-o json: the results and a summary', async () => {
    const r = await run([
      '-n',
      'default',
      '--gss',
      'minecraft',
      '--select-ids',
      '0,1',
      '--set-update-priority',
      '5',
      '-o',
      'json',
      ...kc,
    ]);
    assert.equal(r.code, 0, r.err.join('\n'));
    const doc = JSON.parse(r.out.join('\n')) as {
      selected: number;
      summary: Record<string, number>;
      results: { name: string; outcome: string; to?: object }[];
    };
    assert.equal(doc.selected, 2);
    assert.deepEqual(doc.summary, { changed: 2, unchanged: 0, skipped: 0, failed: 0 });
    assert.deepEqual(
      doc.results.map(x => [x.name, x.outcome, x.to]),
      [
        ['minecraft-0', 'changed', { updatePriority: 5 }],
        ['minecraft-1', 'changed', { updatePriority: 5 }],
      ],
    );
    await run(['-n', 'default', '--gss', 'minecraft', '--select-ids', '0,1', '--set-update-priority', '0', ...kc]);
  });

  it('a room allocated between selection and write is skipped: exit 1, nothing overwritten', async () => {
    sandbox.server.setFaults({ latencyMs: 300 });
    const running = run([...workflow, ...kc]);
    // The operator's patches are logged on arrival, then held 300 ms: allocate minecraft-2 in that window.
    const deadline = Date.now() + 20_000;
    while (!operatorWrites().some(e => e.verb === 'patch')) {
      assert.ok(Date.now() < deadline, 'the patches never came');
      await new Promise(r => setTimeout(r, 2));
    }
    await setOps('minecraft-2', 'Allocated');
    const r = await running;
    assert.equal(r.code, 1);
    assert.match(
      r.out.find(l => l.startsWith('minecraft-2'))!,
      /^minecraft-2\s+skipped\s+Allocated now \(was None at selection\); not overwritten$/,
    );
    assert.match(
      r.out.find(l => l.startsWith('minecraft-1'))!,
      /changed/,
    );
    assert.equal(r.out.at(-1), 'minecraft: 2 of 3 rooms selected; 1 changed, 0 unchanged, 1 skipped, 0 failed');
    assert.deepEqual(r.err, ['okg: 1 of 2 selected rooms did not get the new values (1 skipped, 0 failed)']);
    assert.equal(opsState('minecraft-2'), 'Allocated');
  });

  it('rooms that cannot be written (409 on every try) are reported failed, exit 1, the others go on', async () => {
    sandbox.server.setFaults({ conflictRate: 1 });
    const r = await run([
      '-n',
      'default',
      '--gss',
      'minecraft',
      '--select-ids',
      '1,2',
      '--set-opsstate',
      'Maintaining',
      ...kc,
    ]);
    sandbox.server.setFaults(undefined);
    assert.equal(r.code, 1);
    for (const n of ['minecraft-1', 'minecraft-2']) {
      assert.match(
        r.out.find(l => l.startsWith(n))!,
        /failed\s+cannot patch gameservers\.game\.kruise\.io ".*" in namespace "default": it changed since it was read \(409 Conflict\)/,
      );
      assert.equal(operatorWrites().filter(e => e.name === n).length, CONFLICT_ATTEMPTS, 'retried, still guarded');
    }
    assert.equal(r.out.at(-1), 'minecraft: 2 of 3 rooms selected; 0 changed, 0 unchanged, 0 skipped, 2 failed');
    assert.deepEqual(r.err, ['okg: 2 of 2 selected rooms did not get the new values (0 skipped, 2 failed)']);
  });

  it('an API that fails before any write: one sentence, exit 1', async () => {
    sandbox.server.setFaults({ errorRate: 1, errorCodes: [503] });
    const r = await run([...workflow, ...kc]);
    sandbox.server.setFaults(undefined);
    assert.equal(r.code, 1);
    assert.equal(r.err.length, 1);
    assert.match(
      r.err[0],
      /^okg: the API server https:\/\/127\.0\.0\.1:\d+ failed to get gameserversets\.game\.kruise\.io "minecraft" in namespace "default" \(503/,
    );
    assert.deepEqual(operatorWrites(), []);
  });

  it('a GameServerSet that does not exist: exit 1, zero writes', async () => {
    const r = await run(['-n', 'default', '--gss', 'terraria', '--all', '--set-opsstate', 'Kill', ...kc]);
    assert.equal(r.code, 1);
    assert.match(
      r.err[0],
      /^okg: cannot get gameserversets\.game\.kruise\.io "terraria" in namespace "default": it does not exist/,
    );
    assert.deepEqual(operatorWrites(), []);
  });

  const base = ['-n', 'default', '--gss', 'minecraft'];
  const bad: [string, string[], RegExp][] = [
    ['nothing at all', [], /^okg: -n is required$/],
    ['no --gss', ['-n', 'default', '--all', '--set-opsstate', 'Kill'], /^okg: --gss is required$/],
    ['nothing to set', [...base, '--all'], /give --set-opsstate, --set-deletion-priority or --set-update-priority/],
    ['no selection', [...base, '--set-opsstate', 'Kill'], /give at least one --select-\* flag, or --all/],
    [
      '--all with a selection',
      [...base, '--all', '--select-ids', '1', '--set-opsstate', 'Kill'],
      /--all cannot be combined/,
    ],
    [
      'ordinal not a number',
      [...base, '--select-ids', '1,x', '--set-opsstate', 'Kill'],
      /--select-ids takes whole numbers ≥ 0 separated by commas, got "x"/,
    ],
    [
      'negative ordinal',
      [...base, '--select-ids=-1', '--set-opsstate', 'Kill'],
      /--select-ids takes whole numbers ≥ 0/,
    ],
    ['empty list item', [...base, '--select-ids', '1,,2', '--set-opsstate', 'Kill'], /without empty items/],
    [
      'state in the wrong case',
      [...base, '--select-state', 'ready', '--set-opsstate', 'Kill'],
      /"ready" is not a GameServer state/,
    ],
    [
      'select opsState in the wrong case',
      [...base, '--select-opsstate', 'none', '--set-opsstate', 'Kill'],
      /"none" differs from OKG's "None" only in case/,
    ],
    [
      'GameServers-Updater image syntax',
      [...base, '--select-not-image', `minecraft/${SEED.newImage}`, '--set-opsstate', 'Kill'],
      /is not CONTAINER=IMAGE/,
    ],
    [
      'unknown container',
      [...base, '--select-image', `game=${SEED.newImage}`, '--set-opsstate', 'Kill'],
      /container "game" is not in GameServerSet's template \(containers: minecraft\)/,
    ],
    [
      'malformed image',
      [...base, '--select-not-image', 'minecraft=Registry/UPPER:1', '--set-opsstate', 'Kill'],
      /not a valid image reference/,
    ],
    [
      'set opsState in the wrong case',
      [...base, '--all', '--set-opsstate', 'kill'],
      /"kill" differs from OKG's "Kill" only in case/,
    ],
    ['opsState with spaces', [...base, '--all', '--set-opsstate', 'Wait To Be Deleted'], /not a valid label value/],
    ['opsState too long', [...base, '--all', '--set-opsstate', 'x'.repeat(64)], /at most 63/],
    ['percent priority', [...base, '--all', '--set-deletion-priority', '10%'], /percentage/],
    ['negative priority', [...base, '--all', '--set-deletion-priority=-5'], /negative/],
    ['priority not a number', [...base, '--all', '--set-update-priority', 'high'], /not a whole number/],
    ['unknown output', [...base, '--all', '--set-opsstate', 'Kill', '-o', 'yaml'], /-o must be one of text, json/],
    [
      'typo in a flag',
      [...base, '--select-opstate', 'None', '--set-opsstate', 'Kill'],
      /^okg: unknown flag --select-opstate; run okg mark --help$/,
    ],
    ['positional argument', [...base, 'minecraft-1', '--set-opsstate', 'Kill'], /unexpected argument "minecraft-1"/],
    ['value for a switch', [...base, '--all', '--set-opsstate', 'Kill', '--dry-run=yes'], /--dry-run takes no value/],
    [
      'bad namespace',
      ['-n', 'Games_NS', '--gss', 'minecraft', '--all', '--set-opsstate', 'Kill'],
      /-n "Games_NS" is not a valid Kubernetes name/,
    ],
    [
      'concurrency 0',
      [...base, '--all', '--set-opsstate', 'Kill', '--concurrency', '0'],
      /--concurrency must be from 1 to 100/,
    ],
    ['flag without value', [...base, '--all', '--set-opsstate'], /--set-opsstate needs a value/],
    [
      'Kill on an Allocated room without --include-allocated',
      [...base, '--all', '--set-opsstate', 'Kill'],
      /1 selected room\(s\) are Allocated, players are on them \(minecraft-0\); Kill would let OKG delete them/,
    ],
    [
      'WaitToBeDeleted on an Allocated room',
      [...base, '--select-ids', '0', '--set-opsstate', 'WaitToBeDeleted'],
      /are Allocated.*--include-allocated/,
    ],
  ];
  for (const [what, argv, re] of bad) {
    it(`bad input → exit 2, one line, zero writes: ${what}`, async () => {
      const r = await run([...argv, ...kc]);
      assert.equal(r.code, 2, `${r.err.join('\n')}\n${r.out.join('\n')}`);
      assert.equal(r.err.length, 1, r.err.join('\n'));
      assert.match(r.err[0], /^okg: /);
      assert.doesNotMatch(r.err[0], /\n/);
      assert.match(r.err[0], re);
      assert.deepEqual(r.out, []);
      assert.deepEqual(operatorWrites(), []);
      assert.deepEqual(['minecraft-0', 'minecraft-1', 'minecraft-2'].map(opsState), ['Allocated', 'None', 'None']);
    });
  }

  it('--include-allocated lets an operator mark a room with players on purpose', async () => {
    assert.equal(opsState('minecraft-0'), 'Allocated');
    const k = await run([
      ...base,
      '--select-ids',
      '0',
      '--set-opsstate',
      'WaitToBeDeleted',
      '--include-allocated',
      '--dry-run',
      ...kc,
    ]);
    assert.equal(k.code, 0, k.err.join('\n'));
    assert.ok(
      k.out.some(l => /minecraft-0\s+would change\s+opsState Allocated → WaitToBeDeleted/.test(l)),
      k.out.join('\n'),
    );
    assert.deepEqual(operatorWrites(), []);
  });

  it('several problems are reported together on one line', async () => {
    const r = await run([
      ...base,
      '--select-state',
      'ready',
      '--set-opsstate',
      'kill',
      '--set-deletion-priority',
      '10%',
      ...kc,
    ]);
    assert.equal(r.code, 2);
    assert.equal(r.err.length, 1);
    assert.match(r.err[0], /"ready" is not a GameServer state.*; .*"kill" differs.*; .*percentage/);
    assert.deepEqual(operatorWrites(), []);
  });

  it('--help prints the usage', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.equal(r.out.join('\n'), MARK_HELP);
  });
});
