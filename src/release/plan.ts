// planRelease: from the inputs and what the cluster looks like now, everything the release will do —
// checked before any write — with a room-by-room preview and the predicted final table.
import {
  gameServerSetView,
  isNewVersion,
  ordinalOf,
  scaleDownOrder,
  type RawObject,
  type RoomView,
} from '../cluster/okg.js';
import { sameImage } from '../cluster/images.js';
import {
  decideLease,
  describeHolder,
  isFinished,
  parseRecord,
  rawRecord,
  type Holder,
  type RecordDoc,
  type ReleaseRecord,
} from './record.js';
import { MAX_REPLICAS, ReleaseRefused, sameRelease, validateInput } from './validate.js';
import { STEP_TABLE, type TitleArgs } from './steps.js';
import {
  STEPS,
  type NormalizedInput,
  type PlannedStep,
  type PredictedRoom,
  type ProtectReason,
  type ReleaseInput,
  type ReleasePlan,
  type RoomPreview,
} from './types.js';

/** What the plan is computed from: the GameServerSet as read, its rooms, and who asks. */
export interface ReleaseWorld {
  gameServerSet: RawObject;
  rooms: RoomView[];
  holder: Holder;
  now: number;
}

export const ONDELETE_FIX = '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null}}}';

const refused = (m: string): ReleaseRefused => new ReleaseRefused(m, false);

/** Why a room that is not new is not retired (undefined: it is retired). */
export function protectReason(room: RoomView, retireOpsStates: string[]): ProtectReason | undefined {
  if (room.terminating) return 'terminating';
  if (retireOpsStates.includes(room.opsState)) return undefined;
  switch (room.opsState) {
    case 'Allocated':
    case 'Maintaining':
    case 'Kill':
    case 'WaitToBeDeleted':
      return room.opsState;
    default:
      return 'custom opsState';
  }
}

function reservedOrdinals(gss: RawObject): Set<number> {
  const out = new Set<number>();
  const ids = (gss.spec?.reserveGameServerIds as (number | string)[] | undefined) ?? [];
  for (const id of ids) {
    if (typeof id === 'number') {
      out.add(id);
      continue;
    }
    const m = /^(\d+)(?:-(\d+))?$/.exec(String(id).trim());
    if (!m) continue;
    for (let i = Number(m[1]); i <= Number(m[2] ?? m[1]) && i - Number(m[1]) < 100_000; i++) out.add(i);
  }
  return out;
}

/** Names OKG will give to `n` new rooms: the lowest free ordinals (General scale strategy). */
function predictNames(gssName: string, rooms: RoomView[], reserved: Set<number>, n: number): string[] {
  const used = new Set(rooms.map(r => r.ordinal));
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) if (!used.has(i) && !reserved.has(i)) out.push(`${gssName}-${i}`);
  return out;
}

/** The plan's warning that a run is taken over; the run leaves it to the lock step, which reports what it did. */
export function takeOverWarning(t: NonNullable<ReleasePlan['takesOver']>): string {
  return `taking over release ${t.release} from ${t.holder} (${t.reason})`;
}

/** The release in progress on this GameServerSet that this input resumes, if any. */
export function resumable(doc: RecordDoc, input: NormalizedInput): ReleaseRecord | undefined {
  const c = doc.current;
  return c && c.kind !== 'rollback' && !isFinished(c.outcome) && sameRelease(c.input, input) ? c : undefined;
}

/**
 * Validates the input against the world and returns the full plan. Throws ReleaseRefused (one sentence;
 * `usage` when the input itself is wrong) on the first problem. Makes no request.
 */
export function planRelease(input: ReleaseInput, world: ReleaseWorld): ReleasePlan {
  const inp = validateInput(input);
  const raw = world.gameServerSet;
  const gss = gameServerSetView(raw);
  const warnings: string[] = [];

  for (const c of inp.images) {
    if (!gss.images.some(x => x.container === c.container)) {
      throw refused(
        `container "${c.container}" is not in GameServerSet ${gss.name} (its containers: ${gss.images.map(x => x.container).join(', ') || 'none'})`,
      );
    }
  }

  const doc = parseRecord(rawRecord(raw));
  const lease = decideLease(gss.name, doc.current, world.holder, world.now, input.takeOver);
  if (lease.kind === 'refused') throw refused(lease.message);
  const resume = resumable(doc, inp);
  let takesOver: ReleasePlan['takesOver'];
  if (lease.kind === 'take-over' && doc.current) {
    const c = doc.current;
    takesOver = resume ? { release: c.id, holder: describeHolder(c.holder), reason: lease.reason } : undefined;
    warnings.push(
      takesOver
        ? takeOverWarning(takesOver)
        : `release ${c.id} of ${describeHolder(c.holder)} is superseded (${lease.reason}; it had other inputs)`,
    );
  } else if (doc.current && doc.current.outcome && !isFinished(doc.current.outcome)) {
    warnings.push(
      resume
        ? `resuming release ${doc.current.id} (${doc.current.outcome} at step ${doc.current.step})`
        : `release ${doc.current.id} (${doc.current.outcome} at step ${doc.current.step}) had other inputs; it is superseded`,
    );
  }

  const from = resume ? resume.baseline.replicas : gss.replicas;
  let to: number;
  if (resume) to = resume.target.replicas;
  else if (inp.add !== undefined) to = from + inp.add;
  else to = inp.replicas ?? from;
  if (!resume && inp.replicas !== undefined && to <= from) {
    throw refused(
      `--replicas ${to} is not above the current ${from} replicas of ${gss.name}; no new room would be created (use --add N)`,
    );
  }
  if (to > MAX_REPLICAS) throw refused(`scaling ${gss.name} to ${to} replicas is beyond ${MAX_REPLICAS} (a typo?)`);
  const newRooms = to - from;
  const ready = inp.ready ?? newRooms;
  if (ready > newRooms)
    throw refused(
      `--ready ${ready} is more than the ${newRooms} new rooms; at most ${newRooms} new-version rooms can be Ready`,
    );

  const imagesDone = inp.images.every(c =>
    gss.images.some(x => x.container === c.container && sameImage(x.image, c.image)),
  );
  const fix = !gss.onDeleteInForce;
  if (fix && !inp.fixUpdateStrategy) {
    const why = gss.rollingUpdatePresent
      ? `updateStrategy.rollingUpdate is present, which forces RollingUpdate whatever type says`
      : `updateStrategy.type is ${gss.updateStrategyType}`;
    throw refused(
      `OnDelete is not in force on GameServerSet ${gss.name} (${why}), so the release would replace rooms with players; fix it with kubectl patch gss ${gss.name} -n ${gss.namespace} --type=merge -p '${ONDELETE_FIX}' or rerun with --fix-update-strategy`,
    );
  }
  if (fix) warnings.push(`OnDelete is not in force on ${gss.name}; the image patch also sets ${ONDELETE_FIX}`);

  const last = doc.history[0];
  const alreadyDone =
    !resume &&
    imagesDone &&
    last &&
    last.outcome !== 'superseded' &&
    isFinished(last.outcome) &&
    sameRelease(last.input, inp)
      ? last.id
      : undefined;

  // Preview
  const rooms = world.rooms.filter(r => r.gameServerSet === gss.name);
  const marked = new Set(resume?.marked ?? []);
  const preview: RoomPreview[] = rooms.map(r => {
    const base = { name: r.name, state: r.state, opsState: r.opsState, images: r.images };
    if (isNewVersion(r, inp.images)) {
      return {
        ...base,
        version: 'new',
        action: r.terminating ? 'protected' : 'keep',
        ...(r.terminating ? { reason: 'terminating' } : {}),
      };
    }
    if (marked.has(r.name)) return { ...base, version: 'old', action: 'retire', reason: 'marked by this release' };
    const why = protectReason(r, inp.retireOpsStates);
    if (why === undefined) return { ...base, version: 'old', action: 'retire' };
    return {
      ...base,
      version: 'old',
      action: 'protected',
      reason:
        why === 'custom opsState'
          ? `custom opsState ${r.opsState}`
          : why === 'WaitToBeDeleted'
            ? 'already WaitToBeDeleted'
            : why,
    };
  });
  const live = rooms.filter(r => !r.terminating);
  const toCreate = Math.max(0, to - live.length);
  const created = predictNames(gss.name, rooms, reservedOrdinals(raw), toCreate);
  for (const name of created) {
    preview.push({ name, version: 'to-create', state: '', opsState: 'None', images: inp.images, action: 'create' });
  }
  preview.sort((a, b) => ordinalOf(a.name) - ordinalOf(b.name));

  // Predicted final table
  const retireMark = inp.reclaim === 'kill' ? 'Kill' : 'WaitToBeDeleted';
  const byName = new Map(rooms.map(r => [r.name, r]));
  let predicted: (PredictedRoom & { dp: number })[] = preview
    .filter(p => p.state !== 'terminating' && !byName.get(p.name)?.terminating)
    .map(p => {
      const room = byName.get(p.name);
      const newImages = gss.images.map(c => inp.images.find(x => x.container === c.container) ?? c);
      return {
        name: p.name,
        state: p.action === 'create' ? 'Ready' : p.state,
        opsState: p.action === 'retire' ? retireMark : p.opsState,
        images: p.action === 'create' ? newImages : p.images,
        dp: Number.parseInt(room?.deletionPriority ?? '0', 10) || 0,
      };
    });
  const retireCount = preview.filter(p => p.action === 'retire').length;
  if (inp.reclaim === 'kill') {
    predicted = predicted.filter(p => p.opsState !== 'Kill');
  } else if (inp.reclaim === 'scale-down' && retireCount > 0) {
    const order = scaleDownOrder(predicted.map(p => ({ ...p, deletionPriority: p.dp, ordinal: ordinalOf(p.name) })));
    const gone = new Set(order.slice(0, retireCount).map(p => p.name));
    predicted = predicted.filter(p => !gone.has(p.name));
  }
  if (retireCount === 0)
    warnings.push('no old room is idle (opsState ' + inp.retireOpsStates.join('/') + '); none will be retired');

  const done = new Set(resume?.done ?? []);
  const titleArgs: TitleArgs = {
    gss: gss.name,
    from,
    to,
    images: inp.images,
    ready,
    reclaim: inp.reclaim,
    fix,
    settleMs: inp.settleMs,
    network: gss.network,
  };
  const steps: PlannedStep[] = STEPS.map(step => ({
    step,
    title: STEP_TABLE[step].title(titleArgs),
    done: done.has(step),
  }));

  return {
    input: inp,
    fromReplicas: from,
    toReplicas: to,
    newRooms,
    ready,
    oldImages: resume ? resume.baseline.images : gss.images,
    steps,
    rooms: preview,
    predicted: predicted.map(({ dp: _dp, ...p }) => p),
    fixesUpdateStrategy: fix,
    network: gss.network,
    ...(resume ? { resumes: resume.id } : {}),
    ...(takesOver ? { takesOver } : {}),
    ...(alreadyDone ? { alreadyDone } : {}),
    warnings,
  };
}
