// planRollback: from the release record and what the cluster looks like now, which release is rolled back and what
// the rollback will do — checked before any write — with a room-by-room table and the predicted final table.
// Pure: makes no request.
import { clip } from '../cluster/clip.js';
import { sameImage } from '../cluster/images.js';
import { gameServerSetView, isNewVersion, ordinalOf, type ContainerImage, type RoomView } from '../cluster/okg.js';
import type { ReleaseWorld } from './plan.js';
import {
  decideLease,
  parseRecord,
  rawRecord,
  releaseChanges,
  type RecordDoc,
  type ReleaseChanges,
  type ReleaseRecord,
} from './record.js';
import { ROLLBACK_STEP_TABLE } from './rollbackSteps.js';
import { ROLLBACK_STEPS, type RollbackInput, type RollbackPlan, type RollbackRoomPreview } from './rollbackTypes.js';
import type { PredictedRoom } from './types.js';
import { DEFAULT_TIMEOUT_MS, ReleaseRefused } from './validate.js';

const refused = (m: string): ReleaseRefused => new ReleaseRefused(m, false);
const usage = (m: string): ReleaseRefused => new ReleaseRefused(m, true);

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Checks what needs no cluster; throws ReleaseRefused (usage) with one sentence. */
export function validateRollbackInput(input: RollbackInput): RollbackPlan['input'] & { release?: string } {
  if (!input.namespace) throw usage('the namespace is missing (-n NAMESPACE)');
  if (input.namespace.length > 63 || !DNS_LABEL.test(input.namespace))
    throw usage(
      `"${clip(input.namespace)}" is not a valid namespace name (lower-case letters, digits and "-", at most 63)`,
    );
  if (!input.gameServerSet) throw usage('the GameServerSet is missing (--gss NAME)');
  if (input.gameServerSet.length > 253 || !DNS_SUBDOMAIN.test(input.gameServerSet))
    throw usage(
      `"${clip(input.gameServerSet)}" is not a valid GameServerSet name (lower-case letters, digits, "-" and ".")`,
    );
  if (input.release !== undefined && !/^rel-[0-9A-Za-z-]{1,60}$/.test(input.release))
    throw usage(`"${clip(input.release)}" is not a release id (like rel-20260101T120000Z-ab12)`);
  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 1000 || timeoutMs > 24 * 3600_000)
    throw usage(`the timeout must be from 1s to 24h, got ${timeoutMs} ms`);
  return {
    namespace: input.namespace,
    gameServerSet: input.gameServerSet,
    timeoutMs,
    ...(input.release !== undefined ? { release: input.release } : {}),
  };
}

/** The release a rollback undoes, as the record tells it. */
export interface RollbackTarget {
  changes: ReleaseChanges;
  outcome: string;
  step: string;
  /** The interrupted rollback of it, resumed. */
  resumes?: ReleaseRecord;
  /** The last release was rolled back already (by this rollback id): nothing to do. */
  alreadyDone?: string;
}

/** Which release the record says to roll back: the current (unfinished) one, else the newest in the history. */
export function rollbackTarget(doc: RecordDoc, gss: string): RollbackTarget {
  const c = doc.current;
  if (c?.kind === 'rollback') {
    if (c.outcome === 'succeeded' || !c.rollbackOf)
      throw refused(`the record on ${gss} shows rollback ${c.id} without the release it undoes; nothing to roll back`);
    return { changes: c.rollbackOf, outcome: 'rolling back', step: c.step, resumes: c };
  }
  if (c) return { changes: releaseChanges(c), outcome: c.outcome ?? 'interrupted', step: c.step };
  const h = doc.history[0];
  if (!h)
    throw refused(`no release is recorded on GameServerSet ${gss} (annotation okg-ops/release); nothing to roll back`);
  if (h.kind === 'rollback') {
    return {
      changes: {
        id: h.rollbackOf ?? '?',
        images: [],
        baseline: { replicas: 0, images: h.images, rooms: [] },
        target: { replicas: 0, ready: 0 },
        done: [],
      },
      outcome: h.outcome,
      step: h.step,
      alreadyDone: h.id,
    };
  }
  if (!h.changes)
    throw refused(
      `release ${h.id} on ${gss} was recorded by an older okg-ops that did not keep what it changed; roll it back by hand (okg release with the old image)`,
    );
  return { changes: h.changes, outcome: h.outcome, step: h.step };
}

/** The template's image of each container the release changed. */
function templateImage(images: ContainerImage[], container: string): string | undefined {
  return images.find(c => c.container === container)?.image;
}

/** Rooms running the release's new images and not the old ones (its new rooms, or old rooms re-created since). */
export function isReleaseRoom(room: RoomView, ch: ReleaseChanges): boolean {
  return (
    ch.images.length > 0 &&
    isNewVersion(room, ch.images) &&
    !isNewVersion(
      room,
      ch.baseline.images.filter(b => ch.images.some(n => n.container === b.container)),
    )
  );
}

/** The idle new-version rooms a rollback retires: running the release's image, opsState None, not leaving. */
export function idleNewRooms(rooms: RoomView[], ch: ReleaseChanges): RoomView[] {
  return rooms.filter(r => !r.terminating && r.opsState === 'None' && isReleaseRoom(r, ch));
}

/**
 * Validates the rollback against the world and returns the full plan. Throws ReleaseRefused (one sentence) on the
 * first problem: nothing recorded, the lease held, the template changed by someone else since, OnDelete not in force.
 */
export function planRollback(input: RollbackInput, world: ReleaseWorld): RollbackPlan {
  const inp = validateRollbackInput(input);
  const g = gameServerSetView(world.gameServerSet);
  const doc = parseRecord(rawRecord(world.gameServerSet));
  const lease = decideLease(g.name, doc.current, world.holder, world.now);
  if (lease.kind === 'refused') throw refused(lease.message);
  const t = rollbackTarget(doc, g.name);
  const ch = t.changes;
  if (inp.release !== undefined && inp.release !== ch.id) {
    throw refused(
      `the last release of ${g.name} is ${ch.id}, not ${inp.release}; only the last release can be rolled back — nothing was changed`,
    );
  }
  const warnings: string[] = [];
  const base = {
    input: { namespace: inp.namespace, gameServerSet: inp.gameServerSet, timeoutMs: inp.timeoutMs },
    release: { id: ch.id, outcome: t.outcome, step: t.step, images: ch.images },
  };
  if (t.alreadyDone) {
    return {
      ...base,
      images: g.images,
      fromReplicas: g.replicas,
      toReplicas: g.replicas,
      steps: [],
      rooms: [],
      predicted: [],
      warnings,
      alreadyDone: t.alreadyDone,
    };
  }
  if (t.resumes)
    warnings.push(
      `resuming rollback ${t.resumes.id} (${t.resumes.outcome ?? 'interrupted'} at step ${t.resumes.step})`,
    );
  if (lease.kind === 'take-over' && doc.current)
    warnings.push(
      `taking over ${doc.current.kind === 'rollback' ? 'rollback' : 'release'} ${doc.current.id} (${lease.reason})`,
    );

  // The template: the release's images still there (restored), or the old ones already; anything else is someone else's.
  for (const n of ch.images) {
    const cur = templateImage(g.images, n.container);
    const old = templateImage(ch.baseline.images, n.container);
    if (cur === undefined)
      throw refused(`container "${n.container}" is no longer in GameServerSet ${g.name}; not rolled back`);
    if (!sameImage(cur, n.image) && !(old !== undefined && sameImage(cur, old))) {
      throw refused(
        `the template of ${g.name} runs ${n.container}=${cur} now, neither release ${ch.id}'s ${n.image} nor the old ${old ?? '?'}; someone changed it since — not rolled back, nothing was changed`,
      );
    }
  }
  if (!g.onDeleteInForce) {
    throw refused(
      `OnDelete is not in force on GameServerSet ${g.name} (updateStrategy ${g.rollingUpdatePresent ? 'has rollingUpdate' : `type ${g.updateStrategyType}`}), so restoring the image would replace rooms with players; fix the update strategy first — nothing was changed`,
    );
  }

  const rooms = world.rooms.filter(r => r.gameServerSet === g.name);
  const retire = new Map((ch.retire ?? []).map(e => [e.name, e]));
  const own = new Set((t.resumes?.retire ?? []).map(e => e.uid));
  const preview: RollbackRoomPreview[] = [];
  for (const r of rooms) {
    const row = { name: r.name, state: r.state, opsState: r.opsState, images: r.images };
    const e = retire.get(r.name);
    if (r.terminating)
      preview.push({
        ...row,
        version: isReleaseRoom(r, ch) ? 'new' : 'old',
        action: 'protected',
        reason: 'terminating',
      });
    else if (e && e.uid === r.uid) {
      if (r.opsState === 'WaitToBeDeleted')
        preview.push({
          ...row,
          version: 'old',
          action: 'restore',
          to: e.opsState,
          reason: `marked by release ${ch.id}`,
        });
      else if (r.opsState === e.opsState)
        preview.push({ ...row, version: 'old', action: 'keep', reason: `already ${e.opsState}` });
      else
        preview.push({
          ...row,
          version: 'old',
          action: 'protected',
          reason: `${r.opsState} now (was ${e.opsState}); left alone`,
        });
    } else if (isReleaseRoom(r, ch)) {
      if (r.opsState === 'None' || (own.has(r.uid) && r.opsState === 'WaitToBeDeleted'))
        preview.push({ ...row, version: 'new', action: 'retire' });
      else if (r.opsState === 'Allocated' || r.opsState === 'Maintaining')
        preview.push({ ...row, version: 'new', action: 'protected', reason: r.opsState });
      else preview.push({ ...row, version: 'new', action: 'keep', reason: `opsState ${r.opsState}` });
    } else {
      const p = r.opsState === 'Allocated' || r.opsState === 'Maintaining';
      preview.push({ ...row, version: 'old', action: p ? 'protected' : 'keep', ...(p ? { reason: r.opsState } : {}) });
    }
  }
  const gone: string[] = [];
  for (const e of retire.values()) {
    if (rooms.some(r => r.uid === e.uid && !r.terminating)) continue;
    gone.push(e.name);
    if (!rooms.some(r => r.name === e.name))
      preview.push({
        name: e.name,
        version: 'old',
        state: '',
        opsState: '',
        images: ch.baseline.images,
        action: 'gone',
        reason: 'no longer there (reclaimed); not restored',
      });
  }
  if (gone.length)
    warnings.push(
      `${gone.join(', ')} ${gone.length === 1 ? 'was' : 'were'} already reclaimed; ${gone.length === 1 ? 'it is' : 'they are'} gone and cannot be restored (replicas are restored to ${ch.baseline.replicas} with the old image instead)`,
    );

  // Predicted: the rooms that stay (restored ones with their old opsState), then replicas back to at least the baseline.
  const retiring = preview.filter(p => p.action === 'retire').length;
  const staying = preview.filter(p => p.action !== 'retire' && p.action !== 'gone' && p.reason !== 'terminating');
  const stayCount = Math.max(staying.length, g.replicas - retiring);
  const toReplicas = Math.max(stayCount, ch.baseline.replicas);
  const predicted: PredictedRoom[] = staying.map(p => ({
    name: p.name,
    state: p.state,
    opsState: p.action === 'restore' ? p.to! : p.opsState,
    images: p.images,
  }));
  const used = new Set(staying.map(p => ordinalOf(p.name)));
  const oldTemplate = g.images.map(c => ({
    container: c.container,
    image: templateImage(ch.baseline.images, c.container) ?? c.image,
  }));
  for (let i = 0, n = toReplicas - stayCount; n > 0; i++) {
    if (used.has(i)) continue;
    const name = `${g.name}-${i}`;
    preview.push({ name, version: 'to-create', state: '', opsState: 'None', images: oldTemplate, action: 'create' });
    predicted.push({ name, state: 'Ready', opsState: 'None', images: oldTemplate });
    n--;
  }
  const byOrdinal = (a: { name: string }, b: { name: string }) => ordinalOf(a.name) - ordinalOf(b.name);
  preview.sort(byOrdinal);
  predicted.sort(byOrdinal);

  const done = new Set(t.resumes?.done ?? []);
  const args = {
    gss: g.name,
    release: ch.id,
    images: ch.baseline.images.filter(b => ch.images.some(n => n.container === b.container)),
    from: g.replicas,
    to: toReplicas,
    baseline: ch.baseline.replicas,
  };
  return {
    ...base,
    images: args.images,
    fromReplicas: g.replicas,
    toReplicas,
    steps: ROLLBACK_STEPS.map(step => ({ step, title: ROLLBACK_STEP_TABLE[step].title(args), done: done.has(step) })),
    rooms: preview,
    predicted,
    ...(t.resumes ? { resumes: t.resumes.id } : {}),
    warnings,
  };
}
