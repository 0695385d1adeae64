// What resuming a recorded release does and when the wizard asks first (src/webview/resume.ts).
import assert from 'node:assert/strict';
import { resumeConcerns, whatItDoes } from '../../src/webview/resume.js';

const input = {
  namespace: 'default',
  gameServerSet: 'minecraft',
  images: [{ container: 'minecraft', image: 'game:2' }],
  add: 3,
  timeoutMs: 90_000,
  retireOpsStates: ['None'],
  reclaim: 'none' as const,
  fixUpdateStrategy: false,
};

describe('release wizard: resuming a recorded release', () => {
  it('says what the recorded inputs do, one line each', () => {
    assert.deepEqual(whatItDoes(input), [
      'Set the image minecraft=game:2.',
      'Add 3 new rooms.',
      'Wait until every new room is Ready.',
      'Retire idle old rooms whose opsState is None.',
      'Leave the retired rooms for the scaler (no reclaim).',
      'Wait at most 90s at each step.',
    ]);
    const { add: _add, ...noAdd } = input;
    assert.deepEqual(
      whatItDoes({
        ...noAdd,
        replicas: 8,
        ready: 2,
        reclaim: 'scale-down',
        fixUpdateStrategy: true,
        timeoutMs: 5400_000,
      }).slice(1),
      [
        'Scale minecraft to 8 replicas.',
        'Wait until 2 new-version rooms are Ready.',
        'Retire idle old rooms whose opsState is None.',
        'Lower replicas by the number of retired rooms.',
        'Drop rollingUpdate from the update strategy, so OnDelete really applies.',
        'Wait at most 90m at each step.',
        'Before reclaim, wait 2s after marking and re-read the rooms.',
      ],
    );
  });

  it('asks nothing for a record made here with the defaults; names each reason otherwise', () => {
    assert.deepEqual(resumeConcerns({ holder: 'me@here (pid 1)', mine: true, input }), []);
    assert.deepEqual(
      resumeConcerns({ holder: 'me@here (pid 1)', mine: true, input: { ...input, reclaim: 'scale-down' } }),
      [],
      "scale-down is the form's own choice",
    );
    assert.deepEqual(resumeConcerns({ holder: 'alice@elsewhere (pid 7)', mine: false, input }), [
      'It was made by alice@elsewhere (pid 7), not by you on this machine.',
    ]);
    assert.deepEqual(
      resumeConcerns({ holder: 'h', mine: true, input: { ...input, retireOpsStates: ['None', 'Playing'] } }),
      ['It retires rooms in opsState None, Playing: the wizard only ever retires None.'],
    );
    assert.deepEqual(resumeConcerns({ holder: 'h', mine: true, input: { ...input, retireOpsStates: ['Playing'] } }), [
      'It retires rooms in opsState Playing: the wizard only ever retires None.',
    ]);
    const { add: _add, ...noAdd } = input;
    assert.deepEqual(
      resumeConcerns({
        holder: 'h',
        mine: true,
        input: { ...noAdd, replicas: 9, reclaim: 'kill', fixUpdateStrategy: true },
      }),
      [
        'It scales to 9 replicas, which the wizard does not offer (it adds rooms).',
        'It sets the retired rooms to Kill: OKG deletes them at once.',
        'It changes the update strategy of the GameServerSet (drops rollingUpdate).',
      ],
    );
  });
});
