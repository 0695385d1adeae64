// Room selection: AND-ed criteria, image matching on pod spec and running image, and one-line validation.
import { strict as assert } from 'node:assert';
import { describe, it } from 'mocha';
import type { GameServerSetView, RoomView } from '../../src/cluster/okg.js';
import { parseContainerImage, selectRooms, validateSelector } from '../../src/release/selection.js';

const OLD = 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2';
const NEW = 'registry.cn-hangzhou.aliyuncs.com/acs/minecraft-demo:1.12.2-new';
const SIDECAR = 'registry.example.com/tools/log-agent:3.2.1';

function room(ordinal: number, over: Partial<RoomView> = {}): RoomView {
  const images = over.images ?? [
    { container: 'minecraft', image: OLD },
    { container: 'sidecar', image: SIDECAR },
  ];
  return {
    uid: `uid-${ordinal}`,
    name: `minecraft-${ordinal}`,
    namespace: 'default',
    gameServerSet: 'minecraft',
    ordinal,
    resourceVersion: '1',
    state: 'Ready',
    opsState: 'None',
    deletionPriority: '0',
    updatePriority: '0',
    networkDisabled: false,
    networkState: '',
    storedSpec: { opsState: 'None', deletionPriority: 0, updatePriority: 0 },
    images,
    runningImages: images,
    terminating: false,
    creationTimestamp: '2026-01-01T00:00:00Z',
    ...over,
  };
}

const gss = {
  name: 'minecraft',
  images: [
    { container: 'minecraft', image: NEW },
    { container: 'sidecar', image: SIDECAR },
  ],
} as GameServerSetView;

const names = (rs: RoomView[]) => rs.map(r => r.name);

describe('release/selection', () => {
  const newImages = [
    { container: 'minecraft', image: NEW },
    { container: 'sidecar', image: SIDECAR },
  ];
  const rooms = [
    room(0, { opsState: 'Allocated' }),
    room(1),
    room(2, { state: 'NotReady' }),
    room(3, { images: newImages }),
    room(4, { images: newImages, opsState: 'Maintaining', deletionPriority: '5', networkDisabled: true }),
    // pod spec already says new, the runtime still runs the old image: not new yet
    room(5, {
      images: newImages,
      runningImages: [
        { container: 'minecraft', image: OLD },
        { container: 'sidecar', image: SIDECAR },
      ],
    }),
  ];

  it('an empty selector selects every room, in order', () => {
    assert.deepEqual(names(selectRooms(rooms, {})), names(rooms));
  });

  it('ANDs every criterion', () => {
    assert.deepEqual(names(selectRooms(rooms, { opsStates: ['None'], states: ['Ready'] })), [
      'minecraft-1',
      'minecraft-3',
      'minecraft-5',
    ]);
    assert.deepEqual(names(selectRooms(rooms, { opsStates: ['None'], states: ['Ready'], ordinals: [1, 2, 3] })), [
      'minecraft-1',
      'minecraft-3',
    ]);
    assert.deepEqual(
      names(selectRooms(rooms, { names: ['minecraft-4'], networkDisabled: true, deletionPriority: '5' })),
      ['minecraft-4'],
    );
    assert.deepEqual(names(selectRooms(rooms, { names: ['minecraft-4'], networkDisabled: false })), []);
  });

  it('list criteria match any of their values', () => {
    assert.deepEqual(names(selectRooms(rooms, { opsStates: ['Allocated', 'Maintaining'] })), [
      'minecraft-0',
      'minecraft-4',
    ]);
  });

  it('the seed workflow: idle rooms not running the new image (runtime included)', () => {
    const sel = { opsStates: ['None'], notImages: [{ container: 'minecraft', image: NEW }] };
    assert.deepEqual(names(selectRooms(rooms, sel)), ['minecraft-1', 'minecraft-2', 'minecraft-5']);
  });

  it('images compare normalised (docker.io/library, default tag, tag@digest from the runtime)', () => {
    const r = room(9, {
      images: [{ container: 'minecraft', image: 'nginx' }],
      runningImages: [
        {
          container: 'minecraft',
          image:
            'docker.io/library/nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        },
      ],
    });
    assert.equal(
      selectRooms([r], { images: [{ container: 'minecraft', image: 'docker.io/library/nginx:latest' }] }).length,
      1,
    );
    assert.equal(selectRooms([r], { notImages: [{ container: 'minecraft', image: 'nginx:latest' }] }).length, 0);
  });

  it('every image pair counts (GameServers-Updater kept only the last one)', () => {
    const twoPairs = {
      images: [
        { container: 'minecraft', image: NEW },
        { container: 'sidecar', image: 'registry.example.com/tools/log-agent:4.0.0' },
      ],
    };
    assert.deepEqual(names(selectRooms(rooms, twoPairs)), []);
    const bothNew = {
      images: [
        { container: 'minecraft', image: NEW },
        { container: 'sidecar', image: SIDECAR },
      ],
    };
    assert.deepEqual(names(selectRooms(rooms, bothNew)), ['minecraft-3', 'minecraft-4']);
    const notEither = {
      notImages: [
        { container: 'minecraft', image: NEW },
        { container: 'sidecar', image: 'registry.example.com/tools/log-agent:4.0.0' },
      ],
    };
    assert.deepEqual(names(selectRooms(rooms, notEither)), [
      'minecraft-0',
      'minecraft-1',
      'minecraft-2',
      'minecraft-5',
    ]);
    const notSidecar = {
      notImages: [
        { container: 'minecraft', image: NEW },
        { container: 'sidecar', image: SIDECAR },
      ],
    };
    assert.deepEqual(
      names(selectRooms(rooms, notSidecar)),
      [],
      'every room runs the sidecar image, so none runs neither',
    );
  });

  it('parseContainerImage: pairs and one-line reasons', () => {
    assert.deepEqual(parseContainerImage(`minecraft=${NEW}`), { container: 'minecraft', image: NEW });
    for (const [input, reason] of [
      [`minecraft/${NEW}`, /is not CONTAINER=IMAGE/],
      [`=${NEW}`, /names no container/],
      [`Mine_craft=${NEW}`, /is not a container name/],
      ['minecraft=', /the image is empty/],
      ['minecraft=Registry/UPPER:1', /not a valid image reference/],
      ['minecraft=a b', /white space/],
    ] as const) {
      const r = parseContainerImage(input);
      assert.equal(typeof r, 'string', input);
      assert.match(r as string, reason);
      assert.doesNotMatch(r as string, /\n/);
    }
  });

  it('validateSelector accepts a good selector', () => {
    assert.deepEqual(
      validateSelector(
        {
          ordinals: [0, 7],
          names: ['minecraft-3'],
          opsStates: ['None', 'Busy'],
          states: ['Ready'],
          notImages: [{ container: 'minecraft', image: NEW }],
        },
        gss,
      ),
      [],
    );
  });

  it('validateSelector gives one line per problem', () => {
    const reasons = validateSelector(
      {
        ordinals: [-1, 1.5],
        names: ['other-1', 'minecraft'],
        opsStates: ['none', ''],
        states: ['ready'],
        images: [
          { container: 'game', image: NEW },
          { container: 'minecraft', image: NEW },
          { container: 'minecraft', image: OLD },
        ],
        notImages: [
          { container: 'minecraft', image: 'not an image' },
          { container: 'minecraft', image: NEW },
        ],
        deletionPriority: 'high',
      },
      gss,
    );
    const expected = [
      /ordinal -1 is not a whole number/,
      /ordinal 1.5 is not a whole number/,
      /"other-1" is not a room of GameServerSet minecraft/,
      /"minecraft" is not a room/,
      /"none" differs from OKG's "None" only in case/,
      /an opsState to select is empty/,
      /"ready" is not a GameServer state/,
      /container "game" is not in GameServerSet's template \(containers: minecraft, sidecar\)/,
      /white space/,
      /cannot run both/,
      /is both selected and excluded/,
      /deletionPriority to select "high"/,
    ];
    for (const re of expected)
      assert.ok(
        reasons.some(r => re.test(r)),
        `${re} in ${JSON.stringify(reasons, null, 1)}`,
      );
    for (const r of reasons) assert.doesNotMatch(r, /\n/);
  });
});
